//! The listening endpoint of an `inet` service: host part and TCP port.
//!
//! # Splitting (`util/host_port.c`, server mode)
//!
//! `master(8)` splits field 1 with `host_port(buf, &host, "", &port, NULL)`:
//!
//! - `[host]:port` (optionally `[IPv6:addr]:port`, prefix case-insensitive): the host is
//!   the text inside the brackets; after `]` only `:port` may follow. `[host]` and
//!   `[host]:` lack the port and are fatal (`missing service information`).
//! - otherwise the text is split at the **right-most** colon, so `::1:smtp` is host `::1`,
//!   port `smtp`. `:port` and a text without colon
//!   have no host part: the service listens on every `inet_interfaces` address. (A bare
//!   `::1` splits into host `:` and port `1`, which is rejected.)
//! - the host must be a valid hostname or a valid numeric address; a port that starts with a
//!   digit must be all digits (`garbage after numerical service`).
//!
//! # Port resolution (`util/known_tcp_ports.c`, `util/find_inet_service.c`)
//!
//! A numeric port is used as is (0–65535). A symbolic port is first looked up in
//! `known_tcp_ports` (Postfix ≥ 3.6; default `lmtp=24, smtp=25, smtps=submissions=465,
//! submission=587`), then in services(5). The `known_tcp_ports` lookup is case-sensitive, as is
//! glibc's services lookup. postlint cannot read the target host's `/etc/services`, so it
//! embeds the mail-related TCP entries of Debian 12's (netbase 6.4): `smtp`/`mail` 25,
//! `qmtp` 209, `submissions`/`ssmtp`/`smtps`/`urd` 465, `submission` 587, `qmqp` 628. `lmtp`
//! is *not* in services(5); before 3.6 it does not resolve.
//!
//! Behaviour of `master(8)` 3.7.11, verified by starting it on a scratch configuration:
//!
//! - a symbolic port that resolves nowhere is fatal at start-up (`fatal: 127.0.0.1:nosuchsvc:
//!   Servname not supported for ai_socktype`; spec §3.3 says master keeps running — that was
//!   not reproduced for a fresh start);
//! - a numeric port above 65535 is **not** rejected: glibc keeps the low 16 bits, so
//!   `127.0.0.1:70000` listens on port 4464 ([`PortResolution::Wrapped`]); a number too big
//!   for `unsigned long` saturates, i.e. port 65535;
//! - port 0 listens on an arbitrary port chosen by the kernel ([`PortResolution::Ephemeral`]);
//! - `0025` is port 25; `ssmtp` and `urd` (services(5) aliases) are port 465; `SMTP` is
//!   unknown.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use postlint_syntax::PostfixVersion;

use crate::params::Params;

/// The host/port split of an inet service name, before resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointParts<'a> {
    /// The host part (brackets and an `IPv6:` prefix removed), or `None` when the service
    /// listens on all `inet_interfaces` addresses.
    pub host: Option<&'a str>,
    /// Whether the host was written in `[ ]`.
    pub bracketed: bool,
    /// The port text, numeric or symbolic.
    pub port: &'a str,
}

/// Why an inet service name cannot be split (each is fatal for `master(8)`, message
/// `LINE: <reason> in "<name>"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointError {
    /// `[host` without `]`.
    MissingBracket,
    /// Something other than `:port` after `]`.
    GarbageAfterBracket,
    /// `[IPv6:…]` with an invalid IPv6 address.
    MalformedIpv6,
    /// No port: `host:`, `[host]`, `[host]:` or an empty name.
    MissingService,
    /// The host part is neither a valid hostname nor a valid address.
    InvalidHost(String),
    /// A port that starts with a digit but is not all digits, e.g. `25x`.
    GarbageAfterNumericService(String),
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingBracket => f.write_str("missing \"]\""),
            Self::GarbageAfterBracket => f.write_str("garbage after \"]\""),
            Self::MalformedIpv6 => f.write_str("malformed IPv6 address"),
            Self::MissingService => f.write_str("missing service information"),
            Self::InvalidHost(host) => {
                write!(f, "valid hostname or network address required: {host}")
            }
            Self::GarbageAfterNumericService(port) => {
                write!(f, "garbage after numerical service: {port}")
            }
        }
    }
}

