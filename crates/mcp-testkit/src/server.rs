//! The example server's request handling: one dispatch per era.
//!
//! The server is dual-era. A request whose `params._meta` carries the
//! protocol version `2026-07-28` is served the stateless way (see
//! [`crate::stateless`]); any other request is served as in the `initialize`
//! era, where `initialize` starts the session. `server/discover` is answered
//! in both.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use mcp_jsonrpc::lines::{line_transport, LineOptions};
use mcp_jsonrpc::{
    error_codes, ErrorObject, Handler, InboundContext, Peer, PeerConfig, RawValue, Request, Transport,
};
use mcp_types::{
    error_codes as mcp_codes, methods, version, ClientRequest, CompleteRequestParams, CompletionReference,
    GetPromptRequestParams, LoggingLevel,
};
use serde_json::{json, Value};

use crate::catalog;
use crate::listen::Listens;
use crate::mrtr::{self, Flow, Reply, SECRET_URI};
use crate::skills;
use crate::stateless::{self, Era, LIST_TTL_MS, READ_TTL_MS};
use crate::tasks::Tasks;

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
    /// Serve skill files that do not match their entries (for tests of
    /// the client's verification).
    pub skill_tamper: Option<SkillTamper>,
    pub(crate) state: State,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    /// The initialize-era `logging/setLevel` threshold.
    pub(crate) log_level: Mutex<Option<LoggingLevel>>,
    /// The initialize-era `resources/subscribe` set.
    pub(crate) subscriptions: Mutex<HashSet<String>>,
    initialized: AtomicBool,
    /// The active `subscriptions/listen` requests.
    pub(crate) listens: Listens,
    /// The tasks extension's tasks.
    pub(crate) tasks: Tasks,
}

impl ExampleServer {
    /// This server, serving skill files that differ from their entries.
    pub fn tampering_skills(mut self, tamper: SkillTamper) -> Self {
        self.skill_tamper = Some(tamper);
        self
    }

    /// Reads a resource: a skill file or one of the catalog's.
    fn read(&self, uri: &str) -> Option<mcp_types::ResourceContents> {
        if uri.starts_with("skill://") {
            return skills::read(uri, self.skill_tamper);
        }
        catalog::read(uri)
    }

    /// Serves `transport` until it closes; returns the server's peer.
    pub fn start(self, transport: Transport) -> Peer {
        Arc::new(self).start_shared(transport)
    }

    /// [`start`](Self::start), keeping a handle on the server's state.
    fn start_shared(self: Arc<Self>, transport: Transport) -> Peer {
        let config = PeerConfig::default().hooks(Arc::new(mcp_client::McpHooks));
        Peer::start(transport, self, config)
    }
}

/// How the example server's skill files differ from their entries
/// ([`ExampleServer::skill_tamper`], or `MCP_EXAMPLE_TAMPER_SKILLS` =
/// `digest`, `size`, `frontmatter` or `terminal` for [`serve_stdio`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkillTamper {
    /// `arithmetic`'s `references/TABLES.md` is served with one byte
    /// changed (same size, other digest).
    Digest,
    /// `arithmetic`'s `SKILL.md` is served longer than its entry says.
    Size,
    /// `greeting`'s `SKILL.md` has another description than its entry,
    /// though its digest and size match the file served.
    Frontmatter,
    /// `greeting`'s description and instructions hold terminal escape
    /// sequences (entry and file agree: the skill verifies).
    Terminal,
}

impl SkillTamper {
    fn from_env() -> Option<SkillTamper> {
        match std::env::var("MCP_EXAMPLE_TAMPER_SKILLS").ok()?.as_str() {
            "digest" => Some(SkillTamper::Digest),
            "size" => Some(SkillTamper::Size),
            "frontmatter" => Some(SkillTamper::Frontmatter),
            "terminal" => Some(SkillTamper::Terminal),
            _ => None,
        }
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
        skill_tamper: SkillTamper::from_env(),
        ..Default::default()
    };
    let peer = server.start(transport);
    // MCP_EXAMPLE_NOTIFY_AFTER_MS=N: N ms after the start, tell the client
    // (initialize era) that the tools changed and the readme was updated,
    // unasked, as a server whose state moves does.
    if let Some(ms) = std::env::var("MCP_EXAMPLE_NOTIFY_AFTER_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        let peer = peer.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            let _ = peer
                .notify(mcp_types::methods::NOTIFICATIONS_TOOLS_LIST_CHANGED, None)
                .await;
            let updated = mcp_jsonrpc::to_raw(&serde_json::json!({"uri": crate::catalog::README_URI})).ok();
            let _ = peer
                .notify(mcp_types::methods::NOTIFICATIONS_RESOURCES_UPDATED, updated)
                .await;
        });
    }
    let reason = peer.closed().await;
    tracing::debug!(%reason, "example server: connection closed");
}

