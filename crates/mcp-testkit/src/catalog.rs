//! What the example server offers: tools, resources, prompts.

use mcp_types::{
    BlobResourceContents, Prompt, PromptArgument, Resource, ResourceContents, ResourceTemplate,
    TextResourceContents, Tool,
};
use serde_json::{json, Map, Value};

use crate::mrtr::SECRET_URI;

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn tool(name: &str, description: &str, input: Value) -> Tool {
    Tool::new(name, object(input)).with_description(description)
}

/// Every tool, in listing order. The `initialize` era lists the original
/// twelve (its tests count them); 2026-07-28 adds the tools for multi
/// round-trip requests, subscriptions and tasks, and documents how the
/// interactive tools behave in that era.
pub(crate) fn tools(stateless: bool) -> Vec<Tool> {
    let mut tools = vec![
        tool(
            "echo",
            "Echoes the message back.",
            json!({"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}),
        ),
        tool(
            "add",
            "Adds two numbers; the sum is also returned as structured content.",
            json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}),
        )
        .with_output_schema(object(json!({
            "type": "object",
            "properties": {"sum": {"type": "number"}},
            "required": ["sum"]
        }))),
        tool(
            "slow",
            "Works in steps, reporting progress after each one.",
            json!({"type": "object", "properties": {
                "steps": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 5},
                "delay_ms": {"type": "integer", "minimum": 0, "maximum": 10000, "default": 100}
            }}),
        ),
        tool(
            "ask",
            "Asks the user a question through the client (elicitation).",
            json!({"type": "object", "properties": {"question": {"type": "string"}}, "required": ["question"]}),
        ),
        tool(
            "sample",
            "Asks the client's model to complete a prompt (sampling).",
            json!({"type": "object", "properties": {"prompt": {"type": "string"}}, "required": ["prompt"]}),
        ),
        tool(
            "roots",
            "Lists the client's roots.",
            json!({"type": "object", "properties": {}}),
        ),
        tool(
            "bad_output",
            "Returns structured content that does not match its own output schema (for tests).",
            json!({"type": "object", "properties": {}}),
        )
        .with_output_schema(object(json!({
            "type": "object",
            "properties": {"count": {"type": "integer"}},
            "required": ["count"]
        }))),
        tool(
            "fail",
            "Always reports an error (isError).",
            json!({"type": "object", "properties": {}}),
        ),
        tool(
            "notify",
            "Sends a log message and a resource update notification.",
            json!({"type": "object", "properties": {"uri": {"type": "string"}}}),
        ),
        tool(
            "crash",
            "Exits the server process in the middle of the call (for tests).",
            json!({"type": "object", "properties": {"code": {"type": "integer"}}}),
        ),
        tool(
            "hang",
            "Never answers (for tests of timeouts and cancellation).",
            json!({"type": "object", "properties": {}}),
        ),
        tool(
            "huge",
            "Answers with a text of the given size in bytes (for tests of size limits).",
            json!({"type": "object", "properties": {"bytes": {"type": "integer", "minimum": 0}}, "required": ["bytes"]}),
        ),
    ];
    if stateless {
        modernize(&mut tools);
    }
    tools
}

/// The 2026-07-28 additions to the tool list.
fn modernize(tools: &mut Vec<Tool>) {
    for tool in tools.iter_mut() {
        let extra = match tool.name.as_str() {
            "slow" => {
                tool.input_schema.insert(
                    "properties".into(),
                    json!({
                        "steps": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 5},
                        "delay_ms": {"type": "integer", "minimum": 0, "maximum": 10000, "default": 100},
                        "task": {"type": "boolean", "default": false}
                    }),
                );
                " With `task: true` and the tasks extension declared, it runs as a task."
            }
            "ask" => {
                " In 2026-07-28 it returns input_required (elicitation/create); without the elicitation \
                 capability it answers isError."
            }
            "sample" => {
                " In 2026-07-28 it returns input_required (sampling/createMessage); without the sampling \
                 capability it fails with -32021."
            }
            "roots" => {
                " In 2026-07-28 it returns input_required (roots/list); without the roots capability it \
                 answers isError."
            }
            "notify" => " In 2026-07-28 the notifications go to the matching subscriptions/listen streams.",
            _ => continue,
        };
        let description = format!("{}{extra}", tool.description.as_deref().unwrap_or_default());
        tool.description = Some(description);
    }
    tools.extend([
        tool(
            "multi_step",
            "Asks for a name, then for a confirmation (two elicitation rounds; input_required twice in \
             2026-07-28, the state travels in requestState). Without the elicitation capability it \
             answers isError.",
            json!({"type": "object", "properties": {}}),
        ),
        tool(
            "task_input",
            "Runs as a task (tasks extension required, else -32021) that waits in input_required until \
             tasks/update answers its question.",
            json!({"type": "object", "properties": {"question": {"type": "string"}, "task": {"type": "boolean"}}}),
        ),
        tool(
            "end_subscriptions",
            "Ends every active subscriptions/listen gracefully (answers it).",
            json!({"type": "object", "properties": {}}),
        ),
    ]);
}

