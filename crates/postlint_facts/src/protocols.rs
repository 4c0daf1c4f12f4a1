//! TLS protocol lists (`*_tls_protocols`, `*_tls_mandatory_protocols`), parsed like
//! `tls_proto_mask_lims()` in `tls/tls_misc.c`.
//!
//! # Syntax
//!
//! - Tokens are separated by commas, whitespace or colons.
//! - `NAME` includes a protocol, `!NAME` excludes it. Names are `SSLv2`, `SSLv3`, `TLSv1`,
//!   `TLSv1.1`, `TLSv1.2`, `TLSv1.3`, matched case-insensitively (`name_code()` without
//!   strict case; `>=tlsv1.2, !sslv2` was accepted by Postfix 3.7.11). As soon as one name is
//!   included, every known protocol that is not included is excluded.
//! - `>=V` sets the floor and `<=V` the ceiling (Postfix ≥ 3.6; no space after the operator;
//!   a later bound replaces an earlier one). `V` is one of `None` (no bound), `SSLv3`,
//!   `TLSv1` … `TLSv1.3` (case-insensitive; `SSLv2` is not accepted here), or a hexadecimal
//!   number read by `strtoul(…, 16)`: an optional sign, an optional `0x`, hex digits; `301`,
//!   `0301`, `0x301` and `0x0301` all mean `TLSv1`. An empty `V` reads as 0, i.e. no bound.
//!   Numbers that OpenSSL does not know (anything but 0 and `0x0300`–`0x0304`) fail to set
//!   the bound: Postfix logs a warning and the bound is not applied.
//! - Any other token makes the whole list invalid. `smtpd(8)` then logs `Invalid TLS protocol
//!   list "…": disabling TLS support` (STARTTLS is still announced but answered with 454);
//!   the SMTP client aborts the TLS session.
//! - An empty list allows every protocol.
//!
//! # Output
//!
//! The set of protocols that the configuration enables. The TLS library can narrow it further
//! (OpenSSL 1.1+ has no `SSLv2`; Debian's OpenSSL security level disables `TLSv1` and `TLSv1.1`),
//! which postlint does not model.

use std::fmt;

use postlint_syntax::PostfixVersion;

/// One SSL/TLS protocol version known to Postfix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsProtocol {
    /// `SSLv2`.
    SslV2,
    /// `SSLv3`.
    SslV3,
    /// `TLSv1` (1.0).
    TlsV1,
    /// `TLSv1.1`.
    TlsV1_1,
    /// `TLSv1.2`.
    TlsV1_2,
    /// `TLSv1.3`.
    TlsV1_3,
}

impl TlsProtocol {
    /// All protocols, oldest first.
    pub const ALL: [Self; 6] = [
        Self::SslV2,
        Self::SslV3,
        Self::TlsV1,
        Self::TlsV1_1,
        Self::TlsV1_2,
        Self::TlsV1_3,
    ];

    /// The name as Postfix spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::SslV2 => "SSLv2",
            Self::SslV3 => "SSLv3",
            Self::TlsV1 => "TLSv1",
            Self::TlsV1_1 => "TLSv1.1",
            Self::TlsV1_2 => "TLSv1.2",
            Self::TlsV1_3 => "TLSv1.3",
        }
    }

    /// The protocol version number on the wire (`0x0002` for `SSLv2`, `0x0300` … `0x0304`).
    pub fn wire_version(self) -> u32 {
        match self {
            Self::SslV2 => 0x0002,
            Self::SslV3 => 0x0300,
            Self::TlsV1 => 0x0301,
            Self::TlsV1_1 => 0x0302,
            Self::TlsV1_2 => 0x0303,
            Self::TlsV1_3 => 0x0304,
        }
    }

    /// Whether the protocol is obsolete: `SSLv2`, `SSLv3`, `TLSv1`, `TLSv1.1` (RFC 8996).
    pub fn is_legacy(self) -> bool {
        self < Self::TlsV1_2
    }

    /// Case-insensitive name lookup.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for TlsProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of [`TlsProtocol`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ProtocolSet(u8);

