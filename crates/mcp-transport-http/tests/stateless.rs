//! Streamable HTTP, 2026-07-28 era, against a scripted loopback server.

mod support;

use std::sync::Arc;
use std::time::Duration;

use mcp_jsonrpc::auth::{AuthChallenge, AuthRequest, ChallengeOutcome};
use mcp_jsonrpc::{AuthenticationError, BoxFuture, ClientAuth, Secret};
use mcp_jsonrpc::{
    HeaderParam, Message, NoHandler, Notification, Outbound, Peer, PeerConfig, RequestOptions,
};
use mcp_transport_http::{streamablehttp_client, HttpTransportMode, StreamableHttpParameters};
use serde_json::{json, Value};
use support::*;

fn params(url: &str) -> StreamableHttpParameters {
    StreamableHttpParameters::new(url)
        .transport(HttpTransportMode::StreamableHttp)
        .timeout(Duration::from_secs(5))
}

#[tokio::test]
async fn json_response_through_a_peer() {
    let server = Server::start("/mcp", |s, _| {
        Reply::json(result(&s.id(), json!({"echo": s.rpc_method()})))
    })
    .await;
    let t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    let peer = Peer::start(t, Arc::new(NoHandler), PeerConfig::default());
    let got: Value = tokio::time::timeout(
        WAIT,
        peer.request("tools/list", Some(&json!({})), RequestOptions::default()),
    )
    .await
    .expect("in time")
    .expect("ok");
    assert_eq!(got, json!({"echo": "tools/list"}));
    let s = &server.seen()[0];
    assert_eq!(s.header("accept"), Some("application/json, text/event-stream"));
    assert_eq!(s.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn sse_response_with_notification_and_keepalive() {
    let server = Server::start("/mcp", |s, _| {
        let note = json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}});
        Reply::sse(vec![
            Chunk::Data(": keep-alive\n\n".into()),
            event(&note),
            Chunk::Sleep(Duration::from_millis(30)),
            event(&result(&s.id(), json!({"ok": true}))),
        ])
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, stateless(1, "tools/call", json!({"name": "slow"}))).await;
    let first = recv(&mut t).await;
    assert_eq!(first.method(), Some("notifications/progress"));
    let second = recv(&mut t).await;
    assert!(
        matches!(&second, Message::Response(r) if r.id == id(1)),
        "{second:?}"
    );
}

