//! Physical lines to logical lines, as Postfix's `readllines()` does, for both files.

use bytes::Bytes;
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
    /// The joined text, as Postfix sees it (a slice of the file for a single-line entry).
    pub text: Bytes,
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

/// Below this size a file is parsed on the calling thread: starting threads costs more than
/// parsing a typical configuration.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Splits `src` into logical lines.
///
/// Single-line entries (nearly all of them) share `src`'s buffer instead of copying it. A large
/// file is cut at line starts that begin an entry and the pieces are parsed in parallel: such a
/// line is always a boundary between entries, so the result is the same as one parse.
pub fn logical_lines(src: &Bytes, file: FileId) -> Lines {
    let mapped = map_lines(src, file, |line, out, _| out.push(line));
    Lines {
        lines: mapped.items,
        diagnostics: mapped.line_diagnostics,
    }
}

/// What [`map_lines`] made of a file.
pub(crate) struct Mapped<T> {
    /// What `each` produced, in file order.
    pub items: Vec<T>,
    /// Indented text with no entry before it, in file order.
    pub line_diagnostics: Vec<Diagnostic>,
    /// What `each` reported, in file order.
    pub item_diagnostics: Vec<Diagnostic>,
}

/// One piece of a file, mapped.
struct Part<T> {
    items: Vec<T>,
    line_diagnostics: Vec<Diagnostic>,
    item_diagnostics: Vec<Diagnostic>,
}

/// Splits `src` into logical lines (as [`logical_lines`]) and hands each to `each`, which
/// turns it into items and diagnostics; on a large file the pieces, `each` included, run in
/// parallel.
pub(crate) fn map_lines<T, F>(src: &Bytes, file: FileId, each: F) -> Mapped<T>
where
    T: Send,
    F: Fn(LogicalLine, &mut Vec<T>, &mut Vec<Diagnostic>) + Sync,
{
    map_lines_in(src, file, chunk_count(src.len()), each)
}

