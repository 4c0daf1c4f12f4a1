//! `unknown-parameter`: a setting Postfix ignores because no parameter has that name.

use postlint_diagnostics::Diagnostic;
use postlint_params::Status;
use postlint_postconf::used::FindingKind;

use super::{Context, WARNING, diagnostic};
use crate::registry::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    name: "unknown-parameter",
    code: "PL002",
    severity: WARNING,
    summary: "a name that is not a parameter of the target Postfix release",
    url: "https://www.postfix.org/postconf.5.html",
    docs: "## What it does\n\
Reports `name = value` in main.cf and `-o name=value` in master.cf when `name` is not a \
parameter of the target Postfix release and postconf's rules do not make it valid either \
(service-derived names such as `relay_destination_recipient_limit`, restriction classes, \
names referenced with `$`, database-client names). It suggests the nearest real name, and \
says when the name exists in another release.\n\n\
## Why it matters\n\
Postfix ignores such settings (`postconf` calls them \"unused\"). A misspelt \
`smtpd_tls_security_levle = encrypt` leaves TLS optional while the file says otherwise.\n\n\
## Example\n\
```\nsmtpd_tls_security_levle = encrypt\n```\n\n\
## Fix\n\
Correct the name, remove the line, or target the Postfix release that has the parameter \
(`--postfix-version`).\n\n\
## References\n\
- postconf(5): https://www.postfix.org/postconf.5.html\n",
};

/// The built-in parameter nearest to `name`, if it is close enough to be a likely typo.
pub fn nearest(name: &str, version: postlint_syntax::PostfixVersion) -> Option<&'static str> {
    // No parameter name is longer than this; and names whose lengths differ by more than the
    // largest accepted distance cannot be close, which keeps hostile input linear.
    const LONGEST: usize = 64;
    if name.len() > LONGEST || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    postlint_params::all()
        .iter()
        .filter(|p| p.is_builtin(version) && p.name.len().abs_diff(name.len()) <= 3)
        .map(|p| (strsim::damerau_levenshtein(name, p.name), p.name))
        .filter(|&(distance, candidate)| {
            distance > 0 && distance <= (candidate.len().max(name.len()) / 10).clamp(1, 3)
        })
        .min()
        .map(|(_, candidate)| candidate)
}

/// Reports postconf's unused parameters.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // Suggestions cost a comparison with every parameter name; a generated or hostile file
    // with a million unknown names gets them for the first few only.
    const MAX_SUGGESTIONS: usize = 1000;
    let mut suggested = 0usize;
    let version = ctx.config.version;
    for f in ctx
        .usage
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Unused)
    {
        let mut help = None;
        let message = match postlint_params::status(&f.name, version) {
            Status::IntroducedLater(since) => format!(
                "`{}` is not a parameter of Postfix {version}: it was introduced in {since}",
                f.name
            ),
            Status::Removed { since, replacement } => {
                help = replacement.map(|r| format!("use `{r}` instead"));
                format!("`{}` was removed in Postfix {since}", f.name)
            }
            Status::Documented => format!(
                "`{}` only applies with a matching master.cf service or a `$` reference, and here it has neither",
                f.name
            ),
            _ => {
                if suggested < MAX_SUGGESTIONS {
                    suggested += 1;
                    help = nearest(&f.name, version).map(|n| format!("did you mean `{n}`?"));
                }
                format!("unknown parameter `{}`", f.name)
            }
        };
        let mut d = diagnostic(&META, message, f.file, f.range)
            .with_primary_message("Postfix ignores this setting");
        d.help = Some(help.unwrap_or_else(|| {
            "remove it, or correct the name; Postfix ignores settings it does not know".to_owned()
        }));
        if let Some(service) = &f.service {
            d = d.with_service(service.clone());
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postlint_syntax::PostfixVersion;

    #[test]
    fn nearest_ignores_names_no_parameter_could_have() {
        assert_eq!(
            nearest("myhostnam", PostfixVersion::V3_7),
            Some("myhostname")
        );
        assert_eq!(nearest("myhostnam\u{e9}", PostfixVersion::V3_7), None);
        assert_eq!(nearest("my-hostname", PostfixVersion::V3_7), None);
    }

    #[test]
    fn nearest_finds_typos_but_not_strangers() {
        assert_eq!(
            nearest("smtpd_tls_security_levle", PostfixVersion::V3_7),
            Some("smtpd_tls_security_level")
        );
        assert_eq!(
            nearest("myhostnme", PostfixVersion::V3_7),
            Some("myhostname")
        );
        assert_eq!(
            nearest("mua_client_restrictions", PostfixVersion::V3_7),
            None
        );
    }
}
