//! Errors of the HTTP transports.

use http::StatusCode;

/// Something went wrong talking HTTP to an MCP server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The URL is not a usable `http` or `https` URL.
    #[error("invalid MCP server URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A configured header name or value is not valid HTTP.
    #[error("invalid HTTP header `{name}`: {reason}")]
    InvalidHeader {
        /// The header name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The TLS configuration could not be built.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// The connection could not be made or broke (DNS, refused, reset, TLS).
    #[error(
        "could not reach the MCP server at {url}: {reason}; check the URL and that the server is running"
    )]
    Connect {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// No answer (or no data on a stream) in time.
    #[error("timed out after {secs:.1} s waiting for {what} from {url}")]
    Timeout {
        /// The URL.
        url: String,
        /// What was awaited.
        what: &'static str,
        /// The timeout in seconds.
        secs: f64,
    },
    /// The server answered with an unexpected HTTP status.
    #[error("HTTP {status} from {url}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: StatusCode,
        /// The start of the response body.
        body: String,
    },
    /// A response body or SSE event exceeded the message size limit.
    #[error("response from {url} is larger than the limit of {limit} bytes (raise max_message_size if the server is trusted)")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The server refused the `initialize` POST of Streamable HTTP (404,
    /// 405, or 400 without a JSON-RPC error) and the HTTP+SSE transport
    /// failed too: most often, a wrong path in the URL.
    #[error(
        "the MCP server at {url} answered the initialize POST with HTTP {status}, and the HTTP+SSE \
         fallback failed too ({fallback}); check the URL's path (servers often serve /mcp, or /sse \
         for HTTP+SSE)"
    )]
    Refused {
        /// The URL.
        url: String,
        /// The status the POST got.
        status: http::StatusCode,
        /// Why the HTTP+SSE fallback failed.
        fallback: String,
    },
    /// A redirect was refused (another origin, too many, no location).
    #[error("redirect from {url} refused: {reason}")]
    Redirect {
        /// The URL that redirected.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The server broke the transport's protocol (no `endpoint` event, a
    /// stream that ended early, a wrong content type…).
    #[error("MCP server at {url} broke the HTTP transport protocol: {reason}")]
    Protocol {
        /// The URL.
        url: String,
        /// What happened.
        reason: String,
    },
    /// Authorization failed: the server refused the request (401, or 403
    /// `insufficient_scope`) and the [`ClientAuth`](mcp_jsonrpc::ClientAuth)
    /// could not renew the credentials (or there is none), or supplying
    /// them failed.
    #[error(transparent)]
    Auth(mcp_jsonrpc::AuthenticationError),
    /// The server no longer knows the session (HTTP 404 for a request that
    /// carried an `Mcp-Session-Id`): the session must make its handshake
    /// again.
    #[error("the MCP server at {url} no longer knows the session (HTTP 404); a new handshake is needed")]
    SessionExpired {
        /// The URL.
        url: String,
    },
}

impl HttpError {
    /// True for a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, HttpError::Timeout { .. })
    }

    /// True when the server could not be reached.
    pub fn is_connect(&self) -> bool {
        matches!(self, HttpError::Connect { .. })
    }

    /// The HTTP status, when the server answered with an unexpected one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            HttpError::Status { status, .. } | HttpError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when a body or event was over the size limit.
    pub fn is_too_large(&self) -> bool {
        matches!(self, HttpError::TooLarge { .. })
    }

    /// True when authorization failed.
    pub fn is_auth(&self) -> bool {
        matches!(self, HttpError::Auth(_))
    }

    /// True when a redirect was refused.
    pub fn is_redirect(&self) -> bool {
        matches!(self, HttpError::Redirect { .. })
    }
}

/// At the seam, an HTTP failure keeps its kind: what the session matches on
/// is the same on every transport.
impl From<HttpError> for mcp_jsonrpc::TransportError {
    fn from(e: HttpError) -> Self {
        use mcp_jsonrpc::TransportError as T;
        match e {
            HttpError::Connect { .. } | HttpError::Tls(_) => T::Connect(Box::new(e)),
            HttpError::Timeout { .. } => T::Timeout(Box::new(e)),
            HttpError::Status { status, .. } | HttpError::Refused { status, .. } => T::Status {
                status: status.as_u16(),
                rpc_error: None,
                error: Box::new(e),
            },
            HttpError::TooLarge { limit, .. } => T::TooLarge { limit },
            HttpError::SessionExpired { .. } => T::SessionExpired(Box::new(e)),
            HttpError::Auth(e) => T::Auth(e),
            HttpError::Redirect { .. } | HttpError::Protocol { .. } => T::Protocol(Box::new(e)),
            other => T::Other(Box::new(other)),
        }
    }
}

/// How many bytes of a body an error keeps.
pub(crate) const SNIPPET_LEN: usize = 200;

/// The start of `bytes`, lossily decoded, on one line.
pub(crate) fn snippet(bytes: &[u8]) -> String {
    let cut = bytes.len().min(SNIPPET_LEN);
    let mut s: String = String::from_utf8_lossy(&bytes[..cut])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    s = s.trim().to_owned();
    if cut < bytes.len() {
        s.push('…');
    }
    if s.is_empty() {
        s.push_str("(empty body)");
    }
    s
}
