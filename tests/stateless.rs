//! Protocol 2026-07-28 and automatic era negotiation, against scripted
//! peers: each test states the exact messages a server sends.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mcp_client::{ClientError, ClientSession, ClientSessionOptions, Era, ProtocolMode};
use mcp_jsonrpc::{ErrorObject, ErrorResponse, Notification, Request};
use mcp_testkit::{scripted_pair, with_timeout, ScriptedPeer};
use mcp_types::{ElicitResult, LoggingLevel};
use serde_json::{json, Map, Value};

const V: &str = "2026-07-28";

fn params(r: &Request) -> Value {
    r.params
        .as_ref()
        .map(|p| serde_json::from_str(p.get()).expect("json"))
        .unwrap_or(Value::Null)
}

fn discover_result(capabilities: Value) -> Value {
    json!({
        "resultType": "complete",
        "supportedVersions": [V],
        "capabilities": capabilities,
        "instructions": "scripted",
        "ttlMs": 0,
        "cacheScope": "public",
        "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "scripted", "version": "9"}}
    })
}

async fn error(server: &ScriptedPeer, r: Request, code: i64, message: &str, data: Option<Value>) {
    let mut error = ErrorObject::new(code, message);
    error.data = data;
    server
        .send(ErrorResponse {
            id: Some(r.id),
            error,
        })
        .await;
}

/// A session past a stateless handshake with a server offering `capabilities`.
async fn stateless(options: ClientSessionOptions, capabilities: Value) -> (ClientSession, ScriptedPeer) {
    let (transport, mut server) = scripted_pair();
    let session = ClientSession::new(transport, options);
    let init = tokio::spawn({
        let session = session.clone();
        async move { session.initialize().await }
    });
    let discover = server.request().await;
    assert_eq!(discover.method, "server/discover");
    let meta = &params(&discover)["_meta"];
    assert_eq!(meta["io.modelcontextprotocol/protocolVersion"], V);
    assert!(meta["io.modelcontextprotocol/clientCapabilities"].is_object());
    assert_eq!(
        meta["io.modelcontextprotocol/clientInfo"]["name"],
        "mcp-client-rs"
    );
    server.respond(discover.id, discover_result(capabilities)).await;
    let result = with_timeout(init)
        .await
        .expect("join")
        .expect("stateless handshake");
    assert_eq!(result.protocol_version, V);
    assert_eq!(result.server_info.name, "scripted");
    (session, server)
}

#[tokio::test]
async fn auto_speaks_2026_07_28_with_a_stateless_server() {
    let (session, mut server) = stateless(ClientSessionOptions::new(), json!({"tools": {}})).await;
    assert_eq!(session.era(), Some(Era::Stateless));
    assert_eq!(session.protocol_version().as_deref(), Some(V));
    let call = tokio::spawn({
        let s = session.clone();
        async move { s.list_tools(None).await }
    });
    let r = server.request().await;
    assert_eq!(r.method, "tools/list");
    let meta = &params(&r)["_meta"];
    assert_eq!(meta["io.modelcontextprotocol/protocolVersion"], V);
    assert_eq!(meta["io.modelcontextprotocol/clientCapabilities"], json!({}));
    server
        .respond(
            r.id,
            json!({"resultType": "complete", "tools": [], "ttlMs": 0, "cacheScope": "public"}),
        )
        .await;
    with_timeout(call).await.expect("join").expect("tools");
}

#[tokio::test]
async fn server_requests_are_refused_in_the_stateless_era_even_with_callbacks() {
    let options = ClientSessionOptions::new()
        .list_roots_callback(|_cx| async move { Ok(mcp_types::ListRootsResult::new(vec![])) });
    let (_session, mut server) = stateless(options, json!({})).await;
    for method in ["ping", "roots/list"] {
        let request = Request {
            id: mcp_jsonrpc::RequestId::from(method),
            method: method.into(),
            params: None,
        };
        server.send(request).await;
        let answer = with_timeout(server.next()).await.expect("an answer");
        let json = serde_json::to_value(&answer).expect("json");
        assert_eq!(json["id"], method);
        assert_eq!(json["error"]["code"], -32601, "{json}");
        assert!(
            json["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("2026-07-28"),
            "{json}"
        );
    }
}

async fn falls_back_after(
    reply: impl FnOnce(ScriptedPeer, Request) -> tokio::task::JoinHandle<ScriptedPeer>,
) -> ClientSession {
    let (transport, mut server) = scripted_pair();
    let session = ClientSession::new(
        transport,
        ClientSessionOptions::new().discover_timeout(Duration::from_millis(200)),
    );
    let init = tokio::spawn({
        let session = session.clone();
        async move { session.initialize().await }
    });
    let discover = server.request().await;
    assert_eq!(discover.method, "server/discover");
    let mut server = reply(server, discover).await.expect("reply");
    let init_req = server.request().await;
    assert_eq!(init_req.method, "initialize");
    assert_eq!(params(&init_req)["protocolVersion"], "2025-11-25");
    server
        .respond(
            init_req.id,
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "serverInfo": {"name": "old", "version": "1"}}),
        )
        .await;
    with_timeout(init)
        .await
        .expect("join")
        .expect("initialize_era handshake");
    assert_eq!(session.era(), Some(Era::Initialize));
    assert_eq!(session.protocol_version().as_deref(), Some("2025-06-18"));
    session
}

