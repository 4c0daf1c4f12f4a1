//! Inline suppressions: `# postlint: ignore[rule] reason` comments.

use postlint_diagnostics::Diagnostic;

use crate::check::ReportFile;

/// Drops suppressed diagnostics and reports unused suppressions.
pub fn apply(_files: &[ReportFile], _diagnostics: &mut Vec<Diagnostic>) {}
