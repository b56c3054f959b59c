//! The public API as a program uses it: one import path, calls that take
//! what Rust users have, nothing sent before the handshake, bounded
//! handshakes, sessions that start their server again, callbacks' context,
//! cancellation, typed close reasons.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_client::types::{CreateMessageResult, ElicitResult};
use mcp_client::{
    BoxFuture, ClientError, ClientSession, ClientSessionOptions, Connect, Connection, Era, IncomingMessage,
    ProtocolMode, Transport, TransportError,
};
use mcp_jsonrpc::memory_pair;
use mcp_testkit::{example_session, scripted_pair, scripted_session, with_timeout, ExampleServer};
use serde_json::{json, Map, Value};

fn initialize_era() -> ClientSessionOptions {
    ClientSessionOptions::new().protocol(ProtocolMode::Initialize)
}

fn text(result: &mcp_client::types::CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect()
}

#[tokio::test]
async fn nothing_is_sent_before_the_handshake() {
    let (transport, mut server) = scripted_pair();
    let session = ClientSession::new(transport, initialize_era());
    for err in [
        session.list_tools(None).await.expect_err("not initialized"),
        session
            .call_tool("echo", json!({"message": "hi"}))
            .await
            .expect_err("not initialized"),
        session
            .read_resource("example://readme")
            .await
            .expect_err("not initialized"),
        session.send_ping().await.expect_err("not initialized"),
    ] {
        assert!(matches!(err, ClientError::NotInitialized { .. }), "{err}");
    }
    let roots = session
        .send_roots_list_changed()
        .await
        .expect_err("not initialized");
    assert!(matches!(roots, ClientError::NotInitialized { .. }), "{roots}");
    // The first thing the server ever sees is the handshake.
    let init = tokio::spawn(async move { session.initialize().await.map(|_| ()) });
    let first = server.request().await;
    assert_eq!(first.method, "initialize");
    drop(server);
    assert!(init.await.expect("join").is_err(), "the server went away");
}

#[derive(serde::Serialize)]
struct Add {
    a: i64,
    b: i64,
}

#[tokio::test]
async fn tool_calls_take_what_a_rust_program_has() {
    for options in [initialize_era(), ClientSessionOptions::new()] {
        let session = example_session(options).await;
        let by_json = session
            .call_tool("echo", json!({"message": "hi"}))
            .await
            .expect("json!");
        assert_eq!(text(&by_json), "hi");
        let by_struct = session
            .call_tool("add", &Add { a: 2, b: 3 })
            .await
            .expect("a struct");
        assert_eq!(text(&by_struct), "5");
        let mut map = Map::new();
        map.insert("message".into(), Value::from("map"));
        assert_eq!(text(&session.call_tool("echo", map).await.expect("a Map")), "map");
        let object = json!({"message": "opt"}).as_object().cloned();
        assert_eq!(
            text(&session.call_tool("echo", object).await.expect("Option<Map>")),
            "opt"
        );
        // No arguments: `()` or `None`; the server says what it misses.
        for none in [
            session.call_tool("echo", ()).await,
            session.call_tool("echo", None).await,
        ] {
            let err = none.expect_err("echo needs a message");
            assert!(err.is_server_error(), "{err}");
        }
        let prompt = |name: &str| format!("Please greet {name} warmly.");
        let map: HashMap<&str, &str> = [("name", "Ada")].into();
        let got = session.get_prompt("greet", map).await.expect("a HashMap");
        assert_eq!(got.messages[0].content.as_text(), Some(prompt("Ada").as_str()));
        let got = session
            .get_prompt("greet", [("name", String::from("Grace"))])
            .await
            .expect("an array");
        assert_eq!(got.messages[0].content.as_text(), Some(prompt("Grace").as_str()));
        assert!(session
            .get_prompt("greet", ())
            .await
            .expect_err("name is required")
            .is_server_error());
        session.close().await;
    }
}

