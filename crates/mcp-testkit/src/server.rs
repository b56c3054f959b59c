//! The example server's request handling.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use mcp_jsonrpc::lines::{line_transport, LineOptions};
use mcp_jsonrpc::{
    error_codes, ErrorObject, Handler, Peer, PeerConfig, RawValue, Request, RequestContext, RequestOptions,
    Transport,
};
use mcp_types::{
    error_codes as mcp_codes, version, CallToolRequestParams, ClientRequest, CompletionReference,
    LoggingLevel,
};
use serde_json::{json, Value};

use crate::catalog;

/// The server's name in `serverInfo`.
pub const EXAMPLE_SERVER_NAME: &str = "mcp-example-server";

/// How many items a list returns per page (lists paginate, so clients
/// must follow cursors).
const PAGE_SIZE: usize = 5;

/// The bundled example MCP server.
#[derive(Debug, Default)]
pub struct ExampleServer {
    /// Whether the `crash` tool may exit the process (only when it serves
    /// stdio in its own process); otherwise it closes the connection.
    pub allow_exit: bool,
    state: State,
}

#[derive(Debug, Default)]
struct State {
    log_level: Mutex<Option<LoggingLevel>>,
    subscriptions: Mutex<HashSet<String>>,
    initialized: AtomicBool,
}

impl ExampleServer {
    /// Serves `transport` until it closes; returns the server's peer.
    pub fn start(self, transport: Transport) -> Peer {
        let config = PeerConfig::default().hooks(Arc::new(mcp_client::McpHooks));
        Peer::start(transport, Arc::new(self), config)
    }
}

/// Serves the example server on this process's stdin and stdout until
/// stdin closes.
pub async fn serve_stdio() {
    use tokio::io::AsyncWriteExt;
    if std::env::var_os("MCP_EXAMPLE_GARBAGE_FIRST").is_some() {
        let mut out = tokio::io::stdout();
        let _ = out.write_all(b"this line is not JSON\n").await;
        let _ = out.flush().await;
    }
    if let Some(n) = std::env::var("MCP_EXAMPLE_STDERR_BYTES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let line = "x".repeat(99) + "\n";
        let mut err = tokio::io::stderr();
        for _ in 0..n.div_ceil(100) {
            let _ = err.write_all(line.as_bytes()).await;
        }
        let _ = err.flush().await;
    }
    let transport = line_transport(tokio::io::stdin(), tokio::io::stdout(), LineOptions::default());
    let server = ExampleServer {
        allow_exit: true,
        ..Default::default()
    };
    let peer = server.start(transport);
    let reason = peer.closed().await;
    tracing::debug!(%reason, "example server: connection closed");
}

fn ok(value: Value) -> Result<Box<RawValue>, ErrorObject> {
    mcp_jsonrpc::to_raw(&value).map_err(|e| ErrorObject::new(error_codes::INTERNAL_ERROR, e.to_string()))
}

fn invalid(message: impl Into<String>) -> ErrorObject {
    ErrorObject::new(error_codes::INVALID_PARAMS, message)
}

fn text(text: impl Into<String>) -> Value {
    json!({"content": [{"type": "text", "text": text.into()}]})
}

/// One page of `items` starting at `cursor`.
fn paginate<T: serde::Serialize>(key: &str, items: &[T], cursor: Option<&str>) -> Result<Value, ErrorObject> {
    let start = match cursor {
        None => 0,
        Some(c) => c
            .parse::<usize>()
            .ok()
            .filter(|&s| s <= items.len())
            .ok_or_else(|| invalid(format!("invalid cursor {c:?}")))?,
    };
    let end = (start + PAGE_SIZE).min(items.len());
    let mut page = json!({ key: &items[start..end] });
    if end < items.len() {
        page["nextCursor"] = Value::String(end.to_string());
    }
    Ok(page)
}

