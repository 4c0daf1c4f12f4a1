//! Test support shared by postlint's test suites.
//!
//! The postconf corpus (real configurations and Postfix 3.7's output on each) is third-party
//! data kept outside the repository: `$POSTLINT_CORPUS`, else `shared/corpus` next to the
//! checkout. Where it is absent a layer that needs it is skipped, loudly; under CI
//! (`CI=true`) its absence is a failure.

#![allow(
    clippy::panic,
    clippy::print_stderr,
    reason = "test support: a missing corpus under CI must fail the test, and a skip must be seen"
)]

use std::path::{Path, PathBuf};

/// The corpus directory, or `None` after printing that `layer` is skipped.
///
/// # Panics
/// When the corpus is absent and `CI=true`: CI never skips a layer.
pub fn corpus_dir(layer: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("POSTLINT_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    );
    if dir.join("ORACLE.md").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the postconf corpus is missing at {} and CI=true: the {layer} layer must run in CI",
        dir.display()
    );
    eprintln!(
        "\n*** SKIPPED: {layer}: no corpus at {} (set POSTLINT_CORPUS) ***\n",
        dir.display()
    );
    None
}

/// Debian's `postconf`, the oracle the live tests run.
pub const POSTCONF: &str = "/usr/sbin/postconf";

/// Whether [`POSTCONF`] is installed; `false` after printing that `layer` is skipped.
///
/// # Panics
/// When it is missing and `CI=true` (`cargo xtask test` installs it).
pub fn postconf_available(layer: &str) -> bool {
    if Path::new(POSTCONF).is_file() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{POSTCONF} is missing and CI=true: install Debian's postfix (cargo xtask test does)"
    );
    eprintln!("\n*** SKIPPED: {layer}: {POSTCONF} not installed (run `cargo xtask test`) ***\n");
    false
}

/// Every corpus directory holding a `postconf/` record, as (slug, path), sorted; the
/// `templated/` ones are named `templated/NAME`.
pub fn corpus_cases(corpus: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for (prefix, dir) in [
        ("", corpus.to_path_buf()),
        ("templated/", corpus.join("templated")),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.join("postconf/rc.txt").is_file() {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                out.push((format!("{prefix}{name}"), path));
            }
        }
    }
    out
}
