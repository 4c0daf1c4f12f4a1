//! `main.cf`: `name = value` entries on logical lines. The line grammar groups physical lines;
//! each logical line is then split as Postfix's `split_nameval()` does.

use bytes::Bytes;
use postlint_diagnostics::{Diagnostic, FileId, Severity, TextRange};

use crate::lines::{LogicalLine, SourceMap, map_lines};
use crate::{SYNTAX_CODE, SYNTAX_RULE};

/// One `name = value` entry.
///
/// Kept small (a generated main.cf may hold hundreds of thousands): the logical line, and where
/// the name and the value are in its text; their file ranges are computed from the line's map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// The whole logical line, with its mapping back to the file.
    line: LogicalLine,
    /// The name is `line.text[..name_end]` (a logical line starts with its name).
    name_end: u32,
    /// The value is `line.text[value_start..value_end]`.
    value_start: u32,
    value_end: u32,
}

impl Parameter {
    /// Splits a logical line as Postfix's `split_nameval()` does; a line Postfix refuses is
    /// an error diagnostic.
    fn split(line: LogicalLine, file: FileId) -> Result<Self, Box<Diagnostic>> {
        match split_nameval(&line.text) {
            Ok((name, eq_end)) => {
                let (vstart, vend) = trim_ws(&line.text, eq_end);
                let value = TextRange::from_usize(vstart, vend);
                Ok(Self {
                    name_end: name.end,
                    value_start: value.start,
                    value_end: value.end,
                    line,
                })
            }
            Err((message, help)) => {
                let shown = String::from_utf8_lossy(&line.text);
                Err(Box::new(
                    Diagnostic::new(
                        SYNTAX_RULE,
                        SYNTAX_CODE,
                        Severity::Error,
                        format!("{message}: `{}`", shown.trim_end()),
                        file,
                        line.range(),
                    )
                    .with_help(help)
                    .with_note(
                        "Postfix refuses to start with this line (fatal in every Postfix program)",
                    ),
                ))
            }
        }
    }

    /// An entry that is not in any file (`postconf -o name=value`): its ranges are empty, at
    /// offset 0.
    pub fn detached(name: &[u8], value: &[u8]) -> Self {
        let mut text = Vec::with_capacity(name.len() + 3 + value.len());
        text.extend_from_slice(name);
        text.extend_from_slice(b" = ");
        text.extend_from_slice(value);
        let value_range = TextRange::from_usize(name.len() + 3, text.len());
        Self {
            line: LogicalLine {
                text: Bytes::from(text),
                map: SourceMap::detached(),
            },
            name_end: TextRange::from_usize(0, name.len()).end,
            value_start: value_range.start,
            value_end: value_range.end,
        }
    }

    /// Replaces the value (`postconf -o name=value` on a name main.cf sets). The name keeps
    /// its place in the file; the value's range still points at the value it replaced, as
    /// far as that line reaches.
    pub fn set_value(&mut self, value: &[u8]) {
        let mut text = self
            .line
            .text
            .get(..self.value_start as usize)
            .unwrap_or_default()
            .to_vec();
        text.extend_from_slice(value);
        self.value_end = TextRange::from_usize(0, text.len()).end;
        self.line.text = Bytes::from(text);
    }

    /// The name bytes (any bytes but whitespace and `=`).
    pub fn name(&self) -> &[u8] {
        self.line
            .text
            .get(..self.name_end as usize)
            .unwrap_or_default()
    }

    /// The value bytes, whitespace-trimmed; may span several physical lines.
    pub fn value(&self) -> &[u8] {
        self.line
            .text
            .get(self.value_start as usize..self.value_end as usize)
            .unwrap_or_default()
    }

    /// The value as a handle on the file's buffer (or the joined logical line's), without a
    /// copy.
    pub fn value_bytes(&self) -> Bytes {
        self.line
            .text
            .slice(self.value_start as usize..self.value_end as usize)
    }

    /// The whole logical line, with its mapping back to the file.
    pub fn line(&self) -> &LogicalLine {
        &self.line
    }

    /// Where the name is in the file.
    pub fn name_range(&self) -> TextRange {
        self.line.file_range(TextRange::new(0, self.name_end))
    }

    /// Where the value is in the file (empty at the end of the line when the value is empty).
    pub fn value_range(&self) -> TextRange {
        self.line
            .file_range(TextRange::new(self.value_start, self.value_end))
    }

