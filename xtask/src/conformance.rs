//! `cargo xtask conformance`: the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`, npm) against our client.
//!
//! 1. Installs each pinned version of the suite under `target/tools/`
//!    (its own prefix, reused on later runs through a stamp file), run by
//!    the pinned Node of `tools.rs`.
//! 2. Builds `conformance-client` (the `mcp-conformance` package): an
//!    ordinary application of our public API, nothing more.
//! 3. Asks each version for its client scenarios (`list --client`) and runs
//!    them ONE AT A TIME (`client --scenario`, not the suite mode, which hides
//!    client crashes), each in its own process group with a watchdog; the
//!    group is killed when the scenario ends, also on failure. Scenarios that
//!    apply both to a dated revision and to 2026-07-28 run a second time with
//!    `--spec-version 2026-07-28`, since the two wires are different
//!    protocols.
//! 4. Reads each scenario's `checks.json`, prints a table, and compares with
//!    `conformance/expected-failures.toml`: an unlisted failure fails the run,
//!    and so does a listed scenario that passes (a stale entry). Only
//!    `sep-2640*` (skills, a later issue) may be listed.
//!
//! Everything stays on the loopback interface: the suite's mock servers
//! hand our client `http://localhost:<port>` URLs.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

mod report;

use report::{judge, parse_checks, Expectations, Outcome, Verdict};

use crate::tools::{install_node, install_npm_manifest, json_string_after, tools_dir};
use crate::util::{cargo, root, run};

/// The pinned versions of the suite; each runs in full.
const PINS: &[&str] = &["0.1.16", "0.2.0-alpha.12"];
/// The TypeScript SDK the suite's mock servers are built on, pinned through
/// npm `overrides` (the suite asks for `^1.27.1` / `^1.29.0`).
const SUITE_SDK_VERSION: &str = "1.32.2";
/// Express, which serves most mock servers, pinned the same way.
const SUITE_EXPRESS_VERSION: &str = "5.3.0";

/// The stateless wire; scenarios that also apply to a dated revision run at it
/// a second time.
const STATELESS_WIRE: &str = "2026-07-28";
/// How long the suite lets our client run (its `--timeout`).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);
/// Our watchdog over one whole scenario (the suite plus our client).
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(45);

/// Where results and logs go: `target/conformance/<pin>/<scenario>/`.
fn results_dir() -> PathBuf {
    root().join("target").join("conformance")
}

fn expectations_path() -> PathBuf {
    root().join("conformance").join("expected-failures.toml")
}

