//! Tasks of 2025-11-25 against the TypeScript SDK v1's
//! `simpleTaskInteractive` example server (Streamable HTTP): both its tools
//! have `execution.taskSupport: "required"`, ask for input while the task
//! runs (an elicitation, a sampling request, sent while `tasks/result` is
//! open) and refuse a plain call ("requires task mode").

use mcp_transport_http::{streamablehttp_client, StreamableHttpParameters};

use super::http::{free_port, with_http_options, ServerProcess};
#[allow(clippy::wildcard_imports)]
use super::*;

async fn task_server() -> Result<ServerProcess> {
    let node = env_path("MCP_INTEROP_NODE")?;
    let sdk = env_path("MCP_INTEROP_TS_SDK")?;
    let entry = sdk.join("dist/esm/examples/server/simpleTaskInteractive.js");
    ensure!(entry.is_file(), "{} is missing", entry.display());
    let port = free_port()?;
    ServerProcess::start(
        "simpleTaskInteractive",
        &node,
        &[entry.to_string_lossy().into_owned()],
        &[("PORT", port.to_string())],
        port,
    )
    .await
}

async fn connect(server: &ServerProcess) -> Result<mcp_jsonrpc::Transport> {
    let params = StreamableHttpParameters::new(server.url("/mcp")).timeout(Duration::from_secs(20));
    streamablehttp_client(&params)
        .await
        .context("streamablehttp_client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn typescript_task_server_runs_task_required_tools_as_tasks() -> Result<()> {
    let seen = Arc::new(Seen::default());
    let server = task_server().await?;
    let transport = connect(&server).await?;
    let options = options(&seen, ProtocolMode::Auto).tasks(true);
    with_http_options(server, transport, options, |session| {
        let seen = seen.clone();
        async move {
            ensure!(session.era() == Some(Era::Initialize), "era {:?}", session.era());
            let tools = session.list_all_tools().await.context("tools/list")?;
            let required = tools
                .iter()
                .filter(|t| {
                    t.execution.as_ref().and_then(|e| e.task_support.as_ref()) == Some(&TaskSupport::Required)
                })
                .count();
            ensure!(required == 2, "both tools require tasks: {tools:?}");

            // An elicitation while the task runs, answered by our callback
            // (which accepts with `confirm: true`).
            let deleted = session
                .call_tool("confirm_delete", json!({"filename": "notes.txt"}))
                .await
                .context("confirm_delete")?;
            ensure!(
                texts(&deleted) == "Deleted 'notes.txt'",
                "got {}",
                texts(&deleted)
            );
            ensure!(seen.counts()[0] == 1, "one elicitation: {:?}", seen.counts());

            // A sampling request while the task runs.
            let haiku = session
                .call_tool("write_haiku", json!({"topic": "rust"}))
                .await
                .context("write_haiku")?;
            ensure!(texts(&haiku).contains(SAMPLED_TEXT), "got {}", texts(&haiku));
            ensure!(seen.counts()[1] == 1, "one sampling request: {:?}", seen.counts());
            Ok(())
        }
    })
    .await
}

/// Without tasks enabled the same call is plain, and the server refuses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn typescript_task_server_refuses_a_plain_call() -> Result<()> {
    let seen = Arc::new(Seen::default());
    let server = task_server().await?;
    let transport = connect(&server).await?;
    with_http_options(
        server,
        transport,
        options(&seen, ProtocolMode::Auto),
        |session| async move {
            let refused = session
                .call_tool("confirm_delete", json!({"filename": "x"}))
                .await;
            match refused {
                Err(e) => ensure!(e.to_string().contains("requires task mode"), "{e}"),
                Ok(r) => ensure!(r.is_error(), "a plain call was accepted: {r:?}"),
            }
            Ok(())
        },
    )
    .await
}
