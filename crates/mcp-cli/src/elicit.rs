//! Elicitation on the terminal: the server asks the user for input.

use std::io::IsTerminal;

use mcp_client::types::{ElicitAction, ElicitRequestParams, ElicitResult};
use mcp_client::{error_codes, ErrorObject};
use serde_json::Value;

use crate::render::{escape_server_text, read_line};

/// The longest server text quoted in a prompt, in characters.
const QUOTE: usize = 4000;

/// Answers an elicitation: on a terminal, asks for each field; otherwise
/// declines. Runs on a blocking thread.
pub(crate) async fn elicit(params: ElicitRequestParams) -> Result<ElicitResult, ErrorObject> {
    // The prompt takes the terminal from the progress bar of the call.
    tokio::task::spawn_blocking(move || crate::progress::without_bar(|| ask(&params)))
        .await
        .map_err(|e| {
            ErrorObject::new(
                error_codes::INTERNAL_ERROR,
                format!("elicitation prompt failed: {e}"),
            )
        })?
}

fn ask(params: &ElicitRequestParams) -> Result<ElicitResult, ErrorObject> {
    let message = params.message().unwrap_or("(no message)");
    let message = crate::render::server_words(message, QUOTE);
    if !std::io::stdin().is_terminal() {
        tell!("The server asks: {message}\n(declined: stdin is not a terminal)");
        return Ok(ElicitResult::new(ElicitAction::Decline));
    }
    let io =
        |e: std::io::Error| ErrorObject::new(error_codes::INTERNAL_ERROR, format!("terminal error: {e}"));
    tell!("\nThe server asks: {message}");
    match params {
        ElicitRequestParams::Url(u) => {
            // Never open the URL ourselves: the user decides.
            tell!("It asks you to visit: {}", escape_server_text(&u.url, QUOTE));
            let answer = read_line("Done (y), decline (n) or cancel (c)? ").map_err(io)?;
            Ok(ElicitResult::new(action(&answer)))
        }
        ElicitRequestParams::Form(form) => {
            let props = form.requested_schema.get("properties").and_then(Value::as_object);
            let required: Vec<&str> = form
                .requested_schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            // Fields start at the schema's defaults (SEP-1034): Enter keeps them.
            let mut content = form.default_content();
            for (name, schema) in props.into_iter().flatten() {
                let kind = schema.get("type").and_then(Value::as_str).unwrap_or("string");
                let mark = if required.contains(&name.as_str()) {
                    "*"
                } else {
                    ""
                };
                let label = schema.get("title").and_then(Value::as_str).unwrap_or(name);
                let label = escape_server_text(label, 200);
                let kind = escape_server_text(kind, 40);
                let shown = content
                    .get(name)
                    .map(|d| format!(" [{}]", escape_server_text(&d.to_string(), 200)))
                    .unwrap_or_default();
                loop {
                    let line = read_line(&format!("  {label}{mark} ({kind}){shown}: ")).map_err(io)?;
                    if line.is_empty() {
                        if !mark.is_empty() && !content.contains_key(name) {
                            tell!("  a value is required");
                            continue;
                        }
                        break;
                    }
                    match convert(&kind, &line) {
                        Some(v) => {
                            content.insert(name.clone(), v);
                            break;
                        }
                        None => tell!("  not a valid {kind}"),
                    }
                }
            }
            let answer = read_line("Send (y), decline (n) or cancel (c)? ").map_err(io)?;
            let action = action(&answer);
            Ok(if action == ElicitAction::Accept {
                ElicitResult::accept(content)
            } else {
                ElicitResult::new(action)
            })
        }
        // A mode this client does not know: decline.
        _ => Ok(ElicitResult::new(ElicitAction::Decline)),
    }
}

fn action(answer: &str) -> ElicitAction {
    match answer.trim().to_ascii_lowercase().as_str() {
        "" | "y" | "yes" => ElicitAction::Accept,
        "c" | "cancel" => ElicitAction::Cancel,
        _ => ElicitAction::Decline,
    }
}

fn convert(kind: &str, text: &str) -> Option<Value> {
    match kind {
        "integer" => text.trim().parse::<i64>().ok().map(Value::from),
        "number" => text.trim().parse::<f64>().ok().map(Value::from),
        "boolean" => match text.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" => Some(Value::Bool(true)),
            "n" | "no" | "false" => Some(Value::Bool(false)),
            _ => None,
        },
        "array" => Some(Value::Array(
            text.split(',').map(|s| Value::from(s.trim())).collect(),
        )),
        _ => Some(Value::String(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_by_type() {
        assert_eq!(convert("integer", " 42 "), Some(Value::from(42)));
        assert_eq!(convert("integer", "4.2"), None);
        assert_eq!(convert("boolean", "yes"), Some(Value::Bool(true)));
        assert_eq!(convert("string", "hi"), Some(Value::from("hi")));
        assert_eq!(action(""), ElicitAction::Accept);
        assert_eq!(action("c"), ElicitAction::Cancel);
        assert_eq!(action("nope"), ElicitAction::Decline);
    }
}
