//! Opening the socket: the URL, TCP, TLS, and the upgrade asking for the
//! subprotocol `mcp`, all under one connect timeout.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http::{HeaderName, HeaderValue};
use mcp_jsonrpc::auth::{AuthChallenge, AuthRequest, ChallengeOutcome, MAX_AUTH_ROUNDS};
use mcp_jsonrpc::{AuthenticationError, Secret};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as WsLibError, ProtocolError};
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::WebSocketStream;
use tokio_util::either::Either;
use url::Url;

use crate::error::WsError;
use crate::params::WebSocketParameters;

/// The subprotocol MCP over WebSocket asks for.
pub const SUBPROTOCOL: &str = "mcp";

/// The most bytes of the upgrade answer kept to name what a server
/// answered.
const HEAD_LIMIT: usize = 16 * 1024;

/// The longest quote of a refusal's body in an error message.
const BODY_SNIPPET: usize = 200;

/// A TCP stream, with TLS for `wss://`.
pub(crate) type Stream = Either<TcpStream, TlsStream<TcpStream>>;

/// An open WebSocket to the server.
pub(crate) type Socket = WebSocketStream<Recorded<Stream>>;

/// Connects to the server named by `params` and makes the upgrade, within
/// `connect_timeout`. A `401` (or a `403` for want of scope) is handed to
/// the [`ClientAuth`](mcp_jsonrpc::ClientAuth), and the upgrade tried again
/// when it has new credentials (at most `MAX_AUTH_ROUNDS` times).
pub(crate) async fn dial(params: &WebSocketParameters) -> Result<Socket, WsError> {
    let url = parse_url(&params.url)?;
    let attempt = async {
        let mut rounds = 0;
        loop {
            let (request, authorization) = request(params, &url).await?;
            match upgrade(params, &url, request).await {
                Ok(socket) => return Ok(socket),
                Err(Refusal::Challenge(mut challenge)) => {
                    challenge.authorization = authorization;
                    let Some(auth) = params.auth.as_ref() else {
                        return Err(WsError::Auth(AuthenticationError::refused(&challenge, false)));
                    };
                    if rounds >= MAX_AUTH_ROUNDS {
                        return Err(WsError::Auth(AuthenticationError::refused(&challenge, true)));
                    }
                    rounds += 1;
                    challenge.round = rounds;
                    match auth.on_challenge(&challenge).await.map_err(WsError::Auth)? {
                        ChallengeOutcome::Retry => continue,
                        _ => return Err(WsError::Auth(AuthenticationError::refused(&challenge, true))),
                    }
                }
                Err(Refusal::Other(error)) => return Err(error),
            }
        }
    };
    match tokio::time::timeout(params.connect_timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(WsError::Timeout {
            url: params.url.clone(),
            after: params.connect_timeout,
        }),
    }
}

fn parse_url(raw: &str) -> Result<Url, WsError> {
    let invalid = |reason: String| WsError::InvalidUrl {
        url: raw.to_owned(),
        reason,
    };
    let url = Url::parse(raw).map_err(|e| invalid(e.to_string()))?;
    match url.scheme() {
        "ws" | "wss" => {}
        other => return Err(invalid(format!("the scheme is `{other}`, not `ws` or `wss`"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it names no host".into()));
    }
    Ok(url)
}

/// The upgrade request: the URL, `Sec-WebSocket-Protocol: mcp`, the
/// configured headers, then the credentials' (which win), and the
/// `Authorization` it carries.
async fn request(params: &WebSocketParameters, url: &Url) -> Result<(Request, Option<Secret>), WsError> {
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| WsError::InvalidUrl {
            url: params.url.clone(),
            reason: e.to_string(),
        })?;
    let headers = request.headers_mut();
    headers.insert(
        http::header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(SUBPROTOCOL),
    );
    for (name, value) in &params.headers {
        let invalid = |reason: String| WsError::InvalidHeader {
            name: name.clone(),
            reason,
        };
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid(e.to_string()))?;
        let value = HeaderValue::from_str(value).map_err(|e| invalid(e.to_string()))?;
        headers.append(name, value);
    }
    let mut authorization = None;
    if let Some(auth) = &params.auth {
        let asked = AuthRequest::new("GET", url.as_str());
        for (name, value) in auth.get_headers(&asked).await.map_err(WsError::Auth)? {
            let invalid = |reason: String| WsError::InvalidHeader {
                name: name.clone(),
                reason,
            };
            let key = HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid(e.to_string()))?;
            let mut v = HeaderValue::from_str(value.expose())
                .map_err(|_| invalid("the credentials are not a valid header value".into()))?;
            v.set_sensitive(true);
            if key == http::header::AUTHORIZATION {
                authorization = Some(value);
            }
            headers.insert(key, v);
        }
    }
    Ok((request, authorization))
}

/// Why an upgrade failed: unauthorized (with the server's challenge), or
/// anything else.
enum Refusal {
    Challenge(AuthChallenge),
    Other(WsError),
}

impl From<WsError> for Refusal {
    fn from(e: WsError) -> Self {
        Refusal::Other(e)
    }
}

async fn upgrade(params: &WebSocketParameters, url: &Url, request: Request) -> Result<Socket, Refusal> {
    let stream = connect(params, url).await?;
    let config = WebSocketConfig::default()
        .max_message_size(Some(params.max_message_size))
        .max_frame_size(Some(params.max_frame_size));
    let head = Arc::new(Mutex::new(Vec::new()));
    let recorded = Recorded {
        inner: stream,
        head: Some(head.clone()),
    };
    match tokio_tungstenite::client_async_with_config(request, recorded, Some(config)).await {
        Ok((mut socket, _response)) => {
            socket.get_mut().head = None;
            Ok(socket)
        }
        Err(e) => {
            let head = head.lock().map(|h| h.clone()).unwrap_or_default();
            Err(refusal(&params.url, e, &head))
        }
    }
}

