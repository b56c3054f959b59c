//! A small Server-Sent Events parser (the WHATWG `text/event-stream`
//! format) with bounded memory, and a reader over an HTTP body.
//!
//! Lines end with CRLF, LF or CR (also split across chunks); `:` lines are
//! comments; `data` lines accumulate; a blank line dispatches. A line or an
//! event's data over the limit is an error: the stream is abandoned rather
//! than buffered without bound.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::error::HttpError;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    /// The `event` field; `None` means the default type `message`.
    pub(crate) event: Option<String>,
    /// The data lines joined with `\n`.
    pub(crate) data: String,
}

/// A line or event over the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLarge;

/// Incremental parser state.
#[derive(Debug)]
pub(crate) struct SseParser {
    line: Vec<u8>,
    after_cr: bool,
    started: bool,
    data: String,
    has_data: bool,
    event: Option<String>,
    last_event_id: Option<String>,
    retry: Option<Duration>,
    limit: usize,
}

impl SseParser {
    /// A parser whose lines and events hold at most `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        SseParser {
            line: Vec::new(),
            after_cr: false,
            started: false,
            data: String::new(),
            has_data: false,
            event: None,
            last_event_id: None,
            retry: None,
            limit: limit.max(1),
        }
    }

    /// The id of the last event seen (`id:` field), for `Last-Event-ID`.
    pub(crate) fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// The reconnection delay the server asked for (`retry:` field).
    pub(crate) fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// Feeds bytes; dispatched events are appended to `out`.
    pub(crate) fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<Event>) -> Result<(), TooLarge> {
        if !self.started && !chunk.is_empty() {
            self.started = true;
            chunk = chunk.strip_prefix("\u{feff}".as_bytes()).unwrap_or(chunk);
        }
        let mut start = 0;
        for (i, &b) in chunk.iter().enumerate() {
            if b != b'\n' && b != b'\r' {
                continue;
            }
            if b == b'\n' && self.after_cr && i == start && self.line.is_empty() {
                // The LF of a CRLF whose CR ended the previous line.
                self.after_cr = false;
                start = i + 1;
                continue;
            }
            self.push_line_part(&chunk[start..i])?;
            let line = std::mem::take(&mut self.line);
            self.line_done(&line, out)?;
            self.line = line;
            self.line.clear();
            self.after_cr = b == b'\r';
            start = i + 1;
        }
        if start < chunk.len() {
            self.after_cr = false;
            self.push_line_part(&chunk[start..])?;
        }
        Ok(())
    }

    fn push_line_part(&mut self, part: &[u8]) -> Result<(), TooLarge> {
        if self.line.len() + part.len() > self.limit + 16 {
            return Err(TooLarge);
        }
        self.line.extend_from_slice(part);
        Ok(())
    }

    fn line_done(&mut self, line: &[u8], out: &mut Vec<Event>) -> Result<(), TooLarge> {
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(());
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(p) => {
                let v = &line[p + 1..];
                (&line[..p], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        let value = String::from_utf8_lossy(value);
        match field {
            b"data" => {
                if self.data.len() + value.len() + 1 > self.limit {
                    return Err(TooLarge);
                }
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(&value);
                self.has_data = true;
            }
            b"event" => self.event = Some(value.into_owned()),
            b"id" if !value.contains('\0') => self.last_event_id = Some(value.into_owned()),
            b"retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse::<u64>() {
                    self.retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut Vec<Event>) {
        let event = self.event.take();
        if !self.has_data {
            self.data.clear();
            return;
        }
        self.has_data = false;
        out.push(Event {
            event: event.filter(|e| !e.is_empty()),
            data: std::mem::take(&mut self.data),
        });
    }
}

/// Reads events from an HTTP body with an idle timeout.
pub(crate) struct SseReader {
    body: Incoming,
    parser: SseParser,
    queue: VecDeque<Event>,
    idle: Duration,
    url: String,
    done: bool,
}

impl SseReader {
    pub(crate) fn new(body: Incoming, limit: usize, idle: Duration, url: String) -> Self {
        SseReader {
            body,
            parser: SseParser::new(limit),
            queue: VecDeque::new(),
            idle,
            url,
            done: false,
        }
    }

    /// The last event id seen.
    pub(crate) fn last_event_id(&self) -> Option<&str> {
        self.parser.last_event_id()
    }

    /// The server's `retry` request.
    pub(crate) fn retry(&self) -> Option<Duration> {
        self.parser.retry()
    }

    /// The next event; `Ok(None)` at the clean end of the stream; an error
    /// when the connection broke, went idle or sent too much.
    pub(crate) async fn next(&mut self) -> Result<Option<Event>, HttpError> {
        loop {
            if let Some(e) = self.queue.pop_front() {
                return Ok(Some(e));
            }
            if self.done {
                return Ok(None);
            }
            let frame = tokio::time::timeout(self.idle, self.body.frame())
                .await
                .map_err(|_| HttpError::Timeout {
                    url: self.url.clone(),
                    what: "data on the event stream",
                    secs: self.idle.as_secs_f64(),
                })?;
            match frame {
                None => self.done = true,
                Some(Err(e)) => {
                    return Err(HttpError::Connect {
                        url: self.url.clone(),
                        reason: format!("event stream broke: {e}"),
                    })
                }
                Some(Ok(frame)) => {
                    let Ok(data) = frame.into_data() else { continue };
                    self.feed(&data)?;
                }
            }
        }
    }

    fn feed(&mut self, data: &Bytes) -> Result<(), HttpError> {
        let mut out = Vec::new();
        let res = self.parser.feed(data, &mut out);
        self.queue.extend(out);
        res.map_err(|TooLarge| HttpError::TooLarge {
            url: self.url.clone(),
            limit: self.parser.limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_chunks(chunks: &[&[u8]], limit: usize) -> (Vec<Event>, Result<(), TooLarge>, SseParser) {
        let mut p = SseParser::new(limit);
        let mut out = Vec::new();
        for c in chunks {
            if let Err(e) = p.feed(c, &mut out) {
                return (out, Err(e), p);
            }
        }
        (out, Ok(()), p)
    }

    fn data(events: &[Event]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn basic_events_comments_and_fields() {
        let (ev, r, p) = parse_chunks(
            &[b": keep-alive\n\nid: 7\nretry: 1500\nevent: message\ndata: {\"a\":1}\n\ndata:x\ndata: y\n\n"],
            1024,
        );
        assert!(r.is_ok());
        assert_eq!(data(&ev), vec!["{\"a\":1}", "x\ny"]);
        assert_eq!(ev[0].event.as_deref(), Some("message"));
        assert_eq!(ev[1].event, None);
        assert_eq!(p.last_event_id(), Some("7"));
        assert_eq!(p.retry(), Some(Duration::from_millis(1500)));
    }

    #[test]
    fn line_endings_split_anywhere() {
        let whole = b"event: endpoint\r\ndata: /post?s=1\r\n\r\ndata: a\rdata: b\r\rdata: c\n\n";
        for split in 0..whole.len() {
            let (a, b) = whole.split_at(split);
            let (ev, r, _) = parse_chunks(&[a, b], 1024);
            assert!(r.is_ok());
            assert_eq!(data(&ev), vec!["/post?s=1", "a\nb", "c"], "split at {split}");
            assert_eq!(ev[0].event.as_deref(), Some("endpoint"));
        }
    }

    #[test]
    fn priming_event_without_data_sets_id_only() {
        let (ev, _, p) = parse_chunks(&[b"id: abc\ndata:\n\nid: def\n\n"], 64);
        assert_eq!(data(&ev), vec![""]);
        assert_eq!(p.last_event_id(), Some("def"));
        let (ev, _, _) = parse_chunks(&[b"id: x\nretry: nope\n\n"], 64);
        assert!(ev.is_empty());
    }

    #[test]
    fn bounded_lines_and_events() {
        let long = vec![b'a'; 100];
        let (_, r, _) = parse_chunks(&[b"data: ", &long, &long], 64);
        assert_eq!(r, Err(TooLarge));
        let (_, r, _) = parse_chunks(&[b"data: 0123456789\ndata: 0123456789\ndata: 0123456789\n"], 25);
        assert_eq!(r, Err(TooLarge));
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut buf = Vec::new();
            for _ in 0..(seed % 64) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let alphabet = b"data:event:id:retry:\r\n :\xff\xfe0123";
                buf.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let mut p = SseParser::new(32);
            let mut out = Vec::new();
            let _ = p.feed(&buf, &mut out);
        }
    }
}
