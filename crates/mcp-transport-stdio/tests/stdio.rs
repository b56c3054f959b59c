//! End-to-end tests of the stdio transport against small `sh` servers.
#![cfg(unix)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use mcp_jsonrpc::{CloseReason, Inbound as Item, Message, TransportError};
use mcp_transport_stdio::{stdio_client, StderrMode, StdioError, StdioServerParameters};

const LIMIT: Duration = Duration::from_secs(10);

fn sh(script: &str) -> StdioServerParameters {
    StdioServerParameters::new("sh").arg("-c").arg(script)
}

/// Starts a grandchild, prints its pid as a notification, then echoes stdin.
const PID_SCRIPT: &str = r#"sleep 300 &
printf '{"jsonrpc":"2.0","method":"pid","params":{"pid":%s}}\n' "$!"
exec cat"#;

type Inbound = tokio::sync::mpsc::Receiver<Item>;

async fn next(inbound: &mut Inbound) -> Result<Option<Item>> {
    tokio::time::timeout(LIMIT, inbound.recv())
        .await
        .context("timed out waiting for the inbound stream")
}

async fn next_message(t: &mut Inbound) -> Result<Message> {
    match next(t).await? {
        Some(Item::Message(m)) => Ok(m),
        Some(other) => bail!("expected a message, got {other:?}"),
        None => bail!("expected a message, the stream ended"),
    }
}

/// What the stream said until it ended, messages aside.
#[derive(Debug)]
struct Drained {
    reports: Vec<TransportError>,
    closed: Option<CloseReason>,
}

/// Reads until the stream ends; the close must be the last item.
async fn drain(t: &mut Inbound) -> Result<Drained> {
    let mut drained = Drained {
        reports: Vec::new(),
        closed: None,
    };
    while let Some(item) = next(t).await? {
        if drained.closed.is_some() {
            bail!("{item:?} followed the close");
        }
        match item {
            Item::Report(e) => drained.reports.push(e),
            Item::Closed(reason) => drained.closed = Some(reason),
            _ => {}
        }
    }
    Ok(drained)
}

fn closed_reason(drained: &Drained) -> Result<String> {
    match &drained.closed {
        Some(reason) => Ok(reason.to_string()),
        None => bail!("the stream ended without a close reason: {drained:?}"),
    }
}

fn params_of(m: &Message) -> Result<serde_json::Value> {
    let Message::Notification(n) = m else {
        bail!("expected a notification, got {m:?}");
    };
    let raw = n.params.as_ref().context("no params")?;
    Ok(serde_json::from_str(raw.get())?)
}

async fn read_pid(t: &mut Inbound) -> Result<u32> {
    let m = next_message(t).await?;
    assert_eq!(m.method(), Some("pid"));
    let pid = params_of(&m)?["pid"].as_u64().context("pid not a number")?;
    Ok(u32::try_from(pid)?)
}

