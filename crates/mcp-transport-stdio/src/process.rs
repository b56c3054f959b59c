//! Spawning the server and owning it: the reader, writer, exit watcher and
//! shutdown of the whole process group.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use mcp_jsonrpc::lines::{line_parts, LineOptions, LineParts};
use mcp_jsonrpc::{
    BoxFuture, CloseReason, Connect, Connection, Inbound, Transport, TransportError, TransportGuard,
};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use crate::env::safe_env;
use crate::error::StdioError;
use crate::params::{StderrMode, StdioServerParameters};
use crate::stderr::{self, Tail};
use crate::sys;

/// How long the reader may go on after the child exits, so that a final
/// message already written is still delivered.
const EXIT_GRACE: Duration = Duration::from_millis(200);

/// A started server: the [`Transport`] speaking to it and its process id.
///
/// The transport's guard owns the process: [`TransportGuard::close`] shuts
/// the whole process group down (close stdin, wait, SIGTERM, wait, SIGKILL,
/// reap); dropping the guard does the same in the background, or kills the
/// group at once when no Tokio runtime is running.
#[derive(Debug)]
#[non_exhaustive]
pub struct StdioTransport {
    /// The connection to the server.
    pub transport: Transport,
    /// The server's process id, which is also its process group id.
    pub pid: u32,
}

impl StdioTransport {
    /// The connection to the server.
    pub fn into_transport(self) -> Transport {
        self.transport
    }
}

impl From<StdioTransport> for Transport {
    fn from(t: StdioTransport) -> Self {
        t.transport
    }
}

/// Starts the server described by `params` and connects to its stdin and
/// stdout, like the Python SDK's `stdio_client`.
///
/// Must be called within a Tokio runtime with I/O and time enabled.
///
/// The inbound stream reports lines that are not JSON-RPC messages or that
/// exceed [`max_message_size`](StdioServerParameters::max_message_size), and
/// goes on. When the server exits it ends (within 200 ms, even if a
/// grandchild still holds the pipe) with an [`Inbound::Closed`] whose
/// [`CloseReason::Exited`] gives the exit status and the last lines of its
/// stderr (when it is forwarded), e.g. "server process `node` exited with
/// status 1; its last words on stderr: …". If the server closes its stdout
/// and does not exit within
/// [`shutdown_timeout`](StdioServerParameters::shutdown_timeout), the stream
/// ends too, the process being left to the guard; if it stops reading its
/// stdin, the first failed write ends the stream at once.
pub async fn stdio_client(params: &StdioServerParameters) -> Result<StdioTransport, StdioError> {
    let command_name = params.command.clone();
    let spawn_error = |source| StdioError::Spawn {
        command: command_name.clone(),
        source,
    };

    let mut cmd = Command::new(&params.command);
    cmd.args(&params.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(match params.stderr {
            StderrMode::Forward { .. } => Stdio::piped(),
            StderrMode::Inherit => Stdio::inherit(),
            StderrMode::Discard => Stdio::null(),
        })
        .kill_on_drop(true);
    if !params.inherit_env {
        cmd.env_clear();
        cmd.envs(safe_env(|key| std::env::var_os(key)));
    }
    cmd.envs(&params.env);
    if let Some(cwd) = &params.cwd {
        let usable = match std::fs::metadata(cwd) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(std::io::Error::other("not a directory")),
            Err(e) => Err(e),
        };
        if let Err(source) = usable {
            return Err(StdioError::Cwd {
                command: params.command.clone(),
                cwd: cwd.clone(),
                source,
            });
        }
        cmd.current_dir(cwd);
    }
    #[cfg(unix)]
    cmd.process_group(0);

    let mut child = cmd.spawn().map_err(|source| {
        let bare = !params.command.contains(std::path::MAIN_SEPARATOR) && !params.command.contains('/');
        if source.kind() == std::io::ErrorKind::NotFound && bare {
            // The PATH the child was given: its own `env`, else ours.
            let path = params
                .env
                .get("PATH")
                .cloned()
                .or_else(|| std::env::var("PATH").ok())
                .unwrap_or_default();
            StdioError::NotFound {
                command: params.command.clone(),
                path,
                source,
            }
        } else {
            spawn_error(source)
        }
    })?;
    let pipes = (child.id(), child.stdin.take(), child.stdout.take());
    let (Some(pid), Some(stdin), Some(stdout)) = pipes else {
        return Err(spawn_error(std::io::Error::other(
            "the child's pipes or id are missing",
        )));
    };
    tracing::debug!(command = %params.command, pid, "started MCP server");

    let tail = Tail::default();
    let (stderr_done, stderr_drained) = oneshot::channel();
    let stderr_task = match (&params.stderr, child.stderr.take()) {
        (StderrMode::Forward { on_line }, Some(pipe)) => {
            Some(AbortOnDropHandle::new(tokio::spawn(stderr::pump(
                pipe,
                params.command.clone(),
                on_line.clone(),
                tail.clone(),
                stderr_done,
            ))))
        }
        _ => None,
    };

    // Closing cancels `close_stdin`: the writer then writes what is queued and
    // closes the child's stdin even while the user still holds a sender.
    let close_stdin = CancellationToken::new();
    // A failed write usually means the server exited: the watcher tells
    // which, rather than the writer's broken pipe.
    let options = LineOptions::default()
        .max_message_size(params.max_message_size)
        .close_on(close_stdin.clone())
        .report_write_failure(false);
    let LineParts {
        inbound,
        outbound,
        report,
        reader,
        writer,
    } = line_parts(stdout, stdin, options);

    let (exited_tx, exited_rx) = watch::channel(false);
    let kill = Arc::new(Notify::new());
    let stream = StreamParts {
        reader,
        reader_finished: false,
        writer,
        writer_finished: false,
        report,
    };
    let watcher = tokio::spawn(watch_child(WatchChild {
        child,
        stream,
        exited: exited_tx,
        kill: kill.clone(),
        eof_timeout: params.shutdown_timeout,
        command: params.command.clone(),
        tail,
        stderr_drained,
    }));

    let holder = ProcessHolder {
        pid,
        command: params.command.clone(),
        shutdown_timeout: params.shutdown_timeout,
        exited: exited_rx,
        kill,
        close_stdin,
        watcher: AbortOnDropHandle::new(watcher),
        _stderr: stderr_task,
        finished: false,
    };
    Ok(StdioTransport {
        transport: Transport::new(inbound, outbound, TransportGuard::new(move || holder.close())),
        pid,
    })
}

