//! Differential test against Postfix itself: `postlint postconf -n`, `-M` and `-P` on every
//! directory of the shared corpus must print exactly what Postfix 3.7.11's `postconf` printed
//! (recorded in each directory's `postconf/`), and where postconf stopped with a fatal error,
//! postlint must report a syntax error at the same place.
//!
//! The corpus is third-party data that lives outside the repository: it is read from
//! `$POSTLINT_CORPUS`, else from `../shared/corpus` next to the checkout. Without it the test
//! says loudly that it was skipped; under CI (`CI=true`) a missing corpus is a failure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "test harness: a panic is a failed test, and skips are said on stderr"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod common;

use postlint_postconf::{Config, Fatal};
use postlint_syntax::PostfixVersion;

/// Directories excluded from the comparison, each with a verified Postfix behaviour as reason.
const EXCLUDED: &[(&str, &str)] = &[];

/// `-nx` views left out of the comparison, each with the Postfix behaviour that explains it.
const NX_EXCLUDED: &[(&str, &str)] = &[(
    "opensuse-webstack",
    "inet_interfaces = loopback-only: Postfix computes the default mynetworks from the \
     inet_interfaces addresses (global/mynetworks.c), so the oracle's $mynetworks is \
     loopback-only while postlint is given the oracle host's default mynetworks",
)];

/// The `-nx` oracle ran on a host named `vm`; its default `mynetworks` (with postconf's
/// trailing space) is the one value `-nx` needs from that host.
const ORACLE_MYNETWORKS: &str = "127.0.0.0/8 192.0.2.0/24 [::1]/128 [fd00::]/64 [fe80::]/64 ";

/// Replaces digit runs (a `$process_id` expands to postconf's own PID).
fn mask_digits(line: &str) -> String {
    let mut out = String::new();
    let mut in_digits = false;
    for c in line.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// Compares `postconf -nx` after the host normalisation ORACLE.md describes.
fn compare_nx(case: &Case, failures: &mut String) {
    if exit_status(&case.rc, "nx") != 0 || NX_EXCLUDED.iter().any(|(s, _)| *s == case.slug) {
        return;
    }
    let config = case.config.clone().with_host(postlint_model::HostFacts {
        hostname: Some("vm".to_owned()),
        mynetworks: Some(ORACLE_MYNETWORKS.to_owned()),
        process_id: Some("4242".to_owned()),
        config_directory: None,
    });
    let ours = match config.show_nondefault_with(&[], true) {
        Ok(output) => output.stdout,
        Err(fatal) => {
            writeln!(
                failures,
                "{}: -nx stopped: {}",
                case.slug, fatal.diagnostic.message
            )
            .unwrap();
            return;
        }
    };
    let theirs = std::fs::read(case.dir.join("postconf/nx.out")).unwrap();
    let normalise = |bytes: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(|l| {
                if l.contains("debugger") {
                    mask_digits(l)
                } else {
                    l.to_owned()
                }
            })
            .collect()
    };
    let (ours, theirs) = (normalise(&ours), normalise(&theirs));
    if ours != theirs {
        let first = ours.iter().zip(&theirs).find(|(a, b)| a != b).map_or_else(
            || format!("line counts differ: {} vs {}", ours.len(), theirs.len()),
            |(a, b)| format!("first difference:\n    postlint: {a}\n    postconf: {b}"),
        );
        writeln!(failures, "{}: -nx output differs; {first}", case.slug).unwrap();
    }
}

fn corpus_dir() -> Option<PathBuf> {
    postlint_testkit::corpus_dir("postconf differential test")
}

/// Every corpus directory holding a `postconf/` record, as (slug, path).
fn cases(corpus: &Path) -> Vec<(String, PathBuf)> {
    postlint_testkit::corpus_cases(corpus)
}

struct Case {
    slug: String,
    config: Config,
    main: Vec<u8>,
    master: Vec<u8>,
    rc: String,
    dir: PathBuf,
}