/// Splits an inet service name (field 1) into host and port, exactly like `host_port()` in
/// server mode.
pub fn split_endpoint(service: &str) -> Result<EndpointParts<'_>, EndpointError> {
    let (host, bracketed, port) = if let Some(rest) = service.strip_prefix('[') {
        let (rest, ipv6) = match rest.get(..5) {
            Some(prefix) if prefix.eq_ignore_ascii_case("IPv6:") => {
                (rest.get(5..).unwrap_or(""), true)
            }
            _ => (rest, false),
        };
        let (host, after) = rest.split_once(']').ok_or(EndpointError::MissingBracket)?;
        let port = if after.is_empty() {
            ""
        } else {
            after
                .strip_prefix(':')
                .ok_or(EndpointError::GarbageAfterBracket)?
        };
        if ipv6 && host.parse::<Ipv6Addr>().is_err() {
            return Err(EndpointError::MalformedIpv6);
        }
        (Some(host), true, port)
    } else if let Some((host, port)) = service.rsplit_once(':') {
        ((!host.is_empty()).then_some(host), false, port)
    } else {
        (None, false, service)
    };
    if port.is_empty() {
        return Err(EndpointError::MissingService);
    }
    if let Some(host) = host
        && !valid_hostname(host)
        && !valid_hostaddr(host)
    {
        return Err(EndpointError::InvalidHost(host.to_owned()));
    }
    if port.starts_with(|c: char| c.is_ascii_digit()) && !all_digits(port) {
        return Err(EndpointError::GarbageAfterNumericService(port.to_owned()));
    }
    Ok(EndpointParts {
        host,
        bracketed,
        port,
    })
}

/// Postfix's `alldig()`: non-empty and ASCII digits only.
fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A numeric IPv4 or IPv6 address (`valid_hostaddr()`).
pub(crate) fn valid_hostaddr(host: &str) -> bool {
    host.parse::<Ipv4Addr>().is_ok() || host.parse::<Ipv6Addr>().is_ok()
}

/// `valid_hostname()`: labels of letters, digits, `_` and inner `-`, separated by single dots
/// (no leading or trailing dot), each label at most 63 and the name at most 255 characters,
/// and not all-numeric. Non-ASCII characters are accepted as label characters, approximating
/// `valid_utf8_hostname()` with `smtputf8_enable = yes`.
pub(crate) fn valid_hostname(name: &str) -> bool {
    const MAX_LABEL: usize = 63;
    const MAX_NAME: usize = 255;
    if name.is_empty() || name.len() > MAX_NAME {
        return false;
    }
    let mut non_numeric = false;
    for label in name.split('.') {
        if label.is_empty() || label.len() > MAX_LABEL {
            return false;
        }
        if label.starts_with('-') || label.ends_with('-') {
            return false;
        }
        for c in label.chars() {
            if c == '-' || c == '_' || !c.is_ascii() || c.is_ascii_alphabetic() {
                non_numeric = true;
            } else if !c.is_ascii_digit() {
                return false;
            }
        }
    }
    non_numeric
}

/// The built-in default of `known_tcp_ports` (Postfix ≥ 3.6).
pub const DEFAULT_KNOWN_TCP_PORTS: &str = "lmtp=24, smtp=25, smtps=submissions=465, submission=587";

/// The mail-related TCP entries of Debian 12's services(5) (netbase 6.4), aliases included.
pub const EMBEDDED_SERVICES: &[(&str, u16)] = &[
    ("smtp", 25),
    ("mail", 25),
    ("qmtp", 209),
    ("submissions", 465),
    ("ssmtp", 465),
    ("smtps", 465),
    ("urd", 465),
    ("submission", 587),
    ("qmqp", 628),
];

