//! The `$`-expression evaluator: Postfix's `mac_expand()` with `MAC_EXP_FLAG_RECURSE`, as
//! `postconf -x` runs it (`postfix-config.md` §2).
//!
//! What it reproduces, checked against Postfix 3.7.11's `postconf`:
//!
//! - `$name`, `${name}`, `$(name)` insert the value of `name`, itself expanded; an empty value
//!   inserts nothing; an undefined name inserts nothing and is recorded.
//! - `${name?text}`, `${name:text}` and `${name?{a}:{b}}` test the *unexpanded* value of
//!   `name` (`a = $empty` makes `${a?yes}` say `yes`), and expand only the branch taken.
//!   For a parameter left at its default this is the default's text, as in `postconf`; a
//!   daemon that has already loaded the parameter stores its expanded default instead.
//! - `${{a} OP {b}...}` expands both operands in a fresh `mac_expand()` call (so they do not
//!   count towards the nesting depth of the enclosing value), compares numerically when both
//!   are all digits and as byte strings otherwise, and `OPlevel` compares compatibility levels.
//!   Without `?`/`:` it yields `true` or nothing.
//! - `$$` is one literal `$` and is never expanded again.
//! - Nesting: every piece of text or reference handled at a nesting level above 100 is an
//!   error (`unreasonable macro call nesting`); a chain of 100 references still works.
//! - Raw parameters (`default_rbl_reply`, `smtpd_reject_footer`, …) referenced from another
//!   value are expanded like any value by 3.7 (their request attributes are undefined, hence
//!   empty) and inserted as they are from 3.11 on (HISTORY 20260126).
//! - Functions (3.11): `${domain_to_ascii{text}}` expands `text` in a fresh call, like a
//!   comparison operand, trims blanks and inserts the result without expanding it again.
//!   This follows the documentation; no 3.11 binary was at hand to confirm the nesting count.
//!
//! Cycles (`a = $b`, `b = $a`; `a = $a x`) are found as soon as a name is needed while it is
//! being expanded, so they are reported with the names involved, in bounded time and memory.
//! (Postfix only notices at depth 101, or, when the cycle runs through a comparison operand,
//! overflows its stack: `a = ${{$a} == {x}}` makes `postconf -x a` crash with SIGSEGV.)
//!
//! Results are memoised per name and scope (through the crate-private `Env`). Because a
//! memoised value carries the height of the expansion tree below it, the depth limit is still
//! exact when the same name is reached at different depths.

use std::sync::Arc;

use postlint_diagnostics::TextRange;
use postlint_syntax::Bytes;
use postlint_syntax::expansion::{CompareOp, Expr, Function, Operand, Parsed, Piece, RefForm};

use crate::effective::{Origin, ReferenceKind, ReferenceStep};
use postlint_syntax::CompatLevel;

/// Deepest nesting level Postfix accepts (`mc->level++ > 100` in `mac_expand.c`).
pub const MAX_LEVEL: i32 = 100;

/// Bound on the real recursion of the evaluator, in nested texts (values, branches,
/// operands). Postfix's own limit keeps ordinary values within 101; but it starts counting
/// afresh inside each comparison operand, so a chain of references through operands makes the
/// evaluator recurse twice per parameter name (postconf 3.7 expands a chain of 150 such names).
/// Past this bound the value is reported as nested too deeply, where Postfix would go on or
/// overflow its stack. Measured cost: about 2.9 KB of stack per nested text in a debug build,
/// 1.1 KB in a release build, so 400 levels fit a 2 MiB thread and a 1 MiB wasm stack.
const MAX_RECURSION: usize = 400;

/// Longest expanded value accepted. Postfix has no limit, so a value that references another
/// twice, which references another twice, and so on, grows exponentially until memory runs out;
/// the model reports it instead.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// At most this many reference steps are recorded per value (the chain of a value whose
/// references fan out can be exponentially long).
const MAX_STEPS: usize = 4096;

/// How a name is bound in a scope.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    /// The value before expansion (for computed host values, the computed text).
    pub text: Bytes,
    /// The parsed value, for [`BindingKind::Expand`]; `None` when the text has no `$`, so
    /// that it is one literal piece (main.cf values are not parsed for that).
    pub parsed: Option<Arc<Parsed>>,
    /// Where the value comes from.
    pub origin: Origin,
    /// How to use it.
    pub kind: BindingKind,
    /// A raw parameter: never expanded when loaded, and shown unexpanded.
    pub raw: bool,
}

