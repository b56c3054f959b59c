//! The transport seam: what every transport crate produces and every session
//! takes.
//!
//! A transport is a pair of bounded channels, like the read and write
//! streams of the Python SDK, plus a guard that shuts it down. Typed facts
//! cross the seam both ways: up, a request the transport could not carry
//! ([`Inbound::Failed`]) and why the connection ended
//! ([`Inbound::Closed`]); down, the cancellation of a request
//! ([`Outbound::Cancel`]) and what the session negotiated
//! ([`SessionHints`]). The engine never sees processes, sockets or HTTP.

use std::future::Future;
use std::pin::Pin;

use tokio::sync::{mpsc, watch};
use tokio_util::task::AbortOnDropHandle;

use crate::error::{CloseReason, TransportError};
use crate::hints::SessionHints;
use crate::message::{Message, Notification, Request, RequestId, Response};
use mcp_types::Era;

/// Capacity of the channels a transport creates, unless configured.
pub const DEFAULT_CHANNEL_CAPACITY: usize = 256;

/// What a transport hands up: messages from the peer and typed reports.
#[derive(Debug)]
#[non_exhaustive]
pub enum Inbound {
    /// A message from the peer.
    Message(Message),
    /// The transport could not carry request `id`, or its answer: that
    /// request fails with `error`; the connection goes on. (Over HTTP: a
    /// refused connection, an HTTP status without a JSON-RPC answer, a
    /// response stream that broke.)
    Failed {
        /// The request that failed.
        id: RequestId,
        /// What went wrong.
        error: TransportError,
    },
    /// Something was skipped or went wrong without ending the connection
    /// (a malformed or oversized frame, a notification the peer refused).
    Report(TransportError),
    /// The connection is over, for this reason; nothing follows.
    Closed(CloseReason),
}

impl From<Message> for Inbound {
    fn from(m: Message) -> Self {
        Inbound::Message(m)
    }
}

/// What the session hands down: messages, and cancellations for the
/// transport to express the way its wire does.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Outbound {
    /// A message for the peer.
    Message(Message),
    /// Request `id` is abandoned. A transport whose wire has no other way
    /// sends `notification` (`notifications/cancelled` in MCP; `None` when
    /// the protocol has no such message); Streamable HTTP of 2026-07-28
    /// closes the request's response stream instead.
    Cancel {
        /// The abandoned request.
        id: RequestId,
        /// The notification that says so.
        notification: Option<Notification>,
    },
}

impl Outbound {
    /// The message to write on a wire that expresses everything as
    /// messages (stdio, WebSocket, memory); `None` for a cancellation
    /// without a notification.
    pub fn into_message(self) -> Option<Message> {
        match self {
            Outbound::Message(m) => Some(m),
            Outbound::Cancel { notification, .. } => notification.map(Message::Notification),
        }
    }
}

impl From<Message> for Outbound {
    fn from(m: Message) -> Self {
        Outbound::Message(m)
    }
}

impl From<Request> for Outbound {
    fn from(r: Request) -> Self {
        Outbound::Message(Message::Request(r))
    }
}

impl From<Notification> for Outbound {
    fn from(n: Notification) -> Self {
        Outbound::Message(Message::Notification(n))
    }
}

impl From<Response> for Outbound {
    fn from(r: Response) -> Self {
        Outbound::Message(Message::Response(r))
    }
}

/// A connected transport.
///
/// - `inbound` yields each message from the peer and the transport's typed
///   reports; after an [`Inbound::Closed`] (or without one) it ends.
/// - `outbound` takes messages and cancellations for the peer; sending fails
///   once the transport is closed.
/// - `guard` shuts the transport down: [`TransportGuard::close`] gracefully,
///   or on drop without blocking.
/// - `hints` carries what the session negotiated down to the transport (see
///   [`SessionHints`]); transports that need it subscribe when they build the
///   transport.
/// - `remembered_era` is what the transport remembers of this peer from an
///   earlier connection (a cache it was given): a session negotiating
///   automatically then skips the discovery probe.
#[derive(Debug)]
#[non_exhaustive]
pub struct Transport {
    /// Messages and reports from the peer.
    pub inbound: mpsc::Receiver<Inbound>,
    /// Messages and cancellations to the peer.
    pub outbound: mpsc::Sender<Outbound>,
    /// Shuts the transport down when closed or dropped.
    pub guard: TransportGuard,
    /// What the session tells the transport.
    pub hints: watch::Sender<SessionHints>,
    /// The era the peer spoke on an earlier connection, when known.
    pub remembered_era: Option<Era>,
}

