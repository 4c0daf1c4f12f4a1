//! Phase two: validating raw policies into compiled [`Policy`] values.
//!
//! Every problem is a `policy-error` (`PL900`) diagnostic pointing into the TOML text. Loading
//! never stops at the first bad policy: each `[[policy]]` table is read on its own, so an editor
//! sees every error at once, and the policies that are fine are still returned.

use std::collections::HashMap;
use std::ops::Range;

use postlint_diagnostics::{Diagnostic, FileId, Severity, TextRange};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::facts::{FactKind, fact_info};
use crate::raw::{RawPolicy, RawPredicate, RawSelect, Scalar};
use crate::tls::{TlsLevel, TlsProtocol};

/// Rule name of every load error.
pub const POLICY_ERROR_RULE: &str = "policy-error";
/// Code of every load error.
pub const POLICY_ERROR_CODE: &str = "PL900";
/// Code of findings from a policy that names none.
pub const DEFAULT_POLICY_CODE: &str = "PL800";

/// Placeholders a message may use.
const PLACEHOLDERS: [&str; 5] = ["service", "param", "value", "expected", "detail"];
/// Service types master.cf knows.
const SERVICE_TYPES: [&str; 5] = ["inet", "unix", "unix-dgram", "fifo", "pass"];
/// Compiled regexes are capped so a policy cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// What the loader needs from its caller.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions<'a> {
    /// The file id load errors point into.
    pub file: FileId,
    /// The names of the built-in analyses the caller can run (`analysis = "…"`).
    pub analyses: &'a [&'a str],
}

/// The result of loading one policy file: the valid policies and every load error.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Policies that compiled, in file order.
    pub policies: Vec<Policy>,
    /// Load errors (`policy-error`), in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// A validated policy, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Kebab-case rule name.
    pub rule: String,
    /// Short code.
    pub code: String,
    /// Severity of findings.
    pub severity: Severity,
    /// Message template (see [`crate::raw::RawPolicy::message`] for placeholders).
    pub message: String,
    /// One line: what the rule finds (for rule listings).
    pub summary: Option<String>,
    /// Markdown documentation: what it does, why it matters, example, fix.
    pub docs: Option<String>,
    /// Help text.
    pub help: Option<String>,
    /// Reference URLs.
    pub references: Vec<String>,
    /// Which services the policy concerns.
    pub select: Selector,
    /// Alternatives, any of which must match as well; empty matches every service.
    pub select_any: Vec<Selector>,
    /// Preconditions.
    pub when: Vec<Predicate>,
    /// Requirements.
    pub require: Vec<Predicate>,
    /// A built-in analysis to run.
    pub analysis: Option<String>,
    /// The fix offered for `require` findings: a title and `-o` overrides to set.
    pub fix: Option<(String, Vec<(String, String)>)>,
    /// Where the policy's `rule` is, for pointing at the policy itself.
    pub origin: (FileId, TextRange),
}

/// Service selection criteria; an empty criterion matches every service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// Programs, any of which matches.
    pub programs: Vec<String>,
    /// Ports, any of which matches.
    pub ports: Vec<u16>,
    /// Service types, any of which matches.
    pub kinds: Vec<String>,
    /// Service-name globs, any of which matches.
    pub names: Vec<String>,
    /// Required reachability.
    pub reachable: Option<bool>,
    /// Required postscreen-pass status.
    pub postscreen_pass: Option<bool>,
    /// Parameters that must be set explicitly.
    pub has: Vec<String>,
}

/// The value a predicate tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The effective expanded value of a parameter.
    Param(String),
    /// The effective value of a parameter before expansion.
    RawParam(String),
    /// A named fact.
    Fact(String),
}

impl Subject {
    /// The parameter or fact name.
    pub fn name(&self) -> &str {
        match self {
            Self::Param(n) | Self::RawParam(n) | Self::Fact(n) => n,
        }
    }
}

