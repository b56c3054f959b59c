//! JSON-RPC 2.0 for the MCP client SDK: messages, the transport seam and the
//! peer engine. This crate knows no MCP method; the conventions it needs
//! (how to cancel, how progress is reported) are supplied by the layer above
//! through [`ProtocolHooks`].
//!
//! - Messages ([`Message`] and its parts) are parsed once; `params` and
//!   `result` stay [`RawValue`] until the caller decodes them into the type it
//!   asked for.
//! - A [`Transport`] is a pair of bounded channels plus a [`TransportGuard`]:
//!   [`Inbound`] items up (messages, a request the transport failed, why the
//!   connection closed), [`Outbound`] items down (messages, cancellations),
//!   and [`SessionHints`] from the session to the transport's binding.
//!   [`memory_pair`] connects two in memory, [`lines`] frames any
//!   `AsyncRead + AsyncWrite` as newline-delimited JSON, and [`Connect`]
//!   opens one anew.
//! - The JSON-RPC primitives ([`RequestId`], [`ProgressToken`],
//!   [`ErrorObject`], [`error_codes`]) are `mcp_types`' own, re-exported.
//! - [`auth`] is the authorization seam: [`ClientAuth`] supplies the
//!   credentials a transport sends, [`AuthenticationError`] is what a
//!   refusal becomes; OAuth implements it in the `mcp-auth` crate.
//! - A [`Peer`] runs over a transport: it allocates ids, matches responses,
//!   enforces timeouts, cancels abandoned requests, routes progress, and
//!   dispatches what the peer sends to a [`Handler`].
//!
//! Two peers over [`memory_pair`], one answering the other:
//!
//! ```
//! use std::sync::Arc;
//!
//! use mcp_jsonrpc::{
//!     async_trait, memory_pair, to_raw, ErrorObject, Handler, InboundContext, NoHandler, Peer, PeerConfig,
//!     RawValue, Request, RequestOptions,
//! };
//!
//! struct Adder;
//!
//! #[async_trait]
//! impl Handler for Adder {
//!     async fn handle_request(&self, req: Request, _cx: InboundContext) -> Result<Box<RawValue>, ErrorObject> {
//!         let bad = |e: serde_json::Error| ErrorObject::invalid_params(e.to_string());
//!         let params = req.params.ok_or_else(|| ErrorObject::invalid_params("params required"))?;
//!         let [a, b]: [i64; 2] = serde_json::from_str(params.get()).map_err(bad)?;
//!         Ok(to_raw(&(a + b))?)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), mcp_jsonrpc::Error> {
//! let (a, b) = memory_pair(16);
//! let client = Peer::start(a, Arc::new(NoHandler), PeerConfig::default());
//! let _server = Peer::start(b, Arc::new(Adder), PeerConfig::default());
//!
//! let sum: i64 = client.request("add", Some(&[2, 3]), RequestOptions::default()).await?;
//! assert_eq!(sum, 5);
//! # Ok(())
//! # }
//! ```
//!
//! Parsing one message:
//!
//! ```
//! use mcp_jsonrpc::{Message, RequestId};
//!
//! let msg = Message::from_slice(br#"{"jsonrpc":"2.0","id":1,"result":{"ok":true}}"#)?;
//! assert_eq!(msg.id(), Some(&RequestId::Number(1)));
//! # Ok::<(), mcp_jsonrpc::ParseError>(())
//! ```

pub mod auth;
mod boxed;
mod connect;
mod error;
mod handler;
mod hints;
mod inbound;
pub mod lines;
mod message;
mod options;
mod peer;
mod peer_error;
mod pending;
mod start;
mod text;
mod throttle;
mod transport;

#[cfg(test)]
mod tests;

pub use async_trait::async_trait;
pub use auth::{AuthenticationError, ClientAuth, Secret};
pub use boxed::{BoxError, BoxFuture};
pub use connect::{Connect, Connection};
pub use error::{CloseReason, ParseError, TransportError};
pub use handler::{Handler, InboundContext, NoHandler};
pub use hints::{HeaderParam, SessionHints};
pub use mcp_types::{error_codes, Era, ErrorObject, ProgressToken, RequestId};
pub use message::{
    parse_frame, to_raw, ErrorResponse, Message, Notification, Request, Response, JSONRPC_VERSION,
};
pub use options::{NoHooks, PeerConfig, ProgressCallback, ProtocolHooks, RequestOptions};
pub use peer::Peer;
pub use peer_error::{Error, TimeoutKind};
pub use serde_json::value::RawValue;
pub use text::{escape, excerpt, Elapsed};
pub use throttle::LogThrottle;
pub use transport::{
    memory_pair, CloseFuture, Closer, Inbound, Outbound, Transport, TransportGuard, DEFAULT_CHANNEL_CAPACITY,
};
