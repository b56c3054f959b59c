//! `ClientSession` against the example server (in memory) and against
//! scripted peers: the behaviour of the initialize era (pinned), end to end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_client::{
    CallOptions, ClientError, ClientSession, ClientSessionOptions, Era, IncomingMessage, ProtocolMode,
};
use mcp_jsonrpc::{Message, RequestId};
use mcp_testkit::{example_session, scripted_pair, scripted_session, with_timeout};
use mcp_types::{
    CallToolRequestParams, CompleteArgument, CompletionReference, ContentBlock, CreateMessageResult,
    ElicitAction, ElicitResult, ListRootsResult, LoggingLevel, PromptReference, ResourceContents, Root,
    ServerNotification,
};
use serde_json::{json, Map, Value};

/// These tests pin the initialize era; `client_stateless.rs` covers 2026-07-28.
fn initialize_era() -> ClientSessionOptions {
    ClientSessionOptions::new().protocol(ProtocolMode::Initialize)
}

fn args(v: Value) -> Option<Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn first_text(result: &mcp_types::CallToolResult) -> &str {
    result
        .content
        .first()
        .and_then(ContentBlock::as_text)
        .unwrap_or("")
}

#[tokio::test]
async fn initialize_negotiates_the_latest_initialize_era_version() {
    let session = example_session(initialize_era()).await;
    assert_eq!(session.protocol_version().as_deref(), Some("2025-11-25"));
    assert_eq!(session.era(), Some(Era::Initialize));
    let n = session.negotiated().expect("negotiated");
    assert_eq!(n.server_info.name, mcp_testkit::EXAMPLE_SERVER_NAME);
    assert!(n.capabilities.tools.is_some());
    assert!(n.instructions.is_some());
    session.send_ping().await.expect("ping");
}

#[tokio::test]
async fn list_all_follows_cursors_across_pages() {
    let session = example_session(initialize_era()).await;
    let first = session.list_tools(None).await.expect("first page");
    assert_eq!(first.tools.len(), 5);
    assert!(first.next_cursor.is_some());
    let all = session.list_all_tools().await.expect("all pages");
    assert_eq!(all.len(), 12);
    assert_eq!(all[0].name, "echo");
    assert_eq!(all[11].name, "huge");
}

#[tokio::test]
async fn structured_output_is_validated_against_the_output_schema() {
    let session = example_session(initialize_era()).await;
    // `call_tool` learns the schema by itself (no list_tools beforehand).
    let result = session
        .call_tool("add", args(json!({"a": 2, "b": 40})))
        .await
        .expect("valid output");
    assert_eq!(result.structured_content, Some(json!({"sum": 42.0})));

    let err = session
        .call_tool("bad_output", None)
        .await
        .expect_err("output does not match");
    assert!(
        matches!(err, ClientError::OutputSchemaMismatch { ref tool, .. } if tool == "bad_output"),
        "{err}"
    );
    assert!(err.to_string().contains("count"), "{err}");

    // isError results are not validated.
    let failed = session
        .call_tool("fail", None)
        .await
        .expect("an isError result is a result");
    assert!(failed.is_error());

    // Validation can be switched off.
    let lax = example_session(initialize_era().validate_tool_output(false)).await;
    lax.call_tool("bad_output", None).await.expect("validation off");
}

#[tokio::test]
async fn progress_reaches_the_per_call_callback() {
    let session = example_session(initialize_era()).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let options =
        CallOptions::new().on_progress(move |p| sink.lock().expect("lock").push((p.progress, p.total)));
    let params = CallToolRequestParams::new("slow")
        .with_arguments(args(json!({"steps": 3, "delay_ms": 1})).expect("map"));
    let result = session
        .call_tool_with(params)
        .options(options)
        .await
        .expect("slow finishes");
    assert_eq!(first_text(&result), "done after 3 steps");
    assert_eq!(
        *seen.lock().expect("lock"),
        vec![(1.0, Some(3.0)), (2.0, Some(3.0)), (3.0, Some(3.0))]
    );
}

