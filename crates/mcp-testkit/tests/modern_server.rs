//! The example server in the 2026-07-28 era (and a few legacy checks),
//! driven by a raw JSON-RPC peer with hand-written requests.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use mcp_client::McpHooks;
use mcp_jsonrpc::{
    memory_pair, ErrorObject, Handler, NoHandler, Notification, Peer, PeerConfig, RawValue, Request,
    RequestContext, RequestOptions,
};
use mcp_testkit::ExampleServer;
use serde_json::{json, Value};
use tokio::sync::broadcast;

const V: &str = "2026-07-28";
const PV: &str = "io.modelcontextprotocol/protocolVersion";
const CC: &str = "io.modelcontextprotocol/clientCapabilities";
const SUB: &str = "io.modelcontextprotocol/subscriptionId";
const WAIT: Duration = Duration::from_secs(5);

/// A raw client connected in memory to a fresh example server.
struct Client {
    peer: Peer,
    notes: broadcast::Receiver<Arc<Notification>>,
}

fn start_with(handler: Arc<dyn Handler>) -> Client {
    let (client_side, server_side) = memory_pair(64);
    let server = ExampleServer::default().start(server_side);
    // As in the fixtures: the server lives as long as the connection.
    tokio::spawn(async move {
        let _ = server.closed().await;
    });
    let config = PeerConfig::default()
        .hooks(Arc::new(McpHooks))
        .default_timeout(WAIT);
    let peer = Peer::start(client_side, handler, config);
    let notes = peer.subscribe();
    Client { peer, notes }
}

fn start() -> Client {
    start_with(Arc::new(NoHandler))
}

/// Modern `_meta` with these client capabilities.
fn meta(caps: Value) -> Value {
    json!({ PV: V, CC: caps })
}

fn all_caps() -> Value {
    json!({"elicitation": {}, "sampling": {}, "roots": {}, "extensions": {"io.modelcontextprotocol/tasks": {}}})
}

/// `params` with modern `_meta` added.
fn with_meta(mut params: Value, caps: Value) -> Value {
    params["_meta"] = meta(caps);
    params
}

fn first_text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or("<no text>")
}

impl Client {
    async fn call(&self, method: &'static str, params: Value) -> Result<Value, ErrorObject> {
        let answer = tokio::time::timeout(
            WAIT,
            self.peer
                .request::<Value, Value>(method, Some(&params), RequestOptions::default()),
        )
        .await
        .expect("an answer in time");
        match answer {
            Ok(v) => Ok(v),
            Err(mcp_jsonrpc::Error::Rpc { error, .. }) => Err(error),
            Err(other) => panic!("{method}: {other}"),
        }
    }

    async fn ok(&self, method: &'static str, params: Value) -> Value {
        self.call(method, params)
            .await
            .unwrap_or_else(|e| panic!("{method} failed: {e}"))
    }

    async fn err(&self, method: &'static str, params: Value) -> ErrorObject {
        match self.call(method, params).await {
            Ok(v) => panic!("{method} should fail, got {v}"),
            Err(e) => e,
        }
    }

    async fn tool(&self, name: &str, args: Value, caps: Value) -> Value {
        self.ok(
            "tools/call",
            with_meta(json!({"name": name, "arguments": args}), caps),
        )
        .await
    }

    /// The next notification (of any method).
    async fn note(&mut self) -> Notification {
        let n = tokio::time::timeout(WAIT, self.notes.recv())
            .await
            .expect("a notification in time")
            .expect("the notification stream is open");
        (*n).clone()
    }

    /// Notifications that arrived so far, without waiting.
    fn drain(&mut self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        while let Ok(n) = self.notes.try_recv() {
            out.push((n.method.to_string(), params_of(&n)));
        }
        out
    }
}

