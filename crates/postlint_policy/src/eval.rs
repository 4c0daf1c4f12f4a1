//! Evaluating compiled policies against one service.
//!
//! The engine sees a service only through [`ServiceContext`], so this crate does not depend on
//! the model: the caller adapts its effective values, facts and provenance. A test whose value
//! is unknown (an unknown parameter, a fact the caller cannot compute, a value that does not
//! parse as the operator needs) neither applies a policy (`when`) nor fires one (`require`):
//! findings come only from values known to be wrong.

use postlint_diagnostics::{Diagnostic, Edit, FileId, Fix, TextRange};

use crate::facts::{FactValue, fact_info};
use crate::load::{Operator, Policy, Predicate, Selector, Subject, scalar_text};
use crate::raw::Scalar;
use crate::tls::{TlsLevel, TlsProtocol, protocol_floor};

/// One master.cf service, as the engine sees it.
pub trait ServiceContext {
    /// The service as `name/type`, e.g. `submission/inet`.
    fn key(&self) -> String;
    /// The service name (first master.cf field), e.g. `submission` or `127.0.0.1:10025`.
    fn name(&self) -> &str;
    /// The service type: `inet`, `unix`, `unix-dgram`, `fifo` or `pass`.
    fn kind(&self) -> &str;
    /// The command the service runs, e.g. `smtpd`.
    fn program(&self) -> &str;
    /// The TCP port for `inet` services, when known.
    fn port(&self) -> Option<u16>;
    /// Whether the service is reachable from outside the host; `None` when unknown.
    fn reachable(&self) -> Option<bool>;
    /// Whether this is the `pass` service behind postscreen.
    fn postscreen_pass(&self) -> bool;
    /// The effective, `$`-expanded value of a parameter for this service.
    fn param(&self, name: &str) -> Option<String>;
    /// The effective value of a parameter before `$` expansion.
    fn raw_param(&self, name: &str) -> Option<String>;
    /// Whether the parameter is set explicitly for this service (main.cf or `-o`).
    fn is_set(&self, name: &str) -> bool;
    /// The value of a named fact (see [`crate::facts::FACTS`]); `None` when unknown.
    fn fact(&self, name: &str) -> Option<FactValue>;
    /// Where the parameter's effective value comes from: spans with labels, possibly in both
    /// files (the main.cf line and the `-o` override). Empty for built-in defaults.
    fn locate(&self, param: &str) -> Vec<(FileId, TextRange, String)>;
    /// The service's master.cf entry.
    fn service_range(&self) -> (FileId, TextRange);
    /// The edit that sets `-o name=value` on this service (replacing an existing `-o` for
    /// the name); `None` when the service cannot be edited safely.
    fn override_edit(&self, name: &str, value: &str) -> Option<Edit> {
        let _ = (name, value);
        None
    }
}

/// One result of a built-in analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalysisFinding {
    /// The parameters involved; labels point where they are set, the first is primary.
    pub params: Vec<String>,
    /// The offending value, for `{value}`.
    pub value: Option<String>,
    /// What the analysis found, for `{detail}`.
    pub detail: String,
    /// Exact spans (a list entry inside a value, say) labelled before the parameters'
    /// locations; the first becomes the primary label.
    pub spans: Vec<(FileId, TextRange, String)>,
}

/// The built-in analyses a policy may call with `analysis = "…"`.
pub trait Analyses {
    /// Runs the analysis called `name` on `service`. Names are checked at load time against
    /// the list the caller gave [`crate::LoadOptions`].
    fn run(&self, name: &str, service: &dyn ServiceContext) -> Vec<AnalysisFinding>;
}

impl<F> Analyses for F
where
    F: Fn(&str, &dyn ServiceContext) -> Vec<AnalysisFinding>,
{
    fn run(&self, name: &str, service: &dyn ServiceContext) -> Vec<AnalysisFinding> {
        self(name, service)
    }
}

/// No built-in analyses.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAnalyses;

impl Analyses for NoAnalyses {
    fn run(&self, _: &str, _: &dyn ServiceContext) -> Vec<AnalysisFinding> {
        Vec::new()
    }
}

/// Evaluates every policy against one service, in policy order.
pub fn evaluate(
    policies: &[Policy],
    service: &dyn ServiceContext,
    analyses: &dyn Analyses,
) -> Vec<Diagnostic> {
    policies
        .iter()
        .flat_map(|p| p.evaluate(service, analyses))
        .collect()
}