fn load(corpus: &Path, slug: &str, dir: &Path) -> Case {
    let rc = std::fs::read_to_string(dir.join("postconf/rc.txt")).unwrap();
    // The oracle substituted an empty main.cf, or Debian's stock master.cf (identical to the
    // corpus's debian12-postinst/master.cf, as rc.txt records), where a file was absent.
    let main = std::fs::read(dir.join("main.cf")).unwrap_or_default();
    let master = std::fs::read(dir.join("master.cf"))
        .or_else(|_| {
            assert!(
                rc.contains("master.cf absent"),
                "{slug}: no master.cf and no substitution recorded"
            );
            std::fs::read(corpus.join("debian12-postinst/master.cf"))
        })
        .unwrap();
    let config = Config::parse(&main, &master, Some(slug.to_owned()), PostfixVersion::V3_7);
    Case {
        slug: slug.to_owned(),
        config,
        main,
        master,
        rc,
        dir: dir.to_path_buf(),
    }
}

fn exit_status(rc: &str, mode: &str) -> u32 {
    rc.lines()
        .find_map(|l| l.strip_prefix(&format!("{mode}: exit ")))
        .and_then(|s| s.trim().parse().ok())
        .unwrap()
}

/// Checks that postlint stops where postconf stopped, as recorded in `<mode>.err`.
fn check_fatal(case: &Case, mode: &str, fatal: &Fatal, failures: &mut String) {
    let err = std::fs::read_to_string(case.dir.join(format!("postconf/{mode}.err"))).unwrap();
    let Some(line) = err.lines().find(|l| l.starts_with("postconf: fatal: ")) else {
        writeln!(
            failures,
            "{}: {mode}: no fatal line in the oracle",
            case.slug
        )
        .unwrap();
        return;
    };
    if let Err(e) = common::same_fatal(&case.slug, line, fatal, &case.main, &case.master) {
        writeln!(failures, "{}: -{mode}: {e}", case.slug).unwrap();
    }
}

/// The "overriding earlier entry" warnings of a further read of main.cf, after a first one:
/// each entry is compared with the value in force, which for the first entry of a name is the
/// last one of the read before. postconf reads main.cf again while the file was modified within
/// the last second (`dict_load_file_xt()`), as it was when the oracle copied it and at once ran
/// `postconf -n`. A transcription of `dict_load_fp()`, kept apart from postlint's code.
fn reread_warnings(case: &Case) -> Vec<String> {
    let index = postlint_diagnostics::LineIndex::new(&case.main);
    let params = &case.config.main.parameters;
    let mut dict: std::collections::HashMap<&[u8], &[u8]> = std::collections::HashMap::new();
    for p in params {
        dict.insert(p.name(), p.value());
    }
    let mut out = Vec::new();
    for p in params {
        if let Some(old) = dict.insert(p.name(), p.value())
            && old != p.value()
        {
            let line = index.line_col(p.line().range().start).line + 1;
            out.push(format!(
                "{}/main.cf, line {line}: overriding earlier entry: {}={}",
                case.slug,
                p.name_str(),
                String::from_utf8_lossy(old)
            ));
        }
    }
    out
}

/// Checks postlint's "overriding earlier entry" warnings against the oracle's. postlint warns
/// as postconf does reading main.cf once, in file order: the oracle starts with the same lines.
/// Where it repeats them, postconf read main.cf more than once (see [`reread_warnings`]), and
/// the further reads add the warnings of a re-read.
fn same_overriding(case: &Case, ours: &[String], theirs: &[String]) -> Result<(), String> {
    let ours: Vec<&String> = ours.iter().filter(|w| common::is_overriding(w)).collect();
    let theirs: Vec<&String> = theirs.iter().filter(|w| common::is_overriding(w)).collect();
    if !theirs.starts_with(&ours) {
        return Err(format!(
            "overriding warnings differ:\n    postlint: {ours:?}\n    postconf: {theirs:?}"
        ));
    }
    let mut distinct = theirs.clone();
    distinct.sort();
    distinct.dedup();
    if distinct.len() == theirs.len() {
        // One read.
        return if ours.len() == theirs.len() {
            Ok(())
        } else {
            Err(format!(
                "overriding warnings missing: {:?}",
                theirs.get(ours.len()..)
            ))
        };
    }
    let reread = reread_warnings(case);
    let mut expected: Vec<&String> = ours.into_iter().chain(&reread).collect();
    expected.sort();
    expected.dedup();
    if expected == distinct {
        Ok(())
    } else {
        Err(format!(
            "overriding warnings differ (main.cf read more than once):\n    postlint and a re-read: {expected:?}\n    postconf: {distinct:?}"
        ))
    }
}

