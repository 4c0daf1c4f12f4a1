//! The server certificate configuration of an smtpd service (spec §6.5; `pre_jail_init()` in
//! `smtpd/smtpd.c`, `tls/tls_certkey.c`).
//!
//! - `smtpd_tls_chain_files` (Postfix ≥ 3.4; list separated by commas/whitespace): when
//!   non-empty it alone provides keys and certificates, and the legacy parameters are ignored
//!   with a warning if also set.
//! - Legacy pairs: `smtpd_tls_cert_file`/`smtpd_tls_key_file` (RSA),
//!   `smtpd_tls_dcert_file`/`smtpd_tls_dkey_file` (DSA),
//!   `smtpd_tls_eccert_file`/`smtpd_tls_eckey_file` (ECDSA). The key parameters default to
//!   `$…cert_file`, so a combined PEM file works; the caller has already expanded them. An
//!   empty key next to a certificate makes loading fail ("cannot get … private key",
//!   TLS disabled).
//! - `smtpd_tls_cert_file = none` (any letter case) requests certificate-less operation with
//!   anonymous ciphers; it is not a certificate. TLS 1.3 has no anonymous ciphers.
//! - A certificate is present if the chain files, or any of the three certificate
//!   parameters (with `none` counting as empty), are non-empty.
//! - smtpd initialises TLS only if a certificate is present, or `none` was requested and no
//!   client certificate is required (`smtpd_tls_ask_ccert = yes`, or `smtpd_tls_req_ccert =
//!   yes` with TLS enforced). Otherwise it logs `No server certs available. TLS won't be
//!   enabled` and answers STARTTLS with 454 — with a mandatory level the service can then
//!   receive no mail at all.
//!
//! Every file and directory named is listed so that a later file check can test it.

use crate::params::{InvalidBoolean, Params, get_or, read_bool, split_list};

/// The key algorithm of a legacy certificate parameter pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertAlgorithm {
    /// `smtpd_tls_cert_file` / `smtpd_tls_key_file`.
    Rsa,
    /// `smtpd_tls_dcert_file` / `smtpd_tls_dkey_file`.
    Dsa,
    /// `smtpd_tls_eccert_file` / `smtpd_tls_eckey_file`.
    Ecdsa,
}

/// One configured legacy certificate/key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyCertificate {
    /// The algorithm slot.
    pub algorithm: CertAlgorithm,
    /// The certificate parameter.
    pub cert_param: &'static str,
    /// The certificate file.
    pub cert_file: String,
    /// The key parameter.
    pub key_param: &'static str,
    /// The key file (empty: key loading fails).
    pub key_file: String,
}

/// What a named path is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileRole {
    /// A file with keys and certificates (`smtpd_tls_chain_files`).
    Chain,
    /// A certificate (chain) file.
    Certificate,
    /// A private-key file.
    Key,
    /// A file of trusted CA certificates (`smtpd_tls_CAfile`).
    CaFile,
    /// A directory of trusted CA certificates (`smtpd_tls_CApath`).
    CaDirectory,
    /// A Diffie-Hellman parameter file (`smtpd_tls_dh1024_param_file`).
    DhParameters,
}

/// A file or directory named by a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedFile {
    /// The parameter.
    pub param: &'static str,
    /// The path.
    pub path: String,
    /// Its use.
    pub role: FileRole,
}

/// The server certificate facts of one smtpd service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerCertificates {
    /// `smtpd_tls_cert_file = none`: certificate-less operation requested.
    pub anonymous: bool,
    /// The `smtpd_tls_chain_files` entries.
    pub chain_files: Vec<String>,
    /// The configured legacy pairs (a cert parameter of `none` is not one).
    pub legacy: Vec<LegacyCertificate>,
    /// Chain files and legacy pairs are both set: the legacy pairs are ignored.
    pub legacy_ignored: bool,
    /// A server certificate is configured.
    pub present: bool,
    /// Legacy pairs whose key parameter is empty (and that are not ignored).
    pub missing_keys: Vec<&'static str>,
    /// Every path named by the certificate, key, CA and DH parameters.
    pub files: Vec<NamedFile>,
}

const LEGACY_PAIRS: [(CertAlgorithm, &str, &str); 3] = [
    (
        CertAlgorithm::Rsa,
        "smtpd_tls_cert_file",
        "smtpd_tls_key_file",
    ),
    (
        CertAlgorithm::Dsa,
        "smtpd_tls_dcert_file",
        "smtpd_tls_dkey_file",
    ),
    (
        CertAlgorithm::Ecdsa,
        "smtpd_tls_eccert_file",
        "smtpd_tls_eckey_file",
    ),
];

