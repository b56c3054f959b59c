//! [`Call`]: what every request method returns; options are set on it,
//! and awaiting it sends the request.

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use mcp_jsonrpc::BoxFuture;
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
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, T> {
    options: CallOptions,
    run: Box<dyn FnOnce(CallOptions) -> BoxFuture<'a, Result<T>> + Send + 'a>,
}

impl<T> fmt::Debug for Call<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'a, T> Call<'a, T> {
    /// A call that `run` makes with the options set on it.
    pub(crate) fn new(run: impl FnOnce(CallOptions) -> BoxFuture<'a, Result<T>> + Send + 'a) -> Self {
        Call {
            options: CallOptions::default(),
            run: Box::new(run),
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

impl<'a, T: 'a> IntoFuture for Call<'a, T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'a, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        (self.run)(self.options)
    }
}