    /// Offset of the value inside the logical line's text, for mapping ranges inside the value.
    pub fn value_offset(&self) -> u32 {
        self.value_start
    }

    /// The name as text (lossy for non-UTF-8 bytes).
    pub fn name_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.name())
    }

    /// The value as text (lossy for non-UTF-8 bytes).
    pub fn value_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.value())
    }

    /// The file range of a byte range inside `value`.
    pub fn value_file_range(&self, in_value: TextRange) -> TextRange {
        self.line.file_range(TextRange::new(
            in_value.start + self.value_start,
            in_value.end + self.value_start,
        ))
    }
}

/// A parsed main.cf: every entry in file order (duplicates included) plus syntax diagnostics.
#[derive(Debug, Clone, Default)]
pub struct MainCf {
    /// Entries in file order. Later entries override earlier ones of the same name.
    pub parameters: Vec<Parameter>,
    /// Syntax problems. Errors are lines Postfix refuses (fatal for every Postfix program).
    pub diagnostics: Vec<Diagnostic>,
}

impl MainCf {
    /// The first problem that makes every Postfix program refuse the file.
    pub fn fatal(&self) -> Option<&Diagnostic> {
        self.diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
    }
}

impl MainCf {
    /// Parses `src`. Never fails: bad lines become diagnostics and parsing continues.
    pub fn parse(src: &[u8], file: FileId) -> Self {
        Self::parse_shared(&Bytes::copy_from_slice(src), file)
    }

    /// Parses `src` without copying it: names, values and single-line entries are slices of
    /// `src`'s buffer.
    pub fn parse_shared(src: &Bytes, file: FileId) -> Self {
        let mapped = map_lines(src, file, |line, out, diagnostics| {
            match Parameter::split(line, file) {
                Ok(parameter) => out.push(parameter),
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
        });
        let mut diagnostics = mapped.line_diagnostics;
        diagnostics.extend(mapped.item_diagnostics);
        crate::cap_diagnostics(
            &mut diagnostics,
            mapped.dropped_line_diagnostics + mapped.dropped_item_diagnostics,
        );
        diagnostics.extend(mapped.limit);
        Self {
            parameters: mapped.items,
            diagnostics,
        }
    }

    /// The effective (last) entry for `name`.
    pub fn get(&self, name: &[u8]) -> Option<&Parameter> {
        self.parameters.iter().rev().find(|p| p.name() == name)
    }
}

/// Postfix's `split_nameval()` on a logical line: the name is the longest run of bytes that
/// are neither whitespace nor `=`, then optional whitespace and a literal `=` (which may be on
/// a continuation line). Returns the name range and the offset just past `=`, or Postfix's
/// error text and a help line.
fn split_nameval(text: &[u8]) -> Result<(TextRange, usize), (&'static str, &'static str)> {
    let name_end = text
        .iter()
        .position(|&b| is_space(b) || b == b'=')
        .unwrap_or(text.len());
    if name_end == 0 {
        return Err((
            "missing attribute name",
            "write `name = value`; this line has nothing before the `=`",
        ));
    }
    let mut at = name_end;
    while text.get(at).copied().is_some_and(is_space) {
        at += 1;
    }
    if text.get(at) == Some(&b'=') {
        return Ok((TextRange::from_usize(0, name_end), at + 1));
    }
    Err((
        "missing '=' after attribute name",
        "write `name = value`; a name cannot contain whitespace, and text on its own line must be indented to continue the entry above or start with `#` to be a comment",
    ))
}

/// Postfix's whitespace (C `isspace` on ASCII).
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The bounds of `text[from..]` without leading and trailing whitespace.
fn trim_ws(text: &[u8], from: usize) -> (usize, usize) {
    let mut start = from.min(text.len());
    let mut end = text.len();
    while text.get(start).copied().is_some_and(is_space) {
        start += 1;
    }
    while end > start && text.get(end - 1).copied().is_some_and(is_space) {
        end -= 1;
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_stays_small() {
        // A generated main.cf holds hundreds of thousands of entries, and every pass over
        // them reads them all: the line's text handle, its head line and three offsets.
        assert!(size_of::<LogicalLine>() <= 56);
        assert!(size_of::<Parameter>() <= 72);
    }

    #[test]
    fn detached_and_replaced_values() {
        let p = Parameter::detached(b"relayhost", b"[mx]:587");
        assert_eq!(p.name(), b"relayhost");
        assert_eq!(p.value(), b"[mx]:587");
        assert_eq!(p.name_range(), TextRange::default());
        assert_eq!(p.value_range(), TextRange::default());

        let mut cf = parse("a = 1\nrelayhost = old\n");
        let p = cf.parameters.get_mut(1).unwrap();
        let name_range = p.name_range();
        p.set_value(b"[new]:587");
        assert_eq!(p.name(), b"relayhost");
        assert_eq!(p.value(), b"[new]:587");
        assert_eq!(p.name_range(), name_range);
        assert_eq!(p.value_range().start, 18);
    }

    fn parse(src: &str) -> MainCf {
        MainCf::parse(src.as_bytes(), FileId(0))
    }

    fn pairs(src: &str) -> Vec<(String, String)> {
        parse(src)
            .parameters
            .iter()
            .map(|p| (p.name_str().into_owned(), p.value_str().into_owned()))
            .collect()
    }

    #[test]
    fn name_value_splitting_matches_postfix() {
        assert_eq!(
            pairs("a=b\nc = d \ne   =    f   \ng =\nh=i=j\nweird-name.x = 7\n"),
            [
                ("a".into(), "b".into()),
                ("c".into(), "d".into()),
                ("e".into(), "f".into()),
                ("g".into(), String::new()),
                ("h".into(), "i=j".into()),
                ("weird-name.x".into(), "7".into()),
            ]
        );
    }

    #[test]
    fn equals_may_sit_on_a_continuation_line() {
        assert_eq!(
            pairs("name\n  = value\n"),
            [("name".into(), "value".into())]
        );
    }

    #[test]
    fn quotes_and_hash_are_literal() {
        assert_eq!(pairs("a = \"x\" # y\n"), [("a".into(), "\"x\" # y".into())]);
    }

    #[test]
    fn missing_equals_and_missing_name_are_errors_and_parsing_continues() {
        let cf = parse("a = 1\njust text\n= 3\nname with space = v\nb = 2\n");
        assert_eq!(cf.parameters.len(), 2);
        let msgs: Vec<_> = cf.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "missing '=' after attribute name: `just text`",
                "missing attribute name: `= 3`",
                "missing '=' after attribute name: `name with space = v`",
            ]
        );
        assert!(cf.diagnostics.iter().all(|d| d.severity == Severity::Error));
        assert_eq!(cf.diagnostics[0].labels[0].range, TextRange::new(6, 15));
    }

