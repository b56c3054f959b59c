//! `echo-server`: the smallest stdio MCP server the benchmarks need, written
//! directly on stdin/stdout lines (no SDK) so that it costs every client the
//! same: `initialize`, `ping`, `tools/list` (one tool, `echo`) and
//! `tools/call echo`, which answers its `message` argument as text.
//! Notifications are ignored; other requests get "method not found".

use std::io::{BufRead, BufWriter, Write};

use serde_json::{json, Value};

const VERSIONS: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut buf = Vec::with_capacity(4096);
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, stdin);
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        let Ok(msg) = serde_json::from_slice::<Value>(&buf) else {
            continue;
        };
        let Some(id) = msg.get("id").filter(|id| !id.is_null()) else {
            continue; // a notification (or a response): nothing to say
        };
        let Some(method) = msg.get("method").and_then(Value::as_str) else {
            continue;
        };
        let reply = match answer(method, msg.get("params")) {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err(error) => json!({"jsonrpc": "2.0", "id": id, "error": error}),
        };
        serde_json::to_writer(&mut out, &reply)?;
        out.write_all(b"\n")?;
        out.flush()?;
    }
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
