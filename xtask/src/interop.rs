//! `cargo xtask interop`: installs real MCP peers, pinned, under
//! `target/tools/`, then runs `tests/interop.rs` against them.
//!
//! The peers:
//! - Node.js (from the npm package `node-linux-<arch>`), which runs
//! - `@modelcontextprotocol/server-everything`, the reference server of the
//!   TypeScript SDK, over stdio, Streamable HTTP and HTTP+SSE;
//! - a Python venv with the Python SDK `mcp`, which runs
//!   `tests/interop/python_server.py` over stdio and Streamable HTTP, in
//!   both protocol eras;
//! - a second venv with the Python SDK 1.x (`mcp` 1.30.0, `websockets`,
//!   `uvicorn`), whose WebSocket server transport runs
//!   `tests/interop/python_ws_server.py`.
//!
//! HTTP servers listen on loopback ports chosen at run time by the tests.
//!
//! Each tool lives in its own directory named after its version, with a stamp
//! file written last (see `tools.rs`). Only `npm` (any version, to fetch the
//! pinned Node) and `python3` (3.10 or newer) are needed on the machine.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::tools::{
    fresh_dir, install_node, install_npm_manifest, is_installed, json_string_after, tools_dir, write_stamp,
    STAMP,
};
use crate::util::{cargo, run};
/// The TypeScript SDK's reference server.
const EVERYTHING_VERSION: &str = "2026.8.31";
/// The TypeScript SDK the server runs on, pinned through npm `overrides`
/// (the server asks for `^1.30.0`).
const EVERYTHING_SDK_VERSION: &str = "1.32.2";
/// The Python SDK.
const PY_MCP_VERSION: &str = "2.3.0";
/// Every package of the Python venv, pinned through a constraints file (as
/// resolved for `mcp==2.3.0` when this was written).
const PY_CONSTRAINTS: &str = "\
annotated-types==0.8.0
anyio==4.16.0
attrs==26.1.0
cffi==2.1.1
click==8.5.1
cryptography==50.0.2
h11==0.16.0
httpcore2==2.16.2
httpx2==2.16.2
idna==3.20
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
mcp==2.3.0
mcp-types==2.3.0
opentelemetry-api==1.45.2
pycparser==3.12
pydantic==2.14.4
pydantic_core==2.50.5
PyJWT==2.15.1
python-multipart==0.0.34
referencing==0.37.0
rpds-py==2026.9.1
sse-starlette==3.7.0
starlette==1.10.0
truststore==0.10.5
typing-inspection==0.4.5
typing_extensions==4.16.0
uvicorn==0.54.0
";

/// The Python SDK line that still ships a WebSocket server transport
/// (`mcp.server.websocket`, removed in 2.0).
const PY_MCP1_VERSION: &str = "1.30.0";
/// Every package of its venv, pinned (as resolved for `mcp==1.30.0
/// websockets uvicorn` when this was written).
const PY_MCP1_CONSTRAINTS: &str = "\
annotated-types==0.8.0
anyio==4.16.0
attrs==26.1.0
certifi==2026.10.19.post1
cffi==2.1.1
click==8.5.1
cryptography==50.0.2
h11==0.16.0
httpcore==1.0.9
httpx==0.28.1
httpx-sse==0.4.3
idna==3.20
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
mcp==1.30.0
pycparser==3.12
pydantic==2.14.4
pydantic-settings==2.16.3
pydantic_core==2.50.5
PyJWT==2.15.1
python-dotenv==1.2.4
python-multipart==0.0.34
referencing==0.37.0
rpds-py==2026.9.1
sse-starlette==3.7.0
starlette==1.10.0
typing-inspection==0.4.5
typing_extensions==4.16.0
uvicorn==0.54.0
websockets==17.4
";

/// Where the installed peers are.
struct Peers {
    node: PathBuf,
    everything: PathBuf,
    /// The TypeScript SDK v1 package server-everything runs on (its
    /// example servers).
    ts_sdk: PathBuf,
    python: PathBuf,
    python1: PathBuf,
}

