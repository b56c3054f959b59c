//! Ctrl-C and SIGTERM: the command stops, its sessions close (which shuts
//! the servers' process groups down, since a server does not share our
//! terminal's signals), and `mcp` exits 130 or 143.

use crate::Outcome;

/// Resolves when SIGINT (130) or SIGTERM (143) arrives.
pub(crate) async fn stopped() -> Outcome {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
        else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = int.recv() => Outcome::Stopped(130),
            _ = term.recv() => Outcome::Stopped(143),
        }
    }
    #[cfg(not(unix))]
    {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Outcome::Stopped(130),
            Err(_) => std::future::pending().await,
        }
    }
}

/// Runs `command` unless a signal stops it first.
pub(crate) async fn or_stopped(
    command: impl std::future::Future<Output = anyhow::Result<Outcome>>,
) -> anyhow::Result<Outcome> {
    tokio::select! {
        outcome = command => outcome,
        stopped = stopped() => Ok(stopped),
    }
}
