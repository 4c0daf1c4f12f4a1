//! The one diagnostic type. Every front end (terminal, JSON, SARIF, GitHub, LSP, wasm) renders
//! this value; none of them inspects where it came from.

use serde::{Deserialize, Serialize};

use crate::{FileId, TextRange};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: worth knowing, not wrong.
    Info,
    /// Probably wrong or unsafe.
    Warning,
    /// Postfix refuses it, or it is unsafe beyond doubt.
    Error,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// A labelled span in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// The file the span points into.
    pub file: FileId,
    /// The bytes labelled.
    pub range: TextRange,
    /// What this span has to do with the finding; empty when the message says it all.
    pub message: String,
    /// The primary label is where the finding is reported; others explain it.
    pub primary: bool,
}

/// One text replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// The file edited.
    pub file: FileId,
    /// The bytes replaced (empty to insert).
    pub range: TextRange,
    /// The new text.
    pub replacement: String,
}

/// A safe, mechanical fix: applying every edit resolves the finding without changing what the
/// configuration means otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What applying it does, e.g. "replace `smtpd_use_tls` with `smtpd_tls_security_level`".
    pub title: String,
    /// The edits, in any order; they do not overlap.
    pub edits: Vec<Edit>,
}

/// One finding, with everything a front end needs to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable kebab-case rule name, e.g. `syntax-error`.
    pub rule: String,
    /// Short stable code, e.g. `PL001`.
    pub code: String,
    /// Severity after configuration.
    pub severity: Severity,
    /// One line in Postfix terms: lowercase, no trailing period, user values in backticks.
    pub message: String,
    /// Spans; the first primary one is where the finding is reported.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// Further explanation.
    pub notes: Vec<String>,
    /// Reference documentation.
    pub url: Option<String>,
    /// The master.cf service the finding concerns, as `name/type`.
    pub service: Option<String>,
    /// A safe fix, when the rule has one.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic with one primary label and nothing else.
    pub fn new(
        rule: impl Into<String>,
        code: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
        file: FileId,
        range: TextRange,
    ) -> Self {
        Self {
            rule: rule.into(),
            code: code.into(),
            severity,
            message: message.into(),
            labels: vec![Label {
                file,
                range,
                message: String::new(),
                primary: true,
            }],
            help: None,
            notes: Vec::new(),
            url: None,
            service: None,
            fix: None,
        }
    }

    /// Adds help text.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the reference URL.
    #[must_use]
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets the service the finding concerns.
    #[must_use]
    pub fn with_service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// Sets the fix.
    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn with_label(
        mut self,
        file: FileId,
        range: TextRange,
        message: impl Into<String>,
    ) -> Self {
        self.labels.push(Label {
            file,
            range,
            message: message.into(),
            primary: false,
        });
        self
    }

    /// Sets the message of the primary label.
    #[must_use]
    pub fn with_primary_message(mut self, message: impl Into<String>) -> Self {
        if let Some(label) = self.labels.iter_mut().find(|l| l.primary) {
            label.message = message.into();
        }
        self
    }

    /// The primary label, if any.
    pub fn primary(&self) -> Option<&Label> {
        self.labels.iter().find(|l| l.primary)
    }
}
