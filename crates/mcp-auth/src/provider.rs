//! [`OAuthClientProvider`]: OAuth 2.1 for one MCP server behind the
//! [`ClientAuth`] seam. It adds the token to every request to that server
//! (and to no other origin), refreshes it shortly before it expires and
//! once on a `401`, authorizes again (discovery, registration, the grant)
//! when it must, steps up on `403 insufficient_scope` a bounded number of
//! times, answers DPoP nonce challenges, and keeps what it got in a
//! [`TokenStorage`].

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use mcp_jsonrpc::auth::{challenge_params, AuthChallenge, AuthRequest, ChallengeOutcome, ClientAuth};
use mcp_jsonrpc::{AuthenticationError, BoxFuture, Secret};
use tracing::Instrument as _;
use url::Url;

use crate::crypto::{now, SigningKey};
use crate::discovery::{canonical_resource, discover, Discovered};
use crate::dpop::Dpop;
use crate::error::AuthError;
use crate::flow;
use crate::grant::Grant;
use crate::http::HttpClient;
use crate::metadata::{AuthorizationServerMetadata, ClientInformation};
use crate::scope;
use crate::storage::{MemoryStorage, StoredAuth, TokenStorage, Tokens};
use crate::token::{AuthMethod, TokenEndpoint};

/// A token is refreshed when it expires within this margin: 60 s.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Default bound on each exchange with an authorization server: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default bound on the user's authorization step: 5 minutes.
pub const DEFAULT_AUTHORIZATION_TIMEOUT: Duration = Duration::from_secs(300);

/// Default number of step-up authorizations for one scope set: 2.
pub const DEFAULT_MAX_STEP_UPS: u32 = 2;

/// Whether tokens are bound to a key with DPoP (RFC 9449).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DpopPolicy {
    /// Never: bearer tokens only.
    Never,
    /// When the authorization server advertises ES256 in
    /// `dpop_signing_alg_values_supported` (the default); the token type it
    /// answers decides the scheme.
    #[default]
    IfSupported,
    /// Always; an authorization server without DPoP is an error.
    Required,
}

/// Builds an [`OAuthClientProvider`].
#[derive(Debug)]
#[must_use]
pub struct OAuthClientProviderBuilder {
    server: String,
    grant: Grant,
    storage: Option<Arc<dyn TokenStorage>>,
    client: Option<ClientInformation>,
    client_metadata_url: Option<String>,
    signing_key: Option<SigningKey>,
    scope: Option<String>,
    dpop: DpopPolicy,
    timeout: Duration,
    authorization_timeout: Duration,
    max_step_ups: u32,
    reauthorize: bool,
}

impl std::fmt::Debug for dyn TokenStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenStorage")
    }
}

impl OAuthClientProviderBuilder {
    /// Where tokens and registrations are kept (default: in memory).
    pub fn storage(mut self, storage: Arc<dyn TokenStorage>) -> Self {
        self.storage = Some(storage);
        self
    }

    /// Pre-registered credentials: used at every authorization server,
    /// before client ID metadata documents and dynamic registration.
    pub fn client_information(mut self, client: ClientInformation) -> Self {
        self.client = Some(client);
        self
    }

    /// The URL of this client's metadata document, used as its client id
    /// where the authorization server supports client ID metadata
    /// documents.
    pub fn client_metadata_url(mut self, url: impl Into<String>) -> Self {
        self.client_metadata_url = Some(url.into());
        self
    }

    /// An ES256 key for `private_key_jwt` client authentication.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// The scope to ask for, instead of the challenge's or the server's.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The DPoP policy (default [`DpopPolicy::IfSupported`]).
    pub fn dpop(mut self, policy: DpopPolicy) -> Self {
        self.dpop = policy;
        self
    }

    /// The bound on each exchange with an authorization server (default
    /// [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The bound on the user's authorization step (default
    /// [`DEFAULT_AUTHORIZATION_TIMEOUT`]).
    pub fn authorization_timeout(mut self, timeout: Duration) -> Self {
        self.authorization_timeout = timeout;
        self
    }

