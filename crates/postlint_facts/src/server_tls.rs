//! How `smtpd(8)` uses TLS (spec §6.2; `pre_jail_init()` in `smtpd/smtpd.c`, identical in
//! 3.7 and 3.12).
//!
//! 1. `smtpd_tls_wrappermode = yes`: TLS starts on connect; `smtpd_tls_security_level` is
//!    **not even looked at** (an invalid level is not reported).
//! 2. Otherwise a non-empty `smtpd_tls_security_level` sets "use" and "enforce", overriding
//!    `smtpd_use_tls`/`smtpd_enforce_tls`: `none` → neither, `may` → use, `encrypt` → both;
//!    `fingerprint`, `verify`, `secure` → warning `unsupported TLS level "X", using
//!    "encrypt"`; `dane`, `dane-only` and unknown names → fatal `Invalid TLS level "X"`.
//! 3. Otherwise the legacy booleans: `smtpd_enforce_tls = yes` → encrypt, `smtpd_use_tls =
//!    yes` → may, else none.
//! 4. Then enforce ⇐ wrapper mode ∨ enforce; `smtpd_tls_auth_only` ⇐ `smtpd_tls_auth_only` ∨
//!    enforce; use ⇐ use ∨ enforce.
//! 5. Protocols/ciphers: with enforce, `smtpd_tls_mandatory_protocols` and
//!    `smtpd_tls_mandatory_ciphers`, otherwise `smtpd_tls_protocols` and `smtpd_tls_ciphers`.
//!
//! All four booleans are loaded by smtpd whatever the level says, so an invalid boolean
//! (anything but `yes`/`no` in any case) is fatal even where its value would not matter.
//! Level names are case-insensitive.

use postlint_syntax::PostfixVersion;

use crate::params::{InvalidBoolean, Params, get_or, read_bool};
use crate::protocols::{ProtocolList, parse_protocols};
use crate::tls_level::TlsLevel;

/// Where smtpd's TLS behaviour comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTlsMode {
    /// `smtpd_tls_wrappermode = yes` (port 465 style).
    Wrapper {
        /// A non-empty `smtpd_tls_security_level`, which wrapper mode ignores.
        ignored_level: Option<String>,
    },
    /// A non-empty `smtpd_tls_security_level`.
    Level {
        /// The value as written.
        value: String,
        /// The level, if the name is known.
        level: Option<TlsLevel>,
    },
    /// Empty `smtpd_tls_security_level`: the legacy booleans decide.
    Legacy {
        /// `smtpd_use_tls`.
        use_tls: bool,
        /// `smtpd_enforce_tls`.
        enforce_tls: bool,
    },
}

/// The effective server level (smtpd knows only these three).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServerTlsLevel {
    /// No STARTTLS.
    None,
    /// STARTTLS offered, not required.
    May,
    /// TLS required (STARTTLS before mail, or wrapper mode).
    Encrypt,
}

/// Something smtpd logs as a warning and works around.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTlsNote {
    /// `fingerprint`, `verify` or `secure`: `unsupported TLS level "X", using "encrypt"`.
    UnsupportedLevelUsingEncrypt {
        /// The level as written.
        value: String,
    },
    /// Wrapper mode ignores this non-empty `smtpd_tls_security_level`.
    LevelIgnoredInWrapperMode {
        /// The level as written.
        value: String,
    },
    /// A non-empty level overrides these legacy booleans set to `yes`.
    LegacyBooleansOverridden {
        /// The overridden parameter names.
        params: Vec<&'static str>,
    },
}

/// A configuration error that stops smtpd (`fatal:`); master then throttles the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTlsError {
    /// An unknown level name: `Invalid TLS level "X"`.
    InvalidLevel {
        /// The value as written.
        value: String,
    },
    /// `dane` or `dane-only`, valid names but not for the server: `Invalid TLS level "X"`.
    DaneLevelOnServer {
        /// The value as written.
        value: String,
    },
    /// A boolean that is neither `yes` nor `no`.
    InvalidBoolean(InvalidBoolean),
}

