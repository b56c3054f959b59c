//! `mcp-bench group --server PATH [--n N]`: a `ClientSessionGroup` of `N`
//! stdio servers (`echo-server` by default), in this process:
//!
//! 1. connect them one by one and aggregate their tools (timed), close;
//! 2. connect them in parallel (`connect_all`) and aggregate (timed);
//! 3. the resident set growth over the parallel group, divided by `N`
//!    (memory per connected session; the servers are other processes).
//!
//! Prints one JSON line.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use mcp_group::{ClientSessionGroup, ServerParameters};
use mcp_transport_stdio::StdioServerParameters;
use serde_json::{json, Value};

/// Servers in the group unless `--n` says otherwise.
pub(crate) const DEFAULT_SERVERS: usize = 50;

fn servers(path: &str, n: usize) -> Vec<(String, ServerParameters)> {
    (0..n)
        .map(|i| (format!("s{i}"), StdioServerParameters::new(path).into()))
        .collect()
}

/// Resident set size of this process now (VmRSS), in KiB.
fn rss_kib() -> u64 {
    crate::client::status_kib("VmRSS")
}

/// Connects `n` servers one by one; the time and the tools aggregated.
async fn one_by_one(path: &str, n: usize) -> Result<(Duration, usize)> {
    let group = ClientSessionGroup::new();
    let start = Instant::now();
    for (name, params) in servers(path, n) {
        group.connect_to_server_as(name, params).await?;
    }
    let tools = group.tools().len();
    let took = start.elapsed();
    group.close().await;
    Ok((took, tools))
}

/// Runs the measurement and returns its JSON line.
pub(crate) async fn run(path: &str, n: usize) -> Result<Value> {
    // Warm up: the runtime's threads and allocator, one server.
    one_by_one(path, 1).await?;
    let (sequential, seq_tools) = one_by_one(path, n).await?;

    let before = rss_kib();
    let group = ClientSessionGroup::new();
    let start = Instant::now();
    let connected = group.connect_all(servers(path, n)).await;
    let tools = group.tools().len();
    let parallel = start.elapsed();
    let after = rss_kib();
    if let Some(Err(e)) = connected.iter().find(|r| r.is_err()) {
        bail!("a server failed to connect: {e}");
    }
    if tools != n || seq_tools != n {
        bail!("expected {n} tools (one per server), got {tools} and {seq_tools}");
    }
    group.close().await;
    Ok(json!({
        "servers": n,
        "sequential_connect_ms": sequential.as_secs_f64() * 1e3,
        "parallel_connect_ms": parallel.as_secs_f64() * 1e3,
        "rss_per_session_kib": after.saturating_sub(before) as f64 / n as f64,
    }))
}