fn refusal(url: &str, e: WsLibError, head: &[u8]) -> Refusal {
    match e {
        WsLibError::Http(response) => {
            let status = response.status().as_u16();
            let body = response.body().as_deref().map(snippet).unwrap_or_default();
            let error = WsError::Status {
                url: url.to_owned(),
                status,
                body,
            };
            let challenges: Vec<String> = response
                .headers()
                .get_all(http::header::WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_owned)
                .collect();
            if AuthChallenge::is_challenge(status, &challenges) {
                let mut challenge = AuthChallenge::new(AuthRequest::new("GET", url), status);
                challenge.www_authenticate = challenges;
                challenge.dpop_nonce = response
                    .headers()
                    .get("dpop-nonce")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                drop(error);
                Refusal::Challenge(challenge)
            } else {
                Refusal::Other(error)
            }
        }
        WsLibError::Protocol(ProtocolError::SecWebSocketSubProtocolError(_)) => {
            // tungstenite does not say what the server answered; the
            // recorded head of its answer does.
            Refusal::Other(WsError::Subprotocol {
                url: url.to_owned(),
                answered: answered_subprotocol(head),
            })
        }
        WsLibError::Io(source) => Refusal::Other(WsError::Connect {
            url: url.to_owned(),
            reason: format!("the connection failed during the upgrade: {source}"),
            source: Box::new(source),
        }),
        other => Refusal::Other(WsError::Handshake {
            url: url.to_owned(),
            source: Box::new(other),
        }),
    }
}

async fn connect(params: &WebSocketParameters, url: &Url) -> Result<Stream, WsError> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(80);
    let unreachable = |reason: String, source: io::Error| WsError::Connect {
        url: params.url.clone(),
        reason,
        source: Box::new(source),
    };
    let tcp = TcpStream::connect(format!("{host}:{port}"))
        .await
        .map_err(|e| unreachable(e.to_string(), e))?;
    // Small frames go out at once; the writer batches what is queued.
    let _ = tcp.set_nodelay(true);
    if url.scheme() != "wss" {
        return Ok(Either::Left(tcp));
    }
    let config = match &params.tls_config {
        Some(config) => config.clone(),
        None => default_tls_config().map_err(|reason| WsError::Tls {
            url: params.url.clone(),
            reason: reason.clone(),
            source: reason.into(),
        })?,
    };
    let server_name = match url.host() {
        Some(url::Host::Ipv4(ip)) => {
            rustls::pki_types::ServerName::IpAddress(std::net::IpAddr::V4(ip).into())
        }
        Some(url::Host::Ipv6(ip)) => {
            rustls::pki_types::ServerName::IpAddress(std::net::IpAddr::V6(ip).into())
        }
        _ => rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(|e| WsError::InvalidUrl {
            url: params.url.clone(),
            reason: format!("`{host}` is not a valid TLS server name: {e}"),
        })?,
    };
    let tls = tokio_rustls::TlsConnector::from(config)
        .connect(server_name, tcp)
        .await
        .map_err(|e| WsError::Tls {
            url: params.url.clone(),
            reason: e.to_string(),
            source: Box::new(e),
        })?;
    Ok(Either::Right(tls))
}

/// rustls with the ring provider, the bundled webpki roots and, with the
/// `native-roots` feature, the system's.
fn default_tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        let found = rustls_native_certs::load_native_certs();
        let _ = roots.add_parsable_certificates(found.certs);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// `bytes` as text for a message: lossy, control characters escaped, cut.
fn snippet(bytes: &[u8]) -> String {
    mcp_jsonrpc::excerpt(bytes, BODY_SNIPPET).trim().to_owned()
}

/// The subprotocol named in the head of an upgrade answer, if it named one.
fn answered_subprotocol(head: &[u8]) -> Option<String> {
    let end = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(head.len());
    let text = String::from_utf8_lossy(&head[..end]);
    text.lines().skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("sec-websocket-protocol")
            .then(|| snippet(value.trim().as_bytes()))
    })
}

/// A stream that keeps what it reads while `head` is `Some` (the upgrade),
/// up to [`HEAD_LIMIT`] bytes, so that a refusal can quote the answer.
pub(crate) struct Recorded<S> {
    inner: S,
    head: Option<Arc<Mutex<Vec<u8>>>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Some(mut head) = this.head.as_ref().and_then(|h| h.lock().ok()) {
            let new = &buf.filled()[before..];
            let room = HEAD_LIMIT.saturating_sub(head.len());
            head.extend_from_slice(&new[..new.len().min(room)]);
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorded<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ws_urls_with_a_host_are_taken() {
        assert!(parse_url("ws://127.0.0.1:8000/mcp").is_ok());
        assert!(parse_url("wss://example.com/mcp").is_ok());
        for bad in ["http://example.com/mcp", "not a url", "ws://"] {
            let err = parse_url(bad).expect_err(bad);
            assert!(matches!(err, WsError::InvalidUrl { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn the_answered_subprotocol_is_read_from_the_recorded_head() {
        let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nsec-websocket-protocol: graphql-ws\r\n\r\n\x81\x01x";
        assert_eq!(answered_subprotocol(answer).as_deref(), Some("graphql-ws"));
        let none = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
        assert_eq!(answered_subprotocol(none), None);
    }

    #[test]
    fn snippets_escape_and_cut() {
        assert_eq!(snippet(b"no\x1b[31m"), "no\\u{1b}[31m");
        let long = "x".repeat(500);
        let cut = snippet(long.as_bytes());
        assert!(cut.ends_with('…') && cut.chars().count() == BODY_SNIPPET + 1);
    }
}