fn params_of(n: &Notification) -> Value {
    n.params
        .as_ref()
        .map(|p| serde_json::from_str(p.get()).expect("JSON params"))
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn discover_describes_the_modern_era() {
    let c = start();
    let d = c.ok("server/discover", json!({"_meta": meta(json!({}))})).await;
    assert_eq!(d["resultType"], "complete");
    assert_eq!(d["supportedVersions"], json!([V]));
    assert_eq!(d["capabilities"]["tools"]["listChanged"], true);
    assert_eq!(d["capabilities"]["resources"]["subscribe"], true);
    assert_eq!(d["capabilities"]["prompts"]["listChanged"], false);
    assert!(d["capabilities"]["extensions"]["io.modelcontextprotocol/tasks"].is_object());
    assert_eq!(d["ttlMs"], 60000);
    assert_eq!(d["cacheScope"], "public");
    assert!(d["instructions"].is_string());
    assert_eq!(
        d["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        mcp_testkit::EXAMPLE_SERVER_NAME
    );
    // A dual-era server answers discovery even without the modern `_meta`.
    let bare = c.ok("server/discover", json!({})).await;
    assert_eq!(bare["supportedVersions"], json!([V]));
}

#[tokio::test]
async fn meta_is_checked_on_every_modern_request() {
    let c = start();
    let e = c
        .err(
            "tools/call",
            json!({"name": "echo", "arguments": {"message": "x"}, "_meta": {PV: V}}),
        )
        .await;
    assert_eq!(e.code, -32602);
    assert!(e.message.contains("clientCapabilities"), "{}", e.message);
    let e = c.err("tools/list", json!({"_meta": {CC: {}}})).await;
    assert_eq!(e.code, -32602);
    assert!(e.message.contains("protocolVersion"), "{}", e.message);
    let e = c.err("subscriptions/listen", json!({"notifications": {}})).await;
    assert_eq!(e.code, -32602);
    let e = c
        .err(
            "tools/list",
            json!({"_meta": {PV: V, CC: {}, "io.modelcontextprotocol/logLevel": "loud"}}),
        )
        .await;
    assert_eq!(e.code, -32602);

    let e = c
        .err("tools/list", json!({"_meta": {PV: "2099-01-01", CC: {}}}))
        .await;
    assert_eq!(e.code, -32022);
    let data = e.data.expect("data");
    assert_eq!(data["supported"], json!([V]));
    assert_eq!(data["requested"], "2099-01-01");
    let e = c
        .err("server/discover", json!({"_meta": {PV: "2099-01-01", CC: {}}}))
        .await;
    assert_eq!(e.code, -32022);

    for (method, params) in [
        ("ping", json!({})),
        ("logging/setLevel", json!({"level": "debug"})),
        ("resources/subscribe", json!({"uri": "example://readme"})),
        ("resources/unsubscribe", json!({"uri": "example://readme"})),
        ("initialize", json!({})),
    ] {
        let e = c.err(method, with_meta(params, json!({}))).await;
        assert_eq!(e.code, -32601, "{method}");
    }
}

#[tokio::test]
async fn modern_results_carry_result_type_and_cache_hints() {
    let c = start();
    let tools = c.ok("tools/list", with_meta(json!({}), json!({}))).await;
    assert_eq!(tools["resultType"], "complete");
    assert_eq!(tools["ttlMs"], 30000);
    assert_eq!(tools["cacheScope"], "public");
    let mut names = Vec::new();
    let mut cursor: Option<Value> = None;
    loop {
        let mut params = with_meta(json!({}), json!({}));
        if let Some(c) = cursor.take() {
            params["cursor"] = c;
        }
        let page = c.ok("tools/list", params).await;
        for t in page["tools"].as_array().expect("tools") {
            names.push(t["name"].as_str().expect("name").to_owned());
        }
        match page.get("nextCursor") {
            Some(next) => cursor = Some(next.clone()),
            None => break,
        }
    }
    for name in ["echo", "multi_step", "task_input", "end_subscriptions"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let read = c
        .ok(
            "resources/read",
            with_meta(json!({"uri": "example://readme"}), json!({})),
        )
        .await;
    assert_eq!(read["resultType"], "complete");
    assert_eq!(read["ttlMs"], 5000);
    assert_eq!(read["cacheScope"], "public");
    let missing = c
        .err(
            "resources/read",
            with_meta(json!({"uri": "example://missing"}), json!({})),
        )
        .await;
    assert_eq!(missing.code, -32602);
    let prompts = c.ok("prompts/list", with_meta(json!({}), json!({}))).await;
    assert_eq!(prompts["ttlMs"], 30000);
    assert_eq!(prompts["prompts"].as_array().map(Vec::len), Some(3));
    let echo = c.tool("echo", json!({"message": "hi"}), json!({})).await;
    assert_eq!(echo["resultType"], "complete");
    assert_eq!(first_text(&echo), "hi");
    let done = c
        .ok(
            "completion/complete",
            with_meta(
                json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "name", "value": "A"}}),
                json!({}),
            ),
        )
        .await;
    assert_eq!(done["resultType"], "complete");
    assert_eq!(done["completion"]["values"], json!(["Ada", "Alan"]));
}