#[tokio::test]
async fn progress_resets_the_timeout() {
    let session = example_session(initialize_era()).await;
    // 6 steps of 60 ms is longer than the 200 ms timeout, but progress keeps
    // the call alive.
    let params = CallToolRequestParams::new("slow")
        .with_arguments(args(json!({"steps": 6, "delay_ms": 60})).expect("map"));
    let options = CallOptions::new()
        .timeout(Duration::from_millis(200))
        .on_progress(|_| {});
    session
        .call_tool_with(params)
        .options(options)
        .await
        .expect("progress kept the call alive");
}

#[tokio::test]
async fn callbacks_serve_elicitation_sampling_and_roots() {
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    let options = initialize_era()
        .elicitation_callback(move |_cx, params| {
            counter.fetch_add(1, Ordering::SeqCst);
            let message = params.message().unwrap_or_default().to_owned();
            async move {
                assert_eq!(message, "Favourite language?");
                let mut content = Map::new();
                content.insert("answer".into(), json!("Rust"));
                Ok(ElicitResult::accept(content))
            }
        })
        .sampling_callback(|_cx, params| async move {
            assert_eq!(params.max_tokens, 100);
            Ok(CreateMessageResult::text("test-model", "Paris"))
        })
        .list_roots_callback(|_cx| async move {
            Ok(ListRootsResult::new(vec![
                Root::new("file:///work").with_name("work")
            ]))
        });
    let session = example_session(options).await;
    let caps = session.client_capabilities();
    assert!(caps.elicitation.is_some() && caps.sampling.is_some() && caps.roots.is_some());

    let r = session
        .call_tool("ask", args(json!({"question": "Favourite language?"})))
        .await
        .expect("ask");
    assert_eq!(first_text(&r), "the user answered: Rust");
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    let r = session
        .call_tool("sample", args(json!({"prompt": "Capital of France?"})))
        .await
        .expect("sample");
    assert_eq!(first_text(&r), "test-model said: Paris");
    let r = session.call_tool("roots", None).await.expect("roots");
    assert_eq!(first_text(&r), "roots: file:///work");
}

#[tokio::test]
async fn without_callbacks_server_requests_are_refused() {
    let session = example_session(initialize_era()).await;
    assert_eq!(session.client_capabilities(), Default::default());
    let err = session
        .call_tool("sample", args(json!({"prompt": "hi"})))
        .await
        .expect_err("no sampling");
    assert!(err.to_string().contains("does not support sampling"), "{err}");
}

#[tokio::test]
async fn a_declined_elicitation_reaches_the_tool() {
    let options = initialize_era()
        .elicitation_callback(|_cx, _p| async move { Ok(ElicitResult::new(ElicitAction::Decline)) });
    let session = example_session(options).await;
    let r = session
        .call_tool("ask", args(json!({"question": "?"})))
        .await
        .expect("ask");
    assert_eq!(first_text(&r), "the user chose to decline");
}

#[tokio::test]
async fn logging_and_notifications_reach_their_callbacks() {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let notes = Arc::new(Mutex::new(Vec::new()));
    let (l, n) = (Arc::clone(&logs), Arc::clone(&notes));
    let options = initialize_era()
        .logging_callback(move |p| {
            l.lock().expect("lock").push(p.level.clone());
            async {}
        })
        .message_handler(move |m| {
            if let IncomingMessage::Notification(note) = m {
                n.lock().expect("lock").push(note.method().to_owned());
            }
            async {}
        });
    let session = example_session(options).await;
    session
        .set_logging_level(LoggingLevel::Warning)
        .await
        .expect("set level");
    session
        .subscribe_resource("example://readme")
        .await
        .expect("subscribe");
    let r = session
        .call_tool("notify", args(json!({"uri": "example://readme"})))
        .await
        .expect("notify");
    assert_eq!(first_text(&r), "notified (subscribed: true)");
    session
        .send_ping()
        .await
        .expect("ping flushes the notifications before it");
    // Below the level: `info` is not sent; the tool's warning is.
    assert_eq!(*logs.lock().expect("lock"), vec![LoggingLevel::Warning]);
    let notes = notes.lock().expect("lock").clone();
    for method in [
        "notifications/message",
        "notifications/resources/updated",
        "notifications/tools/list_changed",
    ] {
        assert!(
            notes.iter().any(|m| m == method),
            "{method} missing from {notes:?}"
        );
    }
    session
        .unsubscribe_resource("example://readme")
        .await
        .expect("unsubscribe");
    let r = session
        .call_tool("notify", args(json!({"uri": "example://readme"})))
        .await
        .expect("notify");
    assert_eq!(first_text(&r), "notified (subscribed: false)");
}

