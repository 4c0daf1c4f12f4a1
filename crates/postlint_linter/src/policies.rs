//! Running TOML policies: loading the packs and the user's files, and evaluating them against
//! every master.cf service through the model.

use std::sync::Arc;

use postlint_diagnostics::{Diagnostic, FileId, LineIndex};
use postlint_policy::{LoadOptions, Policy};
use postlint_postconf::Config;

use crate::check::{FileKind, ReportFile, Settings};

/// The built-in analyses policies may call.
pub const ANALYSES: &[&str] = &[];

/// Loads the enabled packs and the user's policy files; each becomes a [`ReportFile`] so load
/// errors can point into it.
pub fn load_all(
    settings: &Settings,
    files: &mut Vec<ReportFile>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Policy> {
    let sources = settings
        .packs
        .iter()
        .map(|p| (p.file_name().to_owned(), p.text().to_owned()))
        .chain(
            settings
                .policies
                .iter()
                .map(|f| (f.name.clone(), f.text.clone())),
        );
    let mut policies = Vec::new();
    for (name, text) in sources {
        let id = FileId(u32::try_from(files.len()).unwrap_or(u32::MAX));
        let loaded = postlint_policy::load(
            &text,
            &LoadOptions {
                file: id,
                analyses: ANALYSES,
            },
        );
        let text: Arc<[u8]> = Arc::from(text.into_bytes());
        files.push(ReportFile {
            id,
            kind: FileKind::Policy,
            name,
            index: LineIndex::new(&text),
            text,
            present: true,
        });
        policies.extend(loaded.policies);
        diagnostics.extend(loaded.diagnostics);
    }
    policies
}

/// Evaluates `policies` against every service of `config`.
pub fn evaluate_all(_config: &Config, _policies: &[Policy], _diagnostics: &mut Vec<Diagnostic>) {}
