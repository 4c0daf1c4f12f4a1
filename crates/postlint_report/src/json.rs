//! The JSON contract, version 1:
//!
//! ```json
//! {"version": 1,
//!  "diagnostics": [{"rule": "unknown-parameter", "code": "PL002", "severity": "warning",
//!                   "message": "…", "file": "main.cf", "line": 3, "column": 1,
//!                   "end_line": 3, "end_column": 12, "service": null, "help": "…",
//!                   "url": "…", "notes": [], "related": [{"file": "…", "line": 1,
//!                   "column": 1, "end_line": 1, "end_column": 5, "message": "…"}]}],
//!  "summary": {"errors": 0, "warnings": 1, "infos": 0, "files": 2}}
//! ```
//!
//! Lines and columns are 1-based; columns count Unicode scalar values (an invalid byte counts
//! as one); `end_column` is exclusive. `service` is `name/type` or `null`; `help` and `url` may
//! be `null`. With [`Options::utf16_offsets`] each diagnostic and related entry also carries
//! `utf16_start`/`utf16_end`: offsets into the whole file as a JavaScript string counts them.

use postlint_diagnostics::{Diagnostic, FileId, Label, Severity};
use postlint_linter::{Report, ReportFile};
use serde::{Deserialize, Serialize};

/// The contract's version; bumped on any incompatible change.
pub const VERSION: u32 = 1;

/// Output options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Add `utf16_start`/`utf16_end` offsets (for JavaScript editors).
    pub utf16_offsets: bool,
}

/// The whole output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// [`VERSION`].
    pub version: u32,
    /// Every finding, in report order.
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Counts.
    pub summary: Summary,
}

/// Counts of findings by severity, and of configuration files checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Findings of severity `error`.
    pub errors: usize,
    /// Findings of severity `warning`.
    pub warnings: usize,
    /// Findings of severity `info`.
    pub infos: usize,
    /// Configuration files (main.cf, master.cf) checked.
    pub files: usize,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonDiagnostic {
    /// Kebab-case rule name.
    pub rule: String,
    /// Short code.
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// One-line message.
    pub message: String,
    /// The file of the primary span.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// 1-based end line.
    pub end_line: u32,
    /// 1-based exclusive end column.
    pub end_column: u32,
    /// `name/type` of the master.cf service, or null.
    pub service: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// Reference documentation.
    pub url: Option<String>,
    /// Further explanation.
    pub notes: Vec<String>,
    /// The other spans involved, possibly in the other file.
    pub related: Vec<Related>,
    /// UTF-16 offset of the start in the file (with [`Options::utf16_offsets`]).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub utf16_start: Option<u32>,
    /// UTF-16 offset of the end in the file (with [`Options::utf16_offsets`]).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub utf16_end: Option<u32>,
}

/// A secondary span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    /// Its file.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// 1-based end line.
    pub end_line: u32,
    /// 1-based exclusive end column.
    pub end_column: u32,
    /// What it has to do with the finding.
    pub message: String,
    /// UTF-16 offset of the start in the file (with [`Options::utf16_offsets`]).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub utf16_start: Option<u32>,
    /// UTF-16 offset of the end in the file (with [`Options::utf16_offsets`]).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub utf16_end: Option<u32>,
}

/// A resolved span: file name and 1-based positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// 1-based end line.
    pub end_line: u32,
    /// 1-based exclusive end column.
    pub end_column: u32,
    /// UTF-16 offsets into the file.
    pub utf16: Option<(u32, u32)>,
}

/// Resolves `label` against `report`'s files.
pub fn span(report: &Report, label: &Label, utf16: bool) -> Span {
    span_in(report.file(label.file), label, utf16)
}