/// How a bound value is turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BindingKind {
    /// Parsed and expanded recursively.
    Expand,
    /// Inserted as it is (raw parameters from Postfix 3.11 on, host facts).
    Verbatim,
    /// A host-dependent value that was not supplied: `$name` stays in the text and the result
    /// is marked host-dependent.
    Unknown,
    /// The default of `myhostname` from a host name without a dot: Postfix appends the
    /// domain, `$mydomain` if main.cf or `-o` sets it, else `localdomain`.
    HostnameDefault {
        /// The machine's host name.
        hostname: Arc<str>,
    },
    /// The default of `mydomain`: `$myhostname` without its first label, or `localdomain`.
    DomainDefault,
}

/// The scope an expansion runs in: the lookup order and the memo.
pub(crate) trait Env {
    /// The binding of `name`, or `None` when nothing defines a value for it.
    fn lookup(&self, name: &str) -> Option<Binding>;
    /// Whether `name` has a value from main.cf or a `-o` option (not a default).
    fn is_explicit(&self, name: &str) -> bool;
    /// Whether a lookup of `name` can differ between this scope and another one sharing the
    /// memo (see [`Expansion::touches_local`]).
    fn is_local(&self, name: &str) -> bool;
    /// Whether a binding found by [`Env::lookup`] can differ between scopes although its name
    /// is not local (a compatibility-level default when services have their own level).
    fn origin_is_local(&self, origin: &Origin) -> bool;
    /// A memoised expansion of `name` in this scope.
    fn memo_get(&self, name: &str) -> Option<Arc<Expansion>>;
    /// Remembers the expansion of `name` in this scope.
    fn memo_put(&self, name: &str, expansion: Arc<Expansion>);
}

/// One name of a chain of references, for messages and spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    /// The parameter name.
    pub name: String,
    /// Where its value comes from.
    pub origin: Origin,
    /// The reference, inside this parameter's value (offsets into the value text), that
    /// continues the chain; `None` for the last link.
    pub reference: Option<TextRange>,
}

/// Why an expansion failed. Postfix stops with `macro processing error` (fatal for `postconf`
/// and for every daemon that loads the parameter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandError {
    /// A parameter needs its own value: the chain starts and ends with the same name.
    Cycle {
        /// The names in order, the first repeated at the end.
        chain: Vec<ChainLink>,
    },
    /// More than 100 nested expansions (`unreasonable macro call nesting`).
    TooDeep {
        /// The names from the value being expanded down to the point past the limit.
        chain: Vec<ChainLink>,
    },
    /// A comparison or function call failed while evaluating.
    Evaluation {
        /// What went wrong, in Postfix terms.
        message: String,
        /// The parameter whose value holds the failing expression, and its range in the value.
        at: Option<ChainLink>,
    },
}

impl ExpandError {
    /// A one-line description, lowercase, names in backticks.
    pub fn message(&self) -> String {
        match self {
            Self::Cycle { chain } => {
                format!("recursive parameter expansion: `{}`", chain_text(chain))
            }
            Self::TooDeep { chain } => format!(
                "unreasonable macro call nesting: more than {MAX_LEVEL} nested expansions in `{}`",
                chain_text(chain)
            ),
            Self::Evaluation { message, .. } => message.clone(),
        }
    }
}

/// `a -> b -> a`, shortened in the middle when long.
pub(crate) fn chain_text(chain: &[ChainLink]) -> String {
    const EDGE: usize = 4;
    let names: Vec<&str> = chain.iter().map(|l| l.name.as_str()).collect();
    if names.len() <= 2 * EDGE + 1 {
        return names.join(" -> ");
    }
    let head = names.get(..EDGE).unwrap_or_default().join(" -> ");
    let tail = names
        .get(names.len() - EDGE..)
        .unwrap_or_default()
        .join(" -> ");
    format!(
        "{head} -> ... ({} more) ... -> {tail}",
        names.len() - 2 * EDGE
    )
}

