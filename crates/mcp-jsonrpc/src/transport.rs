//! The transport seam: what every transport crate produces.
//!
//! A transport is a pair of bounded channels, like the read and write
//! streams of the Python SDK, plus a guard that shuts the transport down.
//! The peer engine only ever sees a [`Transport`]; it knows nothing about
//! processes, sockets or HTTP.

use std::future::Future;
use std::pin::Pin;

use tokio::sync::mpsc;

use crate::error::TransportError;
use crate::message::Message;

/// Capacity of the channels a transport creates, unless configured.
pub const DEFAULT_CHANNEL_CAPACITY: usize = 256;

/// A connected transport.
///
/// - `inbound` yields each message from the peer, or a report of what went
///   wrong. It ends when the connection is closed; the last error before the
///   end, if any, says why.
/// - `outbound` takes messages to the peer. Sending fails once the transport
///   is closed.
/// - `guard` shuts the transport down: [`TransportGuard::close`] gracefully,
///   or on drop without blocking.
#[derive(Debug)]
pub struct Transport {
    /// Messages and reports from the peer.
    pub inbound: mpsc::Receiver<Result<Message, TransportError>>,
    /// Messages to the peer.
    pub outbound: mpsc::Sender<Message>,
    /// Shuts the transport down when closed or dropped.
    pub guard: TransportGuard,
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
}

impl TransportGuard {
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

/// Aborts a task when dropped: ties a background task's life to an owner.
#[derive(Debug)]
pub struct AbortOnDrop<T>(pub tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An in-memory transport pair: what one side sends, the other receives.
/// For tests and for in-process servers.
pub fn memory_pair(capacity: usize) -> (Transport, Transport) {
    let (a_tx, a_rx) = mpsc::channel::<Message>(capacity);
    let (b_tx, b_rx) = mpsc::channel::<Message>(capacity);
    (forward(a_tx, b_rx, capacity), forward(b_tx, a_rx, capacity))
}

fn forward(out: mpsc::Sender<Message>, mut from_peer: mpsc::Receiver<Message>, capacity: usize) -> Transport {
    let (in_tx, in_rx) = mpsc::channel(capacity);
    let task = tokio::spawn(async move {
        while let Some(m) = from_peer.recv().await {
            if in_tx.send(Ok(m)).await.is_err() {
                break;
            }
        }
    });
    let task = AbortOnDrop(task);
    Transport {
        inbound: in_rx,
        outbound: out,
        guard: TransportGuard::new(move || async move { drop(task) }),
    }
}
