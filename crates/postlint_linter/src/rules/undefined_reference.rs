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

/// Reports postconf's undefined parameters at their first reference. (postconf warns at every
/// reference; one diagnostic a name says it once, at the reference the bookkeeping met first.)
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut reported: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for f in ctx
        .usage
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Undefined)
    {
        if !reported.insert(f.name.as_str()) {
            continue;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use postlint_postconf::{Config, MAIN_CF, MASTER_CF};
    use postlint_syntax::PostfixVersion;

    fn found(main: &str, master: &str) -> Vec<(postlint_diagnostics::FileId, String)> {
        let config = Config::parse(
            main.as_bytes(),
            master.as_bytes(),
            None,
            PostfixVersion::V3_11,
        );
        let usage = postlint_postconf::used::usage(&config);
        let ctx = Context::from_parts(&config, usage, Vec::new());
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out.iter()
            .filter_map(|d| d.primary().map(|l| (l.file, d.message.clone())))
            .collect()
    }

    #[test]
    fn one_diagnostic_a_name_at_its_first_reference() {
        let message = |name: &str| format!("`${name}` is not defined and expands to nothing");
        // postconf warns at every reference; the rule says it once a name.
        assert_eq!(
            found("a = $u $u\nb = ${u:$v}\n", ""),
            [(MAIN_CF, message("u")), (MAIN_CF, message("v"))]
        );
        // Referenced from both files: master.cf's reference is the first met.
        assert_eq!(
            found(
                "y = $u\n",
                "smtp inet n - n - - smtpd\n  -o x=$u\n  -o smtpd_helo_restrictions=$u\n"
            ),
            [(MASTER_CF, message("u"))]
        );
    }
}
