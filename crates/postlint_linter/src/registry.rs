//! The rule registry: every rule's stable name, code, default severity, one-line summary,
//! reference URL and documentation. Names are the contract with users (suppressions,
//! `--select`, configuration); codes are short aliases.

use postlint_diagnostics::Severity;

/// What postlint knows about one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable kebab-case name.
    pub name: &'static str,
    /// Stable short code.
    pub code: &'static str,
    /// Severity unless configured otherwise.
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// The reference a finding links to.
    pub url: &'static str,
    /// Markdown documentation: what it does, why it matters, example, fix, references.
    pub docs: &'static str,
}

/// Every rule, in code order.
pub static RULES: &[RuleMeta] = &[
    crate::rules::syntax_error::META,
    crate::rules::unknown_parameter::META,
    crate::rules::duplicate_parameter::META,
    crate::rules::undefined_reference::META,
    crate::rules::deprecated_parameter::META,
    crate::rules::read_only_parameter::META,
    crate::rules::recursive_expansion::META,
    crate::rules::malformed_compatibility_level::META,
    crate::suppress::META,
];

/// The built-in rule named `name` (or with code `name`).
pub fn rule(name: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.name == name || r.code == name)
}

/// Load errors of policy files (the packs' and the user's).
pub const POLICY_ERROR: RuleMeta = RuleMeta {
    name: postlint_policy::POLICY_ERROR_RULE,
    code: postlint_policy::POLICY_ERROR_CODE,
    severity: Severity::Error,
    summary: "a policy file (TOML) that cannot be loaded",
    url: "https://github.com/postlint/postlint/blob/main/rules/policy.schema.json",
    docs: "## What it does\n\
Reports every problem in a policy file: TOML syntax, unknown keys, unknown facts, analyses \
or operators, operators that do not fit a fact's type, bad regular expressions, and rules \
defined twice with different codes or severities. Each diagnostic points into the TOML.\n\n\
## Why it matters\n\
A policy that does not load checks nothing: the configuration would pass without the \
checks the policy was written for. `postlint check` exits with status 2.\n\n\
## Example\n\
```toml\n[[policy]]\nrule = \"submission-tls\"\nseverity = \"eror\"\n```\n\n\
## Fix\n\
Correct the file; `rules/policy.schema.json` gives editors completion and validation.\n\n\
## References\n\
- rules/baseline.toml and rules/strict.toml for working examples\n",
};

/// Problems in `postlint.toml`.
pub const CONFIG_ERROR: RuleMeta = RuleMeta {
    name: crate::config::CONFIG_ERROR_RULE,
    code: crate::config::CONFIG_ERROR_CODE,
    severity: Severity::Error,
    summary: "a postlint.toml that cannot be used",
    url: "https://github.com/postlint/postlint#configuration",
    docs: "## What it does\n\
Reports problems in `postlint.toml`: TOML syntax, unknown keys, unknown packs, Postfix \
versions or severities.\n\n\
## Why it matters\n\
A configuration that is not understood would silently lint with other settings than \
intended; `postlint check` stops with exit status 2 instead.\n\n\
## Example\n\
```toml\npacks = [\"baselin\"]\n```\n\n\
## Fix\n\
Correct the key or value the diagnostic points at.\n",
};

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSource {
    /// Rust code in this crate.
    Builtin,
    /// A policy of a built-in pack.
    Pack(crate::Pack),
}

/// Everything postlint can report about: built-in rules and the packs' policy rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable kebab-case name.
    pub name: String,
    /// Stable short code.
    pub code: String,
    /// Severity unless configured otherwise.
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: String,
    /// The reference a finding links to.
    pub url: String,
    /// Markdown documentation.
    pub docs: String,
    /// Every reference (RFCs, Postfix documentation), the first being `url`.
    pub references: Vec<String>,
    /// Where it is defined.
    pub source: RuleSource,
}

