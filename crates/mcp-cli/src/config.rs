//! `--config FILE`: the servers of a desktop client's JSON config, in
//! either shape: `{"mcpServers": {NAME: {command, args, env, cwd} | {url,
//! headers, type}}}` (Claude Desktop, Cursor…) or `{"servers": {NAME:
//! {type: "stdio"|"http"|"sse"|"ws", …}}}` (VS Code). A mistake names the
//! file, the server entry and the field.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use mcp_group::ServerParameters;
use mcp_transport_http::{HttpTransportMode, SseServerParameters, StreamableHttpParameters};
use mcp_transport_stdio::StdioServerParameters;
use mcp_transport_ws::WebSocketParameters;
use serde_json::{Map, Value};

use crate::UsageError;

/// Largest config file read (a config is a few KiB).
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// How the config's servers are started and reached.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Bound on connecting and on each request.
    pub(crate) timeout: Duration,
    /// Stdio servers get this process's whole environment (else the
    /// library's allowlist), plus their `env`.
    pub(crate) inherit_env: bool,
}

/// The servers of the config at `path`, in the file's order.
pub(crate) fn load(path: &Path, settings: Settings) -> Result<Vec<(String, ServerParameters)>> {
    let shown = path.display();
    let size = std::fs::metadata(path)
        .map_err(|e| UsageError(format!("cannot read the config {shown}: {e}")))?
        .len();
    if size > MAX_CONFIG_BYTES {
        return Err(UsageError(format!(
            "the config {shown} is {size} bytes; a config is at most {MAX_CONFIG_BYTES}"
        ))
        .into());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read the config {shown}: {e}")))?;
    parse(&text, &shown.to_string(), settings).map_err(|e| UsageError(e).into())
}

/// The servers of a config's text; errors as `file: …`.
pub(crate) fn parse(
    text: &str,
    file: &str,
    settings: Settings,
) -> Result<Vec<(String, ServerParameters)>, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| format!("{file}: not valid JSON ({e})"))?;
    let (key, servers) = match (root.get("mcpServers"), root.get("servers")) {
        (Some(s), _) => ("mcpServers", s),
        (None, Some(s)) => ("servers", s),
        (None, None) => {
            return Err(format!(
                "{file}: no `mcpServers` or `servers` object (expected {{\"mcpServers\": {{\"name\": {{\"command\": …}}}}}})"
            ))
        }
    };
    let servers = servers
        .as_object()
        .ok_or_else(|| format!("{file}: `{key}` must be an object of servers by name"))?;
    if servers.is_empty() {
        return Err(format!("{file}: `{key}` names no server"));
    }
    servers
        .iter()
        .map(|(name, entry)| {
            let at = |field: &str, what: &str| format!("{file}: server `{name}`: field `{field}`: {what}");
            let entry = entry
                .as_object()
                .ok_or_else(|| format!("{file}: server `{name}`: must be an object"))?;
            server(entry, &at, settings).map(|p| (name.clone(), p))
        })
        .collect()
}

