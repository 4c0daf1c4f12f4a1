//! Human rendering of diagnostics with miette. miette takes one source per diagnostic, so
//! labels in the other file become related diagnostics of their own.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use postlint_diagnostics::{Diagnostic, FileId, LineIndex, Severity, TextRange};
use postlint_syntax::Bytes;

/// A file as the renderer needs it, decoded and indexed once and shared by every diagnostic
/// in it.
pub struct RenderFile {
    /// The id diagnostics use.
    pub id: FileId,
    /// The name shown.
    pub name: String,
    /// The file's bytes.
    pub text: Bytes,
    /// A copy with `?` for each byte that is not UTF-8, made the first time a snippet needs
    /// it (a large file is shared, not copied or even scanned, in the common case).
    lossy: Arc<std::sync::OnceLock<Bytes>>,
    /// Line starts of `text`.
    pub lines: Arc<LineIndex>,
}

impl RenderFile {
    /// A file named `name` with the given bytes. Bytes that are not UTF-8 (Latin-1 comments)
    /// are shown as `?`, one for one, so that every byte offset still points at the same place.
    pub fn new(id: FileId, name: String, bytes: &[u8]) -> Self {
        Self::shared(id, name, &Bytes::copy_from_slice(bytes), None)
    }

    /// A file whose bytes and line index are already at hand (a checked report's).
    pub fn shared(id: FileId, name: String, bytes: &Bytes, lines: Option<&LineIndex>) -> Self {
        Self {
            id,
            name,
            lines: Arc::new(lines.cloned().unwrap_or_else(|| LineIndex::new(bytes))),
            text: bytes.clone(),
            lossy: Arc::default(),
        }
    }

    fn source(&self) -> FileSource {
        FileSource {
            name: self.name.clone(),
            text: self.text.clone(),
            lossy: Arc::clone(&self.lossy),
            lines: Arc::clone(&self.lines),
        }
    }
}

/// A file as miette reads it. miette's own sources scan from the start of the file for every
/// span, which makes rendering many findings in a large file quadratic; this one cuts the few
/// lines around the span out with the line index first.
struct FileSource {
    name: String,
    text: Bytes,
    lossy: Arc<std::sync::OnceLock<Bytes>>,
    lines: Arc<LineIndex>,
}

impl miette::SourceCode for FileSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let len = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        let at = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX).min(len);
        let first_line = self
            .lines
            .line_col(at(span.offset()))
            .line
            .saturating_sub(u32::try_from(before).unwrap_or(u32::MAX));
        let last_line = self.lines.line_col(at(span.offset() + span.len())).line
            + u32::try_from(after).unwrap_or(u32::MAX).min(1 << 20)
            + 1;
        let start = self.lines.line_start(first_line).unwrap_or(0) as usize;
        let end = self.lines.line_start(last_line).unwrap_or(len) as usize;
        let mut bytes = self
            .text
            .get(start..end)
            .ok_or(miette::MietteError::OutOfBounds)?;
        if std::str::from_utf8(bytes).is_err() {
            // Offsets, and so line starts, are the same in the copy.
            let lossy = self.lossy.get_or_init(|| {
                let mut text = Vec::with_capacity(self.text.len());
                for chunk in self.text.utf8_chunks() {
                    text.extend_from_slice(chunk.valid().as_bytes());
                    text.extend(std::iter::repeat_n(b'?', chunk.invalid().len()));
                }
                Bytes::from(text)
            });
            bytes = lossy
                .get(start..end)
                .ok_or(miette::MietteError::OutOfBounds)?;
        }
        let local = SourceSpan::new(span.offset().saturating_sub(start).into(), span.len());
        let inner = bytes.read_span(&local, before, after)?;
        let data: &'a [u8] = inner.data();
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first_line as usize,
            inner.column(),
            inner.line_count(),
        )))
    }
}

struct Adapter {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    url: Option<String>,
    source: Option<FileSource>,
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

fn span(range: TextRange) -> SourceSpan {
    SourceSpan::new((range.start as usize).into(), range.len() as usize)
}

fn adapt(diagnostic: &Diagnostic, files: &[RenderFile]) -> Adapter {
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
                source: Some(other.source()),
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
        source: file.map(RenderFile::source),
        labels,
        related,
    }
}

/// Renders `diagnostic` for a terminal (`color` for ANSI colours).
pub fn human(diagnostic: &Diagnostic, files: &[RenderFile], color: bool) -> String {
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
