//! How broad `mynetworks` is (spec §7.3, §7.4).
//!
//! Clients in `mynetworks` are trusted: `permit_mynetworks` lets them relay. A `mynetworks`
//! that covers the internet, or a big public range, makes an open relay.
//!
//! # Syntax (`util/match_list.c`, `util/match_ops.c`, `util/cidr_match.c`)
//!
//! Entries are separated by commas/whitespace; `{ … }` groups stay together. Matching runs
//! left to right and stops at the first matching entry; `!` in front of an entry negates it
//! (each `!` toggles). Entry forms:
//!
//! - `/file/name`: replaced by the file's patterns (content unknown here);
//! - `type:table` (any entry with a `:` that does not start with `[`): matched by lookup,
//!   content unknown here. An IPv6 address without `[ ]` falls into this form, so Postfix
//!   reads it as a table of an unknown type;
//! - `addr/len`, `[addr]/len`, `[addr/len]`, `[addr]`, bare IPv4 `addr`: a network (a bare
//!   address is a `/32` or `/128`);
//! - anything else: a host or domain name, matched against the client's verified reverse
//!   name (and its parent domains when `mynetworks` is in
//!   `parent_domain_matches_subdomains`, the default).
//!
//! Mistakes behave in three ways (observed with `smtpd` 3.7.11 and a relay test):
//!
//! - **fatal**: an IPv6 address without `[ ]` is taken for a `type:table`, and smtpd stops
//!   (`open dictionary: expecting "type:name" form instead of "::1"`);
//! - **lookup error**: a net/mask pattern with a bad mask (`bad mask value in "127.0.0.0/"`,
//!   `bad mask length in "10.0.0.0/33"`), a bad address (`bad network value in
//!   "300.1.1.1/8"`) or host bits set (`non-null host address bits in "192.168.1.1/24",
//!   perhaps you should use "192.168.1.0/24" instead`). Patterns are parsed when a client of
//!   the same IP family reaches them, so earlier matching entries still work; a client that
//!   reaches the bad entry gets `451 4.3.0 Temporary lookup failure`;
//! - **never matches**, silently: `127.1`, `300.1.1.1`, `[1.2.3.400]`, `[127.0.0.1` (no
//!   mask), or a pattern with characters that belong neither to addresses nor to host names
//!   (`127.0.0.0/8x`, `127.0.0.0/+8`).
//!
//! # Breadth
//!
//! The trusted address set is computed exactly for the network entries, honouring order and
//! negation. File, table and name entries have unknown content; they are ignored in the
//! computation and reported, so the result is a lower bound. Invalid entries trust nobody.
//!
//! Only *public* addresses count. Not public: IPv4 `0.0.0.0/8`, `10.0.0.0/8`,
//! `100.64.0.0/10` (CGNAT), `127.0.0.0/8`, `169.254.0.0/16`, `172.16.0.0/12`,
//! `192.0.0.0/24`, `192.0.2.0/24`, `192.168.0.0/16`, `198.18.0.0/15`, `198.51.100.0/24`,
//! `203.0.113.0/24`, `224.0.0.0/4`, `240.0.0.0/4`; IPv6: everything outside `2000::/3`
//! (global unicast), and inside it the documentation ranges `2001:db8::/32` and
//! `3fff::/20`.
//!
//! Thresholds (chosen for postlint, see [`Breadth`]):
//!
//! - [`Breadth::WholeInternet`]: at least half of the public IPv4 space, or half of the public
//!   IPv6 space, is trusted (`0.0.0.0/0`, `0.0.0.0/1 128.0.0.0/1`, `[::]/0`, `[2000::]/3`…);
//! - [`Breadth::LargePublic`]: otherwise, at least 2^24 public IPv4 addresses (the size of a
//!   `/8`) or 2^96 public IPv6 addresses (a `/32`, a whole provider allocation) are trusted.
//!   A site rarely owns that much; such ranges usually include other people's hosts;
//! - [`Breadth::Narrow`]: anything smaller.
//!
//! The counts are reported too, so a policy can apply its own threshold.
//!
//! # Unset `mynetworks`
//!
//! Without an explicit value Postfix computes `mynetworks` at start-up from
//! `mynetworks_style` (whose default depends on `compatibility_level`: `subnet` below 2,
//! `host` from 2 on; the caller passes the effective style) and the addresses of
//! `inet_interfaces`: `host` trusts the host's own addresses, `subnet` the subnets of its
//! interfaces (on a hosting provider's shared network that can be a large range of
//! strangers), `class` the whole class A/B/C network of each IPv4 address (a public class A
//! address trusts a `/8`). With `inet_interfaces` limited to loopback, every style yields
//! loopback only.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::params::{Params, get_or};
use crate::reachability::{Reachability, interfaces_reachability, parse_inet_protocols};

