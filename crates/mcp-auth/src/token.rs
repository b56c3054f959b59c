//! Requests to the token endpoint (RFC 6749 §3.2): the grant's parameters,
//! the client's authentication (`none`, `client_secret_basic`,
//! `client_secret_post`, `private_key_jwt`), a DPoP proof when tokens are
//! bound to a key (with one retry on a `use_dpop_nonce` answer, RFC 9449
//! §8), and the answer read into [`Tokens`].

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use mcp_jsonrpc::Secret;
use url::Url;

use crate::crypto::{now, random_token, SigningKey};
use crate::dpop::Dpop;
use crate::error::AuthError;
use crate::http::HttpClient;
use crate::metadata::{AuthorizationServerMetadata, ClientInformation, TokenResponse};
use crate::storage::Tokens;

/// How the client proves itself at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthMethod {
    None,
    Basic,
    Post,
    PrivateKeyJwt,
}

impl AuthMethod {
    /// The method for `client` at `server`: the registered one if the
    /// registration named one, else what the server accepts of what the
    /// client holds (a key, a secret, nothing).
    pub(crate) fn choose(
        client: &ClientInformation,
        server: &AuthorizationServerMetadata,
        key: bool,
    ) -> Self {
        if key && server.accepts_auth_method("private_key_jwt") {
            return AuthMethod::PrivateKeyJwt;
        }
        match client.token_endpoint_auth_method.as_deref() {
            Some("none") => return AuthMethod::None,
            Some("client_secret_basic") if client.client_secret.is_some() => return AuthMethod::Basic,
            Some("client_secret_post") if client.client_secret.is_some() => return AuthMethod::Post,
            Some("private_key_jwt") if key => return AuthMethod::PrivateKeyJwt,
            _ => {}
        }
        if client.client_secret.is_none() {
            return if key {
                AuthMethod::PrivateKeyJwt
            } else {
                AuthMethod::None
            };
        }
        let listed = |m: &str| {
            server
                .token_endpoint_auth_methods_supported
                .as_ref()
                .is_some_and(|l| l.iter().any(|x| x == m))
        };
        if server.accepts_auth_method("client_secret_basic") {
            AuthMethod::Basic
        } else if listed("client_secret_post") {
            AuthMethod::Post
        } else if listed("none") {
            AuthMethod::None
        } else {
            AuthMethod::Basic
        }
    }
}

/// One authorization server's token endpoint, with this client's
/// credentials for it.
pub(crate) struct TokenEndpoint<'a> {
    pub(crate) http: &'a HttpClient,
    pub(crate) url: Url,
    pub(crate) issuer: &'a str,
    pub(crate) client: &'a ClientInformation,
    pub(crate) method: AuthMethod,
    pub(crate) key: Option<&'a SigningKey>,
    pub(crate) dpop: Option<&'a Dpop>,
}

const FORM: &str = "application/x-www-form-urlencoded";

