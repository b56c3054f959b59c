//! Showing what a peer sent, and how long things took, in messages: a
//! leaf module (std only) that every other module may use.

use std::fmt;

/// The start of what a peer sent, safe to show: at most `max` bytes,
/// decoded lossily, control characters escaped, and `…` when cut.
/// Transports use it to quote bodies and headers in their errors.
pub fn excerpt(bytes: &[u8], max: usize) -> String {
    let cut = bytes.len().min(max);
    let mut s = escape(&String::from_utf8_lossy(&bytes[..cut]));
    if cut < bytes.len() {
        s.push('…');
    }
    s
}

/// A duration as people read it in a message: `350 ms`, `2.5 s`,
/// `1 min 5 s` (rather than `2.500412345s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(pub std::time::Duration);

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let ms = d.as_secs_f64() * 1e3;
        if ms < 10.0 {
            let rounded = (ms * 10.0).round() / 10.0;
            write!(f, "{rounded} ms")
        } else if ms < 1000.0 {
            write!(f, "{} ms", ms.round())
        } else if d.as_secs() < 60 {
            let s = (d.as_secs_f64() * 10.0).round() / 10.0;
            write!(f, "{s} s")
        } else {
            let secs = d.as_secs_f64().round() as u64;
            match secs % 60 {
                0 => write!(f, "{} min", secs / 60),
                rest => write!(f, "{} min {rest} s", secs / 60),
            }
        }
    }
}

/// `text` with control characters escaped (`\u{1b}`, `\n`), for messages
/// and terminals that show what a peer sent.
pub fn escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}