/// Calls `name` once, checks it asks for input under `key` with `method`,
/// then retries with `answer` and the echoed state; returns the final result.
async fn round_trip(c: &Client, name: &str, args: Value, key: &str, method: &str, answer: Value) -> Value {
    let first = c.tool(name, args.clone(), all_caps()).await;
    assert_eq!(first["resultType"], "input_required", "{first}");
    assert_eq!(first["inputRequests"][key]["method"], method, "{first}");
    let state = first["requestState"].as_str().expect("requestState").to_owned();
    let retry = json!({
        "name": name,
        "arguments": args,
        "inputResponses": {key: answer},
        "requestState": state,
    });
    let last = c.ok("tools/call", with_meta(retry, all_caps())).await;
    assert_eq!(last["resultType"], "complete", "{last}");
    last
}

#[tokio::test]
async fn ask_sample_and_roots_take_one_round() {
    let c = start();
    let r = round_trip(
        &c,
        "ask",
        json!({"question": "Colour?"}),
        "answer",
        "elicitation/create",
        json!({"action": "accept", "content": {"answer": "blue"}}),
    )
    .await;
    assert_eq!(first_text(&r), "the user answered: blue");
    let r = round_trip(
        &c,
        "ask",
        json!({"question": "Colour?"}),
        "answer",
        "elicitation/create",
        json!({"action": "decline"}),
    )
    .await;
    assert_eq!(first_text(&r), "the user chose to decline");
    let r = round_trip(
        &c,
        "sample",
        json!({"prompt": "Hi"}),
        "completion",
        "sampling/createMessage",
        json!({"role": "assistant", "content": {"type": "text", "text": "hello"}, "model": "m1"}),
    )
    .await;
    assert_eq!(first_text(&r), "m1 said: hello");
    let r = round_trip(
        &c,
        "roots",
        json!({}),
        "roots",
        "roots/list",
        json!({"roots": [{"uri": "file:///a"}, {"uri": "file:///b"}]}),
    )
    .await;
    assert_eq!(first_text(&r), "roots: file:///a, file:///b");
}

#[tokio::test]
async fn retries_must_echo_the_request_state() {
    let c = start();
    let args = json!({"question": "Colour?"});
    let answer = json!({"answer": {"action": "accept", "content": {"answer": "blue"}}});
    let e = c
        .err(
            "tools/call",
            with_meta(
                json!({"name": "ask", "arguments": args, "inputResponses": answer}),
                all_caps(),
            ),
        )
        .await;
    assert_eq!(e.code, -32602);
    assert!(e.message.contains("requestState"), "{}", e.message);
    let e = c
        .err(
            "tools/call",
            with_meta(
                json!({"name": "ask", "arguments": args, "inputResponses": answer, "requestState": "bm9wZQ"}),
                all_caps(),
            ),
        )
        .await;
    assert_eq!(e.code, -32602);
    // A retry without the requested input is asked again.
    let first = c.tool("ask", args.clone(), all_caps()).await;
    let state = first["requestState"].clone();
    let again = c
        .ok(
            "tools/call",
            with_meta(
                json!({"name": "ask", "arguments": args, "inputResponses": {}, "requestState": state}),
                all_caps(),
            ),
        )
        .await;
    assert_eq!(again["resultType"], "input_required");
    assert_eq!(again["inputRequests"], first["inputRequests"]);
}

