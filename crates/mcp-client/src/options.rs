//! How a session is configured: timeouts, client info, protocol choice and
//! the callbacks that serve the server's requests; and the options of one
//! call.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use mcp_jsonrpc::{BoxFuture, CloseReason, ErrorObject, TransportError};
use mcp_types::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult, Implementation,
    ListRootsResult, LoggingMessageNotificationParams, ProgressNotificationParams, ServerNotification,
};
use tokio_util::sync::CancellationToken;

use crate::context::RequestContext;

/// Serves `sampling/createMessage`.
pub type SamplingCallback = Arc<
    dyn Fn(
            RequestContext,
            CreateMessageRequestParams,
        ) -> BoxFuture<'static, Result<CreateMessageResult, ErrorObject>>
        + Send
        + Sync,
>;
/// Serves `elicitation/create` (form and URL mode).
pub type ElicitationCallback = Arc<
    dyn Fn(RequestContext, ElicitRequestParams) -> BoxFuture<'static, Result<ElicitResult, ErrorObject>>
        + Send
        + Sync,
>;
/// Serves `roots/list`.
pub type ListRootsCallback =
    Arc<dyn Fn(RequestContext) -> BoxFuture<'static, Result<ListRootsResult, ErrorObject>> + Send + Sync>;
/// Receives `notifications/message` (server log messages).
pub type LoggingCallback =
    Arc<dyn Fn(LoggingMessageNotificationParams) -> BoxFuture<'static, ()> + Send + Sync>;
/// Receives every notification from the server and every transport report.
pub type MessageHandler = Arc<dyn Fn(IncomingMessage) -> BoxFuture<'static, ()> + Send + Sync>;
/// Receives the progress of one request.
pub type ProgressCallback = Arc<dyn Fn(ProgressNotificationParams) + Send + Sync>;

/// What the message handler receives.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum IncomingMessage {
    /// A notification from the server.
    Notification(Arc<ServerNotification>),
    /// A report from the transport that leaves the connection open: a
    /// malformed or oversized message that was skipped, a notification the
    /// server refused.
    TransportError(Arc<TransportError>),
    /// The connection closed, for this reason (the last message).
    Closed(CloseReason),
}

/// Which protocol revision(s) the session may speak.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProtocolMode {
    /// Probe with `server/discover` and speak 2026-07-28 if the server does;
    /// otherwise make the `initialize` handshake, as the spec's dual-era
    /// rules prescribe.
    #[default]
    Auto,
    /// The initialize era only: the `initialize` handshake offering the
    /// latest revision of that era, accepting any it supports that the
    /// server picks.
    Initialize,
    /// Exactly this revision (either era).
    Pinned(String),
}

impl std::str::FromStr for ProtocolMode {
    type Err = String;

    /// `auto`, `initialize`, or a supported version such as `2025-06-18`.
    /// `legacy`, the spelling of earlier releases, still means `initialize`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(ProtocolMode::Auto),
            "initialize" | "legacy" => Ok(ProtocolMode::Initialize),
            v if mcp_types::version::is_supported(v) => Ok(ProtocolMode::Pinned(v.to_owned())),
            other => Err(format!(
                "unknown protocol `{other}`: use auto, initialize or one of {}",
                mcp_types::version::SUPPORTED.join(", ")
            )),
        }
    }
}

/// How long the `server/discover` probe waits before it assumes a server of
/// the initialize era (never longer than the request timeout).
pub const DEFAULT_DISCOVER_TIMEOUT: Duration = Duration::from_secs(10);

/// The default maximum total of a request that progress keeps alive.
pub const DEFAULT_MAX_TOTAL: Duration = Duration::from_secs(600);

/// How many rounds of input a request may ask for before the client gives up.
pub const DEFAULT_MAX_INPUT_ROUNDS: usize = 10;

