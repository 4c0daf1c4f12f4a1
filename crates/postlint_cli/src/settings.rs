//! From command-line flags and `postlint.toml` to the check function's [`Settings`].
//!
//! The configuration file that applies to a configuration directory is `--config FILE`, or
//! else the nearest `postlint.toml` from the directory upward. Flags add to it: `--select`,
//! `--ignore` and `--policy` come after the file's lists; `--fail-on` replaces its `fail-on`.

use std::path::{Path, PathBuf};

use postlint_diagnostics::{FileId, Severity};
use postlint_linter::config::{self, ProjectConfig};
use postlint_linter::{PolicyFile, Settings};

use crate::args::CheckArgs;
use crate::render::{RenderFile, human};

/// What every target starts from: the flags, with the files they name read once.
#[derive(Debug, Clone)]
pub struct Base {
    /// `--postfix-version`.
    version: postlint_syntax::PostfixVersion,
    /// `--policy` files.
    policies: Vec<PolicyFile>,
    /// `--select`.
    select: Vec<String>,
    /// `--ignore`.
    ignore: Vec<String>,
    /// `--fail-on`, if given.
    fail_on: Option<Severity>,
    /// `--config FILE`: one configuration file for every target instead of discovery.
    config: Option<PathBuf>,
}

/// The settings for one target, and the severity from which its findings fail the run.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// For the check function.
    pub settings: Settings,
    /// `--fail-on`, else the configuration file's `fail-on`, else error.
    pub fail_on: Severity,
}

/// Reads the flags and the files they name (`--policy`, `--config`); an unreadable file is
/// an error.
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
        version: args.target.postfix_version,
        policies,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.map(crate::args::FailOn::severity),
        config: args.config.clone(),
    })
}

/// Why a target could not be set up.
#[derive(Debug, Clone)]
pub enum Failure {
    /// A one-line message, printed after `postlint: error: `.
    Message(String),
    /// Diagnostics already rendered (problems of a `postlint.toml`), printed as they are.
    Rendered(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self::Message(message)
    }
}

/// `path` relative to the working directory when it lies below it, so that names in output
/// do not depend on where the checkout is.
fn relative(path: &Path) -> PathBuf {
    std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// The settings for the configuration in `dir` (`None`: standard input without a name, which
/// uses `--config` or the working directory's `postlint.toml`).
pub fn for_dir(base: &Base, dir: Option<&Path>) -> Result<Resolved, Failure> {
    let mut settings = Settings {
        version: base.version,
        ..Settings::default()
    };
    let mut fail_on = None;
    let file = base
        .config
        .clone()
        .or_else(|| config::discover(dir.unwrap_or(Path::new("."))).map(|p| relative(&p)));
    if let Some(path) = file {
        let project = load(&path)?;
        let dir_of_file = path.parent().unwrap_or(Path::new("."));
        project.apply(&mut settings, dir_of_file)?;
        fail_on = project.fail_on;
    }
    settings.policies.extend(base.policies.iter().cloned());
    settings.select.extend(base.select.iter().cloned());
    settings.ignore.extend(base.ignore.iter().cloned());
    Ok(Resolved {
        settings,
        fail_on: base.fail_on.or(fail_on).unwrap_or(Severity::Error),
    })
}

/// Reads and parses one `postlint.toml`; its problems come back rendered, for standard error.
fn load(path: &Path) -> Result<ProjectConfig, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read configuration file {}: {e}", path.display()))?;
    let id = FileId(0);
    ProjectConfig::parse(&text, id).map_err(|errors| {
        let files = [RenderFile::new(
            id,
            path.display().to_string(),
            text.as_bytes(),
        )];
        let color = crate::render::stderr_color();
        Failure::Rendered(errors.iter().map(|d| human(d, &files, color)).collect())
    })
}
