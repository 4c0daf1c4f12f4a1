//! Inline suppressions, written as ordinary Postfix comments on a line of their own:
//!
//! ```text
//! # postlint: ignore[mx-tls-required] this MX only talks to our own relays
//! smtpd_tls_security_level = encrypt
//!
//! # postlint: ignore-file[banner-discloses-software, PL113] house style
//! ```
//!
//! `ignore[…]` silences the listed rules (names or codes) for the next entry: findings whose
//! primary span lies in it and, above a master.cf service, findings about that service.
//! `ignore-file[…]` silences them for the whole file (for master.cf: also every finding about
//! one of its services). Text after `]` is the reason. A suppression that silences nothing, or
//! names no rule, is itself reported as `unused-suppression`.

use postlint_diagnostics::{Diagnostic, FileId, Severity, TextRange};
use postlint_postconf::{Config, MAIN_CF, MASTER_CF};

use crate::check::ReportFile;
use crate::registry::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    name: "unused-suppression",
    code: "PL009",
    severity: Severity::Warning,
    summary: "a `# postlint: ignore[…]` comment that silences nothing",
    url: "https://github.com/postlint/postlint#suppressing-findings",
    docs: "## What it does\n\
Reports a `# postlint: ignore[rule]` or `# postlint: ignore-file[rule]` comment that did not \
silence any finding, or that names no rule.\n\n\
## Why it matters\n\
A stale suppression hides nothing today but will silently hide the next real problem of that \
kind on that line; a misspelt rule name never worked at all.\n\n\
## Example\n\
```\n# postlint: ignore[open-relays] legacy customer relay\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n```\n\n\
## Fix\n\
Remove the comment, or correct the rule name (`postlint rule` lists them).\n",
};

/// Findings that cannot be silenced: problems with postlint's own inputs.
pub const UNSUPPRESSIBLE: &[&str] = &["policy-error", "config-error", "unused-suppression"];

#[derive(Debug)]
struct Suppression {
    file: FileId,
    /// Each rule as written, with its span.
    rules: Vec<(String, TextRange)>,
    /// The entry it covers; `None` for the whole file.
    scope: Option<TextRange>,
    /// The service the entry defines (master.cf).
    service: Option<String>,
    used: Vec<bool>,
}

/// Parses the suppression comments of one file.
fn parse(file: &ReportFile, config: &Config) -> Vec<Suppression> {
    let text = &file.text;
    let mut out = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive(|&b| b == b'\n') {
        let start = offset;
        offset += line.len();
        let trimmed_start = line
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(line.len());
        let body = line.get(trimmed_start..).unwrap_or_default();
        if body.is_empty() {
            continue;
        }
        if body.first() == Some(&b'#') {
            if let Some(s) = parse_comment(file.id, start + trimmed_start, body) {
                if s.scope.is_some() {
                    pending.push(out.len());
                }
                out.push(s);
            }
            continue;
        }
        if trimmed_start > 0 {
            // A continuation line belongs to the entry above.
            continue;
        }
        // The start of an entry: it runs to the start of the next entry.
        let end = next_entry_start(text, offset);
        let scope = TextRange::from_usize(start, end);
        let service = (file.id == MASTER_CF)
            .then(|| {
                config
                    .master
                    .services
                    .iter()
                    .find(|s| s.line.range().start as usize == start)
                    .map(postlint_syntax::Service::key)
            })
            .flatten();
        for i in pending.drain(..) {
            if let Some(s) = out.get_mut(i) {
                s.scope = Some(scope);
                s.service.clone_from(&service);
            }
        }
    }
    // A suppression with no entry after it covers nothing.
    for i in pending {
        if let Some(s) = out.get_mut(i) {
            s.scope = Some(TextRange::empty(
                u32::try_from(text.len()).unwrap_or(u32::MAX),
            ));
        }
    }
    out
}

fn next_entry_start(text: &[u8], from: usize) -> usize {
    let mut offset = from;
    for line in text
        .get(from..)
        .unwrap_or_default()
        .split_inclusive(|&b| b == b'\n')
    {
        let first = line.first().copied();
        let is_entry = first.is_some_and(|b| !b.is_ascii_whitespace() && b != b'#');
        if is_entry {
            return offset;
        }
        offset += line.len();
    }
    text.len()
}

/// Parses `# postlint: ignore[a, b] reason` / `# postlint: ignore-file[a] reason`.
fn parse_comment(file: FileId, at: usize, body: &[u8]) -> Option<Suppression> {
    let text = std::str::from_utf8(body).ok()?;
    let rest = text.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("postlint:")?.trim_start();
    let (whole_file, rest) = if let Some(r) = rest.strip_prefix("ignore-file[") {
        (true, r)
    } else {
        (false, rest.strip_prefix("ignore[")?)
    };
    let list_start = at + (text.len() - rest.len());
    let close = rest.find(']')?;
    let list = rest.get(..close)?;
    let mut rules = Vec::new();
    let mut pos = 0usize;
    for part in list.split(',') {
        let name = part.trim();
        let lead = part.len() - part.trim_start().len();
        if !name.is_empty() {
            let s = list_start + pos + lead;
            rules.push((name.to_owned(), TextRange::from_usize(s, s + name.len())));
        }
        pos += part.len() + 1;
    }
    Some(Suppression {
        file,
        used: vec![false; rules.len()],
        rules,
        scope: if whole_file {
            None
        } else {
            Some(TextRange::empty(0))
        },
        service: None,
    })
}

fn covers(s: &Suppression, d: &Diagnostic) -> bool {
    let primary_here = d.primary().is_some_and(|l| {
        l.file == s.file && s.scope.is_none_or(|scope| scope.contains(l.range.start))
    });
    let service_here = match (&s.scope, &s.service, &d.service) {
        (Some(_), Some(service), Some(of)) => service == of,
        // ignore-file in master.cf covers every finding about a service.
        (None, _, Some(_)) => s.file == MASTER_CF,
        _ => false,
    };
    primary_here || service_here
}

/// Drops suppressed diagnostics and reports unused or unknown suppressions.
pub fn apply(files: &[ReportFile], config: &Config, diagnostics: &mut Vec<Diagnostic>) {
    let mut suppressions: Vec<Suppression> = files
        .iter()
        .filter(|f| f.id == MAIN_CF || f.id == MASTER_CF)
        // Most files have no suppression at all: one fast scan decides.
        .filter(|f| memchr::memmem::find(&f.text, b"postlint:").is_some())
        .flat_map(|f| parse(f, config))
        .collect();
    if suppressions.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        if UNSUPPRESSIBLE.contains(&d.rule.as_str()) {
            return true;
        }
        let mut silenced = false;
        for s in &mut suppressions {
            if !covers(s, d) {
                continue;
            }
            for (i, (rule, _)) in s.rules.iter().enumerate() {
                if *rule == d.rule || *rule == d.code {
                    silenced = true;
                    if let Some(u) = s.used.get_mut(i) {
                        *u = true;
                    }
                }
            }
        }
        !silenced
    });
    for s in &suppressions {
        for ((rule, range), used) in s.rules.iter().zip(&s.used) {
            if *used {
                continue;
            }
            let message = if crate::registry::find_rule(rule).is_some() {
                format!("`{rule}` is suppressed here but reports nothing")
            } else {
                format!("`{rule}` in a suppression names no rule")
            };
            diagnostics.push(
                Diagnostic::new(META.name, META.code, META.severity, message, s.file, *range)
                    .with_help("remove it, or correct the rule name (`postlint rule` lists them)")
                    .with_url(META.url),
            );
        }
    }
}
