//! [`ServerParameters`]: how to reach one server of a group, over any
//! transport of the workspace.

use std::fmt;
use std::sync::Arc;

use mcp_client::{Connect, Connection};

/// How to reach one MCP server: the parameters of one transport.
///
/// Every transport crate's parameters convert into it (`.into()`), and
/// [`Custom`](ServerParameters::Custom) takes any [`Connect`]. Each variant
/// is behind the cargo feature of its transport (`stdio`, `http`, `ws`; all
/// on by default).
#[derive(Clone)]
#[non_exhaustive]
pub enum ServerParameters {
    /// A server started as a child process, spoken to over its stdin and
    /// stdout.
    #[cfg(feature = "stdio")]
    Stdio(mcp_transport_stdio::StdioServerParameters),
    /// A server over Streamable HTTP (either era).
    #[cfg(feature = "http")]
    StreamableHttp(mcp_transport_http::StreamableHttpParameters),
    /// A server over the HTTP+SSE transport of 2024-11-05.
    #[cfg(feature = "http")]
    Sse(mcp_transport_http::SseServerParameters),
    /// A server over WebSocket (subprotocol `mcp`).
    #[cfg(feature = "ws")]
    WebSocket(mcp_transport_ws::WebSocketParameters),
    /// Anything that opens a transport.
    Custom(Arc<dyn Connect>),
}

impl ServerParameters {
    /// Who these parameters reach, for messages.
    pub fn describe(&self) -> String {
        self.connector().describe()
    }

    /// The parameters as a shared connector (what a group keeps to start
    /// the server again).
    pub fn connector(&self) -> Arc<dyn Connect> {
        match self {
            #[cfg(feature = "stdio")]
            ServerParameters::Stdio(p) => Arc::new(p.clone()),
            #[cfg(feature = "http")]
            ServerParameters::StreamableHttp(p) => Arc::new(p.clone()),
            #[cfg(feature = "http")]
            ServerParameters::Sse(p) => Arc::new(p.clone()),
            #[cfg(feature = "ws")]
            ServerParameters::WebSocket(p) => Arc::new(p.clone()),
            ServerParameters::Custom(c) => c.clone(),
        }
    }
}

impl fmt::Debug for ServerParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ServerParameters").field(&self.describe()).finish()
    }
}

impl From<ServerParameters> for Connection {
    fn from(p: ServerParameters) -> Self {
        Connection::shared_connector(p.connector())
    }
}

impl From<Arc<dyn Connect>> for ServerParameters {
    fn from(c: Arc<dyn Connect>) -> Self {
        ServerParameters::Custom(c)
    }
}

#[cfg(feature = "stdio")]
impl From<mcp_transport_stdio::StdioServerParameters> for ServerParameters {
    fn from(p: mcp_transport_stdio::StdioServerParameters) -> Self {
        ServerParameters::Stdio(p)
    }
}

#[cfg(feature = "http")]
impl From<mcp_transport_http::StreamableHttpParameters> for ServerParameters {
    fn from(p: mcp_transport_http::StreamableHttpParameters) -> Self {
        ServerParameters::StreamableHttp(p)
    }
}

#[cfg(feature = "http")]
impl From<mcp_transport_http::SseServerParameters> for ServerParameters {
    fn from(p: mcp_transport_http::SseServerParameters) -> Self {
        ServerParameters::Sse(p)
    }
}

#[cfg(feature = "ws")]
impl From<mcp_transport_ws::WebSocketParameters> for ServerParameters {
    fn from(p: mcp_transport_ws::WebSocketParameters) -> Self {
        ServerParameters::WebSocket(p)
    }
}
