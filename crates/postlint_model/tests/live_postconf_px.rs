//! Live comparison of the per-service views with the installed Postfix `postconf -Px`
//! (Debian's 3.7.11): for every corpus directory that postconf accepts, each `-o` option
//! expanded in its service's name space must equal the model's value of that parameter in
//! that service's view.
//!
//! Host facts are those of the oracle (see `nx_differential.rs`); this machine must be named
//! `vm` like the oracle host for `$myhostname`-derived values to agree, so values that use
//! `myhostname` or `mydomain` defaults are only compared when the host names match.
//! postconf gives every duplicate `name/type` entry the options of all of them (last wins),
//! so duplicated entries are left out.
//!
//! Without the corpus or `postconf` the test says loudly that it was skipped; under CI
//! (`CI=true`) either missing is a failure.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "test harness: a panic is a failed test, and results are said on stderr"
)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

mod common;

use common::{cases, corpus_dir, mask_digits, normalise, oracle_model, uses_process_id};

use postlint_testkit::POSTCONF;

fn postconf_available() -> bool {
    postlint_testkit::postconf_available("live postconf -Px comparison")
}

/// Copies `main.cf`/`master.cf` (or the oracle's substitutes) to `scratch/<slug>`, dated an
/// hour back: Postfix re-reads files modified within the last second, sleeping in between.
fn stage(corpus: &Path, dir: &Path, scratch: &Path, slug: &str) {
    let target = scratch.join(slug);
    std::fs::create_dir_all(&target).unwrap();
    let main = std::fs::read(dir.join("main.cf")).unwrap_or_default();
    let master = std::fs::read(dir.join("master.cf"))
        .or_else(|_| std::fs::read(corpus.join("debian12-postinst/master.cf")))
        .unwrap();
    for (name, bytes) in [("main.cf", main), ("master.cf", master)] {
        let file = target.join(name);
        std::fs::write(&file, bytes).unwrap();
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_hours(1);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
    }
}

#[test]
fn service_views_match_postconf_px() {
    let Some(corpus) = corpus_dir() else { return };
    if !postconf_available() {
        return;
    }
    let scratch = std::env::temp_dir().join(format!("postlint-model-px-{}", std::process::id()));
    let same_host =
        std::fs::read_to_string("/proc/sys/kernel/hostname").is_ok_and(|h| h.trim() == "vm");
    let mut runs = Vec::new();
    for (slug, dir) in cases(&corpus) {
        let rc = std::fs::read_to_string(dir.join("postconf/rc.txt")).unwrap();
        if !rc.lines().any(|l| l == "P: exit 0") {
            continue;
        }
        stage(&corpus, &dir, &scratch, &slug);
        let child = Command::new("bash")
            .args([
                "-c",
                "ulimit -n 1024 && exec -a postconf \"$0\" \"$@\"",
                POSTCONF,
                "-c",
                &slug,
                "-Px",
            ])
            .current_dir(&scratch)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        runs.push((slug, dir, child));
    }
    let (mut compared, mut matching, mut skipped) = (0, 0, 0);
    let mut report = String::new();
    for (slug, dir, child) in runs {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{slug}: postconf -Px failed");
        let model = oracle_model(&corpus, &dir, &slug);
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, view) in model.services().enumerate() {
            by_key
                .entry(view.service_key().unwrap().to_owned())
                .or_default()
                .push(index);
        }
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let (left, expected) = line
                .split_once(" = ")
                .or_else(|| line.strip_suffix(" =").map(|l| (l, "")))
                .unwrap();
            let (key, name) = left.rsplit_once('/').unwrap();
            let indexes = &by_key[key];
            if indexes.len() > 1 {
                skipped += 1;
                continue;
            }
            let view = model.service(indexes[0]).unwrap();
            let value = view.value(name).unwrap();
            let host_derived = value
                .references
                .iter()
                .any(|r| r.name == "myhostname" || r.name == "mydomain");
            if host_derived && !same_host {
                skipped += 1;
                continue;
            }
            compared += 1;
            let mut ours = normalise(&value.expanded);
            let mut theirs = expected.to_owned();
            if uses_process_id(&value.references) {
                ours = mask_digits(&ours);
                theirs = mask_digits(&theirs);
            }
            if ours == theirs && value.error.is_none() && !value.host_dependent {
                matching += 1;
            } else {
                let _ = writeln!(
                    report,
                    "{slug}: {key}/{name}:\n    model:    {ours:?}\n    postconf: {theirs:?}"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!(
        "postconf -Px comparison: {matching}/{compared} service values match ({skipped} skipped)"
    );
    assert!(compared > 100, "too few values compared: {compared}");
    assert!(
        report.is_empty(),
        "service values differ from postconf -Px:\n{report}"
    );
}
