//! Connecting to the server named on the command line, or to the bundled
//! example server.

use std::time::Duration;

use anyhow::{Context, Result};
use mcp_client::{ClientSession, ClientSessionOptions};
use mcp_transport_stdio::{stdio_client, StdioServerParameters};
use mcp_types::Implementation;

use crate::args::Cli;
use crate::{UsageError, SERVE_EXAMPLE};

/// Starts the server and performs the handshake.
pub(crate) async fn connect(cli: &Cli, server: &[String]) -> Result<ClientSession> {
    let mut params = match server.split_first() {
        Some((command, args)) => StdioServerParameters::new(command.clone()).args(args.iter().cloned()),
        None => {
            let me = std::env::current_exe()
                .context("could not find the `mcp` executable to run the example server")?;
            StdioServerParameters::new(me.to_string_lossy().into_owned()).arg(SERVE_EXAMPLE)
        }
    };
    for pair in &cli.env {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| UsageError(format!("--env takes KEY=VALUE, got `{pair}`")))?;
        params = params.env(k, v);
    }
    if !cli.timeout.is_finite() || cli.timeout <= 0.0 {
        return Err(UsageError(format!(
            "--timeout takes a positive number of seconds, got {}",
            cli.timeout
        ))
        .into());
    }
    let timeout = Duration::from_secs_f64(cli.timeout);
    let transport = stdio_client(&params)
        .await
        .context("could not start the server")?;
    let options = ClientSessionOptions::new()
        .read_timeout(timeout)
        .protocol(cli.protocol.clone())
        .client_info(Implementation::new("mcp-cli", env!("CARGO_PKG_VERSION")))
        .elicitation_callback(|_cx, params| crate::elicit::elicit(params));
    let session = ClientSession::new(transport.into_transport(), options);
    session
        .initialize()
        .await
        .context("the server did not complete the handshake")?;
    Ok(session)
}
