//! smtpd restriction lists: the restrictions Postfix knows, how a list is walked, and the
//! `unknown-restriction` analysis.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher as _;
use std::rc::Rc;

use postlint_facts::Params as _;
use postlint_policy::AnalysisFinding;

use super::{entries, entry_finding};
use crate::policies::ServiceCtx;

/// The restriction lists smtpd reads.
pub const LISTS: &[&str] = &[
    "smtpd_client_restrictions",
    "smtpd_helo_restrictions",
    "smtpd_sender_restrictions",
    "smtpd_relay_restrictions",
    "smtpd_recipient_restrictions",
    "smtpd_data_restrictions",
    "smtpd_end_of_data_restrictions",
    "smtpd_etrn_restrictions",
];

/// Restrictions that take no argument (`smtpd_check.c`, postconf(5)).
const PLAIN: &[&str] = &[
    "permit",
    "reject",
    "defer",
    "defer_if_permit",
    "defer_if_reject",
    "reject_unauth_pipelining",
    "reject_plaintext_session",
    "reject_multi_recipient_bounce",
    "permit_inet_interfaces",
    "permit_mynetworks",
    "permit_sasl_authenticated",
    "permit_tls_all_clientcerts",
    "permit_tls_clientcerts",
    "reject_unknown_client_hostname",
    "reject_unknown_reverse_client_hostname",
    "reject_unknown_client",
    "reject_maps_rbl",
    "reject_invalid_helo_hostname",
    "reject_invalid_hostname",
    "reject_non_fqdn_helo_hostname",
    "reject_non_fqdn_hostname",
    "reject_unknown_helo_hostname",
    "reject_unknown_hostname",
    "reject_authenticated_sender_login_mismatch",
    "reject_known_sender_login_mismatch",
    "reject_non_fqdn_sender",
    "reject_sender_login_mismatch",
    "reject_unauthenticated_sender_login_mismatch",
    "reject_unknown_sender_domain",
    "reject_unlisted_sender",
    "reject_unverified_sender",
    "permit_auth_destination",
    "permit_mx_backup",
    "reject_non_fqdn_recipient",
    "reject_unauth_destination",
    "defer_unauth_destination",
    "reject_unknown_recipient_domain",
    "reject_unlisted_recipient",
    "reject_unverified_recipient",
    "check_relay_domains",
    "permit_naked_ip_address",
    "check_recipient_maps",
];

/// Restrictions followed by one argument (a table, a DNS list domain, a service, seconds).
const WITH_ARGUMENT: &[&str] = &[
    "check_ccert_access",
    "check_client_access",
    "check_client_a_access",
    "check_client_mx_access",
    "check_client_ns_access",
    "check_reverse_client_hostname_access",
    "check_reverse_client_hostname_a_access",
    "check_reverse_client_hostname_mx_access",
    "check_reverse_client_hostname_ns_access",
    "check_sasl_access",
    "check_helo_access",
    "check_helo_a_access",
    "check_helo_mx_access",
    "check_helo_ns_access",
    "check_sender_access",
    "check_sender_a_access",
    "check_sender_mx_access",
    "check_sender_ns_access",
    "check_recipient_access",
    "check_recipient_a_access",
    "check_recipient_mx_access",
    "check_recipient_ns_access",
    "check_etrn_access",
    "check_policy_service",
    "reject_rbl_client",
    "reject_rbl",
    "reject_rhsbl_client",
    "reject_rhsbl_reverse_client",
    "reject_rhsbl_helo",
    "reject_rhsbl_sender",
    "reject_rhsbl_recipient",
    "permit_dnswl_client",
    "permit_rhswl_client",
    "sleep",
];

/// `warn_if_reject` changes the restriction after it.
pub const WARN_IF_REJECT: &str = "warn_if_reject";

/// What one list entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A restriction without argument.
    Plain,
    /// A restriction that consumes the next entry.
    WithArgument,
    /// `warn_if_reject`.
    WarnIfReject,
    /// A `type:table` searched as an access table.
    Table,
    /// A class from `smtpd_restriction_classes`.
    Class,
    /// Not a restriction Postfix knows.
    Unknown,
}

