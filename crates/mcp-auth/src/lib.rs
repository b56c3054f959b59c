//! OAuth 2.1 for MCP clients, behind the transports' [`ClientAuth`] seam:
//! programs that do not need it compile none of it.
//!
//! [`OAuthClientProvider`] does what the MCP authorization specification
//! asks of a client, for one MCP server:
//!
//! - **Discovery**: protected resource metadata (RFC 9728) from the
//!   challenge's `resource_metadata`, else the well-known URLs in the
//!   specification's order; authorization server metadata (RFC 8414, then
//!   OpenID Connect discovery) for issuers with and without a path, moving
//!   on when a document is absent or its `issuer` differs; the 2025-03-26
//!   fallbacks. A resource that is not the MCP server is refused.
//! - **Client identity**, in the specification's order: pre-registered
//!   credentials, a client ID metadata document, dynamic registration
//!   (with `application_type`); kept per authorization server issuer.
//! - **Grants** ([`Grant`]): the authorization code flow with PKCE S256,
//!   `state`, `resource` and the RFC 9207 `iss` checks, the application
//!   doing the redirect step ([`AuthorizationHandler`]); client credentials
//!   (`client_secret_basic`, `private_key_jwt` with ES256); the JWT bearer
//!   grant of workload identity; enterprise-managed authorization.
//! - **Tokens**: sent to that server only; refreshed shortly before expiry
//!   and once on a 401; step-up on `403 insufficient_scope` with the union
//!   of scopes, bounded; DPoP-bound when the authorization server offers it;
//!   kept in a [`TokenStorage`] ([`MemoryStorage`], or [`FileStorage`],
//!   `0600` and atomic).
//!
//! Failures are [`AuthError`]s; at the transport they become the source of
//! an [`AuthenticationError`](mcp_jsonrpc::AuthenticationError), so a
//! session's `ClientError::authentication()` reaches them. Secrets (tokens,
//! client secrets, keys) never show in `Debug` output, logs or errors.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use mcp_auth::{AuthorizationResponse, ClientMetadata, FileStorage, Grant, OAuthClientProvider};
//!
//! # async fn demo() -> Result<(), mcp_auth::AuthError> {
//! let handler = |url: url::Url| async move {
//!     // Show the URL; a real program listens on its redirect URI.
//!     eprintln!("open {url}");
//!     let mut line = String::new();
//!     std::io::stdin().read_line(&mut line).map_err(|e| mcp_auth::AuthError::Handler(e.to_string()))?;
//!     AuthorizationResponse::from_redirect_url(line.trim())
//! };
//! let provider = OAuthClientProvider::builder(
//!     "https://mcp.example.com/mcp",
//!     Grant::AuthorizationCode {
//!         metadata: ClientMetadata::new("my-app", "http://127.0.0.1:8765/callback"),
//!         handler: Arc::new(handler),
//!     },
//! )
//! .storage(Arc::new(FileStorage::new("/home/me/.config/my-app/credentials.json")))
//! .build()?;
//! // Give it to the transport: StreamableHttpParameters::new(url).auth(Arc::new(provider)).
//! # let _ = provider;
//! # Ok(())
//! # }
//! ```

mod authorize;
mod crypto;
mod discovery;
mod dpop;
mod error;
mod flow;
mod grant;
mod http;
mod metadata;
mod provider;
mod scope;
mod storage;
mod token;

pub use authorize::{AuthorizationHandler, AuthorizationResponse};
pub use crypto::SigningKey;
pub use dpop::MAX_NONCES;
pub use error::AuthError;
pub use grant::{AssertionFile, AssertionProvider, EnterpriseConfig, Grant};
pub use http::MAX_BODY;
pub use mcp_jsonrpc::auth::ClientAuth;
pub use mcp_jsonrpc::Secret;
pub use metadata::{
    AuthorizationServerMetadata, ClientInformation, ClientMetadata, ProtectedResourceMetadata,
};
pub use provider::{
    DpopPolicy, OAuthClientProvider, OAuthClientProviderBuilder, DEFAULT_AUTHORIZATION_TIMEOUT,
    DEFAULT_MAX_STEP_UPS, DEFAULT_TIMEOUT, REFRESH_MARGIN,
};
pub use storage::{FileStorage, MemoryStorage, StoredAuth, TokenStorage, Tokens, MAX_FILE};
pub use url;
