//! [`RequestContext`]: what a callback learns about the request it serves.

use std::any::Any;
use std::fmt;
use std::sync::Weak;

use mcp_types::{Meta, ProgressToken, RequestId};
use tokio_util::sync::CancellationToken;

/// What a callback (sampling, elicitation, roots) learns about the server's
/// request it serves: a request the server sent (the initialize era), or an
/// input request inside a result (2026-07-28).
///
/// It keeps nothing alive: [`session`](RequestContext::session) hands out
/// the session only while someone else holds it.
#[derive(Clone)]
#[non_exhaustive]
pub struct RequestContext {
    pub(crate) request_id: Option<RequestId>,
    pub(crate) input_key: Option<String>,
    pub(crate) meta: Option<Meta>,
    pub(crate) progress_token: Option<ProgressToken>,
    pub(crate) cancelled: CancellationToken,
    /// The session's inner state, erased so that this module needs no other.
    pub(crate) session: Weak<dyn Any + Send + Sync>,
}

impl fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("request_id", &self.request_id)
            .field("input_key", &self.input_key)
            .field("meta", &self.meta)
            .field("progress_token", &self.progress_token)
            .field("cancelled", &self.cancelled.is_cancelled())
            .finish_non_exhaustive()
    }
}

impl RequestContext {
    /// A context that belongs to no session and is never cancelled: to call
    /// a callback outside a session, in a test for instance.
    pub fn detached() -> Self {
        RequestContext {
            request_id: None,
            input_key: None,
            meta: None,
            progress_token: None,
            cancelled: CancellationToken::new(),
            session: Weak::<()>::new(),
        }
    }

    /// The id of the server's request, in the initialize era.
    pub fn request_id(&self) -> Option<&RequestId> {
        self.request_id.as_ref()
    }

    /// The key of the input request inside a result, in the stateless era.
    pub fn input_key(&self) -> Option<&str> {
        self.input_key.as_deref()
    }

    /// The request's `_meta`, as the server sent it.
    pub fn meta(&self) -> Option<&Meta> {
        self.meta.as_ref()
    }

    /// The progress token the server attached, to report progress with
    /// [`ClientSession::send_progress_notification`](crate::ClientSession::send_progress_notification).
    pub fn progress_token(&self) -> Option<&ProgressToken> {
        self.progress_token.as_ref()
    }

    /// Fires when the server cancels the request or the session closes; the
    /// callback's future is then dropped.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancelled
    }

    /// True once the request is cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.is_cancelled()
    }
}
