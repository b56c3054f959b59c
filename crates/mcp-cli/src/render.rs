//! Output: human tables (colour on a terminal) or JSON for scripts.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Result;
use mcp_client::types::{
    CallToolResult, ContentBlock, GetPromptResult, LoggingMessageNotificationParams, Prompt,
    ReadResourceResult, Resource, ResourceContents, ResourceTemplate, Tool,
};
use mcp_client::ClientSession;
use serde_json::{json, Value};

/// Writes one line to stdout. A failed write (a closed pipe: `mcp tools |
/// head`) is an error that ends the command; `main` ends quietly on a
/// broken pipe.
macro_rules! say {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)?
    };
}

/// Where and how to print.
pub(crate) struct Out {
    pub(crate) json: bool,
    color: bool,
}

impl Out {
    pub(crate) fn new(json: bool) -> Self {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Out { json, color }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// A section title (human mode only).
    pub(crate) fn heading(&self, title: &str) -> Result<()> {
        if !self.json {
            say!("\n{}", self.paint("1;36", &format!("== {title}")));
        }
        Ok(())
    }

    /// A closing remark (human mode only).
    pub(crate) fn note(&self, text: &str) -> Result<()> {
        if !self.json {
            say!("\n{}", self.dim(text));
        }
        Ok(())
    }

    pub(crate) fn print_json(&self, value: &impl serde::Serialize) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, value)?;
        writeln!(stdout)?;
        Ok(())
    }

    /// Prints `value` as one line of compact JSON (a stream of events).
    pub(crate) fn json_line(&self, value: &impl serde::Serialize) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer(&mut stdout, value)?;
        writeln!(stdout)?;
        stdout.flush()?;
        Ok(())
    }

    /// Prints lines as they are (human mode).
    pub(crate) fn lines(&self, lines: &[String]) -> Result<()> {
        for line in lines {
            say!("{line}");
        }
        Ok(())
    }

    /// Prints rows as aligned columns; the last column is not padded.
    pub(crate) fn table(&self, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
        if rows.is_empty() {
            say!("{}", self.dim("(none)"));
            return Ok(());
        }
        let cols = header.len();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (i, cell) in row.iter().enumerate().take(cols - 1) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let line = |cells: &[String], head: bool| -> Result<()> {
            let mut s = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let pad = if i + 1 < cols {
                    widths[i] - cell.chars().count() + 2
                } else {
                    0
                };
                let text = if head {
                    self.bold(cell)
                } else if i == 0 {
                    self.paint("32", cell)
                } else {
                    cell.clone()
                };
                s.push_str(&text);
                s.push_str(&" ".repeat(pad));
            }
            say!("{}", s.trim_end());
            Ok(())
        };
        line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>(), true)?;
        for row in rows {
            line(row, false)?;
        }
        Ok(())
    }
}

/// The longest server log message shown, in characters.
const LOG_QUOTE: usize = 2000;

/// `text` from a server, safe for a terminal: control characters escaped
/// (no retitled windows, cleared screens or planted links), cut with `…`.
pub(crate) fn escape_server_text(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => mcp_jsonrpc::escape(&text[..cut]) + "…",
        None => mcp_jsonrpc::escape(text),
    }
}

/// Multi-line `text` that may quote a server (an error, a prompt), safe
/// for a terminal: control characters escaped but for newlines and tabs,
/// cut with `…` after `max` characters.
pub(crate) fn server_words(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => escape_keeping_lines(&text[..cut]) + "…",
        None => escape_keeping_lines(text),
    }
}