/// `cargo xtask conformance [--install-only] [--pin V]... [--scenario NAME]...`
pub fn conformance(args: &[String]) -> Result<()> {
    let opts = Options::parse(args)?;
    let start = Instant::now();

    // 1. Install.
    let tools = tools_dir()?;
    let node = install_node(&tools)?;
    let mut suites = Vec::new();
    for pin in &opts.pins {
        suites.push(install_suite(&tools, pin)?);
    }
    let install_time = start.elapsed();
    eprintln!(
        "\nxtask conformance: suites ready in {:.1}s",
        install_time.as_secs_f64()
    );
    if opts.install_only {
        return Ok(());
    }

    // 2. Build our client.
    let build_start = Instant::now();
    run(
        "build conformance-client",
        cargo().args([
            "build",
            "--quiet",
            "-p",
            "mcp-conformance",
            "--bin",
            "conformance-client",
        ]),
    )?;
    let client = target_dir()?.join("debug").join("conformance-client");
    if !client.is_file() {
        bail!("conformance-client was built but {} is missing", client.display());
    }
    let build_time = build_start.elapsed();

    // 3. Run every scenario of every pin, one at a time.
    let expectations = Expectations::load(&expectations_path())?;
    let run_start = Instant::now();
    let mut outcomes = Vec::new();
    for suite in &suites {
        let scenarios = suite.list_client_scenarios(&node)?;
        if opts.scenarios.is_empty() {
            expectations.check_names(&suite.version, &scenarios)?;
        }
        for scenario in &scenarios {
            if !opts.scenarios.is_empty() && !opts.scenarios.contains(&scenario.name) {
                continue;
            }
            for wire in scenario.wires() {
                let outcome = suite.run_scenario(&node, &client, &scenario.name, wire)?;
                eprintln!(
                    "    {:<15} {:<45} {:<11} {}",
                    suite.version,
                    scenario.name,
                    wire.unwrap_or("default"),
                    outcome.verdict.label()
                );
                outcomes.push(outcome);
            }
        }
    }
    let run_time = run_start.elapsed();

    // 4. Report and judge.
    let report = judge(&outcomes, &expectations, !opts.scenarios.is_empty());
    println!("{}", report.text);
    println!(
        "timings: install {:.1}s, build {:.1}s, {} scenario runs {:.1}s, total {:.1}s",
        install_time.as_secs_f64(),
        build_time.as_secs_f64(),
        outcomes.len(),
        run_time.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    println!("logs and checks.json: {}", results_dir().display());
    if !report.problems.is_empty() {
        bail!(
            "conformance: {} problem(s):\n  {}",
            report.problems.len(),
            report.problems.join("\n  ")
        );
    }
    eprintln!("\nxtask conformance: results match conformance/expected-failures.toml");
    Ok(())
}

struct Options {
    install_only: bool,
    pins: Vec<String>,
    scenarios: Vec<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut opts = Options {
            install_only: false,
            pins: Vec::new(),
            scenarios: Vec::new(),
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--install-only" => opts.install_only = true,
                "--pin" => {
                    let v = it.next().context("--pin needs a version")?;
                    if !PINS.contains(&v.as_str()) {
                        bail!("--pin {v}: not a pinned version (pinned: {})", PINS.join(", "));
                    }
                    opts.pins.push(v.clone());
                }
                "--scenario" => opts
                    .scenarios
                    .push(it.next().context("--scenario needs a name")?.clone()),
                "--" => {}
                other => {
                    bail!("unknown option `{other}` (use --install-only, --pin VERSION, --scenario NAME)")
                }
            }
        }
        if opts.pins.is_empty() {
            opts.pins = PINS.iter().map(|s| (*s).to_owned()).collect();
        }
        Ok(opts)
    }
}

/// The cargo target directory (honours `CARGO_TARGET_DIR` and config).
fn target_dir() -> Result<PathBuf> {
    let out = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::inherit())
        .output()
        .context("could not run cargo metadata")?;
    if !out.status.success() {
        bail!("cargo metadata failed ({})", out.status);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let dir =
        json_string_after(&text, "\"target_directory\"").context("cargo metadata has no target_directory")?;
    Ok(PathBuf::from(dir.replace("\\\\", "\\")))
}

/// One installed version of the suite.
struct Suite {
    version: String,
    /// `…/node_modules/@modelcontextprotocol/conformance/dist/index.js`.
    entry: PathBuf,
}

fn install_suite(tools: &Path, version: &str) -> Result<Suite> {
    let dir = tools.join(format!("conformance-{version}"));
    let stamp = format!(
        "@modelcontextprotocol/conformance@{version} sdk@{SUITE_SDK_VERSION} express@{SUITE_EXPRESS_VERSION}"
    );
    let manifest = format!(
        r#"{{
  "name": "mcp-conformance-suite",
  "private": true,
  "dependencies": {{ "@modelcontextprotocol/conformance": "{version}" }},
  "overrides": {{
    "@modelcontextprotocol/sdk": "{SUITE_SDK_VERSION}",
    "express": "{SUITE_EXPRESS_VERSION}"
  }}
}}
"#
    );
    install_npm_manifest(&dir, &manifest, &stamp, &format!("conformance suite {version}"))?;
    let package_dir = dir
        .join("node_modules")
        .join("@modelcontextprotocol")
        .join("conformance");
    let package = fs::read_to_string(package_dir.join("package.json"))
        .with_context(|| format!("the conformance suite {version} is installed but has no package.json"))?;
    let installed = json_string_after(&package, "\"version\"").unwrap_or_default();
    if installed != version {
        let _ = fs::remove_file(dir.join(crate::tools::STAMP));
        bail!(
            "{} holds conformance {installed:?}, expected {version}",
            dir.display()
        );
    }
    let bin = json_string_after(&package, "\"conformance\"").unwrap_or_else(|| "dist/index.js".into());
    let entry = package_dir.join(bin);
    if !entry.is_file() {
        bail!(
            "the conformance suite's entry point {} is missing",
            entry.display()
        );
    }
    eprintln!("conformance {version}: {}", entry.display());
    Ok(Suite {
        version: version.to_owned(),
        entry,
    })
}

