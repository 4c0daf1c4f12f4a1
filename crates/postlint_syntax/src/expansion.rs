//! The `$`-expansion language of Postfix parameter values (`$name`, `${name?{text}:{other}}`,
//! `${{$a} <level {3.6} ? {x} : {y}}`, `${domain_to_ascii{$mydomain}}`, ...), parsed into a tree
//! whose every node keeps its byte range.
//!
//! The parser follows Postfix's own two stages: `util/mac_parse.c` finds references (the body
//! of `${...}` ends at the `}` that balances the opening brace, counting braces only; `$(...)`
//! counts parentheses only), then `util/mac_expand.c` parses each body. Operands are parsed
//! again as text, so nesting works exactly as in Postfix.
//!
//! Syntax depends on the target release:
//! - braced operands `?{..}` / `:{..}`, if/else and relational expressions: Postfix >= 3.0;
//! - compatibility-level operators (`<level`, `<=level`, ...): Postfix >= 3.6;
//! - function calls `${name{text}}` (`domain_to_ascii`, `domain_to_utf8`): Postfix >= 3.11.
//!
//! [`parse`] never fails. Everything Postfix rejects as a macro processing error (which is fatal
//! for every Postfix program) is reported as an [`ExpansionError`]; the offending reference is
//! kept as literal text and parsing continues after it.
//!
//! Accept/reject behaviour was checked against Debian's `postconf` 3.7.11, including a random
//! differential run of a few thousand expressions. Beyond what Postfix rejects while parsing,
//! two evaluation-time failures are reported when the operands are literal: a malformed
//! compatibility level under a `level` operator and an all-digit operand too large for a C
//! `long`. `${ }` and `${?x}` are accepted as Postfix does (they read the empty name); they
//! appear as [`RefForm::Name`] with an empty name and are left out of [`Expr::references`].
//! The function form follows the Postfix 3.12 documentation (`${name{value}}`); blanks between
//! the name and `{` are accepted, which no 3.11 binary has confirmed.
//!
//! Guarantees for hostile input: nesting deeper than [`MAX_NESTING`] is refused before pest
//! runs (the whole value then stays literal), and every rule is linear, so a megabyte of `${`
//! parses quickly and cannot overflow the stack. Each nesting level reparses its body, as
//! Postfix does, so the worst case is `MAX_NESTING` passes over the value.

use std::fmt;

use pest::Parser as _;
use pest::iterators::Pair;
use postlint_diagnostics::TextRange;

use crate::PostfixVersion;

/// The pest parser; private so that neither it nor its `Rule` enum leaves the module.
mod grammar {
    /// Generated from `grammar/expansion.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/expansion.pest"]
    pub(super) struct ExpansionParser;
}

use grammar::{ExpansionParser, Rule};

/// Deepest nesting of braces or parentheses accepted in one value. Postfix stops at 100 nested
/// macro calls ("unreasonable macro call nesting"); deeper input is reported and kept literal.
pub const MAX_NESTING: usize = 100;

/// At most this many errors are recorded for one value; the rest are summarised in one error.
const MAX_ERRORS: usize = 100;

/// User text quoted in messages is cut after this many characters.
const SNIPPET_CHARS: usize = 40;

/// Functions known to Postfix 3.11 (`util/mac_midna.c`).
const FUNCTIONS: [(&str, Function); 2] = [
    ("domain_to_ascii", Function::DomainToAscii),
    ("domain_to_utf8", Function::DomainToUtf8),
];

/// What to parse for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ExpansionOptions {
    /// The Postfix release whose syntax applies.
    pub version: PostfixVersion,
}

impl ExpansionOptions {
    /// Options for `version`.
    pub fn new(version: PostfixVersion) -> Self {
        Self { version }
    }
}

/// The result of [`parse`]: a best-effort tree plus every syntax error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The value as a tree. Malformed references appear as [`Piece::Literal`].
    pub expr: Expr,
    /// Syntax errors, in the order found. Postfix stops with "macro processing error" on each
    /// when it expands the reference (postconf's scan of `main.cf` reports them all).
    pub errors: Vec<ExpansionError>,
}

impl Parsed {
    /// Whether the value parsed without error.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// One syntax error in an expansion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExpansionError {
    /// Byte range in the text given to [`parse`].
    pub range: TextRange,
    /// Lowercase message in Postfix terms, user text in backticks, no trailing period.
    pub message: String,
}

impl fmt::Display for ExpansionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExpansionError {}

/// A sequence of literal text and references: a whole value, or one operand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expr {
    /// The bytes this expression covers (for a braced operand, the text inside the braces).
    pub range: TextRange,
    /// The parts, in order. Adjacent literal text is merged into one piece.
    pub pieces: Vec<Piece>,
}

/// One part of an [`Expr`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Verbatim text; read it from the original bytes with [`TextRange::slice`].
    Literal(TextRange),
    /// `$$`, which stands for one literal `$`.
    Dollar(TextRange),
    /// A `$name`, `${...}` or `$(...)` reference.
    Ref(Box<Reference>),
}

impl Piece {
    /// The bytes this piece covers.
    pub fn range(&self) -> TextRange {
        match self {
            Self::Literal(range) | Self::Dollar(range) => *range,
            Self::Ref(reference) => reference.range,
        }
    }
}

/// One well-formed reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The whole reference, from `$` to the closing delimiter.
    pub range: TextRange,
    /// How it is delimited.
    pub style: RefStyle,
    /// What it does.
    pub form: RefForm,
}

/// The delimiters of a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefStyle {
    /// `$name`.
    Plain,
    /// `${...}`.
    Braced,
    /// `$(...)`, the legacy spelling.
    Paren,
}

/// The kinds of reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefForm {
    /// `$name`, `${name}`, `$(name)`: the value of `name`. The name is empty for `${ }`, which
    /// Postfix accepts (it looks up the empty name and warns that it is undefined).
    Name {
        /// The parameter name.
        name: String,
        /// Where the name is.
        name_range: TextRange,
    },
    /// `${name?text}`, `${name?{text}}`: `then` if `name` is non-empty, else nothing.
    IfSet {
        /// The parameter tested.
        name: String,
        /// Where the name is.
        name_range: TextRange,
        /// The text produced when the parameter is non-empty.
        then: Operand,
    },
    /// `${name:text}`, `${name:{text}}`: `otherwise` if `name` is empty or undefined.
    IfUnset {
        /// The parameter tested.
        name: String,
        /// Where the name is.
        name_range: TextRange,
        /// The text produced when the parameter is empty or undefined.
        otherwise: Operand,
    },
    /// `${name?{then}:{otherwise}}` or `${name?{then}:otherwise}` (Postfix >= 3.0).
    IfElse {
        /// The parameter tested.
        name: String,
        /// Where the name is.
        name_range: TextRange,
        /// The text produced when the parameter is non-empty.
        then: Operand,
        /// The text produced otherwise.
        otherwise: Operand,
    },
    /// `${{lhs} OP {rhs}}`, optionally with `?then`, `:otherwise` or both (Postfix >= 3.0).
    /// Without either the reference produces `true` or nothing.
    Compare {
        /// Left operand (always braced).
        lhs: Operand,
        /// The operator.
        op: CompareOp,
        /// Where the operator (with its `level` suffix) is.
        op_range: TextRange,
        /// Right operand (always braced).
        rhs: Operand,
        /// The text produced when the comparison holds.
        then: Option<Operand>,
        /// The text produced when it does not.
        otherwise: Option<Operand>,
    },
    /// `${name{arg}}`: a function call (Postfix >= 3.11).
    Function {
        /// Which function.
        function: Function,
        /// The function name as written.
        name: String,
        /// Where the name is.
        name_range: TextRange,
        /// The argument (always braced; Postfix trims blanks around it before the call).
        arg: Operand,
    },
}

/// An operand of a conditional, comparison or function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operand {
    /// The operand as written, braces included.
    pub range: TextRange,
    /// Whether it is a `{...}` operand. An unbraced operand is the whole rest of the reference,
    /// leading blanks included.
    pub braced: bool,
    /// The operand text (inside the braces), itself subject to expansion.
    pub expr: Expr,
}

/// The relational operators of `${{a} OP {b}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>=`.
    Ge,
    /// `>`.
    Gt,
    /// `==level` (Postfix >= 3.6; compares compatibility levels such as `3.10` and `3.9`).
    LevelEq,
    /// `!=level`.
    LevelNe,
    /// `<level`.
    LevelLt,
    /// `<=level`.
    LevelLe,
    /// `>=level`.
    LevelGe,
    /// `>level`.
    LevelGt,
}

