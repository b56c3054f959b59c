//! The commands: each connects, calls, prints.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use mcp_client::ClientSession;
use serde_json::{Map, Value};

use crate::args::{Cli, Command};
use crate::render::{self, Out};
use crate::{Outcome, UsageError};

/// Runs the command line.
pub(crate) async fn run(cli: Cli, server: Vec<String>) -> Result<Outcome> {
    let command = match &cli.command {
        Some(c) => c,
        None if server.is_empty() => &Command::Tour,
        None => &Command::Info,
    };
    let out = Out::new(cli.json);
    match command {
        Command::Completions { shell } => return completions(*shell),
        Command::Man => return man(),
        Command::Login => return crate::login::login(&cli).await,
        Command::Logout => return crate::login::logout(&cli).await,
        Command::Watch { .. } if cli.config.is_some() => {
            return Err(UsageError("mcp watch takes one server: a command after --, or --url".into()).into())
        }
        Command::Watch { uris } => return crate::watch::run(&cli, &server, uris, &out).await,
        _ => {}
    }
    if let Some(path) = &cli.config {
        if !server.is_empty() {
            return Err(
                UsageError("give either --config or a server command after --, not both".into()).into(),
            );
        }
        return crate::group::run(&cli, path, command, &out).await;
    }
    // Ctrl-C while connecting drops the half-open session, which kills
    // the server's process group.
    let skills = uses_skills(command);
    let connecting = crate::connect::connect_with(&cli, &server, |o| o.skills(skills));
    let session = tokio::select! {
        session = connecting => session?,
        stopped = crate::signals::stopped() => return Ok(stopped),
    };
    let outcome = crate::signals::or_stopped(execute(&session, command, &out)).await;
    session.close().await;
    outcome
}

/// Whether `command` uses skills: only then is the extension declared to
/// the server.
pub(crate) fn uses_skills(command: &Command) -> bool {
    matches!(command, Command::Skills | Command::Skill { .. } | Command::Tour)
}

/// The arguments of `call`: `--args JSON`, else `KEY=VALUE` pairs.
/// Typed and checked by the tool's input `schema` when it is known.
pub(crate) fn arguments(
    pairs: &[String],
    args: Option<&str>,
    schema: Option<&Map<String, Value>>,
) -> Result<Map<String, Value>> {
    let arguments = match args {
        Some(json) => parse_json_object(json)?,
        None => crate::typed::typed_pairs(pairs, schema)?,
    };
    crate::typed::check(&arguments, schema)?;
    Ok(arguments)
}

/// `mcp completions SHELL`: the script, generated from the arguments.
pub(crate) fn completions(shell: clap_complete::Shell) -> Result<Outcome> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "mcp", &mut out);
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(Outcome::Success)
}

/// `mcp man`: the manual page, generated from the arguments.
pub(crate) fn man() -> Result<Outcome> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(Outcome::Success)
}

/// A tool name the server does not list.
pub(crate) fn no_tool(name: &str) -> UsageError {
    UsageError(format!(
        "the server lists no tool named `{}`; `mcp tools` lists them",
        crate::render::escape_server_text(name, 200)
    ))
}

/// The session's tool `name`, if the server lists it.
async fn listed_tool(session: &ClientSession, name: &str) -> Option<mcp_client::types::Tool> {
    match session.list_all_tools().await {
        Ok(tools) => tools.into_iter().find(|t| t.name == name),
        Err(e) => {
            tracing::debug!(error = %e, "could not list the tools; the arguments go untyped");
            None
        }
    }
}

/// The arguments of `prompt`: `KEY=VALUE` pairs as strings.
pub(crate) fn prompt_arguments(pairs: &[String]) -> Result<Option<BTreeMap<String, String>>> {
    let mut arguments = BTreeMap::new();
    for (k, v) in parse_pairs(pairs)? {
        let v = match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        arguments.insert(k, v);
    }
    Ok((!arguments.is_empty()).then_some(arguments))
}

