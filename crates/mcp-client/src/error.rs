//! The client's error type: what happened, typed the same on every
//! transport.

use std::time::Duration;

use mcp_jsonrpc::{CloseReason, ErrorObject, RequestId, TimeoutKind, TransportError};
use mcp_types::CallToolResult;

/// What went wrong with a call on a [`crate::ClientSession`].
///
/// The variants tell apart who failed: the server answered with an error
/// ([`Server`](ClientError::Server)); no answer came in time
/// ([`Timeout`](ClientError::Timeout)); the connection is gone
/// ([`ConnectionClosed`](ClientError::ConnectionClosed), with the typed
/// reason: the exit status and stderr of a server process, the end of the
/// stream, an I/O error, a close of ours); the transport could not carry
/// the request ([`Transport`](ClientError::Transport): refused, DNS, TLS,
/// an HTTP status without a JSON-RPC answer). The `is_*` queries answer
/// alike whichever transport is underneath.
///
/// ```
/// use mcp_client::{ClientError, error_codes};
///
/// fn advice(e: &ClientError) -> &'static str {
///     match e {
///         e if e.is_timeout() => "the server is slow: raise the timeout",
///         e if e.is_connection_closed() => "the server went away: reconnect",
///         e if e.is_auth() => "authorize again (or check the token)",
///         e if e.is_transport() => "check the URL and the network",
///         ClientError::Server { error, .. } if error.code == error_codes::INVALID_PARAMS => "fix the arguments",
///         ClientError::InvalidArguments { .. } => "pass a JSON object",
///         _ => "see the message",
///     }
/// }
/// # let _ = advice;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with a JSON-RPC error.
    #[error("the server returned an error for `{method}`: {} (code {}){}", error.message, error.code, data_suffix(error))]
    Server {
        /// The method called.
        method: String,
        /// The error object as the server sent it (code, message, data).
        error: ErrorObject,
    },
    /// No answer in time; the request was cancelled (and the server told).
    #[error("`{method}`{} got no answer within {}{}; the request was cancelled (raise the timeout, or check that the server is alive)",
        id.as_ref().map(|id| format!(" (request {id})")).unwrap_or_default(),
        mcp_jsonrpc::Elapsed(*elapsed),
        match kind { TimeoutKind::Total => ", its maximum total (progress extends only the idle timeout)", _ => "" })]
    Timeout {
        /// The method called.
        method: String,
        /// The request id, when one request timed out (not a whole handshake).
        id: Option<RequestId>,
        /// How long we waited.
        elapsed: Duration,
        /// Which bound ran out: the idle timeout (which progress extends) or
        /// the maximum total.
        kind: TimeoutKind,
    },
    /// The connection closed before the answer came.
    #[error("the connection to the server closed before `{method}` was answered: {reason}")]
    ConnectionClosed {
        /// The method called.
        method: String,
        /// Why the connection closed: the exit status (and last stderr lines)
        /// of a server process, the end of the stream, an I/O error, or a
        /// close of ours.
        reason: CloseReason,
    },
    /// The server closed the connection on the `server/discover` probe of
    /// the automatic negotiation: servers built on older SDKs exit on any
    /// first message but `initialize`.
    #[error("the server closed the connection on the `server/discover` probe ({reason}); servers built on older SDKs exit on any first message but `initialize`: use ProtocolMode::Initialize (`mcp --protocol initialize`), or open the session with `ClientSession::connect` from the transport's parameters so that the server can be started again")]
    ProbeRejected {
        /// Why the connection closed.
        reason: CloseReason,
    },
    /// The transport could not carry the request or its answer: refused,
    /// DNS, TLS, a timeout of the transport's own, an HTTP status without a
    /// JSON-RPC answer, a stream that broke. The source says which.
    #[error("`{method}` failed in the transport")]
    Transport {
        /// The method called.
        method: String,
        /// What the transport reported.
        #[source]
        source: TransportError,
    },
    /// Opening the transport failed: the server would not start, or could
    /// not be reached.
    #[error("could not connect to {target}")]
    Connect {
        /// What was connected to.
        target: String,
        /// What the transport reported.
        #[source]
        source: TransportError,
    },
    /// The call was cancelled through its cancellation token (the server was
    /// told).
    #[error("`{method}` was cancelled")]
    Cancelled {
        /// The method called.
        method: String,
    },
    /// The answer did not have the shape the protocol prescribes.
    #[error("the server's answer to `{method}` is invalid: {detail}")]
    InvalidResponse {
        /// The method called.
        method: String,
        /// What is wrong.
        detail: String,
    },
    /// The arguments given cannot be sent (nothing was sent).
    #[error("invalid arguments for `{method}`: {detail}")]
    InvalidArguments {
        /// The method.
        method: String,
        /// What is wrong.
        detail: String,
    },
    /// A tool's structured result does not match its `outputSchema`; the
    /// result is kept, for whoever wants it anyway.
    #[error("the result of tool `{tool}` does not match its output schema: {detail} (turn validate_tool_output off to accept it)")]
    OutputSchemaMismatch {
        /// The tool.
        tool: String,
        /// What does not match.
        detail: String,
        /// The result as the server sent it.
        result: Box<CallToolResult>,
    },
    /// No protocol version both sides speak.
    #[error("the server speaks protocol version {server}, which this client does not support (supported: {supported}); upgrade the client or pin a version the server speaks")]
    UnsupportedProtocolVersion {
        /// The version(s) the server named.
        server: String,
        /// The versions this client offered.
        supported: String,
    },
    /// The server needs a client capability that this request did not
    /// declare (error -32021).
    #[error("the server requires client capabilities for `{method}` that this client did not declare: {required}; configure the matching callback (sampling, elicitation, roots) or extension")]
    MissingClientCapability {
        /// The method called.
        method: String,
        /// The capabilities the server requires, as it sent them.
        required: serde_json::Value,
    },
    /// The session was used before the handshake completed (nothing was
    /// sent).
    #[error("`{method}` was called before the handshake; call `initialize()` first (or open the session with `ClientSession::connect`)")]
    NotInitialized {
        /// The method called.
        method: String,
    },
    /// The call is not possible in the negotiated protocol version.
    #[error("`{method}` is not available: {why}")]
    NotSupported {
        /// The method.
        method: String,
        /// Why not.
        why: String,
    },
    /// The server kept asking for input beyond the configured number of
    /// rounds.
    #[error("`{method}` still asked for input after {rounds} rounds; giving up (raise `max_input_rounds` if the server legitimately needs more)")]
    TooManyInputRounds {
        /// The method called.
        method: String,
        /// How many rounds were answered.
        rounds: usize,
    },
    /// A `list_all_*` call stopped: the server's listing went on past
    /// [`MAX_PAGES`](crate::MAX_PAGES) pages or
    /// [`MAX_LISTED_BYTES`](crate::MAX_LISTED_BYTES) bytes. Nothing listed
    /// is kept; page through with the single-page call and a cursor to
    /// take more.
    #[error("the listing of `{method}` went on past {pages} pages and {bytes} bytes, beyond the limit ({max_pages} pages, {max_bytes} bytes); stopping (page through it with the single-page call and its cursor to take more)",
        max_pages = crate::MAX_PAGES, max_bytes = crate::MAX_LISTED_BYTES)]
    ListingTooLarge {
        /// The listing method.
        method: String,
        /// How many pages were read.
        pages: usize,
        /// How many bytes of results those pages held.
        bytes: usize,
    },
    /// A callback serving the server's input request failed.
    #[error("answering the server's `{request}` input request for `{method}` failed: {error}")]
    InputRequestFailed {
        /// The method called.
        method: String,
        /// The input request's method (sampling, elicitation, roots).
        request: String,
        /// The callback's error.
        error: ErrorObject,
    },
    /// A task ended without a result.
    #[error("task {task_id} of `{method}` ended with status `{status}`{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    TaskEnded {
        /// The method that created the task.
        method: String,
        /// The task.
        task_id: String,
        /// `failed` or `cancelled`.
        status: String,
        /// The server's message or error, if any.
        detail: Option<String>,
    },
    /// A skill, or one of its files, failed verification (or breaks the
    /// extension's rules, or a limit): its content was not returned.
    #[cfg(feature = "skills")]
    #[error("skill {skill} rejected: {}{problem}",
        file.as_deref().map(|f| format!("{f}: ")).unwrap_or_default())]
    SkillRejected {
        /// The URI of the skill's `SKILL.md`.
        skill: String,
        /// The file concerned, if the problem is with one file.
        file: Option<String>,
        /// What is wrong.
        problem: crate::SkillProblem,
    },
    /// Our own parameters could not be encoded.
    #[error("could not encode the parameters of `{method}`")]
    Encode {
        /// The method.
        method: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
}

