//! The transport's main loop and its entry points: every outbound item is
//! put on the wire by what it is (request, notification, response,
//! cancellation) and by the HTTP transport in use; the session's hints are
//! read as they change.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use mcp_jsonrpc::{
    Era, Inbound, Message, Notification, Outbound, RequestId, SessionHints, Transport, TransportGuard,
};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{AbortHandle, JoinSet};
use tokio_util::task::AbortOnDropHandle;
use url::Url;

use crate::client::{parse_url, HttpClient, Wait};
use crate::error::{snippet, HttpError};
use crate::exchange::{self, is_stateless};
use crate::http_sse;
use crate::origin_cache::OriginCache;
use crate::params::{HttpTransportMode, SseServerParameters, StreamableHttpParameters};
use crate::session;
use crate::shared::{Control, Shared};

/// How long closing waits for the session's `DELETE` and the tasks.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the GET stream may take to open before later requests go out.
const GET_OPEN_WAIT: Duration = Duration::from_secs(2);
/// Most notifications and responses (and, over HTTP+SSE, requests) POSTed
/// at once, each bounded by the transport's timeout. They go out beside
/// the main loop, so that a slow POST holds up no other message; past the
/// limit they wait in a queue as long again (requests of Streamable HTTP
/// still go out), and when that is full the loop takes no further
/// outbound message until a POST is done.
pub const MAX_POSTS_IN_FLIGHT: usize = 16;

type Tasks = JoinSet<Option<RequestId>>;

/// Connects to an MCP server over HTTP: Streamable HTTP of either era, or
/// the 2024-11-05 HTTP+SSE transport (see [`HttpTransportMode`]).
///
/// Nothing is sent until the first message, except with
/// [`HttpTransportMode::Sse`] (or an origin the parameters' cache knows to
/// speak it), where the event stream is opened here and its failure
/// returned.
pub async fn streamablehttp_client(params: &StreamableHttpParameters) -> Result<Transport, HttpError> {
    let url = parse_url(&params.url)?;
    let client = HttpClient::new(params)?;
    let cap = params.channel_capacity.max(1);
    let (in_tx, in_rx) = mpsc::channel(cap);
    let (out_tx, out_rx) = mpsc::channel(cap);
    let (ctl_tx, ctl_rx) = mpsc::channel(16);
    let (hints_tx, hints_rx) = watch::channel(SessionHints::default());
    let shared = Arc::new(Shared::new(
        client,
        url.clone(),
        in_tx,
        ctl_tx,
        hints_rx.clone(),
        params.max_retries,
    ));
    let cache = params.origin_cache.clone();
    let mut mode = params.transport;
    let auto = mode == HttpTransportMode::Auto;
    let cached_sse = auto && cache.is_http_sse(&url);
    let mut tasks = Tasks::new();
    if mode == HttpTransportMode::Sse || cached_sse {
        match http_sse::connect(&shared).await {
            Ok((endpoint, reader)) => {
                shared.state().sse_endpoint = Some(endpoint);
                tasks.spawn(http_sse::stream_task(shared.clone(), reader));
                mode = HttpTransportMode::Sse;
            }
            Err(e) if cached_sse => {
                tracing::debug!(error = %e, "the origin no longer speaks HTTP+SSE; trying Streamable HTTP");
                cache.set_http_sse(&url, false);
            }
            Err(e) => return Err(e),
        }
    }
    // HTTP+SSE is of the initialize era; otherwise what the last session on
    // this origin settled on.
    let remembered = (mode == HttpTransportMode::Sse || (auto && cache.take_initialize_era(&url)))
        .then_some(Era::Initialize);
    let (stop_tx, stop_rx) = oneshot::channel();
    let main = Loop {
        shared,
        tasks,
        posts: JoinSet::new(),
        backlog: VecDeque::new(),
        inflight: HashMap::new(),
        mode,
        cache,
        hints: hints_rx,
    };
    let main = AbortOnDropHandle::new(tokio::spawn(main.run(out_rx, ctl_rx, stop_rx)));
    let guard = TransportGuard::new(move || async move {
        let _ = stop_tx.send(());
        let mut main = main;
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, &mut main).await;
    });
    let mut transport = Transport::new(in_rx, out_tx, guard).with_remembered_era(remembered);
    transport.hints = hints_tx;
    Ok(transport)
}

