//! WebSocket transport of the MCP client SDK, like the Python SDK 1.x's
//! `websocket_client`: one JSON-RPC message per text frame, the subprotocol
//! `mcp`, over tokio-tungstenite and rustls (ring).
//!
//! WebSocket is not a transport of the MCP specification, but gateways,
//! browser sidecars and the Python SDK 1.x `mcp.server.websocket` servers
//! speak it. [`websocket_client`] opens the socket and returns the
//! [`Transport`] a session takes; [`WebSocketParameters`] also implement
//! [`mcp_jsonrpc::Connect`], so a session made from them can dial again.
//!
//! - The upgrade asks for the subprotocol `mcp`; a server that accepts
//!   without it is refused ([`WsError::Subprotocol`] names what it
//!   answered). Extra headers and the credentials of a
//!   [`ClientAuth`](mcp_jsonrpc::ClientAuth) go on the upgrade request; a
//!   `401` (or `403` for want of scope) is handed to it and the upgrade
//!   tried again when it has new ones. `wss://` uses rustls
//!   with the bundled webpki roots (and the system's with the
//!   `native-roots` feature), like the HTTP transport, or with your own
//!   [`tls_config`](WebSocketParameters::tls_config); an untrusted
//!   certificate fails as [`WsError::Tls`]. DNS, TCP, TLS and
//!   the upgrade are bounded together by
//!   [`connect_timeout`](WebSocketParameters::connect_timeout).
//! - Keep-alive: a ping every [`ping_interval`](WebSocketParameters::ping_interval);
//!   a server silent for longer than that plus
//!   [`pong_timeout`](WebSocketParameters::pong_timeout) is dead: the
//!   connection is closed and pending requests fail at once, saying so.
//! - Limits: a frame's size is checked from its header before its payload
//!   is read ([`max_frame_size`](WebSocketParameters::max_frame_size)), a
//!   message's as it is assembled
//!   ([`max_message_size`](WebSocketParameters::max_message_size)); over
//!   either, the connection is closed with code 1009 and a clear reason.
//! - A binary frame, or a text frame that is not JSON-RPC, is reported on
//!   the inbound stream and skipped.
//! - [`TransportGuard::close`](mcp_jsonrpc::TransportGuard::close) (and
//!   dropping the transport) sends what is queued, then a close frame, and
//!   waits for the server's, bounded by
//!   [`close_timeout`](WebSocketParameters::close_timeout). A connection
//!   dropped without a close frame ends the inbound stream at once with
//!   [`CloseReason::EndOfStream`](mcp_jsonrpc::CloseReason::EndOfStream).
//!
//! Both protocol eras run over the same socket: the transport knows no
//! MCP method, and the session negotiates as it does over stdio.
//!
//! ```no_run
//! use mcp_jsonrpc::{Inbound, Message, Transport};
//! use mcp_transport_ws::{websocket_client, WebSocketParameters};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let params = WebSocketParameters::new("ws://127.0.0.1:8000/mcp")
//!     .header("Authorization", "Bearer secret");
//! let mut transport: Transport = websocket_client(&params).await?;
//!
//! let ping = Message::from_slice(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)?;
//! transport.outbound.send(ping.into()).await?;
//! while let Some(item) = transport.inbound.recv().await {
//!     match item {
//!         Inbound::Message(reply) if reply.id() == Some(&1.into()) => break,
//!         Inbound::Closed(reason) => return Err(reason.to_string().into()),
//!         other => tracing::debug!(?other, "not the reply yet"),
//!     }
//! }
//! transport.guard.close().await;
//! # Ok(())
//! # }
//! ```

mod dial;
mod error;
mod params;
mod socket;

pub use dial::SUBPROTOCOL;
pub use error::WsError;
pub use params::{
    WebSocketParameters, DEFAULT_CLOSE_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_MESSAGE_SIZE,
    DEFAULT_PING_INTERVAL, DEFAULT_PONG_TIMEOUT,
};

use mcp_jsonrpc::Transport;

/// Opens a WebSocket to the MCP server named by `params` and returns the
/// transport over it, like the Python SDK's `websocket_client(url)`.
///
/// Must be called within a Tokio runtime with I/O and time enabled. Fails
/// with a [`WsError`] when the URL is not `ws://` or `wss://`, the server
/// cannot be reached in time, refuses the upgrade, or accepts it without
/// the subprotocol `mcp`.
pub async fn websocket_client(params: &WebSocketParameters) -> Result<Transport, WsError> {
    let socket = dial::dial(params).await?;
    tracing::debug!(url = %params.url, "WebSocket open");
    Ok(socket::start(socket, params))
}
