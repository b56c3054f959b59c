//! Interoperability with real MCP peers, over stdio.
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
//!   point, or initialize-era only with `--legacy-only`).
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
/// Upper bound on the handshake, fallback included: a legacy server that
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
                Ok(ListRootsResult {
                    roots: vec![Root::new("file:///tmp/interop").with_name("interop")],
                    meta: None,
                    extra: Map::new(),
                })
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
        ResourceContents::Blob(_) => None,
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn server_everything_stdio() -> Result<()> {
    let node = env_path("MCP_INTEROP_NODE")?;
    let entry = env_path("MCP_INTEROP_EVERYTHING")?;
    let params =
        StdioServerParameters::new(node.to_string_lossy()).args([entry.to_string_lossy().as_ref(), "stdio"]);
    let seen = Arc::new(Seen::default());
    let started = Instant::now();
    with_server(params, &seen, ProtocolMode::Auto, |s| {
        everything_body(s, seen.clone())
    })
    .await?;
    eprintln!(
        "server-everything: done in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn everything_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
    // A server of the initialize era only: Auto falls back to `initialize`.
    ensure!(
        session.era() == Some(Era::Initialize),
        "era {:?} against server-everything",
        session.era()
    );
    let version = session.protocol_version().context("no protocol version")?;
    ensure!(
        version::INITIALIZE_ERA.contains(&version.as_str()),
        "negotiated {version}"
    );
    session
        .set_logging_level(LoggingLevel::Debug)
        .await
        .context("logging/setLevel")?;

    // Tools: every one, with arguments from its input schema.
    let tools = everything_tools(&session).await?;
    eprintln!(
        "{} tools: {:?}",
        tools.len(),
        tools.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
    let mut progress_total = 0;
    for tool in &tools {
        let mut args = example_arguments(tool);
        match tool.name.as_str() {
            // Its default `data` is a GitHub URL; the machine may be offline,
            // so compress a data: URI instead.
            "gzip-file-as-resource" => {
                args.insert("data".into(), json!("data:text/plain;base64,aW50ZXJvcCB0ZXN0"));
                args.insert("outputType".into(), json!("resource"));
            }
            // Defaults to 10 s in 5 steps; 4 steps in 2 s keep the suite fast.
            "trigger-long-running-operation" => {
                args.insert("duration".into(), json!(2));
                args.insert("steps".into(), json!(4));
            }
            _ => {}
        }
        let progress = Arc::new(AtomicUsize::new(0));
        let p = progress.clone();
        let call = CallToolRequestParams::new(tool.name.clone()).with_arguments(args.clone());
        let options = CallOptions::new().on_progress(move |_| {
            p.fetch_add(1, Ordering::SeqCst);
        });
        let outcome = session.call_tool_with(call, options).await;
        let progress = progress.load(Ordering::SeqCst);
        progress_total += progress;
        let task_required =
            tool.execution.as_ref().and_then(|e| e.task_support.as_ref()) == Some(&TaskSupport::Required);
        if task_required {
            // We declare no `tasks` capability and call it without `task`: the
            // spec says the server must refuse (-32601); a tool-level error is
            // tolerated too.
            match &outcome {
                Err(e) => eprintln!("tool {} (task required) refused as expected: {e}", tool.name),
                Ok(r) if r.is_error() => eprintln!(
                    "tool {} (task required) failed as expected: {}",
                    tool.name,
                    texts(r)
                ),
                Ok(r) => bail!(
                    "tool {} requires tasks but answered a plain call: {r:?}",
                    tool.name
                ),
            }
            continue;
        }
        let result =
            outcome.with_context(|| format!("tools/call {} with {}", tool.name, Value::Object(args)))?;
        ensure!(
            !result.is_error(),
            "tool {} failed: {}",
            tool.name,
            texts(&result)
        );
        eprintln!(
            "tool {}: ok ({} content block(s), {progress} progress)",
            tool.name,
            result.content.len()
        );
        match tool.name.as_str() {
            "trigger-long-running-operation" => {
                ensure!(progress == 4, "expected 4 progress notifications, got {progress}")
            }
            "trigger-sampling-request" => {
                ensure!(
                    texts(&result).contains(SAMPLED_TEXT),
                    "sampling answer not in {}",
                    texts(&result)
                )
            }
            "trigger-elicitation-request" => {
                ensure!(
                    texts(&result).contains("interop@example.com"),
                    "elicited data not in {}",
                    texts(&result)
                )
            }
            "get-roots-list" => ensure!(
                texts(&result).contains("file:///tmp/interop"),
                "roots not in {}",
                texts(&result)
            ),
            "get-structured-content" => ensure!(result.structured_content.is_some(), "no structured content"),
            _ => {}
        }
    }
    ensure!(progress_total >= 4, "progress notifications: {progress_total}");
    ensure!(
        seen.sampling.load(Ordering::SeqCst) >= 1,
        "the sampling callback was never invoked"
    );
    ensure!(
        seen.elicitation.load(Ordering::SeqCst) >= 1,
        "the elicitation callback was never invoked"
    );
    ensure!(
        seen.roots.load(Ordering::SeqCst) >= 1,
        "the roots callback was never invoked"
    );

    // Resources: every listed one, every template (variables set to "1").
    let resources = session.list_all_resources().await.context("resources/list")?;
    ensure!(!resources.is_empty(), "no resources");
    let mut blobs = 0;
    for resource in &resources {
        let read = session
            .read_resource(&resource.uri)
            .await
            .with_context(|| format!("read {}", resource.uri))?;
        ensure!(!read.contents.is_empty(), "{} has no contents", resource.uri);
        blobs += read
            .contents
            .iter()
            .filter(|c| matches!(c, ResourceContents::Blob(_)))
            .count();
    }
    let templates = session
        .list_all_resource_templates()
        .await
        .context("resources/templates/list")?;
    ensure!(!templates.is_empty(), "no resource templates");
    let mut template_completions = 0;
    for template in &templates {
        let uri = expand_template(&template.uri_template, "1");
        // Completion of each template variable: must succeed; server-everything
        // completes a positive integer id to itself.
        for variable in template_variables(&template.uri_template) {
            let reference = CompletionReference::Resource(ResourceTemplateReference {
                uri: template.uri_template.clone(),
            });
            let argument = CompleteArgument {
                name: variable.clone(),
                value: "1".into(),
            };
            let completed = session
                .complete(reference, argument, None)
                .await
                .with_context(|| format!("complete {} {variable}", template.uri_template))?;
            template_completions += completed.completion.values.len();
        }
        let read = session
            .read_resource(&uri)
            .await
            .with_context(|| format!("read {uri}"))?;
        ensure!(!read.contents.is_empty(), "{uri} has no contents");
        blobs += read
            .contents
            .iter()
            .filter(|c| matches!(c, ResourceContents::Blob(_)))
            .count();
    }
    ensure!(
        template_completions >= 1,
        "no completion for any template variable"
    );
    ensure!(
        blobs >= 1,
        "no blob contents among {} resources and {} templates",
        resources.len(),
        templates.len()
    );
    eprintln!(
        "{} resources and {} templates read, {blobs} blob(s)",
        resources.len(),
        templates.len()
    );

    // Prompts: every one, arguments filled through completions.
    let prompts = session.list_all_prompts().await.context("prompts/list")?;
    ensure!(!prompts.is_empty(), "no prompts");
    let mut completions = 0;
    for prompt in &prompts {
        let args = prompt_arguments(&session, prompt, &mut completions).await?;
        let got = session
            .get_prompt(&prompt.name, (!args.is_empty()).then_some(args.clone()))
            .await
            .with_context(|| format!("prompts/get {} {args:?}", prompt.name))?;
        ensure!(!got.messages.is_empty(), "prompt {} has no messages", prompt.name);
    }
    ensure!(completions >= 1, "no completion values for any prompt argument");
    eprintln!(
        "{} prompts got, {completions} argument(s) completed",
        prompts.len()
    );

    // Logging: `toggle-simulated-logging` (called above) logs at once.
    let got_log = wait_until(Duration::from_secs(10), || !seen.logs().is_empty()).await;
    ensure!(got_log, "no log message arrived");
    eprintln!(
        "{} log message(s), first: {:?}",
        seen.logs().len(),
        seen.logs().first().map(|l| &l.data)
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Python SDK

/// Where the Python server's answers built from our callbacks' answers show.
const ELICITED_NAME: &str = "hello interop, aged 1";
const PYTHON_INSTRUCTIONS: &str = "A test server for mcp-client-rs.";

fn sampled_reply() -> String {
    format!("model {SAMPLING_MODEL} says: {SAMPLED_TEXT}")
}

/// The Python server, with `args` (e.g. `--legacy-only`).
fn python_server(args: &[&str]) -> Result<StdioServerParameters> {
    let python = env_path("MCP_INTEROP_PYTHON")?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("interop")
        .join("python_server.py");
    let mut argv = vec![script.to_string_lossy().into_owned()];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    Ok(StdioServerParameters::new(python.to_string_lossy()).args(argv))
}

async fn run_python(name: &str, args: &[&str], mode: ProtocolMode, legacy: bool) -> Result<()> {
    let seen = Arc::new(Seen::default());
    let started = Instant::now();
    let in_body = seen.clone();
    let body = |s| async move {
        if legacy {
            python_legacy_body(s, in_body).await
        } else {
            python_modern_body(s, in_body).await
        }
    };
    with_server(python_server(args)?, &seen, mode, body).await?;
    eprintln!("{name}: done in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// `ProtocolMode::Legacy` against the dual-era server: the `initialize`
/// handshake opens an initialize-era connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn python_sdk_stdio_legacy() -> Result<()> {
    run_python("python SDK, legacy mode", &[], ProtocolMode::Legacy, true).await
}

/// `ProtocolMode::Auto` against the server run initialize-era only: the
/// `server/discover` probe is refused (-32601) and the client falls back to
/// `initialize`, against a real peer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn python_sdk_stdio_legacy_only_auto() -> Result<()> {
    run_python(
        "python SDK legacy-only, auto mode",
        &["--legacy-only"],
        ProtocolMode::Auto,
        true,
    )
    .await
}

/// `ProtocolMode::Pinned("2026-07-28")` against the initialize-era-only
/// server: no fallback, the handshake fails at once with the server's
/// refusal of `server/discover`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn python_sdk_stdio_pinned_modern_refused() -> Result<()> {
    let params = python_server(&["--legacy-only"])?
        .stderr(StderrMode::forward_to(|line| eprintln!("[server stderr] {line}")));
    let started = stdio_client(&params)
        .await
        .context("could not start the server")?;
    let pid = started.pid;
    let seen = Arc::new(Seen::default());
    let mode = ProtocolMode::Pinned("2026-07-28".into());
    let session = ClientSession::new(started.into_transport(), options(&seen, mode));
    let start = Instant::now();
    let outcome = tokio::time::timeout(HANDSHAKE_LIMIT, session.initialize()).await;
    let took = start.elapsed();
    session.close().await;
    let gone = wait_until(Duration::from_secs(10), || !process_alive(pid)).await;
    eprintln!("pinned 2026-07-28 against a legacy-only server, after {took:?}: {outcome:?}");
    match outcome {
        Err(_) => bail!("the pinned handshake did not fail within {HANDSHAKE_LIMIT:?}"),
        Ok(Ok(init)) => bail!("a pinned 2026-07-28 handshake succeeded: {init:?}"),
        Ok(Err(ClientError::Server { error, .. })) if error.code == -32601 => {}
        Ok(Err(ClientError::UnsupportedProtocolVersion { .. })) => {}
        Ok(Err(e)) => bail!("unexpected error: {e}"),
    }
    ensure!(
        session.era().is_none(),
        "era {:?} after a failed handshake",
        session.era()
    );
    ensure!(gone, "the server process {pid} still runs after close");
    Ok(())
}

/// `ProtocolMode::Auto` against the dual-era server: 2026-07-28.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn python_sdk_stdio_modern() -> Result<()> {
    run_python("python SDK, auto mode (modern)", &[], ProtocolMode::Auto, false).await
}

/// The initialize era: 2025-11-25, server-to-client requests.
async fn python_legacy_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
    ensure!(session.era() == Some(Era::Initialize), "era {:?}", session.era());
    let version = session.protocol_version().context("no protocol version")?;
    println!("python SDK negotiated protocol version {version}");
    ensure!(
        version == version::LATEST_INITIALIZE_ERA,
        "negotiated {version}, expected {}",
        version::LATEST_INITIALIZE_ERA
    );
    ensure!(
        matches!(session.discover().await, Err(ClientError::NotSupported { .. })),
        "server/discover on an initialize-era session"
    );
    session.send_ping().await.context("ping (initialize era)")?;
    session
        .set_logging_level(LoggingLevel::Debug)
        .await
        .context("logging/setLevel")?;

    let tools = python_tools(&session).await?;
    python_plain_tools(&session, &tools).await?;

    // Progress (and log messages) during a call.
    python_progress(&session).await?;
    let logged = wait_until(Duration::from_secs(5), || seen.logs().len() >= 3).await;
    ensure!(logged, "log messages: {:?}", seen.logs());

    // Elicitation: our answer (from the requested schema) reaches the result.
    let asked = session.call_tool("ask_name", None).await.context("ask_name")?;
    ensure!(
        seen.counts() == [1, 0, 0],
        "callbacks (e, s, r): {:?}",
        seen.counts()
    );
    ensure!(texts(&asked) == ELICITED_NAME, "ask_name: {}", texts(&asked));

    // Sampling: our model's answer reaches the result.
    let summary = session
        .call_tool("summarize", Some(obj(json!({"text": "a long text"}))))
        .await
        .context("summarize")?;
    ensure!(
        seen.counts() == [1, 1, 0],
        "callbacks (e, s, r): {:?}",
        seen.counts()
    );
    ensure!(
        texts(&summary) == sampled_reply(),
        "summarize: {}",
        texts(&summary)
    );

    // The same through resolvers, which the SDK serves with standalone
    // server-to-client requests in this era.
    python_resolved_tools(&session, &seen).await?;
    ensure!(
        seen.counts() == [2, 2, 0],
        "callbacks (e, s, r): {:?}",
        seen.counts()
    );

    python_resources(&session).await?;
    python_review_prompt(&session).await?;
    ensure!(
        seen.counts()[2] == 0,
        "the Python server asked for roots unexpectedly"
    );
    Ok(())
}

/// The stateless era: 2026-07-28 over stdio, input through
/// `InputRequiredResult` rounds, subscriptions through `subscriptions/listen`.
async fn python_modern_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
    // Discovery.
    ensure!(session.era() == Some(Era::Stateless), "era {:?}", session.era());
    let negotiated = session.negotiated().context("nothing negotiated")?;
    ensure!(
        negotiated.protocol_version == "2026-07-28",
        "negotiated {}",
        negotiated.protocol_version
    );
    ensure!(
        negotiated.server_info.name == "python-interop" && negotiated.server_info.version == "2.3.0",
        "server info {:?}",
        negotiated.server_info
    );
    ensure!(
        negotiated.instructions.as_deref() == Some(PYTHON_INSTRUCTIONS),
        "instructions {:?}",
        negotiated.instructions
    );
    let caps = &negotiated.capabilities;
    ensure!(
        caps.tools.as_ref().and_then(|t| t.list_changed) == Some(true)
            && caps.prompts.is_some()
            && caps.completions.is_some()
            && caps.resources.as_ref().and_then(|r| r.subscribe) == Some(true),
        "capabilities {caps:?}"
    );
    let discovered = session.discover().await.context("server/discover")?;
    ensure!(
        discovered.supported_versions.iter().any(|v| v == "2026-07-28"),
        "supportedVersions {:?}",
        discovered.supported_versions
    );

    // `ping` does not exist in 2026-07-28.
    match session.send_ping().await {
        Err(ClientError::NotSupported { method, .. }) if method == "ping" => {}
        other => bail!("send_ping in the stateless era: {other:?}"),
    }

    let tools = python_tools(&session).await?;
    python_plain_tools(&session, &tools).await?;

    // Logging is per request (`_meta.logLevel`): none without it, none below
    // the level asked, all at debug.
    python_progress(&session).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    ensure!(seen.logs().is_empty(), "logs without logLevel: {:?}", seen.logs());
    session
        .set_logging_level(LoggingLevel::Warning)
        .await
        .context("set_logging_level(warning)")?;
    python_progress(&session).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    ensure!(seen.logs().is_empty(), "info logs at warning: {:?}", seen.logs());
    session
        .set_logging_level(LoggingLevel::Debug)
        .await
        .context("set_logging_level(debug)")?;
    python_progress(&session).await?;
    let logged = wait_until(Duration::from_secs(5), || seen.logs().len() >= 3).await;
    ensure!(logged, "log messages at debug: {:?}", seen.logs());
    ensure!(seen.logs().len() == 3, "log messages: {:?}", seen.logs());

    // `ctx.elicit` sends a server-to-client request, which the modern era
    // forbids: the SDK fails the tool (and nothing reaches our callbacks).
    let direct = session.call_tool("ask_name", None).await;
    eprintln!("ask_name (ctx.elicit) in the stateless era: {direct:?}");
    ensure!(
        direct.as_ref().map_or(true, |r| r.is_error()),
        "ask_name succeeded without input: {direct:?}"
    );
    ensure!(
        seen.counts() == [0, 0, 0],
        "callbacks (e, s, r): {:?}",
        seen.counts()
    );

    // Multi round-trip requests, answered through the same callbacks.
    python_resolved_tools(&session, &seen).await?;
    ensure!(
        seen.counts() == [1, 1, 0],
        "callbacks (e, s, r): {:?}",
        seen.counts()
    );
    let trip = session.call_tool("plan_trip", None).await.context("plan_trip")?;
    ensure!(
        texts(&trip) == format!("trip to interop: {SAMPLED_TEXT} (roots file:///tmp/interop)"),
        "plan_trip: {}",
        texts(&trip)
    );
    ensure!(
        seen.counts() == [2, 2, 1],
        "callbacks (e, s, r): {:?}",
        seen.counts()
    );
    python_plan_trip_rounds(&session).await?;

    // A prompt and a resource template that ask for input themselves.
    let greeting = session
        .get_prompt("greet_user", None)
        .await
        .context("greet_user")?;
    let message = serde_json::to_value(&greeting.messages).context("prompt messages")?;
    ensure!(
        message.to_string().contains("Please greet interop warmly."),
        "greet_user: {message}"
    );
    ensure!(
        seen.counts() == [3, 2, 1],
        "callbacks (e, s, r): {:?}",
        seen.counts()
    );
    let vault = session
        .read_resource("vault://gold")
        .await
        .context("vault://gold")?;
    ensure!(
        first_text(&vault.contents).as_deref() == Some("gold revealed: True"),
        "vault: {vault:?}"
    );
    ensure!(
        seen.counts() == [4, 2, 1],
        "callbacks (e, s, r): {:?}",
        seen.counts()
    );

    python_resources(&session).await?;
    python_review_prompt(&session).await?;
    python_subscriptions(&session, &seen).await?;
    Ok(())
}