/// Multi-line `text` from a server, safe for a terminal: control
/// characters escaped but for newlines and tabs.
pub(crate) fn escape_keeping_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            line.split('\t')
                .map(|part| escape_server_text(part, usize::MAX))
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One of the server's log messages, on stderr: `server [level] logger: data`.
pub(crate) fn server_log(message: &LoggingMessageNotificationParams) {
    let data = match &message.data {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let logger = message
        .logger
        .as_deref()
        .map(|l| format!(" {}:", escape_server_text(l, 80)))
        .unwrap_or_default();
    let line = format!(
        "server [{}]{logger} {}",
        escape_server_text(message.level.as_str(), 20),
        escape_server_text(&data, LOG_QUOTE)
    );
    crate::progress::without_bar(|| tell!("{line}"));
}

pub(crate) fn first_line(text: Option<&str>, max: usize) -> String {
    let line = text.unwrap_or("").lines().next().unwrap_or("").trim();
    if line.chars().count() > max {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

/// `mcp info`.
pub(crate) fn info(session: &ClientSession, out: &Out) -> Result<()> {
    let Some(n) = session.negotiated() else {
        anyhow::bail!("the session is not initialized");
    };
    if out.json {
        return out.print_json(&json!({
            "serverInfo": n.server_info,
            "protocolVersion": n.protocol_version,
            "era": n.era.to_string(),
            "capabilities": n.capabilities,
            "instructions": n.instructions,
        }));
    }
    let title = n
        .server_info
        .title
        .as_deref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    say!(
        "{}  {}{}",
        out.bold(&n.server_info.name),
        n.server_info.version,
        title
    );
    say!("protocol      {} ({} era)", n.protocol_version, n.era);
    let caps = serde_json::to_value(&n.capabilities)?;
    let mut names = Vec::new();
    if let Value::Object(map) = &caps {
        for (k, v) in map {
            let flags: Vec<&str> = match v {
                Value::Object(inner) => inner
                    .iter()
                    .filter(|(_, v)| v.as_bool() == Some(true))
                    .map(|(k, _)| k.as_str())
                    .collect(),
                _ => Vec::new(),
            };
            names.push(if flags.is_empty() {
                k.clone()
            } else {
                format!("{k} ({})", flags.join(", "))
            });
        }
    }
    say!(
        "capabilities  {}",
        if names.is_empty() {
            "(none)".into()
        } else {
            names.join(", ")
        }
    );
    if let Some(instructions) = &n.instructions {
        say!("instructions  {}", instructions.trim());
    }
    Ok(())
}

/// `mcp tools`.
pub(crate) fn tools(tools: &[Tool], out: &Out) -> Result<()> {
    if out.json {
        return out.print_json(&json!({ "tools": tools }));
    }
    let rows: Vec<Vec<String>> = tools
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                crate::describe::parameters_line(&t.input_schema),
                first_line(t.description.as_deref(), 60),
            ]
        })
        .collect();
    out.table(&["NAME", "PARAMETERS", "DESCRIPTION"], &rows)?;
    Ok(())
}

/// `mcp resources`.
pub(crate) fn resources(resources: &[Resource], out: &Out) -> Result<()> {
    if out.json {
        return out.print_json(&json!({ "resources": resources }));
    }
    let rows: Vec<Vec<String>> = resources
        .iter()
        .map(|r| {
            vec![
                r.uri.clone(),
                r.name.clone(),
                r.mime_type.clone().unwrap_or_default(),
            ]
        })
        .collect();
    out.table(&["URI", "NAME", "MIME TYPE"], &rows)?;
    Ok(())
}

/// `mcp templates`.
pub(crate) fn templates(templates: &[ResourceTemplate], out: &Out) -> Result<()> {
    if out.json {
        return out.print_json(&json!({ "resourceTemplates": templates }));
    }
    let rows: Vec<Vec<String>> = templates
        .iter()
        .map(|t| {
            vec![
                t.uri_template.clone(),
                t.name.clone(),
                first_line(t.description.as_deref(), 60),
            ]
        })
        .collect();
    out.table(&["URI TEMPLATE", "NAME", "DESCRIPTION"], &rows)?;
    Ok(())
}

/// `mcp prompts`.
pub(crate) fn prompts(prompts: &[Prompt], out: &Out) -> Result<()> {
    if out.json {
        return out.print_json(&json!({ "prompts": prompts }));
    }
    let rows: Vec<Vec<String>> = prompts
        .iter()
        .map(|p| {
            let args: Vec<String> = p
                .arguments
                .iter()
                .flatten()
                .map(|a| {
                    if a.required == Some(true) {
                        a.name.clone()
                    } else {
                        format!("[{}]", a.name)
                    }
                })
                .collect();
            vec![
                p.name.clone(),
                args.join(" "),
                first_line(p.description.as_deref(), 60),
            ]
        })
        .collect();
    out.table(&["NAME", "ARGUMENTS", "DESCRIPTION"], &rows)?;
    Ok(())
}