impl ProtocolSet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);
    /// Every known protocol.
    pub const ALL: Self = Self(0b11_1111);

    /// Whether `p` is in the set.
    pub fn contains(self, p: TlsProtocol) -> bool {
        self.0 & p.bit() != 0
    }

    /// Adds `p`.
    pub fn insert(&mut self, p: TlsProtocol) {
        self.0 |= p.bit();
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The protocols in the set, oldest first.
    pub fn iter(self) -> impl Iterator<Item = TlsProtocol> {
        TlsProtocol::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    /// The oldest protocol in the set.
    pub fn lowest(self) -> Option<TlsProtocol> {
        self.iter().next()
    }

    /// The newest protocol in the set.
    pub fn highest(self) -> Option<TlsProtocol> {
        self.iter().last()
    }

    fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    fn complement(self) -> Self {
        Self(!self.0 & Self::ALL.0)
    }
}

impl FromIterator<TlsProtocol> for ProtocolSet {
    fn from_iter<I: IntoIterator<Item = TlsProtocol>>(iter: I) -> Self {
        let mut set = Self::EMPTY;
        for p in iter {
            set.insert(p);
        }
        set
    }
}

/// A `>=`/`<=` bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VersionBound {
    /// No bound (not given, `None`, or 0).
    #[default]
    Unset,
    /// A bound at a known protocol.
    Protocol(TlsProtocol),
    /// A number OpenSSL does not accept as a bound: Postfix warns and the bound is not applied.
    Ignored(u32),
}

/// A valid protocol list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolPolicy {
    /// The protocols the configuration enables.
    pub enabled: ProtocolSet,
    /// The excluded protocols (`!NAME`, plus every protocol not named when names are
    /// included), before the bounds are applied.
    pub excluded: ProtocolSet,
    /// The `>=` bound.
    pub min: VersionBound,
    /// The `<=` bound.
    pub max: VersionBound,
}

impl ProtocolPolicy {
    /// The lowest enabled protocol (`None` if nothing is enabled).
    pub fn floor(&self) -> Option<TlsProtocol> {
        self.enabled.lowest()
    }

    /// The highest enabled protocol.
    pub fn ceiling(&self) -> Option<TlsProtocol> {
        self.enabled.highest()
    }

    /// Whether any obsolete protocol (`SSLv2`, `SSLv3`, `TLSv1`, `TLSv1.1`) is enabled.
    pub fn allows_legacy(&self) -> bool {
        self.enabled.iter().any(TlsProtocol::is_legacy)
    }

    /// Whether the enabled protocols have a hole (e.g. `TLSv1` and `TLSv1.2` without `TLSv1.1`).
    /// OpenSSL treats such holes in ways that depend on the side of the connection; a
    /// configuration with a hole is better written with `>=`/`<=`.
    pub fn has_gap(&self) -> bool {
        let (Some(low), Some(high)) = (self.floor(), self.ceiling()) else {
            return false;
        };
        TlsProtocol::ALL
            .into_iter()
            .filter(|p| *p > low && *p < high)
            .any(|p| !self.enabled.contains(p))
    }
}

/// A parsed protocol list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolList {
    /// A valid list.
    Valid(ProtocolPolicy),
    /// An invalid list: TLS is disabled (server) or aborted (client).
    Invalid {
        /// The first token Postfix rejects.
        token: String,
    },
}

impl ProtocolList {
    /// The policy of a valid list.
    pub fn policy(&self) -> Option<&ProtocolPolicy> {
        match self {
            Self::Valid(policy) => Some(policy),
            Self::Invalid { .. } => None,
        }
    }
}

