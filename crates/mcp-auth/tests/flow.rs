//! The OAuth provider end to end, through a session over HTTP, against the
//! test kit's loopback MCP server and authorization server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mcp_auth::url::Url;
use mcp_auth::{
    AuthError, AuthorizationResponse, ClientAuth, ClientMetadata, FileStorage, Grant, OAuthClientProvider,
    TokenStorage,
};
use mcp_client::auth::AuthRequest;
use mcp_client::{ClientSession, ClientSessionOptions, ProtocolMode};
use mcp_testkit::{OAuthServer, OAuthServerOptions};
use mcp_transport_http::StreamableHttpParameters;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);
const REDIRECT: &str = "http://127.0.0.1:1/callback";

/// A user who agrees at once: follows the authorization URL to its
/// redirect and hands the redirect back; counts the authorizations.
fn user(count: Arc<AtomicUsize>) -> Grant {
    let handler = move |url: Url| {
        let count = count.clone();
        async move {
            count.fetch_add(1, Ordering::SeqCst);
            let (status, location) = get(&url).await;
            let location =
                location.ok_or_else(|| AuthError::Handler(format!("HTTP {status} without a redirect")))?;
            AuthorizationResponse::from_redirect_url(&location)
        }
    };
    Grant::AuthorizationCode {
        metadata: ClientMetadata::new("flow-test", REDIRECT),
        handler: Arc::new(handler),
    }
}

/// GET over plain HTTP/1.1 on loopback, without following redirects.
async fn get(url: &Url) -> (u16, Option<String>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = format!("{}:{}", url.host_str().expect("host"), url.port().expect("port"));
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let req = format!(
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        url.host_str().expect("host")
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.expect("read");
    let text = String::from_utf8_lossy(&buf);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let location = text
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .map(|l| l.trim().to_owned());
    (status, location)
}

async fn session(server: &OAuthServer, provider: &OAuthClientProvider) -> ClientSession {
    let params = StreamableHttpParameters::new(server.mcp_url()).auth(Arc::new(provider.clone()));
    let options = ClientSessionOptions::new().protocol(ProtocolMode::Initialize);
    tokio::time::timeout(WAIT, ClientSession::connect(params, options))
        .await
        .expect("in time")
        .expect("connects")
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-auth-flow-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("credentials.json")
}

#[tokio::test]
async fn a_restarted_program_reuses_and_refreshes_its_stored_tokens() {
    // Tokens that expire within the refresh margin: every new use refreshes.
    let server = OAuthServer::start(OAuthServerOptions {
        expires_in: 30,
        ..Default::default()
    })
    .await
    .expect("server");
    let path = scratch("restart");
    let count = Arc::new(AtomicUsize::new(0));
    let build = || {
        OAuthClientProvider::builder(server.mcp_url(), user(count.clone()))
            .storage(Arc::new(FileStorage::new(&path)))
            .build()
            .expect("provider")
    };
    let first = build();
    let s = session(&server, &first).await;
    let tools = s.list_tools(None).await.expect("tools/list");
    assert_eq!(tools.tools[0].name, "whoami");
    s.close().await;
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(server.registrations(), 1);
    // The authorization asked for the resource and the listed scope, with
    // PKCE S256 and state.
    let auth = &server.authorizations()[0];
    assert_eq!(auth["resource"], server.mcp_url());
    assert_eq!(auth["scope"], "read");
    assert_eq!(auth["code_challenge_method"], "S256");
    assert!(auth.contains_key("state"));
    drop(first);

    // "Restart": a new provider on the same file authorizes nobody again; it
    // refreshes (the token is about to expire) with the stored client secret
    // and the resource.
    let second = build();
    let s = session(&server, &second).await;
    let out = s.call_tool("whoami", json!({})).await.expect("tools/call");
    assert!(!out.is_error.unwrap_or(false));
    s.close().await;
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "no new authorization after the restart"
    );
    assert_eq!(server.registrations(), 1, "the stored registration is reused");
    let refresh = server
        .token_requests()
        .into_iter()
        .find(|r| r.params.get("grant_type").map(String::as_str) == Some("refresh_token"))
        .expect("a refresh");
    assert_eq!(refresh.params["resource"], server.mcp_url());
    let (id, secret) = refresh.basic.expect("client_secret_basic");
    assert!(id.starts_with("client-") && secret.starts_with("secret-"));
    // The file holds the tokens, and only its owner can read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&path).expect("file").permissions().mode() & 0o777,
            0o600
        );
    }
    let stored = FileStorage::new(&path)
        .load(&server.mcp_url())
        .await
        .expect("load")
        .expect("stored");
    assert!(stored.tokens.is_some());
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}

