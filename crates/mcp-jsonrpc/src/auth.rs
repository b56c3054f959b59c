//! The authorization seam: what a transport asks of whoever holds the
//! credentials ([`ClientAuth`]), a static token ([`BearerToken`]), the error
//! every authorization failure becomes ([`AuthenticationError`]), and a
//! string that never shows itself ([`Secret`]).
//!
//! A transport knows only this trait: it adds [`ClientAuth::get_headers`] to
//! every request (the HTTP POSTs and GETs, the WebSocket upgrade) and, when
//! the server refuses one with `401 Unauthorized` or `403 Forbidden`
//! (`insufficient_scope`), tells [`ClientAuth::on_challenge`] and sends the
//! request again when it says so. OAuth (discovery, registration, the
//! authorization code flow, refresh, step-up) lives in the `mcp-auth` crate,
//! which implements the trait; a static token costs no OAuth or crypto code.
//!
//! ```
//! use std::sync::Arc;
//!
//! use mcp_jsonrpc::auth::{AuthRequest, BearerToken, ClientAuth};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), mcp_jsonrpc::auth::AuthenticationError> {
//! let auth: Arc<dyn ClientAuth> = Arc::new(BearerToken::new("s3cr3t"));
//! let headers = auth.get_headers(&AuthRequest::new("POST", "https://example.com/mcp")).await?;
//! assert_eq!(headers[0].0, "Authorization");
//! assert_eq!(headers[0].1.expose(), "Bearer s3cr3t");
//! // Secrets never show in Debug output.
//! assert!(!format!("{headers:?}").contains("s3cr3t"));
//! # Ok(())
//! # }
//! ```

use std::fmt;

use crate::boxed::{BoxError, BoxFuture};
use crate::text::excerpt;

/// Most times a transport sends one request again after an authorization
/// challenge (a 401 answered by new credentials, then step-ups on 403):
/// 4. A provider that keeps saying "retry" cannot loop a request forever.
pub const MAX_AUTH_ROUNDS: u32 = 4;

/// A string that must not leak: a token, a client secret, a key. Its
/// `Debug` and `Display` print `***`; [`expose`](Secret::expose) gives the
/// value to the code that must send it.
///
/// It serializes as the plain string (for token storage that must keep it).
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for an empty secret.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// The request a transport is about to send, as credentials may need it
/// (a DPoP proof signs the method and the URL).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthRequest {
    /// The HTTP method (`POST`, `GET`, `DELETE`).
    pub method: String,
    /// The URL the request goes to.
    pub url: String,
}

impl AuthRequest {
    /// A request with `method` to `url`.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        AuthRequest {
            method: method.into(),
            url: url.into(),
        }
    }
}

/// A server's refusal of a request for want of (enough) authorization.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthChallenge {
    /// The request that was refused.
    pub request: AuthRequest,
    /// The HTTP status: 401, or 403.
    pub status: u16,
    /// Every `WWW-Authenticate` header of the answer, as sent.
    pub www_authenticate: Vec<String>,
    /// The `DPoP-Nonce` header of the answer, if any.
    pub dpop_nonce: Option<String>,
    /// The `Authorization` header the refused request carried, if any: a
    /// provider compares it with its current token to tell a stale request
    /// (another one already brought new credentials) from a real refusal.
    pub authorization: Option<Secret>,
    /// Which refusal of this one request it is: 1 for the first; 2 and
    /// more when the credentials the provider supplied after the previous
    /// refusal were refused in turn.
    pub round: u32,
}

impl AuthChallenge {
    /// A challenge with `status` to `request`, without headers.
    pub fn new(request: AuthRequest, status: u16) -> Self {
        AuthChallenge {
            request,
            status,
            www_authenticate: Vec::new(),
            dpop_nonce: None,
            authorization: None,
            round: 1,
        }
    }

    /// True for a 403 whose challenge says `error="insufficient_scope"`.
    pub fn is_insufficient_scope(&self) -> bool {
        self.status == 403
            && self
                .www_authenticate
                .iter()
                .any(|h| h.to_ascii_lowercase().contains("insufficient_scope"))
    }

    /// Whether a transport should hand this answer to [`ClientAuth`]: a
    /// 401, or a 403 for an insufficient scope (any other 403 is final).
    pub fn is_challenge(status: u16, www_authenticate: &[String]) -> bool {
        status == 401
            || (status == 403
                && www_authenticate
                    .iter()
                    .any(|h| h.to_ascii_lowercase().contains("insufficient_scope")))
    }
}

/// What [`ClientAuth::on_challenge`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChallengeOutcome {
    /// New credentials are ready: send the request again.
    Retry,
    /// Nothing more can be done: the refusal is final.
    GiveUp,
}

