//! Describing tools before calling them: the parameters of each tool for
//! `mcp tools`, and everything about one for `mcp tool NAME`.

use anyhow::Result;
use mcp_client::types::Tool;
use serde_json::{json, Map, Value};

use crate::render::{escape_server_text, Out};

/// The longest parameter summary in the `tools` table.
const PARAMETERS_WIDTH: usize = 60;

/// A property's type for people: `string`, `integer|null`, `array<string>`,
/// or `any`.
fn type_of(schema: &Value) -> String {
    let base = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("|"),
        _ if schema.get("enum").is_some() => "enum".to_owned(),
        _ => "any".to_owned(),
    };
    match (
        base.as_str(),
        schema
            .get("items")
            .and_then(|i| i.get("type"))
            .and_then(Value::as_str),
    ) {
        ("array", Some(item)) => format!("array<{item}>"),
        _ => base,
    }
}

/// `name: type` for each property of an object schema, required ones
/// first, then by name.
fn parameters(schema: &Map<String, Value>) -> Vec<(String, String, bool)> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut params: Vec<(String, String, bool)> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| {
            p.iter()
                .map(|(name, s)| (name.clone(), type_of(s), required.contains(&name.as_str())))
                .collect()
        })
        .unwrap_or_default();
    params.sort_by_key(|(_, _, required)| !required);
    params
}

/// The parameters of a tool on one line: `a: number, b: number, note?: string`.
pub(crate) fn parameters_line(schema: &Map<String, Value>) -> String {
    let line = parameters(schema)
        .iter()
        .map(|(name, ty, required)| format!("{name}{}: {ty}", if *required { "" } else { "?" }))
        .collect::<Vec<_>>()
        .join(", ");
    escape_server_text(&line, PARAMETERS_WIDTH)
}

/// `mcp tool NAME`: description, parameters, schemas and annotations.
pub(crate) fn tool(tool: &Tool, out: &Out) -> Result<()> {
    if out.json {
        return out.print_json(&json!({ "tool": tool }));
    }
    let text = |s: &str| escape_server_text(s, 4000);
    let mut lines = vec![format!("tool          {}", text(&tool.name))];
    if let Some(title) = tool
        .title
        .as_deref()
        .or(tool.annotations.as_ref().and_then(|a| a.title.as_deref()))
    {
        lines.push(format!("title         {}", text(title)));
    }
    if let Some(description) = &tool.description {
        lines.push(format!("description   {}", text(description.trim())));
    }
    let params = parameters(&tool.input_schema);
    if params.is_empty() {
        lines.push("parameters    (none)".to_owned());
    }
    for (i, (name, ty, required)) in params.iter().enumerate() {
        let label = if i == 0 { "parameters" } else { "" };
        let description = tool
            .input_schema
            .get("properties")
            .and_then(|p| p.get(name))
            .and_then(|p| p.get("description"))
            .and_then(Value::as_str)
            .map(|d| format!(" — {}", text(d)))
            .unwrap_or_default();
        let required = if *required { " (required)" } else { "" };
        lines.push(format!("{label:<14}{}: {ty}{required}{description}", text(name)));
    }
    if let Some(a) = &tool.annotations {
        let hints: Vec<String> = [
            ("read-only", a.read_only_hint),
            ("destructive", a.destructive_hint),
            ("idempotent", a.idempotent_hint),
            ("open-world", a.open_world_hint),
        ]
        .into_iter()
        .filter_map(|(name, hint)| hint.map(|h| format!("{name}: {h}")))
        .collect();
        if !hints.is_empty() {
            lines.push(format!("annotations   {}", hints.join(", ")));
        }
    }
    let pretty = |schema: &Map<String, Value>| {
        serde_json::to_string_pretty(schema)
            .map(|s| {
                s.lines()
                    .map(|l| format!("  {}", text(l)))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    };
    lines.push(format!("input schema\n{}", pretty(&tool.input_schema)));
    if let Some(output) = &tool.output_schema {
        lines.push(format!("output schema\n{}", pretty(output)));
    }
    out.lines(&lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_read_well_required_first() {
        let schema = json!({
            "type": "object",
            "properties": {
                "note": {"type": "string"},
                "a": {"type": "number"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "b": {"type": ["integer", "null"]}
            },
            "required": ["a", "b"]
        });
        let schema = schema.as_object().cloned().unwrap_or_default();
        assert_eq!(
            parameters_line(&schema),
            "a: number, b: integer|null, note?: string, tags?: array<stri…",
            "cut to the column's width"
        );
        assert_eq!(parameters_line(&Map::new()), "");
    }
}
