//! Messages the peer starts: request dispatch, cancellation, limits,
//! notifications, transport reports.

use std::sync::Arc;

use serde_json::json;
use tokio::sync::mpsc;

use super::{config, params_of, scripted, Script, TestHandler};
use crate::{
    error_codes, Inbound, Message, Notification, Peer, PeerConfig, Request, RequestId, TransportError,
};

fn start_with(config: PeerConfig) -> (Peer, Script, Arc<TestHandler>) {
    let (transport, script) = scripted();
    let handler = Arc::new(TestHandler::default());
    let peer = Peer::start(transport, handler.clone(), config);
    (peer, script, handler)
}

fn request(id: i64, method: &'static str, params: serde_json::Value) -> Request {
    Request {
        id: RequestId::Number(id),
        method: method.into(),
        params: crate::to_raw(&params).ok(),
    }
}

/// The id and the result (or error code) of a response.
fn answer(msg: &Message) -> (RequestId, Result<String, i64>) {
    match msg {
        Message::Response(r) => (r.id.clone(), Ok(r.result.get().to_owned())),
        Message::Error(e) => (e.id.clone().expect("id"), Err(e.error.code)),
        other => panic!("expected a response, got {other:?}"),
    }
}

#[tokio::test]
async fn inbound_requests_are_answered() {
    let (_peer, mut script, _) = start_with(config());
    script.send(request(1, "echo", json!({"a": 1}))).await;
    assert_eq!(
        answer(&script.next().await),
        (1.into(), Ok(r#"{"a":1}"#.to_owned()))
    );
    script.send(request(2, "nope", json!({}))).await;
    assert_eq!(
        answer(&script.next().await),
        (2.into(), Err(error_codes::METHOD_NOT_FOUND))
    );
    // String ids are echoed back as strings.
    script
        .send(Request {
            id: "s-1".into(),
            method: "echo".into(),
            params: None,
        })
        .await;
    assert_eq!(
        answer(&script.next().await),
        ("s-1".into(), Ok("null".to_owned()))
    );
}

#[tokio::test(start_paused = true)]
async fn concurrent_inbound_requests_are_answered_out_of_order() {
    let (_peer, mut script, _) = start_with(config());
    script.send(request(1, "sleep", json!({"ms": 100}))).await;
    script.send(request(2, "sleep", json!({"ms": 10}))).await;
    assert_eq!(answer(&script.next().await).0, RequestId::Number(2));
    assert_eq!(answer(&script.next().await).0, RequestId::Number(1));
}

#[tokio::test]
async fn inbound_cancellation_stops_the_handler_and_sends_no_response() {
    let (_peer, mut script, handler) = start_with(config());
    let (mut started, mut dropped) = handler.watch_hangs();
    script.send(request(7, "hang", json!({}))).await;
    script.send(request(8, "hang", json!({}))).await;
    assert_eq!(started.recv().await, Some(RequestId::Number(7)));
    assert_eq!(started.recv().await, Some(RequestId::Number(8)));
    script
        .notify("cancelled", json!({"requestId": 7, "reason": "user"}))
        .await;
    assert_eq!(dropped.recv().await, Some(RequestId::Number(7)));
    // No response to 7: the next message is the answer to 9.
    script.send(request(9, "echo", json!(1))).await;
    assert_eq!(answer(&script.next().await), (9.into(), Ok("1".to_owned())));
    // 8 is still running.
    assert!(dropped.try_recv().is_err());
}

#[tokio::test]
async fn a_panicking_handler_is_answered_with_internal_error() {
    let (_peer, mut script, _) = start_with(config());
    script.send(request(1, "panic", json!({}))).await;
    assert_eq!(
        answer(&script.next().await),
        (1.into(), Err(error_codes::INTERNAL_ERROR))
    );
    script.send(request(2, "echo", json!("still here"))).await;
    assert_eq!(
        answer(&script.next().await),
        (2.into(), Ok(r#""still here""#.to_owned()))
    );
}

#[tokio::test]
async fn over_the_limit_inbound_requests_wait_for_a_handler_then_reading_stops() {
    let (_peer, mut script, handler) = start_with(config().max_concurrent_inbound(2));
    let (mut started, mut dropped) = handler.watch_hangs();
    for id in 1..=3 {
        script.send(request(id, "hang", json!({}))).await;
    }
    // 3 waits (not refused); withdrawn while waiting, it never starts.
    script.notify("cancelled", json!({"requestId": 3})).await;
    script.send(request(4, "hang", json!({}))).await;
    assert_eq!(started.recv().await, Some(RequestId::Number(1)));
    assert_eq!(started.recv().await, Some(RequestId::Number(2)));
    script.notify("cancelled", json!({"requestId": 1})).await;
    assert_eq!(dropped.recv().await, Some(RequestId::Number(1)));
    assert_eq!(started.recv().await, Some(RequestId::Number(4)));
    script.send(request(5, "echo", json!(5))).await;
    script.notify("cancelled", json!({"requestId": 2})).await;
    // 5 waited for 2 to end, and is the first answer of all.
    assert_eq!(answer(&script.next().await), (5.into(), Ok("5".to_owned())));
    assert_eq!(dropped.recv().await, Some(RequestId::Number(2)));
}

#[tokio::test]
async fn a_flood_of_requests_is_not_read_while_handlers_are_busy() {
    let (_peer, script, handler) = start_with(config().max_concurrent_inbound(2));
    let (mut started, _dropped) = handler.watch_hangs();
    // Running 2, waiting 2: then the engine reads no more, so the sends
    // beyond what the channel holds block (bounded memory), instead of
    // being refused or queued.
    let capacity = super::CHANNEL;
    let mut sent = 0;
    for id in 0..(capacity + 10) as i64 {
        let send = script.send(request(id, "hang", json!({})));
        if tokio::time::timeout(std::time::Duration::from_millis(200), send)
            .await
            .is_err()
        {
            break;
        }
        sent += 1;
    }
    assert_eq!(started.recv().await, Some(RequestId::Number(0)));
    assert_eq!(started.recv().await, Some(RequestId::Number(1)));
    assert_eq!(
        sent,
        capacity + 4,
        "the engine took 2 running, 2 waiting, and filled no more than the channel"
    );
}

#[tokio::test]
async fn notifications_reach_the_handler_in_order_and_subscribers() {
    let (peer, script, handler) = start_with(config());
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    *handler.seen.lock().expect("lock") = Some(seen_tx);
    let mut first = peer.subscribe();
    let mut second = peer.subscribe();
    let names: Vec<String> = (0..100).map(|i| format!("n{i}")).collect();
    for name in &names {
        script
            .send(Notification {
                method: name.clone().into(),
                params: None,
            })
            .await;
    }
    for name in &names {
        assert_eq!(seen.recv().await.as_ref(), Some(name));
        assert_eq!(first.recv().await.expect("first").method, name.as_str());
        assert_eq!(second.recv().await.expect("second").method, name.as_str());
    }
    assert_eq!(*handler.notifications.lock().expect("lock"), names);
}

#[tokio::test]
async fn malformed_reports_reach_the_handler_and_the_engine_goes_on() {
    let (peer, mut script, handler) = start_with(config());
    let malformed = Message::from_slice(b"not json").expect_err("malformed");
    script
        .tx
        .send(Inbound::Report(TransportError::Malformed(malformed)))
        .await
        .expect("send");
    script
        .tx
        .send(Inbound::Report(TransportError::TooLarge { limit: 10 }))
        .await
        .expect("send");
    script.send(request(1, "echo", json!(true))).await;
    assert_eq!(answer(&script.next().await), (1.into(), Ok("true".to_owned())));
    let reports = handler.reports.lock().expect("lock").clone();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(reports[0].contains("invalid JSON"), "{reports:?}");
    assert!(reports[1].contains("larger than the limit"), "{reports:?}");
    assert!(!peer.is_closed());
    // Outbound requests still work.
    let (result, ()) = tokio::join!(peer.request_raw("x", None, Default::default()), async {
        let r = script.next_request().await;
        script.respond(&r.id, "1").await;
    });
    assert_eq!(result.expect("answered").get(), "1");
}

#[tokio::test]
async fn a_handler_can_call_back_into_the_peer() {
    let (_peer, mut script, _) = start_with(config());
    script.send(request(1, "ask_back", json!({}))).await;
    let back = script.next_request().await;
    assert_eq!(back.method, "echo");
    assert_eq!(params_of(&Message::Request(back.clone())), json!({"back": true}));
    script.respond(&back.id, r#"{"answer":1}"#).await;
    assert_eq!(
        answer(&script.next().await),
        (1.into(), Ok(r#"{"answer":1}"#.to_owned()))
    );
}

#[tokio::test(start_paused = true)]
async fn inbound_handlers_are_stopped_when_the_connection_closes() {
    let (peer, script, handler) = start_with(config());
    let (mut started, mut dropped) = handler.watch_hangs();
    script.send(request(1, "hang", json!({}))).await;
    assert_eq!(started.recv().await, Some(RequestId::Number(1)));
    drop(script);
    assert_eq!(dropped.recv().await, Some(RequestId::Number(1)));
    peer.closed().await;
}

#[tokio::test]
async fn a_request_cancelled_before_its_handler_runs_gets_no_response() {
    let (_peer, mut script, _) = start_with(config());
    for id in 1..=20 {
        script.send(request(id, "sleep", json!({"ms": 5000}))).await;
        script.notify("cancelled", json!({"requestId": id})).await;
    }
    // Cancelling an unknown id is harmless.
    script.notify("cancelled", json!({"requestId": 999})).await;
    script.send(request(100, "echo", json!(100))).await;
    assert_eq!(answer(&script.next().await), (100.into(), Ok("100".to_owned())));
}