    /// How many step-up authorizations one scope set may take (default
    /// [`DEFAULT_MAX_STEP_UPS`]).
    pub fn max_step_ups(mut self, n: u32) -> Self {
        self.max_step_ups = n;
        self
    }

    /// Whether a refusal that a refresh cannot fix starts a new
    /// authorization (default `true`). With `false` the provider uses and
    /// refreshes stored tokens only, and such a refusal is
    /// [`AuthError::LoginRequired`]; [`OAuthClientProvider::authorize`]
    /// still authorizes. For programs that must not prompt (a command that
    /// expects `mcp login` to have been run).
    pub fn reauthorize(mut self, yes: bool) -> Self {
        self.reauthorize = yes;
        self
    }

    /// The provider.
    pub fn build(self) -> Result<OAuthClientProvider, AuthError> {
        let mut server = Url::parse(&self.server).map_err(|e| {
            AuthError::Config(format!("the MCP server URL {} is not a URL: {e}", self.server))
        })?;
        server.set_fragment(None);
        if !matches!(server.scheme(), "http" | "https") {
            return Err(AuthError::Config(format!(
                "the MCP server URL {server} is not http or https"
            )));
        }
        Ok(OAuthClientProvider {
            inner: Arc::new(Inner {
                key: canonical_resource(&server),
                server,
                http: HttpClient::new(self.timeout)?,
                grant: self.grant,
                storage: self.storage.unwrap_or_else(|| Arc::new(MemoryStorage::new())),
                client: self.client,
                client_metadata_url: self.client_metadata_url,
                signing_key: self.signing_key,
                scope: self.scope,
                dpop: self.dpop,
                authorization_timeout: self.authorization_timeout,
                max_step_ups: self.max_step_ups,
                reauthorize: self.reauthorize,
                state: tokio::sync::Mutex::new(State::default()),
            }),
        })
    }
}

/// OAuth 2.1 for MCP, as a [`ClientAuth`]: give it to a transport's
/// parameters (`StreamableHttpParameters::auth`, …).
///
/// Several requests refused at once cause one authorization: the provider
/// serializes its work, and a request refused with a token older than the
/// current one is simply sent again.
#[derive(Clone)]
pub struct OAuthClientProvider {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for OAuthClientProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClientProvider")
            .field("server", &self.inner.server.as_str())
            .field("grant", &self.inner.grant)
            .finish_non_exhaustive()
    }
}

struct Inner {
    server: Url,
    key: String,
    http: HttpClient,
    grant: Grant,
    storage: Arc<dyn TokenStorage>,
    client: Option<ClientInformation>,
    client_metadata_url: Option<String>,
    signing_key: Option<SigningKey>,
    scope: Option<String>,
    dpop: DpopPolicy,
    authorization_timeout: Duration,
    max_step_ups: u32,
    reauthorize: bool,
    state: tokio::sync::Mutex<State>,
}

/// How the current token was last renewed after a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Renewal {
    Refreshed,
    Authorized,
}

#[derive(Default)]
struct State {
    /// The `Authorization` of the token the last challenge brought, and
    /// how: when the same request is refused again with it, a refresh is
    /// not repeated and an authorization is not repeated either.
    renewed: Option<(Secret, Renewal)>,
    loaded: bool,
    stored: StoredAuth,
    discovered: Option<Discovered>,
    dpop: Option<Arc<Dpop>>,
    step_up: Option<(BTreeSet<String>, u32)>,
}

impl OAuthClientProvider {
    /// A provider for the MCP server at `server_url` that gets tokens by
    /// `grant`.
    pub fn builder(server_url: impl Into<String>, grant: Grant) -> OAuthClientProviderBuilder {
        OAuthClientProviderBuilder {
            server: server_url.into(),
            grant,
            storage: None,
            client: None,
            client_metadata_url: None,
            signing_key: None,
            scope: None,
            dpop: DpopPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            authorization_timeout: DEFAULT_AUTHORIZATION_TIMEOUT,
            max_step_ups: DEFAULT_MAX_STEP_UPS,
            reauthorize: true,
        }
    }