/// The default timeout of each request.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Options of a [`crate::ClientSession`], mirroring the Python SDK's
/// `ClientSession(...)` keyword arguments.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientSessionOptions {
    /// Timeout of each request unless overridden (default 60 s): how long
    /// to wait for an answer, or for the next progress notification of a
    /// call that asked for progress. The whole handshake, probe included,
    /// is bounded by it too.
    pub read_timeout: Duration,
    /// Upper bound on any request, however much progress keeps it alive
    /// (default 10 minutes; never less than the request's timeout).
    pub max_total: Duration,
    /// Who we are, as told to the server.
    pub client_info: Implementation,
    /// Which protocol revision(s) to speak.
    pub protocol: ProtocolMode,
    /// Serves sampling requests; its presence declares the `sampling`
    /// capability.
    pub sampling_callback: Option<SamplingCallback>,
    /// Serves elicitation requests; its presence declares `elicitation`.
    pub elicitation_callback: Option<ElicitationCallback>,
    /// Serves `roots/list`; its presence declares `roots`.
    pub list_roots_callback: Option<ListRootsCallback>,
    /// Receives server log messages.
    pub logging_callback: Option<LoggingCallback>,
    /// Receives every notification and transport report.
    pub message_handler: Option<MessageHandler>,
    /// Validate structured tool results against `outputSchema` (default on).
    pub validate_tool_output: bool,
    /// How long the `server/discover` probe of [`ProtocolMode::Auto`] waits
    /// (never longer than [`read_timeout`](Self::read_timeout)).
    pub discover_timeout: Duration,
    /// Most rounds of input (2026-07-28 multi round-trip requests) answered
    /// for one request.
    pub max_input_rounds: usize,
    /// Opt in to tasks: in the stateless era the tasks extension
    /// (`io.modelcontextprotocol/tasks`: a tool call may then return a
    /// task); in the initialize era 2025-11-25's `tasks` capability (a call
    /// to a tool whose `execution.taskSupport` is `required` is made as a
    /// task). Either way `call_tool` awaits the task to its result, within
    /// the call's maximum total, and cancels it if the call is dropped.
    pub tasks: bool,
    /// In the stateless era, open a `subscriptions/listen` stream for the
    /// list-changed notifications the server offers, so that they reach the
    /// message handler as in the initialize era (default on).
    pub listen_for_list_changes: bool,
    /// Cache results of discover, lists and reads for their `ttlMs`
    /// (stateless era; default on).
    pub cache_results: bool,
    /// Opt in to the skills extension (`io.modelcontextprotocol/skills`):
    /// declares it to the server and allows the skills calls (default off).
    #[cfg(feature = "skills")]
    pub skills: bool,
    /// How much of one skill is retrieved (the spec's 512 files and 16 MiB
    /// by default).
    #[cfg(feature = "skills")]
    pub skill_limits: crate::SkillLimits,
}

impl fmt::Debug for ClientSessionOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("ClientSessionOptions");
        f.field("read_timeout", &self.read_timeout)
            .field("max_total", &self.max_total)
            .field("client_info", &self.client_info)
            .field("protocol", &self.protocol)
            .field("sampling_callback", &self.sampling_callback.is_some())
            .field("elicitation_callback", &self.elicitation_callback.is_some())
            .field("list_roots_callback", &self.list_roots_callback.is_some())
            .field("logging_callback", &self.logging_callback.is_some())
            .field("message_handler", &self.message_handler.is_some())
            .field("validate_tool_output", &self.validate_tool_output)
            .field("discover_timeout", &self.discover_timeout)
            .field("max_input_rounds", &self.max_input_rounds)
            .field("tasks", &self.tasks)
            .field("listen_for_list_changes", &self.listen_for_list_changes)
            .field("cache_results", &self.cache_results);
        #[cfg(feature = "skills")]
        f.field("skills", &self.skills)
            .field("skill_limits", &self.skill_limits);
        f.finish()
    }
}

impl Default for ClientSessionOptions {
    fn default() -> Self {
        ClientSessionOptions {
            read_timeout: DEFAULT_READ_TIMEOUT,
            max_total: DEFAULT_MAX_TOTAL,
            client_info: Implementation::new("mcp-client-rs", env!("CARGO_PKG_VERSION")),
            protocol: ProtocolMode::default(),
            sampling_callback: None,
            elicitation_callback: None,
            list_roots_callback: None,
            logging_callback: None,
            message_handler: None,
            validate_tool_output: true,
            discover_timeout: DEFAULT_DISCOVER_TIMEOUT,
            max_input_rounds: DEFAULT_MAX_INPUT_ROUNDS,
            tasks: false,
            listen_for_list_changes: true,
            cache_results: true,
            #[cfg(feature = "skills")]
            skills: false,
            #[cfg(feature = "skills")]
            skill_limits: crate::SkillLimits::default(),
        }
    }
}