/// Supplies credentials to a transport: headers for every request, and what
/// to do when the server refuses one. Implemented by [`BearerToken`] and by
/// the OAuth provider of the `mcp-auth` crate; any type can implement it
/// (an API key header, a token from a vault).
///
/// Calls may come concurrently from several requests; an implementation
/// serializes what must be done once (one authorization for many refused
/// requests).
pub trait ClientAuth: Send + Sync + 'static {
    /// The headers to add to `request` (typically `Authorization`).
    fn get_headers<'a>(
        &'a self,
        request: &'a AuthRequest,
    ) -> BoxFuture<'a, Result<Vec<(String, Secret)>, AuthenticationError>>;

    /// The server refused a request with `challenge`. Return
    /// [`ChallengeOutcome::Retry`] once new credentials are in place (the
    /// transport then calls [`get_headers`](ClientAuth::get_headers) and
    /// sends the request again, at most [`MAX_AUTH_ROUNDS`] times), or
    /// [`ChallengeOutcome::GiveUp`]. The default gives up.
    fn on_challenge<'a>(
        &'a self,
        challenge: &'a AuthChallenge,
    ) -> BoxFuture<'a, Result<ChallengeOutcome, AuthenticationError>> {
        let _ = challenge;
        Box::pin(async { Ok(ChallengeOutcome::GiveUp) })
    }
}

/// A static bearer token (the seed's `ClientAuth(token=…)`): sent as
/// `Authorization: Bearer <token>` on every request; a refusal is final.
#[derive(Debug, Clone)]
pub struct BearerToken {
    header: Secret,
}

impl BearerToken {
    /// A provider of `Authorization: Bearer <token>`.
    pub fn new(token: impl Into<String>) -> Self {
        BearerToken {
            header: Secret::new(format!("Bearer {}", token.into())),
        }
    }
}

impl ClientAuth for BearerToken {
    fn get_headers<'a>(
        &'a self,
        _request: &'a AuthRequest,
    ) -> BoxFuture<'a, Result<Vec<(String, Secret)>, AuthenticationError>> {
        let headers = vec![("Authorization".to_owned(), self.header.clone())];
        Box::pin(async move { Ok(headers) })
    }
}

/// Authorization failed: the server refused the credentials (or there were
/// none), or getting credentials failed (discovery, registration, the
/// token endpoint, the user's authorization step).
///
/// The message says what failed and what to do; [`url`](Self::url),
/// [`status`](Self::status), [`oauth_error`](Self::oauth_error) and
/// [`error_description`](Self::error_description) give the facts, and the
/// [`source`](std::error::Error::source) the cause (for OAuth, the
/// `mcp_auth::AuthError`). It never holds a token or a secret.
#[derive(Debug)]
pub struct AuthenticationError(Box<Facts>);

/// What an [`AuthenticationError`] knows, boxed so that the error (and
/// every error that wraps it) stays one pointer wide.
#[derive(Debug)]
struct Facts {
    message: String,
    url: Option<String>,
    status: Option<u16>,
    oauth_error: Option<String>,
    error_description: Option<String>,
    source: Option<BoxError>,
}

/// Longest `error_description` kept from a server.
const DESCRIPTION_LEN: usize = 300;

impl AuthenticationError {
    /// An error saying `message` (what failed, and what to do).
    pub fn new(message: impl Into<String>) -> Self {
        AuthenticationError(Box::new(Facts {
            message: message.into(),
            url: None,
            status: None,
            oauth_error: None,
            error_description: None,
            source: None,
        }))
    }

    /// The server at `challenge.request.url` refused the request and no
    /// credentials could change its mind.
    pub fn refused(challenge: &AuthChallenge, configured: bool) -> Self {
        let what = if challenge.is_insufficient_scope() {
            "refused the request for want of scope"
        } else if challenge.status == 403 {
            "forbade the request"
        } else {
            "requires authorization"
        };
        let hint = if configured {
            "the credentials were refused; check them, or authorize again (`mcp login`)"
        } else {
            "configure credentials: a bearer token, or OAuth with the mcp-auth crate (`mcp login --url URL`)"
        };
        let mut e = AuthenticationError::new(format!(
            "the MCP server at {} {what} (HTTP {}); {hint}",
            challenge.request.url, challenge.status
        ))
        .with_url(challenge.request.url.clone())
        .with_status(challenge.status);
        if let Some((code, desc)) = challenge.www_authenticate.iter().find_map(|h| bearer_error(h)) {
            e = e.with_oauth_error(code, desc);
        }
        e
    }

