//! Nothing of a group is left behind, checked from `/proc` (one test in its
//! own binary, so that no other test's children or descriptors count): a
//! failed connect leaves no child and no descriptor; closing the group
//! leaves none at all.

use std::time::Duration;

use mcp_group::{ClientSessionGroup, GroupOptions, ServerParameters};
use mcp_testkit::with_timeout;
use mcp_transport_stdio::StdioServerParameters;

fn example() -> ServerParameters {
    StdioServerParameters::new(env!("CARGO_BIN_EXE_example-server")).into()
}

/// The pids whose parent is this process (zombies included).
fn children() -> Vec<u32> {
    let me = std::process::id();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
        let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        let ppid = after
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(me) {
            found.push(pid);
        }
    }
    found
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").expect("/proc/self/fd").count()
}

/// Waits (bounded) until `f` holds.
async fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_connects_and_closing_leave_no_child_and_no_descriptor() {
    let group = ClientSessionGroup::with_options(GroupOptions::new().connect_timeout(Duration::from_secs(1)));
    // Warm the runtime's own descriptors (signal pipe, blocking pool) up.
    with_timeout(group.connect_to_server_as("warm", example()))
        .await
        .expect("warm");
    with_timeout(group.close()).await;
    eventually("the warm-up server is reaped", || children().is_empty()).await;
    let fds = open_fds();

    let results = with_timeout(group.connect_all([
        ("a", example()),
        (
            "missing",
            StdioServerParameters::new("mcp-group-test-no-such-server").into(),
        ),
        (
            "exits",
            StdioServerParameters::new("sh").args(["-c", "exit 4"]).into(),
        ),
        // Never answers: its connect times out, and it must be killed.
        ("silent", StdioServerParameters::new("sleep").arg("30").into()),
        ("b", example()),
    ]))
    .await;
    let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
    assert_eq!(ok, [true, false, false, false, true]);
    eventually("only the two connected servers are children", || {
        children().len() == 2
    })
    .await;

    with_timeout(group.close()).await;
    eventually("every server is reaped", || children().is_empty()).await;
    eventually("every descriptor is closed", || open_fds() <= fds).await;
}
