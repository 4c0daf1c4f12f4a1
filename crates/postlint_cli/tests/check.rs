//! End-to-end tests of `postlint check` on the built binary: the JSON contract, SARIF (valid
//! against the official schema, checked with Microsoft's SARIF validator), GitHub workflow
//! commands, exit codes, standard input, `postconf -n`/`-M` dumps, fleet mode over every
//! corpus directory at once, `--check-files`, completions and the man page.
//!
//! The corpus is read from `$POSTLINT_CORPUS`, else `../shared/corpus` next to the checkout;
//! the SARIF validator from `$POSTLINT_SARIF_MULTITOOL`, else `tests/sarif/node_modules` (which
//! `cargo xtask test` installs with `npm ci`). Either missing: a loud skip, or a failure under
//! `CI=true`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "tests"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;

use common::{postlint, postlint_stdin, root};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(args: &[&str]) -> (Option<i32>, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = postlint(&all);
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out.stdout)));
    (out.status.code(), value)
}

fn skip_or_fail(what: &str, detail: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{what} is missing ({detail}) and CI=true: this layer must run in CI"
    );
    eprintln!("\n*** SKIPPED: {what}: {detail} ***\n");
}

fn corpus() -> Option<PathBuf> {
    postlint_testkit::corpus_dir("postlint check end to end")
}

