//! [`GroupOptions`] and the opt-in [`RestartPolicy`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mcp_client::types::Implementation;
use mcp_client::ClientSessionOptions;

use crate::names::ComponentNameHook;

/// How long connecting one server may take, handshake and first listings
/// included.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a burst of list-changed notifications is gathered before one
/// refresh.
pub const DEFAULT_REFRESH_DEBOUNCE: Duration = Duration::from_millis(100);
/// How long closing the group waits for its sessions to close cleanly
/// before dropping them (which kills stdio servers' process groups).
pub const DEFAULT_CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

/// Options of a [`ClientSessionGroup`](crate::ClientSessionGroup).
#[derive(Clone)]
#[non_exhaustive]
pub struct GroupOptions {
    /// The options of every session the group opens (era negotiation is
    /// `auto` by default, as for a lone session).
    pub session: ClientSessionOptions,
    /// Bound on connecting one server: transport, handshake and the first
    /// listings (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub connect_timeout: Duration,
    /// Names the servers' components in the group; without it, see
    /// [`ClientSessionGroup`](crate::ClientSessionGroup) for the default.
    pub component_name_hook: Option<ComponentNameHook>,
    /// Starts a dead server again on its next use (off by default).
    pub restart: Option<RestartPolicy>,
    /// Gathers list-changed notifications for this long before refreshing
    /// (default [`DEFAULT_REFRESH_DEBOUNCE`]).
    pub refresh_debounce: Duration,
    /// Bound on closing every session (default [`DEFAULT_CLOSE_TIMEOUT`]).
    pub close_timeout: Duration,
}

impl Default for GroupOptions {
    fn default() -> Self {
        GroupOptions {
            session: ClientSessionOptions::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            component_name_hook: None,
            restart: None,
            refresh_debounce: DEFAULT_REFRESH_DEBOUNCE,
            close_timeout: DEFAULT_CLOSE_TIMEOUT,
        }
    }
}

impl fmt::Debug for GroupOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupOptions")
            .field("session", &self.session)
            .field("connect_timeout", &self.connect_timeout)
            .field("component_name_hook", &self.component_name_hook.is_some())
            .field("restart", &self.restart)
            .field("refresh_debounce", &self.refresh_debounce)
            .field("close_timeout", &self.close_timeout)
            .finish()
    }
}

impl GroupOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The options of every session the group opens.
    pub fn session(mut self, options: ClientSessionOptions) -> Self {
        self.session = options;
        self
    }

    /// Bound on connecting one server.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Names components with `hook(name, server_info)`.
    pub fn component_name_hook(
        mut self,
        hook: impl Fn(&str, &Implementation) -> String + Send + Sync + 'static,
    ) -> Self {
        self.component_name_hook = Some(Arc::new(hook));
        self
    }

    /// Starts dead servers again on next use, as `policy` says.
    pub fn restart(mut self, policy: RestartPolicy) -> Self {
        self.restart = Some(policy);
        self
    }

    /// How long list-changed notifications are gathered before a refresh.
    pub fn refresh_debounce(mut self, debounce: Duration) -> Self {
        self.refresh_debounce = debounce;
        self
    }

    /// Bound on closing every session.
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }
}

/// When and how often a dead server is started again: on the next call
/// routed to it, up to [`max_attempts`](Self::max_attempts) connects, the
/// waits between them doubling from [`initial_backoff`](Self::initial_backoff)
/// up to [`max_backoff`](Self::max_backoff). When every attempt fails the
/// server stays unavailable (no more restarts) until it is connected anew.
/// Only servers the group connected from parameters can be restarted. Each
/// attempt is one `ClientSession::connect`: a server that spoke the
/// initialize era is spoken to that way again (no discover probe); for
/// others, a server that exits on the probe is started a second time
/// within the attempt, as for a lone session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestartPolicy {
    /// Connects tried per restart (default 3).
    pub max_attempts: u32,
    /// The first wait between attempts (default 200 ms).
    pub initial_backoff: Duration,
    /// The longest wait between attempts (default 5 s).
    pub max_backoff: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        RestartPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RestartPolicy {
    /// The defaults: 3 attempts, 200 ms doubling up to 5 s.
    pub fn new() -> Self {
        Self::default()
    }

    /// Connects tried per restart (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first wait between attempts, and the longest.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The wait after failed attempt `n` (0-based).
    pub(crate) fn wait_after(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.min(16));
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}
