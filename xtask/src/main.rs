//! `cargo xtask`: the project's automation, in Rust, with no set-up.
//!
//! - `cargo xtask ci`: format check, clippy, tests, docs (what CI runs).
//! - `cargo xtask bench`: the benchmarks, with figures printed.

mod ci;
mod util;

use anyhow::{bail, Result};

const USAGE: &str = "usage: cargo xtask <ci | bench>

  ci      fmt --check, clippy -D warnings, the whole test suite, rustdoc -D warnings
  bench   run the benchmarks (release) and print figures";

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
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown xtask command `{other}`\n{USAGE}"),
    }
}