/// Every corpus directory with a main.cf or master.cf, sorted.
fn corpus_dirs(corpus: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for base in [corpus.to_path_buf(), corpus.join("templated")] {
        for entry in std::fs::read_dir(&base).unwrap() {
            let path = entry.unwrap().path();
            if path.join("main.cf").is_file() || path.join("master.cf").is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 50, "only {} corpus directories", out.len());
    out
}

const DIAGNOSTIC_KEYS: [&str; 14] = [
    "rule",
    "code",
    "severity",
    "message",
    "file",
    "line",
    "column",
    "end_line",
    "end_column",
    "service",
    "help",
    "url",
    "notes",
    "related",
];

/// Checks one diagnostic against the contract; returns its severity.
fn assert_contract(d: &Value) -> String {
    let keys = keys_of(d);
    assert_eq!(keys, DIAGNOSTIC_KEYS.into_iter().collect(), "{d}");
    let rule = d["rule"].as_str().unwrap();
    assert!(
        !rule.is_empty()
            && rule
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "{rule}"
    );
    assert!(!d["code"].as_str().unwrap().is_empty());
    assert!(!d["message"].as_str().unwrap().is_empty());
    assert!(!d["file"].as_str().unwrap().is_empty());
    for key in ["line", "column", "end_line", "end_column"] {
        assert!(d[key].as_u64().unwrap() >= 1, "{key} in {d}");
    }
    assert!(
        (d["end_line"].as_u64(), d["end_column"].as_u64())
            >= (d["line"].as_u64(), d["column"].as_u64()),
        "{d}"
    );
    match &d["service"] {
        Value::Null => {}
        Value::String(s) => {
            let (name, kind) = s.rsplit_once('/').unwrap();
            assert!(
                !name.is_empty() && ["inet", "unix", "unix-dgram", "fifo", "pass"].contains(&kind),
                "{s}"
            );
        }
        other => panic!("service {other}"),
    }
    for key in ["help", "url"] {
        assert!(d[key].is_null() || d[key].is_string(), "{key} in {d}");
    }
    for r in d["related"].as_array().unwrap() {
        for key in ["file", "message"] {
            assert!(r[key].is_string(), "{key} in {r}");
        }
        for key in ["line", "column"] {
            assert!(r[key].as_u64().unwrap() >= 1, "{key} in {r}");
        }
    }
    let severity = d["severity"].as_str().unwrap().to_owned();
    assert!(
        ["error", "warning", "info"].contains(&severity.as_str()),
        "{severity}"
    );
    severity
}

/// The keys of a JSON object.
fn keys_of(object: &Value) -> BTreeSet<&str> {
    object
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

/// Checks the whole document; returns the diagnostics.
fn assert_document(doc: &Value) -> Vec<Value> {
    let keys = keys_of(doc);
    assert_eq!(
        keys,
        ["diagnostics", "summary", "version"].into_iter().collect()
    );
    assert_eq!(doc["version"], 1);
    let diagnostics = doc["diagnostics"].as_array().unwrap().clone();
    let mut counts = [0u64; 3];
    for d in &diagnostics {
        match assert_contract(d).as_str() {
            "error" => counts[0] += 1,
            "warning" => counts[1] += 1,
            _ => counts[2] += 1,
        }
    }
    let summary = &doc["summary"];
    let keys = keys_of(summary);
    assert_eq!(
        keys,
        ["errors", "files", "infos", "warnings"]
            .into_iter()
            .collect()
    );
    assert_eq!(
        [&summary["errors"], &summary["warnings"], &summary["infos"]].map(|v| v.as_u64().unwrap()),
        counts
    );
    diagnostics
}

#[test]
fn json_contract() {
    let (code, doc) = json(&["check", "examples/insecure", "examples/hardened"]);
    assert_eq!(code, Some(1));
    let diagnostics = assert_document(&doc);
    assert_eq!(doc["summary"]["files"], 4);
    // One finding pinned field by field.
    let deprecated = diagnostics
        .iter()
        .find(|d| d["rule"] == "deprecated-parameter")
        .unwrap();
    assert_eq!(
        deprecated,
        &serde_json::json!({
            "rule": "deprecated-parameter", "code": "PL006", "severity": "warning",
            "message": "`smtpd_use_tls` is deprecated (Postfix 3.9 and later warn)",
            "file": "examples/insecure/main.cf", "line": 12, "column": 1,
            "end_line": 12, "end_column": 14, "service": null,
            "help": "use `smtpd_tls_security_level` instead",
            "url": "https://www.postfix.org/DEPRECATION_README.html",
            "notes": [], "related": []
        })
    );
    // A clean configuration: an empty list, zero counts.
    let (code, doc) = json(&["check", "examples/hardened"]);
    assert_eq!(code, Some(0));
    assert!(assert_document(&doc).is_empty());
    assert_eq!(doc["summary"]["files"], 2);
}

#[test]
fn json_related_locations_and_services() {
    // The many-errors fixture reports findings in both files.
    let (_, doc) = json(&["check", "tests/fixtures/check/many-errors"]);
    let diagnostics = assert_document(&doc);
    let files: BTreeSet<&str> = diagnostics
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(files.len() == 2, "{files:?}");
}

fn multitool() -> Option<PathBuf> {
    let path = std::env::var_os("POSTLINT_SARIF_MULTITOOL").map_or_else(
        || root().join("tests/sarif/node_modules/.bin/sarif-multitool"),
        PathBuf::from,
    );
    if path.is_file() {
        Some(path)
    } else {
        skip_or_fail(
            "SARIF schema validation",
            &format!(
                "no sarif-multitool at {} (run `npm ci` in tests/sarif)",
                path.display()
            ),
        );
        None
    }
}

/// Validates `sarif` with Microsoft's validator; panics with its report on any error.
fn validate_sarif(name: &str, sarif: &[u8]) {
    let Some(tool) = multitool() else { return };
    let dir = std::env::temp_dir().join(format!("postlint-sarif-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.sarif");
    std::fs::write(&file, sarif).unwrap();
    let out = Command::new(tool)
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let report = text(&out.stdout);
    assert!(out.status.success(), "{report}{}", text(&out.stderr));
    assert!(
        report.contains("Analysis completed successfully"),
        "{report}"
    );
    let errors: Vec<&str> = report.lines().filter(|l| l.contains(": error ")).collect();
    assert!(
        errors.is_empty(),
        "SARIF validation errors:\n{}",
        errors.join("\n")
    );
    let warnings: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(": warning "))
        .collect();
    assert!(
        warnings.is_empty(),
        "SARIF validation warnings:\n{}",
        warnings.join("\n")
    );
}

#[test]
fn sarif_is_valid_and_complete() {
    let out = postlint(&[
        "check",
        "examples/insecure",
        "tests/fixtures/check/many-errors",
        "--format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "postlint");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        for key in [
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "helpUri",
            "defaultConfiguration",
        ] {
            assert!(!rule[key].is_null(), "{key} missing in {rule}");
        }
        assert!(
            ["error", "warning", "note"]
                .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap())
        );
    }
    let (_, doc) = json(&[
        "check",
        "examples/insecure",
        "tests/fixtures/check/many-errors",
    ]);
    let diagnostics = doc["diagnostics"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), diagnostics.len());
    for (r, d) in results.iter().zip(diagnostics) {
        assert_eq!(r["ruleId"], d["rule"]);
        let i = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[i]["id"], r["ruleId"]);
        let location = &r["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.ends_with(d["file"].as_str().unwrap()), "{uri}");
        assert_eq!(location["region"]["startLine"], d["line"]);
        assert_eq!(location["region"]["startColumn"], d["column"]);
        assert_eq!(location["region"]["endLine"], d["end_line"]);
    }
    validate_sarif("examples", &out.stdout);
}

