//! Configuration of the peer engine: [`PeerConfig`], [`RequestOptions`] and
//! the [`ProtocolHooks`] through which the layer above supplies its
//! conventions.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::message::{Notification, RequestId};
use mcp_types::ProgressToken;

/// A callback that receives each progress notification of one request.
///
/// It runs on the engine's reader task: keep it short and never block in it.
pub type ProgressCallback = Arc<dyn Fn(&Notification) + Send + Sync>;

/// The protocol conventions the engine needs but does not know: how to tell
/// the peer that a request is abandoned, which notification cancels a
/// request, and which carries progress.
///
/// Every method has a default that does nothing, so plain JSON-RPC needs no
/// hooks at all ([`NoHooks`]).
pub trait ProtocolHooks: Send + Sync + 'static {
    /// The notification to send when a request we sent is abandoned (its
    /// future dropped, or timed out). `None`: send nothing.
    fn cancel_notification(&self, id: &RequestId, reason: &str) -> Option<Notification> {
        let _ = (id, reason);
        None
    }

    /// If `n` cancels a request the peer sent us, that request's id.
    fn cancelled_request(&self, n: &Notification) -> Option<RequestId> {
        let _ = n;
        None
    }

    /// If `n` reports progress, the progress token it carries.
    fn progress_token(&self, n: &Notification) -> Option<ProgressToken> {
        let _ = n;
        None
    }
}

/// Hooks that know no convention: nothing is sent on cancellation, no
/// notification cancels or reports progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHooks;

impl ProtocolHooks for NoHooks {}

/// Configuration of a [`Peer`](crate::Peer).
#[derive(Clone)]
#[non_exhaustive]
pub struct PeerConfig {
    /// Timeout of a request whose options set none. Default: 60 s.
    pub default_timeout: Duration,
    /// Most requests from the peer handled at once. Beyond it as many
    /// again wait, in order (a cancellation withdraws one); with those
    /// full the engine stops reading the transport until a handler ends,
    /// so a peer that floods us with requests is slowed down, never
    /// refused nor buffered without bound (responses to our own requests
    /// wait behind it, bounded by their timeouts). Default: 64.
    pub max_concurrent_inbound: usize,
    /// Capacity of the queue of notifications to the handler, and of the
    /// broadcast behind [`Peer::subscribe`](crate::Peer::subscribe).
    /// Default: 256.
    pub notification_queue: usize,
    /// The protocol conventions. Default: [`NoHooks`].
    pub hooks: Arc<dyn ProtocolHooks>,
}

impl Default for PeerConfig {
    fn default() -> Self {
        PeerConfig {
            default_timeout: Duration::from_secs(60),
            max_concurrent_inbound: 64,
            notification_queue: 256,
            hooks: Arc::new(NoHooks),
        }
    }
}

impl fmt::Debug for PeerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerConfig")
            .field("default_timeout", &self.default_timeout)
            .field("max_concurrent_inbound", &self.max_concurrent_inbound)
            .field("notification_queue", &self.notification_queue)
            .finish_non_exhaustive()
    }
}

impl PeerConfig {
    /// Sets the timeout of requests whose options set none.
    pub fn default_timeout(mut self, timeout: Duration) -> Self {
        self.default_timeout = timeout;
        self
    }

    /// Sets how many requests from the peer are handled at once (at least 1).
    pub fn max_concurrent_inbound(mut self, max: usize) -> Self {
        self.max_concurrent_inbound = max.max(1);
        self
    }

    /// Sets the capacity of the notification queue and broadcast (at least 1).
    pub fn notification_queue(mut self, capacity: usize) -> Self {
        self.notification_queue = capacity.max(1);
        self
    }

    /// Sets the protocol conventions.
    pub fn hooks(mut self, hooks: Arc<dyn ProtocolHooks>) -> Self {
        self.hooks = hooks;
        self
    }
}

/// Options of one outbound request.
///
/// The default: the peer's default timeout, no progress routing, and a
/// cancel notification when the request is abandoned.
#[derive(Clone)]
#[non_exhaustive]
pub struct RequestOptions {
    /// How long to wait for the answer; `None`: the peer's default.
    pub timeout: Option<Duration>,
    /// Upper bound on the whole wait, even when progress keeps resetting the
    /// timer.
    pub max_total: Option<Duration>,
    /// Whether a matching progress notification restarts the timeout.
    pub reset_timeout_on_progress: bool,
    /// The progress token the caller put into the params: matching inbound
    /// progress notifications go to `on_progress` and (if enabled) reset the
    /// timer.
    pub progress_token: Option<ProgressToken>,
    /// Receives the progress notifications carrying `progress_token`.
    pub on_progress: Option<ProgressCallback>,
    /// Whether abandoning the request (dropping its future, or a timeout)
    /// sends the hooks' cancel notification. Default: `true`. The transport
    /// hears of the abandon either way ([`Outbound::Cancel`](crate::Outbound)
    /// without a notification when this is false), to stop carrying it.
    pub cancel_on_drop: bool,
    /// When cancelled, the request is abandoned (the peer told as on drop)
    /// and fails with [`Error::Cancelled`](crate::Error::Cancelled).
    pub cancellation: Option<CancellationToken>,
}

impl Default for RequestOptions {
    fn default() -> Self {
        RequestOptions {
            timeout: None,
            max_total: None,
            reset_timeout_on_progress: false,
            progress_token: None,
            on_progress: None,
            cancel_on_drop: true,
            cancellation: None,
        }
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_total", &self.max_total)
            .field("reset_timeout_on_progress", &self.reset_timeout_on_progress)
            .field("progress_token", &self.progress_token)
            .field("on_progress", &self.on_progress.is_some())
            .field("cancel_on_drop", &self.cancel_on_drop)
            .field("cancellation", &self.cancellation.is_some())
            .finish()
    }
}

impl RequestOptions {
    /// Sets the timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the upper bound on the whole wait.
    pub fn max_total(mut self, max_total: Duration) -> Self {
        self.max_total = Some(max_total);
        self
    }

    /// Sets whether progress restarts the timeout.
    pub fn reset_timeout_on_progress(mut self, reset: bool) -> Self {
        self.reset_timeout_on_progress = reset;
        self
    }

    /// Sets the progress token the caller put into the params.
    pub fn progress_token(mut self, token: impl Into<ProgressToken>) -> Self {
        self.progress_token = Some(token.into());
        self
    }

    /// Sets the progress callback.
    pub fn on_progress(mut self, callback: impl Fn(&Notification) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(callback));
        self
    }

    /// Sets whether abandoning the request notifies the peer.
    pub fn cancel_on_drop(mut self, cancel: bool) -> Self {
        self.cancel_on_drop = cancel;
        self
    }

    /// Cancels the request when `token` is cancelled.
    pub fn cancellation(mut self, token: CancellationToken) -> Self {
        self.cancellation = Some(token);
        self
    }
}
