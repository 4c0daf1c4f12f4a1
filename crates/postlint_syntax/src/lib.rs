//! The syntax layer: pest grammars for `main.cf`, `master.cf` and parameter values, turned into
//! trees that keep byte spans into the original file.
//!
//! Architecture invariants:
//! - Parsing never fails. Every entry point returns a tree plus syntax diagnostics, and keeps
//!   going after a bad line so an editor sees every error at once.
//! - Input is bytes, not UTF-8: Postfix reads bytes, and Latin-1 comments are common.
//! - pest types never leave this crate; callers see only the trees defined here.
//! - Nesting is bounded before pest recurses, so hostile input cannot overflow the stack.

pub mod expansion;
pub mod lines;
pub mod main_cf;
pub mod master_cf;
mod shadow;
mod version;

pub use lines::{LogicalLine, SourceMap};
pub use main_cf::{MainCf, Parameter};
pub use master_cf::{MasterCf, Service};
pub use version::{ParseVersionError, PostfixVersion};

/// Rule name of every syntax diagnostic.
pub const SYNTAX_RULE: &str = "syntax-error";
/// Code of every syntax diagnostic.
pub const SYNTAX_CODE: &str = "PL001";
