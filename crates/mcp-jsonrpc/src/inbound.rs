//! The engine's tasks: the dispatcher that reads the transport, the handler
//! tasks of inbound requests, and the notification task.

use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Weak};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::error::{CloseReason, TransportError};
use crate::handler::{panic_message, CatchUnwind, Handler, InboundContext};
use crate::message::{ErrorObject, ErrorResponse, Message, Notification, Request, RequestId, Response};
use crate::peer::{Inner, Peer, Shared};
use crate::pending::Outcome;
use crate::throttle::LogThrottle;
use crate::transport::Inbound;

/// Reads the transport's inbound stream and routes every message.
pub(crate) struct Dispatcher {
    inbound: mpsc::Receiver<Inbound>,
    shared: Arc<Shared>,
    handler: Arc<dyn Handler>,
    notifications: mpsc::Sender<Notification>,
    max_inbound: usize,
    /// Handler tasks of inbound requests; dropping the set aborts them.
    tasks: JoinSet<(RequestId, u64)>,
    /// Cancellation of each running inbound request, with a sequence number
    /// so that a reused id does not clear a newer request's entry.
    running: HashMap<RequestId, (u64, CancellationToken)>,
    /// Requests read while `max_inbound` handlers run, started in order as
    /// handlers end (at most `max_inbound`; then reading stops).
    waiting: VecDeque<Request>,
    seq: u64,
    /// Lines about what the peer sent wrong, rate-limited.
    complaints: LogThrottle,
}

impl Dispatcher {
    pub(crate) fn new(
        inbound: mpsc::Receiver<Inbound>,
        shared: Arc<Shared>,
        handler: Arc<dyn Handler>,
        notifications: mpsc::Sender<Notification>,
        max_inbound: usize,
    ) -> Self {
        Dispatcher {
            inbound,
            shared,
            handler,
            notifications,
            max_inbound,
            tasks: JoinSet::new(),
            running: HashMap::new(),
            waiting: VecDeque::new(),
            seq: 0,
            complaints: LogThrottle::new(),
        }
    }

    pub(crate) async fn run(mut self, start: oneshot::Receiver<Weak<Inner>>) {
        let Ok(peer) = start.await else {
            return;
        };
        let reason = loop {
            tokio::select! {
                biased;
                Some(done) = self.tasks.join_next(), if !self.tasks.is_empty() => self.reap(done, &peer),
                // With as many requests waiting as running, stop reading
                // until a handler ends: backpressure on the peer.
                item = self.inbound.recv(), if self.waiting.len() < self.max_inbound => match item {
                    Some(Inbound::Message(msg)) => self.on_message(msg, &peer).await,
                    Some(Inbound::Failed { id, error }) => self.on_failed(&id, error),
                    Some(Inbound::Report(error)) => self.on_report(error),
                    Some(Inbound::Closed(reason)) => break reason,
                    None => break CloseReason::end_of_stream(),
                },
            }
        };
        // The first close counts: a local close before the transport's
        // report keeps its reason.
        if self.shared.close(reason) {
            if let Some(reason) = self.shared.pending.closed() {
                self.handler.handle_close(&reason);
            }
        }
        // Responses can no longer be delivered: stop the handlers.
        for (_, token) in self.running.values() {
            token.cancel();
        }
        self.tasks.abort_all();
    }

    fn reap(&mut self, done: Result<(RequestId, u64), tokio::task::JoinError>, peer: &Weak<Inner>) {
        match done {
            Ok((id, seq)) => {
                if self.running.get(&id).is_some_and(|(s, _)| *s == seq) {
                    self.running.remove(&id);
                }
            }
            // Panics are caught inside the task; only aborts land here.
            Err(e) => tracing::debug!(error = %e, "inbound request task ended abnormally"),
        }
        while self.tasks.len() < self.max_inbound {
            let Some(request) = self.waiting.pop_front() else {
                break;
            };
            self.start(request, peer);
        }
    }

    fn on_report(&mut self, error: TransportError) {
        if error.is_recoverable() {
            if let Some(suppressed) = self.complaints.admit() {
                tracing::warn!(%error, suppressed, "skipped an inbound frame");
            }
        } else {
            tracing::debug!(%error, "transport report");
        }
        self.handler.handle_report(error);
    }

    fn on_failed(&mut self, id: &RequestId, error: TransportError) {
        tracing::debug!(%id, %error, "the transport failed a request");
        if !self.shared.pending.complete(id, Outcome::Transport(error)) {
            tracing::debug!(%id, "dropped a transport failure of no pending request");
        }
    }