/// `mcp read`.
pub(crate) fn read(result: &ReadResourceResult, out: &Out) -> Result<()> {
    if out.json {
        return out.print_json(result);
    }
    for contents in &result.contents {
        match contents {
            ResourceContents::Text(t) => say!("{}", t.text),
            ResourceContents::Blob(b) => say!(
                "{}",
                out.dim(&format!(
                    "[binary {}, {} base64 characters]",
                    b.mime_type.as_deref().unwrap_or("data"),
                    b.blob.len()
                ))
            ),
            other => say!(
                "{}",
                out.dim(&format!("[contents of an unknown kind: {}]", other.uri()))
            ),
        }
    }
    Ok(())
}

/// `mcp prompt`.
pub(crate) fn prompt(result: &GetPromptResult, out: &Out) -> Result<()> {
    if out.json {
        return out.print_json(result);
    }
    if let Some(d) = &result.description {
        say!("{}", out.dim(d));
    }
    for message in &result.messages {
        let role = serde_json::to_value(&message.role)?;
        say!(
            "{}: {}",
            out.bold(role.as_str().unwrap_or("?")),
            content_text(&message.content, out)
        );
    }
    Ok(())
}

/// `mcp call`.
pub(crate) fn call_result(result: &CallToolResult, out: &Out) -> Result<()> {
    if out.json {
        return out.print_json(result);
    }
    if result.is_error() {
        say!("{}", out.paint("31;1", "the tool reported an error:"));
    }
    for block in &result.content {
        say!("{}", content_text(block, out));
    }
    // Many servers also put the structured content in a text block, as
    // JSON: print it once.
    let echoed = |structured: &Value| {
        result.content.iter().any(|b| match b {
            ContentBlock::Text(t) => serde_json::from_str::<Value>(&t.text).is_ok_and(|v| &v == structured),
            _ => false,
        })
    };
    if let Some(structured) = result.structured_content.as_ref().filter(|s| !echoed(s)) {
        say!("{}", out.dim("structured content:"));
        say!(
            "{}",
            escape_keeping_lines(&serde_json::to_string_pretty(structured)?)
        );
    }
    Ok(())
}

fn content_text(block: &ContentBlock, out: &Out) -> String {
    match block {
        ContentBlock::Text(t) => escape_keeping_lines(&t.text),
        ContentBlock::Image(i) => out.dim(&format!(
            "[image {}, {} base64 characters]",
            i.mime_type,
            i.data.len()
        )),
        ContentBlock::Audio(a) => out.dim(&format!(
            "[audio {}, {} base64 characters]",
            a.mime_type,
            a.data.len()
        )),
        ContentBlock::ResourceLink(l) => format!("[resource link {} ({})]", l.uri, l.name),
        ContentBlock::Resource(r) => match &r.resource {
            ResourceContents::Text(t) => format!("[resource {}]\n{}", t.uri, t.text),
            ResourceContents::Blob(b) => out.dim(&format!("[resource {}, binary]", b.uri)),
            other => out.dim(&format!("[resource {}]", other.uri())),
        },
        ContentBlock::Unknown(v) => out.dim(&format!("[unknown content] {v}")),
        other => out.dim(&format!("[{} content]", other.type_name().unwrap_or("unknown"))),
    }
}

/// Prints `prompt` on stderr and reads one line from stdin.
pub(crate) fn read_line(prompt: &str) -> std::io::Result<String> {
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "{prompt}")?;
    stderr.flush()?;
    drop(stderr);
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        let hostile = "ok\x1b]0;pwned\x07\x1b[2J\nnext";
        assert_eq!(
            escape_server_text(hostile, 100),
            "ok\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\nnext"
        );
        assert_eq!(escape_server_text("abcdef", 3), "abc…");
        assert_eq!(escape_keeping_lines("a\tb\nc\x1b[2J"), "a\tb\nc\\u{1b}[2J");
    }
}
