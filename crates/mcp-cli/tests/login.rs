//! `mcp login`, then commands that reuse (and refresh) the stored token
//! across processes, then `mcp logout`, against the test kit's loopback MCP
//! server behind OAuth. The test plays the browser: it reads the
//! authorization URL that `mcp login` prints, follows it to the redirect and
//! delivers the redirect to the loopback port `mcp` listens on.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{stderr, stdout, temp_dir};
use mcp_testkit::{OAuthServer, OAuthServerOptions};

fn mcp_with(creds: &std::path::Path, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcp"))
        .args(args)
        .env("MCP_CREDENTIALS", creds)
        .env("MCP_NO_BROWSER", "1")
        .env("NO_COLOR", "1")
        .env_remove("MCP_LOG")
        .output()
        .expect("the mcp binary runs")
}

/// GET `url` (plain HTTP on loopback) without following redirects: status
/// and `Location`.
fn get(url: &str) -> (u16, Option<String>) {
    let rest = url.strip_prefix("http://").expect("http");
    let (host, target) = rest
        .split_once('/')
        .map(|(h, t)| (h, format!("/{t}")))
        .expect("path");
    let mut s = std::net::TcpStream::connect(host).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let location = text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("location").then(|| v.trim().to_owned())
    });
    (status, location)
}

/// Runs `mcp login --url URL`, playing the user's browser.
fn login(creds: &std::path::Path, url: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp"))
        .args(["login", "--url", url])
        .env("MCP_CREDENTIALS", creds)
        .env("MCP_NO_BROWSER", "1")
        .env("NO_COLOR", "1")
        .env_remove("MCP_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mcp login starts");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    let mut line = String::new();
    let auth_url = loop {
        line.clear();
        if err.read_line(&mut line).expect("stderr") == 0 {
            panic!("mcp login printed no authorization URL:\n{seen}");
        }
        seen.push_str(&line);
        if let Some(u) = line
            .trim()
            .strip_prefix("http://")
            .filter(|u| u.contains("/authorize?"))
        {
            break format!("http://{u}");
        }
    };
    let (status, location) = get(&auth_url);
    assert_eq!(status, 302, "the authorization server redirects");
    let callback = location.expect("a redirect");
    assert!(callback.starts_with("http://127.0.0.1:"), "{callback}");
    let (status, _) = get(&callback);
    assert_eq!(status, 200, "mcp took the redirect");
    let mut rest = String::new();
    err.read_to_string(&mut rest).expect("stderr");
    seen.push_str(&rest);
    let code = child.wait().expect("mcp login exits").code().unwrap_or(-1);
    (code, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_then_commands_reuse_and_refresh_the_stored_token_then_logout() {
    let server = OAuthServer::start(OAuthServerOptions::default())
        .await
        .expect("server");
    let url = server.mcp_url();
    let dir = temp_dir("login");
    let creds = dir.join("config").join("credentials.json");
    let _ = std::fs::remove_file(&creds);

    // Before login: a clear error that says what to do, not a hang.
    let (c, u) = (creds.clone(), url.clone());
    let o = tokio::task::spawn_blocking(move || mcp_with(&c, &["tools".into(), "--url".into(), u]))
        .await
        .expect("ran");
    assert_eq!(o.status.code(), Some(3), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("mcp login --url"), "{}", stderr(&o));
    assert_eq!(server.authorizations().len(), 0);

    let (c, u) = (creds.clone(), url.clone());
    let (code, text) = tokio::task::spawn_blocking(move || login(&c, &u))
        .await
        .expect("ran");
    assert_eq!(code, 0, "mcp login:\n{text}");
    assert!(text.contains("Logged in to"), "{text}");
    assert_eq!(server.authorizations().len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&creds)
            .expect("credentials file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let stored = std::fs::read_to_string(&creds).expect("credentials");
    assert!(!text.contains("at-"), "a token was printed: {text}");

    // A new process uses the stored token: no new authorization.
    let (c, u) = (creds.clone(), url.clone());
    let o = tokio::task::spawn_blocking(move || {
        mcp_with(&c, &["call".into(), "whoami".into(), "--url".into(), u])
    })
    .await
    .expect("ran");
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("read"), "{}", stdout(&o));
    assert_eq!(server.authorizations().len(), 1);
    let bearer = server
        .mcp_authorizations()
        .last()
        .cloned()
        .flatten()
        .expect("a token");
    assert!(
        stored.contains(bearer.trim_start_matches("Bearer ")),
        "the stored token was used"
    );

    // The access token is revoked: the next process refreshes it (once,
    // with the stored client secret) and goes on, still without a login.
    server.revoke_access_tokens();
    let (c, u) = (creds.clone(), url.clone());
    let o = tokio::task::spawn_blocking(move || mcp_with(&c, &["tools".into(), "--url".into(), u]))
        .await
        .expect("ran");
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("whoami"), "{}", stdout(&o));
    assert_eq!(server.authorizations().len(), 1);
    let refreshes: Vec<_> = server
        .token_requests()
        .into_iter()
        .filter(|r| r.params.get("grant_type").map(String::as_str) == Some("refresh_token"))
        .collect();
    assert_eq!(refreshes.len(), 1);
    assert!(
        refreshes[0].basic.is_some(),
        "the refresh authenticated the client"
    );

    // Logout forgets the tokens: commands fail again, saying to log in.
    let (c, u) = (creds.clone(), url.clone());
    let o = tokio::task::spawn_blocking(move || mcp_with(&c, &["logout".into(), "--url".into(), u]))
        .await
        .expect("ran");
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let (c, u) = (creds.clone(), url.clone());
    let o = tokio::task::spawn_blocking(move || mcp_with(&c, &["tools".into(), "--url".into(), u]))
        .await
        .expect("ran");
    assert_eq!(o.status.code(), Some(3), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("mcp login"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