    /// The stored tokens, if any (their secrets redacted in `Debug`).
    pub async fn tokens(&self) -> Result<Option<Tokens>, AuthError> {
        let mut st = self.inner.state.lock().await;
        self.inner.load(&mut st).await?;
        Ok(st.stored.tokens.clone())
    }

    /// Authorizes now, without waiting for the server to refuse a request
    /// (`mcp login`): discovery, registration, the grant; the tokens are
    /// stored.
    pub async fn authorize(&self) -> Result<Tokens, AuthError> {
        let mut st = self.inner.state.lock().await;
        self.inner.load(&mut st).await?;
        let d = discover(&self.inner.http, &self.inner.server, None).await?;
        let scope = self.inner.base_scope(None, &d);
        self.inner.authorize(&mut st, d, scope, true).await?;
        st.stored
            .tokens
            .clone()
            .ok_or_else(|| AuthError::Config("no tokens after authorization".into()))
    }

    /// Forgets this server's tokens (its registrations are kept).
    pub async fn logout(&self) -> Result<(), AuthError> {
        let mut st = self.inner.state.lock().await;
        self.inner.load(&mut st).await?;
        st.stored.tokens = None;
        st.dpop = None;
        self.inner.storage.save(&self.inner.key, &st.stored).await
    }
}

impl Inner {
    async fn load(&self, st: &mut State) -> Result<(), AuthError> {
        if !st.loaded {
            st.stored = self.storage.load(&self.key).await?.unwrap_or_default();
            if let Some(key) = st.stored.tokens.as_ref().and_then(|t| t.dpop_key.as_ref()) {
                st.dpop = Some(Arc::new(Dpop::new(SigningKey::from_stored(key)?)));
            }
            st.loaded = true;
        }
        Ok(())
    }

    async fn save(&self, st: &State) -> Result<(), AuthError> {
        self.storage.save(&self.key, &st.stored).await
    }

    /// The `Authorization` value of the current token.
    fn authorization(st: &State) -> Option<Secret> {
        st.stored
            .tokens
            .as_ref()
            .map(|t| Secret::new(format!("{} {}", t.token_type, t.access_token.expose())))
    }

    fn headers(
        &self,
        st: &State,
        request: &AuthRequest,
        url: &Url,
    ) -> Result<Vec<(String, Secret)>, AuthError> {
        let Some(tokens) = &st.stored.tokens else {
            return Ok(Vec::new());
        };
        let mut out = vec![(
            "Authorization".to_owned(),
            Self::authorization(st).unwrap_or_default(),
        )];
        if tokens.token_type == "DPoP" {
            let dpop = st
                .dpop
                .as_ref()
                .ok_or_else(|| AuthError::Config("a DPoP token without its key".into()))?;
            out.push((
                "DPoP".to_owned(),
                Secret::new(dpop.proof(&request.method, url, Some(&tokens.access_token))?),
            ));
        }
        Ok(out)
    }

    /// The scope before the union with earlier grants: the configured one,
    /// else the challenge's, else the resource's `scopes_supported`.
    fn base_scope(&self, challenged: Option<&str>, d: &Discovered) -> Vec<String> {
        if let Some(s) = &self.scope {
            return scope::parse(Some(s));
        }
        if challenged.is_some_and(|s| !s.trim().is_empty()) {
            return scope::parse(challenged);
        }
        let supported = d.resource.as_ref().and_then(|r| r.scopes_supported.as_ref());
        supported.cloned().unwrap_or_default()
    }

    /// Whether to ask for `offline_access`: a user grant (which has refresh
    /// tokens) at a server that lists it.
    fn offline(&self, server: &AuthorizationServerMetadata) -> bool {
        matches!(self.grant, Grant::AuthorizationCode { .. })
            && server
                .scopes_supported
                .as_ref()
                .is_some_and(|s| s.iter().any(|x| x == "offline_access"))
    }

