//! Errors of the message layer and of transports.

use std::fmt;

/// How many bytes of an offending frame an error keeps, for diagnosis.
const SNIPPET_LEN: usize = 160;

/// Standard JSON-RPC 2.0 error codes.
pub mod error_codes {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist or is not available.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal JSON-RPC error.
    pub const INTERNAL_ERROR: i64 = -32603;
}

/// A frame from the peer that is not a valid JSON-RPC 2.0 message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The bytes are not valid JSON.
    #[error("peer sent invalid JSON ({source}): {snippet}")]
    Json {
        /// The JSON error.
        #[source]
        source: serde_json::Error,
        /// The start of the offending frame.
        snippet: String,
    },
    /// Valid JSON, but not a JSON-RPC 2.0 message.
    #[error("peer sent JSON that is not a JSON-RPC 2.0 message ({reason}): {snippet}")]
    Invalid {
        /// What is wrong with it.
        reason: &'static str,
        /// The start of the offending frame.
        snippet: String,
    },
}

impl ParseError {
    pub(crate) fn json(source: serde_json::Error, bytes: &[u8]) -> Self {
        ParseError::Json {
            source,
            snippet: snippet(bytes),
        }
    }

    pub(crate) fn invalid(reason: &'static str, bytes: &[u8]) -> Self {
        ParseError::Invalid {
            reason,
            snippet: snippet(bytes),
        }
    }

    /// The start of the offending frame, lossily decoded.
    pub fn snippet(&self) -> &str {
        match self {
            ParseError::Json { snippet, .. } | ParseError::Invalid { snippet, .. } => snippet,
        }
    }
}

fn snippet(bytes: &[u8]) -> String {
    let cut = bytes.len().min(SNIPPET_LEN);
    let mut s = String::from_utf8_lossy(&bytes[..cut]).into_owned();
    if cut < bytes.len() {
        s.push('…');
    }
    s
}

/// Something a transport reports on its inbound stream.
///
/// Errors are reports: the stream goes on after a [`TransportError::Malformed`]
/// or [`TransportError::TooLarge`] frame. The transport is closed when the
/// inbound stream ends; the last error before the end says why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The peer sent a frame that is not a JSON-RPC message; it was skipped.
    #[error(transparent)]
    Malformed(#[from] ParseError),
    /// The peer sent a frame larger than the configured limit; it was skipped.
    #[error("peer sent a message larger than the limit of {limit} bytes; it was skipped (raise the message size limit if the peer is trusted)")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The transport is closed; the text says why (process exit status,
    /// end of stream, HTTP status…).
    #[error("connection closed: {0}")]
    Closed(String),
    /// An I/O error on the underlying channel.
    #[error("transport I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A transport-specific failure.
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl TransportError {
    /// True when the transport skipped one frame and goes on.
    pub fn is_recoverable(&self) -> bool {
        matches!(
            self,
            TransportError::Malformed(_) | TransportError::TooLarge { .. }
        )
    }
}

/// The reason a connection ended, as reported to pending requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseReason(pub String);

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
