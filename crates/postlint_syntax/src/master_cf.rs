//! `master.cf`: one service per logical line, eight fields and the command's arguments.
//!
//! Arguments are normalised the way `postconf` does it (`-vo x=y` becomes `-v -o x=y`, braces
//! around option values and arguments are removed) so the views printed by `postlint postconf`
//! match Postfix's, while every token keeps the file range it came from.

use pest::Parser as _;
use postlint_diagnostics::{Diagnostic, FileId, Severity, TextRange};

use crate::lines::{LogicalLine, logical_lines};
use crate::main_cf::is_space;
use crate::shadow::shadow;
use crate::{SYNTAX_CODE, SYNTAX_RULE};

mod grammar {
    //! The generated parser; its `Rule` enum stays private to this module tree.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/master_cf.pest"]
    pub(super) struct MasterCfParser;
}
use grammar::{MasterCfParser, Rule};

/// Deepest `{ }` nesting accepted in one line; deeper text is reported instead of parsed.
pub const MAX_BRACE_DEPTH: usize = 100;

/// Names of the eight fields, as `postconf -F` prints them.
pub const FIELD_NAMES: [&str; 8] = [
    "service",
    "type",
    "private",
    "unprivileged",
    "chroot",
    "wakeup",
    "process_limit",
    "command",
];

/// One token of a master.cf line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The text after postconf's normalisation (braces removed, joined options split).
    pub text: Vec<u8>,
    /// The file range of the source text the token came from.
    pub range: TextRange,
    /// Whether the source text was a `{ }` group.
    pub grouped: bool,
}

impl Token {
    /// The text (lossy for non-UTF-8 bytes).
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.text)
    }
}

/// A `-o name=value` parameter override of one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Parameter name.
    pub name: Vec<u8>,
    /// Value as the daemon sees it.
    pub value: Vec<u8>,
    /// File range of the name (approximate when the token was split from a joined option).
    pub name_range: TextRange,
    /// File range of the value.
    pub value_range: TextRange,
    /// File range from `-o` to the end of the value.
    pub range: TextRange,
}

impl Override {
    /// The name (lossy for non-UTF-8 bytes).
    pub fn name_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.name)
    }

    /// The value (lossy for non-UTF-8 bytes).
    pub fn value_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.value)
    }
}

/// One master.cf entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The eight fields; `fields[7]` is the command name.
    pub fields: [Token; 8],
    /// Arguments after the command, normalised as postconf does.
    pub args: Vec<Token>,
    /// `-o` overrides in order (only those before the first non-option argument).
    pub overrides: Vec<Override>,
    /// The logical line.
    pub line: LogicalLine,
    /// Whether a field value is invalid (Postfix refuses the file).
    pub invalid: bool,
}

impl Service {
    /// Field 1, the service name (`smtp`, `127.0.0.1:submission`, …).
    pub fn name(&self) -> &Token {
        &self.fields[0]
    }

    /// Field 2, the transport type (`inet`, `unix`, `unix-dgram`, `fifo`, `pass`).
    pub fn kind(&self) -> &Token {
        &self.fields[1]
    }

    /// Field 8, the program name.
    pub fn command(&self) -> &Token {
        &self.fields[7]
    }

    /// `name/type`, the key postconf uses for the entry.
    pub fn key(&self) -> String {
        format!("{}/{}", self.name().as_str(), self.kind().as_str())
    }
}

/// A parsed master.cf.
#[derive(Debug, Clone, Default)]
pub struct MasterCf {
    /// Entries in file order (duplicates included; Postfix's master uses the last).
    pub services: Vec<Service>,
    /// Syntax problems. Errors are lines Postfix refuses.
    pub diagnostics: Vec<Diagnostic>,
    /// Index in `diagnostics` of the first problem that makes `postconf` and `master` refuse the
    /// whole file (a bad field count or field value). Problems that only make one daemon exit at
    /// start-up, such as a bare `-o`, do not count.
    pub fatal: Option<usize>,
}

impl MasterCf {
    /// Parses `src`. Never fails: bad lines become diagnostics and parsing continues.
    pub fn parse(src: &[u8], file: FileId) -> Self {
        Self::parse_shared(&bytes::Bytes::copy_from_slice(src), file)
    }