fn span_in(file: Option<&ReportFile>, label: &Label, utf16: bool) -> Span {
    let Some(file) = file else {
        return Span {
            file: String::new(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            utf16: None,
        };
    };
    let pos = |offset: u32| {
        let lc = file.index.line_col(offset);
        (lc.line + 1, file.index.char_col(&file.text, offset) + 1)
    };
    let (line, column) = pos(label.range.start);
    let (end_line, end_column) = pos(label.range.end);
    let utf16 = utf16.then(|| {
        let prefix = |offset: u32| {
            let end = (offset as usize).min(file.text.len());
            postlint_diagnostics::utf16_len(file.text.get(..end).unwrap_or_default())
        };
        (prefix(label.range.start), prefix(label.range.end))
    });
    Span {
        file: file.name.clone(),
        line,
        column,
        end_line,
        end_column,
        utf16,
    }
}

/// One diagnostic of `report` in the contract's shape.
pub fn diagnostic(report: &Report, d: &Diagnostic, options: Options) -> JsonDiagnostic {
    let primary = d.primary().or(d.labels.first());
    let at = primary.map_or_else(
        || {
            span_in(
                report.file(FileId(0)),
                &empty_label(),
                options.utf16_offsets,
            )
        },
        |l| span(report, l, options.utf16_offsets),
    );
    let related = d
        .labels
        .iter()
        .filter(|l| Some(*l) != primary)
        .map(|l| {
            let s = span(report, l, options.utf16_offsets);
            Related {
                file: s.file,
                line: s.line,
                column: s.column,
                end_line: s.end_line,
                end_column: s.end_column,
                message: l.message.clone(),
                utf16_start: s.utf16.map(|u| u.0),
                utf16_end: s.utf16.map(|u| u.1),
            }
        })
        .collect();
    JsonDiagnostic {
        rule: d.rule.clone(),
        code: d.code.clone(),
        severity: d.severity,
        message: d.message.clone(),
        file: at.file,
        line: at.line,
        column: at.column,
        end_line: at.end_line,
        end_column: at.end_column,
        service: d.service.clone(),
        help: d.help.clone(),
        url: d.url.clone(),
        notes: d.notes.clone(),
        related,
        utf16_start: at.utf16.map(|u| u.0),
        utf16_end: at.utf16.map(|u| u.1),
    }
}

fn empty_label() -> Label {
    Label {
        file: FileId(0),
        range: postlint_diagnostics::TextRange::empty(0),
        message: String::new(),
        primary: true,
    }
}

/// The contract for several reports (one per configuration directory), in the given order.
pub fn output(reports: &[&Report], options: Options) -> Output {
    let mut summary = Summary::default();
    let mut diagnostics = Vec::new();
    for report in reports {
        let (e, w, i) = report.counts();
        summary.errors += e;
        summary.warnings += w;
        summary.infos += i;
        summary.files += report
            .files
            .iter()
            .filter(|f| f.present && f.kind != postlint_linter::FileKind::Policy)
            .count();
        diagnostics.extend(
            report
                .diagnostics
                .iter()
                .map(|d| diagnostic(report, d, options)),
        );
    }
    Output {
        version: VERSION,
        diagnostics,
        summary,
    }
}

/// [`output`] as pretty-printed JSON text with a final newline.
pub fn to_string(reports: &[&Report], options: Options) -> String {
    let mut text = serde_json::to_string_pretty(&output(reports, options)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use postlint_linter::{Input, Settings, SourceFile, check};

    use super::*;

    fn report(main: &str, master: &str) -> Report {
        check(
            &Input {
                main: Some(SourceFile::new("etc/main.cf", main.as_bytes().to_vec())),
                master: Some(SourceFile::new("etc/master.cf", master.as_bytes().to_vec())),
                config_directory: None,
            },
            &Settings {
                packs: Vec::new(),
                ..Settings::default()
            },
        )
    }

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let r = report("# é😀\nmyhostnam = mail.example.com\n", "");
        let out = output(
            &[&r],
            Options {
                utf16_offsets: true,
            },
        );
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.rule == "unknown-parameter")
            .unwrap();
        assert_eq!((d.file.as_str(), d.line, d.column), ("etc/main.cf", 2, 1));
        assert_eq!((d.end_line, d.end_column), (2, 10));
        // "# é😀\n" is 5 UTF-16 units + newline.
        assert_eq!((d.utf16_start, d.utf16_end), (Some(6), Some(15)));
        assert_eq!(out.summary.files, 2);
        assert_eq!(out.summary.warnings, 1);
    }

    #[test]
    fn shape_has_every_contract_field() {
        let r = report("myhostnam = x\n", "");
        let value: serde_json::Value =
            serde_json::from_str(&to_string(&[&r], Options::default())).unwrap();
        assert_eq!(value["version"], 1);
        let d = &value["diagnostics"][0];
        for key in [
            "rule",
            "code",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "service",
            "help",
            "url",
            "related",
        ] {
            assert!(d.get(key).is_some(), "missing {key}");
        }
        assert!(d.get("utf16_start").is_none());
        assert_eq!(d["severity"], "warning");
        assert!(d["service"].is_null());
    }
}
