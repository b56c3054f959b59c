//! How a request's params are put on the wire: as the caller built them
//! (initialize era), or with the per-request `_meta` of the stateless era,
//! a progress token, and the answers of a multi round-trip retry.

use mcp_jsonrpc::RawValue;
use mcp_types::InputResponses;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{ClientError, Result};

/// What to add to a request's params besides the caller's fields.
#[derive(Default)]
pub(crate) struct Additions<'a> {
    /// `_meta` keys of the stateless era (protocol version, capabilities,
    /// client info, log level).
    pub(crate) meta: Option<&'a Map<String, Value>>,
    /// `_meta.progressToken`.
    pub(crate) progress_token: Option<i64>,
    /// `inputResponses` of a retry.
    pub(crate) input_responses: Option<&'a InputResponses>,
    /// `requestState` of a retry, echoed exactly.
    pub(crate) request_state: Option<&'a str>,
}

impl Additions<'_> {
    fn is_empty(&self) -> bool {
        self.meta.is_none()
            && self.progress_token.is_none()
            && self.input_responses.is_none()
            && self.request_state.is_none()
    }
}

/// Encodes `params` with `additions`. The initialize era without progress
/// takes the fast path: one serialization, no intermediate value.
pub(crate) fn encode<P: Serialize + ?Sized>(
    method: &str,
    params: &P,
    additions: &Additions<'_>,
) -> Result<Box<RawValue>> {
    let fail = |source| ClientError::Encode {
        method: method.to_owned(),
        source,
    };
    if additions.is_empty() {
        return mcp_jsonrpc::to_raw(params).map_err(fail);
    }
    let mut value = serde_json::to_value(params).map_err(fail)?;
    if value.is_null() {
        value = Value::Object(Map::new());
    }
    let Value::Object(map) = &mut value else {
        return Err(ClientError::InvalidArguments {
            method: method.to_owned(),
            detail: "request params must be a JSON object".into(),
        });
    };
    let meta = map.entry("_meta").or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    if let Value::Object(meta) = meta {
        if let Some(base) = additions.meta {
            for (k, v) in base {
                meta.insert(k.clone(), v.clone());
            }
        }
        if let Some(token) = additions.progress_token {
            meta.insert(mcp_types::meta_keys::PROGRESS_TOKEN.into(), token.into());
        }
    }
    if let Some(responses) = additions.input_responses {
        map.insert(
            "inputResponses".into(),
            serde_json::to_value(responses).map_err(fail)?,
        );
    }
    if let Some(state) = additions.request_state {
        map.insert("requestState".into(), Value::String(state.to_owned()));
    }
    mcp_jsonrpc::to_raw(&value).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fast_path_keeps_params_as_they_are() {
        let raw = encode("m", &json!({"a": 1}), &Additions::default()).expect("encodes");
        assert_eq!(raw.get(), r#"{"a":1}"#);
    }

    #[test]
    fn meta_is_merged_with_the_callers_meta() {
        let mut base = Map::new();
        base.insert(
            "io.modelcontextprotocol/protocolVersion".into(),
            json!("2026-07-28"),
        );
        let additions = Additions {
            meta: Some(&base),
            progress_token: Some(7),
            request_state: Some("s1"),
            ..Default::default()
        };
        let raw = encode("m", &json!({"name": "x", "_meta": {"mine": true}}), &additions).expect("encodes");
        let v: Value = serde_json::from_str(raw.get()).expect("json");
        assert_eq!(
            v,
            json!({"name": "x", "requestState": "s1", "_meta": {"mine": true, "progressToken": 7, "io.modelcontextprotocol/protocolVersion": "2026-07-28"}})
        );
    }

    #[test]
    fn absent_params_become_an_object() {
        let base = Map::new();
        let additions = Additions {
            meta: Some(&base),
            ..Default::default()
        };
        let raw = encode("m", &Value::Null, &additions).expect("encodes");
        assert_eq!(raw.get(), r#"{"_meta":{}}"#);
    }
}
