//! `call` arguments typed by the tool's input schema: `KEY=VALUE` follows
//! the declared type of `KEY` (string, number, integer, boolean, array,
//! object, null; JSON, else a string, when the schema says nothing), and a
//! missing required argument or a value of the wrong type is a usage error
//! naming the parameter and its schema, before anything is sent.

use serde_json::{Map, Value};

use crate::UsageError;

/// The longest quote of a parameter's schema in a message.
const SCHEMA_QUOTE: usize = 160;

/// The declared JSON types of a property (`"type": "x"` or `["x", "y"]`).
fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The property's schema as a short, escaped quote.
fn quote(schema: &Value) -> String {
    crate::render::escape_server_text(&schema.to_string(), SCHEMA_QUOTE)
}

/// `raw` as a value of the JSON type `ty`, if it is one.
fn as_type(raw: &str, ty: &str) -> Option<Value> {
    match ty {
        "string" => Some(Value::String(raw.to_owned())),
        "integer" => raw
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| raw.parse::<u64>().map(Value::from))
            .ok(),
        "number" => match serde_json::from_str::<Value>(raw) {
            Ok(n @ Value::Number(_)) => Some(n),
            _ => None,
        },
        "boolean" => match raw {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        "null" => (raw == "null").then_some(Value::Null),
        "array" => serde_json::from_str::<Value>(raw).ok().filter(Value::is_array),
        "object" => serde_json::from_str::<Value>(raw).ok().filter(Value::is_object),
        _ => None,
    }
}

/// True when `value` is of the JSON type `ty`.
fn is_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        // A type we do not know: the server judges.
        _ => true,
    }
}

/// `KEY=VALUE` pairs, typed by `schema` where it declares the key.
pub(crate) fn typed_pairs(
    pairs: &[String],
    schema: Option<&Map<String, Value>>,
) -> Result<Map<String, Value>, UsageError> {
    let properties = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let mut map = Map::new();
    for pair in pairs {
        let (key, raw) = pair
            .split_once('=')
            .ok_or_else(|| UsageError(format!("arguments take KEY=VALUE, got `{pair}`")))?;
        if key.is_empty() {
            return Err(UsageError(format!("argument `{pair}` has an empty key")));
        }
        let declared = properties.and_then(|p| p.get(key));
        let wanted = declared.map(types).unwrap_or_default();
        let value = if wanted.is_empty() {
            // Nothing declared: JSON if it parses, else a string.
            serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
        } else {
            // Strings last, so that `["integer", "string"]` takes 3 as 3.
            let mut order = wanted.clone();
            order.sort_by_key(|t| *t == "string");
            order.iter().find_map(|t| as_type(raw, t)).ok_or_else(|| {
                UsageError(format!(
                    "argument `{key}` takes {} (its schema: {}), got `{}`",
                    wanted.join(" or "),
                    quote(declared.unwrap_or(&Value::Null)),
                    crate::render::escape_server_text(raw, SCHEMA_QUOTE)
                ))
            })?
        };
        map.insert(key.to_owned(), value);
    }
    Ok(map)
}

/// Checks `arguments` against `schema`: every required property given, and
/// each given property of a declared type.
pub(crate) fn check(
    arguments: &Map<String, Value>,
    schema: Option<&Map<String, Value>>,
) -> Result<(), UsageError> {
    let Some(schema) = schema else { return Ok(()) };
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = schema.get("required").and_then(Value::as_array);
    for key in required.into_iter().flatten().filter_map(Value::as_str) {
        if !arguments.contains_key(key) {
            let declared = properties.and_then(|p| p.get(key)).unwrap_or(&Value::Null);
            return Err(UsageError(format!(
                "missing required argument `{key}` (its schema: {}); give it as {key}=VALUE",
                quote(declared)
            )));
        }
    }
    for (key, value) in arguments {
        let Some(declared) = properties.and_then(|p| p.get(key)) else {
            continue;
        };
        let wanted = types(declared);
        if !wanted.is_empty() && !wanted.iter().any(|t| is_type(value, t)) {
            return Err(UsageError(format!(
                "argument `{key}` takes {} (its schema: {}), got {}",
                wanted.join(" or "),
                quote(declared),
                quote(value)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> Map<String, Value> {
        json!({
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "count": {"type": "integer"},
                "ratio": {"type": "number"},
                "loud": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "either": {"type": ["integer", "string"]}
            },
            "required": ["message"]
        })
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    fn pairs(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn values_follow_the_declared_types() {
        let s = schema();
        let args = typed_pairs(
            &pairs(&[
                "message=123",
                "count=7",
                "ratio=2.5",
                "loud=true",
                "tags=[\"a\"]",
                "either=3",
                "free=1",
            ]),
            Some(&s),
        )
        .expect("typed");
        assert_eq!(
            args["message"],
            json!("123"),
            "a string parameter keeps digits as text"
        );
        assert_eq!(args["count"], json!(7));
        assert_eq!(args["ratio"], json!(2.5));
        assert_eq!(args["loud"], json!(true));
        assert_eq!(args["tags"], json!(["a"]));
        assert_eq!(args["either"], json!(3));
        assert_eq!(args["free"], json!(1), "undeclared: JSON if it parses");
        let either = typed_pairs(&pairs(&["either=x"]), Some(&s)).expect("a string then");
        assert_eq!(either["either"], json!("x"));
    }

    #[test]
    fn mismatches_and_missing_arguments_name_the_parameter_and_its_schema() {
        let s = schema();
        let e = typed_pairs(&pairs(&["count=many"]), Some(&s)).expect_err("not an integer");
        assert!(
            e.0.contains("`count` takes integer") && e.0.contains(r#"{"type":"integer"}"#),
            "{}",
            e.0
        );
        let e = typed_pairs(&pairs(&["loud=yes"]), Some(&s)).expect_err("not a boolean");
        assert!(e.0.contains("`loud` takes boolean"), "{}", e.0);
        let e = check(&Map::new(), Some(&s)).expect_err("message is required");
        assert!(e.0.contains("missing required argument `message`"), "{}", e.0);
        let given = json!({"message": 5}).as_object().cloned().unwrap_or_default();
        let e = check(&given, Some(&s)).expect_err("a number for a string");
        assert!(e.0.contains("`message` takes string"), "{}", e.0);
        assert!(check(&given, None).is_ok(), "no schema, no judgement");
    }
}