/// An IP family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

/// What a `mynetworks` entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A network (`prefix_len` 32/128 for a single address).
    Network {
        /// The network address.
        addr: IpAddr,
        /// The prefix length.
        prefix_len: u8,
    },
    /// `/file/name`: the file's patterns.
    File(String),
    /// `type:table`.
    Table(String),
    /// A host or domain name pattern.
    Hostname(String),
    /// A mistake.
    Invalid {
        /// What is wrong, in Postfix's words where Postfix reports it.
        reason: String,
        /// What Postfix does with it.
        effect: InvalidEffect,
    },
}

/// What Postfix does with an invalid entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvalidEffect {
    /// smtpd stops at start-up.
    Fatal,
    /// A warning and `451 4.3.0 Temporary lookup failure` for every client of that IP family
    /// that reaches the entry.
    LookupError,
    /// The entry silently matches no client.
    NeverMatches,
}

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MynetworksEntry {
    /// The entry as written (with its `!`s).
    pub text: String,
    /// Whether it excludes (odd number of `!`).
    pub negated: bool,
    /// What it is.
    pub kind: EntryKind,
    /// Public addresses this entry adds to the trusted set (0 for negated, shadowed or
    /// non-network entries).
    pub public_addresses: u128,
}

/// How broad the trusted set is; see the module documentation for the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Breadth {
    /// No large public range.
    Narrow,
    /// A large public range (≥ 2^24 IPv4 or ≥ 2^96 IPv6 public addresses).
    LargePublic,
    /// At least half of the public IPv4 or IPv6 internet.
    WholeInternet,
}

/// The analysis of an explicit `mynetworks` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MynetworksAnalysis {
    /// The entries in order.
    pub entries: Vec<MynetworksEntry>,
    /// Trusted public IPv4 addresses.
    pub public_v4: u128,
    /// Trusted public IPv6 addresses.
    pub public_v6: u128,
    /// The classification.
    pub breadth: Breadth,
    /// The entry that adds the most public addresses in the family that decided `breadth`
    /// (`None` when narrow).
    pub offending: Option<String>,
    /// File, table and name entries exist: the real trusted set may be larger.
    pub uncertain: bool,
}

impl MynetworksAnalysis {
    /// The invalid entries: text, reason and effect.
    pub fn invalid_entries(&self) -> impl Iterator<Item = (&str, &str, InvalidEffect)> {
        self.entries.iter().filter_map(|e| match &e.kind {
            EntryKind::Invalid { reason, effect } => {
                Some((e.text.as_str(), reason.as_str(), *effect))
            }
            _ => None,
        })
    }
}

/// `mynetworks_style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MynetworksStyle {
    /// The host's own addresses.
    Host,
    /// The subnets of the host's interfaces.
    Subnet,
    /// The class A/B/C networks of the host's IPv4 addresses.
    Class,
}

impl MynetworksStyle {
    /// Parses a style name, ignoring case (`name_code()`).
    pub fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "host" => Some(Self::Host),
            "subnet" => Some(Self::Subnet),
            "class" => Some(Self::Class),
            _ => None,
        }
    }
}

/// The breadth of a computed (style-based) `mynetworks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComputedBreadth {
    /// `inet_interfaces` is loopback only: loopback networks only.
    LoopbackOnly,
    /// `host`: the host's own addresses.
    OwnAddresses,
    /// `subnet`: depends on the target host's interface netmasks; possibly broad.
    HostDependent,
    /// `class`: whole class A/B/C networks; broad for public addresses.
    ClassNetworks,
}

/// The `mynetworks` fact of one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MynetworksFact {
    /// `mynetworks` is set.
    Explicit(MynetworksAnalysis),
    /// `mynetworks` is unset and computed from `mynetworks_style`.
    Computed {
        /// The style.
        style: MynetworksStyle,
        /// What that means.
        breadth: ComputedBreadth,
    },
    /// `mynetworks` is unset and `mynetworks_style` is unknown (fatal:
    /// `unknown mynetworks_style value`).
    InvalidStyle(String),
}

/// The `mynetworks` fact of a service: `explicit` is the effective `mynetworks` if set,
/// `style` the effective `mynetworks_style`, `interfaces_loopback_only` whether
/// `inet_interfaces` yields loopback addresses only.
pub fn mynetworks_fact(
    explicit: Option<&str>,
    style: &str,
    interfaces_loopback_only: bool,
) -> MynetworksFact {
    if let Some(value) = explicit {
        return MynetworksFact::Explicit(analyze_mynetworks(value));
    }
    let Some(style_value) = MynetworksStyle::parse(style) else {
        return MynetworksFact::InvalidStyle(style.to_owned());
    };
    let breadth = match style_value {
        _ if interfaces_loopback_only => ComputedBreadth::LoopbackOnly,
        MynetworksStyle::Host => ComputedBreadth::OwnAddresses,
        MynetworksStyle::Subnet => ComputedBreadth::HostDependent,
        MynetworksStyle::Class => ComputedBreadth::ClassNetworks,
    };
    MynetworksFact::Computed {
        style: style_value,
        breadth,
    }
}

