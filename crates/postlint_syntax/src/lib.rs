//! The syntax layer: pest grammars for `main.cf`, `master.cf` and parameter values, turned into
//! trees that keep byte spans into the original file.
//!
//! Architecture invariants:
//! - Parsing never fails. Every entry point returns a tree plus syntax diagnostics, and keeps
//!   going after a bad line so an editor sees every error at once.
//! - Input is bytes, not UTF-8: Postfix reads bytes, and Latin-1 comments are common.
//! - pest types never leave this crate; callers see only the trees defined here.
//! - Nesting is bounded before pest recurses, so hostile input cannot overflow the stack.

pub mod compat_level;
pub mod expansion;
pub mod lines;
pub mod main_cf;
pub mod master_cf;
mod shadow;
mod version;

pub use bytes::Bytes;
pub use compat_level::CompatLevel;
pub use lines::{LogicalLine, SourceMap};
pub use main_cf::{MainCf, Parameter};
pub use master_cf::{MasterCf, Service};
pub use version::{ParseVersionError, PostfixVersion};

/// Rule name of every syntax diagnostic.
pub const SYNTAX_RULE: &str = "syntax-error";
/// Code of every syntax diagnostic.
pub const SYNTAX_CODE: &str = "PL001";

/// Most syntax diagnostics kept per file. A file that is not a Postfix configuration at all
/// (a binary, a 100 MB log) would otherwise produce one per line; the rest are counted in a
/// final diagnostic instead.
pub const MAX_SYNTAX_DIAGNOSTICS: usize = 200;

/// Keeps the first [`MAX_SYNTAX_DIAGNOSTICS`] diagnostics and replaces the rest, plus
/// `dropped` more that were never kept, with one error at the first one not shown that says
/// how many there were.
pub(crate) fn cap_diagnostics(
    diagnostics: &mut Vec<postlint_diagnostics::Diagnostic>,
    dropped: usize,
) {
    if diagnostics.len() <= MAX_SYNTAX_DIAGNOSTICS {
        return;
    }
    let dropped = diagnostics.len() - MAX_SYNTAX_DIAGNOSTICS + dropped;
    let at = diagnostics
        .get(MAX_SYNTAX_DIAGNOSTICS)
        .and_then(|d| d.primary().map(|l| (l.file, l.range)));
    diagnostics.truncate(MAX_SYNTAX_DIAGNOSTICS);
    if let Some((file, range)) = at {
        diagnostics.push(
            postlint_diagnostics::Diagnostic::new(
                SYNTAX_RULE,
                SYNTAX_CODE,
                postlint_diagnostics::Severity::Error,
                format!("too many syntax errors: {dropped} more from here on are not shown"),
                file,
                range,
            )
            .with_help("check that this is a Postfix main.cf or master.cf file"),
        );
    }
}