/// The memoised result of expanding one name's value at nesting level 0.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expansion {
    /// The expanded bytes.
    pub value: Vec<u8>,
    /// The deepest nesting level reached, relative to the value's own pieces at level 0;
    /// -1 when the value is empty (no piece at all).
    pub height: i32,
    /// The names down to that deepest level, each with the reference to it in the previous
    /// value.
    pub deep_path: Vec<ChainLink>,
    /// Every reference followed, depth 1 for the value's own references.
    pub steps: Vec<ReferenceStep>,
    /// Names used with `$name` that have no value.
    pub undefined: Vec<String>,
    /// A host-dependent value that was not supplied was used.
    pub host_dependent: bool,
    /// A lookup of a name for which [`Env::is_local`] holds was made.
    pub touches_local: bool,
    /// The first error; the value is then partial.
    pub error: Option<ExpandError>,
}

/// An expression being expanded: the output and the facts collected so far.
struct Acc {
    out: Vec<u8>,
    height: i32,
    deep_path: Vec<ChainLink>,
    steps: Vec<ReferenceStep>,
    undefined: Vec<String>,
    host_dependent: bool,
    touches_local: bool,
    error: Option<ExpandError>,
}

impl Acc {
    fn new() -> Self {
        Self {
            out: Vec::new(),
            height: -1,
            deep_path: Vec::new(),
            steps: Vec::new(),
            undefined: Vec::new(),
            host_dependent: false,
            touches_local: false,
            error: None,
        }
    }

    /// Records a lookup of `name` made from the current value.
    fn step(&mut self, name: &str, origin: Origin, kind: ReferenceKind) {
        if self.steps.len() >= MAX_STEPS {
            return;
        }
        self.steps.push(ReferenceStep {
            name: name.to_owned(),
            origin,
            depth: 1,
            kind,
        });
    }

    fn into_expansion(self) -> Expansion {
        Expansion {
            value: self.out,
            height: self.height,
            deep_path: self.deep_path,
            steps: self.steps,
            undefined: self.undefined,
            host_dependent: self.host_dependent,
            touches_local: self.touches_local,
            error: self.error,
        }
    }

    /// Takes over the facts (not the text or height) of a nested expansion whose steps are
    /// one reference deeper than `depth`.
    fn absorb_facts(&mut self, other: &Expansion, depth: u32) {
        let room = MAX_STEPS.saturating_sub(self.steps.len());
        self.steps
            .extend(other.steps.iter().take(room).map(|s| ReferenceStep {
                depth: s.depth + depth,
                ..s.clone()
            }));
        for name in &other.undefined {
            if !self.undefined.contains(name) {
                self.undefined.push(name.clone());
            }
        }
        self.host_dependent |= other.host_dependent;
        self.touches_local |= other.touches_local;
        if self.error.is_none() {
            self.error.clone_from(&other.error);
        }
    }
}

/// A name being expanded.
struct Frame {
    name: Arc<str>,
    origin: Origin,
    /// The reference being evaluated inside this name's value.
    at: Option<TextRange>,
}

/// One evaluation run; create one per query.
pub(crate) struct Expander<'e, E: Env + ?Sized> {
    env: &'e E,
    /// Names being expanded, outermost first.
    stack: Vec<Frame>,
    /// Real recursion depth (nested texts), for [`MAX_RECURSION`].
    recursion: usize,
}

impl<'e, E: Env + ?Sized> Expander<'e, E> {
    /// An expander over `env`.
    pub(crate) fn new(env: &'e E) -> Self {
        Self {
            env,
            stack: Vec::new(),
            recursion: 0,
        }
    }

    /// The expansion of `name`'s value, as `postconf -x name` computes it (but a raw
    /// parameter's value is expanded too: callers that show raw values skip this).
    pub(crate) fn expand_name(&mut self, name: &str) -> Arc<Expansion> {
        if let Some(done) = self.env.memo_get(name) {
            return done;
        }
        let binding = self.env.lookup(name);
        let Some(binding) = binding else {
            return Arc::new(Expansion {
                height: -1,
                touches_local: self.env.is_local(name),
                ..Expansion::default()
            });
        };
        let mut acc = Box::new(Acc::new());
        acc.touches_local = self.env.is_local(name) || self.env.origin_is_local(&binding.origin);
        self.stack.push(Frame {
            name: Arc::from(name),
            origin: binding.origin.clone(),
            at: None,
        });
        self.bound_value(name, &binding, &mut acc);
        self.stack.pop();
        let expansion = Arc::new((*acc).into_expansion());
        self.env.memo_put(name, Arc::clone(&expansion));
        expansion
    }

