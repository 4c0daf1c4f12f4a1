//! `postlint.toml`: per-project settings, looked up from the configuration directory upwards.
//!
//! ```toml
//! packs = ["baseline", "strict"]       # built-in policy packs (default: ["baseline"])
//! policies = ["policies/site.toml"]    # extra policy files, relative to this file
//! postfix-version = "3.7"              # target release (default: the newest stable)
//! select = ["open-relay", "PL101"]     # report only these rules (names or codes)
//! ignore = ["banner-discloses-software"]
//! fail-on = "warning"                  # exit status 1 from this severity up (default: error)
//!
//! [severity]                           # per-rule severity overrides
//! mx-tls-required = "error"
//! ```
//!
//! Problems are `config-error` diagnostics pointing into the file; the CLI exits with status 2
//! on them, like on a broken policy file.

use std::ops::Range;
use std::path::{Path, PathBuf};

use postlint_diagnostics::{Diagnostic, FileId, Severity, TextRange};
use postlint_syntax::PostfixVersion;
use serde::Deserialize;
use toml::Spanned;

use crate::check::{Pack, PolicyFile, Settings};

/// The file name looked up.
pub const FILE_NAME: &str = "postlint.toml";
/// Rule name of configuration-file problems.
pub const CONFIG_ERROR_RULE: &str = "config-error";
/// Code of configuration-file problems.
pub const CONFIG_ERROR_CODE: &str = "PL901";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    packs: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    policies: Vec<Spanned<String>>,
    #[serde(default)]
    postfix_version: Option<Spanned<String>>,
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    severity: std::collections::BTreeMap<String, Spanned<String>>,
}

/// A parsed `postlint.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectConfig {
    /// Packs to run; `None` keeps the default.
    pub packs: Option<Vec<Pack>>,
    /// Policy file paths as written (relative to the file).
    pub policies: Vec<String>,
    /// Target release.
    pub version: Option<PostfixVersion>,
    /// Rules to report.
    pub select: Vec<String>,
    /// Rules never to report.
    pub ignore: Vec<String>,
    /// Failure threshold.
    pub fail_on: Option<Severity>,
    /// Severity overrides.
    pub severities: Vec<(String, Severity)>,
}

/// A severity name.
pub fn parse_severity(name: &str) -> Option<Severity> {
    match name {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "info" => Some(Severity::Info),
        _ => None,
    }
}

fn error(file: FileId, span: Range<usize>, message: String) -> Diagnostic {
    Diagnostic::new(
        CONFIG_ERROR_RULE,
        CONFIG_ERROR_CODE,
        Severity::Error,
        message,
        file,
        TextRange::from_usize(span.start, span.end),
    )
}

impl ProjectConfig {
    /// Parses `text`; problems point into `file`.
    pub fn parse(text: &str, file: FileId) -> Result<Self, Vec<Diagnostic>> {
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                return Err(vec![error(file, span, e.message().to_owned())]);
            }
        };
        let mut errors = Vec::new();
        let mut out = Self::default();
        if let Some(packs) = raw.packs {
            let mut list = Vec::new();
            for p in packs {
                match Pack::from_name(p.get_ref()) {
                    Some(pack) => list.push(pack),
                    None => errors.push(
                        error(file, p.span(), format!("unknown pack `{}`", p.get_ref()))
                            .with_help("the packs are `baseline` and `strict`"),
                    ),
                }
            }
            out.packs = Some(list);
        }
        out.policies = raw.policies.into_iter().map(Spanned::into_inner).collect();
        if let Some(v) = raw.postfix_version {
            match v.get_ref().parse::<PostfixVersion>() {
                Ok(version) => out.version = Some(version),
                Err(_) => errors.push(error(
                    file,
                    v.span(),
                    format!("unknown Postfix version `{}`", v.get_ref()),
                )),
            }
        }
        out.select = raw.select;
        out.ignore = raw.ignore;
        if let Some(f) = raw.fail_on {
            match parse_severity(f.get_ref()) {
                Some(s) => out.fail_on = Some(s),
                None => errors.push(error(
                    file,
                    f.span(),
                    format!(
                        "unknown severity `{}`, expected `error`, `warning` or `info`",
                        f.get_ref()
                    ),
                )),
            }
        }
        for (rule, sev) in raw.severity {
            match parse_severity(sev.get_ref()) {
                Some(s) => out.severities.push((rule, s)),
                None => errors.push(error(
                    file,
                    sev.span(),
                    format!(
                        "unknown severity `{}`, expected `error`, `warning` or `info`",
                        sev.get_ref()
                    ),
                )),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// Applies the file to `settings`, reading its policy files relative to `base`.
    pub fn apply(&self, settings: &mut Settings, base: &Path) -> Result<(), String> {
        if let Some(packs) = &self.packs {
            settings.packs.clone_from(packs);
        }
        if let Some(v) = self.version {
            settings.version = v;
        }
        for p in &self.policies {
            let path = base.join(p);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read policy file {}: {e}", path.display()))?;
            settings.policies.push(PolicyFile {
                name: path.display().to_string(),
                text,
            });
        }
        settings.select.extend(self.select.iter().cloned());
        settings.ignore.extend(self.ignore.iter().cloned());
        settings.severities.extend(self.severities.iter().cloned());
        Ok(())
    }
}

/// The nearest `postlint.toml` in `dir` or one of its ancestors, relative to the working
/// directory when it lies below it (so output names it as the user would).
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let found = dir
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())?;
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| std::fs::canonicalize(cwd).ok())
        .and_then(|cwd| found.strip_prefix(cwd).ok().map(Path::to_path_buf));
    Some(relative.unwrap_or(found))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::*;

    #[test]
    fn parses_every_key() {
        let c = ProjectConfig::parse(
            "packs = [\"baseline\", \"strict\"]\npostfix-version = \"3.7\"\nselect = [\"open-relay\"]\nignore = [\"PL111\"]\nfail-on = \"warning\"\n[severity]\nmx-tls-required = \"error\"\n",
            FileId(9),
        )
        .unwrap();
        assert_eq!(c.packs, Some(vec![Pack::Baseline, Pack::Strict]));
        assert_eq!(c.version, Some(PostfixVersion::V3_7));
        assert_eq!(c.fail_on, Some(Severity::Warning));
        assert_eq!(
            c.severities,
            vec![("mx-tls-required".to_owned(), Severity::Error)]
        );
        let mut s = Settings::default();
        c.apply(&mut s, Path::new(".")).unwrap();
        assert_eq!(s.packs.len(), 2);
        assert_eq!(s.ignore, vec!["PL111".to_owned()]);
    }

    #[test]
    fn errors_point_into_the_file() {
        let text = "packs = [\"baselin\"]\nfail-on = \"fatal\"\n";
        let errors = ProjectConfig::parse(text, FileId(3)).unwrap_err();
        assert_eq!(errors.len(), 2);
        let at = |d: &Diagnostic| {
            let l = d.primary().unwrap();
            assert_eq!(l.file, FileId(3));
            &text[l.range.to_usize()]
        };
        assert_eq!(at(&errors[0]), "\"baselin\"");
        assert_eq!(at(&errors[1]), "\"fatal\"");
        let errors = ProjectConfig::parse("colour = 1\n", FileId(0)).unwrap_err();
        assert!(
            errors[0].message.contains("unknown field `colour`"),
            "{}",
            errors[0].message
        );
    }
}
