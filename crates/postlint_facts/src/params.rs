//! The input of every fact: the effective parameter values of one service.
//!
//! The facts never compute effective values themselves. The caller (the configuration model)
//! merges `main.cf`, the service's `-o` overrides and the built-in defaults of the target
//! release, expands `$name` references, and hands the result over through [`Params`].
//!
//! Boolean parameters are read as Postfix reads them (`convert_mail_conf_bool()` in
//! `global/mail_conf_bool.c`): `yes` or `no` in any letter case; anything else, including an
//! empty value, is a fatal `bad boolean configuration` error in every Postfix program
//! (checked with `postmap` of Postfix 3.7.11: `YES` and `No` are accepted, `true`, `1` and
//! the empty string are fatal).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;

/// Effective (expanded) parameter values of one service: `main.cf` + its `-o` overrides +
/// built-in defaults.
///
/// `get` returns `None` only for a parameter that is unset and has no default. A parameter
/// whose effective value is the empty string returns `Some("")`.
///
/// One exception matters for [`crate::mynetworks`]: `mynetworks` has no textual default
/// (Postfix computes it from `mynetworks_style` at start-up), so a model should answer `None`
/// for it when the configuration does not set it.
pub trait Params {
    /// The effective value of parameter `name`.
    fn get(&self, name: &str) -> Option<&str>;
}

impl<S: BuildHasher> Params for HashMap<String, String, S> {
    fn get(&self, name: &str) -> Option<&str> {
        HashMap::get(self, name).map(String::as_str)
    }
}

impl Params for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        BTreeMap::get(self, name).map(String::as_str)
    }
}

impl<P: Params + ?Sized> Params for &P {
    fn get(&self, name: &str) -> Option<&str> {
        (**self).get(name)
    }
}

/// The value of `name`, or `default` when the caller has no value for it.
pub(crate) fn get_or<'a, P: Params + ?Sized>(
    params: &'a P,
    name: &str,
    default: &'a str,
) -> &'a str {
    params.get(name).unwrap_or(default)
}

/// Parses a Postfix boolean: `yes` or `no`, letter case ignored. Anything else is `None`.
pub fn parse_bool(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if value.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

/// A boolean parameter whose value is neither `yes` nor `no`. Postfix programs that read the
/// parameter stop with `fatal: bad boolean configuration: NAME = VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidBoolean {
    /// The parameter name.
    pub param: String,
    /// Its effective value.
    pub value: String,
}

impl fmt::Display for InvalidBoolean {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad boolean configuration: {} = {}",
            self.param, self.value
        )
    }
}

/// Reads boolean `name` (built-in default `default` when the caller has no value). An invalid
/// value is recorded in `problems` and read as `default`, so that the other facts can still be
/// computed.
pub(crate) fn read_bool<P: Params + ?Sized>(
    params: &P,
    name: &str,
    default: bool,
    problems: &mut Vec<InvalidBoolean>,
) -> bool {
    match params.get(name) {
        None => default,
        Some(value) => parse_bool(value).unwrap_or_else(|| {
            problems.push(InvalidBoolean {
                param: name.to_owned(),
                value: value.to_owned(),
            });
            default
        }),
    }
}

/// Splits a list value at commas and whitespace (Postfix's `CHARS_COMMA_SP`), dropping empty
/// elements, as `mystrtok(&cp, ", \t\r\n")` does.
pub(crate) fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value
        .split([',', ' ', '\t', '\r', '\n'])
        .filter(|item| !item.is_empty())
}

/// A parameter lookup built from `name, value` pairs, for tests.
#[cfg(test)]
pub(crate) fn test_params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn booleans_are_yes_or_no_in_any_case() {
        assert_eq!(parse_bool("yes"), Some(true));
        assert_eq!(parse_bool("YES"), Some(true));
        assert_eq!(parse_bool("No"), Some(false));
        assert_eq!(parse_bool("true"), None);
        assert_eq!(parse_bool("1"), None);
        assert_eq!(parse_bool(""), None);
        assert_eq!(parse_bool(" yes"), None);
    }

    #[test]
    fn read_bool_records_invalid_values_and_falls_back() {
        let params = map(&[("a", "Yes"), ("b", "maybe")]);
        let mut problems = Vec::new();
        assert!(read_bool(&params, "a", false, &mut problems));
        assert!(!read_bool(&params, "b", false, &mut problems));
        assert!(read_bool(&params, "unset", true, &mut problems));
        assert_eq!(
            problems,
            vec![InvalidBoolean {
                param: "b".into(),
                value: "maybe".into()
            }]
        );
        assert_eq!(
            problems[0].to_string(),
            "bad boolean configuration: b = maybe"
        );
    }

    #[test]
    fn maps_and_references_implement_params() {
        let hash = map(&[("x", "1")]);
        let tree: BTreeMap<String, String> = [("x".to_owned(), "2".to_owned())].into();
        assert_eq!(Params::get(&hash, "x"), Some("1"));
        assert_eq!(Params::get(&&tree, "x"), Some("2"));
        assert_eq!(Params::get(&hash, "y"), None);
        assert_eq!(get_or(&hash, "y", "dflt"), "dflt");
    }

    #[test]
    fn lists_split_at_commas_and_whitespace() {
        let items: Vec<_> = split_list(" a,b\tc ,, d\n").collect();
        assert_eq!(items, ["a", "b", "c", "d"]);
        assert_eq!(split_list("").count(), 0);
    }
}