impl Policy {
    /// Whether the policy's `select` matches the service.
    pub fn selects(&self, service: &dyn ServiceContext) -> bool {
        self.select.matches(service)
            && (self.select_any.is_empty() || self.select_any.iter().any(|s| s.matches(service)))
    }

    /// Whether the policy applies: selected, and every `when` test holds.
    pub fn applies(&self, service: &dyn ServiceContext) -> bool {
        self.selects(service) && self.when.iter().all(|p| p.test(service) == Some(true))
    }

    /// The findings of this policy for the service.
    pub fn evaluate(
        &self,
        service: &dyn ServiceContext,
        analyses: &dyn Analyses,
    ) -> Vec<Diagnostic> {
        if !self.applies(service) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for predicate in &self.require {
            if predicate.test(service) == Some(false) {
                let value = predicate.value(service).map(|v| v.text());
                // Label where the failing value is set first, then what made the policy apply.
                let mut params = predicate.subject.params();
                for p in self.when.iter().flat_map(|w| w.subject.params()) {
                    if !params.contains(&p) {
                        params.push(p);
                    }
                }
                let fill = Fill {
                    param: Some(predicate.subject.name()),
                    value: value.as_deref(),
                    expected: Some(&predicate.operator.describe()),
                    detail: None,
                };
                let template = predicate.message.as_deref().unwrap_or(&self.message);
                let mut d = self.finding(service, template, &fill, &params);
                if let Some((title, set)) = &self.fix {
                    let edits: Option<Vec<Edit>> = set
                        .iter()
                        .map(|(name, value)| service.override_edit(name, value))
                        .collect();
                    if let Some(edits) = edits.filter(|e| !e.is_empty()) {
                        d = d.with_fix(Fix {
                            title: title.clone(),
                            edits,
                        });
                    }
                }
                out.push(d);
            }
        }
        if let Some(name) = &self.analysis {
            for found in analyses.run(name, service) {
                let fill = Fill {
                    param: found.params.first().map(String::as_str),
                    value: found.value.as_deref(),
                    expected: None,
                    detail: Some(&found.detail),
                };
                let mut d = self.finding(service, &self.message, &fill, &found.params);
                if !found.spans.is_empty() {
                    let mut labels: Vec<_> = found
                        .spans
                        .iter()
                        .map(|(file, range, message)| postlint_diagnostics::Label {
                            file: *file,
                            range: *range,
                            message: message.clone(),
                            primary: false,
                        })
                        .collect();
                    for l in &mut d.labels {
                        l.primary = false;
                    }
                    if let Some(first) = labels.first_mut() {
                        first.primary = true;
                    }
                    // A parameter's whole line adds nothing to a span inside (or equal to) it.
                    let primary = labels.first().map(|l| (l.file, l.range));
                    d.labels.retain(|o| {
                        primary.is_none_or(|(file, range)| {
                            !(o.file == file
                                && o.range.start <= range.start
                                && range.end <= o.range.end)
                        })
                    });
                    labels.append(&mut d.labels);
                    d.labels = labels;
                }
                out.push(d);
            }
        }
        out
    }

    fn finding(
        &self,
        service: &dyn ServiceContext,
        template: &str,
        fill: &Fill<'_>,
        params: &[String],
    ) -> Diagnostic {
        let key = service.key();
        let message = fill.apply(template, &key);
        let mut locations = params
            .iter()
            .flat_map(|p| service.locate(p))
            .collect::<Vec<_>>()
            .into_iter();
        let (svc_file, svc_range) = service.service_range();
        let mut diagnostic = if let Some((file, range, label)) = locations.next() {
            let d = Diagnostic::new(&self.rule, &self.code, self.severity, message, file, range)
                .with_primary_message(label);
            let d = locations.fold(d, |d, (file, range, label)| {
                d.with_label(file, range, label)
            });
            if (svc_file, svc_range) == (file, range) {
                d
            } else {
                d.with_label(svc_file, svc_range, format!("in `{key}`"))
            }
        } else {
            Diagnostic::new(
                &self.rule,
                &self.code,
                self.severity,
                message,
                svc_file,
                svc_range,
            )
            .with_primary_message(format!("`{key}` is defined here"))
        };
        if let Some(help) = &self.help {
            diagnostic = diagnostic.with_help(fill.apply(help, &key));
        }
        if let Some(url) = self.references.first() {
            diagnostic = diagnostic.with_url(url);
        }
        diagnostic.with_service(key)
    }
}

/// Placeholder values for one finding.
struct Fill<'a> {
    param: Option<&'a str>,
    value: Option<&'a str>,
    expected: Option<&'a str>,
    detail: Option<&'a str>,
}

