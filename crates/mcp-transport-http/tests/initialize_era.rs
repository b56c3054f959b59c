//! Streamable HTTP of the initialize era and the 2024-11-05 HTTP+SSE
//! transport, against a scripted loopback server.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Method;
use mcp_jsonrpc::{Era, Message, Transport};
use mcp_transport_http::{
    sse_client, streamablehttp_client, HttpTransportMode, SseServerParameters, StreamableHttpParameters,
    MAX_POSTS_IN_FLIGHT,
};
use serde_json::{json, Value};
use support::*;
use tokio::sync::mpsc;

fn params(url: &str) -> StreamableHttpParameters {
    StreamableHttpParameters::new(url)
        .transport(HttpTransportMode::StreamableHttp)
        .timeout(Duration::from_secs(5))
}

fn initialize(id: i64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
}

fn init_result(id: &Value) -> Value {
    result(
        id,
        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "serverInfo": {"name": "s", "version": "1"}}),
    )
}

const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

/// What the session publishes once it accepted the server's `initialize`
/// result (before it sends `notifications/initialized`).
fn negotiated(t: &Transport, version: &str) {
    t.hints.send_modify(|h| {
        h.era = Some(Era::Initialize);
        h.protocol_version = Some(version.into());
    });
}

#[tokio::test]
async fn session_id_version_header_get_405_and_delete() {
    let server = Server::start("/mcp", |s, _| match (s.method.clone(), s.rpc_method()) {
        (Method::POST, Some("initialize")) => {
            Reply::json(init_result(&s.id())).header("mcp-session-id", "s-1")
        }
        (Method::POST, Some("notifications/initialized")) => Reply::status(202),
        (Method::POST, _) => Reply::json(result(&s.id(), json!({"tools": []}))),
        (Method::GET, _) => Reply::status(405),
        (Method::DELETE, _) => Reply::status(200),
        _ => Reply::status(500),
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, initialize(1)).await;
    assert_eq!(recv(&mut t).await.id(), Some(&id(1)));
    negotiated(&t, "2025-06-18");
    send(&t, serde_json::from_str(INITIALIZED).expect("json")).await;
    send(&t, json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await;
    assert_eq!(recv(&mut t).await.id(), Some(&id(2)));
    eventually(|| server.count(&Method::GET) == 1).await;
    let seen = server.seen();
    let list = seen
        .iter()
        .find(|s| s.rpc_method() == Some("tools/list"))
        .expect("tools/list");
    assert_eq!(list.header("mcp-session-id"), Some("s-1"));
    assert_eq!(list.header("mcp-protocol-version"), Some("2025-06-18"));
    assert_eq!(list.header("mcp-method"), None);
    assert_eq!(seen[0].header("mcp-session-id"), None);
    t.guard.close().await;
    let seen = server.seen();
    let del = seen
        .iter()
        .find(|s| s.method == Method::DELETE)
        .expect("DELETE on close");
    assert_eq!(del.header("mcp-session-id"), Some("s-1"));
    let end = tokio::time::timeout(WAIT, t.inbound.recv())
        .await
        .expect("inbound ends in time");
    assert!(end.is_none(), "{end:?}");
}

#[tokio::test]
async fn the_version_header_waits_for_the_sessions_word() {
    let server = Server::start("/mcp", |s, _| match s.rpc_method() {
        Some("initialize") => Reply::json(init_result(&s.id())),
        _ => Reply::json(result(&s.id(), json!({}))),
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, initialize(1)).await;
    recv(&mut t).await;
    // The result named 2025-06-18, but the session has not accepted it.
    send(&t, json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await;
    recv(&mut t).await;
    negotiated(&t, "2025-03-26");
    send(&t, json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"})).await;
    recv(&mut t).await;
    let seen = server.seen();
    assert_eq!(seen[1].header("mcp-protocol-version"), None);
    assert_eq!(seen[2].header("mcp-protocol-version"), Some("2025-03-26"));
}

#[tokio::test]
async fn get_stream_delivers_server_requests_and_posts_responses() {
    let (tx, rx) = mpsc::unbounded_channel::<String>();
    let rx = Mutex::new(Some(rx));
    let server = Server::start("/mcp", move |s, _| match (s.method.clone(), s.rpc_method()) {
        (Method::POST, Some("initialize")) => {
            Reply::json(init_result(&s.id())).header("mcp-session-id", "s-9")
        }
        (Method::GET, _) => {
            let ping = json!({"jsonrpc": "2.0", "id": "srv-1", "method": "ping"});
            Reply::sse(vec![Chunk::Data(format!("id: g1\ndata: {ping}\n\n"))])
                .live(rx.lock().expect("lock").take())
                .hold()
        }
        _ => Reply::status(202),
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, initialize(1)).await;
    recv(&mut t).await;
    send(&t, serde_json::from_str(INITIALIZED).expect("json")).await;
    let req = recv(&mut t).await;
    assert!(
        matches!(&req, Message::Request(r) if r.method == "ping"),
        "{req:?}"
    );
    send(&t, json!({"jsonrpc": "2.0", "id": "srv-1", "result": {}})).await;
    eventually(|| server.seen().iter().any(|s| s.body.get("result").is_some())).await;
    let seen = server.seen();
    let answer = seen
        .iter()
        .find(|s| s.body.get("result").is_some())
        .expect("posted");
    assert_eq!(answer.header("mcp-session-id"), Some("s-9"));
    drop(tx);
}

#[tokio::test]
async fn broken_post_stream_resumes_with_last_event_id() {
    let server = Server::start("/mcp", |s, _| match (s.method.clone(), s.rpc_method()) {
        (Method::POST, Some("initialize")) => Reply::json(init_result(&s.id())).header("mcp-session-id", "s-2"),
        (Method::POST, Some("tools/call")) => {
            let note = json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}});
            Reply::sse(vec![
                Chunk::Data("id: e1\nretry: 10\ndata:\n\n".into()),
                Chunk::Data(format!("id: e2\ndata: {note}\n\n")),
                Chunk::Sleep(Duration::from_millis(50)),
                Chunk::Break,
            ])
        }
        (Method::GET, _) if s.header("last-event-id") == Some("e2") => {
            Reply::sse(vec![Chunk::Data(format!("id: e3\ndata: {}\n\n", result(&json!(2), json!({"resumed": true}))))])
        }
        _ => Reply::status(405),
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, initialize(1)).await;
    recv(&mut t).await;
    send(
        &t,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "slow"}}),
    )
    .await;
    assert_eq!(recv(&mut t).await.method(), Some("notifications/progress"));
    let m = recv(&mut t).await;
    assert_eq!(json(&m)["result"], json!({"resumed": true}));
    let seen = server.seen();
    let get = seen.iter().find(|s| s.method == Method::GET).expect("GET");
    assert_eq!(get.header("mcp-session-id"), Some("s-2"));
    assert_eq!(
        seen.iter()
            .filter(|s| s.rpc_method() == Some("tools/call"))
            .count(),
        1,
        "resumed, not re-sent"
    );
}

#[tokio::test]
async fn an_expired_session_fails_the_request_typed_and_the_next_initialize_goes_without_it() {
    let inits = Arc::new(AtomicUsize::new(0));
    let i2 = inits.clone();
    let server = Server::start("/mcp", move |s, _| match (s.method.clone(), s.rpc_method()) {
        (Method::POST, Some("initialize")) => {
            let n = i2.fetch_add(1, Ordering::SeqCst) + 1;
            Reply::json(init_result(&s.id())).header("mcp-session-id", &format!("s-{n}"))
        }
        (Method::POST, Some("notifications/initialized")) => Reply::status(202),
        (Method::POST, Some("tools/list")) if s.header("mcp-session-id") == Some("s-1") => {
            Reply::new(404, "text/plain", "session not found")
        }
        (Method::POST, Some("tools/list")) => Reply::json(result(
            &s.id(),
            json!({"tools": [], "session": s.header("mcp-session-id")}),
        )),
        _ => Reply::status(405),
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, initialize(1)).await;
    recv(&mut t).await;
    negotiated(&t, "2025-06-18");
    send(&t, serde_json::from_str(INITIALIZED).expect("json")).await;
    send(&t, json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await;
    let e = failed(&mut t, 2).await;
    assert!(e.is_session_expired(), "{e:?}");
    // The session makes its handshake again; the transport only carries it.
    send(&t, initialize(3)).await;
    recv(&mut t).await;
    send(&t, serde_json::from_str(INITIALIZED).expect("json")).await;
    send(&t, json!({"jsonrpc": "2.0", "id": 4, "method": "tools/list"})).await;
    assert_eq!(json(&recv(&mut t).await)["result"]["session"], json!("s-2"));
    assert_eq!(inits.load(Ordering::SeqCst), 2);
    let seen = server.seen();
    let inits: Vec<_> = seen
        .iter()
        .filter(|s| s.rpc_method() == Some("initialize"))
        .collect();
    assert_eq!(inits[1].header("mcp-session-id"), None);
}

#[tokio::test]
async fn a_hanging_post_of_a_response_holds_up_no_request() {
    let server = Server::start("/mcp", |s, _| match (s.method.clone(), s.rpc_method()) {
        (Method::POST, Some("initialize")) => Reply::json(init_result(&s.id())),
        (Method::POST, Some("notifications/initialized")) => Reply::status(202),
        (Method::POST, Some("tools/list")) => Reply::json(result(&s.id(), json!({"tools": []}))),
        // Our answers to the server's requests: accepted a minute later.
        (Method::POST, None) => Reply::status(202).delay(Duration::from_secs(60)),
        _ => Reply::status(405),
    })
    .await;
    // The transport would wait a minute for each POST.
    let params = params(&server.url).timeout(Duration::from_secs(60));
    let mut t = streamablehttp_client(&params).await.expect("connect");
    send(&t, initialize(1)).await;
    recv(&mut t).await;
    negotiated(&t, "2025-06-18");
    send(&t, serde_json::from_str(INITIALIZED).expect("json")).await;
    // More than go out at once: the rest wait, and requests still go.
    let answers = MAX_POSTS_IN_FLIGHT + 4;
    for n in 0..answers {
        send(
            &t,
            json!({"jsonrpc": "2.0", "id": format!("srv-{n}"), "result": {}}),
        )
        .await;
    }
    send(&t, json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await;
    assert_eq!(
        recv(&mut t).await.id(),
        Some(&id(2)),
        "answered while the POSTs hang"
    );
    let posted = || {
        server
            .seen()
            .iter()
            .filter(|s| s.method == Method::POST && s.rpc_method().is_none())
            .count()
    };
    eventually(|| posted() == MAX_POSTS_IN_FLIGHT).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(posted(), MAX_POSTS_IN_FLIGHT, "at most this many POSTs at once");
}

/// A 2024-11-05 server: GET `path` opens the stream with an `endpoint`
/// event; POSTs to `/messages` are answered on it. POSTs to `path` get
/// `post_status`.
async fn old_server(path: &'static str, post_status: u16) -> Server {
    let latest: Mutex<Option<mpsc::UnboundedSender<String>>> = Mutex::new(None);
    Server::start(path, move |s, _| match s.method.clone() {
        Method::GET if s.path == path => {
            let (tx, rx) = mpsc::unbounded_channel::<String>();
            *latest.lock().expect("lock") = Some(tx);
            let live = Some(rx);
            Reply::sse(vec![Chunk::Data(
                "event: endpoint\ndata: /messages?session=abc\n\n".into(),
            )])
            .live(live)
            .hold()
        }
        Method::POST if s.path.starts_with("/messages") => {
            if !s.id().is_null() {
                let answer = match s.rpc_method() {
                    Some("initialize") => init_result(&s.id()),
                    _ => result(&s.id(), json!({"via": "sse"})),
                };
                if let Some(tx) = latest.lock().expect("lock").as_ref() {
                    let _ = tx.send(format!("event: message\ndata: {answer}\n\n"));
                }
            }
            Reply::status(202)
        }
        _ => Reply::status(post_status),
    })
    .await
}

#[tokio::test]
async fn http_sse_round_trip() {
    let server = old_server("/sse", 404).await;
    let mut t = sse_client(&SseServerParameters::new(&server.url).timeout(Duration::from_secs(5)))
        .await
        .expect("connect");
    send(&t, initialize(1)).await;
    assert_eq!(recv(&mut t).await.id(), Some(&id(1)));
    send(&t, json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await;
    let m = recv(&mut t).await;
    assert_eq!(json(&m)["result"], json!({"via": "sse"}));
    let posts: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.method == Method::POST)
        .collect();
    assert!(posts.iter().all(|p| p.path == "/messages?session=abc"));
}

#[tokio::test]
async fn auto_falls_back_to_http_sse_and_remembers() {
    let server = old_server("/mcp", 405).await;
    let auto = StreamableHttpParameters::new(&server.url).timeout(Duration::from_secs(5));
    let mut t = streamablehttp_client(&auto).await.expect("connect");
    send(&t, stateless(1, "server/discover", json!({}))).await;
    assert_eq!(failed(&mut t, 1).await.status(), Some(405));
    send(&t, initialize(2)).await;
    let m = recv(&mut t).await;
    assert_eq!(m.id(), Some(&id(2)));
    assert_eq!(json(&m)["result"]["protocolVersion"], json!("2025-06-18"));
    send(&t, json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"})).await;
    assert_eq!(json(&recv(&mut t).await)["result"], json!({"via": "sse"}));
    drop(t);
    // A later connection goes straight to HTTP+SSE.
    let before = server
        .seen()
        .iter()
        .filter(|s| s.method == Method::POST && s.path == "/mcp")
        .count();
    let mut t = streamablehttp_client(&auto).await.expect("connect again");
    send(&t, initialize(1)).await;
    assert_eq!(recv(&mut t).await.id(), Some(&id(1)));
    let after = server
        .seen()
        .iter()
        .filter(|s| s.method == Method::POST && s.path == "/mcp")
        .count();
    assert_eq!(before, after, "no failing POST the second time");
}

#[tokio::test]
async fn an_origin_whose_session_settled_on_the_initialize_era_is_remembered_by_its_cache() {
    let server = Server::start("/mcp", |s, _| match (s.method.clone(), s.rpc_method()) {
        (Method::POST, Some("initialize")) => Reply::json(init_result(&s.id())),
        (Method::POST, _) => Reply::status(202),
        (Method::GET, _) => Reply::status(405),
        _ => Reply::status(200),
    })
    .await;
    let auto = StreamableHttpParameters::new(&server.url).timeout(Duration::from_secs(5));
    let t = streamablehttp_client(&auto).await.expect("connect");
    assert_eq!(t.remembered_era, None, "nothing known yet");
    negotiated(&t, "2025-06-18");
    eventually(|| !auto.origin_cache.is_empty()).await;
    t.guard.close().await;
    // Clones share the cache; the mark is taken by the connection that uses it.
    let again = auto.clone();
    let t = streamablehttp_client(&again).await.expect("connect");
    assert_eq!(t.remembered_era, Some(Era::Initialize));
    t.guard.close().await;
    let t = streamablehttp_client(&again).await.expect("connect");
    assert_eq!(t.remembered_era, None, "until a session settles there again");
    // Another cache knows nothing: no process-wide state.
    let fresh = StreamableHttpParameters::new(&server.url);
    assert_eq!(
        streamablehttp_client(&fresh)
            .await
            .expect("connect")
            .remembered_era,
        None
    );
    drop(t);
    assert!(server
        .seen()
        .iter()
        .all(|s| s.rpc_method() != Some("server/discover")));
}
