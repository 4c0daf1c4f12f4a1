//! How the SMTP/LMTP client uses TLS (spec §6.3; `smtp/smtp_tls_policy.c`, `smtp/smtp.c`).
//!
//! The client program reads `smtp_*` parameters when it runs as `smtp` and `lmtp_*`
//! parameters when it runs as `lmtp`.
//!
//! - **Global level**: `*_tls_security_level` when non-empty (an unknown name is fatal:
//!   `invalid tls security level`); else `*_enforce_tls = yes` → `verify` when
//!   `*_tls_enforce_peername = yes` (the default) or `encrypt`; else `*_use_tls = yes` →
//!   `may`; else `none`.
//! - **Per destination**: `*_tls_policy_maps` (or, when that is empty, the legacy
//!   `*_tls_per_site`) can raise or lower the level for individual next hops, so the global
//!   level is only the default. TLS client support is initialised when the level is not
//!   `none` or such a table is configured.
//! - **Protocols/ciphers**: mandatory levels (`encrypt` and above, `TLS_REQUIRED()`) use
//!   `*_tls_mandatory_protocols`/`*_tls_mandatory_ciphers`, `may` uses `*_tls_protocols`/
//!   `*_tls_ciphers`.
//! - **Wrapper mode** (`*_tls_wrappermode = yes`, SMTPS/submissions to port 465) requires
//!   `encrypt` or stronger (postconf(5)).
//! - **DANE** (`dane`, `dane-only`; `dane_init()`): needs DNS lookups
//!   (`*_host_lookup` containing `dns`, matched case-sensitively like `name_mask()`),
//!   `*_dns_support_level = dnssec`, for SMTP `ignore_mx_lookup_error = no`, and no
//!   `res_defnames`/`res_dnsrch` in `*_dns_resolver_options`. Otherwise Postfix warns and
//!   `dane` degrades to `may`, while `dane-only` makes delivery fail (deferred). An empty
//!   `*_dns_support_level` means `disabled` with `disable_dns_lookups = yes`, else
//!   `enabled`. DANE is also invalid for LMTP over unix-domain sockets.
//! - **PKIX** (`verify`, `secure`): trust anchors come only from `*_tls_CAfile` and
//!   `*_tls_CApath` (`tls_set_ca_certificate_info()`: with both empty no CA is loaded, and
//!   `tls_append_default_CA` only adds the system CAs when one of them is set), so with both
//!   empty every certificate fails verification.

use postlint_syntax::PostfixVersion;

use crate::params::{InvalidBoolean, Params, get_or, read_bool, split_list};
use crate::program::ProgramKind;
use crate::protocols::{ProtocolList, parse_protocols};
use crate::tls_level::TlsLevel;

/// SMTP or LMTP client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKind {
    /// `smtp`, parameters `smtp_*`.
    Smtp,
    /// `lmtp`, parameters `lmtp_*`.
    Lmtp,
}

impl ClientKind {
    /// The client kind of a program, if it is the SMTP/LMTP client.
    pub fn of_program(kind: &ProgramKind) -> Option<Self> {
        match kind {
            ProgramKind::Smtp => Some(Self::Smtp),
            ProgramKind::Lmtp => Some(Self::Lmtp),
            _ => None,
        }
    }

    /// The parameter prefix, `smtp_` or `lmtp_`.
    pub fn prefix(self) -> &'static str {
        self.names().prefix
    }

    fn names(self) -> &'static ClientParamNames {
        match self {
            Self::Smtp => &SMTP_NAMES,
            Self::Lmtp => &LMTP_NAMES,
        }
    }
}

struct ClientParamNames {
    prefix: &'static str,
    security_level: &'static str,
    use_tls: &'static str,
    enforce_tls: &'static str,
    enforce_peername: &'static str,
    policy_maps: &'static str,
    per_site: &'static str,
    wrappermode: &'static str,
    protocols: &'static str,
    mandatory_protocols: &'static str,
    ciphers: &'static str,
    mandatory_ciphers: &'static str,
    ca_file: &'static str,
    ca_path: &'static str,
    dns_support_level: &'static str,
    host_lookup: &'static str,
    dns_resolver_options: &'static str,
}