    fn resource(&self, d: &Discovered) -> String {
        match &d.resource {
            Some(r) => r.resource.clone(),
            None => canonical_resource(&self.server),
        }
    }

    fn dpop_for(
        &self,
        st: &mut State,
        server: &AuthorizationServerMetadata,
    ) -> Result<Option<Arc<Dpop>>, AuthError> {
        let supported = server
            .dpop_signing_alg_values_supported
            .as_ref()
            .is_some_and(|a| a.iter().any(|x| x == "ES256"));
        match (self.dpop, supported) {
            (DpopPolicy::Never, _) | (DpopPolicy::IfSupported, false) => Ok(None),
            (DpopPolicy::Required, false) => Err(AuthError::Config(format!(
                "DPoP is required, but the authorization server {} does not offer ES256 proofs",
                server.issuer
            ))),
            (_, true) => {
                if st.dpop.is_none() {
                    st.dpop = Some(Arc::new(Dpop::new(SigningKey::generate()?)));
                }
                Ok(st.dpop.clone())
            }
        }
    }

    /// This client's identity at `server`: pre-registered, stored for its
    /// issuer, a client ID metadata document, or a new registration.
    async fn identity(
        &self,
        st: &mut State,
        server: &AuthorizationServerMetadata,
    ) -> Result<ClientInformation, AuthError> {
        if let Some(c) = &self.client {
            return Ok(c.clone());
        }
        if let Some(c) = st
            .stored
            .clients
            .get(&server.issuer)
            .filter(|c| !c.expired(now()))
        {
            return Ok(c.clone());
        }
        let Grant::AuthorizationCode { metadata, .. } = &self.grant else {
            return Err(AuthError::Config(
                "this grant needs pre-registered client credentials (client_information)".into(),
            ));
        };
        if let Some(url) = &self.client_metadata_url {
            if server.client_id_metadata_document_supported == Some(true) {
                let mut c = ClientInformation::new(url.clone(), None);
                c.token_endpoint_auth_method = Some("none".into());
                return Ok(c);
            }
        }
        if server.registration_endpoint.is_none() {
            return Err(AuthError::NoRegistration {
                issuer: server.issuer.clone(),
            });
        }
        let client = flow::register(&self.http, server, metadata).await?;
        st.stored.clients.insert(server.issuer.clone(), client.clone());
        self.save(st).await?;
        Ok(client)
    }

    /// Runs the grant at the server `d` found, asking for `base` scopes
    /// (joined with the current token's); stores the tokens.
    async fn authorize(
        &self,
        st: &mut State,
        d: Discovered,
        base: Vec<String>,
        asked: bool,
    ) -> Result<(), AuthError> {
        if !asked && !self.reauthorize {
            return Err(AuthError::LoginRequired {
                server: self.server.to_string(),
            });
        }
        let prior = st
            .stored
            .tokens
            .as_ref()
            .filter(|t| t.issuer == d.server.issuer)
            .map(|t| scope::parse(t.scope.as_deref()))
            .unwrap_or_default();
        let scope = scope::select(base, prior, self.offline(&d.server));
        let client = self.identity(st, &d.server).await?;
        let dpop = self.dpop_for(st, &d.server)?;
        let endpoint = self.endpoint(&d.server, &client, dpop.as_deref())?;
        let resource = self.resource(&d);
        let scope = scope.as_deref();
        let tokens = match &self.grant {
            Grant::AuthorizationCode { metadata, handler } => {
                flow::authorization_code(
                    &endpoint,
                    &d.server,
                    metadata,
                    handler.as_ref(),
                    &resource,
                    scope,
                    self.authorization_timeout,
                )
                .await?
            }
            Grant::ClientCredentials => flow::client_credentials(&endpoint, &resource, scope).await?,
            Grant::JwtBearer { assertion } => {
                let jwt = assertion.assertion(&d.server.issuer).await?;
                flow::jwt_bearer(&endpoint, &jwt, &resource, scope).await?
            }
            Grant::Enterprise(config) => {
                flow::enterprise(&self.http, &endpoint, config, &resource, scope).await?
            }
        };
        tracing::debug!(issuer = %d.server.issuer, scope = tokens.scope.as_deref().unwrap_or(""), "authorized");
        st.stored.tokens = Some(tokens);
        st.discovered = Some(d);
        st.renewed = Self::authorization(st).map(|h| (h, Renewal::Authorized));
        self.save(st).await
    }