    /// Parses `src` without copying it (see [`logical_lines`]).
    pub fn parse_shared(src: &bytes::Bytes, file: FileId) -> Self {
        let lines = logical_lines(src, file);
        let mut out = Self {
            services: Vec::with_capacity(lines.lines.len()),
            diagnostics: lines.diagnostics,
            fatal: None,
        };
        for line in lines.lines {
            let before = out.diagnostics.len();
            let service = parse_service(line, file, &mut out.diagnostics);
            if out.fatal.is_none() && service.as_ref().is_none_or(|s| s.invalid) {
                out.fatal = Some(before);
            }
            if let Some(service) = service {
                out.services.push(service);
            }
        }
        crate::cap_diagnostics(&mut out.diagnostics, lines.dropped);
        out.diagnostics.extend(lines.limit);
        if let Some(fatal) = out.fatal {
            // The first fatal problem may have been folded into the final count.
            out.fatal = Some(fatal.min(out.diagnostics.len().saturating_sub(1)));
        }
        out
    }
}

fn syntax(severity: Severity, message: String, file: FileId, range: TextRange) -> Diagnostic {
    Diagnostic::new(SYNTAX_RULE, SYNTAX_CODE, severity, message, file, range)
}

/// The deepest `{` nesting in `text` (a `}` outside a group does not count).
fn brace_depth(text: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for &b in text {
        if b == b'{' {
            depth += 1;
            max = max.max(depth);
        } else if b == b'}' && depth > 0 {
            depth -= 1;
        }
    }
    max
}

/// Splits a logical line into raw field ranges (logical offsets).
fn split_fields(line: &LogicalLine) -> Vec<TextRange> {
    let text = shadow(&line.text);
    let Ok(pairs) = MasterCfParser::parse(Rule::fields, &text) else {
        return Vec::new();
    };
    pairs
        .flatten()
        .filter(|p| p.as_rule() == Rule::field)
        .map(|p| TextRange::from_usize(p.as_span().start(), p.as_span().end()))
        .collect()
}

fn parse_service(line: LogicalLine, file: FileId, diags: &mut Vec<Diagnostic>) -> Option<Service> {
    if brace_depth(&line.text) > MAX_BRACE_DEPTH {
        diags.push(syntax(
            Severity::Error,
            format!("`{{ }}` groups nested deeper than {MAX_BRACE_DEPTH} levels"),
            file,
            line.range(),
        ));
        return None;
    }
    let raw = split_fields(&line);
    let tokens: Vec<Token> = raw
        .iter()
        .map(|&r| Token {
            text: r.slice(&line.text).to_vec(),
            range: line.file_range(r),
            grouped: false,
        })
        .collect();
    if tokens.len() < 8 {
        let shown = String::from_utf8_lossy(&line.text);
        diags.push(
            syntax(
                Severity::Error,
                format!("bad field count: `{}`", shown.trim()),
                file,
                line.range(),
            )
            .with_help("a master.cf entry has eight fields: service type private unprivileged chroot wakeup process_limit command; use `-` for a default")
            .with_note(format!("this entry has {} field{}", tokens.len(), if tokens.len() == 1 { "" } else { "s" })),
        );
        return None;
    }
    let mut iter = tokens.into_iter();
    let fields: [Token; 8] = std::array::from_fn(|_| {
        iter.next().unwrap_or(Token {
            text: Vec::new(),
            range: TextRange::default(),
            grouped: false,
        })
    });
    let rest: Vec<Token> = iter.collect();
    let invalid = !check_fields(&fields, file, diags);
    let args = normalize_args(rest, file, diags);
    let overrides = collect_overrides(&args, file, diags);
    Some(Service {
        fields,
        args,
        overrides,
        line,
        invalid,
    })
}

/// postconf's per-field checks; returns false (after reporting) when a field is invalid.
fn check_fields(fields: &[Token; 8], file: FileId, diags: &mut Vec<Diagnostic>) -> bool {
    let [_, kind, private, unprivileged, chroot, wakeup, limit, _] = fields;
    let mut ok = true;
    let mut bad = |field: &Token, name: &str, help: &str| {
        diags.push(
            syntax(
                Severity::Error,
                format!("invalid {name} field `{}`", field.as_str()),
                file,
                field.range,
            )
            .with_help(help.to_owned()),
        );
        ok = false;
    };
    if !matches!(
        kind.text.as_slice(),
        b"inet" | b"unix" | b"unix-dgram" | b"fifo" | b"pass"
    ) {
        bad(
            kind,
            "type",
            "the type is one of `inet`, `unix`, `unix-dgram`, `fifo` or `pass`",
        );
    }
    for (field, name) in [
        (private, "private"),
        (unprivileged, "unprivileged"),
        (chroot, "chroot"),
    ] {
        if !matches!(field.text.as_slice(), b"y" | b"n" | b"-") {
            bad(field, name, "use `y`, `n`, or `-` for the default");
        }
    }
    let digits = wakeup.text.strip_suffix(b"?").unwrap_or(&wakeup.text);
    if wakeup.text != b"-" && !digits.iter().all(u8::is_ascii_digit) {
        bad(
            wakeup,
            "wakeup",
            "the wakeup time is `-`, `0`, a number of seconds, or a number followed by `?`",
        );
    }
    if limit.text != b"-" && !limit.text.iter().all(u8::is_ascii_digit) {
        bad(
            limit,
            "process_limit",
            "the process limit is `-` or a number (`0` means no limit)",
        );
    }
    ok
}

