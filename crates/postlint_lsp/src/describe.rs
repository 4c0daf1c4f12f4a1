//! One-line meanings of the parameters people edit most, for hover and completion. Every other
//! parameter links to its entry in postconf(5).

/// `(name, meaning)`, written for postlint (the manual has the full text).
const MEANINGS: &[(&str, &str)] = &[
    (
        "alias_maps",
        "lookup tables the local delivery agent uses for aliases",
    ),
    (
        "compatibility_level",
        "which release's safer defaults apply (backwards-compatibility safety net)",
    ),
    (
        "disable_vrfy_command",
        "refuse the SMTP VRFY command, which reveals whether addresses exist",
    ),
    (
        "inet_interfaces",
        "the network addresses Postfix receives mail on",
    ),
    ("inet_protocols", "the IP protocols used: ipv4, ipv6 or all"),
    (
        "mailbox_size_limit",
        "largest mailbox or maildir file the local agent writes, in bytes",
    ),
    ("message_size_limit", "largest message accepted, in bytes"),
    ("mydestination", "domains this machine delivers locally"),
    ("mydomain", "the internet domain of this mail system"),
    (
        "myhostname",
        "the fully-qualified host name of this mail system",
    ),
    (
        "mynetworks",
        "trusted client networks, which may relay through this server",
    ),
    (
        "myorigin",
        "the domain that locally-posted mail appears to come from",
    ),
    (
        "relay_domains",
        "destinations this server relays mail to from untrusted clients",
    ),
    (
        "relayhost",
        "the next-hop host for non-local mail (empty: deliver directly via DNS MX)",
    ),
    (
        "smtp_dns_support_level",
        "how the SMTP client uses DNS: disabled, enabled or dnssec",
    ),
    (
        "smtp_tls_CAfile",
        "CA certificates the SMTP client trusts to verify servers",
    ),
    (
        "smtp_tls_loglevel",
        "how much the SMTP client logs about TLS",
    ),
    (
        "smtp_tls_mandatory_protocols",
        "TLS protocols the SMTP client accepts when TLS is mandatory",
    ),
    (
        "smtp_tls_policy_maps",
        "per-destination TLS policy of the SMTP client",
    ),
    (
        "smtp_tls_protocols",
        "TLS protocols the SMTP client accepts with opportunistic TLS",
    ),
    (
        "smtp_tls_security_level",
        "TLS policy of the SMTP client: none, may, encrypt, dane, verify, secure…",
    ),
    (
        "smtpd_client_restrictions",
        "restrictions applied when a client connects",
    ),
    (
        "smtpd_helo_required",
        "require clients to send HELO or EHLO first",
    ),
    (
        "smtpd_helo_restrictions",
        "restrictions applied to the HELO/EHLO name",
    ),
    (
        "smtpd_recipient_restrictions",
        "restrictions applied to RCPT TO (after smtpd_relay_restrictions)",
    ),
    (
        "smtpd_relay_restrictions",
        "relay control applied to RCPT TO: who may send mail to any destination",
    ),
    (
        "smtpd_sasl_auth_enable",
        "offer SASL authentication (SMTP AUTH) to clients",
    ),
    (
        "smtpd_sasl_path",
        "where the SMTP server finds the SASL service (e.g. private/auth for Dovecot)",
    ),
    (
        "smtpd_sasl_security_options",
        "which SASL mechanisms the SMTP server offers, e.g. noanonymous",
    ),
    (
        "smtpd_sasl_type",
        "the SASL implementation the SMTP server uses: cyrus or dovecot",
    ),
    (
        "smtpd_sender_restrictions",
        "restrictions applied to MAIL FROM",
    ),
    (
        "smtpd_tls_auth_only",
        "offer SASL authentication only after STARTTLS",
    ),
    (
        "smtpd_tls_cert_file",
        "the SMTP server's certificate file (PEM)",
    ),
    (
        "smtpd_tls_chain_files",
        "the SMTP server's keys and certificate chains, in one or more PEM files",
    ),
    (
        "smtpd_tls_key_file",
        "the SMTP server's private key file (PEM)",
    ),
    (
        "smtpd_tls_loglevel",
        "how much the SMTP server logs about TLS",
    ),
    (
        "smtpd_tls_mandatory_protocols",
        "TLS protocols the SMTP server accepts when TLS is mandatory",
    ),
    (
        "smtpd_tls_protocols",
        "TLS protocols the SMTP server accepts with opportunistic TLS",
    ),
    (
        "smtpd_tls_security_level",
        "TLS policy of the SMTP server: none, may (STARTTLS offered) or encrypt (required)",
    ),
    (
        "smtpd_tls_wrappermode",
        "speak TLS from the first byte (implicit TLS, port 465) instead of STARTTLS",
    ),
    (
        "smtpd_use_tls",
        "legacy switch that offers STARTTLS; replaced by smtpd_tls_security_level",
    ),
    (
        "smtpd_enforce_tls",
        "legacy switch that requires TLS; replaced by smtpd_tls_security_level",
    ),
    (
        "smtp_use_tls",
        "legacy switch for opportunistic client TLS; replaced by smtp_tls_security_level",
    ),
    (
        "smtp_enforce_tls",
        "legacy switch for mandatory client TLS; replaced by smtp_tls_security_level",
    ),
    ("syslog_name", "the name Postfix programs log under"),
    (
        "virtual_alias_domains",
        "domains whose addresses are all aliases to other addresses",
    ),
    (
        "virtual_alias_maps",
        "aliases for any recipient domain, applied before delivery",
    ),
    (
        "virtual_mailbox_domains",
        "domains delivered to mailboxes by the virtual agent (or a transport)",
    ),
    (
        "virtual_mailbox_maps",
        "valid recipients of the virtual mailbox domains",
    ),
    (
        "virtual_transport",
        "the delivery transport for virtual mailbox domains",
    ),
    ("alias_database", "alias databases newaliases builds"),
    (
        "append_dot_mydomain",
        "append .$mydomain to addresses without a domain part",
    ),
    (
        "biff",
        "notify local users of new mail through the biff service",
    ),
    (
        "bounce_queue_lifetime",
        "how long a bounce message stays queued before it is given up",
    ),
    (
        "broken_sasl_auth_clients",
        "also announce AUTH the old way for Outlook Express 4 and similar clients",
    ),
    (
        "default_process_limit",
        "default limit on processes per master.cf service",
    ),
    (
        "delay_warning_time",
        "after how long senders get a 'still trying' notice (0: never)",
    ),
    (
        "header_checks",
        "patterns matched against message headers, with actions",
    ),
    (
        "home_mailbox",
        "mailbox file or maildir (ending in /) relative to the user's home",
    ),
    (
        "local_recipient_maps",
        "valid local recipients; mail to others is rejected in SMTP",
    ),
    (
        "mailbox_command",
        "external program the local agent delivers mail with (e.g. procmail)",
    ),
    (
        "maximal_queue_lifetime",
        "how long a message stays queued before it bounces",
    ),
    (
        "milter_default_action",
        "what to do when a milter is unavailable: accept, reject, tempfail, quarantine",
    ),
    (
        "mynetworks_style",
        "how mynetworks is derived when not set: host, subnet or class",
    ),
    (
        "non_smtpd_milters",
        "milters applied to mail not received via SMTP",
    ),
    (
        "postscreen_access_list",
        "permanent allow and deny lists postscreen consults first",
    ),
    (
        "postscreen_dnsbl_sites",
        "DNS blocklists postscreen queries, with weights",
    ),
    (
        "postscreen_greet_action",
        "what postscreen does with clients that talk before their turn",
    ),
    (
        "recipient_delimiter",
        "separator of address extensions, as in user+extension",
    ),
    (
        "relay_recipient_maps",
        "valid recipients of relay_domains; others are rejected in SMTP",
    ),
    ("sender_canonical_maps", "rewriting of sender addresses"),
    (
        "smtp_sasl_auth_enable",
        "authenticate to the next hop (relayhost) with SASL",
    ),
    (
        "smtp_sasl_password_maps",
        "username:password per next hop for SMTP client authentication",
    ),
    (
        "smtp_sasl_security_options",
        "which SASL mechanisms the SMTP client may use without TLS",
    ),
    (
        "smtp_sasl_tls_security_options",
        "which SASL mechanisms the SMTP client may use over TLS",
    ),
    (
        "smtp_tls_session_cache_database",
        "where the SMTP client caches TLS sessions",
    ),
    (
        "smtp_tls_wrappermode",
        "SMTP client speaks TLS from the first byte (relayhost on port 465)",
    ),
    ("smtpd_banner", "the text after 220 in the SMTP greeting"),
    (
        "smtpd_data_restrictions",
        "restrictions applied to the DATA command",
    ),
    ("smtpd_milters", "milters applied to mail received via SMTP"),
    (
        "smtpd_recipient_limit",
        "most recipients accepted per message",
    ),
    (
        "smtpd_tls_ciphers",
        "cipher grade the SMTP server uses with opportunistic TLS",
    ),
    (
        "smtpd_tls_mandatory_ciphers",
        "cipher grade the SMTP server requires when TLS is mandatory",
    ),
    (
        "smtpd_tls_received_header",
        "record TLS protocol and cipher in the Received: header",
    ),
    (
        "smtpd_tls_session_cache_database",
        "where the SMTP server caches TLS sessions",
    ),
    (
        "tls_preempt_cipherlist",
        "use the server's cipher preference order, not the client's",
    ),
    (
        "transport_maps",
        "per-destination delivery transports and next hops",
    ),
    (
        "unknown_local_recipient_reject_code",
        "SMTP code for unknown local recipients (550, or 450 while testing)",
    ),
];

