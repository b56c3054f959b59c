//! Connecting to the server named on the command line, or to the bundled
//! example server.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use mcp_client::types::Implementation;
use mcp_client::{ClientAuth, ClientError, ClientSession, ClientSessionOptions, Connection};
use mcp_transport_http::{HttpTransportMode, SseServerParameters, StreamableHttpParameters};
use mcp_transport_stdio::StdioServerParameters;
use mcp_transport_ws::WebSocketParameters;

use crate::args::{Cli, TransportChoice};
use crate::{UsageError, SERVE_EXAMPLE};

/// `--timeout` as a duration: the maximum total of each request. Checks
/// `--idle-timeout` too.
pub(crate) fn timeout(cli: &Cli) -> Result<Duration> {
    let idle = cli
        .idle_timeout
        .map(|s| seconds("--idle-timeout", s))
        .transpose()?;
    let total = seconds("--timeout", cli.timeout)?;
    if idle.is_some_and(|idle| idle > total) {
        return Err(UsageError(format!(
            "--idle-timeout ({}) is longer than --timeout ({}), which bounds each request in all",
            cli.idle_timeout.unwrap_or_default(),
            cli.timeout
        ))
        .into());
    }
    Ok(total)
}

fn seconds(flag: &str, secs: f64) -> Result<Duration> {
    if !secs.is_finite() || secs <= 0.0 || secs > 1e9 {
        return Err(UsageError(format!("{flag} takes a positive number of seconds, got {secs}")).into());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// The options of every session the command opens: `timeout` (from
/// [`timeout`]) bounds each request in all, `--idle-timeout` (else the
/// same) the wait between an answer's signs of life.
pub(crate) fn session_options(cli: &Cli, timeout: Duration) -> ClientSessionOptions {
    let idle = cli
        .idle_timeout
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(timeout, |s| Duration::from_secs_f64(s.min(1e9)).min(timeout));
    let options = ClientSessionOptions::new()
        .read_timeout(idle)
        .max_total(timeout)
        .tasks(cli.tasks)
        .protocol(cli.protocol.clone())
        .client_info(Implementation::new("mcp-cli", env!("CARGO_PKG_VERSION")))
        .elicitation_callback(|_cx, params| crate::elicit::elicit(params));
    if cli.quiet {
        return options;
    }
    let least = cli.log_level.as_ref().and_then(|l| l.severity()).unwrap_or(0);
    options.logging_callback(move |message| {
        if message.level.severity().unwrap_or(u8::MAX) >= least {
            crate::render::server_log(&message);
        }
        std::future::ready(())
    })
}

/// Asks the server for log messages of `--log-level` and above, when it
/// offers logging.
pub(crate) async fn set_log_level(cli: &Cli, session: &ClientSession) {
    let Some(level) = &cli.log_level else { return };
    if session.server_capabilities().is_some_and(|c| c.logging.is_none()) {
        return;
    }
    if let Err(e) = session.set_logging_level(level.clone()).await {
        tracing::warn!(error = %e, "the server refused the log level");
    }
}

/// Starts the server (or reaches it over HTTP or WebSocket) and performs
/// the handshake, with the session's options adjusted by `adjust` (a
/// message handler for `watch`, skills for the commands that use them).
pub(crate) async fn connect_with(
    cli: &Cli,
    server: &[String],
    adjust: impl FnOnce(ClientSessionOptions) -> ClientSessionOptions,
) -> Result<ClientSession> {
    let timeout = timeout(cli)?;
    let connection = match &cli.url {
        Some(url) => {
            if !server.is_empty() {
                return Err(
                    UsageError("give either --url or a server command after --, not both".into()).into(),
                );
            }
            let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
            if !matches!(scheme.as_deref(), Some("http" | "https" | "ws" | "wss")) {
                return Err(UsageError(format!(
                    "--url takes an http://, https://, ws:// or wss:// URL, got `{}`",
                    crate::render::escape_server_text(url, 200)
                ))
                .into());
            }
            if is_websocket(url) {
                ws_connection(cli, url, timeout)?
            } else {
                http_connection(cli, url, timeout)?
            }
        }
        None => stdio_connection(cli, server)?,
    };
    let session = open(connection, adjust(session_options(cli, timeout))).await?;
    set_log_level(cli, &session).await;
    Ok(session)
}

/// Opens a session from `connection`: from the parameters, so that a
/// server that exits on the discovery probe is started again for the
/// initialize handshake.
pub(crate) async fn open(connection: Connection, options: ClientSessionOptions) -> Result<ClientSession> {
    ClientSession::connect(connection, options).await.map_err(|e| {
        // HTTP connects on the first request: a refused, unresolved or
        // untrusted server shows as that request's transport failure.
        let unreachable =
            matches!(e, ClientError::Connect { .. }) || e.transport_error().is_some_and(|t| t.is_connect());
        let what = if unreachable {
            "could not start or reach the server"
        } else {
            "the server did not complete the handshake"
        };
        anyhow::Error::new(e).context(what)
    })
}

/// True for a `ws://` or `wss://` URL.
fn is_websocket(url: &str) -> bool {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    matches!(scheme.as_deref(), Some("ws" | "wss"))
}

/// The `--header` options as name-value pairs.
fn headers(cli: &Cli) -> Result<Vec<(String, String)>> {
    let mut headers = Vec::new();
    for header in &cli.headers {
        let (k, v) = header
            .split_once(':')
            .ok_or_else(|| UsageError(format!("--header takes 'Name: value', got `{header}`")))?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    Ok(headers)
}

fn ws_connection(cli: &Cli, url: &str, timeout: Duration) -> Result<Connection> {
    if cli.transport != TransportChoice::Auto {
        return Err(UsageError(format!(
            "--transport chooses an HTTP transport; `{url}` is a WebSocket URL"
        ))
        .into());
    }
    Ok(WebSocketParameters::new(url)
        .headers(headers(cli)?)
        .connect_timeout(timeout)
        .into())
}

fn http_connection(cli: &Cli, url: &str, timeout: Duration) -> Result<Connection> {
    let headers = headers(cli)?;
    // Stored OAuth credentials (`mcp login`), unless the command line
    // brings its own Authorization header.
    let auth: Option<Arc<dyn ClientAuth>> = if headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    {
        None
    } else {
        Some(Arc::new(crate::login::stored_provider(url, timeout)?))
    };
    Ok(match cli.transport {
        TransportChoice::Sse => {
            let mut params = SseServerParameters::new(url).timeout(timeout);
            for (k, v) in headers {
                params = params.header(k, v);
            }
            if let Some(auth) = auth {
                params = params.auth(auth);
            }
            params.into()
        }
        choice => {
            let mode = if choice == TransportChoice::Http {
                HttpTransportMode::StreamableHttp
            } else {
                HttpTransportMode::Auto
            };
            let mut params = StreamableHttpParameters::new(url)
                .headers(headers)
                .transport(mode)
                .timeout(timeout);
            if let Some(auth) = auth {
                params = params.auth(auth);
            }
            params.into()
        }
    })
}

fn stdio_connection(cli: &Cli, server: &[String]) -> Result<Connection> {
    let mut params = match server.split_first() {
        Some((command, args)) => StdioServerParameters::new(command.clone()).args(args.iter().cloned()),
        None => {
            let me = std::env::current_exe()
                .context("could not find the `mcp` executable to run the example server")?;
            StdioServerParameters::new(me.to_string_lossy().into_owned()).arg(SERVE_EXAMPLE)
        }
    };
    params = params.inherit_env(!cli.clean_env);
    for pair in &cli.env {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| UsageError(format!("--env takes KEY=VALUE, got `{pair}`")))?;
        params = params.env(k, v);
    }
    Ok(params.into())
}