    /// The pieces of `name`'s bound value at level 0.
    fn bound_value(&mut self, name: &str, binding: &Binding, acc: &mut Acc) {
        match &binding.kind {
            BindingKind::Expand => {
                if let Some(parsed) = &binding.parsed {
                    self.text(&parsed.expr, &binding.text, 0, acc);
                } else {
                    let whole = TextRange::from_usize(0, binding.text.len());
                    self.text(&Expr::literal(whole), &binding.text, 0, acc);
                }
            }
            BindingKind::Verbatim => {
                if !binding.text.is_empty() {
                    acc.height = 0;
                    acc.out.extend_from_slice(&binding.text);
                }
            }
            BindingKind::Unknown => {
                acc.height = 0;
                acc.host_dependent = true;
                acc.out.push(b'$');
                acc.out.extend_from_slice(name.as_bytes());
            }
            BindingKind::HostnameDefault { hostname } => self.hostname_default(hostname, acc),
            BindingKind::DomainDefault => self.domain_default(acc),
        }
    }

    /// The default of `myhostname` for a host name without a dot.
    #[inline(never)]
    fn hostname_default(&mut self, hostname: &str, acc: &mut Acc) {
        acc.height = 0;
        acc.out.extend_from_slice(hostname.as_bytes());
        acc.out.push(b'.');
        acc.touches_local |= self.env.is_local("mydomain");
        if self.env.is_explicit("mydomain") {
            let domain = self.computed_use("mydomain", acc);
            acc.out.extend_from_slice(&domain);
        } else {
            acc.out.extend_from_slice(b"localdomain");
        }
    }

    /// The default of `mydomain`.
    #[inline(never)]
    fn domain_default(&mut self, acc: &mut Acc) {
        acc.height = 0;
        let before = acc.host_dependent;
        acc.host_dependent = false;
        let host = self.computed_use("myhostname", acc);
        let unknown = acc.host_dependent;
        acc.host_dependent |= before;
        if unknown {
            acc.out.extend_from_slice(b"$mydomain");
        } else {
            match host.iter().position(|&b| b == b'.') {
                Some(dot) => acc
                    .out
                    .extend_from_slice(host.get(dot + 1..).unwrap_or_default()),
                None => acc.out.extend_from_slice(b"localdomain"),
            }
        }
    }

    /// The value of `name` as a computed default sees it: expanded on its own (so it adds no
    /// nesting), with its facts (steps, undefined names, errors) recorded in `acc`.
    fn computed_use(&mut self, name: &str, acc: &mut Acc) -> Vec<u8> {
        let mut inner = Box::new(Acc::new());
        self.use_name(name, None, 0, &mut inner);
        let value = std::mem::take(&mut inner.out);
        acc.steps.append(&mut inner.steps);
        for undefined in inner.undefined {
            if !acc.undefined.contains(&undefined) {
                acc.undefined.push(undefined);
            }
        }
        acc.host_dependent |= inner.host_dependent;
        acc.touches_local |= inner.touches_local;
        if acc.error.is_none() {
            acc.error = inner.error;
        }
        value
    }

    /// Expands `expr` (pieces of `text`) whose pieces sit at nesting `level`.
    fn text(&mut self, expr: &Expr, text: &[u8], level: i32, acc: &mut Acc) {
        if self.recursion >= MAX_RECURSION {
            self.too_deep(Vec::new(), acc);
            return;
        }
        self.recursion += 1;
        for piece in &expr.pieces {
            if acc.error.is_some() {
                break;
            }
            if level > MAX_LEVEL {
                self.too_deep(Vec::new(), acc);
                break;
            }
            if level > acc.height {
                acc.height = level;
                acc.deep_path.clear();
            }
            match piece {
                Piece::Literal(range) => acc.out.extend_from_slice(range.slice(text)),
                Piece::Dollar(_) => acc.out.push(b'$'),
                Piece::Ref(reference) => {
                    if let Some(frame) = self.stack.last_mut() {
                        frame.at = Some(reference.range);
                    }
                    self.reference(&reference.form, reference.range, text, level, acc);
                    if acc.out.len() > MAX_VALUE_BYTES && acc.error.is_none() {
                        acc.error = Some(ExpandError::Evaluation {
                            message: format!(
                                "the expanded value is longer than {MAX_VALUE_BYTES} bytes"
                            ),
                            at: self.here(reference.range),
                        });
                    }
                }
            }
        }
        self.recursion -= 1;
    }

