//! What can go wrong while authorizing.

use mcp_jsonrpc::AuthenticationError;

/// Something failed while getting or renewing credentials. Each variant
/// names what failed (the URL, the HTTP status, the OAuth error) and the
/// message says what to do. At the transport seam it becomes the source of
/// an [`AuthenticationError`], so `ClientError::authentication()` reaches
/// it. No variant holds a token or a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// An HTTP exchange with an authorization server (or a metadata host)
    /// failed: refused, TLS, timed out, too large.
    #[error("could not reach {url}: {reason}")]
    Http {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// No protected resource metadata and no authorization server could be
    /// found for the MCP server.
    #[error("could not discover how to authorize with the MCP server at {server}: {tried}")]
    Discovery {
        /// The MCP server URL.
        server: String,
        /// The documents tried and why each was not used.
        tried: String,
    },
    /// The protected resource metadata names another resource than the MCP
    /// server (RFC 9728 §3.3): its tokens would not be for this server.
    #[error(
        "the protected resource metadata of {server} is for another resource ({resource}); refusing \
         to authorize (the server is misconfigured, or someone is redirecting its metadata)"
    )]
    ResourceMismatch {
        /// The MCP server URL.
        server: String,
        /// The `resource` the metadata named.
        resource: String,
    },
    /// The authorization server does not offer PKCE with S256, which MCP
    /// requires.
    #[error(
        "the authorization server {issuer} does not advertise PKCE with S256 \
         (code_challenge_methods_supported); MCP requires it, so authorization was not attempted"
    )]
    PkceUnsupported {
        /// The issuer.
        issuer: String,
    },
    /// No way to identify this client to the authorization server: no
    /// pre-registered credentials, no client ID metadata document it
    /// accepts, no registration endpoint.
    #[error(
        "no way to register with the authorization server {issuer}: it has no registration endpoint \
         and no client ID metadata document support; configure a pre-registered client id"
    )]
    NoRegistration {
        /// The issuer.
        issuer: String,
    },
    /// An endpoint answered with an OAuth error, or with an unexpected
    /// status.
    #[error("{what} at {url} failed (HTTP {status}){}", oauth_suffix(error, description))]
    Endpoint {
        /// What was asked (`token request`, `client registration`…).
        what: &'static str,
        /// The endpoint URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code, if the body had one.
        error: Option<String>,
        /// The OAuth `error_description`, if any (escaped, cut short).
        description: Option<String>,
    },
    /// A document or answer did not parse or failed validation.
    #[error("{what} from {url} is invalid: {reason}")]
    Invalid {
        /// What was read.
        what: &'static str,
        /// Its URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The authorization response failed a check: a wrong `state`, an
    /// `iss` that is missing, unexpected or names another issuer (RFC 9207),
    /// an `error` from the authorization server, no code.
    #[error("the authorization response was refused: {reason}")]
    AuthorizationResponse {
        /// What was wrong with it.
        reason: String,
        /// The OAuth `error` the response carried, if any.
        error: Option<String>,
    },
    /// The application's authorization step (the browser, the callback)
    /// failed or was cancelled.
    #[error("the authorization step failed: {0}")]
    Handler(String),
    /// The server asked for more scope more often than allowed.
    #[error(
        "the MCP server kept refusing for want of scope after {attempts} step-up authorizations \
         (last asked: {scope}); giving up"
    )]
    StepUpLimit {
        /// How many step-ups were made.
        attempts: u32,
        /// The scope asked for last.
        scope: String,
    },
    /// The server needs (new) authorization, and the provider was built not
    /// to start one (`reauthorize(false)`).
    #[error(
        "the MCP server at {server} needs authorization and none is stored (or it was refused); \
         authorize first (`mcp login --url {server}`)"
    )]
    LoginRequired {
        /// The MCP server URL.
        server: String,
    },
    /// The MCP server refused a token the authorization server had just
    /// issued for it.
    #[error(
        "the MCP server at {server} refused the token that {issuer} had just issued for it; the \
         authorization server and the MCP server disagree (resource, audience or scope): check \
         their configuration"
    )]
    TokenRefused {
        /// The MCP server URL.
        server: String,
        /// The issuer of the token.
        issuer: String,
    },
    /// Reading or writing the token storage failed.
    #[error("token storage failed ({path}): {source}")]
    Storage {
        /// The file or store.
        path: String,
        /// The I/O or JSON error.
        #[source]
        source: std::io::Error,
    },
    /// A key or credential of the configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
}

fn oauth_suffix(error: &Option<String>, description: &Option<String>) -> String {
    match (error, description) {
        (Some(e), Some(d)) => format!(": {e}: {d}"),
        (Some(e), None) => format!(": {e}"),
        _ => String::new(),
    }
}

impl AuthError {
    /// The URL involved, if any.
    pub fn url(&self) -> Option<&str> {
        match self {
            AuthError::Http { url, .. }
            | AuthError::Endpoint { url, .. }
            | AuthError::Invalid { url, .. } => Some(url),
            AuthError::Discovery { server, .. }
            | AuthError::ResourceMismatch { server, .. }
            | AuthError::LoginRequired { server }
            | AuthError::TokenRefused { server, .. } => Some(server),
            _ => None,
        }
    }

    /// The HTTP status of an endpoint's refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            AuthError::Endpoint { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The OAuth `error` code, if the failure carried one.
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            AuthError::Endpoint { error, .. } | AuthError::AuthorizationResponse { error, .. } => {
                error.as_deref()
            }
            _ => None,
        }
    }

    fn description(&self) -> Option<String> {
        match self {
            AuthError::Endpoint { description, .. } => description.clone(),
            _ => None,
        }
    }
}

impl From<AuthError> for AuthenticationError {
    fn from(e: AuthError) -> Self {
        // The OAuth details are appended by AuthenticationError itself.
        let message = match &e {
            AuthError::Endpoint {
                what, url, status, ..
            } => format!("{what} at {url} failed (HTTP {status})"),
            other => other.to_string(),
        };
        let mut out = AuthenticationError::new(message);
        if let Some(url) = e.url() {
            out = out.with_url(url.to_owned());
        }
        if let Some(status) = e.status() {
            out = out.with_status(status);
        }
        if let Some(code) = e.oauth_error() {
            out = out.with_oauth_error(code.to_owned(), e.description());
        }
        out.with_source(e)
    }
}