/// Installs the peers (unless already there) and runs the interop tests.
/// `--install-only` stops after installing; other arguments go to the test
/// binary (e.g. a test name filter).
pub fn interop(args: &[String]) -> Result<()> {
    let install_only = args.iter().any(|a| a == "--install-only");
    let test_args: Vec<&String> = args
        .iter()
        .filter(|a| *a != "--install-only" && *a != "--")
        .collect();

    let start = Instant::now();
    let peers = install()?;
    eprintln!(
        "\nxtask interop: peers ready in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    if install_only {
        return Ok(());
    }

    let mut cmd = cargo();
    cmd.args([
        "test",
        "-p",
        "mcp-tests",
        "--test",
        "interop",
        "--",
        "--ignored",
        "--test-threads=1",
    ])
    .args(test_args)
    .env("MCP_INTEROP_NODE", &peers.node)
    .env("MCP_INTEROP_EVERYTHING", &peers.everything)
    .env("MCP_INTEROP_TS_SDK", &peers.ts_sdk)
    .env("MCP_INTEROP_PYTHON", &peers.python)
    .env("MCP_INTEROP_PYTHON1", &peers.python1);
    run("interop tests", &mut cmd)?;
    eprintln!(
        "\nxtask interop: all interop tests passed in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn install() -> Result<Peers> {
    let tools = tools_dir()?;
    let node = install_node(&tools)?;
    let (everything, ts_sdk) = install_everything(&tools)?;
    let python = install_python(&tools, PY_MCP_VERSION, PY_CONSTRAINTS, &[])?;
    let python1 = install_python(
        &tools,
        PY_MCP1_VERSION,
        PY_MCP1_CONSTRAINTS,
        &["websockets", "uvicorn"],
    )?;
    Ok(Peers {
        node,
        everything,
        ts_sdk,
        python,
        python1,
    })
}

/// Installs server-everything; returns its entry point and the directory of
/// the SDK it runs on.
fn install_everything(tools: &Path) -> Result<(PathBuf, PathBuf)> {
    let dir = tools.join(format!("server-everything-{EVERYTHING_VERSION}"));
    let stamp =
        format!("@modelcontextprotocol/server-everything@{EVERYTHING_VERSION} sdk@{EVERYTHING_SDK_VERSION}");
    let package_dir = dir
        .join("node_modules")
        .join("@modelcontextprotocol")
        .join("server-everything");
    // A manifest of our own: the exact server version, and the SDK it runs on
    // pinned too.
    let manifest = format!(
        r#"{{
  "name": "mcp-interop-peers",
  "private": true,
  "dependencies": {{ "@modelcontextprotocol/server-everything": "{EVERYTHING_VERSION}" }},
  "overrides": {{ "@modelcontextprotocol/sdk": "{EVERYTHING_SDK_VERSION}" }}
}}
"#
    );
    install_npm_manifest(
        &dir,
        &manifest,
        &stamp,
        &format!("server-everything {EVERYTHING_VERSION}"),
    )?;
    // The entry point is the package's `bin`; read it rather than guess.
    let manifest = fs::read_to_string(package_dir.join("package.json"))
        .context("server-everything is installed but has no package.json")?;
    let bin = json_string_after(&manifest, "\"mcp-server-everything\"")
        .context("server-everything's package.json has no `bin.mcp-server-everything`")?;
    let entry = package_dir.join(bin);
    if !entry.is_file() {
        bail!("server-everything's entry point {} is missing", entry.display());
    }
    eprintln!("server-everything: {}", entry.display());
    let sdk = dir.join("node_modules").join("@modelcontextprotocol").join("sdk");
    let example = sdk.join("dist/esm/examples/server/simpleTaskInteractive.js");
    if !example.is_file() {
        bail!(
            "the TypeScript SDK's example server {} is missing",
            example.display()
        );
    }
    Ok((entry, sdk))
}

/// A venv with the Python SDK `mcp==version` and `extra` packages, every
/// package pinned by `constraints`.
fn install_python(tools: &Path, version: &str, constraints: &str, extra: &[&str]) -> Result<PathBuf> {
    let dir = tools.join(format!("py-mcp-{version}"));
    let python = dir.join("bin").join("python");
    let extras: String = extra.iter().map(|e| format!(" {e}")).collect();
    let stamp = format!("mcp=={version}{extras}\n{constraints}");
    if !is_installed(&dir, &stamp) {
        fresh_dir(&dir)?;
        run(
            "create Python venv",
            Command::new("python3").arg("-m").arg("venv").arg(&dir),
        )?;
        let constraints_file = dir.join("constraints.txt");
        fs::write(&constraints_file, constraints).context("could not write constraints.txt")?;
        run(
            &format!("install mcp {version}"),
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-input",
                ])
                .arg("--constraint")
                .arg(&constraints_file)
                .arg(format!("mcp=={version}"))
                .args(extra),
        )?;
        write_stamp(&dir, &stamp)?;
    }
    let out = Command::new(&python)
        .args(["-c", "import importlib.metadata as m; print(m.version('mcp'))"])
        .output()
        .with_context(|| format!("could not run {}", python.display()))?;
    let found = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if found != version {
        let _ = fs::remove_file(dir.join(STAMP));
        bail!(
            "the venv at {} has mcp {found:?}, expected {version}",
            dir.display()
        );
    }
    eprintln!("python: {} (mcp {found})", python.display());
    Ok(python)
}
