//! `cargo xtask ci` and `cargo xtask bench`.

use anyhow::Result;

use crate::util::{cargo, run};

/// Everything CI checks, in the order that fails fastest.
pub fn ci(_args: &[String]) -> Result<()> {
    run("fmt", cargo().args(["fmt", "--all", "--check"]))?;
    run(
        "clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run("test", cargo().args(["test", "--workspace", "--all-features"]))?;
    crate::interop::interop(&[])?;
    crate::conformance::conformance(&[])?;
    run(
        "doc",
        cargo()
            .args(["doc", "--workspace", "--no-deps", "--all-features"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    eprintln!("\nxtask ci: all checks passed");
    Ok(())
}

/// The benchmarks, in release mode: see `bench.rs`.
pub fn bench(args: &[String]) -> Result<()> {
    crate::bench::bench(args)
}