/// `tools/list`: the tools both eras expect.
async fn python_tools(session: &ClientSession) -> Result<Vec<Tool>> {
    let tools = session.list_all_tools().await.context("tools/list")?;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    for expected in [
        "add",
        "weather",
        "slow_count",
        "ask_name",
        "summarize",
        "ask_name_resolved",
        "summarize_resolved",
        "plan_trip",
    ] {
        ensure!(
            names.contains(&expected),
            "tool {expected} missing from {names:?}"
        );
    }
    Ok(tools)
}

/// Plain text and structured output.
async fn python_plain_tools(session: &ClientSession, tools: &[Tool]) -> Result<()> {
    let add = session
        .call_tool("add", Some(obj(json!({"a": 2, "b": 40}))))
        .await
        .context("add")?;
    ensure!(!add.is_error() && texts(&add) == "42", "add: {add:?}");

    // Structured output, validated by the client against the outputSchema.
    let weather_tool = tools.iter().find(|t| t.name == "weather").context("weather")?;
    ensure!(
        weather_tool.output_schema.is_some(),
        "weather has no outputSchema"
    );
    let weather = session
        .call_tool("weather", Some(obj(json!({"city": "Lyon"}))))
        .await
        .context("weather")?;
    let structured = weather
        .structured_content
        .as_ref()
        .context("weather: no structuredContent")?;
    ensure!(
        structured["city"] == "Lyon" && structured["temperature"] == 21.5,
        "weather: {structured}"
    );
    Ok(())
}

