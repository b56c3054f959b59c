//! A loopback WebSocket server serving the example server, which can be
//! told to misbehave: refuse the subprotocol, drop the connection in the
//! middle of a call, send garbage, go deaf, send an oversized frame; over
//! plain TCP (`ws://`) or TLS (`wss://`, with the certificate the test
//! hands it).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use mcp_jsonrpc::{Inbound, Message, Outbound, Transport, TransportGuard};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::WebSocketStream;

use crate::server::ExampleServer;

/// The headers of one upgrade request.
type Headers = Vec<(String, String)>;
/// The upgrade requests the server saw.
type Seen = Arc<Mutex<Vec<Headers>>>;

/// How the loopback WebSocket server behaves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum WsBehaviour {
    /// Accepts with the subprotocol `mcp` and serves the example server.
    #[default]
    Serve,
    /// Accepts the upgrade without naming a subprotocol.
    NoSubprotocol,
    /// Accepts the upgrade naming this subprotocol instead of `mcp`.
    WrongSubprotocol(String),
    /// Refuses the upgrade with this HTTP status (`401` comes with
    /// `WWW-Authenticate: Bearer realm="mcp"`), unless the request carries
    /// `Authorization: Bearer let-me-in`.
    Refuse(u16),
    /// Serves until a `tools/call` arrives, then drops the TCP connection
    /// without a close frame.
    DropOnCall,
    /// Serves until a `tools/call` arrives, then closes the WebSocket with
    /// code 1011 and the reason "boom".
    CloseOnCall,
    /// Serves until a `tools/call` arrives, then neither reads nor writes
    /// again (no pong either), keeping the connection open.
    DeafOnCall,
    /// Sends a binary frame and a text frame that is not JSON before its
    /// first answer, then serves.
    GarbageFirst,
    /// Answers the first request with a text frame of this many bytes.
    Oversized(usize),
}

/// A running loopback WebSocket server; dropping it stops the server and
/// every connection.
#[derive(Debug)]
pub struct WsServer {
    /// `ws://127.0.0.1:<port>/mcp`.
    pub url: String,
    requests: Seen,
    closes: Arc<AtomicUsize>,
    _accept: tokio_util::task::AbortOnDropHandle<()>,
}

impl WsServer {
    /// Starts a server on `127.0.0.1:0` behaving as told; its URL is
    /// `ws://127.0.0.1:<port>/mcp`.
    pub async fn start(behaviour: WsBehaviour) -> std::io::Result<WsServer> {
        Self::listen(behaviour, None).await
    }

    /// Starts a TLS server on `127.0.0.1:0` with `tls` (its certificate
    /// chosen by the test); its URL is `wss://localhost:<port>/mcp`.
    pub async fn start_tls(
        behaviour: WsBehaviour,
        tls: Arc<tokio_rustls::rustls::ServerConfig>,
    ) -> std::io::Result<WsServer> {
        Self::listen(behaviour, Some(tokio_rustls::TlsAcceptor::from(tls))).await
    }

    async fn listen(
        behaviour: WsBehaviour,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> std::io::Result<WsServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let url = match tls {
            Some(_) => format!("wss://localhost:{port}/mcp"),
            None => format!("ws://127.0.0.1:{port}/mcp"),
        };
        let requests = Arc::new(Mutex::new(Vec::new()));
        let closes = Arc::new(AtomicUsize::new(0));
        let accept = tokio::spawn(accept(listener, tls, behaviour, requests.clone(), closes.clone()));
        Ok(WsServer {
            url,
            requests,
            closes,
            _accept: tokio_util::task::AbortOnDropHandle::new(accept),
        })
    }

    /// How many connections the client closed with a close frame.
    pub fn clean_closes(&self) -> usize {
        self.closes.load(Ordering::SeqCst)
    }

