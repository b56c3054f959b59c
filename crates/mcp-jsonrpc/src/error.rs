//! Errors of the message layer and of transports, and why a connection
//! ended.

use std::fmt;

use mcp_types::ErrorObject;

use crate::auth::AuthenticationError;
use crate::boxed::BoxError;
use crate::text::excerpt;

/// How many bytes of an offending frame an error keeps, for diagnosis.
const SNIPPET_LEN: usize = 160;

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

    /// The start of the offending frame, lossily decoded, control characters
    /// escaped.
    pub fn snippet(&self) -> &str {
        match self {
            ParseError::Json { snippet, .. } | ParseError::Invalid { snippet, .. } => snippet,
        }
    }
}

fn snippet(bytes: &[u8]) -> String {
    excerpt(bytes, SNIPPET_LEN)
}

/// A failure of the transport, not of the peer: a frame it skipped, a
/// request it could not carry, a peer it could not reach.
///
/// A transport reports one in three ways on its inbound stream (see
/// [`Inbound`](crate::Inbound)): as a report that leaves the connection
/// open ([`TransportError::is_recoverable`]), as the failure of one request,
/// or (in its [`CloseReason`]) as the end of the connection. It is never
/// dressed as an error the peer sent.
///
/// The variants classify what happened alike on every transport; the
/// transport's own error (with its causes) is kept as the source.
#[derive(Debug)]
#[non_exhaustive]
pub enum TransportError {
    /// The peer sent a frame that is not a JSON-RPC message; it was skipped.
    Malformed(ParseError),
    /// The peer sent a frame larger than the configured limit; it was skipped.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Reading or writing the underlying channel failed.
    Io(std::io::Error),
    /// The peer could not be reached or started: connection refused, DNS,
    /// TLS, a program that would not start.
    Connect(BoxError),
    /// A bound of the transport's own ran out (connecting, waiting for a
    /// response to begin, a silent stream).
    Timeout(BoxError),
    /// The peer answered the exchange of a request with a status of the wire
    /// (an HTTP status) instead of a JSON-RPC answer to it.
    Status {
        /// The status (an HTTP status code).
        status: u16,
        /// A JSON-RPC error the answer carried, if any, that does not name
        /// the request (a null id): the peer's words for the refusal.
        rpc_error: Option<ErrorObject>,
        /// What happened, with the status, the URL and the start of the body.
        error: BoxError,
    },
    /// The session the wire kept for this connection is gone (an HTTP 404
    /// for a request carrying an `Mcp-Session-Id`): the handshake must be
    /// made again. The request did not run.
    SessionExpired(BoxError),
    /// The peer broke the transport's protocol: a stream that ended before
    /// the answer, a wrong content type, a refused redirect.
    Protocol(BoxError),
    /// Authorization failed: the server refused the request (HTTP 401 or
    /// 403) and the credentials could not be renewed, or getting them
    /// failed. The request did not run.
    Auth(AuthenticationError),
    /// Any other failure of the transport.
    Other(BoxError),
}

impl TransportError {
    /// True when the transport skipped one frame and goes on.
    pub fn is_recoverable(&self) -> bool {
        matches!(
            self,
            TransportError::Malformed(_) | TransportError::TooLarge { .. }
        )
    }

    /// True when a bound of the transport ran out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, TransportError::Timeout(_))
    }

    /// True when the peer could not be reached or started.
    pub fn is_connect(&self) -> bool {
        matches!(self, TransportError::Connect(_))
    }

    /// True when the wire's session expired and the handshake must be made
    /// again.
    pub fn is_session_expired(&self) -> bool {
        matches!(self, TransportError::SessionExpired(_))
    }

    /// True when authorization failed (see [`authentication`](Self::authentication)).
    pub fn is_auth(&self) -> bool {
        matches!(self, TransportError::Auth(_))
    }

    /// What failed in authorization, for an [`Auth`](Self::Auth) error.
    pub fn authentication(&self) -> Option<&AuthenticationError> {
        match self {
            TransportError::Auth(e) => Some(e),
            _ => None,
        }
    }

    /// The status of the wire (an HTTP status code) the peer answered with.
    pub fn status(&self) -> Option<u16> {
        match self {
            TransportError::Status { status, .. } => Some(*status),
            TransportError::Auth(e) => e.status(),
            _ => None,
        }
    }

    /// The JSON-RPC error an answer with a [`status`](Self::status) carried
    /// without naming the request.
    pub fn rpc_error(&self) -> Option<&ErrorObject> {
        match self {
            TransportError::Status { rpc_error, .. } => rpc_error.as_ref(),
            _ => None,
        }
    }

    fn inner(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransportError::Connect(e)
            | TransportError::Timeout(e)
            | TransportError::SessionExpired(e)
            | TransportError::Protocol(e)
            | TransportError::Other(e)
            | TransportError::Status { error: e, .. } => Some(e.as_ref()),
            TransportError::Malformed(e) => Some(e),
            TransportError::Io(e) => Some(e),
            TransportError::Auth(e) => Some(e),
            TransportError::TooLarge { .. } => None,
        }
    }
}

impl fmt::Display for TransportError {
    /// The transport's own message, which already says what happened (the
    /// source chain holds its causes).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::TooLarge { limit } => write!(
                f,
                "peer sent a message larger than the limit of {limit} bytes; it was skipped \
                 (raise the message size limit if the peer is trusted)"
            ),
            TransportError::Io(e) => write!(f, "transport I/O error: {e}"),
            other => match other.inner() {
                Some(e) => fmt::Display::fmt(e, f),
                None => f.write_str("transport error"),
            },
        }
    }
}

