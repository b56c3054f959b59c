//! Example values from JSON Schema: tool arguments and elicitation answers
//! built from the schemas a server publishes.

use mcp_types::Tool;
use serde_json::{json, Map, Value};

/// A value valid against `schema` (the subset tools use: `$ref`, `const`,
/// `enum`, `default`, `anyOf`/`oneOf`, types, string formats, min/max,
/// array bounds, required properties). `root` resolves local `$ref`s.
/// `pattern` is not honoured; no tool we test uses one.
pub(crate) fn example_value(schema: &Value, root: &Value) -> Value {
    let Some(s) = schema.as_object() else {
        return json!("interop");
    };
    if let Some(Value::String(r)) = s.get("$ref") {
        let target = r.strip_prefix('#').and_then(|p| root.pointer(p));
        return target.map_or(json!("interop"), |t| example_value(t, root));
    }
    if let Some(c) = s.get("const") {
        return c.clone();
    }
    if let Some(d) = s.get("default") {
        return d.clone();
    }
    if let Some(Value::Array(values)) = s.get("enum") {
        if let Some(first) = values.first() {
            return first.clone();
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(options)) = s.get(key) {
            let not_null = options.iter().find(|o| o.get("type") != Some(&json!("null")));
            if let Some(option) = not_null.or(options.first()) {
                return example_value(option, root);
            }
        }
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if s.contains_key("properties") => "object",
        _ => "string",
    };
    match ty {
        "object" => example_object(schema, root, false),
        "array" => example_array(s, root),
        "integer" => json!(number_in_range(s, 1.0).round() as i64),
        "number" => json!(number_in_range(s, 1.5)),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => json!(example_string(s)),
    }
}

/// An object with the required properties (all of them if `all`).
pub(crate) fn example_object(schema: &Value, root: &Value, all: bool) -> Value {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Map::new();
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, prop) in props {
            if all || required.contains(&name.as_str()) {
                out.insert(name.clone(), example_value(prop, root));
            }
        }
    }
    Value::Object(out)
}

fn example_array(s: &Map<String, Value>, root: &Value) -> Value {
    let items = s.get("items").cloned().unwrap_or(json!({}));
    let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(1).max(1) as usize;
    // Distinct values from an enum, for `uniqueItems`.
    if let Some(Value::Array(values)) = items.get("enum") {
        return Value::Array(values.iter().take(min).cloned().collect());
    }
    Value::Array((0..min).map(|_| example_value(&items, root)).collect())
}

fn number_in_range(s: &Map<String, Value>, preferred: f64) -> f64 {
    let get = |k: &str| s.get(k).and_then(Value::as_f64);
    let low = get("minimum").or(get("exclusiveMinimum").map(|m| m + 1.0));
    let high = get("maximum").or(get("exclusiveMaximum").map(|m| m - 1.0));
    let mut n = preferred;
    if let Some(low) = low {
        n = n.max(low);
    }
    if let Some(high) = high {
        n = n.min(high);
    }
    n
}

fn example_string(s: &Map<String, Value>) -> String {
    let mut text = match s.get("format").and_then(Value::as_str) {
        Some("email") => "interop@example.com".to_owned(),
        Some("uri" | "url") => "https://example.com/interop".to_owned(),
        Some("date") => "2024-01-02".to_owned(),
        Some("date-time") => "2024-01-02T03:04:05Z".to_owned(),
        _ => "interop".to_owned(),
    };
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = s.get("maxLength").and_then(Value::as_u64).map(|m| m as usize);
    while text.len() < min {
        text.push('x');
    }
    if let Some(max) = max {
        text.truncate(max.max(1));
    }
    text
}

/// Arguments for `tool` built from its input schema.
pub(crate) fn example_arguments(tool: &Tool) -> Map<String, Value> {
    let schema = Value::Object(tool.input_schema.clone());
    match example_object(&schema, &schema, false) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Replaces every `{var}` (any RFC 6570 expression) in `template` by `value`.
pub(crate) fn expand_template(template: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                out.push_str(value);
                rest = &rest[open + close + 1..];
            }
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The variable names of a URI template (`{a}`, `{+b}`, `{?c,d}`).
pub(crate) fn template_variables(template: &str) -> Vec<String> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(expr, _)| expr))
        .flat_map(|expr| {
            expr.trim_start_matches(['+', '#', '.', '/', ';', '?', '&'])
                .split(',')
        })
        .map(|v| v.trim_end_matches('*').split(':').next().unwrap_or(v).to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}
