//! [`OAuthServer`]: an MCP server behind OAuth on 127.0.0.1, with its own
//! authorization server, for tests of `mcp-auth` and of `mcp login`. One
//! listener serves both: protected resource metadata, authorization server
//! metadata, dynamic registration, `/authorize` (it redirects at once, as
//! if the user had agreed), `/token` (authorization code with PKCE checked,
//! refresh), and `/mcp`, which answers `401` without a valid token and
//! `403 insufficient_scope` when a tool needs a scope the token lacks. It
//! records what it saw, so tests assert on the requests.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct OAuthServerOptions {
    /// `expires_in` of the access tokens it issues (seconds).
    pub expires_in: u64,
    /// Scopes it lists in the protected resource metadata.
    pub scopes_supported: Vec<String>,
    /// The scope `tools/call` needs (`403 insufficient_scope` without it).
    pub call_scope: Option<String>,
    /// Scopes it never grants, even when asked.
    pub withheld_scopes: Vec<String>,
    /// The MCP endpoint refuses every token (a misconfigured server).
    pub refuse_all_tokens: bool,
}

impl Default for OAuthServerOptions {
    fn default() -> Self {
        OAuthServerOptions {
            expires_in: 3600,
            scopes_supported: vec!["read".into()],
            call_scope: None,
            withheld_scopes: Vec::new(),
            refuse_all_tokens: false,
        }
    }
}

/// A request to the token endpoint, as the server saw it.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// The form parameters.
    pub params: BTreeMap<String, String>,
    /// The client id and secret of an `Authorization: Basic` header.
    pub basic: Option<(String, String)>,
}

/// What the server saw and holds.
#[derive(Debug, Default)]
struct State {
    registrations: usize,
    authorizations: Vec<BTreeMap<String, String>>,
    token_requests: Vec<TokenRequest>,
    mcp_authorizations: Vec<Option<String>>,
    codes: BTreeMap<String, (String, Option<String>)>,
    tokens: BTreeMap<String, BTreeSet<String>>,
    refresh_tokens: BTreeMap<String, BTreeSet<String>>,
    clients: BTreeMap<String, String>,
    next: usize,
}

/// The server; it stops when dropped.
#[derive(Debug)]
pub struct OAuthServer {
    origin: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for OAuthServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl OAuthServer {
    /// Starts the server on 127.0.0.1 at a free port.
    pub async fn start(options: OAuthServerOptions) -> std::io::Result<OAuthServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let origin = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::new((origin.clone(), options, state.clone()));
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(handle(&shared.0, &shared.1, &shared.2, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(OAuthServer { origin, state, task })
    }

    /// The MCP endpoint's URL.
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.origin)
    }

    /// The issuer (the origin).
    pub fn issuer(&self) -> &str {
        &self.origin
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut st)
    }

    /// How many clients registered.
    pub fn registrations(&self) -> usize {
        self.with(|s| s.registrations)
    }

    /// The query of every authorization request.
    pub fn authorizations(&self) -> Vec<BTreeMap<String, String>> {
        self.with(|s| s.authorizations.clone())
    }

    /// Every token request.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.with(|s| s.token_requests.clone())
    }

    /// The `Authorization` header of every request to `/mcp`.
    pub fn mcp_authorizations(&self) -> Vec<Option<String>> {
        self.with(|s| s.mcp_authorizations.clone())
    }

    /// Forgets every access token (refresh tokens stay valid): the next
    /// MCP request is answered `401`.
    pub fn revoke_access_tokens(&self) {
        self.with(|s| s.tokens.clear());
    }

    /// Forgets every refresh token too.
    pub fn revoke_refresh_tokens(&self) {
        self.with(|s| s.refresh_tokens.clear());
    }
}

fn reply(status: u16, headers: &[(&str, String)], body: Value) -> Response<Full<Bytes>> {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, v.as_str());
    }
    b.body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn oauth_error(status: u16, error: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        &[],
        json!({"error": error, "error_description": format!("test server: {error}")}),
    )
}

fn form(body: &[u8]) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

