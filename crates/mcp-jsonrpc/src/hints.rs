//! What a session tells its transport: [`SessionHints`].
//!
//! A transport knows its wire and how MCP binds to it, never the handshake.
//! What its binding needs of the session (over HTTP: the negotiated version
//! for the `MCP-Protocol-Version` header of the initialize era, which tool
//! parameters to mirror into `Mcp-Param-*` headers) the session publishes
//! here, before it sends the messages that depend on it. The transport reads
//! the latest value whenever it puts a message on the wire, so no message
//! overtakes the hint it needs.

use std::collections::HashMap;
use std::sync::Arc;

use mcp_types::Era;

/// What the session has negotiated and learned that a transport's binding
/// may need. Every field starts empty; the session fills them in.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct SessionHints {
    /// The era the handshake settled on; `None` before it.
    pub era: Option<Era>,
    /// The negotiated protocol version; `None` before the handshake.
    pub protocol_version: Option<Arc<str>>,
    /// Per tool, the parameters whose values travel in transport metadata
    /// too (Streamable HTTP: `Mcp-Param-{header}`), as the server's tool
    /// listing declared them (`x-mcp-header`) and the session validated them.
    pub tool_headers: Arc<HashMap<String, Vec<HeaderParam>>>,
}

/// One tool parameter mirrored into a header: where its value is in the
/// call's `arguments`, and the header's name part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeaderParam {
    /// The chain of `properties` keys from the arguments object to the value.
    pub path: Vec<String>,
    /// The name part of the header (`Region` for `Mcp-Param-Region`).
    pub header: String,
}

impl HeaderParam {
    /// A parameter at `path`, mirrored into the header named `header`.
    pub fn new(path: Vec<String>, header: impl Into<String>) -> Self {
        HeaderParam {
            path,
            header: header.into(),
        }
    }
}
