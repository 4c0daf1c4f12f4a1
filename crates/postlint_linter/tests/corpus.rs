//! Every corpus configuration goes through the whole check (built-in rules, both packs, every
//! analysis) without a panic, and what comes out is well-formed: every span inside its file,
//! every rule known, the order stable and the result the same on a second run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test harness: a panic is a failed test"
)]

use std::fmt::Write as _;

use postlint_linter::{Input, Pack, Settings, SourceFile, check, find_rule};

#[test]
fn every_corpus_configuration_checks_cleanly() {
    let Some(corpus) = postlint_testkit::corpus_dir("corpus check") else {
        return;
    };
    let cases = postlint_testkit::corpus_cases(&corpus);
    assert!(cases.len() > 50, "only {} corpus cases", cases.len());
    let settings = Settings {
        packs: Pack::ALL.to_vec(),
        ..Settings::default()
    };
    let mut failures = String::new();
    let mut total = 0usize;
    for (slug, dir) in cases {
        let read = |name: &str| {
            std::fs::read(dir.join(name))
                .ok()
                .map(|b| SourceFile::new(name, b))
        };
        let input = Input {
            main: read("main.cf"),
            master: read("master.cf"),
            config_directory: None,
        };
        let report = check(&input, &settings);
        total += report.diagnostics.len();
        for d in &report.diagnostics {
            if find_rule(&d.rule).is_none() {
                writeln!(failures, "{slug}: unknown rule {}", d.rule).unwrap();
            }
            if d.code.is_empty() || d.primary().is_none() {
                writeln!(failures, "{slug}: {} without code or primary label", d.rule).unwrap();
            }
            for l in &d.labels {
                let Some(file) = report.file(l.file) else {
                    writeln!(failures, "{slug}: {} points into no file", d.rule).unwrap();
                    continue;
                };
                if l.range.start > l.range.end || l.range.end as usize > file.text.len() {
                    writeln!(
                        failures,
                        "{slug}: {} label {:?} outside {}",
                        d.rule, l.range, file.name
                    )
                    .unwrap();
                }
            }
        }
        let again = check(&input, &settings);
        if again.diagnostics != report.diagnostics {
            writeln!(failures, "{slug}: a second run differs").unwrap();
        }
    }
    assert!(failures.is_empty(), "{failures}");
    // The corpus holds plenty of real problems; an empty result means the rules stopped running.
    assert!(total > 200, "only {total} findings over the whole corpus");
}
