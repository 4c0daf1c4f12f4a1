//! Deprecated and removed parameters (and `smtpd` restrictions), written by hand.
//!
//! Sources: the deprecation table of `postconf` (`src/postconf/postconf_unused.c`, the names
//! for which `postconf` 3.9+ logs `support for parameter "X" will be removed; instead, …`),
//! `proto/DEPRECATION_README.html`, and the "no longer available" notes of
//! `proto/postconf.proto` for names that were removed before 3.7.
//!
//! `deprecated_since` is the first release whose `postconf` warns about the name, not the
//! (often much older) release whose documentation first called it obsolete: the legacy TLS
//! booleans have been obsolete since 2.3, `disable_dns_lookups` since 2.11, but `postconf`
//! only warns since 3.9.

use postlint_syntax::PostfixVersion;

/// One deprecated or removed name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deprecation {
    /// The parameter (or restriction) name.
    pub name: &'static str,
    /// First release that warns about the name; `None` when no release warned before it was
    /// removed.
    pub deprecated_since: Option<PostfixVersion>,
    /// First release without the name; `None` while it still works.
    pub removed_since: Option<PostfixVersion>,
    /// The parameter to use instead, when there is a single one.
    pub replacement: Option<&'static str>,
    /// What to do instead, in the words `postconf` uses after `instead, ` (or in the same
    /// style where `postconf` has no message).
    pub advice: &'static str,
}

impl Deprecation {
    /// Whether the name still works but draws a warning in `version`.
    pub fn is_deprecated_in(&self, version: PostfixVersion) -> bool {
        !self.is_removed_in(version) && self.deprecated_since.is_some_and(|since| version >= since)
    }

    /// Whether the name no longer works in `version`.
    pub fn is_removed_in(&self, version: PostfixVersion) -> bool {
        self.removed_since.is_some_and(|since| version >= since)
    }
}

const fn v(major: u16, minor: u16) -> PostfixVersion {
    PostfixVersion::new(major, minor)
}

const fn warned(
    name: &'static str,
    since: PostfixVersion,
    replacement: Option<&'static str>,
    advice: &'static str,
) -> Deprecation {
    Deprecation {
        name,
        deprecated_since: Some(since),
        removed_since: None,
        replacement,
        advice,
    }
}

const fn removed(
    name: &'static str,
    since: PostfixVersion,
    replacement: Option<&'static str>,
    advice: &'static str,
) -> Deprecation {
    Deprecation {
        name,
        deprecated_since: None,
        removed_since: Some(since),
        replacement,
        advice,
    }
}

const LEAVE_DEFAULT: &str = "do not specify (leave at default)";

