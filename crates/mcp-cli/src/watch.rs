//! `mcp watch`: the connection kept open, the server's notifications
//! printed as they come, until Ctrl-C, SIGTERM or the server leaves.

use anyhow::Result;
use mcp_client::types::ServerNotification;
use mcp_client::IncomingMessage;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::args::Cli;
use crate::render::{escape_server_text, Out};
use crate::Outcome;

/// Notifications waiting to be printed; past this, a flood is counted and
/// dropped rather than kept.
const QUEUE: usize = 1024;

/// The longest notification printed, in characters (human output).
const LINE: usize = 2000;

/// What the message handler hands the printer.
enum Event {
    Notification(std::sync::Arc<ServerNotification>),
    Closed(String),
}

/// Runs `mcp watch`.
pub(crate) async fn run(cli: &Cli, server: &[String], uris: &[String], out: &Out) -> Result<Outcome> {
    let (tx, mut rx) = mpsc::channel::<Event>(QUEUE);
    let dropped = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = dropped.clone();
    let session = crate::connect::connect_with(cli, server, move |options| {
        options.message_handler(move |message| {
            let event = match message {
                // Logs have their own printer (stderr), with levels; the
                // listen stream's acknowledgements are the session's.
                IncomingMessage::Notification(n)
                    if matches!(
                        *n,
                        ServerNotification::LoggingMessage(_)
                            | ServerNotification::SubscriptionsAcknowledged(_)
                    ) =>
                {
                    None
                }
                IncomingMessage::Notification(n) => Some(Event::Notification(n)),
                IncomingMessage::Closed(reason) => Some(Event::Closed(reason.to_string())),
                _ => None,
            };
            if let Some(event) = event {
                if tx.try_send(event).is_err() {
                    counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
            std::future::ready(())
        })
    })
    .await?;
    for uri in uris {
        session.subscribe_resource(uri.clone()).await?;
    }
    let name = session
        .negotiated()
        .map(|n| n.server_info.name.clone())
        .unwrap_or_default();
    tell!("watching {} (Ctrl-C to stop)", escape_server_text(&name, 80));
    let outcome = watch(&mut rx, out, &dropped).await;
    session.close().await;
    outcome
}

async fn watch(
    rx: &mut mpsc::Receiver<Event>,
    out: &Out,
    dropped: &std::sync::atomic::AtomicU64,
) -> Result<Outcome> {
    let stopped = crate::signals::stopped();
    tokio::pin!(stopped);
    loop {
        let event = tokio::select! {
            outcome = &mut stopped => return Ok(outcome),
            event = rx.recv() => event,
        };
        let lost = dropped.swap(0, std::sync::atomic::Ordering::Relaxed);
        if lost > 0 {
            tell!("({lost} notifications dropped: they came faster than they could be printed)");
        }
        match event {
            Some(Event::Notification(n)) => print(&n, out)?,
            Some(Event::Closed(reason)) => anyhow::bail!("the server closed the connection: {reason}"),
            None => anyhow::bail!("the server closed the connection"),
        }
    }
}

fn print(n: &ServerNotification, out: &Out) -> Result<()> {
    let method = n.method();
    let params = n.params_value().ok().flatten().unwrap_or(Value::Null);
    if out.json {
        return out.json_line(&json!({"method": method, "params": params}));
    }
    let short = method.strip_prefix("notifications/").unwrap_or(method);
    let detail = match (n, &params) {
        (ServerNotification::ResourceUpdated(_), p) => p["uri"].as_str().unwrap_or_default().to_owned(),
        (_, Value::Null) => String::new(),
        (_, Value::Object(m)) if m.is_empty() => String::new(),
        (_, p) => p.to_string(),
    };
    let line = format!("{short} {detail}");
    out.lines(&[escape_server_text(line.trim_end(), LINE)])
}
