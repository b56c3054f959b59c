//! `conformance-client`: our MCP client as the official conformance suite
//! (`@modelcontextprotocol/conformance`) drives it. `cargo xtask conformance`
//! runs it; see `conformance/SCENARIOS.md` for what each scenario checks.
//!
//! The suite starts a mock server per scenario and runs
//! `conformance-client <server-url>` with the scenario's name in
//! `MCP_CONFORMANCE_SCENARIO`, scenario data (credentials, tool arguments)
//! as JSON in `MCP_CONFORMANCE_CONTEXT`, and the protocol revision of the run
//! in `MCP_CONFORMANCE_PROTOCOL_VERSION`.
//!
//! This program is an ordinary application of the public API and nothing
//! more: open a `ClientSession` with `ClientSession::connect` from the
//! Streamable HTTP parameters (default protocol negotiation), do what
//! an application would do with the server the scenario describes, and
//! `close()`. Every wire behaviour the suite checks (request `_meta`,
//! headers, version negotiation, SSE resumption, request-state echo,
//! JSON-Schema preservation, tool filtering) must come from the library; if a
//! scenario fails because the library lacks something, the fix belongs in
//! the library, never here.
//!
//! Exit status: 0 success, 1 a step failed (stderr says which and why),
//! 2 usage error.
//!
//! For diagnosis only (never set by `cargo xtask conformance`):
//! `CONFORMANCE_CLIENT_PROTOCOL=auto|initialize|<version>` sets the session's
//! `ProtocolMode`, as an application's configuration would, to look past a
//! negotiation failure at what comes after it.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod auth;

use std::process::ExitCode;
use std::time::Duration;

use mcp_client::types::{
    CallToolResult, CreateMessageResult, ElicitAction, ElicitRequestParams, ElicitResult, Implementation,
    ListRootsResult, Root, Tool,
};
use mcp_client::{ClientSession, ClientSessionOptions, ErrorObject, ProtocolMode};
use mcp_transport_http::StreamableHttpParameters;
use serde_json::{Map, Value};

/// Everything, start to finish, must fit in this (the suite's own limit is
/// 20 s in `cargo xtask conformance`; this one ends the process even when
/// nobody is left to kill it).
const DEADLINE: Duration = Duration::from_secs(30);
/// Each request's timeout: short, so that a hung request fails clearly
/// inside the deadline.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

const USAGE: &str = "usage: conformance-client <server-url>

Run by the MCP conformance suite (`cargo xtask conformance`), which sets
MCP_CONFORMANCE_SCENARIO (required), MCP_CONFORMANCE_CONTEXT (JSON, optional)
and MCP_CONFORMANCE_PROTOCOL_VERSION (optional). For diagnosis,
CONFORMANCE_CLIENT_PROTOCOL=auto|initialize|<version> overrides the protocol mode
(default auto).";

/// What the suite tells us about the run.
struct Run {
    url: String,
    scenario: String,
    context: Value,
    protocol_hint: Option<String>,
    protocol: ProtocolMode,
}

type Step<T> = Result<T, String>;