/// Classifies an entry: restriction names ignore case, class names do not.
pub fn classify(entry: &str, classes: &ClassSet) -> EntryKind {
    let lower = entry.to_ascii_lowercase();
    if classes.contains(entry) {
        EntryKind::Class
    } else if lower == WARN_IF_REJECT {
        EntryKind::WarnIfReject
    } else if PLAIN.contains(&lower.as_str()) {
        EntryKind::Plain
    } else if WITH_ARGUMENT.contains(&lower.as_str()) {
        EntryKind::WithArgument
    } else if entry.contains(':') {
        EntryKind::Table
    } else {
        EntryKind::Unknown
    }
}

/// The names of one `smtpd_restriction_classes` value.
///
/// A generated main.cf may declare hundreds of thousands of classes while the restriction
/// lists name a handful of things, so the first lookups search the value's text directly;
/// only a service that asks many times gets a hash index (of where each name is in the one
/// copy of the value: a set of owned names would allocate for each).
#[derive(Debug)]
pub struct ClassSet {
    text: String,
    /// Lookups answered by searching the text.
    searches: std::cell::Cell<usize>,
    index: std::cell::OnceCell<ClassIndex>,
}

/// Lookups answered by searching before [`ClassSet`] builds its index.
const CLASS_SEARCHES: usize = 64;

#[derive(Debug)]
struct ClassIndex {
    hasher: foldhash::fast::RandomState,
    /// Hash of a name to where the name is in the text.
    spans: HashMap<u64, (usize, usize), foldhash::fast::RandomState>,
    /// Names whose hash an earlier, different name already has (practically never).
    collided: Vec<(usize, usize)>,
}

/// A list separator (Postfix's `CHARS_COMMA_SP`).
fn is_list_separator(b: u8) -> bool {
    b == b',' || b.is_ascii_whitespace()
}

impl ClassSet {
    /// The class names listed in `value`.
    pub fn new(value: &str) -> Self {
        let set = Self {
            text: value.to_owned(),
            searches: std::cell::Cell::new(0),
            index: std::cell::OnceCell::new(),
        };
        if value.contains('{') {
            // `{ }` groups make a plain text search inexact: index now.
            set.index();
        }
        set
    }

    fn slice(&self, (start, end): (usize, usize)) -> &str {
        self.text.get(start..end).unwrap_or_default()
    }

    fn index(&self) -> &ClassIndex {
        self.index.get_or_init(|| {
            let hasher = foldhash::fast::RandomState::default();
            let names = entries(&self.text);
            let mut spans: HashMap<u64, (usize, usize), _> = HashMap::with_capacity_and_hasher(
                names.len(),
                foldhash::fast::RandomState::default(),
            );
            let mut collided = Vec::new();
            for (start, name) in names {
                let span = (start, start + name.len());
                match spans.entry(hasher.hash_one(name)) {
                    Entry::Vacant(v) => {
                        v.insert(span);
                    }
                    Entry::Occupied(o) => {
                        if self.slice(*o.get()) != name
                            && !collided.iter().any(|&c| self.slice(c) == name)
                        {
                            collided.push(span);
                        }
                    }
                }
            }
            ClassIndex {
                hasher,
                spans,
                collided,
            }
        })
    }

    /// Whether `name` is one of the classes (exact case).
    pub fn contains(&self, name: &str) -> bool {
        if self.index.get().is_none() && self.searches.get() < CLASS_SEARCHES {
            self.searches.set(self.searches.get() + 1);
            return self.search(name);
        }
        let index = self.index();
        index
            .spans
            .get(&index.hasher.hash_one(name))
            .is_some_and(|&span| self.slice(span) == name)
            || index.collided.iter().any(|&span| self.slice(span) == name)
    }

    /// Whether `name` occurs in the text as a whole list element (exact while the text has
    /// no `{`: elements are then exactly the runs between separators).
    fn search(&self, name: &str) -> bool {
        let (text, needle) = (self.text.as_bytes(), name.as_bytes());
        if needle.is_empty() || needle.iter().any(|&b| is_list_separator(b) || b == b'{') {
            return false;
        }
        memchr::memmem::find_iter(text, needle).any(|at| {
            let before = at.checked_sub(1).and_then(|i| text.get(i));
            let after = text.get(at + needle.len());
            before.is_none_or(|&b| is_list_separator(b))
                && after.is_none_or(|&b| is_list_separator(b))
        })
    }
}

/// The restriction classes a service knows (`smtpd_restriction_classes`), shared by every
/// service with the same list.
pub fn classes(ctx: &ServiceCtx<'_>) -> Rc<ClassSet> {
    let value = ctx.get("smtpd_restriction_classes");
    let mut cache = ctx.class_cache.borrow_mut();
    if let Some(set) = cache.iter().find(|set| set.text == value) {
        return Rc::clone(set);
    }
    let set = Rc::new(ClassSet::new(value));
    cache.push(Rc::clone(&set));
    set
}

