//! postlint diagnostics as LSP diagnostics: code = rule code, a link to the docs, labels in
//! other places as related information.

use std::fmt::Write as _;
use std::str::FromStr as _;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location,
    NumberOrString, Uri,
};
use postlint_diagnostics::{Diagnostic, FileId, Label, Severity};

use crate::analysis::Analysis;
use crate::encoding::Encoding;

/// Source name shown by editors next to each finding.
pub const SOURCE: &str = "postlint";

/// The diagnostic shown in `file`, and the label it is shown at. A finding is shown where its
/// primary label is; when that lies in the other file of the pair and that file is not open,
/// it is shown at its first label in `file` instead, so editing master.cf alone still shows a
/// finding caused by main.cf (with related information pointing there).
pub fn placement(diagnostic: &Diagnostic, file: FileId, other_open: bool) -> Option<&Label> {
    let primary = diagnostic.primary()?;
    if primary.file == file {
        return Some(primary);
    }
    if other_open || Analysis::kind_of_id(primary.file).is_none() {
        return None;
    }
    diagnostic.labels.iter().find(|l| l.file == file)
}

/// The LSP diagnostics of `file` in `analysis`.
pub fn for_file(
    analysis: &Analysis,
    file: FileId,
    other_open: bool,
    encoding: Encoding,
) -> Vec<lsp_types::Diagnostic> {
    with_source(analysis, file, other_open, encoding)
        .into_iter()
        .map(|(_, d)| d)
        .collect()
}

/// Like [`for_file`], each with the postlint diagnostic it renders.
pub fn with_source(
    analysis: &Analysis,
    file: FileId,
    other_open: bool,
    encoding: Encoding,
) -> Vec<(&Diagnostic, lsp_types::Diagnostic)> {
    let Some(lines) = analysis.lines(file) else {
        return Vec::new();
    };
    analysis
        .report
        .diagnostics
        .iter()
        .filter_map(|d| {
            let at = placement(d, file, other_open)?;
            let related: Vec<DiagnosticRelatedInformation> = d
                .labels
                .iter()
                .filter(|l| !std::ptr::eq(*l, at))
                .filter_map(|l| {
                    let uri = Uri::from_str(&analysis.uri(l.file)?).ok()?;
                    let range = analysis.lines(l.file)?.range(encoding, l.range);
                    let message = if !l.message.is_empty() {
                        l.message.clone()
                    } else if l.primary {
                        d.message.clone()
                    } else {
                        "related".to_owned()
                    };
                    Some(DiagnosticRelatedInformation {
                        location: Location::new(uri, range),
                        message,
                    })
                })
                .collect();
            Some((d, to_lsp(d, lines.range(encoding, at.range), related)))
        })
        .collect()
}

/// One diagnostic shown at `range`.
pub fn to_lsp(
    d: &Diagnostic,
    range: lsp_types::Range,
    related: Vec<DiagnosticRelatedInformation>,
) -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        range,
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.clone())),
        code_description: d
            .url
            .as_deref()
            .and_then(|u| Uri::from_str(u).ok())
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message: message(d),
        related_information: (!related.is_empty()).then_some(related),
        tags: (d.rule == "deprecated-parameter").then(|| vec![DiagnosticTag::DEPRECATED]),
        data: Some(serde_json::Value::String(d.rule.clone())),
    }
}

/// The message with its help on a second line, as editors show both in the hover.
fn message(d: &Diagnostic) -> String {
    let mut text = d.message.clone();
    if let Some(service) = &d.service
        && !text.contains(service.as_str())
    {
        let _ = write!(text, " (in `{service}`)");
    }
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    text
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

#[cfg(test)]
mod tests {
    use postlint_diagnostics::TextRange;
    use postlint_postconf::{MAIN_CF, MASTER_CF};

    use super::*;

    fn finding() -> Diagnostic {
        Diagnostic::new(
            "r",
            "PL000",
            Severity::Warning,
            "m",
            MAIN_CF,
            TextRange::new(0, 1),
        )
        .with_label(MASTER_CF, TextRange::new(5, 6), "here")
    }

    #[test]
    fn a_finding_caused_in_a_closed_sibling_shows_at_its_label_here() {
        let d = finding();
        // main.cf open: shown there, at the primary label.
        assert_eq!(placement(&d, MAIN_CF, true), d.primary());
        // master.cf open, main.cf closed: shown in master.cf at the secondary label.
        let at = placement(&d, MASTER_CF, false).unwrap();
        assert_eq!((at.file, at.range), (MASTER_CF, TextRange::new(5, 6)));
        // Both open: only where the primary label is, so it is not shown twice.
        assert_eq!(placement(&d, MASTER_CF, true), None);
        // A finding with no label in this file is not shown here.
        let lone = Diagnostic::new(
            "r",
            "PL000",
            Severity::Info,
            "m",
            MAIN_CF,
            TextRange::new(0, 1),
        );
        assert_eq!(placement(&lone, MASTER_CF, false), None);
    }
}
