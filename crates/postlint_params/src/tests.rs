//! Unit tests of the catalogue against facts checked by hand in Postfix's sources and in
//! `postfix-config.md`.

use super::*;
use crate::deprecated::{deprecated_restrictions, deprecations};
use crate::postconf_rules::LEGACY_DBMS_TYPES;

const V3_7: PostfixVersion = PostfixVersion::V3_7;
const V3_8: PostfixVersion = PostfixVersion::new(3, 8);
const V3_9: PostfixVersion = PostfixVersion::new(3, 9);
const V3_10: PostfixVersion = PostfixVersion::new(3, 10);
const V3_11: PostfixVersion = PostfixVersion::V3_11;
const V3_12: PostfixVersion = PostfixVersion::V3_12;

#[test]
fn table_is_sorted_and_unique() {
    assert!(all().windows(2).all(|w| w[0].name < w[1].name));
    assert!(all().iter().all(|p| lookup(p.name) == Some(p)));
    assert_eq!(lookup("no_such_parameter"), None);
    assert_eq!(lookup(""), None);
}

#[test]
fn row_counts_match_the_input_files() {
    // postfix-params-3.7.tsv: 831 rows; postfix-params-newest.tsv: 909 postconf-d + 52 proto.
    assert_eq!(all().iter().filter(|p| p.in_3_7).count(), 831);
    assert_eq!(all().iter().filter(|p| p.in_newest).count(), 961);
    assert_eq!(all().iter().filter(|p| p.builtin_newest).count(), 909);
    assert_eq!(
        all().len(),
        961,
        "every 3.7 name is also listed for the newest release"
    );
    // §5.1: 3.7 postconf.proto has 880 %PARAM entries = 831 built-ins + 49 documented-only.
    let documented_3_7 = all().iter().filter(|p| p.is_documented_only(V3_7)).count();
    assert_eq!(documented_3_7, 49);
}

#[test]
fn type_counts_match_section_5_2() {
    let count = |ty| {
        all()
            .iter()
            .filter(|p| p.builtin_newest && p.ty == ty)
            .count()
    };
    assert_eq!(count(ParamType::Bool), 125);
    assert_eq!(count(ParamType::NBool), 40);
    assert_eq!(count(ParamType::NInt), 12);
    assert_eq!(count(ParamType::Long), 5);
    assert_eq!(count(ParamType::Time), 108);
    assert_eq!(count(ParamType::Raw), 9);
    assert_eq!(count(ParamType::StrFn), 3);
    assert_eq!(count(ParamType::Unknown), 0, "every built-in is typed");
}

#[test]
fn smtpd_tls_security_level_is_known_everywhere() {
    for version in [V3_7, V3_8, V3_11, V3_12] {
        assert_eq!(status("smtpd_tls_security_level", version), Status::Known);
    }
    let info = lookup("smtpd_tls_security_level").unwrap();
    assert_eq!(info.introduced, Some(PostfixVersion::new(2, 3)));
    assert_eq!(info.ty, ParamType::Str);
}

#[test]
fn smtpd_hide_client_session_was_introduced_after_3_7() {
    assert_eq!(
        status("smtpd_hide_client_session", V3_7),
        Status::IntroducedLater(PostfixVersion::new(3, 10))
    );
    assert_eq!(
        status("smtpd_hide_client_session", V3_9),
        Status::IntroducedLater(PostfixVersion::new(3, 10))
    );
    assert_eq!(status("smtpd_hide_client_session", V3_10), Status::Known);
    assert_eq!(status("smtpd_hide_client_session", V3_12), Status::Known);
    assert_eq!(default_value("smtpd_hide_client_session", V3_7), None);
}

