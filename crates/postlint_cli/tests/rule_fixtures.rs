//! Fixture-first rule tests. `tests/fixtures/rules/<rule>/<case>/` holds a main.cf and a
//! master.cf (each valid input for Postfix's own `postconf`, unless the case is about a syntax
//! error) and `expected.txt`, the human output of `postlint check` on it without colour.
//!
//! - A case named `fire*` must report its rule; a case named `valid*` must not.
//! - Every rule (built-in or from a pack) has at least one of each; every folder names a real
//!   rule. A case may hold a `postlint.toml` (to enable the strict pack, say).
//! - The output must equal `expected.txt`. `UPDATE_SNAPSHOTS=1 cargo test` rewrites the
//!   snapshots; a stale snapshot fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test harness: a panic is a failed test"
)]

use std::fmt::Write as _;
use std::path::PathBuf;

mod common;

use common::{postlint, root};

fn cases() -> Vec<(String, String, PathBuf)> {
    let dir = root().join("tests/fixtures/rules");
    let mut out = Vec::new();
    for rule in std::fs::read_dir(&dir).unwrap() {
        let rule = rule.unwrap().path();
        for case in std::fs::read_dir(&rule).unwrap() {
            let case = case.unwrap().path();
            if case.is_dir() {
                out.push((
                    rule.file_name().unwrap().to_string_lossy().into_owned(),
                    case.file_name().unwrap().to_string_lossy().into_owned(),
                    case,
                ));
            }
        }
    }
    out.sort();
    out
}

/// The human output of `postlint check` on a case: standard output, then standard error
/// (where problems of `postlint.toml` go). Exit status 2 is allowed only for cases about the
/// configuration or policy files themselves.
fn check(rel: &str, rule: &str) -> String {
    let out = postlint(&["check", rel]);
    let code = out.status.code();
    let file_rule = rule == "config-error" || rule == "policy-error";
    assert!(
        code == Some(0) || code == Some(1) || (file_rule && code == Some(2)),
        "{rel}: exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = String::from_utf8(out.stdout).unwrap();
    text.push_str(&String::from_utf8(out.stderr).unwrap());
    text
}

#[test]
fn every_rule_has_firing_and_silent_fixtures() {
    let cases = cases();
    for rule in postlint_linter::all_rules() {
        let of_rule: Vec<_> = cases.iter().filter(|(r, _, _)| *r == rule.name).collect();
        assert!(
            of_rule.iter().any(|(_, c, _)| c.starts_with("fire")),
            "rule {} has no fire* fixture",
            rule.name
        );
        assert!(
            of_rule.iter().any(|(_, c, _)| c.starts_with("valid")),
            "rule {} has no valid* fixture",
            rule.name
        );
    }
    for (rule, case, _) in &cases {
        assert!(
            postlint_linter::find_rule(rule).is_some(),
            "fixture folder {rule} names no rule"
        );
        assert!(
            case.starts_with("fire") || case.starts_with("valid"),
            "{rule}/{case}: case names start with `fire` or `valid`"
        );
    }
}

#[test]
fn fixtures_report_what_they_claim_and_match_their_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = String::new();
    for (rule, case, dir) in cases() {
        let rel = format!("tests/fixtures/rules/{rule}/{case}");
        let output = check(&rel, &rule);
        let code = postlint_linter::find_rule(&rule).map_or("", |r| r.code.as_str());
        let fired = output.contains(&format!("{code}({rule})"));
        if case.starts_with("fire") && !fired {
            writeln!(failures, "{rel}: expected `{rule}` to fire:\n{output}").unwrap();
        }
        if case.starts_with("valid") && fired {
            writeln!(
                failures,
                "{rel}: expected `{rule}` to stay silent:\n{output}"
            )
            .unwrap();
        }
        let snapshot = dir.join("expected.txt");
        if update {
            std::fs::write(&snapshot, &output).unwrap();
        } else {
            let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
            if expected != output {
                writeln!(
                    failures,
                    "{rel}: output differs from expected.txt (UPDATE_SNAPSHOTS=1 to accept):\n{output}"
                )
                .unwrap();
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
}
