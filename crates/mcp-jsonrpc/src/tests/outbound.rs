//! Requests we send: correlation, errors, timeouts, cancellation, progress.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use super::{config, params_of, scripted, TestHandler};
use crate::{
    Error, ErrorObject, ErrorResponse, Message, NoHandler, Peer, RequestId, RequestOptions, Response,
};

fn start() -> (Peer, super::Script) {
    let (transport, script) = scripted();
    (Peer::start(transport, Arc::new(NoHandler), config()), script)
}

#[tokio::test]
async fn concurrent_requests_get_out_of_order_responses() {
    let (peer, mut script) = start();
    let a = peer.request::<_, serde_json::Value>("a", Some(&json!({"n": 1})), RequestOptions::default());
    let b = peer.request::<_, serde_json::Value>("b", Some(&json!({"n": 2})), RequestOptions::default());
    let other_side = async {
        let ra = script.next_request().await;
        let rb = script.next_request().await;
        assert_eq!(ra.id, RequestId::Number(1));
        assert_eq!(rb.id, RequestId::Number(2));
        script.respond(&rb.id, r#"{"from":"b"}"#).await;
        script.respond(&ra.id, r#"{"from":"a"}"#).await;
    };
    let (a, b, ()) = tokio::join!(a, b, other_side);
    assert_eq!(a.expect("a answered"), json!({"from": "a"}));
    assert_eq!(b.expect("b answered"), json!({"from": "b"}));
}

#[tokio::test]
async fn typed_results_decode_directly_and_shape_errors_are_reported() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Answer {
        ok: bool,
    }
    let (peer, mut script) = start();
    let good = peer.request::<(), Answer>("m", None, RequestOptions::default());
    let (good, ()) = tokio::join!(good, async {
        let r = script.next_request().await;
        assert!(r.params.is_none());
        script.respond(&r.id, r#"{"ok":true}"#).await;
    });
    assert_eq!(good.expect("decodes"), Answer { ok: true });

    let bad = peer.request::<(), Answer>("m", None, RequestOptions::default());
    let (bad, ()) = tokio::join!(bad, async {
        let r = script.next_request().await;
        script.respond(&r.id, r#"{"ok":"yes"}"#).await;
    });
    assert!(matches!(bad, Err(Error::InvalidResponse { ref method, .. }) if method == "m"));

    let unencodable: HashMap<[u8; 2], u8> = HashMap::from([([1, 2], 3)]);
    let err = peer
        .request::<_, Answer>("m", Some(&unencodable), RequestOptions::default())
        .await
        .expect_err("cannot encode");
    assert!(matches!(err, Error::Encode { .. }), "{err}");
}

#[tokio::test]
async fn error_response_is_rpc_error() {
    let (peer, mut script) = start();
    let call = peer.request_raw("tools/call", None, RequestOptions::default());
    let (result, ()) = tokio::join!(call, async {
        let r = script.next_request().await;
        let error = ErrorObject::new(-32602, "bad params").with_data(json!({"field": "x"}));
        script
            .send(ErrorResponse {
                id: Some(r.id),
                error,
            })
            .await;
    });
    let err = result.expect_err("the peer answered with an error");
    let rpc = err.rpc_error().expect("an rpc error");
    assert_eq!(rpc.code, -32602);
    assert_eq!(rpc.data, Some(json!({"field": "x"})));
    assert!(!err.is_timeout() && !err.is_closed());
    assert!(err.to_string().contains("tools/call"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn timeout_sends_cancel_notification() {
    let (peer, mut script) = start();
    let started = Instant::now();
    let options = RequestOptions::default().timeout(Duration::from_secs(5));
    let call = peer.request_raw("slow", None, options);
    let (result, request) = tokio::join!(call, script.next_request());
    let err = result.expect_err("times out");
    assert!(err.is_timeout(), "{err}");
    assert!(
        matches!(&err, Error::Timeout { id, elapsed, .. } if *id == request.id && *elapsed == Duration::from_secs(5))
    );
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    let cancel = script.next().await;
    assert_eq!(cancel.method(), Some("cancelled"));
    assert_eq!(
        params_of(&cancel),
        json!({"requestId": 1, "reason": "request timed out after 5s"})
    );
    assert_eq!(peer.inner_pending_len(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_peer_that_never_answers_times_out_with_the_default() {
    let (transport, mut script) = scripted();
    let peer = Peer::start(
        transport,
        Arc::new(NoHandler),
        config().default_timeout(Duration::from_secs(60)),
    );
    let started = Instant::now();
    let (result, _request) = tokio::join!(
        peer.request_raw("x", None, RequestOptions::default()),
        script.next()
    );
    assert!(result.expect_err("times out").is_timeout());
    assert_eq!(started.elapsed(), Duration::from_secs(60));
}

#[tokio::test]
async fn dropping_the_future_cancels_and_a_late_response_is_ignored() {
    let (peer, mut script) = start();
    {
        let call = peer.request_raw("long", None, RequestOptions::default());
        tokio::pin!(call);
        // Poll until the request is on the wire, then drop the future.
        tokio::select! {
            _ = &mut call => panic!("no answer was sent"),
            r = script.next_request() => assert_eq!(r.id, RequestId::Number(1)),
        }
    }
    let cancel = script.next().await;
    assert_eq!(cancel.method(), Some("cancelled"));
    assert_eq!(params_of(&cancel)["requestId"], json!(1));
    assert_eq!(peer.inner_pending_len(), 0);
    // The late answer is dropped; the engine goes on.
    script.respond(&RequestId::Number(1), "42").await;
    let (next, ()) = tokio::join!(peer.request_raw("next", None, RequestOptions::default()), async {
        let r = script.next_request().await;
        assert_eq!(r.id, RequestId::Number(2));
        script.respond(&r.id, "7").await;
    });
    assert_eq!(next.expect("answered").get(), "7");
}

#[tokio::test]
async fn cancel_on_drop_false_sends_nothing() {
    let (peer, mut script) = start();
    {
        let call = peer.request_raw(
            "initialize",
            None,
            RequestOptions::default().cancel_on_drop(false),
        );
        tokio::pin!(call);
        tokio::select! {
            _ = &mut call => panic!("no answer was sent"),
            _ = script.next_request() => {}
        }
    }
    assert_eq!(peer.inner_pending_len(), 0);
    peer.notify("marker", None).await.expect("sent");
    assert_eq!(script.next().await.method(), Some("marker"));
}

#[tokio::test(start_paused = true)]
async fn progress_is_routed_resets_the_timer_and_max_total_bounds_it() {
    let (peer, mut script) = start();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let options = RequestOptions::default()
        .timeout(Duration::from_secs(10))
        .max_total(Duration::from_secs(25))
        .reset_timeout_on_progress(true)
        .progress_token("tok")
        .on_progress(move |n| {
            assert_eq!(n.method, "progress");
            counter.fetch_add(1, Ordering::SeqCst);
        });
    let mut observer = peer.subscribe();
    let started = Instant::now();
    let call = peer.request_raw("long", None, options);
    let other_side = async {
        script.next_request().await;
        for i in 0..3 {
            tokio::time::sleep(Duration::from_secs(8)).await;
            script
                .notify("progress", json!({"progressToken": "tok", "progress": i}))
                .await;
        }
        // Another request's token: not routed.
        script
            .notify("progress", json!({"progressToken": "other", "progress": 9}))
            .await;
        script.next().await
    };
    let (result, cancel) = tokio::join!(call, other_side);
    let err = result.expect_err("max_total elapses");
    assert!(err.is_timeout(), "{err}");
    // Progress at 8, 16 and 24 s kept it alive past 10 s; max_total stopped it at 25 s.
    assert_eq!(started.elapsed(), Duration::from_secs(25));
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    assert_eq!(cancel.method(), Some("cancelled"));
    for _ in 0..4 {
        let n = observer.recv().await.expect("broadcast");
        assert_eq!(n.method, "progress");
    }
}

#[tokio::test(start_paused = true)]
async fn progress_without_reset_does_not_extend_the_timeout() {
    let (peer, mut script) = start();
    let options = RequestOptions::default()
        .timeout(Duration::from_secs(10))
        .progress_token(5)
        .on_progress(|_| {});
    let started = Instant::now();
    let other_side = async {
        script.next_request().await;
        tokio::time::sleep(Duration::from_secs(8)).await;
        script.notify("progress", json!({"progressToken": 5})).await;
    };
    let (result, ()) = tokio::join!(peer.request_raw("long", None, options), other_side);
    assert!(result.expect_err("times out").is_timeout());
    assert_eq!(started.elapsed(), Duration::from_secs(10));
}

#[tokio::test]
async fn outbound_failure_is_closed_at_once() {
    let (transport, script) = scripted();
    let handler = Arc::new(TestHandler::default());
    let peer = Peer::start(transport, handler, config());
    drop(script.rx);
    let err = peer
        .request_raw("x", None, RequestOptions::default())
        .await
        .expect_err("cannot send");
    assert!(err.is_closed(), "{err}");
    let err = peer.notify("n", None).await.expect_err("cannot send");
    assert!(err.is_closed(), "{err}");
    assert_eq!(peer.inner_pending_len(), 0);
}

#[tokio::test]
async fn responses_with_unknown_or_string_ids_are_dropped() {
    let (peer, mut script) = start();
    script.respond(&RequestId::Number(99), "1").await;
    script.respond(&RequestId::from("1"), "1").await;
    script
        .send(Message::Error(ErrorResponse {
            id: None,
            error: ErrorObject::new(-32700, "parse error"),
        }))
        .await;
    let (result, ()) = tokio::join!(peer.request_raw("x", None, RequestOptions::default()), async {
        let r = script.next_request().await;
        script
            .send(Response {
                id: r.id,
                result: super::raw("true"),
            })
            .await;
    });
    assert_eq!(result.expect("answered").get(), "true");
}