/// `slow_count`: three progress notifications reach the call's callback.
async fn python_progress(session: &ClientSession) -> Result<()> {
    let progress = Arc::new(Mutex::new(Vec::new()));
    let p = progress.clone();
    let options =
        CallOptions::new().on_progress(move |n| p.lock().unwrap_or_else(|e| e.into_inner()).push(n.progress));
    let call = CallToolRequestParams::new("slow_count").with_arguments(obj(json!({"steps": 3})));
    let counted = session
        .call_tool_with(call, options)
        .await
        .context("slow_count")?;
    ensure!(texts(&counted) == "counted to 3", "slow_count: {counted:?}");
    let progress = progress.lock().unwrap_or_else(|e| e.into_inner()).clone();
    ensure!(progress == [1.0, 2.0, 3.0], "progress: {progress:?}");
    Ok(())
}

/// Tools whose input comes through `Resolve(...)`: one elicitation, one
/// sampling.
async fn python_resolved_tools(session: &ClientSession, seen: &Seen) -> Result<()> {
    let before = seen.counts();
    let asked = session
        .call_tool("ask_name_resolved", None)
        .await
        .context("ask_name_resolved")?;
    ensure!(
        texts(&asked) == ELICITED_NAME,
        "ask_name_resolved: {}",
        texts(&asked)
    );
    let summary = session
        .call_tool("summarize_resolved", Some(obj(json!({"text": "a long text"}))))
        .await
        .context("summarize_resolved")?;
    ensure!(
        texts(&summary) == sampled_reply(),
        "summarize_resolved: {}",
        texts(&summary)
    );
    let after = seen.counts();
    ensure!(
        after[0] == before[0] + 1 && after[1] == before[1] + 1,
        "callbacks (e, s, r) {before:?} -> {after:?}"
    );
    Ok(())
}

