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
            // Dev-dependencies build tests and doc examples, not the library:
            // they may use any layered crate (the docs of `mcp-client` run
            // against the test kit's server over the stdio transport).
            if dep["kind"].as_str() == Some("dev") && layers.contains_key(dep_name) {
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
    let outside = [
        "xtask",
        "mcp-tests",
        "mcp-bench",
        "mcp-conformance",
        "mcp-examples",
    ];
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

/// The modules of a crate that `file` (of module `module`) names through a
/// `crate::` path.
fn crate_refs(text: &str) -> Vec<String> {
    let mut refs = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                refs.push(name);
            }
            rest = after;
        }
        // `use crate::{a, b::c}` names several.
        if let Some(i) = code.find("crate::{") {
            let group = &code[i + "crate::{".len()..];
            for part in group.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    refs.push(name);
                }
            }
        }
    }
    refs
}

/// A cycle in `graph`, if any, as the path of module names around it.
fn find_cycle(graph: &BTreeMap<String, Vec<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, Vec<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = path.iter().position(|p| p == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, graph, state, path) {
                        return Some(c);
                    }
                }
            }
        }
        path.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str()) {
            if let Some(c) = visit(node, graph, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_module_cycles_in_the_library_crates() {
    // `mcp-types` is left out: its modules are data types that refer to
    // each other (a content block holds a resource, which holds `_meta`…).
    for krate in [
        "mcp-jsonrpc",
        "mcp-transport-stdio",
        "mcp-transport-http",
        "mcp-transport-ws",
        "mcp-client",
        "mcp-group",
        "mcp-auth",
    ] {
        let src = root().join("crates").join(krate).join("src");
        let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in rust_files(&src) {
            let rel = file.strip_prefix(&src).expect("under src");
            let module = rel
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .map(|m| m.trim_end_matches(".rs").to_owned())
                .expect("a module name");
            if module == "lib" || module == "tests" {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("readable");
            // Unit tests may use anything.
            let text = text.split("#[cfg(test)]").next().unwrap_or("");
            let deps = graph.entry(module.clone()).or_default();
            for r in crate_refs(text) {
                if r != module && r != "self" && !deps.contains(&r) {
                    deps.push(r);
                }
            }
        }
        assert!(
            find_cycle(&graph).is_none(),
            "{krate}: modules depend on each other in a cycle: {}",
            find_cycle(&graph).unwrap_or_default().join(" -> ")
        );
    }
}

#[test]
fn transports_keep_no_process_wide_state() {
    for krate in [
        "mcp-transport-stdio",
        "mcp-transport-http",
        "mcp-transport-ws",
        "mcp-jsonrpc",
        "mcp-auth",
    ] {
        for file in rust_files(&root().join("crates").join(krate).join("src")) {
            let text = std::fs::read_to_string(&file).expect("readable");
            for (i, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("").trim_start();
                let global = (code.starts_with("static ") || code.starts_with("pub static "))
                    || code.contains("OnceLock<")
                    || code.contains("LazyLock<")
                    || code.contains("thread_local!");
                assert!(
                    !global,
                    "{}:{}: a transport keeps no process-wide state; put it in an object the parameters carry",
                    file.display(),
                    i + 1
                );
            }
        }
    }
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