/// [`mynetworks_fact`] from effective parameters: `mynetworks` (`None` = unset),
/// `mynetworks_style` (`host` when the caller has no value), `inet_interfaces` and
/// `inet_protocols` (default `all`).
pub fn mynetworks_from_params<P: Params + ?Sized>(params: &P) -> MynetworksFact {
    let loopback = parse_inet_protocols(get_or(params, "inet_protocols", "all")).is_ok_and(|p| {
        interfaces_reachability(get_or(params, "inet_interfaces", "all"), p)
            == Reachability::LoopbackOnly
    });
    mynetworks_fact(
        params.get("mynetworks"),
        get_or(params, "mynetworks_style", "host"),
        loopback,
    )
}

/// Splits a match list into entries: separators are commas and whitespace outside `{ }`.
fn list_entries(value: &str) -> Vec<&str> {
    let mut entries = Vec::new();
    let mut depth = 0usize;
    let mut start: Option<usize> = None;
    for (i, c) in value.char_indices() {
        let separator = depth == 0 && matches!(c, ',' | ' ' | '\t' | '\r' | '\n');
        if separator {
            if let Some(s) = start.take() {
                entries.extend(value.get(s..i));
            }
            continue;
        }
        start.get_or_insert(i);
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if let Some(s) = start {
        entries.extend(value.get(s..));
    }
    entries
}

/// Classifies one entry (without its `!`s) the way `match_list` and `match_hostaddr()` see it.
fn classify(pattern: &str) -> EntryKind {
    const ADDRESS_CHARS: &str = "0123456789abcdefABCDEF.:[]/";
    if pattern.starts_with('/') {
        return EntryKind::File(pattern.to_owned());
    }
    if !pattern.starts_with('[') && pattern.contains(':') {
        let address_part = pattern.split('/').next().unwrap_or(pattern);
        if address_part.parse::<Ipv6Addr>().is_ok() {
            return invalid(
                InvalidEffect::Fatal,
                format!(
                    "IPv6 addresses must be written inside [] in mynetworks; \
                     Postfix reads \"{pattern}\" as a type:table and stops"
                ),
            );
        }
        return EntryKind::Table(pattern.to_owned());
    }
    let address_like = pattern.chars().all(|c| ADDRESS_CHARS.contains(c));
    if address_like && pattern.contains('/') {
        return parse_net_mask(pattern);
    }
    let bare = pattern
        .strip_prefix('[')
        .and_then(|p| p.strip_suffix(']'))
        .unwrap_or(pattern);
    if let Ok(v4) = bare.parse::<Ipv4Addr>() {
        return EntryKind::Network {
            addr: IpAddr::V4(v4),
            prefix_len: 32,
        };
    }
    if let Ok(v6) = bare.parse::<Ipv6Addr>() {
        return EntryKind::Network {
            addr: IpAddr::V6(v6),
            prefix_len: 128,
        };
    }
    if is_name_pattern(pattern) {
        return EntryKind::Hostname(pattern.to_owned());
    }
    let reason = if pattern.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        format!("\"{pattern}\" is not a complete IPv4 address")
    } else {
        format!("\"{pattern}\" is neither an address pattern nor a host name")
    };
    invalid(InvalidEffect::NeverMatches, reason)
}

fn invalid(effect: InvalidEffect, reason: String) -> EntryKind {
    EntryKind::Invalid { reason, effect }
}

/// A host or domain name pattern: labels of letters, digits, `-` and `_`, optionally with a
/// leading dot, not all-numeric.
fn is_name_pattern(pattern: &str) -> bool {
    let name = pattern.strip_prefix('.').unwrap_or(pattern);
    crate::endpoint::valid_hostname(name)
}

