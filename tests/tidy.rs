//! Tidy checks: the rules of ARCHITECTURE.md that a machine can check.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The layer of each library crate: a crate may depend only on crates of a
/// strictly lower layer. Crates outside this table (xtask, tests, benches,
/// tools) are not part of the layering, but no layered crate may depend on
/// them.
const LAYERS: &[(&str, u8)] = &[
    ("mcp-types", 0),
    ("mcp-jsonrpc", 1),
    ("mcp-transport-stdio", 2),
    ("mcp-transport-ws", 2),
    ("mcp-transport-http", 2),
    ("mcp-auth", 2),
    ("mcp-client", 2),
    ("mcp-testkit", 3),
    ("mcp-group", 3),
    ("mcp-cli", 4),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

fn workspace_packages(meta: &Value) -> Vec<&Value> {
    meta["packages"]
        .as_array()
        .expect("packages array")
        .iter()
        .collect()
}

#[test]
fn crate_layering_is_respected() {
    let meta = metadata();
    let layers: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let names: Vec<String> = workspace_packages(&meta)
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_owned())
        .collect();
    let mut violations = Vec::new();
    for pkg in workspace_packages(&meta) {
        let name = pkg["name"].as_str().expect("name");
        let Some(&layer) = layers.get(name) else { continue };
        for dep in pkg["dependencies"].as_array().expect("dependencies") {
            let dep_name = dep["name"].as_str().expect("dep name");
            if !names.iter().any(|n| n == dep_name) {
                continue; // an external crate
            }
            if dep["kind"].as_str() == Some("dev") && layers.get(dep_name).is_some_and(|&l| l < layer) {
                continue;
            }
            match layers.get(dep_name) {
                Some(&dep_layer) if dep_layer < layer => {}
                Some(&dep_layer) => violations.push(format!(
                    "{name} (layer {layer}) depends on {dep_name} (layer {dep_layer}): a crate may only depend on lower layers"
                )),
                None => violations.push(format!(
                    "{name} depends on {dep_name}, which is not a layered library crate (xtask, tests and tools sit outside the layers)"
                )),
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layering violations:\n{}",
        violations.join("\n")
    );
}

#[test]
fn every_workspace_crate_is_classified() {
    let meta = metadata();
    let layers: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let outside = ["xtask", "mcp-tests", "mcp-bench", "mcp-conformance"];
    for pkg in workspace_packages(&meta) {
        let name = pkg["name"].as_str().expect("name");
        assert!(
            layers.contains_key(name) || outside.contains(&name),
            "crate {name} has no layer in tests/tidy.rs: add it to LAYERS (and to ARCHITECTURE.md)"
        );
    }
}

#[test]
fn architecture_md_describes_every_library_crate() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md exists");
    for pkg in workspace_packages(&metadata()) {
        let name = pkg["name"].as_str().expect("name");
        if name.starts_with("mcp-") && name != "mcp-tests" {
            assert!(
                text.contains(&format!("`{name}`")),
                "ARCHITECTURE.md does not describe `{name}`"
            );
        }
    }
}

#[test]
fn library_crates_use_workspace_lints_and_no_println() {
    for pkg in workspace_packages(&metadata()) {
        let name = pkg["name"].as_str().expect("name");
        if !name.starts_with("mcp-") || name == "mcp-tests" {
            continue;
        }
        let manifest = Path::new(pkg["manifest_path"].as_str().expect("manifest path"));
        let toml = std::fs::read_to_string(manifest).expect("manifest readable");
        assert!(
            toml.contains("[lints]\nworkspace = true"),
            "{name} does not opt into the workspace lints"
        );
        let src = manifest.parent().expect("crate dir").join("src");
        if !src.join("lib.rs").exists() {
            continue; // a binary crate: it prints by design
        }
        for file in rust_files(&src) {
            // Binaries (main.rs, bin/) may print; libraries use tracing.
            let rel = file.strip_prefix(&src).expect("under src");
            if rel == Path::new("main.rs") || rel.starts_with("bin") || rel.starts_with("cli") {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("source readable");
            for (i, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                assert!(
                    !code.contains("println!") && !code.contains("eprintln!") && !code.contains("dbg!"),
                    "{}:{}: library code must log through tracing, not print",
                    file.display(),
                    i + 1
                );
            }
        }
    }
}

#[test]
fn source_files_stay_small() {
    let mut big = Vec::new();
    for dir in ["crates", "xtask", "tests"] {
        for file in rust_files(&root().join(dir)) {
            let lines = std::fs::read_to_string(&file).expect("readable").lines().count();
            if lines > 800 {
                big.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(
        big.is_empty(),
        "files over 800 lines; split them along a seam:\n{}",
        big.join("\n")
    );
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n == "target" || n == "node_modules")
            {
                continue;
            }
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}
