//! Whether a service can be reached from other hosts.
//!
//! `master(8)` (`master/master_ent.c`) computes the listen addresses of an inet service and
//! flags the service "local only" when every address is a loopback address
//! (`sock_addr_in_loopback()`: IPv4 `127.0.0.0/8`, IPv6 `::1` only; an IPv4-mapped
//! `::ffff:127.0.0.1` is *not* loopback):
//!
//! - with a host part (`127.0.0.1:submission`), the addresses of that host
//!   (`inet_addr_host()`: a numeric address, or the resolved addresses of a name);
//! - without one, `inet_interfaces`: `all` means the wildcard addresses `0.0.0.0`/`::`, i.e.
//!   every interface; `loopback-only` means the loopback interfaces; anything else is a list
//!   of addresses or names separated by commas/whitespace, IPv6 optionally in `[ ]`.
//!
//! `inet_protocols` is a list of `all`, `ipv4`, `ipv6` (exact lower case). Addresses of a
//! disabled family are dropped; a host or interface that is left without any address is
//! fatal.
//!
//! Verified by starting `master` 3.7.11 on a scratch configuration:
//!
//! - `inet_interfaces = ALL` and `= Loopback-Only` are fatal (`host not found: ALL`): both
//!   keywords are case-sensitive;
//! - an empty `inet_interfaces` is fatal for a host-less inet service (`no valid IP address
//!   found`);
//! - `inet_interfaces = 127.0.0.1, ::1` with `inet_protocols = ipv4` is fatal (`host not
//!   found: ::1`), and so is `[::1]:2525` with `ipv4` (`bad hostname or network address`);
//! - an empty `inet_protocols` disables every inet service with a warning (`all network
//!   protocols are disabled`), it is not fatal;
//! - `IPv4` and `ALL` in `inet_protocols` are fatal (`unknown inet_protocols value`).
//!
//! The values that count are those of `main.cf`: master ignores a service's `-o
//! inet_interfaces=…`/`-o inet_protocols=…` (verified), although the daemon itself then
//! sees the override (which matters, for example, for a computed `mynetworks`).
//!
//! postlint cannot resolve host names statically. `localhost` is taken to be loopback (Debian's
//! `/etc/hosts` maps it to `127.0.0.1` and `::1`); any other name makes the answer
//! [`Reachability::Unknown`], unless a public address already makes the service public.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::ServiceFields;
use crate::endpoint::{EndpointError, split_endpoint};
use crate::params::{Params, get_or};

/// The IP families enabled by `inet_protocols`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InetProtocols {
    /// IPv4 enabled.
    pub ipv4: bool,
    /// IPv6 enabled.
    pub ipv6: bool,
}

impl InetProtocols {
    /// Whether `addr`'s family is enabled.
    pub fn allows(self, addr: IpAddr) -> bool {
        match addr {
            IpAddr::V4(_) => self.ipv4,
            IpAddr::V6(_) => self.ipv6,
        }
    }
}

/// Parses `inet_protocols` like `inet_proto_init()` (`name_mask()` over `all`, `ipv4`,
/// `ipv6`, case-sensitive, separated by commas/whitespace). `Err` carries the first unknown
/// word (fatal in every Postfix program).
pub fn parse_inet_protocols(value: &str) -> Result<InetProtocols, String> {
    let mut protocols = InetProtocols::default();
    for word in crate::params::split_list(value) {
        match word {
            "all" => {
                protocols.ipv4 = true;
                protocols.ipv6 = true;
            }
            "ipv4" => protocols.ipv4 = true,
            "ipv6" => protocols.ipv6 = true,
            other => return Err(other.to_owned()),
        }
    }
    Ok(protocols)
}

/// Whether an address is loopback in `sock_addr_in_loopback()`'s sense.
pub fn is_loopback(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => v4.octets()[0] == 127,
        IpAddr::V6(v6) => v6 == Ipv6Addr::LOCALHOST,
    }
}

/// Why reachability cannot be decided statically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownReason {
    /// The service name is not a valid endpoint (fatal for master).
    InvalidEndpoint(EndpointError),
    /// A host name other than `localhost`, which postlint cannot resolve.
    Hostname(String),
    /// `inet_interfaces` is empty: a host-less inet service gets no address (master: fatal
    /// `no valid IP address found`).
    EmptyInetInterfaces,
    /// `inet_protocols` names an unknown protocol (fatal).
    InvalidInetProtocols(String),
    /// A listed address belongs to a family that `inet_protocols` disables, so the host has
    /// no usable address (fatal: `host not found`).
    NoUsableAddress(String),
    /// A service type other than `inet`, `unix`, `unix-dgram`, `fifo`, `pass` (fatal).
    UnknownServiceType(String),
}

