//! The session over HTTP against scripted loopback servers: failures are
//! typed the same as on every transport, the session makes the handshake
//! again when the server forgets its HTTP session, a slow answer is bounded
//! by the request's timeout, and the headers a tool mirrors come from the
//! session's validated listing.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use mcp_client::{ClientError, ClientSession, ClientSessionOptions, Era, ProtocolMode};
use mcp_transport_http::{HttpTransportMode, StreamableHttpParameters};
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// What the server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    headers: http::HeaderMap,
    body: Value,
}

impl Seen {
    fn method(&self) -> Option<&str> {
        self.body.get("method").and_then(Value::as_str)
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An answer: status, headers, body, and a delay before it.
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

fn json_answer(id: &Value, result: Value) -> Answer {
    Answer {
        status: 200,
        headers: vec![("content-type", "application/json".into())],
        body: json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string(),
        delay: Duration::ZERO,
    }
}

fn status(status: u16, content_type: &str, body: &str) -> Answer {
    Answer {
        status,
        headers: vec![("content-type", content_type.into())],
        body: body.into(),
        delay: Duration::ZERO,
    }
}

type Script = Arc<dyn Fn(&Seen) -> Answer + Send + Sync>;

/// Serves `script` on 127.0.0.1 until dropped; returns the URL and what it saw.
async fn serve(
    script: impl Fn(&Seen) -> Answer + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Seen>>>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/mcp", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script: Script = Arc::new(script);
    let log = seen.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (script, log) = (script.clone(), log.clone());
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let (script, log) = (script.clone(), log.clone());
                    async move {
                        let (parts, body) = req.into_parts();
                        let bytes = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
                        let s = Seen {
                            headers: parts.headers,
                            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                        };
                        log.lock().expect("lock").push(s.clone());
                        let answer = script(&s);
                        tokio::time::sleep(answer.delay).await;
                        let mut b = Response::builder().status(answer.status);
                        for (k, v) in &answer.headers {
                            b = b.header(*k, v);
                        }
                        Ok::<_, Infallible>(b.body(Full::new(Bytes::from(answer.body))).expect("response"))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (url, seen, task)
}

fn init_result(id: &Value) -> Answer {
    json_answer(
        id,
        json!({"protocolVersion": "2025-06-18", "capabilities": {"tools": {}}, "serverInfo": {"name": "s", "version": "1"}}),
    )
}

fn params(url: &str) -> StreamableHttpParameters {
    StreamableHttpParameters::new(url).transport(HttpTransportMode::StreamableHttp)
}

fn initialize_era() -> ClientSessionOptions {
    ClientSessionOptions::new()
        .protocol(ProtocolMode::Initialize)
        .validate_tool_output(false)
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_not_a_server_error() {
    let url = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/mcp", l.local_addr().expect("addr"))
    };
    let err = ClientSession::connect(params(&url), ClientSessionOptions::new())
        .await
        .expect_err("nobody listens");
    assert!(err.is_transport(), "{err:?}");
    assert!(!err.is_server_error() && !err.is_timeout());
    assert!(
        err.transport_error()
            .is_some_and(mcp_client::TransportError::is_connect),
        "{err:?}"
    );
    let chain = format!("{:?}", anyhow::Error::from(err));
    assert!(chain.contains(&url), "{chain}");
}

#[tokio::test]
async fn a_wrong_path_is_a_404_that_says_to_check_the_path() {
    // Every request is refused, as by a server that serves another path:
    // the initialize POST, then the HTTP+SSE fallback's GET.
    let (url, seen, _server) = serve(|_| status(404, "text/plain", "Not Found")).await;
    let auto = StreamableHttpParameters::new(&url).transport(HttpTransportMode::Auto);
    let err = ClientSession::connect(auto, initialize_era())
        .await
        .expect_err("nothing is served there");
    assert_eq!(err.status(), Some(404), "typed as the POST's status: {err:?}");
    let text = err.transport_error().map(ToString::to_string).unwrap_or_default();
    assert!(
        text.contains("answered the initialize POST with HTTP 404"),
        "{text}"
    );
    assert!(
        text.contains("HTTP+SSE fallback failed too") && text.contains("check the URL's path"),
        "{text}"
    );
    assert!(!text.contains("broke the HTTP transport protocol"), "{text}");
    assert!(
        seen.lock().expect("lock").len() >= 2,
        "the POST, then the fallback's GET"
    );
}

#[tokio::test]
async fn an_http_status_is_typed_and_a_jsonrpc_body_is_the_servers_error() {
    let (url, _seen, _server) = serve(|s| match s.method() {
        Some("initialize") => init_result(&s.body["id"]),
        Some("notifications/initialized") => status(202, "text/plain", ""),
        Some("tools/list") => status(500, "text/html", "<h1>Internal oops</h1>"),
        _ => {
            let body = json!({"jsonrpc": "2.0", "id": s.body["id"], "error": {"code": -32602, "message": "no such prompt"}});
            status(500, "application/json", &body.to_string())
        }
    })
    .await;
    let session = ClientSession::connect(params(&url), initialize_era())
        .await
        .expect("handshake");
    let err = session.list_tools(None).await.expect_err("HTTP 500");
    assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
    assert_eq!(err.status(), Some(500));
    assert!(
        err.transport_error()
            .is_some_and(|t| t.to_string().contains("Internal oops")),
        "{err:?}"
    );
    let err = session.get_prompt("x", ()).await.expect_err("the server's error");
    assert_eq!(err.server_error().map(|e| e.code), Some(-32602), "{err:?}");
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn when_the_server_forgets_the_http_session_the_session_makes_the_handshake_again() {
    let inits = Arc::new(AtomicUsize::new(0));
    let count = inits.clone();
    let (url, seen, _server) = serve(move |s| match s.method() {
        Some("initialize") => {
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            let mut a = init_result(&s.body["id"]);
            a.headers.push(("mcp-session-id", format!("s-{n}")));
            a
        }
        Some("notifications/initialized") => status(202, "text/plain", ""),
        _ if s.header("mcp-session-id") == Some("s-1") => status(404, "text/plain", "session not found"),
        _ => json_answer(
            &s.body["id"],
            json!({"tools": [], "session": s.header("mcp-session-id")}),
        ),
    })
    .await;
    let session = ClientSession::connect(params(&url), initialize_era())
        .await
        .expect("handshake");
    let tools = session
        .list_tools(None)
        .await
        .expect("answered after a new handshake");
    assert_eq!(tools.extra.get("session"), Some(&json!("s-2")));
    assert_eq!(inits.load(Ordering::SeqCst), 2);
    let seen = seen.lock().expect("lock").clone();
    let lists: Vec<_> = seen.iter().filter(|s| s.method() == Some("tools/list")).collect();
    assert_eq!(lists.len(), 2, "the refused request, then once more");
    assert_eq!(lists[1].header("mcp-protocol-version"), Some("2025-06-18"));
    let second_init = seen
        .iter()
        .filter(|s| s.method() == Some("initialize"))
        .nth(1)
        .expect("two");
    assert_eq!(second_init.header("mcp-session-id"), None);
}

#[tokio::test]
async fn a_slow_answer_is_bounded_by_the_requests_timeout_not_the_http_timeout() {
    let (url, _seen, _server) = serve(|s| match s.method() {
        Some("initialize") => init_result(&s.body["id"]),
        Some("notifications/initialized") => status(202, "text/plain", ""),
        _ => {
            let mut a = json_answer(
                &s.body["id"],
                json!({"content": [{"type": "text", "text": "done"}]}),
            );
            a.delay = Duration::from_millis(700);
            a
        }
    })
    .await;
    let p = params(&url).timeout(Duration::from_millis(200));
    let session = ClientSession::connect(p, initialize_era())
        .await
        .expect("handshake");
    let result = session
        .call_tool("slow", ())
        .timeout(Duration::from_secs(5))
        .await
        .expect("a slow tool");
    assert_eq!(result.content[0].as_text(), Some("done"));
    let short = session
        .call_tool("slow", ())
        .timeout(Duration::from_millis(100))
        .await;
    assert!(short.expect_err("too slow").is_timeout());
}

#[tokio::test]
async fn the_session_names_the_headers_its_validated_listing_declares() {
    let (url, seen, _server) = serve(|s| {
        let id = &s.body["id"];
        match s.method() {
            Some("server/discover") => json_answer(
                id,
                json!({"supportedVersions": ["2026-07-28"], "capabilities": {"tools": {}}, "resultType": "complete"}),
            ),
            Some("tools/list") => json_answer(
                id,
                json!({"resultType": "complete", "tools": [
                    {"name": "sql", "inputSchema": {"type": "object", "properties": {
                        "region": {"type": "string", "x-mcp-header": "Region"}}}},
                    {"name": "broken", "inputSchema": {"type": "object", "properties": {
                        "n": {"type": "number", "x-mcp-header": "N"}}}}
                ]}),
            ),
            _ => json_answer(id, json!({"resultType": "complete", "content": []})),
        }
    })
    .await;
    let session = ClientSession::connect(params(&url), ClientSessionOptions::new())
        .await
        .expect("discovered");
    assert_eq!(session.era(), Some(Era::Stateless));
    let tools = session.list_all_tools().await.expect("listed");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["sql"], "the tool with an invalid annotation is dropped");
    session
        .call_tool("sql", json!({"region": "eu-west"}))
        .await
        .expect("called");
    let seen = seen.lock().expect("lock").clone();
    let call = seen
        .iter()
        .find(|s| s.method() == Some("tools/call"))
        .expect("a call");
    assert_eq!(call.header("mcp-param-region"), Some("eu-west"));
    assert_eq!(call.header("mcp-name"), Some("sql"));
}

/// A server of the initialize era over HTTP that refuses `server/discover`
/// with `refusal`; true once it saw `initialize`.
async fn probe_refused_with(refusal: u16) -> (Result<ClientSession, ClientError>, Vec<Seen>) {
    let (url, seen, _server) = serve(move |s| match s.method() {
        Some("server/discover") => status(refusal, "text/plain", "no"),
        Some("initialize") => init_result(&s.body["id"]),
        _ => status(202, "text/plain", ""),
    })
    .await;
    let options = ClientSessionOptions::new().validate_tool_output(false);
    let session = ClientSession::connect(params(&url), options).await;
    let seen = seen.lock().expect("lock").clone();
    (session, seen)
}

#[tokio::test]
async fn a_4xx_on_the_probe_is_an_older_server_but_a_5xx_is_a_failure_not_an_answer() {
    for refusal in [400, 404, 405] {
        let (session, _) = probe_refused_with(refusal).await;
        let session = session.unwrap_or_else(|e| panic!("HTTP {refusal} means the initialize era: {e:?}"));
        assert_eq!(session.era(), Some(Era::Initialize), "HTTP {refusal}");
    }
    for failure in [500, 502, 503, 429] {
        let (session, seen) = probe_refused_with(failure).await;
        let err = session.expect_err("a failed probe is no answer");
        assert!(err.is_transport(), "HTTP {failure}: {err:?}");
        assert_eq!(err.status(), Some(failure));
        assert!(
            !seen.iter().any(|s| s.method() == Some("initialize")),
            "HTTP {failure} must not downgrade the era"
        );
    }
}
