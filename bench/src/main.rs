//! `mcp-bench`: the benchmark driver of the MCP client SDK.
//!
//! - `mcp-bench decode`: in-process decoding of a `tools/call` response
//!   (1 KiB and 1 MiB of text): our raw-value path against a plain
//!   `serde_json::Value` parse and against the `Value` detour.
//! - `mcp-bench client --impl ours|raw --server <cmd…>`: one client
//!   implementation against a stdio server; prints one JSON line.
//! - `mcp-bench ws-client --impl ours|raw --url URL`: one client
//!   implementation against a WebSocket server; prints one JSON line.
//! - `mcp-bench group --server PATH [--n N]`: a `ClientSessionGroup` of N
//!   stdio servers connected one by one, then in parallel; memory per
//!   session; prints one JSON line.
//! - `mcp-bench all [--echo-server PATH] [--ws-echo-server PATH]
//!   [--rmcp-client PATH] [--rounds N]`: `decode`, then every client in its
//!   own process over stdio and over WebSocket, rounds interleaved, medians
//!   and ratios in tables.
//!
//! The machine running this is usually shared and noisy: read the ratios of
//! figures measured side by side, not the absolute numbers.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod all;
mod client;
mod decode;
mod group;
mod ws;

use anyhow::{bail, Context, Result};

const USAGE: &str = "usage: mcp-bench <decode | client --impl ours|raw --server <cmd…> | all [options]>

  decode                         decode a tools/call response (1 KiB, 1 MiB): ours vs Value parse vs Value detour
  client --impl ours|raw --server <cmd…>
                                 one client against a stdio server; prints one JSON line
  ws-client --impl ours|raw --url URL
                                 one client against a WebSocket server; prints one JSON line
  group --server PATH [--n N]     a group of N stdio servers (default 50): one by one vs in parallel, RSS per session
  all [--echo-server PATH] [--ws-echo-server PATH] [--rmcp-client PATH] [--rounds N]
                                 decode, then each client in its own process (stdio, then WebSocket),
                                 rounds interleaved, medians";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "decode" => decode::run(),
        "client" => {
            let (which, server) = client_args(rest)?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let figures = runtime.block_on(client::run(which, &server))?;
            println!("{figures}");
            Ok(())
        }
        "ws-client" => {
            let (which, url) = ws_client_args(rest)?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let figures = runtime.block_on(ws::run(which, &url))?;
            println!("{figures}");
            Ok(())
        }
        "group" => {
            let (mut server, mut n) = (None, group::DEFAULT_SERVERS);
            let mut it = rest.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--server" => server = Some(it.next().context("--server needs a path")?.clone()),
                    "--n" => {
                        n = it
                            .next()
                            .context("--n needs a number")?
                            .parse()
                            .context("--n takes a number")?
                    }
                    other => bail!("unknown argument `{other}`\n{USAGE}"),
                }
            }
            let server = server.context("--server PATH is required")?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            println!("{}", runtime.block_on(group::run(&server, n))?);
            Ok(())
        }
        "all" => all::run(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n{USAGE}"),
    }
}

fn parse_impl(v: Option<&String>) -> Result<client::Impl> {
    match v.context("--impl needs a value")?.as_str() {
        "ours" => Ok(client::Impl::Ours),
        "raw" => Ok(client::Impl::Raw),
        other => bail!("unknown --impl `{other}` (ours or raw)"),
    }
}

/// `--impl ours|raw --url URL`.
fn ws_client_args(args: &[String]) -> Result<(client::Impl, String)> {
    let (mut which, mut url) = (None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--impl" => which = Some(parse_impl(it.next())?),
            "--url" => url = Some(it.next().context("--url needs a value")?.clone()),
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    Ok((
        which.context("--impl ours|raw is required")?,
        url.context("--url URL is required")?,
    ))
}

/// `--impl ours|raw --server <cmd…>` (the server command takes the rest).
fn client_args(args: &[String]) -> Result<(client::Impl, Vec<String>)> {
    let mut which = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--impl" => {
                which = Some(parse_impl(args.get(i + 1))?);
                i += 2;
            }
            "--server" => {
                let server = args[i + 1..].to_vec();
                if server.is_empty() {
                    bail!("--server needs a command");
                }
                return Ok((which.context("--impl ours|raw is required")?, server));
            }
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    bail!("--server <cmd…> is required\n{USAGE}")
}