/// A client scenario as `list --client` names it.
struct Scenario {
    name: String,
    /// The spec versions (or `extension`, `draft`) it applies to.
    tags: Vec<String>,
}

impl Scenario {
    /// The wires to run it at: the suite's default, plus 2026-07-28 for a
    /// scenario that applies to a dated revision and to 2026-07-28.
    fn wires(&self) -> Vec<Option<&'static str>> {
        let stateless = self.tags.iter().any(|t| t == STATELESS_WIRE);
        let dated = self
            .tags
            .iter()
            .any(|t| t.as_str() < STATELESS_WIRE && t.starts_with("20"));
        if stateless && dated {
            vec![None, Some(STATELESS_WIRE)]
        } else {
            vec![None]
        }
    }
}

impl Suite {
    fn list_client_scenarios(&self, node: &Path) -> Result<Vec<Scenario>> {
        let out = Command::new(node)
            .arg(&self.entry)
            .args(["list", "--client"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("could not run the conformance suite {}", self.version))?;
        if !out.status.success() {
            bail!(
                "`conformance list --client` ({}) failed: {}\n{}",
                self.version,
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut scenarios = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Some(item) = line.trim_start().strip_prefix("- ") else {
                continue;
            };
            let (name, tags) = match item.split_once(" [") {
                Some((name, rest)) => (
                    name.trim(),
                    rest.trim_end_matches(']')
                        .split(',')
                        .map(|t| t.trim().to_owned())
                        .collect(),
                ),
                None => (item.trim(), Vec::new()),
            };
            scenarios.push(Scenario {
                name: name.to_owned(),
                tags,
            });
        }
        if scenarios.is_empty() {
            bail!("`conformance list --client` ({}) named no scenario", self.version);
        }
        Ok(scenarios)
    }

    fn run_scenario(
        &self,
        node: &Path,
        client: &Path,
        scenario: &str,
        wire: Option<&str>,
    ) -> Result<Outcome> {
        let mut slug = scenario.replace('/', "__");
        if let Some(w) = wire {
            slug.push('@');
            slug.push_str(w);
        }
        let dir = results_dir().join(&self.version).join(slug);
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("could not clear {}", dir.display()))?;
        }
        fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
        let log_path = dir.join("runner.log");
        let log = File::create(&log_path).context("could not create runner.log")?;

        // The suite splits --command on spaces and appends the server URL.
        let client_cmd = client.to_string_lossy().into_owned();
        if client_cmd.contains(' ') {
            bail!("the conformance suite cannot run a client whose path has a space: {client_cmd}");
        }
        let mut cmd = Command::new(node);
        cmd.arg(&self.entry)
            .args(["client", "--command", &client_cmd, "--scenario", scenario])
            .arg("--timeout")
            .arg(CLIENT_TIMEOUT.as_millis().to_string())
            .arg("-o")
            .arg(dir.join("out"));
        if let Some(w) = wire {
            cmd.args(["--spec-version", w]);
        }
        cmd.env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .env("RUST_BACKTRACE", "1")
            .env_remove("MCP_CONFORMANCE_CONTEXT")
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("could not share runner.log")?)
            .stderr(log)
            // Its own process group, so that the suite, the shell it starts
            // and our client are killed together.
            .process_group(0);

