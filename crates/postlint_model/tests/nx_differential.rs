//! Differential test against Postfix 3.7.11's `postconf -nx`: for every directory of the
//! shared corpus where postconf succeeded, the expanded main.cf values of the model must equal
//! the values recorded in `postconf/nx.out` (see the corpus's `ORACLE.md`).
//!
//! The oracle ran on a host named `vm` as `postconf -c <slug> -nx`, so the model gets the
//! host name `vm` (hence `myhostname = vm.localdomain` unless main.cf sets `mydomain`), the
//! configuration directory `<slug>`, and the oracle host's default `mynetworks`. `$process_id`
//! was postconf's own process id: digits are masked in values that use it. postconf prints a
//! value with its whitespace normalised to single spaces, so values are compared that way.
//! Only names present in `nx.out` are compared (`-n` prints the parameters postconf
//! considers in use).
//!
//! The corpus is third-party data outside the repository: `$POSTLINT_CORPUS`, else
//! `../shared/corpus` next to the checkout. Without it the test says loudly that it was
//! skipped; under CI (`CI=true`) a missing corpus is a failure.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "test harness: a panic is a failed test, and results are said on stderr"
)]

use std::fmt::Write as _;

mod common;

use common::{cases, corpus_dir, mask_digits, normalise, oracle_model, uses_process_id};

/// (directory, parameter, the Postfix behaviour that explains the difference): values that
/// depend on the oracle host beyond what `HostFacts` describes.
const EXPECTED_MISMATCHES: &[(&str, &str, &str)] = &[(
    "opensuse-webstack",
    "smtpd_forbid_bare_newline_exclusions",
    "`$mynetworks` with `inet_interfaces = loopback-only`: Postfix computes the default \
     `mynetworks` from the addresses of `inet_interfaces` only (global/mynetworks.c, \
     own_inet_addr_list()), so the oracle printed its loopback subnets `127.0.0.0/8 \
     [::1]/128`; HostFacts::mynetworks is one host value, for the default interfaces",
)];

#[test]
fn expanded_main_cf_values_match_postconf_nx() {
    let Some(corpus) = corpus_dir() else { return };
    let mut report = String::new();
    let (mut dirs, mut matching_dirs, mut values, mut matching_values) = (0, 0, 0, 0);
    let mut expected_seen = 0;
    for (slug, dir) in cases(&corpus) {
        let rc = std::fs::read_to_string(dir.join("postconf/rc.txt")).unwrap();
        if !rc.lines().any(|l| l == "nx: exit 0") {
            continue;
        }
        let config_dir = rc
            .lines()
            .find_map(|l| l.strip_prefix("config_dir: "))
            .unwrap_or(&slug)
            .to_owned();
        let nx = std::fs::read_to_string(dir.join("postconf/nx.out")).unwrap();
        let model = oracle_model(&corpus, &dir, &config_dir);
        let view = model.global();
        dirs += 1;
        let mut dir_ok = true;
        let mut dir_known = false;
        for line in nx.lines() {
            let Some((name, expected)) = line
                .split_once(" = ")
                .or_else(|| line.strip_suffix(" =").map(|name| (name, "")))
            else {
                panic!("{slug}: unexpected nx.out line {line:?}");
            };
            values += 1;
            let Some(value) = view.value(name) else {
                dir_ok = false;
                let _ = writeln!(
                    report,
                    "{slug}: {name}: no value in the model, postconf: {expected:?}"
                );
                continue;
            };
            let mut ours = normalise(&value.expanded);
            let mut theirs = expected.to_owned();
            if uses_process_id(&value.references) {
                ours = mask_digits(&ours);
                theirs = mask_digits(&theirs);
            }
            if ours == theirs && value.error.is_none() && !value.host_dependent {
                matching_values += 1;
                continue;
            }
            if EXPECTED_MISMATCHES
                .iter()
                .any(|(d, n, _)| *d == slug && *n == name)
            {
                expected_seen += 1;
                dir_known = true;
                continue;
            }
            dir_ok = false;
            let _ = writeln!(
                report,
                "{slug}: {name}:\n    model:    {ours:?} (error: {:?}, host-dependent: {})\n    postconf: {theirs:?}",
                value
                    .error
                    .as_ref()
                    .map(postlint_model::ExpandError::message),
                value.host_dependent
            );
        }
        if dir_ok && !dir_known {
            matching_dirs += 1;
        }
    }
    eprintln!(
        "postconf -nx comparison: {matching_dirs}/{dirs} directories and {matching_values}/{values} values match exactly ({expected_seen} known differences)"
    );
    assert_eq!(
        expected_seen,
        EXPECTED_MISMATCHES.len(),
        "a known difference no longer occurs: update EXPECTED_MISMATCHES"
    );
    assert!(
        report.is_empty(),
        "values differ from postconf -nx:\n{report}"
    );
}