impl From<&RuleMeta> for RuleInfo {
    fn from(m: &RuleMeta) -> Self {
        Self {
            name: m.name.to_owned(),
            code: m.code.to_owned(),
            severity: m.severity,
            summary: m.summary.to_owned(),
            url: m.url.to_owned(),
            docs: m.docs.to_owned(),
            references: vec![m.url.to_owned()],
            source: RuleSource::Builtin,
        }
    }
}

/// Every rule: the built-in ones in code order, then each pack's policy rules in file order
/// (a rule several policies share is listed once, with the first policy's documentation).
pub fn all_rules() -> &'static [RuleInfo] {
    static ALL: std::sync::OnceLock<Vec<RuleInfo>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut out: Vec<RuleInfo> = RULES
            .iter()
            .chain([&POLICY_ERROR, &CONFIG_ERROR])
            .map(RuleInfo::from)
            .collect();
        for pack in crate::Pack::ALL {
            for p in load_pack(pack).policies {
                if out.iter().any(|r| r.name == p.rule) {
                    continue;
                }
                out.push(RuleInfo {
                    summary: p.summary.clone().unwrap_or_default(),
                    docs: p.docs.clone().unwrap_or_default(),
                    url: p.references.first().cloned().unwrap_or_default(),
                    references: p.references.clone(),
                    name: p.rule,
                    code: p.code,
                    severity: p.severity,
                    source: RuleSource::Pack(pack),
                });
            }
        }
        out
    })
}

/// A built-in pack's policies.
fn load_pack(pack: crate::Pack) -> postlint_policy::Loaded {
    postlint_policy::load(
        pack.text(),
        &postlint_policy::LoadOptions {
            file: postlint_diagnostics::FileId(0),
            analyses: crate::analyses::NAMES,
        },
    )
}

/// The rule (built-in or from a pack) named `name` or with code `name`.
pub fn find_rule(name: &str) -> Option<&'static RuleInfo> {
    all_rules()
        .iter()
        .find(|r| r.name == name || r.code == name)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_and_codes_are_unique_and_well_formed() {
        let mut names = HashSet::new();
        let mut codes = HashSet::new();
        for r in RULES {
            assert!(names.insert(r.name), "duplicate rule name {}", r.name);
            assert!(codes.insert(r.code), "duplicate code {}", r.code);
            assert!(
                r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is not kebab-case",
                r.name
            );
            assert!(r.code.starts_with("PL") && r.code.len() == 5, "{}", r.code);
        }
    }

    #[test]
    fn packs_load_and_every_rule_is_documented_and_unique() {
        for pack in crate::Pack::ALL {
            let loaded = load_pack(pack);
            assert!(
                loaded.diagnostics.is_empty(),
                "{}: {:#?}",
                pack.name(),
                loaded.diagnostics
            );
            assert!(!loaded.policies.is_empty());
        }
        let all = all_rules();
        let mut names = HashSet::new();
        let mut codes = HashSet::new();
        for r in all {
            assert!(
                names.insert(r.name.as_str()),
                "rule {} listed twice",
                r.name
            );
            assert!(codes.insert(r.code.as_str()), "code {} used twice", r.code);
            assert!(!r.summary.is_empty(), "{} has no summary", r.name);
            assert!(
                r.url.starts_with("https://"),
                "{} has no https reference",
                r.name
            );
            for section in [
                "## What it does",
                "## Why it matters",
                "## Example",
                "## Fix",
            ] {
                assert!(r.docs.contains(section), "{} docs lack `{section}`", r.name);
            }
        }
        assert!(find_rule("open-relay").is_some());
        assert_eq!(
            find_rule("PL900").map(|r| r.name.as_str()),
            Some("policy-error")
        );
    }

    #[test]
    fn lookup_by_name_and_code() {
        assert_eq!(rule("syntax-error").map(|r| r.code), Some("PL001"));
        assert_eq!(rule("PL002").map(|r| r.name), Some("unknown-parameter"));
        assert!(rule("no-such-rule").is_none());
    }
}