/// Collects the server certificate configuration.
pub fn server_certificates<P: Params + ?Sized>(params: &P) -> ServerCertificates {
    let cert_file = get_or(params, "smtpd_tls_cert_file", "");
    let anonymous = cert_file.eq_ignore_ascii_case("none");
    let chain_files: Vec<String> = split_list(get_or(params, "smtpd_tls_chain_files", ""))
        .map(str::to_owned)
        .collect();

    let mut legacy = Vec::new();
    for (algorithm, cert_param, key_param) in LEGACY_PAIRS {
        let cert = get_or(params, cert_param, "");
        if cert.is_empty() || (algorithm == CertAlgorithm::Rsa && anonymous) {
            continue;
        }
        legacy.push(LegacyCertificate {
            algorithm,
            cert_param,
            cert_file: cert.to_owned(),
            key_param,
            key_file: get_or(params, key_param, "").to_owned(),
        });
    }
    let legacy_ignored = !chain_files.is_empty() && !legacy.is_empty();
    let present = !chain_files.is_empty() || !legacy.is_empty();
    let missing_keys = if legacy_ignored {
        Vec::new()
    } else {
        legacy
            .iter()
            .filter(|c| c.key_file.is_empty())
            .map(|c| c.key_param)
            .collect()
    };

    let mut files: Vec<NamedFile> = chain_files
        .iter()
        .map(|path| NamedFile {
            param: "smtpd_tls_chain_files",
            path: path.clone(),
            role: FileRole::Chain,
        })
        .collect();
    for pair in &legacy {
        files.push(NamedFile {
            param: pair.cert_param,
            path: pair.cert_file.clone(),
            role: FileRole::Certificate,
        });
        if !pair.key_file.is_empty() && pair.key_file != pair.cert_file {
            files.push(NamedFile {
                param: pair.key_param,
                path: pair.key_file.clone(),
                role: FileRole::Key,
            });
        }
    }
    for (param, role) in [
        ("smtpd_tls_CAfile", FileRole::CaFile),
        ("smtpd_tls_CApath", FileRole::CaDirectory),
        ("smtpd_tls_dh1024_param_file", FileRole::DhParameters),
    ] {
        let path = get_or(params, param, "");
        if !path.is_empty() {
            files.push(NamedFile {
                param,
                path: path.to_owned(),
                role,
            });
        }
    }

    ServerCertificates {
        anonymous,
        chain_files,
        legacy,
        legacy_ignored,
        present,
        missing_keys,
        files,
    }
}

/// Whether smtpd initialises TLS, given the certificates and whether TLS is enforced
/// (from [`crate::server_tls::ServerTls::tls_required`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsStartup {
    /// smtpd asks for / requires a client certificate, which needs a server certificate.
    pub requires_server_cert: bool,
    /// TLS can be initialised (otherwise STARTTLS is answered with 454).
    pub can_start: bool,
    /// Invalid `smtpd_tls_ask_ccert`/`smtpd_tls_req_ccert` values (fatal).
    pub errors: Vec<InvalidBoolean>,
}

