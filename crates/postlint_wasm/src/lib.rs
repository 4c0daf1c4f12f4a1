//! postlint in the browser. The page hands over the text of `main.cf` and `master.cf` plus its
//! selector settings as JSON and gets JSON back: the same JSON contract as
//! `postlint check --format json` (with UTF-16 offsets for JavaScript editors), the rule
//! documentation, and the effective configuration of a service.
//!
//! Everything here is plain Rust over [`postlint_linter::check()`], so it is tested natively;
//! the `wasm-bindgen` exports in `bindings` (wasm32 only) just pass strings through.

use postlint_diagnostics::Severity;
use postlint_linter::{Input, Pack, Report, RuleSource, Settings, SourceFile, check};
use postlint_report::effective::{self, Names};
use postlint_report::json;
use postlint_syntax::PostfixVersion;
use serde::{Deserialize, Serialize};

#[cfg(target_arch = "wasm32")]
pub mod bindings;

/// The page's settings, as JSON: `{"packs": ["baseline", "strict"], "version": "3.11"}`.
/// A missing field takes the CLI's default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Built-in policy packs to run (`baseline`, `strict`).
    #[serde(default)]
    pub packs: Option<Vec<String>>,
    /// Target Postfix release, e.g. `3.11`.
    #[serde(default)]
    pub version: Option<String>,
}

impl Options {
    /// Parses the JSON form; an empty string means every default.
    pub fn from_json(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_json::from_str(text).map_err(|e| format!("invalid options: {e}"))
    }

    /// The check settings these options stand for.
    pub fn settings(&self) -> Result<Settings, String> {
        let mut settings = Settings::default();
        if let Some(version) = &self.version {
            settings.version = version.parse().map_err(|e| format!("{e}"))?;
        }
        if let Some(packs) = &self.packs {
            settings.packs = packs
                .iter()
                .map(|name| {
                    Pack::from_name(name).ok_or_else(|| format!("unknown policy pack `{name}`"))
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(settings)
    }
}

/// Checks the two files with `options` (see [`Options`]).
pub fn report(main: &str, master: &str, options: &Options) -> Result<Report, String> {
    let input = Input {
        main: Some(SourceFile::new("main.cf", main.as_bytes().to_vec())),
        master: Some(SourceFile::new("master.cf", master.as_bytes().to_vec())),
        config_directory: None,
    };
    Ok(check(&input, &options.settings()?))
}

/// The JSON contract for the two files, with `utf16_start`/`utf16_end` offsets.
pub fn lint_json(main: &str, master: &str, options: &str) -> Result<String, String> {
    let report = report(main, master, &Options::from_json(options)?)?;
    Ok(json::to_string(
        &[&report],
        json::Options {
            utf16_offsets: true,
        },
    ))
}

/// The `name/type` keys of master.cf's services, as a JSON array.
pub fn services_json(main: &str, master: &str, options: &str) -> Result<String, String> {
    let report = report(main, master, &Options::from_json(options)?)?;
    to_json(&effective::service_keys(&report.config))
}

/// The effective configuration of `service` (`name/type`; empty for main.cf alone) as JSON
/// (see [`effective::Effective`]); with `all`, every parameter, else those the files set.
pub fn effective_json(
    main: &str,
    master: &str,
    options: &str,
    service: &str,
    all: bool,
) -> Result<String, String> {
    let report = report(main, master, &Options::from_json(options)?)?;
    let key = (!service.is_empty()).then_some(service);
    let names = if all { Names::All } else { Names::Explicit };
    let view = effective::effective(&report, key, names)
        .ok_or_else(|| format!("master.cf has no service `{service}`"))?;
    to_json(&view)
}

/// Documentation of one rule, built in or from a policy pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleDoc {
    /// Kebab-case name.
    pub name: String,
    /// Short code.
    pub code: String,
    /// Default severity.
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: String,
    /// Markdown documentation.
    pub docs: String,
    /// Reference links.
    pub references: Vec<String>,
    /// The pack it comes from; null for built-in rules.
    pub pack: Option<&'static str>,
}

/// Every rule's documentation, from the registry the CLI's `postlint rule` uses.
pub fn rules() -> Vec<RuleDoc> {
    postlint_linter::all_rules()
        .iter()
        .map(|r| RuleDoc {
            name: r.name.clone(),
            code: r.code.clone(),
            severity: r.severity,
            summary: r.summary.clone(),
            docs: r.docs.clone(),
            references: r.references.clone(),
            pack: match r.source {
                RuleSource::Builtin => None,
                RuleSource::Pack(pack) => Some(pack.name()),
            },
        })
        .collect()
}

/// [`rules`] as JSON.
pub fn rules_json() -> Result<String, String> {
    to_json(&rules())
}

/// What the page's selectors offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choices {
    /// Postfix releases postlint models, oldest first.
    pub versions: Vec<String>,
    /// The release checked when none is chosen.
    pub default_version: String,
    /// Built-in policy packs.
    pub packs: Vec<&'static str>,
    /// The packs enabled by default.
    pub default_packs: Vec<&'static str>,
}

/// The selectors' choices, from the same constants the CLI uses.
pub fn choices() -> Choices {
    let (oldest, newest) = (PostfixVersion::OLDEST, PostfixVersion::NEWEST);
    let versions = (oldest.minor..=newest.minor)
        .map(|minor| PostfixVersion::new(oldest.major, minor).to_string())
        .collect();
    Choices {
        versions,
        default_version: Settings::default().version.to_string(),
        packs: Pack::ALL.into_iter().map(Pack::name).collect(),
        default_packs: Settings::default()
            .packs
            .into_iter()
            .map(Pack::name)
            .collect(),
    }
}

/// [`choices`] as JSON.
pub fn choices_json() -> Result<String, String> {
    to_json(&choices())
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}
