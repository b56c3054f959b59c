//! `rmcp-client --server <cmd…>`: the official Rust SDK (`rmcp`) doing what
//! `mcp-bench client` does, printing the same JSON line:
//!
//! 1. spawn the server and initialize (timed: spawn-to-initialized);
//! 2. 200 warm-up then 5000 sequential `tools/call echo` round trips;
//! 3. 20000 round trips with 64 in flight;
//! 4. one JSON line with the figures and the peak RSS (VmHWM, KiB).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RoleClient;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::{Peer, ServiceExt};

const WARMUP: usize = 200;
const SEQUENTIAL: usize = 5000;
const IN_FLIGHT: usize = 64;
const IN_FLIGHT_TOTAL: usize = 20_000;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let server = match args.iter().position(|a| a == "--server") {
        Some(i) if i + 1 < args.len() => args[i + 1..].to_vec(),
        _ => bail!("usage: rmcp-client --server <command> [args…]"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let line = runtime.block_on(run(&server))?;
    println!("{line}");
    Ok(())
}

async fn run(server: &[String]) -> Result<serde_json::Value> {
    let start = Instant::now();
    let (program, rest) = server.split_first().context("empty server command")?;
    let rest = rest.to_vec();
    let transport = TokioChildProcess::new(tokio::process::Command::new(program).configure(|cmd| {
        cmd.args(&rest);
    }))?;
    let client = ().serve(transport).await?;
    let spawn_to_init = start.elapsed();
    let peer = client.peer().clone();

    for i in 0..WARMUP {
        call(&peer, i).await?;
    }
    let start = Instant::now();
    for i in 0..SEQUENTIAL {
        call(&peer, i).await?;
    }
    let sequential = start.elapsed();

    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = Vec::with_capacity(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        let (peer, next) = (peer.clone(), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= IN_FLIGHT_TOTAL {
                    return Ok::<_, anyhow::Error>(());
                }
                call(&peer, i).await?;
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    let in_flight = start.elapsed();
    let rss = peak_rss_kib();
    drop(peer);
    client.cancel().await?;

    Ok(serde_json::json!({
        "impl": "rmcp",
        "spawn_to_init_ms": spawn_to_init.as_secs_f64() * 1e3,
        "seq_calls_per_s": SEQUENTIAL as f64 / sequential.as_secs_f64(),
        "inflight_calls_per_s": IN_FLIGHT_TOTAL as f64 / in_flight.as_secs_f64(),
        "peak_rss_kib": rss,
    }))
}

async fn call(peer: &Peer<RoleClient>, i: usize) -> Result<()> {
    let mut args = serde_json::Map::new();
    args.insert("message".into(), format!("hello {i}").into());
    let result = peer
        .call_tool(CallToolRequestParams::new("echo").with_arguments(args))
        .await?;
    if result.content.len() != 1 {
        bail!("unexpected echo result: {result:?}");
    }
    Ok(())
}

/// The peak resident set size of this process (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