/// `plan_trip` driven round by round with `request_once`: round 1 asks for
/// the destination and the roots together, round 2 for sampling about the
/// elicited city (a resolver depending on another), then the result.
async fn python_plan_trip_rounds(session: &ClientSession) -> Result<()> {
    let params = CallToolRequestParams::new("plan_trip");
    let mut input: Option<(InputResponses, Option<String>)> = None;
    let mut asked = Vec::new();
    for _ in 0..4 {
        let round = session
            .request_once::<CallToolRequest>(
                &params,
                input.as_ref().map(|(r, s)| (r, s.as_deref())),
                CallOptions::new(),
            )
            .await
            .context("plan_trip round")?;
        let required = match round {
            RoundResult::Complete(result) => {
                ensure!(
                    texts(&result) == "trip to Oslo: fjords (roots file:///srv)",
                    "plan_trip by hand: {}",
                    texts(&result)
                );
                let expected = [
                    vec!["elicitation/create", "roots/list"],
                    vec!["sampling/createMessage"],
                ];
                ensure!(asked == expected, "rounds asked {asked:?}");
                return Ok(());
            }
            RoundResult::InputRequired(required) => required,
            other => bail!("plan_trip: {other:?}"),
        };
        ensure!(
            required.request_state.is_some(),
            "no requestState in {required:?}"
        );
        let requests = required.input_requests.clone().unwrap_or_default();
        let mut methods = Vec::new();
        let mut responses = InputResponses::new();
        for (key, request) in requests {
            let response = match request {
                InputRequest::Elicitation(_) => {
                    methods.push("elicitation/create");
                    InputResponse::Elicitation(ElicitResult::accept(obj(json!({"city": "Oslo"}))))
                }
                InputRequest::ListRoots(_) => {
                    methods.push("roots/list");
                    InputResponse::ListRoots(ListRootsResult {
                        roots: vec![Root::new("file:///srv")],
                        meta: None,
                        extra: Map::new(),
                    })
                }
                InputRequest::CreateMessage(p) => {
                    methods.push("sampling/createMessage");
                    let asked_about = serde_json::to_string(&p.messages)?;
                    ensure!(
                        asked_about.contains("Advice for Oslo?"),
                        "sampling request {asked_about}"
                    );
                    InputResponse::CreateMessage(CreateMessageResult::text(SAMPLING_MODEL, "fjords"))
                }
                other => bail!("unexpected input request {other:?}"),
            };
            responses.insert(key, response);
        }
        methods.sort_unstable();
        asked.push(methods);
        input = Some((responses, required.request_state));
    }
    bail!("plan_trip did not complete in 3 rounds; asked {asked:?}")
}