#[allow(unsafe_code)]
fn signal0(pid: libc::pid_t) -> bool {
    // SAFETY: kill with signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// Whether `pid` is a live process; a zombie counts as gone.
fn alive(pid: u32) -> bool {
    let Ok(pid_t) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if !signal0(pid_t) {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => !cfg!(target_os = "linux"),
    }
}

async fn gone_within(pid: u32, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if !alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn messages_round_trip_and_close_reports_exit() -> Result<()> {
    let mut t = stdio_client(&StdioServerParameters::new("cat"))
        .await?
        .into_transport();
    let ping = Message::from_slice(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)?;
    t.outbound.send(ping.into()).await?;
    let echoed = next_message(&mut t.inbound).await?;
    assert_eq!(echoed.method(), Some("ping"));
    assert_eq!(echoed.id(), Some(&1.into()));

    let start = Instant::now();
    t.guard.close().await;
    // cat exits on stdin EOF: no signal needed.
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "close took {:?}",
        start.elapsed()
    );
    let errors = drain(&mut t.inbound).await?;
    assert_eq!(
        closed_reason(&errors)?,
        "server process `cat` exited with status 0"
    );
    Ok(())
}

#[tokio::test]
async fn bad_lines_are_reported_and_skipped() -> Result<()> {
    let pad = "x".repeat(200);
    let script = format!(
        r#"printf 'not json\n'
printf '%s\n' '{{"jsonrpc":"2.0","method":"big","params":{{"pad":"{pad}"}}}}'
printf '%s\n' '{{"jsonrpc":"2.0","method":"ok"}}'
exec cat"#
    );
    let mut t = stdio_client(&sh(&script).max_message_size(100))
        .await?
        .into_transport();
    match next(&mut t.inbound).await? {
        Some(Item::Report(TransportError::Malformed(e))) => assert!(e.snippet().contains("not json")),
        other => bail!("expected Malformed, got {other:?}"),
    }
    match next(&mut t.inbound).await? {
        Some(Item::Report(TransportError::TooLarge { limit: 100 })) => {}
        other => bail!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(next_message(&mut t.inbound).await?.method(), Some("ok"));
    t.guard.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_ends_the_stream_even_if_a_grandchild_holds_stdout() -> Result<()> {
    let mut t = stdio_client(&sh("(sleep 30) & exit 3")).await?.into_transport();
    let start = Instant::now();
    let errors = tokio::time::timeout(Duration::from_secs(5), drain(&mut t.inbound)).await??;
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(
        closed_reason(&errors)?,
        "server process `sh` exited with status 3"
    );
    // Sending fails once the transport is closed.
    let ping = Message::from_slice(br#"{"jsonrpc":"2.0","method":"ping"}"#)?;
    assert!(t.outbound.send(ping.into()).await.is_err());
    t.guard.close().await;
    Ok(())
}

#[tokio::test]
async fn the_close_reason_carries_the_exit_code_and_the_tail_of_stderr() -> Result<()> {
    let script = r#"for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i" >&2; done
printf 'BRAVE_API_KEY environment variable is required\033[31m\n' >&2
exit 1"#;
    let mut t = stdio_client(&sh(script)).await?.into_transport();
    let drained = drain(&mut t.inbound).await?;
    let reason = drained.closed.context("a close reason")?;
    assert_eq!(reason.exit_code(), Some(1));
    let tail = reason.stderr_tail().context("a stderr tail")?;
    let lines: Vec<&str> = tail.lines().collect();
    assert_eq!(lines.len(), mcp_transport_stdio::STDERR_TAIL_LINES, "{tail}");
    assert_eq!(lines[0], "line 4");
    // Control characters are escaped: the text ends up on a terminal.
    assert_eq!(
        lines.last().copied(),
        Some("BRAVE_API_KEY environment variable is required\\u{1b}[31m")
    );
    assert!(reason
        .to_string()
        .starts_with("server process `sh` exited with status 1; its last words"));
    t.guard.close().await;
    Ok(())
}

#[tokio::test]
async fn a_server_that_stops_reading_ends_the_stream_at_the_first_failed_write() -> Result<()> {
    // Closes its stdin, keeps running and keeps stdout open.
    let mut t = stdio_client(&sh("exec 0<&-; sleep 30")).await?.into_transport();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let ping = Message::from_slice(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)?;
    let start = Instant::now();
    t.outbound.send(ping.into()).await?;
    match next(&mut t.inbound).await? {
        Some(Item::Closed(CloseReason::Io { kind, .. })) => assert_eq!(kind, std::io::ErrorKind::BrokenPipe),
        other => bail!("expected the broken pipe to close the stream, got {other:?}"),
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
    t.guard.close().await;
    Ok(())
}

#[tokio::test]
async fn a_last_message_before_exit_is_delivered() -> Result<()> {
    let script = r#"printf '%s\n' '{"jsonrpc":"2.0","method":"bye"}'; exit 0"#;
    let mut t = stdio_client(&sh(script)).await?.into_transport();
    assert_eq!(next_message(&mut t.inbound).await?.method(), Some("bye"));
    let errors = drain(&mut t.inbound).await?;
    assert_eq!(
        closed_reason(&errors)?,
        "server process `sh` exited with status 0"
    );
    t.guard.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_kills_grandchildren() -> Result<()> {
    let mut t = stdio_client(&sh(PID_SCRIPT)).await?.into_transport();
    let grandchild = read_pid(&mut t.inbound).await?;
    assert!(alive(grandchild));
    t.guard.close().await;
    assert!(
        gone_within(grandchild, Duration::from_secs(5)).await,
        "grandchild {grandchild} survived"
    );
    let errors = drain(&mut t.inbound).await?;
    assert_eq!(
        closed_reason(&errors)?,
        "server process `sh` exited with status 0"
    );
    Ok(())
}

#[tokio::test]
async fn close_sigterms_a_server_ignoring_stdin() -> Result<()> {
    let params = sh("exec sleep 300").shutdown_timeout(Duration::from_millis(300));
    let st = stdio_client(&params).await?;
    let pid = st.pid;
    let mut t = st.into_transport();
    let start = Instant::now();
    t.guard.close().await;
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "close took {:?}",
        start.elapsed()
    );
    assert!(!alive(pid));
    let errors = drain(&mut t.inbound).await?;
    assert_eq!(
        closed_reason(&errors)?,
        "server process `sh` was killed by signal 15 (SIGTERM)"
    );
    Ok(())
}

#[tokio::test]
async fn close_kills_a_server_ignoring_sigterm() -> Result<()> {
    let script = r#"trap '' TERM
printf '%s\n' '{"jsonrpc":"2.0","method":"ready"}'
while :; do sleep 1; done"#;
    let params = sh(script).shutdown_timeout(Duration::from_millis(200));
    let st = stdio_client(&params).await?;
    let pid = st.pid;
    let mut t = st.into_transport();
    assert_eq!(next_message(&mut t.inbound).await?.method(), Some("ready"));
    let start = Instant::now();
    t.guard.close().await;
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "close took {:?}",
        start.elapsed()
    );
    assert!(!alive(pid));
    let errors = drain(&mut t.inbound).await?;
    assert_eq!(
        closed_reason(&errors)?,
        "server process `sh` was killed by signal 9 (SIGKILL)"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_transport_shuts_the_group_down() -> Result<()> {
    let st = stdio_client(&sh(PID_SCRIPT)).await?;
    let pid = st.pid;
    let mut t = st.into_transport();
    let grandchild = read_pid(&mut t.inbound).await?;
    drop(t);
    assert!(
        gone_within(pid, Duration::from_secs(5)).await,
        "server {pid} survived"
    );
    assert!(
        gone_within(grandchild, Duration::from_secs(5)).await,
        "grandchild {grandchild} survived"
    );
    Ok(())
}

#[test]
fn dropping_without_a_runtime_kills_the_group() -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (t, pid, grandchild) = rt.block_on(async {
        let st = stdio_client(&sh(PID_SCRIPT)).await?;
        let pid = st.pid;
        let mut t = st.into_transport();
        let grandchild = read_pid(&mut t.inbound).await?;
        anyhow::Ok((t, pid, grandchild))
    })?;
    drop(rt);
    let start = Instant::now();
    drop(t);
    assert!(start.elapsed() < Duration::from_secs(1));
    let gone = |pid| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if !alive(pid) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    };
    assert!(gone(pid), "server {pid} survived");
    assert!(gone(grandchild), "grandchild {grandchild} survived");
    Ok(())
}

#[tokio::test]
async fn a_chatty_stderr_never_stalls_the_server() -> Result<()> {
    let bytes = Arc::new(AtomicUsize::new(0));
    let first = Arc::new(Mutex::new(None::<String>));
    let on_line = {
        let (bytes, first) = (bytes.clone(), first.clone());
        move |line: &str| {
            bytes.fetch_add(line.len() + 1, Ordering::Relaxed);
            if let Ok(mut first) = first.lock() {
                first.get_or_insert_with(|| line.to_owned());
            }
        }
    };
    // 1 MiB in all: 41943 lines of 25 bytes and an empty line.
    let script = r#"{ yes 'a line of server logging' | head -c 1048575; echo; } >&2
printf '%s\n' '{"jsonrpc":"2.0","method":"done"}'
exec cat"#;
    let mut t = stdio_client(&sh(script).stderr(StderrMode::forward_to(on_line)))
        .await?
        .into_transport();
    assert_eq!(next_message(&mut t.inbound).await?.method(), Some("done"));
    let start = Instant::now();
    while bytes.load(Ordering::Relaxed) < 1024 * 1024 && start.elapsed() < LIMIT {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(bytes.load(Ordering::Relaxed), 1024 * 1024);
    let first = first.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.clone();
    assert_eq!(first.as_deref(), Some("a line of server logging"));
    t.guard.close().await;
    Ok(())
}

#[tokio::test]
async fn discarded_stderr_never_stalls_the_server() -> Result<()> {
    let script = r#"head -c 1048576 /dev/zero >&2
printf '%s\n' '{"jsonrpc":"2.0","method":"done"}'"#;
    let mut t = stdio_client(&sh(script).stderr(StderrMode::Discard))
        .await?
        .into_transport();
    assert_eq!(next_message(&mut t.inbound).await?.method(), Some("done"));
    t.guard.close().await;
    Ok(())
}

const ENV_SCRIPT: &str = r#"printf '{"jsonrpc":"2.0","method":"env","params":{"manifest":"%s","extra":"%s","path":"%s"}}\n' "$CARGO_MANIFEST_DIR" "$MCP_STDIO_EXTRA" "$PATH""#;

async fn child_env(params: StdioServerParameters) -> Result<serde_json::Value> {
    let mut t = stdio_client(&params).await?.into_transport();
    let env = params_of(&next_message(&mut t.inbound).await?)?;
    t.guard.close().await;
    Ok(env)
}

#[tokio::test]
async fn the_environment_is_safe_by_default() -> Result<()> {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").context("cargo sets CARGO_MANIFEST_DIR")?;
    let env = child_env(sh(ENV_SCRIPT).env("MCP_STDIO_EXTRA", "42")).await?;
    assert_eq!(env["manifest"], "", "an unlisted variable leaked");
    assert_eq!(env["extra"], "42");
    assert_eq!(env["path"], std::env::var("PATH").unwrap_or_default().as_str());

    let env = child_env(sh(ENV_SCRIPT).inherit_env(true).env("MCP_STDIO_EXTRA", "43")).await?;
    assert_eq!(env["manifest"], manifest.as_str());
    assert_eq!(env["extra"], "43");
    Ok(())
}

#[tokio::test]
async fn cwd_is_applied_and_checked() -> Result<()> {
    let script = r#"printf '{"jsonrpc":"2.0","method":"cwd","params":{"cwd":"%s"}}\n' "$(pwd)""#;
    let dir = std::env::temp_dir().canonicalize()?;
    let mut t = stdio_client(&sh(script).cwd(&dir)).await?.into_transport();
    let got = params_of(&next_message(&mut t.inbound).await?)?;
    assert_eq!(got["cwd"], dir.to_string_lossy().as_ref());
    t.guard.close().await;

    match stdio_client(&sh("true").cwd("/nonexistent/mcp-stdio-test")).await {
        Err(e @ StdioError::Cwd { .. }) => assert!(e.to_string().contains("/nonexistent/mcp-stdio-test")),
        other => bail!("expected a Cwd error, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn a_missing_command_names_the_path_searched() -> Result<()> {
    let params = StdioServerParameters::new("mcp-stdio-test-no-such-server").env("PATH", "/nowhere:/nothing");
    match stdio_client(&params).await {
        Err(e @ StdioError::NotFound { .. }) => {
            let text = e.to_string();
            assert_eq!(
                text,
                "the MCP server command `mcp-stdio-test-no-such-server` was not found in any directory of \
                 PATH (/nowhere:/nothing); install it, or give its full path"
            );
        }
        other => bail!("expected a NotFound error, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn a_command_that_cannot_run_is_a_clear_spawn_error() -> Result<()> {
    // A file, but not a program.
    let file = std::env::temp_dir().join(format!("mcp-stdio-test-not-a-program-{}", std::process::id()));
    std::fs::write(&file, "not a program")?;
    let params = StdioServerParameters::new(file.to_string_lossy().into_owned());
    let outcome = stdio_client(&params).await;
    let _ = std::fs::remove_file(&file);
    match outcome {
        Err(e @ StdioError::Spawn { .. }) => {
            let text = e.to_string();
            assert!(text.starts_with("could not start the MCP server `"), "{text}");
            assert!(
                text.ends_with("; check that the command is installed and on PATH"),
                "{text}"
            );
        }
        other => bail!("expected a Spawn error, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn closed_stdout_ends_the_stream_while_the_server_runs() -> Result<()> {
    let params = sh("exec sleep 300 >&-").shutdown_timeout(Duration::from_millis(200));
    let st = stdio_client(&params).await?;
    let pid = st.pid;
    let mut t = st.into_transport();
    let errors = drain(&mut t.inbound).await?;
    assert_eq!(closed_reason(&errors)?, "server process `sh` closed its stdout");
    assert!(alive(pid));
    t.guard.close().await;
    assert!(!alive(pid));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_queued_before_close_are_flushed() -> Result<()> {
    let path = std::env::temp_dir().join(format!("mcp-stdio-flush-{}.jsonl", std::process::id()));
    let params = StdioServerParameters::new("sh")
        .args(["-c", r#"exec cat > "$1""#, "sh"])
        .arg(path.to_string_lossy());
    let t = stdio_client(&params).await?.into_transport();
    for id in 0..100 {
        let text = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"m"}}"#);
        t.outbound
            .send(Message::from_slice(text.as_bytes())?.into())
            .await?;
    }
    // The sender is still alive: close must still close the child's stdin.
    let outbound = t.outbound.clone();
    t.guard.close().await;
    let written = std::fs::read_to_string(&path)?;
    std::fs::remove_file(&path)?;
    assert_eq!(written.lines().count(), 100);
    assert!(written.ends_with("\"id\":99,\"method\":\"m\"}\n"), "{written}");
    let late = Message::from_slice(br#"{"jsonrpc":"2.0","method":"late"}"#)?;
    assert!(outbound.send(late.into()).await.is_err());
    Ok(())
}
