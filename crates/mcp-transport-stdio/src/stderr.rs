//! Draining the server's stderr, and keeping its last lines for the close
//! reason.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::AsyncReadExt;
use tokio::process::ChildStderr;
use tokio::sync::oneshot;

use crate::params::StderrCallback;

/// Longest stderr line passed on in one piece; longer lines are cut.
const MAX_LINE: usize = 64 * 1024;
/// Lines of stderr kept for the close reason.
pub const STDERR_TAIL_LINES: usize = 8;
/// Longest line kept for the close reason, in characters; longer ones are cut.
const TAIL_LINE_CHARS: usize = 300;

/// The last lines the server wrote to stderr, bounded, control characters
/// escaped (they end up in messages a person reads).
#[derive(Debug, Default, Clone)]
pub(crate) struct Tail(Arc<Mutex<VecDeque<String>>>);

impl Tail {
    fn push(&self, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        let mut kept: String = line
            .chars()
            .take(TAIL_LINE_CHARS)
            .flat_map(|c| {
                let escaped: Vec<char> = if c.is_control() && c != '\t' {
                    c.escape_default().collect()
                } else {
                    vec![c]
                };
                escaped
            })
            .collect();
        if line.chars().nth(TAIL_LINE_CHARS).is_some() {
            kept.push('…');
        }
        let mut lines = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if lines.len() == STDERR_TAIL_LINES {
            lines.pop_front();
        }
        lines.push_back(kept);
    }

    /// The kept lines, joined; `None` when there are none.
    pub(crate) fn text(&self) -> Option<String> {
        let lines = self.0.lock().unwrap_or_else(|p| p.into_inner());
        (!lines.is_empty()).then(|| lines.iter().map(String::as_str).collect::<Vec<_>>().join("\n"))
    }
}

/// Reads `stderr` to its end, passing each line to `tracing`, `on_line` and
/// `tail`; `done` is dropped at the end.
pub(crate) async fn pump(
    mut stderr: ChildStderr,
    command: String,
    on_line: Option<StderrCallback>,
    tail: Tail,
    done: oneshot::Sender<()>,
) {
    let _done = done;
    let emit = |line: &[u8]| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let text = String::from_utf8_lossy(line);
        tracing::info!(target: "mcp::server_stderr", command = %command, "{text}");
        tail.push(&text);
        if let Some(on_line) = &on_line {
            on_line(&text);
        }
    };
    let mut buf = vec![0u8; 16 * 1024];
    let mut line = Vec::new();
    loop {
        let n = match stderr.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                tracing::debug!(error = %e, command = %command, "reading the server's stderr failed");
                break;
            }
        };
        let mut chunk = &buf[..n];
        while let Some(i) = chunk.iter().position(|&b| b == b'\n') {
            line.extend_from_slice(&chunk[..i]);
            emit(&line);
            line.clear();
            chunk = &chunk[i + 1..];
        }
        line.extend_from_slice(chunk);
        if line.len() >= MAX_LINE {
            emit(&line);
            line.clear();
        }
    }
    if !line.is_empty() {
        emit(&line);
    }
}