impl fmt::Display for UnknownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEndpoint(e) => write!(f, "invalid service name: {e}"),
            Self::Hostname(name) => write!(f, "host name \"{name}\" cannot be resolved statically"),
            Self::EmptyInetInterfaces => f.write_str("inet_interfaces is empty"),
            Self::InvalidInetProtocols(word) => {
                write!(f, "unknown inet_protocols value \"{word}\"")
            }
            Self::NoUsableAddress(host) => write!(
                f,
                "\"{host}\" has no address of a protocol enabled by inet_protocols"
            ),
            Self::UnknownServiceType(kind) => write!(f, "bad transport type: {kind}"),
        }
    }
}

/// Who can connect to a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reachability {
    /// Listens on at least one non-loopback address (including the wildcard).
    Public,
    /// Listens on loopback addresses only.
    LoopbackOnly,
    /// Not a network service (`unix`, `unix-dgram`, `fifo`; `pass` services receive
    /// connections handed over by another local service).
    Local,
    /// An inet service that master does not start because `inet_protocols` is empty.
    Disabled,
    /// Cannot be decided statically.
    Unknown(UnknownReason),
}

/// The reachability of one service, from its type, its name and `inet_interfaces` (default
/// `all`) and `inet_protocols` (default `all`).
///
/// `params` must be the **`main.cf`** values, not the service's: `master(8)` opens the
/// listening sockets and ignores `-o` overrides (verified with 3.7.11: `-o
/// inet_interfaces=all` on a service leaves it on `127.0.0.1` when `main.cf` says so).
pub fn reachability<P: Params + ?Sized>(fields: &ServiceFields<'_>, params: &P) -> Reachability {
    match fields.kind {
        "inet" => {}
        "unix" | "unix-dgram" | "fifo" | "pass" => return Reachability::Local,
        other => return Reachability::Unknown(UnknownReason::UnknownServiceType(other.to_owned())),
    }
    let parts = match split_endpoint(fields.name) {
        Ok(parts) => parts,
        Err(e) => return Reachability::Unknown(UnknownReason::InvalidEndpoint(e)),
    };
    let protocols = match parse_inet_protocols(get_or(params, "inet_protocols", "all")) {
        Ok(p) => p,
        Err(word) => return Reachability::Unknown(UnknownReason::InvalidInetProtocols(word)),
    };
    match parts.host {
        Some(host) => hosts_reachability([host], protocols),
        None => interfaces_reachability(get_or(params, "inet_interfaces", "all"), protocols),
    }
}

/// The reachability of a host-less inet service under `inet_interfaces`.
pub fn interfaces_reachability(inet_interfaces: &str, protocols: InetProtocols) -> Reachability {
    if !protocols.ipv4 && !protocols.ipv6 {
        return Reachability::Disabled;
    }
    if inet_interfaces == "all" {
        return Reachability::Public;
    }
    if inet_interfaces == "loopback-only" {
        return Reachability::LoopbackOnly;
    }
    let hosts: Vec<&str> = crate::params::split_list(inet_interfaces)
        .map(|h| {
            h.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or(h)
        })
        .collect();
    if hosts.is_empty() {
        return Reachability::Unknown(UnknownReason::EmptyInetInterfaces);
    }
    hosts_reachability(hosts, protocols)
}

/// Combines the addresses of several hosts. A numeric address of a disabled family is fatal;
/// otherwise any public address makes the service public; otherwise an unresolvable name
/// makes it unknown.
fn hosts_reachability<'a>(
    hosts: impl IntoIterator<Item = &'a str>,
    protocols: InetProtocols,
) -> Reachability {
    if !protocols.ipv4 && !protocols.ipv6 {
        return Reachability::Disabled;
    }
    let mut public = false;
    let mut unresolved: Option<&str> = None;
    for host in hosts {
        match host_address(host) {
            HostAddress::Address(addr) if !protocols.allows(addr) => {
                return Reachability::Unknown(UnknownReason::NoUsableAddress(host.to_owned()));
            }
            HostAddress::Address(addr) => public |= !is_loopback(addr),
            HostAddress::Localhost => {}
            HostAddress::Name => {
                unresolved.get_or_insert(host);
            }
        }
    }
    match (public, unresolved) {
        (true, _) => Reachability::Public,
        (false, Some(name)) => Reachability::Unknown(UnknownReason::Hostname(name.to_owned())),
        (false, None) => Reachability::LoopbackOnly,
    }
}

