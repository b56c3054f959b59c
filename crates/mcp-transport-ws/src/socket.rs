//! The open connection: a reader and a writer task over the socket's two
//! halves, keep-alive, limits and the close handshake.
//!
//! The reader hands up each text frame's messages, reports a frame it
//! skips, watches for a dead peer and ends the inbound stream with the
//! reason. The writer sends messages (batching what is queued), pings, and
//! the close frame. Whichever ends first ends both; the first reason wins.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use mcp_jsonrpc::{parse_frame, CloseReason, Inbound, Outbound, Transport, TransportError, TransportGuard};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsLibError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use crate::dial::Socket;
use crate::params::WebSocketParameters;

/// The most queued messages the writer sends before it flushes.
const MAX_BATCH: usize = 64;

/// The longest quote of a close frame's reason in a close reason.
const REASON_SNIPPET: usize = 120;

/// How the connection ended: the first reason, and the close code to send
/// the server when this side ends it for cause.
struct End {
    first: Mutex<Option<(CloseReason, Option<CloseCode>)>>,
    ended: CancellationToken,
}

impl End {
    fn new() -> Self {
        End {
            first: Mutex::new(None),
            ended: CancellationToken::new(),
        }
    }

    /// Records `reason` unless another came first, and ends both tasks.
    fn end(&self, reason: CloseReason, code: Option<CloseCode>) {
        if let Ok(mut first) = self.first.lock() {
            first.get_or_insert((reason, code));
        }
        self.ended.cancel();
    }

    fn reason(&self) -> CloseReason {
        self.first
            .lock()
            .ok()
            .and_then(|f| f.as_ref().map(|(r, _)| r.clone()))
            .unwrap_or_else(CloseReason::end_of_stream)
    }

    fn code(&self) -> Option<CloseCode> {
        self.first
            .lock()
            .ok()
            .and_then(|f| f.as_ref().and_then(|(_, c)| *c))
    }
}

/// Starts the reader and writer over an open socket.
pub(crate) fn start(socket: Socket, params: &WebSocketParameters) -> Transport {
    let (sink, stream) = socket.split();
    let capacity = params.channel_capacity.max(1);
    let (in_tx, in_rx) = mpsc::channel(capacity);
    let (out_tx, out_rx) = mpsc::channel(capacity);
    let end = Arc::new(End::new());
    let closing = CancellationToken::new();
    let reader = Reader {
        stream,
        inbound: in_tx,
        end: end.clone(),
        closing: closing.clone(),
        silence: params.ping_interval.map(|p| p + params.pong_timeout),
        ping_interval: params.ping_interval,
        pong_timeout: params.pong_timeout,
        url: params.url.clone(),
    };
    let writer = Writer {
        sink,
        outbound: out_rx,
        end: end.clone(),
        closing: closing.clone(),
        ping_interval: params.ping_interval,
        close_timeout: params.close_timeout,
    };
    let holder = Holder {
        closing,
        end,
        close_timeout: params.close_timeout,
        reader: AbortOnDropHandle::new(tokio::spawn(reader.run())),
        writer: AbortOnDropHandle::new(tokio::spawn(writer.run())),
    };
    Transport::new(in_rx, out_tx, TransportGuard::new(move || holder.close()))
}

/// Owns both tasks; dropping it aborts them, which drops the socket.
struct Holder {
    closing: CancellationToken,
    end: Arc<End>,
    close_timeout: Duration,
    reader: AbortOnDropHandle<()>,
    writer: AbortOnDropHandle<()>,
}

impl Holder {
    /// The close handshake: the writer sends what is queued and a close
    /// frame, the reader waits for the server's; bounded by the close
    /// timeout, after which both are aborted.
    async fn close(mut self) {
        self.closing.cancel();
        let both = async {
            let _ = (&mut self.writer).await;
            let _ = (&mut self.reader).await;
        };
        if tokio::time::timeout(self.close_timeout, both).await.is_err() {
            tracing::debug!("the WebSocket close handshake timed out; dropping the connection");
            self.end.end(CloseReason::Local, None);
        }
    }
}