/// What a command needs the server to offer: `tools`, `resources` or
/// `prompts`.
fn needs(command: &Command) -> Option<&'static str> {
    match command {
        Command::Tools | Command::Tool { .. } | Command::Call { .. } => Some("tools"),
        Command::Resources | Command::Templates | Command::Read { .. } => Some("resources"),
        Command::Prompts | Command::Prompt { .. } => Some("prompts"),
        _ => None,
    }
}

/// Refuses a command the server's capabilities do not offer, saying what
/// it does offer (rather than the server's "method not found").
fn require(session: &ClientSession, command: &Command) -> Result<()> {
    let (Some(kind), Some(caps)) = (needs(command), session.server_capabilities()) else {
        return Ok(());
    };
    offers(&serde_json::to_value(&caps)?, kind).map_err(anyhow::Error::msg)
}

/// `Ok` when the capabilities `caps` offer `kind`, else what to say.
fn offers(caps: &Value, kind: &str) -> Result<(), String> {
    let Some(map) = caps.as_object() else {
        return Ok(());
    };
    if map.contains_key(kind) {
        return Ok(());
    }
    let has: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| ["tools", "resources", "prompts"].contains(k))
        .collect();
    let has = if has.is_empty() {
        "none of tools, resources or prompts".to_owned()
    } else {
        has.join(", ")
    };
    Err(format!(
        "this server offers no {kind} (it offers: {has}); `mcp info` shows its capabilities"
    ))
}

/// Runs one command on one session.
pub(crate) async fn execute(session: &ClientSession, command: &Command, out: &Out) -> Result<Outcome> {
    require(session, command)?;
    match command {
        Command::Info => render::info(session, out)?,
        Command::Tools => render::tools(&session.list_all_tools().await?, out)?,
        Command::Tool { name } => {
            let tools = session.list_all_tools().await?;
            let tool = tools
                .iter()
                .find(|t| &t.name == name)
                .ok_or_else(|| no_tool(name))?;
            crate::describe::tool(tool, out)?
        }
        Command::Call { name, pairs, args } => {
            let tool = listed_tool(session, name).await;
            let arguments = arguments(pairs, args.as_deref(), tool.as_ref().map(|t| &t.input_schema))?;
            let outcome = call(session, name, arguments, out).await;
            let task_only = tool
                .as_ref()
                .and_then(|t| t.execution.as_ref())
                .and_then(|e| e.task_support.as_ref())
                == Some(&mcp_client::types::TaskSupport::Required);
            let caps = session.client_capabilities();
            let tasks_on = caps.tasks.is_some() || caps.has_extension(mcp_client::types::tasks::EXTENSION_ID);
            if task_only && !tasks_on {
                return outcome.context("the tool can only be called as a task: add --tasks");
            }
            return outcome;
        }
        Command::Resources => render::resources(&session.list_all_resources().await?, out)?,
        Command::Templates => render::templates(&session.list_all_resource_templates().await?, out)?,
        Command::Read { uri } => render::read(&session.read_resource(uri).await?, out)?,
        Command::Prompts => render::prompts(&session.list_all_prompts().await?, out)?,
        Command::Prompt { name, pairs } => {
            render::prompt(&session.get_prompt(name, prompt_arguments(pairs)?).await?, out)?
        }
        Command::Skills => {
            crate::skills::list(session, out).await?;
        }
        Command::Skill { name, file } => crate::skills::show(session, name, file.as_deref(), out).await?,
        Command::Tour => return crate::tour::tour(session, out).await,
        // Answered before connecting.
        Command::Completions { shell } => return completions(*shell),
        Command::Man => return man(),
        Command::Login | Command::Logout => {
            return Err(UsageError("login and logout take --url".into()).into())
        }
        Command::Watch { .. } => {
            return Err(UsageError("mcp watch takes one server: a command after --, or --url".into()).into())
        }
    }
    Ok(Outcome::Success)
}

