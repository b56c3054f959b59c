//! The grants, once discovery has found the authorization server and the
//! client knows its identity there: registration (RFC 7591), the
//! authorization code exchange, refresh, client credentials, the JWT bearer
//! grant, and the enterprise token exchange.

use std::time::Duration;

use mcp_jsonrpc::Secret;
use url::Url;

use crate::authorize::{AuthorizationHandler, AuthorizationRequest};
use crate::crypto::{random_token, Pkce};
use crate::error::AuthError;
use crate::grant::{EnterpriseConfig, ID_JAG, ID_TOKEN, JWT_BEARER, TOKEN_EXCHANGE};
use crate::http::HttpClient;
use crate::metadata::{AuthorizationServerMetadata, ClientInformation, ClientMetadata};
use crate::storage::Tokens;
use crate::token::{AuthMethod, TokenEndpoint};

/// Registers `metadata` at the server's registration endpoint.
pub(crate) async fn register(
    http: &HttpClient,
    server: &AuthorizationServerMetadata,
    metadata: &ClientMetadata,
) -> Result<ClientInformation, AuthError> {
    let raw = server
        .registration_endpoint
        .as_deref()
        .ok_or_else(|| AuthError::NoRegistration {
            issuer: server.issuer.clone(),
        })?;
    let url = Url::parse(raw).map_err(|e| AuthError::Invalid {
        what: "the registration endpoint",
        url: raw.to_owned(),
        reason: e.to_string(),
    })?;
    let body = serde_json::to_vec(metadata).map_err(|e| AuthError::Config(e.to_string()))?;
    let answer = http.post(&url, &[], "application/json", body).await?;
    if !answer.status.is_success() {
        return Err(answer.endpoint_error("client registration", &url));
    }
    let info: ClientInformation = answer.json("the client registration response", &url)?;
    if info.client_id.is_empty() {
        return Err(AuthError::Invalid {
            what: "the client registration response",
            url: url.to_string(),
            reason: "the client_id is empty".into(),
        });
    }
    tracing::debug!(issuer = %server.issuer, client_id = %info.client_id, "registered");
    Ok(info)
}

/// The authorization code flow: the URL to the handler (bounded by
/// `wait`), the response checked, the code exchanged.
pub(crate) async fn authorization_code(
    endpoint: &TokenEndpoint<'_>,
    server: &AuthorizationServerMetadata,
    metadata: &ClientMetadata,
    handler: &dyn AuthorizationHandler,
    resource: &str,
    scope: Option<&str>,
    wait: Duration,
) -> Result<Tokens, AuthError> {
    if !server.supports_s256() {
        return Err(AuthError::PkceUnsupported {
            issuer: server.issuer.clone(),
        });
    }
    let redirect_uri = metadata
        .redirect_uris
        .first()
        .ok_or_else(|| AuthError::Config("the client metadata has no redirect URI".into()))?;
    let pkce = Pkce::new()?;
    let state = random_token(24)?;
    let url = AuthorizationRequest {
        client_id: &endpoint.client.client_id,
        redirect_uri,
        challenge: &pkce.challenge,
        state: &state,
        resource,
        scope,
    }
    .url(server)?;
    tracing::debug!(issuer = %server.issuer, scope = scope.unwrap_or(""), "authorization request");
    let response = match tokio::time::timeout(wait, handler.authorize(url)).await {
        Ok(r) => r?,
        Err(_) => {
            return Err(AuthError::Handler(format!(
                "no authorization response within {}",
                mcp_jsonrpc::Elapsed(wait)
            )))
        }
    };
    let code = response.validate(&state, server)?;
    endpoint
        .grant(
            "token request",
            vec![
                ("grant_type", "authorization_code".into()),
                ("code", code.expose().to_owned()),
                ("redirect_uri", redirect_uri.clone()),
                ("code_verifier", pkce.verifier.expose().to_owned()),
                ("resource", resource.to_owned()),
            ],
            scope,
        )
        .await
}

