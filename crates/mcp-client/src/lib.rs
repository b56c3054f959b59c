//! `ClientSession`: talk to one MCP server over any transport.
//!
//! The API follows the Python SDK's `mcp.ClientSession`: create a session
//! over a transport pair, `initialize()`, then call tools, read resources,
//! get prompts. Server-to-client requests (sampling, elicitation, roots) are
//! served by callbacks set on [`ClientSessionOptions`]; the capabilities we
//! declare follow from the callbacks present.
//!
//! The session does not know transports: it takes an
//! [`mcp_jsonrpc::Transport`], which `mcp-transport-stdio` (and later the
//! WebSocket and HTTP crates) produce.
//!
//! Both protocol eras are spoken behind the same API. By default
//! ([`ProtocolMode::Auto`]) `initialize()` probes with `server/discover`:
//! a server of protocol 2026-07-28 is then spoken to statelessly (per-request
//! `_meta`, multi round-trip requests answered through the same callbacks,
//! `subscriptions/listen`, a result cache), any other falls back to the
//! `initialize` handshake of 2024-11-05 to 2025-11-25.
//!
//! ```
//! use std::sync::Arc;
//! use mcp_client::{ClientSession, ClientSessionOptions, Era};
//! use mcp_jsonrpc::{async_trait, memory_pair, ErrorObject, Handler, InboundContext, Peer, PeerConfig, RawValue, Request};
//!
//! // A tiny server of the initialize era, in memory.
//! struct Server;
//! #[async_trait]
//! impl Handler for Server {
//!     async fn handle_request(&self, r: Request, _cx: InboundContext) -> Result<Box<RawValue>, ErrorObject> {
//!         let result = match &*r.method {
//!             "initialize" => serde_json::json!({
//!                 "protocolVersion": "2025-11-25",
//!                 "capabilities": {"tools": {}},
//!                 "serverInfo": {"name": "tiny", "version": "1.0"}
//!             }),
//!             "tools/call" => serde_json::json!({"content": [{"type": "text", "text": "hello"}]}),
//!             "tools/list" => serde_json::json!({"tools": []}),
//!             _ => return Err(ErrorObject::new(-32601, "method not found")),
//!         };
//!         Ok(mcp_jsonrpc::to_raw(&result).expect("JSON"))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), mcp_client::ClientError> {
//! let (client_side, server_side) = memory_pair(16);
//! let _server = Peer::start(server_side, Arc::new(Server), PeerConfig::default());
//!
//! let session = ClientSession::new(client_side, ClientSessionOptions::new());
//! let init = session.initialize().await?; // probes server/discover, falls back to initialize
//! assert_eq!(init.server_info.name, "tiny");
//! assert_eq!(session.era(), Some(Era::Initialize));
//! let result = session.call_tool("greet", ()).await?;
//! assert_eq!(result.content[0].as_text(), Some("hello"));
//! session.close().await;
//! # Ok(())
//! # }
//! ```

mod api;
mod args;
mod cache;
mod call;
mod context;
mod envelope;
mod era;
mod error;
mod handler;
mod hooks;
mod inputs;
mod listen;
mod negotiate;
mod options;
mod request;
mod session;
mod shared;
mod stateless;
mod tasks;
mod tool_catalog;
mod tool_headers;
mod wire;

pub use api::MAX_PAGES;
pub use args::{IntoArguments, IntoPromptArguments};
pub use call::Call;
pub use context::RequestContext;
pub use error::{ClientError, Result};
pub use hooks::McpHooks;
pub use options::{
    CallOptions, ClientSessionOptions, ElicitationCallback, IncomingMessage, ListRootsCallback,
    LoggingCallback, MessageHandler, ProgressCallback, ProtocolMode, SamplingCallback,
    DEFAULT_DISCOVER_TIMEOUT, DEFAULT_MAX_INPUT_ROUNDS, DEFAULT_MAX_TOTAL, DEFAULT_READ_TIMEOUT,
};
pub use session::{ClientSession, Negotiated};
pub use stateless::RoundResult;

/// The JSON-RPC primitives and the transport seam (from `mcp-jsonrpc`), so
/// that a program needs no other crate of ours than its transport's.
pub use mcp_jsonrpc::{
    error_codes, BoxFuture, CloseReason, Connect, Connection, ErrorObject, ProgressToken, RequestId,
    TimeoutKind, Transport, TransportError,
};
/// The protocol types of every revision (the `mcp-types` crate).
pub use mcp_types as types;
pub use mcp_types::Era;
