//! The authorization request and its response: the URL the user visits
//! (PKCE S256, `state`, `resource`, `scope`), the application's part
//! ([`AuthorizationHandler`]: show the URL, wait for the redirect), and the
//! checks on what comes back (`state`; `iss` per RFC 9207).

use std::future::Future;

use mcp_jsonrpc::{BoxFuture, Secret};
use url::Url;

use crate::error::AuthError;
use crate::metadata::AuthorizationServerMetadata;

/// What the authorization server sent back to the redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizationResponse {
    /// The authorization code (absent when the server sent an error).
    pub code: Option<Secret>,
    /// The `state` it echoed.
    pub state: Option<String>,
    /// The issuer it named (RFC 9207), if any.
    pub iss: Option<String>,
    /// The OAuth `error`, when authorization was refused.
    pub error: Option<String>,
    /// The `error_description` of a refusal.
    pub error_description: Option<String>,
}

impl AuthorizationResponse {
    /// A response carrying `code` and `state`.
    pub fn new(code: impl Into<String>, state: Option<String>) -> Self {
        AuthorizationResponse {
            code: Some(Secret::new(code.into())),
            state,
            iss: None,
            error: None,
            error_description: None,
        }
    }

    /// With the `iss` parameter.
    pub fn with_iss(mut self, iss: impl Into<String>) -> Self {
        self.iss = Some(iss.into());
        self
    }

    /// Reads the query of the URL the browser was redirected to
    /// (`…/callback?code=…&state=…&iss=…`, or `?error=…`).
    pub fn from_redirect_url(url: &str) -> Result<Self, AuthError> {
        let url = Url::parse(url).map_err(|e| AuthError::AuthorizationResponse {
            reason: format!("the redirect URL is not a URL: {e}"),
            error: None,
        })?;
        Ok(Self::from_query_pairs(
            url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())),
        ))
    }

    /// Reads decoded query parameters (for a callback server that parsed
    /// them already). A repeated parameter keeps its first value.
    pub fn from_query_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut r = AuthorizationResponse {
            code: None,
            state: None,
            iss: None,
            error: None,
            error_description: None,
        };
        let clean = |v: String| mcp_jsonrpc::excerpt(v.as_bytes(), 300);
        for (k, v) in pairs {
            match k.as_str() {
                "code" if r.code.is_none() => r.code = Some(Secret::new(v)),
                "state" if r.state.is_none() => r.state = Some(v),
                "iss" if r.iss.is_none() => r.iss = Some(v),
                "error" if r.error.is_none() => r.error = Some(clean(v)),
                "error_description" if r.error_description.is_none() => r.error_description = Some(clean(v)),
                _ => {}
            }
        }
        r
    }

    /// Checks the response against the request: no `error`, the `state`
    /// sent, and the issuer (RFC 9207 §2.4: a present `iss` must equal the
    /// issuer exactly, by simple string comparison, advertised or not; an
    /// absent one is refused when the server advertised
    /// `authorization_response_iss_parameter_supported`). Gives the code.
    pub(crate) fn validate(
        self,
        state: &str,
        server: &AuthorizationServerMetadata,
    ) -> Result<Secret, AuthError> {
        if let Some(error) = self.error {
            let reason = match &self.error_description {
                Some(d) => format!("the authorization server refused: {error}: {d}"),
                None => format!("the authorization server refused: {error}"),
            };
            return Err(AuthError::AuthorizationResponse {
                reason,
                error: Some(error),
            });
        }
        if self.state.as_deref() != Some(state) {
            return Err(AuthError::AuthorizationResponse {
                reason: "its state is not the one sent (a forged or stale redirect)".into(),
                error: None,
            });
        }
        match (&self.iss, server.authorization_response_iss_parameter_supported) {
            (Some(iss), _) if iss != &server.issuer => {
                return Err(AuthError::AuthorizationResponse {
                    reason: format!(
                    "it names the issuer {}, not {} (RFC 9207; a mix-up attack, or a misconfigured server)",
                    mcp_jsonrpc::excerpt(iss.as_bytes(), 200),
                    server.issuer
                ),
                    error: None,
                })
            }
            (None, Some(true)) => {
                return Err(AuthError::AuthorizationResponse {
                    reason: format!(
                        "it has no iss parameter, which {} advertises (RFC 9207)",
                        server.issuer
                    ),
                    error: None,
                })
            }
            _ => {}
        }
        self.code
            .filter(|c| !c.is_empty())
            .ok_or(AuthError::AuthorizationResponse {
                reason: "it carries no authorization code".into(),
                error: None,
            })
    }
}

