//! The credentials an application would configure for the authorization
//! scenarios, from what the suite hands over in `MCP_CONFORMANCE_CONTEXT`,
//! wired through `mcp-auth`'s public API only:
//!
//! - a private key (`private_key_pem`): the client credentials grant with
//!   `private_key_jwt`;
//! - identity provider details (`idp_token_endpoint`, …): enterprise-managed
//!   authorization;
//! - a workload JWT (`valid_jwt`): the JWT bearer grant;
//! - a client id and secret: the client credentials grant for the
//!   `auth/client-credentials-*` scenarios (a machine client), else
//!   pre-registered credentials for the authorization code flow;
//! - nothing: the authorization code flow of an interactive client, with a
//!   client ID metadata document URL and dynamic registration.
//!
//! The "user" of the authorization code flow is headless: it opens the
//! authorization URL without following the redirect and hands the
//! redirect's parameters back, as a browser would deliver them to the
//! callback.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::Empty;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mcp_auth::url::Url;
use mcp_auth::{
    AuthError, AuthorizationResponse, ClientInformation, ClientMetadata, EnterpriseConfig, Grant,
    OAuthClientProvider, Secret, SigningKey,
};
use mcp_client::auth::ClientAuth;
use serde_json::Value;

/// The client ID metadata document URL the suite accepts as this client's
/// id (it need not resolve).
const CLIENT_METADATA_URL: &str = "https://conformance-test.local/client-metadata.json";

/// The redirect URI registered for the headless user.
const REDIRECT_URI: &str = "http://localhost:3000/callback";

fn text<'a>(context: &'a Value, key: &str) -> Option<&'a str> {
    context.get(key).and_then(Value::as_str)
}

/// The provider for `scenario` at `server_url`.
pub(crate) fn provider(
    scenario: &str,
    server_url: &str,
    context: &Value,
) -> Result<Arc<dyn ClientAuth>, String> {
    let client_id = text(context, "client_id");
    let secret = text(context, "client_secret").map(Secret::new);
    let builder = if let (Some(pem), Some(id)) = (text(context, "private_key_pem"), client_id) {
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|e| e.to_string())?;
        OAuthClientProvider::builder(server_url, Grant::ClientCredentials)
            .client_information(ClientInformation::new(id, None))
            .signing_key(key)
    } else if let Some(endpoint) = text(context, "idp_token_endpoint") {
        let endpoint = Url::parse(endpoint).map_err(|e| format!("idp_token_endpoint: {e}"))?;
        let idp_client = text(context, "idp_client_id").ok_or("the context has no idp_client_id")?;
        let id_token = text(context, "idp_id_token").ok_or("the context has no idp_id_token")?;
        let id = client_id.ok_or("the context has no client_id")?;
        OAuthClientProvider::builder(
            server_url,
            Grant::Enterprise(EnterpriseConfig::new(
                endpoint,
                idp_client,
                Arc::new(Secret::new(id_token)),
            )),
        )
        .client_information(ClientInformation::new(id, secret))
    } else if let Some(jwt) = text(context, "valid_jwt") {
        let id = client_id.ok_or("the context has no client_id")?;
        OAuthClientProvider::builder(
            server_url,
            Grant::JwtBearer {
                assertion: Arc::new(Secret::new(jwt)),
            },
        )
        .client_information(ClientInformation::new(id, None))
    } else if let (Some(id), true) = (client_id, scenario.starts_with("auth/client-credentials")) {
        OAuthClientProvider::builder(server_url, Grant::ClientCredentials)
            .client_information(ClientInformation::new(id, secret))
    } else {
        let mut metadata = ClientMetadata::new("mcp-conformance-client", REDIRECT_URI);
        metadata.client_uri = Some("https://github.com/mcp-rs/mcp-client".into());
        let builder = OAuthClientProvider::builder(
            server_url,
            Grant::AuthorizationCode {
                metadata,
                handler: Arc::new(headless_user),
            },
        )
        .client_metadata_url(CLIENT_METADATA_URL);
        match client_id {
            Some(id) => builder.client_information(ClientInformation::new(id, secret)),
            None => builder,
        }
    };
    let provider = builder
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(provider))
}

/// Opens the authorization URL as a browser would, but stops at the
/// redirect to the callback and reads its parameters.
async fn headless_user(url: Url) -> Result<AuthorizationResponse, AuthError> {
    let fail = |reason: String| AuthError::Handler(reason);
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let uri: hyper::Uri = url.as_str().parse().map_err(|e| fail(format!("{url}: {e}")))?;
    let response = tokio::time::timeout(Duration::from_secs(10), client.get(uri))
        .await
        .map_err(|_| fail(format!("{url}: no answer within 10 s")))?
        .map_err(|e| fail(format!("{url}: {e}")))?;
    let location = response
        .headers()
        .get(hyper::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| fail(format!("{url} answered {} without a redirect", response.status())))?;
    AuthorizationResponse::from_redirect_url(location)
}
