//! Phase one: the TOML policy file as serde reads it.
//!
//! These types mirror the file one to one, keep the spans that load errors point at
//! (`toml::Spanned`), reject unknown keys, and carry the documentation the JSON schema shows in
//! editors. Nothing here is validated beyond its TOML type; [`crate::load`] does that.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// A policy file: a list of `[[policy]]` tables.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "postlint policy file")]
pub struct RawPolicyFile {
    /// The policies, one `[[policy]]` table each.
    #[serde(default)]
    pub policy: Vec<RawPolicy>,
}

/// One policy: which services it concerns, when it applies, and what it requires of them.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Stable kebab-case rule name, e.g. `submission-tls-not-required`. Unique in a file.
    #[schemars(with = "String", regex(pattern = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"))]
    pub rule: Spanned<String>,
    /// Short stable code such as `PL120`; `PL800` when omitted.
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = r"^[A-Z]+[0-9]+$"))]
    pub code: Option<Spanned<String>>,
    /// How serious a finding is.
    #[schemars(with = "SeverityName")]
    pub severity: Spanned<String>,
    /// One line in Postfix terms: lowercase, no trailing period, user values in backticks.
    /// Placeholders: `{service}` (`name/type`), `{param}` (the parameter or fact tested),
    /// `{value}` (its effective value), `{expected}` (what the requirement wanted),
    /// `{detail}` (what a built-in analysis reported).
    #[schemars(with = "String")]
    pub message: Spanned<String>,
    /// One line: what the rule finds, shown by `postlint rule`.
    #[serde(default)]
    pub summary: Option<String>,
    /// Markdown documentation shown by `postlint rule NAME`: what it does, why it matters,
    /// an example, the fix.
    #[serde(default)]
    pub docs: Option<String>,
    /// How to fix it.
    #[serde(default)]
    pub help: Option<String>,
    /// Reference URLs; the first becomes the finding's documentation link.
    #[serde(default)]
    pub references: Vec<String>,
    /// Which services the policy concerns; every service when omitted.
    #[serde(default)]
    pub select: Option<RawSelect>,
    /// Alternatives: the policy concerns services matching any one of these (and `select`, when
    /// both are given).
    #[serde(default)]
    pub select_any: Vec<RawSelect>,
    /// Preconditions: the policy applies to a selected service only when all of these hold.
    #[serde(default)]
    #[schemars(with = "Vec<RawPredicate>")]
    pub when: Vec<Spanned<RawPredicate>>,
    /// Requirements: each one that does not hold is a finding.
    #[serde(default)]
    #[schemars(with = "Vec<RawPredicate>")]
    pub require: Vec<Spanned<RawPredicate>>,
    /// A built-in analysis to run on each selected service, for checks TOML cannot express
    /// (e.g. `open-relay`); each of its results is a finding.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub analysis: Option<Spanned<String>>,
    /// A safe fix for `require` findings: master.cf `-o` overrides to set on the service
    /// (editors offer it as a code action).
    #[serde(default)]
    pub fix: Option<RawFix>,
}

/// A fix a policy offers.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFix {
    /// What applying it does, e.g. "require TLS on this service".
    pub title: String,
    /// Parameters to set with `-o name=value` on the service (an existing `-o` for the name is
    /// replaced).
    pub set: std::collections::BTreeMap<String, String>,
}

/// The severities a policy may use.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[expect(
    dead_code,
    reason = "only describes the accepted names to the JSON schema"
)]
enum SeverityName {
    Info,
    Warning,
    Error,
}

/// One value or a list of values.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// Several values; any one matches.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The values as a list.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            Self::One(v) => vec![v],
            Self::Many(v) => v,
        }
    }
}