fn main() -> ExitCode {
    let run = match Run::from_env() {
        Ok(run) => run,
        Err(e) => {
            eprintln!("conformance-client: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("conformance-client: could not start the Tokio runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let scenario = run.scenario.clone();
    let outcome = runtime.block_on(async { tokio::time::timeout(DEADLINE, run.execute()).await });
    // Do not wait for tasks the library may still be running.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match outcome {
        Ok(Ok(())) => {
            eprintln!("conformance-client: {scenario}: done");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("conformance-client: {scenario}: {e}");
            ExitCode::from(1)
        }
        Err(_) => {
            eprintln!("conformance-client: {scenario}: gave up after {DEADLINE:?}");
            ExitCode::from(1)
        }
    }
}

fn init_tracing() {
    let filter = std::env::var("RUST_LOG")
        .unwrap_or_else(|_| "info,mcp_client=debug,mcp_transport_http=debug,mcp_jsonrpc=debug".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

impl Run {
    fn from_env() -> Step<Run> {
        let url = std::env::args()
            .skip(1)
            .last()
            .ok_or("the server URL (last argument) is missing")?;
        if url == "-h" || url == "--help" {
            return Err("help requested".into());
        }
        let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO")
            .map_err(|_| "MCP_CONFORMANCE_SCENARIO is not set".to_owned())?;
        let context = match std::env::var("MCP_CONFORMANCE_CONTEXT") {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| format!("MCP_CONFORMANCE_CONTEXT is not JSON: {e}"))?,
            Err(_) => Value::Null,
        };
        let protocol_hint = std::env::var("MCP_CONFORMANCE_PROTOCOL_VERSION").ok();
        let protocol = match std::env::var("CONFORMANCE_CLIENT_PROTOCOL") {
            Ok(mode) => mode
                .parse()
                .map_err(|e| format!("CONFORMANCE_CLIENT_PROTOCOL: {e}"))?,
            Err(_) => ProtocolMode::Auto,
        };
        Ok(Run {
            url,
            scenario,
            context,
            protocol_hint,
            protocol,
        })
    }

    async fn execute(self) -> Step<()> {
        eprintln!(
            "conformance-client: scenario {} against {} (suite's protocol revision: {})",
            self.scenario,
            self.url,
            self.protocol_hint.as_deref().unwrap_or("unset")
        );
        // The library negotiates the protocol itself (server/discover, then
        // the initialize handshake for servers of the initialize era), as for
        // any application; the suite's revision hint is only logged.
        let session = self.connect().await?;
        let result = self.scenario_steps(&session).await;
        session.close().await;
        result
    }

    async fn connect(&self) -> Step<ClientSession> {
        let mut params = StreamableHttpParameters::new(self.url.clone());
        if self.scenario.starts_with("auth/") {
            params = params.auth(auth::provider(&self.scenario, &self.url, &self.context)?);
        }
        // Skills are declared only where an application would use them.
        let options = session_options()
            .protocol(self.protocol.clone())
            .skills(self.scenario.starts_with("sep-2640"));
        let session = ClientSession::connect(params, options)
            .await
            .map_err(|e| format!("connect to {} and initialize: {}", self.url, chain(&e)))?;
        let negotiated = session.negotiated().ok_or("no handshake outcome")?;
        eprintln!(
            "conformance-client: connected to {} {} (protocol {}, era {})",
            negotiated.server_info.name,
            negotiated.server_info.version,
            negotiated.protocol_version,
            negotiated.era
        );
        Ok(session)
    }

    /// What an application does with the server each scenario stands up.
    async fn scenario_steps(&self, session: &ClientSession) -> Step<()> {
        let name = self.scenario.as_str();
        match name {
            // The handshake (or discovery) itself is under test; list tools
            // as any application would next.
            "initialize" | "request-metadata" => {
                list_tools(session).await?;
            }
            // Only the listing is under test: the server implements nothing
            // else (a call would be refused).
            "json-schema-ref-no-deref" => {
                list_tools(session).await?;
            }
            // Call every tool the server offers, with arguments made from its
            // input schema; elicitation requests on the way are answered by
            // the callback (defaults of the requested schema).
            "tools_call"
            | "tools-call"
            | "elicitation-sep1034-client-defaults"
            | "sse-retry"
            | "sep-2322-client-request-state"
            | "http-invalid-tool-headers" => {
                for tool in list_tools(session).await? {
                    call_tool(session, &tool.name, sample_arguments(&tool.input_schema)).await?;
                }
            }
            // Use everything the server offers: tools, resources, prompts.
            "http-standard-headers" => {
                for tool in list_tools(session).await? {
                    call_tool(session, &tool.name, sample_arguments(&tool.input_schema)).await?;
                }
                let resources = session
                    .list_all_resources()
                    .await
                    .map_err(|e| format!("resources/list: {e}"))?;
                for resource in resources {
                    session
                        .read_resource(&resource.uri)
                        .await
                        .map_err(|e| format!("resources/read {}: {e}", resource.uri))?;
                }
                let prompts = session
                    .list_all_prompts()
                    .await
                    .map_err(|e| format!("prompts/list: {e}"))?;
                for prompt in prompts {
                    session
                        .get_prompt(&prompt.name, None)
                        .await
                        .map_err(|e| format!("prompts/get {}: {e}", prompt.name))?;
                }
            }
            // The suite hands the calls to make (tool and arguments) in the
            // context; which arguments become headers is the library's job.
            "http-custom-headers" => {
                list_tools(session).await?;
                let calls = self
                    .context
                    .get("toolCalls")
                    .and_then(Value::as_array)
                    .ok_or("MCP_CONFORMANCE_CONTEXT has no toolCalls")?;
                for call in calls {
                    let tool = call
                        .get("name")
                        .and_then(Value::as_str)
                        .ok_or("a toolCalls entry has no name")?;
                    let arguments = call.get("arguments").and_then(Value::as_object).cloned();
                    call_tool(session, tool, arguments.unwrap_or_default()).await?;
                }
            }
            // Round-trip the focal tool's input schema, as the library handed
            // it to us, through the echo tool.
            "json-schema-2020-12-preservation" => {
                let tools = list_tools(session).await?;
                let focal = tools
                    .iter()
                    .find(|t| t.name == "json_schema_2020_12_tool")
                    .ok_or("the server did not list json_schema_2020_12_tool")?;
                let mut arguments = Map::new();
                arguments.insert("schema".into(), Value::Object(focal.input_schema.clone()));
                call_tool(session, "json_schema_echo", arguments).await?;
            }
            // Authorization scenarios: the session authorizes with the
            // credentials the context gave (see auth.rs), then uses the
            // server as any application would.
            n if n.starts_with("auth/") => {
                for tool in list_tools(session).await? {
                    call_tool(session, &tool.name, sample_arguments(&tool.input_schema)).await?;
                }
            }
            // Skills extension (SEP-2640): the library has no skills API; the
            // session is opened and closed, nothing is fetched.
            // A host building its skill registry: list every skill (which
            // must fetch no file), then, as if the user picked each one,
            // load it (SKILL.md, verified) and read the files it lists, only
            // from skills that loaded. A rejected skill is reported and
            // skipped, never used.
            n if n.starts_with("sep-2640") => use_skills(session, n == "sep-2640-client-no-prefetch").await?,
            other => {
                eprintln!("conformance-client: unknown scenario {other}: listing tools only");
                list_tools(session).await?;
            }
        }
        Ok(())
    }
}

/// The options of an application that supports every client feature:
/// sampling, elicitation (form mode, accepting with the requested schema's
/// defaults) and roots.
/// The skills scenarios: see `scenario_steps`.
async fn use_skills(session: &ClientSession, list_only: bool) -> Step<()> {
    let skills = session
        .list_all_skills()
        .await
        .map_err(|e| format!("skills/list: {}", chain(&e)))?;
    eprintln!("conformance-client: {} skill(s) listed", skills.len());
    if list_only {
        return Ok(());
    }
    for entry in skills {
        let uri = entry.uri.clone();
        let skill = match session.load_skill(entry).await {
            Ok(skill) => skill,
            Err(e) if e.skill_problem().is_some() => {
                eprintln!("conformance-client: skill not loaded: {}", chain(&e));
                continue;
            }
            Err(e) => return Err(format!("load skill {uri}: {}", chain(&e))),
        };
        for file in skill.supporting_files() {
            match session.read_skill_file(&skill, file).await {
                Ok(read) => eprintln!(
                    "conformance-client: read {} ({} bytes, verified)",
                    read.uri,
                    read.bytes.len()
                ),
                Err(e) if e.skill_problem().is_some() => {
                    eprintln!("conformance-client: file not used: {}", chain(&e));
                }
                Err(e) => return Err(format!("read {file}: {}", chain(&e))),
            }
        }
    }
    Ok(())
}

fn session_options() -> ClientSessionOptions {
    ClientSessionOptions::new()
        .client_info(Implementation::new(
            "mcp-conformance-client",
            env!("CARGO_PKG_VERSION"),
        ))
        .read_timeout(REQUEST_TIMEOUT)
        .elicitation_callback(
            |_cx, params| async move { Ok::<_, ErrorObject>(accept_with_defaults(&params)) },
        )
        .sampling_callback(|_cx, _params| async move {
            Ok::<_, ErrorObject>(CreateMessageResult::text(
                "conformance-model",
                "a canned answer from conformance-client",
            ))
        })
        .list_roots_callback(|_cx| async move {
            Ok::<_, ErrorObject>(ListRootsResult::new(vec![
                Root::new("file:///tmp/conformance").with_name("conformance")
            ]))
        })
}

async fn list_tools(session: &ClientSession) -> Step<Vec<Tool>> {
    let tools = session
        .list_all_tools()
        .await
        .map_err(|e| format!("tools/list: {e}"))?;
    eprintln!(
        "conformance-client: tools: {}",
        tools
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(tools)
}

async fn call_tool(
    session: &ClientSession,
    name: &str,
    arguments: Map<String, Value>,
) -> Step<CallToolResult> {
    let result = session
        .call_tool(name, arguments)
        .await
        .map_err(|e| format!("tools/call {name}: {}", chain(&e)))?;
    if result.is_error == Some(true) {
        return Err(format!(
            "tools/call {name}: the tool reported an error: {:?}",
            result.content
        ));
    }
    Ok(result)
}

/// A user who accepts a form as proposed: every field with a default gets
/// it (SEP-1034); a required field without one gets a plausible value.
fn accept_with_defaults(params: &ElicitRequestParams) -> ElicitResult {
    let ElicitRequestParams::Form(form) = params else {
        // URL mode (or unknown): nothing to fill in; decline.
        return ElicitResult::new(ElicitAction::Decline);
    };
    let required = required_names(&form.requested_schema);
    let mut content = form.default_content();
    if let Some(properties) = form.requested_schema.get("properties").and_then(Value::as_object) {
        for (name, schema) in properties {
            if !content.contains_key(name) && required.contains(&name.as_str()) {
                content.insert(name.clone(), sample_value(schema));
            }
        }
    }
    ElicitResult::accept(content)
}

fn required_names(schema: &Map<String, Value>) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Arguments for a tool, as a user would fill them: the required
/// properties, each with its default, its first enum value, or a plausible
/// value of its type.
fn sample_arguments(input_schema: &Map<String, Value>) -> Map<String, Value> {
    let required = required_names(input_schema);
    let mut arguments = Map::new();
    if let Some(properties) = input_schema.get("properties").and_then(Value::as_object) {
        for (name, schema) in properties {
            if required.contains(&name.as_str()) {
                arguments.insert(name.clone(), sample_value(schema));
            }
        }
    }
    arguments
}

fn sample_value(schema: &Value) -> Value {
    if let Some(default) = schema.get("default") {
        return default.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string"),
        _ => "string",
    };
    match kind {
        "integer" => Value::from(2),
        "number" => Value::from(3),
        "boolean" => Value::Bool(true),
        "array" => Value::Array(Vec::new()),
        "object" => Value::Object(Map::new()),
        "null" => Value::Null,
        _ => Value::String("example".into()),
    }
}

/// An error and its causes, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn elicitation_is_accepted_with_the_schema_defaults() {
        let params: ElicitRequestParams = serde_json::from_value(json!({
            "message": "accept with defaults",
            "requestedSchema": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "default": "John Doe"},
                    "age": {"type": "integer", "default": 30},
                    "verified": {"type": "boolean", "default": true},
                    "nickname": {"type": "string"},
                    "city": {"type": "string"}
                },
                "required": ["city"]
            }
        }))
        .expect("form params");
        let result = accept_with_defaults(&params);
        assert_eq!(result.action, ElicitAction::Accept);
        assert_eq!(
            Value::Object(result.content.expect("content")),
            json!({"name": "John Doe", "age": 30, "verified": true, "city": "example"})
        );
    }

    #[test]
    fn tool_arguments_fill_the_required_properties() {
        let schema = json!({
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}, "c": {"type": "string"}},
            "required": ["a", "b"]
        });
        let args = sample_arguments(schema.as_object().expect("object"));
        assert_eq!(Value::Object(args), json!({"a": 3, "b": 3}));
    }
}