/// A net/mask pattern (all characters address characters, with a `/`), as `cidr_match_parse()`
/// of Postfix 3.7 reads it: `[ ]` around the address or around the whole pattern are
/// removed.
fn parse_net_mask(pattern: &str) -> EntryKind {
    let unbracketed = match pattern.strip_prefix('[') {
        Some(inner) => match inner.strip_suffix(']') {
            Some(whole) => whole.to_owned(),
            None => inner.replacen("]/", "/", 1),
        },
        None => pattern.to_owned(),
    };
    let lookup_error = |what: &str| {
        invalid(
            InvalidEffect::LookupError,
            format!("bad {what} in \"{pattern}\""),
        )
    };
    let Some((address, mask)) = unbracketed.split_once('/') else {
        return lookup_error("mask value");
    };
    if mask.is_empty() || !mask.bytes().all(|b| b.is_ascii_digit()) {
        return lookup_error("mask value");
    }
    let v6 = address.contains(':');
    let bits: u8 = if v6 { 128 } else { 32 };
    let Some(prefix_len) = mask
        .parse::<u64>()
        .ok()
        .filter(|len| *len <= u64::from(bits))
        .and_then(|len| u8::try_from(len).ok())
    else {
        return lookup_error("mask length");
    };
    let addr: Option<IpAddr> = if v6 {
        address.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
    } else {
        address.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
    };
    let Some(addr) = addr else {
        return lookup_error("network value");
    };
    let (value, family) = to_u128(addr);
    let network = value & prefix_mask(family, prefix_len);
    if network != value {
        let suggestion = from_u128(network, family);
        return invalid(
            InvalidEffect::LookupError,
            format!(
                "non-null host address bits in \"{address}/{mask}\", \
                 perhaps you should use \"{suggestion}/{prefix_len}\" instead"
            ),
        );
    }
    EntryKind::Network { addr, prefix_len }
}

fn to_u128(addr: IpAddr) -> (u128, Family) {
    match addr {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), Family::V4),
        IpAddr::V6(v6) => (u128::from(v6), Family::V6),
    }
}

fn from_u128(value: u128, family: Family) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX))),
        Family::V6 => IpAddr::V6(Ipv6Addr::from(value)),
    }
}

fn family_bits(family: Family) -> u32 {
    match family {
        Family::V4 => 32,
        Family::V6 => 128,
    }
}

/// The network mask of `prefix_len` bits, as a value in the family's range.
fn prefix_mask(family: Family, prefix_len: u8) -> u128 {
    let bits = family_bits(family);
    let all = family_max(family);
    let host_bits = bits.saturating_sub(u32::from(prefix_len));
    if host_bits >= 128 {
        0
    } else {
        all & !((1u128 << host_bits) - 1)
    }
}

fn family_max(family: Family) -> u128 {
    match family {
        Family::V4 => u128::from(u32::MAX),
        Family::V6 => u128::MAX,
    }
}

/// The inclusive address range of a network.
fn network_range(addr: IpAddr, prefix_len: u8) -> (Family, u128, u128) {
    let (value, family) = to_u128(addr);
    let mask = prefix_mask(family, prefix_len);
    let low = value & mask;
    let high = low | (family_max(family) & !mask);
    (family, low, high)
}

/// A set of addresses as sorted, disjoint, inclusive ranges.
#[derive(Debug, Clone, Default)]
struct RangeSet {
    ranges: Vec<(u128, u128)>,
}

impl RangeSet {
    fn insert(&mut self, low: u128, high: u128) {
        self.ranges.push((low, high));
        self.ranges.sort_unstable();
        let mut merged: Vec<(u128, u128)> = Vec::with_capacity(self.ranges.len());
        for &(lo, hi) in &self.ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        self.ranges = merged;
    }

    /// The parts of `[low, high]` not in the set.
    fn missing_parts(&self, low: u128, high: u128) -> Vec<(u128, u128)> {
        let mut parts = Vec::new();
        let mut cursor = Some(low);
        for &(lo, hi) in &self.ranges {
            let Some(start) = cursor else { break };
            if hi < start {
                continue;
            }
            if lo > high {
                break;
            }
            if lo > start {
                parts.push((start, lo - 1));
            }
            cursor = hi.checked_add(1).filter(|next| *next <= high);
        }
        if let Some(start) = cursor {
            parts.push((start, high));
        }
        parts
    }

    /// The number of addresses of `[low, high]` that are in the set. Callers only count
    /// inside the public sets, so the result fits.
    fn count_overlap(&self, low: u128, high: u128) -> u128 {
        self.ranges
            .iter()
            .map(|&(lo, hi)| (lo.max(low), hi.min(high)))
            .filter(|(lo, hi)| lo <= hi)
            .map(|(lo, hi)| hi - lo + 1)
            .sum()
    }

    fn count_in(&self, other: &Self) -> u128 {
        other
            .ranges
            .iter()
            .map(|&(lo, hi)| self.count_overlap(lo, hi))
            .sum()
    }
}

