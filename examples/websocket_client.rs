//! The WebSocket client: connect to a server over WebSocket, make the
//! handshake, list its resources and read each, as the Python SDK's usage
//! example does.
//!
//! ```sh
//! cargo run -p mcp-examples --example websocket_client -- ws://localhost:8000/ws
//! cargo run -p mcp-examples --example websocket_client   # the bundled example server
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use mcp_client::types::ResourceContents;
use mcp_client::{ClientError, ClientSession, ClientSessionOptions};
use mcp_transport_ws::WebSocketParameters;

#[tokio::main]
async fn main() -> ExitCode {
    // Without a URL, the bundled example server listens on a loopback port.
    let mut bundled = None;
    let url = match std::env::args().nth(1) {
        Some(url) => url,
        None => match mcp_testkit::WsServer::start(Default::default()).await {
            Ok(server) => bundled.insert(server).url.clone(),
            Err(e) => {
                eprintln!("error: could not start the example server: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    // Success, or the error and its causes.
    mcp_examples::report(run(WebSocketParameters::new(url)).await)
}

async fn run(params: WebSocketParameters) -> Result<(), ClientError> {
    let session = ClientSession::connect(params, ClientSessionOptions::new()).await?;
    let resources = session.list_resources(None).await?;
    for resource in &resources.resources {
        let content = match session.read_resource(&resource.uri).await {
            Ok(content) => content,
            // The server may refuse one resource, or want a capability this
            // client did not declare: it says so, and the others still count.
            Err(e @ (ClientError::Server { .. } | ClientError::MissingClientCapability { .. })) => {
                println!("Resource {}: not read: {e}", resource.name);
                continue;
            }
            Err(e) => return Err(e),
        };
        for part in &content.contents {
            match part {
                ResourceContents::Text(text) => println!("Resource {}: {}", resource.name, text.text),
                ResourceContents::Blob(blob) => println!(
                    "Resource {}: {} bytes of base64 ({})",
                    resource.name,
                    blob.blob.len(),
                    blob.mime_type.as_deref().unwrap_or("no media type")
                ),
                other => println!("Resource {}: {other:?}", resource.name),
            }
        }
    }
    session.close().await;
    Ok(())
}
