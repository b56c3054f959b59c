//! Unit tests of the peer engine: the other side is scripted by hand.

mod inbound;
mod lifecycle;
mod lines;
mod outbound;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use crate::{
    to_raw, ErrorObject, Handler, Inbound, InboundContext, Message, Notification, Outbound, Peer, PeerConfig,
    ProgressToken, ProtocolHooks, Request, RequestId, Response, Transport, TransportError, TransportGuard,
};

/// MCP-like conventions: `cancelled {requestId, reason}` and
/// `progress {progressToken, progress}`.
pub(super) struct TestHooks;

fn param(n: &Notification, key: &str) -> Option<RequestId> {
    let v: serde_json::Value = serde_json::from_str(n.params.as_ref()?.get()).ok()?;
    serde_json::from_value(v.get(key)?.clone()).ok()
}

impl ProtocolHooks for TestHooks {
    fn cancel_notification(&self, id: &RequestId, reason: &str) -> Option<Notification> {
        let params = serde_json::json!({ "requestId": id, "reason": reason });
        Some(Notification {
            method: "cancelled".into(),
            params: to_raw(&params).ok(),
        })
    }

    fn cancelled_request(&self, n: &Notification) -> Option<RequestId> {
        (n.method == "cancelled").then(|| param(n, "requestId")).flatten()
    }

    fn progress_token(&self, n: &Notification) -> Option<ProgressToken> {
        (n.method == "progress")
            .then(|| param(n, "progressToken"))
            .flatten()
    }
}

pub(super) fn config() -> PeerConfig {
    PeerConfig::default().hooks(Arc::new(TestHooks))
}

/// The hand-scripted other side of a transport built from raw channels.
pub(super) struct Script {
    /// Feeds the peer's inbound stream.
    pub(super) tx: mpsc::Sender<Inbound>,
    /// What the peer sent.
    pub(super) rx: mpsc::Receiver<Outbound>,
}

impl Script {
    /// The next message the peer sent (fails the test after 1000 s, which
    /// is instant under paused time).
    pub(super) async fn next(&mut self) -> Message {
        loop {
            if let Some(m) = self.next_item().await.into_message() {
                return m;
            }
        }
    }

    /// The next item the peer sent, a cancellation as such.
    pub(super) async fn next_item(&mut self) -> Outbound {
        tokio::time::timeout(Duration::from_secs(1000), self.rx.recv())
            .await
            .expect("the peer sent nothing")
            .expect("the peer's outbound closed")
    }

    pub(super) async fn next_request(&mut self) -> Request {
        match self.next().await {
            Message::Request(r) => r,
            other => panic!("expected a request, got {other:?}"),
        }
    }

    pub(super) async fn send(&self, msg: impl Into<Message>) {
        self.tx
            .send(Inbound::Message(msg.into()))
            .await
            .expect("peer inbound open");
    }

    pub(super) async fn respond(&self, id: &RequestId, result: &str) {
        self.send(Response {
            id: id.clone(),
            result: raw(result),
        })
        .await;
    }

    pub(super) async fn notify(&self, method: &'static str, params: serde_json::Value) {
        self.send(Notification {
            method: method.into(),
            params: to_raw(&params).ok(),
        })
        .await;
    }
}

/// Capacity of each channel of [`scripted`].
pub(super) const CHANNEL: usize = 64;

pub(super) fn scripted() -> (Transport, Script) {
    let (in_tx, in_rx) = mpsc::channel(CHANNEL);
    let (out_tx, out_rx) = mpsc::channel(CHANNEL);
    let transport = Transport::new(in_rx, out_tx, TransportGuard::noop());
    (
        transport,
        Script {
            tx: in_tx,
            rx: out_rx,
        },
    )
}

pub(super) fn raw(s: &str) -> Box<RawValue> {
    RawValue::from_string(s.to_owned()).expect("valid JSON")
}

/// Params of a notification as a JSON value.
pub(super) fn params_of(msg: &Message) -> serde_json::Value {
    let params = match msg {
        Message::Request(r) => r.params.as_ref(),
        Message::Notification(n) => n.params.as_ref(),
        _ => None,
    };
    params
        .map(|p| serde_json::from_str(p.get()).expect("params are JSON"))
        .unwrap_or(serde_json::Value::Null)
}

/// A handler for tests: `echo` returns its params; `sleep {ms}` sleeps then
/// returns its params; `hang` never returns (reports its drop); `panic`
/// panics; anything else is "method not found". It records notifications
/// and transport reports.
#[derive(Default)]
pub(super) struct TestHandler {
    pub(super) notifications: Mutex<Vec<String>>,
    pub(super) reports: Mutex<Vec<String>>,
    pub(super) closes: Mutex<Vec<crate::CloseReason>>,
    pub(super) dropped: Mutex<Option<mpsc::UnboundedSender<RequestId>>>,
    pub(super) started: Mutex<Option<mpsc::UnboundedSender<RequestId>>>,
    pub(super) seen: Mutex<Option<mpsc::UnboundedSender<String>>>,
}

struct DropReport(Option<mpsc::UnboundedSender<RequestId>>, RequestId);

impl Drop for DropReport {
    fn drop(&mut self) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(self.1.clone());
        }
    }
}

impl TestHandler {
    /// Channels reporting when a `hang` handler starts and when it is dropped.
    pub(super) fn watch_hangs(
        &self,
    ) -> (
        mpsc::UnboundedReceiver<RequestId>,
        mpsc::UnboundedReceiver<RequestId>,
    ) {
        let (started_tx, started) = mpsc::unbounded_channel();
        let (dropped_tx, dropped) = mpsc::unbounded_channel();
        *self.started.lock().expect("lock") = Some(started_tx);
        *self.dropped.lock().expect("lock") = Some(dropped_tx);
        (started, dropped)
    }
}

#[async_trait]
impl Handler for TestHandler {
    async fn handle_request(
        &self,
        request: Request,
        cx: InboundContext,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let params = request.params.unwrap_or_else(|| raw("null"));
        match &*request.method {
            "echo" => Ok(params),
            "sleep" => {
                let v: serde_json::Value = serde_json::from_str(params.get()).expect("json");
                let ms = v["ms"].as_u64().unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Ok(params)
            }
            "hang" => {
                let tx = self.dropped.lock().expect("lock").clone();
                let _report = DropReport(tx, cx.id.clone());
                if let Some(started) = &*self.started.lock().expect("lock") {
                    let _ = started.send(cx.id.clone());
                }
                std::future::pending().await
            }
            "panic" => panic!("the handler failed on purpose"),
            "ask_back" => {
                // A request back to the peer from inside a handler.
                let answer: serde_json::Value = cx
                    .peer
                    .request(
                        "echo",
                        Some(&serde_json::json!({"back": true})),
                        Default::default(),
                    )
                    .await
                    .map_err(|e| ErrorObject::new(-1, e.to_string()))?;
                to_raw(&answer).map_err(|e| ErrorObject::new(-1, e.to_string()))
            }
            other => Err(ErrorObject::new(-32601, format!("method not found: {other}"))),
        }
    }

    async fn handle_notification(&self, notification: Notification, _peer: &Peer) {
        self.notifications
            .lock()
            .expect("lock")
            .push(notification.method.to_string());
        if let Some(tx) = &*self.seen.lock().expect("lock") {
            let _ = tx.send(notification.method.to_string());
        }
    }

    fn handle_report(&self, error: TransportError) {
        self.reports.lock().expect("lock").push(error.to_string());
    }

    fn handle_close(&self, reason: &crate::CloseReason) {
        self.closes.lock().expect("lock").push(reason.clone());
    }
}
