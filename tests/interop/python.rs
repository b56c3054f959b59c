//! The Python SDK `mcp` 2.3.0 in both eras.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Where the Python server's answers built from our callbacks' answers show.
const ELICITED_NAME: &str = "hello interop, aged 1";
const PYTHON_INSTRUCTIONS: &str = "A test server for mcp-client-rs.";

pub(super) fn sampled_reply() -> String {
    format!("model {SAMPLING_MODEL} says: {SAMPLED_TEXT}")
}

/// The Python server, with `args` (e.g. `--initialize-era-only`).
fn python_server(args: &[&str]) -> Result<StdioServerParameters> {
    let python = env_path("MCP_INTEROP_PYTHON")?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("interop")
        .join("python_server.py");
    let mut argv = vec![script.to_string_lossy().into_owned()];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    Ok(StdioServerParameters::new(python.to_string_lossy()).args(argv))
}

async fn run_python(name: &str, args: &[&str], mode: ProtocolMode, initialize_era: bool) -> Result<()> {
    let seen = Arc::new(Seen::default());
    let started = Instant::now();
    let in_body = seen.clone();
    let body = |s| async move {
        if initialize_era {
            python_initialize_era_body(s, in_body).await
        } else {
            python_stateless_body(s, in_body).await
        }
    };
    with_server(python_server(args)?, &seen, mode, body).await?;
    eprintln!("{name}: done in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// `ProtocolMode::Initialize` against the dual-era server: the `initialize`
/// handshake opens an initialize-era connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn python_sdk_stdio_initialize_era() -> Result<()> {
    run_python("python SDK, initialize mode", &[], ProtocolMode::Initialize, true).await
}

/// `ProtocolMode::Auto` against the server run initialize-era only: the
/// `server/discover` probe is refused (-32601) and the client falls back to
/// `initialize`, against a real peer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn python_sdk_stdio_initialize_only_auto() -> Result<()> {
    run_python(
        "python SDK initialize-era-only, auto mode",
        &["--initialize-era-only"],
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
async fn python_sdk_stdio_pinned_stateless_refused() -> Result<()> {
    let params = python_server(&["--initialize-era-only"])?
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
    eprintln!("pinned 2026-07-28 against a initialize-era-only server, after {took:?}: {outcome:?}");
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
async fn python_sdk_stdio_stateless() -> Result<()> {
    run_python(
        "python SDK, auto mode (stateless)",
        &[],
        ProtocolMode::Auto,
        false,
    )
    .await
}

/// The initialize era: 2025-11-25, server-to-client requests.
async fn python_initialize_era_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
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
async fn python_stateless_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
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

    // `ctx.elicit` sends a server-to-client request, which the stateless era
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
pub(super) async fn python_progress(session: &ClientSession) -> Result<()> {
    let progress = Arc::new(Mutex::new(Vec::new()));
    let p = progress.clone();
    let options =
        CallOptions::new().on_progress(move |n| p.lock().unwrap_or_else(|e| e.into_inner()).push(n.progress));
    let call = CallToolRequestParams::new("slow_count").with_arguments(obj(json!({"steps": 3})));
    let counted = session
        .call_tool_with(call)
        .options(options)
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
            .request_once::<CallToolRequest>(&params, input.as_ref().map(|(r, s)| (r, s.as_deref())))
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
                    InputResponse::ListRoots(ListRootsResult::new(vec![Root::new("file:///srv")]))
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