/// A compiled operator.
#[derive(Debug, Clone)]
pub enum Operator {
    /// `equals`.
    Equals(Scalar),
    /// `not_equals`.
    NotEquals(Scalar),
    /// `one_of`.
    OneOf(Vec<Scalar>),
    /// `not_one_of`.
    NotOneOf(Vec<Scalar>),
    /// `at_least_tls`.
    AtLeastTls(TlsLevel),
    /// `at_most_tls`.
    AtMostTls(TlsLevel),
    /// `protocol_floor_at_least`.
    ProtocolFloorAtLeast(TlsProtocol),
    /// `contains`.
    Contains(String),
    /// `lacks`.
    Lacks(String),
    /// `before = [a, b]`.
    Before(String, String),
    /// `matches`.
    Matches(Regex),
    /// `not_matches`.
    NotMatches(Regex),
    /// `greater_than`.
    GreaterThan(i64),
    /// `less_than`.
    LessThan(i64),
    /// `at_least`.
    AtLeast(i64),
    /// `at_most`.
    AtMost(i64),
    /// `empty`.
    Empty(bool),
    /// `set`.
    Set(bool),
}

/// A compiled predicate: one subject, one operator.
#[derive(Debug, Clone)]
pub struct Predicate {
    /// What is tested.
    pub subject: Subject,
    /// How.
    pub operator: Operator,
    /// A message replacing the policy's for findings from this predicate.
    pub message: Option<String>,
}

/// Loads a policy file. Never fails: problems are diagnostics in [`Loaded::diagnostics`].
pub fn load(text: &str, options: &LoadOptions<'_>) -> Loaded {
    let mut cx = Loader {
        file: options.file,
        analyses: options.analyses,
        diagnostics: Vec::new(),
        rules: HashMap::new(),
    };
    let mut policies = Vec::new();
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            cx.error(span, toml_message(&e));
        }
        return Loaded {
            policies,
            diagnostics: cx.diagnostics,
        };
    }
    for (key, value) in root.get_ref() {
        if key.get_ref() != "policy" {
            cx.error(
                key.span(),
                format!("unknown key `{}`, expected `policy`", key.get_ref()),
            );
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            cx.error(
                value.span(),
                "`policy` must be an array of tables: write each one as `[[policy]]`",
            );
            continue;
        };
        for item in items {
            match RawPolicy::deserialize(ValueDeserializer::from(item.clone())) {
                Ok(raw) => {
                    if let Some(policy) = cx.policy(raw) {
                        policies.push(policy);
                    }
                }
                Err(e) => {
                    let span = e.span().unwrap_or_else(|| item.span());
                    cx.error(span, toml_message(&e));
                }
            }
        }
    }
    Loaded {
        policies,
        diagnostics: cx.diagnostics,
    }
}

/// A toml/serde error message on one line, starting lowercase.
fn toml_message(e: &toml::de::Error) -> String {
    let msg = e.message().trim().replace('\n', " ");
    let mut chars = msg.chars();
    match chars.next() {
        Some(first) if !msg.starts_with("TOML") => {
            first.to_lowercase().chain(chars).collect::<String>()
        }
        _ => msg,
    }
}

/// Validation state for one file.
struct Loader<'a> {
    file: FileId,
    analyses: &'a [&'a str],
    diagnostics: Vec<Diagnostic>,
    /// Rules seen so far, with their code and severity.
    rules: HashMap<String, (String, Severity)>,
}

