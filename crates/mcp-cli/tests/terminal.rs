//! End-to-end tests of the `mcp` binary as a daily tool at a terminal:
//! output discipline (closed pipes, colours, the progress bar), the
//! server's environment and logs, arguments typed by the input schema,
//! describing tools, `watch`, signals, errors a person can act on,
//! completions and the manual page.

mod common;

use std::process::Command;

use common::{json, mcp, stderr, stdout, temp_dir};

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    use std::io::{BufRead, BufReader, Read};
    // The tour writes for a while; the reader goes after its first lines,
    // as `mcp | head -2` does.
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp"))
        .env_remove("MCP_LOG")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("mcp starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("a first line");
    drop(stdout);
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    let status = child.wait().expect("mcp ends");
    assert_eq!(
        status.code(),
        Some(141),
        "as a program stopped by SIGPIPE; stderr: {err}"
    );
    assert!(err.is_empty(), "nothing on stderr: {err}");
}

#[test]
fn the_server_gets_the_callers_environment_unless_clean_env_says_otherwise() {
    let me = env!("CARGO_BIN_EXE_mcp");
    // The server starts only when it sees the variable it needs.
    let needs = |var: &str| {
        format!("test \"${var}\" = yes || {{ echo \"{var} is required\" >&2; exit 1; }}; exec {me} __serve-example")
    };
    let run = |extra: &[&str], script: &str, env: &[(&str, &str)]| {
        let mut cmd = Command::new(me);
        cmd.env_remove("MCP_LOG").env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(extra)
            .args(["tools", "--", "sh", "-c", script])
            .output()
            .expect("mcp runs")
    };
    let secret = needs("MCP_CLI_TEST_KEY");
    let o = run(&[], &secret, &[("MCP_CLI_TEST_KEY", "yes")]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the caller's variable reaches the server: {}",
        stderr(&o)
    );

    // --clean-env: only the allowlist, so the server says what it misses.
    let o = run(&["--clean-env"], &secret, &[("MCP_CLI_TEST_KEY", "yes")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("MCP_CLI_TEST_KEY is required"),
        "{}",
        stderr(&o)
    );
    // … which still carries the proxy variables, and --env adds.
    let o = run(&["--clean-env"], &needs("HTTPS_PROXY"), &[("HTTPS_PROXY", "yes")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["--clean-env", "--env", "MCP_CLI_TEST_KEY=yes"], &secret, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn key_values_follow_the_tools_input_schema() {
    // `message` is a string: digits stay text.
    let o = mcp(&["call", "echo", "message=123"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "123");

    // `a` is a number: a word is refused before anything is sent.
    let o = mcp(&["call", "add", "a=one", "b=2"]);
    assert_eq!(o.status.code(), Some(2), "a usage error: {}", stderr(&o));
    assert!(stderr(&o).contains("argument `a` takes number"), "{}", stderr(&o));

    let o = mcp(&["call", "add", "a=1"]);
    assert_eq!(o.status.code(), Some(2), "a usage error: {}", stderr(&o));
    assert!(
        stderr(&o).contains("missing required argument `b`"),
        "{}",
        stderr(&o)
    );

    let o = mcp(&["call", "add", "--args", r#"{"a": "1", "b": 2}"#]);
    assert_eq!(o.status.code(), Some(2), "--args is checked too: {}", stderr(&o));
    assert!(stderr(&o).contains("argument `a` takes number"), "{}", stderr(&o));
}

#[test]
fn server_log_messages_show_on_stderr_by_level() {
    for protocol in ["auto", "initialize"] {
        let o = mcp(&["--protocol", protocol, "--log-level", "debug", "call", "notify"]);
        assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
        assert!(
            stderr(&o).contains("server [warning] example: a warning from the notify tool"),
            "{protocol}: {}",
            stderr(&o)
        );
        let o = mcp(&["--protocol", protocol, "--log-level", "error", "call", "notify"]);
        assert!(
            !stderr(&o).contains("server ["),
            "{protocol}: below the level: {}",
            stderr(&o)
        );
        let o = mcp(&[
            "--protocol",
            protocol,
            "-q",
            "--log-level",
            "debug",
            "call",
            "notify",
        ]);
        assert!(!stderr(&o).contains("server ["), "{protocol}: -q: {}", stderr(&o));
    }
    let o = mcp(&["--log-level", "loud", "tools"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn tools_show_their_parameters_and_one_tool_can_be_described() {
    let o = mcp(&["tools"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines().next().is_some_and(|h| h.contains("PARAMETERS")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("add") && l.contains("a: number, b: number")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("slow") && l.contains("steps?: integer")),
        "{out}"
    );

    let o = mcp(&["tool", "add"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    for expected in ["a: number (required)", "input schema", "output schema", "\"sum\""] {
        assert!(out.contains(expected), "{expected}: {out}");
    }
    let o = mcp(&["--json", "tool", "echo"]);
    assert_eq!(json(&o)["tool"]["name"], "echo");
    let o = mcp(&["tool", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no tool named `nope`"), "{}", stderr(&o));
}

#[test]
fn completions_and_the_manual_page_come_from_the_arguments() {
    for (shell, marker) in [
        ("bash", "_mcp()"),
        ("zsh", "#compdef mcp"),
        ("fish", "complete -c mcp"),
    ] {
        let o = mcp(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("clean-env") && script.contains("log-level"),
            "{shell}: every option"
        );
    }
    let o = mcp(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(
        page.contains(".TH mcp 1") && page.contains("completions"),
        "{page}"
    );
    let o = mcp(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn errors_say_what_happened_once_and_what_to_do() {
    // Nothing listens on port 1: the server cannot be reached.
    let o = mcp(&["tools", "--url", "http://127.0.0.1:1/mcp", "--timeout", "5"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("could not start or reach the server"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("Connection refused"), "{}", stderr(&o));

    // A URL without a scheme is a usage error.
    let o = mcp(&["tools", "--url", "127.0.0.1:3000/mcp"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // A missing command: the PATH searched, and the OS error said once.
    let o = mcp(&[
        "--clean-env",
        "--env",
        "PATH=/nowhere",
        "tools",
        "--",
        "mcp-cli-test-no-such-server",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(
        err.contains("not found in any directory of PATH (/nowhere)"),
        "{err}"
    );
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");

    // A timeout, in a duration people read.
    let o = mcp(&["--timeout", "0.7", "call", "hang"]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    let within = err.split("got no answer within ").nth(1).unwrap_or_default();
    let amount = within.split_whitespace().next().unwrap_or_default();
    assert!(
        amount.parse::<u32>().is_ok() && within.split_whitespace().nth(1) == Some("ms;"),
        "a duration for people: {err}"
    );
}

/// Processes whose environment carries `marker` (our servers, tagged).
fn processes_tagged(marker: &str) -> usize {
    let needle = format!("MCP_CLI_TEST_TAG={marker}");
    std::fs::read_dir("/proc")
        .map(|dir| {
            dir.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .chars()
                        .all(|c| c.is_ascii_digit())
                })
                .filter(|e| {
                    std::fs::read(e.path().join("environ"))
                        .map(|env| env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()))
                        .unwrap_or(false)
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn watch_prints_notifications_until_ctrl_c_and_leaves_no_server() {
    // The stateless era (over the listen stream) and the initialize era.
    for protocol in ["auto", "initialize"] {
        watch_until_ctrl_c(protocol);
    }
}

fn watch_until_ctrl_c(protocol: &str) {
    use std::io::{BufRead, BufReader};
    let tag = format!("watch-{protocol}-{}", std::process::id());
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp"))
        .args(["--protocol", protocol, "watch", "--uri", "example://readme"])
        .env_remove("MCP_LOG")
        .env("NO_COLOR", "1")
        .env("MCP_EXAMPLE_NOTIFY_AFTER_MS", "200")
        .env("MCP_CLI_TEST_TAG", &tag)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("mcp starts");
    // Read on a thread, so that a silent watch fails the test instead of
    // hanging it.
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match rx.recv_timeout(std::time::Duration::from_secs(10)) {
            Ok(line) => seen.push(line),
            Err(e) => {
                let _ = child.kill();
                panic!("watch printed {seen:?}, then nothing: {e}");
            }
        }
    }
    assert_eq!(
        seen,
        ["tools/list_changed", "resources/updated example://readme"],
        "{protocol}"
    );
    assert_eq!(processes_tagged(&tag), 2, "mcp and its server, while watching");

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let status = child.wait().expect("mcp ends");
    assert_eq!(status.code(), Some(130), "as after Ctrl-C");
    // The server was shut down and reaped on the way out.
    assert_eq!(processes_tagged(&tag), 0, "no server left behind");
}

#[test]
fn ctrl_c_or_sigterm_mid_call_shuts_the_server_down() {
    for (signal, status) in [("-INT", 130), ("-TERM", 143)] {
        let tag = format!("stop{signal}-{}", std::process::id());
        let mut child = Command::new(env!("CARGO_BIN_EXE_mcp"))
            .args(["call", "hang"])
            .env_remove("MCP_LOG")
            .env("MCP_CLI_TEST_TAG", &tag)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("mcp starts");
        // Wait (bounded) until the server runs, then stop mcp.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while processes_tagged(&tag) < 2 {
            assert!(std::time::Instant::now() < deadline, "the server never started");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        let sent = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let ended = child.wait().expect("mcp ends");
        assert_eq!(ended.code(), Some(status), "{signal}");
        assert_eq!(processes_tagged(&tag), 0, "{signal}: no server left behind");
    }
}

#[test]
fn timeout_bounds_http_requests_too() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/mcp", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp"))
        .args(["--timeout", "1", "tools", "--url", &url])
        .env_remove("MCP_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("mcp starts");
    // Far below the HTTP transport's own 30 s default.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("--timeout 1 did not bound the HTTP request");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err).expect("stderr");
    assert_eq!(status.code(), Some(3), "{err}");
    assert!(err.contains("got no answer within 1 s"), "{err}");
}

#[test]
fn args_come_inline_from_a_file_or_from_stdin() {
    let dir = temp_dir("args");
    let file = dir.join("args.json");
    std::fs::write(&file, r#"{"a": 2, "b": 5}"#).expect("write");
    let at = format!("@{}", file.display());
    let o = mcp(&["--json", "call", "add", "--args", &at]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["structuredContent"]["sum"], 7.0);

    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp"))
        .args(["call", "echo", "--args", "-"])
        .env_remove("MCP_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("mcp starts");
    std::io::Write::write_all(
        &mut child.stdin.take().expect("stdin"),
        br#"{"message": "from stdin"}"#,
    )
    .expect("write");
    let o = child.wait_with_output().expect("mcp ends");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "from stdin");

    let o = mcp(&["call", "add", "--args", "@/mcp-cli-test/no/such/file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read the file"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_colours_when_output_is_not_a_terminal() {
    // NO_COLOR unset: piped output and logs still carry no escape codes.
    let o = Command::new(env!("CARGO_BIN_EXE_mcp"))
        .args(["-vv", "tools"])
        .env_remove("MCP_LOG")
        .env_remove("NO_COLOR")
        .output()
        .expect("mcp runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains('\x1b'), "stdout: {}", stdout(&o));
    assert!(!stderr(&o).is_empty(), "-vv logs something");
    assert!(!stderr(&o).contains('\x1b'), "stderr: {}", stderr(&o));
}

/// Runs `mcp args` on a pseudo-terminal (util-linux `script`), feeding
/// `input` after `delay`; the raw bytes it wrote.
fn on_a_terminal(args: &str, input: &str, delay: std::time::Duration) -> Vec<u8> {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_mcp"));
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env_remove("MCP_LOG")
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("script(1) runs");
    let mut stdin = child.stdin.take().expect("stdin");
    std::thread::sleep(delay);
    let _ = std::io::Write::write_all(&mut stdin, input.as_bytes());
    let output = child.wait_with_output().expect("script ends");
    output.stdout
}

#[test]
fn an_elicitation_prompt_never_shares_the_terminal_with_the_progress_bar() {
    let raw = on_a_terminal(
        "--protocol initialize call ask question=name",
        "Ada\ny\n",
        std::time::Duration::from_millis(1500),
    );
    let text = String::from_utf8_lossy(&raw);
    let asks = text
        .find("The server asks")
        .unwrap_or_else(|| panic!("no prompt: {text:?}"));
    let before = &text[..asks];
    // The bar was drawn, and cleared from its line before the prompt.
    let bar = before
        .rfind("ask [")
        .unwrap_or_else(|| panic!("no progress bar: {text:?}"));
    assert!(
        before[bar..].contains("\x1b[2K"),
        "the bar is cleared first: {before:?}"
    );
    assert!(text.contains("Ada"), "{text:?}");
}