/// The application's part of the authorization code flow: send the user
/// to `authorization_url` (print it, open a browser) and return what the
/// authorization server sent to the redirect URI. Any
/// `Fn(Url) -> impl Future<Output = Result<AuthorizationResponse, AuthError>>`
/// is a handler.
pub trait AuthorizationHandler: Send + Sync + 'static {
    /// Has the user authorize at `authorization_url`.
    fn authorize(&self, authorization_url: Url) -> BoxFuture<'_, Result<AuthorizationResponse, AuthError>>;
}

impl<F, Fut> AuthorizationHandler for F
where
    F: Fn(Url) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AuthorizationResponse, AuthError>> + Send + 'static,
{
    fn authorize(&self, authorization_url: Url) -> BoxFuture<'_, Result<AuthorizationResponse, AuthError>> {
        Box::pin(self(authorization_url))
    }
}

/// What an authorization request carries.
pub(crate) struct AuthorizationRequest<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) redirect_uri: &'a str,
    pub(crate) challenge: &'a str,
    pub(crate) state: &'a str,
    pub(crate) resource: &'a str,
    pub(crate) scope: Option<&'a str>,
}

impl AuthorizationRequest<'_> {
    /// The URL at `server`'s authorization endpoint.
    pub(crate) fn url(&self, server: &AuthorizationServerMetadata) -> Result<Url, AuthError> {
        let raw = server
            .authorization_endpoint
            .as_deref()
            .ok_or_else(|| AuthError::Invalid {
                what: "authorization server metadata",
                url: server.issuer.clone(),
                reason: "it has no authorization_endpoint".into(),
            })?;
        let mut url = Url::parse(raw).map_err(|e| AuthError::Invalid {
            what: "the authorization endpoint",
            url: raw.to_owned(),
            reason: e.to_string(),
        })?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", self.client_id)
                .append_pair("redirect_uri", self.redirect_uri)
                .append_pair("code_challenge", self.challenge)
                .append_pair("code_challenge_method", "S256")
                .append_pair("state", self.state)
                .append_pair("resource", self.resource);
            if let Some(scope) = self.scope {
                q.append_pair("scope", scope);
            }
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(advertised: Option<bool>) -> AuthorizationServerMetadata {
        AuthorizationServerMetadata {
            issuer: "https://as.example".into(),
            authorization_response_iss_parameter_supported: advertised,
            ..Default::default()
        }
    }

    fn response(iss: Option<&str>) -> AuthorizationResponse {
        let mut r = AuthorizationResponse::new("c0de", Some("st".into()));
        r.iss = iss.map(str::to_owned);
        r
    }

    #[test]
    fn iss_rules_follow_rfc_9207() {
        // Advertised and correct; advertised and missing; wrong; a
        // normalization-equivalent variant; unadvertised and wrong;
        // unadvertised and absent.
        assert!(response(Some("https://as.example"))
            .validate("st", &server(Some(true)))
            .is_ok());
        assert!(response(None).validate("st", &server(Some(true))).is_err());
        assert!(response(Some("https://evil.example"))
            .validate("st", &server(Some(true)))
            .is_err());
        assert!(response(Some("https://as.example/"))
            .validate("st", &server(Some(true)))
            .is_err());
        assert!(response(Some("https://evil.example"))
            .validate("st", &server(None))
            .is_err());
        assert!(response(None).validate("st", &server(None)).is_ok());
        assert!(response(None).validate("st", &server(Some(false))).is_ok());
    }

    #[test]
    fn state_and_errors_are_checked() {
        assert!(response(None).validate("other", &server(None)).is_err());
        let r = AuthorizationResponse::from_redirect_url(
            "http://127.0.0.1:1/cb?error=access_denied&error_description=no%1b&state=st",
        )
        .expect("parse");
        let e = r.validate("st", &server(None)).expect_err("refused");
        assert_eq!(e.oauth_error(), Some("access_denied"));
        assert!(!e.to_string().contains('\u{1b}'));
        let r = AuthorizationResponse::from_redirect_url(
            "http://127.0.0.1:1/cb?code=abc&state=st&iss=https%3A%2F%2Fas.example",
        )
        .expect("parse");
        assert_eq!(r.validate("st", &server(Some(true))).expect("ok").expose(), "abc");
    }

    #[test]
    fn the_request_url_carries_pkce_state_resource_and_scope() {
        let mut s = server(None);
        s.authorization_endpoint = Some("https://as.example/authorize?tenant=1".into());
        let url = AuthorizationRequest {
            client_id: "cid",
            redirect_uri: "http://127.0.0.1:9/cb",
            challenge: "ch",
            state: "st",
            resource: "https://rs.example/mcp",
            scope: Some("a b"),
        }
        .url(&s)
        .expect("url");
        let q: std::collections::BTreeMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["tenant"], "1");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["resource"], "https://rs.example/mcp");
        assert_eq!(q["scope"], "a b");
        assert_eq!(q["state"], "st");
    }
}
