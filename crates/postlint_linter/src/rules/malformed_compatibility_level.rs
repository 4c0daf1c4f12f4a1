//! `malformed-compatibility-level`: a `compatibility_level` Postfix cannot read.

use postlint_diagnostics::Diagnostic;

use super::{Context, ERROR};
use crate::registry::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    name: "malformed-compatibility-level",
    code: "PL008",
    severity: ERROR,
    summary: "a `compatibility_level` that is not `major[.minor[.patch]]`",
    url: "https://www.postfix.org/COMPATIBILITY_README.html",
    docs: "## What it does\n\
Reports a `compatibility_level` that is not of the form `major[.minor[.patch]]` \
(e.g. `3.6`, `3.11`, `2`).\n\n\
## Why it matters\n\
Every Postfix program refuses to start with `malformed compatibility level syntax`. The level \
also decides many defaults (relay restrictions, `mynetworks_style`, outbound TLS), so postlint \
cannot tell what the services run with either.\n\n\
## Example\n\
```\ncompatibility_level = three\n```\n\n\
## Fix\n\
Write the release whose defaults you want, e.g. `compatibility_level = 3.6`.\n\n\
## References\n\
- COMPATIBILITY_README: https://www.postfix.org/COMPATIBILITY_README.html\n",
};

/// Reports the model's finding.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    out.extend(ctx.model_findings(META.name).cloned());
}
