//! The same peers over HTTP: server-everything in its Streamable HTTP and
//! HTTP+SSE modes, the Python SDK over Streamable HTTP in both eras.
//!
//! Each test starts its server on a loopback port picked at run time, in its
//! own process group, owned by a [`ServerProcess`] guard whose `Drop` kills
//! the group (so a failing or timed-out test leaves nothing behind).
//!
//! The bodies are HTTP versions of the stdio ones (`everything.rs`,
//! `python.rs`), which are private to their modules; the checks that only
//! make sense over HTTP (session id, `MCP-Protocol-Version` and `Mcp-Method`
//! headers as the server saw them, the HTTP+SSE fallback) are added.

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};

use mcp_transport_http::{
    sse_client, streamablehttp_client, HttpTransportMode, SseServerParameters, StreamableHttpParameters,
};

#[allow(clippy::wildcard_imports)]
use super::*;

/// Bound on a server's start (port accepting connections).
const START_LIMIT: Duration = Duration::from_secs(20);

/// A loopback port free right now (bound, then released).
pub(super) fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("bind 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A server process in its own process group; dropping it kills the group.
pub(super) struct ServerProcess {
    name: String,
    child: Child,
    port: u16,
}

impl ServerProcess {
    /// Starts `program args` with `env`, its output forwarded line by line to
    /// the test's stderr, and waits (bounded) until `port` accepts.
    pub(super) async fn start(
        name: &str,
        program: &std::path::Path,
        args: &[String],
        env: &[(&str, String)],
        port: u16,
    ) -> Result<Self> {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new(program);
        cmd.args(args)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("could not start {name} ({})", program.display()))?;
        forward(name, child.stdout.take());
        forward(name, child.stderr.take());
        let mut server = ServerProcess {
            name: name.to_owned(),
            child,
            port,
        };
        let start = Instant::now();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                eprintln!(
                    "{name} accepts on port {port} after {:.2}s",
                    start.elapsed().as_secs_f64()
                );
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                bail!("{name} exited before accepting on port {port}: {status}");
            }
            if start.elapsed() > START_LIMIT {
                bail!("{name} did not accept on port {port} within {START_LIMIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub(super) fn port(&self) -> u16 {
        self.port
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process group and reaps the leader.
    fn kill(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("{}: killed", self.name);
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn forward(name: &str, pipe: Option<impl Read + Send + 'static>) {
    let Some(pipe) = pipe else { return };
    let name = name.to_owned();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            match line {
                Ok(line) => eprintln!("[{name}] {line}"),
                Err(_) => break,
            }
        }
    });
}

/// Runs `body` on a session over `transport` in `mode`, initialized, within
/// [`TEST_TIMEOUT`]; always closes the session, then kills the server and
/// checks that it is gone.
pub(super) async fn with_http<F, Fut>(
    server: ServerProcess,
    transport: mcp_jsonrpc::Transport,
    seen: &Arc<Seen>,
    mode: ProtocolMode,
    body: F,
) -> Result<()>
where
    F: FnOnce(ClientSession) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    with_http_options(server, transport, options(seen, mode), body).await
}

/// [`with_http`] with the session's options given.
pub(super) async fn with_http_options<F, Fut>(
    mut server: ServerProcess,
    transport: mcp_jsonrpc::Transport,
    options: ClientSessionOptions,
    body: F,
) -> Result<()>
where
    F: FnOnce(ClientSession) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let mode = options.protocol.clone();
    let session = ClientSession::new(transport, options);
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
    let closing = Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(15), session.close()).await;
    eprintln!("session closed in {:.2}s", closing.elapsed().as_secs_f64());
    let pid = server.pid();
    server.kill();
    let gone = wait_until(Duration::from_secs(10), || !process_alive(pid)).await;
    outcome?;
    ensure!(closed.is_ok(), "closing the session took over 15 s");
    ensure!(gone, "the server process {pid} still runs");
    Ok(())
}

// ---------------------------------------------------------------------------
// server-everything

async fn everything_server(mode: &str) -> Result<ServerProcess> {
    let node = env_path("MCP_INTEROP_NODE")?;
    let entry = env_path("MCP_INTEROP_EVERYTHING")?;
    let port = free_port()?;
    // Both transports/streamableHttp.js and transports/sse.js listen on
    // `process.env.PORT || 3001`.
    ServerProcess::start(
        &format!("everything {mode}"),
        &node,
        &[entry.to_string_lossy().into_owned(), mode.to_owned()],
        &[("PORT", port.to_string())],
        port,
    )
    .await
}