#[tokio::test]
async fn auto_falls_back_to_initialize_on_method_not_found() {
    falls_back_after(|s, r| {
        tokio::spawn(async move {
            error(&s, r, -32601, "Method not found", None).await;
            s
        })
    })
    .await;
}

#[tokio::test]
async fn auto_falls_back_on_any_other_error_not_one_code() {
    falls_back_after(|s, r| {
        tokio::spawn(async move {
            error(&s, r, -32602, "Invalid params: session not initialized", None).await;
            s
        })
    })
    .await;
}

#[tokio::test]
async fn auto_falls_back_when_discover_gets_no_answer() {
    falls_back_after(|s, _r| tokio::spawn(async move { s })).await;
}

#[tokio::test]
async fn unsupported_version_error_picks_a_mutual_initialize_era_version() {
    let (transport, mut server) = scripted_pair();
    let session = ClientSession::new(transport, ClientSessionOptions::new());
    let init = tokio::spawn({
        let session = session.clone();
        async move { session.initialize().await }
    });
    let discover = server.request().await;
    let data = json!({"supported": ["2025-03-26", "2024-11-05"], "requested": V});
    error(
        &server,
        discover,
        -32022,
        "Unsupported protocol version",
        Some(data),
    )
    .await;
    let init_req = server.request().await;
    assert_eq!(init_req.method, "initialize");
    assert_eq!(
        params(&init_req)["protocolVersion"],
        "2025-03-26",
        "offers the mutual version"
    );
    server
        .respond(
            init_req.id,
            json!({"protocolVersion": "2025-03-26", "capabilities": {}, "serverInfo": {"name": "old", "version": "1"}}),
        )
        .await;
    with_timeout(init).await.expect("join").expect("handshake");
    assert_eq!(session.protocol_version().as_deref(), Some("2025-03-26"));
}

