//! `postlint rule`: the list names every rule of the registry and both packs; `postlint rule
//! NAME` (or CODE) prints the documentation; an unknown name is a usage error.

#![allow(clippy::unwrap_used, reason = "test harness: a panic is a failed test")]

use std::process::Command;

fn rule(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_postlint"))
        .arg("rule")
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn the_list_names_every_rule_with_code_severity_and_source() {
    let (code, list) = rule(&[]);
    assert_eq!(code, Some(0));
    for r in postlint_linter::all_rules() {
        let line = list
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(r.name.as_str()))
            .unwrap_or_else(|| panic!("{} missing from:\n{list}", r.name));
        assert!(line.starts_with(&r.code), "{line}");
        assert!(line.contains(r.severity.as_str()), "{line}");
    }
    assert!(list.contains("open-relay") && list.contains("baseline"));
    assert!(list.contains("outbound-dane-not-used") && list.contains("strict"));
}

#[test]
fn one_rule_prints_its_documentation_by_name_or_code() {
    let (code, by_name) = rule(&["open-relay"]);
    assert_eq!(code, Some(0));
    for section in [
        "# open-relay (PL115)",
        "## What it does",
        "## Why it matters",
        "## Example",
        "## Fix",
        "## References",
    ] {
        assert!(by_name.contains(section), "{section} missing:\n{by_name}");
    }
    assert!(by_name.contains("https://www.postfix.org/SMTPD_ACCESS_README.html#relay"));
    let (_, by_code) = rule(&["PL115"]);
    assert_eq!(by_name, by_code);
    let (code, _) = rule(&["no-such-rule"]);
    assert_eq!(code, Some(2));
}