/// server-everything `streamableHttp` (`/mcp`), transport Auto: the
/// `server/discover` probe is refused (400, no session), the client falls
/// back to `initialize` on Streamable HTTP (not HTTP+SSE); then every tool,
/// resource, template and prompt, with sampling, elicitation and roots asked
/// by the server over the SSE streams.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn server_everything_streamable_http() -> Result<()> {
    let started = Instant::now();
    let server = everything_server("streamableHttp").await?;
    let params = StreamableHttpParameters::new(server.url("/mcp"))
        .transport(HttpTransportMode::Auto)
        .timeout(Duration::from_secs(20));
    let transport = streamablehttp_client(&params)
        .await
        .context("streamablehttp_client")?;
    let seen = Arc::new(Seen::default());
    with_http(server, transport, &seen, ProtocolMode::Auto, |s| {
        everything_http_body(s, seen.clone())
    })
    .await?;
    eprintln!(
        "server-everything streamableHttp: done in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The same checks as over stdio (`everything::everything_body`), plus a
/// ping: every tool, resources, prompts, callbacks, progress, logging.
async fn everything_http_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
    session.send_ping().await.context("ping")?;
    super::everything::everything_body(session, seen).await
}

/// server-everything `sse` (GET `/sse`, POST `/message?sessionId=…`), once
/// through `streamablehttp_client` in Auto mode on the `/sse` URL (the
/// `initialize` POST to `/sse` gets express's 404, so the transport falls
/// back to HTTP+SSE on the same URL), once through `sse_client`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn server_everything_sse() -> Result<()> {
    let started = Instant::now();
    // A fresh origin (new port): nothing cached, so Auto really detects.
    let server = everything_server("sse").await?;
    let url = server.url("/sse");
    let params = StreamableHttpParameters::new(&url)
        .transport(HttpTransportMode::Auto)
        .timeout(Duration::from_secs(20));
    let transport = streamablehttp_client(&params)
        .await
        .context("streamablehttp_client")?;
    let seen = Arc::new(Seen::default());
    with_http(server, transport, &seen, ProtocolMode::Auto, |s| {
        everything_sse_body(s, seen.clone())
    })
    .await
    .context("Auto on the /sse URL (HTTP+SSE fallback)")?;
    eprintln!(
        "server-everything sse, Auto fallback: done in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let server = everything_server("sse").await?;
    let params = SseServerParameters::new(server.url("/sse")).timeout(Duration::from_secs(20));
    let transport = sse_client(&params).await.context("sse_client")?;
    let seen = Arc::new(Seen::default());
    with_http(server, transport, &seen, ProtocolMode::Auto, |s| {
        everything_sse_body(s, seen.clone())
    })
    .await
    .context("sse_client")?;
    eprintln!(
        "server-everything sse, sse_client: done in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn everything_sse_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
    ensure!(session.era() == Some(Era::Initialize), "era {:?}", session.era());
    let version = session.protocol_version().context("no protocol version")?;
    ensure!(
        version::INITIALIZE_ERA.contains(&version.as_str()),
        "negotiated {version}"
    );
    session.send_ping().await.context("ping")?;
    let tools = everything_tools(&session).await?;
    ensure!(tools.iter().any(|t| t.name == "echo"), "no echo tool");
    let echo = session
        .call_tool("echo", Some(obj(json!({"message": "over sse"}))))
        .await
        .context("echo")?;
    ensure!(texts(&echo).contains("over sse"), "echo: {}", texts(&echo));

    let sampled = session
        .call_tool(
            "trigger-sampling-request",
            Some(obj(json!({"prompt": "hello", "maxTokens": 20}))),
        )
        .await
        .context("trigger-sampling-request")?;
    ensure!(
        texts(&sampled).contains(SAMPLED_TEXT),
        "sampling answer not in {}",
        texts(&sampled)
    );
    ensure!(seen.counts()[1] == 1, "callbacks (e, s, r): {:?}", seen.counts());

    let resources = session.list_all_resources().await.context("resources/list")?;
    let first = resources.first().context("no resources")?;
    let read = session
        .read_resource(&first.uri)
        .await
        .with_context(|| format!("read {}", first.uri))?;
    ensure!(!read.contents.is_empty(), "{} has no contents", first.uri);

    let prompts = session.list_all_prompts().await.context("prompts/list")?;
    let simple = prompts
        .iter()
        .find(|p| p.arguments.as_ref().is_none_or(Vec::is_empty))
        .context("no prompt without arguments")?;
    let got = session
        .get_prompt(&simple.name, None)
        .await
        .with_context(|| format!("prompts/get {}", simple.name))?;
    ensure!(!got.messages.is_empty(), "prompt {} has no messages", simple.name);
    Ok(())
}

// ---------------------------------------------------------------------------
// Python SDK

const ELICITED_NAME: &str = "hello interop, aged 1";

async fn python_http_server() -> Result<ServerProcess> {
    let python = env_path("MCP_INTEROP_PYTHON")?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("interop")
        .join("python_server.py");
    let port = free_port()?;
    ServerProcess::start(
        "python --http",
        &python,
        &[
            script.to_string_lossy().into_owned(),
            "--http".into(),
            port.to_string(),
        ],
        &[],
        port,
    )
    .await
}

async fn run_python_http(name: &str, mode: ProtocolMode, initialize_era: bool) -> Result<()> {
    let started = Instant::now();
    let server = python_http_server().await?;
    let params = StreamableHttpParameters::new(server.url("/mcp"))
        .transport(HttpTransportMode::Auto)
        .timeout(Duration::from_secs(20));
    let transport = streamablehttp_client(&params)
        .await
        .context("streamablehttp_client")?;
    let seen = Arc::new(Seen::default());
    let in_body = seen.clone();
    let body = |s| async move {
        if initialize_era {
            python_http_initialize_era_body(s, in_body).await
        } else {
            python_http_stateless_body(s, in_body).await
        }
    };
    with_http(server, transport, &seen, mode, body).await?;
    eprintln!("{name}: done in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The MCP headers the server saw on the request carrying a call of
/// `http_headers`.
async fn seen_headers(session: &ClientSession) -> Result<Value> {
    let result = session
        .call_tool("http_headers", None)
        .await
        .context("http_headers")?;
    ensure!(!result.is_error(), "http_headers: {}", texts(&result));
    serde_json::from_str(&texts(&result)).context("http_headers: not JSON")
}

/// Auto against the Python server over Streamable HTTP: 2026-07-28,
/// stateless, input through `InputRequiredResult` rounds, subscriptions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn python_sdk_http_stateless() -> Result<()> {
    run_python_http(
        "python SDK over HTTP, auto mode (stateless)",
        ProtocolMode::Auto,
        false,
    )
    .await
}

/// `ProtocolMode::Initialize` against the Python server over Streamable HTTP:
/// 2025-11-25 with a session id, server-to-client requests over SSE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn python_sdk_http_initialize_era() -> Result<()> {
    run_python_http(
        "python SDK over HTTP, initialize mode",
        ProtocolMode::Initialize,
        true,
    )
    .await
}

/// Calls tool `name` with `args` (an object, or null for none); its text.
async fn call_text(session: &ClientSession, name: &str, args: Value) -> Result<String> {
    let args = (!args.is_null()).then(|| obj(args));
    let result = session
        .call_tool(name, args)
        .await
        .with_context(|| format!("tools/call {name}"))?;
    ensure!(!result.is_error(), "{name} failed: {}", texts(&result));
    Ok(texts(&result))
}

fn expect_counts(seen: &Seen, expected: [usize; 3]) -> Result<()> {
    ensure!(
        seen.counts() == expected,
        "callbacks (e, s, r): {:?}, expected {expected:?}",
        seen.counts()
    );
    Ok(())
}

const TRIP: &str = "trip to interop: interop sampled answer (roots file:///tmp/interop)";

async fn python_http_stateless_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
    ensure!(session.era() == Some(Era::Stateless), "era {:?}", session.era());
    let negotiated = session.negotiated().context("nothing negotiated")?;
    ensure!(
        negotiated.protocol_version == "2026-07-28",
        "negotiated {negotiated:?}"
    );
    ensure!(
        negotiated.server_info.name == "python-interop",
        "negotiated {negotiated:?}"
    );

    // Stateless over HTTP: no session id; version, method and name in headers.
    let headers = seen_headers(&session).await?;
    eprintln!("headers of a 2026-07-28 tools/call: {headers}");
    let expected = json!({"mcp-session-id": null, "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call", "mcp-name": "http_headers"});
    ensure!(headers == expected, "headers: {headers}");
    ensure!(
        call_text(&session, "add", json!({"a": 2, "b": 40})).await? == "42",
        "add"
    );

    // Progress and logs on the SSE response of the call (`_meta.logLevel`).
    session
        .set_logging_level(LoggingLevel::Debug)
        .await
        .context("set_logging_level")?;
    super::python::python_progress(&session).await?;
    let logged = wait_until(Duration::from_secs(5), || seen.logs().len() >= 3).await;
    ensure!(logged, "log messages at debug: {:?}", seen.logs());

    // Multi round-trip requests (InputRequiredResult), through our callbacks.
    let asked = call_text(&session, "ask_name_resolved", Value::Null).await?;
    ensure!(asked == ELICITED_NAME, "ask_name_resolved: {asked}");
    let summary = call_text(&session, "summarize_resolved", json!({"text": "a long text"})).await?;
    ensure!(
        summary == super::python::sampled_reply(),
        "summarize_resolved: {summary}"
    );
    expect_counts(&seen, [1, 1, 0])?;
    let trip = call_text(&session, "plan_trip", Value::Null).await?;
    ensure!(trip == TRIP, "plan_trip: {trip}");
    expect_counts(&seen, [2, 2, 1])?;
    let greeting = session
        .get_prompt("greet_user", None)
        .await
        .context("greet_user")?;
    let message = serde_json::to_value(&greeting.messages)?;
    ensure!(
        message.to_string().contains("Please greet interop warmly."),
        "greet_user: {message}"
    );
    let vault = session
        .read_resource("vault://gold")
        .await
        .context("vault://gold")?;
    let vault = first_text(&vault.contents);
    ensure!(
        vault.as_deref() == Some("gold revealed: True"),
        "vault: {vault:?}"
    );
    expect_counts(&seen, [4, 2, 1])?;

    // Subscriptions: `subscriptions/listen` is a long-lived SSE response.
    session
        .subscribe_resource("config://app")
        .await
        .context("subscribe_resource (subscriptions/listen over HTTP)")?;
    call_text(&session, "touch_config", Value::Null).await?;
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
    let before = session.list_all_tools().await.context("tools/list")?;
    ensure!(
        !before.iter().any(|t| t.name == "late_tool"),
        "late_tool already there"
    );
    call_text(&session, "add_tool", json!({"name": "late_tool"})).await?;
    let changed = || !seen.notified("notifications/tools/list_changed").is_empty();
    ensure!(
        wait_until(Duration::from_secs(5), changed).await,
        "no tools/list_changed"
    );
    let after = session
        .list_all_tools()
        .await
        .context("tools/list after change")?;
    ensure!(
        after.iter().any(|t| t.name == "late_tool"),
        "late_tool missing after list_changed"
    );
    session
        .unsubscribe_resource("config://app")
        .await
        .context("unsubscribe_resource")?;
    Ok(())
}

