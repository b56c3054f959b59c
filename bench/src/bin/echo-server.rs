//! `echo-server`: the smallest stdio MCP server the benchmarks need, written
//! directly on stdin/stdout lines (no SDK) so that it costs every client the
//! same: `initialize`, `ping`, `tools/list` (one tool, `echo`) and
//! `tools/call echo`, which answers its `message` argument as text.
//! Notifications are ignored; other requests get "method not found".

use std::io::{BufRead, BufWriter, Write};

#[path = "../echo.rs"]
mod echo;

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut buf = Vec::with_capacity(4096);
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, stdin);
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        let Some(reply) = echo::reply(&buf) else {
            continue; // a notification, a response, or not JSON: nothing to say
        };
        serde_json::to_writer(&mut out, &reply)?;
        out.write_all(b"\n")?;
        out.flush()?;
    }
}
