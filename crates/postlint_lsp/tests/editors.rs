#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "tests"
)]
//! The editor clients shipped in `editors/` stay valid without being built: the VS Code
//! extension's manifest points at files that exist, claims main.cf and master.cf, and its
//! script parses.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn vscode() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/vscode")
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn vscode_manifest_is_consistent() {
    let dir = vscode();
    let manifest = json(&dir.join("package.json"));
    let main = manifest["main"].as_str().unwrap();
    assert!(dir.join(main).is_file(), "{main}");
    let language = &manifest["contributes"]["languages"][0];
    assert_eq!(language["id"], "postfix");
    let filenames: Vec<&str> = language["filenames"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(filenames, ["main.cf", "master.cf"]);
    let configuration = json(&dir.join(language["configuration"].as_str().unwrap()));
    assert_eq!(configuration["comments"]["lineComment"], "#");
    assert!(manifest["dependencies"]["vscode-languageclient"].is_string());
    assert!(
        manifest["activationEvents"]
            .as_array()
            .unwrap()
            .contains(&Value::from("onLanguage:postfix"))
    );
    let script = std::fs::read_to_string(dir.join(main)).unwrap();
    assert!(script.contains("args: ['server']"), "{script}");
    assert!(script.contains("language: 'postfix'"), "{script}");
}

#[test]
fn vscode_extension_script_parses() {
    let script = vscode().join("extension.js");
    match Command::new("node").arg("--check").arg(&script).output() {
        Ok(out) => assert!(
            out.status.success(),
            "node --check: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "node is needed to check editors/vscode/extension.js: {e}"
            );
            eprintln!("SKIPPED: node not found ({e}); editors/vscode/extension.js not checked");
        }
    }
}
