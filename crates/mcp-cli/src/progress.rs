//! Progress of a call on stderr: a bar on a terminal, else a line per
//! update, at most one every [`LINE_INTERVAL`]. Updates come from the
//! engine's reader task, which must never wait on the terminal, so they
//! are handed to a printer thread through a bounded queue and dropped when
//! it is full (a slow or stopped stderr).

use std::io::IsTerminal;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mcp_client::types::ProgressNotificationParams;

use crate::render::escape_server_text;

/// Least time between two progress lines when stderr is not a terminal.
const LINE_INTERVAL: Duration = Duration::from_millis(250);
/// Updates queued for the printer; more are dropped.
const QUEUE: usize = 64;
/// The longest progress message shown, in characters.
const MESSAGE_QUOTE: usize = 200;

/// The bar on screen, if any (the command runs one call at a time), so
/// that prompts and log lines can take the terminal from it.
static ON_SCREEN: Mutex<Option<Arc<indicatif::ProgressBar>>> = Mutex::new(None);

/// Runs `f` (a prompt, a log line) with the progress bar off the screen,
/// so that neither shares a line with it; the bar comes back after.
pub(crate) fn without_bar<T>(f: impl FnOnce() -> T) -> T {
    let bar = ON_SCREEN.lock().ok().and_then(|b| b.clone());
    match bar {
        Some(bar) => bar.suspend(f),
        None => f(),
    }
}

/// What the printer thread is told.
enum Update {
    Progress(ProgressNotificationParams),
    Finish,
}

/// The progress of one call.
#[derive(Clone)]
pub(crate) struct ProgressBar {
    bar: Arc<indicatif::ProgressBar>,
    tx: SyncSender<Update>,
    printer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl ProgressBar {
    pub(crate) fn new(name: &str) -> Self {
        let bar = indicatif::ProgressBar::hidden();
        if std::io::stderr().is_terminal() {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {prefix} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(escape_server_text(name, 80));
        let bar = Arc::new(bar);
        if let Ok(mut on_screen) = ON_SCREEN.lock() {
            *on_screen = Some(bar.clone());
        }
        let (tx, rx) = sync_channel(QUEUE);
        let printer = {
            let bar = bar.clone();
            std::thread::Builder::new()
                .name("mcp-progress".into())
                .spawn(move || print_loop(&bar, &rx))
                .ok()
        };
        ProgressBar {
            bar,
            tx,
            printer: Arc::new(Mutex::new(printer)),
        }
    }

    /// Takes one progress notification; never blocks (dropped when the
    /// printer is behind).
    pub(crate) fn update(&self, p: &ProgressNotificationParams) {
        let _ = self.tx.try_send(Update::Progress(p.clone()));
    }

    /// Prints the last line not yet printed, and clears the bar.
    pub(crate) fn finish(&self) {
        if let Ok(mut on_screen) = ON_SCREEN.lock() {
            if on_screen.as_ref().is_some_and(|b| Arc::ptr_eq(b, &self.bar)) {
                *on_screen = None;
            }
        }
        let printer = self.printer.lock().ok().and_then(|mut p| p.take());
        if let Some(printer) = printer {
            if self.tx.send(Update::Finish).is_ok() {
                let _ = printer.join();
            }
        }
        self.bar.finish_and_clear();
    }
}

/// The printer thread: applies updates to the bar, or prints them as
/// lines (throttled, the latest kept) when stderr is not a terminal.
fn print_loop(bar: &indicatif::ProgressBar, rx: &Receiver<Update>) {
    let mut last_line: Option<Instant> = None;
    let mut unprinted: Option<String> = None;
    loop {
        let wait = match (&unprinted, last_line) {
            (Some(_), Some(at)) => LINE_INTERVAL.saturating_sub(at.elapsed()),
            _ => Duration::from_secs(3600),
        };
        let p = match rx.recv_timeout(wait) {
            Ok(Update::Progress(p)) => p,
            Ok(Update::Finish) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                if let Some(line) = unprinted.take() {
                    tell!("{line}");
                    last_line = Some(Instant::now());
                }
                continue;
            }
        };
        let message = p.message.as_deref().map(|m| escape_server_text(m, MESSAGE_QUOTE));
        if let Some(total) = p.total {
            bar.set_length(total.max(0.0) as u64);
        }
        bar.set_position(p.progress.max(0.0) as u64);
        if let Some(message) = &message {
            bar.set_message(message.clone());
        }
        if bar.is_hidden() {
            let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
            let line = format!("progress {}{total} {}", p.progress, message.unwrap_or_default());
            if last_line.is_some_and(|at| at.elapsed() < LINE_INTERVAL) {
                unprinted = Some(line);
            } else {
                tell!("{line}");
                last_line = Some(Instant::now());
                unprinted = None;
            }
        }
    }
    if let Some(line) = unprinted {
        tell!("{line}");
    }
}
