//! The one check function every front end calls: the CLI, the WebAssembly page and the
//! language server hand it the bytes of `main.cf` and `master.cf` plus [`Settings`], and get a
//! [`Report`] back. It is pure: no file system, environment or clock.

use std::sync::Arc;

use postlint_diagnostics::{Diagnostic, FileId, LineIndex, Severity};
use postlint_postconf::{Config, MAIN_CF, MASTER_CF};
use postlint_syntax::{Bytes, PostfixVersion};

/// One input file: a display name (a path, or `main.cf` in the browser) and its bytes.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// How the file is named in output.
    pub name: String,
    /// Its bytes, any encoding: Postfix reads bytes, and so does postlint. Shared, not
    /// copied: the parsed entries point into this buffer.
    pub text: Bytes,
}

impl SourceFile {
    /// A file named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<Bytes>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// The two files of one Postfix configuration. A missing file is linted as empty, as Postfix
/// treats it (no main.cf: every parameter at its default; no master.cf: no services).
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// `main.cf`, if there is one.
    pub main: Option<SourceFile>,
    /// `master.cf`, if there is one.
    pub master: Option<SourceFile>,
    /// The configuration directory as the user named it (reported as `config_directory`).
    pub config_directory: Option<String>,
}

/// A built-in policy pack shipped in `rules/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pack {
    /// `rules/baseline.toml`: correctness and safety, on by default.
    Baseline,
    /// `rules/strict.toml`: RFC 8314 / RFC 8997 hardening, DANE, TLS logging.
    Strict,
}

impl Pack {
    /// Every pack.
    pub const ALL: [Self; 2] = [Self::Baseline, Self::Strict];

    /// The pack's name, as `--pack` and `postlint.toml` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Strict => "strict",
        }
    }

    /// The pack named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The pack's file name, as diagnostics pointing into it show.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Baseline => "rules/baseline.toml",
            Self::Strict => "rules/strict.toml",
        }
    }

    /// The pack's TOML text, compiled into the binary.
    pub fn text(self) -> &'static str {
        match self {
            Self::Baseline => include_str!("../../../rules/baseline.toml"),
            Self::Strict => include_str!("../../../rules/strict.toml"),
        }
    }
}

/// A user's policy file (`--policy FILE`, or `policies` in `postlint.toml`).
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// How the file is named in output.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// How to check: what the user configured on the command line, in `postlint.toml`, in the
/// page's selectors or the editor's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The Postfix release whose parameters and defaults apply.
    pub version: PostfixVersion,
    /// Built-in packs to run, besides the built-in rules that always run.
    pub packs: Vec<Pack>,
    /// User policy files.
    pub policies: Vec<PolicyFile>,
    /// When non-empty, only these rules (names or codes) report.
    pub select: Vec<String>,
    /// These rules (names or codes) never report.
    pub ignore: Vec<String>,
    /// Per-rule severity overrides (name or code, severity).
    pub severities: Vec<(String, Severity)>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: PostfixVersion::default(),
            packs: vec![Pack::Baseline],
            policies: Vec::new(),
            select: Vec::new(),
            ignore: Vec::new(),
            severities: Vec::new(),
        }
    }
}

/// What kind of file a [`ReportFile`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `main.cf`.
    MainCf,
    /// `master.cf`.
    MasterCf,
    /// A TOML policy file.
    Policy,
}

/// A file diagnostics can point into.
#[derive(Debug, Clone)]
pub struct ReportFile {
    /// The id labels use.
    pub id: FileId,
    /// What it is.
    pub kind: FileKind,
    /// How it is named in output.
    pub name: String,
    /// Its bytes.
    pub text: Bytes,
    /// Its line starts.
    pub index: LineIndex,
    /// Whether the file exists (a missing main.cf or master.cf is checked as empty).
    pub present: bool,
}

/// The result of one check.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every file a diagnostic may point into: main.cf is [`MAIN_CF`], master.cf
    /// [`MASTER_CF`], policy files follow.
    pub files: Vec<ReportFile>,
    /// Findings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The parsed configuration, for front ends that show more than findings (hover, the
    /// effective configuration view).
    pub config: Config,
    /// Its effective configuration, as the rules saw it.
    pub model: Arc<postlint_model::Model>,
}

impl Report {
    /// The file `id`.
    pub fn file(&self, id: FileId) -> Option<&ReportFile> {
        self.files.iter().find(|f| f.id == id)
    }