/// A `known_tcp_ports` association that Postfix rejects with a warning (the rest of the list
/// still applies). The messages are those of `config_known_tcp_ports()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownTcpPortsWarning {
    /// The comma-separated element, as Postfix quotes it (leading spaces kept).
    pub element: String,
    /// The problem, e.g. `duplicate service name`.
    pub problem: String,
}

impl fmt::Display for KnownTcpPortsWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "known_tcp_ports: in \"{}\": {}",
            self.element, self.problem
        )
    }
}

/// A parsed `known_tcp_ports` value: `name = name = … = port` associations separated by
/// commas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownTcpPorts {
    /// Accepted `(name, port text)` associations in order. The port text is all digits; its
    /// value may exceed 65535 (Postfix 3.7 does not check the range, newer releases warn),
    /// which then fails when the port is used.
    pub entries: Vec<(String, String)>,
    /// Rejected elements.
    pub warnings: Vec<KnownTcpPortsWarning>,
}

impl KnownTcpPorts {
    /// The port text associated with `name` (case-sensitive, first association wins).
    pub fn lookup(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.as_str())
    }
}

/// Parses a `known_tcp_ports` value exactly as `config_known_tcp_ports()` does:
///
/// - split at commas, dropping empty elements (whitespace around an element is kept, so
///   `" foo"` is quoted with its space);
/// - each element is split at every `=`; the last part is the port, every other part a name;
///   each part must be exactly one whitespace-free word;
/// - an element without `=` warns `is not in "name = value" form`; an empty or multi-word
///   port (`missing port value after "="`, `whitespace in port number`) rejects the whole
///   element; otherwise each name is added separately and the first problem is reported:
///   `missing service name before "="`, `whitespace in service name`, `numerical service
///   name`, `non-numerical service port`, `duplicate service name` (the first association of
///   a name wins), and, from Postfix 3.8 on, `port number out of range` (not checked by
///   3.7.11, verified).
pub fn parse_known_tcp_ports(value: &str, version: PostfixVersion) -> KnownTcpPorts {
    let range_checked = version >= PostfixVersion::new(3, 8);
    let mut result = KnownTcpPorts::default();
    for element in value.split(',').filter(|e| !e.is_empty()) {
        let parts: Vec<&str> = element.split('=').collect();
        let Some((port_part, names)) = parts.split_last() else {
            continue;
        };
        let mut warn = |problem: &str| {
            result.warnings.push(KnownTcpPortsWarning {
                element: element.to_owned(),
                problem: problem.to_owned(),
            });
        };
        if names.is_empty() {
            warn("is not in \"name = value\" form");
            continue;
        }
        let port = match single_word(port_part) {
            Word::Missing => {
                warn("missing port value after \"=\"");
                continue;
            }
            Word::Several => {
                warn("whitespace in port number");
                continue;
            }
            Word::One(port) => port,
        };
        let mut first_problem: Option<&str> = None;
        for name_part in names {
            let problem = match single_word(name_part) {
                Word::Missing => Some("missing service name before \"=\""),
                Word::Several => Some("whitespace in service name"),
                Word::One(name) => add_known_port(&mut result.entries, name, port, range_checked),
            };
            if first_problem.is_none() {
                first_problem = problem;
            }
        }
        if let Some(problem) = first_problem {
            warn(problem);
        }
    }
    result
}

enum Word<'a> {
    Missing,
    One(&'a str),
    Several,
}

/// `mystrtok()` twice with `CHARS_SPACE`: no word, exactly one, or more.
fn single_word(text: &str) -> Word<'_> {
    let mut words = text
        .split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty());
    match (words.next(), words.next()) {
        (None, _) => Word::Missing,
        (Some(word), None) => Word::One(word),
        (Some(_), Some(_)) => Word::Several,
    }
}

/// `add_known_tcp_port()`.
fn add_known_port(
    entries: &mut Vec<(String, String)>,
    name: &str,
    port: &str,
    range_checked: bool,
) -> Option<&'static str> {
    if all_digits(name) {
        return Some("numerical service name");
    }
    if !all_digits(port) {
        return Some("non-numerical service port");
    }
    if range_checked && (port.len() > 5 || (port.len() == 5 && port > "65535")) {
        return Some("port number out of range");
    }
    if entries.iter().any(|(n, _)| n == name) {
        return Some("duplicate service name");
    }
    entries.push((name.to_owned(), port.to_owned()));
    None
}