/// Removes the outer `{ }` of a group token and the whitespace inside its edges, as Postfix's
/// `extpar()` does, reporting unbalanced or trailing text.
fn extract_group(token: &Token, file: FileId, diags: &mut Vec<Diagnostic>) -> Token {
    let text = &token.text;
    // Length of the balanced group at the start, including both braces.
    let mut depth = 0usize;
    let mut closed_at = None;
    for (i, &b) in text.iter().enumerate() {
        if b == b'{' {
            depth += 1;
        } else if b == b'}' {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                closed_at = Some(i);
                break;
            }
        }
    }
    let shown = String::from_utf8_lossy(text);
    let (inner_start, inner_end) = match closed_at {
        None => {
            diags.push(
                syntax(
                    Severity::Warning,
                    format!("missing '}}' in `{shown}`"),
                    file,
                    token.range,
                )
                .with_help(
                    "close the group with `}`; Postfix takes the rest of the line as its content",
                ),
            );
            (1, text.len())
        }
        Some(close) => {
            if close + 1 != text.len() {
                diags.push(
                    syntax(
                        Severity::Warning,
                        format!("syntax error after '}}' in `{shown}`"),
                        file,
                        token.range,
                    )
                    .with_help(
                        "put whitespace after the closing `}`; Postfix drops the text after it",
                    ),
                );
            }
            (1, close)
        }
    };
    let mut start = inner_start.min(inner_end);
    let mut end = inner_end;
    while start < end && text.get(start).copied().is_some_and(is_space) {
        start += 1;
    }
    while end > start && text.get(end - 1).copied().is_some_and(is_space) {
        end -= 1;
    }
    Token {
        text: text.get(start..end).unwrap_or_default().to_vec(),
        range: sub_range(token.range, start, end, text.len()),
        grouped: true,
    }
}

/// The file range of bytes `start..end` of a token, when the token maps to one contiguous
/// file range of the same length; otherwise the whole token's range.
fn sub_range(range: TextRange, start: usize, end: usize, len: usize) -> TextRange {
    if range.len() as usize == len {
        TextRange::from_usize(range.start as usize + start, range.start as usize + end)
    } else {
        range
    }
}

/// Splits `name = value` inside a braced `-o` value into `name=value`, as postconf does.
fn normalize_nameval(token: &Token, file: FileId, diags: &mut Vec<Diagnostic>) -> Token {
    if let Some((name, value)) = split_nameval(&token.text) {
        let mut text = name.to_vec();
        text.push(b'=');
        text.extend_from_slice(value);
        Token {
            text,
            range: token.range,
            grouped: true,
        }
    } else {
        {
            diags.push(
                syntax(
                    Severity::Error,
                    format!("missing '=' after attribute name: `{}`", token.as_str()),
                    file,
                    token.range,
                )
                .with_help("write `-o { name = value }`"),
            );
            token.clone()
        }
    }
}

/// Postfix's `split_nameval()` on one token: the name and value, or `None` when there is no
/// name or no `=`.
fn split_nameval(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let start = text.iter().position(|&b| !is_space(b))?;
    let rest = text.get(start..)?;
    let name_len = rest
        .iter()
        .position(|&b| is_space(b) || b == b'=')
        .unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let (name, after) = rest.split_at(name_len);
    let after = after.trim_ascii_start();
    let value = after.strip_prefix(b"=")?;
    let value_start = value
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(value.len());
    let value = value.get(value_start..).unwrap_or_default();
    let value_end = value
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(0, |i| i + 1);
    Some((name, value.get(..value_end).unwrap_or_default()))
}