/// Deprecated and removed parameters, sorted by name.
static PARAMETERS: &[Deprecation] = &[
    // 3.11: renamed for consistency; the old value is still the new parameter's default.
    warned(
        "authorized_verp_clients",
        v(3, 11),
        Some("smtpd_authorized_verp_clients"),
        "specify \"smtpd_authorized_verp_clients\"",
    ),
    // 3.9: documented as obsolete since 2.11.
    warned(
        "disable_dns_lookups",
        v(3, 9),
        Some("smtp_dns_support_level"),
        "specify \"smtp_dns_support_level\"",
    ),
    // Removed in 2.2 (turned off by default in 2.1).
    removed(
        "enable_errors_to",
        v(2, 2),
        None,
        "do not specify (Errors-To: is not used)",
    ),
    removed("extract_recipient_limit", v(2, 1), None, "do not specify"),
    warned(
        "fallback_relay",
        v(3, 11),
        Some("smtp_fallback_relay"),
        "specify \"smtp_fallback_relay\"",
    ),
    // Postfix 2.2 and earlier; the LMTP client uses the shared connection cache since 2.3.
    removed(
        "lmtp_cache_connection",
        v(2, 3),
        Some("lmtp_connection_cache_on_demand"),
        "specify \"lmtp_connection_cache_on_demand\" or \"lmtp_connection_cache_destinations\"",
    ),
    warned(
        "lmtp_cname_overrides_servername",
        v(3, 11),
        None,
        "do not specify",
    ),
    warned(
        "lmtp_enforce_tls",
        v(3, 9),
        Some("lmtp_tls_security_level"),
        "specify \"lmtp_tls_security_level\"",
    ),
    warned(
        "lmtp_per_record_deadline",
        v(3, 11),
        Some("lmtp_per_request_deadline"),
        "specify \"lmtp_per_request_deadline\"",
    ),
    warned(
        "lmtp_tls_enforce_peername",
        v(3, 11),
        Some("lmtp_tls_security_level"),
        "specify \"lmtp_tls_security_level\"",
    ),
    warned(
        "lmtp_tls_per_site",
        v(3, 9),
        Some("lmtp_tls_policy_maps"),
        "specify \"lmtp_tls_policy_maps\"",
    ),
    warned(
        "lmtp_use_tls",
        v(3, 9),
        Some("lmtp_tls_security_level"),
        "specify \"lmtp_tls_security_level\"",
    ),
    warned(
        "postscreen_blacklist_action",
        v(3, 11),
        Some("postscreen_denylist_action"),
        "specify \"postscreen_denylist_action\"",
    ),
    warned(
        "postscreen_dnsbl_ttl",
        v(3, 11),
        Some("postscreen_dnsbl_max_ttl"),
        "specify \"postscreen_dnsbl_max_ttl\"",
    ),
    warned(
        "postscreen_dnsbl_whitelist_threshold",
        v(3, 11),
        Some("postscreen_dnsbl_allowlist_threshold"),
        "specify \"postscreen_dnsbl_allowlist_threshold\"",
    ),
    warned(
        "postscreen_enforce_tls",
        v(3, 9),
        Some("postscreen_tls_security_level"),
        "specify \"postscreen_tls_security_level\"",
    ),
    warned(
        "postscreen_use_tls",
        v(3, 9),
        Some("postscreen_tls_security_level"),
        "specify \"postscreen_tls_security_level\"",
    ),
    warned(
        "postscreen_whitelist_interfaces",
        v(3, 11),
        Some("postscreen_allowlist_interfaces"),
        "specify \"postscreen_allowlist_interfaces\"",
    ),
    // Replaced in 2.3.
    removed(
        "sender_based_routing",
        v(2, 3),
        Some("sender_dependent_relayhost_maps"),
        "specify \"sender_dependent_relayhost_maps\"",
    ),
    warned(
        "smtp_cname_overrides_servername",
        v(3, 11),
        None,
        "do not specify",
    ),
    warned(
        "smtp_enforce_tls",
        v(3, 9),
        Some("smtp_tls_security_level"),
        "specify \"smtp_tls_security_level\"",
    ),
    warned(
        "smtp_per_record_deadline",
        v(3, 11),
        Some("smtp_per_request_deadline"),
        "specify \"smtp_per_request_deadline\"",
    ),
    // "Available in Postfix 2.0 and earlier"; later releases always skip 4XX greetings.
    removed(
        "smtp_skip_4xx_greeting",
        v(2, 1),
        None,
        "do not specify (4XX greetings are always skipped)",
    ),
    // Postfix 2.2 only.
    removed(
        "smtp_tls_cipherlist",
        v(2, 3),
        Some("smtp_tls_mandatory_ciphers"),
        "specify \"smtp_tls_mandatory_ciphers\"",
    ),
    warned(
        "smtp_tls_enforce_peername",
        v(3, 11),
        Some("smtp_tls_security_level"),
        "specify \"smtp_tls_security_level\"",
    ),
    warned(
        "smtp_tls_per_site",
        v(3, 9),
        Some("smtp_tls_policy_maps"),
        "specify \"smtp_tls_policy_maps\"",
    ),
    warned(
        "smtp_use_tls",
        v(3, 9),
        Some("smtp_tls_security_level"),
        "specify \"smtp_tls_security_level\"",
    ),
    warned(
        "smtpd_client_connection_limit_exceptions",
        v(3, 11),
        Some("smtpd_client_event_limit_exceptions"),
        "specify \"smtpd_client_event_limit_exceptions\"",
    ),
    warned(
        "smtpd_enforce_tls",
        v(3, 9),
        Some("smtpd_tls_security_level"),
        "specify \"smtpd_tls_security_level\"",
    ),
    warned(
        "smtpd_per_record_deadline",
        v(3, 11),
        Some("smtpd_per_request_deadline"),
        "specify \"smtpd_per_request_deadline\"",
    ),
    // Postfix 2.1 and 2.2; renamed in 2.3.
    removed(
        "smtpd_sasl_application_name",
        v(2, 3),
        Some("smtpd_sasl_path"),
        "specify \"smtpd_sasl_path\"",
    ),
    // Postfix 2.2 only.
    removed(
        "smtpd_tls_cipherlist",
        v(2, 3),
        Some("smtpd_tls_mandatory_ciphers"),
        "specify \"smtpd_tls_mandatory_ciphers\"",
    ),
    warned("smtpd_tls_dh1024_param_file", v(3, 9), None, LEAVE_DEFAULT),
    warned("smtpd_tls_eecdh_grade", v(3, 9), None, LEAVE_DEFAULT),
    warned(
        "smtpd_use_tls",
        v(3, 9),
        Some("smtpd_tls_security_level"),
        "specify \"smtpd_tls_security_level\"",
    ),
    // Postfix 2.11–3.1; later releases ignore it and behave as if it were "on".
    removed("tls_dane_digest_agility", v(3, 2), None, "do not specify"),
    // Postfix 2.11–3.1.
    removed(
        "tls_dane_trust_anchor_digest_enable",
        v(3, 2),
        None,
        "do not specify",
    ),
    // A 3.7 built-in that the 3.12 snapshot no longer has; the exact release in between was
    // not verified, so 3.12 is recorded (no false "removed" for 3.8–3.11).
    removed(
        "tls_legacy_public_key_fingerprints",
        v(3, 12),
        None,
        "do not specify (a migration aid for Postfix 2.9.0–2.9.5 fingerprints)",
    ),
    warned(
        "tlsproxy_client_enforce_tls",
        v(3, 9),
        Some("tlsproxy_client_security_level"),
        "specify \"tlsproxy_client_security_level\"",
    ),
    warned(
        "tlsproxy_client_level",
        v(3, 11),
        Some("tlsproxy_client_security_level"),
        "specify \"tlsproxy_client_security_level\"",
    ),
    // Like tls_legacy_public_key_fingerprints: gone in the 3.12 snapshot, exact release not
    // verified.
    removed(
        "tlsproxy_client_loglevel_parameter",
        v(3, 12),
        Some("tlsproxy_client_loglevel"),
        "specify \"tlsproxy_client_loglevel\"",
    ),
    warned(
        "tlsproxy_client_per_site",
        v(3, 9),
        Some("tlsproxy_client_policy_maps"),
        "specify \"tlsproxy_client_policy_maps\"",
    ),
    warned(
        "tlsproxy_client_policy",
        v(3, 11),
        Some("tlsproxy_client_policy_maps"),
        "specify \"tlsproxy_client_policy_maps\"",
    ),
    warned(
        "tlsproxy_client_use_tls",
        v(3, 9),
        Some("tlsproxy_client_security_level"),
        "specify \"tlsproxy_client_security_level\"",
    ),
    warned(
        "tlsproxy_enforce_tls",
        v(3, 9),
        Some("tlsproxy_tls_security_level"),
        "specify \"tlsproxy_tls_security_level\"",
    ),
    warned(
        "tlsproxy_use_tls",
        v(3, 9),
        Some("tlsproxy_tls_security_level"),
        "specify \"tlsproxy_tls_security_level\"",
    ),
    warned(
        "virtual_maps",
        v(3, 11),
        Some("virtual_alias_maps"),
        "specify \"virtual_alias_maps\"",
    ),
];

