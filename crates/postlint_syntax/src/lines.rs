//! Physical lines to logical lines, as Postfix's `readllines()` does, for both files.

use pest::Parser as _;
use postlint_diagnostics::{Diagnostic, FileId, Severity, TextRange};

use crate::shadow::shadow;
use crate::{SYNTAX_CODE, SYNTAX_RULE};

mod grammar {
    //! The generated parser; its `Rule` enum stays private to this module tree.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/lines.pest"]
    pub(super) struct LinesParser;
}
use grammar::{LinesParser, Rule};

/// Maps offsets in a logical line's text back to byte offsets in the file.
///
/// A logical line is the head line followed by its continuation lines, each appended verbatim
/// (leading whitespace included, newline dropped), so it is a concatenation of file pieces.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceMap {
    /// `(logical start, file start, length)` of the head line: most entries have no other
    /// piece, and keeping it inline spares them an allocation.
    first: (u32, u32, u32),
    /// The continuation lines' pieces, in order.
    rest: Vec<(u32, u32, u32)>,
}

impl SourceMap {
    fn push(&mut self, logical_start: u32, file_range: TextRange) {
        let piece = (logical_start, file_range.start, file_range.len());
        if logical_start == 0 {
            self.first = piece;
        } else {
            self.rest.push(piece);
        }
    }

    fn piece(&self, index: usize) -> Option<(u32, u32, u32)> {
        if index == 0 {
            Some(self.first)
        } else {
            self.rest.get(index - 1).copied()
        }
    }

    /// The file offset of logical offset `at`, attaching a piece boundary to the next piece.
    pub fn offset(&self, at: u32) -> u32 {
        // Pieces before `at`: the head line, plus the continuation lines starting at or
        // before it.
        let idx = self.rest.partition_point(|&(start, _, _)| start <= at);
        match self.piece(idx) {
            Some((start, file, len)) => file + (at - start).min(len),
            None => 0,
        }
    }

    /// The file offset just past logical offset `at - 1`, attaching a boundary to the
    /// previous piece (so a range ending at a line end does not reach into the next line).
    fn end_offset(&self, at: u32) -> u32 {
        if at == 0 {
            return self.offset(0);
        }
        self.offset(at - 1) + 1
    }

    /// The file range of a logical range. A range spanning several pieces covers the comment
    /// and blank lines between them too.
    pub fn range(&self, logical: TextRange) -> TextRange {
        if logical.is_empty() {
            let at = self.offset(logical.start);
            return TextRange::empty(at);
        }
        TextRange::new(self.offset(logical.start), self.end_offset(logical.end))
    }
}

/// One logical line: an entry of main.cf or master.cf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicalLine {
    /// The joined text, as Postfix sees it.
    pub text: Vec<u8>,
    /// Where each byte of `text` is in the file.
    pub map: SourceMap,
    /// From the first byte of the head line to the last byte of the last continuation line.
    pub range: TextRange,
    /// The head line's range, without the newline.
    pub head: TextRange,
}

impl LogicalLine {
    /// The file range of a range of `text`.
    pub fn file_range(&self, logical: TextRange) -> TextRange {
        self.map.range(logical)
    }
}

/// The logical lines of a file, and diagnostics for text Postfix skips.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    /// Logical lines in file order.
    pub lines: Vec<LogicalLine>,
    /// Indented text with no entry before it (Postfix warns and skips it).
    pub diagnostics: Vec<Diagnostic>,
}