#[async_trait]
impl Handler for ExampleServer {
    async fn handle_request(
        &self,
        request: Request,
        cx: RequestContext,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let params = request.params.as_deref().map(RawValue::get);
        let parsed = ClientRequest::parse(&request.method, params)
            .map_err(|e| invalid(format!("invalid params for {}: {e}", request.method)))?;
        let result = match parsed {
            ClientRequest::Initialize(p) => {
                let chosen = if version::INITIALIZE_ERA.contains(&p.protocol_version.as_str()) {
                    p.protocol_version
                } else {
                    version::LATEST_INITIALIZE_ERA.to_owned()
                };
                self.state.initialized.store(true, Ordering::Relaxed);
                json!({
                    "protocolVersion": chosen,
                    "capabilities": {
                        "tools": {"listChanged": true},
                        "resources": {"subscribe": true, "listChanged": true},
                        "prompts": {"listChanged": false},
                        "logging": {},
                        "completions": {}
                    },
                    "serverInfo": {"name": EXAMPLE_SERVER_NAME, "title": "Example server", "version": env!("CARGO_PKG_VERSION")},
                    "instructions": "A demonstration server: try the `echo`, `add` and `slow` tools, read example://readme, get the `greet` prompt."
                })
            }
            ClientRequest::Ping(_) => json!({}),
            ClientRequest::ListTools(p) => paginate("tools", &catalog::tools(), p.cursor.as_deref())?,
            ClientRequest::CallTool(p) => return self.call_tool(p, cx).await.and_then(ok),
            ClientRequest::ListResources(p) => {
                paginate("resources", &catalog::resources(), p.cursor.as_deref())?
            }
            ClientRequest::ListResourceTemplates(p) => {
                paginate("resourceTemplates", &catalog::templates(), p.cursor.as_deref())?
            }
            ClientRequest::ReadResource(p) => match catalog::read(&p.uri) {
                Some(contents) => json!({ "contents": [contents] }),
                None => {
                    return Err(
                        ErrorObject::new(mcp_codes::RESOURCE_NOT_FOUND, "resource not found")
                            .with_data(json!({ "uri": p.uri })),
                    )
                }
            },
            ClientRequest::Subscribe(p) => {
                self.state
                    .subscriptions
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(p.uri);
                json!({})
            }
            ClientRequest::Unsubscribe(p) => {
                self.state
                    .subscriptions
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&p.uri);
                json!({})
            }
            ClientRequest::ListPrompts(p) => paginate("prompts", &catalog::prompts(), p.cursor.as_deref())?,
            ClientRequest::GetPrompt(p) => {
                let args = p.arguments.unwrap_or_default();
                let arg = |k: &str| args.get(k).cloned();
                match p.name.as_str() {
                    "greet" => {
                        let name = arg("name").ok_or_else(|| invalid("missing required argument `name`"))?;
                        json!({
                            "description": "A warm greeting",
                            "messages": [{"role": "user", "content": {"type": "text", "text": format!("Please greet {name} warmly.")}}]
                        })
                    }
                    "review" => {
                        let code = arg("code").ok_or_else(|| invalid("missing required argument `code`"))?;
                        let language = arg("language").unwrap_or_else(|| "code".into());
                        json!({
                            "messages": [{"role": "user", "content": {"type": "text", "text": format!("Please review this {language}:\n{code}")}}]
                        })
                    }
                    other => return Err(invalid(format!("unknown prompt `{other}`"))),
                }
            }
            ClientRequest::Complete(p) => {
                let wants_names = match &p.reference {
                    CompletionReference::Prompt(r) => r.name == "greet" && p.argument.name == "name",
                    CompletionReference::Resource(r) => {
                        r.uri == catalog::GREETING_TEMPLATE && p.argument.name == "name"
                    }
                    _ => false,
                };
                let values: Vec<&str> = if wants_names {
                    catalog::NAMES
                        .iter()
                        .copied()
                        .filter(|n| n.starts_with(&p.argument.value))
                        .collect()
                } else {
                    Vec::new()
                };
                json!({"completion": {"values": values, "total": values.len(), "hasMore": false}})
            }
            ClientRequest::SetLevel(p) => {
                *self.state.log_level.lock().unwrap_or_else(|e| e.into_inner()) = Some(p.level);
                json!({})
            }
            other => {
                return Err(ErrorObject::new(
                    error_codes::METHOD_NOT_FOUND,
                    format!("method not found: {}", other.method()),
                ))
            }
        };
        ok(result)
    }
}

impl ExampleServer {
    async fn log(&self, peer: &Peer, level: LoggingLevel, data: Value) {
        let threshold = self
            .state
            .log_level
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(threshold) = threshold else { return };
        if level.severity() < threshold.severity() {
            return;
        }
        let params = json!({"level": level, "logger": "example", "data": data});
        let _ = peer
            .notify("notifications/message", mcp_jsonrpc::to_raw(&params).ok())
            .await;
    }