    #[test]
    fn spans_of_multiline_values() {
        let src = "smtpd_relay_restrictions = permit_mynetworks,\n# note\n    reject_unauth_destination\n";
        let cf = parse(src);
        let p = &cf.parameters[0];
        assert_eq!(&src[p.name_range().to_usize()], "smtpd_relay_restrictions");
        assert_eq!(
            &src[p.value_range().to_usize()],
            "permit_mynetworks,\n# note\n    reject_unauth_destination"
        );
        assert_eq!(
            p.value(),
            b"permit_mynetworks,    reject_unauth_destination"
        );
        // "reject" inside the value maps to its own line.
        let at = p.value_file_range(TextRange::new(22, 28));
        assert_eq!(&src[at.to_usize()], "reject");
    }

    #[test]
    fn empty_value_range_is_empty() {
        let cf = parse("relayhost = \n");
        let p = &cf.parameters[0];
        assert!(p.value().is_empty());
        assert!(p.value_range().is_empty());
    }

    #[test]
    fn syntax_diagnostics_are_capped_per_file() {
        let src = "not a parameter\n".repeat(1000);
        let cf = parse(&src);
        assert_eq!(cf.diagnostics.len(), crate::MAX_SYNTAX_DIAGNOSTICS + 1);
        let last = cf.diagnostics.last().unwrap();
        assert_eq!(
            last.message,
            "too many syntax errors: 800 more from here on are not shown"
        );
        // It points at the first error not shown: line 201.
        assert_eq!(last.labels[0].range.start, 200 * 16);
    }

    #[test]
    fn last_definition_wins() {
        let cf = parse("a = 1\na = 2\n");
        assert_eq!(cf.get(b"a").unwrap().value(), b"2");
    }

    #[test]
    fn carriage_returns_are_trimmed_on_single_lines() {
        assert_eq!(pairs("a = b\r\n"), [("a".into(), "b".into())]);
    }
}
