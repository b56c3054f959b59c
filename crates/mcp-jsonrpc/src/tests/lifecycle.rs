//! Closing: transport end, close reasons, `close()`, dropping the last handle.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::{config, scripted, TestHandler};
use crate::{
    memory_pair, CloseReason, Error, ErrorObject, Handler, Inbound, NoHandler, Outbound, Peer,
    RequestOptions, TimeoutKind, TransportError, TransportGuard,
};

fn exited() -> CloseReason {
    CloseReason::Exited {
        command: "server".into(),
        code: Some(3),
        signal: None,
        stderr_tail: Some("missing API key".into()),
    }
}

#[tokio::test(start_paused = true)]
async fn a_closed_transport_fails_pending_requests_at_once_with_its_reason() {
    let (transport, mut script) = scripted();
    let handler = Arc::new(TestHandler::default());
    let peer = Peer::start(transport, handler.clone(), config());
    let started = Instant::now();
    let a = peer.request_raw("a", None, RequestOptions::default());
    let b = peer.request_raw("b", None, RequestOptions::default());
    let other_side = async {
        script.next_request().await;
        script.next_request().await;
        // The stream stays open: the report alone ends the connection.
        script.tx.send(Inbound::Closed(exited())).await.expect("send");
    };
    let (a, b, ()) = tokio::join!(a, b, other_side);
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "failed at once, not by timeout"
    );
    for result in [a, b] {
        match result {
            Err(Error::Closed { reason, .. }) => assert_eq!(reason, exited()),
            other => panic!("expected Closed, got {other:?}"),
        }
    }
    assert_eq!(peer.closed().await, exited());
    assert_eq!(peer.close_reason().and_then(|r| r.exit_code()), Some(3));
    assert!(peer.is_closed());
    let later = peer.request_raw("c", None, RequestOptions::default()).await;
    let message = later.expect_err("closed").to_string();
    assert!(
        message.contains("exited with status 3") && message.contains("missing API key"),
        "{message}"
    );
    assert_eq!(*handler.closes.lock().expect("lock"), [exited()]);
}