pub(crate) fn ok(value: Value) -> Result<Box<RawValue>, ErrorObject> {
    mcp_jsonrpc::to_raw(&value).map_err(|e| ErrorObject::new(error_codes::INTERNAL_ERROR, e.to_string()))
}

pub(crate) fn invalid(message: impl Into<String>) -> ErrorObject {
    ErrorObject::new(error_codes::INVALID_PARAMS, message)
}

pub(crate) fn text(text: impl Into<String>) -> Value {
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

/// Why a method is not served.
fn not_found(method: &str, era: &str) -> ErrorObject {
    ErrorObject::new(
        error_codes::METHOD_NOT_FOUND,
        format!("method not found: {method}{era}"),
    )
}

#[async_trait]
impl Handler for ExampleServer {
    async fn handle_request(
        &self,
        request: Request,
        cx: InboundContext,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let raw = request.params.as_deref().map(RawValue::get);
        let params: Value = match raw {
            Some(s) => serde_json::from_str(s).map_err(|e| invalid(format!("invalid params: {e}")))?,
            None => Value::Null,
        };
        let era = stateless::classify(&request.method, &params)?;
        let result = match &era {
            Era::Stateless(meta) => {
                let method = request.method.as_ref();
                match method {
                    methods::TASKS_GET | methods::TASKS_CANCEL | stateless::TASKS_UPDATE
                        if !stateless::has_tasks(&meta.caps) =>
                    {
                        let ext = json!({"extensions": {stateless::TASKS_EXTENSION: {}}});
                        return Err(stateless::missing_capability("extensions[tasks]", ext));
                    }
                    methods::TASKS_GET => self.state.tasks.get(&params)?,
                    methods::TASKS_CANCEL => self.state.tasks.cancel(&params)?,
                    stateless::TASKS_UPDATE => self.state.tasks.update(&params)?,
                    methods::SUBSCRIPTIONS_LISTEN => {
                        self.state.listens.listen(&cx.id, &params, &cx.peer).await?
                    }
                    m if stateless::initialize_era_only(m) => {
                        return Err(not_found(m, " (not available in 2026-07-28)"))
                    }
                    _ => {
                        let parsed = ClientRequest::parse(method, raw)
                            .map_err(|e| invalid(format!("invalid params for {method}: {e}")))?;
                        self.stateless(parsed, &params, &era, &cx).await?
                    }
                }
            }
            Era::Initialize => {
                let parsed = ClientRequest::parse(&request.method, raw)
                    .map_err(|e| invalid(format!("invalid params for {}: {e}", request.method)))?;
                self.initialize_era(parsed, &params, &era, &cx).await?
            }
        };
        ok(result)
    }
}

impl ExampleServer {
    /// Serves a request of the `initialize` era.
    async fn initialize_era(
        &self,
        parsed: ClientRequest,
        params: &Value,
        era: &Era,
        cx: &InboundContext,
    ) -> Result<Value, ErrorObject> {
        Ok(match parsed {
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
                        "completions": {},
                        "extensions": {skills::EXTENSION: {}}
                    },
                    "serverInfo": stateless::server_info(),
                    "instructions": stateless::INSTRUCTIONS
                })
            }
            // A dual-era server answers discovery whatever the era.
            ClientRequest::Discover(_) => stateless::discover(),
            ClientRequest::Ping(_) => json!({}),
            ClientRequest::ListTools(p) => paginate("tools", &catalog::tools(false), p.cursor.as_deref())?,
            ClientRequest::CallTool(p) => self.call_tool(p, params, era, cx).await?,
            ClientRequest::ListResources(p) => {
                paginate("resources", &catalog::resources(false), p.cursor.as_deref())?
            }
            ClientRequest::ListResourceTemplates(p) => {
                paginate("resourceTemplates", &catalog::templates(), p.cursor.as_deref())?
            }
            ClientRequest::ReadResource(p) if p.uri == SECRET_URI => {
                mrtr::run_initialize_era(&Flow::Secret, &cx.peer).await?
            }
            ClientRequest::Unknown { method, .. } if method == methods::SKILLS_LIST => {
                skills::list(params, self.skill_tamper)?
            }
            ClientRequest::Unknown { method, .. } if method == methods::SKILLS_GET => {
                skills::get(params, self.skill_tamper)?
            }
            ClientRequest::ReadResource(p) => match self.read(&p.uri) {
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
            ClientRequest::ListPrompts(p) => {
                paginate("prompts", &catalog::prompts(false), p.cursor.as_deref())?
            }
            ClientRequest::GetPrompt(p) if p.name == "personal" => {
                mrtr::run_initialize_era(&Flow::Personal, &cx.peer).await?
            }
            ClientRequest::GetPrompt(p) => get_prompt(p)?,
            ClientRequest::Complete(p) => complete(&p),
            ClientRequest::SetLevel(p) => {
                *self.state.log_level.lock().unwrap_or_else(|e| e.into_inner()) = Some(p.level);
                json!({})
            }
            other => return Err(not_found(other.method(), "")),
        })
    }

    /// Serves a 2026-07-28 request (the methods not handled by name).
    async fn stateless(
        &self,
        parsed: ClientRequest,
        params: &Value,
        era: &Era,
        cx: &InboundContext,
    ) -> Result<Value, ErrorObject> {
        let Era::Stateless(meta) = era else {
            return Err(not_found(parsed.method(), ""));
        };
        let list = |v: Value| stateless::cacheable(v, LIST_TTL_MS, "public");
        Ok(match parsed {
            ClientRequest::Discover(_) => stateless::discover(),
            ClientRequest::ListTools(p) => {
                list(paginate("tools", &catalog::tools(true), p.cursor.as_deref())?)
            }
            ClientRequest::CallTool(p) => stateless::complete(self.call_tool(p, params, era, cx).await?),
            ClientRequest::ListResources(p) => list(paginate(
                "resources",
                &catalog::resources(true),
                p.cursor.as_deref(),
            )?),
            ClientRequest::ListResourceTemplates(p) => list(paginate(
                "resourceTemplates",
                &catalog::templates(),
                p.cursor.as_deref(),
            )?),
            // The secret is per user and changes with every unlock.
            ClientRequest::ReadResource(p) if p.uri == SECRET_URI => {
                match mrtr::run_stateless(&Flow::Secret, &meta.caps, params)? {
                    Reply::Done(v) => stateless::cacheable(v, 0, "private"),
                    Reply::InputRequired(v) => v,
                }
            }
            ClientRequest::Unknown { method, .. } if method == methods::SKILLS_LIST => {
                list(skills::list(params, self.skill_tamper)?)
            }
            ClientRequest::Unknown { method, .. } if method == methods::SKILLS_GET => {
                stateless::cacheable(skills::get(params, self.skill_tamper)?, LIST_TTL_MS, "public")
            }
            ClientRequest::ReadResource(p) => match self.read(&p.uri) {
                Some(contents) => {
                    stateless::cacheable(json!({ "contents": [contents] }), READ_TTL_MS, "public")
                }
                // 2026-07-28 servers report unknown resources with -32602.
                None => {
                    return Err(
                        invalid(format!("resource not found: {}", p.uri)).with_data(json!({ "uri": p.uri }))
                    )
                }
            },
            ClientRequest::ListPrompts(p) => {
                list(paginate("prompts", &catalog::prompts(true), p.cursor.as_deref())?)
            }
            ClientRequest::GetPrompt(p) if p.name == "personal" => {
                match mrtr::run_stateless(&Flow::Personal, &meta.caps, params)? {
                    Reply::Done(v) => stateless::complete(v),
                    Reply::InputRequired(v) => v,
                }
            }
            ClientRequest::GetPrompt(p) => stateless::complete(get_prompt(p)?),
            ClientRequest::Complete(p) => stateless::complete(complete(&p)),
            other => return Err(not_found(other.method(), "")),
        })
    }

    /// Sends a log message if the request's era lets it through: the
    /// `logging/setLevel` threshold (initialize-era) or the request's own
    /// `_meta` log level (2026-07-28).
    pub(crate) async fn log(&self, era: &Era, peer: &Peer, level: LoggingLevel, data: Value) {
        let threshold = match era {
            Era::Initialize => self
                .state
                .log_level
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            Era::Stateless(meta) => meta.log_level.clone(),
        };
        let Some(threshold) = threshold else { return };
        if level.severity() < threshold.severity() {
            return;
        }
        let params = json!({"level": level, "logger": "example", "data": data});
        let _ = peer
            .notify(methods::NOTIFICATIONS_MESSAGE, mcp_jsonrpc::to_raw(&params).ok())
            .await;
    }
}

/// `prompts/get` of the prompts that need no input.
fn get_prompt(p: GetPromptRequestParams) -> Result<Value, ErrorObject> {
    let args = p.arguments.unwrap_or_default();
    let arg = |k: &str| args.get(k).cloned();
    Ok(match p.name.as_str() {
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
    })
}

/// `completion/complete`.
fn complete(p: &CompleteRequestParams) -> Value {
    let wants_names = match &p.reference {
        CompletionReference::Prompt(r) => r.name == "greet" && p.argument.name == "name",
        CompletionReference::Resource(r) => r.uri == catalog::GREETING_TEMPLATE && p.argument.name == "name",
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
