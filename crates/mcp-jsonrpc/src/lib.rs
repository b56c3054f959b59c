//! JSON-RPC 2.0 for the MCP client SDK: messages, the transport seam and the
//! peer engine. This crate knows no MCP method; the conventions it needs
//! (how to cancel, how progress is reported) are supplied by the layer above.
//!
//! ```
//! use mcp_jsonrpc::{Message, RequestId};
//!
//! let msg = Message::from_slice(br#"{"jsonrpc":"2.0","id":1,"result":{"ok":true}}"#)?;
//! assert_eq!(msg.id(), Some(&RequestId::Number(1)));
//! # Ok::<(), mcp_jsonrpc::ParseError>(())
//! ```

mod error;
mod handler;
mod inbound;
pub mod lines;
mod message;
mod options;
mod peer;
mod peer_error;
mod pending;
mod transport;

#[cfg(test)]
mod tests;

pub use error::{error_codes, CloseReason, ParseError, TransportError};
pub use handler::{Handler, NoHandler, RequestContext};
pub use message::{
    parse_frame, to_raw, ErrorObject, ErrorResponse, Message, Notification, Request, RequestId, Response,
    JSONRPC_VERSION,
};
pub use options::{NoHooks, PeerConfig, ProgressCallback, ProgressToken, ProtocolHooks, RequestOptions};
pub use peer::Peer;
pub use peer_error::Error;
pub use serde_json::value::RawValue;
pub use transport::{
    memory_pair, AbortOnDrop, CloseFuture, Closer, Transport, TransportGuard, DEFAULT_CHANNEL_CAPACITY,
};