    async fn on_message(&mut self, msg: Message, peer: &Weak<Inner>) {
        match msg {
            Message::Response(r) => {
                if !self.shared.pending.complete(&r.id, Outcome::Result(r.result)) {
                    tracing::debug!(id = %r.id, "dropped a response to no pending request");
                }
            }
            Message::Error(e) => match e.id {
                Some(id) => {
                    if !self.shared.pending.complete(&id, Outcome::Rpc(e.error)) {
                        tracing::debug!(%id, "dropped an error response to no pending request");
                    }
                }
                None => {
                    if let Some(suppressed) = self.complaints.admit() {
                        tracing::warn!(error = %e.error, suppressed, "the peer sent an error without a request id");
                    }
                }
            },
            Message::Request(request) => self.on_request(request, peer),
            Message::Notification(n) => self.on_notification(n).await,
        }
    }

    fn on_request(&mut self, request: Request, peer: &Weak<Inner>) {
        while let Some(done) = self.tasks.try_join_next() {
            self.reap(done, peer);
        }
        if self.tasks.len() >= self.max_inbound {
            tracing::debug!(id = %request.id, method = %request.method, "as many inbound requests as allowed are running: this one waits");
            self.waiting.push_back(request);
            return;
        }
        self.start(request, peer);
    }

    fn start(&mut self, request: Request, peer: &Weak<Inner>) {
        // Gone only while the last handle is being dropped.
        let Some(inner) = peer.upgrade() else {
            return;
        };
        self.seq += 1;
        let seq = self.seq;
        let token = CancellationToken::new();
        self.running.insert(request.id.clone(), (seq, token.clone()));
        let cx = InboundContext {
            id: request.id.clone(),
            cancelled: token,
            peer: Peer::from_inner(inner),
        };
        let handler = self.handler.clone();
        let shared = self.shared.clone();
        self.tasks
            .spawn(handle_request(handler, shared, request, cx, seq));
    }

    async fn on_notification(&mut self, n: Notification) {
        let hooks = &self.shared.hooks;
        if let Some(token) = hooks.progress_token(&n) {
            if let Some((callback, reset)) = self.shared.pending.progress(&token) {
                if let Some(callback) = callback {
                    if let Err(p) = catch_unwind(AssertUnwindSafe(|| callback(&n))) {
                        tracing::error!(panic = %panic_message(p.as_ref()), "a progress callback panicked");
                    }
                }
                if let Some(reset) = reset {
                    reset.notify_one();
                }
            }
        }
        if let Some(id) = hooks.cancelled_request(&n) {
            match self.running.get(&id) {
                Some((_, token)) => token.cancel(),
                None => {
                    let before = self.waiting.len();
                    self.waiting.retain(|r| r.id != id);
                    if self.waiting.len() == before {
                        tracing::debug!(%id, "cancellation of no running request");
                    }
                }
            }
        }
        if self.shared.broadcast.receiver_count() > 0 {
            let _ = self.shared.broadcast.send(Arc::new(n.clone()));
        }
        // Waits when the queue is full: backpressure on the peer.
        let _ = self.notifications.send(n).await;
    }
}

fn error_response(id: RequestId, error: ErrorObject) -> Message {
    Message::Error(ErrorResponse { id: Some(id), error })
}

async fn handle_request(
    handler: Arc<dyn Handler>,
    shared: Arc<Shared>,
    request: Request,
    cx: InboundContext,
    seq: u64,
) -> (RequestId, u64) {
    let id = request.id.clone();
    let cancelled = cx.cancelled.clone();
    let span = tracing::debug_span!("handle_request", method = %request.method, id = %id);
    let answer = {
        let _enter = span.enter();
        CatchUnwind(handler.handle_request(request, cx))
    };
    let result = tokio::select! {
        biased;
        () = cancelled.cancelled() => None,
        result = answer => Some(result),
    };
    let msg = match result {
        None => {
            tracing::debug!(%id, "inbound request cancelled by the peer");
            return (id, seq);
        }
        Some(Ok(Ok(result))) => Message::Response(Response {
            id: id.clone(),
            result,
        }),
        Some(Ok(Err(error))) => error_response(id.clone(), error),
        Some(Err(panic)) => {
            tracing::error!(%id, %panic, "a request handler panicked");
            let error = ErrorObject::internal_error("internal error: the handler failed");
            error_response(id.clone(), error)
        }
    };
    let _ = shared.outbound.send(msg.into()).await;
    (id, seq)
}

/// Hands notifications to the handler one at a time, in order.
pub(crate) async fn notification_loop(
    mut rx: mpsc::Receiver<Notification>,
    handler: Arc<dyn Handler>,
    start: oneshot::Receiver<Weak<Inner>>,
) {
    let Ok(weak) = start.await else {
        return;
    };
    while let Some(n) = rx.recv().await {
        let Some(inner) = weak.upgrade() else {
            return;
        };
        let peer = Peer::from_inner(inner);
        let method = n.method.clone();
        if let Err(panic) = CatchUnwind(handler.handle_notification(n, &peer)).await {
            tracing::error!(%method, %panic, "a notification handler panicked");
        }
    }
}