impl TokenEndpoint<'_> {
    /// The endpoint of `server`, or an error naming what is missing.
    pub(crate) fn url_of(server: &AuthorizationServerMetadata) -> Result<Url, AuthError> {
        let raw = server
            .token_endpoint
            .as_deref()
            .ok_or_else(|| AuthError::Invalid {
                what: "authorization server metadata",
                url: server.issuer.clone(),
                reason: "it has no token_endpoint".into(),
            })?;
        Url::parse(raw).map_err(|e| AuthError::Invalid {
            what: "the token endpoint",
            url: raw.to_owned(),
            reason: e.to_string(),
        })
    }

    /// Sends a grant (`params` without the client's credentials) and reads
    /// the tokens. `scope_asked` is kept as the scope when the answer names
    /// none.
    pub(crate) async fn grant(
        &self,
        what: &'static str,
        params: Vec<(&'static str, String)>,
        scope_asked: Option<&str>,
    ) -> Result<Tokens, AuthError> {
        let answer = self.send(what, params).await?;
        self.read(answer, scope_asked)
    }

    /// Sends a grant whose answer is not an access token for us (a token
    /// exchange's ID-JAG): gives the issued token as it came.
    pub(crate) async fn grant_raw(
        &self,
        what: &'static str,
        params: Vec<(&'static str, String)>,
    ) -> Result<Secret, AuthError> {
        let answer = self.send(what, params).await?;
        if answer.access_token.is_empty() {
            return Err(AuthError::Invalid {
                what: "the token exchange response",
                url: self.url.to_string(),
                reason: "the issued token is empty".into(),
            });
        }
        Ok(answer.access_token)
    }

    async fn send(
        &self,
        what: &'static str,
        params: Vec<(&'static str, String)>,
    ) -> Result<TokenResponse, AuthError> {
        let mut nonce_retried = false;
        loop {
            let mut params = params.clone();
            let mut headers: Vec<(&str, String)> = Vec::new();
            match self.method {
                AuthMethod::None => params.push(("client_id", self.client.client_id.clone())),
                AuthMethod::Basic => {
                    let secret = self.secret()?;
                    let enc =
                        |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                    let pair = format!("{}:{}", enc(&self.client.client_id), enc(secret.expose()));
                    headers.push(("authorization", format!("Basic {}", STANDARD.encode(pair))));
                }
                AuthMethod::Post => {
                    params.push(("client_id", self.client.client_id.clone()));
                    params.push(("client_secret", self.secret()?.expose().to_owned()));
                }
                AuthMethod::PrivateKeyJwt => {
                    params.push(("client_id", self.client.client_id.clone()));
                    params.push((
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                    ));
                    params.push(("client_assertion", self.client_assertion()?));
                }
            }
            if let Some(dpop) = self.dpop {
                headers.push(("dpop", dpop.proof("POST", &self.url, None)?));
            }
            let body = {
                let mut s = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in &params {
                    s.append_pair(k, v);
                }
                s.finish().into_bytes()
            };
            let answer = self.http.post(&self.url, &headers, FORM, body).await?;
            if let Some(dpop) = self.dpop {
                dpop.remember_nonce(&self.url, &answer.headers);
            }
            if !answer.status.is_success() {
                let err = answer.endpoint_error(what, &self.url);
                if self.dpop.is_some() && !nonce_retried && err.oauth_error() == Some("use_dpop_nonce") {
                    // RFC 9449 §8: the server wants its nonce in the proof;
                    // it did not act on this request, so it is sent again,
                    // once.
                    nonce_retried = true;
                    continue;
                }
                return Err(err);
            }
            return answer.json("the token response", &self.url);
        }
    }

    fn secret(&self) -> Result<&Secret, AuthError> {
        self.client.client_secret.as_ref().ok_or_else(|| {
            AuthError::Config(format!(
                "the client {} has no client secret for the token endpoint",
                self.client.client_id
            ))
        })
    }

    /// A `private_key_jwt` client assertion (RFC 7523 §3): issued by and
    /// about the client, for the authorization server, valid 5 minutes.
    fn client_assertion(&self) -> Result<String, AuthError> {
        let key = self
            .key
            .ok_or_else(|| AuthError::Config("private_key_jwt needs a signing key".into()))?;
        let iat = now();
        key.sign(
            "JWT",
            false,
            &serde_json::json!({
                "iss": self.client.client_id,
                "sub": self.client.client_id,
                "aud": self.issuer,
                "iat": iat,
                "exp": iat + 300,
                "jti": random_token(16)?,
            }),
        )
    }

    fn read(&self, answer: TokenResponse, scope_asked: Option<&str>) -> Result<Tokens, AuthError> {
        let token_type = answer.token_type.unwrap_or_else(|| "Bearer".into());
        let token_type = if token_type.eq_ignore_ascii_case("bearer") {
            "Bearer".to_owned()
        } else if token_type.eq_ignore_ascii_case("dpop") {
            if self.dpop.is_none() {
                return Err(AuthError::Invalid {
                    what: "the token response",
                    url: self.url.to_string(),
                    reason: "it issued a DPoP token to a request without a DPoP proof".into(),
                });
            }
            "DPoP".to_owned()
        } else {
            return Err(AuthError::Invalid {
                what: "the token response",
                url: self.url.to_string(),
                reason: format!(
                    "the token type `{}` is neither Bearer nor DPoP",
                    mcp_jsonrpc::excerpt(token_type.as_bytes(), 40)
                ),
            });
        };
        if answer.access_token.is_empty() {
            return Err(AuthError::Invalid {
                what: "the token response",
                url: self.url.to_string(),
                reason: "the access token is empty".into(),
            });
        }
        let dpop_key = match (&token_type[..], self.dpop) {
            ("DPoP", Some(d)) => Some(d.key().to_stored()),
            _ => None,
        };
        Ok(Tokens {
            access_token: answer.access_token,
            token_type,
            refresh_token: answer.refresh_token,
            expires_at: answer.expires_in.map(|s| now().saturating_add(s)),
            scope: answer.scope.or_else(|| scope_asked.map(str::to_owned)),
            issuer: self.issuer.to_owned(),
            dpop_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(methods: Option<&[&str]>) -> AuthorizationServerMetadata {
        AuthorizationServerMetadata {
            issuer: "https://as.example".into(),
            token_endpoint_auth_methods_supported: methods.map(|m| m.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }

    #[test]
    fn the_method_follows_registration_then_the_server() {
        let public = ClientInformation::new("c", None);
        let confidential = ClientInformation::new("c", Some(Secret::new("s")));
        assert_eq!(
            AuthMethod::choose(&public, &server(None), false),
            AuthMethod::None
        );
        assert_eq!(
            AuthMethod::choose(&confidential, &server(None), false),
            AuthMethod::Basic
        );
        assert_eq!(
            AuthMethod::choose(&confidential, &server(Some(&["client_secret_post"])), false),
            AuthMethod::Post
        );
        // A secret the server has no use for is not sent.
        assert_eq!(
            AuthMethod::choose(&confidential, &server(Some(&["none"])), false),
            AuthMethod::None
        );
        let mut registered = confidential.clone();
        registered.token_endpoint_auth_method = Some("client_secret_post".into());
        assert_eq!(
            AuthMethod::choose(
                &registered,
                &server(Some(&["client_secret_basic", "client_secret_post"])),
                false
            ),
            AuthMethod::Post
        );
        assert_eq!(
            AuthMethod::choose(&public, &server(Some(&["private_key_jwt"])), true),
            AuthMethod::PrivateKeyJwt
        );
    }
}
