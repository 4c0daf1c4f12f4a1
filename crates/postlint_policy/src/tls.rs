//! TLS security levels and protocol versions, ordered so policies can ask "at least".

use std::fmt;

/// A Postfix TLS security level, ordered from weakest to strongest
/// (`none < may < encrypt < fingerprint < dane < dane-only < verify < secure`); the same type
/// the facts use, so a fact and a policy never disagree on the order.
pub use postlint_facts::tls_level::TlsLevel;

/// A level name as written in a policy or a value, ignoring case and surrounding whitespace.
pub fn parse_level(name: &str) -> Option<TlsLevel> {
    TlsLevel::parse(name.trim())
}

/// An SSL/TLS protocol version as Postfix names them in `*_tls_protocols`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsProtocol {
    /// `SSLv2`.
    Ssl2,
    /// `SSLv3`.
    Ssl3,
    /// `TLSv1`.
    Tls1,
    /// `TLSv1.1`.
    Tls11,
    /// `TLSv1.2`.
    Tls12,
    /// `TLSv1.3`.
    Tls13,
}

impl TlsProtocol {
    /// Every protocol, oldest first.
    pub const ALL: [Self; 6] = [
        Self::Ssl2,
        Self::Ssl3,
        Self::Tls1,
        Self::Tls11,
        Self::Tls12,
        Self::Tls13,
    ];

    /// The Postfix name of the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ssl2 => "SSLv2",
            Self::Ssl3 => "SSLv3",
            Self::Tls1 => "TLSv1",
            Self::Tls11 => "TLSv1.1",
            Self::Tls12 => "TLSv1.2",
            Self::Tls13 => "TLSv1.3",
        }
    }

    /// Parses a protocol name, ignoring ASCII case and surrounding whitespace.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for TlsProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The oldest protocol a Postfix protocol list leaves enabled.
///
/// Accepts both forms Postfix does: `>=TLSv1.2` / `<=TLSv1.3` bounds, and lists of names with
/// `!` exclusions (`!SSLv2, !SSLv3, !TLSv1, !TLSv1.1`). Plain names, when present, are the only
/// protocols enabled. A bare protocol name (`TLSv1.2`, as a fact may give it) is its own floor.
/// Returns `None` when the list names an unknown protocol or leaves nothing enabled.
pub fn protocol_floor(list: &str) -> Option<TlsProtocol> {
    let mut enabled = [true; 6];
    let mut included: Option<[bool; 6]> = None;
    for item in crate::list::split(list) {
        if let Some(rest) = item.strip_prefix(">=") {
            let bound = TlsProtocol::parse(rest)?;
            for (p, on) in TlsProtocol::ALL.iter().zip(enabled.iter_mut()) {
                *on &= *p >= bound;
            }
        } else if let Some(rest) = item.strip_prefix("<=") {
            let bound = TlsProtocol::parse(rest)?;
            for (p, on) in TlsProtocol::ALL.iter().zip(enabled.iter_mut()) {
                *on &= *p <= bound;
            }
        } else if let Some(rest) = item.strip_prefix('!') {
            let excluded = TlsProtocol::parse(rest)?;
            for (p, on) in TlsProtocol::ALL.iter().zip(enabled.iter_mut()) {
                *on &= *p != excluded;
            }
        } else {
            let named = TlsProtocol::parse(item)?;
            let set = included.get_or_insert([false; 6]);
            for (p, on) in TlsProtocol::ALL.iter().zip(set.iter_mut()) {
                *on |= *p == named;
            }
        }
    }
    if let Some(set) = included {
        for (on, inc) in enabled.iter_mut().zip(set) {
            *on &= inc;
        }
    }
    TlsProtocol::ALL
        .into_iter()
        .zip(enabled)
        .find_map(|(p, on)| on.then_some(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_case_insensitive() {
        assert!(TlsLevel::May < TlsLevel::Encrypt);
        assert!(TlsLevel::DaneOnly < TlsLevel::Verify);
        assert_eq!(parse_level(" Dane-Only "), Some(TlsLevel::DaneOnly));
        assert_eq!(TlsLevel::parse("half"), None);
    }

    #[test]
    fn protocol_floors() {
        assert_eq!(protocol_floor(">=TLSv1.2"), Some(TlsProtocol::Tls12));
        assert_eq!(
            protocol_floor("!SSLv2, !SSLv3, !TLSv1, !TLSv1.1"),
            Some(TlsProtocol::Tls12)
        );
        assert_eq!(protocol_floor("!SSLv2 !SSLv3"), Some(TlsProtocol::Tls1));
        assert_eq!(protocol_floor("TLSv1.3"), Some(TlsProtocol::Tls13));
        assert_eq!(protocol_floor("TLSv1.2, TLSv1.3"), Some(TlsProtocol::Tls12));
        assert_eq!(protocol_floor(""), Some(TlsProtocol::Ssl2));
        assert_eq!(protocol_floor(">=TLSv9"), None);
    }
}
