//! A scripted HTTP server on 127.0.0.1 for the transport tests.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mcp_jsonrpc::{Inbound, Message, RequestId, Transport, TransportError};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Bound on every await in the tests.
pub const WAIT: Duration = Duration::from_secs(10);

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn rpc_method(&self) -> Option<&str> {
        self.body.get("method").and_then(Value::as_str)
    }
    pub fn id(&self) -> Value {
        self.body.get("id").cloned().unwrap_or(Value::Null)
    }
}

/// How a chunk of a streamed body goes out.
#[derive(Debug, Clone)]
pub enum Chunk {
    Data(String),
    Sleep(Duration),
    /// Break the connection (the body errors).
    Break,
}

/// What the server answers.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub chunks: Vec<Chunk>,
    /// Keep the stream open after the chunks (until the client drops it).
    pub hold: bool,
    /// After the chunks, forward these until the sender is dropped.
    pub live: Option<mpsc::UnboundedReceiver<String>>,
    /// Wait this long before the response headers.
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            chunks: vec![Chunk::Data(body.into())],
            hold: false,
            live: None,
            delay: None,
        }
    }
    pub fn json(body: Value) -> Self {
        Self::new(200, "application/json", body.to_string())
    }
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            headers: vec![],
            chunks: vec![],
            hold: false,
            live: None,
            delay: None,
        }
    }
    pub fn sse(chunks: Vec<Chunk>) -> Self {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            chunks,
            hold: false,
            live: None,
            delay: None,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn live(mut self, rx: Option<mpsc::UnboundedReceiver<String>>) -> Self {
        self.live = rx;
        self
    }
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
    pub fn hold(mut self) -> Self {
        self.hold = true;
        self
    }
}

/// An SSE event carrying `msg`.
pub fn event(msg: &Value) -> Chunk {
    Chunk::Data(format!("data: {msg}\n\n"))
}

/// A JSON-RPC result for `id`.
pub fn result(id: &Value, result: Value) -> Value {
    serde_json::json!({"jsonrpc": "2.0", "id": id, "result": result})
}

pub type Script = Arc<dyn Fn(&Seen, usize) -> Reply + Send + Sync>;

/// The server.
pub struct Server {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Streams the client dropped before they ended.
    pub dropped: Arc<AtomicUsize>,
    _task: tokio_util::task::AbortOnDropHandle<()>,
}

impl Server {
    pub async fn start(path: &str, script: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let dropped = Arc::new(AtomicUsize::new(0));
        let script: Script = Arc::new(script);
        let (s2, d2) = (seen.clone(), dropped.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (seen, dropped, script) = (s2.clone(), d2.clone(), script.clone());
                tokio::spawn(async move {
                    let svc = service_fn(move |req: Request<Incoming>| {
                        let (seen, dropped, script) = (seen.clone(), dropped.clone(), script.clone());
                        async move { Ok::<_, Infallible>(serve(req, &seen, &dropped, &script).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Server {
            url: format!("http://{addr}{path}"),
            seen,
            dropped,
            _task: tokio_util::task::AbortOnDropHandle::new(task),
        }
    }

    pub fn origin(&self) -> String {
        let rest = &self.url["http://".len()..];
        format!("http://{}", rest.split('/').next().unwrap_or(""))
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    pub fn count(&self, method: &Method) -> usize {
        self.seen().iter().filter(|s| s.method == method).count()
    }
}

async fn serve(
    req: Request<Incoming>,
    seen: &Mutex<Vec<Seen>>,
    dropped: &Arc<AtomicUsize>,
    script: &Script,
) -> Response<ChanBody> {
    let (parts, body) = req.into_parts();
    let bytes = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
    let s = Seen {
        method: parts.method,
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        headers: parts.headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    };
    let n = {
        let mut log = seen.lock().expect("lock");
        log.push(s.clone());
        log.len() - 1
    };
    let reply = script(&s, n);
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let (tx, rx) = mpsc::channel(16);
    let mut b = Response::builder().status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK));
    for (k, v) in &reply.headers {
        b = b.header(k, v);
    }
    let done = Arc::new(AtomicUsize::new(0));
    let body = ChanBody {
        rx,
        dropped: dropped.clone(),
        finished: done.clone(),
    };
    let chunks = reply.chunks.clone();
    let hold = reply.hold;
    let mut live = reply.live;
    tokio::spawn(async move {
        for c in chunks {
            match c {
                Chunk::Data(d) => {
                    if tx.send(Ok(Bytes::from(d))).await.is_err() {
                        return;
                    }
                }
                Chunk::Sleep(d) => tokio::time::sleep(d).await,
                Chunk::Break => {
                    let _ = tx.send(Err("broken on purpose")).await;
                    return;
                }
            }
        }
        if let Some(live) = live.as_mut() {
            loop {
                tokio::select! {
                    m = live.recv() => match m {
                        Some(d) => if tx.send(Ok(Bytes::from(d))).await.is_err() { return },
                        None => break,
                    },
                    _ = tx.closed() => return,
                }
            }
        }
        if hold {
            tx.closed().await;
        } else {
            done.store(1, Ordering::SeqCst);
        }
    });
    b.body(body).expect("response")
}

pub struct ChanBody {
    rx: mpsc::Receiver<Result<Bytes, &'static str>>,
    dropped: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
}

impl Drop for ChanBody {
    fn drop(&mut self) {
        if self.finished.load(Ordering::SeqCst) == 0 {
            self.dropped.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Body for ChanBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(Ok(b))) => Poll::Ready(Some(Ok(Frame::data(b)))),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => {
                self.finished.store(1, Ordering::SeqCst);
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Sends a raw JSON message on the transport.
pub async fn send(t: &Transport, v: Value) {
    let m = Message::from_slice(v.to_string().as_bytes()).expect("valid message");
    tokio::time::timeout(WAIT, t.outbound.send(m.into()))
        .await
        .expect("send in time")
        .expect("open");
}

/// The next inbound item.
pub async fn next(t: &mut Transport) -> Option<Inbound> {
    tokio::time::timeout(WAIT, t.inbound.recv())
        .await
        .expect("an inbound item in time")
}

/// The next inbound message (anything else is a panic).
pub async fn recv(t: &mut Transport) -> Message {
    match next(t).await {
        Some(Inbound::Message(m)) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

/// The next inbound item, which must fail request `want`.
pub async fn failed(t: &mut Transport, want: i64) -> TransportError {
    match next(t).await {
        Some(Inbound::Failed { id, error }) if id == RequestId::Number(want) => error,
        other => panic!("expected request {want} to fail, got {other:?}"),
    }
}

/// The message as JSON.
pub fn json(m: &Message) -> Value {
    serde_json::from_slice(&m.to_vec()).expect("json")
}

pub fn id(n: i64) -> RequestId {
    RequestId::Number(n)
}

/// A 2026-07-28 (stateless era) request.
pub fn stateless(id: i64, method: &str, mut params: Value) -> Value {
    params["_meta"] = serde_json::json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// Waits until `cond` holds (polling), bounded.
pub async fn eventually(mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met in time"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
