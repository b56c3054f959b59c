//! Closing: transport end, close reasons, `close()`, dropping the last handle.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::{config, scripted, TestHandler};
use crate::{
    memory_pair, CloseReason, Error, Handler, NoHandler, Peer, RequestOptions, TransportError, TransportGuard,
};

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
        let exit = TransportError::Closed("server process exited with status 3".into());
        script.tx.send(Err(exit)).await.expect("send");
        drop(script.tx);
    };
    let (a, b, ()) = tokio::join!(a, b, other_side);
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "failed at once, not by timeout"
    );
    for result in [a, b] {
        match result {
            Err(Error::Closed { reason, .. }) => {
                assert_eq!(reason.0, "server process exited with status 3");
            }
            other => panic!("expected Closed, got {other:?}"),
        }
    }
    assert_eq!(peer.closed().await.0, "server process exited with status 3");
    assert!(peer.is_closed());
    let later = peer.request_raw("c", None, RequestOptions::default()).await;
    assert!(matches!(&later, Err(Error::Closed { reason, .. }) if reason.0.contains("status 3")));
    assert!(later.expect_err("closed").to_string().contains("status 3"));
    let reports = handler.reports.lock().expect("lock").clone();
    assert_eq!(
        reports,
        ["connection closed: server process exited with status 3"]
    );
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
        matches!(result, Err(Error::Closed { reason, .. }) if reason.0 == "the peer closed the connection")
    );
    assert_eq!(
        peer.closed().await,
        CloseReason("the peer closed the connection".into())
    );
    assert!(peer.notify("n", None).await.expect_err("closed").is_closed());
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
    let hello = theirs.inbound.recv().await.expect("message").expect("ok");
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
    assert!(end.is_none(), "expected the end of the stream, got {end:?}");
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
    assert_eq!(server.closed().await.0, "the peer closed the connection");
}