/// The one-line meaning of `name`, when recorded.
pub fn meaning(name: &str) -> Option<&'static str> {
    MEANINGS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, meaning)| *meaning)
}

/// The postconf(5) entry of `name`.
pub fn manual_url(name: &str) -> String {
    format!("https://www.postfix.org/postconf.5.html#{name}")
}

/// Values a parameter takes from a fixed set, for completion.
pub fn enumerated_values(
    name: &str,
    ty: Option<postlint_params::ParamType>,
) -> &'static [&'static str] {
    use postlint_params::ParamType;
    match name {
        "smtpd_tls_security_level"
        | "postscreen_tls_security_level"
        | "tlsproxy_tls_security_level" => &["none", "may", "encrypt"],
        "smtp_tls_security_level" | "lmtp_tls_security_level" => &[
            "none",
            "may",
            "encrypt",
            "dane",
            "dane-only",
            "fingerprint",
            "verify",
            "secure",
        ],
        "smtp_dns_support_level" | "lmtp_dns_support_level" => &["disabled", "enabled", "dnssec"],
        "inet_protocols" => &["all", "ipv4", "ipv6", "ipv4, ipv6"],
        "smtpd_sasl_type" | "smtp_sasl_type" | "lmtp_sasl_type" => &["cyrus", "dovecot"],
        "smtpd_tls_loglevel"
        | "smtp_tls_loglevel"
        | "lmtp_tls_loglevel"
        | "tlsproxy_tls_loglevel"
        | "postscreen_tls_loglevel" => &["0", "1", "2", "3", "4"],
        _ => match ty {
            Some(ParamType::Bool | ParamType::NBool) => &["yes", "no"],
            _ => &[],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_described_name_is_a_parameter() {
        let mut seen = std::collections::HashSet::new();
        for (name, meaning) in MEANINGS {
            assert!(postlint_params::lookup(name).is_some(), "{name}");
            assert!(seen.insert(name), "{name} twice");
            assert!(!meaning.ends_with('.'), "{name}: no trailing period");
        }
    }
}
