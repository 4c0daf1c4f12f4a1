//! Helpers shared by the tests that compare the model with Postfix's `postconf`.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "test helpers: each test file uses a part; a panic is a failed test; skips are said on stderr"
)]

use std::path::{Path, PathBuf};

use postlint_diagnostics::FileId;
use postlint_model::{HostFacts, Model, ModelOptions, ReferenceStep};
use postlint_syntax::{MainCf, MasterCf, PostfixVersion};

/// `mynetworks` as postconf 3.7.11 computed it on the oracle host for `mynetworks_style =
/// subnet` and `inet_interfaces = all` (recorded in `spec/params/postfix-params-3.7.tsv`).
/// Postfix ends the computed list with a space (`mynetworks.c` appends `"%s/%d "`), which
/// shows where the value is embedded in another (`..., $mynetworks, ...`).
pub const ORACLE_MYNETWORKS: &str = "127.0.0.0/8 192.0.2.0/24 [::1]/128 [fd00::]/64 [fe80::]/64 ";

/// The shared corpus, or `None` (said loudly) when absent; a failure when absent under CI.
pub fn corpus_dir() -> Option<PathBuf> {
    postlint_testkit::corpus_dir("postconf comparison")
}

/// Every corpus directory holding a `postconf/` record, as (slug, path).
pub fn cases(corpus: &Path) -> Vec<(String, PathBuf)> {
    postlint_testkit::corpus_cases(corpus)
}

/// Whitespace normalised as postconf prints it.
pub fn normalise(value: &str) -> String {
    value
        .split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every run of digits replaced by one `#` (process ids differ in length).
pub fn mask_digits(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if !c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('#') {
            out.push('#');
        }
    }
    out
}

pub fn uses_process_id(references: &[ReferenceStep]) -> bool {
    references.iter().any(|r| r.name == "process_id")
}

/// The model of one corpus directory, configured like the oracle run.
pub fn oracle_model(corpus: &Path, dir: &Path, config_dir: &str) -> Model {
    let main = std::fs::read(dir.join("main.cf")).unwrap_or_default();
    let master = std::fs::read(dir.join("master.cf"))
        .or_else(|_| std::fs::read(corpus.join("debian12-postinst/master.cf")))
        .unwrap();
    let main = MainCf::parse(&main, FileId(0));
    let master = MasterCf::parse(&master, FileId(1));
    Model::new(
        &main,
        &master,
        ModelOptions {
            version: PostfixVersion::V3_7,
            host: HostFacts {
                hostname: Some("vm".to_owned()),
                mynetworks: Some(ORACLE_MYNETWORKS.to_owned()),
                process_id: Some("4242".to_owned()),
                config_directory: Some(config_dir.to_owned()),
            },
            ..ModelOptions::default()
        },
    )
}
