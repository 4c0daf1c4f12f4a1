//! TLS security level names (`tls/tls_level.c`).
//!
//! `tls_level_lookup()` is `name_code()` without `NAME_CODE_FLAG_STRICT_CASE`, so level names
//! are matched case-insensitively (`ENCRYPT` works, verified with Postfix 3.7.11). The
//! declaration order is Postfix's numeric order: `none < may < encrypt < fingerprint < dane <
//! dane-only < verify < secure`.

use std::fmt;

/// A TLS security level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsLevel {
    /// `none`.
    None,
    /// `may`: opportunistic.
    May,
    /// `encrypt`: mandatory encryption, no authentication.
    Encrypt,
    /// `fingerprint`: certificate or public-key fingerprint match.
    Fingerprint,
    /// `dane`: opportunistic DANE.
    Dane,
    /// `dane-only`: mandatory DANE.
    DaneOnly,
    /// `verify`: PKIX verification and name match.
    Verify,
    /// `secure`: PKIX verification, stricter name match.
    Secure,
}

impl TlsLevel {
    /// Every level, in Postfix's order.
    pub const ALL: [Self; 8] = [
        Self::None,
        Self::May,
        Self::Encrypt,
        Self::Fingerprint,
        Self::Dane,
        Self::DaneOnly,
        Self::Verify,
        Self::Secure,
    ];

    /// Looks a level name up, ignoring letter case. `None` for an unknown name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|level| level.name().eq_ignore_ascii_case(name))
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::May => "may",
            Self::Encrypt => "encrypt",
            Self::Fingerprint => "fingerprint",
            Self::Dane => "dane",
            Self::DaneOnly => "dane-only",
            Self::Verify => "verify",
            Self::Secure => "secure",
        }
    }

    /// Whether TLS is mandatory (`encrypt` and above; `TLS_REQUIRED()`).
    pub fn is_mandatory(self) -> bool {
        self >= Self::Encrypt
    }

    /// Whether the level is DANE-based (`dane`, `dane-only`).
    pub fn is_dane(self) -> bool {
        matches!(self, Self::Dane | Self::DaneOnly)
    }

    /// Whether the level verifies the peer with PKIX trust anchors (`verify`, `secure`).
    pub fn is_pkix(self) -> bool {
        matches!(self, Self::Verify | Self::Secure)
    }
}

impl fmt::Display for TlsLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_case_insensitively() {
        for level in TlsLevel::ALL {
            assert_eq!(TlsLevel::parse(level.name()), Some(level));
            assert_eq!(TlsLevel::parse(&level.name().to_uppercase()), Some(level));
        }
        assert_eq!(TlsLevel::parse("Dane-Only"), Some(TlsLevel::DaneOnly));
        assert_eq!(TlsLevel::parse("halfdane"), None);
        assert_eq!(TlsLevel::parse(""), None);
        assert_eq!(TlsLevel::parse("encrypt "), None);
    }

    #[test]
    fn postfix_order() {
        assert!(TlsLevel::None < TlsLevel::May);
        assert!(TlsLevel::Encrypt < TlsLevel::Fingerprint);
        assert!(TlsLevel::Fingerprint < TlsLevel::Dane);
        assert!(TlsLevel::DaneOnly < TlsLevel::Verify);
        assert!(TlsLevel::Verify < TlsLevel::Secure);
    }

    #[test]
    fn classifications() {
        assert!(!TlsLevel::May.is_mandatory());
        assert!(TlsLevel::Encrypt.is_mandatory());
        assert!(TlsLevel::Dane.is_mandatory(), "TLS_REQUIRED() counts dane");
        assert!(TlsLevel::DaneOnly.is_dane());
        assert!(!TlsLevel::Fingerprint.is_dane());
        assert!(TlsLevel::Secure.is_pkix());
        assert!(!TlsLevel::Dane.is_pkix());
        assert_eq!(TlsLevel::DaneOnly.to_string(), "dane-only");
    }
}