    /// The token endpoint of `server`, with this client's credentials.
    fn endpoint<'a>(
        &'a self,
        server: &'a AuthorizationServerMetadata,
        client: &'a ClientInformation,
        dpop: Option<&'a Dpop>,
    ) -> Result<TokenEndpoint<'a>, AuthError> {
        Ok(TokenEndpoint {
            http: &self.http,
            url: TokenEndpoint::url_of(server)?,
            issuer: &server.issuer,
            client,
            method: AuthMethod::choose(client, server, self.signing_key.is_some()),
            key: self.signing_key.as_ref(),
            dpop,
        })
    }

    /// Refreshes the current token at the server `d` found.
    async fn refresh(&self, st: &mut State, d: &Discovered) -> Result<(), AuthError> {
        let Some(tokens) = st.stored.tokens.clone() else {
            return Err(AuthError::Config("no token".into()));
        };
        let Some(refresh_token) = tokens.refresh_token.clone() else {
            return Err(AuthError::Config("no refresh token".into()));
        };
        let client = self.identity(st, &d.server).await?;
        let dpop = if tokens.token_type == "DPoP" {
            st.dpop.clone()
        } else {
            None
        };
        let endpoint = self.endpoint(&d.server, &client, dpop.as_deref())?;
        let fresh = flow::refresh(&endpoint, &refresh_token, &self.resource(d), None).await?;
        let mut fresh = fresh;
        if fresh.scope.is_none() {
            fresh.scope = tokens.scope;
        }
        st.stored.tokens = Some(fresh);
        st.renewed = Self::authorization(st).map(|h| (h, Renewal::Refreshed));
        self.save(st).await
    }

    async fn discovered(&self, st: &mut State, hinted: Option<&Url>) -> Result<Discovered, AuthError> {
        if let Some(d) = &st.discovered {
            return Ok(d.clone());
        }
        let d = discover(&self.http, &self.server, hinted).await?;
        st.discovered = Some(d.clone());
        Ok(d)
    }

    async fn get_headers(&self, request: &AuthRequest) -> Result<Vec<(String, Secret)>, AuthError> {
        let Ok(url) = Url::parse(&request.url) else {
            return Ok(Vec::new());
        };
        if url.origin() != self.server.origin() {
            // Tokens go to their MCP server only.
            return Ok(Vec::new());
        }
        let mut st = self.state.lock().await;
        self.load(&mut st).await?;
        let expiring = st.stored.tokens.as_ref().is_some_and(|t| {
            t.refresh_token.is_some()
                && t.expires_at
                    .is_some_and(|at| at <= now() + REFRESH_MARGIN.as_secs())
        });
        if expiring {
            let refreshed = match self.discovered(&mut st, None).await {
                Ok(d) => self.refresh(&mut st, &d).await,
                Err(e) => Err(e),
            };
            if let Err(e) = refreshed {
                // The server's 401 will bring a new authorization.
                tracing::debug!(error = %e, "refresh before expiry failed");
            }
        }
        self.headers(&st, request, &url)
    }

    async fn on_challenge(&self, challenge: &AuthChallenge) -> Result<ChallengeOutcome, AuthError> {
        let mut st = self.state.lock().await;
        self.load(&mut st).await?;
        let params: Vec<(String, String)> = challenge
            .www_authenticate
            .iter()
            .filter(|h| {
                let h = h.trim_start().to_ascii_lowercase();
                h.starts_with("bearer") || h.starts_with("dpop")
            })
            .flat_map(|h| challenge_params(h))
            .collect();
        let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let url = Url::parse(&challenge.request.url).ok();
        if param("error") == Some("use_dpop_nonce") {
            return Ok(match (&challenge.dpop_nonce, &st.dpop, &url) {
                (Some(nonce), Some(dpop), Some(url)) => {
                    dpop.set_nonce(url, nonce);
                    ChallengeOutcome::Retry
                }
                _ => ChallengeOutcome::GiveUp,
            });
        }
        // Refused with an older token than the current one: another request
        // already renewed it.
        let current = Self::authorization(&st);
        if current.is_some() && challenge.authorization != current {
            return Ok(ChallengeOutcome::Retry);
        }
        let hinted = param("resource_metadata").and_then(|u| Url::parse(u).ok());
        let challenged = param("scope");
        let d = discover(&self.http, &self.server, hinted.as_ref()).await?;
        if challenge.is_insufficient_scope() {
            let prior = st.stored.tokens.as_ref().and_then(|t| t.scope.clone());
            let wanted = scope::set(
                scope::select(scope::parse(challenged), scope::parse(prior.as_deref()), false).as_deref(),
            );
            let attempts = match &st.step_up {
                Some((set, n)) if *set == wanted => n + 1,
                _ => 1,
            };
            if attempts > self.max_step_ups {
                return Err(AuthError::StepUpLimit {
                    attempts: attempts - 1,
                    scope: wanted.into_iter().collect::<Vec<_>>().join(" "),
                });
            }
            st.step_up = Some((wanted, attempts));
            let base = scope::parse(challenged);
            self.authorize(&mut st, d, base, false).await?;
            return Ok(ChallengeOutcome::Retry);
        }
        // 401: the token (if any) was refused. Refresh once, at the same
        // authorization server; else authorize again. A token this very
        // request was just given by an authorization is not fixed by
        // another authorization.
        let just = st
            .renewed
            .as_ref()
            .filter(|(h, _)| challenge.round > 1 && challenge.authorization.as_ref() == Some(h))
            .map(|(_, how)| *how);
        if just == Some(Renewal::Authorized) {
            return Err(AuthError::TokenRefused {
                server: self.server.to_string(),
                issuer: d.server.issuer.clone(),
            });
        }
        let same_issuer = st
            .stored
            .tokens
            .as_ref()
            .is_some_and(|t| t.issuer == d.server.issuer);
        let can_refresh = just.is_none()
            && same_issuer
            && st
                .stored
                .tokens
                .as_ref()
                .is_some_and(|t| t.refresh_token.is_some());
        if can_refresh {
            match self.refresh(&mut st, &d).await {
                Ok(()) => {
                    st.discovered = Some(d);
                    return Ok(ChallengeOutcome::Retry);
                }
                Err(e) => tracing::debug!(error = %e, "refresh after 401 failed; authorizing again"),
            }
        }
        if !same_issuer {
            // Tokens of another authorization server are of no use here.
            st.stored.tokens = None;
        }
        let base = self.base_scope(challenged, &d);
        self.authorize(&mut st, d, base, false).await?;
        Ok(ChallengeOutcome::Retry)
    }
}

impl ClientAuth for OAuthClientProvider {
    fn get_headers<'a>(
        &'a self,
        request: &'a AuthRequest,
    ) -> BoxFuture<'a, Result<Vec<(String, Secret)>, AuthenticationError>> {
        Box::pin(async move {
            self.inner
                .get_headers(request)
                .await
                .map_err(AuthenticationError::from)
        })
    }

    fn on_challenge<'a>(
        &'a self,
        challenge: &'a AuthChallenge,
    ) -> BoxFuture<'a, Result<ChallengeOutcome, AuthenticationError>> {
        let span = tracing::debug_span!("authorize", server = %self.inner.server, status = challenge.status);
        Box::pin(
            async move {
                self.inner
                    .on_challenge(challenge)
                    .await
                    .map_err(AuthenticationError::from)
            }
            .instrument(span),
        )
    }
}