/// postconf's `pcf_normalize_daemon_args()`.
fn normalize_args(rest: Vec<Token>, file: FileId, diags: &mut Vec<Diagnostic>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(rest.len());
    let mut queue = std::collections::VecDeque::from(rest);
    // Daemon options first.
    while let Some(token) = queue.pop_front() {
        if token.text.first() != Some(&b'-') || token.text == b"--" {
            queue.push_front(token);
            break;
        }
        let mut arg = token;
        // Split "-stuffozz" into "-stuff" and "-ozz".
        if let Some(pos) = arg
            .text
            .iter()
            .skip(2)
            .position(|&b| b == b'o')
            .map(|p| p + 2)
        {
            let tail_text = [b"-".as_slice(), arg.text.get(pos..).unwrap_or_default()].concat();
            let tail = Token {
                text: tail_text,
                range: sub_range(arg.range, pos, arg.text.len(), arg.text.len()),
                grouped: false,
            };
            arg.text.truncate(pos);
            arg.range = sub_range(arg.range, 0, pos, arg.range.len() as usize);
            queue.push_front(tail);
        }
        if arg.text.get(1) != Some(&b'o') {
            out.push(arg);
            continue;
        }
        let value = if arg.text.len() > 2 {
            // Split "-oname=value" into "-o" and "name=value".
            let len = arg.text.len();
            let value = Token {
                text: arg.text.get(2..).unwrap_or_default().to_vec(),
                range: sub_range(arg.range, 2, len, len),
                grouped: false,
            };
            arg.text.truncate(2);
            arg.range = sub_range(arg.range, 0, 2, len);
            Some(value)
        } else {
            queue.pop_front()
        };
        out.push(arg);
        if let Some(value) = value {
            if value.text.first() == Some(&b'{') {
                let inner = extract_group(&value, file, diags);
                out.push(normalize_nameval(&inner, file, diags));
            } else {
                out.push(value);
            }
        }
    }
    // Then non-option arguments: only braces are removed.
    for token in queue {
        if token.text.first() == Some(&b'{') {
            out.push(extract_group(&token, file, diags));
        } else {
            out.push(token);
        }
    }
    out
}

/// The `-o name=value` pairs a daemon will apply, reporting values it would die on.
fn collect_overrides(args: &[Token], file: FileId, diags: &mut Vec<Diagnostic>) -> Vec<Override> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg.text.first() != Some(&b'-') || arg.text == b"--" {
            break;
        }
        if arg.text.get(1) == Some(&b'o') {
            match args.get(i + 1) {
                Some(value) => {
                    if arg.text == b"-o" {
                        if let Some(ov) = make_override(arg, value) {
                            out.push(ov);
                        } else if !value.grouped {
                            diags.push(
                                syntax(
                                    Severity::Error,
                                    format!("invalid `-o {}` option value: missing '=' after attribute name", value.as_str()),
                                    file,
                                    arg.range.cover(value.range),
                                )
                                .with_help("write `-o name=value`; the daemon exits at start-up with this option"),
                            );
                        }
                    }
                    i += 2;
                    continue;
                }
                None => {
                    diags.push(
                        syntax(
                            Severity::Error,
                            "`-o` without a value".to_owned(),
                            file,
                            arg.range,
                        )
                        .with_help(
                            "write `-o name=value`; the daemon exits at start-up with a bare `-o`",
                        ),
                    );
                }
            }
        }
        i += 1;
    }
    out
}

