//! `mcp`: a command-line MCP client.
//!
//! Exit status: 0 success, 1 the tool returned `isError`, 2 usage error,
//! 3 connection or protocol error.

#![allow(clippy::print_stdout, clippy::print_stderr)]

/// `eprintln!` that never panics: a closed or failing stderr is ignored
/// (the exit status still tells how the command ended).
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod args;
mod commands;
mod config;
mod connect;
mod describe;
mod elicit;
mod group;
mod login;
mod progress;
mod render;
mod signals;
mod skills;
mod tour;
mod typed;
mod watch;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;

/// The hidden subcommand that serves the bundled example server on stdio.
pub(crate) const SERVE_EXAMPLE: &str = "__serve-example";

/// A mistake in how `mcp` was called (exit status 2).
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// How a command ended when it did not fail.
pub(crate) enum Outcome {
    Success,
    ToolError,
    /// Stopped by a signal: 130 for SIGINT, 143 for SIGTERM.
    Stopped(u8),
}

fn main() -> ExitCode {
    let mut argv: Vec<OsString> = std::env::args_os().collect();
    if argv.get(1).is_some_and(|a| a == SERVE_EXAMPLE) {
        return serve_example();
    }
    let server: Vec<String> = match argv.iter().position(|a| a == "--") {
        Some(i) => argv
            .split_off(i)
            .into_iter()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        None => Vec::new(),
    };
    let cli = Cli::parse_from(argv);
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            tell!("error: could not start the async runtime: {e}");
            return ExitCode::from(3);
        }
    };
    let result = runtime.block_on(commands::run(cli, server));
    // Give transports a moment to reap their server, then stop.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    match result {
        // `mcp tools | head`: the reader left; end quietly, as a program
        // killed by SIGPIPE would (the servers were closed on the way out).
        Err(e) if is_broken_pipe(&e) => ExitCode::from(141),
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::ToolError) => ExitCode::from(1),
        Ok(Outcome::Stopped(status)) => ExitCode::from(status),
        Err(e) if e.downcast_ref::<UsageError>().is_some() => {
            tell!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            tell!("error: {}", crate::render::server_words(&chain(&e), ERROR_QUOTE));
            ExitCode::from(3)
        }
    }
}

/// The longest error message shown, in characters: a server's message or
/// stderr tail can be megabytes.
const ERROR_QUOTE: usize = 4000;

/// The error and its causes on one line, each cause said once: a cause
/// whose text its parent already quotes is left out.
fn chain(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let said = cause.to_string();
        if text.contains(&said) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&said);
    }
    text
}

/// True when `e` comes from writing to a closed stdout.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

fn serve_example() -> ExitCode {
    init_tracing(0);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            tell!("example server: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(mcp_testkit::serve_stdio());
    ExitCode::SUCCESS
}

fn init_tracing(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("MCP_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // Colours only on a terminal that did not ask for none.
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(verbose > 1)
        .try_init();
}