#[tokio::test]
async fn arguments_that_are_not_an_object_are_refused_before_a_byte_is_sent() {
    let (session, mut server) =
        scripted_session(ClientSessionOptions::new().validate_tool_output(false)).await;
    for bad in [json!([1, 2]), json!("text"), json!(7)] {
        let err = session.call_tool("add", bad).await.expect_err("refused");
        assert!(matches!(&err, ClientError::InvalidArguments { .. }), "{err}");
        assert!(err.to_string().contains("JSON object"), "{err}");
    }
    // The next thing the server sees is the next valid call.
    let call = tokio::spawn({
        let session = session.clone();
        async move { session.call_tool("add", json!({"a": 1})).await }
    });
    let request = server.request().await;
    assert_eq!(request.method, "tools/call");
    server.respond(request.id, json!({"content": []})).await;
    with_timeout(call).await.expect("join").expect("answered");
}

#[tokio::test(start_paused = true)]
async fn the_whole_handshake_is_bounded_by_the_read_timeout() {
    let (transport, mut server) = scripted_pair();
    let options = ClientSessionOptions::new()
        .read_timeout(Duration::from_secs(2))
        .discover_timeout(Duration::from_secs(10));
    let session = ClientSession::new(transport, options);
    let silent = tokio::spawn(async move {
        // Reads everything, answers nothing.
        while server.next().await.is_some() {}
    });
    let start = tokio::time::Instant::now();
    let err = session.initialize().await.expect_err("a silent server");
    assert!(err.is_timeout(), "{err}");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(2),
        "the probe did not wait its own 10 s"
    );
    session.close().await;
    silent.abort();
}

/// Opens in-memory connections: the first to a server that closes the
/// connection on any first message but `initialize` (as servers of older
/// SDKs exit), the later ones to the example server.
struct ExitsOnProbe(Arc<AtomicUsize>);

impl Connect for ExitsOnProbe {
    fn connect(&self) -> BoxFuture<'_, Result<Transport, TransportError>> {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            let (client, mut server) = memory_pair(16);
            if n == 0 {
                tokio::spawn(async move {
                    // Reads the first message, then exits.
                    let _first = server.inbound.recv().await;
                });
            } else {
                let peer = ExampleServer::default().start(server);
                tokio::spawn(async move {
                    let _ = peer.closed().await;
                });
            }
            Ok(client)
        })
    }

    fn describe(&self) -> String {
        "a server that exits on the probe".into()
    }
}

#[tokio::test]
async fn a_session_from_parameters_starts_a_server_that_exits_on_the_probe_again() {
    let opened = Arc::new(AtomicUsize::new(0));
    let session = ClientSession::connect(
        Connection::connector(ExitsOnProbe(opened.clone())),
        ClientSessionOptions::new(),
    )
    .await
    .expect("started again, spoken to with initialize");
    assert_eq!(opened.load(Ordering::SeqCst), 2);
    assert_eq!(session.era(), Some(Era::Initialize));
    assert!(session.reconnector().is_some());
    assert_eq!(
        text(
            &session
                .call_tool("echo", json!({"message": "back"}))
                .await
                .expect("call")
        ),
        "back"
    );

    // From a bare transport the session cannot start it again, and says what to do.
    let bare = ExitsOnProbe(Arc::new(AtomicUsize::new(0)));
    let transport = bare.connect().await.expect("connects");
    let err = ClientSession::new(transport, ClientSessionOptions::new())
        .initialize()
        .await
        .expect_err("the server exited on the probe");
    assert!(matches!(err, ClientError::ProbeRejected { .. }), "{err}");
    assert!(err.is_connection_closed());
    assert!(err.to_string().contains("ProtocolMode::Initialize"), "{err}");
}

#[tokio::test]
async fn a_connector_that_cannot_connect_is_a_typed_connect_error() {
    struct Refused;
    impl Connect for Refused {
        fn connect(&self) -> BoxFuture<'_, Result<Transport, TransportError>> {
            Box::pin(async { Err(TransportError::Connect("connection refused".into())) })
        }
        fn describe(&self) -> String {
            "`nowhere`".into()
        }
    }
    let err = ClientSession::connect(Connection::connector(Refused), ClientSessionOptions::new())
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, ClientError::Connect { target, .. } if target == "`nowhere`"),
        "{err}"
    );
    assert!(err.is_transport() && !err.is_server_error() && !err.is_timeout());
    assert!(err.transport_error().is_some_and(TransportError::is_connect));
}

