//! The error of an outbound request or notification.

use std::time::Duration;

use crate::error::{CloseReason, TransportError};
use crate::message::{ErrorObject, RequestId};

/// Which bound a request ran out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// No answer, and no progress that extends the wait, within the
    /// request's timeout.
    Idle,
    /// The request's maximum total ran out, however much progress came.
    Total,
}

/// Why a request (or notification) sent through a [`Peer`](crate::Peer)
/// failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The peer answered with an error.
    #[error("the peer answered `{method}` with an error: {error}")]
    Rpc {
        /// The method of the request.
        method: String,
        /// The error the peer sent.
        error: ErrorObject,
    },
    /// No answer came in time; the request was abandoned (and the peer told,
    /// if the hooks say how).
    #[error(
        "request `{method}` (id {id}) got no answer within {}{}; it was cancelled \
         (raise the timeout if the peer is slow, or check that it is responsive)",
        crate::Elapsed(*elapsed),
        match kind { TimeoutKind::Total => " (its maximum total)", TimeoutKind::Idle => "" }
    )]
    Timeout {
        /// The method of the request.
        method: String,
        /// The id of the request.
        id: RequestId,
        /// How long the request waited.
        elapsed: Duration,
        /// Which bound ran out.
        kind: TimeoutKind,
    },
    /// The connection closed before or while waiting for the answer.
    #[error("`{method}` failed: the connection is closed ({reason})")]
    Closed {
        /// The method of the request or notification.
        method: String,
        /// Why the connection closed.
        reason: CloseReason,
    },
    /// The transport could not carry the request or its answer.
    #[error("`{method}` failed in the transport: {source}")]
    Transport {
        /// The method of the request.
        method: String,
        /// What the transport reported.
        #[source]
        source: TransportError,
    },
    /// The caller cancelled the request (and the peer was told).
    #[error("`{method}` (id {id}) was cancelled by the caller")]
    Cancelled {
        /// The method of the request.
        method: String,
        /// The id of the request.
        id: RequestId,
    },
    /// The peer's result does not decode into the type asked for.
    #[error("the result of `{method}` does not have the expected shape: {source} (is the peer's protocol version the expected one?)")]
    InvalidResponse {
        /// The method of the request.
        method: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// The params could not be encoded as JSON.
    #[error("could not encode the params of `{method}` as JSON: {source}")]
    Encode {
        /// The method of the request.
        method: String,
        /// The encoding error.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// True for [`Error::Timeout`], and for a transport whose own bound ran
    /// out.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Transport { source, .. } => source.is_timeout(),
            _ => false,
        }
    }

    /// True for [`Error::Closed`].
    pub fn is_closed(&self) -> bool {
        matches!(self, Error::Closed { .. })
    }

    /// The error the peer answered with, for [`Error::Rpc`].
    pub fn rpc_error(&self) -> Option<&ErrorObject> {
        match self {
            Error::Rpc { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The method of the failed request or notification.
    pub fn method(&self) -> &str {
        match self {
            Error::Rpc { method, .. }
            | Error::Timeout { method, .. }
            | Error::Closed { method, .. }
            | Error::Transport { method, .. }
            | Error::Cancelled { method, .. }
            | Error::InvalidResponse { method, .. }
            | Error::Encode { method, .. } => method,
        }
    }
}
