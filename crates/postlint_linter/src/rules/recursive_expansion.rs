//! `recursive-expansion`: a `$` cycle reached from a value.

use postlint_diagnostics::Diagnostic;

use super::{Context, ERROR};
use crate::registry::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    name: "recursive-expansion",
    code: "PL005",
    severity: ERROR,
    summary: "a `$` reference cycle (Postfix stops with `unreasonable macro call nesting`)",
    url: "https://www.postfix.org/postconf.5.html",
    docs: "## What it does\n\
Follows every `$name` reference from main.cf values and master.cf `-o` values and reports \
cycles (`a = $b`, `b = $a`; `a = $a more`) and chains deeper than Postfix's limit of 100, \
naming every parameter in the cycle.\n\n\
## Why it matters\n\
Postfix expands values when a program starts; a cycle makes it log `unreasonable macro call \
nesting` and exit, so the services that read the parameter do not run.\n\n\
## Example\n\
```\nmydestination = $myhostname, localhost\nmyhostname = mail.$mydestination\n```\n\n\
## Fix\n\
Break the cycle: give one of the parameters a literal value.\n\n\
## References\n\
- postconf(5), parameter expansion: https://www.postfix.org/postconf.5.html\n",
};

/// Reports the model's cycles.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    out.extend(ctx.model_findings(META.name).cloned());
}
