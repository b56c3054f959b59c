//! The peer engine: [`Peer`].

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{broadcast, mpsc, oneshot, watch, Notify};
use tokio::time::Instant;
use tracing::Instrument;

use tokio_util::task::AbortOnDropHandle;

use crate::error::CloseReason;
use crate::message::{to_raw, Message, Notification, Request, RequestId};
use crate::options::{ProtocolHooks, RequestOptions};
use crate::peer_error::{Error, TimeoutKind};
use crate::pending::{Outcome, Pending, Route};
use crate::transport::{Outbound, TransportGuard};

/// How long a request that found the transport closed waits for the
/// transport's reason to reach the dispatcher.
const CLOSE_REASON_WAIT: Duration = Duration::from_millis(500);

/// State shared by the peer handles and the engine's tasks. It owns no task,
/// so tasks holding it make no reference cycle.
pub(crate) struct Shared {
    pub(crate) outbound: mpsc::Sender<Outbound>,
    pub(crate) pending: Pending,
    pub(crate) hooks: Arc<dyn ProtocolHooks>,
    pub(crate) broadcast: broadcast::Sender<Arc<Notification>>,
    pub(crate) default_timeout: Duration,
    pub(crate) next_id: AtomicI64,
    pub(crate) closed: watch::Sender<Option<CloseReason>>,
}

impl Shared {
    /// Marks the connection closed: every pending request fails with
    /// `reason`, later ones fail at once. Only the first call counts; it
    /// returns true.
    pub(crate) fn close(&self, reason: CloseReason) -> bool {
        if self.pending.close(&reason) {
            tracing::debug!(%reason, "connection closed");
            self.closed.send_replace(Some(reason));
            return true;
        }
        false
    }

    /// Why the connection is closed: the recorded reason, else the end of
    /// the stream (the transport dropped its channel).
    fn closed_reason(&self) -> CloseReason {
        self.pending.closed().unwrap_or_else(CloseReason::end_of_stream)
    }

    /// Why the connection is closed, when sending found it closed: the
    /// transport's report (an exit status, say) may still be on its way to
    /// the dispatcher, so wait for it a little.
    async fn closed_reason_soon(&self) -> CloseReason {
        let mut rx = self.closed.subscribe();
        let wait = async move { rx.wait_for(Option::is_some).await.ok().and_then(|r| r.clone()) };
        match tokio::time::timeout(CLOSE_REASON_WAIT, wait).await {
            Ok(Some(reason)) => reason,
            _ => self.closed_reason(),
        }
    }

    /// Sends `msg` without waiting: when the channel is full, a task sends it
    /// later (if a runtime is present). For use in `Drop`.
    pub(crate) fn send_soon(&self, msg: Outbound) {
        match self.outbound.try_send(msg) {
            Ok(()) | Err(TrySendError::Closed(_)) => {}
            Err(TrySendError::Full(msg)) => {
                if let Ok(handle) = tokio::runtime::Handle::try_current() {
                    let tx = self.outbound.clone();
                    handle.spawn(async move {
                        let _ = tx.send(msg).await;
                    });
                }
            }
        }
    }

    /// Tells the transport that request `id` is abandoned, and the peer too
    /// (with the hooks' notification) when `notify`.
    fn send_cancel(&self, id: i64, reason: &str, notify: bool) {
        if self.pending.closed().is_some() {
            return;
        }
        let id = RequestId::Number(id);
        let notification = if notify {
            self.hooks.cancel_notification(&id, reason)
        } else {
            None
        };
        self.send_soon(Outbound::Cancel { id, notification });
    }
}

/// What the last handle owns: dropping it stops the tasks and shuts the
/// transport down.
pub(crate) struct Inner {
    pub(crate) shared: Arc<Shared>,
    pub(crate) guard: Mutex<Option<TransportGuard>>,
    /// Owned only to be aborted with the last handle.
    pub(crate) _dispatcher: AbortOnDropHandle<()>,
    pub(crate) _notifier: AbortOnDropHandle<()>,
}

/// A JSON-RPC peer over one [`Transport`](crate::Transport): sends requests and notifications,
/// matches responses, and dispatches what the peer sends to a [`Handler`](crate::Handler).
///
/// Cheap to clone. When the last clone is dropped, the engine's tasks stop
/// and the transport is shut down.
#[derive(Clone)]
pub struct Peer {
    inner: Arc<Inner>,
}

impl fmt::Debug for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peer")
            .field("closed", &self.inner.shared.pending.closed())
            .finish_non_exhaustive()
    }
}