#[test]
fn lmtp_twin_takes_the_smtp_release() {
    let info = lookup("lmtp_tlsrpt_enable").unwrap();
    assert!(info.introduced_inferred);
    assert_eq!(
        info.introduced,
        lookup("smtp_tlsrpt_enable").unwrap().introduced
    );
    assert_eq!(
        status("lmtp_tlsrpt_enable", V3_9),
        Status::IntroducedLater(V3_10)
    );
    assert_eq!(status("lmtp_tlsrpt_enable", V3_10), Status::Known);
}

#[test]
fn backported_parameters_are_known_in_3_7() {
    // Documented as 3.9 features, but in the 3.7.11 built-ins (backported to 3.7.10).
    let info = lookup("smtpd_forbid_bare_newline").unwrap();
    assert_eq!(info.introduced, Some(V3_9));
    assert!(info.in_3_7);
    for version in [V3_7, V3_8, V3_12] {
        assert_eq!(status("smtpd_forbid_bare_newline", version), Status::Known);
    }
}

#[test]
fn legacy_tls_booleans_are_deprecated_since_3_9() {
    for (name, replacement) in [
        ("smtpd_use_tls", "smtpd_tls_security_level"),
        ("smtpd_enforce_tls", "smtpd_tls_security_level"),
        ("smtp_use_tls", "smtp_tls_security_level"),
        ("smtp_enforce_tls", "smtp_tls_security_level"),
        ("lmtp_use_tls", "lmtp_tls_security_level"),
        ("lmtp_enforce_tls", "lmtp_tls_security_level"),
        ("postscreen_use_tls", "postscreen_tls_security_level"),
        ("postscreen_enforce_tls", "postscreen_tls_security_level"),
        ("tlsproxy_use_tls", "tlsproxy_tls_security_level"),
        ("tlsproxy_enforce_tls", "tlsproxy_tls_security_level"),
        ("tlsproxy_client_use_tls", "tlsproxy_client_security_level"),
        (
            "tlsproxy_client_enforce_tls",
            "tlsproxy_client_security_level",
        ),
        ("smtp_tls_per_site", "smtp_tls_policy_maps"),
        ("lmtp_tls_per_site", "lmtp_tls_policy_maps"),
        ("tlsproxy_client_per_site", "tlsproxy_client_policy_maps"),
        ("disable_dns_lookups", "smtp_dns_support_level"),
    ] {
        let d = deprecation(name).unwrap();
        assert_eq!(d.replacement, Some(replacement), "{name}");
        assert_eq!(d.deprecated_since, Some(V3_9), "{name}");
        assert_eq!(d.removed_since, None, "{name}");
        assert!(lookup(replacement).unwrap().builtin_newest, "{replacement}");
        assert_eq!(status(name, V3_7), Status::Known, "{name}");
        assert_eq!(status(name, V3_8), Status::Known, "{name}");
        let deprecated = Status::Deprecated {
            since: V3_9,
            replacement: Some(replacement),
            builtin: true,
        };
        assert_eq!(status(name, V3_9), deprecated, "{name}");
        assert_eq!(status(name, V3_12), deprecated, "{name}");
        assert!(status(name, V3_12).is_builtin());
    }
    let smtpd_use_tls = deprecation("smtpd_use_tls").unwrap();
    assert_eq!(smtpd_use_tls.advice, "specify \"smtpd_tls_security_level\"");
    assert!(!smtpd_use_tls.is_deprecated_in(V3_8));
    assert!(smtpd_use_tls.is_deprecated_in(V3_9));
}

