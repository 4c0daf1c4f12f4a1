//! `postlint check --check-files`: what only the host's file system can tell. The check
//! function is pure, so these findings are made here, from the report's model, and merged
//! into the report like any other finding.
//!
//! - `missing-file`: a certificate, key or CA file named by a TLS parameter does not exist or
//!   cannot be read;
//! - `world-readable-key`: a private key file (or a chain file, which holds keys) can be read
//!   by every user;
//! - `stale-table`: a `hash:` or `lmdb:` table has no compiled `.db`/`.lmdb` file, or the
//!   compiled file is older than its source (`postmap` was not run after an edit).
//!
//! Only values written in main.cf or master.cf are checked, and only absolute paths: a
//! built-in default names the host's files whether or not the configuration uses them.

use std::collections::HashSet;
use std::path::Path;

use postlint_diagnostics::{Diagnostic, FileId, Severity, TextRange};
use postlint_linter::{Report, RuleMeta, Settings};
use postlint_model::{Origin, View};
use postlint_postconf::{MAIN_CF, MASTER_CF};

/// `missing-file`.
pub const MISSING_FILE: RuleMeta = RuleMeta {
    name: "missing-file",
    code: "PL801",
    severity: Severity::Error,
    summary: "a certificate, key or CA file named by a TLS parameter is missing or unreadable",
    url: "https://www.postfix.org/TLS_README.html#server_cert_key",
    docs: "## What it does\n\nWith `--check-files`, checks that every certificate, key and CA \
file named by a TLS parameter (`smtpd_tls_cert_file`, `smtpd_tls_chain_files`, \
`smtp_tls_CAfile`, …) exists and can be opened.\n\n## Why it matters\n\nA TLS server whose \
certificate or key cannot be read stops offering STARTTLS (or refuses connections on port \
465); mail then flows in plain text or not at all.\n\n## Example\n\n```\nsmtpd_tls_cert_file = \
/etc/ssl/certs/mail.pem   # no such file\n```\n\n## Fix\n\nInstall the file, or correct the \
path.\n",
};

/// `world-readable-key`.
pub const WORLD_READABLE_KEY: RuleMeta = RuleMeta {
    name: "world-readable-key",
    code: "PL802",
    severity: Severity::Error,
    summary: "a private key file is readable by every user",
    url: "https://www.postfix.org/postconf.5.html#smtpd_tls_key_file",
    docs: "## What it does\n\nWith `--check-files`, checks that private key files named by TLS \
parameters (`*_key_file`, `*_dkey_file`, `*_eckey_file`, `*_chain_files`) are not readable \
by other users.\n\n## Why it matters\n\nAnyone on the host who can read the key can \
impersonate the mail server.\n\n## Example\n\n```\n-rw-r--r-- root root \
/etc/ssl/private/mail.key\n```\n\n## Fix\n\n`chmod 600` the key (or `640` with group \
`ssl-cert`).\n",
};

/// `stale-table`.
pub const STALE_TABLE: RuleMeta = RuleMeta {
    name: "stale-table",
    code: "PL803",
    severity: Severity::Warning,
    summary: "a hash: or lmdb: table is not compiled, or compiled before its last edit",
    url: "https://www.postfix.org/postmap.1.html",
    docs: "## What it does\n\nWith `--check-files`, checks that each `hash:FILE` and \
`lmdb:FILE` table has its compiled `FILE.db` or `FILE.lmdb`, newer than `FILE`.\n\n## Why it \
matters\n\nPostfix reads only the compiled file: edits made after the last `postmap` are \
silently ignored, and a missing compiled file makes lookups fail.\n\n## Example\n\n```\n\
transport_maps = hash:/etc/postfix/transport   # transport.db older than transport\n```\n\n\
## Fix\n\nRun `postmap FILE` (or `postalias` for alias tables) after every edit.\n",
};

/// The rules of this module, for `postlint rule` and SARIF rule metadata.
pub static RULES: [RuleMeta; 3] = [MISSING_FILE, WORLD_READABLE_KEY, STALE_TABLE];

/// TLS parameters that name one file.
const FILE_PARAMS: &[&str] = &[
    "smtpd_tls_cert_file",
    "smtpd_tls_key_file",
    "smtpd_tls_dcert_file",
    "smtpd_tls_dkey_file",
    "smtpd_tls_eccert_file",
    "smtpd_tls_eckey_file",
    "smtpd_tls_CAfile",
    "smtpd_tls_dh1024_param_file",
    "smtp_tls_cert_file",
    "smtp_tls_key_file",
    "smtp_tls_dcert_file",
    "smtp_tls_dkey_file",
    "smtp_tls_eccert_file",
    "smtp_tls_eckey_file",
    "smtp_tls_CAfile",
    "lmtp_tls_cert_file",
    "lmtp_tls_key_file",
    "lmtp_tls_CAfile",
    "tlsproxy_tls_cert_file",
    "tlsproxy_tls_key_file",
    "tlsproxy_tls_CAfile",
];

/// TLS parameters that name a list of files (keys and certificates).
const LIST_PARAMS: &[&str] = &[
    "smtpd_tls_chain_files",
    "smtp_tls_chain_files",
    "lmtp_tls_chain_files",
    "tlsproxy_tls_chain_files",
];

fn is_key_param(name: &str) -> bool {
    name.ends_with("_key_file") || name.ends_with("_chain_files")
}