/// Deprecated and removed `smtpd` access restrictions (`DEPRECATION_README`), sorted by name.
/// Since 3.9 a removed restriction logs a warning and makes `smtpd` answer with a "server
/// configuration error".
static RESTRICTIONS: &[Deprecation] = &[
    Deprecation {
        name: "check_relay_domains",
        deprecated_since: Some(v(2, 2)),
        removed_since: Some(v(3, 9)),
        replacement: None,
        advice: "specify \"permit_mynetworks, reject_unauth_destination\"",
    },
    Deprecation {
        name: "permit_mx_backup",
        deprecated_since: Some(v(3, 9)),
        removed_since: None,
        replacement: None,
        advice: "specify \"relay_domains\"",
    },
    Deprecation {
        name: "permit_naked_ip_address",
        deprecated_since: Some(v(2, 0)),
        removed_since: Some(v(3, 9)),
        replacement: None,
        advice: "specify \"permit_mynetworks\" or \"permit_sasl_authenticated\"",
    },
    Deprecation {
        name: "reject_maps_rbl",
        deprecated_since: Some(v(2, 1)),
        removed_since: Some(v(3, 9)),
        replacement: None,
        advice: "specify \"reject_rbl_client domain-name\"",
    },
];

/// All deprecated or removed parameters, sorted by name.
pub fn deprecations() -> &'static [Deprecation] {
    PARAMETERS
}

/// The deprecation record of parameter `name`, if it has one.
pub fn deprecation(name: &str) -> Option<&'static Deprecation> {
    // Asked for every name of main.cf: a hash index rather than a binary search.
    static INDEX: std::sync::OnceLock<
        std::collections::HashMap<&'static str, &'static Deprecation, foldhash::fast::RandomState>,
    > = std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| PARAMETERS.iter().map(|d| (d.name, d)).collect())
        .get(name)
        .copied()
}

/// All deprecated or removed `smtpd` restrictions, sorted by name.
pub fn deprecated_restrictions() -> &'static [Deprecation] {
    RESTRICTIONS
}

/// The deprecation record of `smtpd` restriction `name` (e.g. `check_relay_domains`).
pub fn deprecated_restriction(name: &str) -> Option<&'static Deprecation> {
    find(RESTRICTIONS, name)
}

fn find(table: &'static [Deprecation], name: &str) -> Option<&'static Deprecation> {
    table
        .binary_search_by(|d| d.name.cmp(name))
        .ok()
        .and_then(|index| table.get(index))
}

#[cfg(test)]
mod index_tests {
    use super::*;

    #[test]
    fn the_index_finds_every_record_and_names_are_unique() {
        for d in PARAMETERS {
            assert!(deprecation(d.name).is_some_and(|found| std::ptr::eq(found, d)));
        }
        let mut names: Vec<&str> = PARAMETERS.iter().map(|d| d.name).collect();
        names.dedup();
        assert_eq!(names.len(), PARAMETERS.len());
        assert!(deprecation("no_such_parameter").is_none());
    }
}