#[tokio::test]
async fn end_of_stream_without_reason_says_the_peer_closed() {
    let (transport, mut script) = scripted();
    let peer = Peer::start(transport, Arc::new(NoHandler), config());
    let (result, ()) = tokio::join!(peer.request_raw("a", None, RequestOptions::default()), async {
        script.next_request().await;
        drop(script.tx);
    });
    assert!(
        matches!(
            result,
            Err(Error::Closed {
                reason: CloseReason::EndOfStream { detail: None },
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(peer.closed().await.to_string(), "the peer closed the connection");
    assert!(peer.notify("n", None).await.expect_err("closed").is_closed());
}

#[tokio::test]
async fn a_request_the_transport_fails_fails_alone_and_typed() {
    let (transport, mut script) = scripted();
    let peer = Peer::start(transport, Arc::new(NoHandler), config());
    let (failed, refused, ok, ()) = tokio::join!(
        peer.request_raw("a", None, RequestOptions::default()),
        peer.request_raw("b", None, RequestOptions::default()),
        peer.request_raw("c", None, RequestOptions::default()),
        async {
            let a = script.next_request().await;
            let b = script.next_request().await;
            let c = script.next_request().await;
            let refused: crate::BoxError = "connection refused".into();
            let failed = Inbound::Failed {
                id: a.id,
                error: TransportError::Connect(refused),
            };
            script.tx.send(failed).await.expect("send");
            // A status whose body is the server's JSON-RPC error without an id.
            let status = Inbound::Failed {
                id: b.id,
                error: TransportError::Status {
                    status: 400,
                    rpc_error: Some(ErrorObject::new(-32000, "no session")),
                    error: "HTTP 400".into(),
                },
            };
            script.tx.send(status).await.expect("send");
            script.respond(&c.id, "7").await;
        }
    );
    match failed {
        Err(Error::Transport { source, .. }) => {
            assert!(source.is_connect());
            assert_eq!(source.to_string(), "connection refused");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(
        refused.expect_err("refused").rpc_error().map(|e| e.code),
        Some(-32000)
    );
    assert_eq!(ok.expect("answered").get(), "7");
    assert!(!peer.is_closed());
}

#[tokio::test(start_paused = true)]
async fn cancelling_a_request_tells_the_transport_and_fails_it() {
    let (transport, mut script) = scripted();
    let peer = Peer::start(transport, Arc::new(NoHandler), config());
    let token = tokio_util::sync::CancellationToken::new();
    let options = RequestOptions::default().cancellation(token.clone());
    let (result, ()) = tokio::join!(peer.request_raw("slow", None, options), async {
        let r = script.next_request().await;
        token.cancel();
        match script.next_item().await {
            Outbound::Cancel { id, notification } => {
                assert_eq!(id, r.id);
                assert_eq!(
                    notification.map(|n| n.method.into_owned()).as_deref(),
                    Some("cancelled")
                );
            }
            other => panic!("expected a cancellation, got {other:?}"),
        }
    });
    assert!(matches!(result, Err(Error::Cancelled { .. })), "{result:?}");
}

#[tokio::test(start_paused = true)]
async fn a_maximum_total_is_told_apart_from_an_idle_timeout() {
    let (transport, mut script) = scripted();
    let peer = Peer::start(transport, Arc::new(NoHandler), config());
    let idle = RequestOptions::default().timeout(Duration::from_secs(5));
    let total = RequestOptions::default()
        .timeout(Duration::from_secs(5))
        .max_total(Duration::from_secs(2));
    let (idle, total, ()) = tokio::join!(
        peer.request_raw("a", None, idle),
        peer.request_raw("b", None, total),
        async {
            script.next_request().await;
            script.next_request().await;
        }
    );
    assert!(
        matches!(
            idle,
            Err(Error::Timeout {
                kind: TimeoutKind::Idle,
                ..
            })
        ),
        "{idle:?}"
    );
    assert!(
        matches!(
            total,
            Err(Error::Timeout {
                kind: TimeoutKind::Total,
                ..
            })
        ),
        "{total:?}"
    );
}

#[tokio::test]
async fn close_fails_pending_requests_and_shuts_the_transport_down() {
    let (mut transport, mut script) = scripted();
    let (closed_tx, closed_rx) = oneshot::channel();
    transport.guard = TransportGuard::new(move || async move {
        let _ = closed_tx.send(());
    });
    let peer = Peer::start(transport, Arc::new(NoHandler), config());
    let other = peer.clone();
    let (result, ()) = tokio::join!(peer.request_raw("a", None, RequestOptions::default()), async {
        script.next_request().await;
        other.close().await;
    });
    assert!(result.expect_err("closed").is_closed());
    closed_rx.await.expect("the guard was closed");
    assert!(peer.is_closed());
    peer.closed().await;
}

struct DropFlag(Option<oneshot::Sender<()>>);

impl Handler for DropFlag {}

impl Drop for DropFlag {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

#[tokio::test]
async fn dropping_every_handle_stops_the_tasks_and_closes_the_transport() {
    let (ours, mut theirs) = memory_pair(16);
    let (dropped_tx, dropped_rx) = oneshot::channel();
    let peer = Peer::start(ours, Arc::new(DropFlag(Some(dropped_tx))), config());
    let clone = peer.clone();
    let _subscriber = peer.subscribe();
    peer.notify("hello", None).await.expect("sent");
    let Some(Inbound::Message(hello)) = theirs.inbound.recv().await else {
        panic!("expected the notification");
    };
    assert_eq!(hello.method(), Some("hello"));
    drop(peer);
    drop(clone);
    // The tasks (which own the handler) are gone and our outbound is closed.
    tokio::time::timeout(Duration::from_secs(5), dropped_rx)
        .await
        .expect("tasks stopped in time")
        .expect("handler dropped");
    let end = tokio::time::timeout(Duration::from_secs(5), theirs.inbound.recv())
        .await
        .expect("inbound ended in time");
    assert!(
        matches!(end, Some(Inbound::Closed(CloseReason::EndOfStream { .. }))),
        "expected the end of the stream, got {end:?}"
    );
    let after = tokio::time::timeout(Duration::from_secs(5), theirs.inbound.recv())
        .await
        .expect("inbound ended in time");
    assert!(after.is_none(), "nothing follows the close, got {after:?}");
}

#[tokio::test]
async fn two_peers_over_memory_pair_talk_both_ways() {
    let (a, b) = memory_pair(16);
    let client = Peer::start(a, Arc::new(TestHandler::default()), config());
    let server = Peer::start(b, Arc::new(TestHandler::default()), config());
    let echoed: serde_json::Value = client
        .request(
            "echo",
            Some(&serde_json::json!({"x": [1, 2]})),
            RequestOptions::default(),
        )
        .await
        .expect("echo");
    assert_eq!(echoed, serde_json::json!({"x": [1, 2]}));
    // The server asks the client back from inside a handler.
    let back: serde_json::Value = client
        .request("ask_back", Some(&()), RequestOptions::default())
        .await
        .expect("ask_back");
    assert_eq!(back, serde_json::json!({"back": true}));
    let err = server
        .request_raw("missing", None, RequestOptions::default())
        .await;
    assert_eq!(
        err.expect_err("unknown").rpc_error().map(|e| e.code),
        Some(-32601)
    );
    drop(client);
    assert_eq!(server.closed().await, CloseReason::end_of_stream());
}