/// Decides whether smtpd can initialise TLS (`have_server_cert || (no_server_cert_ok &&
/// !require_server_cert)`).
pub fn tls_startup<P: Params + ?Sized>(
    certs: &ServerCertificates,
    tls_required: bool,
    params: &P,
) -> TlsStartup {
    let mut errors = Vec::new();
    let ask = read_bool(params, "smtpd_tls_ask_ccert", false, &mut errors);
    let require = read_bool(params, "smtpd_tls_req_ccert", false, &mut errors);
    let requires_server_cert = ask || (tls_required && require);
    TlsStartup {
        requires_server_cert,
        can_start: certs.present || (certs.anonymous && !requires_server_cert),
        errors,
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::params::test_params as params;

    fn certs(pairs: &[(&str, &str)]) -> ServerCertificates {
        server_certificates(&params(pairs))
    }

    #[test]
    fn nothing_configured() {
        let c = certs(&[]);
        assert!(!c.present && !c.anonymous);
        assert!(c.files.is_empty() && c.legacy.is_empty());
        assert!(!tls_startup(&c, false, &params(&[])).can_start);
    }

    #[test]
    fn combined_pem_with_default_key() {
        // smtpd_tls_key_file = $smtpd_tls_cert_file, expanded by the caller.
        let c = certs(&[
            ("smtpd_tls_cert_file", "/etc/ssl/mail.pem"),
            ("smtpd_tls_key_file", "/etc/ssl/mail.pem"),
        ]);
        assert!(c.present);
        assert_eq!(c.legacy.len(), 1);
        assert_eq!(c.legacy[0].algorithm, CertAlgorithm::Rsa);
        assert_eq!(
            c.files,
            vec![NamedFile {
                param: "smtpd_tls_cert_file",
                path: "/etc/ssl/mail.pem".into(),
                role: FileRole::Certificate
            }],
            "the same file is listed once"
        );
        assert!(c.missing_keys.is_empty());
    }

    #[test]
    fn separate_key_and_ca_files_are_listed() {
        let c = certs(&[
            ("smtpd_tls_eccert_file", "/etc/ssl/ec.crt"),
            ("smtpd_tls_eckey_file", "/etc/ssl/ec.key"),
            ("smtpd_tls_CAfile", "/etc/ssl/ca.pem"),
            ("smtpd_tls_CApath", "/etc/ssl/certs"),
        ]);
        assert!(c.present);
        let roles: Vec<(&str, FileRole)> = c.files.iter().map(|f| (f.param, f.role)).collect();
        assert_eq!(
            roles,
            vec![
                ("smtpd_tls_eccert_file", FileRole::Certificate),
                ("smtpd_tls_eckey_file", FileRole::Key),
                ("smtpd_tls_CAfile", FileRole::CaFile),
                ("smtpd_tls_CApath", FileRole::CaDirectory),
            ]
        );
    }

    #[test]
    fn dsa_certificate_counts() {
        let c = certs(&[
            ("smtpd_tls_dcert_file", "/d.pem"),
            ("smtpd_tls_dkey_file", "/d.pem"),
        ]);
        assert!(c.present);
        assert_eq!(c.legacy[0].algorithm, CertAlgorithm::Dsa);
    }

    #[test]
    fn empty_key_is_reported() {
        let c = certs(&[
            ("smtpd_tls_cert_file", "/c.pem"),
            ("smtpd_tls_key_file", ""),
        ]);
        assert!(c.present);
        assert_eq!(c.missing_keys, vec!["smtpd_tls_key_file"]);
    }

    #[test]
    fn none_means_anonymous_not_a_certificate() {
        let c = certs(&[
            ("smtpd_tls_cert_file", "NONE"),
            ("smtpd_tls_key_file", "NONE"),
        ]);
        assert!(c.anonymous && !c.present);
        assert!(c.legacy.is_empty() && c.files.is_empty());
        let p = params(&[]);
        assert!(
            tls_startup(&c, true, &p).can_start,
            "anonymous TLS without client certs"
        );
        let p = params(&[("smtpd_tls_ask_ccert", "yes")]);
        let s = tls_startup(&c, false, &p);
        assert!(s.requires_server_cert && !s.can_start);
    }

    #[test]
    fn required_client_certificates_need_enforce() {
        let c = certs(&[("smtpd_tls_cert_file", "none")]);
        let p = params(&[("smtpd_tls_req_ccert", "yes")]);
        assert!(
            tls_startup(&c, false, &p).can_start,
            "req_ccert without enforce is ignored"
        );
        assert!(!tls_startup(&c, true, &p).can_start);
    }

    #[test]
    fn chain_files_replace_legacy_parameters() {
        let c = certs(&[
            ("smtpd_tls_chain_files", "/etc/ssl/rsa.pem, /etc/ssl/ec.pem"),
            ("smtpd_tls_cert_file", "/old.pem"),
            ("smtpd_tls_key_file", ""),
        ]);
        assert!(c.present && c.legacy_ignored);
        assert_eq!(c.chain_files, vec!["/etc/ssl/rsa.pem", "/etc/ssl/ec.pem"]);
        assert!(c.missing_keys.is_empty(), "ignored pairs are not loaded");
        let c = certs(&[("smtpd_tls_chain_files", "/etc/ssl/all.pem")]);
        assert!(c.present && !c.legacy_ignored);
        assert_eq!(c.files[0].role, FileRole::Chain);
    }

    #[test]
    fn invalid_client_cert_booleans() {
        let c = certs(&[("smtpd_tls_cert_file", "/c.pem")]);
        let p = params(&[("smtpd_tls_ask_ccert", "y")]);
        let s = tls_startup(&c, false, &p);
        assert_eq!(s.errors.len(), 1);
        assert!(s.can_start);
    }
}
