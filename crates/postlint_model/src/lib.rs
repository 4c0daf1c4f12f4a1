//! The effective Postfix configuration: every parameter's value as `postconf -x` shows it for
//! `main.cf` alone, and as each `master.cf` service runs with it (`-o` options applied), with
//! the provenance of every value and of every `$`-reference followed to compute it.
//!
//! ```
//! use postlint_diagnostics::FileId;
//! use postlint_model::{Model, ModelOptions, Origin};
//! use postlint_syntax::{MainCf, MasterCf, PostfixVersion};
//!
//! let main = MainCf::parse(b"mua_tls = may\n", FileId(0));
//! let master = MasterCf::parse(
//!     b"submission inet n - n - - smtpd -o smtpd_tls_security_level=$mua_tls\n",
//!     FileId(1),
//! );
//! let model = Model::new(&main, &master, ModelOptions::new(PostfixVersion::V3_7));
//! let level = model.service(0).unwrap().value("smtpd_tls_security_level").unwrap();
//! assert_eq!(level.expanded, "may");
//! assert!(matches!(level.origin, Origin::MasterCf { .. }));
//! assert!(matches!(level.references[0].origin, Origin::MainCf { .. }));
//! ```
//!
//! Modules:
//! - [`expand`]: the `$`-expression evaluator (Postfix's `mac_expand()` with recursion);
//! - [`effective`]: lookup layers, views and provenance;
//! - `main_table`: the main.cf entries that count, indexed by name, at a fixed cost per entry
//!   (values are parsed only when they have a `$` and are needed);
//! - [`postlint_syntax::compat_level`]: compatibility levels (parsed there, applied in `effective`);
//! - [`diagnostics`]: findings that need the whole model.
//!
//! Architecture invariants: evaluation never fails and never recurses without bound (cycles
//! and nesting beyond Postfix's limit of 100 are reported as errors), and nothing here reads
//! files, the environment or the clock: host-dependent values come from [`HostFacts`].

pub mod diagnostics;
pub mod effective;
pub mod expand;
mod main_table;

pub use diagnostics::{
    MALFORMED_COMPATIBILITY_LEVEL_CODE, MALFORMED_COMPATIBILITY_LEVEL_RULE,
    RECURSIVE_EXPANSION_CODE, RECURSIVE_EXPANSION_RULE, UNDEFINED_REFERENCE_CODE,
    UNDEFINED_REFERENCE_RULE,
};
pub use effective::{
    EffectiveValue, HostFacts, Model, ModelOptions, Origin, ReferenceKind, ReferenceStep, Scope,
    View,
};
pub use expand::{ChainLink, ExpandError};
pub use postlint_syntax::CompatLevel;

#[cfg(test)]
mod tests;
