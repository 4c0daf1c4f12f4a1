//! Positions at the edge: LSP counts columns in the negotiated encoding (UTF-16 unless the
//! client offers UTF-8); postlint counts bytes. Every conversion goes through the file's
//! [`LineIndex`], so a non-ASCII comment or a Latin-1 byte never shifts a column.

use lsp_types::{Position, PositionEncodingKind, Range};
use postlint_diagnostics::{LineIndex, TextRange};

/// How columns are counted, as negotiated at `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-16 code units: the LSP default, and what VS Code uses.
    #[default]
    Utf16,
    /// Bytes of UTF-8 (Neovim and Helix offer it).
    Utf8,
}

impl Encoding {
    /// Picks UTF-8 when the client offers it, else the UTF-16 default.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        if offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8)) {
            Self::Utf8
        } else {
            Self::Utf16
        }
    }

    /// The kind announced in the server capabilities.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Self::Utf16 => PositionEncodingKind::UTF16,
            Self::Utf8 => PositionEncodingKind::UTF8,
        }
    }
}

/// One file's text and line index, for converting positions.
#[derive(Debug, Clone, Copy)]
pub struct Lines<'a> {
    /// The bytes.
    pub text: &'a [u8],
    /// Their line starts.
    pub index: &'a LineIndex,
}

impl Lines<'_> {
    /// The LSP position of byte `offset`.
    pub fn position(&self, encoding: Encoding, offset: u32) -> Position {
        let lc = self.index.line_col(offset);
        let character = match encoding {
            Encoding::Utf8 => lc.col,
            Encoding::Utf16 => self.index.utf16_col(self.text, offset),
        };
        Position::new(lc.line, character)
    }

    /// The LSP range of `range`.
    pub fn range(&self, encoding: Encoding, range: TextRange) -> Range {
        Range::new(
            self.position(encoding, range.start),
            self.position(encoding, range.end),
        )
    }

    /// The byte offset of `position`, clamped to its line (and to the end of the file for a
    /// line past the end). In UTF-8 a column inside a multi-byte character moves back to the
    /// character's start, so the offset is always a character boundary of valid text.
    pub fn offset(&self, encoding: Encoding, position: Position) -> u32 {
        match encoding {
            Encoding::Utf16 => {
                self.index
                    .offset_of_utf16(self.text, position.line, position.character)
            }
            Encoding::Utf8 => {
                let len = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
                let Some(start) = self.index.line_start(position.line) else {
                    return len;
                };
                let end = self
                    .index
                    .line_start(position.line + 1)
                    .map_or(len, |next| next.saturating_sub(1));
                let mut offset = start.saturating_add(position.character).min(end);
                // Back up to a character boundary: continuation bytes are 0b10xx_xxxx.
                while offset > start
                    && self
                        .text
                        .get(offset as usize)
                        .is_some_and(|&b| b & 0xC0 == 0x80)
                {
                    offset -= 1;
                }
                offset
            }
        }
    }

    /// The byte range of an LSP range.
    pub fn text_range(&self, encoding: Encoding, range: Range) -> TextRange {
        TextRange::new(
            self.offset(encoding, range.start),
            self.offset(encoding, range.end),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[u8]) -> (LineIndex, &[u8]) {
        (LineIndex::new(text), text)
    }

    #[test]
    fn utf16_and_utf8_columns_round_trip() {
        let (index, text) = lines("# é😀\nx = é😀 $y\n".as_bytes());
        let l = Lines {
            text,
            index: &index,
        };
        let y = u32::try_from(text.iter().position(|&b| b == b'$').unwrap()).unwrap();
        // Line 1 is `x = é😀 $y`: `$` is at byte 11, UTF-16 column 8.
        assert_eq!(l.position(Encoding::Utf16, y), Position::new(1, 8));
        assert_eq!(l.position(Encoding::Utf8, y), Position::new(1, 11));
        assert_eq!(l.offset(Encoding::Utf16, Position::new(1, 8)), y);
        assert_eq!(l.offset(Encoding::Utf8, Position::new(1, 11)), y);
    }

    #[test]
    fn offsets_clamp_to_the_line_and_to_character_boundaries() {
        let (index, text) = lines("é\nab".as_bytes());
        let l = Lines {
            text,
            index: &index,
        };
        // Inside `é` (bytes 0..2): back to its start.
        assert_eq!(l.offset(Encoding::Utf8, Position::new(0, 1)), 0);
        // Past the end of line 0: its end, before the newline.
        assert_eq!(l.offset(Encoding::Utf8, Position::new(0, 9)), 2);
        assert_eq!(l.offset(Encoding::Utf16, Position::new(0, 9)), 2);
        // Past the last line: the end of the file.
        assert_eq!(l.offset(Encoding::Utf8, Position::new(7, 0)), 5);
        assert_eq!(l.offset(Encoding::Utf16, Position::new(7, 0)), 5);
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF16])),
            Encoding::Utf16
        );
        assert_eq!(
            Encoding::negotiate(Some(&[
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ])),
            Encoding::Utf8
        );
    }
}
