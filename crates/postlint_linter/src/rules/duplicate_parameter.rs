//! `duplicate-parameter`: the same name set twice in main.cf.

use postlint_diagnostics::{Diagnostic, Severity};
use postlint_postconf::MAIN_CF;

use super::{Context, WARNING, diagnostic};
use crate::registry::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    name: "duplicate-parameter",
    code: "PL003",
    severity: WARNING,
    summary: "a main.cf parameter defined more than once (the last definition wins)",
    url: "https://www.postfix.org/postconf.5.html",
    docs: "## What it does\n\
Reports a main.cf parameter that is defined again further down. Postfix uses the last \
definition and logs `overriding earlier entry` when the values differ.\n\n\
## Why it matters\n\
The earlier line looks authoritative but has no effect: a hardening setting near the top \
of the file is silently undone by a forgotten line further down.\n\n\
## Example\n\
```\nsmtpd_tls_security_level = encrypt\n# ... 300 lines later\nsmtpd_tls_security_level = may\n```\n\n\
## Fix\n\
Keep one definition.\n\n\
## References\n\
- postconf(5): https://www.postfix.org/postconf.5.html\n",
};

/// Reports each later definition, pointing back at the one it overrides.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // postconf's bookkeeping already read main.cf the way Postfix does, last definition
    // winning: it knows each entry that replaces an earlier one.
    let params = &ctx.config.main.parameters;
    // (An earlier index past the entries is the `config_directory` of `-c`, not a line.)
    for &(earlier, later) in &ctx.usage.redefinitions {
        let (Some(earlier), Some(p)) = (params.get(earlier), params.get(later)) else {
            continue;
        };
        let same = earlier.value() == p.value();
        let message = if same {
            format!("`{}` is defined again with the same value", p.name_str())
        } else {
            format!(
                "`{}` is defined again: `{}` overrides `{}`",
                p.name_str(),
                p.value_str(),
                earlier.value_str()
            )
        };
        let mut d = diagnostic(&META, message, MAIN_CF, p.name_range())
            .with_primary_message("this definition wins")
            .with_label(MAIN_CF, earlier.name_range(), "earlier definition, ignored")
            .with_help("keep a single definition of the parameter");
        if same {
            d.severity = Severity::Info;
        }
        out.push(d);
    }
}
