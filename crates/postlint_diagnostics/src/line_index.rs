//! Line starts of one file, for turning byte offsets into line/column positions at the edges.

use crate::text_range::to_u32;

/// A zero-based line and a zero-based column counted in bytes from the line start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Zero-based line.
    pub line: u32,
    /// Zero-based byte column.
    pub col: u32,
}

/// Byte offsets of every line start of a file. Lines end at `\n` only, as Postfix reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &[u8]) -> Self {
        // memchr finds newlines many bytes at a time; a large main.cf is indexed several
        // times (report, postconf warnings, rendering).
        let mut line_starts = Vec::with_capacity(text.len() / 64 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text).map(|i| to_u32(i + 1)));
        Self {
            line_starts,
            len: to_u32(text.len()),
        }
    }

    /// Number of lines (a file ending in `\n` has an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The line and byte column of `offset` (clamped to the end of the file).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        LineCol {
            line: to_u32(line),
            col: offset - start,
        }
    }

    /// Byte offset of the start of zero-based `line`, if the file has it.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.line_starts.get(line as usize).copied()
    }

    /// The column of `offset` in UTF-16 code units, as LSP and JavaScript count them.
    ///
    /// Bytes that are not valid UTF-8 count as one unit each (they are shown as U+FFFD).
    pub fn utf16_col(&self, text: &[u8], offset: u32) -> u32 {
        let lc = self.line_col(offset);
        let start = self.line_starts.get(lc.line as usize).copied().unwrap_or(0) as usize;
        let prefix = text.get(start..start + lc.col as usize).unwrap_or_default();
        utf16_len(prefix)
    }

    /// The column of `offset` in Unicode scalar values, as humans, SARIF
    /// (`unicodeCodePoints`) and the JSON output count them. Invalid bytes count one each.
    pub fn char_col(&self, text: &[u8], offset: u32) -> u32 {
        let lc = self.line_col(offset);
        let start = self.line_starts.get(lc.line as usize).copied().unwrap_or(0) as usize;
        let prefix = text.get(start..start + lc.col as usize).unwrap_or_default();
        let mut chars = 0u32;
        for chunk in prefix.utf8_chunks() {
            chars += to_u32(chunk.valid().chars().count() + chunk.invalid().len());
        }
        chars
    }

    /// The byte offset of a zero-based `line` and UTF-16 `col`, clamped to the line's end.
    pub fn offset_of_utf16(&self, text: &[u8], line: u32, col: u32) -> u32 {
        let Some(start) = self.line_start(line) else {
            return self.len;
        };
        let end = self
            .line_start(line + 1)
            .map_or(self.len, |next| next.saturating_sub(1));
        let bytes = text.get(start as usize..end as usize).unwrap_or_default();
        let mut units = 0u32;
        let mut pos = 0usize;
        for chunk in bytes.utf8_chunks() {
            for ch in chunk.valid().chars() {
                if units >= col {
                    return start + to_u32(pos);
                }
                units += to_u32(ch.len_utf16());
                pos += ch.len_utf8();
            }
            for _ in chunk.invalid() {
                if units >= col {
                    return start + to_u32(pos);
                }
                units += 1;
                pos += 1;
            }
        }
        start + to_u32(pos)
    }
}

/// Length of `bytes` in UTF-16 code units; each invalid byte counts as one unit.
pub fn utf16_len(bytes: &[u8]) -> u32 {
    let mut units = 0u32;
    for chunk in bytes.utf8_chunks() {
        units += chunk
            .valid()
            .chars()
            .map(|c| to_u32(c.len_utf16()))
            .sum::<u32>();
        units += to_u32(chunk.invalid().len());
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_of_offsets() {
        let text = b"ab\ncd\n\nef";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(0), LineCol { line: 0, col: 0 });
        assert_eq!(idx.line_col(2), LineCol { line: 0, col: 2 });
        assert_eq!(idx.line_col(3), LineCol { line: 1, col: 0 });
        assert_eq!(idx.line_col(7), LineCol { line: 3, col: 0 });
        assert_eq!(idx.line_col(99), LineCol { line: 3, col: 2 });
    }

    #[test]
    fn utf16_columns_skip_multibyte_and_latin1() {
        // "é" is two UTF-8 bytes but one UTF-16 unit; "😀" is four bytes and two units.
        let text = "# é😀 x = y\nz".as_bytes();
        let idx = LineIndex::new(text);
        let x = u32::try_from(text.iter().position(|&b| b == b'x').unwrap()).unwrap();
        assert_eq!(idx.line_col(x).col, 9);
        assert_eq!(idx.utf16_col(text, x), 6);
        assert_eq!(idx.offset_of_utf16(text, 0, 6), x);
        // A lone Latin-1 byte counts as one unit.
        let latin1 = b"#\xe9 x";
        let idx = LineIndex::new(latin1);
        assert_eq!(idx.utf16_col(latin1, 3), 3);
    }

    #[test]
    fn char_columns_count_scalar_values_and_invalid_bytes() {
        let text = "# é😀 x = y\nz".as_bytes();
        let idx = LineIndex::new(text);
        let x = u32::try_from(text.iter().position(|&b| b == b'x').unwrap()).unwrap();
        assert_eq!(idx.char_col(text, x), 5);
        assert_eq!(idx.char_col(b"#\xe9\xe9 x", 4), 4);
    }
}
