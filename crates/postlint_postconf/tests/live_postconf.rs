//! Live comparison with the installed Postfix `postconf` (Debian's `postfix` package, which
//! `cargo xtask test` installs): every directory under `tests/fixtures/postconf/` is copied to
//! a scratch directory and run through `postconf -n`, `-M`, `-F` and `-P`; postlint must print
//! the same bytes, stop where postconf stops, and warn the same warnings as often as postconf
//! does (postconf's order follows its hash tables, except for main.cf's "overriding earlier
//! entry" warnings, which must come in the same order).
//!
//! Without `postconf` the test says loudly that it was skipped; under CI (`CI=true`) a missing
//! `postconf` is a failure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "test harness: a panic is a failed test, and skips are said on stderr"
)]

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use postlint_postconf::Config;
use postlint_syntax::PostfixVersion;

use postlint_testkit::POSTCONF;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/postconf")
}

fn postconf_available() -> bool {
    postlint_testkit::postconf_available("live postconf comparison")
}

/// Starts `postconf -c <case> <mode>` in `scratch`.
fn spawn_postconf(scratch: &Path, case: &str, mode: &str) -> Child {
    // Postfix prefixes its messages with argv[0], so it is named as in the oracle files; and
    // the test harness's raised open-file limit is lowered to a normal one.
    Command::new("bash")
        .args([
            "-c",
            "ulimit -n 1024 && exec -a postconf \"$0\" \"$@\"",
            POSTCONF,
            "-c",
            case,
            mode,
        ])
        .current_dir(scratch)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn postconf_views_match_the_installed_postconf() {
    if !postconf_available() {
        return;
    }
    let scratch = std::env::temp_dir().join(format!("postlint-live-{}", std::process::id()));
    let mut cases: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 8,
        "fixtures missing: {}",
        fixtures().display()
    );
    // postconf sleeps a second before it exits on a fatal error, so every run is started first
    // and collected afterwards.
    let mut runs = Vec::new();
    for path in &cases {
        let case = path.file_name().unwrap().to_string_lossy().into_owned();
        let dir = scratch.join(&case);
        std::fs::create_dir_all(&dir).unwrap();
        let main = std::fs::read(path.join("main.cf")).unwrap();
        let master = std::fs::read(path.join("master.cf")).unwrap();
        for (name, bytes) in [("main.cf", &main), ("master.cf", &master)] {
            let file = dir.join(name);
            std::fs::write(&file, bytes).unwrap();
            // Postfix re-reads a file modified within the last second, sleeping in between, so
            // freshly written copies are dated an hour back.
            let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_hours(1);
            std::fs::File::options()
                .write(true)
                .open(&file)
                .unwrap()
                .set_modified(an_hour_ago)
                .unwrap();
        }
        for mode in ["-n", "-M", "-F", "-P", "-d"] {
            let child = spawn_postconf(&scratch, &case, mode);
            runs.push((case.clone(), mode, main.clone(), master.clone(), child));
        }
    }
    let mut failures = String::new();
    for (case, mode, main, master, child) in runs {
        let out = child.wait_with_output().unwrap();
        let (status, stdout) = (out.status.code().unwrap_or(-1), out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let config = Config::parse(&main, &master, Some(case.clone()), PostfixVersion::V3_7);
        let ours = match mode {
            "-n" => config.show_nondefault(&[]),
            "-M" => config.show_master_entries(&[]),
            "-F" => config.show_master_fields(&[]),
            "-d" => config.show_defaults(&[], false),
            _ => config.show_master_params(&[]),
        };
        match (status, ours) {
            (0, Ok(output)) if mode == "-d" => {
                // Defaults that depend on the host are computed by postconf on this machine;
                // postlint leaves them out unless told the host facts.
                let host = [
                    "mydomain = ",
                    "myhostname = ",
                    "mynetworks = ",
                    "process_id = ",
                ];
                let theirs: Vec<&str> = std::str::from_utf8(&stdout)
                    .unwrap()
                    .lines()
                    .filter(|l| !host.iter().any(|h| l.starts_with(h)))
                    .collect();
                let ours = String::from_utf8(output.stdout).unwrap();
                if ours.lines().collect::<Vec<_>>() != theirs {
                    let diff =
                        common::first_difference(ours.as_bytes(), theirs.join("\n").as_bytes());
                    writeln!(failures, "{case} -d: defaults differ; {diff}").unwrap();
                }
            }
            (0, Ok(output)) => {
                if output.stdout != stdout {
                    let diff = common::first_difference(&output.stdout, &stdout);
                    writeln!(failures, "{case} {mode}: output differs; {diff}").unwrap();
                }
                let theirs = common::warning_list(&stderr);
                let overriding = |list: &[String]| -> Vec<String> {
                    list.iter()
                        .filter(|w| common::is_overriding(w))
                        .cloned()
                        .collect()
                };
                let (ours_overriding, theirs_overriding) =
                    (overriding(&output.warnings), overriding(&theirs));
                if ours_overriding != theirs_overriding {
                    writeln!(failures, "{case} {mode}: overriding warnings differ:\n    postlint: {ours_overriding:?}\n    postconf: {theirs_overriding:?}").unwrap();
                }
                let (mut ours, mut theirs) = (output.warnings.clone(), theirs);
                ours.sort();
                theirs.sort();
                if ours != theirs {
                    writeln!(failures, "{case} {mode}: warnings differ:\n    postlint: {ours:?}\n    postconf: {theirs:?}").unwrap();
                }
            }
            (0, Err(fatal)) => {
                writeln!(
                    failures,
                    "{case} {mode}: postconf succeeded, postlint stopped: {}",
                    fatal.diagnostic.message
                )
                .unwrap();
            }
            (_, Ok(_)) => writeln!(
                failures,
                "{case} {mode}: postconf stopped ({stderr}) but postlint printed output"
            )
            .unwrap(),
            (_, Err(fatal)) => {
                let line = stderr
                    .lines()
                    .find(|l| l.starts_with("postconf: fatal: "))
                    .unwrap_or_default();
                if let Err(e) = common::same_fatal(&case, line, &fatal, &main, &master) {
                    writeln!(failures, "{case} {mode}: {e}").unwrap();
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        failures.is_empty(),
        "postlint and the installed postconf disagree:\n{failures}"
    );
}