fn server(
    entry: &Map<String, Value>,
    at: &dyn Fn(&str, &str) -> String,
    settings: Settings,
) -> Result<ServerParameters, String> {
    let timeout = settings.timeout;
    let kind = match entry.get("type") {
        None => None,
        Some(Value::String(t)) => Some(t.as_str()),
        Some(_) => return Err(at("type", "must be a string")),
    };
    let string = |field: &str| -> Result<Option<String>, String> {
        match entry.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(at(field, "must be a string")),
        }
    };
    let pairs = |field: &str| -> Result<Vec<(String, String)>, String> {
        match entry.get(field) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| match v {
                    Value::String(v) => Ok((k.clone(), v.clone())),
                    _ => Err(at(field, &format!("the value of `{k}` must be a string"))),
                })
                .collect(),
            Some(_) => Err(at(field, "must be an object of strings")),
        }
    };
    let url = string("url")?.or(string("serverUrl")?);
    let command = string("command")?;
    let kind = match (kind, &command, &url) {
        (Some(k), _, _) => k,
        (None, Some(_), None) => "stdio",
        (None, None, Some(u)) if u.starts_with("ws://") || u.starts_with("wss://") => "ws",
        (None, None, Some(_)) => "http",
        (None, Some(_), Some(_)) => return Err(at("command", "give either `command` or `url`, not both")),
        (None, None, None) => return Err(at("command", "missing (or give `url`)")),
    };
    match kind {
        "stdio" => {
            let command = command.ok_or_else(|| at("command", "missing (a stdio server needs it)"))?;
            let args = match entry.get("args") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|a| {
                        a.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| at("args", "must be an array of strings"))
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(at("args", "must be an array of strings")),
            };
            let mut params = StdioServerParameters::new(command)
                .args(args)
                .inherit_env(settings.inherit_env);
            for (k, v) in pairs("env")? {
                params = params.env(k, v);
            }
            if let Some(cwd) = string("cwd")? {
                params = params.cwd(cwd);
            }
            Ok(params.into())
        }
        "http" | "streamable-http" | "streamableHttp" | "sse" | "ws" | "websocket" => {
            let url = url.ok_or_else(|| at("url", &format!("missing (a `{kind}` server needs it)")))?;
            let headers = pairs("headers")?;
            Ok(match kind {
                "sse" => {
                    let mut p = SseServerParameters::new(url).timeout(timeout);
                    for (k, v) in headers {
                        p = p.header(k, v);
                    }
                    p.into()
                }
                "ws" | "websocket" => WebSocketParameters::new(url)
                    .headers(headers)
                    .connect_timeout(timeout)
                    .into(),
                _ => StreamableHttpParameters::new(url)
                    .headers(headers)
                    .transport(HttpTransportMode::Auto)
                    .timeout(timeout)
                    .into(),
            })
        }
        other => Err(at(
            "type",
            &format!("`{other}` is not a transport (stdio, http, sse or ws)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<Vec<(String, String)>, String> {
        let settings = Settings {
            timeout: Duration::from_secs(5),
            inherit_env: true,
        };
        parse(text, "c.json", settings).map(|v| v.into_iter().map(|(n, p)| (n, p.describe())).collect())
    }

    #[test]
    fn both_shapes_are_read_in_order() {
        let got = parsed(
            r#"{"mcpServers": {
                "files": {"command": "npx", "args": ["-y", "server"], "env": {"K": "v"}},
                "remote": {"url": "https://example.com/mcp", "headers": {"Authorization": "Bearer t"}},
                "socket": {"url": "ws://127.0.0.1:1/mcp"}
            }}"#,
        )
        .expect("valid");
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["files", "remote", "socket"]);
        assert!(got[0].1.contains("npx"), "{}", got[0].1);
        assert!(got[1].1.contains("https://example.com/mcp"));

        let got = parsed(r#"{"servers": {"a": {"type": "sse", "url": "http://h/sse"}, "b": {"type": "stdio", "command": "x"}}}"#)
            .expect("valid");
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn mistakes_name_the_file_the_server_and_the_field() {
        let e = parsed(r#"{"mcpServers": {"s": {"command": "x", "args": "-v"}}}"#).expect_err("bad args");
        assert_eq!(e, "c.json: server `s`: field `args`: must be an array of strings");
        let e = parsed(r#"{"servers": {"s": {"type": "tcp", "url": "x"}}}"#).expect_err("bad type");
        assert!(e.starts_with("c.json: server `s`: field `type`:"), "{e}");
        let e = parsed(r#"{"mcpServers": {"s": {"env": {}}}}"#).expect_err("no command");
        assert!(e.contains("field `command`: missing"), "{e}");
        let e = parsed(r#"{"mcpServers": {"s": {"command": "x", "env": {"K": 1}}}}"#).expect_err("bad env");
        assert!(
            e.contains("field `env`: the value of `K` must be a string"),
            "{e}"
        );
        let e = parsed(r#"{"other": {}}"#).expect_err("no servers");
        assert!(e.starts_with("c.json: no `mcpServers` or `servers`"), "{e}");
        assert!(parsed("{")
            .expect_err("not JSON")
            .starts_with("c.json: not valid JSON"));
    }
}
