//! Output schemas that would loop: a `$ref` cycle that never descends into
//! the value (`{"allOf": [{"$ref": "#"}]}`, two `$defs` that refer to each
//! other) makes a validator recurse, or expand, without end. Such a schema
//! is found here, before it is compiled, and not used.
//!
//! The walk is iterative (no recursion a schema controls) and visits each
//! subschema once. A recursive schema that descends into the value (a tree:
//! `{"properties": {"children": {"items": {"$ref": "#"}}}}`) is fine: each
//! step consumes a level of the value, which is finite.

use std::collections::HashMap;

use serde_json::Value;

/// Keywords whose subschemas apply to the same value (no descent).
const IN_PLACE_ONE: &[&str] = &["not", "if", "then", "else"];
const IN_PLACE_MANY: &[&str] = &["allOf", "anyOf", "oneOf"];

/// True when `schema` holds a cycle of in-place references.
pub(crate) fn loops(schema: &Value) -> bool {
    let anchors = anchors(schema);
    // 1: on the walk's path, 2: done.
    let mut state: HashMap<String, u8> = HashMap::new();
    let mut stack: Vec<(String, Vec<String>)> = vec![(String::new(), edges(schema, "", &anchors))];
    state.insert(String::new(), 1);
    while let Some((_, pending)) = stack.last_mut() {
        match pending.pop() {
            Some(next) => match state.get(&next) {
                Some(1) => return true,
                Some(_) => {}
                None => {
                    state.insert(next.clone(), 1);
                    let out = edges(schema, &next, &anchors);
                    stack.push((next, out));
                }
            },
            None => {
                if let Some((done, _)) = stack.pop() {
                    state.insert(done, 2);
                }
            }
        }
    }
    false
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The subschemas applied to the same value as the one at `at`.
fn edges(root: &Value, at: &str, anchors: &HashMap<String, String>) -> Vec<String> {
    let Some(Value::Object(map)) = root.pointer(at) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in ["$ref", "$dynamicRef"] {
        if let Some(target) = map
            .get(key)
            .and_then(Value::as_str)
            .and_then(|r| resolve(r, anchors))
        {
            out.push(target);
        }
    }
    for key in IN_PLACE_ONE {
        if map.get(*key).is_some_and(Value::is_object) {
            out.push(format!("{at}/{key}"));
        }
    }
    for key in IN_PLACE_MANY {
        if let Some(Value::Array(items)) = map.get(*key) {
            out.extend((0..items.len()).map(|i| format!("{at}/{key}/{i}")));
        }
    }
    if let Some(Value::Object(deps)) = map.get("dependentSchemas") {
        out.extend(
            deps.keys()
                .map(|k| format!("{at}/dependentSchemas/{}", escape(k))),
        );
    }
    out
}

/// The JSON pointer a local reference names (`#`, `#/$defs/a`, `#anchor`);
/// `None` for references elsewhere, which are never fetched.
fn resolve(reference: &str, anchors: &HashMap<String, String>) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    if fragment.is_empty() || fragment.starts_with('/') {
        return Some(percent_decode(fragment));
    }
    anchors.get(fragment).cloned()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every `$anchor` and `$dynamicAnchor` of the document, to its pointer.
fn anchors(root: &Value) -> HashMap<String, String> {
    let mut found = HashMap::new();
    let mut stack = vec![(String::new(), root)];
    while let Some((at, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                for key in ["$anchor", "$dynamicAnchor"] {
                    if let Some(name) = map.get(key).and_then(Value::as_str) {
                        found.entry(name.to_owned()).or_insert_with(|| at.clone());
                    }
                }
                stack.extend(map.iter().map(|(k, v)| (format!("{at}/{}", escape(k)), v)));
            }
            Value::Array(items) => {
                stack.extend(items.iter().enumerate().map(|(i, v)| (format!("{at}/{i}"), v)))
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn in_place_cycles_are_found() {
        for schema in [
            json!({"allOf": [{"$ref": "#"}]}),
            json!({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"}),
            json!({"$defs": {"a b": {"not": {"$ref": "#/$defs/a%20b"}}}, "$ref": "#/$defs/a%20b"}),
            json!({"$defs": {"x": {"$anchor": "node", "oneOf": [{"$ref": "#node"}]}}, "$ref": "#node"}),
            json!({"if": {"$ref": "#"}}),
        ] {
            assert!(loops(&schema), "{schema}");
        }
    }

    #[test]
    fn recursion_through_the_value_is_fine() {
        for schema in [
            json!({"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}),
            json!({"$defs": {"a": {"type": "string"}}, "allOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/a"}]}),
            json!({"$ref": "https://example.com/schema"}),
            json!({"type": "object"}),
        ] {
            assert!(!loops(&schema), "{schema}");
        }
    }

    #[test]
    fn a_long_chain_of_references_does_not_recurse() {
        let mut defs = serde_json::Map::new();
        for i in 0..50_000 {
            defs.insert(format!("d{i}"), json!({"$ref": format!("#/$defs/d{}", i + 1)}));
        }
        defs.insert("d50000".into(), json!({"$ref": "#/$defs/d0"}));
        let schema = json!({"$defs": defs, "$ref": "#/$defs/d0"});
        assert!(loops(&schema));
    }
}
