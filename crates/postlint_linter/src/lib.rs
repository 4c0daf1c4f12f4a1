//! postlint's rules. Every finding postlint reports comes from a rule in the [`registry`],
//! which gives it a stable kebab-case name, a short code, a default severity and its docs.
//!
//! [`check()`] is the one entry point: it runs the built-in rules and the policy packs over a
//! configuration and returns diagnostics sorted by file and position. It is pure: no file
//! system, environment or clock.

mod analyses;
pub mod check;
pub mod config;
mod policies;
pub mod registry;
mod rules;
pub mod service;
pub mod suppress;

use postlint_diagnostics::Diagnostic;
use postlint_postconf::Config;

pub use check::{
    FileKind, Input, Pack, PolicyFile, Report, ReportFile, Settings, SourceFile, check, count,
};
pub use registry::{RULES, RuleInfo, RuleMeta, RuleSource, all_rules, find_rule, rule};

/// The model of `config`, the rules' findings and what `with_model` returns. postconf's
/// bookkeeping is computed on a second thread while the model is built (it is independent of
/// the model), and `with_model` (the policies) runs on a second thread while the rules run.
/// WebAssembly has no threads and does them in turn.
pub(crate) fn model_and_lint<R: Send>(
    config: &Config,
    with_model: impl FnOnce(&postlint_model::Model) -> R + Send,
) -> (postlint_model::Model, Vec<Diagnostic>, R) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let (model, model_diagnostics, usage) = std::thread::scope(|scope| {
            let usage = scope.spawn(|| postlint_postconf::used::usage(config));
            let model = config.model();
            let model_diagnostics = model.diagnostics();
            (model, model_diagnostics, join(usage))
        });
        let (out, extra) = std::thread::scope(|scope| {
            let extra = scope.spawn(|| with_model(&model));
            let out = run_rules(&rules::Context::from_parts(
                config,
                usage,
                model_diagnostics,
            ));
            (out, join(extra))
        });
        (model, out, extra)
    }
    #[cfg(target_arch = "wasm32")]
    {
        let model = config.model();
        let model_diagnostics = model.diagnostics();
        let extra = with_model(&model);
        let usage = postlint_postconf::used::usage(config);
        let out = run_rules(&rules::Context::from_parts(
            config,
            usage,
            model_diagnostics,
        ));
        (model, out, extra)
    }
}

/// The result of a scoped thread, its panic resumed on this one.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn run_rules(ctx: &rules::Context<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    rules::run_all(ctx, &mut out);
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
