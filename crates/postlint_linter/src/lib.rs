//! postlint's rules. Every finding postlint reports comes from a rule in the [`registry`],
//! which gives it a stable kebab-case name, a short code, a default severity and its docs.
//!
//! [`lint`] runs every rule over a parsed configuration and returns diagnostics sorted by
//! file and position. It is pure: no file system, environment or clock.

pub mod check;
mod policies;
pub mod registry;
mod rules;
pub mod service;
mod suppress;

use postlint_diagnostics::Diagnostic;
use postlint_postconf::Config;

pub use check::{
    FileKind, Input, Pack, PolicyFile, Report, ReportFile, Settings, SourceFile, check, count,
};
pub use policies::ANALYSES;
pub use registry::{RULES, RuleMeta, rule};

/// Runs every rule over `config`.
pub fn lint(config: &Config) -> Vec<Diagnostic> {
    let ctx = rules::Context::new(config);
    let mut out = Vec::new();
    rules::run_all(&ctx, &mut out);
    for d in &mut out {
        if let Some(meta) = rule(&d.rule) {
            d.code = meta.code.to_owned();
            if d.url.is_none() {
                d.url = Some(meta.url.to_owned());
            }
        }
    }
    out.sort_by_key(|d| d.primary().map(|l| (l.file, l.range.start, l.range.end)));
    out
}
