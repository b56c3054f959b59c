//! Starting a dead server again, as the [`RestartPolicy`] says: a bounded
//! number of connects, the waits between them doubling.

use std::fmt::Display;
use std::future::Future;

use crate::options::RestartPolicy;

/// Calls `open` up to `policy.max_attempts` times, waiting
/// [`RestartPolicy::wait_after`] between failures; the first success, or
/// the last failure's message.
pub(crate) async fn attempts<T, E: Display, Fut: Future<Output = Result<T, E>>>(
    policy: &RestartPolicy,
    server: &str,
    mut open: impl FnMut() -> Fut,
) -> Result<T, String> {
    let mut last = String::new();
    for attempt in 0..policy.max_attempts {
        tracing::info!(server = %server, attempt = attempt + 1, "starting a dead MCP server again");
        match open().await {
            Ok(opened) => return Ok(opened),
            Err(e) => {
                tracing::warn!(server = %server, attempt = attempt + 1, error = %e, "restarting the MCP server failed");
                last = e.to_string();
                if attempt + 1 < policy.max_attempts {
                    tokio::time::sleep(policy.wait_after(attempt)).await;
                }
            }
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn attempts_are_bounded_and_the_waits_double_up_to_the_cap() {
        let policy = RestartPolicy::new()
            .max_attempts(4)
            .backoff(Duration::from_millis(100), Duration::from_millis(250));
        let start = tokio::time::Instant::now();
        let mut tries = 0;
        let got: Result<(), String> = attempts(&policy, "s", || {
            tries += 1;
            let n = tries;
            async move { Err(format!("failure {n}")) }
        })
        .await;
        assert_eq!(got, Err("failure 4".to_owned()));
        assert_eq!(tries, 4);
        // 100 + 200 + 250 (capped), none after the last attempt.
        assert_eq!(start.elapsed(), Duration::from_millis(550));

        let mut tries = 0;
        let got = attempts(&policy, "s", || {
            tries += 1;
            let n = tries;
            async move {
                if n == 2 {
                    Ok(n)
                } else {
                    Err("no")
                }
            }
        })
        .await;
        assert_eq!(got, Ok(2));
    }
}
