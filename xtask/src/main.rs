//! `cargo xtask`: the project's automation, in Rust, with no set-up.
//!
//! - `cargo xtask ci`: format check, clippy, tests, docs (what CI runs).
//! - `cargo xtask bench`: the benchmarks, with figures printed.
//! - `cargo xtask interop`: install real MCP peers (pinned) and test against them.
//! - `cargo xtask conformance`: the official MCP conformance suite against our client.

mod bench;
mod ci;
mod conformance;
mod interop;
mod tools;
mod util;

use anyhow::{bail, Result};

const USAGE: &str = "usage: cargo xtask <ci | bench | interop | conformance>

  ci       fmt --check, clippy -D warnings, the whole test suite, interop, rustdoc -D warnings
  bench    run the benchmarks (release) and print figures
  interop  install Node, server-everything and the Python SDK (pinned, under target/tools/)
           and run tests/interop.rs against them; `--install-only` stops after installing
  conformance  install the official conformance suite (pinned versions, under target/tools/), run
           every client scenario one at a time against `conformance-client`, and compare with
           conformance/expected-failures.toml; `--install-only`, `--pin VERSION`, `--scenario NAME`";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "ci" => ci::ci(rest),
        "bench" => ci::bench(rest),
        "interop" => interop::interop(rest),
        "conformance" => conformance::conformance(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown xtask command `{other}`\n{USAGE}"),
    }
}