pub(crate) const README_URI: &str = "example://readme";
pub(crate) const LOGO_URI: &str = "example://logo";
pub(crate) const GREETING_TEMPLATE: &str = "example://greeting/{name}";

/// A 1×1 PNG.
const LOGO_PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// Every resource (2026-07-28 also lists `example://secret`).
pub(crate) fn resources(stateless: bool) -> Vec<Resource> {
    let mut readme = Resource::new(README_URI, "readme");
    readme.mime_type = Some("text/markdown".into());
    readme.description = Some("What this server is.".into());
    let mut logo = Resource::new(LOGO_URI, "logo");
    logo.mime_type = Some("image/png".into());
    let mut all = vec![readme, logo];
    if stateless {
        let mut secret = Resource::new(SECRET_URI, "secret");
        secret.mime_type = Some("text/plain".into());
        secret.description = Some(
            "Reading it needs a passphrase: one elicitation round (input_required in 2026-07-28; -32021 \
             without the elicitation capability)."
                .into(),
        );
        all.push(secret);
    }
    all
}

/// Every resource template.
pub(crate) fn templates() -> Vec<ResourceTemplate> {
    let mut greeting: ResourceTemplate = serde_json::from_value(json!({
        "uriTemplate": GREETING_TEMPLATE,
        "name": "greeting",
        "description": "A greeting for {name}.",
        "mimeType": "text/plain"
    }))
    .unwrap_or_else(|_| unreachable!("a valid resource template"));
    greeting.title = Some("Greeting".into());
    vec![greeting]
}

/// Reads a resource by URI.
pub(crate) fn read(uri: &str) -> Option<ResourceContents> {
    if uri == README_URI {
        return Some(ResourceContents::Text(
            TextResourceContents::new(uri, "# Example server\n\nThe MCP server bundled with the Rust MCP client SDK: tools, resources, prompts, logging and completion.")
                .with_mime_type("text/markdown"),
        ));
    }
    if uri == LOGO_URI {
        return Some(ResourceContents::Blob(
            BlobResourceContents::new(uri, LOGO_PNG_BASE64).with_mime_type("image/png"),
        ));
    }
    let name = uri.strip_prefix("example://greeting/")?;
    Some(ResourceContents::Text(
        TextResourceContents::new(uri, format!("Hello, {name}!")).with_mime_type("text/plain"),
    ))
}

/// Every prompt (2026-07-28 also lists `personal`).
pub(crate) fn prompts(stateless: bool) -> Vec<Prompt> {
    let arg = |name: &str, description: &str, required: bool| -> PromptArgument {
        serde_json::from_value(json!({"name": name, "description": description, "required": required}))
            .unwrap_or_else(|_| unreachable!("a valid prompt argument"))
    };
    let prompt = |name: &str, description: &str, args: Vec<PromptArgument>| -> Prompt {
        let mut p: Prompt = serde_json::from_value(json!({"name": name, "description": description}))
            .unwrap_or_else(|_| unreachable!("a valid prompt"));
        p.arguments = Some(args);
        p
    };
    let mut all = vec![
        prompt(
            "greet",
            "Greets someone warmly.",
            vec![arg("name", "Who to greet", true)],
        ),
        prompt(
            "review",
            "Asks for a code review.",
            vec![
                arg("code", "The code", true),
                arg("language", "Its language", false),
            ],
        ),
    ];
    if stateless {
        all.push(prompt(
            "personal",
            "Asks for your name (input_required with an elicitation in 2026-07-28; -32021 without the \
             elicitation capability), then greets you.",
            vec![],
        ));
    }
    all
}

/// Names offered when completing a `name` argument.
pub(crate) const NAMES: &[&str] = &["Ada", "Alan", "Barbara", "Grace", "Ken", "Linus", "Margaret"];