/// Every known restriction name, for suggestions.
fn known() -> impl Iterator<Item = &'static str> {
    PLAIN
        .iter()
        .chain(WITH_ARGUMENT)
        .copied()
        .chain([WARN_IF_REJECT])
}

/// `unknown-restriction`: entries of the restriction lists (and of the classes they use) that
/// name nothing Postfix knows. smtpd logs `unknown smtpd restriction` and answers every such
/// request with `451 4.3.5 Server configuration error`.
pub fn unknown(ctx: &ServiceCtx<'_>) -> Vec<AnalysisFinding> {
    let classes = classes(ctx);
    let mut out = Vec::new();
    let mut seen_classes = HashSet::new();
    let mut lists: Vec<String> = LISTS.iter().map(|s| (*s).to_owned()).collect();
    while let Some(param) = lists.pop() {
        let Some(value) = ctx.params.get(&param) else {
            continue;
        };
        let mut skip_argument = false;
        for (_, entry) in entries(value) {
            if std::mem::take(&mut skip_argument) {
                continue;
            }
            match classify(entry, &classes) {
                EntryKind::WithArgument => skip_argument = true,
                EntryKind::Class => {
                    if seen_classes.insert(entry.to_owned()) {
                        lists.push(entry.to_owned());
                    }
                }
                EntryKind::Unknown => {
                    let suggestion = known()
                        .map(|k| (strsim::jaro_winkler(k, &entry.to_ascii_lowercase()), k))
                        .filter(|(score, _)| *score > 0.85)
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, k)| format!("; did you mean `{k}`?"))
                        .unwrap_or_default();
                    out.push(entry_finding(
                        ctx,
                        &param,
                        entry,
                        "not a restriction, class or table".to_owned(),
                        format!("`{entry}` in `{param}` is not an smtpd restriction{suggestion}"),
                    ));
                }
                EntryKind::Plain | EntryKind::WarnIfReject | EntryKind::Table => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ignore_case_and_classes_do_not() {
        let classes = ClassSet::new("Mine");
        assert_eq!(
            classify("REJECT_UNAUTH_DESTINATION", &classes),
            EntryKind::Plain
        );
        assert_eq!(
            classify("check_client_access", &classes),
            EntryKind::WithArgument
        );
        assert_eq!(classify("Mine", &classes), EntryKind::Class);
        assert_eq!(classify("mine", &classes), EntryKind::Unknown);
        assert_eq!(
            classify("hash:/etc/postfix/access", &classes),
            EntryKind::Table
        );
        assert_eq!(classify("permit_my_networks", &classes), EntryKind::Unknown);
    }

    #[test]
    fn class_sets_hold_exactly_the_listed_names() {
        let check = |value: &str, yes: &[&str], no: &[&str]| {
            // Both ways of answering: searching the text, then the index.
            let searched = ClassSet::new(value);
            let indexed = ClassSet::new(value);
            indexed.index();
            for set in [&searched, &indexed] {
                for name in yes {
                    assert!(set.contains(name), "{name} in {value:?}");
                }
                for name in no {
                    assert!(!set.contains(name), "{name:?} not in {value:?}");
                }
            }
        };
        check(
            "alpha, beta\tgamma,,alpha  Delta a}b",
            &["alpha", "beta", "gamma", "Delta", "a}b"],
            &[
                "",
                "alph",
                "alphabeta",
                "delta",
                "beta,",
                "a",
                "alpha, beta",
                "b",
                "{",
            ],
        );
        check("", &[], &["", "a"]);
        // A `{ }` group is one element.
        check(
            "x { a, b } y",
            &["x", "y", "{ a, b }"],
            &["a", "b", "{", "}"],
        );
        let many: Vec<String> = (0..5000).map(|i| format!("c{i}")).collect();
        let set = ClassSet::new(&many.join(", "));
        assert!(many.iter().all(|n| set.contains(n)));
        assert!(!set.contains("c5000"));
        // Many lookups switch to the index.
        assert!(set.index.get().is_some());
        assert!(set.index().collided.is_empty());
    }

    #[test]
    fn lists_hold_no_duplicates() {
        let all: Vec<&str> = known().collect();
        let set: HashSet<&str> = all.iter().copied().collect();
        assert_eq!(all.len(), set.len());
    }
}
