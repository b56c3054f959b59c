//! `mcp-bench client --impl ours|raw --server <cmd…>`: one client
//! implementation, in this process, against a stdio server:
//!
//! 1. spawn the server and initialize it (timed: spawn-to-initialized);
//! 2. [`WARMUP`] then [`SEQUENTIAL`] `tools/call echo` round trips, one at a
//!    time;
//! 3. [`IN_FLIGHT_TOTAL`] round trips with [`IN_FLIGHT`] outstanding;
//! 4. the figures and the peak RSS (VmHWM) as one JSON line.
//!
//! `ours` is `mcp-transport-stdio` + `mcp_client::ClientSession`; `raw` is
//! the floor: request lines written and response lines read straight on the
//! child's pipes, with no JSON-RPC engine and no parsing of the answers.

use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use mcp_client::{ClientSession, ClientSessionOptions};
use mcp_transport_stdio::{stdio_client, StdioServerParameters};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::sync::Semaphore;

/// Round trips before the sequential run, not timed.
pub(crate) const WARMUP: usize = 200;
/// Sequential round trips, timed.
pub(crate) const SEQUENTIAL: usize = 5000;
/// Requests outstanding at once in the concurrent run.
pub(crate) const IN_FLIGHT: usize = 64;
/// Round trips of the concurrent run.
pub(crate) const IN_FLIGHT_TOTAL: usize = 20_000;

/// Which client to run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Impl {
    /// `mcp-transport-stdio` + `ClientSession`.
    Ours,
    /// Lines on the pipes, no engine: the floor.
    Raw,
}

/// What one run measured.
pub(crate) struct Figures {
    pub(crate) spawn_to_init: Duration,
    pub(crate) sequential: Duration,
    pub(crate) in_flight: Duration,
}

/// Runs one client against `server` and returns its JSON line.
pub(crate) async fn run(which: Impl, server: &[String]) -> Result<Value> {
    let (program, args) = server.split_first().context("empty server command")?;
    let (name, figures) = match which {
        Impl::Ours => ("ours", ours(program, args).await?),
        Impl::Raw => ("raw", raw(program, args).await?),
    };
    Ok(figures_line(name, &figures))
}

/// The JSON line of one run.
pub(crate) fn figures_line(name: &str, figures: &Figures) -> Value {
    json!({
        "impl": name,
        "spawn_to_init_ms": figures.spawn_to_init.as_secs_f64() * 1e3,
        "seq_calls_per_s": SEQUENTIAL as f64 / figures.sequential.as_secs_f64(),
        "inflight_calls_per_s": IN_FLIGHT_TOTAL as f64 / figures.in_flight.as_secs_f64(),
        "peak_rss_kib": peak_rss_kib(),
    })
}

fn echo_args(i: usize) -> Map<String, Value> {
    let mut args = Map::new();
    args.insert("message".into(), format!("hello {i}").into());
    args
}

async fn ours(program: &str, args: &[String]) -> Result<Figures> {
    let start = Instant::now();
    let params = StdioServerParameters::new(program).args(args.iter().cloned());
    let transport = stdio_client(&params).await?.into_transport();
    let session = ClientSession::new(transport, ClientSessionOptions::default());
    session.initialize().await?;
    let spawn_to_init = start.elapsed();
    let (sequential, in_flight) = drive(&session).await?;
    session.close().await;
    Ok(Figures {
        spawn_to_init,
        sequential,
        in_flight,
    })
}

/// The timed runs of an initialized session: [`WARMUP`] + [`SEQUENTIAL`]
/// round trips one at a time, then [`IN_FLIGHT_TOTAL`] with [`IN_FLIGHT`]
/// outstanding; the sequential and the in-flight durations.
pub(crate) async fn drive(session: &ClientSession) -> Result<(Duration, Duration)> {
    async fn call(session: &ClientSession, i: usize) -> Result<()> {
        let result = session.call_tool("echo", Some(echo_args(i))).await?;
        if result.content.len() != 1 {
            bail!("unexpected echo result: {result:?}");
        }
        Ok(())
    }

    for i in 0..WARMUP {
        call(session, i).await?;
    }
    let start = Instant::now();
    for i in 0..SEQUENTIAL {
        call(session, i).await?;
    }
    let sequential = start.elapsed();

    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = Vec::with_capacity(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        let (session, next) = (session.clone(), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= IN_FLIGHT_TOTAL {
                    return Ok::<_, anyhow::Error>(());
                }
                call(&session, i).await?;
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    Ok((sequential, start.elapsed()))
}

/// One `tools/call echo` request line, newline included.
pub(crate) fn request_line(id: usize) -> Vec<u8> {
    format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"tools/call\",\"params\":{{\"name\":\"echo\",\"arguments\":{{\"message\":\"hello {id}\"}}}}}}\n"
    )
    .into_bytes()
}

async fn raw(program: &str, args: &[String]) -> Result<Figures> {
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("could not start `{program}`"))?;
    let mut stdin = child.stdin.take().context("no stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().context("no stdout")?);
    let mut line = String::new();

    let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mcp-bench-raw","version":"0"}}}"#;
    stdin.write_all(format!("{init}\n").as_bytes()).await?;
    if stdout.read_line(&mut line).await? == 0 || !line.contains("\"result\"") {
        bail!("initialize failed: {line:?}");
    }
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
        .await?;
    let spawn_to_init = start.elapsed();

    let mut next_id = 1;
    let mut sequential = Duration::ZERO;
    for (n, timed) in [(WARMUP, false), (SEQUENTIAL, true)] {
        let start = Instant::now();
        for _ in 0..n {
            stdin.write_all(&request_line(next_id)).await?;
            next_id += 1;
            line.clear();
            if stdout.read_line(&mut line).await? == 0 {
                bail!("the server closed its stdout");
            }
        }
        if timed {
            sequential = start.elapsed();
        }
    }

    // Keep IN_FLIGHT requests outstanding: the writer takes a permit per
    // request, the reader gives one back per response line.
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let start = Instant::now();
    let writer = {
        let permits = Arc::clone(&permits);
        tokio::spawn(async move {
            for id in next_id..next_id + IN_FLIGHT_TOTAL {
                permits.acquire().await?.forget();
                stdin.write_all(&request_line(id)).await?;
            }
            Ok::<_, anyhow::Error>(stdin)
        })
    };
    for _ in 0..IN_FLIGHT_TOTAL {
        line.clear();
        if stdout.read_line(&mut line).await? == 0 {
            bail!("the server closed its stdout");
        }
        permits.add_permits(1);
    }
    let in_flight = start.elapsed();
    drop(writer.await??); // EOF on the server's stdin: it exits
    child.wait().await?;
    Ok(Figures {
        spawn_to_init,
        sequential,
        in_flight,
    })
}

/// The peak resident set size of this process (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    status_kib("VmHWM")
}

/// A size line of `/proc/self/status` (`VmHWM`, `VmRSS`…), in KiB; 0 when
/// it cannot be read.
pub(crate) fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