/// Where a port number came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSource {
    /// The service name gave the number.
    Numeric,
    /// `known_tcp_ports` mapped the name.
    KnownTcpPorts,
    /// The embedded services(5) table mapped the name.
    Services,
}

/// The result of resolving a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortResolution {
    /// A TCP port in 1–65535.
    Resolved {
        /// The port number.
        port: u16,
        /// Where it came from.
        source: PortSource,
    },
    /// A number above 65535: the service listens on its low 16 bits.
    Wrapped {
        /// The number as written (in field 1 or in `known_tcp_ports`).
        written: String,
        /// The port actually used.
        port: u16,
        /// Where the number came from.
        source: PortSource,
    },
    /// Port 0: the kernel picks an arbitrary port.
    Ephemeral {
        /// Where the 0 came from.
        source: PortSource,
    },
    /// A symbolic name found neither in `known_tcp_ports` nor in the embedded services(5)
    /// entries: fatal for master (on the target host it may still be in `/etc/services`).
    Unresolved {
        /// The name (after `known_tcp_ports`).
        service: String,
    },
}

impl PortResolution {
    /// The port the service listens on, if known (`Resolved` and `Wrapped`).
    pub fn port(&self) -> Option<u16> {
        match self {
            Self::Resolved { port, .. } | Self::Wrapped { port, .. } => Some(*port),
            Self::Ephemeral { .. } | Self::Unresolved { .. } => None,
        }
    }
}

impl fmt::Display for PortResolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Resolved { port, .. } => write!(f, "port {port}"),
            Self::Wrapped { written, port, .. } => {
                write!(
                    f,
                    "port number {written} is out of range; the service listens on port {port}"
                )
            }
            Self::Ephemeral { .. } => {
                f.write_str("port 0 lets the kernel choose an arbitrary port")
            }
            Self::Unresolved { service } => write!(
                f,
                "unknown service \"{service}\": not in known_tcp_ports or services(5)"
            ),
        }
    }
}

/// Resolves a port text as `master(8)` does (`known_tcp_ports`, then `getaddrinfo()`), with
/// `known_tcp_ports` (from `params`, default [`DEFAULT_KNOWN_TCP_PORTS`]) consulted only for
/// Postfix ≥ 3.6. `params` are the `main.cf` values: master does not see `-o` overrides.
pub fn resolve_port<P: Params + ?Sized>(
    port: &str,
    params: &P,
    version: PostfixVersion,
) -> PortResolution {
    let mut text = port;
    let mut source = PortSource::Numeric;
    let known;
    if version >= PostfixVersion::V3_6 && !all_digits(port) {
        let value = params
            .get("known_tcp_ports")
            .unwrap_or(DEFAULT_KNOWN_TCP_PORTS);
        known = parse_known_tcp_ports(value, version);
        if let Some(mapped) = known.lookup(port) {
            text = mapped;
            source = PortSource::KnownTcpPorts;
        }
    }
    if all_digits(text) {
        // strtoul() saturates; htons() keeps the low 16 bits.
        let number = text.parse::<u64>().unwrap_or(u64::MAX);
        let low_bits = u16::try_from(number & 0xffff).unwrap_or(u16::MAX);
        return match (number, u16::try_from(number)) {
            (0, _) => PortResolution::Ephemeral { source },
            (_, Ok(port)) => PortResolution::Resolved { port, source },
            (_, Err(_)) => PortResolution::Wrapped {
                written: text.to_owned(),
                port: low_bits,
                source,
            },
        };
    }
    EMBEDDED_SERVICES
        .iter()
        .find(|(name, _)| *name == text)
        .map_or_else(
            || PortResolution::Unresolved {
                service: text.to_owned(),
            },
            |(_, port)| PortResolution::Resolved {
                port: *port,
                source: PortSource::Services,
            },
        )
}

