//! Errors of opening a WebSocket to an MCP server.

use std::time::Duration;

use mcp_jsonrpc::{BoxError, TransportError};

/// Opening the WebSocket failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    /// The URL is not a usable `ws` or `wss` URL.
    #[error("invalid MCP server URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A configured header name or value is not valid HTTP.
    #[error("invalid handshake header `{name}`: {reason}")]
    InvalidHeader {
        /// The header name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server could not be reached: DNS, a refused or reset connection.
    #[error(
        "could not reach the MCP server at {url}: {reason}; check the URL and that the server is running"
    )]
    Connect {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The TLS handshake of a `wss://` URL failed, most often because the
    /// server's certificate is not trusted.
    #[error(
        "the TLS handshake with the MCP server at {url} failed: {reason}; if the server's \
         certificate comes from a private authority, trust it with `tls_config` (or build with \
         the `native-roots` feature to use the system's certificate store)"
    )]
    Tls {
        /// The URL.
        url: String,
        /// What rustls reported.
        reason: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// Connecting (DNS, TCP, TLS and the upgrade) took longer than
    /// [`connect_timeout`](crate::WebSocketParameters::connect_timeout).
    #[error("timed out after {} connecting to the MCP server at {url}", mcp_jsonrpc::Elapsed(*after))]
    Timeout {
        /// The URL.
        url: String,
        /// The bound that ran out.
        after: Duration,
    },
    /// The server answered the upgrade with an HTTP status instead of
    /// `101 Switching Protocols`.
    #[error(
        "the MCP server at {url} refused the WebSocket upgrade with HTTP {status}{}",
        body_suffix(body)
    )]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// The server accepted the WebSocket without the `mcp` subprotocol.
    #[error(
        "the server at {url} accepted the WebSocket without the `mcp` subprotocol ({}); it may not be an MCP server, or a proxy in between drops the Sec-WebSocket-Protocol header",
        match answered { Some(p) => format!("it answered `{p}`"), None => "it named none".to_owned() }
    )]
    Subprotocol {
        /// The URL.
        url: String,
        /// The subprotocol the server named, if any.
        answered: Option<String>,
    },
    /// The upgrade failed otherwise (a malformed answer, a wrong accept
    /// key).
    #[error("the WebSocket handshake with {url} failed: {source}")]
    Handshake {
        /// The URL.
        url: String,
        /// What tungstenite reported.
        #[source]
        source: BoxError,
    },
    /// Authorization failed: the upgrade was refused (401, or 403 for want
    /// of scope) and the [`ClientAuth`](mcp_jsonrpc::ClientAuth) could not
    /// renew the credentials (or there is none), or supplying them failed.
    #[error(transparent)]
    Auth(mcp_jsonrpc::AuthenticationError),
}

fn body_suffix(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

/// Each failure classified as the seam classifies it on every transport.
impl From<WsError> for TransportError {
    fn from(e: WsError) -> Self {
        match e {
            WsError::Timeout { .. } => TransportError::Timeout(Box::new(e)),
            WsError::Status { status, .. } => TransportError::Status {
                status,
                rpc_error: None,
                error: Box::new(e),
            },
            WsError::Subprotocol { .. } | WsError::Handshake { .. } => TransportError::Protocol(Box::new(e)),
            WsError::Auth(e) => TransportError::Auth(e),
            _ => TransportError::Connect(Box::new(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_cross_the_seam_classified() {
        let url = "ws://127.0.0.1:1/mcp".to_owned();
        let refused: TransportError = WsError::Connect {
            url: url.clone(),
            reason: "connection refused".into(),
            source: "refused".into(),
        }
        .into();
        assert!(refused.is_connect());
        let slow: TransportError = WsError::Timeout {
            url: url.clone(),
            after: Duration::from_secs(2),
        }
        .into();
        assert!(slow.is_timeout());
        let status: TransportError = WsError::Status {
            url: url.clone(),
            status: 403,
            body: "forbidden".into(),
        }
        .into();
        assert_eq!(status.status(), Some(403));
        let sub = WsError::Subprotocol {
            url,
            answered: Some("graphql-ws".into()),
        };
        assert!(sub.to_string().contains("it answered `graphql-ws`"), "{sub}");
        assert!(matches!(TransportError::from(sub), TransportError::Protocol(_)));
    }
}
