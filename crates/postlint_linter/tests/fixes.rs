//! Every fix a rule offers on the `fire*` fixtures is applied and the configuration checked
//! again: the finding must be gone and the edited files must parse exactly as well as before.
//! (A fix may reveal the next problem: STARTTLS instead of wrapper mode on 587 then needs
//! `encrypt`.) A fix that does not fix, or that breaks the file, fails here.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test harness: a panic is a failed test"
)]

use std::path::{Path, PathBuf};

use postlint_diagnostics::{Edit, FileId};
use postlint_linter::{Input, Settings, SourceFile, check};
use postlint_postconf::{MAIN_CF, MASTER_CF};

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/rules");
    let mut out = Vec::new();
    for rule in std::fs::read_dir(root).unwrap() {
        for case in std::fs::read_dir(rule.unwrap().path()).unwrap() {
            let case = case.unwrap().path();
            if case
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("fire")
            {
                out.push(case);
            }
        }
    }
    out.sort();
    out
}

fn apply(text: &[u8], edits: &[&Edit]) -> Vec<u8> {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_vec();
    for e in edits {
        out.splice(e.range.to_usize(), e.replacement.bytes());
    }
    out
}

fn input(main: Vec<u8>, master: Vec<u8>) -> Input {
    Input {
        main: Some(SourceFile::new("main.cf", main)),
        master: Some(SourceFile::new("master.cf", master)),
        config_directory: None,
    }
}

#[test]
fn fixes_remove_their_finding_and_break_nothing() {
    let mut fixed = 0usize;
    for dir in fixtures() {
        let main = std::fs::read(dir.join("main.cf")).unwrap_or_default();
        let master = std::fs::read(dir.join("master.cf")).unwrap_or_default();
        let before = check(&input(main.clone(), master.clone()), &Settings::default());
        for d in before.diagnostics.iter().filter(|d| d.fix.is_some()) {
            let fix = d.fix.as_ref().unwrap();
            let in_file = |file: FileId| {
                fix.edits
                    .iter()
                    .filter(|e| e.file == file)
                    .collect::<Vec<_>>()
            };
            let after = check(
                &input(
                    apply(&main, &in_file(MAIN_CF)),
                    apply(&master, &in_file(MASTER_CF)),
                ),
                &Settings::default(),
            );
            let still = after
                .diagnostics
                .iter()
                .any(|a| a.rule == d.rule && a.service == d.service);
            assert!(
                !still,
                "{}: `{}` still fires after `{}`",
                dir.display(),
                d.rule,
                fix.title
            );
            let syntax = |r: &postlint_linter::Report| {
                r.diagnostics
                    .iter()
                    .filter(|d| d.rule == "syntax-error")
                    .count()
            };
            assert_eq!(
                syntax(&after),
                syntax(&before),
                "{}: `{}` broke the syntax",
                dir.display(),
                fix.title
            );
            fixed += 1;
        }
    }
    assert!(fixed >= 4, "only {fixed} fixes exercised");
}
