//! HTTP transports of the MCP client SDK: Streamable HTTP in both eras of
//! the protocol and the deprecated 2024-11-05 HTTP+SSE transport, over hyper
//! with TLS by rustls (ring, webpki roots; `native-roots` feature for the
//! system store).
//!
//! [`streamablehttp_client`] and [`sse_client`] return an
//! [`mcp_jsonrpc::Transport`], like the stdio transport. The transport knows
//! no session API: it learns the era and the headers to send by looking at
//! the messages it carries.
//!
//! - **2026-07-28** (a request whose `params._meta` names
//!   `io.modelcontextprotocol/protocolVersion`): one POST per message with
//!   `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*`
//!   (from tool parameters marked `x-mcp-header` in the `tools/list` results
//!   it carried; tools with invalid annotations are dropped from those
//!   results). A JSON or SSE response; `notifications/cancelled` closes the
//!   request's stream instead of being sent; a stream that breaks before the
//!   response re-issues the request under a new id.
//! - **Initialize era** (from an `initialize` request on): `Mcp-Session-Id`
//!   and `MCP-Protocol-Version` on every later request, the GET stream for
//!   server-initiated messages after `notifications/initialized`, resumption
//!   with `Last-Event-ID`, a transparent re-initialize when the session
//!   expires (404), `DELETE` on close.
//! - **HTTP+SSE** ([`HttpTransportMode::Sse`], or [`HttpTransportMode::Auto`]
//!   when the `initialize` POST is refused with 404/405 or a 400 without a
//!   JSON-RPC body; remembered per origin).
//!
//! A failed HTTP exchange becomes an error response for its request: the
//! server's JSON-RPC error when the body carries one (unchanged, so that
//! version negotiation sees the real code), else [`HTTP_TRANSPORT_ERROR`]
//! with a message naming the status, URL and body.
//!
//! ```no_run
//! use mcp_jsonrpc::Message;
//! use mcp_transport_http::{streamablehttp_client, StreamableHttpParameters};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let params = StreamableHttpParameters::new("https://example.com/mcp")
//!     .header("Authorization", "Bearer token")
//!     .timeout(std::time::Duration::from_secs(10));
//! let mut transport = streamablehttp_client(&params).await?;
//!
//! let ping = Message::from_slice(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)?;
//! transport.outbound.send(ping).await?;
//! if let Some(Ok(reply)) = transport.inbound.recv().await {
//!     tracing::info!(?reply, "answered");
//! }
//! transport.guard.close().await;
//! # Ok(())
//! # }
//! ```

mod client;
mod conn;
mod detect;
mod error;
mod headers;
mod legacy;
mod modern;
mod params;
mod sse;
mod sse_transport;
mod transport;

pub use detect::clear_transport_cache;
pub use error::{HttpError, HTTP_TRANSPORT_ERROR};
pub use params::{
    BoxFuture, HeaderProvider, HttpTransportMode, SseServerParameters, StreamableHttpParameters,
    DEFAULT_MAX_REDIRECTS, DEFAULT_SSE_READ_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use transport::{sse_client, streamablehttp_client};
