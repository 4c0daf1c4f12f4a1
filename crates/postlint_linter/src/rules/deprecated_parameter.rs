//! `deprecated-parameter`: a legacy parameter name, with its replacement.

use postlint_diagnostics::{Diagnostic, Edit, FileId, Fix, TextRange};
use postlint_params::Deprecation;
use postlint_postconf::{Config, MAIN_CF, MASTER_CF};
use postlint_syntax::PostfixVersion;

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
Use the replacement, e.g. `smtpd_tls_security_level = may`. When the replacement is a pure \
rename (its built-in default is the old parameter's value, as with \
`postscreen_blacklist_action` and `postscreen_denylist_action`) and nothing else sets either \
name where it would matter, the fix renames the parameter.\n\n\
## References\n\
- DEPRECATION_README: https://www.postfix.org/DEPRECATION_README.html\n",
};

/// Whether `new` is a pure rename of `old` in `version`: a built-in whose default is `$old`, or
/// `${old?{$old}:{fallback}}` (the old value when set, else the old default).
fn is_rename(old: &str, new: &str, version: PostfixVersion) -> bool {
    let Some(default) = postlint_params::default_value(new, version) else {
        return false;
    };
    if default == format!("${old}") {
        return true;
    }
    default
        .strip_prefix(&format!("${{{old}?{{${old}}}:{{"))
        .and_then(|rest| rest.strip_suffix("}}"))
        .is_some_and(|fallback| !fallback.contains(['{', '}']))
}

/// Where a rename is safe: the fix for `name` at `range`, or `None`.
///
/// Renaming changes nothing only when the old name is set once in its scope and nothing else
/// sets the new one there. In main.cf, a service's `-o old=` would otherwise stop feeding the
/// new name's default; for a `-o`, main.cf's setting of the new name would otherwise be
/// overridden.
fn rename_fix(
    config: &Config,
    dep: &Deprecation,
    file: FileId,
    range: TextRange,
    service: Option<usize>,
) -> Option<Fix> {
    let name = dep.name;
    let replacement = dep.replacement?;
    if !is_rename(name, replacement, config.version) || range.len() as usize != name.len() {
        return None;
    }
    let main_sets = |n: &str| {
        config
            .main
            .parameters
            .iter()
            .filter(|p| p.name() == n.as_bytes())
            .count()
    };
    let overrides = |s: &postlint_syntax::Service, n: &str| {
        s.overrides
            .iter()
            .filter(|o| o.name == n.as_bytes())
            .count()
    };
    let safe = match service {
        None => {
            main_sets(name) == 1
                && main_sets(replacement) == 0
                && config
                    .master
                    .services
                    .iter()
                    .all(|s| overrides(s, name) == 0)
        }
        Some(index) => {
            let s = config.master.services.get(index)?;
            overrides(s, name) == 1 && overrides(s, replacement) == 0 && main_sets(replacement) == 0
        }
    };
    safe.then(|| Fix {
        title: format!("rename `{name}` to `{replacement}`"),
        edits: vec![Edit {
            file,
            range,
            replacement: replacement.to_owned(),
        }],
    })
}

fn report(
    out: &mut Vec<Diagnostic>,
    dep: &Deprecation,
    file: FileId,
    range: TextRange,
    service: Option<String>,
    fix: Option<Fix>,
) {
    let name = dep.name;
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
    d.fix = fix;
    out.push(d);
}

/// The deprecation record of a parameter name given as bytes (deprecated names are ASCII, so a
/// name that is not UTF-8 has none, and no lossy copy is made).
fn deprecation(name: &[u8]) -> Option<&'static Deprecation> {
    std::str::from_utf8(name)
        .ok()
        .and_then(postlint_params::deprecation)
}

/// Reports every main.cf and `-o` assignment of a deprecated name.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let config = ctx.config;
    // One lookup per name; most names are not deprecated.
    for p in &config.main.parameters {
        let Some(dep) = deprecation(p.name()) else {
            continue;
        };
        let fix = rename_fix(config, dep, MAIN_CF, p.name_range(), None);
        report(out, dep, MAIN_CF, p.name_range(), None, fix);
    }
    for (index, s) in config.master.services.iter().enumerate() {
        for ov in &s.overrides {
            let Some(dep) = deprecation(&ov.name) else {
                continue;
            };
            let fix = rename_fix(config, dep, MASTER_CF, ov.name_range, Some(index));
            report(out, dep, MASTER_CF, ov.name_range, Some(s.key()), fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixes(main: &str, master: &str) -> Vec<Option<Fix>> {
        let config = Config::parse(
            main.as_bytes(),
            master.as_bytes(),
            None,
            PostfixVersion::V3_11,
        );
        let model = config.model();
        let usage = postlint_postconf::used::usage(&config);
        let ctx = Context::from_parts(&config, usage, model.diagnostics());
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out.into_iter().map(|d| d.fix).collect()
    }

    #[test]
    fn pure_renames_are_recognised_from_the_new_default() {
        let v = PostfixVersion::V3_11;
        assert!(is_rename(
            "postscreen_blacklist_action",
            "postscreen_denylist_action",
            v
        ));
        assert!(is_rename("fallback_relay", "smtp_fallback_relay", v));
        // Not renames: different values, or the old value is reused with a unit appended.
        assert!(!is_rename("smtpd_use_tls", "smtpd_tls_security_level", v));
        assert!(!is_rename(
            "postscreen_dnsbl_ttl",
            "postscreen_dnsbl_max_ttl",
            v
        ));
    }

    #[test]
    fn a_lone_renamed_parameter_gets_a_rename_fix() {
        let found = fixes("postscreen_blacklist_action = drop\n", "");
        let fix = found.first().cloned().flatten().expect("a fix");
        assert_eq!(
            fix.title,
            "rename `postscreen_blacklist_action` to `postscreen_denylist_action`"
        );
        assert_eq!(fix.edits.len(), 1);
        assert_eq!(fix.edits[0].range, TextRange::new(0, 27));
        assert_eq!(fix.edits[0].replacement, "postscreen_denylist_action");
    }

    #[test]
    fn no_fix_where_a_rename_would_change_the_configuration() {
        // Not a rename.
        assert_eq!(fixes("smtpd_use_tls = yes\n", ""), vec![None]);
        // The new name is set too: renaming would make a duplicate.
        let both = "postscreen_blacklist_action = drop\npostscreen_denylist_action = ignore\n";
        assert_eq!(fixes(both, ""), vec![None]);
        // A service overrides the old name, which feeds the new name's default there: main.cf
        // keeps the old name, while the `-o` alone can be renamed.
        let master = "smtpd pass - - n - - smtpd\n  -o postscreen_blacklist_action=enforce\n";
        let found = fixes("postscreen_blacklist_action = drop\n", master);
        assert_eq!(found.len(), 2);
        assert!(found[0].is_none());
        assert!(found[1].is_some());
        // A `-o` of the old name while main.cf sets the new one.
        assert_eq!(
            fixes("postscreen_denylist_action = drop\n", master),
            vec![None]
        );
        // A lone `-o` is renamed.
        assert!(fixes("", master).first().cloned().flatten().is_some());
    }
}