#[tokio::test]
async fn multi_step_takes_two_rounds() {
    let c = start();
    let call = |extra: Value| {
        let mut p = json!({"name": "multi_step", "arguments": {}});
        if let (Value::Object(p), Value::Object(extra)) = (&mut p, extra) {
            p.extend(extra);
        }
        with_meta(p, json!({"elicitation": {}}))
    };
    let one = c.ok("tools/call", call(json!({}))).await;
    assert_eq!(one["resultType"], "input_required");
    assert_eq!(one["inputRequests"]["name"]["method"], "elicitation/create");
    let two = c
        .ok(
            "tools/call",
            call(json!({
                "inputResponses": {"name": {"action": "accept", "content": {"name": "Ada"}}},
                "requestState": one["requestState"],
            })),
        )
        .await;
    assert_eq!(two["resultType"], "input_required", "{two}");
    let confirm = &two["inputRequests"]["confirm"];
    assert_eq!(confirm["method"], "elicitation/create");
    assert_eq!(confirm["params"]["message"], "Proceed as Ada?");
    assert_eq!(
        confirm["params"]["requestedSchema"]["properties"]["confirm"]["type"],
        "boolean"
    );
    assert_ne!(two["requestState"], one["requestState"]);
    // Only the latest round's answers travel with the latest state.
    let done = c
        .ok(
            "tools/call",
            call(json!({
                "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": true}}},
                "requestState": two["requestState"],
            })),
        )
        .await;
    assert_eq!(done["resultType"], "complete");
    assert_eq!(first_text(&done), "confirmed: Ada");
    // The first round's state answered with the second round's key: asked again.
    let stale = c
        .ok(
            "tools/call",
            call(json!({
                "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": true}}},
                "requestState": one["requestState"],
            })),
        )
        .await;
    assert_eq!(stale["inputRequests"]["name"]["method"], "elicitation/create");
}

#[tokio::test]
async fn missing_capabilities_are_reported() {
    let c = start();
    let ask = c.tool("ask", json!({"question": "?"}), json!({})).await;
    assert_eq!(ask["resultType"], "complete");
    assert_eq!(ask["isError"], true);
    assert!(first_text(&ask).contains("elicitation"), "{ask}");
    // URL-only elicitation cannot carry a form.
    let url_only = c
        .tool("multi_step", json!({}), json!({"elicitation": {"url": {}}}))
        .await;
    assert_eq!(url_only["isError"], true);
    let roots = c.tool("roots", json!({}), json!({"elicitation": {}})).await;
    assert_eq!(roots["isError"], true);
    assert!(first_text(&roots).contains("roots"), "{roots}");
    let e = c
        .err(
            "tools/call",
            with_meta(json!({"name": "sample", "arguments": {"prompt": "x"}}), json!({})),
        )
        .await;
    assert_eq!(e.code, -32021);
    assert!(e.data.expect("data")["requiredCapabilities"]["sampling"].is_object());
    let e = c
        .err("prompts/get", with_meta(json!({"name": "personal"}), json!({})))
        .await;
    assert_eq!(e.code, -32021);
    let e = c
        .err(
            "resources/read",
            with_meta(json!({"uri": "example://secret"}), json!({})),
        )
        .await;
    assert_eq!(e.code, -32021);
}

#[tokio::test]
async fn prompts_and_resources_ask_for_input_too() {
    let c = start();
    let caps = json!({"elicitation": {}});
    let first = c
        .ok(
            "prompts/get",
            with_meta(json!({"name": "personal"}), caps.clone()),
        )
        .await;
    assert_eq!(first["resultType"], "input_required");
    assert!(
        first.get("ttlMs").is_none(),
        "interim results carry no cache hints"
    );
    let got = c
        .ok(
            "prompts/get",
            with_meta(
                json!({
                    "name": "personal",
                    "inputResponses": {"name": {"action": "accept", "content": {"name": "Grace"}}},
                    "requestState": first["requestState"],
                }),
                caps.clone(),
            ),
        )
        .await;
    assert_eq!(got["resultType"], "complete");
    assert_eq!(
        got["messages"][0]["content"]["text"],
        "Please greet Grace personally."
    );

    let first = c
        .ok(
            "resources/read",
            with_meta(json!({"uri": "example://secret"}), caps.clone()),
        )
        .await;
    assert_eq!(first["resultType"], "input_required");
    assert_eq!(
        first["inputRequests"]["passphrase"]["method"],
        "elicitation/create"
    );
    let retry = |answer: Value| {
        with_meta(
            json!({
                "uri": "example://secret",
                "inputResponses": {"passphrase": answer},
                "requestState": first["requestState"],
            }),
            caps.clone(),
        )
    };
    let read = c
        .ok(
            "resources/read",
            retry(json!({"action": "accept", "content": {"passphrase": "open"}})),
        )
        .await;
    assert_eq!(read["resultType"], "complete");
    assert_eq!(read["contents"][0]["text"], "The secret is 42.");
    assert_eq!(read["cacheScope"], "private");
    let e = c.err("resources/read", retry(json!({"action": "decline"}))).await;
    assert_eq!(e.code, -32602);
}

