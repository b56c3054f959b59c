//! Interoperability with real MCP peers, over stdio, HTTP (`interop/http.rs`)
//! and WebSocket (`interop/websocket.rs`).
//!
//! The peers are installed, pinned, by `cargo xtask interop`, which runs these
//! tests with their paths in the environment:
//!
//! - `MCP_INTEROP_NODE`: a Node.js 22 binary;
//! - `MCP_INTEROP_EVERYTHING`: the entry point of
//!   `@modelcontextprotocol/server-everything` (the TypeScript SDK's
//!   reference server);
//! - `MCP_INTEROP_PYTHON`: the Python of a venv with the Python SDK (`mcp`),
//!   which runs `tests/interop/python_server.py` (dual-era on one stdio entry
//!   point, or initialize-era only with `--initialize-era-only`);
//! - `MCP_INTEROP_PYTHON1`: the Python of a venv with the Python SDK 1.x
//!   (`mcp` 1.30.0, the last line with a WebSocket server transport), which
//!   runs `tests/interop/python_ws_server.py`;
//! - `MCP_INTEROP_TS_SDK`: the directory of the TypeScript SDK v1 package
//!   (`@modelcontextprotocol/sdk`, the one server-everything runs on), whose
//!   example servers (`simpleTaskInteractive`: tasks of 2025-11-25) run on
//!   Node.
//!
//! The client runs in its default [`ProtocolMode::Auto`] unless a test says
//! otherwise: it probes with `server/discover` and speaks 2026-07-28 with a
//! server that answers, else falls back to `initialize`.
//!
//! Every test is `#[ignore]`d so that `cargo test` alone stays hermetic. Each
//! one is bounded by a timeout and always closes its session (which stops the
//! server's process group), then checks that the server process is gone.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use mcp_client::{
    CallOptions, ClientError, ClientSession, ClientSessionOptions, Era, IncomingMessage, ProtocolMode,
    RoundResult,
};
use mcp_transport_stdio::{stdio_client, StderrMode, StdioServerParameters};
use mcp_types::{
    version, CallToolRequest, CallToolRequestParams, CallToolResult, CompleteArgument, CompletionReference,
    ContentBlock, CreateMessageResult, ElicitRequestParams, ElicitResult, InputRequest, InputResponse,
    InputResponses, ListRootsResult, LoggingLevel, LoggingMessageNotificationParams, Prompt, PromptReference,
    ResourceContents, ResourceTemplateReference, Root, TaskSupport, Tool,
};
use serde_json::{json, Map, Value};

#[path = "interop/schema.rs"]
mod schema;

use schema::{example_arguments, example_object, expand_template, template_variables};

/// Upper bound on one whole test.
const TEST_TIMEOUT: Duration = Duration::from_secs(45);
/// Upper bound on the handshake, fallback included: a initialize_era server that
/// refuses `server/discover` must not cost the probe's whole timeout.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(8);
/// What our sampling callback answers, to be found in the tools' results.
const SAMPLED_TEXT: &str = "interop sampled answer";
const SAMPLING_MODEL: &str = "interop-model";

fn env_path(var: &str) -> Result<PathBuf> {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => Ok(PathBuf::from(v)),
        _ => bail!("{var} is not set: run these tests with `cargo xtask interop`, which installs the peers"),
    }
}

/// What the callbacks saw.
#[derive(Default)]
struct Seen {
    sampling: AtomicUsize,
    elicitation: AtomicUsize,
    roots: AtomicUsize,
    logs: Mutex<Vec<LoggingMessageNotificationParams>>,
    /// Every notification the message handler received: (method, params).
    notifications: Mutex<Vec<(String, Value)>>,
}

impl Seen {
    fn logs(&self) -> Vec<LoggingMessageNotificationParams> {
        self.logs.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The params of the notifications received with `method`.
    fn notified(&self, method: &str) -> Vec<Value> {
        self.notifications
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(m, _)| m == method)
            .map(|(_, p)| p.clone())
            .collect()
    }

    fn counts(&self) -> [usize; 3] {
        [
            self.elicitation.load(Ordering::SeqCst),
            self.sampling.load(Ordering::SeqCst),
            self.roots.load(Ordering::SeqCst),
        ]
    }
}