/// Resources and templates.
async fn python_resources(session: &ClientSession) -> Result<()> {
    let resources = session.list_all_resources().await.context("resources/list")?;
    ensure!(
        resources.iter().any(|r| r.uri == "config://app"),
        "resources: {resources:?}"
    );
    let config = session
        .read_resource("config://app")
        .await
        .context("read config://app")?;
    ensure!(
        first_text(&config.contents).as_deref() == Some(r#"{"feature": true}"#),
        "config: {config:?}"
    );
    let templates = session.list_all_resource_templates().await.context("templates")?;
    ensure!(
        templates.iter().any(|t| t.uri_template == "greeting://{name}"),
        "templates: {templates:?}"
    );
    let hello = session
        .read_resource("greeting://rust")
        .await
        .context("read greeting://rust")?;
    ensure!(
        first_text(&hello.contents).as_deref() == Some("Hello, rust!"),
        "greeting: {hello:?}"
    );
    Ok(())
}

/// Prompts and completions.
async fn python_review_prompt(session: &ClientSession) -> Result<()> {
    let prompts = session.list_all_prompts().await.context("prompts/list")?;
    let review = prompts
        .iter()
        .find(|p| p.name == "review_code")
        .context("review_code missing")?;
    let required: Vec<_> = review
        .arguments
        .iter()
        .flatten()
        .filter(|a| a.required == Some(true))
        .collect();
    ensure!(
        required.len() == 1 && required[0].name == "code",
        "review_code arguments: {:?}",
        review.arguments
    );
    let reference = CompletionReference::Prompt(PromptReference {
        name: "review_code".into(),
        title: None,
    });
    let argument = CompleteArgument {
        name: "language".into(),
        value: "p".into(),
    };
    let completed = session
        .complete(reference, argument, None)
        .await
        .context("completion/complete")?;
    ensure!(
        completed.completion.values == ["python", "perl", "php"],
        "completion: {:?}",
        completed.completion
    );
    let args = BTreeMap::from([
        ("code".to_owned(), "fn main() {}".to_owned()),
        ("language".to_owned(), "rust".to_owned()),
    ]);
    let got = session
        .get_prompt("review_code", Some(args))
        .await
        .context("prompts/get")?;
    let message = serde_json::to_value(&got.messages).context("prompt messages")?;
    ensure!(
        message.to_string().contains("Please review this rust code"),
        "prompt: {message}"
    );
    Ok(())
}

/// `subscriptions/listen`: a resource subscription and its update, and a
/// tools/list_changed that makes the cached tool list stale.
async fn python_subscriptions(session: &ClientSession, seen: &Seen) -> Result<()> {
    session
        .subscribe_resource("config://app")
        .await
        .context("subscribe_resource (subscriptions/listen)")?;
    // The session saw the acknowledgement before it returned; the message
    // handler gets it right after.
    let acked = || {
        seen.notified("notifications/subscriptions/acknowledged")
            .iter()
            .any(|a| a["notifications"]["resourceSubscriptions"] == json!(["config://app"]))
    };
    ensure!(
        wait_until(Duration::from_secs(2), acked).await,
        "acknowledgements: {:?}",
        seen.notified("notifications/subscriptions/acknowledged")
    );
    session
        .call_tool("touch_config", None)
        .await
        .context("touch_config")?;
    let updated = || {
        seen.notified("notifications/resources/updated")
            .iter()
            .any(|p| p["uri"] == "config://app")
    };
    ensure!(
        wait_until(Duration::from_secs(5), updated).await,
        "no notifications/resources/updated for config://app; notifications: {:?}",
        seen.notifications.lock().unwrap_or_else(|p| p.into_inner())
    );

    // `tools/list` is fresh for 60 s (ttlMs); the list_changed notification
    // from the listen stream must invalidate it.
    let before = session.list_all_tools().await.context("tools/list")?;
    ensure!(
        !before.iter().any(|t| t.name == "late_tool"),
        "late_tool already there"
    );
    session
        .call_tool("add_tool", Some(obj(json!({"name": "late_tool"}))))
        .await
        .context("add_tool")?;
    let changed = || !seen.notified("notifications/tools/list_changed").is_empty();
    ensure!(
        wait_until(Duration::from_secs(5), changed).await,
        "no notifications/tools/list_changed"
    );
    let after = session
        .list_all_tools()
        .await
        .context("tools/list after change")?;
    ensure!(
        after.iter().any(|t| t.name == "late_tool"),
        "late_tool missing after tools/list_changed: the cached list was served"
    );
    let late = session.call_tool("late_tool", None).await.context("late_tool")?;
    ensure!(texts(&late) == "added", "late_tool: {late:?}");

    // Unsubscribed: the listen request is replaced by one without the URI,
    // and no update reaches us any more.
    session
        .unsubscribe_resource("config://app")
        .await
        .context("unsubscribe_resource")?;
    let resubscribed = || {
        seen.notified("notifications/subscriptions/acknowledged")
            .last()
            .is_some_and(|a| a["notifications"].get("resourceSubscriptions").is_none())
    };
    ensure!(
        wait_until(Duration::from_secs(5), resubscribed).await,
        "acknowledgements after unsubscribing: {:?}",
        seen.notified("notifications/subscriptions/acknowledged")
    );
    let updates = seen.notified("notifications/resources/updated").len();
    session
        .call_tool("touch_config", None)
        .await
        .context("touch_config after unsubscribing")?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let late = seen.notified("notifications/resources/updated");
    ensure!(
        late.len() == updates,
        "updates after unsubscribing: {:?}",
        &late[updates..]
    );
    Ok(())
}

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