/// The tasks and sender feeding the inbound stream.
struct StreamParts {
    reader: AbortOnDropHandle<()>,
    reader_finished: bool,
    writer: AbortOnDropHandle<std::io::Result<()>>,
    writer_finished: bool,
    report: mpsc::Sender<Inbound>,
}

impl StreamParts {
    /// Stops every task feeding the inbound stream, reports `reason` as its
    /// last item and lets it end.
    async fn end(mut self, reason: CloseReason) {
        // Wait until the tasks are really gone so nothing follows the report.
        if !self.writer_finished {
            self.writer.abort();
            let _ = (&mut self.writer).await;
        }
        if !self.reader_finished {
            self.reader.abort();
            let _ = (&mut self.reader).await;
        }
        tracing::debug!(%reason, "stdio transport closed");
        let _ = self.report.send(Inbound::Closed(reason)).await;
    }
}

struct WatchChild {
    child: Child,
    stream: StreamParts,
    exited: watch::Sender<bool>,
    kill: Arc<Notify>,
    eof_timeout: Duration,
    command: String,
    tail: Tail,
    stderr_drained: oneshot::Receiver<()>,
}

/// Owns the child: waits for its exit, ends the inbound stream with the
/// exit status and the tail of its stderr, and tells the closer.
async fn watch_child(w: WatchChild) {
    let WatchChild {
        mut child,
        mut stream,
        exited,
        kill,
        eof_timeout,
        command,
        tail,
        stderr_drained,
    } = w;
    let exit = loop {
        tokio::select! {
            exit = wait_child(&mut child, &kill) => break Some(exit),
            _ = &mut stream.reader => break None,
            written = &mut stream.writer, if !stream.writer_finished => {
                stream.writer_finished = true;
                let Ok(Err(e)) = written else { continue };
                // The server stopped reading: it usually exited, and its exit
                // says more than the broken pipe; if it runs on, the
                // connection is over all the same.
                tracing::debug!(command = %command, error = %e, "writing to the server failed");
                match tokio::time::timeout(EXIT_GRACE, wait_child(&mut child, &kill)).await {
                    Ok(exit) => break Some(exit),
                    Err(_) => {
                        stream.end(CloseReason::io(&e)).await;
                        let exit = wait_child(&mut child, &kill).await;
                        tracing::debug!(command = %command, ?exit, "MCP server exited");
                        let _ = exited.send(true);
                        return;
                    }
                }
            }
        }
    };
    let exit = match exit {
        Some(exit) => {
            if tokio::time::timeout(EXIT_GRACE, &mut stream.reader).await.is_ok() {
                stream.reader_finished = true;
            }
            exit
        }
        None => {
            // Stdout ended (or failed) first: the server usually exits next.
            stream.reader_finished = true;
            match tokio::time::timeout(eof_timeout, wait_child(&mut child, &kill)).await {
                Ok(exit) => exit,
                Err(_) => {
                    let detail = Some(format!("server process `{command}` closed its stdout"));
                    stream.end(CloseReason::EndOfStream { detail }).await;
                    let exit = wait_child(&mut child, &kill).await;
                    tracing::debug!(command = %command, ?exit, "MCP server exited");
                    let _ = exited.send(true);
                    return;
                }
            }
        }
    };
    tracing::debug!(command = %command, ?exit, "MCP server exited");
    let _ = exited.send(true);
    // Its last words on stderr may still be in the pipe.
    let _ = tokio::time::timeout(EXIT_GRACE, stderr_drained).await;
    let (code, signal) = exit.map(sys::exit_parts).unwrap_or((None, None));
    let reason = CloseReason::Exited {
        command,
        code,
        signal,
        stderr_tail: tail.text(),
    };
    stream.end(reason).await;
}