#[tokio::test]
async fn resources_prompts_and_completion() {
    let session = example_session(initialize_era()).await;
    assert_eq!(session.list_all_resources().await.expect("resources").len(), 2);
    assert_eq!(
        session
            .list_all_resource_templates()
            .await
            .expect("templates")
            .len(),
        1
    );
    let read = session
        .read_resource("example://greeting/Linus")
        .await
        .expect("read");
    assert!(matches!(&read.contents[0], ResourceContents::Text(t) if t.text == "Hello, Linus!"));
    let logo = session.read_resource("example://logo").await.expect("read blob");
    assert!(
        matches!(&logo.contents[0], ResourceContents::Blob(b) if b.mime_type.as_deref() == Some("image/png"))
    );

    let err = session
        .read_resource("example://missing")
        .await
        .expect_err("not found");
    let server = err.server_error().expect("a server error");
    assert_eq!(server.code, mcp_types::error_codes::RESOURCE_NOT_FOUND);

    let prompts = session.list_all_prompts().await.expect("prompts");
    assert_eq!(prompts.len(), 2);
    let got = session
        .get_prompt("greet", Some([("name".to_owned(), "Ada".to_owned())].into()))
        .await
        .expect("prompt");
    assert_eq!(
        got.messages[0].content.as_text(),
        Some("Please greet Ada warmly.")
    );

    let reference = CompletionReference::Prompt(
        serde_json::from_value::<PromptReference>(json!({"type": "ref/prompt", "name": "greet"}))
            .expect("reference"),
    );
    let argument = CompleteArgument {
        name: "name".into(),
        value: "A".into(),
    };
    let done = session
        .complete(reference, argument, None)
        .await
        .expect("complete");
    assert_eq!(done.completion.values, vec!["Ada", "Alan"]);
}

#[tokio::test]
async fn the_tool_list_is_fetched_once_to_learn_output_schemas() {
    let (session, mut server) = scripted_session(ClientSessionOptions::new()).await;
    let script = tokio::spawn(async move {
        let list = server.request().await;
        assert_eq!(list.method, "tools/list");
        let schema = json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]});
        server
            .respond(list.id, json!({"tools": [{"name": "count", "inputSchema": {"type": "object"}, "outputSchema": schema}]}))
            .await;
        for n in [json!(1), json!("one")] {
            let call = server.request().await;
            assert_eq!(call.method, "tools/call", "no second tools/list");
            server
                .respond(call.id, json!({"content": [], "structuredContent": {"n": n}}))
                .await;
        }
        // A tool the server does not list: called without re-listing.
        let call = server.request().await;
        assert_eq!(call.method, "tools/call");
        server.respond(call.id, json!({"content": []})).await;
        server
    });
    session.call_tool("count", None).await.expect("valid");
    let err = session
        .call_tool("count", None)
        .await
        .expect_err("\"one\" is not an integer");
    assert!(matches!(err, ClientError::OutputSchemaMismatch { .. }), "{err}");
    session
        .call_tool("unlisted", None)
        .await
        .expect("no schema, no validation");
    drop(script.await.expect("script"));
}

#[tokio::test]
async fn a_timeout_names_the_request_and_the_session_goes_on() {
    let session = example_session(initialize_era()).await;
    let err = session
        .call_tool("hang", ())
        .timeout(Duration::from_millis(100))
        .await
        .expect_err("hang never answers");
    assert!(err.is_timeout(), "{err}");
    assert!(err.to_string().contains("tools/call"), "{err}");
    session.send_ping().await.expect("the session still works");
}

