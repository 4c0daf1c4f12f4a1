//! Hover: what a parameter means, its type, default, history and effective value; what a
//! `$name` expands to.

use std::fmt::Write as _;

use postlint_model::{EffectiveValue, Origin, Scope};
use postlint_params::{ParamType, Status};
use postlint_postconf::{MAIN_CF, MASTER_CF};
use postlint_syntax::PostfixVersion;

use crate::analysis::Analysis;
use crate::describe;
use crate::locate::Target;

/// Longest value shown in a hover before it is cut.
const MAX_VALUE_CHARS: usize = 400;

/// The Markdown hover for `target`.
pub fn markdown(analysis: &Analysis, target: &Target) -> String {
    match target {
        Target::Name { name, scope, .. } => parameter(analysis, name, *scope),
        Target::Reference { name, scope, .. } => reference(analysis, name, *scope),
    }
}

fn type_name(ty: ParamType) -> &'static str {
    match ty {
        ParamType::Bool | ParamType::NBool => "boolean (`yes` or `no`)",
        ParamType::Int | ParamType::NInt => "integer",
        ParamType::Long => "size in bytes",
        ParamType::Time => "time (a number with unit `s`, `m`, `h`, `d` or `w`)",
        ParamType::Str => "text or list",
        ParamType::Raw => "text, not `$`-expanded when read",
        ParamType::StrFn => "text (default computed at run time)",
        ParamType::Unknown => "not recorded",
    }
}

/// A value in backticks, cut when long; empty shown as such.
fn code(value: &str) -> String {
    if value.is_empty() {
        return "(empty)".to_owned();
    }
    let mut shown: String = value.chars().take(MAX_VALUE_CHARS).collect();
    if shown.len() < value.len() {
        shown.push('…');
    }
    // A backtick inside the value needs a longer fence.
    if shown.contains('`') {
        format!("`` {shown} ``")
    } else {
        format!("`{shown}`")
    }
}

/// Where a value comes from, in words.
fn origin(analysis: &Analysis, origin: &Origin) -> String {
    let line = |file, offset| {
        analysis
            .lines(file)
            .map_or(0, |l| l.index.line_col(offset).line + 1)
    };
    match origin {
        Origin::Default { version } => format!("built-in default of Postfix {version}"),
        Origin::CompatDefault { level } => {
            format!("built-in default at `compatibility_level = {level}`")
        }
        Origin::MainCf { name_range, .. } => {
            format!("main.cf line {}", line(MAIN_CF, name_range.start))
        }
        Origin::MasterCf {
            service,
            name_range,
            ..
        } => {
            let key = analysis
                .report
                .config
                .master
                .services
                .get(*service)
                .map(postlint_syntax::Service::key)
                .unwrap_or_default();
            format!(
                "`-o` of `{key}`, master.cf line {}",
                line(MASTER_CF, name_range.start)
            )
        }
        Origin::ReadOnly => "set by Postfix itself".to_owned(),
        Origin::Host => "a fact about the host".to_owned(),
        Origin::Undefined => "nothing defines it".to_owned(),
    }
}

fn scope_name(analysis: &Analysis, scope: Scope) -> String {
    match scope {
        Scope::Global => "main.cf".to_owned(),
        Scope::Service(index) => analysis
            .report
            .config
            .master
            .services
            .get(index)
            .map_or_else(|| "this service".to_owned(), |s| format!("`{}`", s.key())),
    }
}

fn effective(analysis: &Analysis, name: &str, scope: Scope) -> Option<EffectiveValue> {
    let model = analysis.model();
    let view = match scope {
        Scope::Global => model.global(),
        Scope::Service(index) => model.service(index)?,
    };
    view.value(name)
}