#[test]
fn github_workflow_commands() {
    let out = postlint(&["check", "examples/insecure", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let (_, doc) = json(&["check", "examples/insecure"]);
    let diagnostics = doc["diagnostics"].as_array().unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), diagnostics.len(), "{stdout}");
    for (line, d) in lines.iter().zip(diagnostics) {
        let command = match d["severity"].as_str().unwrap() {
            "error" => "::error ",
            "warning" => "::warning ",
            _ => "::notice ",
        };
        assert!(line.starts_with(command), "{line}");
        assert!(
            line.contains(&format!(
                "file={},line={},col={},",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"]
            )),
            "{line}"
        );
    }
    assert!(lines.contains(&"::warning file=examples/insecure/main.cf,line=12,col=1,endLine=12,endColumn=14,title=PL006 deprecated-parameter::`smtpd_use_tls` is deprecated (Postfix 3.9 and later warn)%0Ahelp: use `smtpd_tls_security_level` instead"), "{stdout}");
}

#[test]
fn exit_codes() {
    const WARN: &str = "tests/fixtures/cli/warning-only";
    const POLICY: &str = "tests/fixtures/cli/broken-policy.toml";
    let cases: &[(&[&str], i32)] = &[
        (&["examples/hardened"], 0),
        (&["examples/insecure"], 1),
        (&["examples/insecure", "--exit-zero"], 0),
        (&["tests/fixtures/does-not-exist"], 2),
        // A warning fails only at --fail-on warning (or info).
        (&[WARN], 0),
        (&[WARN, "--fail-on", "warning"], 1),
        (&[WARN, "--fail-on", "info"], 1),
        (&[WARN, "--fail-on", "error"], 0),
        (&[WARN, "--fail-on", "warning", "--exit-zero"], 0),
        // --ignore and --select change what fails.
        (
            &[
                WARN,
                "--fail-on",
                "warning",
                "--ignore",
                "unknown-parameter",
            ],
            0,
        ),
        (
            &[WARN, "--fail-on", "warning", "--select", "PL001,PL006"],
            0,
        ),
        (&[WARN, "--fail-on", "warning", "--select", "PL002"], 1),
        // Usage errors: a broken or unreadable policy file, a missing --config, a bad flag,
        // standard input twice.
        (&["examples/hardened", "--policy", POLICY], 2),
        (
            &[
                "examples/hardened",
                "--policy",
                "tests/fixtures/cli/no-such.toml",
            ],
            2,
        ),
        (
            &[
                "examples/hardened",
                "--config",
                "tests/fixtures/cli/no-such.toml",
            ],
            2,
        ),
        (&["examples/hardened", "--format", "xml"], 2),
        (&["-", "-"], 2),
    ];
    for (args, expected) in cases {
        let out = postlint(&[&["check"], *args].concat());
        assert_eq!(
            out.status.code(),
            Some(*expected),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // One unreadable PATH among good ones: the rest is still reported, and the status is 2.
    let out = postlint(&[
        "check",
        "examples/hardened",
        "tests/fixtures/does-not-exist",
        "--exit-zero",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("0 error(s), 0 warning(s)"));
    // The broken policy's load error is reported like any finding.
    let broken = postlint(&["check", "examples/hardened", "--policy", POLICY]);
    assert!(
        text(&broken.stdout).contains("policy-error"),
        "{}",
        text(&broken.stdout)
    );
}

#[test]
fn postlint_toml_applies_per_directory_and_flags_win() {
    let dir = "tests/fixtures/cli/config-fail-on-warning";
    let code = |args: &[&str]| postlint(args).status.code();
    // The directory's postlint.toml says `fail-on = "warning"`.
    assert_eq!(code(&["check", dir]), Some(1));
    assert_eq!(code(&["check", dir, "--fail-on", "error"]), Some(0));
    // In a fleet each directory keeps its own file.
    assert_eq!(code(&["check", "tests/fixtures/cli/warning-only"]), Some(0));
    assert_eq!(
        code(&["check", "tests/fixtures/cli/warning-only", dir]),
        Some(1)
    );
    // --config replaces discovery.
    assert_eq!(
        code(&[
            "check",
            "tests/fixtures/cli/warning-only",
            "--config",
            &format!("{dir}/postlint.toml")
        ]),
        Some(1)
    );
}

#[test]
fn stdin_is_checked_like_the_file() {
    let main = std::fs::read(root().join("examples/insecure/main.cf")).unwrap();
    let out = postlint_stdin(
        &[
            "check",
            "-",
            "--stdin-filename",
            "examples/insecure/main.cf",
            "--format",
            "json",
        ],
        Some(&main),
    );
    assert_eq!(out.status.code(), Some(1));
    let from_stdin: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, from_file) = json(&["check", "examples/insecure/main.cf"]);
    assert_eq!(from_stdin, from_file);
    assert!(!assert_document(&from_stdin).is_empty());
    // Without a name: `<stdin>`, and the kind comes from the content.
    let master = std::fs::read(root().join("examples/insecure/master.cf")).unwrap();
    let out = postlint_stdin(&["check", "-", "--format", "json"], Some(&master));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, file) = json(&["check", "examples/insecure/master.cf"]);
    let names = |doc: &Value| -> Vec<(String, u64)> {
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_owned(),
                    d["line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(names(&doc), names(&file));
    assert!(
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["file"] == "<stdin>")
    );
}

#[test]
fn postconf_dumps_are_read_by_content() {
    let Some(corpus) = corpus() else { return };
    let mut checked = 0;
    for dir in corpus_dirs(&corpus) {
        let n = dir.join("postconf/n.out");
        let m = dir.join("postconf/M.out");
        if !n.is_file() || std::fs::metadata(&n).unwrap().len() == 0 || !m.is_file() {
            continue;
        }
        for (dump, file) in [(&n, "main.cf"), (&m, "master.cf")] {
            let (code, as_dump) = json(&["check", dump.to_str().unwrap()]);
            let diagnostics = assert_document(&as_dump);
            assert!(
                diagnostics.iter().all(|d| d["rule"] != "syntax-error"),
                "{}: {as_dump}",
                dump.display()
            );
            assert!(code.is_some_and(|c| c <= 1), "{}", dump.display());
            // The same dump under its real name gives the same findings: the content decided
            // the kind correctly.
            let copy = std::env::temp_dir()
                .join(format!("postlint-dump-{}-{checked}", std::process::id()));
            std::fs::create_dir_all(&copy).unwrap();
            std::fs::copy(dump, copy.join(file)).unwrap();
            let (_, as_named) = json(&["check", copy.join(file).to_str().unwrap()]);
            std::fs::remove_dir_all(&copy).unwrap();
            let strip = |doc: &Value| -> Vec<(Value, Value, Value)> {
                doc["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| (d["rule"].clone(), d["line"].clone(), d["message"].clone()))
                    .collect()
            };
            assert_eq!(strip(&as_named), strip(&as_dump), "{}", dump.display());
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} dumps checked");
}

#[test]
fn fleet_mode_matches_one_by_one_in_a_stable_order() {
    let Some(corpus) = corpus() else { return };
    let dirs = corpus_dirs(&corpus);
    let args: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    let mut all: Vec<&str> = vec!["check"];
    all.extend(args.iter().map(String::as_str));
    let (_, fleet) = json(&all);
    let fleet_diagnostics = assert_document(&fleet);
    let mut one_by_one = Vec::new();
    let mut files = 0;
    for dir in &args {
        let (_, doc) = json(&["check", dir]);
        files += doc["summary"]["files"].as_u64().unwrap();
        one_by_one.extend(doc["diagnostics"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(fleet_diagnostics.len(), one_by_one.len());
    assert_eq!(fleet_diagnostics, one_by_one);
    assert_eq!(fleet["summary"]["files"].as_u64().unwrap(), files);
    // Same again: byte for byte.
    let again = postlint(&[all.clone(), vec!["--format", "json"]].concat());
    assert_eq!(
        serde_json::from_slice::<Value>(&again.stdout).unwrap(),
        fleet
    );
    // The human output too follows argument order.
    let human = text(&postlint(&all).stdout);
    let mut last = 0;
    for dir in &args {
        if let Some(at) = human.find(&format!("{dir}/")) {
            assert!(at >= last, "{dir} out of order");
            last = at;
        }
    }
    // And the SARIF of the whole fleet is valid.
    let sarif = postlint(&[all.clone(), vec!["--format", "sarif"]].concat());
    validate_sarif("fleet", &sarif.stdout);
}

#[test]
fn check_files_looks_at_the_file_system_only_when_asked() {
    let dir = std::env::temp_dir().join(format!("postlint-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.display();
    std::fs::write(dir.join("cert.pem"), "cert").unwrap();
    std::fs::write(dir.join("key.pem"), "key").unwrap();
    std::fs::write(dir.join("transport"), "example.org smtp:[relay]\n").unwrap();
    std::fs::write(dir.join("access"), "1.2.3.4 OK\n").unwrap();
    std::fs::write(dir.join("access.db"), "").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir.join("key.pem"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    // transport has no .db; access.db is made older than access.
    let old = std::time::SystemTime::now() - std::time::Duration::from_hours(1);
    std::fs::File::options()
        .write(true)
        .open(dir.join("access.db"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    std::fs::write(
        dir.join("main.cf"),
        format!(
            "smtpd_tls_cert_file = {d}/cert.pem\nsmtpd_tls_key_file = {d}/key.pem\n\
             smtp_tls_CAfile = {d}/missing-ca.pem\ntransport_maps = hash:{d}/transport\n\
             smtpd_client_restrictions = check_client_access hash:{d}/access\n"
        ),
    )
    .unwrap();
    let p = dir.to_str().unwrap();
    let (code, plain) = json(&["check", p]);
    assert_eq!(code, Some(0), "{plain}");
    assert!(assert_document(&plain).is_empty(), "{plain}");
    let (code, doc) = json(&["check", p, "--check-files"]);
    let found: BTreeSet<(String, u64)> = assert_document(&doc)
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    let mut expected: BTreeSet<(String, u64)> = [
        ("missing-file".to_owned(), 3),
        ("stale-table".to_owned(), 4),
        ("stale-table".to_owned(), 5),
    ]
    .into_iter()
    .collect();
    if cfg!(unix) {
        expected.insert(("world-readable-key".to_owned(), 2));
    }
    assert_eq!(found, expected, "{doc}");
    assert_eq!(code, Some(1));
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = postlint(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        assert!(
            script.contains("postlint") && script.contains("fail-on"),
            "{shell}: {script}"
        );
    }
    let out = postlint(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = text(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH postlint"),
        "{page}"
    );
    for needle in [
        "POSTLINT CHECK",
        "check\\-files",
        "fail\\-on",
        "stdin\\-filename",
    ] {
        assert!(page.contains(needle), "man page lacks {needle}");
    }
}