#[tokio::test]
async fn unsupported_version_without_a_mutual_one_fails_clearly() {
    let (transport, mut server) = scripted_pair();
    let session = ClientSession::new(transport, ClientSessionOptions::new());
    let init = tokio::spawn({
        let session = session.clone();
        async move { session.initialize().await }
    });
    let discover = server.request().await;
    error(
        &server,
        discover,
        -32022,
        "Unsupported",
        Some(json!({"supported": ["2099-01-01"]})),
    )
    .await;
    let err = with_timeout(init)
        .await
        .expect("join")
        .expect_err("no mutual version");
    assert!(
        matches!(err, ClientError::UnsupportedProtocolVersion { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("2099-01-01"), "{err}");
}

#[tokio::test]
async fn a_pinned_stateless_version_does_not_fall_back() {
    let (transport, mut server) = scripted_pair();
    let session = ClientSession::new(
        transport,
        ClientSessionOptions::new().protocol(ProtocolMode::Pinned(V.into())),
    );
    let init = tokio::spawn({
        let session = session.clone();
        async move { session.initialize().await }
    });
    let discover = server.request().await;
    error(&server, discover, -32601, "Method not found", None).await;
    let err = with_timeout(init).await.expect("join").expect_err("pinned");
    assert_eq!(err.server_error().map(|e| e.code), Some(-32601), "{err}");
}

#[tokio::test]
async fn input_required_is_answered_and_retried_with_the_request_state() {
    let asked = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&asked);
    let options = ClientSessionOptions::new().elicitation_callback(move |_cx, p| {
        count.fetch_add(1, Ordering::SeqCst);
        assert_eq!(p.message(), Some("Your name?"));
        let mut content = Map::new();
        content.insert("name".into(), json!("Ada"));
        async move { Ok(ElicitResult::accept(content)) }
    });
    let (session, mut server) = stateless(options, json!({"tools": {}})).await;
    let caps_seen = session.client_capabilities();
    assert!(caps_seen.elicitation.is_some());
    let call = tokio::spawn({
        let s = session.clone();
        async move { s.call_tool("greet", None).await }
    });
    // The client first learns the tool's output schema.
    let list = server.request().await;
    assert_eq!(list.method, "tools/list");
    server
        .respond(
            list.id,
            json!({"resultType": "complete", "tools": [], "ttlMs": 0, "cacheScope": "public"}),
        )
        .await;
    let first = server.request().await;
    assert_eq!(first.method, "tools/call");
    let ask = json!({"method": "elicitation/create", "params": {"message": "Your name?", "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}}}});
    server
        .respond(first.id.clone(), json!({"resultType": "input_required", "inputRequests": {"who": ask}, "requestState": "opaque-1"}))
        .await;
    let retry = server.request().await;
    assert_eq!(retry.method, "tools/call");
    assert_ne!(retry.id, first.id, "a retry has a new id");
    let p = params(&retry);
    assert_eq!(p["name"], "greet");
    assert_eq!(p["requestState"], "opaque-1");
    assert_eq!(
        p["inputResponses"],
        json!({"who": {"action": "accept", "content": {"name": "Ada"}}})
    );
    assert_eq!(p["_meta"]["io.modelcontextprotocol/protocolVersion"], V);
    // A second round without requestState: the retry must not carry one.
    server
        .respond(
            retry.id,
            json!({"resultType": "input_required", "inputRequests": {"again": ask}}),
        )
        .await;
    let retry2 = server.request().await;
    let p2 = params(&retry2);
    assert!(p2.get("requestState").is_none(), "{p2}");
    assert!(p2["inputResponses"]["again"].is_object());
    server
        .respond(
            retry2.id,
            json!({"resultType": "complete", "content": [{"type": "text", "text": "hi Ada"}]}),
        )
        .await;
    let result = with_timeout(call).await.expect("join").expect("call");
    assert_eq!(result.content[0].as_text(), Some("hi Ada"));
    assert_eq!(asked.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn input_rounds_are_bounded() {
    let options = ClientSessionOptions::new()
        .max_input_rounds(2)
        .validate_tool_output(false);
    let (session, mut server) = stateless(options, json!({"tools": {}})).await;
    let call = tokio::spawn({
        let s = session.clone();
        async move { s.call_tool("x", None).await }
    });
    for _ in 0..3 {
        let r = server.request().await;
        server
            .respond(
                r.id,
                json!({"resultType": "input_required", "requestState": "again"}),
            )
            .await;
    }
    let err = with_timeout(call)
        .await
        .expect("join")
        .expect_err("too many rounds");
    assert!(
        matches!(err, ClientError::TooManyInputRounds { rounds: 2, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn undeclared_input_and_unknown_result_types_are_errors() {
    let options = ClientSessionOptions::new().validate_tool_output(false);
    let (session, mut server) = stateless(options, json!({"tools": {}})).await;
    let call = tokio::spawn({
        let s = session.clone();
        async move { (s.call_tool("x", None).await, s.call_tool("y", None).await) }
    });
    let r = server.request().await;
    let sample = json!({"method": "sampling/createMessage", "params": {"messages": [], "maxTokens": 5}});
    server
        .respond(
            r.id,
            json!({"resultType": "input_required", "inputRequests": {"s": sample}}),
        )
        .await;
    let r = server.request().await;
    server.respond(r.id, json!({"resultType": "mystery"})).await;
    let (a, b) = with_timeout(call).await.expect("join");
    assert!(a.expect_err("undeclared").to_string().contains("did not declare"));
    assert!(b.expect_err("unknown").to_string().contains("mystery"));
}

#[tokio::test]
async fn list_results_are_cached_for_their_ttl_and_invalidated_by_notifications() {
    let (session, mut server) = stateless(ClientSessionOptions::new(), json!({"tools": {}})).await;
    let list = json!({"resultType": "complete", "tools": [{"name": "t", "inputSchema": {"type": "object"}}], "ttlMs": 60000, "cacheScope": "public"});
    let s = session.clone();
    let script = tokio::spawn(async move {
        let r = server.request().await;
        assert_eq!(r.method, "tools/list");
        server.respond(r.id, list.clone()).await;
        // The cached answer serves the second call; the third bypasses.
        let r = server.request().await;
        assert_eq!(r.method, "tools/list");
        server.respond(r.id, list.clone()).await;
        server
            .send(Notification {
                method: "notifications/tools/list_changed".into(),
                params: None,
            })
            .await;
        let r = server.request().await;
        assert_eq!(r.method, "tools/list", "invalidated by list_changed");
        server.respond(r.id, list).await;
        server
    });
    s.list_tools(None).await.expect("first");
    s.list_tools(None).await.expect("from the cache");
    s.send_request::<mcp_types::ListToolsRequest>(&Default::default())
        .bypass_cache()
        .await
        .expect("bypass");
    // Give the notification time to arrive, then list again.
    tokio::time::sleep(Duration::from_millis(50)).await;
    s.list_tools(None).await.expect("after invalidation");
    drop(with_timeout(script).await.expect("script"));
}

#[tokio::test]
async fn missing_capability_errors_carry_the_required_capabilities() {
    let options = ClientSessionOptions::new().validate_tool_output(false);
    let (session, mut server) = stateless(options, json!({"tools": {}})).await;
    let call = tokio::spawn({
        let s = session.clone();
        async move { s.call_tool("x", None).await }
    });
    let r = server.request().await;
    let data = json!({"requiredCapabilities": {"sampling": {}}});
    error(
        &server,
        r,
        -32021,
        "Missing required client capability",
        Some(data),
    )
    .await;
    let err = with_timeout(call).await.expect("join").expect_err("missing");
    assert!(
        matches!(&err, ClientError::MissingClientCapability { required, .. } if required == &json!({"sampling": {}})),
        "{err}"
    );
}

#[tokio::test]
async fn header_mismatch_relists_tools_and_retries_once() {
    let (session, mut server) = stateless(ClientSessionOptions::new(), json!({"tools": {}})).await;
    let call = tokio::spawn({
        let s = session.clone();
        async move { s.call_tool("t", None).await }
    });
    let empty = json!({"resultType": "complete", "tools": [{"name": "t", "inputSchema": {"type": "object"}}], "ttlMs": 0, "cacheScope": "public"});
    let r = server.request().await;
    assert_eq!(r.method, "tools/list");
    server.respond(r.id, empty.clone()).await;
    let r = server.request().await;
    assert_eq!(r.method, "tools/call");
    error(&server, r, -32020, "Header mismatch", None).await;
    let r = server.request().await;
    assert_eq!(r.method, "tools/list", "re-lists after a header mismatch");
    server.respond(r.id, empty).await;
    let r = server.request().await;
    assert_eq!(r.method, "tools/call", "and retries once");
    server
        .respond(r.id, json!({"resultType": "complete", "content": []}))
        .await;
    with_timeout(call).await.expect("join").expect("retried");
}

#[tokio::test]
async fn removed_methods_fail_clearly_and_log_level_goes_into_meta() {
    let (session, mut server) =
        stateless(ClientSessionOptions::new(), json!({"tools": {}, "logging": {}})).await;
    let err = session.send_ping().await.expect_err("ping is gone in 2026-07-28");
    assert!(matches!(err, ClientError::NotSupported { .. }), "{err}");
    assert!(session.send_roots_list_changed().await.is_err());
    session
        .set_logging_level(LoggingLevel::Debug)
        .await
        .expect("local");
    let call = tokio::spawn({
        let s = session.clone();
        async move { s.list_prompts(None).await }
    });
    let r = server.request().await;
    assert_eq!(r.method, "prompts/list", "no logging/setLevel was sent");
    assert_eq!(params(&r)["_meta"]["io.modelcontextprotocol/logLevel"], "debug");
    server
        .respond(
            r.id,
            json!({"resultType": "complete", "prompts": [], "ttlMs": 0, "cacheScope": "public"}),
        )
        .await;
    with_timeout(call).await.expect("join").expect("prompts");
}

#[tokio::test]
async fn resource_subscriptions_use_subscriptions_listen() {
    let (session, mut server) = stateless(
        ClientSessionOptions::new(),
        json!({"resources": {"subscribe": true}}),
    )
    .await;
    let sub = tokio::spawn({
        let s = session.clone();
        async move { s.subscribe_resource("file:///a").await }
    });
    let listen = server.request().await;
    assert_eq!(listen.method, "subscriptions/listen");
    let p = params(&listen);
    assert_eq!(
        p["notifications"],
        json!({"resourceSubscriptions": ["file:///a"]})
    );
    assert_eq!(p["_meta"]["io.modelcontextprotocol/protocolVersion"], V);
    let ack = json!({"notifications": {"resourceSubscriptions": ["file:///a"]}, "_meta": {"io.modelcontextprotocol/subscriptionId": listen.id}});
    server
        .send(Notification {
            method: "notifications/subscriptions/acknowledged".into(),
            params: Some(mcp_jsonrpc::to_raw(&ack).expect("raw")),
        })
        .await;
    with_timeout(sub).await.expect("join").expect("acknowledged");
    // Unsubscribing cancels the listen request.
    session
        .unsubscribe_resource("file:///a")
        .await
        .expect("unsubscribe");
    let cancel = server.notification().await;
    assert_eq!(cancel.method, "notifications/cancelled");
}

#[tokio::test]
async fn a_task_is_polled_to_completion() {
    let options = ClientSessionOptions::new()
        .tasks(true)
        .validate_tool_output(false);
    let (session, mut server) = stateless(options, json!({"tools": {}})).await;
    let caps = session.client_capabilities();
    assert!(caps
        .extensions
        .as_ref()
        .is_some_and(|e| e.contains_key("io.modelcontextprotocol/tasks")));
    let call = tokio::spawn({
        let s = session.clone();
        async move { s.call_tool("long", None).await }
    });
    let r = server.request().await;
    assert_eq!(r.method, "tools/call");
    server
        .respond(r.id, json!({"resultType": "task", "taskId": "t1", "status": "working", "pollIntervalMs": 10, "ttlMs": 60000}))
        .await;
    let get = server.request().await;
    assert_eq!(get.method, "tasks/get");
    assert_eq!(params(&get)["taskId"], "t1");
    server
        .respond(
            get.id,
            json!({"resultType": "complete", "taskId": "t1", "status": "working"}),
        )
        .await;
    let get = server.request().await;
    let done = json!({"resultType": "complete", "taskId": "t1", "status": "completed", "result": {"content": [{"type": "text", "text": "done"}]}});
    server.respond(get.id, done).await;
    let result = with_timeout(call).await.expect("join").expect("task result");
    assert_eq!(result.content[0].as_text(), Some("done"));
}

#[tokio::test]
async fn task_input_is_answered_once_per_key_with_tasks_update() {
    let asked = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&asked);
    let options = ClientSessionOptions::new()
        .tasks(true)
        .validate_tool_output(false)
        .elicitation_callback(move |_cx, _p| {
            count.fetch_add(1, Ordering::SeqCst);
            let mut content = Map::new();
            content.insert("ok".into(), json!(true));
            async move { Ok(ElicitResult::accept(content)) }
        });
    let (session, mut server) = stateless(options, json!({"tools": {}})).await;
    let call = tokio::spawn({
        let s = session.clone();
        async move { s.call_tool("long", None).await }
    });
    let r = server.request().await;
    server
        .respond(
            r.id,
            json!({"resultType": "task", "taskId": "t2", "status": "working", "pollIntervalMs": 10}),
        )
        .await;
    let ask = json!({"k1": {"method": "elicitation/create", "params": {"message": "ok?", "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}}});
    // The same input request shows in two polls: it is answered once.
    for _ in 0..2 {
        let get = server.request().await;
        assert_eq!(get.method, "tasks/get");
        server
            .respond(get.id, json!({"resultType": "complete", "taskId": "t2", "status": "input_required", "inputRequests": ask}))
            .await;
        let next = server.request().await;
        if next.method == "tasks/update" {
            let p = params(&next);
            assert_eq!(p["taskId"], "t2");
            assert_eq!(
                p["inputResponses"],
                json!({"k1": {"action": "accept", "content": {"ok": true}}})
            );
            server.respond(next.id, json!({"resultType": "complete"})).await;
        } else {
            assert_eq!(
                next.method, "tasks/get",
                "no second tasks/update for the same key"
            );
            let done = json!({"resultType": "complete", "taskId": "t2", "status": "completed", "result": {"content": []}});
            server.respond(next.id, done).await;
            break;
        }
    }
    with_timeout(call).await.expect("join").expect("completed");
    assert_eq!(asked.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn dropping_a_task_call_cancels_the_task_and_failed_tasks_are_errors() {
    let options = ClientSessionOptions::new()
        .tasks(true)
        .validate_tool_output(false);
    let (session, mut server) = stateless(options, json!({"tools": {}})).await;
    let call = tokio::spawn({
        let s = session.clone();
        async move { s.call_tool("long", None).await }
    });
    let r = server.request().await;
    server
        .respond(
            r.id,
            json!({"resultType": "task", "taskId": "t3", "status": "working", "pollIntervalMs": 10}),
        )
        .await;
    let get = server.request().await;
    assert_eq!(get.method, "tasks/get");
    call.abort();
    // The pending tasks/get is cancelled, then the task itself.
    let mut saw_cancel = false;
    while let Some(m) = server.next().await {
        if let mcp_jsonrpc::Message::Request(r) = m {
            if r.method == "tasks/cancel" {
                assert_eq!(params(&r)["taskId"], "t3");
                server.respond(r.id, json!({"resultType": "complete"})).await;
                saw_cancel = true;
                break;
            }
        }
    }
    assert!(saw_cancel, "tasks/cancel was sent");

    let call = tokio::spawn({
        let s = session.clone();
        async move { s.call_tool("long", None).await }
    });
    let r = server.request().await;
    server
        .respond(
            r.id,
            json!({"resultType": "task", "taskId": "t4", "status": "working", "pollIntervalMs": 10}),
        )
        .await;
    let get = server.request().await;
    let failed = json!({"resultType": "complete", "taskId": "t4", "status": "failed", "error": {"code": -32603, "message": "disk full"}});
    server.respond(get.id, failed).await;
    let err = with_timeout(call).await.expect("join").expect_err("failed task");
    assert!(
        matches!(&err, ClientError::TaskEnded { status, .. } if status == "failed"),
        "{err}"
    );
    assert!(err.to_string().contains("disk full"), "{err}");
}

#[tokio::test]
async fn url_elicitation_reaches_the_callback_with_the_url_untouched() {
    let seen = Arc::new(std::sync::Mutex::new(None));
    let sink = Arc::clone(&seen);
    let options = ClientSessionOptions::new()
        .validate_tool_output(false)
        .elicitation_callback(move |_cx, p| {
            if let mcp_types::ElicitRequestParams::Url(u) = &p {
                *sink.lock().expect("lock") = Some(u.url.clone());
            }
            async move { Ok(ElicitResult::new(mcp_types::ElicitAction::Accept)) }
        });
    let (session, mut server) = stateless(options, json!({"tools": {}})).await;
    let call = tokio::spawn({
        let s = session.clone();
        async move { s.call_tool("login", None).await }
    });
    let r = server.request().await;
    let ask = json!({"auth": {"method": "elicitation/create", "params": {"mode": "url", "message": "Sign in", "url": "https://example.com/login?x=1"}}});
    server
        .respond(
            r.id,
            json!({"resultType": "input_required", "inputRequests": ask, "requestState": "s"}),
        )
        .await;
    let retry = server.request().await;
    assert_eq!(
        params(&retry)["inputResponses"],
        json!({"auth": {"action": "accept"}})
    );
    server
        .respond(retry.id, json!({"resultType": "complete", "content": []}))
        .await;
    with_timeout(call).await.expect("join").expect("done");
    assert_eq!(
        seen.lock().expect("lock").as_deref(),
        Some("https://example.com/login?x=1")
    );
}

#[tokio::test]
async fn a_discover_reply_that_is_not_a_discover_result_means_the_initialize_era() {
    falls_back_after(|s, r| {
        tokio::spawn(async move {
            s.respond(r.id, json!({})).await;
            s
        })
    })
    .await;
}

#[tokio::test]
async fn unsupported_version_naming_our_own_version_is_retried_once() {
    let (transport, mut server) = scripted_pair();
    let session = ClientSession::new(transport, ClientSessionOptions::new());
    let init = tokio::spawn({
        let session = session.clone();
        async move { session.initialize().await }
    });
    let first = server.request().await;
    error(
        &server,
        first,
        -32022,
        "Unsupported",
        Some(json!({"supported": [V]})),
    )
    .await;
    let again = server.request().await;
    assert_eq!(again.method, "server/discover");
    assert_eq!(
        params(&again)["_meta"]["io.modelcontextprotocol/protocolVersion"],
        V
    );
    server.respond(again.id, discover_result(json!({}))).await;
    with_timeout(init)
        .await
        .expect("join")
        .expect("stateless after one retry");
    assert_eq!(session.era(), Some(Era::Stateless));
}
