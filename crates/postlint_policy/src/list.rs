//! Postfix list splitting, for the `contains`, `lacks`, `before` and `empty` operators.

/// Splits a Postfix list value into elements the way Postfix's `mystrtokq()` does for
/// `CHARS_COMMA_SP`: separators are commas and whitespace; a `{ … }` group stays one element.
pub fn split(value: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start: Option<usize> = None;
    for (i, c) in value.char_indices() {
        let separator = depth == 0 && (c == ',' || c.is_ascii_whitespace());
        if separator {
            if let Some(s) = start.take() {
                items.extend(value.get(s..i));
            }
            continue;
        }
        if start.is_none() {
            start = Some(i);
        }
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if let Some(s) = start {
        items.extend(value.get(s..));
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_commas_and_whitespace_keeping_groups() {
        assert_eq!(split(" a, b\tc,,d "), ["a", "b", "c", "d"]);
        assert_eq!(split("check_x { a, b } , c"), ["check_x", "{ a, b }", "c"]);
        assert!(split(" , ").is_empty());
    }
}