const NON_PUBLIC_V4: [(Ipv4Addr, u8); 14] = [
    (Ipv4Addr::UNSPECIFIED, 8),
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(100, 64, 0, 0), 10),
    (Ipv4Addr::new(127, 0, 0, 0), 8),
    (Ipv4Addr::new(169, 254, 0, 0), 16),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 0, 0, 0), 24),
    (Ipv4Addr::new(192, 0, 2, 0), 24),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
    (Ipv4Addr::new(198, 18, 0, 0), 15),
    (Ipv4Addr::new(198, 51, 100, 0), 24),
    (Ipv4Addr::new(203, 0, 113, 0), 24),
    (Ipv4Addr::new(224, 0, 0, 0), 4),
    (Ipv4Addr::new(240, 0, 0, 0), 4),
];

const NON_PUBLIC_V6_IN_GLOBAL: [(Ipv6Addr, u8); 2] = [
    (Ipv6Addr::new(0x2001, 0x0db8, 0, 0, 0, 0, 0, 0), 32),
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),
];

/// The public address space of a family.
fn public_space(family: Family) -> RangeSet {
    let mut excluded = RangeSet::default();
    let mut universe = RangeSet::default();
    match family {
        Family::V4 => {
            universe.insert(0, family_max(Family::V4));
            for (addr, len) in NON_PUBLIC_V4 {
                let (_, lo, hi) = network_range(IpAddr::V4(addr), len);
                excluded.insert(lo, hi);
            }
        }
        Family::V6 => {
            let (_, lo, hi) =
                network_range(IpAddr::V6(Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0)), 3);
            universe.insert(lo, hi);
            for (addr, len) in NON_PUBLIC_V6_IN_GLOBAL {
                let (_, lo, hi) = network_range(IpAddr::V6(addr), len);
                excluded.insert(lo, hi);
            }
        }
    }
    let mut public = RangeSet::default();
    for &(lo, hi) in &universe.ranges {
        for (plo, phi) in excluded.missing_parts(lo, hi) {
            public.insert(plo, phi);
        }
    }
    public
}

/// Public IPv4 addresses at or above which a range is [`Breadth::LargePublic`] (a `/8`).
pub const LARGE_PUBLIC_V4: u128 = 1 << 24;
/// Public IPv6 addresses at or above which a range is [`Breadth::LargePublic`] (a `/32`).
pub const LARGE_PUBLIC_V6: u128 = 1 << 96;

struct FamilyState {
    family: Family,
    public: RangeSet,
    decided: RangeSet,
    trusted: RangeSet,
}

impl FamilyState {
    fn new(family: Family) -> Self {
        Self {
            family,
            public: public_space(family),
            decided: RangeSet::default(),
            trusted: RangeSet::default(),
        }
    }

    fn breadth(&self) -> (Breadth, u128) {
        let trusted = self.trusted.count_in(&self.public);
        let total = self.public.count_in(&self.public);
        let large = match self.family {
            Family::V4 => LARGE_PUBLIC_V4,
            Family::V6 => LARGE_PUBLIC_V6,
        };
        let breadth = if trusted >= total / 2 && trusted > 0 {
            Breadth::WholeInternet
        } else if trusted >= large {
            Breadth::LargePublic
        } else {
            Breadth::Narrow
        };
        (breadth, trusted)
    }
}

/// Analyses an explicit `mynetworks` value.
pub fn analyze_mynetworks(value: &str) -> MynetworksAnalysis {
    let mut v4 = FamilyState::new(Family::V4);
    let mut v6 = FamilyState::new(Family::V6);
    let mut entries = Vec::new();
    let mut uncertain = false;
    for text in list_entries(value) {
        let bangs = text.len() - text.trim_start_matches('!').len();
        let pattern = text.get(bangs..).unwrap_or("");
        let negated = bangs % 2 == 1;
        let kind = classify(pattern);
        let mut public_addresses = 0;
        match &kind {
            EntryKind::Network { addr, prefix_len } => {
                let (family, low, high) = network_range(*addr, *prefix_len);
                let state = match family {
                    Family::V4 => &mut v4,
                    Family::V6 => &mut v6,
                };
                if !negated {
                    for (lo, hi) in state.decided.missing_parts(low, high) {
                        public_addresses += state.public.count_overlap(lo, hi);
                        state.trusted.insert(lo, hi);
                    }
                }
                state.decided.insert(low, high);
            }
            EntryKind::File(_) | EntryKind::Table(_) | EntryKind::Hostname(_) => uncertain = true,
            EntryKind::Invalid { .. } => {}
        }
        entries.push(MynetworksEntry {
            text: text.to_owned(),
            negated,
            kind,
            public_addresses,
        });
    }
    let (breadth_v4, public_v4) = v4.breadth();
    let (breadth_v6, public_v6) = v6.breadth();
    let (breadth, family) = if breadth_v6 > breadth_v4 {
        (breadth_v6, Family::V6)
    } else {
        (breadth_v4, Family::V4)
    };
    let offending = (breadth > Breadth::Narrow)
        .then(|| {
            entries
                .iter()
                .filter(|e| match e.kind {
                    EntryKind::Network { addr, .. } => to_u128(addr).1 == family,
                    _ => false,
                })
                .max_by_key(|e| e.public_addresses)
                .map(|e| e.text.clone())
        })
        .flatten();
    MynetworksAnalysis {
        entries,
        public_v4,
        public_v6,
        breadth,
        offending,
        uncertain,
    }
}