fn data_suffix(error: &ErrorObject) -> String {
    match &error.data {
        Some(data) => format!("; data: {data}"),
        None => String::new(),
    }
}

impl ClientError {
    /// The server's JSON-RPC error, when the server answered with one.
    pub fn server_error(&self) -> Option<&ErrorObject> {
        match self {
            ClientError::Server { error, .. } => Some(error),
            _ => None,
        }
    }

    /// True when the server answered with a JSON-RPC error.
    pub fn is_server_error(&self) -> bool {
        matches!(self, ClientError::Server { .. })
    }

    /// True when a bound ran out: the request's timeout or maximum total, or
    /// a timeout of the transport's own.
    pub fn is_timeout(&self) -> bool {
        match self {
            ClientError::Timeout { .. } => true,
            ClientError::Transport { source, .. } | ClientError::Connect { source, .. } => {
                source.is_timeout()
            }
            _ => false,
        }
    }

    /// True when the transport failed (including failing to connect).
    pub fn is_transport(&self) -> bool {
        matches!(self, ClientError::Transport { .. } | ClientError::Connect { .. })
    }

    /// True when the connection is gone.
    pub fn is_connection_closed(&self) -> bool {
        matches!(
            self,
            ClientError::ConnectionClosed { .. } | ClientError::ProbeRejected { .. }
        )
    }

