//! The browser page and the command line report the same findings: the built `postlint`
//! binary's `check --format json` and the page's export (`postlint_wasm::lint_json`, the same
//! Rust the WebAssembly module runs) are compared on every bundled example and rule fixture.
//! Only what legitimately differs is set aside: file names (paths against `main.cf`) and the
//! UTF-16 offsets the page adds for JavaScript.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test harness: a panic is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;

use common::root;

/// Directories with both files and no postlint.toml (the page has no project file).
fn cases() -> Vec<PathBuf> {
    let mut out = vec![
        root().join("examples/insecure"),
        root().join("examples/hardened"),
    ];
    for rule in std::fs::read_dir(root().join("tests/fixtures/rules")).unwrap() {
        for case in std::fs::read_dir(rule.unwrap().path()).unwrap() {
            let case = case.unwrap().path();
            if case.join("main.cf").is_file()
                && case.join("master.cf").is_file()
                && !case.join("postlint.toml").exists()
            {
                out.push(case);
            }
        }
    }
    out.sort();
    out
}

/// The diagnostics without file names and UTF-16 offsets.
fn comparable(mut v: Value) -> Value {
    fn strip(d: &mut Value) {
        if let Some(o) = d.as_object_mut() {
            o.remove("utf16_start");
            o.remove("utf16_end");
            if let Some(f) = o.get("file").and_then(Value::as_str).map(str::to_owned) {
                let base = Path::new(&f)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                o.insert("file".to_owned(), Value::String(base));
            }
        }
    }
    let diags = v["diagnostics"].as_array_mut().unwrap();
    for d in diags.iter_mut() {
        strip(d);
        if let Some(related) = d["related"].as_array_mut() {
            related.iter_mut().for_each(strip);
        }
    }
    v["diagnostics"].take()
}

#[test]
fn cli_json_and_page_agree_on_every_example_and_fixture() {
    let cases = cases();
    assert!(cases.len() > 40, "only {} cases", cases.len());
    for dir in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_postlint"))
            .args(["check", "--format", "json"])
            .arg(&dir)
            .output()
            .unwrap();
        let cli: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e})", dir.display()));
        let main = std::fs::read(dir.join("main.cf")).unwrap();
        let master = std::fs::read(dir.join("master.cf")).unwrap();
        // The page holds text; these fixtures are UTF-8.
        let (Ok(main), Ok(master)) = (String::from_utf8(main), String::from_utf8(master)) else {
            continue;
        };
        let page: Value =
            serde_json::from_str(&postlint_wasm::lint_json(&main, &master, "{}").unwrap()).unwrap();
        assert_eq!(
            comparable(cli),
            comparable(page),
            "{}: the CLI and the page disagree",
            dir.display()
        );
    }
}