        let started = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("could not start the conformance suite for {scenario}"))?;
        let mut group = Group::new(child);
        let status = group.wait_timeout(SCENARIO_TIMEOUT)?;
        let elapsed = started.elapsed();
        drop(group); // kills whatever is left of the group

        let log_text = fs::read_to_string(&log_path).unwrap_or_default();
        let checks = find_checks_json(&dir.join("out"))
            .map(|p| fs::read_to_string(p).unwrap_or_default())
            .map(|text| parse_checks(&text))
            .unwrap_or_default();
        let count = |s: &str| checks.iter().filter(|c| c.status == s).count();
        let (passed, failed, warned) = (count("SUCCESS"), count("FAILURE"), count("WARNING"));
        let verdict = match status {
            None => Verdict::Timeout,
            Some(0) if passed > 0 => Verdict::Pass,
            Some(0) if failed == 0 && warned == 0 => Verdict::Skip,
            Some(_) => Verdict::Fail,
        };
        let mut notes = Vec::new();
        for line in log_text.lines() {
            let line = line.trim();
            if line.starts_with("Client exited with code") || line.starts_with("Client timed out") {
                notes.push(line.to_owned());
            }
        }
        for c in checks
            .iter()
            .filter(|c| c.status == "FAILURE" || c.status == "WARNING")
        {
            let mut note = format!("{} {}", c.status, c.name);
            if !c.message.is_empty() {
                let _ = write!(note, ": {}", c.message);
            }
            notes.push(note);
        }
        // The wire the suite ran at, as it told our client (which logs it
        // first thing), else what we asked for.
        let mut ran_at = wire.map(str::to_owned);
        if let Some(stderr) = find_file(&dir.join("out"), "stderr.txt") {
            let text = fs::read_to_string(stderr).unwrap_or_default();
            if let Some(last) = text.lines().rev().find(|l| l.contains("conformance-client:")) {
                notes.push(last.trim().to_owned());
            }
            let marker = "(suite's protocol revision: ";
            if let Some(rest) = text.lines().find_map(|l| l.split_once(marker).map(|(_, r)| r)) {
                let revision = rest.trim_end_matches(')');
                if revision != "unset" {
                    ran_at = Some(revision.to_owned());
                }
            }
        }
        Ok(Outcome {
            version: self.version.clone(),
            scenario: scenario.to_owned(),
            wire: wire.map(str::to_owned),
            ran_at,
            passed,
            failed,
            warned,
            verdict,
            notes,
            elapsed,
            log: log_path,
        })
    }
}

/// A process group we started, killed on drop.
struct Group {
    child: Child,
    pgid: u32,
}

impl Group {
    fn new(child: Child) -> Group {
        let pgid = child.id();
        Group { child, pgid }
    }

    /// The exit code, or `None` on timeout.
    fn wait_timeout(&mut self, limit: Duration) -> Result<Option<i32>> {
        let start = Instant::now();
        loop {
            if let Some(status) = self
                .child
                .try_wait()
                .context("could not wait for the conformance suite")?
            {
                return Ok(Some(status.code().unwrap_or(-1)));
            }
            if start.elapsed() > limit {
                return Ok(None);
            }
            sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        // SIGKILL the whole group (the suite, the shell it runs our client
        // through, our client), then reap the suite.
        let target = format!("-{}", self.pgid);
        let killed = Command::new("kill")
            .args(["-KILL", "--", &target])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if killed.is_err() {
            let _ = Command::new("sh")
                .args(["-c", &format!("kill -9 {target} 2>/dev/null")])
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_file(&path, name) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}

fn find_checks_json(dir: &Path) -> Option<PathBuf> {
    find_file(dir, "checks.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_wire_scenarios_run_twice() {
        let s = |name: &str, tags: &[&str]| Scenario {
            name: name.into(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        };
        assert_eq!(
            s("tools_call", &["2025-06-18", "2025-11-25", "2026-07-28"])
                .wires()
                .len(),
            2
        );
        assert_eq!(s("request-metadata", &["2026-07-28"]).wires().len(), 1);
        assert_eq!(s("auth/x", &["2025-11-25", "2026-07-28"]).wires().len(), 2);
        assert_eq!(s("sep-2640-x", &["extension"]).wires().len(), 1);
    }
}
