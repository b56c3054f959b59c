//! [`Call`]: what every request method returns; options are set on it,
//! and awaiting it sends the request.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use mcp_types::ProgressNotificationParams;
use tokio_util::sync::CancellationToken;

use crate::error::Result;
use crate::options::CallOptions;

/// A request not sent yet: set its options, then `.await` it.
///
/// Every request method of [`ClientSession`](crate::ClientSession) returns
/// one, so that the timeout, the maximum total, progress and cancellation
/// are set the same way on every call:
///
/// ```no_run
/// # async fn run(session: mcp_client::ClientSession) -> mcp_client::Result<()> {
/// use std::time::Duration;
///
/// let tools = session.list_tools(None).await?;
/// let result = session
///     .call_tool("slow", serde_json::json!({"steps": 5}))
///     .timeout(Duration::from_secs(5)) // idle: progress restarts it
///     .max_total(Duration::from_secs(60)) // never extended
///     .on_progress(|p| eprintln!("{}/{:?}", p.progress, p.total))
///     .await?;
/// # let _ = (tools, result);
/// # Ok(()) }
/// ```
///
/// Awaiting it allocates nothing of its own: the request's future is built
/// in place (a program that keeps calls in a collection boxes
/// `call.into_future()`).
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<T, Op> {
    options: CallOptions,
    op: Op,
    result: PhantomData<fn() -> T>,
}

/// What a [`Call`] runs once its options are set: implemented for every
/// closure from [`CallOptions`] to the request's future.
pub trait CallOp<T>: Send {
    /// The request's future.
    type Future: Future<Output = Result<T>> + Send;

    /// Starts the request with `options`.
    fn run(self, options: CallOptions) -> Self::Future;
}

impl<T, F, Fut> CallOp<T> for F
where
    F: FnOnce(CallOptions) -> Fut + Send,
    Fut: Future<Output = Result<T>> + Send,
{
    type Future = Fut;

    fn run(self, options: CallOptions) -> Fut {
        self(options)
    }
}

impl<T, Op> fmt::Debug for Call<T, Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<T, Op: CallOp<T>> Call<T, Op> {
    /// A call that `op` makes with the options set on it.
    pub(crate) fn new(op: Op) -> Self {
        Call {
            options: CallOptions::default(),
            op,
            result: PhantomData,
        }
    }

    /// Overrides the session's read timeout: how long to wait for the answer,
    /// or for the next progress notification when progress is asked for.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Bounds the whole call, however much progress comes.
    pub fn max_total(mut self, max_total: Duration) -> Self {
        self.options.max_total = Some(max_total);
        self
    }

    /// Receives the call's progress notifications (which also restart the
    /// idle timeout).
    pub fn on_progress(mut self, f: impl Fn(ProgressNotificationParams) + Send + Sync + 'static) -> Self {
        self.options.progress = Some(Arc::new(f));
        self
    }

    /// Cancels the call when `token` is cancelled: the server is told, and
    /// the call fails with [`ClientError::Cancelled`](crate::ClientError::Cancelled).
    pub fn cancellation(mut self, token: CancellationToken) -> Self {
        self.options.cancellation = Some(token);
        self
    }

    /// Skips the result cache of the stateless era (and refreshes it).
    pub fn bypass_cache(mut self) -> Self {
        self.options.bypass_cache = true;
        self
    }

    /// Replaces every option at once.
    pub fn options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }
}

impl<T, Op: CallOp<T>> IntoFuture for Call<T, Op> {
    type Output = Result<T>;
    type IntoFuture = Op::Future;

    fn into_future(self) -> Self::IntoFuture {
        self.op.run(self.options)
    }
}