macro_rules! client_names {
    ($p:literal) => {
        ClientParamNames {
            prefix: $p,
            security_level: concat!($p, "tls_security_level"),
            use_tls: concat!($p, "use_tls"),
            enforce_tls: concat!($p, "enforce_tls"),
            enforce_peername: concat!($p, "tls_enforce_peername"),
            policy_maps: concat!($p, "tls_policy_maps"),
            per_site: concat!($p, "tls_per_site"),
            wrappermode: concat!($p, "tls_wrappermode"),
            protocols: concat!($p, "tls_protocols"),
            mandatory_protocols: concat!($p, "tls_mandatory_protocols"),
            ciphers: concat!($p, "tls_ciphers"),
            mandatory_ciphers: concat!($p, "tls_mandatory_ciphers"),
            ca_file: concat!($p, "tls_CAfile"),
            ca_path: concat!($p, "tls_CApath"),
            dns_support_level: concat!($p, "dns_support_level"),
            host_lookup: concat!($p, "host_lookup"),
            dns_resolver_options: concat!($p, "dns_resolver_options"),
        }
    };
}

static SMTP_NAMES: ClientParamNames = client_names!("smtp_");
static LMTP_NAMES: ClientParamNames = client_names!("lmtp_");

/// What decided the global level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientLevelSource {
    /// A non-empty `*_tls_security_level`.
    SecurityLevel,
    /// Legacy `*_enforce_tls = yes` (→ `verify`, or `encrypt` without peername enforcement).
    LegacyEnforce,
    /// Legacy `*_use_tls = yes` (→ `may`).
    LegacyUse,
    /// Nothing set (→ `none`).
    Default,
}

/// `*_dns_support_level`, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsSupport {
    /// No DNS lookups.
    Disabled,
    /// DNS without DNSSEC validation.
    Enabled,
    /// DNS with DNSSEC validation requested.
    Dnssec,
}

/// Why DANE cannot work with this configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaneProblem {
    /// `*_dns_support_level` is not `dnssec` (resolved value given).
    DnsSupportNotDnssec(DnsSupport),
    /// `*_host_lookup` does not include `dns`.
    NoDnsHostLookup {
        /// The value.
        value: String,
    },
    /// `ignore_mx_lookup_error = yes` (SMTP only).
    IgnoreMxLookupError,
    /// `*_dns_resolver_options` contains `res_defnames` or `res_dnsrch`.
    ResolverOption {
        /// The offending option.
        option: String,
    },
}

/// What Postfix does when DANE prerequisites are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaneFallback {
    /// `dane` degrades to `may` (opportunistic, unauthenticated), with a warning.
    DegradesToMay,
    /// `dane-only`: delivery fails and mail is deferred.
    Deferred,
}

/// DANE prerequisites of a DANE global level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaneCheck {
    /// Missing prerequisites (empty: DANE can work).
    pub problems: Vec<DaneProblem>,
    /// The consequence of a problem for this level.
    pub fallback: DaneFallback,
}

/// Trust-anchor configuration of a PKIX global level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkixCheck {
    /// Non-empty `*_tls_CAfile`.
    pub ca_file: Option<String>,
    /// Non-empty `*_tls_CApath`.
    pub ca_path: Option<String>,
}

impl PkixCheck {
    /// Whether any trust anchor is configured (otherwise every verification fails).
    pub fn has_trust_anchors(&self) -> bool {
        self.ca_file.is_some() || self.ca_path.is_some()
    }
}

/// A fatal client configuration error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientTlsError {
    /// `*_tls_security_level` names no level: `invalid tls security level`.
    InvalidLevel {
        /// The parameter.
        param: &'static str,
        /// The value.
        value: String,
    },
    /// `*_dns_support_level` is not `disabled`, `enabled` or `dnssec`.
    InvalidDnsSupportLevel {
        /// The parameter.
        param: &'static str,
        /// The value.
        value: String,
    },
    /// A boolean that is neither `yes` nor `no`.
    InvalidBoolean(InvalidBoolean),
}

