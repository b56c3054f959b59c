//! Values built with this crate validate against each revision's JSON Schema.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use mcp_types::*;
use serde::Serialize;
use serde_json::{json, Map, Value};

const ALL: &[&str] = version::SUPPORTED;

struct Spec {
    version: &'static str,
    schema: Value,
    defs_key: &'static str,
}

impl Spec {
    fn load(version: &'static str) -> Self {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../spec/{version}/schema.json"));
        let text = std::fs::read_to_string(&path).expect("read schema");
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        let defs_key = if schema.get("$defs").is_some() {
            "$defs"
        } else {
            "definitions"
        };
        Self {
            version,
            schema,
            defs_key,
        }
    }

    fn check<T: Serialize>(&self, type_name: &str, value: &T, failures: &mut Vec<String>) {
        let instance = serde_json::to_value(value).expect("serialize");
        let defs = &self.schema[self.defs_key];
        assert!(
            defs.get(type_name).is_some(),
            "{}: no definition {type_name}",
            self.version
        );
        let wrapper = json!({
            "$schema": self.schema["$schema"],
            self.defs_key: defs,
            "$ref": format!("#/{}/{type_name}", self.defs_key),
        });
        let validator = jsonschema::validator_for(&wrapper).expect("compile schema");
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        if !errors.is_empty() {
            failures.push(format!(
                "{} {type_name}: {}\n    instance: {instance}",
                self.version,
                errors.join("; ")
            ));
        }
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn modern(v: &str) -> bool {
    version::is_stateless_era(v)
}

fn at_least(v: &str, min: &str) -> bool {
    v >= min
}

fn request_meta(v: &str) -> Meta {
    RequestMeta::new(v, ClientCapabilities::default())
        .with_client_info(Implementation::new("test-client", "0.1.0"))
        .with_log_level(LoggingLevel::Info)
        .with_progress_token("tok-1")
        .into_meta()
}

fn result_type(v: &str) -> Option<ResultType> {
    modern(v).then_some(ResultType::Complete)
}

fn tool(v: &str) -> Tool {
    let mut t = Tool::new(
        "get_weather",
        obj(json!({
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        })),
    )
    .with_description("Weather lookup");
    if at_least(v, version::V2025_03_26) {
        let mut annotations = ToolAnnotations::default();
        annotations.read_only_hint = Some(true);
        t.annotations = Some(annotations);
    }
    if at_least(v, version::V2025_06_18) {
        t.title = Some("Weather".into());
        t.output_schema = Some(obj(json!({
            "type": "object",
            "properties": {"temperature": {"type": "number"}},
            "required": ["temperature"],
        })));
    }
    if at_least(v, version::V2025_11_25) {
        t.icons = Some(vec![Icon::new("https://example.com/i.png")]);
    }
    t
}

fn call_tool_result(v: &str) -> CallToolResult {
    let mut content = vec![
        ContentBlock::text("22 degrees"),
        ContentBlock::image("aGVsbG8=", "image/png"),
    ];
    if at_least(v, version::V2025_03_26) {
        content.push(ContentBlock::audio("aGVsbG8=", "audio/wav"));
    }
    let mut r = CallToolResult::new(content);
    r.is_error = Some(false);
    if at_least(v, version::V2025_06_18) {
        r.structured_content = Some(json!({"temperature": 22}));
    }
    r.result_type = result_type(v);
    r
}

fn cacheable(v: &str) -> (Option<u64>, Option<CacheScope>) {
    if modern(v) {
        (Some(60_000), Some(CacheScope::Public))
    } else {
        (None, None)
    }
}

fn sampling_params(v: &str) -> CreateMessageRequestParams {
    let mut p = CreateMessageRequestParams::new(vec![SamplingMessage::user_text("Capital of France?")], 100);
    p.system_prompt = Some("Be brief".into());
    p.temperature = Some(0.5);
    p.include_context = Some(IncludeContext::None);
    p.model_preferences = Some(ModelPreferences {
        hints: Some(vec![ModelHint {
            name: Some("claude".into()),
        }]),
        speed_priority: Some(1.0),
        ..Default::default()
    });
    if at_least(v, version::V2025_11_25) {
        p.tools = Some(vec![tool(v)]);
        p.tool_choice = Some(ToolChoice {
            mode: Some(ToolChoiceMode::Auto),
        });
    }
    p
}

fn paged_meta(v: &str) -> Option<Meta> {
    modern(v).then(|| request_meta(v))
}

#[test]
fn built_values_validate_against_every_schema() {
    let mut failures = Vec::new();
    let mut checked = 0usize;
    for &v in ALL {
        let spec = Spec::load(v);
        let mut check = |name: &str, value: &dyn erased::Ser| {
            checked += 1;
            spec.check(name, &erased::Wrap(value), &mut failures);
        };

        if version::is_initialize_era(v) {
            let mut roots = RootsCapability::default();
            roots.list_changed = Some(true);
            let mut caps = ClientCapabilities::default();
            caps.roots = Some(roots);
            caps.sampling = Some(SamplingCapability::default());
            if at_least(v, version::V2025_06_18) {
                caps.elicitation = Some(ElicitationCapability::default());
            }
            let init = InitializeRequestParams::new(v, caps, Implementation::new("c", "1"));
            let init_def = if at_least(v, version::V2025_11_25) {
                "InitializeRequestParams"
            } else {
                ""
            };
            if init_def.is_empty() {
                // Older schemas inline the params in InitializeRequest.
                let req = json!({"method": "initialize", "params": init});
                check("InitializeRequest", &req);
            } else {
                check(init_def, &init);
            }
            let mut server_caps = ServerCapabilities::default().with_tools(true).with_logging();
            let mut resources = ResourcesCapability::default();
            resources.subscribe = Some(true);
            server_caps.resources = Some(resources);
            let mut result = InitializeResult::new(v, server_caps, Implementation::new("s", "1"));
            result.instructions = Some("hi".into());
            check("InitializeResult", &result);
        }

        let mut call =
            CallToolRequestParams::new("get_weather").with_arguments(obj(json!({"location": "Paris"})));
        if modern(v) {
            call = call.with_meta(request_meta(v));
        }
        if at_least(v, version::V2025_11_25) {
            check("CallToolRequestParams", &call);
        } else {
            check(
                "CallToolRequest",
                &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": call}),
            );
        }
        check("CallToolResult", &call_tool_result(v));
        check("Tool", &tool(v));

        let (ttl_ms, cache_scope) = cacheable(v);
        let mut tools = ListToolsResult::new(vec![tool(v)]);
        tools.next_cursor = Some("c2".into());
        tools.result_type = result_type(v);
        tools.ttl_ms = ttl_ms;
        tools.cache_scope = cache_scope.clone();
        check("ListToolsResult", &tools);

        let mut read = ReadResourceResult::new(vec![
            ResourceContents::Text(
                TextResourceContents::new("file:///a.txt", "hello").with_mime_type("text/plain"),
            ),
            ResourceContents::Blob(BlobResourceContents::new("file:///a.bin", "aGVsbG8=")),
        ]);
        read.result_type = result_type(v);
        read.ttl_ms = ttl_ms;
        read.cache_scope = cache_scope.clone();
        check("ReadResourceResult", &read);

        let mut prompt_messages = vec![PromptMessage::new(Role::User, ContentBlock::text("Review"))];
        let mut embedded = EmbeddedResource::new(ResourceContents::Text(TextResourceContents::new(
            "file:///main.rs",
            "fn main() {}",
        )));
        let mut annotations = Annotations::default();
        annotations.priority = Some(0.5);
        embedded.annotations = Some(annotations);
        prompt_messages.push(PromptMessage::new(
            Role::Assistant,
            ContentBlock::Resource(embedded),
        ));
        let mut prompt = GetPromptResult::new(prompt_messages);
        prompt.description = Some("review".into());
        prompt.result_type = result_type(v);
        check("GetPromptResult", &prompt);

        let sp = sampling_params(v);
        if at_least(v, version::V2025_11_25) {
            check("CreateMessageRequestParams", &sp);
        } else {
            check(
                "CreateMessageRequest",
                &json!({"method": "sampling/createMessage", "params": sp}),
            );
        }
        let mut cm = CreateMessageResult::text("claude-x", "Paris");
        cm.stop_reason = Some("endTurn".into());
        check("CreateMessageResult", &cm);

        if at_least(v, version::V2025_06_18) {
            check(
                "ElicitResult",
                &ElicitResult::accept(obj(json!({"name": "octocat", "age": 30}))),
            );
        }
        let roots = ListRootsResult::new(vec![Root::new("file:///repo").with_name("repo")]);
        check("ListRootsResult", &roots);

        if modern(v) {
            let mut capabilities = ServerCapabilities::default();
            capabilities.tools = Some(ToolsCapability::default());
            capabilities.extensions = Some(obj(json!({ tasks::EXTENSION_ID: {} })));
            let mut discover = DiscoverResult::new(
                version::SUPPORTED.iter().map(|s| (*s).to_owned()).collect(),
                capabilities,
            );
            discover.instructions = Some("Use tools".into());
            discover.result_type = Some(ResultType::Complete);
            discover.ttl_ms = Some(3_600_000);
            discover.cache_scope = Some(CacheScope::Public);
            discover.meta = Some(obj(
                json!({ meta_keys::SERVER_INFO: Implementation::new("s", "1") }),
            ));
            check("DiscoverResult", &discover);

            let mut requests = InputRequests::new();
            requests.insert(
                "login".into(),
                InputRequest::Elicitation(
                    ElicitRequestFormParams::new(
                        "GitHub user?",
                        obj(json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]})),
                    )
                    .into(),
                ),
            );
            requests.insert("capital".into(), InputRequest::CreateMessage(sampling_params(v)));
            requests.insert("roots".into(), InputRequest::ListRoots(None));
            requests.insert(
                "key".into(),
                InputRequest::Elicitation(
                    ElicitRequestURLParams::new("API key", "https://example.com/k").into(),
                ),
            );
            let mut ir = InputRequiredResult::new(requests);
            ir.request_state = Some("opaque".into());
            check("InputRequiredResult", &ir);

            let mut responses = InputResponses::new();
            responses.insert(
                "login".into(),
                ElicitResult::accept(obj(json!({"name": "octocat"}))).into(),
            );
            responses.insert("capital".into(), CreateMessageResult::text("m", "Paris").into());
            responses.insert("roots".into(), roots.clone().into());
            let mut retry = CallToolRequestParams::new("get_weather").with_meta(request_meta(v));
            retry.input_responses = Some(responses);
            retry.request_state = Some("opaque".into());
            check("CallToolRequestParams", &retry);

            let mut listen = SubscriptionsListenRequestParams::new(SubscriptionFilter {
                tools_list_changed: Some(true),
                resource_subscriptions: Some(vec!["file:///config.json".into()]),
                ..Default::default()
            });
            listen.meta = Some(request_meta(v));
            check("SubscriptionsListenRequestParams", &listen);

            let paged = PaginatedRequestParams {
                cursor: Some("c1".into()),
                meta: paged_meta(v),
                ..Default::default()
            };
            check("PaginatedRequestParams", &paged);
            let mut read_req = ReadResourceRequestParams::new("file:///a.txt");
            read_req.meta = paged_meta(v);
            check("ReadResourceRequestParams", &read_req);
            check(
                "DiscoverRequest",
                &json!({
                    "jsonrpc": "2.0", "id": 1, "method": <DiscoverRequest as RequestMethod>::METHOD,
                    "params": DiscoverRequestParams { meta: Some(request_meta(v)), extra: Map::new() },
                }),
            );
        }