#[tokio::test]
async fn a_server_that_goes_away_fails_pending_calls_at_once() {
    let session = example_session(initialize_era()).await;
    let err = with_timeout(session.call_tool("crash", None))
        .await
        .expect_err("the server closed");
    assert!(err.is_connection_closed(), "{err}");
    let again = session.send_ping().await.expect_err("closed for good");
    assert!(again.is_connection_closed(), "{again}");
}

#[tokio::test]
async fn dropping_a_call_sends_cancelled() {
    let (session, mut server) =
        scripted_session(ClientSessionOptions::new().validate_tool_output(false)).await;
    let call = tokio::spawn({
        let session = session.clone();
        async move { session.call_tool("slow", None).await }
    });
    let request = server.request().await;
    assert_eq!(request.method, "tools/call");
    call.abort();
    let note = server.notification().await;
    assert_eq!(note.method, "notifications/cancelled");
    let params: Value = serde_json::from_str(note.params.expect("params").get()).expect("json");
    assert_eq!(
        params["requestId"],
        serde_json::to_value(&request.id).expect("id")
    );
}

async fn handshake_with(version: &str) -> Result<ClientSession, ClientError> {
    let (transport, mut server) = scripted_pair();
    let session = ClientSession::new(
        transport,
        ClientSessionOptions::new().protocol(ProtocolMode::Initialize),
    );
    let version = version.to_owned();
    let script = tokio::spawn(async move {
        let init = server.request().await;
        assert_eq!(init.method, "initialize");
        let params: Value = serde_json::from_str(init.params.expect("params").get()).expect("json");
        assert_eq!(params["protocolVersion"], "2025-11-25");
        assert_eq!(params["clientInfo"]["name"], "mcp-client-rs");
        server
            .respond(
                init.id,
                json!({"protocolVersion": version, "capabilities": {}, "serverInfo": {"name": "s", "version": "1"}}),
            )
            .await;
        // After a good answer the client confirms with `initialized`.
        match server.next().await {
            Some(Message::Notification(n)) => assert_eq!(n.method, "notifications/initialized"),
            Some(other) => panic!("unexpected {other:?}"),
            None => {}
        }
        server
    });
    let result = session.initialize().await.map(|_| session);
    drop(script.await.expect("script"));
    result
}

#[tokio::test]
async fn any_supported_version_the_server_picks_is_accepted() {
    for version in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        let session = handshake_with(version).await.expect("supported");
        assert_eq!(session.protocol_version().as_deref(), Some(version));
    }
}

#[tokio::test]
async fn an_unsupported_version_is_refused_clearly() {
    let err = handshake_with("1999-01-01").await.expect_err("unsupported");
    assert!(
        matches!(err, ClientError::UnsupportedProtocolVersion { ref server, .. } if server == "1999-01-01")
    );
    assert!(err.to_string().contains("1999-01-01"), "{err}");
}

#[tokio::test]
async fn server_errors_keep_code_message_and_data() {
    let (session, mut server) =
        scripted_session(ClientSessionOptions::new().validate_tool_output(false)).await;
    let script = tokio::spawn(async move {
        let r = server.request().await;
        let error = mcp_jsonrpc::ErrorObject::new(-32602, "bad name").with_data(json!({"field": "name"}));
        server
            .send(mcp_jsonrpc::ErrorResponse {
                id: Some(r.id),
                error,
            })
            .await;
        server
    });
    let err = session.call_tool("x", None).await.expect_err("error response");
    let e = err.server_error().expect("server error");
    assert_eq!((e.code, e.message.as_str()), (-32602, "bad name"));
    assert_eq!(e.data, Some(json!({"field": "name"})));
    assert!(
        err.to_string().contains("bad name") && err.to_string().contains("-32602"),
        "{err}"
    );
    drop(script.await);
}

