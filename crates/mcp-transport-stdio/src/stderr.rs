//! Draining the server's stderr.

use tokio::io::AsyncReadExt;
use tokio::process::ChildStderr;

use crate::params::StderrCallback;

/// Longest stderr line passed on in one piece; longer lines are cut.
const MAX_LINE: usize = 64 * 1024;

/// Reads `stderr` to its end, passing each line to `tracing` and `on_line`.
pub(crate) async fn pump(mut stderr: ChildStderr, command: String, on_line: Option<StderrCallback>) {
    let emit = |line: &[u8]| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let text = String::from_utf8_lossy(line);
        tracing::info!(target: "mcp::server_stderr", command = %command, "{text}");
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
