//! `--config FILE`: the commands over every server of the config, as one
//! `ClientSessionGroup`; or, with `--server NAME`, over that one server.

use anyhow::Result;
use mcp_client::{CallOptions, Connection};
use mcp_group::{ClientSessionGroup, Component, GroupOptions};
use serde_json::json;

use crate::args::{Cli, Command};
use crate::commands::{arguments, prompt_arguments};
use crate::connect::{open, session_options, timeout};
use crate::render::{self, first_line, Out};
use crate::{Outcome, UsageError};

/// Runs the command line against the config's servers.
pub(crate) async fn run(cli: &Cli, path: &std::path::Path, command: &Command, out: &Out) -> Result<Outcome> {
    let timeout = timeout(cli)?;
    let settings = crate::config::Settings {
        timeout,
        inherit_env: !cli.clean_env,
    };
    let mut servers = crate::config::load(path, settings)?;
    if let Some(name) = &cli.server_name {
        let Some(at) = servers.iter().position(|(n, _)| n == name) else {
            let names: Vec<&str> = servers.iter().map(|(n, _)| n.as_str()).collect();
            return Err(UsageError(format!(
                "{}: no server named `{name}`; it names: {}",
                path.display(),
                names.join(", ")
            ))
            .into());
        };
        let (_, params) = servers.swap_remove(at);
        let options = session_options(cli, timeout).skills(crate::commands::uses_skills(command));
        let session = open(Connection::from(params), options).await?;
        crate::connect::set_log_level(cli, &session).await;
        let outcome = crate::signals::or_stopped(crate::commands::execute(&session, command, out)).await;
        session.close().await;
        return outcome;
    }
    let group = ClientSessionGroup::with_options(
        GroupOptions::new()
            .session(session_options(cli, timeout))
            .connect_timeout(timeout),
    );
    let total = servers.len();
    let mut failed = 0;
    let results = tokio::select! {
        results = group.connect_all(servers) => results,
        stopped = crate::signals::stopped() => {
            group.close().await;
            return Ok(stopped);
        }
    };
    for result in results {
        if let Err(e) = result {
            failed += 1;
            tell!("warning: {e:#}");
        }
    }
    if failed == total {
        group.close().await;
        anyhow::bail!("no server of {} could be reached", path.display());
    }
    for session in group.sessions() {
        crate::connect::set_log_level(cli, &session).await;
    }
    let outcome = crate::signals::or_stopped(execute(&group, command, out)).await;
    group.close().await;
    outcome
}

async fn execute(group: &ClientSessionGroup, command: &Command, out: &Out) -> Result<Outcome> {
    match command {
        Command::Info => info(group, out)?,
        Command::Tools => listing(
            out,
            "tools",
            "tool",
            &group.tool_list(),
            &["SERVER", "NAME", "PARAMETERS", "DESCRIPTION"],
            |c| {
                vec![
                    c.server.clone(),
                    c.name.clone(),
                    crate::describe::parameters_line(&c.item.input_schema),
                    first_line(c.item.description.as_deref(), 60),
                ]
            },
        )?,
        Command::Tool { name } => {
            let tools = group.tools();
            let tool = tools
                .get(name.as_str())
                .ok_or_else(|| crate::commands::no_tool(name))?;
            crate::describe::tool(tool, out)?
        }
        Command::Call { name, pairs, args } => {
            let schema = group.tools().remove(name.as_str()).map(|t| t.input_schema);
            let arguments = arguments(pairs, args.as_deref(), schema.as_ref())?;
            let bar = crate::progress::ProgressBar::new(name);
            let progress = bar.clone();
            let options = CallOptions::new().on_progress(move |p| progress.update(&p));
            let result = group.call_tool_with(name, arguments, options).await;
            bar.finish();
            let result = result?;
            render::call_result(&result, out)?;
            if result.is_error() {
                return Ok(Outcome::ToolError);
            }
        }
        Command::Resources => listing(
            out,
            "resources",
            "resource",
            &group.resource_list(),
            &["SERVER", "URI", "NAME"],
            |c| vec![c.server.clone(), c.item.uri.clone(), c.name.clone()],
        )?,
        Command::Read { uri } => render::read(&group.read_resource(uri).await?, out)?,
        Command::Prompts => listing(
            out,
            "prompts",
            "prompt",
            &group.prompt_list(),
            &["SERVER", "NAME", "DESCRIPTION"],
            |c| {
                vec![
                    c.server.clone(),
                    c.name.clone(),
                    first_line(c.item.description.as_deref(), 70),
                ]
            },
        )?,
        Command::Prompt { name, pairs } => {
            render::prompt(&group.get_prompt(name, prompt_arguments(pairs)?).await?, out)?
        }
        // Answered before connecting.
        Command::Completions { shell } => return crate::commands::completions(*shell),
        Command::Man => return crate::commands::man(),
        Command::Templates
        | Command::Skills
        | Command::Skill { .. }
        | Command::Tour
        | Command::Watch { .. }
        | Command::Login
        | Command::Logout => {
            return Err(UsageError(
                "with --config, this command works on one server: add --server NAME".into(),
            )
            .into())
        }
    }
    Ok(Outcome::Success)
}

/// A listing of the group: `{key: [{name, server, item_key: item}]}` as
/// JSON, else a table of `row`s.
fn listing<T: serde::Serialize>(
    out: &Out,
    key: &str,
    item_key: &str,
    components: &[Component<T>],
    header: &[&str],
    row: impl Fn(&Component<T>) -> Vec<String>,
) -> Result<()> {
    if out.json {
        let items: Vec<_> = components
            .iter()
            .map(|c| json!({"name": c.name, "server": c.server, item_key: c.item}))
            .collect();
        return out.print_json(&json!({ key: items }));
    }
    let rows: Vec<Vec<String>> = components.iter().map(row).collect();
    out.table(header, &rows)?;
    Ok(())
}

/// `mcp --config FILE info`: one row per connected server.
fn info(group: &ClientSessionGroup, out: &Out) -> Result<()> {
    let rows: Vec<(String, String, String, String)> = group
        .server_names()
        .into_iter()
        .filter_map(|name| {
            let session = group.session(&name)?;
            let n = session.negotiated()?;
            Some((
                name,
                n.server_info.name.clone(),
                n.server_info.version.clone(),
                n.protocol_version.clone(),
            ))
        })
        .collect();
    if out.json {
        let servers: Vec<_> = rows
            .iter()
            .map(|(s, n, v, p)| json!({"server": s, "name": n, "version": v, "protocolVersion": p}))
            .collect();
        return out.print_json(&json!({ "servers": servers }));
    }
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(s, n, v, p)| vec![s, n, v, p]).collect();
    out.table(&["SERVER", "NAME", "VERSION", "PROTOCOL"], &rows)?;
    Ok(())
}