/// The endpoint of an inet service: its split and its resolved port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InetEndpoint {
    /// The host part, or `None` for "all `inet_interfaces`".
    pub host: Option<String>,
    /// The port as written.
    pub port_text: String,
    /// The resolved port.
    pub port: PortResolution,
}

/// Splits and resolves an inet service name; `params` are the `main.cf` values.
pub fn inet_endpoint<P: Params + ?Sized>(
    service: &str,
    params: &P,
    version: PostfixVersion,
) -> Result<InetEndpoint, EndpointError> {
    let parts = split_endpoint(service)?;
    Ok(InetEndpoint {
        host: parts.host.map(str::to_owned),
        port_text: parts.port.to_owned(),
        port: resolve_port(parts.port, params, version),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const V37: PostfixVersion = PostfixVersion::V3_7;

    fn no_params() -> HashMap<String, String> {
        HashMap::new()
    }

    fn parts(service: &str) -> (Option<&str>, &str) {
        let p = split_endpoint(service).unwrap();
        (p.host, p.port)
    }

    #[test]
    fn splits_at_the_rightmost_colon() {
        assert_eq!(
            parts("127.0.0.1:submission"),
            (Some("127.0.0.1"), "submission")
        );
        assert_eq!(parts("::1:smtp"), (Some("::1"), "smtp"));
        // A bare "::1" is host ":" and port "1"; ":" is no valid host.
        assert_eq!(
            split_endpoint("::1"),
            Err(EndpointError::InvalidHost(":".into()))
        );
        assert_eq!(parts("localhost:2525"), (Some("localhost"), "2525"));
    }

    #[test]
    fn bracketed_hosts() {
        assert_eq!(parts("[::1]:25"), (Some("::1"), "25"));
        assert_eq!(parts("[mx.example]:2525"), (Some("mx.example"), "2525"));
        assert_eq!(parts("[127.0.0.1]:2525"), (Some("127.0.0.1"), "2525"));
        assert_eq!(parts("[IPv6:::1]:25"), (Some("::1"), "25"));
        assert_eq!(parts("[ipv6:2001:db8::1]:25"), (Some("2001:db8::1"), "25"));
        assert!(split_endpoint("[::1]:25").unwrap().bracketed);
        assert!(!split_endpoint("::1:25").unwrap().bracketed);
    }

    #[test]
    fn bare_ports_have_no_host() {
        assert_eq!(parts("submission"), (None, "submission"));
        assert_eq!(parts("25"), (None, "25"));
        assert_eq!(parts(":25"), (None, "25"));
    }

    #[test]
    fn host_port_errors() {
        assert_eq!(split_endpoint("[::1"), Err(EndpointError::MissingBracket));
        assert_eq!(
            split_endpoint("[::1]x25"),
            Err(EndpointError::GarbageAfterBracket)
        );
        assert_eq!(split_endpoint("[::1]"), Err(EndpointError::MissingService));
        assert_eq!(split_endpoint("[::1]:"), Err(EndpointError::MissingService));
        assert_eq!(split_endpoint("host:"), Err(EndpointError::MissingService));
        assert_eq!(split_endpoint(""), Err(EndpointError::MissingService));
        assert_eq!(
            split_endpoint("[IPv6:mx.example]:25"),
            Err(EndpointError::MalformedIpv6)
        );
        assert_eq!(
            split_endpoint("bad_host!:25"),
            Err(EndpointError::InvalidHost("bad_host!".into()))
        );
        assert_eq!(
            split_endpoint("[]:25"),
            Err(EndpointError::InvalidHost(String::new()))
        );
        assert_eq!(
            split_endpoint("127.0.0.1:25x"),
            Err(EndpointError::GarbageAfterNumericService("25x".into()))
        );
        assert_eq!(
            EndpointError::MissingService.to_string(),
            "missing service information"
        );
    }

    #[test]
    fn hostname_validity() {
        assert!(valid_hostname("mx.example"));
        assert!(valid_hostname("a_b.example"));
        assert!(valid_hostname("x-1"));
        assert!(!valid_hostname("-x"));
        assert!(!valid_hostname("x-"));
        assert!(!valid_hostname("a..b"));
        assert!(!valid_hostname("a.b."));
        assert!(
            !valid_hostname("1.2.3.4"),
            "all-numeric names are addresses, not names"
        );
        assert!(!valid_hostname(&"a".repeat(64)));
        assert!(valid_hostname(&"a".repeat(63)));
    }

    #[test]
    fn numeric_ports() {
        let p = no_params();
        assert_eq!(
            resolve_port("25", &p, V37),
            PortResolution::Resolved {
                port: 25,
                source: PortSource::Numeric
            }
        );
        assert_eq!(resolve_port("0025", &p, V37).port(), Some(25));
        assert_eq!(resolve_port("65535", &p, V37).port(), Some(65535));
        // Verified with master 3.7.11: 127.0.0.1:70000 listens on port 4464.
        assert_eq!(
            resolve_port("70000", &p, V37),
            PortResolution::Wrapped {
                written: "70000".into(),
                port: 4464,
                source: PortSource::Numeric
            }
        );
        assert_eq!(resolve_port("65536", &p, V37).port(), Some(0));
        assert_eq!(
            resolve_port("99999999999999999999999", &p, V37).port(),
            Some(65535),
            "strtoul() saturates"
        );
        assert_eq!(
            resolve_port("0", &p, V37),
            PortResolution::Ephemeral {
                source: PortSource::Numeric
            }
        );
        assert_eq!(resolve_port("0", &p, V37).port(), None);
    }

    #[test]
    fn default_known_tcp_ports_then_services() {
        let p = no_params();
        assert_eq!(
            resolve_port("submission", &p, V37),
            PortResolution::Resolved {
                port: 587,
                source: PortSource::KnownTcpPorts
            }
        );
        assert_eq!(resolve_port("smtps", &p, V37).port(), Some(465));
        assert_eq!(resolve_port("submissions", &p, V37).port(), Some(465));
        assert_eq!(resolve_port("lmtp", &p, V37).port(), Some(24));
        assert_eq!(resolve_port("urd", &p, V37).port(), Some(465));
        assert_eq!(
            resolve_port("ssmtp", &p, V37),
            PortResolution::Resolved {
                port: 465,
                source: PortSource::Services
            }
        );
        assert_eq!(
            resolve_port("mail", &p, V37),
            PortResolution::Resolved {
                port: 25,
                source: PortSource::Services
            }
        );
        assert_eq!(
            resolve_port("SMTP", &p, V37),
            PortResolution::Unresolved {
                service: "SMTP".into()
            }
        );
        assert_eq!(
            resolve_port("nosuch", &p, V37),
            PortResolution::Unresolved {
                service: "nosuch".into()
            }
        );
    }

    #[test]
    fn known_tcp_ports_is_ignored_before_3_6() {
        let p = no_params();
        let v35 = PostfixVersion::new(3, 5);
        assert_eq!(
            resolve_port("lmtp", &p, v35),
            PortResolution::Unresolved {
                service: "lmtp".into()
            }
        );
        assert_eq!(
            resolve_port("submission", &p, v35),
            PortResolution::Resolved {
                port: 587,
                source: PortSource::Services
            }
        );
    }

    #[test]
    fn effective_known_tcp_ports_overrides_services() {
        let p: HashMap<String, String> = [(
            "known_tcp_ports".to_owned(),
            "submission=2587, foo=bar=70000, z=0".to_owned(),
        )]
        .into();
        assert_eq!(resolve_port("submission", &p, V37).port(), Some(2587));
        assert_eq!(
            resolve_port("foo", &p, V37),
            PortResolution::Wrapped {
                written: "70000".into(),
                port: 4464,
                source: PortSource::KnownTcpPorts
            }
        );
        assert_eq!(
            resolve_port("z", &p, V37),
            PortResolution::Ephemeral {
                source: PortSource::KnownTcpPorts
            }
        );
        // An empty known_tcp_ports leaves only services(5): lmtp no longer resolves.
        let empty: HashMap<String, String> = [("known_tcp_ports".to_owned(), String::new())].into();
        assert!(resolve_port("lmtp", &empty, V37).port().is_none());
        assert_eq!(resolve_port("smtp", &empty, V37).port(), Some(25));
    }

    #[test]
    fn known_tcp_ports_default_value() {
        let k = parse_known_tcp_ports(DEFAULT_KNOWN_TCP_PORTS, V37);
        assert!(k.warnings.is_empty());
        assert_eq!(k.lookup("smtps"), Some("465"));
        assert_eq!(k.lookup("submissions"), Some("465"));
        assert_eq!(k.lookup("submission"), Some("587"));
        assert_eq!(k.entries.len(), 5);
    }

    /// The warnings below are exactly those printed by Postfix 3.7.11's `postmap` for the
    /// same `known_tcp_ports` values.
    #[test]
    fn known_tcp_ports_warnings_match_postfix_3_7() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "smtp=25, smtps = submissions = 465 ,, foo",
                &[(" foo", "is not in \"name = value\" form")],
            ),
            ("a==25", &[("a==25", "missing service name before \"=\"")]),
            ("25=smtp", &[("25=smtp", "numerical service name")]),
            ("x=70000", &[]),
            ("x=2 5", &[("x=2 5", "whitespace in port number")]),
            ("x y=25", &[("x y=25", "whitespace in service name")]),
            (
                "smtp=25, smtp=26",
                &[(" smtp=26", "duplicate service name")],
            ),
            ("=25", &[("=25", "missing service name before \"=\"")]),
            ("x=", &[("x=", "missing port value after \"=\"")]),
            ("x=0", &[]),
            ("x=00025", &[]),
            ("a=b=c", &[("a=b=c", "non-numerical service port")]),
        ];
        for (value, want) in cases {
            let got = parse_known_tcp_ports(value, V37);
            let got: Vec<(&str, &str)> = got
                .warnings
                .iter()
                .map(|w| (w.element.as_str(), w.problem.as_str()))
                .collect();
            assert_eq!(&got, want, "known_tcp_ports = {value}");
        }
    }

    #[test]
    fn known_tcp_ports_semantics() {
        let k = parse_known_tcp_ports("smtp=25, smtp=26, a = b = 465, 9=1, c=9", V37);
        assert_eq!(k.lookup("smtp"), Some("25"), "first association wins");
        assert_eq!(k.lookup("a"), Some("465"));
        assert_eq!(k.lookup("b"), Some("465"));
        assert_eq!(k.lookup("9"), None);
        assert_eq!(k.lookup("c"), Some("9"));
        // A bad name in a multi-name element does not drop the good names.
        let k = parse_known_tcp_ports("x = 1 = y = 465", V37);
        assert_eq!(k.lookup("x"), Some("465"));
        assert_eq!(k.lookup("y"), Some("465"));
        assert_eq!(k.warnings.len(), 1);
        assert_eq!(
            k.warnings[0].to_string(),
            "known_tcp_ports: in \"x = 1 = y = 465\": numerical service name"
        );
    }

    #[test]
    fn newer_releases_check_the_port_range() {
        let k = parse_known_tcp_ports("x=70000, y=65535", PostfixVersion::V3_11);
        assert_eq!(k.lookup("x"), None);
        assert_eq!(k.lookup("y"), Some("65535"));
        assert_eq!(k.warnings[0].problem, "port number out of range");
    }

    #[test]
    fn full_endpoint() {
        let p = no_params();
        let e = inet_endpoint("127.0.0.1:submission", &p, V37).unwrap();
        assert_eq!(e.host.as_deref(), Some("127.0.0.1"));
        assert_eq!(e.port_text, "submission");
        assert_eq!(e.port.port(), Some(587));
        let e = inet_endpoint("smtp", &p, V37).unwrap();
        assert_eq!(e.host, None);
        assert_eq!(e.port.port(), Some(25));
        assert!(inet_endpoint("[::1]", &p, V37).is_err());
    }
}
