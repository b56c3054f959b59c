//! `mcp login --url URL` and `mcp logout --url URL`, and the stored
//! credentials every later `mcp --url URL …` uses (and refreshes): one JSON
//! file, `0600`, at `$MCP_CREDENTIALS`, else
//! `$XDG_CONFIG_HOME/mcp/credentials.json`, else
//! `~/.config/mcp/credentials.json`.
//!
//! Login is the authorization code flow with a loopback redirect (RFC
//! 8252): `mcp` listens on `127.0.0.1` at a free port, prints the
//! authorization URL (and opens a browser where there is a desktop), and
//! takes the code from the one redirect that comes back.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mcp_auth::url::Url;
use mcp_auth::{AuthError, AuthorizationResponse, ClientMetadata, FileStorage, Grant, OAuthClientProvider};
use tokio::sync::oneshot;

use crate::args::Cli;
use crate::{Outcome, UsageError};

/// The credentials file.
pub(crate) fn credentials_path() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("MCP_CREDENTIALS").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(dir).join("mcp").join("credentials.json"));
    }
    let home = std::env::var_os("HOME")
        .filter(|p| !p.is_empty())
        .context("no HOME, XDG_CONFIG_HOME or MCP_CREDENTIALS to keep credentials in")?;
    Ok(PathBuf::from(home)
        .join(".config")
        .join("mcp")
        .join("credentials.json"))
}

fn url(cli: &Cli, command: &str) -> Result<String> {
    let url = cli.url.clone().ok_or_else(|| {
        UsageError(format!(
            "`mcp {command}` needs --url URL (an http:// or https:// MCP endpoint)"
        ))
    })?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(UsageError(format!("`mcp {command}` takes an http:// or https:// --url")).into());
    }
    Ok(url)
}

/// The provider a command that is not `login` uses: stored tokens,
/// refreshed, never a new authorization.
pub(crate) fn stored_provider(url: &str, timeout: Duration) -> Result<OAuthClientProvider> {
    let grant = Grant::AuthorizationCode {
        metadata: ClientMetadata::new("mcp (command line)", "http://127.0.0.1/callback"),
        handler: Arc::new(|_url: Url| async { Err(AuthError::Handler("not logged in".into())) }),
    };
    Ok(OAuthClientProvider::builder(url, grant)
        .storage(Arc::new(FileStorage::new(credentials_path()?)))
        .timeout(timeout)
        .reauthorize(false)
        .build()?)
}

/// `mcp login --url URL`.
pub(crate) async fn login(cli: &Cli) -> Result<Outcome> {
    let url = url(cli, "login")?;
    let timeout = crate::connect::timeout(cli)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("could not listen on 127.0.0.1 for the authorization redirect")?;
    let redirect = format!("http://127.0.0.1:{}/callback", listener.local_addr()?.port());
    let (tx, rx) = oneshot::channel::<AuthorizationResponse>();
    let callback = tokio::spawn(serve_callback(listener, tx));
    let rx = Arc::new(Mutex::new(Some(rx)));
    let handler = move |auth_url: Url| {
        let rx = rx.clone();
        async move {
            tell!("Open this URL to authorize (waiting for the redirect to this machine):\n\n  {auth_url}\n");
            open_browser(auth_url.as_str());
            let rx = rx
                .lock()
                .ok()
                .and_then(|mut r| r.take())
                .ok_or_else(|| AuthError::Handler("the redirect listener is already used".into()))?;
            rx.await
                .map_err(|_| AuthError::Handler("the redirect listener stopped".into()))
        }
    };
    let grant = Grant::AuthorizationCode {
        metadata: ClientMetadata::new("mcp (command line)", redirect),
        handler: Arc::new(handler),
    };
    let path = credentials_path()?;
    let provider = OAuthClientProvider::builder(&url, grant)
        .storage(Arc::new(FileStorage::new(&path)))
        .timeout(timeout)
        .build()?;
    let result = provider.authorize().await;
    callback.abort();
    let tokens = result.with_context(|| format!("logging in to {url}"))?;
    let scope = tokens
        .scope
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("(none named)");
    tell!(
        "Logged in to {} (issuer {}, scope {}); credentials in {}",
        crate::render::escape_server_text(&url, 200),
        crate::render::escape_server_text(&tokens.issuer, 200),
        crate::render::escape_server_text(scope, 200),
        path.display()
    );
    Ok(Outcome::Success)
}

/// `mcp logout --url URL`.
pub(crate) async fn logout(cli: &Cli) -> Result<Outcome> {
    let url = url(cli, "logout")?;
    let provider = stored_provider(&url, crate::connect::timeout(cli)?)?;
    provider
        .logout()
        .await
        .with_context(|| format!("logging out of {url}"))?;
    tell!("Logged out of {}", crate::render::escape_server_text(&url, 200));
    Ok(Outcome::Success)
}

/// Answers requests on the loopback listener until one brings the
/// authorization response to `/callback`.
async fn serve_callback(listener: tokio::net::TcpListener, tx: oneshot::Sender<AuthorizationResponse>) {
    let tx = Arc::new(Mutex::new(Some(tx)));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let tx = tx.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let tx = tx.clone();
                async move {
                    let (status, text) = if req.uri().path() == "/callback" {
                        let pairs = url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                            .into_owned()
                            .collect::<Vec<_>>();
                        let response = AuthorizationResponse::from_query_pairs(pairs);
                        match tx.lock().ok().and_then(|mut t| t.take()) {
                            Some(tx) => {
                                let _ = tx.send(response);
                                (200, "Authorization received; you can close this page and return to the terminal.\n")
                            }
                            None => (409, "This authorization was already received.\n"),
                        }
                    } else {
                        (404, "Not found.\n")
                    };
                    let reply = hyper::Response::builder()
                        .status(status)
                        .header("content-type", "text/plain; charset=utf-8")
                        .body(Full::new(Bytes::from_static(text.as_bytes())))
                        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())));
                    Ok::<_, Infallible>(reply)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Opens `url` in a browser where there is a desktop to show it (never
/// with `MCP_NO_BROWSER` set); the URL is printed either way.
fn open_browser(url: &str) {
    if std::env::var_os("MCP_NO_BROWSER").is_some() {
        return;
    }
    let opener = if cfg!(target_os = "macos") {
        Some("open")
    } else if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() {
        Some("xdg-open")
    } else {
        None
    };
    if let Some(opener) = opener {
        let _ = std::process::Command::new(opener)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}
