//! The WebSocket transport against a loopback server, behaving and
//! misbehaving: both eras and callbacks through a session, the subprotocol
//! check, credentials on the upgrade, keep-alive, limits, garbage, drops and
//! the close handshake.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mcp_client::types::CreateMessageResult;
use mcp_client::{ClientSession, ClientSessionOptions, Era, ProtocolMode};
use mcp_jsonrpc::auth::{AuthChallenge, AuthRequest, ChallengeOutcome};
use mcp_jsonrpc::{AuthenticationError, ClientAuth, Secret};
use mcp_jsonrpc::{BoxFuture, CloseReason, Inbound, Message, Transport, TransportError};
use mcp_testkit::{with_timeout, WsBehaviour, WsServer};
use mcp_transport_ws::{websocket_client, WebSocketParameters, WsError};
use serde_json::json;

async fn server(behaviour: WsBehaviour) -> WsServer {
    WsServer::start(behaviour).await.expect("bind 127.0.0.1:0")
}

fn text(result: &mcp_client::types::CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect()
}

async fn session(server: &WsServer, options: ClientSessionOptions) -> ClientSession {
    with_timeout(ClientSession::connect(
        WebSocketParameters::new(&server.url),
        options,
    ))
    .await
    .expect("the session connects over WebSocket")
}

/// The next inbound item that is not a report.
async fn next_non_report(transport: &mut Transport, reports: &mut Vec<TransportError>) -> Inbound {
    loop {
        match with_timeout(transport.inbound.recv()).await.expect("an item") {
            Inbound::Report(e) => reports.push(e),
            other => return other,
        }
    }
}

