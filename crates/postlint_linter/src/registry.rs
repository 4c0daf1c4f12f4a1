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
];

/// The rule named `name` (or with code `name`).
pub fn rule(name: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.name == name || r.code == name)
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
    }

    #[test]
    fn lookup_by_name_and_code() {
        assert_eq!(rule("syntax-error").map(|r| r.code), Some("PL001"));
        assert_eq!(rule("PL002").map(|r| r.name), Some("unknown-parameter"));
        assert!(rule("no-such-rule").is_none());
    }
}
