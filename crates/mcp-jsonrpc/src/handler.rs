//! What the engine calls for messages the peer starts: [`Handler`].

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use async_trait::async_trait;
use serde_json::value::RawValue;
use tokio_util::sync::CancellationToken;

use crate::error::{CloseReason, TransportError};
use crate::message::{ErrorObject, Notification, Request, RequestId};
use crate::peer::Peer;

/// Handles the requests and notifications the peer sends us.
///
/// Requests are handled concurrently, each on its own task; notifications
/// one at a time, in the order they arrived.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// Answers a request from the peer. The default answers "method not
    /// found" (-32601).
    ///
    /// If the peer cancels the request, `cx.cancelled` fires, this future is
    /// dropped and no response is sent. A panic is answered with an internal
    /// error (-32603).
    async fn handle_request(
        &self,
        request: Request,
        cx: InboundContext,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let _ = cx;
        Err(ErrorObject::method_not_found(&request.method))
    }

    /// Receives a notification from the peer. The default ignores it.
    ///
    /// The next notification waits until this one is handled; the engine's
    /// reader waits too once the notification queue is full, so do not wait
    /// here for answers to requests — spawn a task instead.
    async fn handle_notification(&self, notification: Notification, peer: &Peer) {
        let _ = (notification, peer);
    }

    /// Receives every report of the transport that leaves the connection
    /// open (a malformed or oversized frame, a refused notification). The
    /// default logs it.
    fn handle_report(&self, error: TransportError) {
        tracing::debug!(%error, "transport report");
    }

    /// Hears once why the connection ended. The default does nothing.
    fn handle_close(&self, reason: &CloseReason) {
        let _ = reason;
    }
}

/// A handler that answers every request with "method not found" and ignores
/// notifications.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHandler;

impl Handler for NoHandler {}

/// The context of one inbound request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InboundContext {
    /// The request's id.
    pub id: RequestId,
    /// Fires when the peer cancels the request.
    pub cancelled: CancellationToken,
    /// The peer, for requests back to it. It keeps the engine alive, so do
    /// not keep it after the handler returns.
    pub peer: Peer,
}

/// Polls a future, turning a panic into an `Err` with the panic's message.
pub(crate) struct CatchUnwind<F>(pub(crate) F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
        }
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_owned()
    }
}
