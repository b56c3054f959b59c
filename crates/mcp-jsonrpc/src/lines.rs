//! Newline-delimited JSON framing over any `AsyncRead + AsyncWrite`.
//!
//! The stdio transport uses it over a child's pipes; tests use it over
//! [`tokio::io::duplex`]. One reader task parses lines; one writer task owns
//! the sink and coalesces: it drains everything queued, then flushes once.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use crate::error::{CloseReason, TransportError};
use crate::message::parse_frame;
use crate::transport::{Inbound, Outbound, Transport, TransportGuard, DEFAULT_CHANNEL_CAPACITY};

/// Default limit on one inbound message: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 * 1024 * 1024;

/// Most bytes the writer coalesces before it writes.
const WRITE_BATCH_BYTES: usize = 1024 * 1024;

/// Options of a line-framed transport.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LineOptions {
    /// Largest inbound line, in bytes; a longer one is skipped and reported.
    pub max_message_size: usize,
    /// Capacity of the inbound and outbound channels.
    pub channel_capacity: usize,
    /// When cancelled, the writer stops taking messages, writes those already
    /// queued, flushes and closes its half, even while senders still live.
    pub close: Option<CancellationToken>,
    /// Whether a failed write ends the inbound stream with
    /// [`Inbound::Closed`] (default), or is only the writer task's output,
    /// for a transport that knows a better reason (a child process that
    /// exited).
    pub report_write_failure: bool,
}

impl Default for LineOptions {
    fn default() -> Self {
        LineOptions {
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            channel_capacity: DEFAULT_CHANNEL_CAPACITY,
            close: None,
            report_write_failure: true,
        }
    }
}

impl LineOptions {
    /// Sets the largest inbound line.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets the channel capacity.
    pub fn channel_capacity(mut self, capacity: usize) -> Self {
        self.channel_capacity = capacity.max(1);
        self
    }

    /// Sets a token that closes the outbound side when cancelled (see
    /// [`LineOptions::close`]).
    pub fn close_on(mut self, token: CancellationToken) -> Self {
        self.close = Some(token);
        self
    }

    /// Sets whether a failed write ends the inbound stream (see
    /// [`LineOptions::report_write_failure`]).
    pub fn report_write_failure(mut self, report: bool) -> Self {
        self.report_write_failure = report;
        self
    }
}

/// The parts of a line transport, for transports that add their own
/// resources (a child process) before building the [`Transport`].
#[derive(Debug)]
pub struct LineParts {
    /// Messages and reports from the peer.
    pub inbound: mpsc::Receiver<Inbound>,
    /// Messages to the peer.
    pub outbound: mpsc::Sender<Outbound>,
    /// A sender into the inbound stream, to report events such as a process
    /// exit; drop it when done so that the stream can end.
    pub report: mpsc::Sender<Inbound>,
    /// The reader task; aborting it ends the inbound stream.
    pub reader: AbortOnDropHandle<()>,
    /// The writer task; it ends when every `outbound` sender is dropped, or
    /// when [`LineOptions::close`] is cancelled, after a flush. A failed
    /// write ends it too, with the error (after reporting [`Inbound::Closed`]
    /// unless told not to).
    pub writer: AbortOnDropHandle<std::io::Result<()>>,
}

/// Builds a line-framed transport; its guard aborts both tasks.
pub fn line_transport<R, W>(reader: R, writer: W, options: LineOptions) -> Transport
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    let parts = line_parts(reader, writer, options);
    let LineParts {
        inbound,
        outbound,
        report,
        reader,
        writer,
    } = parts;
    drop(report);
    let guard = TransportGuard::new(move || async move {
        drop(reader);
        drop(writer);
    });
    Transport::new(inbound, outbound, guard)
}

/// Starts the reader and writer tasks of a line-framed transport.
pub fn line_parts<R, W>(reader: R, writer: W, options: LineOptions) -> LineParts
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    let capacity = options.channel_capacity.max(1);
    let (in_tx, in_rx) = mpsc::channel(capacity);
    let (out_tx, out_rx) = mpsc::channel(capacity);
    let report = in_tx.clone();
    let reader = tokio::spawn(read_loop(
        BufReader::with_capacity(64 * 1024, reader),
        in_tx.clone(),
        options.max_message_size,
    ));
    // The writer only reports into the inbound stream; a weak sender lets the
    // stream end when the reader (and `report`) are done.
    let close = options.close.unwrap_or_default();
    let report_to = options.report_write_failure.then(|| in_tx.downgrade());
    let writer = tokio::spawn(write_loop(writer, out_rx, report_to, close));
    LineParts {
        inbound: in_rx,
        outbound: out_tx,
        report,
        reader: AbortOnDropHandle::new(reader),
        writer: AbortOnDropHandle::new(writer),
    }
}