async fn handle(
    origin: &str,
    options: &OAuthServerOptions,
    state: &Mutex<State>,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match http_body_util::Limited::new(body, 1 << 20).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return oauth_error(413, "too_large"),
    };
    let path = parts.uri.path().to_owned();
    let query: BTreeMap<String, String> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
    match (parts.method.as_str(), path.as_str()) {
        ("GET", "/.well-known/oauth-protected-resource/mcp") => reply(
            200,
            &[],
            json!({"resource": format!("{origin}/mcp"), "authorization_servers": [origin], "scopes_supported": options.scopes_supported}),
        ),
        ("GET", "/.well-known/oauth-authorization-server") => reply(
            200,
            &[],
            json!({
                "issuer": origin,
                "authorization_endpoint": format!("{origin}/authorize"),
                "token_endpoint": format!("{origin}/token"),
                "registration_endpoint": format!("{origin}/register"),
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "authorization_response_iss_parameter_supported": true
            }),
        ),
        ("POST", "/register") => {
            st.registrations += 1;
            st.next += 1;
            let id = format!("client-{}", st.next);
            let secret = format!("secret-{}", st.next);
            st.clients.insert(id.clone(), secret.clone());
            let meta: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            reply(
                201,
                &[],
                json!({"client_id": id, "client_secret": secret, "redirect_uris": meta["redirect_uris"], "token_endpoint_auth_method": "client_secret_basic"}),
            )
        }
        ("GET", "/authorize") => {
            st.authorizations.push(query.clone());
            let (Some(redirect), Some(challenge)) = (query.get("redirect_uri"), query.get("code_challenge"))
            else {
                return oauth_error(400, "invalid_request");
            };
            if query.get("code_challenge_method").map(String::as_str) != Some("S256") {
                return oauth_error(400, "invalid_request");
            }
            st.next += 1;
            let code = format!("code-{}", st.next);
            st.codes
                .insert(code.clone(), (challenge.clone(), query.get("scope").cloned()));
            let mut to = match url::Url::parse(redirect) {
                Ok(u) => u,
                Err(_) => return oauth_error(400, "invalid_request"),
            };
            {
                let mut q = to.query_pairs_mut();
                q.append_pair("code", &code).append_pair("iss", origin);
                if let Some(s) = query.get("state") {
                    q.append_pair("state", s);
                }
            }
            reply(302, &[("location", to.to_string())], json!({}))
        }
        ("POST", "/token") => {
            let params = form(&body);
            let basic = header("authorization")
                .and_then(|h| h.strip_prefix("Basic ").map(str::to_owned))
                .and_then(|b| STANDARD.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
            st.token_requests.push(TokenRequest {
                params: params.clone(),
                basic: basic.clone(),
            });
            let authenticated = basic
                .as_ref()
                .is_some_and(|(id, secret)| st.clients.get(id) == Some(secret));
            if !authenticated {
                return oauth_error(401, "invalid_client");
            }
            if params.get("resource").map(String::as_str) != Some(&format!("{origin}/mcp")) {
                return oauth_error(400, "invalid_target");
            }
            let granted = match params.get("grant_type").map(String::as_str) {
                Some("authorization_code") => {
                    let Some((challenge, scope)) = params.get("code").and_then(|c| st.codes.remove(c)) else {
                        return oauth_error(400, "invalid_grant");
                    };
                    let verifier = params.get("code_verifier").cloned().unwrap_or_default();
                    let computed = URL_SAFE_NO_PAD.encode(sha256(verifier.as_bytes()));
                    if computed != challenge {
                        return oauth_error(400, "invalid_grant");
                    }
                    scope
                        .unwrap_or_default()
                        .split_whitespace()
                        .filter(|s| !options.withheld_scopes.iter().any(|w| w == s))
                        .map(str::to_owned)
                        .collect::<BTreeSet<String>>()
                }
                Some("refresh_token") => match params
                    .get("refresh_token")
                    .and_then(|r| st.refresh_tokens.remove(r))
                {
                    Some(scopes) => scopes,
                    None => return oauth_error(400, "invalid_grant"),
                },
                _ => return oauth_error(400, "unsupported_grant_type"),
            };
            st.next += 1;
            let access = format!("at-{}", st.next);
            let refresh = format!("rt-{}", st.next);
            st.tokens.insert(access.clone(), granted.clone());
            st.refresh_tokens.insert(refresh.clone(), granted.clone());
            let scope = granted.into_iter().collect::<Vec<_>>().join(" ");
            reply(
                200,
                &[],
                json!({"access_token": access, "token_type": "Bearer", "expires_in": options.expires_in, "refresh_token": refresh, "scope": scope}),
            )
        }
        ("POST", "/mcp") => {
            let auth = header("authorization");
            st.mcp_authorizations.push(auth.clone());
            let metadata = format!("{origin}/.well-known/oauth-protected-resource/mcp");
            let scopes = auth
                .as_deref()
                .and_then(|a| a.strip_prefix("Bearer "))
                .and_then(|t| st.tokens.get(t).cloned())
                .filter(|_| !options.refuse_all_tokens);
            let Some(scopes) = scopes else {
                return reply(
                    401,
                    &[(
                        "www-authenticate",
                        format!("Bearer resource_metadata=\"{metadata}\""),
                    )],
                    json!({"error": "invalid_token"}),
                );
            };
            let message: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            mcp(&message, &scopes, options, &metadata)
        }
        _ => oauth_error(404, "not_found"),
    }
}

/// SHA-256, for the PKCE check.
fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

fn mcp(
    message: &Value,
    scopes: &BTreeSet<String>,
    options: &OAuthServerOptions,
    metadata: &str,
) -> Response<Full<Bytes>> {
    let id = message.get("id").cloned();
    let method = message.get("method").and_then(Value::as_str).unwrap_or("");
    let Some(id) = id else {
        return Response::builder()
            .status(StatusCode::ACCEPTED)
            .body(Full::new(Bytes::new()))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
    };
    let result = match method {
        "initialize" => json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "oauth-test-server", "version": "1.0.0"}
        }),
        "ping" => json!({}),
        "tools/list" => {
            json!({"tools": [{"name": "whoami", "description": "The scopes of the caller's token.", "inputSchema": {"type": "object"}}]})
        }
        "tools/call" => {
            if let Some(needed) = &options.call_scope {
                if !scopes.contains(needed) {
                    return reply(
                        403,
                        &[(
                            "www-authenticate",
                            format!("Bearer error=\"insufficient_scope\", scope=\"{needed}\", resource_metadata=\"{metadata}\""),
                        )],
                        json!({"error": "insufficient_scope"}),
                    );
                }
            }
            let granted = scopes.iter().cloned().collect::<Vec<_>>().join(" ");
            json!({"content": [{"type": "text", "text": granted}]})
        }
        _ => {
            return reply(
                200,
                &[],
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": format!("method not found: {method}")}}),
            )
        }
    };
    reply(200, &[], json!({"jsonrpc": "2.0", "id": id, "result": result}))
}
