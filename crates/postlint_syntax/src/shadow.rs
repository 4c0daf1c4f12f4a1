//! pest parses `&str`, but Postfix configuration is bytes. A *shadow* is a same-length ASCII copy
//! of the input in which every byte >= 0x80 becomes `\x01`, a byte with no meaning in any of the
//! grammars (Postfix treats high bytes as ordinary text too: its `ISSPACE` is ASCII-only).
//! Parsing the shadow gives offsets that are byte offsets of the original, and all text is
//! taken from the original bytes.

use std::borrow::Cow;

/// The placeholder for a non-ASCII byte.
const PLACEHOLDER: u8 = 0x01;

/// A same-length `&str` view of `bytes` that pest can parse.
pub(crate) fn shadow(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.is_ascii() {
        // ASCII is valid UTF-8, so this never takes the error branch.
        return std::str::from_utf8(bytes)
            .map_or_else(|_| Cow::Owned(String::new()), Cow::Borrowed);
    }
    let ascii: Vec<u8> = bytes
        .iter()
        .map(|&b| if b.is_ascii() { b } else { PLACEHOLDER })
        .collect();
    Cow::Owned(String::from_utf8(ascii).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadow_keeps_length_and_ascii() {
        let input = "caf\u{e9} = \u{1f600}".as_bytes();
        let s = shadow(input);
        assert_eq!(s.len(), input.len());
        assert!(s.starts_with("caf\x01\x01 = "));
        assert_eq!(shadow(b"\xe9t\xe9").as_ref(), "\x01t\x01");
        assert!(matches!(shadow(b"plain"), Cow::Borrowed("plain")));
    }
}
