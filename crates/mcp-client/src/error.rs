//! The client's error type.

use std::time::Duration;

use mcp_jsonrpc::{ErrorObject, RequestId};

/// What went wrong with a call on a [`crate::ClientSession`].
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
    /// The server did not answer in time; the request was cancelled.
    #[error("`{method}` (request {id}) got no answer within {elapsed:?}; the request was cancelled (raise the timeout, or check that the server is alive)")]
    Timeout {
        /// The method called.
        method: String,
        /// The request id.
        id: RequestId,
        /// How long we waited.
        elapsed: Duration,
    },
    /// The connection closed before the answer came.
    #[error("the connection to the server closed before `{method}` was answered: {reason}")]
    ConnectionClosed {
        /// The method called.
        method: String,
        /// Why the connection closed (exit status, end of stream…).
        reason: String,
    },
    /// The answer did not have the shape the protocol prescribes.
    #[error("the server's answer to `{method}` is invalid: {detail}")]
    InvalidResponse {
        /// The method called.
        method: String,
        /// What is wrong.
        detail: String,
    },
    /// No protocol version both sides speak.
    #[error("the server speaks protocol version {server}, which this client does not support (supported: {supported}); upgrade the client or pin a version the server speaks")]
    UnsupportedProtocolVersion {
        /// The version the server chose.
        server: String,
        /// The versions this client speaks.
        supported: String,
    },
    /// A tool's structured result does not match its `outputSchema`.
    #[error("the result of tool `{tool}` does not match its output schema: {detail}")]
    OutputSchemaMismatch {
        /// The tool.
        tool: String,
        /// What does not match.
        detail: String,
    },
    /// The call is not possible in the negotiated protocol version, or the
    /// server did not declare the capability.
    #[error("`{method}` is not available: {why}")]
    NotSupported {
        /// The method.
        method: String,
        /// Why not.
        why: String,
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
    /// The server kept asking for input beyond the configured number of
    /// rounds.
    #[error("`{method}` still asked for input after {rounds} rounds; giving up (raise `max_input_rounds` if the server legitimately needs more)")]
    TooManyInputRounds {
        /// The method called.
        method: String,
        /// How many rounds were answered.
        rounds: usize,
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
    /// Our own request could not be built.
    #[error("could not build the request `{method}`: {detail}")]
    InvalidRequest {
        /// The method.
        method: String,
        /// What is wrong.
        detail: String,
    },
    /// The session was used before `initialize` or after it failed.
    #[error("the session is not initialized; call `initialize()` first")]
    NotInitialized,
    /// Our own parameters could not be encoded.
    #[error("could not encode the parameters of `{method}`: {source}")]
    Encode {
        /// The method.
        method: String,
        /// The serde error.
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

    /// True for a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, ClientError::Timeout { .. })
    }

    /// True when the server said the resource does not exist (-32002 in the
    /// initialize era, -32602 with a `uri` in the stateless era).
    pub fn is_resource_not_found(&self) -> bool {
        match self.server_error() {
            Some(e) if e.code == mcp_types::error_codes::RESOURCE_NOT_FOUND => true,
            Some(e) => {
                e.code == mcp_jsonrpc::error_codes::INVALID_PARAMS
                    && e.data.as_ref().is_some_and(|d| d.get("uri").is_some())
            }
            None => false,
        }
    }

    /// True when the connection is gone.
    pub fn is_connection_closed(&self) -> bool {
        matches!(self, ClientError::ConnectionClosed { .. })
    }
}

impl From<mcp_jsonrpc::Error> for ClientError {
    fn from(e: mcp_jsonrpc::Error) -> Self {
        use mcp_jsonrpc::Error as E;
        match e {
            E::Rpc { method, error } => ClientError::Server { method, error },
            E::Timeout { method, id, elapsed } => ClientError::Timeout { method, id, elapsed },
            E::Closed { method, reason } => ClientError::ConnectionClosed {
                method,
                reason: reason.to_string(),
            },
            E::InvalidResponse { method, source } => ClientError::InvalidResponse {
                method,
                detail: source.to_string(),
            },
            E::Encode { method, source } => ClientError::Encode { method, source },
            other => ClientError::InvalidResponse {
                method: String::new(),
                detail: other.to_string(),
            },
        }
    }
}

/// Shorthand for results of session calls.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;
