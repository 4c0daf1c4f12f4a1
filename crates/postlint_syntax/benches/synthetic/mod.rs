//! Generators for large synthetic configuration files used by the parser benchmarks.
//!
//! The output is deterministic (no randomness), so runs are comparable.
//! Kept in `synthetic/mod.rs` rather than `synthetic.rs` so cargo does not pick it up as a bench
//! target of its own.

use std::fmt::Write as _;

/// A stock-Debian-like `main.cf` head, as `postinst` writes it on Debian 12.
const DEBIAN_MAIN_CF: &str = "\
# See /usr/share/postfix/main.cf.dist for a commented, more complete version

# Debian specific:  Specifying a file name will cause the first
# line of that file to be used as the name.  The Debian default
# is /etc/mailname.
#myorigin = /etc/mailname

smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
biff = no

# appending .domain is the MUA's job.
append_dot_mydomain = no

# Uncomment the next line to generate \"delayed mail\" warnings
#delay_warning_time = 4h

readme_directory = no

# See http://www.postfix.org/COMPATIBILITY_README.html -- default to 3.6 on
# fresh installs.
compatibility_level = 3.6

# TLS parameters
smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem
smtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key
smtpd_tls_security_level=may

smtp_tls_CApath=/etc/ssl/certs
smtp_tls_security_level=may
smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache

smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
myhostname = mail.example.org
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
mydestination = $myhostname, example.org, localhost.localdomain, , localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = all
inet_protocols = all
";

/// A `main.cf` of at least `target_bytes` bytes: the Debian defaults, then `classN` restriction
/// classes (every 8th spread over continuation lines with a comment line in between, every
/// 16th with CRLF line ends), then one `smtpd_restriction_classes` line naming all classes.
pub fn main_cf(target_bytes: usize) -> Vec<u8> {
    let mut out = String::with_capacity(target_bytes + target_bytes / 8);
    out.push_str(DEBIAN_MAIN_CF);
    out.push_str("\n# Per-client restriction classes\n");
    let mut classes = 0usize;
    // Leave room for the `smtpd_restriction_classes` line (about 10 bytes per class).
    while out.len() + classes * 10 < target_bytes {
        let n = classes;
        match n % 16 {
            0 => {
                let _ = write!(
                    out,
                    "class{n} = check_client_access cidr:/etc/postfix/c{n}.cidr, permit_mynetworks, reject_unauth_destination\r\n"
                );
            }
            7 | 15 => {
                let _ = write!(
                    out,
                    "class{n} =\n    check_client_access cidr:/etc/postfix/c{n}.cidr,\n# clients of class {n} may relay\n    permit_mynetworks,\n\n\treject_unauth_destination\n"
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "class{n} = check_client_access cidr:/etc/postfix/c{n}.cidr, permit_mynetworks, reject_unauth_destination"
                );
            }
        }
        classes += 1;
    }
    out.push_str("smtpd_restriction_classes =");
    for n in 0..classes {
        let _ = write!(out, " class{n}");
        if n + 1 < classes {
            out.push(',');
        }
    }
    out.push('\n');
    out.into_bytes()
}

/// A `master.cf` of the Debian services followed by `services` extra `smtpd` and `pipe`
/// services with `-o` options (plain, joined `-oname=value`, and `{ }` groups) and braced
/// `pipe` arguments, spread over continuation and comment lines.
pub fn master_cf(services: usize) -> Vec<u8> {
    let mut out = String::with_capacity(services * 400);
    out.push_str(
        "\
# ==========================================================================
# service type  private unpriv  chroot  wakeup  maxproc command + args
#               (yes)   (yes)   (no)    (never) (100)
# ==========================================================================
smtp      inet  n       -       y       -       -       smtpd
pickup    unix  n       -       y       60      1       pickup
cleanup   unix  n       -       y       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       y       1000?   1       tlsmgr
rewrite   unix  -       -       y       -       -       trivial-rewrite
bounce    unix  -       -       y       -       0       bounce
defer     unix  -       -       y       -       0       bounce
trace     unix  -       -       y       -       0       bounce
verify    unix  -       -       y       -       1       verify
flush     unix  n       -       y       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       y       -       -       smtp
relay     unix  -       -       y       -       -       smtp
        -o syslog_name=postfix/$service_name
showq     unix  n       -       y       -       -       showq
error     unix  -       -       y       -       -       error
retry     unix  -       -       y       -       -       error
discard   unix  -       -       y       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       y       -       -       lmtp
anvil     unix  -       -       y       -       1       anvil
scache    unix  -       -       y       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
",
    );
    for n in 0..services {
        match n % 4 {
            0 => {
                let _ = write!(
                    out,
                    "10.{}.{}.{}:submission{n} inet n - y - - smtpd\n  -o syslog_name=postfix/submission{n}\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n# restrictions for class {n}\n  -o {{ smtpd_client_restrictions = permit_sasl_authenticated, check_client_access cidr:/etc/postfix/c{n}.cidr, reject }}\n  -o smtpd_recipient_restrictions=$mua_recipient_restrictions\n  -o milter_macro_daemon_name=ORIGINATING\n",
                    (n >> 16) & 255,
                    (n >> 8) & 255,
                    n & 255
                );
            }
            1 => {
                let _ = write!(
                    out,
                    "filter{n}  unix  -       n       n       -       10      pipe\n  flags=Rq user=filter{n} null_sender=\n  argv=/usr/local/bin/filter{n} {{ -f ${{sender}} }} -- ${{recipient}} {{ --tag = class {n} }}\n"
                );
            }
            2 => {
                let _ = writeln!(
                    out,
                    "relay{n}   unix  -       -       y       -       -       smtp -v -oskip_unused=yes -o smtp_helo_name=relay{n}.example.org -o {{ smtp_tls_policy_maps = hash:/etc/postfix/tls{n} }} -o smtp_bind_address=192.0.2.{}",
                    n % 250 + 1
                );
            }
            _ => {
                let _ = write!(
                    out,
                    "127.0.0.1:{} inet n - n - 16 smtpd\n\t-o content_filter=\n\t-o {{ receive_override_options = no_unknown_recipient_checks, no_header_body_checks, no_milters }}\n\t-o mynetworks=127.0.0.0/8\n\n\t-o smtpd_authorized_xforward_hosts=127.0.0.0/8\n",
                    10000 + n
                );
            }
        }
    }
    out.into_bytes()
}