    /// One `$name` / `${...}` at `level`. The evaluator recurses through here, so each form
    /// has its own function and this frame stays small.
    fn reference(
        &mut self,
        form: &RefForm,
        range: TextRange,
        text: &[u8],
        level: i32,
        acc: &mut Acc,
    ) {
        match form {
            RefForm::Name { name, .. } => self.use_name(name, Some(range), level, acc),
            RefForm::IfSet { name, then, .. } => {
                if self.test(name, acc) {
                    self.text(&then.expr, text, level + 1, acc);
                }
            }
            RefForm::IfUnset {
                name, otherwise, ..
            } => {
                if !self.test(name, acc) {
                    self.text(&otherwise.expr, text, level + 1, acc);
                }
            }
            RefForm::IfElse {
                name,
                then,
                otherwise,
                ..
            } => {
                let branch = if self.test(name, acc) {
                    then
                } else {
                    otherwise
                };
                self.text(&branch.expr, text, level + 1, acc);
            }
            RefForm::Compare {
                lhs,
                op,
                rhs,
                then,
                otherwise,
                ..
            } => {
                let branch = self.relational(*op, [lhs, rhs], [then, otherwise], range, text, acc);
                if let Some(branch) = branch {
                    self.text(&branch.expr, text, level + 1, acc);
                }
            }
            RefForm::Function { function, arg, .. } => {
                self.function(*function, arg, range, text, acc);
            }
        }
    }