/// [`map_lines`] in `count` pieces.
fn map_lines_in<T, F>(src: &Bytes, file: FileId, count: usize, each: F) -> Mapped<T>
where
    T: Send,
    F: Fn(LogicalLine, &mut Vec<T>, &mut Vec<Diagnostic>) + Sync,
{
    let text = shadow(src);
    let bounds = chunk_bounds(text.as_bytes(), count);
    let parse = |&(start, end): &(usize, usize)| parse_chunk(src, &text, start, end, file, &each);
    let mut parts: Vec<Part<T>> = Vec::with_capacity(bounds.len());
    #[cfg(not(target_arch = "wasm32"))]
    if bounds.len() > 1 {
        std::thread::scope(|scope| {
            let handles: Vec<_> = bounds
                .iter()
                .skip(1)
                .map(|bound| scope.spawn(|| parse(bound)))
                .collect();
            parts.extend(bounds.first().map(parse));
            for handle in handles {
                match handle.join() {
                    Ok(part) => parts.push(part),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
    }
    if parts.is_empty() {
        parts = bounds.iter().map(parse).collect();
    }
    // The first piece's buffers grow to hold the rest (no copy of the first half).
    let total = parts.iter().map(|p| p.items.len()).sum::<usize>();
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Mapped {
            items: Vec::new(),
            line_diagnostics: Vec::new(),
            item_diagnostics: Vec::new(),
        };
    };
    let mut out = Mapped {
        items: first.items,
        line_diagnostics: first.line_diagnostics,
        item_diagnostics: first.item_diagnostics,
    };
    out.items.reserve_exact(total - out.items.len());
    for part in parts {
        out.items.extend(part.items);
        out.line_diagnostics.extend(part.line_diagnostics);
        out.item_diagnostics.extend(part.item_diagnostics);
    }
    out
}

/// How many pieces to parse `len` bytes in.
fn chunk_count(len: usize) -> usize {
    if cfg!(target_arch = "wasm32") || len < PARALLEL_MIN_BYTES {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(len / (PARALLEL_MIN_BYTES / 2))
        .max(1)
}

/// Cuts `text` into up to `count` ranges of about equal size, each starting at offset 0 or at
/// a line that begins an entry (its first byte is neither whitespace nor `#`).
fn chunk_bounds(text: &[u8], count: usize) -> Vec<(usize, usize)> {
    let mut cuts = vec![0];
    for k in 1..count {
        let target = text.len() / count * k;
        let Some(&last) = cuts.last() else { break };
        if let Some(cut) = entry_start_at_or_after(text, target.max(last + 1)) {
            cuts.push(cut);
        }
    }
    cuts.dedup();
    let mut bounds: Vec<(usize, usize)> = cuts
        .iter()
        .copied()
        .zip(cuts.iter().copied().skip(1))
        .collect();
    bounds.push((cuts.last().copied().unwrap_or(0), text.len()));
    bounds
}

/// The first offset at or after `from` that starts a line beginning an entry.
fn entry_start_at_or_after(text: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        // The start of the next line at or after `at`.
        let line = if at > 0 && text.get(at - 1) == Some(&b'\n') {
            at
        } else {
            at + memchr::memchr(b'\n', text.get(at..)?)? + 1
        };
        match text.get(line) {
            None => return None,
            Some(&b) if !(b == b'#' || b == b'\n' || is_blank(b)) => return Some(line),
            Some(_) => at = line + 1,
        }
    }
}

/// The grammar's `blank_char`: C `isspace()` without the newline.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b..=b'\r')
}

/// Parses `text[start..end]`, which starts at offset 0 or at an entry, with spans in `src`,
/// and maps its logical lines with `each`.
fn parse_chunk<T>(
    src: &Bytes,
    text: &str,
    start: usize,
    end: usize,
    file: FileId,
    each: &impl Fn(LogicalLine, &mut Vec<T>, &mut Vec<Diagnostic>),
) -> Part<T> {
    let mut out = Part {
        items: Vec::new(),
        line_diagnostics: Vec::new(),
        item_diagnostics: Vec::new(),
    };
    let chunk = text.get(start..end).unwrap_or_default();
    let Ok(pairs) = LinesParser::parse(Rule::file, chunk) else {
        // The grammar accepts every input; this is a defect, reported rather than hidden.
        out.line_diagnostics.push(Diagnostic::new(
            SYNTAX_RULE,
            SYNTAX_CODE,
            Severity::Error,
            "internal error: the line grammar rejected this file",
            file,
            TextRange::from_usize(start, end),
        ));
        return out;
    };
    let range_of =
        |span: pest::Span<'_>| TextRange::from_usize(start + span.start(), start + span.end());
    // `entry` is silent: its pieces arrive flat, each `head` starting a logical line and each
    // `cont` continuing it.
    let mut current: Option<Pending> = None;
    let finish = |pending: Option<Pending>, out: &mut Part<T>| {
        if let Some(pending) = pending {
            each(
                pending.into_line(src),
                &mut out.items,
                &mut out.item_diagnostics,
            );
        }
    };
    for pair in pairs.flatten() {
        match pair.as_rule() {
            Rule::head => {
                finish(current.take(), &mut out);
                current = Some(Pending::new(range_of(pair.as_span())));
            }
            Rule::cont => {
                if let Some(pending) = &mut current {
                    pending.push(src, range_of(pair.as_span()));
                }
            }
            Rule::orphan => {
                finish(current.take(), &mut out);
                let range = range_of(pair.as_span());
                let shown = String::from_utf8_lossy(range.slice(src));
                out.line_diagnostics.push(
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
    finish(current.take(), &mut out);
    out
}

/// A logical line being assembled from its head and continuation lines.
struct Pending {
    head: TextRange,
    last: TextRange,
    map: SourceMap,
    /// The joined text, once there is a continuation line (a single line needs no copy).
    joined: Option<Vec<u8>>,
}

impl Pending {
    fn new(head: TextRange) -> Self {
        let mut map = SourceMap::default();
        map.push(0, head);
        Self {
            head,
            last: head,
            map,
            joined: None,
        }
    }

    fn push(&mut self, src: &[u8], range: TextRange) {
        let joined = self
            .joined
            .get_or_insert_with(|| self.head.slice(src).to_vec());
        self.map
            .push(u32::try_from(joined.len()).unwrap_or(u32::MAX), range);
        joined.extend_from_slice(range.slice(src));
        self.last = range;
    }

    fn into_line(self, src: &Bytes) -> LogicalLine {
        LogicalLine {
            // One physical line: the text is a slice of the file, no copy.
            text: self
                .joined
                .map_or_else(|| src.slice(self.head.to_usize()), Bytes::from),
            map: self.map,
            range: self.head.cover(self.last),
            head: self.head,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        logical_lines(&Bytes::copy_from_slice(src.as_bytes()), FileId(0))
            .lines
            .iter()
            .map(|l| String::from_utf8(l.text.to_vec()).unwrap())
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
        let lines = logical_lines(
            &Bytes::from_static(b"# top\n  stray text\nx = 1\n"),
            FileId(3),
        );
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
        let lines = logical_lines(&Bytes::from_static(src), FileId(0));
        let line = &lines.lines[0];
        assert_eq!(&line.text[..], b"name = one  two");
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

    /// Lines and diagnostics of `src` parsed in `count` pieces.
    fn in_pieces(src: &[u8], count: usize) -> (Vec<LogicalLine>, Vec<Diagnostic>) {
        let mapped = map_lines_in(
            &Bytes::copy_from_slice(src),
            FileId(0),
            count,
            |l, out, _| {
                out.push(l);
            },
        );
        (mapped.items, mapped.line_diagnostics)
    }

    #[test]
    fn parsing_in_pieces_gives_the_same_lines() {
        // Random files over the bytes the grammar distinguishes: the cut points land on
        // every kind of line, and each must give exactly the one-piece result.
        let alphabet = b"ab= \t\r#\n\n\n\x0b\xe9";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut cut = 0;
        for _ in 0..800 {
            let len = usize::try_from(next() % 120).unwrap();
            let src: Vec<u8> = (0..len)
                .map(|_| alphabet[usize::try_from(next() % alphabet.len() as u64).unwrap()])
                .collect();
            let whole = in_pieces(&src, 1);
            for count in 2..=5 {
                let bounds = chunk_bounds(&src, count);
                cut += bounds.len() - 1;
                assert_eq!(
                    in_pieces(&src, count),
                    whole,
                    "{count} pieces of {:?}",
                    String::from_utf8_lossy(&src)
                );
            }
        }
        // The inputs did get cut (most of them more than once).
        assert!(cut > 2_000, "only {cut} cuts");
    }

    #[test]
    fn pieces_start_at_entries() {
        let src = b"a = 1\n  cont\n# c\nb = 2\n\n c2\nc = 3\nd = 4\n";
        let bounds = chunk_bounds(src, 4);
        assert_eq!(bounds.first().map(|b| b.0), Some(0));
        assert_eq!(bounds.last().map(|b| b.1), Some(src.len()));
        for w in bounds.windows(2) {
            assert_eq!(w[0].1, w[1].0);
            assert!(src[w[1].0].is_ascii_lowercase(), "cut at {}", w[1].0);
            assert_eq!(src[w[1].0 - 1], b'\n');
        }
        assert!(bounds.len() >= 3, "{bounds:?}");
    }

    #[test]
    fn latin1_bytes_are_ordinary_text() {
        let lines = logical_lines(
            &Bytes::from_static(b"# caf\xe9\nname = \xe9t\xe9\n"),
            FileId(0),
        );
        assert_eq!(lines.lines.len(), 1);
        assert_eq!(&lines.lines[0].text[..], b"name = \xe9t\xe9");
    }
}