fn make_override(flag: &Token, value: &Token) -> Option<Override> {
    let (name, val) = split_nameval(&value.text)?;
    let text = &value.text;
    let offset = |part: &[u8]| (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let name_start = offset(name);
    let value_start = if val.is_empty() {
        text.len()
    } else {
        offset(val)
    };
    Some(Override {
        name: name.to_vec(),
        value: val.to_vec(),
        name_range: sub_range(value.range, name_start, name_start + name.len(), text.len()),
        value_range: sub_range(
            value.range,
            value_start,
            value_start + val.len(),
            text.len(),
        ),
        range: flag.range.cover(value.range),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> MasterCf {
        MasterCf::parse(src.as_bytes(), FileId(1))
    }

    fn args(s: &Service) -> Vec<String> {
        s.args.iter().map(|t| t.as_str().into_owned()).collect()
    }

    #[test]
    fn eight_fields_and_args() {
        let cf = parse("smtp      inet  n       -       y       -       -       smtpd\n");
        assert!(cf.diagnostics.is_empty());
        let s = &cf.services[0];
        assert_eq!(s.key(), "smtp/inet");
        assert_eq!(s.command().as_str(), "smtpd");
        assert!(s.args.is_empty());
    }

    #[test]
    fn options_are_normalised_like_postconf() {
        // Expected output verified with postconf 3.7.11 -M.
        let cf = parse(
            "a inet n - n - - smtpd -o x -oy=1 -vo z=2 -o { w = a b } -o {bad}junk -o\n  {unclosed = 3\n",
        );
        let s = &cf.services[0];
        assert_eq!(
            args(s),
            [
                "-o",
                "x",
                "-o",
                "y=1",
                "-v",
                "-o",
                "z=2",
                "-o",
                "w=a b",
                "-o",
                "bad",
                "-o",
                "unclosed=3"
            ]
        );
        let names: Vec<_> = s
            .overrides
            .iter()
            .map(|o| (o.name_str().into_owned(), o.value_str().into_owned()))
            .collect();
        assert_eq!(
            names,
            [
                ("y".into(), "1".into()),
                ("z".into(), "2".into()),
                ("w".into(), "a b".into()),
                ("unclosed".into(), "3".into())
            ]
        );
        let msgs: Vec<_> = cf.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "syntax error after '}' in `{bad}junk`",
                "missing '=' after attribute name: `bad`",
                "missing '}' in `{unclosed = 3`",
                "invalid `-o x` option value: missing '=' after attribute name",
            ]
        );
    }

    #[test]
    fn options_stop_at_first_non_option() {
        let cf = parse(
            "b unix - - n - - pipe flags=R argv=/bin/x { a b } {c}d -o q=1\nc unix - - n - - smtpd -- -o q=1\n",
        );
        assert_eq!(
            args(&cf.services[0]),
            ["flags=R", "argv=/bin/x", "a b", "c", "-o", "q=1"]
        );
        assert!(cf.services[0].overrides.is_empty());
        assert!(cf.services[1].overrides.is_empty());
    }

    #[test]
    fn override_spans_point_at_name_and_value() {
        let src = "submission inet n - n - - smtpd\n  -o smtpd_tls_security_level=may\n  -o { smtpd_banner = hi there }\n";
        let cf = parse(src);
        let ov = &cf.services[0].overrides;
        assert_eq!(
            &src[ov[0].name_range.to_usize()],
            "smtpd_tls_security_level"
        );
        assert_eq!(&src[ov[0].value_range.to_usize()], "may");
        assert_eq!(
            &src[ov[0].range.to_usize()],
            "-o smtpd_tls_security_level=may"
        );
        assert_eq!(&src[ov[1].name_range.to_usize()], "smtpd_banner = hi there");
        assert_eq!(ov[1].value, b"hi there");
    }

    #[test]
    fn field_errors_are_reported_per_field_and_parsing_continues() {
        let cf = parse(
            "a inet x - n - - smtpd\nb bogus - - n - - smtpd\nc unix - - n 10x 5a smtpd\nd unix - - n\ne unix - - n 5? 7 smtpd\nf unix - - n ? - smtpd\n",
        );
        let msgs: Vec<_> = cf.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "invalid private field `x`",
                "invalid type field `bogus`",
                "invalid wakeup field `10x`",
                "invalid process_limit field `5a`",
                "bad field count: `d unix - - n`",
            ]
        );
        assert_eq!(cf.services.len(), 5);
        assert_eq!(cf.fatal, Some(0));
        assert_eq!(parse("a unix - - n - - smtpd -o\n").fatal, None);
        assert!(cf.services[0].invalid && !cf.services[3].invalid && !cf.services[4].invalid);
        // The wakeup field's span is the field itself.
        assert_eq!(cf.diagnostics[2].labels[0].range, TextRange::new(60, 63));
    }

    #[test]
    fn commented_service_leaves_its_options_to_the_service_above() {
        let cf = parse(
            "smtp inet n - n - - smtpd\n#submission inet n - n - - smtpd\n  -o smtpd_tls_security_level=encrypt\n",
        );
        assert_eq!(cf.services.len(), 1);
        assert_eq!(
            cf.services[0].overrides[0].name,
            b"smtpd_tls_security_level"
        );
    }

    #[test]
    fn deep_braces_are_refused_not_recursed() {
        let line = format!("a unix - - n - - pipe {}\n", "{".repeat(100_000));
        let cf = parse(&line);
        assert!(cf.services.is_empty());
        assert_eq!(cf.diagnostics.len(), 1);
    }
}
