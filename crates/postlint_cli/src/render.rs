//! Human rendering of diagnostics with miette. miette takes one source per diagnostic, so
//! labels in the other file become related diagnostics of their own.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use postlint_diagnostics::{Diagnostic, FileId, Severity};

/// A file as the renderer needs it.
pub struct RenderFile<'a> {
    /// The id diagnostics use.
    pub id: FileId,
    /// The name shown.
    pub name: String,
    /// The bytes.
    pub bytes: &'a [u8],
}

struct Adapter {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    url: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Adapter>,
}

impl fmt::Debug for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Adapter {}

impl miette::Diagnostic for Adapter {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic))
                as Box<dyn Iterator<Item = &'a dyn miette::Diagnostic>>
        })
    }
}

fn span(range: postlint_diagnostics::TextRange) -> SourceSpan {
    SourceSpan::new((range.start as usize).into(), range.len() as usize)
}

fn adapt(diagnostic: &Diagnostic, files: &[RenderFile<'_>]) -> Adapter {
    let primary_file = diagnostic.primary().map(|l| l.file);
    let file = files.iter().find(|f| Some(f.id) == primary_file);
    let mut labels = Vec::new();
    let mut related = Vec::new();
    for label in &diagnostic.labels {
        if Some(label.file) == primary_file {
            let text = (!label.message.is_empty()).then(|| label.message.clone());
            labels.push(if label.primary {
                LabeledSpan::new_primary_with_span(text, span(label.range))
            } else {
                LabeledSpan::new_with_span(text, span(label.range))
            });
        } else if let Some(other) = files.iter().find(|f| f.id == label.file) {
            related.push(Adapter {
                message: if label.message.is_empty() {
                    "related".to_owned()
                } else {
                    label.message.clone()
                },
                code: String::new(),
                severity: Severity::Info,
                help: None,
                url: None,
                source: Some(NamedSource::new(
                    other.name.clone(),
                    String::from_utf8_lossy(other.bytes).into_owned(),
                )),
                labels: vec![LabeledSpan::new_primary_with_span(None, span(label.range))],
                related: Vec::new(),
            });
        }
    }
    let mut help = diagnostic.help.clone();
    for note in &diagnostic.notes {
        help = Some(match help {
            Some(h) => format!("{h}\nnote: {note}"),
            None => format!("note: {note}"),
        });
    }
    Adapter {
        message: diagnostic.service.as_ref().map_or_else(
            || diagnostic.message.clone(),
            |s| format!("{} [{s}]", diagnostic.message),
        ),
        code: format!("{}({})", diagnostic.code, diagnostic.rule),
        severity: diagnostic.severity,
        help,
        url: diagnostic.url.clone(),
        // Lossy decoding keeps byte offsets only for valid UTF-8; invalid bytes are replaced
        // one for one by U+FFFD, which miette measures in bytes, so spans stay on the right
        // line but may shift within it on Latin-1 text.
        source: file.map(|f| {
            NamedSource::new(
                f.name.clone(),
                String::from_utf8_lossy(f.bytes).into_owned(),
            )
        }),
        labels,
        related,
    }
}

/// Renders `diagnostic` for a terminal (`color` for ANSI colours).
pub fn human(diagnostic: &Diagnostic, files: &[RenderFile<'_>], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(color);
    let mut out = String::new();
    let adapter = adapt(diagnostic, files);
    if handler.render_report(&mut out, &adapter).is_err() {
        out = format!("{}: {}\n", diagnostic.severity.as_str(), diagnostic.message);
    }
    out
}

/// Whether to colour standard output: only on a terminal, and never with `NO_COLOR` set.
pub fn stdout_color() -> bool {
    use std::io::IsTerminal as _;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Whether to colour standard error (same rules as [`stdout_color`]).
pub fn stderr_color() -> bool {
    use std::io::IsTerminal as _;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Writes to standard output. A closed pipe (`postlint … | head`) is not an error worth a
/// message; the output is simply cut.
pub fn write_stdout(bytes: &[u8]) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
}