/// Adds the file-system findings for `report` to it. `dir` is the configuration directory
/// (unused for now: Postfix resolves table and TLS paths from its own working directory, so
/// only absolute paths are checked).
pub fn check(report: &mut Report, _dir: Option<&Path>, settings: &Settings) {
    let mut found = Vec::new();
    {
        let model = std::sync::Arc::clone(&report.model);
        let mut seen = HashSet::new();
        let views = std::iter::once(model.global()).chain(model.services());
        for view in views {
            tls_files(&view, &mut seen, &mut found);
            tables(report, &view, &mut seen, &mut found);
        }
    }
    found.retain(|d| {
        let hit = |list: &[String]| list.iter().any(|s| *s == d.rule || *s == d.code);
        (settings.select.is_empty() || hit(&settings.select)) && !hit(&settings.ignore)
    });
    for d in &mut found {
        if let Some((_, severity)) = settings
            .severities
            .iter()
            .rev()
            .find(|(n, _)| *n == d.rule || *n == d.code)
        {
            d.severity = *severity;
        }
    }
    report.diagnostics.extend(found);
    postlint_linter::check::sort(&mut report.diagnostics);
}

/// Where a user-written value is, or `None` for defaults.
fn written_at(origin: &Origin) -> Option<(FileId, TextRange)> {
    match origin {
        Origin::MainCf { value_range, .. } => Some((MAIN_CF, *value_range)),
        Origin::MasterCf { value_range, .. } => Some((MASTER_CF, *value_range)),
        _ => None,
    }
}

fn finding(
    meta: &RuleMeta,
    message: String,
    at: (FileId, TextRange),
    view: &View<'_>,
) -> Diagnostic {
    let mut d = Diagnostic::new(meta.name, meta.code, meta.severity, message, at.0, at.1)
        .with_url(meta.url);
    if at.0 == MASTER_CF
        && let Some(key) = view.service_key()
    {
        d = d.with_service(key);
    }
    d
}

fn words(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
}

fn tls_files(
    view: &View<'_>,
    seen: &mut HashSet<(FileId, TextRange, String)>,
    out: &mut Vec<Diagnostic>,
) {
    for name in FILE_PARAMS.iter().chain(LIST_PARAMS) {
        let Some(value) = view.value(name) else {
            continue;
        };
        let Some(at) = written_at(&value.origin) else {
            continue;
        };
        for path in words(&value.expanded).filter(|p| p.starts_with('/')) {
            if !seen.insert((at.0, at.1, format!("{name}\0{path}"))) {
                continue;
            }
            match std::fs::File::open(path) {
                Err(e) => out.push(
                    finding(
                        &MISSING_FILE,
                        format!("`{name}` names `{path}`, which cannot be read: {e}"),
                        at,
                        view,
                    )
                    .with_help("install the file, or correct the path"),
                ),
                Ok(file) => {
                    if is_key_param(name) && world_readable(&file) {
                        out.push(
                            finding(
                                &WORLD_READABLE_KEY,
                                format!(
                                    "private key file `{path}` (`{name}`) is readable by every user"
                                ),
                                at,
                                view,
                            )
                            .with_help(format!("`chmod o-rwx {path}`")),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(unix)]
fn world_readable(file: &std::fs::File) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    file.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o004 != 0)
}

#[cfg(not(unix))]
fn world_readable(_file: &std::fs::File) -> bool {
    false
}

fn tables(
    report: &Report,
    view: &View<'_>,
    seen: &mut HashSet<(FileId, TextRange, String)>,
    out: &mut Vec<Diagnostic>,
) {
    // Only names whose written value mentions a table type: scanning the raw text first keeps
    // this cheap on a main.cf with many thousands of entries.
    let mentions =
        |v: &[u8]| v.windows(5).any(|w| w == b"hash:") || v.windows(5).any(|w| w == b"lmdb:");
    let mut names: Vec<String> = match view.scope() {
        postlint_model::Scope::Global => report
            .config
            .main
            .parameters
            .iter()
            .filter(|p| mentions(p.value()) || p.value().contains(&b'$'))
            .map(|p| String::from_utf8_lossy(p.name()).into_owned())
            .collect(),
        postlint_model::Scope::Service(index) => report
            .config
            .master
            .services
            .get(index)
            .map(|s| {
                s.overrides
                    .iter()
                    .filter(|o| mentions(&o.value) || o.value.contains(&b'$'))
                    .map(|o| String::from_utf8_lossy(&o.name).into_owned())
                    .collect()
            })
            .unwrap_or_default(),
    };
    names.sort_unstable();
    names.dedup();
    for name in names {
        let Some(value) = view.value(&name) else {
            continue;
        };
        let Some(at) = written_at(&value.origin) else {
            continue;
        };
        for word in words(&value.expanded) {
            let (suffix, path) = if let Some(p) = word.strip_prefix("hash:") {
                ("db", p)
            } else if let Some(p) = word.strip_prefix("lmdb:") {
                ("lmdb", p)
            } else {
                continue;
            };
            if !path.starts_with('/') || !seen.insert((at.0, at.1, word.to_owned())) {
                continue;
            }
            let compiled = format!("{path}.{suffix}");
            let modified = |p: &str| std::fs::metadata(p).and_then(|m| m.modified()).ok();
            let problem = match (modified(path), modified(&compiled)) {
                (_, None) => Some(format!(
                    "`{word}` in `{name}` has no compiled table `{compiled}`"
                )),
                (Some(source), Some(db)) if db < source => Some(format!(
                    "`{compiled}` is older than `{path}`: edits since the last postmap are ignored"
                )),
                _ => None,
            };
            if let Some(message) = problem {
                let tool = if name.starts_with("alias_") {
                    "postalias"
                } else {
                    "postmap"
                };
                out.push(finding(&STALE_TABLE, message, at, view).with_help(format!(
                    "run `{tool} {suffix_type}:{path}`",
                    suffix_type = if suffix == "db" { "hash" } else { "lmdb" }
                )));
            }
        }
    }
}
