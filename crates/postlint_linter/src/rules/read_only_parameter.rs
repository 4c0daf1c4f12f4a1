//! `read-only-parameter`: an assignment to a parameter Postfix sets itself.

use postlint_diagnostics::Diagnostic;
use postlint_postconf::used::FindingKind;

use super::{Context, WARNING, diagnostic};
use crate::registry::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    name: "read-only-parameter",
    code: "PL007",
    severity: WARNING,
    summary: "an assignment to a read-only parameter, which Postfix ignores",
    url: "https://www.postfix.org/postconf.5.html#process_name",
    docs: "## What it does\n\
Reports assignments to parameters that Postfix sets itself (`process_id`, `process_name`, \
`service_name`).\n\n\
## Why it matters\n\
Postfix ignores the assignment (`postconf` warns `read-only parameter assignment`); whatever \
the line meant to achieve does not happen.\n\n\
## Example\n\
```\nsubmission inet n - n - - smtpd -o service_name=submission\n```\n\n\
## Fix\n\
Remove the assignment.\n\n\
## References\n\
- postconf(5): https://www.postfix.org/postconf.5.html\n",
};

/// Reports postconf's read-only assignments.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in ctx
        .usage
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::ReadOnly)
    {
        let mut d = diagnostic(
            &META,
            format!("`{}` is read-only; Postfix ignores this assignment", f.name),
            f.file,
            f.range,
        )
        .with_help("remove the assignment");
        if let Some(service) = &f.service {
            d = d.with_service(service.clone());
        }
        out.push(d);
    }
}