impl Transport {
    /// A transport over these channels, with no hints read and nothing
    /// remembered.
    pub fn new(
        inbound: mpsc::Receiver<Inbound>,
        outbound: mpsc::Sender<Outbound>,
        guard: TransportGuard,
    ) -> Self {
        Transport {
            inbound,
            outbound,
            guard,
            hints: watch::Sender::new(SessionHints::default()),
            remembered_era: None,
        }
    }

    /// Sets what the transport remembers of the peer's era.
    pub fn with_remembered_era(mut self, era: Option<Era>) -> Self {
        self.remembered_era = era;
        self
    }
}

/// The future returned by [`Closer::close`].
pub type CloseFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Graceful shutdown of a transport's resources (a child process, a socket).
pub trait Closer: Send + 'static {
    /// Shuts down gracefully: flush, close, wait for the peer within bounded
    /// time, then force. Must finish in bounded time.
    fn close(self: Box<Self>) -> CloseFuture;
}

impl<F, Fut> Closer for F
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    fn close(self: Box<Self>) -> CloseFuture {
        Box::pin((*self)())
    }
}

/// Owns a transport's resources; dropping it shuts the transport down.
///
/// On drop the graceful close runs on a spawned task when a Tokio runtime is
/// present; the resources' own `Drop` must do the forced minimum (kill a
/// child, abort tasks) for the case where it is not.
pub struct TransportGuard {
    // A mutex only to make the guard `Sync`; it is never contended.
    closer: std::sync::Mutex<Option<Box<dyn Closer>>>,
}

impl std::fmt::Debug for TransportGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportGuard")
            .field("open", &self.closer.lock().map(|c| c.is_some()).unwrap_or(false))
            .finish()
    }
}

impl TransportGuard {
    /// A guard running `closer` on close or drop.
    pub fn new(closer: impl Closer) -> Self {
        TransportGuard {
            closer: std::sync::Mutex::new(Some(Box::new(closer))),
        }
    }

    /// A guard with nothing to shut down.
    pub fn noop() -> Self {
        TransportGuard {
            closer: std::sync::Mutex::new(None),
        }
    }

    /// Shuts the transport down and waits until it is.
    pub async fn close(self) {
        if let Some(closer) = self.take() {
            closer.close().await;
        }
    }

    fn take(&self) -> Option<Box<dyn Closer>> {
        self.closer.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl Drop for TransportGuard {
    fn drop(&mut self) {
        if let Some(closer) = self.take() {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(closer.close());
            }
        }
    }
}

/// An in-memory transport pair: what one side sends, the other receives (a
/// cancellation arrives as its notification). For tests and for in-process
/// servers. Must be called within a Tokio runtime.
pub fn memory_pair(capacity: usize) -> (Transport, Transport) {
    let capacity = capacity.max(1);
    let (a_tx, a_rx) = mpsc::channel::<Outbound>(capacity);
    let (b_tx, b_rx) = mpsc::channel::<Outbound>(capacity);
    (forward(a_tx, b_rx, capacity), forward(b_tx, a_rx, capacity))
}

fn forward(
    out: mpsc::Sender<Outbound>,
    mut from_peer: mpsc::Receiver<Outbound>,
    capacity: usize,
) -> Transport {
    let (in_tx, in_rx) = mpsc::channel(capacity);
    let task = AbortOnDropHandle::new(tokio::spawn(async move {
        while let Some(item) = from_peer.recv().await {
            let Some(m) = item.into_message() else { continue };
            if in_tx.send(Inbound::Message(m)).await.is_err() {
                return;
            }
        }
        let _ = in_tx.send(Inbound::Closed(CloseReason::end_of_stream())).await;
    }));
    Transport::new(in_rx, out, TransportGuard::new(move || async move { drop(task) }))
}