/// Waits for (and so reaps) the child, killing it when asked; `None` when
/// the status could not be read.
async fn wait_child(child: &mut Child, kill: &Notify) -> Option<std::process::ExitStatus> {
    loop {
        tokio::select! {
            status = child.wait() => {
                return match status {
                    Ok(status) => Some(status),
                    Err(e) => {
                        tracing::debug!(error = %e, "could not read the server's exit status");
                        None
                    }
                };
            }
            _ = kill.notified() => {
                let _ = child.start_kill();
            }
        }
    }
}

/// Owns the server process for the transport's guard.
struct ProcessHolder {
    pid: u32,
    command: String,
    shutdown_timeout: Duration,
    exited: watch::Receiver<bool>,
    kill: Arc<Notify>,
    /// Cancelled by `close`: the writer flushes and closes the child's stdin.
    close_stdin: CancellationToken,
    watcher: AbortOnDropHandle<()>,
    _stderr: Option<AbortOnDropHandle<()>>,
    /// Set once `close` has killed the group and reaped the child.
    finished: bool,
}

impl ProcessHolder {
    /// Closes stdin, waits, SIGTERMs the group, waits, SIGKILLs the group
    /// (always, for grandchildren), reaps.
    async fn close(mut self) {
        self.close_stdin.cancel();
        let timeout = self.shutdown_timeout;
        if !self.wait_exit(timeout).await {
            tracing::debug!(command = %self.command, pid = self.pid, "MCP server still running after stdin closed; sending SIGTERM");
            sys::terminate_group(self.pid);
            if !self.wait_exit(timeout).await {
                tracing::warn!(command = %self.command, pid = self.pid, "MCP server ignored SIGTERM; killing it");
            }
        }
        self.kill_all();
        if !self.wait_exit(timeout).await {
            tracing::warn!(command = %self.command, pid = self.pid, "MCP server did not die after SIGKILL");
        }
        // Let the watcher end the inbound stream with the exit status.
        let _ = tokio::time::timeout(timeout.max(EXIT_GRACE * 3), &mut self.watcher).await;
        self.finished = true;
    }

    /// Kills the whole group, and the child through its handle as well.
    fn kill_all(&self) {
        sys::kill_group(self.pid);
        self.kill.notify_one();
    }

    /// True once the child has exited and been reaped (or the watcher is gone).
    async fn wait_exit(&mut self, timeout: Duration) -> bool {
        let exited = self.exited.wait_for(|&exited| exited);
        !matches!(tokio::time::timeout(timeout, exited).await, Err(_elapsed))
    }
}

impl Drop for ProcessHolder {
    fn drop(&mut self) {
        if !self.finished {
            // Not closed (no runtime, or the close was cut short): force.
            sys::kill_group(self.pid);
        }
    }
}

/// Starts the server again on every call: a session made from the
/// parameters can start a server that exited on its first message anew.
impl Connect for StdioServerParameters {
    fn connect(&self) -> BoxFuture<'_, Result<Transport, TransportError>> {
        Box::pin(async move { Ok(stdio_client(self).await?.into_transport()) })
    }

    fn describe(&self) -> String {
        format!("server process `{}`", self.command)
    }
}

impl From<StdioServerParameters> for Connection {
    fn from(params: StdioServerParameters) -> Self {
        Connection::connector(params)
    }
}

impl From<&StdioServerParameters> for Connection {
    fn from(params: &StdioServerParameters) -> Self {
        Connection::connector(params.clone())
    }
}

impl From<StdioTransport> for Connection {
    fn from(t: StdioTransport) -> Self {
        Connection::open(t.transport)
    }
}