    /// `${{lhs} OP {rhs}...}`: appends `true` for a bare comparison, or returns the branch to
    /// expand.
    #[inline(never)]
    fn relational<'p>(
        &mut self,
        op: CompareOp,
        [lhs, rhs]: [&Operand; 2],
        [then, otherwise]: [&'p Option<Operand>; 2],
        range: TextRange,
        text: &[u8],
        acc: &mut Acc,
    ) -> Option<&'p Operand> {
        let left = self.operand(lhs, text, acc);
        let right = self.operand(rhs, text, acc);
        if acc.error.is_some() {
            return None;
        }
        let holds = match compare(op, &left, &right) {
            Ok(holds) => holds,
            Err(message) => {
                acc.error = Some(ExpandError::Evaluation {
                    message,
                    at: self.here(range),
                });
                return None;
            }
        };
        if then.is_none() && otherwise.is_none() {
            if holds {
                acc.out.extend_from_slice(b"true");
            }
            return None;
        }
        if holds {
            then.as_ref()
        } else {
            otherwise.as_ref()
        }
    }

    /// `${name{arg}}`.
    #[inline(never)]
    fn function(
        &mut self,
        function: Function,
        arg: &Operand,
        range: TextRange,
        text: &[u8],
        acc: &mut Acc,
    ) {
        let input = self.operand(arg, text, acc);
        if acc.error.is_some() {
            return;
        }
        match call(function, input.trim_ascii()) {
            Ok(result) => acc.out.extend_from_slice(&result),
            Err(message) => {
                acc.error = Some(ExpandError::Evaluation {
                    message,
                    at: self.here(range),
                });
            }
        }
    }

    /// The innermost name being expanded, with `range` as its reference.
    fn here(&self, range: TextRange) -> Option<ChainLink> {
        self.stack.last().map(|frame| ChainLink {
            name: frame.name.to_string(),
            origin: frame.origin.clone(),
            reference: Some(range),
        })
    }

    /// A comparison operand or function argument: a separate `mac_expand()` call, whose
    /// nesting starts at 0 again.
    #[inline(never)]
    fn operand(&mut self, operand: &Operand, text: &[u8], acc: &mut Acc) -> Vec<u8> {
        let mut inner = Box::new(Acc::new());
        self.text(&operand.expr, text, 0, &mut inner);
        let Acc {
            out,
            steps,
            undefined,
            host_dependent,
            touches_local,
            error,
            ..
        } = *inner;
        let room = MAX_STEPS.saturating_sub(acc.steps.len());
        acc.steps.extend(steps.into_iter().take(room));
        for name in undefined {
            if !acc.undefined.contains(&name) {
                acc.undefined.push(name);
            }
        }
        acc.host_dependent |= host_dependent;
        acc.touches_local |= touches_local;
        if acc.error.is_none() {
            acc.error = error;
        }
        out
    }

    /// `${name?...}`/`${name:...}`: whether `name`'s unexpanded value is non-empty.
    fn test(&mut self, name: &str, acc: &mut Acc) -> bool {
        acc.touches_local |= self.env.is_local(name);
        let Some(binding) = self.env.lookup(name) else {
            acc.step(name, Origin::Undefined, ReferenceKind::Test);
            return false;
        };
        acc.touches_local |= self.env.origin_is_local(&binding.origin);
        acc.step(name, binding.origin.clone(), ReferenceKind::Test);
        match binding.kind {
            BindingKind::Expand | BindingKind::Verbatim => !binding.text.is_empty(),
            // Host names and networks are never empty on a working host.
            BindingKind::Unknown
            | BindingKind::HostnameDefault { .. }
            | BindingKind::DomainDefault => true,
        }
    }

    /// `$name` at `level`: the expanded value of `name`.
    fn use_name(&mut self, name: &str, range: Option<TextRange>, level: i32, acc: &mut Acc) {
        acc.touches_local |= self.env.is_local(name);
        let Some(binding) = self.env.lookup(name) else {
            acc.step(name, Origin::Undefined, ReferenceKind::Value);
            if !acc.undefined.iter().any(|u| u == name) {
                acc.undefined.push(name.to_owned());
            }
            return;
        };
        acc.touches_local |= self.env.origin_is_local(&binding.origin);
        acc.step(name, binding.origin.clone(), ReferenceKind::Value);
        if binding.kind == BindingKind::Expand && binding.text.is_empty() {
            return;
        }
        if binding.kind == BindingKind::Verbatim {
            acc.out.extend_from_slice(&binding.text);
            return;
        }
        if let Some(at) = self.stack.iter().position(|f| &*f.name == name) {
            self.cycle(at, name, binding.origin, acc);
            return;
        }
        let child = self.expand_name(name);
        self.absorb_child(name, binding.origin, &child, range, level, acc);
    }

    /// Records the cycle from stack position `at` back to `name`.
    #[cold]
    #[inline(never)]
    fn cycle(&self, at: usize, name: &str, origin: Origin, acc: &mut Acc) {
        let mut chain: Vec<ChainLink> = self
            .stack
            .get(at..)
            .unwrap_or_default()
            .iter()
            .map(|f| ChainLink {
                name: f.name.to_string(),
                origin: f.origin.clone(),
                reference: f.at,
            })
            .collect();
        chain.push(ChainLink {
            name: name.to_owned(),
            origin,
            reference: None,
        });
        acc.error = Some(ExpandError::Cycle { chain });
    }

    /// Adds the expansion of `name`, referenced at `range` on `level`, to `acc`.
    #[inline(never)]
    fn absorb_child(
        &self,
        name: &str,
        origin: Origin,
        child: &Expansion,
        range: Option<TextRange>,
        level: i32,
        acc: &mut Acc,
    ) {
        acc.out.extend_from_slice(&child.value);
        acc.absorb_facts(child, 1);
        if child.height < 0 {
            return;
        }
        let reach = level + 1 + child.height;
        if reach > acc.height {
            acc.height = reach;
            acc.deep_path.clear();
            acc.deep_path.push(ChainLink {
                name: name.to_owned(),
                origin: origin.clone(),
                reference: range,
            });
            acc.deep_path.extend(child.deep_path.iter().cloned());
        }
        if reach > MAX_LEVEL && acc.error.is_none() {
            let mut below = vec![ChainLink {
                name: name.to_owned(),
                origin,
                reference: range,
            }];
            below.extend(child.deep_path.iter().cloned());
            self.too_deep(below, acc);
        }
    }

    /// Records a nesting error: the names being expanded, then the path `below` them. Links
    /// of `below` carry the reference *to* them (in the previous value); the chain wants the
    /// reference that continues it in each link's own value, so they are shifted by one.
    fn too_deep(&self, below: Vec<ChainLink>, acc: &mut Acc) {
        if acc.error.is_some() {
            return;
        }
        let mut chain: Vec<ChainLink> = self
            .stack
            .iter()
            .map(|f| ChainLink {
                name: f.name.to_string(),
                origin: f.origin.clone(),
                reference: f.at,
            })
            .collect();
        let via: Vec<Option<TextRange>> = below.iter().map(|l| l.reference).collect();
        for (index, mut link) in below.into_iter().enumerate() {
            link.reference = via.get(index + 1).copied().flatten();
            chain.push(link);
        }
        acc.error = Some(ExpandError::TooDeep { chain });
    }
}