#[tokio::test]
async fn notifications_get_202() {
    let server = Server::start("/mcp", |s, _| {
        if s.id().is_null() {
            Reply::status(202)
        } else {
            Reply::json(result(&s.id(), json!({})))
        }
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(
        &t,
        json!({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"}),
    )
    .await;
    send(&t, stateless(2, "tools/list", json!({}))).await;
    let m = recv(&mut t).await;
    assert_eq!(m.id(), Some(&id(2)));
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn stateless_headers_and_the_tool_headers_the_session_names() {
    let listing = json!({"tools": [
        {"name": "greet", "inputSchema": {"type": "object", "properties": {
            "greeting": {"type": "string", "x-mcp-header": "Greeting"},
            "count": {"type": "integer", "x-mcp-header": "Count"}}}},
        {"name": "broken", "inputSchema": {"type": "object", "properties": {
            "n": {"type": "number", "x-mcp-header": "N"}}}}
    ], "ttlMs": 0, "cacheScope": "public"});
    let reply = listing.clone();
    let server = Server::start("/mcp", move |s, _| {
        if s.rpc_method() == Some("tools/list") {
            return Reply::json(result(&s.id(), reply.clone()));
        }
        Reply::json(result(&s.id(), json!({"content": []})))
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, stateless(1, "tools/list", json!({}))).await;
    let list = json(&recv(&mut t).await);
    assert_eq!(
        list["result"], listing,
        "the transport passes results through untouched"
    );
    // The session validates the annotations and names the headers.
    t.hints.send_modify(|h| {
        let mut tools = std::collections::HashMap::new();
        tools.insert(
            "greet".to_owned(),
            vec![
                HeaderParam::new(vec!["greeting".into()], "Greeting"),
                HeaderParam::new(vec!["count".into()], "Count"),
            ],
        );
        h.tool_headers = Arc::new(tools);
    });
    send(
        &t,
        stateless(
            2,
            "tools/call",
            json!({"name": "greet", "arguments": {"greeting": "Hello, 世界", "count": 3}}),
        ),
    )
    .await;
    recv(&mut t).await;
    send(&t, stateless(3, "resources/read", json!({"uri": "file:///a b"}))).await;
    recv(&mut t).await;
    let seen = server.seen();
    let call = &seen[1];
    assert_eq!(call.header("mcp-protocol-version"), Some("2026-07-28"));
    assert_eq!(call.header("mcp-method"), Some("tools/call"));
    assert_eq!(call.header("mcp-name"), Some("greet"));
    assert_eq!(
        call.header("mcp-param-greeting"),
        Some("=?base64?SGVsbG8sIOS4lueVjA==?=")
    );
    assert_eq!(call.header("mcp-param-count"), Some("3"));
    assert_eq!(seen[2].header("mcp-name"), Some("file:///a b"));
    assert_eq!(seen[0].header("mcp-method"), Some("tools/list"));
    assert_eq!(seen[0].header("mcp-name"), None);
}

#[tokio::test]
async fn a_jsonrpc_error_body_is_the_servers_answer() {
    let server = Server::start("/mcp", |s, _| {
        // Once without an id, once naming the request.
        let id = if s.id() == json!(7) { Value::Null } else { s.id() };
        let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32022, "message": "Unsupported protocol version",
            "data": {"supported": ["2025-11-25"], "requested": "2026-07-28"}}});
        Reply::new(400, "application/json", body.to_string())
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, stateless(7, "server/discover", json!({}))).await;
    let e = failed(&mut t, 7).await;
    assert_eq!(e.status(), Some(400));
    let rpc = e.rpc_error().expect("the server's words are kept");
    assert_eq!(rpc.code, -32022);
    assert_eq!(
        rpc.data,
        Some(json!({"supported": ["2025-11-25"], "requested": "2026-07-28"}))
    );
    send(&t, stateless(8, "server/discover", json!({}))).await;
    match recv(&mut t).await {
        Message::Error(e) => {
            assert_eq!(e.id, Some(id(8)), "delivered as the server sent it");
            assert_eq!(e.error.code, -32022);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn html_500_is_a_typed_status_naming_the_url() {
    let server = Server::start("/mcp", |_, _| {
        Reply::new(500, "text/html", "<html><body>Internal oops</body></html>")
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, stateless(1, "tools/list", json!({}))).await;
    let e = failed(&mut t, 1).await;
    assert_eq!(e.status(), Some(500));
    assert!(e.rpc_error().is_none());
    let text = e.to_string();
    assert!(
        text.contains("500") && text.contains(&server.url) && text.contains("Internal oops"),
        "{text}"
    );
}

#[tokio::test]
async fn refused_connection_fails_the_request_as_a_connect_error() {
    let url = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/mcp", l.local_addr().expect("addr"))
    };
    let mut t = streamablehttp_client(&params(&url))
        .await
        .expect("connect is lazy");
    send(&t, stateless(1, "tools/list", json!({}))).await;
    let e = failed(&mut t, 1).await;
    assert!(e.is_connect(), "{e:?}");
    assert!(e.to_string().contains("could not reach"), "{e}");
}

#[tokio::test]
async fn cancellation_closes_the_stream_without_a_notification() {
    let server = Server::start("/mcp", |_, _| {
        Reply::sse(vec![Chunk::Data(": started\n\n".into())]).hold()
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, stateless(5, "tools/call", json!({"name": "slow"}))).await;
    eventually(|| server.seen().len() == 1).await;
    let notification = Notification {
        method: "notifications/cancelled".into(),
        params: mcp_jsonrpc::to_raw(&json!({"requestId": 5})).ok(),
    };
    let cancel = Outbound::Cancel {
        id: id(5),
        notification: Some(notification),
    };
    t.outbound.send(cancel).await.expect("open");
    eventually(|| server.dropped.load(std::sync::atomic::Ordering::SeqCst) == 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.seen().len(), 1, "no notifications/cancelled POST");
    assert!(tokio::time::timeout(Duration::from_millis(100), t.inbound.recv())
        .await
        .is_err());
}

#[tokio::test]
async fn a_broken_stream_fails_the_request_and_never_sends_it_twice() {
    let server = Server::start("/mcp", |_, _| {
        let note = json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}});
        Reply::sse(vec![event(&note), Chunk::Sleep(Duration::from_millis(50)), Chunk::Break])
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, stateless(9, "tools/call", json!({"name": "x"}))).await;
    assert_eq!(recv(&mut t).await.method(), Some("notifications/progress"));
    let e = failed(&mut t, 9).await;
    assert!(e.to_string().contains("not sent again"), "{e}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_slow_answer_is_bounded_by_the_request_not_the_http_timeout() {
    let server = Server::start("/mcp", |s, _| {
        // Headers only after the tool finished, longer than `timeout`.
        let mut r = Reply::json(result(&s.id(), json!({"late": true})));
        r.chunks.insert(0, Chunk::Sleep(Duration::from_millis(600)));
        r
    })
    .await;
    let p = params(&server.url).timeout(Duration::from_millis(200));
    let mut t = streamablehttp_client(&p).await.expect("connect");
    send(&t, stateless(1, "tools/call", json!({"name": "slow"}))).await;
    assert_eq!(json(&recv(&mut t).await)["result"], json!({"late": true}));
}

#[tokio::test]
async fn a_202_to_a_stateless_request_fails_it_at_once() {
    let server = Server::start("/mcp", |_, _| Reply::status(202)).await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, stateless(4, "tools/list", json!({}))).await;
    let e = failed(&mut t, 4).await;
    assert!(e.to_string().contains("never be answered"), "{e}");
}

#[tokio::test]
async fn oversized_body_is_an_error() {
    let server = Server::start("/mcp", |s, _| {
        let big = "x".repeat(64 * 1024);
        Reply::json(result(&s.id(), json!({"big": big})))
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url).max_message_size(4096))
        .await
        .expect("connect");
    send(&t, stateless(1, "tools/list", json!({}))).await;
    let e = failed(&mut t, 1).await;
    assert!(e.to_string().contains("larger than the limit"), "{e}");
    let server2 = Server::start("/mcp", |s, _| {
        let big = "y".repeat(64 * 1024);
        Reply::sse(vec![event(&result(&s.id(), json!({"big": big})))])
    })
    .await;
    let mut t = streamablehttp_client(&params(&server2.url).max_message_size(4096))
        .await
        .expect("connect");
    send(&t, stateless(2, "tools/list", json!({}))).await;
    let e = failed(&mut t, 2).await;
    assert!(e.to_string().contains("larger than the limit"), "{e}");
}

#[tokio::test]
async fn redirects_only_to_the_same_origin() {
    let other = Server::start("/mcp", |s, _| {
        Reply::json(result(&s.id(), json!({"stolen": true})))
    })
    .await;
    let target = other.url.clone();
    let server = Server::start("/mcp", move |s, _| {
        if s.path == "/mcp" {
            Reply::status(307).header("location", &target)
        } else {
            Reply::json(result(&s.id(), json!({})))
        }
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, stateless(1, "tools/list", json!({}))).await;
    let e = failed(&mut t, 1).await;
    assert!(e.to_string().contains("another origin"), "{e}");
    assert!(other.seen().is_empty());
    let same = Server::start("/mcp", |s, _| {
        if s.path == "/mcp" {
            Reply::status(308).header("location", "/v2/mcp")
        } else {
            Reply::json(result(&s.id(), json!({"moved": true})))
        }
    })
    .await;
    let mut t = streamablehttp_client(&params(&same.url)).await.expect("connect");
    send(&t, stateless(2, "tools/list", json!({}))).await;
    assert_eq!(json(&recv(&mut t).await)["result"], json!({"moved": true}));
}

/// Hands out `Bearer <n>`, counting up on every challenge; says "retry"
/// while `n` is below `give_up_at`.
struct Tokens {
    n: std::sync::atomic::AtomicUsize,
    give_up_at: usize,
    challenges: std::sync::Mutex<Vec<Seen>>,
}

/// A challenge as the provider saw it: status, `WWW-Authenticate` values,
/// the `Authorization` that was refused.
type Seen = (u16, Vec<String>, Option<String>);

impl Tokens {
    fn new(give_up_at: usize) -> Arc<Self> {
        Arc::new(Tokens {
            n: Default::default(),
            give_up_at,
            challenges: Default::default(),
        })
    }
}

impl ClientAuth for Tokens {
    fn get_headers<'a>(
        &'a self,
        _request: &'a AuthRequest,
    ) -> BoxFuture<'a, Result<Vec<(String, Secret)>, AuthenticationError>> {
        let n = self.n.load(std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move {
            Ok(vec![(
                "Authorization".to_owned(),
                Secret::new(format!("Bearer {n}")),
            )])
        })
    }

    fn on_challenge<'a>(
        &'a self,
        challenge: &'a AuthChallenge,
    ) -> BoxFuture<'a, Result<ChallengeOutcome, AuthenticationError>> {
        self.challenges.lock().expect("challenges").push((
            challenge.status,
            challenge.www_authenticate.clone(),
            challenge.authorization.as_ref().map(|s| s.expose().to_owned()),
        ));
        let n = self.n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let outcome = if n < self.give_up_at {
            ChallengeOutcome::Retry
        } else {
            ChallengeOutcome::GiveUp
        };
        Box::pin(async move { Ok(outcome) })
    }
}

#[tokio::test]
async fn credentials_are_renewed_on_401_and_stepped_up_on_403() {
    // 401 for no token, 403 insufficient_scope for token 1, then fine.
    let server = Server::start("/mcp", |s, _| match s.header("authorization") {
        Some("Bearer 2") => Reply::json(result(&s.id(), json!({"authorized": true}))),
        Some("Bearer 1") => Reply::status(403).header(
            "www-authenticate",
            "Bearer error=\"insufficient_scope\", scope=\"write\"",
        ),
        _ => Reply::status(401).header("www-authenticate", "Bearer realm=\"mcp\""),
    })
    .await;
    let tokens = Tokens::new(10);
    let p = params(&server.url).header("X-Custom", "yes").auth(tokens.clone());
    let mut t = streamablehttp_client(&p).await.expect("connect");
    send(&t, stateless(1, "tools/list", json!({}))).await;
    assert_eq!(json(&recv(&mut t).await)["result"], json!({"authorized": true}));
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|s| s.header("x-custom") == Some("yes")));
    let challenges = tokens.challenges.lock().expect("challenges").clone();
    assert_eq!(
        challenges[0],
        (
            401,
            vec!["Bearer realm=\"mcp\"".to_owned()],
            Some("Bearer 0".into())
        )
    );
    assert_eq!(challenges[1].0, 403);
    assert_eq!(challenges[1].2.as_deref(), Some("Bearer 1"));
}

#[tokio::test]
async fn a_refusal_is_a_typed_auth_failure_and_retries_are_bounded() {
    let server = Server::start("/mcp", |_, _| {
        Reply::status(403).header(
            "www-authenticate",
            "Bearer error=\"insufficient_scope\", scope=\"admin\"",
        )
    })
    .await;
    // A provider that always says "retry": the transport stops after MAX_AUTH_ROUNDS.
    let tokens = Tokens::new(usize::MAX);
    let mut t = streamablehttp_client(&params(&server.url).auth(tokens.clone()))
        .await
        .expect("connect");
    send(&t, stateless(1, "tools/list", json!({}))).await;
    let e = failed(&mut t, 1).await;
    let auth = e.authentication().expect("an auth failure");
    assert_eq!(auth.status(), Some(403));
    assert!(auth.is_insufficient_scope(), "{auth}");
    assert_eq!(
        server.seen().len(),
        1 + mcp_jsonrpc::auth::MAX_AUTH_ROUNDS as usize
    );

    // No credentials at all: the 401 says what to configure.
    let server = Server::start("/mcp", |_, _| {
        Reply::status(401).header("www-authenticate", "Bearer")
    })
    .await;
    let mut t = streamablehttp_client(&params(&server.url))
        .await
        .expect("connect");
    send(&t, stateless(2, "tools/list", json!({}))).await;
    let e = failed(&mut t, 2).await;
    assert!(e.is_auth(), "{e:?}");
    assert!(e.to_string().contains("requires authorization (HTTP 401)"), "{e}");
    assert_eq!(server.seen().len(), 1);
}
