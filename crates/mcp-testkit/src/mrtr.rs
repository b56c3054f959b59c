//! The requests that need input from the client: the `ask`, `sample`,
//! `roots` and `multi_step` tools, the `personal` prompt and the
//! `example://secret` resource.
//!
//! Each is a [`Flow`]: a small state machine that either asks for one input
//! or is done. The initialize-era driver answers each ask with a server→client
//! request; the stateless driver (multi round-trip requests) returns an
//! `input_required` result whose `requestState` carries the machine's state,
//! and resumes when the retry brings `inputResponses`.

use mcp_jsonrpc::{error_codes, ErrorObject, Peer, RequestOptions};
use mcp_types::methods;
use serde_json::{json, Value};

use crate::stateless::{allows, missing_capability};

/// The URI of the resource that needs an elicitation round.
pub(crate) const SECRET_URI: &str = "example://secret";

fn invalid(message: impl Into<String>) -> ErrorObject {
    ErrorObject::new(error_codes::INVALID_PARAMS, message)
}

fn text(text: impl Into<String>) -> Value {
    json!({"content": [{"type": "text", "text": text.into()}]})
}

/// A request that needs input from the client.
#[derive(Debug, Clone)]
pub(crate) enum Flow {
    /// The `ask` tool: one elicitation.
    Ask(String),
    /// The `sample` tool: one sampling request.
    Sample(String),
    /// The `roots` tool: one `roots/list`.
    Roots,
    /// The `multi_step` tool: a name, then a confirmation.
    MultiStep,
    /// The `personal` prompt: a name.
    Personal,
    /// The `example://secret` resource: a passphrase.
    Secret,
}

/// What a flow does next.
#[derive(Debug)]
enum Step {
    /// Ask the client; `state` is what the flow needs with the answer.
    Ask {
        key: String,
        method: String,
        params: Option<Value>,
        state: Value,
    },
    /// The final result.
    Done(Value),
}

/// What the stateless driver answers.
#[derive(Debug)]
pub(crate) enum Reply {
    /// The final result (without `resultType`).
    Done(Value),
    /// An `InputRequiredResult`.
    InputRequired(Value),
}

fn elicit(key: &'static str, message: String, property: &str, kind: &str, state: Value) -> Step {
    Step::Ask {
        key: key.into(),
        method: methods::ELICITATION_CREATE.into(),
        params: Some(json!({
            "message": message,
            "requestedSchema": {"type": "object", "properties": {property: {"type": kind}}, "required": [property]}
        })),
        state,
    }
}

/// `(action, content[field])` of an elicitation answer.
fn elicited<'a>(answer: &'a Value, field: &str) -> (String, Option<&'a Value>) {
    let action = answer["action"].as_str().unwrap_or("?").to_owned();
    let value = (action == "accept")
        .then(|| answer["content"].get(field))
        .flatten();
    (action, value)
}

impl Flow {
    fn name(&self) -> &'static str {
        match self {
            Flow::Ask(_) => "ask",
            Flow::Sample(_) => "sample",
            Flow::Roots => "roots",
            Flow::MultiStep => "multi_step",
            Flow::Personal => "personal",
            Flow::Secret => "secret",
        }
    }

    fn start(&self) -> Step {
        match self {
            Flow::Ask(question) => elicit("answer", question.clone(), "answer", "string", Value::Null),
            Flow::Sample(prompt) => Step::Ask {
                key: "completion".into(),
                method: methods::SAMPLING_CREATE_MESSAGE.into(),
                params: Some(json!({
                    "messages": [{"role": "user", "content": {"type": "text", "text": prompt}}],
                    "maxTokens": 100
                })),
                state: Value::Null,
            },
            Flow::Roots => Step::Ask {
                key: "roots".into(),
                method: methods::ROOTS_LIST.into(),
                params: None,
                state: Value::Null,
            },
            Flow::MultiStep | Flow::Personal => elicit(
                "name",
                "What is your name?".into(),
                "name",
                "string",
                json!({"step": 1}),
            ),
            Flow::Secret => elicit(
                "passphrase",
                format!("Enter the passphrase to read {SECRET_URI}"),
                "passphrase",
                "string",
                Value::Null,
            ),
        }
    }

    fn resume(&self, state: &Value, answer: &Value) -> Result<Step, ErrorObject> {
        Ok(Step::Done(match self {
            Flow::Ask(_) => match elicited(answer, "answer") {
                (_, Some(Value::String(a))) => text(format!("the user answered: {a}")),
                (action, _) => text(format!("the user chose to {action}")),
            },
            Flow::Sample(_) => {
                let content = match &answer["content"] {
                    Value::Array(blocks) => blocks.first().cloned().unwrap_or(Value::Null),
                    other => other.clone(),
                };
                let said = content["text"].as_str().unwrap_or("(no text)");
                let model = answer["model"].as_str().unwrap_or("?");
                text(format!("{model} said: {said}"))
            }
            Flow::Roots => {
                let uris: Vec<&str> = answer["roots"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r["uri"].as_str())
                    .collect();
                text(format!("roots: {}", uris.join(", ")))
            }
            Flow::MultiStep => match (state["step"].as_u64(), elicited(answer, "name")) {
                (Some(1), (_, Some(Value::String(name)))) => {
                    return Ok(elicit(
                        "confirm",
                        format!("Proceed as {name}?"),
                        "confirm",
                        "boolean",
                        json!({"step": 2, "name": name}),
                    ))
                }
                (Some(2), _) => {
                    let name = state["name"].as_str().unwrap_or("?");
                    match elicited(answer, "confirm") {
                        (_, Some(Value::Bool(true))) => text(format!("confirmed: {name}")),
                        (_, Some(Value::Bool(false))) => text(format!("not confirmed: {name}")),
                        (action, _) => text(format!("the user chose to {action}")),
                    }
                }
                (Some(1), (action, _)) => text(format!("the user chose to {action}")),
                _ => return Err(invalid("invalid requestState for multi_step")),
            },
            Flow::Personal => {
                let text = match elicited(answer, "name") {
                    (_, Some(Value::String(name))) => format!("Please greet {name} personally."),
                    _ => "Please greet someone who prefers to stay anonymous.".to_owned(),
                };
                json!({
                    "description": "A personal greeting",
                    "messages": [{"role": "user", "content": {"type": "text", "text": text}}]
                })
            }
            Flow::Secret => match elicited(answer, "passphrase") {
                (_, Some(Value::String(_))) => json!({"contents": [{
                    "uri": SECRET_URI,
                    "mimeType": "text/plain",
                    "text": "The secret is 42."
                }]}),
                (action, _) => {
                    return Err(invalid(format!(
                        "the user chose to {action}: {SECRET_URI} stays locked"
                    )))
                }
            },
        }))
    }

    /// What to answer when the client cannot take the input request.
    fn lacks(&self, method: &str) -> Result<Reply, ErrorObject> {
        match self {
            Flow::Sample(_) => Err(missing_capability("sampling", json!({"sampling": {}}))),
            Flow::Personal | Flow::Secret => {
                Err(missing_capability("elicitation", json!({"elicitation": {}})))
            }
            Flow::Ask(_) | Flow::Roots | Flow::MultiStep => {
                let capability = match method {
                    methods::SAMPLING_CREATE_MESSAGE => "sampling",
                    methods::ROOTS_LIST => "roots",
                    _ => "elicitation",
                };
                let mut result = text(format!(
                    "the client lacks the {capability} capability (not declared in its _meta \
                     clientCapabilities), so `{}` cannot ask for input",
                    self.name()
                ));
                result["isError"] = json!(true);
                Ok(Reply::Done(result))
            }
        }
    }
}