/// Postfix's relational operators (`mac_exp_eval()`, `compat_relop_eval()`).
fn compare(op: CompareOp, left: &[u8], right: &[u8]) -> Result<bool, String> {
    use std::cmp::Ordering;
    let order = if op.is_level() {
        let level = |text: &[u8]| {
            CompatLevel::parse(text).ok_or_else(|| {
                format!(
                    "malformed compatibility level syntax `{}`",
                    String::from_utf8_lossy(text)
                )
            })
        };
        level(left)?.cmp(&level(right)?)
    } else if all_digits(left) && all_digits(right) {
        let number = |text: &[u8]| {
            std::str::from_utf8(text)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| {
                    format!(
                        "number `{}` is too large for a numeric comparison",
                        String::from_utf8_lossy(text)
                    )
                })
        };
        number(left)?.cmp(&number(right)?)
    } else {
        left.cmp(right)
    };
    Ok(match op {
        CompareOp::Eq | CompareOp::LevelEq => order == Ordering::Equal,
        CompareOp::Ne | CompareOp::LevelNe => order != Ordering::Equal,
        CompareOp::Lt | CompareOp::LevelLt => order == Ordering::Less,
        CompareOp::Le | CompareOp::LevelLe => order != Ordering::Greater,
        CompareOp::Ge | CompareOp::LevelGe => order != Ordering::Less,
        CompareOp::Gt | CompareOp::LevelGt => order == Ordering::Greater,
    })
}

/// Postfix's `alldig()`: non-empty and only ASCII digits.
fn all_digits(text: &[u8]) -> bool {
    !text.is_empty() && text.iter().all(u8::is_ascii_digit)
}

/// The functions of `util/mac_midna.c` (Postfix >= 3.11): `domain_to_ascii` returns ASCII
/// input unchanged and converts other input to A-labels; `domain_to_utf8` returns non-ASCII
/// input unchanged and converts ASCII input to U-labels (UTS #46, non-transitional, hyphen
/// checks on, as ICU's `uidna_nameTo*` calls in `util/midna_domain.c`). A name the
/// conversion rejects is an error (`bad domain argument`).
fn call(function: Function, input: &[u8]) -> Result<Vec<u8>, String> {
    let passthrough = match function {
        Function::DomainToAscii => input.is_ascii(),
        Function::DomainToUtf8 => !input.is_ascii(),
    };
    if passthrough {
        return Ok(input.to_vec());
    }
    convert(function, input).ok_or_else(|| {
        format!(
            "bad domain argument in `{}{{{}}}`",
            function.as_str(),
            String::from_utf8_lossy(input)
        )
    })
}

/// IDNA conversion of a name that needs it.
#[cfg(feature = "idna")]
fn convert(function: Function, input: &[u8]) -> Option<Vec<u8>> {
    use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
    let uts46 = Uts46::new();
    match function {
        Function::DomainToAscii => uts46
            .to_ascii(
                input,
                AsciiDenyList::EMPTY,
                Hyphens::Check,
                DnsLength::Ignore,
            )
            .ok()
            .map(|name| name.into_owned().into_bytes()),
        Function::DomainToUtf8 => {
            let (name, result) = uts46.to_unicode(input, AsciiDenyList::EMPTY, Hyphens::Check);
            result.ok().map(|()| name.into_owned().into_bytes())
        }
    }
}

/// Without the `idna` feature names are passed through unchanged.
#[cfg(not(feature = "idna"))]
#[expect(
    clippy::unnecessary_wraps,
    reason = "the same signature as the conversion with the `idna` feature"
)]
fn convert(_function: Function, input: &[u8]) -> Option<Vec<u8>> {
    Some(input.to_vec())
}