impl Loader<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(
            POLICY_ERROR_RULE,
            POLICY_ERROR_CODE,
            Severity::Error,
            message,
            self.file,
            TextRange::from_usize(span.start, span.end),
        ));
    }

    fn error_help(&mut self, span: Range<usize>, message: impl Into<String>, help: String) {
        self.error(span, message);
        if let Some(d) = self.diagnostics.last_mut() {
            d.help = Some(help);
        }
    }

    fn policy(&mut self, raw: RawPolicy) -> Option<Policy> {
        let before = self.diagnostics.len();
        let rule_span = raw.rule.span();
        let rule = raw.rule.into_inner();
        if !is_kebab(&rule) {
            self.error(
                rule_span.clone(),
                format!("rule name `{rule}` is not kebab-case"),
            );
        }
        let code = match raw.code {
            Some(code) if !is_code(code.get_ref()) => {
                self.error(
                    code.span(),
                    format!(
                        "code `{}` is not capital letters then digits, like `PL801`",
                        code.get_ref()
                    ),
                );
                String::new()
            }
            Some(code) => code.into_inner(),
            None => DEFAULT_POLICY_CODE.to_owned(),
        };
        let severity = match raw.severity.get_ref().as_str() {
            "info" => Severity::Info,
            "warning" => Severity::Warning,
            "error" => Severity::Error,
            other => {
                self.error(
                    raw.severity.span(),
                    format!("unknown severity `{other}`, expected `info`, `warning` or `error`"),
                );
                Severity::Error
            }
        };
        if is_kebab(&rule) {
            match self.rules.get(&rule) {
                Some((c, s)) if *c != code || *s != severity => self.error_help(
                    rule_span.clone(),
                    format!("rule `{rule}` is defined again with another code or severity"),
                    "several policies may share one rule (each is one way it fails), but they must agree on `code` and `severity`".to_owned(),
                ),
                Some(_) => {}
                None => {
                    self.rules.insert(rule.clone(), (code.clone(), severity));
                }
            }
        }
        self.check_template(&raw.message);
        let select = raw.select.map(|s| self.select(s)).unwrap_or_default();
        let select_any = raw.select_any.into_iter().map(|s| self.select(s)).collect();
        let when = self.predicates(raw.when);
        let require = self.predicates(raw.require);
        let analysis = raw.analysis.and_then(|a| {
            if self.analyses.contains(&a.get_ref().as_str()) {
                Some(a.into_inner())
            } else {
                let known = list_names(self.analyses.iter().copied());
                self.error_help(
                    a.span(),
                    format!("unknown analysis `{}`", a.get_ref()),
                    format!("built-in analyses: {known}"),
                );
                None
            }
        });
        if require.is_empty() && analysis.is_none() && self.diagnostics.len() == before {
            self.error(
                rule_span.clone(),
                format!("policy `{rule}` checks nothing: give it `require` or `analysis`"),
            );
        }
        if self.diagnostics.len() != before {
            return None;
        }
        Some(Policy {
            rule,
            code,
            severity,
            message: raw.message.into_inner(),
            summary: raw.summary,
            docs: raw.docs,
            help: raw.help,
            references: raw.references,
            select,
            select_any,
            when,
            require,
            analysis,
            fix: raw.fix.map(|f| (f.title, f.set.into_iter().collect())),
            origin: (
                self.file,
                TextRange::from_usize(rule_span.start, rule_span.end),
            ),
        })
    }

    fn check_template(&mut self, message: &Spanned<String>) {
        let mut rest = message.get_ref().as_str();
        while let Some(open) = rest.find('{') {
            let after = rest.get(open + 1..).unwrap_or_default();
            let Some(close) = after.find('}') else {
                self.error(message.span(), "unclosed `{` in message");
                return;
            };
            let name = after.get(..close).unwrap_or_default();
            if !PLACEHOLDERS.contains(&name) {
                self.error_help(
                    message.span(),
                    format!("unknown placeholder `{{{name}}}` in message"),
                    format!(
                        "placeholders: {}",
                        list_names(PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")))
                    ),
                );
            }
            rest = after.get(close + 1..).unwrap_or_default();
        }
    }

    fn select(&mut self, raw: RawSelect) -> Selector {
        let mut ports = Vec::new();
        if let Some(p) = raw.port {
            let span = p.span();
            for port in p.into_inner().into_vec() {
                match u16::try_from(port) {
                    Ok(port) if port != 0 => ports.push(port),
                    _ => self.error(
                        span.clone(),
                        format!("port `{port}` is not between 1 and 65535"),
                    ),
                }
            }
        }
        let mut kinds = Vec::new();
        if let Some(k) = raw.kind {
            let span = k.span();
            for kind in k.into_inner().into_vec() {
                if SERVICE_TYPES.contains(&kind.as_str()) {
                    kinds.push(kind);
                } else {
                    self.error(
                        span.clone(),
                        format!(
                            "unknown service type `{kind}`, expected {}",
                            list_names(SERVICE_TYPES)
                        ),
                    );
                }
            }
        }
        let strings = |v: Option<Spanned<crate::raw::OneOrMany<String>>>| {
            v.map(|v| v.into_inner().into_vec()).unwrap_or_default()
        };
        Selector {
            programs: strings(raw.program),
            ports,
            kinds,
            names: strings(raw.name),
            reachable: raw.reachable,
            postscreen_pass: raw.postscreen_pass,
            has: strings(raw.has),
        }
    }

    fn predicates(&mut self, raw: Vec<Spanned<RawPredicate>>) -> Vec<Predicate> {
        raw.into_iter().filter_map(|p| self.predicate(p)).collect()
    }

    fn predicate(&mut self, raw: Spanned<RawPredicate>) -> Option<Predicate> {
        let span = raw.span();
        let raw = raw.into_inner();
        // Subject: exactly one.
        let mut subjects = Vec::new();
        if let Some(p) = raw.param {
            subjects.push(("param", p.span(), Subject::Param(p.into_inner())));
        }
        if let Some(p) = raw.raw_param {
            subjects.push(("raw_param", p.span(), Subject::RawParam(p.into_inner())));
        }
        if let Some(f) = raw.fact {
            subjects.push(("fact", f.span(), Subject::Fact(f.into_inner())));
        }
        let mut subjects = subjects.into_iter();
        let Some((first_key, _, subject)) = subjects.next() else {
            self.error_help(
                span,
                "this test names no value to test",
                "add `param = \"…\"`, `raw_param = \"…\"` or `fact = \"…\"`".to_owned(),
            );
            return None;
        };
        if let Some((second_key, second_span, _)) = subjects.next() {
            self.error(
                second_span,
                format!(
                    "a test names one value, but this one has both `{first_key}` and `{second_key}`"
                ),
            );
            return None;
        }
        let fact_kind = match &subject {
            Subject::Fact(name) => {
                if let Some(info) = fact_info(name) {
                    Some(info.kind)
                } else {
                    let span = span.clone();
                    self.error_help(
                        span,
                        format!("unknown fact `{name}`"),
                        format!(
                            "facts: {}",
                            list_names(crate::facts::FACTS.iter().map(|f| f.name))
                        ),
                    );
                    return None;
                }
            }
            Subject::Param(_) | Subject::RawParam(_) => None,
        };
        // Operator: exactly one.
        let mut ops: Vec<(&'static str, Range<usize>, Option<Operator>)> = Vec::new();
        let scalar = |s: Spanned<Scalar>| (s.span(), s.into_inner());
        if let Some(v) = raw.equals {
            let (sp, v) = scalar(v);
            let op = self
                .scalar_ok(fact_kind, &v, sp.clone())
                .then_some(Operator::Equals(v));
            ops.push(("equals", sp, op));
        }
        if let Some(v) = raw.not_equals {
            let (sp, v) = scalar(v);
            let op = self
                .scalar_ok(fact_kind, &v, sp.clone())
                .then_some(Operator::NotEquals(v));
            ops.push(("not_equals", sp, op));
        }
        if let Some(v) = raw.one_of {
            let sp = v.span();
            let v = v.into_inner();
            let ok = v.iter().all(|s| self.scalar_ok(fact_kind, s, sp.clone()));
            ops.push(("one_of", sp, ok.then_some(Operator::OneOf(v))));
        }
        if let Some(v) = raw.not_one_of {
            let sp = v.span();
            let v = v.into_inner();
            let ok = v.iter().all(|s| self.scalar_ok(fact_kind, s, sp.clone()));
            ops.push(("not_one_of", sp, ok.then_some(Operator::NotOneOf(v))));
        }
        if let Some(v) = raw.at_least_tls {
            let sp = v.span();
            let op = self.tls_level(&v).map(Operator::AtLeastTls);
            ops.push(("at_least_tls", sp, op));
        }
        if let Some(v) = raw.at_most_tls {
            let sp = v.span();
            let op = self.tls_level(&v).map(Operator::AtMostTls);
            ops.push(("at_most_tls", sp, op));
        }
        if let Some(v) = raw.protocol_floor_at_least {
            let sp = v.span();
            let op = if let Some(p) = TlsProtocol::parse(v.get_ref()) {
                Some(Operator::ProtocolFloorAtLeast(p))
            } else {
                self.error(
                    sp.clone(),
                    format!(
                        "unknown protocol `{}`, expected {}",
                        v.get_ref(),
                        list_names(TlsProtocol::ALL.iter().map(|p| p.as_str()))
                    ),
                );
                None
            };
            ops.push(("protocol_floor_at_least", sp, op));
        }
        if let Some(v) = raw.contains {
            ops.push((
                "contains",
                v.span(),
                Some(Operator::Contains(v.into_inner())),
            ));
        }
        if let Some(v) = raw.lacks {
            ops.push(("lacks", v.span(), Some(Operator::Lacks(v.into_inner()))));
        }
        if let Some(v) = raw.before {
            let sp = v.span();
            let op = if let [a, b] = v.into_inner().as_slice() {
                Some(Operator::Before(a.clone(), b.clone()))
            } else {
                self.error(
                    sp.clone(),
                    "`before` takes two list elements: `before = [\"first\", \"second\"]`",
                );
                None
            };
            ops.push(("before", sp, op));
        }
        if let Some(v) = raw.matches {
            let sp = v.span();
            let op = self.regex(&v).map(Operator::Matches);
            ops.push(("matches", sp, op));
        }
        if let Some(v) = raw.not_matches {
            let sp = v.span();
            let op = self.regex(&v).map(Operator::NotMatches);
            ops.push(("not_matches", sp, op));
        }
        let numbers = [
            (
                "greater_than",
                raw.greater_than,
                Operator::GreaterThan as fn(i64) -> Operator,
            ),
            ("less_than", raw.less_than, Operator::LessThan),
            ("at_least", raw.at_least, Operator::AtLeast),
            ("at_most", raw.at_most, Operator::AtMost),
        ];
        for (key, v, make) in numbers {
            if let Some(v) = v {
                ops.push((key, v.span(), Some(make(v.into_inner()))));
            }
        }
        if let Some(v) = raw.empty {
            ops.push(("empty", v.span(), Some(Operator::Empty(v.into_inner()))));
        }
        if let Some(v) = raw.set {
            ops.push(("set", v.span(), Some(Operator::Set(v.into_inner()))));
        }
        let mut ops = ops.into_iter();
        let Some((op_key, op_span, operator)) = ops.next() else {
            self.error_help(
                span,
                format!("this test of `{}` has no operator", subject.name()),
                "add one of `equals`, `one_of`, `at_least_tls`, `contains`, `matches`, `at_least`, `empty`, `set`, …".to_owned(),
            );
            return None;
        };
        if let Some((second, second_span, _)) = ops.next() {
            self.error_help(
                second_span,
                format!("a test has one operator, but this one has both `{op_key}` and `{second}`"),
                "split it into two tests".to_owned(),
            );
            return None;
        }
        let operator = operator?;
        if let Some(kind) = fact_kind
            && !operator_fits(kind, &operator)
        {
            self.error(
                op_span,
                format!(
                    "`{op_key}` cannot test fact `{}`, which is a {}",
                    subject.name(),
                    kind.as_str()
                ),
            );
            return None;
        }
        Some(Predicate {
            subject,
            operator,
            message: raw.message,
        })
    }

    /// Whether an equality operand suits the fact kind; reports it when not.
    fn scalar_ok(&mut self, kind: Option<FactKind>, value: &Scalar, span: Range<usize>) -> bool {
        let ok = match (kind, value) {
            (None | Some(FactKind::Text), _)
            | (Some(FactKind::Bool), Scalar::Bool(_))
            | (Some(FactKind::Int), Scalar::Int(_)) => true,
            (Some(FactKind::Bool), Scalar::Text(t)) => crate::eval::parse_bool(t).is_some(),
            (Some(FactKind::TlsLevel), Scalar::Text(t)) => crate::tls::parse_level(t).is_some(),
            (Some(FactKind::Protocol), Scalar::Text(t)) => TlsProtocol::parse(t).is_some(),
            _ => false,
        };
        if !ok {
            let kind = kind.map_or("value", FactKind::as_str);
            self.error(
                span,
                format!(
                    "this fact is a {kind}; `{}` cannot equal it",
                    scalar_text(value)
                ),
            );
        }
        ok
    }

    fn tls_level(&mut self, v: &Spanned<String>) -> Option<TlsLevel> {
        let level = crate::tls::parse_level(v.get_ref());
        if level.is_none() {
            self.error(
                v.span(),
                format!(
                    "unknown TLS level `{}`, expected {}",
                    v.get_ref(),
                    list_names(TlsLevel::ALL.iter().map(|l| l.name()))
                ),
            );
        }
        level
    }

    fn regex(&mut self, v: &Spanned<String>) -> Option<Regex> {
        match regex::RegexBuilder::new(v.get_ref())
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            Ok(re) => Some(re),
            Err(e) => {
                let text = e.to_string();
                let reason = text
                    .lines()
                    .rev()
                    .find_map(|l| l.strip_prefix("error: "))
                    .unwrap_or(text.as_str())
                    .trim()
                    .to_owned();
                self.error(v.span(), format!("invalid regular expression: {reason}"));
                None
            }
        }
    }
}

