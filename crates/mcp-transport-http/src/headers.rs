//! The request metadata headers of Streamable HTTP (2026-07-28):
//! `Mcp-Method`, `Mcp-Name`, `Mcp-Param-{Name}` from the tool parameters the
//! session names in its hints, and the Base64 sentinel encoding.

use std::collections::HashMap;

use base64::Engine as _;
use http::{HeaderName, HeaderValue};
use mcp_jsonrpc::HeaderParam;
use serde_json::Value;

/// `_meta` key of the per-request protocol version (2026-07-28).
pub(crate) const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";

/// Largest integer a header parameter may carry (JavaScript's safe range).
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

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
    tools: &HashMap<String, Vec<HeaderParam>>,
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
        for param in annotated.into_iter().flatten() {
            let mut v = args;
            for key in &param.path {
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
            out.extend(header(&format!("mcp-param-{}", param.header), &text));
        }
    }
    out
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
    fn builds_the_headers_of_a_call() {
        let mut tools = HashMap::new();
        tools.insert(
            "sql".to_owned(),
            vec![
                HeaderParam::new(vec!["region".into()], "Region"),
                HeaderParam::new(vec!["opts".into(), "n".into()], "N"),
                HeaderParam::new(vec!["dry".into()], "Dry"),
                HeaderParam::new(vec!["absent".into()], "Absent"),
            ],
        );
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
        assert_eq!(get("mcp-param-absent"), None, "no value, no header");
    }
}
