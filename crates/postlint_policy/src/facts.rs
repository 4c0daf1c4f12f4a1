//! The named facts a policy can test with `fact = "…"`, and the values a caller supplies.
//!
//! Facts are what TOML cannot compute from one parameter: the effective server TLS level after
//! the legacy `smtpd_use_tls`/`smtpd_enforce_tls` switches, whether a certificate is configured,
//! the relayhost's port. The engine only knows their names, kinds and the parameters they are
//! derived from (used to label findings); the caller computes the values
//! ([`crate::ServiceContext::fact`]). An unknown fact name is a load error.

use crate::tls::{TlsLevel, TlsProtocol};

/// The type of a fact, which decides the operators that may test it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactKind {
    /// `yes`/`no`: `equals`, `not_equals`, `set`.
    Bool,
    /// A number: equality, `one_of`, numeric comparisons, `set`.
    Int,
    /// Free text: equality, `one_of`, `matches`, `empty`, `set`.
    Text,
    /// A TLS security level: equality, `one_of`, `at_least_tls`, `at_most_tls`, `set`.
    TlsLevel,
    /// A protocol version (a floor): equality, `protocol_floor_at_least`, `set`.
    Protocol,
    /// A list: `contains`, `lacks`, `before`, `empty`, `set`.
    List,
}

impl FactKind {
    /// A short name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bool => "boolean",
            Self::Int => "number",
            Self::Text => "text",
            Self::TlsLevel => "TLS level",
            Self::Protocol => "protocol version",
            Self::List => "list",
        }
    }
}

/// The value of a fact for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactValue {
    /// A yes/no fact.
    Bool(bool),
    /// A numeric fact.
    Int(i64),
    /// A text fact.
    Text(String),
    /// A TLS security level.
    TlsLevel(TlsLevel),
    /// A protocol version.
    Protocol(TlsProtocol),
    /// A list fact.
    List(Vec<String>),
}

impl FactValue {
    /// The value as text, as `{value}` shows it in messages.
    pub fn to_text(&self) -> String {
        match self {
            Self::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
            Self::Int(n) => n.to_string(),
            Self::Text(s) => s.clone(),
            Self::TlsLevel(l) => l.name().to_owned(),
            Self::Protocol(p) => p.as_str().to_owned(),
            Self::List(items) => items.join(", "),
        }
    }
}

/// One documented fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactInfo {
    /// The name used in `fact = "…"`.
    pub name: &'static str,
    /// Its type.
    pub kind: FactKind,
    /// What it means, for documentation.
    pub doc: &'static str,
    /// The parameters it is derived from; findings label where these are set.
    pub params: &'static [&'static str],
}

