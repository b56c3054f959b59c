//! Round-trip throughput of the peer engine over `memory_pair`, with a small
//! self-made harness: `cargo bench -p mcp-jsonrpc --bench engine`.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_util::stream::{FuturesUnordered, StreamExt};
use mcp_jsonrpc::{
    memory_pair, to_raw, ErrorObject, Handler, InboundContext, NoHandler, Peer, PeerConfig, RawValue,
    Request, RequestOptions,
};

/// Answers every request with its params.
struct Echo;

#[async_trait]
impl Handler for Echo {
    async fn handle_request(
        &self,
        request: Request,
        _cx: InboundContext,
    ) -> Result<Box<RawValue>, ErrorObject> {
        match request.params {
            Some(p) => Ok(p),
            None => to_raw(&()).map_err(|e| ErrorObject::new(-32603, e.to_string())),
        }
    }
}

fn report(name: &str, ops: usize, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{name}: {:.0} ops/s, mean {:.2} µs/op ({ops} ops in {:.2} s)",
        ops as f64 / secs,
        secs * 1e6 / ops as f64,
        secs
    );
}

fn params() -> Box<RawValue> {
    to_raw(&serde_json::json!({"name": "echo", "arguments": {"text": "hello", "n": 42}})).expect("encodes")
}

async fn sequential(client: &Peer, n: usize) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        client
            .request_raw("echo", Some(params()), RequestOptions::default())
            .await
            .expect("round trip");
    }
    start.elapsed()
}

async fn in_flight(client: &Peer, total: usize, window: usize) -> Duration {
    let start = Instant::now();
    let mut running = FuturesUnordered::new();
    let mut sent = 0;
    while sent < total.min(window) {
        running.push(client.request_raw("echo", Some(params()), RequestOptions::default()));
        sent += 1;
    }
    while let Some(result) = running.next().await {
        result.expect("round trip");
        if sent < total {
            running.push(client.request_raw("echo", Some(params()), RequestOptions::default()));
            sent += 1;
        }
    }
    start.elapsed()
}

async fn spawned_in_flight(client: &Peer, total: usize, window: usize) -> Duration {
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let per_task = total / window;
    for _ in 0..window {
        let client = client.clone();
        set.spawn(async move {
            for _ in 0..per_task {
                client
                    .request_raw("echo", Some(params()), RequestOptions::default())
                    .await
                    .expect("round trip");
            }
        });
    }
    while let Some(done) = set.join_next().await {
        done.expect("task");
    }
    start.elapsed()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (a, b) = memory_pair(256);
        let client = Peer::start(a, Arc::new(NoHandler), PeerConfig::default());
        let _server = Peer::start(
            b,
            Arc::new(Echo),
            PeerConfig::default().max_concurrent_inbound(256),
        );
        // Warm up.
        sequential(&client, 2_000).await;
        in_flight(&client, 10_000, 64).await;

        let n = 20_000;
        report("sequential round trip", n, sequential(&client, n).await);
        let n = 100_000;
        report(
            "64 in flight (one task, FuturesUnordered)",
            n,
            in_flight(&client, n, 64).await,
        );
        report(
            "64 in flight (64 tasks)",
            n,
            spawned_in_flight(&client, n, 64).await,
        );
    });
}