/// The TLS facts of one SMTP/LMTP client service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTls {
    /// SMTP or LMTP.
    pub kind: ClientKind,
    /// The global level (`None` only when `*_tls_security_level` is invalid).
    pub level: Option<TlsLevel>,
    /// What decided it.
    pub source: ClientLevelSource,
    /// Names of the non-empty per-destination tables (`*_tls_policy_maps`,
    /// `*_tls_per_site`): some destinations may use another level.
    pub per_destination: Vec<&'static str>,
    /// Whether the client initialises TLS at all (level not `none`, or a per-destination
    /// table exists).
    pub tls_enabled: bool,
    /// `*_tls_wrappermode = yes`.
    pub wrappermode: bool,
    /// Wrapper mode with a global level below `encrypt`.
    pub wrappermode_level_too_low: bool,
    /// The resolved `*_dns_support_level`.
    pub dns_support: Option<DnsSupport>,
    /// DANE prerequisites, for a `dane`/`dane-only` global level.
    pub dane: Option<DaneCheck>,
    /// Trust anchors, for a `verify`/`secure` global level.
    pub pkix: Option<PkixCheck>,
    /// The protocol parameter used by the global level.
    pub protocols_param: &'static str,
    /// Its value, parsed.
    pub protocols: ProtocolList,
    /// The cipher-grade parameter used by the global level.
    pub ciphers_param: &'static str,
    /// Its value.
    pub ciphers: String,
    /// Fatal errors.
    pub errors: Vec<ClientTlsError>,
}

impl ClientTls {
    /// Whether the global level requires TLS.
    pub fn tls_required(&self) -> bool {
        self.level.is_some_and(TlsLevel::is_mandatory)
    }
}