#[tokio::test]
async fn log_messages_follow_the_request_log_level() {
    let mut c = start();
    c.tool("notify", json!({}), json!({})).await;
    assert!(
        c.drain().iter().all(|(m, _)| m != "notifications/message"),
        "no logLevel, no logs"
    );
    let mut p = with_meta(json!({"name": "notify", "arguments": {}}), json!({}));
    p["_meta"]["io.modelcontextprotocol/logLevel"] = json!("warning");
    c.ok("tools/call", p.clone()).await;
    let levels: Vec<Value> = c
        .drain()
        .into_iter()
        .filter(|(m, _)| m == "notifications/message")
        .map(|(_, p)| p["level"].clone())
        .collect();
    assert_eq!(levels, vec![json!("warning")]);
    p["_meta"]["io.modelcontextprotocol/logLevel"] = json!("debug");
    c.ok("tools/call", p).await;
    let logs: Vec<Value> = c
        .drain()
        .into_iter()
        .filter(|(m, _)| m == "notifications/message")
        .map(|(_, p)| p["data"].clone())
        .collect();
    assert_eq!(
        logs,
        vec![
            json!("calling tool notify"),
            json!("a warning from the notify tool")
        ]
    );
}

/// Opens a listen with `filter` in a task; returns it with the acknowledged
/// params.
async fn listen(c: &mut Client, filter: Value) -> (tokio::task::JoinHandle<Result<Value, String>>, Value) {
    let peer = c.peer.clone();
    let params = with_meta(json!({ "notifications": filter }), json!({}));
    let task = tokio::spawn(async move {
        peer.request::<Value, Value>(
            "subscriptions/listen",
            Some(&params),
            RequestOptions::default().timeout(Duration::from_secs(60)),
        )
        .await
        .map_err(|e| e.to_string())
    });
    let ack = c.note().await;
    assert_eq!(ack.method, "notifications/subscriptions/acknowledged");
    (task, params_of(&ack))
}

#[tokio::test]
async fn listen_acknowledges_tags_and_ends() {
    let mut c = start();
    let (task, ack) = listen(
        &mut c,
        json!({"toolsListChanged": true, "promptsListChanged": true, "resourceSubscriptions": ["example://readme"]}),
    )
    .await;
    let id = ack["_meta"][SUB].clone();
    assert!(id.is_number(), "{ack}");
    assert_eq!(
        ack["notifications"],
        json!({"toolsListChanged": true, "resourceSubscriptions": ["example://readme"]}),
        "prompts do not change, so that part is not honored"
    );
    let r = c
        .tool("notify", json!({"uri": "example://readme"}), json!({}))
        .await;
    assert_eq!(first_text(&r), "notified (subscribed: true)");
    let notes = c.drain();
    let updated = notes
        .iter()
        .find(|(m, _)| m == "notifications/resources/updated")
        .expect("resources/updated");
    assert_eq!(updated.1["uri"], "example://readme");
    assert_eq!(updated.1["_meta"][SUB], id);
    let changed = notes
        .iter()
        .find(|(m, _)| m == "notifications/tools/list_changed")
        .expect("tools/list_changed");
    assert_eq!(changed.1["_meta"][SUB], id);
    // Another URI: only the tools notification.
    let r = c
        .tool("notify", json!({"uri": "example://logo"}), json!({}))
        .await;
    assert_eq!(first_text(&r), "notified (subscribed: false)");
    assert!(c
        .drain()
        .iter()
        .all(|(m, _)| m != "notifications/resources/updated"));

    let r = c.tool("end_subscriptions", json!({}), json!({})).await;
    assert_eq!(first_text(&r), "ended 1 subscription(s)");
    let end = tokio::time::timeout(WAIT, task)
        .await
        .expect("in time")
        .expect("join")
        .expect("a graceful end");
    assert_eq!(end["resultType"], "complete");
    assert_eq!(end["_meta"][SUB], id);
    let r = c.tool("end_subscriptions", json!({}), json!({})).await;
    assert_eq!(first_text(&r), "ended 0 subscription(s)");
}