#[tokio::test]
async fn a_revoked_token_is_refreshed_once_then_authorized_again() {
    let server = OAuthServer::start(OAuthServerOptions::default())
        .await
        .expect("server");
    let count = Arc::new(AtomicUsize::new(0));
    let provider = OAuthClientProvider::builder(server.mcp_url(), user(count.clone()))
        .build()
        .expect("provider");
    let s = session(&server, &provider).await;
    server.revoke_access_tokens();
    s.list_tools(None).await.expect("refreshed after the 401");
    assert_eq!(count.load(Ordering::SeqCst), 1, "a refresh, not an authorization");
    server.revoke_access_tokens();
    server.revoke_refresh_tokens();
    s.list_tools(None)
        .await
        .expect("authorized again after the refresh failed");
    assert_eq!(count.load(Ordering::SeqCst), 2);
    s.close().await;
}

#[tokio::test]
async fn step_up_asks_for_the_union_and_gives_up_after_its_limit() {
    // tools/call needs `write`, which the server lists but never grants.
    let server = OAuthServer::start(OAuthServerOptions {
        call_scope: Some("write".into()),
        withheld_scopes: vec!["write".into()],
        ..Default::default()
    })
    .await
    .expect("server");
    let count = Arc::new(AtomicUsize::new(0));
    let provider = OAuthClientProvider::builder(server.mcp_url(), user(count.clone()))
        .build()
        .expect("provider");
    let s = session(&server, &provider).await;
    let err = s.call_tool("whoami", json!({})).await.expect_err("never granted");
    assert!(err.is_auth(), "{err}");
    let auth = err.authentication().expect("the authorization failure");
    let text = auth.to_string();
    assert!(text.contains("step-up") && text.contains("write"), "{text}");
    let source = std::error::Error::source(auth).expect("the OAuth cause");
    assert!(
        matches!(
            source.downcast_ref::<AuthError>(),
            Some(AuthError::StepUpLimit { .. })
        ),
        "{source}"
    );
    let auths = server.authorizations();
    // The first authorization, then DEFAULT_MAX_STEP_UPS step-ups, each
    // asking for what was granted and what the server asked for.
    assert_eq!(
        auths.len(),
        1 + mcp_auth::DEFAULT_MAX_STEP_UPS as usize,
        "{auths:?}"
    );
    for a in &auths[1..] {
        let scopes: Vec<&str> = a["scope"].split(' ').collect();
        assert!(scopes.contains(&"read") && scopes.contains(&"write"), "{a:?}");
    }
    // Listing still works with the token it has.
    s.list_tools(None).await.expect("tools/list");
    s.close().await;
}

#[tokio::test]
async fn tokens_go_to_their_server_only_and_never_show() {
    let server = OAuthServer::start(OAuthServerOptions::default())
        .await
        .expect("server");
    let count = Arc::new(AtomicUsize::new(0));
    let provider = OAuthClientProvider::builder(server.mcp_url(), user(count))
        .build()
        .expect("provider");
    let s = session(&server, &provider).await;
    s.close().await;
    let tokens = provider.tokens().await.expect("tokens").expect("some");
    let here = provider
        .get_headers(&AuthRequest::new("POST", server.mcp_url()))
        .await
        .expect("headers");
    assert_eq!(
        here[0].1.expose(),
        format!("Bearer {}", tokens.access_token.expose())
    );
    let elsewhere = provider
        .get_headers(&AuthRequest::new("POST", "http://127.0.0.1:9/mcp"))
        .await
        .expect("headers");
    assert!(elsewhere.is_empty(), "a token went to another origin");
    let debug = format!("{tokens:?} {provider:?} {here:?}");
    assert!(!debug.contains(tokens.access_token.expose()), "{debug}");
}

#[tokio::test]
async fn a_server_that_refuses_every_token_ends_in_a_clear_error_not_a_loop() {
    let server = OAuthServer::start(OAuthServerOptions {
        refuse_all_tokens: true,
        ..Default::default()
    })
    .await
    .expect("server");
    let count = Arc::new(AtomicUsize::new(0));
    let provider = OAuthClientProvider::builder(server.mcp_url(), user(count.clone()))
        .build()
        .expect("provider");
    let params = StreamableHttpParameters::new(server.mcp_url()).auth(Arc::new(provider.clone()));
    let options = ClientSessionOptions::new().protocol(ProtocolMode::Initialize);
    let err = tokio::time::timeout(WAIT, ClientSession::connect(params, options))
        .await
        .expect("in time")
        .expect_err("refused");
    assert!(err.is_auth(), "{err}");
    let auth = err.authentication().expect("authorization failure");
    let source = std::error::Error::source(auth).expect("cause");
    assert!(
        matches!(
            source.downcast_ref::<AuthError>(),
            Some(AuthError::TokenRefused { .. })
        ),
        "{source}"
    );
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "one authorization, not one per round"
    );
    // Once: the request that brought the token, and its retry.
    assert_eq!(
        server.mcp_authorizations().len(),
        2,
        "{:?}",
        server.mcp_authorizations()
    );
}
