//! End-to-end tests of the `mcp` binary: it spawns itself as the bundled
//! example server over stdio, so these exercise the real process path.

mod common;

use common::{json, mcp, stderr, stdout, temp_dir};

#[test]
fn tour_runs_against_the_bundled_server() {
    let o = mcp(&[]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    for expected in [
        "mcp-example-server",
        "2026-07-28 (stateless era)",
        "echo",
        "done after 5 steps",
        "Example server",
        "Please greet",
        "skill://arithmetic/SKILL.md",
        "# Arithmetic",
    ] {
        assert!(out.contains(expected), "tour output lacks {expected:?}:\n{out}");
    }
    assert!(
        stderr(&o).contains("progress 5/5"),
        "progress was not reported: {}",
        stderr(&o)
    );
}

#[test]
fn json_lists_every_page_of_tools() {
    let o = mcp(&["--json", "tools"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let tools = json(&o)["tools"].as_array().expect("tools array").len();
    assert_eq!(
        tools, 15,
        "the example server has 15 tools over 3 pages in 2026-07-28"
    );
    let o = mcp(&["--json", "--protocol", "initialize", "tools"]);
    let tools = json(&o)["tools"].as_array().expect("tools array").len();
    assert_eq!(tools, 12, "and 12 in the initialize era");
}

#[test]
fn info_shows_version_and_capabilities() {
    let o = mcp(&["--json", "info"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["protocolVersion"], "2026-07-28");
    assert_eq!(v["era"], "stateless");
    assert_eq!(v["serverInfo"]["name"], "mcp-example-server");
    assert!(v["capabilities"]["tools"].is_object());

    for (flag, version, era) in [
        ("initialize", "2025-11-25", "initialize"),
        ("2025-03-26", "2025-03-26", "initialize"),
    ] {
        let o = mcp(&["--json", "--protocol", flag, "info"]);
        assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
        let v = json(&o);
        assert_eq!(
            (v["protocolVersion"].as_str(), v["era"].as_str()),
            (Some(version), Some(era))
        );
    }
    assert_eq!(
        mcp(&["--protocol", "1999-01-01", "info"]).status.code(),
        Some(2),
        "unknown version is a usage error"
    );
}

#[test]
fn call_parses_key_values_as_json_or_strings() {
    let o = mcp(&["--json", "call", "add", "a=1", "b=2.5"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(json(&o)["structuredContent"]["sum"], 3.5);

    let o = mcp(&["call", "echo", "message=hello world"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "hello world");

    let o = mcp(&["--json", "call", "add", "--args", r#"{"a": 2, "b": 3}"#]);
    assert_eq!(json(&o)["structuredContent"]["sum"], 5.0);
}

#[test]
fn read_and_prompt_commands_work() {
    let o = mcp(&["read", "example://greeting/Ada"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "Hello, Ada!");

    let o = mcp(&["prompt", "greet", "name=Grace"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("Please greet Grace warmly."));

    let o = mcp(&["--json", "templates"]);
    assert_eq!(
        json(&o)["resourceTemplates"][0]["uriTemplate"],
        "example://greeting/{name}"
    );
}

#[test]
fn exit_status_one_when_the_tool_reports_an_error() {
    let o = mcp(&["call", "fail"]);
    assert_eq!(o.status.code(), Some(1), "stdout: {}", stdout(&o));
    assert!(stdout(&o).contains("this tool always fails"));
}

#[test]
fn exit_status_two_on_usage_errors() {
    assert_eq!(mcp(&["no-such-command"]).status.code(), Some(2));
    let o = mcp(&["call", "echo", "not-a-pair"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("KEY=VALUE"), "{}", stderr(&o));
    assert_eq!(mcp(&["call", "echo", "--args", "[1]"]).status.code(), Some(2));
}

#[test]
fn exit_status_three_on_protocol_and_connection_errors() {
    let o = mcp(&["call", "no_such_tool"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("unknown tool"), "{}", stderr(&o));

    let o = mcp(&["tools", "--", "/nonexistent/mcp-server"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("/nonexistent/mcp-server"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn a_dying_server_fails_the_call_with_its_exit_status() {
    for protocol in ["auto", "initialize"] {
        let o = mcp(&["--protocol", protocol, "call", "crash", "code=7"]);
        assert_eq!(o.status.code(), Some(3));
        assert!(stderr(&o).contains("status 7"), "{}", stderr(&o));
    }
}

#[test]
fn a_silent_server_times_out() {
    let o = mcp(&["--timeout", "0.5", "call", "hang"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("no answer within"), "{}", stderr(&o));
}

#[test]
fn garbage_and_chatty_stderr_do_not_break_the_session() {
    let me = env!("CARGO_BIN_EXE_mcp");
    let o = mcp(&[
        "--json",
        "--env",
        "MCP_EXAMPLE_GARBAGE_FIRST=1",
        "--env",
        "MCP_EXAMPLE_STDERR_BYTES=2000000",
        "call",
        "echo",
        "message=still here",
        "--",
        me,
        "__serve-example",
    ]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(json(&o)["content"][0]["text"], "still here");
}

/// A server of an older SDK: it exits unless its first message is
/// `initialize`, then answers the handshake (in `sh`, ids are those the
/// client's first requests get).
const EXITS_ON_PROBE: &str = r#"read -r line
case "$line" in
  *'"method":"initialize"'*) ;;
  *) echo "unexpected first message" >&2; exit 1 ;;
esac
printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"old-server","version":"0.8.5"}}}'
read -r initialized
read -r list
printf '%s\n' '{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"initialize_era_tool","inputSchema":{"type":"object"}}]}}'
read -r rest"#;

#[test]
fn a_server_that_exits_on_the_probe_is_started_again_for_the_initialize_handshake() {
    let o = mcp(&["--json", "tools", "--", "sh", "-c", EXITS_ON_PROBE]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let tools = json(&o);
    assert_eq!(tools["tools"][0]["name"], "initialize_era_tool", "{tools}");
}

#[test]
fn a_dying_server_shows_its_last_words_on_stderr() {
    let script = "echo 'BRAVE_API_KEY environment variable is required' >&2; exit 1";
    let o = mcp(&["--protocol", "initialize", "info", "--", "sh", "-c", script]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(err.contains("exited with status 1"), "{err}");
    assert!(
        err.contains("BRAVE_API_KEY environment variable is required"),
        "{err}"
    );
}

/// Runs the test kit's WebSocket server in a runtime of its own while `f`
/// drives the binary.
fn with_ws_server<T>(behaviour: mcp_testkit::WsBehaviour, f: impl FnOnce(&str) -> T) -> T {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = runtime
        .block_on(mcp_testkit::WsServer::start(behaviour))
        .expect("bind 127.0.0.1:0");
    let out = f(&server.url);
    runtime.block_on(async move { drop(server) });
    out
}

#[test]
fn websocket_urls_are_spoken_to_over_websocket_in_both_eras() {
    with_ws_server(mcp_testkit::WsBehaviour::Serve, |url| {
        for protocol in ["auto", "initialize"] {
            let o = mcp(&[
                "--json",
                "--protocol",
                protocol,
                "--url",
                url,
                "call",
                "echo",
                "message=over ws",
            ]);
            assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
            assert_eq!(json(&o)["content"][0]["text"], "over ws");
        }
        let o = mcp(&["--url", url, "--transport", "sse", "tools"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("is a WebSocket URL"), "{}", stderr(&o));
    });
}

#[test]
fn websocket_failures_say_what_happened() {
    with_ws_server(mcp_testkit::WsBehaviour::NoSubprotocol, |url| {
        let o = mcp(&["--url", url, "tools"]);
        assert_eq!(o.status.code(), Some(3));
        assert!(
            stderr(&o).contains("without the `mcp` subprotocol"),
            "{}",
            stderr(&o)
        );
    });
    with_ws_server(mcp_testkit::WsBehaviour::DropOnCall, |url| {
        let o = mcp(&["--url", url, "call", "echo", "message=hi"]);
        assert_eq!(o.status.code(), Some(3));
        assert!(
            stderr(&o).contains("without a WebSocket close frame"),
            "{}",
            stderr(&o)
        );
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    });
}

/// A config file in the `mcpServers` shape: two example servers (this
/// binary serving itself) and, optionally, one that cannot start.
fn config(dir: &std::path::Path, with_broken: bool) -> std::path::PathBuf {
    let me = env!("CARGO_BIN_EXE_mcp");
    let mut servers = serde_json::json!({
        "alpha": {"command": me, "args": ["__serve-example"]},
        "beta": {"command": me, "args": ["__serve-example"], "env": {"UNUSED": "1"}},
    });
    if with_broken {
        servers["broken"] = serde_json::json!({"command": "mcp-cli-test-no-such-server"});
    }
    let path = dir.join(if with_broken {
        "with-broken.json"
    } else {
        "config.json"
    });
    std::fs::write(&path, serde_json::json!({ "mcpServers": servers }).to_string())
        .expect("write the config");
    path
}

#[test]
fn a_config_lists_every_servers_tools_and_routes_calls_by_group_name() {
    let dir = temp_dir("config");
    let path = config(&dir, true);
    let path = path.to_str().expect("utf-8 path");

    let o = mcp(&["--config", path, "tools"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("SERVER"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("alpha") && l.contains(" echo ")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("beta") && l.contains("beta_echo")),
        "{out}"
    );
    // The server that cannot start is named, and the others go on.
    assert!(stderr(&o).contains("`broken`"), "{}", stderr(&o));

    let o = mcp(&["--config", path, "--json", "tools"]);
    let tools = json(&o)["tools"].as_array().cloned().expect("tools");
    let beta_echo = tools.iter().find(|t| t["name"] == "beta_echo").expect("listed");
    assert_eq!(beta_echo["server"], "beta");
    assert_eq!(beta_echo["tool"]["name"], "echo");

    let o = mcp(&["--config", path, "call", "beta_echo", "message=routed"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("routed"));

    // --server narrows to one server, spoken to as a lone session.
    let o = mcp(&["--config", path, "--server", "beta", "--json", "tools"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(json(&o)["tools"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t["name"] == "echo")));
    let o = mcp(&["--config", path, "--server", "gamma", "tools"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no server named `gamma`") && stderr(&o).contains("alpha"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_config_mistake_names_the_file_the_server_and_the_field() {
    let dir = temp_dir("bad-config");
    let path = dir.join("bad.json");
    std::fs::write(
        &path,
        r#"{"servers": {"files": {"type": "stdio", "command": "x", "args": "-v"}}}"#,
    )
    .expect("write");
    let o = mcp(&["--config", path.to_str().expect("utf-8"), "tools"]);
    assert_eq!(o.status.code(), Some(2), "a usage error: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("bad.json: server `files`: field `args`: must be an array of strings"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `mcp … -- <the example server>` with `MCP_EXAMPLE_TAMPER_SKILLS` set.
fn tampering(tamper: &str, args: &[&str]) -> std::process::Output {
    let me = env!("CARGO_BIN_EXE_mcp");
    let env = format!("MCP_EXAMPLE_TAMPER_SKILLS={tamper}");
    let mut all = vec!["--env", env.as_str()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", me, "__serve-example"]);
    mcp(&all)
}

#[test]
fn skills_are_listed_and_printed_once_verified() {
    for protocol in ["auto", "initialize"] {
        let o = mcp(&["--protocol", protocol, "skills"]);
        assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
        let out = stdout(&o);
        for expected in [
            "arithmetic",
            "greeting",
            "status",
            "dynamic",
            "skill://live/status/SKILL.md",
        ] {
            assert!(out.contains(expected), "{protocol}: no {expected:?} in:\n{out}");
        }
        let o = mcp(&["--protocol", protocol, "skill", "arithmetic"]);
        assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
        assert!(
            stdout(&o).starts_with("---\nname: arithmetic\n"),
            "{}",
            stdout(&o)
        );
        let o = mcp(&[
            "--protocol",
            protocol,
            "skill",
            "arithmetic",
            "references/TABLES.md",
        ]);
        assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
        assert!(stdout(&o).starts_with("# Addition table"), "{}", stdout(&o));
    }
    let o = mcp(&["skill", "skill://live/status/SKILL.md"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("cannot be verified"), "{}", stderr(&o));
    let o = mcp(&["--json", "skill", "greeting"]);
    assert_eq!(json(&o)["verified"], true);
    let o = mcp(&["skill", "nope"]);
    assert_eq!(o.status.code(), Some(2), "a usage error: {}", stderr(&o));
    let o = mcp(&["skill", "arithmetic", "references/OTHER.md"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("not listed"), "{}", stderr(&o));
}

#[test]
fn a_tampered_skill_file_is_not_printed() {
    for (tamper, args, says) in [
        (
            "digest",
            &["skill", "arithmetic", "references/TABLES.md"][..],
            "digest is sha256:",
        ),
        ("size", &["skill", "arithmetic"][..], "but the skill's entry says"),
        (
            "frontmatter",
            &["skill", "greeting"][..],
            "frontmatter field `description`",
        ),
    ] {
        let o = tampering(tamper, args);
        assert_eq!(o.status.code(), Some(3), "{tamper}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{tamper}: printed {}", stdout(&o));
        assert!(stderr(&o).contains(says), "{tamper}: {}", stderr(&o));
    }
}

#[test]
fn skill_text_cannot_drive_the_terminal() {
    for args in [&["skills"][..], &["skill", "greeting"][..]] {
        let o = tampering("terminal", args);
        assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
        let out = stdout(&o);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "raw escapes in {out:?}"
        );
        assert!(out.contains("\\u{1b}"), "{out}");
    }
}
