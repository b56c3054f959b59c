//! The Python SDK 1.x WebSocket server (`mcp.server.websocket`, subprotocol
//! `mcp`, under uvicorn): the SDK line that still ships one. It speaks the
//! initialize era only, so the default auto mode falls back from its refused
//! `server/discover` probe to `initialize`.

use mcp_transport_ws::{websocket_client, WebSocketParameters};

use super::http::{free_port, with_http, ServerProcess};
#[allow(clippy::wildcard_imports)]
use super::*;

async fn python_ws_server() -> Result<ServerProcess> {
    let python = env_path("MCP_INTEROP_PYTHON1")?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("interop")
        .join("python_ws_server.py");
    let port = free_port()?;
    ServerProcess::start(
        "python 1.x websocket",
        &python,
        &[script.to_string_lossy().into_owned(), port.to_string()],
        &[],
        port,
    )
    .await
}

/// Auto mode over WebSocket against the Python SDK 1.30: the probe is
/// refused, `initialize` follows; tools, resources, a prompt, and the
/// server's sampling and elicitation requests over the same socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs peers installed by `cargo xtask interop`"]
async fn python_sdk_1x_websocket() -> Result<()> {
    let started = Instant::now();
    let server = python_ws_server().await?;
    let params = WebSocketParameters::new(format!("ws://127.0.0.1:{}/ws", server.port()))
        .connect_timeout(Duration::from_secs(10));
    let transport = websocket_client(&params).await.context("websocket_client")?;
    let seen = Arc::new(Seen::default());
    let in_body = seen.clone();
    with_http(
        server,
        transport,
        &seen,
        ProtocolMode::Auto,
        |session| async move { python_ws_body(session, in_body).await },
    )
    .await?;
    eprintln!(
        "python SDK 1.x over WebSocket: done in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn python_ws_body(session: ClientSession, seen: Arc<Seen>) -> Result<()> {
    ensure!(session.era() == Some(Era::Initialize), "era {:?}", session.era());
    let negotiated = session.negotiated().context("nothing negotiated")?;
    ensure!(
        negotiated.server_info.name == "python-ws-interop",
        "negotiated {negotiated:?}"
    );

    let tools = session.list_all_tools().await.context("tools/list")?;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    for expected in ["add", "ask_name", "summarize"] {
        ensure!(names.contains(&expected), "tools: {names:?}");
    }
    let sum = session
        .call_tool("add", json!({"a": 2, "b": 40}))
        .await
        .context("tools/call add")?;
    ensure!(texts(&sum) == "42", "add: {}", texts(&sum));

    let config = session
        .read_resource("config://app")
        .await
        .context("resources/read")?;
    ensure!(
        first_text(&config.contents).as_deref() == Some(r#"{"theme": "dark"}"#),
        "config: {config:?}"
    );
    let templates = session
        .list_resource_templates(None)
        .await
        .context("resources/templates/list")?;
    ensure!(
        templates
            .resource_templates
            .iter()
            .any(|t| t.uri_template == "greeting://{name}"),
        "templates: {templates:?}"
    );
    let greeting = session
        .read_resource("greeting://Ada")
        .await
        .context("greeting")?;
    ensure!(
        first_text(&greeting.contents).as_deref() == Some("Hello, Ada!"),
        "greeting: {greeting:?}"
    );

    let prompt = session
        .get_prompt("review_code", [("code", "fn main() {}")])
        .await
        .context("prompts/get")?;
    let message = serde_json::to_value(&prompt.messages).context("prompt messages")?;
    ensure!(message.to_string().contains("fn main() {}"), "prompt: {message}");

    // The server's requests, answered by the callbacks over the socket.
    let summary = session
        .call_tool("summarize", json!({"text": "a long story"}))
        .await
        .context("tools/call summarize")?;
    ensure!(
        texts(&summary) == format!("summary: {SAMPLED_TEXT}"),
        "summarize: {}",
        texts(&summary)
    );
    let hello = session
        .call_tool("ask_name", ())
        .await
        .context("tools/call ask_name")?;
    ensure!(texts(&hello).starts_with("hello "), "ask_name: {}", texts(&hello));
    ensure!(
        seen.counts() == [1, 1, 0],
        "callbacks (e, s, r): {:?}",
        seen.counts()
    );
    Ok(())
}
