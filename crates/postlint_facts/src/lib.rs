//! Security-relevant facts about one `master.cf` service.
//!
//! Every function here is pure: it looks only at the service's fields ([`ServiceFields`]) and
//! at its *effective, already expanded* parameter values ([`Params`]), and never reads files,
//! resolves names or touches global state. Computing the effective values (main.cf + the
//! service's `-o` overrides + the built-in defaults of the target release, `$name`
//! expansion) is the caller's job.
//!
//! | module | fact | Postfix source |
//! |---|---|---|
//! | [`program`] | the program and its kind | `master/master_ent.c` |
//! | [`endpoint`] | host and TCP port of an inet service | `util/host_port.c`, `util/known_tcp_ports.c` |
//! | [`reachability`] | loopback-only or public | `master/master_ent.c`, `global/own_inet_addr.c` |
//! | [`postscreen`] | the `pass` service behind postscreen | `postscreen/postscreen.c` |
//! | [`server_tls`] | smtpd's TLS mode and level | `smtpd/smtpd.c` |
//! | [`client_tls`] | smtp/lmtp client TLS level, DANE, PKIX | `smtp/smtp_tls_policy.c` |
//! | [`certificates`] | server certificates and the files they name | `smtpd/smtpd.c`, `tls/tls_certkey.c` |
//! | [`protocols`] | TLS protocol lists | `tls/tls_misc.c` |
//! | [`mynetworks`] | how broad the trusted networks are | `util/match_list.c`, `util/cidr_match.c` |
//!
//! [`service_facts`] computes all facts that apply to a service at once.

pub mod certificates;
pub mod client_tls;
pub mod endpoint;
pub mod mynetworks;
pub mod params;
pub mod postscreen;
pub mod program;
pub mod protocols;
pub mod reachability;
pub mod server_tls;
pub mod tls_level;

use postlint_syntax::PostfixVersion;

pub use params::{InvalidBoolean, Params, parse_bool};
pub use program::{Program, ProgramKind};
pub use tls_level::TlsLevel;

/// The fields of one `master.cf` entry, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceFields<'a> {
    /// Field 1, e.g. `127.0.0.1:submission`, `smtp`, `smtpd`.
    pub name: &'a str,
    /// Field 2: `inet`, `unix`, `unix-dgram`, `fifo` or `pass`.
    pub kind: &'a str,
    /// Field 8's program, e.g. `smtpd` or `/usr/lib/postfix/sbin/smtpd`.
    pub command: &'a str,
    /// The arguments after the program.
    pub args: &'a [&'a str],
}

/// All facts that apply to one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFacts {
    /// The program.
    pub program: Program,
    /// For inet services: the endpoint, or why field 1 is invalid.
    pub endpoint: Option<Result<endpoint::InetEndpoint, endpoint::EndpointError>>,
    /// Who can connect.
    pub reachability: reachability::Reachability,
    /// For smtpd: TLS.
    pub server_tls: Option<server_tls::ServerTls>,
    /// For smtpd: certificates.
    pub certificates: Option<certificates::ServerCertificates>,
    /// For smtpd: whether TLS can start with those certificates.
    pub tls_startup: Option<certificates::TlsStartup>,
    /// For smtpd: `mynetworks`.
    pub mynetworks: Option<mynetworks::MynetworksFact>,
    /// For smtp/lmtp: client TLS.
    pub client_tls: Option<client_tls::ClientTls>,
}