/// Options in `mode` whose callbacks answer every server request (or input
/// request) and count them, and whose message handler records notifications.
fn options(seen: &Arc<Seen>, mode: ProtocolMode) -> ClientSessionOptions {
    let (s1, s2, s3, s4, s5) = (
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
    );
    ClientSessionOptions::new()
        .protocol(mode)
        .read_timeout(Duration::from_secs(20))
        .discover_timeout(Duration::from_secs(5))
        .message_handler(move |message| {
            if let IncomingMessage::Notification(n) = message {
                let params = n.params_value().ok().flatten().unwrap_or(Value::Null);
                s5.notifications
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((n.method().to_owned(), params));
            }
            async {}
        })
        .sampling_callback(move |_cx, params| {
            s1.sampling.fetch_add(1, Ordering::SeqCst);
            async move {
                eprintln!("sampling request: {} message(s)", params.messages.len());
                Ok(CreateMessageResult::text(SAMPLING_MODEL, SAMPLED_TEXT))
            }
        })
        .elicitation_callback(move |_cx, params| {
            s2.elicitation.fetch_add(1, Ordering::SeqCst);
            async move {
                match params {
                    ElicitRequestParams::Form(form) => {
                        let schema = Value::Object(form.requested_schema.clone());
                        let content = obj(example_object(&schema, &schema, true));
                        eprintln!(
                            "elicitation {:?}: answering {}",
                            form.message,
                            Value::Object(content.clone())
                        );
                        Ok(ElicitResult::accept(content))
                    }
                    other => {
                        eprintln!("elicitation of another mode, declined: {other:?}");
                        Ok(ElicitResult::new(mcp_types::ElicitAction::Decline))
                    }
                }
            }
        })
        .list_roots_callback(move |_cx| {
            s3.roots.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(ListRootsResult::new(vec![
                    Root::new("file:///tmp/interop").with_name("interop")
                ]))
            }
        })
        .logging_callback(move |params| {
            s4.logs.lock().unwrap_or_else(|p| p.into_inner()).push(params);
            async {}
        })
}

/// Starts `params`, runs `body` on a session in `mode`, initialized, within
/// [`TEST_TIMEOUT`], and always closes the session, then checks the server
/// process is gone.
async fn with_server<F, Fut>(
    params: StdioServerParameters,
    seen: &Arc<Seen>,
    mode: ProtocolMode,
    body: F,
) -> Result<()>
where
    F: FnOnce(ClientSession) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let params = params.stderr(StderrMode::forward_to(|line| eprintln!("[server stderr] {line}")));
    let started = stdio_client(&params)
        .await
        .context("could not start the server")?;
    let pid = started.pid;
    let session = ClientSession::new(started.into_transport(), options(seen, mode.clone()));
    let outcome = tokio::time::timeout(TEST_TIMEOUT, async {
        let start = Instant::now();
        let init = session.initialize().await.context("initialize")?;
        let took = start.elapsed();
        eprintln!(
            "initialized ({mode:?}) in {:.2}s: server {} {}, protocol {}, era {:?}",
            took.as_secs_f64(),
            init.server_info.name,
            init.server_info.version,
            init.protocol_version,
            session.era()
        );
        ensure!(took < HANDSHAKE_LIMIT, "the handshake took {took:?}");
        body(session.clone()).await
    })
    .await
    .unwrap_or_else(|_| Err(anyhow::anyhow!("the test did not finish within {TEST_TIMEOUT:?}")));
    session.close().await;
    let gone = wait_until(Duration::from_secs(10), || !process_alive(pid)).await;
    outcome?;
    ensure!(gone, "the server process {pid} still runs after close");
    Ok(())
}

/// True while `/proc/<pid>` exists and is not a zombie.
fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > limit {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

fn texts(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(ContentBlock::as_text)
        .collect::<Vec<_>>()
        .join("\n")
}

fn first_text(contents: &[ResourceContents]) -> Option<String> {
    contents.iter().find_map(|c| match c {
        ResourceContents::Text(t) => Some(t.text.clone()),
        _ => None,
    })
}

/// Fills the arguments of `prompt` in order, each from the server's
/// completions (given the ones filled before) when it offers any, else "1".
async fn prompt_arguments(
    session: &ClientSession,
    prompt: &Prompt,
    completions: &mut usize,
) -> Result<BTreeMap<String, String>> {
    let mut args = BTreeMap::new();
    let supports = session
        .server_capabilities()
        .is_some_and(|c| c.completions.is_some());
    for arg in prompt.arguments.iter().flatten() {
        let mut value = "1".to_owned();
        if supports {
            let reference = CompletionReference::Prompt(PromptReference {
                name: prompt.name.clone(),
                title: None,
            });
            let argument = CompleteArgument {
                name: arg.name.clone(),
                value: String::new(),
            };
            let context = (!args.is_empty()).then(|| args.clone());
            let result = session
                .complete(reference, argument, context)
                .await
                .with_context(|| format!("complete {}.{}", prompt.name, arg.name))?;
            if let Some(first) = result.completion.values.first() {
                *completions += 1;
                value = first.clone();
            }
        }
        args.insert(arg.name.clone(), value);
    }
    Ok(args)
}

// ---------------------------------------------------------------------------
// server-everything

/// Waits for the tools registered after `notifications/initialized`
/// (server-everything registers the sampling, elicitation and roots tools
/// only once it knows our capabilities).
async fn everything_tools(session: &ClientSession) -> Result<Vec<Tool>> {
    let start = Instant::now();
    loop {
        let tools = session.list_all_tools().await.context("tools/list")?;
        let has = |n: &str| tools.iter().any(|t| t.name == n);
        if has("trigger-sampling-request") && has("trigger-elicitation-request") && has("get-roots-list") {
            return Ok(tools);
        }
        if start.elapsed() > Duration::from_secs(10) {
            let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
            bail!("the capability-dependent tools never appeared; tools: {names:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[path = "interop/everything.rs"]
mod everything;
#[path = "interop/http.rs"]
mod http;
#[path = "interop/python.rs"]
mod python;
#[path = "interop/tasks.rs"]
mod tasks;
#[path = "interop/websocket.rs"]
mod websocket;
