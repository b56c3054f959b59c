//! `ClientSession` against the example server in the 2026-07-28 era (chosen
//! automatically): multi round-trip requests served by the same callbacks
//! as the initialize era, subscriptions, per-request logging, tasks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_client::{CallOptions, ClientError, ClientSessionOptions, Era, IncomingMessage};
use mcp_testkit::{example_session, with_timeout};
use mcp_types::{
    CallToolRequestParams, ContentBlock, CreateMessageResult, ElicitAction, ElicitResult, ListRootsResult,
    LoggingLevel, ResourceContents, Root, ServerNotification,
};
use serde_json::{json, Map, Value};

fn args(v: Value) -> Option<Map<String, Value>> {
    v.as_object().cloned()
}

fn text(result: &mcp_types::CallToolResult) -> &str {
    result
        .content
        .first()
        .and_then(ContentBlock::as_text)
        .unwrap_or("")
}

/// Answers every elicitation from a fixed map of field -> value.
fn answering(fields: Value) -> ClientSessionOptions {
    ClientSessionOptions::new().elicitation_callback(move |_cx, _p| {
        let content = fields.as_object().cloned().unwrap_or_default();
        async move { Ok(ElicitResult::accept(content)) }
    })
}

#[tokio::test]
async fn auto_picks_2026_07_28_with_the_dual_era_example_server() {
    let session = example_session(ClientSessionOptions::new()).await;
    assert_eq!(session.era(), Some(Era::Stateless));
    assert_eq!(session.protocol_version().as_deref(), Some("2026-07-28"));
    let n = session.negotiated().expect("negotiated");
    assert_eq!(n.server_info.name, mcp_testkit::EXAMPLE_SERVER_NAME);
    assert!(n.capabilities.tools.is_some());
    let tools = session.list_all_tools().await.expect("tools");
    assert!(tools.iter().any(|t| t.name == "multi_step"));
    let sum = session
        .call_tool("add", args(json!({"a": 1, "b": 2})))
        .await
        .expect("add");
    assert_eq!(sum.structured_content, Some(json!({"sum": 3.0})));
    assert!(
        session.send_ping().await.is_err(),
        "ping was removed in 2026-07-28"
    );
}

#[tokio::test]
async fn input_requests_are_served_by_the_same_callbacks() {
    let options = answering(json!({"answer": "Rust"}))
        .sampling_callback(|_cx, _p| async move { Ok(CreateMessageResult::text("m1", "Paris")) })
        .list_roots_callback(|_cx| async move {
            Ok(
                serde_json::from_value::<ListRootsResult>(json!({"roots": [{"uri": "file:///w"}]}))
                    .expect("roots"),
            )
        });
    let session = example_session(options).await;
    let r = session
        .call_tool("ask", args(json!({"question": "Language?"})))
        .await
        .expect("ask");
    assert_eq!(text(&r), "the user answered: Rust");
    let r = session
        .call_tool("sample", args(json!({"prompt": "Capital?"})))
        .await
        .expect("sample");
    assert_eq!(text(&r), "m1 said: Paris");
    let r = session.call_tool("roots", None).await.expect("roots");
    assert_eq!(text(&r), "roots: file:///w");
    let _ = Root::new("unused");
}

