//! `mcp-bench all`: `decode`, then each client implementation in its own
//! process (so that peak RSS is per client) against `echo-server` over
//! stdio, then against `ws-echo-server` over WebSocket; rounds interleaved
//! (ours, raw, rmcp, ours, …), medians per figure, one table per wire with
//! ratios against the raw floor and against rmcp (stdio only: rmcp has no
//! WebSocket client).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::client::{IN_FLIGHT, IN_FLIGHT_TOTAL, SEQUENTIAL, WARMUP};
use crate::decode::median;

/// The figures of the JSON line, in table order: key, heading, unit scale.
const FIGURES: [(&str, &str, f64); 4] = [
    ("spawn_to_init_ms", "spawn→init ms", 1.0),
    ("seq_calls_per_s", "seq calls/s", 1.0),
    ("inflight_calls_per_s", "64-in-flight calls/s", 1.0),
    ("peak_rss_kib", "peak RSS MiB", 1.0 / 1024.0),
];

struct Options {
    echo_server: PathBuf,
    ws_echo_server: PathBuf,
    rmcp_client: Option<PathBuf>,
    rounds: usize,
}

fn options(args: &[String]) -> Result<Options> {
    let exe = std::env::current_exe().context("cannot find this program's path")?;
    let dir = exe.parent().unwrap_or(Path::new("."));
    let mut o = Options {
        echo_server: dir.join("echo-server"),
        ws_echo_server: dir.join("ws-echo-server"),
        rmcp_client: None,
        rounds: 3,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--echo-server" => o.echo_server = value()?.into(),
            "--ws-echo-server" => o.ws_echo_server = value()?.into(),
            "--rmcp-client" => o.rmcp_client = Some(value()?.into()),
            "--rounds" => o.rounds = value()?.parse().context("--rounds takes a number")?,
            other => bail!("unknown argument `{other}` to `all`"),
        }
    }
    for (path, flag) in [
        (&o.echo_server, "--echo-server"),
        (&o.ws_echo_server, "--ws-echo-server"),
    ] {
        if !path.exists() {
            bail!("no echo server at {} (pass {flag})", path.display());
        }
    }
    Ok(o)
}

/// Runs everything and prints the tables.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let o = options(args)?;
    crate::decode::run()?;

    let exe = std::env::current_exe()?;
    let echo = o.echo_server.to_string_lossy().into_owned();
    let mut clients: Vec<(&str, Command)> = Vec::new();
    for which in ["ours", "raw"] {
        let mut cmd = Command::new(&exe);
        cmd.args(["client", "--impl", which, "--server", &echo]);
        clients.push((which, cmd));
    }
    match &o.rmcp_client {
        Some(path) if path.exists() => {
            let mut cmd = Command::new(path);
            cmd.args(["--server", &echo]);
            clients.push(("rmcp", cmd));
        }
        Some(path) => eprintln!("note: no rmcp client at {}; skipping it", path.display()),
        None => eprintln!("note: no --rmcp-client given; skipping rmcp"),
    }

    section(
        &format!(
            "clients against echo-server over stdio: {WARMUP} warm-up + {SEQUENTIAL} sequential \
             tools/call, then {IN_FLIGHT_TOTAL} with {IN_FLIGHT} in flight; each client in its own \
             process; median of {} interleaved rounds",
            o.rounds
        ),
        "spawn→init ms",
        &mut clients,
        o.rounds,
    )?;

    let server = WsEchoServer::start(&o.ws_echo_server)?;
    let mut clients: Vec<(&str, Command)> = Vec::new();
    for which in ["ours", "raw"] {
        let mut cmd = Command::new(&exe);
        cmd.args(["ws-client", "--impl", which, "--url", &server.url]);
        clients.push((which, cmd));
    }
    section(
        &format!(
            "clients against ws-echo-server over loopback WebSocket ({}): the same runs; \
             rmcp ships no WebSocket client; median of {} interleaved rounds",
            server.url, o.rounds
        ),
        "connect→init ms",
        &mut clients,
        o.rounds,
    )?;
    drop(server);

    println!(
        "\n== a ClientSessionGroup of {} echo-servers over stdio: connected one by one, then in parallel \
         (connect_all), tools aggregated; RSS growth per connected session; median of {} rounds",
        crate::group::DEFAULT_SERVERS,
        o.rounds
    );
    let mut runs = Vec::new();
    for round in 1..=o.rounds {
        let mut cmd = Command::new(&exe);
        cmd.args(["group", "--server", &echo]);
        let line = run_client(&mut cmd).with_context(|| format!("group, round {round}"))?;
        eprintln!("   round {round} group {line}");
        runs.push(line);
    }
    let med = |key: &str| median(runs.iter().filter_map(|r| r[key].as_f64()).collect());
    let (seq, par) = (med("sequential_connect_ms"), med("parallel_connect_ms"));
    println!(
        "\n  one by one {seq:.0} ms | in parallel {par:.0} ms | speed-up ×{:.2} | RSS per session {:.0} KiB",
        if par > 0.0 { seq / par } else { 0.0 },
        med("rss_per_session_kib")
    );
    Ok(())
}

