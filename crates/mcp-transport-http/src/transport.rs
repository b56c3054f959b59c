//! The transport's main loop and its entry points: every outbound message
//! is routed by what it is (request, notification, response) and by the
//! era and transport learned so far.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use mcp_jsonrpc::{
    error_codes, AbortOnDrop, ErrorObject, ErrorResponse, Message, Notification, RequestId, Transport,
    TransportError, TransportGuard,
};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio::task::{AbortHandle, JoinSet};

use crate::client::{parse_url, HttpClient};
use crate::conn::{Control, Shared};
use crate::error::HttpError;
use crate::headers::meta_version;
use crate::params::{HttpTransportMode, SseServerParameters, StreamableHttpParameters};
use crate::{detect, legacy, modern, sse_transport};

/// How long closing waits for the session's `DELETE` and the tasks.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the GET stream may take to open before later requests go out.
const GET_OPEN_WAIT: Duration = Duration::from_secs(2);

type Tasks = JoinSet<Option<RequestId>>;

/// Connects to an MCP server over HTTP: Streamable HTTP of either era, or
/// the 2024-11-05 HTTP+SSE transport (see [`HttpTransportMode`]).
///
/// Nothing is sent until the first message, except with
/// [`HttpTransportMode::Sse`] (or a cached detection of it), where the
/// event stream is opened here and its failure returned.
pub async fn streamablehttp_client(params: &StreamableHttpParameters) -> Result<Transport, HttpError> {
    let url = parse_url(&params.url)?;
    let client = HttpClient::new(params)?;
    let cap = params.channel_capacity.max(1);
    let (in_tx, in_rx) = mpsc::channel(cap);
    let (out_tx, out_rx) = mpsc::channel(cap);
    let (ctl_tx, ctl_rx) = mpsc::channel(16);
    let shared = Arc::new(Shared::new(
        client,
        url.clone(),
        in_tx,
        ctl_tx,
        params.max_retries,
    ));
    let mut mode = params.transport;
    let cached = mode == HttpTransportMode::Auto && detect::lookup(&url) == Some(HttpTransportMode::Sse);
    let mut tasks = Tasks::new();
    if mode == HttpTransportMode::Sse || cached {
        match sse_transport::connect(&shared).await {
            Ok((endpoint, reader)) => {
                shared.state().sse_endpoint = Some(endpoint);
                tasks.spawn(sse_transport::stream_task(shared.clone(), reader));
                mode = HttpTransportMode::Sse;
            }
            Err(e) if cached => {
                tracing::debug!(error = %e, "cached HTTP+SSE detection failed; trying Streamable HTTP");
                detect::forget(&url);
            }
            Err(e) => return Err(e),
        }
    }
    let (stop_tx, stop_rx) = oneshot::channel();
    let main = AbortOnDrop(tokio::spawn(run(shared, out_rx, ctl_rx, stop_rx, tasks, mode)));
    let guard = TransportGuard::new(move || async move {
        let _ = stop_tx.send(());
        let mut main = main;
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, &mut main.0).await;
    });
    Ok(Transport {
        inbound: in_rx,
        outbound: out_tx,
        guard,
    })
}

/// Connects with the 2024-11-05 HTTP+SSE transport: opens the event
/// stream, waits for the `endpoint` event, and POSTs every message there.
pub async fn sse_client(params: &SseServerParameters) -> Result<Transport, HttpError> {
    streamablehttp_client(&params.to_streamable()).await
}

struct Loop {
    shared: Arc<Shared>,
    tasks: Tasks,
    inflight: HashMap<RequestId, (AbortHandle, bool)>,
    mode: HttpTransportMode,
    modern: bool,
}

async fn run(
    shared: Arc<Shared>,
    mut out_rx: mpsc::Receiver<Message>,
    mut ctl_rx: mpsc::Receiver<Control>,
    mut stop_rx: oneshot::Receiver<()>,
    tasks: Tasks,
    mode: HttpTransportMode,
) {
    let mut lp = Loop {
        shared,
        tasks,
        inflight: HashMap::new(),
        mode,
        modern: false,
    };
    loop {
        tokio::select! {
            _ = &mut stop_rx => break,
            Some(done) = lp.tasks.join_next(), if !lp.tasks.is_empty() => {
                if let Ok(Some(id)) = done {
                    lp.inflight.remove(&id);
                }
            }
            Some(ctl) = ctl_rx.recv() => match ctl {
                Control::Fatal(reason) => {
                    lp.shared.emit(Err(TransportError::Closed(reason))).await;
                    break;
                }
                Control::Fallback(req) => lp.fallback(req).await,
            },
            msg = out_rx.recv() => match msg {
                Some(m) => lp.handle(m).await,
                None => break,
            },
        }
    }
    legacy::delete_session(&lp.shared).await;
}

fn cancelled_id(n: &Notification) -> Option<RequestId> {
    let v: Value = serde_json::from_str(n.params.as_ref()?.get()).ok()?;
    serde_json::from_value(v.get("requestId")?.clone()).ok()
}

