//! The OAuth documents and messages, as serde types: protected resource
//! metadata (RFC 9728), authorization server metadata (RFC 8414), client
//! metadata and registration (RFC 7591), token responses (RFC 6749).

use mcp_jsonrpc::Secret;
use serde::{Deserialize, Serialize};

/// Protected resource metadata (RFC 9728) of an MCP server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProtectedResourceMetadata {
    /// The resource identifier: must name the MCP server.
    pub resource: String,
    /// Issuers of the authorization servers that grant tokens for it.
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    /// Scopes the resource knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
}

/// Authorization server metadata (RFC 8414, or OpenID Connect discovery).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct AuthorizationServerMetadata {
    /// The issuer identifier.
    pub issuer: String,
    /// Where the user authorizes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// Where codes and refresh tokens are exchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// Dynamic client registration (RFC 7591).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// Scopes it knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// Grant types it accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    /// PKCE methods; MCP requires `S256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// Client authentication methods at the token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// Whether a URL may be the client id (client ID metadata documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id_metadata_document_supported: Option<bool>,
    /// Whether the authorization response carries `iss` (RFC 9207).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// DPoP signing algorithms (RFC 9449).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
}

impl AuthorizationServerMetadata {
    /// Whether PKCE with S256 is advertised.
    pub fn supports_s256(&self) -> bool {
        self.code_challenge_methods_supported
            .as_ref()
            .is_some_and(|m| m.iter().any(|m| m == "S256"))
    }

    /// Whether the token endpoint accepts client authentication `method`
    /// (RFC 8414: absent means `client_secret_basic` only).
    pub fn accepts_auth_method(&self, method: &str) -> bool {
        match &self.token_endpoint_auth_methods_supported {
            Some(methods) => methods.iter().any(|m| m == method),
            None => method == "client_secret_basic",
        }
    }
}

/// What this client says of itself when registering (RFC 7591), and what
/// a client ID metadata document holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientMetadata {
    /// Where the authorization server may send the user back.
    pub redirect_uris: Vec<String>,
    /// A name to show the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Grant types it will use.
    #[serde(default)]
    pub grant_types: Vec<String>,
    /// Response types it will use.
    #[serde(default)]
    pub response_types: Vec<String>,
    /// How it authenticates at the token endpoint (`none` for a public
    /// client; the registration answer may choose otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    /// `native` (loopback or custom-scheme redirects) or `web`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_type: Option<String>,
    /// Scopes it may ask for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A web page about the client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    /// Its software identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_id: Option<String>,
    /// Its software version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
}

impl ClientMetadata {
    /// A public client (`token_endpoint_auth_method: none`) using the
    /// authorization code grant with refresh, redirected to `redirect_uri`.
    /// `application_type` is `native` for loopback and custom-scheme
    /// redirects, `web` otherwise.
    pub fn new(client_name: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        let redirect_uri = redirect_uri.into();
        let native = url::Url::parse(&redirect_uri).is_ok_and(|u| {
            !matches!(u.scheme(), "http" | "https")
                || matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
        });
        ClientMetadata {
            redirect_uris: vec![redirect_uri],
            client_name: Some(client_name.into()),
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            response_types: vec!["code".into()],
            token_endpoint_auth_method: Some("none".into()),
            application_type: Some(if native { "native" } else { "web" }.into()),
            scope: None,
            client_uri: None,
            software_id: None,
            software_version: None,
        }
    }
}

/// This client's identity at one authorization server: pre-registered,
/// a client ID metadata document URL, or the answer of dynamic
/// registration. Stored, keyed by the issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientInformation {
    /// The client id.
    pub client_id: String,
    /// The client secret, for a confidential client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// When the secret expires (seconds since the epoch; 0 never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<u64>,
    /// How to authenticate at the token endpoint, as registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
}

impl ClientInformation {
    /// A client known by `client_id`, with an optional secret.
    pub fn new(client_id: impl Into<String>, client_secret: Option<Secret>) -> Self {
        ClientInformation {
            client_id: client_id.into(),
            client_secret,
            client_secret_expires_at: None,
            token_endpoint_auth_method: None,
        }
    }

    /// True when the secret has expired at `now` (seconds since the epoch).
    pub fn expired(&self, now: u64) -> bool {
        matches!(self.client_secret_expires_at, Some(at) if at != 0 && at <= now)
    }
}

/// A token endpoint's answer (RFC 6749 §5.1).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: Secret,
    #[serde(default)]
    pub(crate) token_type: Option<String>,
    #[serde(default)]
    pub(crate) expires_in: Option<u64>,
    #[serde(default)]
    pub(crate) refresh_token: Option<Secret>,
    #[serde(default)]
    pub(crate) scope: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_or_web_follows_the_redirect() {
        assert_eq!(
            ClientMetadata::new("x", "http://127.0.0.1:8765/callback")
                .application_type
                .as_deref(),
            Some("native")
        );
        assert_eq!(
            ClientMetadata::new("x", "https://app.example.com/cb")
                .application_type
                .as_deref(),
            Some("web")
        );
    }

    #[test]
    fn auth_methods_default_to_basic() {
        let m = AuthorizationServerMetadata::default();
        assert!(m.accepts_auth_method("client_secret_basic"));
        assert!(!m.accepts_auth_method("client_secret_post"));
        assert!(!m.supports_s256());
    }
}
