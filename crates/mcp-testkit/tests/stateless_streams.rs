//! The example server in the 2026-07-28 era: subscriptions, tasks, knobs,
//! and the initialize era still working.

mod support;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use mcp_jsonrpc::{ErrorObject, Handler, InboundContext, RawValue, Request, RequestOptions};
use serde_json::{json, Value};

#[allow(clippy::wildcard_imports)]
use support::*;

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

/// Answers the initialize-era server→client elicitations of `multi_step`,
/// `personal` and `example://secret`.
struct Elicitor;

#[async_trait]
impl Handler for Elicitor {
    async fn handle_request(
        &self,
        request: Request,
        _cx: InboundContext,
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
    assert_eq!(names.len(), 12, "the initialize_era listing is unchanged");
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