impl Loop {
    async fn handle(&mut self, msg: Message) {
        let sse = self.shared.state().sse_endpoint.clone();
        if let Message::Request(req) = &msg {
            if req.method == "server/discover"
                && self.mode == HttpTransportMode::Auto
                && detect::is_legacy(&self.shared.url)
            {
                // This origin completed an `initialize` handshake before:
                // answer the probe here, sparing a round trip. The mark is
                // dropped until this handshake succeeds again, so a server
                // that changed is probed anew next time.
                detect::set_legacy(&self.shared.url, false);
                let error = ErrorObject::new(
                    error_codes::METHOD_NOT_FOUND,
                    "server/discover: this origin speaks the initialize era (remembered from an earlier connection)",
                );
                self.shared
                    .emit(Ok(Message::Error(ErrorResponse {
                        id: Some(req.id.clone()),
                        error,
                    })))
                    .await;
                return;
            }
            if req.method == "initialize" {
                let mut state = self.shared.state();
                state.init = Some(req.clone());
                self.modern = false;
            }
        }
        if let Some(endpoint) = sse {
            return sse_transport::post(&self.shared, &endpoint, &msg).await;
        }
        match msg {
            Message::Request(req) => {
                let params: Option<Value> = req
                    .params
                    .as_ref()
                    .and_then(|p| serde_json::from_str(p.get()).ok());
                let modern = meta_version(params.as_ref()).is_some();
                self.modern |= modern;
                let id = req.id.clone();
                let fallback = self.mode == HttpTransportMode::Auto;
                let task = modern::request_task(self.shared.clone(), req, fallback);
                let handle = self.tasks.spawn(task);
                self.inflight.insert(id, (handle, modern));
            }
            Message::Notification(n) => {
                if n.method == "notifications/cancelled" {
                    let target = cancelled_id(&n);
                    let entry = target.as_ref().and_then(|t| self.inflight.get(t));
                    if let Some((handle, true)) = entry {
                        tracing::debug!(id = ?target, "cancelled: closing the request's response stream");
                        handle.abort();
                    }
                    if entry.is_some_and(|(_, modern)| *modern) || self.modern {
                        // 2026-07-28: closing the stream is the cancellation.
                        return;
                    }
                }
                let initialized = n.method == "notifications/initialized";
                if initialized {
                    self.shared.state().initialized = Some(n.clone());
                }
                let ok = self.post_plain(Message::Notification(n)).await;
                if initialized && ok {
                    detect::set_legacy(&self.shared.url, true);
                    // Open the GET stream before any later request goes out,
                    // so that the server never takes it for the resumption
                    // of a request's stream (bounded: a server may hold the
                    // response headers back).
                    let first = tokio::time::timeout(GET_OPEN_WAIT, legacy::open_get(&self.shared, None))
                        .await
                        .ok();
                    self.tasks
                        .spawn(legacy::get_stream_task(self.shared.clone(), first));
                }
            }
            other => {
                self.post_plain(other).await;
            }
        }
    }

    /// POSTs a notification or response; true when accepted.
    async fn post_plain(&self, msg: Message) -> bool {
        let (method, params) = match &msg {
            Message::Notification(n) => (Some(n.method.as_ref()), n.params.as_ref()),
            _ => (None, None),
        };
        let params: Option<Value> = params.and_then(|p| serde_json::from_str(p.get()).ok());
        let h = self.shared.post_headers(method, params.as_ref());
        let c = &self.shared.client;
        match c
            .send(Method::POST, &self.shared.url, &h, Bytes::from(msg.to_vec()))
            .await
        {
            Ok((resp, at)) => {
                let status = resp.status();
                let body = c.read_error_body(resp.into_body()).await;
                if !status.is_success() {
                    let text = crate::error::snippet(&body);
                    tracing::warn!(%status, url = %at, body = %text, method, "the server refused a message");
                }
                status.is_success()
            }
            Err(e) => {
                tracing::warn!(error = %e, method, "sending a message failed");
                false
            }
        }
    }

    async fn fallback(&mut self, req: mcp_jsonrpc::Request) {
        match sse_transport::connect(&self.shared).await {
            Ok((endpoint, reader)) => {
                detect::remember(&self.shared.url, HttpTransportMode::Sse);
                self.shared.state().sse_endpoint = Some(endpoint.clone());
                self.tasks
                    .spawn(sse_transport::stream_task(self.shared.clone(), reader));
                sse_transport::post(&self.shared, &endpoint, &Message::Request(req)).await;
            }
            Err(e) => {
                let err = HttpError::Protocol {
                    url: self.shared.url.to_string(),
                    reason: format!(
                        "the server refused the initialize POST, and the HTTP+SSE fallback failed: {e}"
                    ),
                };
                self.shared.fail(&req.id, &err).await;
            }
        }
    }
}
