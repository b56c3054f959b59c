//! Multi-server management, as the Python SDK's usage example: connect two
//! servers to one group, list every tool, call one by its group name.
//!
//! ```sh
//! cargo run -p mcp-examples --example multi_server -- "python server1.py" "python server2.py"
//! cargo run -p mcp-examples --example multi_server   # two bundled example servers
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use mcp_group::{ClientSessionGroup, GroupError, ServerParameters};
use mcp_transport_stdio::StdioServerParameters;
use serde_json::json;

#[tokio::main]
async fn main() -> ExitCode {
    // Without server commands, this program is also the example server.
    mcp_testkit::serve_if_asked().await;
    let commands: Vec<String> = std::env::args().skip(1).collect();
    let servers: Vec<(String, ServerParameters)> = if commands.is_empty() {
        ["server1", "server2"]
            .into_iter()
            .map(|name| (name.to_owned(), mcp_testkit::example_server().into()))
            .collect()
    } else {
        commands
            .iter()
            .enumerate()
            .map(|(i, command)| {
                let mut words = command.split_whitespace().map(str::to_owned);
                let program = words.next().unwrap_or_default();
                let params = StdioServerParameters::new(program).args(words);
                (format!("server{}", i + 1), params.into())
            })
            .collect()
    };
    // Success, or the error and its causes.
    mcp_examples::report(run(servers).await)
}

async fn run(servers: Vec<(String, ServerParameters)>) -> Result<(), GroupError> {
    let group = ClientSessionGroup::new();
    // Connect in parallel; one failing leaves the others connected.
    for result in group.connect_all(servers).await {
        if let Err(e) = result {
            eprintln!("skipping a server: {e}");
        }
    }
    // Every tool of every server, under its name in the group.
    let tools = group.tool_list();
    println!("All tools:");
    for tool in &tools {
        println!("  {} (from {}, as `{}`)", tool.name, tool.server, tool.item.name);
    }
    if let Some(tool) = tools.first() {
        match group.call_tool(&tool.name, json!({"message": "hello"})).await {
            Ok(result) => println!("Result: {:?}", result.content),
            Err(e) => println!("Tool `{}` refused: {e}", tool.name),
        }
    }
    group.close().await;
    Ok(())
}
