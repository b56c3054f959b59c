//! Helpers of the end-to-end tests of the `mcp` binary.
#![allow(dead_code)]

use std::process::{Command, Output};

use serde_json::Value;

/// Runs the built `mcp` with `args`, no colours, no log filter from the
/// caller.
pub(crate) fn mcp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcp"))
        .args(args)
        .env_remove("MCP_LOG")
        .env("NO_COLOR", "1")
        .output()
        .expect("the mcp binary runs")
}

/// What it printed on stdout.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What it printed on stderr.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Its stdout, as JSON.
pub(crate) fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}

/// A fresh directory for one test.
pub(crate) fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-cli-test-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}