async fn python_http_initialize_era_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
    ensure!(session.era() == Some(Era::Initialize), "era {:?}", session.era());
    let version = session.protocol_version().context("no protocol version")?;
    ensure!(version == version::LATEST_INITIALIZE_ERA, "negotiated {version}");

    // The session id of the initialize response, and the negotiated version,
    // on every later request.
    let headers = seen_headers(&session).await?;
    eprintln!("headers of a 2025-11-25 tools/call: {headers}");
    let sid = headers["mcp-session-id"].as_str().unwrap_or_default().to_owned();
    ensure!(!sid.is_empty(), "no Mcp-Session-Id on a request: {headers}");
    ensure!(
        headers["mcp-protocol-version"] == version.as_str(),
        "headers: {headers}"
    );
    let again = seen_headers(&session).await?;
    ensure!(
        again["mcp-session-id"] == sid.as_str(),
        "the session id changed: {again}"
    );

    session.send_ping().await.context("ping")?;
    session
        .set_logging_level(LoggingLevel::Debug)
        .await
        .context("logging/setLevel")?;
    ensure!(
        call_text(&session, "add", json!({"a": 2, "b": 40})).await? == "42",
        "add"
    );
    super::python::python_progress(&session).await?;
    let logged = wait_until(Duration::from_secs(5), || seen.logs().len() >= 3).await;
    ensure!(logged, "log messages: {:?}", seen.logs());

    // Server-to-client requests on the call's SSE response stream.
    let asked = call_text(&session, "ask_name", Value::Null).await?;
    ensure!(asked == ELICITED_NAME, "ask_name: {asked}");
    let summary = call_text(&session, "summarize", json!({"text": "a long text"})).await?;
    ensure!(summary == super::python::sampled_reply(), "summarize: {summary}");
    expect_counts(&seen, [1, 1, 0])?;
    // Resolvers: standalone server-to-client requests in this era.
    let asked = call_text(&session, "ask_name_resolved", Value::Null).await?;
    ensure!(asked == ELICITED_NAME, "ask_name_resolved: {asked}");
    let trip = call_text(&session, "plan_trip", Value::Null).await?;
    ensure!(trip == TRIP, "plan_trip: {trip}");
    expect_counts(&seen, [3, 2, 1])?;
    Ok(())
}
