//! The answers of the benchmarks' echo servers (stdio and WebSocket), the
//! same for every client: `initialize`, `ping`, `tools/list` (one tool,
//! `echo`) and `tools/call echo`, which answers its `message` argument as
//! text. Notifications are ignored; other requests get "method not found".

use serde_json::{json, Value};

const VERSIONS: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/// The reply to one message, or `None` for a notification, a response or
/// something that is not JSON.
pub(crate) fn reply(message: &[u8]) -> Option<Value> {
    let msg = serde_json::from_slice::<Value>(message).ok()?;
    let id = msg.get("id").filter(|id| !id.is_null())?;
    let method = msg.get("method").and_then(Value::as_str)?;
    Some(match answer(method, msg.get("params")) {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(error) => json!({"jsonrpc": "2.0", "id": id, "error": error}),
    })
}

fn answer(method: &str, params: Option<&Value>) -> Result<Value, Value> {
    let param = |key: &str| params.and_then(|p| p.get(key));
    match method {
        "initialize" => {
            let asked = param("protocolVersion").and_then(Value::as_str).unwrap_or("");
            let version = VERSIONS
                .iter()
                .find(|v| **v == asked)
                .unwrap_or(&VERSIONS[VERSIONS.len() - 1]);
            Ok(json!({
                "protocolVersion": version,
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "mcp-bench-echo", "version": env!("CARGO_PKG_VERSION")},
            }))
        }
        "ping" => Ok(json!({})),
        "tools/list" => Ok(json!({"tools": [{
            "name": "echo",
            "description": "Answers its message.",
            "inputSchema": {
                "type": "object",
                "properties": {"message": {"type": "string"}},
                "required": ["message"],
            },
        }]})),
        "tools/call" if param("name").and_then(Value::as_str) == Some("echo") => {
            let text = param("arguments")
                .and_then(|a| a.get("message"))
                .cloned()
                .unwrap_or(Value::String(String::new()));
            Ok(json!({"content": [{"type": "text", "text": text}]}))
        }
        "tools/call" => Err(json!({"code": -32602, "message": "unknown tool"})),
        _ => Err(json!({"code": -32601, "message": "method not found"})),
    }
}
