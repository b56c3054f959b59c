//! `mcp skills` and `mcp skill NAME [FILE]`: a server's skills (the
//! `io.modelcontextprotocol/skills` extension), printed only once verified.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};

use anyhow::Result;
use base64::Engine as _;
use mcp_client::types::{Skill, SkillResources};
use mcp_client::{ClientSession, LoadedSkill, SkillFile};
use serde_json::json;

use crate::render::{escape_keeping_lines, escape_server_text, Out};
use crate::UsageError;

/// How each skill is shown and named on the command line: its name, or,
/// when names collide, the path that tells it apart (`billing/refunds`).
fn labels(skills: &[Skill]) -> Vec<String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for s in skills {
        *count.entry(s.name().unwrap_or_default()).or_default() += 1;
    }
    skills
        .iter()
        .map(|s| {
            let name = s.name().unwrap_or_default();
            if count.get(name).copied().unwrap_or(0) > 1 || name.is_empty() {
                path(s)
            } else {
                name.to_owned()
            }
        })
        .collect()
}

/// The skill's path: its URI without the scheme and the final `/SKILL.md`.
fn path(skill: &Skill) -> String {
    let uri = skill.uri.strip_suffix("/SKILL.md").unwrap_or(&skill.uri);
    uri.split_once("://").map_or(uri, |(_, rest)| rest).to_owned()
}

/// Whether the server declares the skills extension.
pub(crate) fn offered(session: &ClientSession) -> bool {
    session
        .server_capabilities()
        .is_some_and(|c| c.has_extension(mcp_client::types::skills::EXTENSION_ID))
}

/// `mcp skills`; returns the skills listed.
pub(crate) async fn list(session: &ClientSession, out: &Out) -> Result<Vec<Skill>> {
    let skills = session.list_all_skills().await?;
    if out.json {
        out.print_json(&json!({ "skills": skills }))?;
        return Ok(skills);
    }
    let rows: Vec<Vec<String>> = skills
        .iter()
        .zip(labels(&skills))
        .map(|(s, label)| {
            let files = match &s.resources {
                SkillResources::Manifest(files) => files.len().to_string(),
                SkillResources::Dynamic => "dynamic".to_owned(),
                _ => "invalid".to_owned(),
            };
            vec![
                escape_server_text(&label, 60),
                files,
                escape_server_text(s.description().unwrap_or_default(), 80),
                escape_server_text(&s.uri, 120),
            ]
        })
        .collect();
    out.table(&["NAME", "FILES", "DESCRIPTION", "URI"], &rows)?;
    Ok(skills)
}

/// The entry of the skill named `name` (a label of [`labels`], or the URI
/// of its `SKILL.md`).
async fn find(session: &ClientSession, name: &str) -> Result<Skill> {
    if name.contains("://") {
        return Ok(session.get_skill(name).await?);
    }
    let skills = session.list_all_skills().await?;
    let labels = labels(&skills);
    let mut matches: Vec<Skill> = Vec::new();
    for (skill, label) in skills.into_iter().zip(labels) {
        if label == name || path(&skill) == name {
            return Ok(skill);
        }
        if skill.name() == Some(name) {
            matches.push(skill);
        }
    }
    match matches.len() {
        0 => Err(UsageError(format!(
            "the server lists no skill named `{}`; `mcp skills` lists them",
            escape_server_text(name, 200)
        ))
        .into()),
        _ => {
            let which: Vec<String> = matches
                .iter()
                .map(|s| escape_server_text(&path(s), 120))
                .collect();
            Err(UsageError(format!(
                "{} skills are named `{}`: name one by its path ({}) or its URI",
                matches.len(),
                escape_server_text(name, 200),
                which.join(", ")
            ))
            .into())
        }
    }
}

/// `mcp skill NAME [FILE]`.
pub(crate) async fn show(session: &ClientSession, name: &str, file: Option<&str>, out: &Out) -> Result<()> {
    let entry = find(session, name).await?;
    let skill = session.load_skill(entry).await?;
    let shown = match file {
        None => skill.skill_md().clone(),
        Some(file) => session.read_skill_file(&skill, file).await?,
    };
    print(&skill, &shown, out)
}

fn print(skill: &LoadedSkill, file: &SkillFile, out: &Out) -> Result<()> {
    if out.json {
        let mut value = json!({
            "skill": skill.uri(),
            "uri": file.uri,
            "mimeType": file.mime_type,
            "verified": file.is_verified(),
        });
        match file.text() {
            Some(text) => value["text"] = json!(text),
            None => value["blob"] = json!(base64::engine::general_purpose::STANDARD.encode(&file.bytes)),
        }
        return out.print_json(&value);
    }
    if !file.is_verified() {
        tell!(
            "warning: skill {} is \"dynamic\": its files cannot be verified against digests",
            escape_server_text(skill.uri(), 120)
        );
    }
    let mut stdout = std::io::stdout().lock();
    match file.text() {
        Some(text) => {
            let text = escape_keeping_lines(text);
            stdout.write_all(text.as_bytes())?;
            if !text.ends_with('\n') {
                writeln!(stdout)?;
            }
        }
        // Binary goes out as it is only where it cannot reach a terminal.
        None if !stdout.is_terminal() => stdout.write_all(&file.bytes)?,
        None => writeln!(
            stdout,
            "[binary {}, {} bytes; redirect stdout to save it]",
            escape_server_text(file.mime_type.as_deref().unwrap_or("data"), 60),
            file.bytes.len()
        )?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcp_client::types::SkillResources;
    use serde_json::{Map, Value};

    fn skill(uri: &str, name: &str) -> Skill {
        let mut fm = Map::new();
        fm.insert("name".into(), Value::from(name));
        Skill::new(uri, fm, SkillResources::Dynamic)
    }

    #[test]
    fn colliding_names_are_told_apart_by_path() {
        let skills = [
            skill("skill://acme/billing/refunds/SKILL.md", "refunds"),
            skill("skill://acme/support/refunds/SKILL.md", "refunds"),
            skill("skill://pdf/SKILL.md", "pdf"),
        ];
        assert_eq!(
            labels(&skills),
            ["acme/billing/refunds", "acme/support/refunds", "pdf"]
        );
    }
}