#[test]
fn peername_and_renamed_parameters_are_deprecated_since_3_11() {
    for (name, replacement) in [
        ("smtp_tls_enforce_peername", "smtp_tls_security_level"),
        ("lmtp_tls_enforce_peername", "lmtp_tls_security_level"),
        ("virtual_maps", "virtual_alias_maps"),
        ("fallback_relay", "smtp_fallback_relay"),
        ("authorized_verp_clients", "smtpd_authorized_verp_clients"),
        (
            "postscreen_whitelist_interfaces",
            "postscreen_allowlist_interfaces",
        ),
        ("postscreen_blacklist_action", "postscreen_denylist_action"),
        (
            "postscreen_dnsbl_whitelist_threshold",
            "postscreen_dnsbl_allowlist_threshold",
        ),
        (
            "smtpd_client_connection_limit_exceptions",
            "smtpd_client_event_limit_exceptions",
        ),
    ] {
        let Status::Deprecated {
            since,
            replacement: r,
            ..
        } = status(name, V3_11)
        else {
            panic!("{name} is not deprecated in 3.11");
        };
        assert_eq!((since, r), (V3_11, Some(replacement)), "{name}");
        assert_ne!(status(name, V3_7), Status::Unknown, "{name}");
        assert!(
            !matches!(status(name, V3_7), Status::Deprecated { .. }),
            "{name}"
        );
    }
    // A built-in default still refers to each renamed legacy name.
    assert_eq!(status("virtual_maps", V3_7), Status::Documented);
    assert_eq!(
        default_value("virtual_alias_maps", V3_12),
        Some("$virtual_maps")
    );
    assert_eq!(status("smtp_tls_enforce_peername", V3_7), Status::Known);
    assert!(status("smtp_tls_enforce_peername", V3_11).is_builtin());
    assert!(!status("virtual_maps", V3_11).is_builtin());
}

#[test]
fn removed_parameters() {
    assert_eq!(
        status("smtpd_sasl_application_name", V3_7),
        Status::Removed {
            since: PostfixVersion::new(2, 3),
            replacement: Some("smtpd_sasl_path")
        }
    );
    assert_eq!(
        status("tls_legacy_public_key_fingerprints", V3_12),
        Status::Removed {
            since: V3_12,
            replacement: None
        }
    );
    assert_eq!(
        status("tls_legacy_public_key_fingerprints", V3_7),
        Status::Known
    );
    assert_eq!(
        status("tls_legacy_public_key_fingerprints", V3_11),
        Status::Known
    );
    assert_eq!(
        default_value("tls_legacy_public_key_fingerprints", V3_11),
        Some("no")
    );
    assert_eq!(
        default_value("tls_legacy_public_key_fingerprints", V3_12),
        None
    );
}

#[test]
fn deprecation_tables_are_sorted_and_consistent() {
    for table in [deprecations(), deprecated_restrictions()] {
        assert!(table.windows(2).all(|w| w[0].name < w[1].name));
        for d in table {
            assert!(
                d.deprecated_since.is_some() || d.removed_since.is_some(),
                "{}",
                d.name
            );
            assert!(!d.advice.is_empty(), "{}", d.name);
        }
    }
    for d in deprecations() {
        // Every parameter in the table is (or was) documented.
        assert!(
            lookup(d.name).is_some(),
            "{} is not in the catalogue",
            d.name
        );
        if let Some(replacement) = d.replacement {
            assert!(
                lookup(replacement).is_some_and(|p| p.builtin_newest),
                "{replacement}"
            );
            assert!(d.advice.contains(replacement), "{}", d.name);
        }
    }
    let check_relay = deprecated_restriction("check_relay_domains").unwrap();
    assert!(check_relay.is_removed_in(V3_9));
    assert!(!check_relay.is_removed_in(V3_8));
    assert!(
        deprecated_restriction("permit_mx_backup")
            .unwrap()
            .is_deprecated_in(V3_9)
    );
    assert_eq!(deprecated_restriction("permit_mynetworks"), None);
}

#[test]
fn raw_parameters_match_section_2_2() {
    let mut raw: Vec<&str> = all().iter().filter(|p| p.raw).map(|p| p.name).collect();
    raw.sort_unstable();
    assert_eq!(
        raw,
        [
            "command_execution_directory",
            "default_rbl_reply",
            "forward_path",
            "luser_relay",
            "mailbox_command",
            "postscreen_expansion_filter",
            "postscreen_reject_footer",
            "smtpd_expansion_filter",
            "smtpd_reject_footer",
        ]
    );
    let rbl = lookup("default_rbl_reply").unwrap();
    assert!(rbl.raw);
    assert_eq!(rbl.ty, ParamType::Raw);
    assert!(!lookup("smtpd_banner").unwrap().raw);
}