    /// True when authorization failed: the server refused the request (401,
    /// 403) and the credentials could not be renewed, or getting them
    /// failed. See [`authentication`](Self::authentication) for what failed.
    pub fn is_auth(&self) -> bool {
        self.authentication().is_some()
    }

    /// What failed in authorization: the URL, the HTTP status, the OAuth
    /// `error` and `error_description`, and the cause.
    pub fn authentication(&self) -> Option<&mcp_jsonrpc::AuthenticationError> {
        self.transport_error().and_then(TransportError::authentication)
    }

    /// True when the call was cancelled through its token.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, ClientError::Cancelled { .. })
    }

    /// The transport's error, for [`Transport`](ClientError::Transport) and
    /// [`Connect`](ClientError::Connect).
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self {
            ClientError::Transport { source, .. } | ClientError::Connect { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The status of the wire (an HTTP status) a transport failure carried.
    pub fn status(&self) -> Option<u16> {
        self.transport_error().and_then(TransportError::status)
    }

    /// Why the connection closed, for
    /// [`ConnectionClosed`](ClientError::ConnectionClosed).
    pub fn close_reason(&self) -> Option<&CloseReason> {
        match self {
            ClientError::ConnectionClosed { reason, .. } | ClientError::ProbeRejected { reason } => {
                Some(reason)
            }
            _ => None,
        }
    }

    /// True when the server said the resource does not exist (-32002 in the
    /// initialize era, -32602 with a `uri` in the stateless era).
    pub fn is_resource_not_found(&self) -> bool {
        match self.server_error() {
            Some(e) if e.code == mcp_types::error_codes::RESOURCE_NOT_FOUND => true,
            Some(e) => {
                e.code == mcp_types::error_codes::INVALID_PARAMS
                    && e.data.as_ref().is_some_and(|d| d.get("uri").is_some())
            }
            None => false,
        }
    }

    /// What was wrong with a skill, for
    /// [`SkillRejected`](ClientError::SkillRejected).
    #[cfg(feature = "skills")]
    pub fn skill_problem(&self) -> Option<&crate::SkillProblem> {
        match self {
            ClientError::SkillRejected { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// True when the transport's session expired and the handshake must be
    /// made again.
    pub(crate) fn is_session_expired(&self) -> bool {
        self.transport_error()
            .is_some_and(TransportError::is_session_expired)
    }

    /// The method the error concerns, when it concerns one.
    pub fn method(&self) -> Option<&str> {
        match self {
            ClientError::Server { method, .. }
            | ClientError::Timeout { method, .. }
            | ClientError::ConnectionClosed { method, .. }
            | ClientError::Transport { method, .. }
            | ClientError::Cancelled { method }
            | ClientError::InvalidResponse { method, .. }
            | ClientError::InvalidArguments { method, .. }
            | ClientError::MissingClientCapability { method, .. }
            | ClientError::NotInitialized { method }
            | ClientError::NotSupported { method, .. }
            | ClientError::TooManyInputRounds { method, .. }
            | ClientError::ListingTooLarge { method, .. }
            | ClientError::InputRequestFailed { method, .. }
            | ClientError::TaskEnded { method, .. }
            | ClientError::Encode { method, .. } => Some(method),
            ClientError::ProbeRejected { .. } => Some(mcp_types::methods::SERVER_DISCOVER),
            #[cfg(feature = "skills")]
            ClientError::SkillRejected { .. } => None,
            ClientError::OutputSchemaMismatch { .. }
            | ClientError::UnsupportedProtocolVersion { .. }
            | ClientError::Connect { .. } => None,
        }
    }
}

impl From<mcp_jsonrpc::Error> for ClientError {
    fn from(e: mcp_jsonrpc::Error) -> Self {
        use mcp_jsonrpc::Error as E;
        match e {
            E::Rpc { method, error } => ClientError::Server { method, error },
            E::Timeout {
                method,
                id,
                elapsed,
                kind,
            } => ClientError::Timeout {
                method,
                id: Some(id),
                elapsed,
                kind,
            },
            E::Closed { method, reason } => ClientError::ConnectionClosed { method, reason },
            E::Transport { method, source } => ClientError::Transport { method, source },
            E::Cancelled { method, .. } => ClientError::Cancelled { method },
            E::InvalidResponse { method, source } => ClientError::InvalidResponse {
                method,
                detail: source.to_string(),
            },
            E::Encode { method, source } => ClientError::Encode { method, source },
            other => ClientError::InvalidResponse {
                method: other.method().to_owned(),
                detail: other.to_string(),
            },
        }
    }
}

/// Shorthand for results of session calls.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;
