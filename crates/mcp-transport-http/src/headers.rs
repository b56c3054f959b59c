//! The request metadata headers of Streamable HTTP (2026-07-28):
//! `Mcp-Method`, `Mcp-Name`, `Mcp-Param-{Name}` from tool parameters marked
//! `x-mcp-header`, the Base64 sentinel encoding, and the validation that
//! drops tools with invalid annotations from `tools/list` results.

use std::collections::HashMap;

use base64::Engine as _;
use http::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

/// `_meta` key of the per-request protocol version (2026-07-28).
pub(crate) const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";

/// Largest integer a header parameter may carry (JavaScript's safe range).
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The annotated parameters of one tool: property path and header name.
pub(crate) type ToolHeaders = Vec<(Vec<String>, String)>;

/// Encodes a header value: as is when it is plain visible ASCII (spaces
/// inside allowed), else as `=?base64?{b64 of UTF-8}?=`.
pub(crate) fn encode_value(value: &str) -> String {
    let visible = value.bytes().all(|b| (0x20..=0x7e).contains(&b));
    let padded = value.starts_with(' ') || value.ends_with(' ');
    let sentinel = value.starts_with("=?base64?") && value.ends_with("?=");
    if visible && !padded && !sentinel {
        value.to_owned()
    } else {
        format!(
            "=?base64?{}?=",
            base64::engine::general_purpose::STANDARD.encode(value)
        )
    }
}

/// The protocol version a request's `_meta` declares, if any: the mark of
/// a 2026-07-28 request.
pub(crate) fn meta_version(params: Option<&Value>) -> Option<String> {
    params?
        .get("_meta")?
        .get(META_PROTOCOL_VERSION)?
        .as_str()
        .map(str::to_owned)
}

fn header(name: &str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    Some((
        HeaderName::from_bytes(name.as_bytes()).ok()?,
        HeaderValue::from_str(value).ok()?,
    ))
}

/// The `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*` headers of a request.
pub(crate) fn request_headers(
    method: &str,
    params: Option<&Value>,
    tools: &HashMap<String, ToolHeaders>,
) -> Vec<(HeaderName, HeaderValue)> {
    let mut out = Vec::new();
    out.extend(header("mcp-method", method));
    let name_field = match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        m if m.starts_with("tasks/") => Some("taskId"),
        _ => None,
    };
    let name = name_field.and_then(|f| params?.get(f)?.as_str());
    if let Some(name) = name {
        out.extend(header("mcp-name", &encode_value(name)));
    }
    if method == "tools/call" {
        let annotated = name.and_then(|n| tools.get(n));
        let args = params.and_then(|p| p.get("arguments"));
        for (path, hname) in annotated.into_iter().flatten() {
            let mut v = args;
            for key in path {
                v = v.and_then(|v| v.get(key));
            }
            let text = match v {
                Some(Value::String(s)) => encode_value(s),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                    (Some(i), _) => i.to_string(),
                    (None, Some(f)) if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64 => {
                        format!("{}", f as i64)
                    }
                    _ => continue,
                },
                _ => continue,
            };
            out.extend(header(&format!("mcp-param-{hname}"), &text));
        }
    }
    out
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Keys whose values are instance data, not subschemas.
const DATA_KEYWORDS: &[&str] = &["const", "default", "enum", "examples", "example"];

struct Walk {
    found: ToolHeaders,
    lower: Vec<String>,
}

impl Walk {
    fn schema(&mut self, node: &Value, path: Option<&[String]>) -> Result<(), String> {
        let Value::Object(map) = node else {
            return self.any(node);
        };
        if let Some(h) = map.get("x-mcp-header") {
            let Some(path) = path.filter(|p| !p.is_empty()) else {
                return Err("`x-mcp-header` on a schema not reachable through `properties` alone".into());
            };
            self.annotation(map, h, path)?;
        }
        for (k, v) in map {
            match k.as_str() {
                "x-mcp-header" => {}
                "properties" => match (v, path) {
                    (Value::Object(props), Some(path)) => {
                        for (name, sub) in props {
                            let mut p = path.to_vec();
                            p.push(name.clone());
                            self.schema(sub, Some(&p))?;
                        }
                    }
                    (Value::Object(props), None) => {
                        for sub in props.values() {
                            self.schema(sub, None)?;
                        }
                    }
                    _ => self.any(v)?,
                },
                k if DATA_KEYWORDS.contains(&k) => {}
                _ => self.any(v)?,
            }
        }
        Ok(())
    }

    fn any(&mut self, v: &Value) -> Result<(), String> {
        match v {
            Value::Object(_) => self.schema(v, None),
            Value::Array(items) => items.iter().try_for_each(|i| self.any(i)),
            _ => Ok(()),
        }
    }