/// Parses a protocol list for Postfix `version`.
pub fn parse_protocols(value: &str, version: PostfixVersion) -> ProtocolList {
    let bounds_supported = version >= PostfixVersion::V3_6;
    let mut include = ProtocolSet::EMPTY;
    let mut exclude = ProtocolSet::EMPTY;
    let mut min = VersionBound::Unset;
    let mut max = VersionBound::Unset;
    let invalid = |token: &str| ProtocolList::Invalid {
        token: token.to_owned(),
    };
    for token in value
        .split([',', ' ', '\t', '\r', '\n', ':'])
        .filter(|t| !t.is_empty())
    {
        if let (true, Some(v)) = (bounds_supported, token.strip_prefix(">=")) {
            match parse_bound(v) {
                Some(bound) => min = bound,
                None => return invalid(token),
            }
        } else if let (true, Some(v)) = (bounds_supported, token.strip_prefix("<=")) {
            match parse_bound(v) {
                Some(bound) => max = bound,
                None => return invalid(token),
            }
        } else if let Some(name) = token.strip_prefix('!') {
            match TlsProtocol::parse(name) {
                Some(p) => exclude.insert(p),
                None => return invalid(token),
            }
        } else {
            match TlsProtocol::parse(token) {
                Some(p) => include.insert(p),
                None => return invalid(token),
            }
        }
    }
    let excluded = if include.is_empty() {
        exclude
    } else {
        exclude.union(include.complement())
    };
    let enabled = excluded
        .complement()
        .iter()
        .filter(|p| match min {
            VersionBound::Protocol(floor) => p.wire_version() >= floor.wire_version(),
            _ => true,
        })
        .filter(|p| match max {
            VersionBound::Protocol(ceiling) => p.wire_version() <= ceiling.wire_version(),
            _ => true,
        })
        .collect();
    ProtocolList::Valid(ProtocolPolicy {
        enabled,
        excluded,
        min,
        max,
    })
}

/// `parse_tls_version()`: a version name or a hexadecimal number. `None` = invalid token.
fn parse_bound(text: &str) -> Option<VersionBound> {
    const NAMES: [(&str, u32); 6] = [
        ("None", 0),
        ("SSLv3", 0x0300),
        ("TLSv1", 0x0301),
        ("TLSv1.1", 0x0302),
        ("TLSv1.2", 0x0303),
        ("TLSv1.3", 0x0304),
    ];
    let number = match NAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
    {
        Some((_, number)) => *number,
        None => strtoul_hex(text)?,
    };
    Some(match number {
        0 => VersionBound::Unset,
        n => TlsProtocol::ALL
            .into_iter()
            .find(|p| *p != TlsProtocol::SslV2 && p.wire_version() == n)
            .map_or(VersionBound::Ignored(n), VersionBound::Protocol),
    })
}

