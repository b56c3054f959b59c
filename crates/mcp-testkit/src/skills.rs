//! The example server's skills (the `io.modelcontextprotocol/skills`
//! extension): `arithmetic` (a `SKILL.md` and a reference file), `greeting`
//! (a `SKILL.md` alone) and `live/status` (`"dynamic"`: generated on each
//! read, so it has no digests). `skills/list` pages through them (two per
//! page), `skills/get` answers -32602 for a URI that is no skill, and the
//! files are read with `resources/read`.

use std::time::{SystemTime, UNIX_EPOCH};

use mcp_jsonrpc::{error_codes, ErrorObject};
use mcp_types::{ResourceContents, TextResourceContents};
use serde_json::{json, Value};

/// The extension's id.
pub(crate) const EXTENSION: &str = "io.modelcontextprotocol/skills";

const ARITHMETIC_MD: &str = "---
name: arithmetic
description: Add numbers exactly with the add tool; check small sums against the tables.
license: MIT
metadata:
  version: \"1.0\"
  tools: [add]
---
# Arithmetic

To add two numbers, call the `add` tool with `a` and `b`; its structured
result holds the sum. For small sums, check the answer against
`references/TABLES.md` before you report it.
";

const TABLES_MD: &str = "# Addition table

| + | 1 | 2 | 3 |
|---|---|---|---|
| 1 | 2 | 3 | 4 |
| 2 | 3 | 4 | 5 |
| 3 | 4 | 5 | 6 |
";

const GREETING_MD: &str = "---
name: greeting
description: Greet someone by name with the greet prompt or the greeting resource.
---
# Greeting

Get the `greet` prompt with the person's `name`, or read the resource
`example://greeting/{name}`; say the greeting back as it is.
";

/// A skill of fixed files: the URI of its directory and its files.
struct Fixed {
    dir: &'static str,
    frontmatter: fn() -> Value,
    files: &'static [(&'static str, &'static str)],
}

const FIXED: &[Fixed] = &[
    Fixed {
        dir: "skill://arithmetic/",
        frontmatter: || {
            json!({
                "name": "arithmetic",
                "description": "Add numbers exactly with the add tool; check small sums against the tables.",
                "license": "MIT",
                "metadata": {"version": "1.0", "tools": ["add"]}
            })
        },
        files: &[("SKILL.md", ARITHMETIC_MD), ("references/TABLES.md", TABLES_MD)],
    },
    Fixed {
        dir: "skill://greeting/",
        frontmatter: || {
            json!({
                "name": "greeting",
                "description": "Greet someone by name with the greet prompt or the greeting resource."
            })
        },
        files: &[("SKILL.md", GREETING_MD)],
    },
];

const DYNAMIC_URI: &str = "skill://live/status/SKILL.md";
const DYNAMIC_DESCRIPTION: &str = "Report the server's current status (generated on each read).";

fn digest(text: &str) -> String {
    let hash = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let hex: String = hash.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn entries() -> Vec<Value> {
    let mut all: Vec<Value> = FIXED
        .iter()
        .map(|skill| {
            let resources: Vec<Value> = skill
                .files
                .iter()
                .map(|(path, text)| {
                    json!({"uri": format!("{}{path}", skill.dir), "digest": digest(text), "size": text.len()})
                })
                .collect();
            json!({"uri": format!("{}SKILL.md", skill.dir), "frontmatter": (skill.frontmatter)(), "resources": resources})
        })
        .collect();
    all.push(json!({
        "uri": DYNAMIC_URI,
        "frontmatter": {"name": "status", "description": DYNAMIC_DESCRIPTION},
        "resources": "dynamic"
    }));
    all
}

fn invalid(message: String) -> ErrorObject {
    ErrorObject::new(error_codes::INVALID_PARAMS, message)
}

/// `skills/list`: two skills per page.
pub(crate) fn list(params: &Value) -> Result<Value, ErrorObject> {
    const PAGE: usize = 2;
    let all = entries();
    let start = match params.get("cursor") {
        None | Some(Value::Null) => 0,
        Some(c) => c
            .as_str()
            .and_then(|c| c.parse::<usize>().ok())
            .filter(|&s| s <= all.len())
            .ok_or_else(|| invalid(format!("invalid cursor {c}")))?,
    };
    let end = (start + PAGE).min(all.len());
    let mut page = json!({"skills": &all[start..end]});
    if end < all.len() {
        page["nextCursor"] = json!(end.to_string());
    }
    Ok(page)
}

/// `skills/get`.
pub(crate) fn get(params: &Value) -> Result<Value, ErrorObject> {
    let uri = params
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("skills/get needs a `uri`".into()))?;
    entries()
        .into_iter()
        .find(|s| s["uri"] == uri)
        .map(|skill| json!({ "skill": skill }))
        .ok_or_else(|| invalid(format!("no skill at {uri}")).with_data(json!({"uri": uri})))
}

/// Reads a skill file.
pub(crate) fn read(uri: &str) -> Option<ResourceContents> {
    if uri == DYNAMIC_URI {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let text = format!(
            "---\nname: status\ndescription: {DYNAMIC_DESCRIPTION}\n---\n# Status\n\nThe server is up; this file was generated at {now} (seconds since 1970).\n"
        );
        return Some(ResourceContents::Text(
            TextResourceContents::new(uri, text).with_mime_type("text/markdown"),
        ));
    }
    FIXED.iter().find_map(|skill| {
        let path = uri.strip_prefix(skill.dir)?;
        let (_, text) = skill.files.iter().find(|(p, _)| *p == path)?;
        Some(ResourceContents::Text(
            TextResourceContents::new(uri, *text).with_mime_type("text/markdown"),
        ))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn listed_frontmatter_matches_the_files() {
        for skill in FIXED {
            let text = skill.files[0].1;
            let yaml = text.split("---\n").nth(1).unwrap_or_default();
            let name = (skill.frontmatter)()["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(yaml.contains(&format!("name: {name}\n")));
            assert!(skill.dir.ends_with(&format!("{name}/")));
        }
    }

    #[test]
    fn pages_cover_every_skill_once() {
        let first = list(&json!({})).unwrap();
        let second = list(&json!({"cursor": first["nextCursor"]})).unwrap();
        assert_eq!(first["skills"].as_array().map(Vec::len), Some(2));
        assert_eq!(second["skills"].as_array().map(Vec::len), Some(1));
        assert!(second.get("nextCursor").is_none());
        assert!(get(&json!({"uri": "skill://nope/SKILL.md"})).is_err());
    }
}
