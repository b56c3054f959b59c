//! Tasks of 2025-11-25 (the `tasks` capability) through `call_tool`,
//! against a scripted server: a tool whose `execution.taskSupport` is
//! `required` is called as a task, polled, its input request answered
//! through the usual callback while `tasks/result` is open, its result
//! returned; dropping the call cancels the task.

use mcp_client::types::{ElicitAction, ElicitResult};
use mcp_client::{ClientSession, ClientSessionOptions, ProtocolMode};
use mcp_jsonrpc::{ErrorResponse, Message, Request, RequestId};
use mcp_testkit::{scripted_pair, with_timeout, ScriptedPeer};
use serde_json::{json, Value};

fn params(request: &Request) -> Value {
    request
        .params
        .as_deref()
        .map_or(Value::Null, |p| serde_json::from_str(p.get()).unwrap_or_default())
}

/// A session of 2025-11-25 with a server that takes task-augmented calls.
async fn session(options: ClientSessionOptions) -> (ClientSession, ScriptedPeer, Value) {
    let (transport, mut peer) = scripted_pair();
    let session = ClientSession::new(transport, options.protocol(ProtocolMode::Initialize));
    let handshake = async {
        let init = peer.request().await;
        let sent = params(&init);
        let result = json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}, "tasks": {"requests": {"tools": {"call": {}}}}},
            "serverInfo": {"name": "tasks", "version": "0"}
        });
        peer.respond(init.id, result).await;
        let _initialized = peer.notification().await;
        sent
    };
    let (outcome, sent) = with_timeout(async { tokio::join!(session.initialize(), handshake) }).await;
    outcome.expect("handshake");
    (session, peer, sent["capabilities"].clone())
}

async fn list_tools(peer: &mut ScriptedPeer) {
    let list = peer.request().await;
    assert_eq!(list.method, "tools/list");
    let tools = json!({"tools": [
        {"name": "confirm_delete", "inputSchema": {"type": "object"}, "execution": {"taskSupport": "required"}},
        {"name": "plain", "inputSchema": {"type": "object"}}
    ]});
    peer.respond(list.id, tools).await;
}

fn task(status: &str) -> Value {
    json!({"taskId": "t-1", "status": status, "createdAt": "2026-12-03T00:00:00Z",
           "lastUpdatedAt": "2026-12-03T00:00:00Z", "ttl": 60000, "pollInterval": 10})
}

fn answering() -> ClientSessionOptions {
    ClientSessionOptions::new()
        .tasks(true)
        .elicitation_callback(|_cx, params| async move {
            let mut answer = ElicitResult::new(ElicitAction::Accept);
            let message = match &params {
                mcp_client::types::ElicitRequestParams::Form(f) => f.message.clone(),
                _ => String::new(),
            };
            answer.content = Some(
                serde_json::from_value(json!({"confirm": message.contains("a.txt")})).unwrap_or_default(),
            );
            Ok::<_, mcp_client::ErrorObject>(answer)
        })
}

