//! Which `smtpd` service handles the connections that `postscreen(8)` accepts.
//!
//! postscreen hands a client that passed its tests to the socket
//! `private/$smtpd_service_name` (`postscreen/postscreen.c`: `"%s/%s", MAIL_CLASS_PRIVATE,
//! var_smtpd_service`), where `smtpd_service_name` is postscreen's own effective value
//! (default `smtpd`, so `-o smtpd_service_name=…` on the postscreen entry counts). That socket
//! belongs to the `master.cf` entry of type `pass` with that exact name and the private flag
//! `y` (or `-`, which defaults to `y`). Relay and TLS policy of mail accepted by postscreen is
//! therefore the policy of that entry.
//!
//! When several entries match, `master(8)` uses the last one (duplicate entries: last wins).

use crate::params::{Params, get_or};

/// The built-in default of `smtpd_service_name`.
pub const DEFAULT_SMTPD_SERVICE_NAME: &str = "smtpd";

/// The effective `smtpd_service_name` of a postscreen service.
pub fn smtpd_service_name<P: Params + ?Sized>(params: &P) -> &str {
    get_or(params, "smtpd_service_name", DEFAULT_SMTPD_SERVICE_NAME)
}

/// The index of the `pass` service named `smtpd_service_name` among `services`, given as
/// `(field 1, field 2)` of every `master.cf` entry in file order. The last match wins. The
/// private flag is not checked; see [`lookup_pass_service`] for that.
pub fn find_pass_service(smtpd_service_name: &str, services: &[(&str, &str)]) -> Option<usize> {
    services
        .iter()
        .rposition(|(name, kind)| *kind == "pass" && *name == smtpd_service_name)
}

/// One `master.cf` entry as seen by [`lookup_pass_service`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassCandidate<'a> {
    /// Field 1.
    pub name: &'a str,
    /// Field 2.
    pub kind: &'a str,
    /// Field 3 with `-` resolved to its default (`y`): whether the socket is in `private/`.
    pub private: bool,
}

/// The outcome of [`lookup_pass_service`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassLookup {
    /// The entry at this index receives postscreen's connections.
    Found(usize),
    /// A matching `pass` entry exists (last one at this index) but is not private, so its
    /// socket is `public/NAME` and postscreen cannot reach it.
    NotPrivate(usize),
    /// No `pass` entry has that name: postscreen cannot hand over any connection.
    Missing,
}

/// Finds the service postscreen hands connections to, checking the private flag too.
pub fn lookup_pass_service(smtpd_service_name: &str, services: &[PassCandidate<'_>]) -> PassLookup {
    let matching = |c: &PassCandidate<'_>| c.kind == "pass" && c.name == smtpd_service_name;
    if let Some(index) = services.iter().rposition(|c| matching(c) && c.private) {
        PassLookup::Found(index)
    } else if let Some(index) = services.iter().rposition(matching) {
        PassLookup::NotPrivate(index)
    } else {
        PassLookup::Missing
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const STOCK: &[(&str, &str)] = &[
        ("smtp", "inet"),
        ("smtpd", "pass"),
        ("dnsblog", "unix"),
        ("tlsproxy", "unix"),
        ("submission", "inet"),
        ("smtp", "unix"),
    ];

    #[test]
    fn default_service_name() {
        let p: HashMap<String, String> = HashMap::new();
        assert_eq!(smtpd_service_name(&p), "smtpd");
        let p: HashMap<String, String> =
            [("smtpd_service_name".to_owned(), "smtpd2".to_owned())].into();
        assert_eq!(smtpd_service_name(&p), "smtpd2");
    }

    #[test]
    fn finds_the_pass_entry() {
        assert_eq!(find_pass_service("smtpd", STOCK), Some(1));
        assert_eq!(find_pass_service("smtpd2", STOCK), None);
    }

    #[test]
    fn type_must_be_pass() {
        let services = [("smtpd", "unix"), ("smtpd", "inet")];
        assert_eq!(find_pass_service("smtpd", &services), None);
    }

    #[test]
    fn names_match_exactly() {
        let services = [("SMTPD", "pass"), ("smtpd ", "pass")];
        assert_eq!(find_pass_service("smtpd", &services), None);
    }

    #[test]
    fn last_duplicate_wins() {
        let services = [("smtpd", "pass"), ("x", "unix"), ("smtpd", "pass")];
        assert_eq!(find_pass_service("smtpd", &services), Some(2));
    }

    #[test]
    fn private_flag_is_checked() {
        let c = |name, kind, private| PassCandidate {
            name,
            kind,
            private,
        };
        assert_eq!(
            lookup_pass_service(
                "smtpd",
                &[c("smtp", "inet", false), c("smtpd", "pass", true)]
            ),
            PassLookup::Found(1)
        );
        assert_eq!(
            lookup_pass_service("smtpd", &[c("smtpd", "pass", false)]),
            PassLookup::NotPrivate(0)
        );
        assert_eq!(
            lookup_pass_service(
                "smtpd",
                &[c("smtpd", "pass", true), c("smtpd", "pass", false)]
            ),
            PassLookup::Found(0),
            "a public duplicate does not shadow the private socket"
        );
        assert_eq!(
            lookup_pass_service("smtpd", &[c("smtpd", "unix", true)]),
            PassLookup::Missing
        );
    }
}
