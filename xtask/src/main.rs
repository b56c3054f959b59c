//! `cargo xtask`: the project's automation, in Rust, with no set-up.
//!
//! - `cargo xtask ci`: format check, clippy, tests, docs (what CI runs).
//! - `cargo xtask bench`: the benchmarks, with figures printed.
//! - `cargo xtask interop`: install real MCP peers (pinned) and test against them.

mod bench;
mod ci;
mod interop;
mod util;

use anyhow::{bail, Result};

const USAGE: &str = "usage: cargo xtask <ci | bench | interop>

  ci       fmt --check, clippy -D warnings, the whole test suite, interop, rustdoc -D warnings
  bench    run the benchmarks (release) and print figures
  interop  install Node, server-everything and the Python SDK (pinned, under target/tools/)
           and run tests/interop.rs against them; `--install-only` stops after installing";

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
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown xtask command `{other}`\n{USAGE}"),
    }
}
