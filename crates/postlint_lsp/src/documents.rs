//! The documents the editor has open: their text as the editor has it, kept in step with
//! full and incremental changes.

use std::collections::HashMap;

use lsp_types::TextDocumentContentChangeEvent;
use postlint_diagnostics::LineIndex;

use crate::encoding::{Encoding, Lines};

/// One open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The text as the editor has it.
    pub text: String,
    /// The editor's version number.
    pub version: i32,
}

impl Document {
    /// Applies one change event: a ranged edit, or the whole text when there is no range.
    pub fn apply(&mut self, encoding: Encoding, change: TextDocumentContentChangeEvent) {
        let Some(range) = change.range else {
            self.text = change.text;
            return;
        };
        let index = LineIndex::new(self.text.as_bytes());
        let lines = Lines {
            text: self.text.as_bytes(),
            index: &index,
        };
        let range = lines.text_range(encoding, range);
        let (start, end) = (range.start as usize, range.end as usize);
        // Offsets from `Lines::offset` are character boundaries of this (valid UTF-8) text;
        // a range that is not is ignored rather than allowed to panic.
        if self.text.is_char_boundary(start) && self.text.is_char_boundary(end) {
            self.text.replace_range(start..end, &change.text);
        }
    }
}

/// Open documents by URI, as the editor spells it.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<String, Document>,
}

impl Documents {
    /// Records an opened document.
    pub fn open(&mut self, uri: &str, text: String, version: i32) {
        self.open.insert(uri.to_owned(), Document { text, version });
    }

    /// Applies changes to an open document; `false` when it is not open.
    pub fn change(
        &mut self,
        uri: &str,
        version: i32,
        encoding: Encoding,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> bool {
        let Some(doc) = self.open.get_mut(uri) else {
            return false;
        };
        for change in changes {
            doc.apply(encoding, change);
        }
        doc.version = version;
        true
    }

    /// Forgets a closed document.
    pub fn close(&mut self, uri: &str) {
        self.open.remove(uri);
    }

    /// The open document at `uri`.
    pub fn get(&self, uri: &str) -> Option<&Document> {
        self.open.get(uri)
    }

    /// Every open document's URI.
    pub fn uris(&self) -> impl Iterator<Item = &str> {
        self.open.keys().map(String::as_str)
    }

    /// Whether `uri` is open.
    pub fn is_open(&self, uri: &str) -> bool {
        self.open.contains_key(uri)
    }
}

#[cfg(test)]
mod tests {
    use lsp_types::{Position, Range};

    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((l1, c1), (l2, c2))| {
                Range::new(Position::new(l1, c1), Position::new(l2, c2))
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    /// A reference editor: text as characters, positions as (line, UTF-16 column).
    fn reference_offset(chars: &[char], line: u32, col: u32) -> usize {
        let mut l = 0;
        let mut i = 0;
        while l < line && i < chars.len() {
            if chars[i] == '\n' {
                l += 1;
            }
            i += 1;
        }
        let mut units = 0;
        while i < chars.len() && chars[i] != '\n' && units < col {
            units += u32::try_from(chars[i].len_utf16()).unwrap();
            i += 1;
        }
        i
    }

    fn position_of(chars: &[char], index: usize) -> (u32, u32) {
        let mut line = 0;
        let mut col = 0;
        for c in &chars[..index] {
            if *c == '\n' {
                line += 1;
                col = 0;
            } else {
                col += u32::try_from(c.len_utf16()).unwrap();
            }
        }
        (line, col)
    }

    #[test]
    fn random_incremental_edits_match_a_reference_editor() {
        let alphabet = ['a', ' ', '=', '\n', 'é', '😀', '#', '$'];
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % n as u64).unwrap()
        };
        let mut reference: Vec<char> = "a = 😀\n# é\n".chars().collect();
        let mut doc = Document {
            text: reference.iter().collect(),
            version: 1,
        };
        for _ in 0..2000 {
            let a = next(reference.len() + 1);
            let b = next(reference.len() + 1);
            let (start, end) = (a.min(b), a.max(b));
            let insert: String = (0..next(4))
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            let (l1, c1) = position_of(&reference, start);
            let (l2, c2) = position_of(&reference, end);
            doc.apply(Encoding::Utf16, change(Some(((l1, c1), (l2, c2))), &insert));
            assert_eq!(reference_offset(&reference, l1, c1), start);
            reference.splice(start..end, insert.chars());
            assert_eq!(doc.text, reference.iter().collect::<String>());
        }
    }

    #[test]
    fn incremental_edits_count_utf16_units() {
        let mut doc = Document {
            text: "# 😀 note\nmyhostnme = a\n".to_owned(),
            version: 1,
        };
        // `😀` is two UTF-16 units: line 0 column 5 is the `n` of `note`.
        doc.apply(Encoding::Utf16, change(Some(((0, 5), (0, 9))), "memo"));
        doc.apply(Encoding::Utf16, change(Some(((1, 7), (1, 7))), "a"));
        assert_eq!(doc.text, "# 😀 memo\nmyhostname = a\n");
        doc.apply(Encoding::Utf8, change(Some(((0, 2), (0, 6))), ":)"));
        assert_eq!(doc.text, "# :) memo\nmyhostname = a\n");
        doc.apply(Encoding::Utf16, change(None, "x = y\n"));
        assert_eq!(doc.text, "x = y\n");
    }
}
