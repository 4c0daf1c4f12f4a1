//! Helpers shared by the tests that compare postlint with Postfix's `postconf`.

use postlint_diagnostics::LineIndex;
use postlint_postconf::{Fatal, MAIN_CF};

/// Checks that postlint stopped where postconf stopped. `fatal_line` is postconf's
/// `postconf: fatal: …` line; `dir` is the `-c` directory as postconf printed it.
pub fn same_fatal(
    dir: &str,
    fatal_line: &str,
    fatal: &Fatal,
    main: &[u8],
    master: &[u8],
) -> Result<(), String> {
    let d = &fatal.diagnostic;
    let label = d.primary().ok_or("the fatal diagnostic has no span")?;
    let (file, text) = if label.file == MAIN_CF {
        ("main.cf", main)
    } else {
        ("master.cf", master)
    };
    // Postfix numbers a logical line by its first physical line.
    let line = LineIndex::new(text).line_col(label.range.start).line + 1;
    let at = [
        format!("{dir}/{file}, line {line}: "),
        format!("file {dir}/{file}: line {line}: "),
    ];
    if at.iter().any(|p| fatal_line.contains(p.as_str())) {
        return Ok(());
    }
    // "invalid <field> field "<value>" in …" carries no line number: compare field and value.
    if let Some(rest) = fatal_line.strip_prefix("postconf: fatal: invalid ") {
        let mut parts = rest.splitn(3, '"');
        let field = parts.next().unwrap_or_default().trim_end_matches(" field ");
        let value = parts.next().unwrap_or_default();
        if d.message == format!("invalid {field} field `{value}`") {
            return Ok(());
        }
    }
    Err(format!(
        "postconf stopped with `{fatal_line}` but postlint reported `{}` at {file} line {line}",
        d.message
    ))
}

/// postconf's warnings in the order it printed them, without the `postconf: warning: `
/// prefix.
pub fn warning_list(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("postconf: warning: "))
        .map(str::to_owned)
        .collect()
}

/// Whether a warning is one of postconf's "overriding earlier entry" warnings, which it prints
/// while it reads main.cf, in file order.
pub fn is_overriding(warning: &str) -> bool {
    warning.contains(": overriding earlier entry: ")
}

/// The first differing line of two outputs, for failure messages.
pub fn first_difference(ours: &[u8], theirs: &[u8]) -> String {
    let ours = String::from_utf8_lossy(ours);
    let theirs = String::from_utf8_lossy(theirs);
    ours.lines()
        .zip(theirs.lines())
        .find(|(a, b)| a != b)
        .map_or_else(
            || {
                format!(
                    "line counts differ: {} vs {}",
                    ours.lines().count(),
                    theirs.lines().count()
                )
            },
            |(a, b)| format!("first difference:\n    postlint: {a:?}\n    postconf: {b:?}"),
        )
}