/// Calls a tool with a live progress bar; `isError` becomes exit status 1.
pub(crate) async fn call(
    session: &ClientSession,
    name: &str,
    arguments: Map<String, Value>,
    out: &Out,
) -> Result<Outcome> {
    let bar = crate::progress::ProgressBar::new(name);
    let progress = bar.clone();
    let result = session
        .call_tool(name, arguments)
        .on_progress(move |p| progress.update(&p))
        .await;
    bar.finish();
    let result = result?;
    render::call_result(&result, out)?;
    Ok(if result.is_error() {
        Outcome::ToolError
    } else {
        Outcome::Success
    })
}

/// The most bytes `--args @FILE` or `--args -` reads.
const MAX_ARGS_BYTES: u64 = 16 * 1024 * 1024;

/// `--args`: inline JSON, `@FILE`, or `-` for stdin.
fn read_args(spec: &str) -> Result<String> {
    use std::io::Read;
    let (what, reader): (String, Box<dyn Read>) = match spec {
        "-" => ("stdin".to_owned(), Box::new(std::io::stdin())),
        _ => match spec.strip_prefix('@') {
            Some(path) => {
                let file = std::fs::File::open(path)
                    .map_err(|e| UsageError(format!("--args @{path}: cannot read the file: {e}")))?;
                (path.to_owned(), Box::new(file))
            }
            None => return Ok(spec.to_owned()),
        },
    };
    let mut text = String::new();
    reader
        .take(MAX_ARGS_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| UsageError(format!("--args: cannot read {what}: {e}")))?;
    if text.len() as u64 > MAX_ARGS_BYTES {
        return Err(UsageError(format!("--args: {what} holds more than {MAX_ARGS_BYTES} bytes")).into());
    }
    Ok(text)
}

fn parse_json_object(spec: &str) -> Result<Map<String, Value>> {
    let json = read_args(spec)?;
    match serde_json::from_str(&json) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(UsageError("--args takes a JSON object, like '{\"a\": 1}'".into()).into()),
        Err(e) => Err(UsageError(format!("--args is not valid JSON: {e}")).into()),
    }
}

/// `KEY=VALUE` pairs: a value that parses as JSON is JSON, else a string.
fn parse_pairs(pairs: &[String]) -> Result<Map<String, Value>> {
    Ok(crate::typed::typed_pairs(pairs, None)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_parse_json_or_string() {
        let map = parse_pairs(&[
            "a=1".into(),
            "b=hello".into(),
            "c={\"x\":true}".into(),
            "d=".into(),
        ])
        .expect("valid pairs");
        assert_eq!(map["a"], Value::from(1));
        assert_eq!(map["b"], Value::from("hello"));
        assert_eq!(map["c"], serde_json::json!({"x": true}));
        assert_eq!(map["d"], Value::from(""));
        assert!(parse_pairs(&["novalue".into()]).is_err());
        assert!(parse_pairs(&["=1".into()]).is_err());
    }

    #[test]
    fn a_missing_capability_is_named_with_what_is_offered() {
        let caps = serde_json::json!({"tools": {}, "logging": {}});
        assert!(offers(&caps, "tools").is_ok());
        assert_eq!(
            offers(&caps, "resources"),
            Err(
                "this server offers no resources (it offers: tools); `mcp info` shows its capabilities"
                    .to_owned()
            )
        );
        let none = offers(&serde_json::json!({}), "prompts").expect_err("nothing offered");
        assert!(none.contains("none of tools, resources or prompts"), "{none}");
    }

    #[test]
    fn args_must_be_an_object() {
        assert!(parse_json_object("[1]").is_err());
        assert!(parse_json_object("{").is_err());
        assert_eq!(
            parse_json_object("{\"a\":2}").expect("object")["a"],
            Value::from(2)
        );
    }
}