/// A refresh (RFC 6749 §6), with `resource`; an answer without a new
/// refresh token keeps the old one.
pub(crate) async fn refresh(
    endpoint: &TokenEndpoint<'_>,
    refresh_token: &Secret,
    resource: &str,
    scope: Option<&str>,
) -> Result<Tokens, AuthError> {
    let mut tokens = endpoint
        .grant(
            "token refresh",
            vec![
                ("grant_type", "refresh_token".into()),
                ("refresh_token", refresh_token.expose().to_owned()),
                ("resource", resource.to_owned()),
            ],
            scope,
        )
        .await?;
    if tokens.refresh_token.is_none() {
        tokens.refresh_token = Some(refresh_token.clone());
    }
    Ok(tokens)
}

fn with_scope(mut params: Vec<(&'static str, String)>, scope: Option<&str>) -> Vec<(&'static str, String)> {
    if let Some(s) = scope {
        params.push(("scope", s.to_owned()));
    }
    params
}

/// The client credentials grant.
pub(crate) async fn client_credentials(
    endpoint: &TokenEndpoint<'_>,
    resource: &str,
    scope: Option<&str>,
) -> Result<Tokens, AuthError> {
    if endpoint.method == AuthMethod::None {
        return Err(AuthError::Config(
            "the client credentials grant needs a client secret or a private key".into(),
        ));
    }
    let params = vec![
        ("grant_type", "client_credentials".into()),
        ("resource", resource.to_owned()),
    ];
    endpoint
        .grant("client credentials grant", with_scope(params, scope), scope)
        .await
}

/// The JWT bearer grant with `assertion` (RFC 7523 §2.1).
pub(crate) async fn jwt_bearer(
    endpoint: &TokenEndpoint<'_>,
    assertion: &Secret,
    resource: &str,
    scope: Option<&str>,
) -> Result<Tokens, AuthError> {
    let params = vec![
        ("grant_type", JWT_BEARER.into()),
        ("assertion", assertion.expose().to_owned()),
        ("resource", resource.to_owned()),
    ];
    endpoint
        .grant("JWT bearer grant", with_scope(params, scope), scope)
        .await
}

/// Enterprise-managed authorization: the ID token exchanged at the
/// identity provider for an ID-JAG naming this authorization server and
/// resource, then the JWT bearer grant with it.
pub(crate) async fn enterprise(
    http: &HttpClient,
    endpoint: &TokenEndpoint<'_>,
    config: &EnterpriseConfig,
    resource: &str,
    scope: Option<&str>,
) -> Result<Tokens, AuthError> {
    let id_token = config
        .id_token
        .assertion(&config.idp_token_endpoint.origin().ascii_serialization())
        .await?;
    let idp_client = ClientInformation::new(config.idp_client_id.clone(), config.idp_client_secret.clone());
    let idp_server = AuthorizationServerMetadata {
        issuer: config.idp_token_endpoint.origin().ascii_serialization(),
        token_endpoint: Some(config.idp_token_endpoint.to_string()),
        token_endpoint_auth_methods_supported: Some(vec![
            "client_secret_basic".into(),
            "client_secret_post".into(),
            "none".into(),
        ]),
        ..Default::default()
    };
    let idp = TokenEndpoint {
        http,
        url: config.idp_token_endpoint.clone(),
        issuer: &idp_server.issuer,
        client: &idp_client,
        method: AuthMethod::choose(&idp_client, &idp_server, false),
        key: None,
        dpop: None,
    };
    let params = vec![
        ("grant_type", TOKEN_EXCHANGE.into()),
        ("requested_token_type", ID_JAG.into()),
        ("audience", endpoint.issuer.to_owned()),
        ("resource", resource.to_owned()),
        ("subject_token", id_token.expose().to_owned()),
        ("subject_token_type", ID_TOKEN.into()),
    ];
    let jag = idp.grant_raw("token exchange", with_scope(params, scope)).await?;
    jwt_bearer(endpoint, &jag, resource, scope).await
}