impl Peer {
    pub(crate) fn from_inner(inner: Arc<Inner>) -> Peer {
        Peer { inner }
    }

    /// How many of our requests wait for an answer.
    #[cfg(test)]
    pub(crate) fn inner_pending_len(&self) -> usize {
        self.inner.shared.pending.len()
    }

    fn shared(&self) -> &Arc<Shared> {
        &self.inner.shared
    }

    /// Sends a request and decodes its result straight into `R`.
    ///
    /// `params` are encoded when this is called, so the returned future does
    /// not borrow them.
    pub fn request<P, R>(
        &self,
        method: impl Into<Cow<'static, str>>,
        params: Option<&P>,
        options: RequestOptions,
    ) -> impl Future<Output = Result<R, Error>> + Send + '_
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let method = method.into();
        let params = params.map(to_raw).transpose();
        async move {
            let params = match params {
                Ok(p) => p,
                Err(source) => {
                    return Err(Error::Encode {
                        method: method.into_owned(),
                        source,
                    })
                }
            };
            let raw = self.request_raw(method.clone(), params, options).await?;
            serde_json::from_str(raw.get()).map_err(|source| Error::InvalidResponse {
                method: method.into_owned(),
                source,
            })
        }
    }

    /// Sends a request and returns its raw result.
    ///
    /// Dropping the future before it completes abandons the request: its
    /// entry is removed and, when `options.cancel_on_drop`, the hooks' cancel
    /// notification is sent.
    pub async fn request_raw(
        &self,
        method: impl Into<Cow<'static, str>>,
        params: Option<Box<RawValue>>,
        options: RequestOptions,
    ) -> Result<Box<RawValue>, Error> {
        let method = method.into();
        let id = self.shared().next_id.fetch_add(1, Ordering::Relaxed);
        let span = tracing::debug_span!(
            "request",
            method = %method,
            id,
            duration_ms = tracing::field::Empty
        );
        let start = Instant::now();
        let result = call(self.shared(), id, method, params, options, start)
            .instrument(span.clone())
            .await;
        span.record("duration_ms", start.elapsed().as_secs_f64() * 1000.0);
        result
    }

    /// Sends a notification.
    pub async fn notify(
        &self,
        method: impl Into<Cow<'static, str>>,
        params: Option<Box<RawValue>>,
    ) -> Result<(), Error> {
        let method = method.into();
        let shared = self.shared();
        if let Some(reason) = shared.pending.closed() {
            return Err(Error::Closed {
                method: method.into_owned(),
                reason,
            });
        }
        let msg = Outbound::Message(Message::Notification(Notification {
            method: method.clone(),
            params,
        }));
        if shared.outbound.send(msg).await.is_err() {
            return Err(Error::Closed {
                method: method.into_owned(),
                reason: shared.closed_reason_soon().await,
            });
        }
        Ok(())
    }

    /// Another observer of inbound notifications. The channel is bounded: a
    /// receiver that lags loses the oldest messages.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Notification>> {
        self.shared().broadcast.subscribe()
    }

    /// True once the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.shared().pending.closed().is_some()
    }

    /// Resolves when the connection has closed, with the reason.
    pub async fn closed(&self) -> CloseReason {
        let mut rx = self.shared().closed.subscribe();
        let reason = match rx.wait_for(Option::is_some).await {
            Ok(r) => r.clone(),
            // The sender lives as long as `self`; this is unreachable.
            Err(_) => None,
        };
        reason.unwrap_or_else(CloseReason::end_of_stream)
    }

    /// Why the connection closed, once it has.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.shared().pending.closed()
    }

    /// Closes the connection gracefully: pending requests fail with
    /// [`Error::Closed`] and the transport shuts down (waiting for it).
    pub async fn close(&self) {
        self.shared().close(CloseReason::Local);
        let guard = self.inner.guard.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(guard) = guard {
            guard.close().await;
        }
    }
}

/// Removes the pending entry (and tells the peer) if the request future is
/// dropped before it completes.
struct AbandonGuard<'a> {
    shared: &'a Shared,
    id: i64,
    cancel: bool,
    armed: bool,
}

impl Drop for AbandonGuard<'_> {
    fn drop(&mut self) {
        if self.armed && self.shared.pending.remove(self.id) {
            tracing::debug!(id = self.id, "request abandoned");
            self.shared
                .send_cancel(self.id, "the request was abandoned by the client", self.cancel);
        }
    }
}