/// Splits `src` into logical lines.
pub fn logical_lines(src: &[u8], file: FileId) -> Lines {
    let text = shadow(src);
    let mut out = Lines::default();
    let Ok(pairs) = LinesParser::parse(Rule::file, &text) else {
        // The grammar accepts every input; this is a defect, reported rather than hidden.
        out.diagnostics.push(Diagnostic::new(
            SYNTAX_RULE,
            SYNTAX_CODE,
            Severity::Error,
            "internal error: the line grammar rejected this file",
            file,
            TextRange::from_usize(0, src.len()),
        ));
        return out;
    };
    let Some(top) = pairs.into_iter().next() else {
        return out;
    };
    for pair in top.into_inner() {
        match pair.as_rule() {
            Rule::entry => {
                let mut joined = Vec::new();
                let mut map = SourceMap::default();
                let mut head = TextRange::default();
                let mut last = TextRange::default();
                for piece in pair.into_inner() {
                    let span = piece.as_span();
                    let range = TextRange::from_usize(span.start(), span.end());
                    match piece.as_rule() {
                        Rule::head => head = range,
                        Rule::cont => {}
                        _ => continue,
                    }
                    map.push(u32::try_from(joined.len()).unwrap_or(u32::MAX), range);
                    joined.extend_from_slice(range.slice(src));
                    last = range;
                }
                out.lines.push(LogicalLine {
                    text: joined,
                    map,
                    range: head.cover(last),
                    head,
                });
            }
            Rule::orphan => {
                let span = pair.as_span();
                let range = TextRange::from_usize(span.start(), span.end());
                let shown = String::from_utf8_lossy(range.slice(src));
                out.diagnostics.push(
                    Diagnostic::new(
                        SYNTAX_RULE,
                        SYNTAX_CODE,
                        Severity::Warning,
                        format!(
                            "logical line must not start with whitespace: `{}`",
                            shown.trim()
                        ),
                        file,
                        range,
                    )
                    .with_help("indented lines continue the entry above; there is no entry above this one, so Postfix ignores it")
                    .with_primary_message("ignored by Postfix"),
                );
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        logical_lines(src.as_bytes(), FileId(0))
            .lines
            .iter()
            .map(|l| String::from_utf8(l.text.clone()).unwrap())
            .collect()
    }

    #[test]
    fn continuation_keeps_leading_whitespace() {
        assert_eq!(texts("a = x\n\ty\nb = 1\n"), ["a = x\ty", "b = 1"]);
    }

    #[test]
    fn comments_and_blank_lines_do_not_end_an_entry() {
        // Test vectors from Postfix's readlline.c.
        assert_eq!(texts("abc\n#c\n ghi\n"), ["abc ghi"]);
        assert_eq!(texts("abc\n\n ghi\n"), ["abc ghi"]);
        assert_eq!(
            texts("abc\n   # indented comment\n\t\n ghi\njkl"),
            ["abc ghi", "jkl"]
        );
    }

    #[test]
    fn hash_after_text_is_data() {
        assert_eq!(texts("a = b # c\n"), ["a = b # c"]);
    }

    #[test]
    fn crlf_is_kept_inside_multiline_values() {
        assert_eq!(texts("a = x,\r\n  y\r\n"), ["a = x,\r  y\r"]);
    }

    #[test]
    fn orphan_continuation_is_reported_and_skipped() {
        let lines = logical_lines(b"# top\n  stray text\nx = 1\n", FileId(3));
        assert_eq!(lines.lines.len(), 1);
        assert_eq!(lines.diagnostics.len(), 1);
        let d = &lines.diagnostics[0];
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.labels[0].range, TextRange::new(6, 18));
        assert_eq!(d.labels[0].file, FileId(3));
    }

    #[test]
    fn last_line_without_newline_and_nul_bytes() {
        assert_eq!(texts("a = 1\nb = \0x"), ["a = 1", "b = \0x"]);
        assert!(texts("").is_empty());
        assert!(texts("   ").is_empty());
        assert!(texts("\n\n#\n").is_empty());
    }

    #[test]
    fn source_map_points_into_each_piece() {
        let src = b"name = one\n# note\n  two\n";
        let lines = logical_lines(src, FileId(0));
        let line = &lines.lines[0];
        assert_eq!(line.text, b"name = one  two");
        // "two" starts at logical 12 and at byte 20 of the file.
        assert_eq!(line.map.offset(12), 20);
        let r = line.file_range(TextRange::new(7, 15));
        assert_eq!(r, TextRange::new(7, 23));
        assert_eq!(&src[r.to_usize()], b"one\n# note\n  two");
        // A range ending at the end of the head line does not reach into the next piece.
        assert_eq!(
            line.file_range(TextRange::new(7, 10)),
            TextRange::new(7, 10)
        );
    }

    #[test]
    fn latin1_bytes_are_ordinary_text() {
        let lines = logical_lines(b"# caf\xe9\nname = \xe9t\xe9\n", FileId(0));
        assert_eq!(lines.lines.len(), 1);
        assert_eq!(lines.lines[0].text, b"name = \xe9t\xe9");
    }
}
