//! Declarative TOML policies: the format, its loader and its engine.
//!
//! A policy file is a list of `[[policy]]` tables. Each selects master.cf services and states
//! requirements on their *effective* values; each requirement that does not hold is a finding,
//! an ordinary [`postlint_diagnostics::Diagnostic`].
//!
//! ```toml
//! [[policy]]
//! rule = "submission-tls-not-required"
//! severity = "error"
//! message = "`{service}` accepts mail submission without requiring TLS"
//! help = "add `-o smtpd_tls_security_level=encrypt` to this service"
//! references = ["https://www.rfc-editor.org/rfc/rfc8314#section-3.3"]
//! select = { program = "smtpd", port = 587, reachable = true }
//! require = [{ fact = "tls_required", equals = true }]
//! ```
//!
//! - `select`: `program`, `port`, `type`, `name` (glob), `has` (each one value or a list),
//!   `reachable`, `postscreen_pass` (booleans). All given criteria must match.
//!   `select_any = [{…}, {…}]` adds alternatives, any one of which must match too.
//! - `when = [test, …]`: the policy applies only when every test holds.
//! - `require = [test, …]`: each test that fails is a finding.
//! - `analysis = "open-relay"`: a built-in analysis the caller runs ([`Analyses`]).
//! - A *test* names one subject — `param` (effective expanded value), `raw_param` (before `$`
//!   expansion) or `fact` (see [`facts::FACTS`]) — and one operator: `equals`, `not_equals`,
//!   `one_of`, `not_one_of`, `at_least_tls`, `at_most_tls`, `protocol_floor_at_least`,
//!   `contains`, `lacks`, `before = [a, b]`, `matches`, `not_matches`, `greater_than`,
//!   `less_than`, `at_least`, `at_most`, `empty`, `set`; optionally its own `message`.
//! - `matches`/`not_matches` take Rust regex syntax; `\w`, `\d`, `\s` and case folding are
//!   Unicode-aware, but Unicode property classes (`\p{Greek}`) are not compiled in, which keeps
//!   the WebAssembly build small.
//! - Unknown values never fire: a test of a value the caller cannot give is neither true
//!   (for `when`) nor false (for `require`).
//!
//! Loading has two phases (STYLE pattern 4): [`raw`] is what serde reads, with spans; [`load`]
//! validates it into [`Policy`] values and reports every problem as a `policy-error`
//! (`PL900`) diagnostic pointing into the TOML. [`json_schema`] describes the raw format for
//! editors; `rules/policy.schema.json` is its committed output.

mod eval;
pub mod facts;
mod list;
mod load;
pub mod raw;
mod schema;
pub mod tls;

pub use eval::{Analyses, AnalysisFinding, NoAnalyses, ServiceContext, evaluate};
pub use facts::{FactKind, FactValue};
pub use list::split as split_list;
pub use load::{
    DEFAULT_POLICY_CODE, LoadOptions, Loaded, Operator, POLICY_ERROR_CODE, POLICY_ERROR_RULE,
    Policy, Predicate, Selector, Subject, load,
};
pub use raw::Scalar;
pub use schema::json_schema;
pub use tls::{TlsLevel, TlsProtocol};
