//! `cargo xtask codegen [--check]`: regenerates the checked-in generated sources.
//!
//! Today that is the parameter table of `postlint_params` (see [`params`]). Without `--check`
//! the file is rewritten when it differs; with `--check` nothing is written and a stale file is
//! an error, which is what CI runs.

pub mod params;

use std::path::Path;

const USAGE: &str = "usage: cargo xtask codegen [--check]

Regenerates crates/postlint_params/src/generated.rs from the Postfix parameter
TSV files (directory: $POSTLINT_SPEC_DIR, default <workspace>/../shared/spec/params).

  --check   do not write; fail if the file is missing or out of date";

/// Runs the subcommand with the arguments that follow `codegen`.
pub fn run(workspace_root: &Path, args: &[String]) -> Result<(), String> {
    let mut check = false;
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("codegen: unknown argument `{other}`\n\n{USAGE}")),
        }
    }

    let spec_dir = params::spec_dir(workspace_root);
    let spec = params::SpecFiles::read(&spec_dir)?;
    let rendered = params::render(&spec).map_err(|e| format!("{}: {e}", spec_dir.display()))?;

    let target = workspace_root.join(params::GENERATED_PATH);
    let current = std::fs::read_to_string(&target).ok();
    if current.as_deref() == Some(rendered.as_str()) {
        if !check {
            println!("{} is up to date", params::GENERATED_PATH);
        }
        return Ok(());
    }
    if check {
        return Err(format!(
            "{} is {} with respect to {}; run `cargo xtask codegen` and commit the result",
            params::GENERATED_PATH,
            if current.is_some() {
                "out of date"
            } else {
                "missing"
            },
            spec_dir.display(),
        ));
    }
    std::fs::write(&target, rendered)
        .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    println!("wrote {}", params::GENERATED_PATH);
    Ok(())
}
