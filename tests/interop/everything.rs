//! `@modelcontextprotocol/server-everything` (TypeScript SDK, initialize era).

#[allow(clippy::wildcard_imports)]
use super::*;

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

pub(super) async fn everything_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
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
        let outcome = session.call_tool_with(call).options(options).await;
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
