//! `mcp-bench decode`: what it costs to turn one `tools/call` response line
//! into a `CallToolResult`, in process.
//!
//! - (i) ours: `Message::from_slice` (the envelope, with `result` kept as a
//!   `RawValue`) then `serde_json::from_str::<CallToolResult>` of the raw
//!   result, as `mcp-jsonrpc` and `mcp-client` do;
//! - (ii) baseline: a plain `serde_json::from_slice::<Value>` of the line;
//! - (iii) the `Value` detour other SDKs take: parse into a `Value`, then
//!   `serde_json::from_value::<CallToolResult>` of its `result`;
//! - and, to split (i), its first step alone: `Message::from_slice`.
//!
//! Cases run interleaved, batch by batch, so that noise hits them alike; each
//! figure is the median over batches.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use mcp_jsonrpc::Message;
use mcp_types::{CallToolResult, ContentBlock};
use serde_json::{json, Value};

/// Time each case runs in total (about).
const BUDGET_PER_CASE: Duration = Duration::from_millis(1500);
/// Time one batch of a case runs (about).
const BATCH: Duration = Duration::from_millis(25);

/// A response line to `tools/call` whose text content is `text_len` bytes.
fn response_line(text_len: usize) -> Vec<u8> {
    let words = [
        "lorem",
        "ipsum",
        "dolor",
        "sit",
        "amet,",
        "\"quoted\"",
        "consectetur",
        "adipiscing",
        "élit",
        "sed",
        "do",
        "eiusmod",
        "tempor\t",
    ];
    let mut text = String::with_capacity(text_len + 16);
    let mut col = 0;
    for w in words.iter().cycle() {
        if text.len() >= text_len {
            break;
        }
        text.push_str(w);
        col += w.len() + 1;
        if col > 72 {
            text.push('\n');
            col = 0;
        } else {
            text.push(' ');
        }
    }
    while text.len() > text_len {
        text.pop();
    }
    let line = json!({
        "jsonrpc": "2.0",
        "id": 42,
        "result": {"content": [{"type": "text", "text": text}], "isError": false},
    });
    serde_json::to_vec(&line).unwrap_or_default()
}

fn ours(bytes: &[u8]) -> CallToolResult {
    match Message::from_slice(bytes) {
        Ok(Message::Response(r)) => serde_json::from_str(r.result.get()).expect("a CallToolResult"),
        other => panic!("not a response: {other:?}"),
    }
}

fn envelope(bytes: &[u8]) -> Message {
    Message::from_slice(bytes).expect("a message")
}

fn plain(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("valid JSON")
}

fn detour(bytes: &[u8]) -> CallToolResult {
    let mut value: Value = serde_json::from_slice(bytes).expect("valid JSON");
    serde_json::from_value(value["result"].take()).expect("a CallToolResult")
}

/// How many calls of `f` make one batch of about [`BATCH`].
fn batch_size(f: &mut dyn FnMut()) -> u64 {
    let mut n = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        let took = start.elapsed();
        if took >= BATCH || n >= 1 << 30 {
            let per = took.as_secs_f64() / n as f64;
            return ((BATCH.as_secs_f64() / per.max(1e-12)) as u64).max(1);
        }
        n *= 2;
    }
}

/// Median ns per call of each case, batches interleaved across cases.
fn measure(cases: &mut [Box<dyn FnMut() + '_>]) -> Vec<f64> {
    let sizes: Vec<u64> = cases.iter_mut().map(|f| batch_size(&mut **f)).collect();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    let deadline = Instant::now() + BUDGET_PER_CASE * cases.len() as u32;
    while samples[0].len() < 5 || Instant::now() < deadline {
        for ((f, &n), s) in cases.iter_mut().zip(&sizes).zip(samples.iter_mut()) {
            let start = Instant::now();
            for _ in 0..n {
                f();
            }
            s.push(start.elapsed().as_nanos() as f64 / n as f64);
        }
    }
    samples.into_iter().map(median).collect()
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn text_of(r: &CallToolResult) -> Option<&str> {
    match r.content.first() {
        Some(ContentBlock::Text(t)) => Some(&t.text),
        _ => None,
    }
}

/// Runs the decode benchmark and prints its table.
pub(crate) fn run() -> Result<()> {
    println!("== decode: one tools/call response line -> CallToolResult (in process; median of batches)");
    for (label, text_len) in [("1 KiB", 1024), ("1 MiB", 1024 * 1024)] {
        let line = response_line(text_len);
        // The three paths must agree before they are timed.
        let (a, c) = (ours(&line), detour(&line));
        if text_of(&a).map(str::len) != Some(text_len) || text_of(&a) != text_of(&c) {
            bail!("decode paths disagree on the {label} line");
        }
        let bytes = line.as_slice();
        let mut cases: Vec<Box<dyn FnMut() + '_>> = vec![
            Box::new(move || drop(black_box(plain(black_box(bytes))))),
            Box::new(move || drop(black_box(ours(black_box(bytes))))),
            Box::new(move || drop(black_box(detour(black_box(bytes))))),
            Box::new(move || drop(black_box(envelope(black_box(bytes))))),
        ];
        let ns = measure(&mut cases);
        println!(
            "\n  text {label} (line {} bytes)          time/op      MB/s   vs (ii)",
            line.len()
        );
        let names = [
            "(ii)  baseline: from_slice::<Value>     ",
            "(i)   ours: Message + RawValue -> typed ",
            "(iii) Value detour: Value -> from_value ",
            "      of (i), envelope only: from_slice ",
        ];
        for (name, &t) in names.iter().zip(&ns) {
            let mbs = line.len() as f64 / t * 1e3;
            println!("  {name} {:>11}  {mbs:>8.1}   {:>5.2}x", fmt_ns(t), t / ns[0]);
        }
    }
    println!("\n  (vs (ii): time relative to a plain Value parse of the same bytes; lower is faster)");
    Ok(())
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 10_000.0 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}