async fn ping(transport: &Transport, id: i64) {
    let ping = Message::from_slice(format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#).as_bytes())
        .expect("ping");
    transport.outbound.send(ping.into()).await.expect("send");
}

#[tokio::test]
async fn sessions_of_both_eras_run_over_one_kind_of_socket() {
    let server = server(WsBehaviour::Serve).await;
    for (options, era) in [
        (ClientSessionOptions::new(), Era::Stateless),
        (
            ClientSessionOptions::new().protocol(ProtocolMode::Initialize),
            Era::Initialize,
        ),
    ] {
        let session = session(&server, options).await;
        assert_eq!(session.era(), Some(era));
        let tools = with_timeout(session.list_tools(None)).await.expect("tools/list");
        assert!(tools.tools.iter().any(|t| t.name == "echo"));
        let echoed = with_timeout(session.call_tool("echo", json!({"message": "over ws"})))
            .await
            .expect("tools/call");
        assert_eq!(text(&echoed), "over ws");
        session.close().await;
    }
}

#[tokio::test]
async fn server_requests_reach_callbacks_over_the_socket() {
    let server = server(WsBehaviour::Serve).await;
    let asked = Arc::new(AtomicUsize::new(0));
    let counted = asked.clone();
    let options = ClientSessionOptions::new()
        .protocol(ProtocolMode::Initialize)
        .sampling_callback(move |_cx, _params| {
            counted.fetch_add(1, Ordering::SeqCst);
            async move { Ok(CreateMessageResult::text("test-model", "Paris")) }
        });
    let session = session(&server, options).await;
    let answer = with_timeout(session.call_tool("sample", json!({"prompt": "Capital of France?"})))
        .await
        .expect("sample");
    assert!(text(&answer).contains("Paris"), "{}", text(&answer));
    assert_eq!(asked.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_server_without_the_mcp_subprotocol_is_refused_naming_its_answer() {
    let none = server(WsBehaviour::NoSubprotocol).await;
    let err = websocket_client(&WebSocketParameters::new(&none.url))
        .await
        .expect_err("no subprotocol");
    assert!(
        matches!(err, WsError::Subprotocol { answered: None, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("it named none"), "{err}");

    let other = server(WsBehaviour::WrongSubprotocol("graphql-ws".into())).await;
    let err = websocket_client(&WebSocketParameters::new(&other.url))
        .await
        .expect_err("another subprotocol");
    match &err {
        WsError::Subprotocol { answered, .. } => assert_eq!(answered.as_deref(), Some("graphql-ws")),
        other => panic!("{other}"),
    }
    // The request asked for `mcp`.
    let asked = &other.upgrade_requests()[0];
    assert!(
        asked
            .iter()
            .any(|(k, v)| k == "sec-websocket-protocol" && v == "mcp"),
        "{asked:?}"
    );
}

#[tokio::test]
async fn refusals_unreachable_servers_and_slow_upgrades_are_typed() {
    let refusing = server(WsBehaviour::Refuse(403)).await;
    let err = websocket_client(&WebSocketParameters::new(&refusing.url))
        .await
        .expect_err("403");
    assert!(matches!(err, WsError::Status { status: 403, .. }), "{err}");
    assert_eq!(TransportError::from(err).status(), Some(403));

    // Nothing listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let err = websocket_client(&WebSocketParameters::new(format!("ws://127.0.0.1:{port}/mcp")))
        .await
        .expect_err("refused");
    assert!(matches!(err, WsError::Connect { .. }), "{err}");
    assert!(TransportError::from(err).is_connect());

    // A server that accepts TCP and never answers the upgrade.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}/mcp", silent.local_addr().expect("addr"));
    let params = WebSocketParameters::new(url).connect_timeout(Duration::from_millis(200));
    let err = with_timeout(websocket_client(&params))
        .await
        .expect_err("timeout");
    assert!(matches!(err, WsError::Timeout { .. }), "{err}");
    assert!(TransportError::from(err).is_timeout());

    let err = websocket_client(&WebSocketParameters::new("http://127.0.0.1:1/mcp"))
        .await
        .expect_err("not ws");
    assert!(matches!(err, WsError::InvalidUrl { .. }), "{err}");
}

/// Gives no credentials until told the server wants them.
#[derive(Default)]
struct LateToken {
    challenged: AtomicUsize,
}

impl ClientAuth for LateToken {
    fn get_headers<'a>(
        &'a self,
        request: &'a AuthRequest,
    ) -> BoxFuture<'a, Result<Vec<(String, Secret)>, AuthenticationError>> {
        Box::pin(async move {
            assert_eq!(request.method, "GET");
            if self.challenged.load(Ordering::SeqCst) == 0 {
                return Ok(Vec::new());
            }
            Ok(vec![(
                "Authorization".to_owned(),
                Secret::new("Bearer let-me-in"),
            )])
        })
    }

    fn on_challenge<'a>(
        &'a self,
        challenge: &'a AuthChallenge,
    ) -> BoxFuture<'a, Result<ChallengeOutcome, AuthenticationError>> {
        Box::pin(async move {
            assert_eq!(challenge.status, 401);
            assert_eq!(
                challenge.www_authenticate,
                vec!["Bearer realm=\"mcp\"".to_owned()]
            );
            self.challenged.fetch_add(1, Ordering::SeqCst);
            Ok(ChallengeOutcome::Retry)
        })
    }
}

#[tokio::test]
async fn headers_and_credentials_go_on_the_upgrade_with_one_retry_after_401() {
    let server = server(WsBehaviour::Refuse(401)).await;
    let provider = Arc::new(LateToken::default());
    let params = WebSocketParameters::new(&server.url)
        .header("X-Tenant", "blue")
        .auth(provider.clone());
    let mut transport = with_timeout(websocket_client(&params))
        .await
        .expect("authorized on the retry");
    ping(&transport, 1).await;
    let reply = next_non_report(&mut transport, &mut Vec::new()).await;
    assert!(matches!(reply, Inbound::Message(m) if m.id() == Some(&1.into())));
    assert_eq!(provider.challenged.load(Ordering::SeqCst), 1);
    let requests = server.upgrade_requests();
    assert_eq!(requests.len(), 2, "refused once, then accepted");
    for request in &requests {
        assert!(
            request.iter().any(|(k, v)| k == "x-tenant" && v == "blue"),
            "{request:?}"
        );
    }

    // Without credentials the 401 is the answer, as an auth failure.
    let err = websocket_client(&WebSocketParameters::new(&server.url))
        .await
        .expect_err("401");
    match &err {
        WsError::Auth(e) => assert_eq!(e.status(), Some(401), "{e}"),
        other => panic!("not an auth failure: {other:?}"),
    }
}

#[tokio::test]
async fn a_connection_dropped_mid_call_fails_the_call_at_once() {
    let server = server(WsBehaviour::DropOnCall).await;
    let session = session(&server, ClientSessionOptions::new()).await;
    let err = with_timeout(session.call_tool("echo", json!({"message": "hi"})))
        .await
        .expect_err("dropped");
    assert!(err.is_connection_closed(), "{err}");
    assert!(
        err.to_string().contains("without a WebSocket close frame"),
        "{err}"
    );
}

#[tokio::test]
async fn a_close_frame_mid_call_names_its_code_and_reason() {
    let server = server(WsBehaviour::CloseOnCall).await;
    let session = session(&server, ClientSessionOptions::new()).await;
    let err = with_timeout(session.call_tool("echo", json!({"message": "hi"})))
        .await
        .expect_err("closed");
    match err.close_reason() {
        Some(CloseReason::EndOfStream { detail: Some(detail) }) => {
            assert!(detail.contains("close code 1011: boom"), "{detail}")
        }
        other => panic!("{other:?}: {err}"),
    }
}

#[tokio::test]
async fn a_deaf_server_is_found_dead_by_keep_alive() {
    let server = server(WsBehaviour::DeafOnCall).await;
    let params = WebSocketParameters::new(&server.url)
        .ping_interval(Some(Duration::from_millis(100)))
        .pong_timeout(Duration::from_millis(200));
    let session = with_timeout(ClientSession::connect(params, ClientSessionOptions::new()))
        .await
        .expect("connect");
    // The call has no timeout of its own that could end it first.
    let err = with_timeout(
        session
            .call_tool("echo", json!({"message": "hi"}))
            .timeout(Duration::from_secs(600)),
    )
    .await
    .expect_err("dead");
    assert!(err.is_connection_closed(), "{err}");
    assert!(err.to_string().contains("considered dead"), "{err}");
}

#[tokio::test]
async fn binary_frames_and_garbage_are_reported_and_skipped() {
    let server = server(WsBehaviour::GarbageFirst).await;
    let mut transport = websocket_client(&WebSocketParameters::new(&server.url))
        .await
        .expect("connect");
    ping(&transport, 7).await;
    let mut reports = Vec::new();
    let reply = next_non_report(&mut transport, &mut reports).await;
    assert!(
        matches!(reply, Inbound::Message(m) if m.id() == Some(&7.into())),
        "the answer still arrives"
    );
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(
        reports[0].to_string().contains("binary frame of 3 bytes"),
        "{}",
        reports[0]
    );
    assert!(
        matches!(reports[1], TransportError::Malformed(_)),
        "{}",
        reports[1]
    );
    // And the connection goes on.
    ping(&transport, 8).await;
    let reply = next_non_report(&mut transport, &mut reports).await;
    assert!(matches!(reply, Inbound::Message(m) if m.id() == Some(&8.into())));
}

#[tokio::test]
async fn an_oversized_message_closes_the_connection_with_a_clear_reason() {
    let server = server(WsBehaviour::Oversized(256 * 1024)).await;
    let params = WebSocketParameters::new(&server.url).max_message_size(64 * 1024);
    let mut transport = websocket_client(&params).await.expect("connect");
    ping(&transport, 1).await;
    match next_non_report(&mut transport, &mut Vec::new()).await {
        Inbound::Closed(CloseReason::Transport { message }) => {
            assert!(message.contains("over the limit of 65536 bytes"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        with_timeout(transport.inbound.recv()).await.is_none(),
        "nothing follows"
    );
}

#[tokio::test]
async fn closing_makes_the_close_handshake() {
    let server = server(WsBehaviour::Serve).await;
    let mut transport = websocket_client(&WebSocketParameters::new(&server.url))
        .await
        .expect("connect");
    ping(&transport, 1).await;
    let _ = next_non_report(&mut transport, &mut Vec::new()).await;
    with_timeout(transport.guard.close()).await;
    assert_eq!(server.clean_closes(), 1, "the server saw our close frame");
    match with_timeout(transport.inbound.recv()).await {
        Some(Inbound::Closed(reason)) => assert!(reason.is_local(), "{reason}"),
        other => panic!("{other:?}"),
    }

    // Dropping a session closes the same way, in the background.
    let session = session(&server, ClientSessionOptions::new()).await;
    drop(session);
    with_timeout(async {
        while server.clean_closes() < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}
