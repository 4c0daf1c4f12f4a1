//! `postlint.toml` for the editor: the same discovery and parsing the CLI uses
//! ([`postlint_linter::config`]), found from the configuration directory upwards on every
//! check, so editing it takes effect at the next keystroke in main.cf or master.cf.

use std::path::Path;

use postlint_diagnostics::{Diagnostic, FileId, LineIndex, Severity, TextRange};
use postlint_linter::Settings;
use postlint_linter::config::{CONFIG_ERROR_CODE, CONFIG_ERROR_RULE, ProjectConfig, discover};

use crate::diagnostics::to_lsp;
use crate::encoding::{Encoding, Lines};
use crate::workspace::file_uri;

/// The settings for one configuration directory, and the problems of its `postlint.toml`.
#[derive(Debug)]
pub struct Resolved {
    /// What to check with.
    pub settings: Settings,
    /// The `postlint.toml` that applied (its URI) with its problems as LSP diagnostics;
    /// `None` when there is none.
    pub config_file: Option<(String, Vec<lsp_types::Diagnostic>)>,
}

/// Applies the `postlint.toml` found from `dir` upwards to `base`. A file with problems is
/// not applied (as the CLI refuses to run with it); its problems are returned instead.
pub fn resolve(base: &Settings, dir: Option<&Path>, encoding: Encoding) -> Resolved {
    let mut settings = base.clone();
    // Absolute, whatever the server's working directory: the path becomes a URI, and policy
    // files named relative to it become URIs too.
    let Some(path) = dir
        .and_then(discover)
        .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
    else {
        return Resolved {
            settings,
            config_file: None,
        };
    };
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let problems = match ProjectConfig::parse(&text, FileId(0)) {
        Ok(config) => {
            let mut candidate = settings.clone();
            let base_dir = path.parent().unwrap_or(Path::new("."));
            match config.apply(&mut candidate, base_dir) {
                Ok(()) => {
                    settings = candidate;
                    Vec::new()
                }
                Err(message) => vec![Diagnostic::new(
                    CONFIG_ERROR_RULE,
                    CONFIG_ERROR_CODE,
                    Severity::Error,
                    message,
                    FileId(0),
                    TextRange::new(0, 0),
                )],
            }
        }
        Err(errors) => errors,
    };
    let index = LineIndex::new(text.as_bytes());
    let lines = Lines {
        text: text.as_bytes(),
        index: &index,
    };
    let diagnostics = problems
        .iter()
        .filter_map(|d| {
            let at = d.primary()?;
            Some(to_lsp(d, lines.range(encoding, at.range), Vec::new()))
        })
        .collect();
    Resolved {
        settings,
        config_file: Some((uri, diagnostics)),
    }
}