#[tokio::test]
async fn two_rounds_carry_the_request_state() {
    let rounds = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&rounds);
    let options = ClientSessionOptions::new().elicitation_callback(move |_cx, p| {
        let n = count.fetch_add(1, Ordering::SeqCst);
        let message = p.message().unwrap_or_default().to_owned();
        async move {
            let mut content = Map::new();
            if n == 0 {
                content.insert("name".into(), json!("Grace"));
            } else {
                assert!(message.contains("Grace"), "{message}");
                content.insert("confirm".into(), json!(true));
            }
            Ok(ElicitResult::accept(content))
        }
    });
    let session = example_session(options).await;
    let r = session.call_tool("multi_step", None).await.expect("two rounds");
    assert_eq!(text(&r), "confirmed: Grace");
    assert_eq!(rounds.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn prompts_and_resources_may_ask_for_input_too() {
    let session = example_session(answering(json!({"name": "Ada", "passphrase": "open"}))).await;
    let prompt = session.get_prompt("personal", None).await.expect("prompt");
    assert_eq!(
        prompt.messages[0].content.as_text(),
        Some("Please greet Ada personally.")
    );
    let secret = session.read_resource("example://secret").await.expect("secret");
    assert!(matches!(&secret.contents[0], ResourceContents::Text(_)));
}

#[tokio::test]
async fn a_declined_elicitation_is_sent_back() {
    let options = ClientSessionOptions::new()
        .elicitation_callback(|_cx, _p| async move { Ok(ElicitResult::new(ElicitAction::Decline)) });
    let session = example_session(options).await;
    let r = session
        .call_tool("ask", args(json!({"question": "?"})))
        .await
        .expect("ask");
    assert_eq!(text(&r), "the user chose to decline");
}

#[tokio::test]
async fn without_the_capability_the_server_says_which_one_it_needs() {
    let session = example_session(ClientSessionOptions::new()).await;
    let err = session
        .call_tool("sample", args(json!({"prompt": "x"})))
        .await
        .expect_err("no sampling");
    assert!(
        matches!(&err, ClientError::MissingClientCapability { required, .. } if required.get("sampling").is_some()),
        "{err}"
    );
}

#[tokio::test]
async fn log_level_travels_with_each_request() {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&logs);
    let options = ClientSessionOptions::new().logging_callback(move |p| {
        sink.lock().expect("lock").push(p.level.clone());
        async {}
    });
    let session = example_session(options).await;
    session
        .call_tool("notify", None)
        .await
        .expect("no level: no logs");
    session
        .set_logging_level(LoggingLevel::Info)
        .await
        .expect("local");
    session.call_tool("notify", None).await.expect("with level");
    session.list_tools(None).await.expect("flush");
    let logs = logs.lock().expect("lock").clone();
    assert!(logs.contains(&LoggingLevel::Warning), "{logs:?}");
    assert!(logs.contains(&LoggingLevel::Info), "{logs:?}");
    assert_eq!(logs.len(), 2, "the first call sent none: {logs:?}");
}

#[tokio::test]
async fn subscriptions_deliver_updates_through_the_message_handler() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let options = ClientSessionOptions::new().message_handler(move |m| {
        if let IncomingMessage::Notification(n) = m {
            if let ServerNotification::ResourceUpdated(p) = &*n {
                sink.lock().expect("lock").push(p.uri.clone());
            }
        }
        async {}
    });
    let session = example_session(options).await;
    session
        .subscribe_resource("example://readme")
        .await
        .expect("acknowledged");
    session
        .call_tool("notify", args(json!({"uri": "example://readme"})))
        .await
        .expect("notify");
    with_timeout(async {
        while seen.lock().expect("lock").is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert_eq!(*seen.lock().expect("lock"), vec!["example://readme".to_owned()]);
    session
        .unsubscribe_resource("example://readme")
        .await
        .expect("unsubscribe");
}

#[tokio::test]
async fn list_changes_invalidate_the_cache() {
    let session = example_session(ClientSessionOptions::new()).await;
    let first = session.list_tools(None).await.expect("list");
    let second = session.list_tools(None).await.expect("cached");
    assert_eq!(first.tools.len(), second.tools.len());
    // `notify` sends tools/list_changed on the listen stream opened for it.
    session.call_tool("notify", None).await.expect("notify");
    session.list_tools(None).await.expect("fresh");
}

#[tokio::test]
async fn tasks_are_polled_and_their_input_answered() {
    let options = answering(json!({"answer": "yes"})).tasks(true);
    let session = example_session(options).await;
    let params = CallToolRequestParams::new("slow")
        .with_arguments(args(json!({"steps": 2, "delay_ms": 5, "task": true})).expect("map"));
    let r = session
        .call_tool_with(params)
        .options(CallOptions::new())
        .await
        .expect("task completes");
    assert_eq!(text(&r), "done after 2 steps");
    let r = session
        .call_tool("task_input", args(json!({"question": "ok?"})))
        .await
        .expect("task with input");
    assert_eq!(text(&r), "the user answered: yes");
}