    async fn call_tool(&self, p: CallToolRequestParams, cx: RequestContext) -> Result<Value, ErrorObject> {
        let args = p.arguments.clone().unwrap_or_default();
        let peer = &cx.peer;
        self.log(
            peer,
            LoggingLevel::Info,
            json!(format!("calling tool {}", p.name)),
        )
        .await;
        let num = |k: &str| args.get(k).and_then(Value::as_f64);
        let string = |k: &str| args.get(k).and_then(Value::as_str).map(str::to_owned);
        Ok(match p.name.as_str() {
            "echo" => text(string("message").ok_or_else(|| invalid("`message` must be a string"))?),
            "add" => {
                let (a, b) = num("a")
                    .zip(num("b"))
                    .ok_or_else(|| invalid("`a` and `b` must be numbers"))?;
                let sum = a + b;
                json!({"content": [{"type": "text", "text": sum.to_string()}], "structuredContent": {"sum": sum}})
            }
            "slow" => {
                let steps = args.get("steps").and_then(Value::as_u64).unwrap_or(5).min(1000);
                let delay = args
                    .get("delay_ms")
                    .and_then(Value::as_u64)
                    .unwrap_or(100)
                    .min(10_000);
                let token = p.meta.as_ref().and_then(|m| m.get("progressToken")).cloned();
                for step in 1..=steps {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    if let Some(token) = &token {
                        let params = json!({"progressToken": token, "progress": step, "total": steps, "message": format!("step {step} of {steps}")});
                        let _ = peer
                            .notify("notifications/progress", mcp_jsonrpc::to_raw(&params).ok())
                            .await;
                    }
                }
                text(format!("done after {steps} steps"))
            }
            "ask" => {
                let question = string("question").ok_or_else(|| invalid("`question` must be a string"))?;
                let params = json!({
                    "message": question,
                    "requestedSchema": {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
                });
                let answer: Value = peer
                    .request("elicitation/create", Some(&params), RequestOptions::default())
                    .await
                    .map_err(|e| {
                        ErrorObject::new(error_codes::INTERNAL_ERROR, format!("elicitation failed: {e}"))
                    })?;
                let action = answer["action"].as_str().unwrap_or("?").to_owned();
                match answer["content"]["answer"].as_str() {
                    Some(a) if action == "accept" => text(format!("the user answered: {a}")),
                    _ => text(format!("the user chose to {action}")),
                }
            }
            "sample" => {
                let prompt = string("prompt").ok_or_else(|| invalid("`prompt` must be a string"))?;
                let params = json!({"messages": [{"role": "user", "content": {"type": "text", "text": prompt}}], "maxTokens": 100});
                let result: Value = peer
                    .request("sampling/createMessage", Some(&params), RequestOptions::default())
                    .await
                    .map_err(|e| {
                        ErrorObject::new(error_codes::INTERNAL_ERROR, format!("sampling failed: {e}"))
                    })?;
                let said = result["content"]["text"].as_str().unwrap_or("(no text)");
                let model = result["model"].as_str().unwrap_or("?");
                text(format!("{model} said: {said}"))
            }
            "roots" => {
                let result: Value = peer
                    .request("roots/list", None::<&Value>, RequestOptions::default())
                    .await
                    .map_err(|e| {
                        ErrorObject::new(error_codes::INTERNAL_ERROR, format!("roots/list failed: {e}"))
                    })?;
                let uris: Vec<&str> = result["roots"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r["uri"].as_str())
                    .collect();
                text(format!("roots: {}", uris.join(", ")))
            }
            "bad_output" => {
                json!({"content": [{"type": "text", "text": "count: many"}], "structuredContent": {"count": "many"}})
            }
            "fail" => {
                json!({"content": [{"type": "text", "text": "this tool always fails"}], "isError": true})
            }
            "notify" => {
                self.log(
                    peer,
                    LoggingLevel::Warning,
                    json!("a warning from the notify tool"),
                )
                .await;
                let uri = string("uri").unwrap_or_else(|| catalog::README_URI.to_owned());
                let subscribed = self
                    .state
                    .subscriptions
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .contains(&uri);
                if subscribed {
                    let _ = peer
                        .notify(
                            "notifications/resources/updated",
                            mcp_jsonrpc::to_raw(&json!({"uri": uri})).ok(),
                        )
                        .await;
                }
                let _ = peer.notify("notifications/tools/list_changed", None).await;
                text(format!("notified (subscribed: {subscribed})"))
            }
            "crash" => {
                let code = args.get("code").and_then(Value::as_i64).unwrap_or(7) as i32;
                if self.allow_exit {
                    std::process::exit(code);
                }
                peer.close().await;
                std::future::pending::<Value>().await
            }
            "hang" => std::future::pending::<Value>().await,
            "huge" => {
                let bytes = args
                    .get("bytes")
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    .min(256 * 1024 * 1024) as usize;
                text("x".repeat(bytes))
            }
            other => return Err(invalid(format!("unknown tool `{other}`"))),
        })
    }
}
