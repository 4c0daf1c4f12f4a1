//! `undefined-reference`: a `$name` that nothing defines.

use postlint_diagnostics::Diagnostic;
use postlint_postconf::used::FindingKind;

use super::{Context, WARNING, diagnostic};
use crate::registry::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    name: "undefined-reference",
    code: "PL004",
    severity: WARNING,
    summary: "a `$name` reference to a parameter that nothing defines",
    url: "https://www.postfix.org/postconf.5.html",
    docs: "## What it does\n\
Reports `$name`, `${name}` and the other expansion forms when `name` is neither a Postfix \
parameter nor set in main.cf or the service's `-o` options.\n\n\
## Why it matters\n\
Postfix expands an undefined name to nothing, silently. \
`smtpd_recipient_restrictions = $mua_recipient_restrictions` with the helper parameter \
misspelt leaves the service with no restrictions at all.\n\n\
## Example\n\
```\nsmtpd_relay_restrictions = $mua_relay_restrictions\n# mua_relay_restrictions is never defined\n```\n\n\
## Fix\n\
Define the parameter, or correct the reference.\n\n\
## References\n\
- postconf(5), parameter expansion: https://www.postfix.org/postconf.5.html\n",
};

/// Reports postconf's undefined parameters at their first reference.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in ctx
        .usage
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Undefined)
    {
        let mut d = diagnostic(
            &META,
            format!("`${}` is not defined and expands to nothing", f.name),
            f.file,
            f.range,
        )
        .with_help(format!(
            "define `{}` in main.cf, or correct the name",
            f.name
        ));
        if let Some(service) = &f.service {
            d = d.with_service(service.clone());
        }
        out.push(d);
    }
}