/// `strtoul(text, &end, 16)` with the checks of `parse_tls_version()`: the whole text must be
/// consumed and the value must not exceed `INT_MAX`. An empty text is 0.
fn strtoul_hex(text: &str) -> Option<u32> {
    const INT_MAX: u64 = 0x7fff_ffff;
    if text.is_empty() {
        return Some(0);
    }
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let digits = match rest.get(..2) {
        Some("0x" | "0X") if rest.as_bytes().get(2).is_some_and(u8::is_ascii_hexdigit) => {
            rest.get(2..)?
        }
        _ => rest,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let value = u64::from_str_radix(digits, 16).ok()?;
    // A negated non-zero value wraps around to a huge unsigned long, above INT_MAX.
    if negative && value != 0 {
        return None;
    }
    if value > INT_MAX {
        return None;
    }
    u32::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use TlsProtocol::{SslV2, SslV3, TlsV1, TlsV1_1, TlsV1_2, TlsV1_3};

    const V37: PostfixVersion = PostfixVersion::V3_7;

    fn enabled(value: &str) -> Vec<TlsProtocol> {
        match parse_protocols(value, V37) {
            ProtocolList::Valid(p) => p.enabled.iter().collect(),
            ProtocolList::Invalid { token } => panic!("{value:?} rejected at {token:?}"),
        }
    }

    fn policy(value: &str) -> ProtocolPolicy {
        *parse_protocols(value, V37).policy().unwrap()
    }

    fn invalid_token(value: &str) -> String {
        match parse_protocols(value, V37) {
            ProtocolList::Invalid { token } => token,
            ProtocolList::Valid(p) => panic!("{value:?} accepted: {p:?}"),
        }
    }

    #[test]
    fn empty_list_allows_everything() {
        assert_eq!(enabled(""), TlsProtocol::ALL);
        assert_eq!(enabled(" , : "), TlsProtocol::ALL);
        let p = policy("");
        assert_eq!(p.floor(), Some(SslV2));
        assert!(p.allows_legacy());
    }

    #[test]
    fn legacy_exclusions() {
        assert_eq!(
            enabled("!SSLv2, !SSLv3"),
            [TlsV1, TlsV1_1, TlsV1_2, TlsV1_3]
        );
        let p = policy("!SSLv2, !SSLv3");
        assert_eq!(p.floor(), Some(TlsV1));
        assert!(p.allows_legacy());
        assert_eq!(
            enabled("!SSLv2:!SSLv3:!TLSv1:!TLSv1.1"),
            [TlsV1_2, TlsV1_3],
            "colons separate too"
        );
        assert!(!policy("!SSLv2 !SSLv3 !TLSv1 !TLSv1.1").allows_legacy());
    }

    #[test]
    fn floor_syntax() {
        assert_eq!(enabled(">=TLSv1.2"), [TlsV1_2, TlsV1_3]);
        let p = policy(">=TLSv1.2");
        assert_eq!(p.floor(), Some(TlsV1_2));
        assert_eq!(p.min, VersionBound::Protocol(TlsV1_2));
        assert!(!p.allows_legacy());
        assert_eq!(enabled(">=tlsv1.2, !sslv2"), [TlsV1_2, TlsV1_3]);
        assert_eq!(enabled(">=TLSv1"), [TlsV1, TlsV1_1, TlsV1_2, TlsV1_3]);
        assert!(
            policy(">=TLSv1").allows_legacy(),
            "the 3.6+ default allows TLSv1/1.1"
        );
    }

    #[test]
    fn ceiling_syntax() {
        assert_eq!(
            enabled("<=TLSv1.2"),
            [SslV2, SslV3, TlsV1, TlsV1_1, TlsV1_2]
        );
        assert_eq!(enabled(">=TLSv1.2 <=TLSv1.2"), [TlsV1_2]);
        assert_eq!(policy("<=TLSv1.2").ceiling(), Some(TlsV1_2));
    }

    #[test]
    fn include_lists_exclude_the_rest() {
        assert_eq!(enabled("TLSv1.2 TLSv1.3"), [TlsV1_2, TlsV1_3]);
        let p = policy("TLSv1.2 TLSv1.3");
        assert!(p.excluded.contains(SslV2) && p.excluded.contains(TlsV1_1));
        assert_eq!(enabled("TLSv1.2, !TLSv1.2"), Vec::<TlsProtocol>::new());
    }

    #[test]
    fn excluding_tls13_only() {
        assert_eq!(enabled("!TLSv1.3"), [SslV2, SslV3, TlsV1, TlsV1_1, TlsV1_2]);
        assert_eq!(policy("!TLSv1.3").ceiling(), Some(TlsV1_2));
    }

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!(enabled("TLSV1.2"), [TlsV1_2]);
        assert_eq!(enabled("!sSlV3"), [SslV2, TlsV1, TlsV1_1, TlsV1_2, TlsV1_3]);
        assert_eq!(enabled(">=none"), TlsProtocol::ALL);
    }

    #[test]
    fn unknown_tokens_invalidate_the_list() {
        assert_eq!(invalid_token("TLSv1.4"), "TLSv1.4");
        assert_eq!(invalid_token(">=TLSv1.2, !TLSv1.4"), "!TLSv1.4");
        assert_eq!(invalid_token("!"), "!");
        assert_eq!(
            invalid_token(">=SSLv2"),
            ">=SSLv2",
            "SSLv2 is not a bound name"
        );
        assert_eq!(invalid_token("=>TLSv1"), "=>TLSv1");
        assert_eq!(invalid_token("!>=TLSv1"), "!>=TLSv1");
        assert_eq!(invalid_token("!None"), "!None", "None is only a bound");
    }

    #[test]
    fn space_after_operator_is_two_tokens() {
        // ">=" alone reads as an empty number, i.e. no bound; "TLSv1.2" then includes only 1.2.
        assert_eq!(enabled(">= TLSv1.2"), [TlsV1_2]);
        assert_eq!(policy(">= TLSv1.2").min, VersionBound::Unset);
    }

    #[test]
    fn hexadecimal_bounds() {
        for text in ["0x0303", "0x303", "303", "0303", "0X303", "+303"] {
            assert_eq!(
                policy(&format!(">={text}")).min,
                VersionBound::Protocol(TlsV1_2),
                "{text}"
            );
        }
        assert_eq!(enabled(">=0301"), [TlsV1, TlsV1_1, TlsV1_2, TlsV1_3]);
        assert_eq!(enabled("<=0x0302"), [SslV2, SslV3, TlsV1, TlsV1_1]);
        assert_eq!(policy(">=0").min, VersionBound::Unset);
        assert_eq!(policy(">=-0").min, VersionBound::Unset);
    }

    #[test]
    fn unknown_numbers_are_ignored_bounds() {
        let p = policy(">=0x0305");
        assert_eq!(p.min, VersionBound::Ignored(0x305));
        assert_eq!(
            p.enabled,
            ProtocolSet::ALL,
            "OpenSSL refuses the bound, nothing is cut"
        );
        assert_eq!(
            policy(">=2").min,
            VersionBound::Ignored(2),
            "SSLv2 is no OpenSSL bound"
        );
    }

    #[test]
    fn malformed_numbers_are_invalid() {
        for text in [
            ">=0x",
            ">=-303",
            ">=303g",
            ">=0x0x303",
            ">=80000000",
            ">=+",
            ">=fffffffffffffffff",
        ] {
            assert_eq!(invalid_token(text), text);
        }
        assert_eq!(policy(">=7fffffff").min, VersionBound::Ignored(0x7fff_ffff));
    }

    #[test]
    fn bounds_need_postfix_3_6() {
        let v35 = PostfixVersion::new(3, 5);
        assert_eq!(
            parse_protocols(">=TLSv1.2", v35),
            ProtocolList::Invalid {
                token: ">=TLSv1.2".into()
            }
        );
        assert!(parse_protocols("!SSLv2, !SSLv3", v35).policy().is_some());
    }

    #[test]
    fn later_bounds_replace_earlier_ones() {
        assert_eq!(enabled(">=TLSv1.3 >=TLSv1.2"), [TlsV1_2, TlsV1_3]);
    }

    #[test]
    fn gaps_and_empty_sets() {
        assert!(policy("!TLSv1.1").has_gap());
        assert!(!policy("!SSLv2 !SSLv3").has_gap());
        assert!(!policy(">=TLSv1.2").has_gap());
        let p = policy(">=TLSv1.3 !TLSv1.3");
        assert!(p.enabled.is_empty());
        assert_eq!(p.floor(), None);
        assert!(!p.allows_legacy());
        assert!(!p.has_gap());
    }

    #[test]
    fn protocol_helpers() {
        assert_eq!(TlsProtocol::parse("tlsv1.1"), Some(TlsV1_1));
        assert_eq!(TlsProtocol::parse("TLSv1.0"), None);
        assert_eq!(TlsV1_3.to_string(), "TLSv1.3");
        assert_eq!(TlsV1_2.wire_version(), 0x0303);
        let set: ProtocolSet = [TlsV1_3, TlsV1].into_iter().collect();
        assert_eq!(set.lowest(), Some(TlsV1));
        assert_eq!(set.highest(), Some(TlsV1_3));
    }
}