#[tokio::test]
async fn a_cancelled_listen_stops_getting_notifications() {
    let mut c = start();
    let (task, _) = listen(&mut c, json!({"toolsListChanged": true})).await;
    let (other, other_ack) = listen(&mut c, json!({"resourcesListChanged": true})).await;
    let other_id = other_ack["_meta"][SUB].clone();
    c.tool("notify", json!({}), json!({})).await;
    let tagged: Vec<Value> = c
        .drain()
        .into_iter()
        .filter(|(m, _)| m == "notifications/tools/list_changed")
        .map(|(_, p)| p["_meta"][SUB].clone())
        .collect();
    assert_eq!(tagged.len(), 1, "only the listen that asked for it");
    assert_ne!(tagged[0], other_id);
    // Aborting the request sends notifications/cancelled.
    task.abort();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        c.drain();
        c.tool("notify", json!({}), json!({})).await;
        if c.drain()
            .iter()
            .all(|(m, _)| m != "notifications/tools/list_changed")
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the listen was not cancelled"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let r = c.tool("end_subscriptions", json!({}), json!({})).await;
    assert_eq!(
        first_text(&r),
        "ended 1 subscription(s)",
        "only the other one is left"
    );
    let end = tokio::time::timeout(WAIT, other)
        .await
        .expect("in time")
        .expect("join")
        .expect("a graceful end");
    assert_eq!(end["_meta"][SUB], other_id);
}

fn task_args(name: &str, args: Value) -> Value {
    with_meta(json!({"name": name, "arguments": args}), all_caps())
}

