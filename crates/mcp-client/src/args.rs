//! What the calls take as arguments: tool arguments from anything that
//! serializes to a JSON object, prompt arguments from pairs of strings.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ClientError;

/// Tool arguments: a JSON object, or none.
///
/// Implemented for `json!` values and `Map`s, for a reference to anything
/// that serializes (a `#[derive(Serialize)]` struct: pass `&args`), and for
/// `()`, `None` and `Option<Map>`. A value that is not an object is refused
/// ([`ClientError::InvalidArguments`]) before a byte is sent.
///
/// ```
/// use mcp_client::IntoArguments;
/// use serde_json::json;
///
/// #[derive(serde::Serialize)]
/// struct Add { a: i64, b: i64 }
///
/// assert!(json!({"a": 1}).into_arguments().is_ok());
/// assert!((&Add { a: 1, b: 2 }).into_arguments().is_ok());
/// assert_eq!(().into_arguments().ok(), Some(None));
/// assert_eq!(None.into_arguments().ok(), Some(None));
/// assert!(json!([1, 2]).into_arguments().is_err());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be tool arguments",
    note = "pass a JSON object (`json!({{..}})`, a `Map`), a reference to a `Serialize` value (`&args`), or `()`/`None` for none"
)]
pub trait IntoArguments {
    /// The arguments as an object, `None` for none, or why they cannot be
    /// sent.
    fn into_arguments(self) -> Result<Option<Map<String, Value>>, String>;
}

fn object(value: Value) -> Result<Option<Map<String, Value>>, String> {
    match value {
        Value::Object(map) => Ok(Some(map)),
        Value::Null => Ok(None),
        other => Err(format!(
            "tool arguments must be a JSON object (or `()` for none), got {}",
            kind(&other)
        )),
    }
}

impl IntoArguments for Value {
    fn into_arguments(self) -> Result<Option<Map<String, Value>>, String> {
        object(self)
    }
}

impl IntoArguments for Map<String, Value> {
    fn into_arguments(self) -> Result<Option<Map<String, Value>>, String> {
        Ok(Some(self))
    }
}

impl IntoArguments for () {
    fn into_arguments(self) -> Result<Option<Map<String, Value>>, String> {
        Ok(None)
    }
}

/// The one `Option` form, so that a bare `None` means no arguments.
impl IntoArguments for Option<Map<String, Value>> {
    fn into_arguments(self) -> Result<Option<Map<String, Value>>, String> {
        Ok(self)
    }
}

impl<T: Serialize + ?Sized> IntoArguments for &T {
    fn into_arguments(self) -> Result<Option<Map<String, Value>>, String> {
        match serde_json::to_value(self) {
            Ok(value) => object(value),
            Err(e) => Err(format!("the arguments do not serialize to JSON: {e}")),
        }
    }
}

/// The arguments of `method`, or [`ClientError::InvalidArguments`].
pub(crate) fn tool_arguments(
    method: &str,
    arguments: impl IntoArguments,
) -> Result<Option<Map<String, Value>>, ClientError> {
    arguments
        .into_arguments()
        .map_err(|detail| ClientError::InvalidArguments {
            method: method.to_owned(),
            detail,
        })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Prompt (and completion context) arguments: string names to string
/// values, or none.
///
/// Implemented for maps and sequences of string-like pairs
/// (`HashMap<&str, &str>`, `BTreeMap<String, String>`, `[("name", "Ada")]`,
/// `Vec<(String, &str)>`, …), for `()` and `None` (no arguments), and for
/// `Option<BTreeMap<String, String>>`.
///
/// ```
/// use std::collections::HashMap;
/// use mcp_client::IntoPromptArguments;
///
/// let map: HashMap<&str, &str> = [("name", "Ada")].into();
/// assert_eq!(map.into_prompt_arguments().map(|a| a.len()), Some(1));
/// assert_eq!([("name", String::from("Ada"))].into_prompt_arguments().map(|a| a.len()), Some(1));
/// assert!(().into_prompt_arguments().is_none());
/// assert!(None.into_prompt_arguments().is_none());
/// ```
pub trait IntoPromptArguments {
    /// The arguments, or `None` for none.
    fn into_prompt_arguments(self) -> Option<BTreeMap<String, String>>;
}

fn collect<K: Into<String>, V: Into<String>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Option<BTreeMap<String, String>> {
    Some(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
}

impl<K: Into<String>, V: Into<String>, S: BuildHasher> IntoPromptArguments for HashMap<K, V, S> {
    fn into_prompt_arguments(self) -> Option<BTreeMap<String, String>> {
        collect(self)
    }
}

impl<K: Into<String>, V: Into<String>> IntoPromptArguments for BTreeMap<K, V> {
    fn into_prompt_arguments(self) -> Option<BTreeMap<String, String>> {
        collect(self)
    }
}

impl<K: Into<String>, V: Into<String>> IntoPromptArguments for Vec<(K, V)> {
    fn into_prompt_arguments(self) -> Option<BTreeMap<String, String>> {
        collect(self)
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> IntoPromptArguments for [(K, V); N] {
    fn into_prompt_arguments(self) -> Option<BTreeMap<String, String>> {
        collect(self)
    }
}

impl<K: Into<String> + Clone, V: Into<String> + Clone> IntoPromptArguments for &[(K, V)] {
    fn into_prompt_arguments(self) -> Option<BTreeMap<String, String>> {
        collect(self.iter().cloned())
    }
}

impl IntoPromptArguments for () {
    fn into_prompt_arguments(self) -> Option<BTreeMap<String, String>> {
        None
    }
}

/// The one `Option` form, so that a bare `None` means no arguments.
impl IntoPromptArguments for Option<BTreeMap<String, String>> {
    fn into_prompt_arguments(self) -> Option<BTreeMap<String, String>> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct Add {
        a: i64,
        b: i64,
    }

    #[test]
    fn tool_arguments_take_objects_and_nothing_else() {
        let from_struct = tool_arguments("tools/call", &Add { a: 1, b: 2 }).expect("an object");
        assert_eq!(from_struct.map(Value::Object), Some(json!({"a": 1, "b": 2})));
        assert_eq!(tool_arguments("tools/call", ()).expect("none"), None);
        assert_eq!(tool_arguments("tools/call", None).expect("none"), None);
        assert_eq!(tool_arguments("tools/call", &None::<Add>).expect("none"), None);
        assert!(tool_arguments("tools/call", json!({"x": [1]}))
            .expect("object")
            .is_some());
        // A reference to a value works as well as the value.
        let borrowed = json!({"x": [1]});
        assert!(tool_arguments("tools/call", &borrowed).expect("object").is_some());
        for bad in [json!([1, 2]), json!("a"), json!(3), json!(true)] {
            let e = tool_arguments("tools/call", bad).expect_err("refused");
            assert!(matches!(e, ClientError::InvalidArguments { .. }), "{e}");
        }
    }
}