/// One table: every client once per round, rounds interleaved, medians.
fn section(title: &str, init_heading: &str, clients: &mut [(&str, Command)], rounds: usize) -> Result<()> {
    println!("\n== {title}");
    let mut results: Vec<Vec<Value>> = vec![Vec::new(); clients.len()];
    for round in 1..=rounds {
        for ((name, cmd), got) in clients.iter_mut().zip(results.iter_mut()) {
            let line = run_client(cmd).with_context(|| format!("client {name}, round {round}"))?;
            eprintln!("   round {round} {name:<5} {line}");
            got.push(line);
        }
    }

    let medians: Vec<(&str, Vec<f64>)> = clients
        .iter()
        .zip(&results)
        .map(|((name, _), runs)| {
            let figs = FIGURES
                .iter()
                .map(|(key, _, scale)| median(runs.iter().filter_map(|r| r[*key].as_f64()).collect()) * scale)
                .collect();
            (*name, figs)
        })
        .collect();
    print_table(init_heading, &medians);
    Ok(())
}

/// A running `ws-echo-server`: its URL; it exits when its stdin closes,
/// which dropping this does (and then it is reaped).
struct WsEchoServer {
    child: Child,
    url: String,
}

impl WsEchoServer {
    fn start(path: &Path) -> Result<Self> {
        let mut child = Command::new(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("could not start {}", path.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut url = String::new();
        BufReader::new(stdout).read_line(&mut url)?;
        let url = url.trim().to_owned();
        if !url.starts_with("ws://") {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{} printed no URL (got {url:?})", path.display());
        }
        Ok(Self { child, url })
    }
}

impl Drop for WsEchoServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        if !matches!(self.child.wait(), Ok(status) if status.success()) {
            let _ = self.child.kill();
        }
    }
}

/// Runs one client process; its last stdout line is the JSON figures.
fn run_client(cmd: &mut Command) -> Result<Value> {
    let out = cmd.stdin(Stdio::null()).stderr(Stdio::inherit()).output()?;
    if !out.status.success() {
        bail!("exited with {}", out.status);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().context("printed nothing")?;
    serde_json::from_str(last).with_context(|| format!("not a JSON line: {last:?}"))
}

fn print_table(init_heading: &str, rows: &[(&str, Vec<f64>)]) {
    let base = |name: &str| rows.iter().find(|(n, _)| *n == name).map(|(_, f)| f.clone());
    let (raw, rmcp) = (base("raw"), base("rmcp"));
    let mut head = format!("\n  {:<6}", "impl");
    for (i, (_, heading, _)) in FIGURES.iter().enumerate() {
        let heading = if i == 0 { init_heading } else { heading };
        head.push_str(&format!(" | {heading:>20}  ×raw ×rmcp"));
    }
    println!("{head}");
    for (name, figs) in rows {
        let mut line = format!("  {name:<6}");
        for (i, v) in figs.iter().enumerate() {
            let ratio = |b: &Option<Vec<f64>>| match b {
                Some(b) if b[i] > 0.0 => format!("{:.2}", v / b[i]),
                _ => "-".to_owned(),
            };
            let value = if *v >= 100.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            };
            line.push_str(&format!(" | {value:>20} {:>5} {:>5}", ratio(&raw), ratio(&rmcp)));
        }
        println!("{line}");
    }
    println!(
        "\n  ratios are value / value of raw (the floor: lines on pipes, no engine) and of rmcp;\n  \
         for calls/s higher is better, for ms and MiB lower is better"
    );
}
