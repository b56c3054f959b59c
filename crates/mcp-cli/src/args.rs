//! Command-line arguments.

use clap::{Parser, Subcommand};

/// A command-line MCP client. With no server named after `--`, it talks to
/// the bundled example server; with no command, it gives a short tour.
#[derive(Debug, Parser)]
#[command(
    name = "mcp",
    version,
    about,
    override_usage = "mcp [OPTIONS] [COMMAND] [ARGS] [-- SERVER_COMMAND ARGS... | --url URL]",
    after_help = "Examples:\n  mcp                                   tour of the bundled example server\n  mcp tools -- npx -y @modelcontextprotocol/server-everything\n  mcp call add a=1 b=2\n  mcp --json info -- python server.py\n  mcp tools --url https://example.com/mcp --header 'Authorization: Bearer …'\n  mcp tools --url ws://127.0.0.1:8000/ws\n  mcp login --url https://example.com/mcp   then: mcp tools --url https://example.com/mcp\n  mcp --config claude_desktop_config.json tools\n\nExit status: 0 ok, 1 the tool returned isError, 2 usage error, 3 connection or protocol error, 130/143 stopped by Ctrl-C/SIGTERM, 141 stdout closed early."
)]
pub(crate) struct Cli {
    /// Print protocol results as JSON on stdout.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Seconds each request may take in all, progress or not (the
    /// handshake's requests included).
    #[arg(long, value_name = "SECS", default_value_t = 60.0, global = true)]
    pub(crate) timeout: f64,
    /// Seconds a request may go without an answer or a progress
    /// notification: each progress notification restarts this wait, and
    /// --timeout still bounds the whole. Default: --timeout.
    #[arg(long, value_name = "SECS", global = true)]
    pub(crate) idle_timeout: Option<f64>,
    /// Extra environment variable for the server process (repeatable).
    /// A server started by `mcp` gets this shell's whole environment, plus
    /// these.
    #[arg(long = "env", value_name = "K=V", global = true)]
    pub(crate) env: Vec<String>,
    /// Give the server only the library's allowlist of this shell's
    /// environment (HOME, LOGNAME, PATH, SHELL, TERM, USER, and the proxy
    /// and CA-certificate variables), plus --env and the config's `env`.
    #[arg(long, global = true)]
    pub(crate) clean_env: bool,
    /// Opt in to tasks: a tool call the server runs as a task is awaited
    /// to its result (tools whose `execution.taskSupport` is `required` can
    /// only be called so); --timeout then bounds the whole task, its polls
    /// included.
    #[arg(long, global = true)]
    pub(crate) tasks: bool,
    /// Connect to every server of a desktop client's JSON config (the
    /// `mcpServers` shape, or `servers` with `type: stdio|http|sse|ws`):
    /// `tools` lists them all with a server column, `call` routes by the
    /// group's tool names.
    #[arg(long, value_name = "FILE", global = true, conflicts_with = "url")]
    pub(crate) config: Option<std::path::PathBuf>,
    /// With --config: only the server of this name.
    #[arg(long = "server", value_name = "NAME", global = true, requires = "config")]
    pub(crate) server_name: Option<String>,
    /// Connect to this MCP endpoint instead of starting a server: over HTTP
    /// (`http://`, `https://`) or WebSocket (`ws://`, `wss://`).
    #[arg(long, value_name = "URL", global = true)]
    pub(crate) url: Option<String>,
    /// With an HTTP --url: `auto` (Streamable HTTP, falling back to
    /// HTTP+SSE), `http` (Streamable HTTP only) or `sse` (the 2024-11-05
    /// HTTP+SSE).
    #[arg(long, value_name = "auto|http|sse", default_value = "auto", global = true)]
    pub(crate) transport: TransportChoice,
    /// With --url: an extra HTTP header (on the upgrade request for
    /// WebSocket), `'Name: value'` (repeatable).
    #[arg(long = "header", value_name = "'K: V'", global = true)]
    pub(crate) headers: Vec<String>,
    /// Protocol: `auto` (probe for 2026-07-28, else the `initialize`
    /// handshake), `initialize` (the initialize era only), or a version such
    /// as `2025-06-18`.
    #[arg(
        long,
        value_name = "auto|initialize|VERSION",
        default_value = "auto",
        global = true
    )]
    pub(crate) protocol: mcp_client::ProtocolMode,
    /// Log to stderr (-v: info, -vv: debug, -vvv: trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub(crate) verbose: u8,
    /// The server's log messages shown on stderr: this level and above
    /// (debug, info, notice, warning, error, critical, alert, emergency),
    /// asked of the server too (`logging/setLevel`, or per request in
    /// 2026-07-28). Without it, every message the server sends is shown.
    #[arg(long, value_name = "LEVEL", value_parser = parse_level, global = true)]
    pub(crate) log_level: Option<mcp_client::types::LoggingLevel>,
    /// Do not show the server's log messages (a --log-level is still asked
    /// of the server).
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// The HTTP transport to use with `--url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TransportChoice {
    /// Streamable HTTP, falling back to HTTP+SSE.
    Auto,
    /// Streamable HTTP only.
    Http,
    /// The 2024-11-05 HTTP+SSE transport.
    Sse,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Server name, version, protocol version, capabilities, instructions.
    Info,
    /// List the server's tools, with their parameters.
    Tools,
    /// Describe one tool: description, parameters, input and output
    /// schema, annotations.
    Tool {
        /// The tool.
        name: String,
    },
    /// Call a tool: `call NAME [KEY=VALUE ...]` or `--args JSON`. Values take
    /// the type the tool's input schema declares (`message=123` is the
    /// string "123" for a string parameter; JSON if it parses, else a
    /// string, where the schema says nothing); a missing required argument
    /// or a wrong type is a usage error, before anything is sent.
    Call {
        /// The tool.
        name: String,
        /// Arguments as KEY=VALUE.
        #[arg(value_name = "KEY=VALUE")]
        pairs: Vec<String>,
        /// Arguments as one JSON object: inline, `@FILE` to read a file, or
        /// `-` to read stdin.
        #[arg(long = "args", value_name = "JSON|@FILE|-", conflicts_with = "pairs")]
        args: Option<String>,
    },
    /// List the server's resources.
    Resources,
    /// List the server's resource templates.
    Templates,
    /// Read a resource.
    Read {
        /// The resource URI.
        uri: String,
    },
    /// List the server's prompts.
    Prompts,
    /// Get a prompt: `prompt NAME [KEY=VALUE ...]`.
    Prompt {
        /// The prompt.
        name: String,
        /// Arguments as KEY=VALUE.
        #[arg(value_name = "KEY=VALUE")]
        pairs: Vec<String>,
    },
    /// List the server's skills (the skills extension): name, number of
    /// files, description, URI. Names that collide are shown by path.
    Skills,
    /// Print a skill's SKILL.md, or one of its files, once verified against
    /// the skill's entry (size and SHA-256 digest; for SKILL.md the
    /// frontmatter too); a file that fails is not printed. Files of a
    /// "dynamic" skill cannot be verified, and a warning says so.
    Skill {
        /// The skill: its name, its path when names collide
        /// (`acme/billing/refunds`), or the URI of its SKILL.md.
        name: String,
        /// A file of the skill: a path relative to its root
        /// (`references/FORMS.md`) or a URI.
        file: Option<String>,
    },
    /// A short tour: info, tools, a tool call with progress, a resource, a prompt.
    Tour,
    /// Keep the connection open and print the server's notifications as
    /// they come (list changes, resource updates, progress; logs on
    /// stderr), until Ctrl-C (exit 130), SIGTERM (143) or the server leaves.
    Watch {
        /// Subscribe to updates of this resource (repeatable).
        #[arg(long = "uri", value_name = "URI")]
        uris: Vec<String>,
    },
    /// Authorize with the OAuth-protected server of --url: prints the
    /// authorization URL (and opens a browser where there is a desktop),
    /// waits for the redirect on a loopback port, and keeps the tokens in a
    /// 0600 file ($MCP_CREDENTIALS, else $XDG_CONFIG_HOME/mcp or
    /// ~/.config/mcp/credentials.json). Later `mcp --url URL …` commands
    /// use and refresh them.
    Login,
    /// Forget the tokens stored for --url.
    Logout,
    /// Print a shell completion script: `mcp completions bash >
    /// ~/.local/share/bash-completion/completions/mcp` (no server needed).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `mcp man | man -l -` (no server needed).
    Man,
}

/// A log level by its name in the protocol.
fn parse_level(s: &str) -> Result<mcp_client::types::LoggingLevel, String> {
    let level = mcp_client::types::LoggingLevel::from(s);
    match level.severity() {
        Some(_) => Ok(level),
        None => Err(format!(
            "`{s}` is not a log level (debug, info, notice, warning, error, critical, alert, emergency)"
        )),
    }
}