/// Every fact a policy may name. The caller's [`crate::ServiceContext::fact`] answers them.
pub const FACTS: &[FactInfo] = &[
    FactInfo {
        name: "tls_offered",
        kind: FactKind::Bool,
        doc: "an smtpd service offers TLS (STARTTLS at level `may` or above, or wrapper mode)",
        params: &[
            "smtpd_tls_security_level",
            "smtpd_tls_wrappermode",
            "smtpd_use_tls",
        ],
    },
    FactInfo {
        name: "tls_required",
        kind: FactKind::Bool,
        doc: "an smtpd service requires TLS before mail or AUTH (level `encrypt`, or wrapper mode)",
        params: &[
            "smtpd_tls_security_level",
            "smtpd_tls_wrappermode",
            "smtpd_enforce_tls",
        ],
    },
    FactInfo {
        name: "server_tls_level",
        kind: FactKind::TlsLevel,
        doc: "the effective smtpd TLS level, after the legacy `smtpd_use_tls`/`smtpd_enforce_tls`",
        params: &[
            "smtpd_tls_security_level",
            "smtpd_use_tls",
            "smtpd_enforce_tls",
        ],
    },
    FactInfo {
        name: "wrappermode",
        kind: FactKind::Bool,
        doc: "an smtpd service speaks implicit TLS (`smtpd_tls_wrappermode = yes`)",
        params: &["smtpd_tls_wrappermode"],
    },
    FactInfo {
        name: "server_cert_present",
        kind: FactKind::Bool,
        doc: "a server certificate and key are configured (`smtpd_tls_chain_files` or `smtpd_tls_*cert_file`)",
        params: &[
            "smtpd_tls_chain_files",
            "smtpd_tls_cert_file",
            "smtpd_tls_eccert_file",
        ],
    },
    FactInfo {
        name: "client_tls_level",
        kind: FactKind::TlsLevel,
        doc: "the effective smtp/lmtp client TLS level, after the legacy `smtp_use_tls`/`smtp_enforce_tls`",
        params: &[
            "smtp_tls_security_level",
            "smtp_use_tls",
            "smtp_enforce_tls",
        ],
    },
    FactInfo {
        name: "client_wrappermode",
        kind: FactKind::Bool,
        doc: "the smtp client speaks implicit TLS (`smtp_tls_wrappermode = yes`)",
        params: &["smtp_tls_wrappermode"],
    },
    FactInfo {
        name: "relayhost_set",
        kind: FactKind::Bool,
        doc: "mail without a transport-specific next hop goes to a `relayhost`",
        params: &["relayhost"],
    },
    FactInfo {
        name: "relayhost_port",
        kind: FactKind::Int,
        doc: "the port of `relayhost` (`[host]:465` gives 465; 25 when none is given); absent without a relayhost",
        params: &["relayhost"],
    },
    FactInfo {
        name: "dns_dnssec",
        kind: FactKind::Bool,
        doc: "the smtp client validates DNSSEC (`smtp_dns_support_level = dnssec`)",
        params: &["smtp_dns_support_level"],
    },
    FactInfo {
        name: "trust_anchors",
        kind: FactKind::Bool,
        doc: "the smtp client has CA certificates or trust anchors to verify servers with",
        params: &[
            "smtp_tls_CAfile",
            "smtp_tls_CApath",
            "smtp_tls_trust_anchor_file",
            "tls_append_default_CA",
        ],
    },
    FactInfo {
        name: "mandatory_protocol_floor",
        kind: FactKind::Protocol,
        doc: "the oldest protocol this service's mandatory TLS allows (`smtpd_tls_mandatory_protocols` for smtpd, `smtp_tls_mandatory_protocols` for smtp)",
        params: &[
            "smtpd_tls_mandatory_protocols",
            "smtp_tls_mandatory_protocols",
            "lmtp_tls_mandatory_protocols",
        ],
    },
    FactInfo {
        name: "protocol_floor",
        kind: FactKind::Protocol,
        doc: "the oldest protocol this service's opportunistic TLS allows (`smtpd_tls_protocols` for smtpd, `smtp_tls_protocols` for smtp)",
        params: &[
            "smtpd_tls_protocols",
            "smtp_tls_protocols",
            "lmtp_tls_protocols",
        ],
    },
    FactInfo {
        name: "protocols_valid",
        kind: FactKind::Bool,
        doc: "both TLS protocol lists of an smtpd/smtp/lmtp service parse (an invalid list disables TLS in smtpd and aborts it in the client)",
        params: &[
            "smtpd_tls_protocols",
            "smtpd_tls_mandatory_protocols",
            "smtp_tls_protocols",
            "smtp_tls_mandatory_protocols",
        ],
    },
    FactInfo {
        name: "tls_mandatory",
        kind: FactKind::Bool,
        doc: "TLS is mandatory for this service: an smtpd that requires TLS, or an smtp/lmtp client at level `encrypt` or stronger (so the `*_tls_mandatory_protocols` list is in force)",
        params: &[
            "smtpd_tls_security_level",
            "smtpd_tls_wrappermode",
            "smtp_tls_security_level",
            "lmtp_tls_security_level",
        ],
    },
    FactInfo {
        name: "next_hop_loopback",
        kind: FactKind::Bool,
        doc: "a delivery service that a `content_filter` (in main.cf or any service's `-o`) sends to a loopback next hop such as `[127.0.0.1]:10024`: mail that never leaves the host",
        params: &["content_filter"],
    },
];

/// The documented fact called `name`.
pub fn fact_info(name: &str) -> Option<&'static FactInfo> {
    FACTS.iter().find(|f| f.name == name)
}