/// Which operators can test a fact of `kind`.
fn operator_fits(kind: FactKind, op: &Operator) -> bool {
    use Operator as O;
    match op {
        O::Set(_) => true,
        O::Equals(_) | O::NotEquals(_) => kind != FactKind::List,
        O::OneOf(_) | O::NotOneOf(_) => {
            matches!(kind, FactKind::Int | FactKind::Text | FactKind::TlsLevel)
        }
        O::AtLeastTls(_) | O::AtMostTls(_) => kind == FactKind::TlsLevel,
        O::ProtocolFloorAtLeast(_) => kind == FactKind::Protocol,
        O::Contains(_) | O::Lacks(_) | O::Before(..) => kind == FactKind::List,
        O::Matches(_) | O::NotMatches(_) => kind == FactKind::Text,
        O::GreaterThan(_) | O::LessThan(_) | O::AtLeast(_) | O::AtMost(_) => kind == FactKind::Int,
        O::Empty(_) => matches!(kind, FactKind::Text | FactKind::List),
    }
}

/// The text of a scalar, as messages show it.
pub(crate) fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Scalar::Int(n) => n.to_string(),
        Scalar::Text(t) => t.clone(),
    }
}

/// `` `a`, `b` or `c` ``.
fn list_names<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> String {
    let names: Vec<String> = names
        .into_iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect();
    match names.split_last() {
        None => "none".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_code(code: &str) -> bool {
    let digits = code.trim_start_matches(|c: char| c.is_ascii_uppercase());
    digits.len() < code.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}