struct Reader {
    stream: SplitStream<Socket>,
    inbound: mpsc::Sender<Inbound>,
    end: Arc<End>,
    closing: CancellationToken,
    /// The longest silence before the peer counts as dead.
    silence: Option<Duration>,
    ping_interval: Option<Duration>,
    pong_timeout: Duration,
    url: String,
}

impl Reader {
    async fn run(mut self) {
        let reason = self.read().await;
        self.end.end(reason.0, reason.1);
        let _ = self.inbound.send(Inbound::Closed(self.end.reason())).await;
    }

    async fn read(&mut self) -> (CloseReason, Option<CloseCode>) {
        let mut peer_close: Option<CloseFrame> = None;
        // One timer for the dead-peer bound: a frame only moves `last`, and
        // the timer, when it fires early, is set again from it (no timer
        // work per message).
        let mut last = Instant::now();
        let silence = sleep_until(self.silence.map(|s| last + s));
        tokio::pin!(silence);
        // Reused for the messages of each frame.
        let mut items: Vec<Inbound> = Vec::new();
        loop {
            let next = tokio::select! {
                biased;
                _ = self.end.ended.cancelled() => return (self.end.reason(), None),
                next = self.stream.next() => next,
                _ = &mut silence => {
                    let Some(limit) = self.silence else { continue };
                    let deadline = last + limit;
                    if deadline > Instant::now() {
                        silence.set(sleep_until(Some(deadline)));
                        continue;
                    }
                    return (self.dead(), None);
                }
            };
            match next {
                None => return (self.closed(peer_close.as_ref()), None),
                Some(Ok(Frame::Text(text))) => parse_frame(text.as_bytes(), |m| {
                    items.push(match m {
                        Ok(m) => Inbound::Message(m),
                        Err(e) => Inbound::Report(TransportError::Malformed(e)),
                    })
                }),
                Some(Ok(Frame::Binary(bytes))) => items.push(Inbound::Report(TransportError::Protocol(
                    format!(
                        "the server sent a binary frame of {} bytes; MCP over WebSocket uses text frames, so it was skipped",
                        bytes.len()
                    )
                    .into(),
                ))),
                Some(Ok(Frame::Close(frame))) => peer_close = frame,
                // Pongs to the server's pings are queued by tungstenite and
                // sent as the socket is read.
                Some(Ok(Frame::Ping(_) | Frame::Pong(_) | Frame::Frame(_))) => {}
                Some(Err(e)) => return self.failed(e, peer_close.as_ref()),
            }
            for inbound in items.drain(..) {
                if self.inbound.send(inbound).await.is_err() {
                    return (CloseReason::Local, Some(CloseCode::Normal));
                }
            }
            last = Instant::now();
        }
    }

    fn dead(&self) -> CloseReason {
        let ping = self.ping_interval.unwrap_or_default();
        CloseReason::Transport {
            message: format!(
                "no pong or other frame from the server at {} for {:?} (ping interval {ping:?} + pong timeout {:?}): the connection is considered dead and was closed",
                self.url,
                ping + self.pong_timeout,
                self.pong_timeout
            ),
        }
    }

    /// The stream ended after a close frame, or without one.
    fn closed(&self, peer_close: Option<&CloseFrame>) -> CloseReason {
        if self.closing.is_cancelled() {
            return CloseReason::Local;
        }
        let detail = match peer_close {
            Some(frame) => {
                let reason: String = frame
                    .reason
                    .chars()
                    .take(REASON_SNIPPET)
                    .flat_map(char::escape_default)
                    .collect();
                let reason = if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                };
                format!(
                    "the server at {} closed the WebSocket (close code {}{reason})",
                    self.url,
                    u16::from(frame.code)
                )
            }
            None => format!("the server at {} closed the connection", self.url),
        };
        CloseReason::EndOfStream { detail: Some(detail) }
    }

    fn failed(&self, e: WsLibError, peer_close: Option<&CloseFrame>) -> (CloseReason, Option<CloseCode>) {
        let transport = |message: String| CloseReason::Transport { message };
        match e {
            WsLibError::ConnectionClosed | WsLibError::AlreadyClosed => (self.closed(peer_close), None),
            _ if self.closing.is_cancelled() => (CloseReason::Local, None),
            WsLibError::Capacity(CapacityError::MessageTooLong { size, max_size }) => (
                transport(format!(
                    "the server at {} sent a WebSocket message of {size} bytes, over the limit of {max_size} bytes; the connection was closed (raise max_message_size or max_frame_size if the server is trusted)",
                    self.url
                )),
                Some(CloseCode::Size),
            ),
            WsLibError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => (
                CloseReason::EndOfStream {
                    detail: Some(format!(
                        "the server at {} dropped the connection without a WebSocket close frame",
                        self.url
                    )),
                },
                None,
            ),
            WsLibError::Io(e) => (CloseReason::io(&e), None),
            WsLibError::Utf8(_) => (
                transport(format!(
                    "the server at {} sent a text frame that is not UTF-8; the connection was closed",
                    self.url
                )),
                Some(CloseCode::Invalid),
            ),
            other => (
                transport(format!(
                    "the server at {} broke the WebSocket protocol ({other}); the connection was closed",
                    self.url
                )),
                Some(CloseCode::Protocol),
            ),
        }
    }
}

