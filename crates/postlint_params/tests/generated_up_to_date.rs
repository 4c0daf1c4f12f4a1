//! `src/generated.rs` must be exactly what `cargo xtask codegen` renders from the TSV files.
//!
//! The generator is the `xtask` module itself, included by path, so this test needs neither a
//! nested `cargo` nor the `xtask` binary. When the TSV directory is missing (a checkout without
//! `shared/spec`), the test prints `SKIPPED` and passes, except under `CI=true`, where missing
//! data is a failure.

#[path = "../../../xtask/src/codegen/params.rs"]
mod params;

use std::io::Write as _;
use std::path::Path;

#[test]
fn generated_table_is_up_to_date() {
    let workspace_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let spec_dir = params::spec_dir(&workspace_root);
    if !spec_dir.is_dir() {
        let message = format!(
            "parameter TSV directory {} not found (set {} to override)",
            spec_dir.display(),
            params::SPEC_DIR_ENV
        );
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true: {message}"
        );
        // Straight to the stderr handle: libtest captures `eprintln!` of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: generated_table_is_up_to_date: {message}"
        );
        return;
    }
    let spec = params::SpecFiles::read(&spec_dir).unwrap();
    let expected = params::render(&spec).unwrap();
    let actual = std::fs::read_to_string(workspace_root.join(params::GENERATED_PATH)).unwrap();
    assert!(actual.starts_with(params::HEADER));
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()))
            + 1;
        panic!(
            "{} is out of date (first difference at line {line}); run `cargo xtask codegen`",
            params::GENERATED_PATH
        );
    }
}