fn compare(case: &Case, mode: &str, failures: &mut String) {
    let result = match mode {
        "n" => case.config.show_nondefault(&[]),
        "M" => case.config.show_master_entries(&[]),
        "P" => case.config.show_master_params(&[]),
        _ => unreachable!(),
    };
    let status = exit_status(&case.rc, mode);
    match (status, result) {
        (0, Ok(output)) => {
            let expected = std::fs::read(case.dir.join(format!("postconf/{mode}.out"))).unwrap();
            if output.stdout != expected {
                let first = common::first_difference(&output.stdout, &expected);
                writeln!(failures, "{}: -{mode} output differs; {first}", case.slug).unwrap();
            }
            // postconf also reads the database client files that mysql:/pgsql:/ldap: tables
            // name; those files are not part of the corpus, so its "open … configuration"
            // warnings say nothing about the configuration itself and are left out.
            let err =
                std::fs::read_to_string(case.dir.join(format!("postconf/{mode}.err"))).unwrap();
            let theirs: Vec<String> = common::warning_list(&err)
                .into_iter()
                .filter(|w| !(w.starts_with("open \"") && w.contains("\" configuration \"")))
                .collect();
            if let Err(e) = same_overriding(case, &output.warnings, &theirs) {
                writeln!(failures, "{}: -{mode}: {e}", case.slug).unwrap();
            }
            // The other warnings compare as multisets: postconf's order follows its hash
            // tables, but each comes as often as postconf has a reason for it.
            let others = |list: &[String]| -> Vec<String> {
                let mut others: Vec<String> = list
                    .iter()
                    .filter(|w| !common::is_overriding(w))
                    .cloned()
                    .collect();
                others.sort();
                others
            };
            let (ours, theirs) = (others(&output.warnings), others(&theirs));
            if ours != theirs {
                let missing: Vec<_> = theirs.iter().filter(|w| !ours.contains(w)).collect();
                let extra: Vec<_> = ours.iter().filter(|w| !theirs.contains(w)).collect();
                writeln!(
                    failures,
                    "{}: -{mode} warnings differ; missing {missing:?}, extra {extra:?}",
                    case.slug
                )
                .unwrap();
            }
        }
        (0, Err(fatal)) => writeln!(
            failures,
            "{}: -{mode}: postconf succeeded but postlint stopped: {}",
            case.slug, fatal.diagnostic.message
        )
        .unwrap(),
        (_, Ok(_)) => writeln!(
            failures,
            "{}: -{mode}: postconf stopped but postlint printed output",
            case.slug
        )
        .unwrap(),
        (_, Err(fatal)) => check_fatal(case, mode, &fatal, failures),
    }
}

#[test]
fn postconf_views_match_postfix_on_the_corpus() {
    let Some(corpus) = corpus_dir() else { return };
    let cases = cases(&corpus);
    assert!(
        cases.len() >= 50,
        "expected the whole corpus, found {} directories",
        cases.len()
    );
    let mut failures = String::new();
    let mut compared = 0;
    for (slug, dir) in &cases {
        if EXCLUDED.iter().any(|(s, _)| s == slug) {
            continue;
        }
        let case = load(&corpus, slug, dir);
        for mode in ["n", "M", "P"] {
            compare(&case, mode, &mut failures);
            compared += 1;
        }
        compare_nx(&case, &mut failures);
        compared += 1;
    }
    eprintln!(
        "postconf differential: {compared} views compared over {} directories",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "postlint and postconf disagree:\n{failures}"
    );
}