#[tokio::test]
async fn callbacks_learn_their_request_and_reach_the_session_without_keeping_it() {
    #[derive(Debug, Default)]
    struct Seen {
        request_id: bool,
        input_key: Option<String>,
        session_alive: bool,
    }
    for (options, era) in [
        (initialize_era(), Era::Initialize),
        (ClientSessionOptions::new(), Era::Stateless),
    ] {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let record = seen.clone();
        let options = options.sampling_callback(move |cx, _params| {
            let record = record.clone();
            async move {
                let mut seen = record.lock().expect("lock");
                seen.request_id = cx.request_id().is_some();
                seen.input_key = cx.input_key().map(str::to_owned);
                seen.session_alive = cx.session().is_some_and(|s| !s.is_closed());
                Ok(CreateMessageResult::text("model", "hello"))
            }
        });
        let session = example_session(options).await;
        assert_eq!(session.era(), Some(era));
        let result = session
            .call_tool("sample", json!({"prompt": "hi"}))
            .await
            .expect("sampled");
        assert_eq!(text(&result), "model said: hello");
        let seen = seen.lock().expect("lock");
        assert!(seen.session_alive, "{seen:?}");
        match era {
            Era::Initialize => assert!(seen.request_id && seen.input_key.is_none(), "{seen:?}"),
            _ => assert!(!seen.request_id && seen.input_key.is_some(), "{seen:?}"),
        }
    }
}

#[tokio::test]
async fn question_mark_works_in_callbacks() {
    let options = initialize_era().elicitation_callback(|_cx, _params| async move {
        let content: Map<String, Value> = serde_json::from_str("not json")?;
        Ok(ElicitResult::accept(content))
    });
    let session = example_session(options).await;
    let err = session
        .call_tool("ask", json!({"question": "?"}))
        .await
        .expect_err("refused");
    // The callback's error (an internal error with serde's words) reached
    // the server, which fails the tool call with it.
    assert!(err.is_server_error(), "{err}");
    assert!(err.to_string().contains("expected ident"), "{err}");
}

#[tokio::test]
async fn a_cancelled_call_tells_the_server_and_fails_as_cancelled() {
    let (session, mut server) =
        scripted_session(ClientSessionOptions::new().validate_tool_output(false)).await;
    let token = tokio_util::sync::CancellationToken::new();
    let call = tokio::spawn({
        let session = session.clone();
        let token = token.clone();
        async move { session.call_tool("slow", ()).cancellation(token).await }
    });
    let request = server.request().await;
    token.cancel();
    let note = server.notification().await;
    assert_eq!(note.method, "notifications/cancelled");
    let params: Value = serde_json::from_str(note.params.expect("params").get()).expect("json");
    assert_eq!(
        params["requestId"],
        serde_json::to_value(&request.id).expect("id")
    );
    let err = with_timeout(call).await.expect("join").expect_err("cancelled");
    assert!(err.is_cancelled(), "{err}");
}

#[tokio::test]
async fn the_message_handler_hears_why_the_connection_closed() {
    let closes = Arc::new(Mutex::new(Vec::new()));
    let sink = closes.clone();
    let options = ClientSessionOptions::new().message_handler(move |m| {
        if let IncomingMessage::Closed(reason) = m {
            sink.lock().expect("lock").push(reason.to_string());
        }
        async {}
    });
    let (session, server) = scripted_session(options).await;
    server.close();
    let reason = with_timeout(session.closed()).await;
    assert_eq!(reason.to_string(), "the peer closed the connection");
    for _ in 0..100 {
        if !closes.lock().expect("lock").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*closes.lock().expect("lock"), ["the peer closed the connection"]);
}
