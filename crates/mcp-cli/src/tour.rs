//! The tour: what `mcp` does with no arguments.

use anyhow::{Context, Result};
use mcp_client::ClientSession;
use serde_json::Map;

use crate::commands::call;
use crate::render::{self, Out};
use crate::Outcome;

/// Info, tools, a tool call with progress, a resource, a prompt.
pub(crate) async fn tour(session: &ClientSession, out: &Out) -> Result<Outcome> {
    out.heading("Server")?;
    render::info(session, out)?;

    out.heading("Tools")?;
    let tools = session.list_all_tools().await?;
    render::tools(&tools, out)?;

    out.heading("Calling `slow` (a tool that reports progress)")?;
    let mut args = Map::new();
    args.insert("steps".into(), 5.into());
    args.insert("delay_ms".into(), 150.into());
    call(session, "slow", args, out).await?;

    out.heading("Resources")?;
    let resources = session.list_all_resources().await?;
    render::resources(&resources, out)?;
    if let Some(first) = resources.first() {
        out.heading(&format!("Reading {}", first.uri))?;
        render::read(&session.read_resource(&first.uri).await?, out)?;
    }

    out.heading("Prompts")?;
    let prompts = session.list_all_prompts().await?;
    render::prompts(&prompts, out)?;
    let prompt = prompts.first().context("the example server has no prompt")?;
    let mut arguments = std::collections::BTreeMap::new();
    for arg in prompt.arguments.iter().flatten() {
        arguments.insert(arg.name.clone(), "Rust".to_owned());
    }
    out.heading(&format!("Getting prompt `{}`", prompt.name))?;
    render::prompt(&session.get_prompt(&prompt.name, Some(arguments)).await?, out)?;

    if crate::skills::offered(session) {
        out.heading("Skills")?;
        let skills = crate::skills::list(session, out).await?;
        let verifiable = skills
            .iter()
            .find(|s| matches!(s.resources, mcp_client::types::SkillResources::Manifest(_)));
        if let Some(skill) = verifiable {
            let name = crate::render::escape_server_text(skill.name().unwrap_or_default(), 60);
            out.heading(&format!(
                "Loading skill `{name}` (SKILL.md, verified against its digest)"
            ))?;
            crate::skills::show(session, &skill.uri, None, out).await?;
        }
    }

    out.note("Next: `mcp --help`, or point it at your server: `mcp tools -- <server command>`.")?;
    Ok(Outcome::Success)
}
