//! The built-in rules, one module each: metadata and docs first, then the logic.

pub mod deprecated_parameter;
pub mod duplicate_parameter;
pub mod malformed_compatibility_level;
pub mod read_only_parameter;
pub mod recursive_expansion;
pub mod syntax_error;
pub mod undefined_reference;
pub mod unknown_parameter;

use postlint_diagnostics::{Diagnostic, Severity};
use postlint_postconf::Config;
use postlint_postconf::used::Usage;

use crate::registry::RuleMeta;

/// What every rule may look at, computed once.
pub struct Context<'a> {
    /// The parsed configuration.
    pub config: &'a Config,
    /// postconf's bookkeeping over it.
    pub usage: Usage,
    /// The model's own findings (expansion errors, cycles, compatibility level).
    pub model_diagnostics: Vec<Diagnostic>,
}

impl<'a> Context<'a> {
    /// The context from analyses the caller computed (in parallel, say).
    pub fn from_parts(
        config: &'a Config,
        usage: Usage,
        model_diagnostics: Vec<Diagnostic>,
    ) -> Self {
        Self {
            config,
            usage,
            model_diagnostics,
        }
    }

    /// The model's diagnostics of one rule.
    pub fn model_findings(&self, rule: &str) -> impl Iterator<Item = &Diagnostic> {
        self.model_diagnostics
            .iter()
            .filter(move |d| d.rule == rule)
    }
}

/// Runs every rule.
pub fn run_all(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    syntax_error::check(ctx, out);
    unknown_parameter::check(ctx, out);
    duplicate_parameter::check(ctx, out);
    undefined_reference::check(ctx, out);
    deprecated_parameter::check(ctx, out);
    read_only_parameter::check(ctx, out);
    recursive_expansion::check(ctx, out);
    malformed_compatibility_level::check(ctx, out);
}

/// A diagnostic of `meta`'s rule with its default severity.
pub fn diagnostic(
    meta: &RuleMeta,
    message: String,
    file: postlint_diagnostics::FileId,
    range: postlint_diagnostics::TextRange,
) -> Diagnostic {
    Diagnostic::new(meta.name, meta.code, meta.severity, message, file, range)
}

/// A default severity, spelled out for the `META` constants.
pub const ERROR: Severity = Severity::Error;
/// A default severity, spelled out for the `META` constants.
pub const WARNING: Severity = Severity::Warning;