/// The TLS facts of one smtpd service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTls {
    /// What decided the behaviour.
    pub mode: ServerTlsMode,
    /// The effective level (with errors: what the level would be without the fatal error).
    pub level: ServerTlsLevel,
    /// TLS is offered (STARTTLS announced, or wrapper mode).
    pub tls_offered: bool,
    /// TLS is required before mail (enforce).
    pub tls_required: bool,
    /// AUTH only after TLS (`smtpd_tls_auth_only`, implied by enforce).
    pub auth_only: bool,
    /// The protocol parameter in force.
    pub protocols_param: &'static str,
    /// Its value, parsed.
    pub protocols: ProtocolList,
    /// The cipher-grade parameter in force.
    pub ciphers_param: &'static str,
    /// Its value.
    pub ciphers: String,
    /// Warnings smtpd logs.
    pub notes: Vec<ServerTlsNote>,
    /// Fatal errors.
    pub errors: Vec<ServerTlsError>,
}

impl ServerTls {
    /// Whether smtpd refuses to start with this configuration.
    pub fn is_fatal(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// The protocol/cipher parameter pairs, by enforce.
const MANDATORY: (&str, &str, &str, &str) = (
    "smtpd_tls_mandatory_protocols",
    ">=TLSv1",
    "smtpd_tls_mandatory_ciphers",
    "medium",
);
const OPPORTUNISTIC: (&str, &str, &str, &str) = (
    "smtpd_tls_protocols",
    ">=TLSv1",
    "smtpd_tls_ciphers",
    "medium",
);

/// Computes smtpd's TLS behaviour from the effective parameters. Defaults used when `params`
/// has no value: booleans `no`, level empty, protocols `>=TLSv1`, ciphers `medium` (3.6+).
pub fn server_tls<P: Params + ?Sized>(params: &P, version: PostfixVersion) -> ServerTls {
    let mut bad_booleans = Vec::new();
    let wrapper = read_bool(params, "smtpd_tls_wrappermode", false, &mut bad_booleans);
    let legacy_use = read_bool(params, "smtpd_use_tls", false, &mut bad_booleans);
    let legacy_enforce = read_bool(params, "smtpd_enforce_tls", false, &mut bad_booleans);
    let auth_only_param = read_bool(params, "smtpd_tls_auth_only", false, &mut bad_booleans);
    let level_value = get_or(params, "smtpd_tls_security_level", "");

    let mut notes = Vec::new();
    let mut errors: Vec<ServerTlsError> = Vec::new();
    let (mode, mut use_tls, mut enforce) = if wrapper {
        if !level_value.is_empty() {
            notes.push(ServerTlsNote::LevelIgnoredInWrapperMode {
                value: level_value.to_owned(),
            });
        }
        let ignored_level = (!level_value.is_empty()).then(|| level_value.to_owned());
        (
            ServerTlsMode::Wrapper { ignored_level },
            legacy_use,
            legacy_enforce,
        )
    } else if level_value.is_empty() {
        (
            ServerTlsMode::Legacy {
                use_tls: legacy_use,
                enforce_tls: legacy_enforce,
            },
            legacy_use,
            legacy_enforce,
        )
    } else {
        let level = TlsLevel::parse(level_value);
        let value = level_value.to_owned();
        let (use_tls, enforce) = match level {
            None => {
                errors.push(ServerTlsError::InvalidLevel {
                    value: value.clone(),
                });
                (legacy_use, legacy_enforce)
            }
            Some(TlsLevel::Dane | TlsLevel::DaneOnly) => {
                errors.push(ServerTlsError::DaneLevelOnServer {
                    value: value.clone(),
                });
                (legacy_use, legacy_enforce)
            }
            Some(TlsLevel::None) => (false, false),
            Some(TlsLevel::May) => (true, false),
            Some(TlsLevel::Encrypt) => (true, true),
            Some(TlsLevel::Fingerprint | TlsLevel::Verify | TlsLevel::Secure) => {
                notes.push(ServerTlsNote::UnsupportedLevelUsingEncrypt {
                    value: value.clone(),
                });
                (true, true)
            }
        };
        let overridden: Vec<&'static str> = [
            ("smtpd_use_tls", legacy_use),
            ("smtpd_enforce_tls", legacy_enforce),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect();
        if level.is_some() && !overridden.is_empty() {
            notes.push(ServerTlsNote::LegacyBooleansOverridden { params: overridden });
        }
        (ServerTlsMode::Level { value, level }, use_tls, enforce)
    };
    enforce = wrapper || enforce;
    let auth_only = auth_only_param || enforce;
    use_tls = use_tls || enforce;
    errors.extend(bad_booleans.into_iter().map(ServerTlsError::InvalidBoolean));

    let level = if enforce {
        ServerTlsLevel::Encrypt
    } else if use_tls {
        ServerTlsLevel::May
    } else {
        ServerTlsLevel::None
    };
    let (protocols_param, protocols_default, ciphers_param, ciphers_default) =
        if enforce { MANDATORY } else { OPPORTUNISTIC };
    ServerTls {
        mode,
        level,
        tls_offered: use_tls,
        tls_required: enforce,
        auth_only,
        protocols_param,
        protocols: parse_protocols(get_or(params, protocols_param, protocols_default), version),
        ciphers_param,
        ciphers: get_or(params, ciphers_param, ciphers_default).to_owned(),
        notes,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::protocols::TlsProtocol;

    fn tls(pairs: &[(&str, &str)]) -> ServerTls {
        let params: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        server_tls(&params, PostfixVersion::V3_7)
    }

    #[test]
    fn defaults_mean_no_tls() {
        let t = tls(&[]);
        assert_eq!(
            t.mode,
            ServerTlsMode::Legacy {
                use_tls: false,
                enforce_tls: false
            }
        );
        assert_eq!(t.level, ServerTlsLevel::None);
        assert!(!t.tls_offered && !t.tls_required && !t.auth_only);
        assert_eq!(t.protocols_param, "smtpd_tls_protocols");
        assert_eq!(t.ciphers_param, "smtpd_tls_ciphers");
        assert!(!t.is_fatal());
    }

    #[test]
    fn level_may_offers_tls() {
        let t = tls(&[("smtpd_tls_security_level", "may")]);
        assert_eq!(t.level, ServerTlsLevel::May);
        assert!(t.tls_offered && !t.tls_required && !t.auth_only);
        assert_eq!(t.protocols_param, "smtpd_tls_protocols");
    }

    #[test]
    fn level_encrypt_requires_tls_and_implies_auth_only() {
        let t = tls(&[
            ("smtpd_tls_security_level", "encrypt"),
            ("smtpd_tls_mandatory_protocols", ">=TLSv1.2"),
            ("smtpd_tls_protocols", ""),
        ]);
        assert_eq!(t.level, ServerTlsLevel::Encrypt);
        assert!(t.tls_offered && t.tls_required && t.auth_only);
        assert_eq!(t.protocols_param, "smtpd_tls_mandatory_protocols");
        assert_eq!(t.ciphers_param, "smtpd_tls_mandatory_ciphers");
        assert_eq!(
            t.protocols.policy().unwrap().floor(),
            Some(TlsProtocol::TlsV1_2),
            "the mandatory list is the one in force"
        );
    }

    #[test]
    fn level_names_ignore_case() {
        assert_eq!(
            tls(&[("smtpd_tls_security_level", "ENCRYPT")]).level,
            ServerTlsLevel::Encrypt
        );
        assert_eq!(
            tls(&[("smtpd_tls_security_level", "May")]).level,
            ServerTlsLevel::May
        );
    }

    #[test]
    fn client_side_levels_fall_back_to_encrypt() {
        for value in ["fingerprint", "verify", "Secure"] {
            let t = tls(&[("smtpd_tls_security_level", value)]);
            assert_eq!(t.level, ServerTlsLevel::Encrypt, "{value}");
            assert_eq!(
                t.notes,
                vec![ServerTlsNote::UnsupportedLevelUsingEncrypt {
                    value: value.into()
                }]
            );
            assert!(!t.is_fatal());
        }
    }

    #[test]
    fn dane_and_unknown_levels_are_fatal() {
        for value in ["dane", "DANE-only"] {
            let t = tls(&[("smtpd_tls_security_level", value)]);
            assert_eq!(
                t.errors,
                vec![ServerTlsError::DaneLevelOnServer {
                    value: value.into()
                }]
            );
        }
        let t = tls(&[("smtpd_tls_security_level", "required")]);
        assert_eq!(
            t.errors,
            vec![ServerTlsError::InvalidLevel {
                value: "required".into()
            }]
        );
        assert!(t.is_fatal());
    }

    #[test]
    fn level_overrides_legacy_booleans() {
        // T7: smtpd_use_tls=yes + level none -> no STARTTLS.
        let t = tls(&[
            ("smtpd_use_tls", "yes"),
            ("smtpd_tls_security_level", "none"),
        ]);
        assert_eq!(t.level, ServerTlsLevel::None);
        assert!(!t.tls_offered);
        assert_eq!(
            t.notes,
            vec![ServerTlsNote::LegacyBooleansOverridden {
                params: vec!["smtpd_use_tls"]
            }]
        );
        let t = tls(&[
            ("smtpd_enforce_tls", "yes"),
            ("smtpd_tls_security_level", "may"),
        ]);
        assert_eq!(t.level, ServerTlsLevel::May);
        assert!(!t.auth_only);
    }

    #[test]
    fn legacy_booleans_without_level() {
        // T8: enforce=yes with an empty level -> encrypt.
        let t = tls(&[("smtpd_enforce_tls", "yes")]);
        assert_eq!(t.level, ServerTlsLevel::Encrypt);
        assert!(t.tls_offered && t.tls_required && t.auth_only);
        assert_eq!(
            t.mode,
            ServerTlsMode::Legacy {
                use_tls: false,
                enforce_tls: true
            }
        );
        let t = tls(&[("smtpd_use_tls", "YES")]);
        assert_eq!(t.level, ServerTlsLevel::May);
    }

    #[test]
    fn wrapper_mode_ignores_the_level() {
        // T6: wrappermode with level none still does TLS first.
        let t = tls(&[
            ("smtpd_tls_wrappermode", "yes"),
            ("smtpd_tls_security_level", "none"),
        ]);
        assert_eq!(
            t.mode,
            ServerTlsMode::Wrapper {
                ignored_level: Some("none".into())
            }
        );
        assert_eq!(t.level, ServerTlsLevel::Encrypt);
        assert!(t.tls_required && t.auth_only && t.tls_offered);
        assert_eq!(t.protocols_param, "smtpd_tls_mandatory_protocols");
        assert_eq!(
            t.notes,
            vec![ServerTlsNote::LevelIgnoredInWrapperMode {
                value: "none".into()
            }]
        );
        // An invalid level is not even looked at.
        let t = tls(&[
            ("smtpd_tls_wrappermode", "yes"),
            ("smtpd_tls_security_level", "bogus"),
        ]);
        assert!(!t.is_fatal());
        let t = tls(&[("smtpd_tls_wrappermode", "yes")]);
        assert_eq!(
            t.mode,
            ServerTlsMode::Wrapper {
                ignored_level: None
            }
        );
        assert!(t.notes.is_empty());
    }

    #[test]
    fn auth_only_can_be_set_alone() {
        let t = tls(&[
            ("smtpd_tls_security_level", "may"),
            ("smtpd_tls_auth_only", "yes"),
        ]);
        assert!(t.auth_only && !t.tls_required);
    }

    #[test]
    fn invalid_booleans_are_fatal_even_when_overridden() {
        let t = tls(&[
            ("smtpd_use_tls", "true"),
            ("smtpd_tls_security_level", "may"),
        ]);
        assert_eq!(t.level, ServerTlsLevel::May);
        assert_eq!(
            t.errors,
            vec![ServerTlsError::InvalidBoolean(InvalidBoolean {
                param: "smtpd_use_tls".into(),
                value: "true".into()
            })]
        );
        let t = tls(&[("smtpd_tls_wrappermode", "")]);
        assert!(t.is_fatal(), "an empty boolean is fatal too");
    }

    #[test]
    fn invalid_protocol_list_is_reported_through_the_parameter_in_force() {
        let t = tls(&[
            ("smtpd_tls_security_level", "may"),
            ("smtpd_tls_protocols", "TLSv1.4"),
        ]);
        assert_eq!(
            t.protocols,
            ProtocolList::Invalid {
                token: "TLSv1.4".into()
            }
        );
        let t = tls(&[
            ("smtpd_tls_security_level", "encrypt"),
            ("smtpd_tls_protocols", "TLSv1.4"),
        ]);
        assert!(
            t.protocols.policy().is_some(),
            "the opportunistic list is not used"
        );
    }

    #[test]
    fn cipher_grade_follows_enforce() {
        let t = tls(&[
            ("smtpd_tls_security_level", "encrypt"),
            ("smtpd_tls_mandatory_ciphers", "high"),
            ("smtpd_tls_ciphers", "low"),
        ]);
        assert_eq!(t.ciphers, "high");
        let t = tls(&[("smtpd_tls_security_level", "may")]);
        assert_eq!(t.ciphers, "medium");
    }
}