struct Writer {
    sink: SplitSink<Socket, Frame>,
    outbound: mpsc::Receiver<Outbound>,
    end: Arc<End>,
    closing: CancellationToken,
    ping_interval: Option<Duration>,
    close_timeout: Duration,
}

impl Writer {
    async fn run(mut self) {
        let mut ticker = self.ping_interval.map(|every| {
            let mut t = tokio::time::interval_at(Instant::now() + every, every);
            t.set_missed_tick_behavior(MissedTickBehavior::Delay);
            t
        });
        loop {
            tokio::select! {
                biased;
                _ = self.end.ended.cancelled() => break,
                _ = self.closing.cancelled() => return self.close().await,
                item = self.outbound.recv() => match item {
                    Some(item) => {
                        if let Err(e) = self.write(item).await {
                            return self.failed(e);
                        }
                    }
                    // The session let go of the transport.
                    None => return self.close().await,
                },
                _ = tick(ticker.as_mut()) => {
                    let ping = self.sink.send(Frame::Ping(Default::default()));
                    if let Some(Err(e)) = until(&self.end.ended, ping).await {
                        return self.failed(e);
                    }
                }
            }
        }
        // The reader ended the connection: tell the server why, briefly.
        if let Some(code) = self.end.code() {
            let frame = Frame::Close(Some(CloseFrame {
                code,
                reason: Default::default(),
            }));
            let _ = tokio::time::timeout(self.close_timeout, self.sink.send(frame)).await;
        }
    }

    /// Sends `first` and whatever else is queued (up to [`MAX_BATCH`]),
    /// then flushes.
    async fn write(&mut self, first: Outbound) -> Result<(), WsLibError> {
        let mut next = Some(first);
        let mut queued = 0;
        while let Some(item) = next.take() {
            if let Some(message) = item.into_message() {
                let text = match String::from_utf8(message.to_vec()) {
                    Ok(text) => text,
                    Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                };
                match until(&self.end.ended, self.sink.feed(Frame::text(text))).await {
                    Some(result) => result?,
                    None => return Ok(()),
                }
            }
            queued += 1;
            if queued < MAX_BATCH {
                next = self.outbound.try_recv().ok();
            }
        }
        until(&self.end.ended, self.sink.flush()).await.unwrap_or(Ok(()))
    }

    fn failed(&self, e: WsLibError) {
        let reason = match e {
            WsLibError::Io(e) => CloseReason::io(&e),
            other => CloseReason::Transport {
                message: format!("writing to the WebSocket failed: {other}"),
            },
        };
        self.end.end(reason, None);
    }

    /// The close this side asked for: what is queued, then a close frame;
    /// the reader then waits for the server's.
    async fn close(mut self) {
        while let Ok(item) = self.outbound.try_recv() {
            if self.write(item).await.is_err() {
                return;
            }
        }
        let frame = Frame::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: Default::default(),
        }));
        let _ = until(&self.end.ended, self.sink.send(frame)).await;
    }
}

/// `future`, unless the connection ends first (`None`).
async fn until<T>(ended: &CancellationToken, future: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        biased;
        out = future => Some(out),
        _ = ended.cancelled() => None,
    }
}

async fn tick(ticker: Option<&mut tokio::time::Interval>) {
    match ticker {
        Some(t) => {
            t.tick().await;
        }
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