/// Which master.cf services a policy concerns. Every given criterion must match.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSelect {
    /// The command the service runs (`smtpd`, `smtp`, `postscreen`, …); one or a list.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub program: Option<Spanned<OneOrMany<String>>>,
    /// The TCP port the service listens on; one or a list.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<u16>>")]
    pub port: Option<Spanned<OneOrMany<i64>>>,
    /// The master.cf service type: `inet`, `unix`, `unix-dgram`, `fifo` or `pass`; one or a list.
    #[serde(default, rename = "type")]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub kind: Option<Spanned<OneOrMany<String>>>,
    /// The service name; `*` and `?` are wildcards; one or a list.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub name: Option<Spanned<OneOrMany<String>>>,
    /// Whether the service is reachable from outside the host. Services whose reachability is
    /// unknown match neither `true` nor `false`.
    #[serde(default)]
    pub reachable: Option<bool>,
    /// Whether the service is the `pass` service behind postscreen.
    #[serde(default)]
    pub postscreen_pass: Option<bool>,
    /// Parameters that must be set explicitly (main.cf or `-o`) for the service; one or a list.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub has: Option<Spanned<OneOrMany<String>>>,
}

/// A TOML scalar an equality operator compares with.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    /// `true`/`false`: matches Postfix `yes`/`no`, ignoring case.
    Bool(bool),
    /// A number.
    Int(i64),
    /// Text; `yes`/`no` and TLS level names compare ignoring case.
    Text(String),
}

/// One test of one value: exactly one subject (`param`, `raw_param` or `fact`) and exactly one
/// operator.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPredicate {
    /// Subject: the effective, `$`-expanded value of a parameter for the service.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub param: Option<Spanned<String>>,
    /// Subject: the effective value of a parameter before `$` expansion.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub raw_param: Option<Spanned<String>>,
    /// Subject: a named fact the caller computes (see the crate documentation for the list).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub fact: Option<Spanned<String>>,

    /// The value equals this.
    #[serde(default)]
    #[schemars(with = "Option<Scalar>")]
    pub equals: Option<Spanned<Scalar>>,
    /// The value does not equal this.
    #[serde(default)]
    #[schemars(with = "Option<Scalar>")]
    pub not_equals: Option<Spanned<Scalar>>,
    /// The value equals one of these.
    #[serde(default)]
    #[schemars(with = "Option<Vec<Scalar>>")]
    pub one_of: Option<Spanned<Vec<Scalar>>>,
    /// The value equals none of these.
    #[serde(default)]
    #[schemars(with = "Option<Vec<Scalar>>")]
    pub not_one_of: Option<Spanned<Vec<Scalar>>>,
    /// The value is a TLS level at least this one
    /// (`none < may < encrypt < fingerprint < dane < dane-only < verify < secure`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub at_least_tls: Option<Spanned<String>>,
    /// The value is a TLS level at most this one.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub at_most_tls: Option<Spanned<String>>,
    /// The oldest protocol the value (a Postfix protocol list or a protocol name) allows is at
    /// least this one, e.g. `TLSv1.2`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub protocol_floor_at_least: Option<Spanned<String>>,
    /// The value, split as a Postfix list, has this element (ignoring case).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub contains: Option<Spanned<String>>,
    /// The value, split as a Postfix list, lacks this element (ignoring case).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub lacks: Option<Spanned<String>>,
    /// `[a, b]`: the list has `a`, and `a` comes before the first `b` (if any).
    #[serde(default)]
    #[schemars(with = "Option<[String; 2]>")]
    pub before: Option<Spanned<Vec<String>>>,
    /// The value matches this regular expression (Rust `regex` syntax, unanchored).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub matches: Option<Spanned<String>>,
    /// The value does not match this regular expression.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub not_matches: Option<Spanned<String>>,
    /// The value is a number greater than this.
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    pub greater_than: Option<Spanned<i64>>,
    /// The value is a number less than this.
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    pub less_than: Option<Spanned<i64>>,
    /// The value is a number at least this.
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    pub at_least: Option<Spanned<i64>>,
    /// The value is a number at most this.
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    pub at_most: Option<Spanned<i64>>,
    /// `true`: the value is empty (blank, or a list without elements); `false`: it is not.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub empty: Option<Spanned<bool>>,
    /// `true`: the parameter is set explicitly (main.cf or `-o`), or the fact is known;
    /// `false`: it is not.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub set: Option<Spanned<bool>>,

    /// A message for a finding from this requirement, replacing the policy's.
    #[serde(default)]
    pub message: Option<String>,
}