#[tokio::test]
async fn a_task_required_tool_is_called_as_a_task_and_its_input_answered() {
    let (session, mut peer, caps) = session(answering()).await;
    assert!(
        caps["tasks"].is_object(),
        "the tasks capability is declared: {caps}"
    );
    let server = async move {
        list_tools(&mut peer).await;
        let call = peer.request().await;
        assert_eq!(call.method, "tools/call");
        assert!(
            params(&call)["task"].is_object(),
            "the call is task-augmented: {}",
            params(&call)
        );
        peer.respond(call.id, json!({"task": task("working")})).await;

        let get = peer.request().await;
        assert_eq!(
            (get.method.as_ref(), params(&get)["taskId"].as_str()),
            ("tasks/get", Some("t-1"))
        );
        peer.respond(get.id, task("input_required")).await;

        // While tasks/result is open, the task's input request comes as a
        // request of the server's.
        let result = peer.request().await;
        assert_eq!(result.method, "tasks/result");
        let elicit = Request {
            id: RequestId::from("task-t-1-1".to_owned()),
            method: "elicitation/create".into(),
            params: mcp_jsonrpc::to_raw(&json!({
                "mode": "form", "message": "Delete 'a.txt'?",
                "requestedSchema": {"type": "object", "properties": {"confirm": {"type": "boolean"}}},
                "_meta": {"io.modelcontextprotocol/related-task": {"taskId": "t-1"}}
            }))
            .ok(),
        };
        peer.send(elicit).await;
        let answer = loop {
            match peer.next().await {
                Some(Message::Response(r)) => break r,
                Some(Message::Notification(_)) => continue,
                other => panic!("expected the elicitation's answer, got {other:?}"),
            }
        };
        let answer: Value = serde_json::from_str(answer.result.get()).unwrap_or_default();
        assert_eq!(answer["content"]["confirm"], true, "{answer}");
        let done = json!({"content": [{"type": "text", "text": "Deleted 'a.txt'"}],
                          "_meta": {"io.modelcontextprotocol/related-task": {"taskId": "t-1"}}});
        peer.respond(result.id, done).await;
        peer
    };
    let (result, mut peer) = with_timeout(async {
        tokio::join!(
            session.call_tool("confirm_delete", json!({"filename": "a.txt"})),
            server
        )
    })
    .await;
    let result = result.expect("the task's result");
    assert_eq!(result.content[0].as_text(), Some("Deleted 'a.txt'"));

    // A tool that does not require a task is called plainly.
    let (plain, ()) = tokio::join!(session.call_tool("plain", ()), async {
        let call = peer.request().await;
        assert!(params(&call).get("task").is_none(), "{}", params(&call));
        peer.respond(call.id, json!({"content": []})).await;
    });
    plain.expect("plain call");
    session.close().await;
}

#[tokio::test]
async fn a_dropped_call_cancels_its_task_and_a_cancelled_task_says_so() {
    let (session, mut peer, _) = session(answering()).await;
    let call = tokio::spawn({
        let session = session.clone();
        async move { session.call_tool("confirm_delete", ()).await }
    });
    list_tools(&mut peer).await;
    let request = peer.request().await;
    peer.respond(request.id, json!({"task": task("working")})).await;
    let get = peer.request().await;
    assert_eq!(get.method, "tasks/get");
    call.abort();
    let cancel = loop {
        let next = peer.request().await;
        if next.method == "tasks/cancel" {
            break next;
        }
    };
    assert_eq!(params(&cancel)["taskId"], "t-1");
    peer.respond(cancel.id, task("cancelled")).await;

    // The server cancels a task: the call ends with the task's status.
    let (ended, ()) = tokio::join!(session.call_tool("confirm_delete", ()), async {
        let request = peer.request().await;
        peer.respond(request.id, json!({"task": task("working")})).await;
        let get = peer.request().await;
        let mut cancelled = task("cancelled");
        cancelled["statusMessage"] = json!("stopped by the operator");
        peer.respond(get.id, cancelled).await;
    });
    let e = ended.expect_err("cancelled");
    assert!(
        matches!(e, mcp_client::ClientError::TaskEnded { ref status, .. } if status == "cancelled"),
        "{e}"
    );
    assert!(e.to_string().contains("stopped by the operator"), "{e}");
    session.close().await;
}

#[tokio::test]
async fn without_tasks_enabled_no_task_is_asked_for() {
    let (session, mut peer, caps) = session(ClientSessionOptions::new()).await;
    assert!(caps.get("tasks").is_none(), "{caps}");
    let (called, ()) = tokio::join!(session.call_tool("confirm_delete", ()), async {
        list_tools(&mut peer).await;
        let call = peer.request().await;
        assert!(params(&call).get("task").is_none());
        let refused = mcp_jsonrpc::ErrorObject::new(-32603, "Tool confirm_delete requires task mode");
        peer.send(ErrorResponse {
            id: Some(call.id),
            error: refused,
        })
        .await;
    });
    let e = called.expect_err("the server refuses");
    assert!(e.to_string().contains("requires task mode"), "{e}");
    session.close().await;
}