/// Runs `flow` with server→client requests (the `initialize` era).
pub(crate) async fn run_initialize_era(flow: &Flow, peer: &Peer) -> Result<Value, ErrorObject> {
    let mut step = flow.start();
    loop {
        let (method, params, state) = match step {
            Step::Done(v) => return Ok(v),
            Step::Ask {
                method,
                params,
                state,
                ..
            } => (method, params, state),
        };
        let what = match method.as_str() {
            methods::ELICITATION_CREATE => "elicitation".to_owned(),
            methods::SAMPLING_CREATE_MESSAGE => "sampling".to_owned(),
            _ => method.clone(),
        };
        let answer: Value = peer
            .request(method, params.as_ref(), RequestOptions::default())
            .await
            .map_err(|e| ErrorObject::new(error_codes::INTERNAL_ERROR, format!("{what} failed: {e}")))?;
        step = flow.resume(&state, &answer)?;
    }
}

/// Runs one round of `flow` as a multi round-trip request: `params` are the
/// request's params (with `inputResponses` and `requestState` on retries)
/// and `caps` the client capabilities from its `_meta`.
pub(crate) fn run_stateless(flow: &Flow, caps: &Value, params: &Value) -> Result<Reply, ErrorObject> {
    let responses = params.get("inputResponses").filter(|r| !r.is_null());
    let step = match params.get("requestState") {
        None | Some(Value::Null) => {
            if responses.is_some_and(|r| r.as_object().is_some_and(|m| !m.is_empty())) {
                return Err(invalid(
                    "inputResponses without requestState: a retry must echo the requestState of the \
                     input_required result",
                ));
            }
            flow.start()
        }
        Some(Value::String(s)) => {
            let saved = decode_state(s)
                .ok_or_else(|| invalid("invalid requestState: it must be echoed back unchanged"))?;
            if saved["flow"] != flow.name() {
                return Err(invalid("this requestState belongs to another request"));
            }
            let key = saved["key"].as_str().unwrap_or_default();
            match responses.and_then(|r| r.get(key)) {
                Some(answer) => flow.resume(&saved["state"], answer)?,
                // The input is missing: ask again.
                None => Step::Ask {
                    key: key.to_owned(),
                    method: saved["method"].as_str().unwrap_or_default().to_owned(),
                    params: Some(saved["params"].clone()).filter(|p| !p.is_null()),
                    state: saved["state"].clone(),
                },
            }
        }
        Some(_) => return Err(invalid("requestState must be a string")),
    };
    match step {
        Step::Done(v) => Ok(Reply::Done(v)),
        Step::Ask { method, .. } if !allows(caps, &method) => flow.lacks(&method),
        Step::Ask {
            key,
            method,
            params,
            state,
        } => {
            let mut request = json!({"method": &method});
            if let Some(p) = &params {
                request["params"] = p.clone();
            }
            let saved =
                json!({"flow": flow.name(), "key": key, "method": method, "params": params, "state": state});
            Ok(Reply::InputRequired(json!({
                "resultType": "input_required",
                "inputRequests": {key.as_str(): request},
                "requestState": encode_state(&saved),
            })))
        }
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url (no padding) of the JSON text of `state`: opaque to clients.
fn encode_state(state: &Value) -> String {
    let bytes = state.to_string().into_bytes();
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 3);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

/// The inverse of [`encode_state`]; `None` when `s` was not made by it.
fn decode_state(s: &str) -> Option<Value> {
    let mut bytes = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips() {
        for v in [
            json!({}),
            json!({"a": 1}),
            json!({"flow": "multi_step", "name": "Ådå"}),
            json!("xy"),
        ] {
            assert_eq!(decode_state(&encode_state(&v)), Some(v));
        }
        assert_eq!(decode_state("not base64!"), None);
    }
}