/// Connects with the 2024-11-05 HTTP+SSE transport: opens the event
/// stream, waits for the `endpoint` event, and POSTs every message there.
pub async fn sse_client(params: &SseServerParameters) -> Result<Transport, HttpError> {
    streamablehttp_client(&params.to_streamable()).await
}

/// One request in flight: its exchange task, and whether it is of the
/// stateless era (whose cancellation is closing its stream).
struct InFlight {
    task: AbortHandle,
    stateless: bool,
}

struct Loop {
    shared: Arc<Shared>,
    tasks: Tasks,
    /// The POSTs that carry no request of Streamable HTTP (at most
    /// [`MAX_POSTS_IN_FLIGHT`]).
    posts: JoinSet<()>,
    /// What waits for a POST (at most [`MAX_POSTS_IN_FLIGHT`]), with the
    /// HTTP+SSE endpoint to POST it to, if any.
    backlog: VecDeque<(Message, Option<Url>)>,
    inflight: HashMap<RequestId, InFlight>,
    mode: HttpTransportMode,
    cache: OriginCache,
    hints: watch::Receiver<SessionHints>,
}

impl Loop {
    async fn run(
        mut self,
        mut out_rx: mpsc::Receiver<Outbound>,
        mut ctl_rx: mpsc::Receiver<Control>,
        mut stop_rx: oneshot::Receiver<()>,
    ) {
        loop {
            tokio::select! {
                _ = &mut stop_rx => break,
                Some(done) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    if let Ok(Some(id)) = done {
                        self.inflight.remove(&id);
                    }
                }
                Some(_) = self.posts.join_next(), if !self.posts.is_empty() => {
                    if let Some((msg, endpoint)) = self.backlog.pop_front() {
                        self.post(msg, endpoint);
                    }
                }
                Some(ctl) = ctl_rx.recv() => match ctl {
                    Control::Fatal(reason) => {
                        self.shared.emit(Inbound::Closed(reason)).await;
                        break;
                    }
                    Control::Fallback(req, status) => self.fallback(req, status).await,
                },
                Ok(()) = self.hints.changed() => self.learned(),
                item = out_rx.recv(), if self.backlog.len() < MAX_POSTS_IN_FLIGHT => match item {
                    Some(Outbound::Message(m)) => self.send(m).await,
                    Some(Outbound::Cancel { id, notification }) => self.cancel(id, notification).await,
                    Some(_) => {}
                    None => break,
                },
            }
        }
        // What was handed over goes out (each POST is bounded, and so is
        // the close as a whole).
        while self.posts.join_next().await.is_some() {
            if let Some((msg, endpoint)) = self.backlog.pop_front() {
                self.post(msg, endpoint);
            }
        }
        session::delete_session(&self.shared).await;
    }

    /// The session settled on an era: remember it for this origin.
    fn learned(&mut self) {
        let era = self.hints.borrow_and_update().era;
        match era {
            Some(Era::Initialize) => self.cache.set_initialize_era(&self.shared.url, true),
            Some(Era::Stateless) => self.cache.set_initialize_era(&self.shared.url, false),
            _ => {}
        }
    }

    async fn send(&mut self, msg: Message) {
        // `notifications/initialized` goes out before anything after it: a
        // server may refuse requests that overtake it.
        let initialized = matches!(&msg, Message::Notification(n) if n.method == "notifications/initialized");
        let sse = self.shared.state().sse_endpoint.clone();
        if let Some(endpoint) = sse {
            if initialized {
                return http_sse::post(&self.shared, &endpoint, &msg).await;
            }
            return self.post(msg, Some(endpoint));
        }
        match msg {
            Message::Request(req) => {
                // Parsed once: the headers mirror the body.
                let params: Option<serde_json::Value> = req
                    .params
                    .as_ref()
                    .and_then(|p| serde_json::from_str(p.get()).ok());
                let stateless = is_stateless(params.as_ref());
                let id = req.id.clone();
                let fallback = self.mode == HttpTransportMode::Auto;
                let task = exchange::request_task(self.shared.clone(), req, params, fallback);
                let task = self.tasks.spawn(async move { Some(task.await) });
                self.inflight.insert(id, InFlight { task, stateless });
            }
            Message::Notification(n) if initialized => {
                let accepted = post_plain(&self.shared, &Message::Notification(n)).await;
                if accepted {
                    // Open the GET stream before any later request goes out,
                    // so that the server never takes it for the resumption
                    // of a request's stream (bounded: a server may hold the
                    // response headers back).
                    let first = tokio::time::timeout(GET_OPEN_WAIT, session::open_get(&self.shared, None))
                        .await
                        .ok();
                    self.tasks
                        .spawn(session::get_stream_task(self.shared.clone(), first));
                }
            }
            other => self.post(other, None),
        }
    }

    /// POSTs `msg` beside the loop (to the HTTP+SSE `endpoint`, if any),
    /// or queues it when [`MAX_POSTS_IN_FLIGHT`] are out.
    fn post(&mut self, msg: Message, endpoint: Option<Url>) {
        if self.posts.len() >= MAX_POSTS_IN_FLIGHT {
            self.backlog.push_back((msg, endpoint));
            return;
        }
        let shared = self.shared.clone();
        self.posts.spawn(async move {
            match endpoint {
                Some(endpoint) => http_sse::post(&shared, &endpoint, &msg).await,
                None => {
                    post_plain(&shared, &msg).await;
                }
            }
        });
    }

    /// Request `id` is abandoned. Its exchange stops (in 2026-07-28 closing
    /// its stream is the cancellation); in the initialize era the
    /// notification is sent too, since there the server may go on working
    /// (or answer later on the GET stream).
    async fn cancel(&mut self, id: RequestId, notification: Option<Notification>) {
        let stateless = match self.inflight.remove(&id) {
            Some(f) => {
                tracing::debug!(%id, "abandoned: closing the request's exchange");
                f.task.abort();
                f.stateless
            }
            None => self.shared.era() == Some(Era::Stateless),
        };
        if let (false, Some(n)) = (stateless, notification) {
            self.send(Message::Notification(n)).await;
        }
    }

    async fn fallback(&mut self, req: mcp_jsonrpc::Request, refused: http::StatusCode) {
        match http_sse::connect(&self.shared).await {
            Ok((endpoint, reader)) => {
                self.cache.set_http_sse(&self.shared.url, true);
                self.shared.state().sse_endpoint = Some(endpoint.clone());
                self.tasks
                    .spawn(http_sse::stream_task(self.shared.clone(), reader));
                http_sse::post(&self.shared, &endpoint, &Message::Request(req)).await;
            }
            Err(e) => {
                let err = HttpError::Refused {
                    url: self.shared.url.to_string(),
                    status: refused,
                    fallback: e.to_string(),
                };
                self.shared.fail(&req.id, err).await;
            }
        }
    }
}

/// POSTs a notification or response; true when accepted. A refusal is
/// reported.
async fn post_plain(shared: &Shared, msg: &Message) -> bool {
    let h = shared.post_headers(None, None);
    let c = &shared.client;
    match c
        .send(
            Method::POST,
            &shared.url,
            &h,
            Bytes::from(msg.to_vec()),
            Wait::Bounded,
        )
        .await
    {
        Ok((resp, at)) => {
            let status = resp.status();
            let body = c.read_error_body(resp.into_body()).await;
            if !status.is_success() {
                let refused = HttpError::Status {
                    url: at.to_string(),
                    status,
                    body: snippet(&body),
                };
                shared.report(refused).await;
            }
            status.is_success()
        }
        Err(e) => {
            shared.report(e).await;
            false
        }
    }
}