    /// With the URL that failed.
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.0.url = Some(url.into());
        self
    }

    /// With the HTTP status that failed.
    pub fn with_status(mut self, status: u16) -> Self {
        self.0.status = Some(status);
        self
    }

    /// With the OAuth `error` code and `error_description` (escaped and cut
    /// to a few hundred characters: it comes from the server).
    pub fn with_oauth_error(mut self, error: impl Into<String>, description: Option<String>) -> Self {
        self.0.oauth_error = Some(excerpt(error.into().as_bytes(), 100));
        self.0.error_description = description.map(|d| excerpt(d.as_bytes(), DESCRIPTION_LEN));
        self
    }

    /// With the cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.0.source = Some(source.into());
        self
    }

    /// The URL that failed, if one did.
    pub fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// The HTTP status that failed, if any.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// The OAuth `error` code (`invalid_grant`, `insufficient_scope`…).
    pub fn oauth_error(&self) -> Option<&str> {
        self.0.oauth_error.as_deref()
    }

    /// The OAuth `error_description`.
    pub fn error_description(&self) -> Option<&str> {
        self.0.error_description.as_deref()
    }

    /// True when the server refused the request for want of scope.
    pub fn is_insufficient_scope(&self) -> bool {
        self.0.oauth_error.as_deref() == Some("insufficient_scope")
    }

    /// The message without the OAuth details.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl fmt::Display for AuthenticationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)?;
        if let Some(code) = &self.0.oauth_error {
            write!(f, " (OAuth error `{code}`")?;
            if let Some(d) = &self.0.error_description {
                write!(f, ": {d}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for AuthenticationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// The `error` and `error_description` of a `Bearer` (or `DPoP`)
/// `WWW-Authenticate` challenge, if it has an `error`.
fn bearer_error(header: &str) -> Option<(String, Option<String>)> {
    let params = challenge_params(header);
    let code = params.iter().find(|(k, _)| k == "error")?.1.clone();
    let desc = params
        .iter()
        .find(|(k, _)| k == "error_description")
        .map(|(_, v)| v.clone());
    Some((code, desc))
}

/// The `name=value` parameters of a `WWW-Authenticate` header value, names
/// lowercased, quoted values unquoted (RFC 9110 §11.6.1; the scheme and
/// any `token68` are skipped). Lenient: it never fails, it keeps what it
/// can read.
pub fn challenge_params(header: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let bytes = header.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // A name: a run of token characters.
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b',' || bytes[i] == b'\t') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b' ' | b',' | b'\t') {
            i += 1;
        }
        if i == start {
            // A stray `=` (or the end): step over it.
            i += 1;
            continue;
        }
        let name = header[start..i].to_ascii_lowercase();
        // Optional whitespace, then `=` (anything else: a scheme or token68).
        let mut j = i;
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
            j += 1;
        }
        if j >= bytes.len() || bytes[j] != b'=' {
            continue;
        }
        // token68 padding (`abc==`): `=` followed by `=`, `,` or the end.
        i = j + 1;
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'"' {
            i += 1;
            let mut value = String::new();
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' && i + 1 < bytes.len() {
                    i += 1;
                }
                let ch_len = utf8_len(bytes[i]);
                value.push_str(&header[i..(i + ch_len).min(bytes.len())]);
                i += ch_len;
            }
            i += 1;
            out.push((name, value));
        } else {
            let vstart = i;
            while i < bytes.len() && bytes[i] != b',' {
                i += 1;
            }
            let value = header[vstart..i].trim();
            if !value.is_empty() && !value.starts_with('=') {
                out.push((name, value.to_owned()));
            }
        }
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_params_reads_quoted_and_bare_values() {
        let p = challenge_params(
            r#"Bearer realm="mcp", error="insufficient_scope", scope="a b", resource_metadata="https://x/.well-known/oauth-protected-resource""#,
        );
        assert_eq!(p[0], ("realm".into(), "mcp".into()));
        assert_eq!(p[1], ("error".into(), "insufficient_scope".into()));
        assert_eq!(p[2], ("scope".into(), "a b".into()));
        assert_eq!(p[3].1, "https://x/.well-known/oauth-protected-resource");
        let p = challenge_params(r#"Bearer error=invalid_token,scope=read"#);
        assert_eq!(
            p,
            vec![
                ("error".into(), "invalid_token".into()),
                ("scope".into(), "read".into())
            ]
        );
        let p = challenge_params(r#"Basic abc==, Bearer x="a\"b""#);
        assert_eq!(p, vec![("x".into(), "a\"b".into())]);
    }

    #[test]
    fn challenge_params_survives_hostile_input() {
        for h in [
            "",
            "=",
            "\"",
            "Bearer =\"",
            "a=\"é",
            "a=\"\\",
            ",,,=,",
            "Bearer error=\"x\\\u{e9}\"",
        ] {
            let _ = challenge_params(h);
        }
        assert_eq!(challenge_params("a=\"é\""), vec![("a".into(), "é".into())]);
    }

    #[test]
    fn refused_names_url_status_and_oauth_error() {
        let mut c = AuthChallenge::new(AuthRequest::new("POST", "http://h/mcp"), 403);
        c.www_authenticate
            .push(r#"Bearer error="insufficient_scope", error_description="needs write""#.into());
        assert!(c.is_insufficient_scope());
        let e = AuthenticationError::refused(&c, true);
        assert_eq!(e.status(), Some(403));
        assert_eq!(e.url(), Some("http://h/mcp"));
        assert!(e.is_insufficient_scope());
        let text = e.to_string();
        assert!(
            text.contains("http://h/mcp") && text.contains("403") && text.contains("needs write"),
            "{text}"
        );
    }

    #[test]
    fn secrets_do_not_show() {
        let s = Secret::new("tok");
        assert_eq!(format!("{s:?} {s}"), "Secret(***) ***");
        let b = BearerToken::new("tok");
        assert!(!format!("{b:?}").contains("tok"));
    }
}