async fn call(
    shared: &Shared,
    id: i64,
    method: Cow<'static, str>,
    params: Option<Box<RawValue>>,
    options: RequestOptions,
    start: Instant,
) -> Result<Box<RawValue>, Error> {
    let timeout = options.timeout.unwrap_or(shared.default_timeout);
    let cap = options.max_total.map(|m| start + m);
    // The deadline from `now` and the bound it comes from.
    let deadline_from = |now: Instant| match cap {
        Some(cap) if cap < now + timeout => (cap, TimeoutKind::Total),
        _ => (now + timeout, TimeoutKind::Idle),
    };
    let reset = (options.reset_timeout_on_progress && options.progress_token.is_some())
        .then(|| Arc::new(Notify::new()));
    let route = options.progress_token.map(|token| {
        let route = Route {
            id,
            on_progress: options.on_progress,
            reset: reset.clone(),
        };
        (token, route)
    });

    let (tx, mut rx) = oneshot::channel();
    if let Err(reason) = shared.pending.insert(id, tx, route) {
        return Err(Error::Closed {
            method: method.into_owned(),
            reason,
        });
    }
    let mut guard = AbandonGuard {
        shared,
        id,
        cancel: options.cancel_on_drop,
        armed: true,
    };
    let (deadline, mut kind) = deadline_from(start);
    let sleep = tokio::time::sleep_until(deadline);
    tokio::pin!(sleep);
    let cancelled = async {
        match &options.cancellation {
            Some(token) => token.cancelled().await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(cancelled);
    let msg = Outbound::Message(Message::Request(Request {
        id: RequestId::Number(id),
        method: method.clone(),
        params,
    }));

    /// Why the wait ended without an outcome.
    enum Stop {
        Timeout,
        Cancelled,
    }
    let sent = tokio::select! {
        biased;
        () = &mut cancelled => Err(Stop::Cancelled),
        sent = shared.outbound.send(msg) => Ok(sent.is_ok()),
        () = &mut sleep => Err(Stop::Timeout),
    };
    let waited = match sent {
        Ok(false) => {
            guard.armed = false;
            shared.pending.remove(id);
            return Err(Error::Closed {
                method: method.into_owned(),
                reason: shared.closed_reason_soon().await,
            });
        }
        Err(stop) => Err(stop),
        Ok(true) => loop {
            let progressed = async {
                match &reset {
                    Some(n) => n.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                outcome = &mut rx => break outcome.map_err(|_| Stop::Timeout),
                () = &mut cancelled => break Err(Stop::Cancelled),
                () = progressed => {
                    let (deadline, k) = deadline_from(Instant::now());
                    kind = k;
                    sleep.as_mut().reset(deadline);
                }
                () = &mut sleep => break Err(Stop::Timeout),
            }
        },
    };
    guard.armed = false;
    let outcome = match waited {
        Ok(outcome) => outcome,
        Err(stop) => {
            if shared.pending.remove(id) {
                let error = match stop {
                    Stop::Timeout => {
                        let reason = format!("request timed out after {:?}", start.elapsed());
                        shared.send_cancel(id, &reason, options.cancel_on_drop);
                        Error::Timeout {
                            method: method.into_owned(),
                            id: RequestId::Number(id),
                            elapsed: start.elapsed(),
                            kind,
                        }
                    }
                    Stop::Cancelled => {
                        let reason = "the request was cancelled by the client";
                        shared.send_cancel(id, reason, options.cancel_on_drop);
                        Error::Cancelled {
                            method: method.into_owned(),
                            id: RequestId::Number(id),
                        }
                    }
                };
                return Err(error);
            }
            // The answer arrived just as the wait ended, or the connection
            // closed: either way the entry's sender has settled `rx`.
            match rx.try_recv() {
                Ok(outcome) => outcome,
                Err(_) => Outcome::Closed(shared.closed_reason()),
            }
        }
    };
    match outcome {
        Outcome::Result(raw) => Ok(raw),
        Outcome::Rpc(error) => Err(Error::Rpc {
            method: method.into_owned(),
            error,
        }),
        // The peer's own words for refusing the exchange: its error.
        Outcome::Transport(source) => match source.rpc_error().cloned() {
            Some(error) => Err(Error::Rpc {
                method: method.into_owned(),
                error,
            }),
            None => Err(Error::Transport {
                method: method.into_owned(),
                source,
            }),
        },
        Outcome::Closed(reason) => Err(Error::Closed {
            method: method.into_owned(),
            reason,
        }),
    }
}