async fn read_loop<R: AsyncBufRead + Unpin>(mut reader: R, tx: mpsc::Sender<Inbound>, max: usize) {
    let mut line = Vec::with_capacity(4096);
    loop {
        line.clear();
        let outcome = read_line_limited(&mut reader, &mut line, max).await;
        let item = match outcome {
            Ok(LineRead::Eof) => return,
            Ok(LineRead::TooLong) => {
                tracing::debug!(limit = max, "skipped an inbound message over the size limit");
                Inbound::Report(TransportError::TooLarge { limit: max })
            }
            Ok(LineRead::Line) => {
                let text = trim_line(&line);
                if text.is_empty() {
                    continue;
                }
                // A frame is one message, or several for a batch.
                let mut first = None;
                let mut rest = Vec::new();
                parse_frame(text, |m| {
                    let m = match m {
                        Ok(m) => Inbound::Message(m),
                        Err(e) => Inbound::Report(TransportError::Malformed(e)),
                    };
                    if first.is_none() {
                        first = Some(m);
                    } else {
                        rest.push(m);
                    }
                });
                for m in first.into_iter().chain(rest) {
                    if tx.send(m).await.is_err() {
                        return;
                    }
                }
                continue;
            }
            Err(e) => {
                let _ = tx.send(Inbound::Closed(CloseReason::io(&e))).await;
                return;
            }
        };
        if tx.send(item).await.is_err() {
            return;
        }
    }
}

fn trim_line(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

enum LineRead {
    Line,
    TooLong,
    Eof,
}

/// Reads one line into `buf`, never buffering more than `max` bytes: the rest
/// of an oversized line is consumed and dropped.
async fn read_line_limited<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<LineRead> {
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if too_long {
                LineRead::TooLong
            } else if buf.is_empty() {
                LineRead::Eof
            } else {
                LineRead::Line
            });
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let used = chunk.len();
        if !too_long {
            if buf.len() + used > max + 2 {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        reader.consume(used);
        if done {
            return Ok(if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut rx: mpsc::Receiver<Outbound>,
    report: Option<mpsc::WeakSender<Inbound>>,
    close: CancellationToken,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut closing = false;
    // Registered once, not on every message.
    let cancelled = close.cancelled();
    tokio::pin!(cancelled);
    loop {
        let first = if closing {
            // Closed: write what was queued before the close, then stop.
            match rx.try_recv() {
                Ok(m) => m,
                Err(_) => break,
            }
        } else {
            tokio::select! {
                biased;
                () = &mut cancelled => {
                    rx.close();
                    closing = true;
                    continue;
                }
                m = rx.recv() => match m {
                    Some(m) => m,
                    None => break,
                },
            }
        };
        buf.clear();
        put(&mut buf, first);
        while buf.len() < WRITE_BATCH_BYTES {
            match rx.try_recv() {
                Ok(m) => put(&mut buf, m),
                Err(_) => break,
            }
        }
        if buf.is_empty() {
            continue;
        }
        let result = async {
            writer.write_all(&buf).await?;
            writer.flush().await
        }
        .await;
        if let Err(e) = result {
            tracing::debug!(error = %e, "transport write failed");
            // The peer can no longer hear us: the connection is over, even if
            // it keeps writing.
            if let Some(report) = report.and_then(|r| r.upgrade()) {
                let _ = report.send(Inbound::Closed(CloseReason::io(&e))).await;
            }
            return Err(e);
        }
        if buf.capacity() > 4 * WRITE_BATCH_BYTES {
            buf = Vec::with_capacity(64 * 1024);
        }
    }
    // Every sender is gone, or the transport is closing: flush and close our
    // half so the peer sees EOF.
    let _ = writer.shutdown().await;
    Ok(())
}

/// Appends one line for `item` (a cancellation is its notification, if any).
fn put(buf: &mut Vec<u8>, item: Outbound) {
    if let Some(m) = item.into_message() {
        m.write_to(buf);
        buf.push(b'\n');
    }
}
