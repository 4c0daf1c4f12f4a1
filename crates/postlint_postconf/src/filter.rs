//! postconf's `service[/type[/field-or-parameter]]` selection patterns. A component `*`
//! matches anything; a missing trailing component matches anything.

/// A parsed selection pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePattern {
    /// The pattern as typed, for "unmatched request" warnings.
    pub raw: String,
    parts: Vec<String>,
}

impl ServicePattern {
    /// Parses `raw` with at most `max` components; `None` when it has more or an empty one.
    pub fn parse(raw: &str, max: usize) -> Option<Self> {
        let parts: Vec<String> = raw.split('/').map(str::to_owned).collect();
        if parts.len() > max || parts.iter().any(String::is_empty) {
            return None;
        }
        Some(Self {
            raw: raw.to_owned(),
            parts,
        })
    }

    /// Whether component `index` matches `value`.
    pub fn matches_part(&self, index: usize, value: &str) -> bool {
        self.parts.get(index).is_none_or(|p| p == "*" || p == value)
    }

    /// Whether the service and type components match.
    pub fn matches_service(&self, name: &str, kind: &str) -> bool {
        self.matches_part(0, name) && self.matches_part(1, kind)
    }

    /// The third component, when given and not `*`.
    pub fn third(&self) -> Option<&str> {
        self.parts.get(2).map(String::as_str).filter(|p| *p != "*")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_missing_parts_match() {
        let p = ServicePattern::parse("smtp", 2).unwrap();
        assert!(p.matches_service("smtp", "inet") && p.matches_service("smtp", "unix"));
        assert!(!p.matches_service("relay", "unix"));
        let p = ServicePattern::parse("*/unix", 2).unwrap();
        assert!(p.matches_service("relay", "unix") && !p.matches_service("smtp", "inet"));
        assert!(ServicePattern::parse("a/b/c", 2).is_none());
        assert!(ServicePattern::parse("a//c", 3).is_none());
        assert_eq!(
            ServicePattern::parse("a/b/c", 3).unwrap().third(),
            Some("c")
        );
    }
}