    fn annotation(&mut self, schema: &Map<String, Value>, h: &Value, path: &[String]) -> Result<(), String> {
        let at = path.join(".");
        let Some(name) = h.as_str() else {
            return Err(format!("`x-mcp-header` of `{at}` is not a string"));
        };
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(format!(
                "`x-mcp-header` {name:?} of `{at}` is not a valid header name token"
            ));
        }
        let primitive = |t: &str| matches!(t, "string" | "integer" | "boolean");
        let ok_type = match schema.get("type") {
            Some(Value::String(t)) => primitive(t),
            Some(Value::Array(ts)) => {
                let named: Vec<&str> = ts
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|t| *t != "null")
                    .collect();
                named.len() == 1 && named.len() + 1 >= ts.len() && primitive(named[0])
            }
            _ => false,
        };
        if !ok_type {
            return Err(format!(
                "`x-mcp-header` {name:?} is on `{at}`, which is not of type string, integer or boolean"
            ));
        }
        let lower = name.to_ascii_lowercase();
        if self.lower.contains(&lower) {
            return Err(format!(
                "`x-mcp-header` {name:?} is used twice (names are case-insensitive)"
            ));
        }
        self.lower.push(lower);
        self.found.push((path.to_vec(), name.to_owned()));
        Ok(())
    }
}

/// Validates one tool's `x-mcp-header` annotations; returns them.
pub(crate) fn tool_headers(tool: &Value) -> Result<ToolHeaders, String> {
    let mut walk = Walk {
        found: Vec::new(),
        lower: Vec::new(),
    };
    if let Some(schema) = tool.get("inputSchema") {
        walk.schema(schema, Some(&[]))?;
    }
    Ok(walk.found)
}

/// Checks a `tools/list` result: records the annotations of valid tools in
/// `tools` and drops the invalid ones. Returns the rewritten result when a
/// tool was dropped.
pub(crate) fn filter_tools_list(result: &str, tools: &mut HashMap<String, ToolHeaders>) -> Option<String> {
    let mut value: Value = serde_json::from_str(result).ok()?;
    let list = value.get_mut("tools")?.as_array_mut()?;
    let before = list.len();
    list.retain(|tool| {
        let name = tool.get("name").and_then(Value::as_str).unwrap_or("");
        match tool_headers(tool) {
            Ok(found) => {
                if found.is_empty() {
                    tools.remove(name);
                } else {
                    tools.insert(name.to_owned(), found);
                }
                true
            }
            Err(reason) => {
                tracing::warn!(tool = name, %reason, "dropping a tool with an invalid x-mcp-header annotation from tools/list");
                tools.remove(name);
                false
            }
        }
    });
    (list.len() != before).then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn encodes_per_spec_examples() {
        assert_eq!(encode_value("us-west1"), "us-west1");
        assert_eq!(encode_value("Hello, 世界"), "=?base64?SGVsbG8sIOS4lueVjA==?=");
        assert_eq!(encode_value(" padded "), "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(encode_value("line1\nline2"), "=?base64?bGluZTEKbGluZTI=?=");
        assert_eq!(
            encode_value("=?base64?literal?="),
            "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="
        );
    }

    #[test]
    fn finds_nested_annotations_and_builds_headers() {
        let tool = json!({"name": "sql", "inputSchema": {"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "opts": {"type": "object", "properties": {"n": {"type": "integer", "x-mcp-header": "N"}}},
            "dry": {"type": "boolean", "x-mcp-header": "Dry"}
        }}});
        let found = tool_headers(&tool).expect("valid");
        assert_eq!(found.len(), 3);
        let mut tools = HashMap::new();
        tools.insert("sql".to_owned(), found);
        let params = json!({"name": "sql", "arguments": {"region": "eu", "opts": {"n": 7}, "dry": false}});
        let h = request_headers("tools/call", Some(&params), &tools);
        let get = |n: &str| {
            h.iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.to_str().unwrap_or("?").to_owned())
        };
        assert_eq!(get("mcp-method").as_deref(), Some("tools/call"));
        assert_eq!(get("mcp-name").as_deref(), Some("sql"));
        assert_eq!(get("mcp-param-region").as_deref(), Some("eu"));
        assert_eq!(get("mcp-param-n").as_deref(), Some("7"));
        assert_eq!(get("mcp-param-dry").as_deref(), Some("false"));
    }

    #[test]
    fn rejects_invalid_annotations() {
        let bad = [
            json!({"properties": {"a": {"type": "number", "x-mcp-header": "A"}}}),
            json!({"properties": {"a": {"type": "object", "x-mcp-header": "A"}}}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": "A"}, "b": {"type": "string", "x-mcp-header": "a"}}}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": "A B"}}}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": ""}}}),
            json!({"properties": {"a": {"type": "array", "items": {"type": "string", "x-mcp-header": "A"}}}}),
            json!({"properties": {"a": {"oneOf": [{"type": "string", "x-mcp-header": "A"}]}}}),
            json!({"type": "string", "x-mcp-header": "Root"}),
        ];
        for schema in bad {
            assert!(
                tool_headers(&json!({"name": "t", "inputSchema": schema})).is_err(),
                "{schema}"
            );
        }
        let mut tools = HashMap::new();
        let list = json!({"tools": [
            {"name": "ok", "inputSchema": {"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}},
            {"name": "bad", "inputSchema": {"properties": {"a": {"type": "number", "x-mcp-header": "A"}}}}
        ]});
        let out = filter_tools_list(&list.to_string(), &mut tools).expect("rewritten");
        assert!(out.contains("\"ok\"") && !out.contains("\"bad\""));
        assert!(tools.contains_key("ok"));
    }
}
