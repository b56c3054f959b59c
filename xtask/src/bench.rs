//! `cargo xtask bench`: builds the benchmark driver (`bench/`, package
//! `mcp-bench`) and the rmcp comparison client (`bench/rmcp-client`, its own
//! workspace and target directory), runs `mcp-bench all`, then the engine
//! micro-benchmark of `mcp-jsonrpc` when it exists.

use std::path::PathBuf;

use anyhow::Result;

use crate::util::{cargo, root, run};

/// The benchmarks, in release mode, figures printed.
pub fn bench(_args: &[String]) -> Result<()> {
    let root = root();
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(PathBuf::from(dir)),
        None => root.join("target"),
    };
    run(
        "build mcp-bench",
        cargo().args(["build", "--release", "-p", "mcp-bench", "--bins"]),
    )?;
    let release = target.join("release");

    // rmcp is a crates.io dependency of a crate outside our workspace: if it
    // cannot be built (offline, newer Rust needed), the table goes without it.
    let rmcp_target = root.join("target").join("rmcp-bench");
    let manifest = root.join("bench").join("rmcp-client").join("Cargo.toml");
    let rmcp_built = run(
        "build rmcp client",
        cargo()
            .args(["build", "--release", "--locked", "--manifest-path"])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &rmcp_target),
    );
    if let Err(e) = &rmcp_built {
        eprintln!("note: {e:#}; the table will have no rmcp column");
    }
    let rmcp_client = rmcp_target.join("release").join("rmcp-client");

    let mut all = std::process::Command::new(release.join("mcp-bench"));
    all.current_dir(&root)
        .arg("all")
        .arg("--echo-server")
        .arg(release.join("echo-server"));
    if rmcp_built.is_ok() {
        all.arg("--rmcp-client").arg(&rmcp_client);
    }
    run("mcp-bench all", &mut all)?;

    if root.join("crates/mcp-jsonrpc/benches/engine.rs").exists() {
        run(
            "bench engine",
            cargo().args(["bench", "-p", "mcp-jsonrpc", "--bench", "engine"]),
        )?;
    } else {
        eprintln!("note: crates/mcp-jsonrpc/benches/engine.rs does not exist yet; skipping the engine bench");
    }
    Ok(())
}
