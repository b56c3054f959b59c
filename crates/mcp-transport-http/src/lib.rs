//! HTTP transports of the MCP client SDK: Streamable HTTP in both eras of
//! the protocol and the deprecated 2024-11-05 HTTP+SSE transport, over hyper
//! with TLS by rustls (ring, webpki roots; `native-roots` feature for the
//! system store).
//!
//! [`streamablehttp_client`] and [`sse_client`] return the
//! [`mcp_jsonrpc::Transport`] a session takes, like the stdio transport; the
//! parameters also implement [`mcp_jsonrpc::Connect`], so a session made
//! from them can dial again. The transport knows HTTP and how MCP binds to
//! it, never the handshake: it never answers a message itself, never
//! rewrites or drops one, and keeps no process-wide state. What its binding
//! needs of the session (the negotiated version, which tool parameters
//! become headers) comes through [`mcp_jsonrpc::SessionHints`].
//!
//! - **2026-07-28** (a request whose `params._meta` names
//!   `io.modelcontextprotocol/protocolVersion`): one POST per message with
//!   `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*`; a
//!   JSON or SSE answer. Cancelling a request closes its stream (no
//!   notification is sent, as the binding prescribes); a stream that breaks
//!   before the answer fails the request (it is never sent twice).
//! - **Initialize era** (2025-03-26 to 2025-11-25): `Mcp-Session-Id` from the
//!   answer to `initialize`, `MCP-Protocol-Version` and the session id on
//!   every later request, the GET stream for server-initiated messages after
//!   `notifications/initialized`, resumption with `Last-Event-ID`, `DELETE`
//!   on close. When the server forgets the session (404), the request fails
//!   as [`TransportError::SessionExpired`](mcp_jsonrpc::TransportError) and
//!   the session makes a new handshake.
//! - **HTTP+SSE** ([`HttpTransportMode::Sse`], or [`HttpTransportMode::Auto`]
//!   when the `initialize` POST is refused with 404/405 or a 400 without a
//!   JSON-RPC body; remembered in the parameters' [`OriginCache`]).
//!
//! Credentials come from a [`ClientAuth`](mcp_jsonrpc::ClientAuth)
//! ([`StreamableHttpParameters::auth`]): its headers go on every request,
//! and a `401`, or a `403` with `insufficient_scope`, is handed to it and
//! the request sent again when it has new credentials (at most
//! [`MAX_AUTH_ROUNDS`](mcp_jsonrpc::auth::MAX_AUTH_ROUNDS) times; the
//! server did not run it). A final refusal fails the request with
//! [`TransportError::Auth`](mcp_jsonrpc::TransportError).
//!
//! An exchange that fails fails its request with a typed
//! [`TransportError`](mcp_jsonrpc::TransportError): connection refused or
//! TLS ([`is_connect`](mcp_jsonrpc::TransportError::is_connect)), a timeout
//! of the transport's own, an HTTP status without a JSON-RPC answer (with
//! [`status`](mcp_jsonrpc::TransportError::status)). A JSON-RPC error in the
//! body is the server's answer and reaches the session as such.
//!
//! ```no_run
//! use mcp_jsonrpc::{Inbound, Message};
//! use mcp_transport_http::{streamablehttp_client, StreamableHttpParameters};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let params = StreamableHttpParameters::new("https://example.com/mcp")
//!     .header("Authorization", "Bearer token")
//!     .timeout(std::time::Duration::from_secs(10));
//! let mut transport = streamablehttp_client(&params).await?;
//!
//! let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}"#;
//! transport.outbound.send(Message::from_slice(init.as_bytes())?.into()).await?;
//! match transport.inbound.recv().await {
//!     Some(Inbound::Message(reply)) => tracing::info!(?reply, "answered"),
//!     Some(Inbound::Failed { error, .. }) => tracing::warn!(status = ?error.status(), %error, "failed"),
//!     other => tracing::warn!(?other, "no answer"),
//! }
//! transport.guard.close().await;
//! # Ok(())
//! # }
//! ```

mod client;
mod error;
mod event_stream;
mod exchange;
mod headers;
mod http_sse;
mod origin_cache;
mod params;
mod session;
mod shared;
mod stream;
mod transport;

pub use error::HttpError;
pub use mcp_jsonrpc::BoxFuture;
pub use origin_cache::{OriginCache, MAX_ORIGINS};
pub use params::{
    HttpTransportMode, SseServerParameters, StreamableHttpParameters, DEFAULT_MAX_REDIRECTS,
    DEFAULT_MAX_RETRIES, DEFAULT_SSE_READ_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use transport::{sse_client, streamablehttp_client, MAX_POSTS_IN_FLIGHT};