/// Computes the client TLS facts. Defaults used when `params` has no value: booleans `no`
/// (`*_tls_enforce_peername` `yes`), tables and level empty, protocols `>=TLSv1`, ciphers
/// `medium`, `*_host_lookup` `dns`.
pub fn client_tls<P: Params + ?Sized>(
    kind: ClientKind,
    params: &P,
    version: PostfixVersion,
) -> ClientTls {
    let names = kind.names();
    let mut bad_booleans = Vec::new();
    let mut errors = Vec::new();
    let use_tls = read_bool(params, names.use_tls, false, &mut bad_booleans);
    let enforce_tls = read_bool(params, names.enforce_tls, false, &mut bad_booleans);
    let enforce_peername = read_bool(params, names.enforce_peername, true, &mut bad_booleans);
    let wrappermode = read_bool(params, names.wrappermode, false, &mut bad_booleans);
    let disable_dns = read_bool(params, "disable_dns_lookups", false, &mut bad_booleans);

    let level_value = get_or(params, names.security_level, "");
    let (level, source) = if !level_value.is_empty() {
        let level = TlsLevel::parse(level_value);
        if level.is_none() {
            errors.push(ClientTlsError::InvalidLevel {
                param: names.security_level,
                value: level_value.to_owned(),
            });
        }
        (level, ClientLevelSource::SecurityLevel)
    } else if enforce_tls {
        let level = if enforce_peername {
            TlsLevel::Verify
        } else {
            TlsLevel::Encrypt
        };
        (Some(level), ClientLevelSource::LegacyEnforce)
    } else if use_tls {
        (Some(TlsLevel::May), ClientLevelSource::LegacyUse)
    } else {
        (Some(TlsLevel::None), ClientLevelSource::Default)
    };

    let per_destination: Vec<&'static str> = [names.policy_maps, names.per_site]
        .into_iter()
        .filter(|name| !get_or(params, name, "").is_empty())
        .collect();
    let tls_enabled = level.is_some_and(|l| l != TlsLevel::None) || !per_destination.is_empty();

    let dns_value = get_or(params, names.dns_support_level, "");
    let dns_support = match dns_value.to_ascii_lowercase().as_str() {
        "" if disable_dns => Some(DnsSupport::Disabled),
        "disabled" => Some(DnsSupport::Disabled),
        "" | "enabled" => Some(DnsSupport::Enabled),
        "dnssec" => Some(DnsSupport::Dnssec),
        _ => {
            errors.push(ClientTlsError::InvalidDnsSupportLevel {
                param: names.dns_support_level,
                value: dns_value.to_owned(),
            });
            None
        }
    };

    let dane = level.filter(|l| l.is_dane()).map(|l| {
        let mut ignore_mx_problems = Vec::new();
        let mut problems = Vec::new();
        if let Some(support) = dns_support.filter(|s| *s != DnsSupport::Dnssec) {
            problems.push(DaneProblem::DnsSupportNotDnssec(support));
        }
        let host_lookup = get_or(params, names.host_lookup, "dns");
        if !split_list(host_lookup).any(|w| w == "dns") {
            problems.push(DaneProblem::NoDnsHostLookup {
                value: host_lookup.to_owned(),
            });
        }
        if kind == ClientKind::Smtp
            && read_bool(
                params,
                "ignore_mx_lookup_error",
                false,
                &mut ignore_mx_problems,
            )
        {
            problems.push(DaneProblem::IgnoreMxLookupError);
        }
        bad_booleans.extend(ignore_mx_problems);
        for option in split_list(get_or(params, names.dns_resolver_options, "")) {
            if option.eq_ignore_ascii_case("res_defnames")
                || option.eq_ignore_ascii_case("res_dnsrch")
            {
                problems.push(DaneProblem::ResolverOption {
                    option: option.to_owned(),
                });
            }
        }
        DaneCheck {
            problems,
            fallback: if l == TlsLevel::Dane {
                DaneFallback::DegradesToMay
            } else {
                DaneFallback::Deferred
            },
        }
    });

    let pkix = level.filter(|l| l.is_pkix()).map(|_| {
        let nonempty = |name: &str| {
            let value = get_or(params, name, "");
            (!value.is_empty()).then(|| value.to_owned())
        };
        PkixCheck {
            ca_file: nonempty(names.ca_file),
            ca_path: nonempty(names.ca_path),
        }
    });

    let mandatory = level.is_some_and(TlsLevel::is_mandatory);
    let (protocols_param, ciphers_param) = if mandatory {
        (names.mandatory_protocols, names.mandatory_ciphers)
    } else {
        (names.protocols, names.ciphers)
    };
    errors.extend(bad_booleans.into_iter().map(ClientTlsError::InvalidBoolean));

    ClientTls {
        kind,
        level,
        source,
        per_destination,
        tls_enabled,
        wrappermode,
        wrappermode_level_too_low: wrappermode && level.is_some_and(|l| !l.is_mandatory()),
        dns_support,
        dane,
        pkix,
        protocols_param,
        protocols: parse_protocols(get_or(params, protocols_param, ">=TLSv1"), version),
        ciphers_param,
        ciphers: get_or(params, ciphers_param, "medium").to_owned(),
        errors,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn tls(kind: ClientKind, pairs: &[(&str, &str)]) -> ClientTls {
        let params: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        client_tls(kind, &params, PostfixVersion::V3_7)
    }

    fn smtp(pairs: &[(&str, &str)]) -> ClientTls {
        tls(ClientKind::Smtp, pairs)
    }

    #[test]
    fn kinds_and_prefixes() {
        assert_eq!(
            ClientKind::of_program(&ProgramKind::Smtp),
            Some(ClientKind::Smtp)
        );
        assert_eq!(
            ClientKind::of_program(&ProgramKind::Lmtp),
            Some(ClientKind::Lmtp)
        );
        assert_eq!(ClientKind::of_program(&ProgramKind::Smtpd), None);
        assert_eq!(ClientKind::Lmtp.prefix(), "lmtp_");
        assert_eq!(LMTP_NAMES.ca_file, "lmtp_tls_CAfile");
        assert_eq!(SMTP_NAMES.dns_support_level, "smtp_dns_support_level");
    }

    #[test]
    fn default_is_none() {
        let t = smtp(&[]);
        assert_eq!(t.level, Some(TlsLevel::None));
        assert_eq!(t.source, ClientLevelSource::Default);
        assert!(!t.tls_enabled && !t.tls_required());
        assert_eq!(t.protocols_param, "smtp_tls_protocols");
        assert!(t.dane.is_none() && t.pkix.is_none());
        assert!(t.errors.is_empty());
    }

    #[test]
    fn explicit_level_wins_over_legacy() {
        let t = smtp(&[
            ("smtp_tls_security_level", "may"),
            ("smtp_enforce_tls", "yes"),
        ]);
        assert_eq!(t.level, Some(TlsLevel::May));
        assert_eq!(t.source, ClientLevelSource::SecurityLevel);
        assert!(t.tls_enabled && !t.tls_required());
        let t = smtp(&[("smtp_tls_security_level", "Encrypt")]);
        assert_eq!(t.level, Some(TlsLevel::Encrypt));
        assert_eq!(t.protocols_param, "smtp_tls_mandatory_protocols");
        assert_eq!(t.ciphers_param, "smtp_tls_mandatory_ciphers");
    }

    #[test]
    fn legacy_enforce_means_verify_unless_peername_is_off() {
        let t = smtp(&[("smtp_enforce_tls", "yes")]);
        assert_eq!(t.level, Some(TlsLevel::Verify));
        assert_eq!(t.source, ClientLevelSource::LegacyEnforce);
        assert!(t.pkix.is_some());
        let t = smtp(&[
            ("smtp_enforce_tls", "yes"),
            ("smtp_tls_enforce_peername", "no"),
        ]);
        assert_eq!(t.level, Some(TlsLevel::Encrypt));
        let t = smtp(&[("smtp_use_tls", "yes")]);
        assert_eq!(t.level, Some(TlsLevel::May));
        assert_eq!(t.source, ClientLevelSource::LegacyUse);
    }

    #[test]
    fn lmtp_reads_lmtp_parameters() {
        let t = tls(ClientKind::Lmtp, &[("smtp_tls_security_level", "encrypt")]);
        assert_eq!(
            t.level,
            Some(TlsLevel::None),
            "smtp_* does not apply to lmtp"
        );
        let t = tls(ClientKind::Lmtp, &[("lmtp_tls_security_level", "encrypt")]);
        assert_eq!(t.level, Some(TlsLevel::Encrypt));
        assert_eq!(t.protocols_param, "lmtp_tls_mandatory_protocols");
    }

    #[test]
    fn invalid_level_is_fatal() {
        let t = smtp(&[("smtp_tls_security_level", "must")]);
        assert_eq!(t.level, None);
        assert_eq!(
            t.errors,
            vec![ClientTlsError::InvalidLevel {
                param: "smtp_tls_security_level",
                value: "must".into()
            }]
        );
    }

    #[test]
    fn per_destination_tables() {
        let t = smtp(&[("smtp_tls_policy_maps", "hash:/etc/postfix/tls_policy")]);
        assert_eq!(t.per_destination, vec!["smtp_tls_policy_maps"]);
        assert!(
            t.tls_enabled,
            "a policy table enables the TLS client even at level none"
        );
        let t = smtp(&[
            ("smtp_tls_per_site", "hash:/x"),
            ("smtp_tls_policy_maps", "hash:/y"),
        ]);
        assert_eq!(
            t.per_destination,
            vec!["smtp_tls_policy_maps", "smtp_tls_per_site"]
        );
    }

    #[test]
    fn wrappermode_needs_a_mandatory_level() {
        let t = smtp(&[
            ("smtp_tls_wrappermode", "yes"),
            ("smtp_tls_security_level", "may"),
        ]);
        assert!(t.wrappermode && t.wrappermode_level_too_low);
        let t = smtp(&[
            ("smtp_tls_wrappermode", "yes"),
            ("smtp_tls_security_level", "encrypt"),
        ]);
        assert!(t.wrappermode && !t.wrappermode_level_too_low);
        let t = smtp(&[("smtp_tls_security_level", "may")]);
        assert!(!t.wrappermode_level_too_low);
    }

    #[test]
    fn dane_needs_dnssec() {
        let t = smtp(&[("smtp_tls_security_level", "dane")]);
        let dane = t.dane.unwrap();
        assert_eq!(
            dane.problems,
            vec![DaneProblem::DnsSupportNotDnssec(DnsSupport::Enabled)]
        );
        assert_eq!(dane.fallback, DaneFallback::DegradesToMay);
        assert_eq!(t.protocols_param, "smtp_tls_mandatory_protocols");

        let t = smtp(&[
            ("smtp_tls_security_level", "dane-only"),
            ("smtp_dns_support_level", "dnssec"),
        ]);
        let dane = t.dane.unwrap();
        assert!(dane.problems.is_empty());
        assert_eq!(dane.fallback, DaneFallback::Deferred);
    }

    #[test]
    fn dane_other_prerequisites() {
        let t = smtp(&[
            ("smtp_tls_security_level", "dane"),
            ("smtp_dns_support_level", "DNSSEC"),
            ("smtp_host_lookup", "native"),
            ("ignore_mx_lookup_error", "yes"),
            (
                "smtp_dns_resolver_options",
                "res_defnames, res_stayopen res_dnsrch",
            ),
        ]);
        assert_eq!(
            t.dane.unwrap().problems,
            vec![
                DaneProblem::NoDnsHostLookup {
                    value: "native".into()
                },
                DaneProblem::IgnoreMxLookupError,
                DaneProblem::ResolverOption {
                    option: "res_defnames".into()
                },
                DaneProblem::ResolverOption {
                    option: "res_dnsrch".into()
                },
            ]
        );
        // ignore_mx_lookup_error is an SMTP-only concern.
        let t = tls(
            ClientKind::Lmtp,
            &[
                ("lmtp_tls_security_level", "dane"),
                ("lmtp_dns_support_level", "dnssec"),
                ("ignore_mx_lookup_error", "yes"),
            ],
        );
        assert!(t.dane.unwrap().problems.is_empty());
    }

    #[test]
    fn dns_support_level_resolution() {
        assert_eq!(smtp(&[]).dns_support, Some(DnsSupport::Enabled));
        assert_eq!(
            smtp(&[("disable_dns_lookups", "yes")]).dns_support,
            Some(DnsSupport::Disabled)
        );
        assert_eq!(
            smtp(&[
                ("disable_dns_lookups", "yes"),
                ("smtp_dns_support_level", "dnssec")
            ])
            .dns_support,
            Some(DnsSupport::Dnssec)
        );
        let t = smtp(&[("smtp_dns_support_level", "secure")]);
        assert_eq!(t.dns_support, None);
        assert_eq!(
            t.errors,
            vec![ClientTlsError::InvalidDnsSupportLevel {
                param: "smtp_dns_support_level",
                value: "secure".into()
            }]
        );
    }

    #[test]
    fn pkix_levels_need_trust_anchors() {
        let t = smtp(&[("smtp_tls_security_level", "secure")]);
        assert!(!t.pkix.unwrap().has_trust_anchors());
        let t = smtp(&[
            ("smtp_tls_security_level", "verify"),
            ("smtp_tls_CApath", "/etc/ssl/certs"),
        ]);
        let pkix = t.pkix.unwrap();
        assert!(pkix.has_trust_anchors());
        assert_eq!(pkix.ca_path.as_deref(), Some("/etc/ssl/certs"));
        assert!(
            smtp(&[("smtp_tls_security_level", "encrypt")])
                .pkix
                .is_none()
        );
        assert!(
            smtp(&[("smtp_tls_security_level", "fingerprint")])
                .pkix
                .is_none()
        );
    }

    #[test]
    fn invalid_booleans() {
        let t = smtp(&[("smtp_use_tls", "on")]);
        assert_eq!(
            t.errors,
            vec![ClientTlsError::InvalidBoolean(InvalidBoolean {
                param: "smtp_use_tls".into(),
                value: "on".into()
            })]
        );
    }

    #[test]
    fn opportunistic_protocols() {
        let t = smtp(&[
            ("smtp_tls_security_level", "may"),
            ("smtp_tls_protocols", "!SSLv2"),
        ]);
        assert_eq!(t.protocols_param, "smtp_tls_protocols");
        assert!(t.protocols.policy().unwrap().allows_legacy());
        assert_eq!(t.ciphers, "medium");
    }
}
