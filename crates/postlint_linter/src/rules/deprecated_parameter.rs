//! `deprecated-parameter`: a legacy parameter name, with its replacement.

use postlint_diagnostics::{Diagnostic, FileId, TextRange};
use postlint_postconf::{MAIN_CF, MASTER_CF};

use super::{Context, WARNING, diagnostic};
use crate::registry::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    name: "deprecated-parameter",
    code: "PL006",
    severity: WARNING,
    summary: "a deprecated or removed parameter, with the one to use instead",
    url: "https://www.postfix.org/DEPRECATION_README.html",
    docs: "## What it does\n\
Reports parameters that Postfix has deprecated or removed, such as `smtpd_use_tls`, \
`smtpd_enforce_tls`, `smtp_use_tls`, `smtp_enforce_tls` and `smtp_tls_per_site`, and names \
the replacement.\n\n\
## Why it matters\n\
Deprecated parameters interact with their replacements in ways few remember (a non-empty \
`smtpd_tls_security_level` silently overrides `smtpd_use_tls`); Postfix 3.9 and later warn \
about them, and removed ones are ignored.\n\n\
## Example\n\
```\nsmtpd_use_tls = yes\n```\n\n\
## Fix\n\
Use the replacement, e.g. `smtpd_tls_security_level = may`.\n\n\
## References\n\
- DEPRECATION_README: https://www.postfix.org/DEPRECATION_README.html\n",
};

fn report(
    out: &mut Vec<Diagnostic>,
    name: &str,
    file: FileId,
    range: TextRange,
    service: Option<String>,
) {
    let Some(dep) = postlint_params::deprecation(name) else {
        return;
    };
    let message = match (dep.removed_since, dep.deprecated_since) {
        (Some(since), _) => format!("`{name}` was removed in Postfix {since}"),
        (None, Some(since)) => format!("`{name}` is deprecated (Postfix {since} and later warn)"),
        (None, None) => format!("`{name}` is deprecated"),
    };
    let help = match dep.replacement {
        Some(r) => format!("use `{r}` instead"),
        None => format!("instead, {}", dep.advice),
    };
    let mut d = diagnostic(&META, message, file, range).with_help(help);
    if let Some(service) = service {
        d = d.with_service(service);
    }
    out.push(d);
}

/// Reports every main.cf and `-o` assignment of a deprecated name.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.config.main.parameters {
        report(out, &p.name_str(), MAIN_CF, p.name_range, None);
    }
    for s in &ctx.config.master.services {
        for ov in &s.overrides {
            report(out, &ov.name_str(), MASTER_CF, ov.name_range, Some(s.key()));
        }
    }
}
