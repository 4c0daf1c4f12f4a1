//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding,
//! which the runner turns into annotations on the pull request's diff.
//!
//! ```text
//! ::error file=etc/postfix/main.cf,line=3,col=1,endLine=3,endColumn=12,title=PL002 unknown-parameter::unknown parameter `myhostnam`
//! ```
//!
//! Properties and the message are escaped as the runner's toolkit escapes them (`%`, CR and LF
//! everywhere; `:` and `,` in properties too), so a value with a comma cannot end a property
//! early. Positions come from the JSON contract's [`crate::json::diagnostic`].

use std::fmt::Write as _;

use postlint_diagnostics::Severity;
use postlint_linter::Report;

use crate::json::{self, Options};

/// Escapes a message (`%`, `\r`, `\n`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`%`, `\r`, `\n`, `:`, `,`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command for each finding of `reports`, in order, each line ending in `\n`.
pub fn to_string(reports: &[&Report]) -> String {
    let mut out = String::new();
    for report in reports {
        for d in &report.diagnostics {
            let j = json::diagnostic(report, d, Options::default());
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut message = j
                .service
                .as_ref()
                .map_or_else(|| j.message.clone(), |s| format!("{} [{s}]", j.message));
            if let Some(help) = &j.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let title = format!("{} {}", j.code, j.rule);
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&j.file),
                j.line,
                j.column,
                j.end_line,
                j.end_column,
                escape_property(&title),
                escape_data(&message),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use postlint_linter::{Input, Settings, SourceFile, check};

    use super::*;

    #[test]
    fn escapes_what_would_end_a_property_or_line() {
        assert_eq!(escape_property("a,b:c%d\ne"), "a%2Cb%3Ac%25d%0Ae");
        assert_eq!(escape_data("a,b:c%d\r\ne"), "a,b:c%25d%0D%0Ae");
    }

    #[test]
    fn one_line_per_finding_with_position_and_title() {
        let report = check(
            &Input {
                main: Some(SourceFile::new(
                    "etc/main,cf/main.cf",
                    &b"# x\nmyhostnam = a\n"[..],
                )),
                master: None,
                config_directory: None,
            },
            &Settings {
                packs: Vec::new(),
                ..Settings::default()
            },
        );
        let text = to_string(&[&report]);
        let line = text
            .lines()
            .find(|l| l.contains("unknown-parameter"))
            .unwrap();
        assert!(
            line.starts_with(
                "::warning file=etc/main%2Ccf/main.cf,line=2,col=1,endLine=2,endColumn=10,title=PL002 unknown-parameter::unknown parameter `myhostnam`"
            ),
            "{line}"
        );
        assert_eq!(text.lines().count(), report.diagnostics.len());
    }
}
