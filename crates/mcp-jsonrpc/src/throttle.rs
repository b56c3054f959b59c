//! Rate limits for log lines a peer can trigger at will (a skipped frame,
//! an error without an id), so a hostile peer cannot flood the user's logs.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How many lines pass before the throttle starts.
const BURST: u32 = 5;
/// Once throttled, at most one line per this interval.
const INTERVAL: Duration = Duration::from_secs(1);

/// A rate limit for a log line the peer can trigger at will: the first 5
/// pass, then one per second, each saying how many were suppressed since
/// the last. Used by the engine, the transports and the session for every
/// line a hostile peer could repeat, so that it cannot flood the logs.
///
/// ```
/// let complaints = mcp_jsonrpc::LogThrottle::new();
/// let logged = (0..1000).filter(|_| complaints.admit().is_some()).count();
/// assert!(logged < 10);
/// ```
#[derive(Debug, Default)]
pub struct LogThrottle {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    passed: u32,
    suppressed: u64,
    last: Option<Instant>,
}

impl LogThrottle {
    /// A throttle that has let nothing through yet.
    pub const fn new() -> Self {
        LogThrottle {
            state: Mutex::new(State {
                passed: 0,
                suppressed: 0,
                last: None,
            }),
        }
    }

    /// `Some(how many were suppressed since the last line)` if this event
    /// is to be logged, `None` if it is only counted.
    pub fn admit(&self) -> Option<u64> {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Option<u64> {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let state = &mut *guard;
        let due = state.passed < BURST || state.last.is_none_or(|last| now.duration_since(last) >= INTERVAL);
        if !due {
            state.suppressed = state.suppressed.saturating_add(1);
            return None;
        }
        state.passed = state.passed.saturating_add(1);
        state.last = Some(now);
        Some(std::mem::take(&mut state.suppressed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_one_line_per_interval_counts_the_rest() {
        let t = LogThrottle::new();
        let start = Instant::now();
        for _ in 0..BURST {
            assert_eq!(t.admit_at(start), Some(0));
        }
        for _ in 0..1000 {
            assert_eq!(t.admit_at(start + Duration::from_millis(10)), None);
        }
        assert_eq!(t.admit_at(start + INTERVAL), Some(1000));
        assert_eq!(t.admit_at(start + INTERVAL), None);
        assert_eq!(t.admit_at(start + INTERVAL * 3), Some(1));
    }
}