impl Fill<'_> {
    fn apply(&self, template: &str, service: &str) -> String {
        template
            .replace("{service}", service)
            .replace("{param}", self.param.unwrap_or_default())
            .replace("{value}", self.value.unwrap_or_default())
            .replace("{expected}", self.expected.unwrap_or_default())
            .replace("{detail}", self.detail.unwrap_or_default())
    }
}

impl Subject {
    /// The parameters the subject is derived from.
    fn params(&self) -> Vec<String> {
        match self {
            Self::Param(n) | Self::RawParam(n) => vec![n.clone()],
            Self::Fact(n) => fact_info(n)
                .map(|f| f.params.iter().map(|p| (*p).to_owned()).collect())
                .unwrap_or_default(),
        }
    }
}

impl Selector {
    /// Whether every given criterion matches the service.
    pub fn matches(&self, service: &dyn ServiceContext) -> bool {
        (self.programs.is_empty() || self.programs.iter().any(|p| p == service.program()))
            && (self.ports.is_empty() || service.port().is_some_and(|p| self.ports.contains(&p)))
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| k == service.kind()))
            && (self.names.is_empty() || self.names.iter().any(|g| glob(g, service.name())))
            && self
                .reachable
                .is_none_or(|want| service.reachable() == Some(want))
            && self
                .postscreen_pass
                .is_none_or(|want| service.postscreen_pass() == want)
            && self.has.iter().all(|p| service.is_set(p))
    }
}

/// A value under test.
enum Value {
    /// A parameter value.
    Text(String),
    /// A fact.
    Fact(FactValue),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::Fact(f) => f.to_text(),
        }
    }

    fn list(&self) -> Option<Vec<String>> {
        match self {
            Self::Text(t) | Self::Fact(FactValue::Text(t)) => Some(
                crate::list::split(t)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            ),
            Self::Fact(FactValue::List(items)) => Some(items.clone()),
            Self::Fact(_) => None,
        }
    }

    fn number(&self) -> Option<i64> {
        match self {
            Self::Text(t) | Self::Fact(FactValue::Text(t)) => t.trim().parse().ok(),
            Self::Fact(FactValue::Int(n)) => Some(*n),
            Self::Fact(_) => None,
        }
    }

    fn tls_level(&self) -> Option<TlsLevel> {
        match self {
            Self::Text(t) | Self::Fact(FactValue::Text(t)) => crate::tls::parse_level(t),
            Self::Fact(FactValue::TlsLevel(l)) => Some(*l),
            Self::Fact(_) => None,
        }
    }

    fn protocol_floor(&self) -> Option<TlsProtocol> {
        match self {
            Self::Text(t) | Self::Fact(FactValue::Text(t)) => protocol_floor(t),
            Self::Fact(FactValue::Protocol(p)) => Some(*p),
            Self::Fact(_) => None,
        }
    }

    fn equals(&self, want: &Scalar) -> bool {
        match (self, want) {
            (Self::Fact(FactValue::Bool(b)), Scalar::Bool(w)) => b == w,
            (Self::Fact(FactValue::Bool(b)), Scalar::Text(w)) => parse_bool(w) == Some(*b),
            (Self::Fact(FactValue::Int(n)), Scalar::Int(w)) => n == w,
            (Self::Fact(FactValue::TlsLevel(l)), Scalar::Text(w)) => {
                crate::tls::parse_level(w) == Some(*l)
            }
            (Self::Fact(FactValue::Protocol(p)), Scalar::Text(w)) => {
                TlsProtocol::parse(w) == Some(*p)
            }
            (Self::Text(t) | Self::Fact(FactValue::Text(t)), want) => text_equals(t, want),
            (Self::Fact(_), _) => false,
        }
    }
}

/// A Postfix boolean: `yes`/`no` (and `true`/`false`), ignoring case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("yes") || t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("no") || t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Compares a parameter value with a TOML scalar: booleans and TLS levels ignore case.
fn text_equals(value: &str, want: &Scalar) -> bool {
    let value = value.trim();
    match want {
        Scalar::Bool(w) => parse_bool(value) == Some(*w),
        Scalar::Int(w) => value.parse::<i64>().ok() == Some(*w),
        Scalar::Text(w) => {
            let w = w.trim();
            if parse_bool(w).is_some() || crate::tls::parse_level(w).is_some() {
                value.eq_ignore_ascii_case(w)
            } else {
                value == w
            }
        }
    }
}

impl Predicate {
    fn value(&self, service: &dyn ServiceContext) -> Option<Value> {
        match &self.subject {
            Subject::Param(n) => service.param(n).map(Value::Text),
            Subject::RawParam(n) => service.raw_param(n).map(Value::Text),
            Subject::Fact(n) => service.fact(n).map(Value::Fact),
        }
    }

