//! `syntax-error`: anything Postfix refuses to parse.

use postlint_diagnostics::Diagnostic;

use super::{Context, ERROR};
use crate::registry::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    name: "syntax-error",
    code: "PL001",
    severity: ERROR,
    summary: "a line Postfix cannot parse",
    url: "https://www.postfix.org/postconf.5.html",
    docs: "## What it does\n\
Reports every line of main.cf or master.cf that Postfix cannot parse: a main.cf line without \
`=` or without a name, a master.cf entry without eight fields or with an invalid field, \
unbalanced `{ }` in master.cf arguments, malformed `$` expressions, and indented text with no \
entry above it.\n\n\
## Why it matters\n\
Most of these are fatal: every Postfix program refuses to start, and mail stops. postlint \
reports all of them at once, where Postfix stops at the first.\n\n\
## Example\n\
```\nsmtpd_recipient_restrictions = permit_mynetworks,\nreject_unauth_destination\n```\n\
The second line is not indented, so Postfix reads it as a new entry without `=`.\n\n\
## Fix\n\
Indent continuation lines, write `name = value`, give master.cf entries eight fields (`-` for \
a default).\n\n\
## References\n\
- postconf(5): https://www.postfix.org/postconf.5.html\n\
- master(5): https://www.postfix.org/master.5.html\n",
};

/// Copies the parser's diagnostics and the model's malformed `$` expressions.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    out.extend(ctx.config.main.diagnostics.iter().cloned());
    out.extend(ctx.config.master.diagnostics.iter().cloned());
    out.extend(ctx.model_findings(META.name).cloned());
}