impl fmt::Display for Breadth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Narrow => "narrow",
            Self::LargePublic => "a large public address range",
            Self::WholeInternet => "the whole internet",
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn breadth(value: &str) -> Breadth {
        analyze_mynetworks(value).breadth
    }

    #[test]
    fn public_space_sizes() {
        let v4 = public_space(Family::V4);
        // 2^32 minus the special ranges listed in the module documentation.
        let special: u128 = (1 << 24) * 3
            + (1 << 22)
            + (1 << 16) * 2
            + (1 << 20)
            + 256 * 4
            + (1 << 17)
            + (1 << 28) * 2;
        assert_eq!(v4.count_in(&v4), (1u128 << 32) - special);
        let v6 = public_space(Family::V6);
        assert_eq!(
            v6.count_in(&v6),
            (1u128 << 125) - (1u128 << 96) - (1u128 << 108)
        );
    }

    #[test]
    fn whole_internet() {
        let a = analyze_mynetworks("127.0.0.0/8, 0.0.0.0/0");
        assert_eq!(a.breadth, Breadth::WholeInternet);
        assert_eq!(a.offending.as_deref(), Some("0.0.0.0/0"));
        assert_eq!(breadth("[::]/0"), Breadth::WholeInternet);
        assert_eq!(breadth("[2000::]/3"), Breadth::WholeInternet);
        assert_eq!(breadth("0.0.0.0/1 128.0.0.0/1"), Breadth::WholeInternet);
        assert_eq!(breadth("0.0.0.0/0 [::1]/128"), Breadth::WholeInternet);
    }

    #[test]
    fn private_and_loopback_ranges_are_narrow() {
        let a = analyze_mynetworks(
            "127.0.0.0/8 [::1]/128 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 \
             100.64.0.0/10 169.254.0.0/16 [fe80::]/10 [fc00::]/7",
        );
        assert_eq!(a.breadth, Breadth::Narrow);
        assert_eq!((a.public_v4, a.public_v6), (0, 0));
        assert_eq!(a.offending, None);
        assert!(!a.uncertain);
    }

    #[test]
    fn large_public_ranges() {
        let a = analyze_mynetworks("127.0.0.0/8, 44.0.0.0/8");
        assert_eq!(a.breadth, Breadth::LargePublic);
        assert_eq!(a.offending.as_deref(), Some("44.0.0.0/8"));
        assert_eq!(a.public_v4, 1 << 24);
        assert_eq!(breadth("44.0.0.0/9"), Breadth::Narrow);
        assert_eq!(
            breadth("44.0.0.0/9 45.0.0.0/9"),
            Breadth::LargePublic,
            "sums count"
        );
        assert_eq!(breadth("[2a01:4f8::]/29"), Breadth::LargePublic);
        assert_eq!(breadth("[2a01:4f8::]/32"), Breadth::LargePublic);
        assert_eq!(breadth("[2a01:4f8::]/33"), Breadth::Narrow);
        assert_eq!(
            breadth("[2001:db8::]/32"),
            Breadth::Narrow,
            "documentation range"
        );
        assert_eq!(breadth("192.0.2.0/24 203.0.113.0/24"), Breadth::Narrow);
    }

    #[test]
    fn ordinary_site_networks_are_narrow() {
        let a = analyze_mynetworks("127.0.0.0/8 168.100.189.0/28 [::1]/128 [2001:240:587::]/64");
        assert_eq!(a.breadth, Breadth::Narrow);
        assert_eq!(a.public_v4, 16);
        assert_eq!(a.public_v6, 1 << 64);
    }

    #[test]
    fn negation_and_order() {
        // A leading exclusion removes part of the following range.
        let a = analyze_mynetworks("!44.0.0.0/9, 44.0.0.0/8");
        assert_eq!(a.public_v4, 1 << 23);
        assert_eq!(a.breadth, Breadth::Narrow);
        assert!(a.entries[0].negated);
        // An exclusion after the range comes too late: first match wins.
        let a = analyze_mynetworks("44.0.0.0/8, !44.0.0.0/9");
        assert_eq!(a.public_v4, 1 << 24);
        // A double negation is a plain entry.
        let a = analyze_mynetworks("!!0.0.0.0/0");
        assert!(!a.entries[0].negated);
        assert_eq!(a.breadth, Breadth::WholeInternet);
        // Excluding everything but a bit leaves the internet mostly untrusted.
        assert_eq!(breadth("!0.0.0.0/1, 0.0.0.0/0"), Breadth::LargePublic);
    }

    #[test]
    fn entries_are_classified() {
        let a = analyze_mynetworks(
            "/etc/postfix/networks, hash:/etc/postfix/nets, cidr:{{0.0.0.0/0 OK}}, \
             example.com, .example.net, 192.0.2.7, [2001:db8::1]",
        );
        let kinds: Vec<&EntryKind> = a.entries.iter().map(|e| &e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                &EntryKind::File("/etc/postfix/networks".into()),
                &EntryKind::Table("hash:/etc/postfix/nets".into()),
                &EntryKind::Table("cidr:{{0.0.0.0/0 OK}}".into()),
                &EntryKind::Hostname("example.com".into()),
                &EntryKind::Hostname(".example.net".into()),
                &EntryKind::Network {
                    addr: "192.0.2.7".parse().unwrap(),
                    prefix_len: 32
                },
                &EntryKind::Network {
                    addr: "2001:db8::1".parse().unwrap(),
                    prefix_len: 128
                },
            ]
        );
        assert!(a.uncertain);
        // A name made only of hex letters is still a name.
        assert_eq!(
            analyze_mynetworks("bad.face").entries[0].kind,
            EntryKind::Hostname("bad.face".into())
        );
    }

    #[test]
    fn braces_keep_inline_tables_together() {
        let entries = list_entries("inline:{ 1.2.3.4=ok, 5.6.7.8=ok }, 10.0.0.0/8");
        assert_eq!(
            entries,
            vec!["inline:{ 1.2.3.4=ok, 5.6.7.8=ok }", "10.0.0.0/8"]
        );
    }

    /// Effects and messages as observed with smtpd 3.7.11 (relay test from 127.0.0.1).
    #[test]
    fn invalid_entries() {
        let cases: &[(&str, InvalidEffect, &str)] = &[
            (
                "192.168.1.1/24",
                InvalidEffect::LookupError,
                "non-null host address bits in \"192.168.1.1/24\", \
                 perhaps you should use \"192.168.1.0/24\" instead",
            ),
            (
                "127.0.0.0/",
                InvalidEffect::LookupError,
                "bad mask value in \"127.0.0.0/\"",
            ),
            (
                "127.0.0.0/a",
                InvalidEffect::LookupError,
                "bad mask value in \"127.0.0.0/a\"",
            ),
            (
                "127.0.0.1/32/8",
                InvalidEffect::LookupError,
                "bad mask value in \"127.0.0.1/32/8\"",
            ),
            (
                "10.0.0.0/33",
                InvalidEffect::LookupError,
                "bad mask length in \"10.0.0.0/33\"",
            ),
            (
                "300.1.1.1/8",
                InvalidEffect::LookupError,
                "bad network value in \"300.1.1.1/8\"",
            ),
            (
                "127.1",
                InvalidEffect::NeverMatches,
                "\"127.1\" is not a complete IPv4 address",
            ),
            (
                "300.1.1.1",
                InvalidEffect::NeverMatches,
                "\"300.1.1.1\" is not a complete IPv4 address",
            ),
            (
                "[1.2.3.400]",
                InvalidEffect::NeverMatches,
                "\"[1.2.3.400]\" is neither an address pattern nor a host name",
            ),
            (
                "[127.0.0.1",
                InvalidEffect::NeverMatches,
                "\"[127.0.0.1\" is neither an address pattern nor a host name",
            ),
            (
                "[::1]x",
                InvalidEffect::NeverMatches,
                "\"[::1]x\" is neither an address pattern nor a host name",
            ),
            (
                "127.0.0.0/8x",
                InvalidEffect::NeverMatches,
                "\"127.0.0.0/8x\" is neither an address pattern nor a host name",
            ),
            (
                "127.0.0.0/+8",
                InvalidEffect::NeverMatches,
                "\"127.0.0.0/+8\" is neither an address pattern nor a host name",
            ),
        ];
        for (text, effect, reason) in cases {
            let a = analyze_mynetworks(text);
            let got: Vec<_> = a.invalid_entries().collect();
            assert_eq!(got, vec![(*text, *reason, *effect)], "{text}");
            assert_eq!(a.public_v4, 0, "{text}");
        }
        for text in ["::1", "2001:db8::/32", "::/0"] {
            let a = analyze_mynetworks(text);
            let (_, reason, effect) = a.invalid_entries().next().unwrap();
            assert_eq!(effect, InvalidEffect::Fatal, "{text}");
            assert!(reason.contains("inside []"), "{text}");
        }
    }

    #[test]
    fn valid_unusual_forms() {
        // Observed with smtpd 3.7.11: these match 127.0.0.1.
        for text in [
            "[127.0.0.0/8]",
            "127.0.0.0/08",
            "[127.0.0.0]/8",
            "!!127.0.0.1",
        ] {
            let a = analyze_mynetworks(text);
            assert!(
                matches!(a.entries[0].kind, EntryKind::Network { .. }) && !a.entries[0].negated,
                "{text}: {a:?}"
            );
        }
        let a = analyze_mynetworks("44.0.0.0/0000008");
        assert_eq!(a.public_v4, 1 << 24);
        let a = analyze_mynetworks("10.0.0.0/99999999999999999999");
        assert_eq!(
            a.invalid_entries().next().unwrap().2,
            InvalidEffect::LookupError
        );
    }

    #[test]
    fn host_bits_in_ipv6() {
        let a = analyze_mynetworks("[2001:db8::1]/64");
        assert_eq!(
            a.invalid_entries().next().unwrap().1,
            "non-null host address bits in \"2001:db8::1/64\", \
             perhaps you should use \"2001:db8::/64\" instead"
        );
    }

    #[test]
    fn bracketed_ipv4_networks() {
        let a = analyze_mynetworks("[44.0.0.0]/8");
        assert_eq!(a.breadth, Breadth::LargePublic);
    }

    #[test]
    fn empty_list_trusts_nobody() {
        let a = analyze_mynetworks("");
        assert!(a.entries.is_empty());
        assert_eq!(a.breadth, Breadth::Narrow);
    }

    #[test]
    fn range_set_operations() {
        let mut s = RangeSet::default();
        s.insert(10, 20);
        s.insert(21, 30);
        s.insert(40, 50);
        assert_eq!(s.ranges, vec![(10, 30), (40, 50)]);
        assert_eq!(s.missing_parts(0, 60), vec![(0, 9), (31, 39), (51, 60)]);
        assert_eq!(s.missing_parts(12, 28), vec![]);
        assert_eq!(s.count_overlap(25, 45), 6 + 6);
        let mut full = RangeSet::default();
        full.insert(0, u128::MAX);
        assert_eq!(full.missing_parts(0, u128::MAX), vec![]);
        assert_eq!(RangeSet::default().missing_parts(5, 5), vec![(5, 5)]);
    }

    #[test]
    fn styles() {
        assert_eq!(
            MynetworksStyle::parse("Subnet"),
            Some(MynetworksStyle::Subnet)
        );
        assert_eq!(MynetworksStyle::parse("net"), None);
        assert_eq!(
            mynetworks_fact(None, "host", false),
            MynetworksFact::Computed {
                style: MynetworksStyle::Host,
                breadth: ComputedBreadth::OwnAddresses
            }
        );
        assert_eq!(
            mynetworks_fact(None, "subnet", false),
            MynetworksFact::Computed {
                style: MynetworksStyle::Subnet,
                breadth: ComputedBreadth::HostDependent
            }
        );
        assert_eq!(
            mynetworks_fact(None, "class", false),
            MynetworksFact::Computed {
                style: MynetworksStyle::Class,
                breadth: ComputedBreadth::ClassNetworks
            }
        );
        assert_eq!(
            mynetworks_fact(None, "class", true),
            MynetworksFact::Computed {
                style: MynetworksStyle::Class,
                breadth: ComputedBreadth::LoopbackOnly
            }
        );
        assert_eq!(
            mynetworks_fact(None, "bogus", false),
            MynetworksFact::InvalidStyle("bogus".into())
        );
        assert!(matches!(
            mynetworks_fact(Some("0.0.0.0/0"), "bogus", false),
            MynetworksFact::Explicit(MynetworksAnalysis {
                breadth: Breadth::WholeInternet,
                ..
            })
        ));
    }

    #[test]
    fn from_params() {
        let p: HashMap<String, String> = [
            ("mynetworks_style".to_owned(), "subnet".to_owned()),
            ("inet_interfaces".to_owned(), "loopback-only".to_owned()),
        ]
        .into();
        assert_eq!(
            mynetworks_from_params(&p),
            MynetworksFact::Computed {
                style: MynetworksStyle::Subnet,
                breadth: ComputedBreadth::LoopbackOnly
            }
        );
        let p: HashMap<String, String> = [("mynetworks".to_owned(), "::/0".to_owned())].into();
        let MynetworksFact::Explicit(a) = mynetworks_from_params(&p) else {
            panic!("explicit")
        };
        assert_eq!(
            a.breadth,
            Breadth::Narrow,
            "an unbracketed ::/0 is an invalid table name"
        );
        assert_eq!(a.invalid_entries().count(), 1);
    }
}