    /// Whether the test holds for the service; `None` when the value is unknown or does not
    /// parse as the operator needs.
    pub fn test(&self, service: &dyn ServiceContext) -> Option<bool> {
        use Operator as O;
        if let O::Set(want) = self.operator {
            let set = match &self.subject {
                Subject::Param(n) | Subject::RawParam(n) => service.is_set(n),
                Subject::Fact(n) => service.fact(n).is_some(),
            };
            return Some(set == want);
        }
        let value = self.value(service);
        if let O::Empty(want) = self.operator {
            return match (&self.subject, value) {
                (Subject::Fact(_), None) => None,
                (_, None) => Some(want),
                (_, Some(v)) => v.list().map(|items| items.is_empty() == want),
            };
        }
        let value = value?;
        let has = |items: &[String], x: &str| items.iter().position(|i| i.eq_ignore_ascii_case(x));
        Some(match &self.operator {
            O::Equals(w) => value.equals(w),
            O::NotEquals(w) => !value.equals(w),
            O::OneOf(ws) => ws.iter().any(|w| value.equals(w)),
            O::NotOneOf(ws) => !ws.iter().any(|w| value.equals(w)),
            O::AtLeastTls(l) => value.tls_level()? >= *l,
            O::AtMostTls(l) => value.tls_level()? <= *l,
            O::ProtocolFloorAtLeast(p) => value.protocol_floor()? >= *p,
            O::Contains(x) => has(&value.list()?, x).is_some(),
            O::Lacks(x) => has(&value.list()?, x).is_none(),
            O::Before(a, b) => {
                let items = value.list()?;
                match (has(&items, a), has(&items, b)) {
                    (Some(ia), Some(ib)) => ia < ib,
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            }
            O::Matches(re) => re.is_match(&value.text()),
            O::NotMatches(re) => !re.is_match(&value.text()),
            O::GreaterThan(n) => value.number()? > *n,
            O::LessThan(n) => value.number()? < *n,
            O::AtLeast(n) => value.number()? >= *n,
            O::AtMost(n) => value.number()? <= *n,
            O::Empty(_) | O::Set(_) => return None,
        })
    }
}

impl Operator {
    /// What the operator wants, for `{expected}`, with user values in backticks.
    pub fn describe(&self) -> String {
        let one_of = |ws: &[Scalar]| {
            ws.iter()
                .map(|w| format!("`{}`", scalar_text(w)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::Equals(w) => format!("`{}`", scalar_text(w)),
            Self::NotEquals(w) => format!("anything but `{}`", scalar_text(w)),
            Self::OneOf(ws) => format!("one of {}", one_of(ws)),
            Self::NotOneOf(ws) => format!("none of {}", one_of(ws)),
            Self::AtLeastTls(l) => format!("`{l}` or stronger"),
            Self::AtMostTls(l) => format!("`{l}` or weaker"),
            Self::ProtocolFloorAtLeast(p) => format!("`{p}` or newer only"),
            Self::Contains(x) => format!("a list with `{x}`"),
            Self::Lacks(x) => format!("a list without `{x}`"),
            Self::Before(a, b) => format!("`{a}` before `{b}`"),
            Self::Matches(re) => format!("a value matching `{}`", re.as_str()),
            Self::NotMatches(re) => format!("a value not matching `{}`", re.as_str()),
            Self::GreaterThan(n) => format!("more than {n}"),
            Self::LessThan(n) => format!("less than {n}"),
            Self::AtLeast(n) => format!("at least {n}"),
            Self::AtMost(n) => format!("at most {n}"),
            Self::Empty(true) => "an empty value".to_owned(),
            Self::Empty(false) => "a non-empty value".to_owned(),
            Self::Set(true) => "an explicit setting".to_owned(),
            Self::Set(false) => "no explicit setting".to_owned(),
        }
    }
}

/// Matches a service name against a glob with `*` (any run) and `?` (one character).
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match (p.get(pi), t.get(ti)) {
            (Some('*'), _) => {
                star = Some((pi, ti));
                pi += 1;
            }
            (Some(pc), Some(tc)) if *pc == '?' || pc == tc => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("submission", "submission"));
        assert!(glob("sub*", "submission"));
        assert!(glob("*", ""));
        assert!(glob("s?bm*on", "submission"));
        assert!(!glob("smtp", "smtps"));
        assert!(glob("*:10025", "127.0.0.1:10025"));
    }
}