#[test]
fn read_only_and_host_dependent_parameters() {
    assert_eq!(
        read_only_params().collect::<Vec<_>>(),
        ["process_id", "process_name", "service_name"]
    );
    for name in [
        "myhostname",
        "mydomain",
        "mynetworks",
        "process_id",
        "process_name",
    ] {
        let info = lookup(name).unwrap();
        assert!(info.host_dependent, "{name}");
        assert_eq!(default_value(name, V3_7), None, "{name}");
    }
    assert!(!lookup("myorigin").unwrap().host_dependent);
    assert_eq!(default_value("myorigin", V3_7), Some("$myhostname"));
}

#[test]
fn smtp_tls_security_level_default_depends_on_compatibility_level() {
    assert_eq!(default_value("smtp_tls_security_level", V3_7), Some(""));
    let newest = default_value("smtp_tls_security_level", V3_12).unwrap();
    assert!(
        newest.starts_with("${{$compatibility_level} <level {3.11}"),
        "{newest}"
    );
    assert!(
        lookup("smtp_tls_security_level")
            .unwrap()
            .default_depends_on_compatibility_level()
    );
    // Not lmtp (postfix-config.md §4).
    assert_eq!(default_value("lmtp_tls_security_level", V3_12), Some(""));
    assert!(
        !lookup("lmtp_tls_security_level")
            .unwrap()
            .default_depends_on_compatibility_level()
    );
    // 3.8–3.11 use the newest default (documented approximation).
    assert_eq!(default_value("smtp_tls_security_level", V3_8), Some(newest));
}

#[test]
fn other_changed_defaults() {
    assert_eq!(
        default_value("milter_default_action", V3_7),
        Some("tempfail")
    );
    assert_eq!(
        default_value("milter_default_action", V3_12),
        Some("shutdown")
    );
    assert_eq!(default_value("smtpd_forbid_bare_newline", V3_7), Some("no"));
    assert_eq!(
        default_value("smtpd_forbid_bare_newline", V3_12),
        Some("normalize")
    );
    assert_eq!(default_value("no_such_parameter", V3_7), None);
}

#[test]
fn versions_outside_the_model_are_clamped() {
    let v3_6 = PostfixVersion::new(3, 6);
    let v4_0 = PostfixVersion::new(4, 0);
    assert_eq!(
        status("smtpd_tls_security_level", v3_6),
        status("smtpd_tls_security_level", V3_7)
    );
    assert_eq!(
        status("postscreen_tls_CAfile", v3_6),
        Status::IntroducedLater(V3_12)
    );
    assert_eq!(status("postscreen_tls_CAfile", v4_0), Status::Known);
    assert_eq!(
        default_value("milter_default_action", v4_0),
        Some("shutdown")
    );
}

#[test]
fn documented_only_names() {
    // Template and per-service names are documented, not built in.
    for name in [
        "transport_time_limit",
        "smtp_destination_recipient_limit",
        "virtual_maps",
    ] {
        let info = lookup(name).unwrap();
        assert!(!info.builtin_newest && info.in_newest, "{name}");
        assert!(!status(name, V3_12).is_builtin(), "{name}");
        assert_eq!(default_value(name, V3_12), None, "{name}");
    }
    assert_eq!(status("transport_time_limit", V3_12), Status::Documented);
    assert_eq!(
        status("smtp_destination_recipient_limit", V3_7),
        Status::Documented
    );
    // `local_destination_recipient_limit` is a real built-in with its own default.
    assert_eq!(
        status("local_destination_recipient_limit", V3_7),
        Status::Known
    );
    assert_eq!(
        default_value("local_destination_recipient_limit", V3_7),
        Some("1")
    );
    assert_eq!(status("my_own_parameter", V3_12), Status::Unknown);
}