async fn poll_until(c: &Client, id: &Value, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let t = c
            .ok("tasks/get", with_meta(json!({"taskId": id}), all_caps()))
            .await;
        assert_eq!(t["resultType"], "complete");
        if t["status"] == status {
            return t;
        }
        assert!(tokio::time::Instant::now() < deadline, "still {t}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn slow_runs_as_a_task_when_asked() {
    let c = start();
    let created = c
        .ok(
            "tools/call",
            task_args("slow", json!({"steps": 2, "delay_ms": 10, "task": true})),
        )
        .await;
    assert_eq!(created["resultType"], "task", "{created}");
    assert_eq!(created["status"], "working");
    assert_eq!(created["ttlMs"], 60000);
    assert_eq!(created["pollIntervalMs"], 50);
    assert!(created["createdAt"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(created["lastUpdatedAt"].is_string());
    let id = created["taskId"].clone();
    let done = poll_until(&c, &id, "completed").await;
    assert_eq!(first_text(&done["result"]), "done after 2 steps");

    // Without the extension, `task: true` is a plain call.
    let plain = c
        .tool(
            "slow",
            json!({"steps": 1, "delay_ms": 1, "task": true}),
            json!({}),
        )
        .await;
    assert_eq!(plain["resultType"], "complete");
    assert_eq!(first_text(&plain), "done after 1 steps");

    let e = c
        .err("tasks/get", with_meta(json!({"taskId": "nope"}), all_caps()))
        .await;
    assert_eq!(e.code, -32602);
    let e = c
        .err("tasks/get", with_meta(json!({"taskId": id}), json!({})))
        .await;
    assert_eq!(e.code, -32021);
}

#[tokio::test]
async fn tasks_can_be_cancelled() {
    let c = start();
    let created = c
        .ok(
            "tools/call",
            task_args("slow", json!({"steps": 1, "delay_ms": 10000, "task": true})),
        )
        .await;
    let id = created["taskId"].clone();
    let r = c
        .ok("tasks/cancel", with_meta(json!({"taskId": id}), all_caps()))
        .await;
    assert_eq!(r, json!({"resultType": "complete"}));
    let t = c
        .ok("tasks/get", with_meta(json!({"taskId": id}), all_caps()))
        .await;
    assert_eq!(t["status"], "cancelled");
    assert!(t.get("result").is_none());
}

#[tokio::test]
async fn task_input_waits_for_tasks_update() {
    let c = start();
    let created = c
        .ok(
            "tools/call",
            task_args("task_input", json!({"question": "Name?", "task": true})),
        )
        .await;
    assert_eq!(created["resultType"], "task");
    let id = created["taskId"].clone();
    let t = poll_until(&c, &id, "input_required").await;
    let (key, request) = t["inputRequests"]
        .as_object()
        .and_then(|m| m.iter().next())
        .expect("one input request");
    assert_eq!(request["method"], "elicitation/create");
    assert_eq!(request["params"]["message"], "Name?");
    // Unknown keys are ignored.
    let r = c
        .ok(
            "tasks/update",
            with_meta(
                json!({"taskId": id, "inputResponses": {"other": {"action": "decline"}}}),
                all_caps(),
            ),
        )
        .await;
    assert_eq!(r["resultType"], "complete");
    poll_until(&c, &id, "input_required").await;
    c.ok(
        "tasks/update",
        with_meta(
            json!({"taskId": id, "inputResponses": {key.as_str(): {"action": "accept", "content": {"answer": "Ken"}}}}),
            all_caps(),
        ),
    )
    .await;
    let done = poll_until(&c, &id, "completed").await;
    assert_eq!(first_text(&done["result"]), "the user answered: Ken");

    let e = c
        .err(
            "tools/call",
            with_meta(
                json!({"name": "task_input", "arguments": {"task": true}}),
                json!({}),
            ),
        )
        .await;
    assert_eq!(e.code, -32021);
}

#[tokio::test]
async fn knobs_work_in_the_modern_era() {
    let c = start();
    let huge = c.tool("huge", json!({"bytes": 1000}), json!({})).await;
    assert_eq!(first_text(&huge).len(), 1000);
    let hang = tokio::time::timeout(
        Duration::from_millis(50),
        c.peer.request::<Value, Value>(
            "tools/call",
            Some(&task_args("hang", json!({}))),
            RequestOptions::default(),
        ),
    )
    .await;
    assert!(hang.is_err(), "hang never answers");
    let crash = c
        .peer
        .request::<Value, Value>(
            "tools/call",
            Some(&task_args("crash", json!({}))),
            RequestOptions::default(),
        )
        .await;
    assert!(
        matches!(crash, Err(mcp_jsonrpc::Error::Closed { .. })),
        "{crash:?}"
    );
}

/// Answers the legacy server→client elicitations of `multi_step`,
/// `personal` and `example://secret`.
struct Elicitor;

#[async_trait]
impl Handler for Elicitor {
    async fn handle_request(
        &self,
        request: Request,
        _cx: RequestContext,
    ) -> Result<Box<RawValue>, ErrorObject> {
        assert_eq!(request.method, "elicitation/create");
        let params: Value =
            serde_json::from_str(request.params.as_deref().map_or("{}", RawValue::get)).expect("JSON");
        let content = match params["message"].as_str().unwrap_or_default() {
            "What is your name?" => json!({"name": "Linus"}),
            m if m.starts_with("Proceed as") => json!({"confirm": false}),
            _ => json!({"passphrase": "sesame"}),
        };
        Ok(mcp_jsonrpc::to_raw(&json!({"action": "accept", "content": content})).expect("JSON"))
    }
}

#[tokio::test]
async fn the_legacy_era_still_works() {
    let c = start_with(Arc::new(Elicitor));
    let init = c
        .ok(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {"elicitation": {}}, "clientInfo": {"name": "t", "version": "1"}}),
        )
        .await;
    assert_eq!(init["protocolVersion"], "2025-06-18");
    assert!(init.get("resultType").is_none());
    let echo = c
        .ok(
            "tools/call",
            json!({"name": "echo", "arguments": {"message": "hi"}}),
        )
        .await;
    assert_eq!(echo, json!({"content": [{"type": "text", "text": "hi"}]}));
    assert_eq!(c.ok("ping", json!({})).await, json!({}));
    let mut names = Vec::new();
    let mut params = json!({});
    loop {
        let page = c.ok("tools/list", params.clone()).await;
        assert!(page.get("ttlMs").is_none());
        names.extend(
            page["tools"]
                .as_array()
                .expect("tools")
                .iter()
                .map(|t| t["name"].clone()),
        );
        match page.get("nextCursor") {
            Some(next) => params = json!({"cursor": next}),
            None => break,
        }
    }
    assert_eq!(names.len(), 12, "the legacy listing is unchanged");
    let r = c
        .ok("tools/call", json!({"name": "multi_step", "arguments": {}}))
        .await;
    assert_eq!(first_text(&r), "not confirmed: Linus");
    let p = c.ok("prompts/get", json!({"name": "personal"})).await;
    assert_eq!(
        p["messages"][0]["content"]["text"],
        "Please greet Linus personally."
    );
    let s = c.ok("resources/read", json!({"uri": "example://secret"})).await;
    assert_eq!(s["contents"][0]["text"], "The secret is 42.");
    let e = c.err("resources/read", json!({"uri": "example://missing"})).await;
    assert_eq!(e.code, -32002);
    let e = c.err("tasks/get", json!({"taskId": "x"})).await;
    assert_eq!(e.code, -32602);
}