impl std::error::Error for TransportError {
    /// The causes of the transport's error (its own message is this error's
    /// message, so it is not repeated).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner().and_then(std::error::Error::source)
    }
}

impl From<ParseError> for TransportError {
    fn from(e: ParseError) -> Self {
        TransportError::Malformed(e)
    }
}

impl From<std::io::Error> for TransportError {
    fn from(e: std::io::Error) -> Self {
        TransportError::Io(e)
    }
}

/// Why a connection ended, as reported to every request still waiting and
/// to whoever asks the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The server process exited.
    Exited {
        /// The program, as configured.
        command: String,
        /// Its exit code, when it exited normally.
        code: Option<i32>,
        /// The signal that ended it, when one did (Unix).
        signal: Option<i32>,
        /// The last lines it wrote to stderr, when they were captured.
        stderr_tail: Option<String>,
    },
    /// The peer ended the stream (end of file, the connection closed).
    EndOfStream {
        /// What happened, when the transport can say more ("server process
        /// `node` closed its stdout").
        detail: Option<String>,
    },
    /// Reading or writing failed.
    Io {
        /// The kind of I/O error (broken pipe, reset…).
        kind: std::io::ErrorKind,
        /// The error's message.
        message: String,
    },
    /// This side closed the connection.
    Local,
    /// The transport ended it for a reason of its own wire (an event
    /// stream that broke, a close frame).
    Transport {
        /// What happened.
        message: String,
    },
}

impl CloseReason {
    /// The end of a stream whose peer the transport cannot name.
    pub fn end_of_stream() -> Self {
        CloseReason::EndOfStream { detail: None }
    }

    /// A failed read or write.
    pub fn io(error: &std::io::Error) -> Self {
        CloseReason::Io {
            kind: error.kind(),
            message: error.to_string(),
        }
    }

    /// The exit code of a server process that exited normally.
    pub fn exit_code(&self) -> Option<i32> {
        match self {
            CloseReason::Exited { code, .. } => *code,
            _ => None,
        }
    }

    /// The last stderr lines of a server process that exited.
    pub fn stderr_tail(&self) -> Option<&str> {
        match self {
            CloseReason::Exited { stderr_tail, .. } => stderr_tail.as_deref(),
            _ => None,
        }
    }

    /// True when this side closed the connection.
    pub fn is_local(&self) -> bool {
        matches!(self, CloseReason::Local)
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::Exited {
                command,
                code,
                signal,
                stderr_tail,
            } => {
                write!(f, "server process `{command}` ")?;
                match (code, signal) {
                    (Some(c), _) => write!(f, "exited with status {c}")?,
                    (None, Some(s)) => write!(f, "was killed by signal {s}{}", signal_name(*s))?,
                    (None, None) => f.write_str("exited")?,
                }
                if let Some(tail) = stderr_tail.as_deref().filter(|t| !t.is_empty()) {
                    write!(f, "; its last words on stderr:\n{tail}")?;
                }
                Ok(())
            }
            CloseReason::EndOfStream { detail: Some(detail) } => f.write_str(detail),
            CloseReason::EndOfStream { detail: None } => f.write_str("the peer closed the connection"),
            CloseReason::Io { message, .. } => write!(f, "the connection failed: {message}"),
            CloseReason::Local => f.write_str("the connection was closed by this side"),
            CloseReason::Transport { message } => f.write_str(message),
        }
    }
}

/// ` (SIGKILL)` and the like, for the usual signals.
fn signal_name(signal: i32) -> &'static str {
    match signal {
        1 => " (SIGHUP)",
        2 => " (SIGINT)",
        3 => " (SIGQUIT)",
        4 => " (SIGILL)",
        6 => " (SIGABRT)",
        7 => " (SIGBUS)",
        8 => " (SIGFPE)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        13 => " (SIGPIPE)",
        15 => " (SIGTERM)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{escape, Elapsed};
    use std::error::Error as _;

    #[test]
    fn transport_errors_show_their_message_once_and_keep_their_causes() {
        #[derive(Debug, thiserror::Error)]
        #[error("could not reach http://x/mcp")]
        struct Reach(#[source] std::io::Error);
        let e = TransportError::Connect(Box::new(Reach(std::io::Error::other("refused"))));
        assert!(e.is_connect() && !e.is_timeout() && e.status().is_none());
        assert_eq!(e.to_string(), "could not reach http://x/mcp");
        assert_eq!(e.source().map(ToString::to_string).as_deref(), Some("refused"));
    }

    #[test]
    fn close_reasons_read_well() {
        let exited = CloseReason::Exited {
            command: "node".into(),
            code: None,
            signal: Some(9),
            stderr_tail: Some("oops".into()),
        };
        assert_eq!(
            exited.to_string(),
            "server process `node` was killed by signal 9 (SIGKILL); its last words on stderr:\noops"
        );
        assert_eq!(escape("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
    }

    #[test]
    fn durations_read_as_people_write_them() {
        use std::time::Duration;
        let e = |d| Elapsed(d).to_string();
        assert_eq!(e(Duration::from_micros(2_345)), "2.3 ms");
        assert_eq!(e(Duration::from_nanos(701_437_950)), "701 ms");
        assert_eq!(e(Duration::from_millis(2_000)), "2 s");
        assert_eq!(e(Duration::from_millis(2_512)), "2.5 s");
        assert_eq!(e(Duration::from_secs(65)), "1 min 5 s");
        assert_eq!(e(Duration::from_secs(600)), "10 min");
    }
}
