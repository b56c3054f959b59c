//! The basic client connection: start a stdio server, make the handshake,
//! list its tools and call the first one, as the Python SDK's usage example
//! does.
//!
//! ```sh
//! cargo run -p mcp-examples --example basic_client -- python my_server.py
//! cargo run -p mcp-examples --example basic_client   # the bundled example server
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use mcp_client::{ClientError, ClientSession, ClientSessionOptions};
use mcp_transport_stdio::StdioServerParameters;
use serde_json::json;

#[tokio::main]
async fn main() -> ExitCode {
    // Without a server command, this program is also the example server.
    mcp_testkit::serve_if_asked().await;
    let mut args = std::env::args().skip(1);
    let params = match args.next() {
        Some(command) => StdioServerParameters::new(command).args(args),
        None => mcp_testkit::example_server(),
    };
    // Success, or the error and its causes.
    mcp_examples::report(run(params).await)
}

async fn run(params: StdioServerParameters) -> Result<(), ClientError> {
    let session = ClientSession::connect(params, ClientSessionOptions::new()).await?;
    if let Some(server) = session.negotiated() {
        println!(
            "Connected to: {} {} (protocol {})",
            server.server_info.name, server.server_info.version, server.protocol_version
        );
    }
    let tools = session.list_tools(None).await?;
    if let Some(tool) = tools.tools.first() {
        match session.call_tool(&tool.name, json!({"input": "test"})).await {
            Ok(result) => println!("Tool result: {:?}", result.content),
            // The tool may want other arguments: the server says so.
            Err(ClientError::Server { error, .. }) => {
                println!("Tool `{}` refused: {}", tool.name, error.message)
            }
            Err(e) => return Err(e),
        }
    }
    session.close().await;
    Ok(())
}
