//! How to start a server: [`StdioServerParameters`] and [`StderrMode`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mcp_jsonrpc::lines::DEFAULT_MAX_MESSAGE_SIZE;

/// Default time each shutdown step may take: 2 seconds.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);

/// How to start an MCP server as a child process, like the Python SDK's
/// `StdioServerParameters`.
///
/// ```
/// use mcp_transport_stdio::StdioServerParameters;
///
/// let params = StdioServerParameters::new("npx")
///     .args(["-y", "@modelcontextprotocol/server-everything"])
///     .env("DEBUG", "1");
/// assert_eq!(params.command, "npx");
/// assert!(!params.inherit_env);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StdioServerParameters {
    /// The program to run, looked up on `PATH` when it has no slash.
    pub command: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Variables added to the child's environment (they override inherited ones).
    pub env: BTreeMap<String, String>,
    /// The child's working directory; by default the parent's.
    pub cwd: Option<PathBuf>,
    /// `false` (the default): the child sees only the variables of
    /// [`DEFAULT_INHERITED_ENV_VARS`](crate::DEFAULT_INHERITED_ENV_VARS)
    /// (skipping values that start with `()`, which are shell functions)
    /// plus [`env`](Self::env). `true`: the child sees the whole environment
    /// of this process plus `env`.
    pub inherit_env: bool,
    /// What to do with the child's stderr.
    pub stderr: StderrMode,
    /// Largest message accepted from the server, in bytes; a longer line is
    /// skipped and reported. Default 16 MiB.
    pub max_message_size: usize,
    /// How long each shutdown step may take (waiting for exit after stdin is
    /// closed, then after SIGTERM). Default 2 seconds.
    pub shutdown_timeout: Duration,
}

impl StdioServerParameters {
    /// Parameters running `command` with no arguments and the defaults.
    pub fn new(command: impl Into<String>) -> Self {
        StdioServerParameters {
            command: command.into(),
            args: Vec::new(),
            env: BTreeMap::new(),
            cwd: None,
            inherit_env: false,
            stderr: StderrMode::default(),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }

    /// Replaces the arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds a variable to the child's environment.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(key.into(), value.into());
        self
    }

    /// Sets the child's working directory.
    pub fn cwd(mut self, cwd: impl Into<PathBuf>) -> Self {
        self.cwd = Some(cwd.into());
        self
    }

    /// Sets whether the child inherits this process's whole environment.
    pub fn inherit_env(mut self, inherit: bool) -> Self {
        self.inherit_env = inherit;
        self
    }

    /// Sets what happens to the child's stderr.
    pub fn stderr(mut self, mode: StderrMode) -> Self {
        self.stderr = mode;
        self
    }

    /// Sets the largest message accepted from the server, in bytes.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets how long each shutdown step may take.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }
}

/// A callback receiving each line the server writes to stderr.
pub type StderrCallback = Arc<dyn Fn(&str) + Send + Sync>;

/// What to do with the server's stderr.
#[derive(Clone)]
#[non_exhaustive]
pub enum StderrMode {
    /// Read it line by line (always drained, so a chatty server never
    /// stalls): each line goes to `tracing` at info level with target
    /// `mcp::server_stderr` and the command as a field, and to `on_line`
    /// when set. Very long lines are cut into pieces. The default.
    Forward {
        /// Also called with each line, without its line ending.
        on_line: Option<StderrCallback>,
    },
    /// The child writes straight to this process's stderr.
    Inherit,
    /// The child's stderr goes to the null device.
    Discard,
}

impl StderrMode {
    /// Forwards each line to `tracing` and to `on_line`.
    pub fn forward_to(on_line: impl Fn(&str) + Send + Sync + 'static) -> Self {
        StderrMode::Forward {
            on_line: Some(Arc::new(on_line)),
        }
    }
}

impl Default for StderrMode {
    fn default() -> Self {
        StderrMode::Forward { on_line: None }
    }
}

impl fmt::Debug for StderrMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StderrMode::Forward { on_line } => f
                .debug_struct("Forward")
                .field("on_line", &on_line.as_ref().map(|_| "<callback>"))
                .finish(),
            StderrMode::Inherit => f.write_str("Inherit"),
            StderrMode::Discard => f.write_str("Discard"),
        }
    }
}
