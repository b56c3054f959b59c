//! `ws-echo-server`: the benchmarks' echo server over WebSocket (subprotocol
//! `mcp`), with the same answers as `echo-server` (see `echo.rs`). Listens on
//! a loopback port of its own choosing, prints its URL on one stdout line,
//! and serves every connection until stdin closes.
#![allow(clippy::print_stdout)]

use std::io::Write;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::Message;

#[path = "../echo.rs"]
mod echo;

fn main() -> std::io::Result<()> {
    // One thread, as the stdio echo server has.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "ws://{}/mcp", listener.local_addr()?)?;
        stdout.flush()?;
        let accept = async {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(serve(tcp));
            }
        };
        let mut stdin = tokio::io::stdin();
        let mut sink = [0u8; 64];
        let until_eof = async { while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {} };
        tokio::select! {
            _ = accept => {}
            _ = until_eof => {}
        }
        Ok(())
    })
}

// tungstenite's callback returns its `ErrorResponse` by value.
#[allow(clippy::result_large_err)]
fn subprotocol(_req: &Request, mut resp: Response) -> Result<Response, ErrorResponse> {
    resp.headers_mut()
        .insert("sec-websocket-protocol", http::HeaderValue::from_static("mcp"));
    Ok(resp)
}

async fn serve(tcp: TcpStream) {
    let _ = tcp.set_nodelay(true);
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, subprotocol).await else {
        return;
    };
    while let Some(Ok(frame)) = ws.next().await {
        let Message::Text(text) = frame else { continue };
        let Some(reply) = echo::reply(text.as_bytes()) else {
            continue;
        };
        if ws.send(Message::text(reply.to_string())).await.is_err() {
            return;
        }
    }
}