impl CompareOp {
    /// The operator as written in `main.cf`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Ge => ">=",
            Self::Gt => ">",
            Self::LevelEq => "==level",
            Self::LevelNe => "!=level",
            Self::LevelLt => "<level",
            Self::LevelLe => "<=level",
            Self::LevelGe => ">=level",
            Self::LevelGt => ">level",
        }
    }

    /// Whether this compares compatibility levels.
    pub fn is_level(self) -> bool {
        matches!(
            self,
            Self::LevelEq
                | Self::LevelNe
                | Self::LevelLt
                | Self::LevelLe
                | Self::LevelGe
                | Self::LevelGt
        )
    }

    /// The plain operator for `op` and whether `level` follows it.
    fn from_parts(op: &str, level: bool) -> Option<Self> {
        Some(match (op, level) {
            ("==", false) => Self::Eq,
            ("!=", false) => Self::Ne,
            ("<", false) => Self::Lt,
            ("<=", false) => Self::Le,
            (">=", false) => Self::Ge,
            (">", false) => Self::Gt,
            ("==", true) => Self::LevelEq,
            ("!=", true) => Self::LevelNe,
            ("<", true) => Self::LevelLt,
            ("<=", true) => Self::LevelLe,
            (">=", true) => Self::LevelGe,
            (">", true) => Self::LevelGt,
            _ => return None,
        })
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The functions of `${name{arg}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// `domain_to_ascii`: IDNA A-label form of a domain.
    DomainToAscii,
    /// `domain_to_utf8`: IDNA U-label form of a domain.
    DomainToUtf8,
}

impl Function {
    /// The function name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DomainToAscii => "domain_to_ascii",
            Self::DomainToUtf8 => "domain_to_utf8",
        }
    }
}

impl Reference {
    /// The parameter this reference reads or tests, if any (comparisons and function calls
    /// have none of their own; their operands may).
    pub fn name(&self) -> Option<&str> {
        self.name_and_range().map(|(name, _)| name)
    }

    /// The parameter name with its range, if any.
    pub fn name_and_range(&self) -> Option<(&str, TextRange)> {
        match &self.form {
            RefForm::Name { name, name_range }
            | RefForm::IfSet {
                name, name_range, ..
            }
            | RefForm::IfUnset {
                name, name_range, ..
            }
            | RefForm::IfElse {
                name, name_range, ..
            } => Some((name.as_str(), *name_range)),
            RefForm::Compare { .. } | RefForm::Function { .. } => None,
        }
    }

    /// The operands, in source order.
    pub fn operands(&self) -> Vec<&Operand> {
        match &self.form {
            RefForm::Name { .. } => Vec::new(),
            RefForm::IfSet { then, .. } => vec![then],
            RefForm::IfUnset { otherwise, .. } => vec![otherwise],
            RefForm::IfElse {
                then, otherwise, ..
            } => vec![then, otherwise],
            RefForm::Compare {
                lhs,
                rhs,
                then,
                otherwise,
                ..
            } => {
                let mut all = vec![lhs, rhs];
                all.extend(then.iter());
                all.extend(otherwise.iter());
                all
            }
            RefForm::Function { arg, .. } => vec![arg],
        }
    }
}

impl Expr {
    /// An expression that is one piece of literal text (none if `range` is empty).
    pub fn literal(range: TextRange) -> Self {
        let pieces = if range.is_empty() {
            Vec::new()
        } else {
            vec![Piece::Literal(range)]
        };
        Self { range, pieces }
    }

    /// Whether the expression contains no reference (it may contain `$$`).
    pub fn is_static(&self) -> bool {
        !self
            .pieces
            .iter()
            .any(|piece| matches!(piece, Piece::Ref(_)))
    }

    /// The value of a reference-free expression (`$$` becomes `$`), or `None` if it has
    /// references.
    pub fn static_value(&self, text: &[u8]) -> Option<Vec<u8>> {
        let mut value = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(range) => value.extend_from_slice(range.slice(text)),
                Piece::Dollar(_) => value.push(b'$'),
                Piece::Ref(_) => return None,
            }
        }
        Some(value)
    }

    /// Every reference, nested ones included, in source order (a reference comes before the
    /// references inside its operands).
    pub fn walk(&self) -> Walk<'_> {
        Walk {
            stack: vec![self.pieces.iter()],
        }
    }

    /// Every parameter name referenced anywhere: plain references, tested names, and names
    /// inside every operand and branch, in source order, duplicates kept. The empty name of
    /// `${ }` is left out.
    pub fn references(&self) -> impl Iterator<Item = &str> {
        self.reference_spans().map(|(name, _)| name)
    }

    /// Like [`Expr::references`], with the range of each name.
    pub fn reference_spans(&self) -> impl Iterator<Item = (&str, TextRange)> {
        self.walk()
            .filter_map(Reference::name_and_range)
            .filter(|(name, _)| !name.is_empty())
    }
}

/// Iterator over the references of an [`Expr`], see [`Expr::walk`].
#[derive(Debug, Clone)]
pub struct Walk<'a> {
    stack: Vec<std::slice::Iter<'a, Piece>>,
}

impl<'a> Iterator for Walk<'a> {
    type Item = &'a Reference;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                None => {
                    self.stack.pop();
                }
                Some(Piece::Ref(reference)) => {
                    let operands = reference.operands();
                    self.stack.extend(
                        operands
                            .iter()
                            .rev()
                            .map(|operand| operand.expr.pieces.iter()),
                    );
                    return Some(reference);
                }
                Some(Piece::Literal(_) | Piece::Dollar(_)) => {}
            }
        }
    }
}

/// Parses `text`, one parameter value, as Postfix `options.version` would. Never fails.
pub fn parse(text: &[u8], options: ExpansionOptions) -> Parsed {
    let whole = TextRange::from_usize(0, text.len());
    // The common case: no `$`, no pest.
    if !text.contains(&b'$') {
        return Parsed {
            expr: Expr::literal(whole),
            errors: Vec::new(),
        };
    }
    if let Some(at) = excessive_nesting(text) {
        return Parsed {
            expr: Expr::literal(whole),
            errors: vec![ExpansionError {
                range: TextRange::from_usize(at, at.saturating_add(1)),
                message: format!(
                    "unreasonable macro call nesting: more than {MAX_NESTING} nested braces or parentheses"
                ),
            }],
        };
    }
    let shadow = shadow(text);
    let mut walker = Walker {
        text,
        shadow: &shadow,
        version: options.version,
        errors: Vec::new(),
        suppressed: 0,
    };
    let expr = walker.text(0, text.len(), 0);
    let mut errors = walker.errors;
    if walker.suppressed > 0 {
        errors.push(ExpansionError {
            range: whole,
            message: format!(
                "{} more expansion errors in this value are not shown",
                walker.suppressed
            ),
        });
    }
    Parsed { expr, errors }
}

/// The offset of the first `{` or `(` that opens more than [`MAX_NESTING`] levels, counting
/// braces and parentheses separately (as Postfix does) and ignoring unmatched closers.
fn excessive_nesting(text: &[u8]) -> Option<usize> {
    let (mut braces, mut parens) = (0usize, 0usize);
    for (at, &byte) in text.iter().enumerate() {
        let depth = match byte {
            b'{' => &mut braces,
            b'(' => &mut parens,
            b'}' => {
                braces = braces.saturating_sub(1);
                continue;
            }
            b')' => {
                parens = parens.saturating_sub(1);
                continue;
            }
            _ => continue,
        };
        *depth += 1;
        if *depth > MAX_NESTING {
            return Some(at);
        }
    }
    None
}

/// A same-length ASCII copy of `bytes` for pest: bytes >= 0x80 become `\x01`, which means
/// nothing in the grammar (Postfix's character classes are ASCII-only too).
fn shadow(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&byte| {
            if byte.is_ascii() {
                char::from(byte)
            } else {
                '\x01'
            }
        })
        .collect()
}

/// Builds the tree from pest's tokens and collects errors.
struct Walker<'t> {
    /// The original bytes.
    text: &'t [u8],
    /// Their ASCII shadow, parsed by pest.
    shadow: &'t str,
    /// Target release.
    version: PostfixVersion,
    /// Errors so far (at most [`MAX_ERRORS`]).
    errors: Vec<ExpansionError>,
    /// Errors not recorded because of the cap.
    suppressed: usize,
}

/// A pest token.
type Token<'i> = Pair<'i, Rule>;

/// Absolute byte bounds of a token parsed from the shadow slice starting at `base`.
fn bounds(token: &Token<'_>, base: usize) -> (usize, usize) {
    let span = token.as_span();
    (base + span.start(), base + span.end())
}

/// Absolute range of a token.
fn range_of(token: &Token<'_>, base: usize) -> TextRange {
    let (start, end) = bounds(token, base);
    TextRange::from_usize(start, end)
}

/// The children of a token, without the `EOI` markers.
fn children(token: Token<'_>) -> impl Iterator<Item = Token<'_>> {
    token
        .into_inner()
        .filter(|child| child.as_rule() != Rule::EOI)
}

/// Appends a literal piece, merging it with a directly preceding one.
fn push_literal(pieces: &mut Vec<Piece>, range: TextRange) {
    if range.is_empty() {
        return;
    }
    if let Some(Piece::Literal(last)) = pieces.last_mut()
        && last.end == range.start
    {
        last.end = range.end;
        return;
    }
    pieces.push(Piece::Literal(range));
}

/// Whether `bytes` is all digits but too large for Postfix's numeric comparison (a C `long`).
fn is_out_of_range_number(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes.iter().all(u8::is_ascii_digit)
        && std::str::from_utf8(bytes).is_ok_and(|s| s.parse::<i64>().is_err())
}

impl Walker<'_> {
    /// Records an error, up to the cap. The message is only built when it is kept.
    fn error(&mut self, range: TextRange, message: impl FnOnce(&Self) -> String) {
        if self.errors.len() < MAX_ERRORS {
            let message = message(self);
            self.errors.push(ExpansionError { range, message });
        } else {
            self.suppressed += 1;
        }
    }

    /// User text for a message: lossy UTF-8, control characters escaped, cut after
    /// [`SNIPPET_CHARS`] characters.
    fn quote(&self, start: usize, end: usize) -> String {
        let bytes = self.text.get(start..end).unwrap_or_default();
        let lossy = String::from_utf8_lossy(bytes);
        let mut out = String::new();
        for (count, ch) in lossy.chars().enumerate() {
            if count == SNIPPET_CHARS {
                out.push_str("...");
                break;
            }
            if ch.is_control() {
                out.extend(ch.escape_default());
            } else {
                out.push(ch);
            }
        }
        out
    }

    /// Parses `start..end` as text (stage 1). `depth` is the number of enclosing references.
    fn text(&mut self, start: usize, end: usize, depth: usize) -> Expr {
        let range = TextRange::from_usize(start, end);
        let Some(src) = self.shadow.get(start..end) else {
            return Expr::literal(range);
        };
        if !src.contains('$') {
            return Expr::literal(range);
        }
        let top = match ExpansionParser::parse(Rule::text, src) {
            Ok(mut tokens) => tokens.next(),
            Err(_) => None,
        };
        let Some(top) = top else {
            // The grammar is total; this is a safety net, never expected.
            self.error(range, |_| {
                "internal error: expansion grammar rejected the text".to_owned()
            });
            return Expr::literal(range);
        };
        let mut pieces = Vec::new();
        for token in children(top) {
            let (t_start, t_end) = bounds(&token, start);
            let t_range = TextRange::from_usize(t_start, t_end);
            match token.as_rule() {
                Rule::dollar => pieces.push(Piece::Dollar(t_range)),
                Rule::plain_ref => {
                    let name_range = TextRange::from_usize(t_start + 1, t_end);
                    let name = String::from_utf8_lossy(name_range.slice(self.text)).into_owned();
                    pieces.push(Piece::Ref(Box::new(Reference {
                        range: t_range,
                        style: RefStyle::Plain,
                        form: RefForm::Name { name, name_range },
                    })));
                }
                Rule::braced_ref | Rule::paren_ref => {
                    let style = if token.as_rule() == Rule::braced_ref {
                        RefStyle::Braced
                    } else {
                        RefStyle::Paren
                    };
                    match self.reference(token, start, depth) {
                        Some(form) => pieces.push(Piece::Ref(Box::new(Reference {
                            range: t_range,
                            style,
                            form,
                        }))),
                        None => push_literal(&mut pieces, t_range),
                    }
                }
                Rule::truncated => {
                    let close = if self.text.get(t_start + 1) == Some(&b'(') {
                        ')'
                    } else {
                        '}'
                    };
                    self.error(t_range, |w| {
                        format!("missing '{close}' in `{}`", w.quote(t_start, t_end))
                    });
                    push_literal(&mut pieces, t_range);
                }
                Rule::lone_dollar => {
                    self.error(t_range, |w| {
                        if t_end >= w.text.len() {
                            return "empty macro name: `$` at the end of the text (write `$$` for a literal `$`)".to_owned();
                        }
                        format!(
                            "empty macro name: `$` followed by `{}` (write `$$` for a literal `$`)",
                            w.quote(t_end, t_end + w.char_len(t_end))
                        )
                    });
                    push_literal(&mut pieces, t_range);
                }
                // `literal`, and anything unexpected, stays text.
                _ => push_literal(&mut pieces, t_range),
            }
        }
        Expr { range, pieces }
    }

    /// Length of the (possibly invalid) UTF-8 character at `at`, at least 1.
    fn char_len(&self, at: usize) -> usize {
        let tail = self.text.get(at..).unwrap_or_default();
        let first = tail.first().copied().unwrap_or(0);
        let want = match first {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        let len = want.min(tail.len()).max(1);
        match tail.get(..len).map(std::str::from_utf8) {
            Some(Ok(_)) => len,
            _ => 1,
        }
    }

    /// A `${...}` / `$(...)` token: checks the body and parses it (stage 2). `None` when the
    /// reference is malformed (the error is recorded).
    fn reference(&mut self, token: Token<'_>, base: usize, depth: usize) -> Option<RefForm> {
        let (r_start, r_end) = bounds(&token, base);
        let (b_start, b_end) = match children(token).next() {
            Some(body) => bounds(&body, base),
            None => (r_start + 2, r_start + 2),
        };
        let r_range = TextRange::from_usize(r_start, r_end);
        if b_start == b_end {
            self.error(r_range, |w| {
                format!("empty macro name in `{}`", w.quote(r_start, r_end))
            });
            return None;
        }
        if depth >= MAX_NESTING {
            // Unreachable after the pre-scan, kept so recursion is bounded by construction.
            self.error(r_range, |_| {
                format!("unreasonable macro call nesting: more than {MAX_NESTING} levels")
            });
            return None;
        }
        // The common `${name}`: nothing for pest to do.
        let body = TextRange::from_usize(b_start, b_end);
        if body
            .slice(self.text)
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            let name = String::from_utf8_lossy(body.slice(self.text)).into_owned();
            return Some(RefForm::Name {
                name,
                name_range: body,
            });
        }
        let rule = if self.version >= PostfixVersion::V3_0 {
            Rule::body
        } else {
            Rule::body_legacy
        };
        let src = self.shadow.get(b_start..b_end)?;
        let top = match ExpansionParser::parse(rule, src) {
            Ok(mut tokens) => tokens.next(),
            Err(_) => None,
        };
        let Some(top) = top else {
            self.error(r_range, |_| {
                "internal error: expansion grammar rejected a reference".to_owned()
            });
            return None;
        };
        let inner = children(top).next()?;
        let depth = depth + 1;
        match inner.as_rule() {
            Rule::named | Rule::named_legacy => self.named(inner, b_start, r_range, depth),
            Rule::relational => self.relational(inner, b_start, depth),
            Rule::unbalanced => {
                self.unbalanced(&inner, b_start);
                None
            }
            _ => None,
        }
    }

    /// Reports an unbalanced `{` operand.
    fn unbalanced(&mut self, token: &Token<'_>, base: usize) {
        let (start, end) = bounds(token, base);
        self.error(TextRange::from_usize(start, end), |w| {
            format!(
                "unbalanced {{}} in attribute expression `{}`",
                w.quote(start, end)
            )
        });
    }

    /// An operand token (`braced`, `unbraced`, `unbalanced`).
    fn operand(&mut self, token: Token<'_>, base: usize, depth: usize) -> Option<Operand> {
        let range = range_of(&token, base);
        match token.as_rule() {
            Rule::braced => {
                let payload = children(token).next()?;
                let (start, end) = bounds(&payload, base);
                Some(Operand {
                    range,
                    braced: true,
                    expr: self.text(start, end, depth),
                })
            }
            Rule::unbraced => {
                let (start, end) = bounds(&token, base);
                Some(Operand {
                    range,
                    braced: false,
                    expr: self.text(start, end, depth),
                })
            }
            Rule::unbalanced => {
                self.unbalanced(&token, base);
                None
            }
            _ => None,
        }
    }

    /// `name`, `name?..`, `name:..`, `name{..}`.
    fn named(
        &mut self,
        token: Token<'_>,
        base: usize,
        r_range: TextRange,
        depth: usize,
    ) -> Option<RefForm> {
        let mut parts = children(token);
        let name_token = parts.next()?;
        let (n_start, n_end) = bounds(&name_token, base);
        let name_range = TextRange::from_usize(n_start, n_end);
        let name = String::from_utf8_lossy(name_range.slice(self.text)).into_owned();
        let Some(tail) = parts.next() else {
            return Some(RefForm::Name { name, name_range });
        };
        match tail.as_rule() {
            Rule::if_set | Rule::legacy_set => {
                let (then, otherwise) = self.if_set(tail, base, depth)?;
                Some(match otherwise {
                    None => RefForm::IfSet {
                        name,
                        name_range,
                        then,
                    },
                    Some(otherwise) => RefForm::IfElse {
                        name,
                        name_range,
                        then,
                        otherwise,
                    },
                })
            }
            Rule::if_unset | Rule::legacy_unset => {
                let otherwise = self.if_unset(tail, base, depth)?;
                Some(RefForm::IfUnset {
                    name,
                    name_range,
                    otherwise,
                })
            }
            Rule::call => self.call(tail, base, name, name_range, r_range, depth),
            Rule::name_garbage => {
                let (g_start, g_end) = bounds(&tail, base);
                self.error(TextRange::from_usize(g_start, g_end), |w| {
                    format!(
                        "attribute name syntax error in `{}` at `{}`",
                        w.quote(r_range.start as usize, r_range.end as usize),
                        w.quote(g_start, g_end)
                    )
                });
                None
            }
            _ => None,
        }
    }

    /// `?then` with an optional `:otherwise`.
    fn if_set(
        &mut self,
        token: Token<'_>,
        base: usize,
        depth: usize,
    ) -> Option<(Operand, Option<Operand>)> {
        let mut parts = children(token);
        let then = self.operand(parts.next()?, base, depth)?;
        let Some(next) = parts.next() else {
            return Some((then, None));
        };
        if next.as_rule() == Rule::if_unset {
            return Some((then, Some(self.if_unset(next, base, depth)?)));
        }
        let (g_start, g_end) = bounds(&next, base);
        self.error(TextRange::from_usize(g_start, g_end), |w| {
            format!(
                "':' expected after `{}`, found `{}`",
                w.quote(then.range.start as usize, then.range.end as usize),
                w.quote(g_start, g_end)
            )
        });
        None
    }

    /// `:otherwise`.
    fn if_unset(&mut self, token: Token<'_>, base: usize, depth: usize) -> Option<Operand> {
        let mut parts = children(token);
        let otherwise = self.operand(parts.next()?, base, depth)?;
        if let Some(garbage) = parts.next() {
            let (g_start, g_end) = bounds(&garbage, base);
            self.error(TextRange::from_usize(g_start, g_end), |w| {
                format!(
                    "unexpected input `{}` after `{}`",
                    w.quote(g_start, g_end),
                    w.quote(otherwise.range.start as usize, otherwise.range.end as usize)
                )
            });
            return None;
        }
        Some(otherwise)
    }

    /// `name{arg}`.
    fn call(
        &mut self,
        token: Token<'_>,
        base: usize,
        name: String,
        name_range: TextRange,
        r_range: TextRange,
        depth: usize,
    ) -> Option<RefForm> {
        let (c_start, c_end) = bounds(&token, base);
        let function = FUNCTIONS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, function)| *function);
        if self.version < PostfixVersion::V3_11 {
            // Older releases see a name followed by garbage.
            let range = TextRange::from_usize(name_range.start as usize, c_end);
            if function.is_some() {
                self.error(range, |w| {
                    let version = w.version;
                    format!("function call `{name}{{...}}` needs postfix 3.11 or later (target is {version})")
                });
            } else {
                let range = TextRange::from_usize(c_start, c_end);
                self.error(range, |w| {
                    let reference = w.quote(r_range.start as usize, r_range.end as usize);
                    format!(
                        "attribute name syntax error in `{reference}` at `{}`",
                        w.quote(c_start, c_end)
                    )
                });
            }
            return None;
        }
        let Some(function) = function else {
            self.error(name_range, |_| format!("unknown function `{name}`"));
            return None;
        };
        let mut parts = children(token);
        let arg = self.operand(parts.next()?, base, depth)?;
        if let Some(garbage) = parts.next() {
            let (g_start, g_end) = bounds(&garbage, base);
            self.error(TextRange::from_usize(g_start, g_end), |w| {
                format!(
                    "unexpected input `{}` after function argument `{}`",
                    w.quote(g_start, g_end),
                    w.quote(c_start, arg.range.end as usize)
                )
            });
            return None;
        }
        Some(RefForm::Function {
            function,
            name,
            name_range,
            arg,
        })
    }

    /// `{lhs} OP {rhs}` with an optional tail.
    fn relational(&mut self, token: Token<'_>, base: usize, depth: usize) -> Option<RefForm> {
        let mut parts = children(token);
        let lhs_token = parts.next()?;
        let op_token = parts.next()?;
        let suffix_token = parts.next()?;
        let lhs = self.operand(lhs_token, base, depth)?;
        let (o_start, _) = bounds(&op_token, base);
        let (s_start, s_end) = bounds(&suffix_token, base);
        let op_text = op_token.as_str();
        let suffix = suffix_token.as_str();
        let op_range = TextRange::from_usize(o_start, s_end);

        if CompareOp::from_parts(op_text, false).is_none() {
            let range = if op_text.is_empty() {
                TextRange::from_usize(o_start, s_end.max(o_start + 1))
            } else {
                op_range
            };
            self.error(range, |w| {
                let lhs_text = w.quote(lhs.range.start as usize, lhs.range.end as usize);
                if op_text.is_empty() {
                    format!("relational operator (`==`, `!=`, `<`, `<=`, `>=` or `>`) expected after `{lhs_text}`")
                } else {
                    format!(
                        "unknown relational operator `{op_text}` after `{lhs_text}`, expected `==`, `!=`, `<`, `<=`, `>=` or `>`"
                    )
                }
            });
            return None;
        }
        let level = if suffix.is_empty() {
            false
        } else if self.version < PostfixVersion::V3_6 {
            self.error(op_range, |w| format!(
                "compatibility level operator `{op_text}{suffix}` needs postfix 3.6 or later (target is {})",
                w.version
            ));
            return None;
        } else if suffix == "level" {
            true
        } else {
            self.error(TextRange::from_usize(s_start, s_end), |_| {
                format!("bad operator suffix `{suffix}` in `{op_text}{suffix}`, expected `level`")
            });
            return None;
        };
        let op = CompareOp::from_parts(op_text, level)?;

        let rhs_token = parts.next()?;
        let rhs = match rhs_token.as_rule() {
            Rule::rhs_missing => {
                let (m_start, m_end) = bounds(&rhs_token, base);
                self.error(TextRange::from_usize(m_start, m_end), |w| {
                    let found = if m_start == m_end {
                        "the end of the expression".to_owned()
                    } else {
                        format!("`{}`", w.quote(m_start, m_end))
                    };
                    format!("'{{expression}}' expected after operator `{op}`, found {found}")
                });
                return None;
            }
            _ => self.operand(rhs_token, base, depth)?,
        };
        let (then, otherwise) = match parts.next() {
            None => (None, None),
            Some(tail) => match tail.as_rule() {
                Rule::if_set => {
                    let (then, otherwise) = self.if_set(tail, base, depth)?;
                    (Some(then), otherwise)
                }
                Rule::if_unset => (None, Some(self.if_unset(tail, base, depth)?)),
                _ => {
                    let (g_start, g_end) = bounds(&tail, base);
                    self.error(TextRange::from_usize(g_start, g_end), |w| {
                        format!(
                            "'?' or ':' expected after relational expression, found `{}`",
                            w.quote(g_start, g_end)
                        )
                    });
                    return None;
                }
            },
        };
        if !self.check_compare_operands(op, &lhs, &rhs) {
            return None;
        }
        Some(RefForm::Compare {
            lhs,
            op,
            op_range,
            rhs,
            then,
            otherwise,
        })
    }

    /// Evaluation-time errors that are certain when both operands are static: a malformed
    /// compatibility level, or a number too large for Postfix's numeric comparison.
    fn check_compare_operands(&mut self, op: CompareOp, lhs: &Operand, rhs: &Operand) -> bool {
        let values =
            [lhs, rhs].map(|operand| (operand.expr.range, operand.expr.static_value(self.text)));
        let mut ok = true;
        if op.is_level() {
            for (range, value) in &values {
                if let Some(value) = value
                    && crate::CompatLevel::parse(value).is_none()
                {
                    self.error(*range, |w| {
                        format!(
                            "malformed compatibility level syntax `{}`",
                            w.quote(range.start as usize, range.end as usize)
                        )
                    });
                    ok = false;
                }
            }
        } else if let [(_, Some(left)), (_, Some(right))] = &values
            && left.iter().all(u8::is_ascii_digit)
            && right.iter().all(u8::is_ascii_digit)
            && !left.is_empty()
            && !right.is_empty()
        {
            for (range, value) in &values {
                if value.as_deref().is_some_and(is_out_of_range_number) {
                    self.error(*range, |w| {
                        format!(
                            "number `{}` is too large for a numeric comparison",
                            w.quote(range.start as usize, range.end as usize)
                        )
                    });
                    ok = false;
                }
            }
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    //! Cases marked "postconf 3.7" were checked with Debian's `postconf` 3.7.11
    //! (`smtpd_banner = VALUE`, `postconf -c DIR -x smtpd_banner`): "accepted" means it printed
    //! the expansion, "fatal" means `macro processing error`.

    use super::*;

    fn r(start: u32, end: u32) -> TextRange {
        TextRange::new(start, end)
    }

    fn parse_v(text: &[u8], version: PostfixVersion) -> Parsed {
        parse(text, ExpansionOptions::new(version))
    }

    fn p37(text: &str) -> Parsed {
        parse_v(text.as_bytes(), PostfixVersion::V3_7)
    }

    fn p311(text: &str) -> Parsed {
        parse_v(text.as_bytes(), PostfixVersion::V3_11)
    }

    /// Parses without errors and returns the only piece, which must be a reference.
    fn only_ref(parsed: &Parsed) -> &Reference {
        assert!(parsed.is_ok(), "unexpected errors: {:?}", parsed.errors);
        match parsed.expr.pieces.as_slice() {
            [Piece::Ref(reference)] => reference,
            other => panic!("expected one reference, got {other:?}"),
        }
    }

    /// The single error's message and range.
    fn only_error(parsed: &Parsed) -> (String, TextRange) {
        match parsed.errors.as_slice() {
            [error] => (error.message.clone(), error.range),
            other => panic!("expected one error, got {other:?}"),
        }
    }

    fn names(parsed: &Parsed) -> Vec<&str> {
        parsed.expr.references().collect()
    }

    fn literal_operand(operand: &Operand, range: TextRange, braced: bool, inner: TextRange) {
        assert_eq!(operand.range, range, "operand range");
        assert_eq!(operand.braced, braced, "braced");
        assert_eq!(operand.expr.range, inner, "operand text range");
        assert!(operand.expr.is_static());
    }

    // ---- fast path and literals -------------------------------------------------------------

    #[test]
    fn text_without_dollar_is_one_literal() {
        let parsed = p37("permit_mynetworks, reject {x}");
        assert!(parsed.is_ok());
        assert_eq!(parsed.expr.pieces, vec![Piece::Literal(r(0, 29))]);
        assert_eq!(parsed.expr.range, r(0, 29));
        let empty = p37("");
        assert!(empty.expr.pieces.is_empty());
        assert!(empty.is_ok());
    }

    #[test]
    fn dollar_dollar_is_a_literal_dollar() {
        // postconf 3.7: `$$b` -> `$b`; `$$$b` -> `$B`.
        let parsed = p37("$$b");
        assert!(parsed.is_ok());
        assert_eq!(
            parsed.expr.pieces,
            vec![Piece::Dollar(r(0, 2)), Piece::Literal(r(2, 3))]
        );
        assert!(names(&parsed).is_empty());
        let parsed = p37("$$$b");
        assert_eq!(parsed.expr.pieces.len(), 2);
        assert_eq!(parsed.expr.pieces[0], Piece::Dollar(r(0, 2)));
        assert_eq!(names(&parsed), ["b"]);
        assert_eq!(
            p37("a$$b").expr.static_value(b"a$$b"),
            Some(b"a$b".to_vec())
        );
    }

    // ---- plain, braced, paren ----------------------------------------------------------------

    #[test]
    fn plain_reference_with_spans() {
        // postconf 3.7: `x$b` -> `xB`.
        let parsed = p37("x $myhostname y");
        assert!(parsed.is_ok());
        let [
            Piece::Literal(before),
            Piece::Ref(reference),
            Piece::Literal(after),
        ] = parsed.expr.pieces.as_slice()
        else {
            panic!("{:?}", parsed.expr.pieces)
        };
        assert_eq!((*before, *after), (r(0, 2), r(13, 15)));
        assert_eq!(reference.range, r(2, 13));
        assert_eq!(reference.style, RefStyle::Plain);
        assert_eq!(
            reference.form,
            RefForm::Name {
                name: "myhostname".into(),
                name_range: r(3, 13)
            }
        );
    }

    #[test]
    fn plain_name_is_the_maximal_word_run() {
        // postconf 3.7: `$b_c` looks up `b_c` (undefined); `${b}_c` -> `B_c`; `$b-c` -> `B-c`.
        assert_eq!(names(&p37("$a_b")), ["a_b"]);
        let parsed = p37("${a}_b");
        assert_eq!(names(&parsed), ["a"]);
        assert_eq!(parsed.expr.pieces[1], Piece::Literal(r(4, 6)));
        let parsed = p37("$a-b");
        assert_eq!(names(&parsed), ["a"]);
        assert_eq!(parsed.expr.pieces[1], Piece::Literal(r(2, 4)));
    }

    #[test]
    fn braced_reference_skips_blanks_around_the_name() {
        // postconf 3.7: `${ b }` -> `B`, `${b\t}` -> `B`.
        let parsed = p37("${ b }");
        let reference = only_ref(&parsed);
        assert_eq!(reference.range, r(0, 6));
        assert_eq!(reference.style, RefStyle::Braced);
        assert_eq!(
            reference.form,
            RefForm::Name {
                name: "b".into(),
                name_range: r(3, 4)
            }
        );
        assert!(p37("${b\t}").is_ok());
    }

    #[test]
    fn paren_reference() {
        // postconf 3.7: `$(b)` -> `B`, `$(b?{x})` -> `x`, `$(b?x)y)` -> `xy)`.
        let parsed = p37("$(b)");
        let reference = only_ref(&parsed);
        assert_eq!(reference.style, RefStyle::Paren);
        assert_eq!(
            reference.form,
            RefForm::Name {
                name: "b".into(),
                name_range: r(2, 3)
            }
        );
        let parsed = p37("$(b?x)y)");
        assert!(parsed.is_ok());
        assert_eq!(parsed.expr.pieces[1], Piece::Literal(r(6, 8)));
        // Inside `$(...)` only parentheses count, so `}` is ordinary text there.
        let parsed = p37("$(b?x})");
        let RefForm::IfSet { then, .. } = &only_ref(&parsed).form else {
            panic!()
        };
        assert_eq!(then.expr.range, r(4, 6));
    }

    #[test]
    fn empty_name_with_blanks_is_accepted() {
        // postconf 3.7 accepts `${ }`, `${?x}` and `${:x}` (warning "undefined parameter: ").
        for text in ["${ }", "${?x}", "${:x}"] {
            let parsed = p37(text);
            assert!(parsed.is_ok(), "{text}");
            assert_eq!(only_ref(&parsed).name(), Some(""));
            assert!(names(&parsed).is_empty(), "{text}");
        }
    }

    // ---- conditionals ------------------------------------------------------------------------

    #[test]
    fn if_set_unbraced_operand_is_the_whole_rest() {
        // postconf 3.7: `${b?foo:bar}` -> `foo:bar`.
        let parsed = p37("${a?foo:bar}");
        let reference = only_ref(&parsed);
        let RefForm::IfSet {
            name,
            name_range,
            then,
        } = &reference.form
        else {
            panic!("{reference:?}")
        };
        assert_eq!((name.as_str(), *name_range), ("a", r(2, 3)));
        literal_operand(then, r(4, 11), false, r(4, 11));
    }

    #[test]
    fn if_set_unbraced_operand_keeps_leading_blanks() {
        // postconf 3.7: `${b? x}` expands to ` x` (Postfix does not skip them).
        let parsed = p37("${a? x}");
        let RefForm::IfSet { then, .. } = &only_ref(&parsed).form else {
            panic!()
        };
        literal_operand(then, r(4, 6), false, r(4, 6));
    }

    #[test]
    fn if_unset_unbraced() {
        // postconf 3.7: `${e:foo:bar}` with empty `e` -> `foo:bar`.
        let parsed = p37("${e:foo:bar}");
        let RefForm::IfUnset {
            name, otherwise, ..
        } = &only_ref(&parsed).form
        else {
            panic!()
        };
        assert_eq!(name, "e");
        literal_operand(otherwise, r(4, 11), false, r(4, 11));
    }

    #[test]
    fn braced_operands() {
        // postconf 3.7: `${b?{x}}` -> `x`, `${b:{x}}` -> empty, `${b?{x} }` -> `x`.
        let parsed = p37("${a?{x}}");
        let RefForm::IfSet { then, .. } = &only_ref(&parsed).form else {
            panic!()
        };
        literal_operand(then, r(4, 7), true, r(5, 6));
        let parsed = p37("${a:{x}  }");
        let RefForm::IfUnset { otherwise, .. } = &only_ref(&parsed).form else {
            panic!()
        };
        literal_operand(otherwise, r(4, 7), true, r(5, 6));
        // Braces inside a braced operand are balanced and kept: postconf 3.7 `${b?{{x}}}` -> `{x}`.
        let parsed = p37("${a?{{x}}}");
        let RefForm::IfSet { then, .. } = &only_ref(&parsed).form else {
            panic!()
        };
        literal_operand(then, r(4, 9), true, r(5, 8));
    }

    #[test]
    fn if_else_braced_and_unbraced_else() {
        // postconf 3.7: `${e?{x}:{y}}` -> `y`; `${e?{x}:y z}` -> `y z`; `${b?{x}:}` -> `x`.
        let parsed = p37("${a?{t}:{f}}");
        let RefForm::IfElse {
            name,
            then,
            otherwise,
            ..
        } = &only_ref(&parsed).form
        else {
            panic!()
        };
        assert_eq!(name, "a");
        literal_operand(then, r(4, 7), true, r(5, 6));
        literal_operand(otherwise, r(8, 11), true, r(9, 10));
        let parsed = p37("${a?{t}:f g}");
        let RefForm::IfElse { otherwise, .. } = &only_ref(&parsed).form else {
            panic!()
        };
        literal_operand(otherwise, r(8, 11), false, r(8, 11));
        let parsed = p37("${a?{t}:}");
        let RefForm::IfElse { otherwise, .. } = &only_ref(&parsed).form else {
            panic!()
        };
        assert!(otherwise.expr.pieces.is_empty());
    }

    #[test]
    fn blanks_around_name_and_operators() {
        // postconf 3.7: `${b ? {yes} : {no}}` -> `yes`, with empty `e` -> `no`.
        let text = "${a ? {yes} : {no}}";
        let parsed = p37(text);
        let reference = only_ref(&parsed);
        assert_eq!(reference.range, r(0, 19));
        let RefForm::IfElse {
            name_range,
            then,
            otherwise,
            ..
        } = &reference.form
        else {
            panic!()
        };
        assert_eq!(*name_range, r(2, 3));
        literal_operand(then, r(6, 11), true, r(7, 10));
        literal_operand(otherwise, r(14, 18), true, r(15, 17));
        assert_eq!(then.expr.range.slice(text.as_bytes()), b"yes");
        // Tab, CR and LF are blanks too (postconf 3.7: `${\tb ?\t{x}\t}` -> `x`); \v is not.
        assert!(p37("${\ta\r?\n{x}\t}").is_ok());
        assert!(!p37("${a\x0b}").is_ok());
    }

    #[test]
    fn garbage_after_braced_then_operand() {
        // postconf 3.7: `${b?{x}y}` -> fatal `":" expected at: "...x}>>>y"`.
        let parsed = p37("${a?{x}y}");
        let (message, range) = only_error(&parsed);
        assert_eq!(message, "':' expected after `{x}`, found `y`");
        assert_eq!(range, r(7, 8));
        assert_eq!(parsed.expr.pieces, vec![Piece::Literal(r(0, 9))]);
    }

    #[test]
    fn garbage_after_braced_else_operand() {
        // postconf 3.7: `${b?{x}:{y}z}` and `${e:{x}:{y}}` -> fatal "unexpected input".
        let parsed = p37("${a?{x}:{y}z}");
        let (message, range) = only_error(&parsed);
        assert_eq!(message, "unexpected input `z` after `{y}`");
        assert_eq!(range, r(11, 12));
        let (message, range) = only_error(&p37("${e:{x}:{y}}"));
        assert_eq!(message, "unexpected input `:{y}` after `{x}`");
        assert_eq!(range, r(7, 11));
    }

    #[test]
    fn unbraced_text_after_question_mark_is_not_garbage() {
        // postconf 3.7: `${b?x}y}` -> `xy}`: the body ends at the first balancing `}`.
        let parsed = p37("${a?x}y}");
        assert!(parsed.is_ok());
        assert_eq!(parsed.expr.pieces.len(), 2);
        assert_eq!(parsed.expr.pieces[1], Piece::Literal(r(6, 8)));
    }

    // ---- relational expressions --------------------------------------------------------------

    #[test]
    fn relational_numeric_and_string() {
        // postconf 3.7: `${{10} > {9}}` -> `true`; `${{1}=={1}?{a}:{b}}` -> `a`;
        // `${{$b}=={B}?{same}}` -> `same`.
        let text = "${{$n} == {10} ? {big} : {small}}";
        let parsed = p37(text);
        let RefForm::Compare {
            lhs,
            op,
            op_range,
            rhs,
            then,
            otherwise,
        } = &only_ref(&parsed).form
        else {
            panic!()
        };
        assert_eq!(*op, CompareOp::Eq);
        assert_eq!(*op_range, r(7, 9));
        assert_eq!(lhs.range, r(2, 6));
        assert_eq!(lhs.expr.range, r(3, 5));
        assert_eq!(names(&parsed), ["n"]);
        literal_operand(rhs, r(10, 14), true, r(11, 13));
        literal_operand(then.as_ref().unwrap(), r(17, 22), true, r(18, 21));
        literal_operand(otherwise.as_ref().unwrap(), r(25, 32), true, r(26, 31));

        for (text, want) in [
            ("${{a}!={b}}", CompareOp::Ne),
            ("${{a}<{b}}", CompareOp::Lt),
            ("${{a}<={b}}", CompareOp::Le),
            ("${{a}>={b}}", CompareOp::Ge),
            ("${{10} > {9}}", CompareOp::Gt),
        ] {
            let parsed = p37(text);
            let RefForm::Compare {
                op,
                then,
                otherwise,
                ..
            } = &only_ref(&parsed).form
            else {
                panic!("{text}")
            };
            assert_eq!(
                (*op, then.is_none(), otherwise.is_none()),
                (want, true, true),
                "{text}"
            );
        }
    }

    #[test]
    fn relational_with_only_one_branch_and_blanks() {
        // postconf 3.7: `${ {1} == {1} ? {a} : {b} }` -> `a`; `${{1}=={1}:x}` -> empty;
        // `${{1}=={1}?a:b}` -> `a:b` (unbraced then-operand is the rest).
        assert!(p37("${ {1} == {1} ? {a} : {b} }").is_ok());
        let parsed = p37("${{1}=={1}:x}");
        let RefForm::Compare {
            then, otherwise, ..
        } = &only_ref(&parsed).form
        else {
            panic!()
        };
        assert!(then.is_none());
        literal_operand(otherwise.as_ref().unwrap(), r(11, 12), false, r(11, 12));
        let parsed = p37("${{1}=={1}?a:b}");
        let RefForm::Compare {
            then, otherwise, ..
        } = &only_ref(&parsed).form
        else {
            panic!()
        };
        literal_operand(then.as_ref().unwrap(), r(11, 14), false, r(11, 14));
        assert!(otherwise.is_none());
    }

    #[test]
    fn level_comparison() {
        // postconf 3.7: `${{3.10} <level {3.9}?{T}:{F}}` -> `F`, `${{3.10} < {3.9}?{T}:{F}}` -> `T`,
        // and all six level operators are accepted.
        let text = "${{$compatibility_level} <level {3.6} ? {md5} : {sha256}}";
        let parsed = p37(text);
        let RefForm::Compare { op, op_range, .. } = &only_ref(&parsed).form else {
            panic!()
        };
        assert_eq!(*op, CompareOp::LevelLt);
        assert_eq!(op_range.slice(text.as_bytes()), b"<level");
        assert_eq!(names(&parsed), ["compatibility_level"]);
        for (text, want) in [
            ("${{3.1} ==level {3.1}}", CompareOp::LevelEq),
            ("${{3.1} !=level {3.1}}", CompareOp::LevelNe),
            ("${{3.1} <=level {3.1}}", CompareOp::LevelLe),
            ("${{3.1} >=level {3.1}}", CompareOp::LevelGe),
            ("${{3.1} >level {3.1}}", CompareOp::LevelGt),
        ] {
            let parsed = p37(text);
            let RefForm::Compare { op, .. } = &only_ref(&parsed).form else {
                panic!("{text}")
            };
            assert_eq!(*op, want);
            assert!(op.is_level());
        }
        // Before 3.6 there are no level operators.
        let parsed = parse_v(b"${{3.1} <level {3}}", PostfixVersion::new(3, 5));
        let (message, range) = only_error(&parsed);
        assert_eq!(
            message,
            "compatibility level operator `<level` needs postfix 3.6 or later (target is 3.5)"
        );
        assert_eq!(range, r(8, 14));
    }

    #[test]
    fn level_operand_syntax() {
        // postconf 3.7: `3.6.1`, `+3`, ` 3`, `3.1023`, `999999999999` are levels; `3.6.1.2`, ``,
        // ` 3 `, `3.`, `-1`, `3.x`, `3.1024` are fatal "malformed compatibility level syntax".
        for good in ["3.6.1", "+3", " 3", "3.1023", "999999999999", "0", "3.+1"] {
            assert!(
                p37(&format!("${{{{{good}}} <level {{3}}}}")).is_ok(),
                "{good}"
            );
        }
        for bad in ["3.6.1.2", "", " 3 ", "3.", "-1", "3.x", "3.1024", "3.-1"] {
            let text = format!("${{{{{bad}}} <level {{3}}}}");
            let (message, range) = only_error(&p37(&text));
            assert_eq!(
                message,
                format!("malformed compatibility level syntax `{bad}`"),
                "{text}"
            );
            assert_eq!(range, TextRange::from_usize(3, 3 + bad.len()));
        }
        // Operands with references are checked by Postfix at run time only.
        assert!(p37("${{$compatibility_level} <level {2}}").is_ok());
    }

    #[test]
    fn numeric_comparison_overflow() {
        // postconf 3.7: `${{99999999999999999999} == {1}}` -> fatal "bad conversion".
        let (message, range) = only_error(&p37("${{99999999999999999999} == {1}}"));
        assert_eq!(
            message,
            "number `99999999999999999999` is too large for a numeric comparison"
        );
        assert_eq!(range, r(3, 23));
        // Not all digits on both sides: a string comparison, fine.
        assert!(p37("${{99999999999999999999} == {x}}").is_ok());
    }

    #[test]
    fn relational_errors() {
        let expect = "unknown relational operator `==?` after `{1}`, expected `==`, `!=`, `<`, `<=`, `>=` or `>`";
        // postconf 3.7: fatal `"==" or ... expected at: "...1}>>>==?{1}"`.
        let (message, range) = only_error(&p37("${{1}==?{1}}"));
        assert_eq!((message.as_str(), range), (expect, r(5, 8)));
        // postconf 3.7: `${{1}}` and `${{1} {2}}` -> fatal, operator expected.
        let (message, range) = only_error(&p37("${{1} {2}}"));
        assert_eq!(
            message,
            "relational operator (`==`, `!=`, `<`, `<=`, `>=` or `>`) expected after `{1}`"
        );
        assert_eq!(range, r(6, 7));
        assert!(!p37("${{1}}").is_ok());
        assert!(!p37("${{1} = {1}}").is_ok());
        // postconf 3.7: `${{1}=={1}x}` -> fatal `"?" or ":" expected`.
        let (message, range) = only_error(&p37("${{1}=={1}x}"));
        assert_eq!(
            message,
            "'?' or ':' expected after relational expression, found `x`"
        );
        assert_eq!(range, r(10, 11));
        // postconf 3.7: `${{1}<foo{1}}` and `${{1}==x}` -> fatal "bad operator suffix".
        let (message, range) = only_error(&p37("${{1}<foo{1}}"));
        assert_eq!(
            message,
            "bad operator suffix `foo` in `<foo`, expected `level`"
        );
        assert_eq!(range, r(6, 9));
        assert!(!p37("${{1}==x}").is_ok());
        assert!(!p37("${{1} <LEVEL {2}}").is_ok());
        // postconf 3.7: `${{1} < level {2}}` -> fatal `"{expression}" expected`.
        let (message, range) = only_error(&p37("${{1} < level {2}}"));
        assert_eq!(
            message,
            "'{expression}' expected after operator `<`, found `level {2}`"
        );
        assert_eq!(range, r(8, 17));
        let (message, _) = only_error(&p37("${{1} == }"));
        assert_eq!(
            message,
            "'{expression}' expected after operator `==`, found the end of the expression"
        );
    }

    // ---- functions ---------------------------------------------------------------------------

    #[test]
    fn function_call_on_3_11() {
        let text = "${domain_to_ascii{ $mydomain }}";
        let parsed = p311(text);
        let reference = only_ref(&parsed);
        let RefForm::Function {
            function,
            name,
            name_range,
            arg,
        } = &reference.form
        else {
            panic!()
        };
        assert_eq!(*function, Function::DomainToAscii);
        assert_eq!((name.as_str(), *name_range), ("domain_to_ascii", r(2, 17)));
        assert_eq!(arg.range, r(17, 30));
        assert!(arg.braced);
        assert_eq!(arg.expr.range, r(18, 29));
        assert_eq!(names(&parsed), ["mydomain"]);
        assert!(reference.name().is_none());
        // The 3.11 default of smtp_requiretls_policy.
        let default = "inline:{{${domain_to_ascii{$mydomain}}=opportunistic}, {.${domain_to_ascii{$mydomain}}=opportunistic}, {localhost=opportunistic}}, cidr:{{0.0.0.0/0 opportunistic}, {::/0 opportunistic}}, enforce";
        let parsed = p311(default);
        assert!(parsed.is_ok());
        assert_eq!(names(&parsed), ["mydomain", "mydomain"]);
        assert!(p311("${domain_to_utf8{x}}").is_ok());
    }

    #[test]
    fn function_call_rejected_before_3_11() {
        // postconf 3.7: `${domain_to_ascii{b}}` -> fatal "attribute name syntax error".
        let parsed = p37("${domain_to_ascii{$mydomain}}");
        let (message, range) = only_error(&parsed);
        assert_eq!(
            message,
            "function call `domain_to_ascii{...}` needs postfix 3.11 or later (target is 3.7)"
        );
        assert_eq!(range, r(2, 28));
        assert_eq!(parsed.expr.pieces, vec![Piece::Literal(r(0, 29))]);
    }

    #[test]
    fn unknown_function_and_garbage_after_argument() {
        let (message, range) = only_error(&p311("${foo{x}}"));
        assert_eq!(
            (message.as_str(), range),
            ("unknown function `foo`", r(2, 5))
        );
        let (message, range) = only_error(&p311("${domain_to_ascii{x} y}"));
        assert_eq!(
            message,
            "unexpected input `y` after function argument `{x}`"
        );
        assert_eq!(range, r(21, 22));
    }

    // ---- stage-1 errors ----------------------------------------------------------------------

    #[test]
    fn lone_dollar_and_empty_names() {
        // postconf 3.7: `$`, `x$`, `$-`, `$ b`, `$$$`, `${}` -> fatal "empty macro name".
        let (message, range) = only_error(&p37("x$"));
        assert_eq!(
            message,
            "empty macro name: `$` at the end of the text (write `$$` for a literal `$`)"
        );
        assert_eq!(range, r(1, 2));
        let parsed = p37("$-x");
        let (message, range) = only_error(&parsed);
        assert_eq!(
            message,
            "empty macro name: `$` followed by `-` (write `$$` for a literal `$`)"
        );
        assert_eq!(range, r(0, 1));
        assert_eq!(parsed.expr.pieces, vec![Piece::Literal(r(0, 3))]);
        assert!(!p37("$").is_ok());
        assert!(!p37("$ b").is_ok());
        let parsed = p37("$$$");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].range, r(2, 3));
        let (message, range) = only_error(&p37("a${}b"));
        assert_eq!(
            (message.as_str(), range),
            ("empty macro name in `${}`", r(1, 4))
        );
        assert!(!p37("$()").is_ok());
    }

    #[test]
    fn truncated_references() {
        // postconf 3.7: `${b`, `$(b`, `${b?{x}`, `${b?x` -> fatal "truncated macro reference".
        let parsed = p37("a ${b c");
        let (message, range) = only_error(&parsed);
        assert_eq!(message, "missing '}' in `${b c`");
        assert_eq!(range, r(2, 7));
        assert_eq!(parsed.expr.pieces, vec![Piece::Literal(r(0, 7))]);
        let (message, _) = only_error(&p37("$(b"));
        assert_eq!(message, "missing ')' in `$(b`");
        assert!(!p37("${b?{x}").is_ok());
        assert!(!p37("${b?x").is_ok());
    }

    #[test]
    fn attribute_name_syntax_errors() {
        // postconf 3.7: `${b-c}`, `${b c}`, `${$b}`, `${b{x}}` -> fatal "attribute name syntax error".
        let (message, range) = only_error(&p37("${b-c}"));
        assert_eq!(message, "attribute name syntax error in `${b-c}` at `-c`");
        assert_eq!(range, r(3, 5));
        let (message, range) = only_error(&p37("${b c}"));
        assert_eq!(message, "attribute name syntax error in `${b c}` at ` c`");
        assert_eq!(range, r(3, 5));
        assert!(!p37("${$b}").is_ok());
        let (message, range) = only_error(&p37("${b{x}}"));
        assert_eq!(message, "attribute name syntax error in `${b{x}}` at `{x}`");
        assert_eq!(range, r(3, 6));
    }

    #[test]
    fn unbalanced_braces_in_operand() {
        // postconf 3.7: `$(b?{)})` -> fatal `unbalanced {} in attribute expression: "{"`.
        let (message, range) = only_error(&p37("$(b?{)})"));
        assert_eq!(message, "unbalanced {} in attribute expression `{`");
        assert_eq!(range, r(4, 5));
        assert!(!p37("$({a)").is_ok());
    }

    #[test]
    fn delimiters_of_the_other_kind_do_not_nest() {
        // postconf 3.7: `${b?$(e:{z)}` -> fatal `truncated macro reference: "${b?$(e:{z)}"`:
        // the `{` before `z` is counted, so the outer `${` is never closed.
        let (message, range) = only_error(&p37("${b?$(e:{z)}"));
        assert_eq!(
            (message.as_str(), range),
            ("missing '}' in `${b?$(e:{z)}`", r(0, 12))
        );
        // postconf 3.7: `${b?$(e})` -> fatal `truncated macro reference: "$(e"`: the `${` body
        // ends at the first `}`, leaving the operand `$(e` unclosed; `)` is literal after it.
        let parsed = p37("${b?$(e})");
        let (message, range) = only_error(&parsed);
        assert_eq!((message.as_str(), range), ("missing ')' in `$(e`", r(4, 7)));
        assert_eq!(names(&parsed), ["b"]);
        assert_eq!(parsed.expr.pieces[1], Piece::Literal(r(8, 9)));
        // postconf 3.7: `$(b?${e)})` -> fatal `truncated macro reference: "${e"`.
        let (message, _) = only_error(&p37("$(b?${e)})"));
        assert_eq!(message, "missing '}' in `${e`");
    }

    #[test]
    fn errors_inside_operands_keep_the_outer_reference() {
        let parsed = p37("${a?{$-}}");
        let (message, range) = only_error(&parsed);
        assert!(message.starts_with("empty macro name"));
        assert_eq!(range, r(5, 6));
        assert_eq!(names(&parsed), ["a"]);
    }

    #[test]
    fn recovery_continues_after_errors() {
        let parsed = p37("a $- b ${c-d} ${e} $");
        assert_eq!(parsed.errors.len(), 3);
        assert_eq!(names(&parsed), ["e"]);
        assert_eq!(
            parsed.expr.pieces,
            vec![
                Piece::Literal(r(0, 14)),
                Piece::Ref(Box::new(Reference {
                    range: r(14, 18),
                    style: RefStyle::Braced,
                    form: RefForm::Name {
                        name: "e".into(),
                        name_range: r(16, 17)
                    },
                })),
                Piece::Literal(r(18, 20)),
            ]
        );
    }

    #[test]
    fn error_count_is_capped() {
        let text = "$-".repeat(1000);
        let parsed = p37(&text);
        assert_eq!(parsed.errors.len(), MAX_ERRORS + 1);
        assert_eq!(
            parsed.errors.last().unwrap().message,
            "900 more expansion errors in this value are not shown"
        );
        assert_eq!(parsed.expr.pieces, vec![Piece::Literal(r(0, 2000))]);
    }

    // ---- bytes, nesting, hostile input -------------------------------------------------------

    #[test]
    fn non_utf8_bytes() {
        let text = b"\xff$b\xfe${c?\xe9t\xe9}\x80";
        let parsed = parse_v(text, PostfixVersion::V3_7);
        assert!(parsed.is_ok(), "{:?}", parsed.errors);
        assert_eq!(names(&parsed), ["b", "c"]);
        let [
            Piece::Literal(first),
            Piece::Ref(b),
            Piece::Literal(mid),
            Piece::Ref(c),
            Piece::Literal(last),
        ] = parsed.expr.pieces.as_slice()
        else {
            panic!("{:?}", parsed.expr.pieces)
        };
        assert_eq!(
            (*first, b.range, *mid, c.range, *last),
            (r(0, 1), r(1, 3), r(3, 4), r(4, 12), r(12, 13))
        );
        let RefForm::IfSet { then, .. } = &c.form else {
            panic!()
        };
        assert_eq!(then.expr.static_value(text), Some(b"\xe9t\xe9".to_vec()));
        // postconf 3.7: `$\xc3\xa9` -> fatal "empty macro name"; `${\xc3\xa9}` -> fatal name syntax.
        let parsed = parse_v("x$\u{e9}".as_bytes(), PostfixVersion::V3_7);
        let (message, range) = only_error(&parsed);
        assert_eq!(
            message,
            "empty macro name: `$` followed by `\u{e9}` (write `$$` for a literal `$`)"
        );
        assert_eq!(range, r(1, 2));
        assert!(!parse_v(b"${\xe9}", PostfixVersion::V3_7).is_ok());
        let (message, _) = only_error(&parse_v(b"$\xff", PostfixVersion::V3_7));
        assert_eq!(
            message,
            "empty macro name: `$` followed by `\u{fffd}` (write `$$` for a literal `$`)"
        );
    }

    #[test]
    fn references_in_order_including_branches() {
        let parsed = p37("${a?{$b ${c:{$d}}}:{$e}} ${{$f}=={$g}?{$h}:{$i}} $(j) $$k ${l?$m}");
        assert!(parsed.is_ok(), "{:?}", parsed.errors);
        assert_eq!(
            names(&parsed),
            ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "l", "m"]
        );
        let small = p37("x$b ${c}");
        let spans: Vec<_> = small.expr.reference_spans().collect();
        assert_eq!(spans, [("b", r(2, 3)), ("c", r(6, 7))]);
        assert_eq!(parsed.expr.walk().count(), 13);
    }

    #[test]
    fn nesting_limit() {
        let nested = |depth: usize| format!("{}x{}", "${a?{".repeat(depth), "}}".repeat(depth));
        let ok = p37(&nested(50));
        assert!(ok.is_ok(), "{:?}", ok.errors.first());
        assert_eq!(ok.expr.references().count(), 50);
        // 51 references open 102 braces.
        let deep = p37(&nested(51));
        let (message, range) = only_error(&deep);
        assert_eq!(
            message,
            "unreasonable macro call nesting: more than 100 nested braces or parentheses"
        );
        assert_eq!(range.len(), 1);
        assert_eq!(deep.expr.pieces.len(), 1);
        // Parentheses are counted separately from braces.
        let parens = format!("{}x{}", "$(a?".repeat(100), ")".repeat(100));
        assert!(p37(&parens).is_ok());
        assert!(!p37(&format!("{}x{}", "$(a?".repeat(101), ")".repeat(101))).is_ok());
    }

    #[test]
    fn hostile_inputs_return_quickly() {
        // Algorithmic traps get a full megabyte: unclosed references (stopped by the nesting
        // limit before pest runs), runaway operands, and a deep unclosed nest, which must not
        // be rescanned per level.
        const MB: usize = 1 << 20;
        // Inputs whose cost is linear but per piece or per nesting level (each level of a nest
        // reparses its body, as Postfix does) get 128 KB, so the debug-build test stays fast.
        const SMALL: usize = 128 << 10;
        let inputs: Vec<Vec<u8>> = vec![
            "${".repeat(MB / 2).into_bytes(),
            "$(".repeat(MB / 2).into_bytes(),
            "${a?{x}:".repeat(MB / 8).into_bytes(),
            format!("{}{}", "${a?".repeat(45), "x".repeat(MB)).into_bytes(),
            format!("{}$a{}", "{".repeat(MB / 2), "}".repeat(MB / 2)).into_bytes(),
            format!(
                "{}{}{}",
                "${a?{".repeat(45),
                "x ".repeat(SMALL / 2),
                "}}".repeat(45)
            )
            .into_bytes(),
            format!(
                "{}{}{}",
                "$(a?".repeat(90),
                "y".repeat(SMALL),
                ")".repeat(90)
            )
            .into_bytes(),
            "${a}".repeat(SMALL / 4).into_bytes(),
            "$}{".repeat(SMALL / 3).into_bytes(),
            (0..SMALL).map(|i| b"${}()?:$ab\xff"[i % 11]).collect(),
        ];
        for input in &inputs {
            let started = std::time::Instant::now();
            let parsed = parse_v(input, PostfixVersion::V3_11);
            assert!(parsed.errors.len() <= MAX_ERRORS + 1);
            assert_eq!(parsed.expr.range.len() as usize, input.len());
            let elapsed = started.elapsed();
            assert!(elapsed.as_secs() < 10, "too slow: {elapsed:?}");
        }
    }

    // ---- versions ----------------------------------------------------------------------------

    #[test]
    fn postfix_2_has_no_braced_operands() {
        let legacy = PostfixVersion::new(2, 11);
        let parsed = parse_v(b"${a?{x}:y}", legacy);
        let RefForm::IfSet { then, .. } = &only_ref(&parsed).form else {
            panic!()
        };
        literal_operand(then, r(4, 9), false, r(4, 9));
        assert!(!parse_v(b"${{1}=={1}}", legacy).is_ok());
    }

    #[test]
    fn defaults_of_postfix_3_7_parse() {
        for text in [
            "${{$compatibility_level} <level {1} ? {yes} : {no}}",
            "${{$compatibility_level} <level {2} ? {$mydestination} : {}}",
            "${{$smtp_tls_security_level} == {dane} ? {dane} : {may}}",
            "${stress?{10}:{300}}s",
            "$myhostname ESMTP $mail_name ($mail_version)",
            "${{$compatibility_level} <level {1} ? {} : {permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination}}",
        ] {
            let parsed = p37(text);
            assert!(parsed.is_ok(), "{text}: {:?}", parsed.errors);
        }
    }
}
