//! From command-line flags (and `postlint.toml`) to the check function's [`Settings`].
//!
//! Flags win over the configuration file: `--select`/`--ignore` add to it, `--policy` files
//! come after its policies, `--postfix-version` and `--fail-on` replace its values.

use std::path::{Path, PathBuf};

use postlint_diagnostics::Severity;
use postlint_linter::{PolicyFile, Settings};

use crate::args::CheckArgs;

/// What every target starts from: the flags, read once.
#[derive(Debug, Clone)]
pub struct Base {
    /// Settings from the flags alone.
    pub settings: Settings,
    /// `--fail-on` (or the configuration file's), if given.
    pub fail_on: Option<Severity>,
    /// `--config FILE`: one configuration file for every target instead of discovery.
    pub config: Option<PathBuf>,
}

/// Reads the flags and the files they name (`--policy`); an unreadable file is an error.
pub fn base(args: &CheckArgs) -> Result<Base, String> {
    let mut policies = Vec::new();
    for path in &args.policy {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read policy file {}: {e}", path.display()))?;
        policies.push(PolicyFile {
            name: path.display().to_string(),
            text,
        });
    }
    if let Some(config) = &args.config
        && !config.is_file()
    {
        return Err(format!(
            "cannot read configuration file {}: no such file",
            config.display()
        ));
    }
    Ok(Base {
        settings: Settings {
            version: args.target.postfix_version,
            policies,
            select: args.select.clone(),
            ignore: args.ignore.clone(),
            ..Settings::default()
        },
        fail_on: args.fail_on.map(crate::args::FailOn::severity),
        config: args.config.clone(),
    })
}

/// The settings for the configuration in `dir`: the flags over the `postlint.toml` that
/// applies there (`--config`, or the nearest one from `dir` upward).
pub fn for_dir(base: &Base, _args: &CheckArgs, _dir: Option<&Path>) -> Result<Settings, String> {
    if let Some(path) = &base.config {
        std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read configuration file {}: {e}", path.display()))?;
    }
    Ok(base.settings.clone())
}