/// Computes every fact that applies to the service: endpoint for inet services; TLS,
/// certificates and `mynetworks` for `smtpd`; client TLS for `smtp`/`lmtp`.
///
/// `params` are the service's effective values (`main.cf` + its `-o` overrides + defaults);
/// `master` are the `main.cf` values + defaults without any `-o`, which `master(8)` uses to
/// open the listening sockets (`inet_interfaces`, `inet_protocols`, `known_tcp_ports`).
pub fn service_facts<P: Params + ?Sized, M: Params + ?Sized>(
    fields: &ServiceFields<'_>,
    params: &P,
    master: &M,
    version: PostfixVersion,
) -> ServiceFacts {
    let program = program::program(fields.command);
    let endpoint =
        (fields.kind == "inet").then(|| endpoint::inet_endpoint(fields.name, master, version));
    let reachability = reachability::reachability(fields, master);
    let is_smtpd = program.kind == ProgramKind::Smtpd;
    let server_tls = is_smtpd.then(|| server_tls::server_tls(params, version));
    let certificates = is_smtpd.then(|| certificates::server_certificates(params));
    let tls_startup = match (&server_tls, &certificates) {
        (Some(tls), Some(certs)) => {
            Some(certificates::tls_startup(certs, tls.tls_required, params))
        }
        _ => None,
    };
    let mynetworks = is_smtpd.then(|| mynetworks::mynetworks_from_params(params));
    let client_tls = client_tls::ClientKind::of_program(&program.kind)
        .map(|kind| client_tls::client_tls(kind, params, version));
    ServiceFacts {
        program,
        endpoint,
        reachability,
        server_tls,
        certificates,
        tls_startup,
        mynetworks,
        client_tls,
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::params::test_params as params;

    #[test]
    fn submission_on_loopback() {
        let fields = ServiceFields {
            name: "127.0.0.1:submission",
            kind: "inet",
            command: "smtpd",
            args: &["-o", "smtpd_tls_security_level=encrypt"],
        };
        let p = params(&[
            ("smtpd_tls_security_level", "encrypt"),
            ("smtpd_tls_cert_file", "/etc/ssl/mail.pem"),
            ("smtpd_tls_key_file", "/etc/ssl/mail.pem"),
        ]);
        let facts = service_facts(&fields, &p, &p, PostfixVersion::V3_7);
        assert_eq!(facts.program.kind, ProgramKind::Smtpd);
        let endpoint = facts.endpoint.unwrap().unwrap();
        assert_eq!(endpoint.port.port(), Some(587));
        assert_eq!(facts.reachability, reachability::Reachability::LoopbackOnly);
        assert!(facts.server_tls.unwrap().tls_required);
        assert!(facts.certificates.unwrap().present);
        assert!(facts.tls_startup.unwrap().can_start);
        assert!(matches!(
            facts.mynetworks,
            Some(mynetworks::MynetworksFact::Computed { .. })
        ));
        assert!(facts.client_tls.is_none());
    }

    #[test]
    fn listening_uses_master_values_and_policy_uses_service_values() {
        let fields = ServiceFields {
            name: "2525",
            kind: "inet",
            command: "smtpd",
            args: &["-o", "inet_interfaces=all"],
        };
        let master = params(&[("inet_interfaces", "127.0.0.1")]);
        let service = params(&[
            ("inet_interfaces", "all"),
            ("smtpd_tls_security_level", "may"),
        ]);
        let facts = service_facts(&fields, &service, &master, PostfixVersion::V3_7);
        assert_eq!(facts.reachability, reachability::Reachability::LoopbackOnly);
        assert_eq!(
            facts.server_tls.unwrap().level,
            server_tls::ServerTlsLevel::May
        );
    }

    #[test]
    fn smtp_client_over_unix_socket() {
        let fields = ServiceFields {
            name: "relay",
            kind: "unix",
            command: "smtp",
            args: &[],
        };
        let p = params(&[("smtp_tls_security_level", "dane")]);
        let facts = service_facts(&fields, &p, &p, PostfixVersion::V3_7);
        assert!(facts.endpoint.is_none());
        assert_eq!(facts.reachability, reachability::Reachability::Local);
        assert!(facts.server_tls.is_none() && facts.mynetworks.is_none());
        let client = facts.client_tls.unwrap();
        assert_eq!(client.level, Some(TlsLevel::Dane));
        assert!(!client.dane.unwrap().problems.is_empty());
    }
}