        if v == version::V2025_11_25 {
            let mut task = Task::new(
                "t1",
                TaskStatus::Working,
                "2025-01-01T00:00:00Z",
                "2025-01-01T00:00:01Z",
            );
            task.poll_interval = Some(500);
            check("Task", &task);
            check("CreateTaskResult", &CreateTaskResult::new(task.clone()));
            check("GetTaskResult", &GetTaskResult::new(task.clone()));
            check("ListTasksResult", &ListTasksResult::new(vec![task]));
            let url = ElicitRequestParams::from(ElicitRequestURLParams {
                elicitation_id: Some("e1".into()),
                ..ElicitRequestURLParams::new("Key", "https://example.com")
            });
            check("ElicitRequestParams", &url);
        }
    }
    assert!(checked > 60, "only {checked} checks ran");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Object-safe serialization for the table of checks.
mod erased {
    pub(super) trait Ser {
        fn to_json(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Ser for T {
        fn to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("serialize")
        }
    }

    pub(super) struct Wrap<'a>(pub(super) &'a dyn Ser);

    impl serde::Serialize for Wrap<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.0.to_json().serialize(s)
        }
    }
}

#[test]
fn schema_wrapper_rejects_invalid_values() {
    for &v in ALL {
        let spec = Spec::load(v);
        let mut failures = Vec::new();
        // `content` is required and `isError` must be a boolean.
        spec.check("CallToolResult", &json!({"isError": "yes"}), &mut failures);
        assert_eq!(failures.len(), 1, "{v}: invalid CallToolResult was accepted");
    }
}
