//! `mcp-bench ws-client --impl ours|raw --url URL`: one client
//! implementation, in this process, against a WebSocket echo server
//! (`ws-echo-server`) already listening at `URL`:
//!
//! 1. connect and initialize (timed: connect-to-initialized);
//! 2. the same runs as over stdio ([`crate::client`]): warm-up, sequential
//!    and 64-in-flight `tools/call echo` round trips;
//! 3. the figures and the peak RSS as one JSON line.
//!
//! `ours` is `mcp-transport-ws` + `mcp_client::ClientSession`; `raw` is the
//! floor: a bare tokio-tungstenite socket (subprotocol `mcp`) writing request
//! frames and reading answer frames, with no JSON-RPC engine and no parsing.
//! The official Rust SDK (rmcp) ships no WebSocket client, so there is no
//! third column here.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use mcp_client::{ClientSession, ClientSessionOptions};
use mcp_transport_ws::{websocket_client, WebSocketParameters};
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{
    figures_line, request_line, Figures, Impl, IN_FLIGHT, IN_FLIGHT_TOTAL, SEQUENTIAL, WARMUP,
};

/// Runs one client against the server at `url` and returns its JSON line.
pub(crate) async fn run(which: Impl, url: &str) -> Result<Value> {
    let (name, figures) = match which {
        Impl::Ours => ("ours", ours(url).await?),
        Impl::Raw => ("raw", raw(url).await?),
    };
    Ok(figures_line(name, &figures))
}

async fn ours(url: &str) -> Result<Figures> {
    let start = Instant::now();
    let transport = websocket_client(&WebSocketParameters::new(url)).await?;
    let session = ClientSession::new(transport, ClientSessionOptions::default());
    session.initialize().await?;
    let spawn_to_init = start.elapsed();
    let (sequential, in_flight) = crate::client::drive(&session).await?;
    session.close().await;
    Ok(Figures {
        spawn_to_init,
        sequential,
        in_flight,
    })
}

/// One request frame: the stdio request line without its newline.
fn request_frame(id: usize) -> Message {
    let mut line = request_line(id);
    line.pop();
    // The line is ASCII JSON built by `request_line`.
    Message::text(String::from_utf8(line).unwrap_or_default())
}

async fn raw(url: &str) -> Result<Figures> {
    let start = Instant::now();
    let mut request = url.into_client_request()?;
    request
        .headers_mut()
        .insert("sec-websocket-protocol", http::HeaderValue::from_static("mcp"));
    let host = request
        .uri()
        .authority()
        .context("no host in the URL")?
        .as_str()
        .to_owned();
    let tcp = tokio::net::TcpStream::connect(&host).await?;
    tcp.set_nodelay(true)?;
    let (ws, _) = tokio_tungstenite::client_async(request, tcp).await?;
    let (mut tx, mut rx) = ws.split();

    let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mcp-bench-raw","version":"0"}}}"#;
    tx.send(Message::text(init)).await?;
    match rx.next().await {
        Some(Ok(Message::Text(t))) if t.contains("\"result\"") => {}
        other => bail!("initialize failed: {other:?}"),
    }
    tx.send(Message::text(
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    ))
    .await?;
    let spawn_to_init = start.elapsed();

    async fn answer<S>(rx: &mut S) -> Result<()>
    where
        S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
    {
        match rx.next().await {
            Some(Ok(Message::Text(_))) => Ok(()),
            other => bail!("expected an answer frame, got {other:?}"),
        }
    }

    let mut next_id = 1;
    let mut sequential = Duration::ZERO;
    for (n, timed) in [(WARMUP, false), (SEQUENTIAL, true)] {
        let start = Instant::now();
        for _ in 0..n {
            tx.send(request_frame(next_id)).await?;
            next_id += 1;
            answer(&mut rx).await?;
        }
        if timed {
            sequential = start.elapsed();
        }
    }

    // IN_FLIGHT outstanding: the writer takes a permit per request, the
    // reader gives one back per answer frame.
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let start = Instant::now();
    let writer = {
        let permits = Arc::clone(&permits);
        tokio::spawn(async move {
            for id in next_id..next_id + IN_FLIGHT_TOTAL {
                permits.acquire().await?.forget();
                tx.feed(request_frame(id)).await?;
                // Flush when nothing more can be sent without an answer, as
                // a batching writer would.
                if permits.available_permits() == 0 {
                    tx.flush().await?;
                }
            }
            tx.flush().await?;
            Ok::<_, anyhow::Error>(tx)
        })
    };
    for _ in 0..IN_FLIGHT_TOTAL {
        answer(&mut rx).await?;
        permits.add_permits(1);
    }
    let in_flight = start.elapsed();
    let mut tx = writer.await??;
    let _ = tx.send(Message::Close(None)).await;
    Ok(Figures {
        spawn_to_init,
        sequential,
        in_flight,
    })
}
