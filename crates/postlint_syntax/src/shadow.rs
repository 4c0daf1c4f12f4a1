//! pest parses `&str`, but Postfix configuration is bytes. Text that is valid UTF-8 is parsed as
//! it is: the grammars name ASCII characters only, and a multi-byte character, like any other
//! byte Postfix gives no meaning (its `ISSPACE` is ASCII-only), is ordinary text to them. Other
//! text gets a *shadow*: a same-length ASCII copy in which every byte >= 0x80 becomes `\x01`,
//! a byte with no meaning in any of the grammars. Either way offsets are byte offsets of the
//! original, and all text is taken from the original bytes.

use std::borrow::Cow;

/// The placeholder for a non-ASCII byte.
const PLACEHOLDER: u8 = 0x01;

/// A same-length `&str` view of `bytes` that pest can parse: `bytes` itself when it is UTF-8
/// (one pass, no copy).
pub(crate) fn shadow(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
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
        // UTF-8 is its own view; other text gets placeholders, byte for byte.
        let input = "caf\u{e9} = \u{1f600}".as_bytes();
        assert!(matches!(
            shadow(input),
            Cow::Borrowed("caf\u{e9} = \u{1f600}")
        ));
        let input = b"caf\xc3\xa9 = \xff";
        let s = shadow(input);
        assert_eq!(s.len(), input.len());
        assert_eq!(s.as_ref(), "caf\x01\x01 = \x01");
        assert_eq!(shadow(b"\xe9t\xe9").as_ref(), "\x01t\x01");
        assert!(matches!(shadow(b"plain"), Cow::Borrowed("plain")));
    }
}