enum HostAddress {
    Address(IpAddr),
    Localhost,
    Name,
}

fn host_address(host: &str) -> HostAddress {
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        HostAddress::Address(IpAddr::V4(v4))
    } else if let Ok(v6) = host.parse::<Ipv6Addr>() {
        HostAddress::Address(IpAddr::V6(v6))
    } else if host.eq_ignore_ascii_case("localhost") {
        HostAddress::Localhost
    } else {
        HostAddress::Name
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::params::test_params as params;

    fn inet(name: &str, p: &HashMap<String, String>) -> Reachability {
        let fields = ServiceFields {
            name,
            kind: "inet",
            command: "smtpd",
            args: &[],
        };
        reachability(&fields, p)
    }

    #[test]
    fn host_part_decides() {
        let p = params(&[]);
        assert_eq!(inet("127.0.0.1:submission", &p), Reachability::LoopbackOnly);
        assert_eq!(inet("127.9.8.7:25", &p), Reachability::LoopbackOnly);
        assert_eq!(inet("[::1]:25", &p), Reachability::LoopbackOnly);
        assert_eq!(inet("::1:smtp", &p), Reachability::LoopbackOnly);
        assert_eq!(inet("localhost:2525", &p), Reachability::LoopbackOnly);
        assert_eq!(inet("LocalHost:2525", &p), Reachability::LoopbackOnly);
        assert_eq!(inet("192.0.2.1:25", &p), Reachability::Public);
        assert_eq!(inet("0.0.0.0:25", &p), Reachability::Public);
        assert_eq!(inet("[::]:25", &p), Reachability::Public);
        assert_eq!(
            inet("[::ffff:127.0.0.1]:25", &p),
            Reachability::Public,
            "IPv4-mapped loopback is not loopback for sock_addr_in_loopback()"
        );
        assert_eq!(
            inet("[mx.example]:2525", &p),
            Reachability::Unknown(UnknownReason::Hostname("mx.example".into()))
        );
    }

    #[test]
    fn host_part_overrides_inet_interfaces() {
        let p = params(&[("inet_interfaces", "loopback-only")]);
        assert_eq!(inet("192.0.2.1:25", &p), Reachability::Public);
        let p = params(&[("inet_interfaces", "all")]);
        assert_eq!(inet("127.0.0.1:25", &p), Reachability::LoopbackOnly);
    }

    #[test]
    fn no_host_part_uses_inet_interfaces() {
        assert_eq!(
            inet("smtp", &params(&[])),
            Reachability::Public,
            "default is all"
        );
        assert_eq!(
            inet("25", &params(&[("inet_interfaces", "all")])),
            Reachability::Public
        );
        assert_eq!(
            inet("25", &params(&[("inet_interfaces", "ALL")])),
            Reachability::Unknown(UnknownReason::Hostname("ALL".into())),
            "master 3.7.11: fatal host not found: ALL"
        );
        assert_eq!(
            inet(
                "submission",
                &params(&[("inet_interfaces", "loopback-only")])
            ),
            Reachability::LoopbackOnly
        );
        assert_eq!(
            inet("submission", &params(&[("inet_interfaces", "localhost")])),
            Reachability::LoopbackOnly
        );
        assert_eq!(
            inet("25", &params(&[("inet_interfaces", "127.0.0.1, [::1]")])),
            Reachability::LoopbackOnly
        );
        assert_eq!(
            inet("25", &params(&[("inet_interfaces", "127.0.0.1 ::1")])),
            Reachability::LoopbackOnly
        );
        assert_eq!(
            inet(
                "25",
                &params(&[("inet_interfaces", "127.0.0.1, 192.0.2.10")])
            ),
            Reachability::Public
        );
        assert_eq!(
            inet(
                "25",
                &params(&[("inet_interfaces", "127.0.0.1, mail.example")])
            ),
            Reachability::Unknown(UnknownReason::Hostname("mail.example".into()))
        );
        assert_eq!(
            inet(
                "25",
                &params(&[("inet_interfaces", "mail.example, 192.0.2.10")])
            ),
            Reachability::Public,
            "a public address decides even next to an unresolvable name"
        );
        assert_eq!(
            inet("25", &params(&[("inet_interfaces", "")])),
            Reachability::Unknown(UnknownReason::EmptyInetInterfaces)
        );
        assert_eq!(
            inet("25", &params(&[("inet_interfaces", "Loopback-Only")])),
            Reachability::Unknown(UnknownReason::Hostname("Loopback-Only".into())),
            "master 3.7.11: fatal host not found: Loopback-Only"
        );
    }

    #[test]
    fn inet_protocols_filters_families() {
        // master 3.7.11: "host not found: ::1".
        let p = params(&[
            ("inet_interfaces", "127.0.0.1, ::1"),
            ("inet_protocols", "ipv4"),
        ]);
        assert_eq!(
            inet("25", &p),
            Reachability::Unknown(UnknownReason::NoUsableAddress("::1".into()))
        );
        // master 3.7.11: "bad hostname or network address: [::1]:2525".
        let p = params(&[("inet_protocols", "ipv4")]);
        assert_eq!(
            inet("[::1]:2525", &p),
            Reachability::Unknown(UnknownReason::NoUsableAddress("::1".into()))
        );
        assert_eq!(inet("localhost:2525", &p), Reachability::LoopbackOnly);
        let p = params(&[("inet_protocols", "ipv6")]);
        assert_eq!(
            inet("192.0.2.1:25", &p),
            Reachability::Unknown(UnknownReason::NoUsableAddress("192.0.2.1".into()))
        );
        let p = params(&[("inet_protocols", "ipv4, ipv6")]);
        assert_eq!(inet("[::1]:25", &p), Reachability::LoopbackOnly);
        assert_eq!(
            UnknownReason::NoUsableAddress("::1".into()).to_string(),
            "\"::1\" has no address of a protocol enabled by inet_protocols"
        );
    }

    #[test]
    fn empty_inet_protocols_disables_inet_services() {
        // master 3.7.11: "all network protocols are disabled", not fatal.
        let p = params(&[("inet_protocols", "")]);
        assert_eq!(inet("25", &p), Reachability::Disabled);
        assert_eq!(inet("127.0.0.1:25", &p), Reachability::Disabled);
        let fields = ServiceFields {
            name: "smtp",
            kind: "unix",
            command: "smtp",
            args: &[],
        };
        assert_eq!(reachability(&fields, &p), Reachability::Local);
    }

    #[test]
    fn invalid_inet_protocols() {
        let p = params(&[("inet_protocols", "IPv4")]);
        assert_eq!(
            inet("25", &p),
            Reachability::Unknown(UnknownReason::InvalidInetProtocols("IPv4".into()))
        );
    }

    #[test]
    fn parse_inet_protocols_values() {
        assert_eq!(
            parse_inet_protocols("all"),
            Ok(InetProtocols {
                ipv4: true,
                ipv6: true
            })
        );
        assert_eq!(
            parse_inet_protocols("ipv6"),
            Ok(InetProtocols {
                ipv4: false,
                ipv6: true
            })
        );
        assert_eq!(parse_inet_protocols(""), Ok(InetProtocols::default()));
        assert_eq!(parse_inet_protocols("ALL"), Err("ALL".into()));
    }

    #[test]
    fn non_inet_services_are_local() {
        let p = params(&[]);
        for kind in ["unix", "unix-dgram", "fifo", "pass"] {
            let fields = ServiceFields {
                name: "smtpd",
                kind,
                command: "smtpd",
                args: &[],
            };
            assert_eq!(reachability(&fields, &p), Reachability::Local, "{kind}");
        }
        let fields = ServiceFields {
            name: "x",
            kind: "tcp",
            command: "smtpd",
            args: &[],
        };
        assert_eq!(
            reachability(&fields, &p),
            Reachability::Unknown(UnknownReason::UnknownServiceType("tcp".into()))
        );
    }

    #[test]
    fn invalid_endpoints_are_unknown() {
        assert_eq!(
            inet("[::1]", &params(&[])),
            Reachability::Unknown(UnknownReason::InvalidEndpoint(
                EndpointError::MissingService
            ))
        );
    }

    #[test]
    fn loopback_classification() {
        assert!(is_loopback("127.0.0.1".parse().unwrap()));
        assert!(is_loopback("127.255.255.254".parse().unwrap()));
        assert!(!is_loopback("128.0.0.1".parse().unwrap()));
        assert!(is_loopback("::1".parse().unwrap()));
        assert!(!is_loopback("::2".parse().unwrap()));
        assert!(!is_loopback("::ffff:127.0.0.1".parse().unwrap()));
    }
}