#[tokio::test]
async fn malformed_results_are_invalid_responses() {
    let (session, mut server) =
        scripted_session(ClientSessionOptions::new().validate_tool_output(false)).await;
    let script = tokio::spawn(async move {
        let r = server.request().await;
        server.respond(r.id, json!({"content": "not a list"})).await;
        server
    });
    let err = session.call_tool("x", None).await.expect_err("invalid");
    assert!(matches!(err, ClientError::InvalidResponse { .. }), "{err}");
    drop(script.await);
}

#[tokio::test]
async fn unknown_server_notifications_and_ids_are_harmless() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let options = ClientSessionOptions::new().message_handler(move |m| {
        if let IncomingMessage::Notification(n) = m {
            if let ServerNotification::Unknown { method, .. } = &*n {
                sink.lock().expect("lock").push(method.clone());
            }
        }
        async {}
    });
    let (session, mut server) = scripted_session(options).await;
    let script = tokio::spawn(async move {
        server
            .send(mcp_jsonrpc::Notification {
                method: "notifications/future_thing".into(),
                params: None,
            })
            .await;
        server.respond(RequestId::Number(999), json!({})).await;
        let r = server.request().await;
        server.respond(r.id, json!({})).await;
        server
    });
    session.send_ping().await.expect("ping");
    drop(script.await);
    assert_eq!(
        *seen.lock().expect("lock"),
        vec!["notifications/future_thing".to_owned()]
    );
}

#[tokio::test]
async fn dropping_the_session_closes_the_connection_even_with_a_callback_in_flight() {
    let (transport, mut server) = scripted_pair();
    let options = initialize_era().sampling_callback(|_cx, _p| async move {
        std::future::pending::<()>().await;
        Ok(CreateMessageResult::text("never", "never"))
    });
    let session = ClientSession::new(transport, options);
    // The server asks for sampling; the callback never answers.
    let ask = mcp_jsonrpc::Request {
        id: RequestId::Number(1),
        method: "sampling/createMessage".into(),
        params: Some(mcp_jsonrpc::to_raw(&json!({"messages": [], "maxTokens": 1})).expect("raw")),
    };
    server.send(ask).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    drop(session);
    // The client side goes away: the scripted peer sees the end of the stream.
    assert!(server.next().await.is_none(), "the connection was closed");
}

/// A `$ref` cycle that never descends into the value would make the
/// validator recurse or expand without end (the process aborted, or was
/// killed for its memory): such a schema is not used, and the call goes on;
/// a recursive schema that descends (a tree) still validates.
#[tokio::test]
async fn output_schemas_that_loop_are_not_used_and_recursive_ones_still_validate() {
    let (session, mut server) = scripted_session(ClientSessionOptions::new()).await;
    let script = tokio::spawn(async move {
        let list = server.request().await;
        assert_eq!(list.method, "tools/list");
        let looping = json!({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"});
        let tree = json!({"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}}});
        let tools = json!({"tools": [
            {"name": "looping", "inputSchema": {"type": "object"}, "outputSchema": looping},
            {"name": "tree", "inputSchema": {"type": "object"}, "outputSchema": tree}
        ]});
        server.respond(list.id, tools).await;
        for structured in [
            json!({"x": 1}),
            json!({"name": "root", "children": [{"name": "leaf"}]}),
            json!({"name": "root", "children": [{"children": []}]}),
        ] {
            let call = server.request().await;
            server
                .respond(call.id, json!({"content": [], "structuredContent": structured}))
                .await;
        }
        server
    });
    let looping = with_timeout(session.call_tool("looping", ())).await;
    assert!(looping.is_ok(), "{looping:?}");
    with_timeout(session.call_tool("tree", ()))
        .await
        .expect("a valid tree");
    let bad = with_timeout(session.call_tool("tree", ()))
        .await
        .expect_err("a child without a name");
    assert!(matches!(bad, ClientError::OutputSchemaMismatch { .. }), "{bad}");
    let _server = script.await.expect("script");
    session.close().await;
}