fn parameter(analysis: &Analysis, name: &str, scope: Scope) -> String {
    let version = analysis.report.config.version;
    let info = postlint_params::lookup(name);
    let mut out = format!("**`{name}`**");
    if let Some(meaning) = describe::meaning(name) {
        let _ = write!(out, " — {meaning}");
    }
    out.push_str("\n\n");
    let _ = writeln!(
        out,
        "- type: {}",
        info.map_or("not a Postfix parameter", |i| type_name(i.ty))
    );
    let _ = writeln!(out, "- {}", default_line(name, version, info));
    if let Some(info) = info {
        let _ = match info.introduced {
            Some(since) if info.introduced_inferred => {
                writeln!(
                    out,
                    "- introduced in Postfix {since} (inferred from its twin)"
                )
            }
            Some(since) => writeln!(out, "- introduced in Postfix {since}"),
            None => writeln!(
                out,
                "- introduced before Postfix 2.0 (release not recorded)"
            ),
        };
    }
    if let Some(line) = status_line(name, version) {
        let _ = writeln!(out, "- {line}");
    }
    if let Some(value) = effective(analysis, name, scope) {
        let _ = writeln!(
            out,
            "- effective value in {}: {} — from {}",
            scope_name(analysis, scope),
            code(&value.raw),
            origin(analysis, &value.origin)
        );
        if value.expanded != value.raw {
            let _ = writeln!(out, "- expands to {}", code(&value.expanded));
        }
    }
    if info.is_some() {
        let _ = write!(out, "\n[postconf(5)]({})", describe::manual_url(name));
    }
    out
}

fn default_line(
    name: &str,
    version: PostfixVersion,
    info: Option<&postlint_params::ParamInfo>,
) -> String {
    match (postlint_params::default_value(name, version), info) {
        (Some(default), _) => format!("default in Postfix {version}: {}", code(default)),
        (None, Some(info)) if info.host_dependent => {
            format!("default in Postfix {version}: depends on the host")
        }
        (None, Some(info)) if info.is_documented_only(version) => format!(
            "default: {}",
            info.default_newest
                .map_or_else(|| "not recorded".to_owned(), code)
        ),
        _ => format!("no built-in default in Postfix {version}"),
    }
}

fn status_line(name: &str, version: PostfixVersion) -> Option<String> {
    let instead = |r: Option<&str>| {
        r.map(|r| format!("; use `{r}` instead"))
            .unwrap_or_default()
    };
    match postlint_params::status(name, version) {
        Status::Known | Status::Documented => {
            // Deprecated in a later release than the target: worth knowing before upgrading.
            let d = postlint_params::deprecation(name)?;
            let since = d.deprecated_since.or(d.removed_since)?;
            Some(format!(
                "**deprecated** from Postfix {since}{}",
                instead(d.replacement)
            ))
        }
        Status::Deprecated {
            since, replacement, ..
        } => Some(format!(
            "**deprecated** since Postfix {since}{}",
            instead(replacement)
        )),
        Status::Removed { since, replacement } => Some(format!(
            "**removed** in Postfix {since}{}",
            instead(replacement)
        )),
        Status::IntroducedLater(since) => {
            Some(format!("not in Postfix {version}: introduced in {since}"))
        }
        Status::Unknown => Some(format!("not a parameter of Postfix {version}")),
    }
}

fn reference(analysis: &Analysis, name: &str, scope: Scope) -> String {
    let mut out = format!("**`${name}`**");
    if let Some(meaning) = describe::meaning(name) {
        let _ = write!(out, " — {meaning}");
    }
    out.push_str("\n\n");
    match effective(analysis, name, scope) {
        Some(value) => {
            let _ = writeln!(
                out,
                "- expands to {} in {}",
                code(&value.expanded),
                scope_name(analysis, scope)
            );
            if value.expanded != value.raw {
                let _ = writeln!(out, "- value {}", code(&value.raw));
            }
            let _ = writeln!(out, "- from {}", origin(analysis, &value.origin));
            if let Some(error) = &value.error {
                let _ = writeln!(out, "- expansion fails: {}", error.message());
            }
        }
        None => {
            let _ = writeln!(out, "- undefined: expands to nothing");
        }
    }
    out
}