impl ClientSessionOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the default request timeout.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Sets the upper bound on any request, progress or not.
    pub fn max_total(mut self, max_total: Duration) -> Self {
        self.max_total = max_total;
        self
    }

    /// Sets the client's name and version as told to the server.
    pub fn client_info(mut self, info: Implementation) -> Self {
        self.client_info = info;
        self
    }

    /// Sets which protocol revision(s) to speak.
    pub fn protocol(mut self, mode: ProtocolMode) -> Self {
        self.protocol = mode;
        self
    }

    /// Sets how long the `server/discover` probe waits.
    pub fn discover_timeout(mut self, timeout: Duration) -> Self {
        self.discover_timeout = timeout;
        self
    }

    /// Sets the most rounds of input answered for one request.
    pub fn max_input_rounds(mut self, rounds: usize) -> Self {
        self.max_input_rounds = rounds;
        self
    }

    /// Opts in to the skills extension.
    #[cfg(feature = "skills")]
    pub fn skills(mut self, on: bool) -> Self {
        self.skills = on;
        self
    }

    /// Sets how much of one skill is retrieved.
    #[cfg(feature = "skills")]
    pub fn skill_limits(mut self, limits: crate::SkillLimits) -> Self {
        self.skill_limits = limits;
        self
    }

    /// Opts in to the tasks extension.
    pub fn tasks(mut self, on: bool) -> Self {
        self.tasks = on;
        self
    }

    /// Turns the automatic list-changed subscription of the stateless era on
    /// or off.
    pub fn listen_for_list_changes(mut self, on: bool) -> Self {
        self.listen_for_list_changes = on;
        self
    }

    /// Turns the result cache of the stateless era on or off.
    pub fn cache_results(mut self, on: bool) -> Self {
        self.cache_results = on;
        self
    }

    /// Turns validation of structured tool output on or off.
    pub fn validate_tool_output(mut self, on: bool) -> Self {
        self.validate_tool_output = on;
        self
    }

    /// Serves `sampling/createMessage` with `f`.
    pub fn sampling_callback<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(RequestContext, CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CreateMessageResult, ErrorObject>> + Send + 'static,
    {
        self.sampling_callback = Some(Arc::new(move |cx, p| Box::pin(f(cx, p))));
        self
    }

    /// Serves `elicitation/create` with `f`.
    pub fn elicitation_callback<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(RequestContext, ElicitRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ElicitResult, ErrorObject>> + Send + 'static,
    {
        self.elicitation_callback = Some(Arc::new(move |cx, p| Box::pin(f(cx, p))));
        self
    }

    /// Serves `roots/list` with `f`.
    pub fn list_roots_callback<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ListRootsResult, ErrorObject>> + Send + 'static,
    {
        self.list_roots_callback = Some(Arc::new(move |cx| Box::pin(f(cx))));
        self
    }

    /// Receives server log messages with `f`.
    pub fn logging_callback<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(LoggingMessageNotificationParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.logging_callback = Some(Arc::new(move |p| Box::pin(f(p))));
        self
    }

    /// Receives every notification and transport report with `f`.
    pub fn message_handler<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(IncomingMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.message_handler = Some(Arc::new(move |m| Box::pin(f(m))));
        self
    }
}

/// Options of one call: timeout, maximum total, progress, cancellation,
/// cache. Every request method takes them, through the builder it returns
/// (see [`Call`](crate::Call)).
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// Overrides the session's read timeout for this call.
    pub timeout: Option<Duration>,
    /// Overrides the session's maximum total for this call.
    pub max_total: Option<Duration>,
    /// Receives this call's progress notifications; progress also restarts
    /// the (idle) timeout, never the maximum total.
    pub progress: Option<ProgressCallback>,
    /// When cancelled, the call is abandoned (the server told) and fails
    /// with [`ClientError::Cancelled`](crate::ClientError::Cancelled).
    pub cancellation: Option<CancellationToken>,
    /// Skip the result cache for this call (and refresh it).
    pub bypass_cache: bool,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("max_total", &self.max_total)
            .field("progress", &self.progress.is_some())
            .field("cancellation", &self.cancellation.is_some())
            .field("bypass_cache", &self.bypass_cache)
            .finish()
    }
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets this call's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets an upper bound on the whole call.
    pub fn max_total(mut self, max_total: Duration) -> Self {
        self.max_total = Some(max_total);
        self
    }

    /// Skips the result cache for this call.
    pub fn bypass_cache(mut self) -> Self {
        self.bypass_cache = true;
        self
    }

    /// Cancels the call when `token` is cancelled.
    pub fn cancellation(mut self, token: CancellationToken) -> Self {
        self.cancellation = Some(token);
        self
    }

    /// Receives progress notifications with `f`.
    pub fn on_progress(mut self, f: impl Fn(ProgressNotificationParams) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::ProtocolMode;

    #[test]
    fn protocol_modes_parse_from_their_names() {
        assert_eq!("auto".parse(), Ok(ProtocolMode::Auto));
        assert_eq!("initialize".parse(), Ok(ProtocolMode::Initialize));
        assert_eq!("legacy".parse(), Ok(ProtocolMode::Initialize));
        assert_eq!(
            "2025-06-18".parse(),
            Ok(ProtocolMode::Pinned("2025-06-18".into()))
        );
        let Err(err) = "2099-01-01".parse::<ProtocolMode>() else {
            panic!("an unknown version parsed");
        };
        assert!(err.contains("use auto, initialize or one of"), "{err}");
    }
}