    /// How many findings of each severity: `(errors, warnings, infos)`.
    pub fn counts(&self) -> (usize, usize, usize) {
        count(&self.diagnostics)
    }
}

/// How many of `diagnostics` are errors, warnings and infos.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize, usize) {
    diagnostics
        .iter()
        .fold((0, 0, 0), |(e, w, i), d| match d.severity {
            Severity::Error => (e + 1, w, i),
            Severity::Warning => (e, w + 1, i),
            Severity::Info => (e, w, i + 1),
        })
}

/// Checks one configuration.
pub fn check(input: &Input, settings: &Settings) -> Report {
    let empty = Bytes::new();
    let text_of =
        |source: Option<&SourceFile>| source.map_or_else(|| empty.clone(), |s| s.text.clone());
    let file = |id, kind, source: Option<&SourceFile>, default_name: &str| {
        let text = text_of(source);
        ReportFile {
            id,
            kind,
            name: source.map_or_else(|| default_name.to_owned(), |s| s.name.clone()),
            index: LineIndex::new(&text),
            text,
            present: source.is_some(),
        }
    };
    // The report's files (with their line indexes), the policies and the release's tables
    // depend on the text only, not on its parse: they are made meanwhile.
    let beside = || {
        postlint_postconf::used::prepare(settings.version);
        let mut files = vec![
            file(MAIN_CF, FileKind::MainCf, input.main.as_ref(), "main.cf"),
            file(
                MASTER_CF,
                FileKind::MasterCf,
                input.master.as_ref(),
                "master.cf",
            ),
        ];
        let mut diagnostics = Vec::new();
        let policies = crate::policies::load_all(settings, &mut files, &mut diagnostics);
        (files, policies, diagnostics)
    };
    let parse = || {
        Config::parse_shared(
            &text_of(input.main.as_ref()),
            &text_of(input.master.as_ref()),
            input.config_directory.clone(),
            settings.version,
        )
    };
    // The policies are evaluated once they and the model are both ready; the bookkeeping
    // waits for the release's tables only if they are not ready when it starts.
    let evaluate = |config: &Config, model: &postlint_model::Model, side| {
        let (files, policies, mut diagnostics): (Vec<ReportFile>, Vec<_>, Vec<_>) = side;
        crate::policies::evaluate_all(config, model, &policies, &mut diagnostics);
        (files, diagnostics)
    };
    #[cfg(not(target_arch = "wasm32"))]
    let (config, model, mut diagnostics, (files, policy_diagnostics)) =
        std::thread::scope(|scope| {
            let side = scope.spawn(beside);
            let config = parse();
            let (model, diagnostics, rest) =
                crate::model_and_lint(&config, |model| evaluate(&config, model, crate::join(side)));
            (config, model, diagnostics, rest)
        });
    #[cfg(target_arch = "wasm32")]
    let (config, model, mut diagnostics, (files, policy_diagnostics)) = {
        let side = beside();
        let config = parse();
        let (model, diagnostics, rest) =
            crate::model_and_lint(&config, |model| evaluate(&config, model, side));
        (config, model, diagnostics, rest)
    };
    diagnostics.extend(policy_diagnostics);
    crate::suppress::apply(&files, &config, &mut diagnostics);
    configure(settings, &mut diagnostics);
    sort(&mut diagnostics);
    Report {
        files,
        diagnostics,
        config,
        model: Arc::new(model),
    }
}

fn matches_rule(d: &Diagnostic, wanted: &str) -> bool {
    d.rule == wanted || d.code == wanted
}

/// Applies rule selection and severity overrides.
fn configure(settings: &Settings, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.retain(|d| {
        // Load errors of the user's own configuration always report.
        if d.rule == postlint_policy::POLICY_ERROR_RULE {
            return true;
        }
        (settings.select.is_empty() || settings.select.iter().any(|s| matches_rule(d, s)))
            && !settings.ignore.iter().any(|s| matches_rule(d, s))
    });
    for d in diagnostics.iter_mut() {
        if let Some((_, severity)) = settings
            .severities
            .iter()
            .rev()
            .find(|(name, _)| matches_rule(d, name))
        {
            d.severity = *severity;
        }
    }
}

/// Sorts by file, position, then rule, so every front end shows the same order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.primary().map(|l| (l.file, l.range.start, l.range.end));
        key(a).cmp(&key(b)).then_with(|| a.rule.cmp(&b.rule))
    });
}