    /// The headers of every upgrade request so far, names lowercased.
    pub fn upgrade_requests(&self) -> Vec<Headers> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

// tungstenite's callback returns its `ErrorResponse` by value.
#[allow(clippy::result_large_err)]
async fn accept(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    behaviour: WsBehaviour,
    requests: Seen,
    closes: Arc<AtomicUsize>,
) {
    let mut connections = JoinSet::new();
    while let Ok((tcp, _)) = listener.accept().await {
        let behaviour = behaviour.clone();
        let requests = requests.clone();
        let closes = closes.clone();
        let tls = tls.clone();
        connections.spawn(async move {
            let callback = |req: &Request, resp: Response| handshake(&behaviour, &requests, req, resp);
            match tls {
                None => {
                    if let Ok(ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await {
                        serve(ws, &behaviour, &closes).await;
                    }
                }
                Some(tls) => {
                    // A client that refuses the certificate ends here.
                    let Ok(stream) = tls.accept(tcp).await else { return };
                    if let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await {
                        serve(ws, &behaviour, &closes).await;
                    }
                }
            }
        });
        while connections.try_join_next().is_some() {}
    }
}

#[allow(clippy::result_large_err)]
fn handshake(
    behaviour: &WsBehaviour,
    requests: &Seen,
    req: &Request,
    mut resp: Response,
) -> Result<Response, ErrorResponse> {
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let authorized = headers
        .iter()
        .any(|(k, v)| k == "authorization" && v == "Bearer let-me-in");
    if let Ok(mut r) = requests.lock() {
        r.push(headers);
    }
    let answer = match behaviour {
        WsBehaviour::NoSubprotocol => None,
        WsBehaviour::WrongSubprotocol(p) => Some(p.clone()),
        WsBehaviour::Refuse(status) if !authorized => {
            let mut refusal = ErrorResponse::new(Some("go away".to_owned()));
            *refusal.status_mut() =
                http::StatusCode::from_u16(*status).unwrap_or(http::StatusCode::FORBIDDEN);
            if *status == 401 {
                refusal.headers_mut().insert(
                    http::header::WWW_AUTHENTICATE,
                    http::HeaderValue::from_static("Bearer realm=\"mcp\""),
                );
            }
            return Err(refusal);
        }
        _ => Some("mcp".to_owned()),
    };
    if let Some(p) = answer.and_then(|p| http::HeaderValue::from_str(&p).ok()) {
        resp.headers_mut().insert(http::header::SEC_WEBSOCKET_PROTOCOL, p);
    }
    Ok(resp)
}

/// Bridges the socket to an example server until either side ends.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut ws: WebSocketStream<S>,
    behaviour: &WsBehaviour,
    closes: &AtomicUsize,
) {
    let (to_server, inbound) = mpsc::channel(64);
    let (outbound, mut from_server) = mpsc::channel::<Outbound>(64);
    let server = ExampleServer::default().start(Transport::new(inbound, outbound, TransportGuard::noop()));
    let mut answered = false;
    loop {
        tokio::select! {
            frame = ws.next() => {
                let text = match frame {
                    Some(Ok(Frame::Text(text))) => text,
                    Some(Ok(Frame::Close(_))) => {
                        closes.fetch_add(1, Ordering::SeqCst);
                        // Reading on sends tungstenite's reply.
                        while let Some(Ok(_)) = ws.next().await {}
                        break;
                    }
                    Some(Err(_)) | None => break,
                    Some(Ok(_)) => continue,
                };
                let Ok(message) = Message::from_slice(text.as_bytes()) else { continue };
                if message.method() == Some("tools/call") {
                    match behaviour {
                        WsBehaviour::DropOnCall => return,
                        WsBehaviour::CloseOnCall => {
                            let frame = CloseFrame { code: CloseCode::Error, reason: "boom".into() };
                            let _ = ws.close(Some(frame)).await;
                            while let Some(Ok(_)) = ws.next().await {}
                            return;
                        }
                        WsBehaviour::DeafOnCall => {
                            let _hold = ws;
                            std::future::pending::<()>().await;
                            return;
                        }
                        _ => {}
                    }
                }
                if to_server.send(Inbound::Message(message)).await.is_err() {
                    break;
                }
            }
            out = from_server.recv() => {
                let Some(out) = out else { break };
                let Some(message) = out.into_message() else { continue };
                if !answered {
                    answered = true;
                    match behaviour {
                        WsBehaviour::GarbageFirst => {
                            let _ = ws.send(Frame::Binary(vec![0, 1, 2].into())).await;
                            let _ = ws.send(Frame::text("this is not JSON-RPC")).await;
                        }
                        WsBehaviour::Oversized(n) => {
                            let _ = ws.send(Frame::text("x".repeat(*n))).await;
                            continue;
                        }
                        _ => {}
                    }
                }
                let text = String::from_utf8_lossy(&message.to_vec()).into_owned();
                if ws.send(Frame::text(text)).await.is_err() {
                    break;
                }
            }
        }
    }
    server.close().await;
}
