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
    // The usage examples, each against the bundled example server.
    const EXAMPLES: &[&str] = &["basic_client", "websocket_client", "multi_server", "skills"];
    for example in EXAMPLES {
        run(
            &format!("example {example}"),
            cargo().args(["run", "--quiet", "-p", "mcp-examples", "--example", example]),
        )?;
    }
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
