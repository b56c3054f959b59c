//! How the client gets tokens: [`Grant`] (the authorization code flow with
//! a user, or one of the machine grants of the MCP extensions), and
//! [`AssertionProvider`], where a JWT assertion comes from.

use std::path::PathBuf;
use std::sync::Arc;

use mcp_jsonrpc::{BoxFuture, Secret};
use url::Url;

use crate::authorize::AuthorizationHandler;
use crate::error::AuthError;
use crate::metadata::ClientMetadata;

/// How tokens are obtained.
#[derive(Clone)]
#[non_exhaustive]
pub enum Grant {
    /// The authorization code flow with PKCE: a user authorizes in a
    /// browser; `handler` shows the URL and returns the redirect.
    AuthorizationCode {
        /// What the client says of itself when it registers.
        metadata: ClientMetadata,
        /// The application's redirect step.
        handler: Arc<dyn AuthorizationHandler>,
    },
    /// The client credentials grant (extension
    /// `io.modelcontextprotocol/oauth-client-credentials`): no user; the
    /// client authenticates with its secret or its key.
    ClientCredentials,
    /// The JWT bearer grant (RFC 7523) with a workload identity assertion
    /// (extension `io.modelcontextprotocol/auth/wif`).
    JwtBearer {
        /// Where the workload's JWT comes from.
        assertion: Arc<dyn AssertionProvider>,
    },
    /// Enterprise-managed authorization (extension
    /// `io.modelcontextprotocol/enterprise-managed-authorization`): the
    /// user's ID token from the enterprise identity provider is exchanged
    /// there for an ID-JAG (RFC 8693), which the authorization server takes
    /// in a JWT bearer grant.
    Enterprise(EnterpriseConfig),
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Grant::AuthorizationCode { .. } => "Grant::AuthorizationCode",
            Grant::ClientCredentials => "Grant::ClientCredentials",
            Grant::JwtBearer { .. } => "Grant::JwtBearer",
            Grant::Enterprise(_) => "Grant::Enterprise",
        })
    }
}

/// The identity provider's side of enterprise-managed authorization.
#[derive(Clone)]
#[non_exhaustive]
pub struct EnterpriseConfig {
    /// The identity provider's token endpoint (token exchange).
    pub idp_token_endpoint: Url,
    /// This client's id at the identity provider.
    pub idp_client_id: String,
    /// Its secret there, if it is a confidential client.
    pub idp_client_secret: Option<Secret>,
    /// The user's ID token from the identity provider.
    pub id_token: Arc<dyn AssertionProvider>,
}

impl EnterpriseConfig {
    /// Exchange `id_token` at `idp_token_endpoint` as `idp_client_id`.
    pub fn new(
        idp_token_endpoint: Url,
        idp_client_id: impl Into<String>,
        id_token: Arc<dyn AssertionProvider>,
    ) -> Self {
        EnterpriseConfig {
            idp_token_endpoint,
            idp_client_id: idp_client_id.into(),
            idp_client_secret: None,
            id_token,
        }
    }
}

/// Supplies a JWT (a workload identity token, an ID token) when a grant
/// needs one; called for every token request, so a rotating token is read
/// fresh. A [`Secret`] is a fixed assertion; [`AssertionFile`] reads one
/// from a file (a Kubernetes projected token).
pub trait AssertionProvider: Send + Sync + 'static {
    /// The assertion, for an authorization server whose issuer is
    /// `audience`.
    fn assertion<'a>(&'a self, audience: &'a str) -> BoxFuture<'a, Result<Secret, AuthError>>;
}

impl AssertionProvider for Secret {
    fn assertion<'a>(&'a self, _audience: &'a str) -> BoxFuture<'a, Result<Secret, AuthError>> {
        let s = self.clone();
        Box::pin(async move { Ok(s) })
    }
}

/// An assertion read from a file each time it is needed (trailing
/// whitespace trimmed, at most 64 KiB).
#[derive(Debug, Clone)]
pub struct AssertionFile(pub PathBuf);

impl AssertionProvider for AssertionFile {
    fn assertion<'a>(&'a self, _audience: &'a str) -> BoxFuture<'a, Result<Secret, AuthError>> {
        Box::pin(async move {
            let fail = |source| AuthError::Storage {
                path: self.0.display().to_string(),
                source,
            };
            let meta = tokio::fs::metadata(&self.0).await.map_err(fail)?;
            if meta.len() > 64 << 10 {
                return Err(fail(std::io::Error::other(
                    "the assertion file is larger than 64 KiB",
                )));
            }
            let text = tokio::fs::read_to_string(&self.0).await.map_err(fail)?;
            Ok(Secret::new(text.trim_end()))
        })
    }
}

/// The grant types named on the wire.
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
pub(crate) const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub(crate) const ID_JAG: &str = "urn:ietf:params:oauth:token-type:id-jag";
pub(crate) const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
