//! The `x-mcp-header` annotations of a tool's `inputSchema` (2026-07-28):
//! which parameters are mirrored into transport headers, and whether the
//! annotations are valid. A tool with an invalid one is dropped from the
//! listing (the spec's rule for clients), on every transport alike.

use mcp_jsonrpc::HeaderParam;
use serde_json::{Map, Value};

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Keys whose values are instance data, not subschemas.
const DATA_KEYWORDS: &[&str] = &["const", "default", "enum", "examples", "example"];

struct Walk {
    found: Vec<HeaderParam>,
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
            self.entry(k, v, path)?;
        }
        Ok(())
    }

    /// One keyword of a schema at `path` (`None`: not statically reachable).
    fn entry(&mut self, k: &str, v: &Value, path: Option<&[String]>) -> Result<(), String> {
        match k {
            "x-mcp-header" if path.is_some_and(|p| p.is_empty()) => {
                Err("`x-mcp-header` on a schema not reachable through `properties` alone".into())
            }
            "x-mcp-header" => Ok(()),
            "properties" => match (v, path) {
                (Value::Object(props), Some(path)) => {
                    for (name, sub) in props {
                        let mut p = path.to_vec();
                        p.push(name.clone());
                        self.schema(sub, Some(&p))?;
                    }
                    Ok(())
                }
                (Value::Object(props), None) => {
                    for sub in props.values() {
                        self.schema(sub, None)?;
                    }
                    Ok(())
                }
                _ => self.any(v),
            },
            k if DATA_KEYWORDS.contains(&k) => Ok(()),
            _ => self.any(v),
        }
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
        self.found.push(HeaderParam::new(path.to_vec(), name));
        Ok(())
    }
}

/// Validates the `x-mcp-header` annotations of a tool's `inputSchema`;
/// returns the parameters they mirror, or why the tool is invalid.
pub(crate) fn tool_headers(input_schema: &Map<String, Value>) -> Result<Vec<HeaderParam>, String> {
    let mut walk = Walk {
        found: Vec::new(),
        lower: Vec::new(),
    };
    for (k, v) in input_schema {
        walk.entry(k, v, Some(&[]))?;
    }
    Ok(walk.found)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn headers(schema: Value) -> Result<Vec<HeaderParam>, String> {
        match schema {
            Value::Object(map) => tool_headers(&map),
            _ => Err("not an object".into()),
        }
    }

    #[test]
    fn finds_nested_annotations() {
        let found = headers(json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "opts": {"type": "object", "properties": {"n": {"type": "integer", "x-mcp-header": "N"}}},
            "dry": {"type": ["boolean", "null"], "x-mcp-header": "Dry"},
            "note": {"type": "string", "default": {"x-mcp-header": "not a schema"}}
        }}))
        .expect("valid");
        let paths: Vec<(Vec<String>, String)> = found.into_iter().map(|h| (h.path, h.header)).collect();
        assert_eq!(
            paths,
            vec![
                (vec!["dry".to_owned()], "Dry".to_owned()),
                (vec!["opts".to_owned(), "n".to_owned()], "N".to_owned()),
                (vec!["region".to_owned()], "Region".to_owned()),
            ]
        );
    }

    #[test]
    fn rejects_invalid_annotations() {
        let bad = [
            json!({"properties": {"a": {"type": "number", "x-mcp-header": "A"}}}),
            json!({"properties": {"a": {"type": "object", "x-mcp-header": "A"}}}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": "A"}, "b": {"type": "string", "x-mcp-header": "a"}}}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": "A B"}}}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": ""}}}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": 7}}}),
            json!({"properties": {"a": {"type": "array", "items": {"type": "string", "x-mcp-header": "A"}}}}),
            json!({"properties": {"a": {"oneOf": [{"type": "string", "x-mcp-header": "A"}]}}}),
            json!({"$defs": {"x": {"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}}}),
            json!({"type": "string", "x-mcp-header": "Root"}),
        ];
        for schema in bad {
            assert!(headers(schema.clone()).is_err(), "{schema}");
        }
    }
}