#[test]
fn limits() {
    let prefix = lookup("smtpd_client_ipv6_prefix_length").unwrap();
    assert_eq!((prefix.min, prefix.max), (None, Some(128)));
    let sasl = lookup("smtpd_sasl_response_limit").unwrap();
    assert_eq!(sasl.min, Some(12288));
    let rbl = lookup("default_rbl_reply").unwrap();
    assert_eq!((rbl.min, rbl.max), (Some(1), None));
    assert_eq!(lookup("message_size_limit").unwrap().ty, ParamType::Long);
}

#[test]
fn service_derived_suffixes_follow_postconf() {
    for program in ["smtp", "lmtp", "local", "virtual", "error"] {
        let suffixes = service_derived_suffixes(program);
        assert_eq!(suffixes.len(), 16, "{program}");
        assert!(
            suffixes.contains(&"_destination_recipient_limit"),
            "{program}"
        );
        assert!(suffixes.contains(&"_transport_rate_delay"), "{program}");
        assert!(!suffixes.contains(&"_time_limit"), "{program}");
    }
    let pipe = service_derived_suffixes("pipe");
    assert_eq!(pipe.len(), 17);
    assert!(pipe.contains(&"_time_limit"));
    assert!(pipe.contains(&"_destination_recipient_limit"));
    assert_eq!(service_derived_suffixes("spawn"), ["_time_limit"]);
    assert!(service_derived_suffixes("smtpd").is_empty());
    assert!(service_derived_suffixes("/usr/lib/postfix/smtp").is_empty());
}

#[test]
fn service_derived_defaults_match_the_transport_templates() {
    // postconf.proto documents `transport_<suffix>` with default `$<built-in>`.
    for suffix in service_derived_suffixes("pipe") {
        let default = service_derived_default(suffix).unwrap();
        assert!(lookup(default).unwrap().builtin_newest, "{default}");
        let template = lookup(&format!("transport{suffix}")).unwrap();
        assert_eq!(
            template.default_newest,
            Some(format!("${default}").as_str()),
            "{suffix}"
        );
    }
    assert_eq!(service_derived_default("_foo"), None);
}

#[test]
fn legacy_dbms_suffixes_follow_postconf() {
    let ldap = legacy_dbms_suffixes("ldap");
    for key in [
        "server_host",
        "search_base",
        "query_filter",
        "result_attribute",
        "bind_dn",
        "domain",
    ] {
        assert!(ldap.contains(&key), "ldap {key}");
    }
    for dict_type in ["mysql", "pgsql", "sqlite"] {
        let sql = legacy_dbms_suffixes(dict_type);
        for key in [
            "query",
            "domain",
            "table",
            "select_field",
            "where_field",
            "additional_conditions",
        ] {
            assert!(sql.contains(&key), "{dict_type} {key}");
        }
    }
    assert!(legacy_dbms_suffixes("mysql").contains(&"hosts"));
    assert!(legacy_dbms_suffixes("sqlite").contains(&"dbpath"));
    assert!(legacy_dbms_suffixes("memcache").contains(&"memcache"));
    assert!(legacy_dbms_suffixes("mongodb").contains(&"uri"));
    for dict_type in LEGACY_DBMS_TYPES {
        let suffixes = legacy_dbms_suffixes(dict_type);
        assert!(suffixes.contains(&"domain"), "{dict_type}");
        assert!(
            suffixes.windows(2).all(|w| w[0] < w[1]),
            "{dict_type} sorted"
        );
    }
    assert!(legacy_dbms_suffixes("hash").is_empty());
    assert!(legacy_dbms_suffixes("proxy").is_empty());
}
