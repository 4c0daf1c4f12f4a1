//! Loading (with span-accurate errors) and evaluation of policies against a fake service.

// Helpers outside `#[test]` functions are test code too: a panic there is a failed test.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::collections::HashMap;

use postlint_diagnostics::{Diagnostic, FileId, Severity, TextRange};
use postlint_policy::{
    AnalysisFinding, FactValue, LoadOptions, Loaded, NoAnalyses, Policy, ServiceContext, TlsLevel,
    TlsProtocol, evaluate, load,
};

const POLICY_FILE: FileId = FileId(9);
const MASTER: FileId = FileId(1);
const MAIN: FileId = FileId(0);

fn load_text(text: &str) -> Loaded {
    load(
        text,
        &LoadOptions {
            file: POLICY_FILE,
            analyses: &[
                "open-relay",
                "mynetworks-too-broad",
                "undefined-transport",
                "unknown-restriction",
            ],
        },
    )
}

fn load_ok(text: &str) -> Vec<Policy> {
    let loaded = load_text(text);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    loaded.policies
}

/// The single load error of `text`, and the TOML text its primary span covers.
fn one_error(text: &str) -> (Diagnostic, String) {
    let loaded = load_text(text);
    assert_eq!(loaded.diagnostics.len(), 1, "{:#?}", loaded.diagnostics);
    let d = loaded.diagnostics.into_iter().next().unwrap();
    assert_eq!(d.rule, "policy-error");
    assert_eq!(d.code, "PL900");
    let label = d.primary().unwrap();
    assert_eq!(label.file, POLICY_FILE);
    let covered = String::from_utf8(label.range.slice(text.as_bytes()).to_vec()).unwrap();
    (d, covered)
}

#[derive(Default, Clone)]
struct Fake {
    name: String,
    kind: String,
    program: String,
    port: Option<u16>,
    reachable: Option<bool>,
    postscreen_pass: bool,
    params: HashMap<String, String>,
    raw: HashMap<String, String>,
    set: Vec<String>,
    facts: HashMap<String, FactValue>,
}

impl Fake {
    fn smtpd(name: &str, port: u16) -> Self {
        Self {
            name: name.to_owned(),
            kind: "inet".to_owned(),
            program: "smtpd".to_owned(),
            port: Some(port),
            reachable: Some(true),
            ..Self::default()
        }
    }

    fn param(mut self, name: &str, value: &str) -> Self {
        self.params.insert(name.to_owned(), value.to_owned());
        self.set.push(name.to_owned());
        self
    }

    fn fact(mut self, name: &str, value: FactValue) -> Self {
        self.facts.insert(name.to_owned(), value);
        self
    }
}

impl ServiceContext for Fake {
    fn key(&self) -> String {
        format!("{}/{}", self.name, self.kind)
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &str {
        &self.kind
    }
    fn program(&self) -> &str {
        &self.program
    }
    fn port(&self) -> Option<u16> {
        self.port
    }
    fn reachable(&self) -> Option<bool> {
        self.reachable
    }
    fn postscreen_pass(&self) -> bool {
        self.postscreen_pass
    }
    fn param(&self, name: &str) -> Option<String> {
        self.params.get(name).cloned()
    }
    fn raw_param(&self, name: &str) -> Option<String> {
        self.raw
            .get(name)
            .or_else(|| self.params.get(name))
            .cloned()
    }
    fn is_set(&self, name: &str) -> bool {
        self.set.iter().any(|s| s == name)
    }
    fn fact(&self, name: &str) -> Option<FactValue> {
        self.facts.get(name).cloned()
    }
    fn locate(&self, param: &str) -> Vec<(FileId, TextRange, String)> {
        if self.is_set(param) {
            vec![(
                MAIN,
                TextRange::new(10, 20),
                format!("`{param}` is set here"),
            )]
        } else {
            Vec::new()
        }
    }
    fn service_range(&self) -> (FileId, TextRange) {
        (MASTER, TextRange::new(100, 140))
    }
}

fn baseline() -> Vec<Policy> {
    load_ok(include_str!("../../../rules/baseline.toml"))
}

fn fired(policies: &[Policy], svc: &Fake) -> Vec<String> {
    evaluate(policies, svc, &NoAnalyses)
        .into_iter()
        .map(|d| d.rule)
        .collect()
}

// ---- shipped packs ----

#[test]
fn shipped_packs_load_without_errors() {
    let base = baseline();
    let names: Vec<&str> = base.iter().map(|p| p.rule.as_str()).collect();
    for expected in [
        "submission-tls-not-required",
        "implicit-tls-without-wrappermode",
        "wrappermode-on-starttls-port",
        "plaintext-auth-allowed",
        "mx-tls-required",
        "tls-cert-missing",
        "dane-without-dnssec",
        "verify-without-trust-anchors",
        "relayhost-implicit-tls-without-wrappermode",
        "relayhost-auth-without-tls",
        "banner-discloses-software",
        "outbound-tls-disabled",
        "outbound-tls-mandatory-everywhere",
        "weak-tls-protocols",
        "open-relay",
        "mynetworks-too-broad",
        "undefined-transport",
        "unknown-restriction",
    ] {
        assert!(names.contains(&expected), "baseline lacks {expected}");
    }
    let strict = load_ok(include_str!("../../../rules/strict.toml"));
    assert!(strict.len() >= 5);
    // One rule may take several policies (sharing its code); different rules never share one.
    let mut pairs: Vec<(&str, &str)> = base
        .iter()
        .chain(&strict)
        .map(|p| (p.code.as_str(), p.rule.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut codes: Vec<&str> = pairs.iter().map(|(c, _)| *c).collect();
    let n = codes.len();
    codes.dedup();
    assert_eq!(codes.len(), n, "codes are unique across packs");
}

// ---- baseline behaviour ----

#[test]
fn submission_without_required_tls_fires() {
    let svc = Fake::smtpd("submission", 587)
        .param("smtpd_tls_security_level", "may")
        .fact("tls_required", FactValue::Bool(false));
    let found = evaluate(&baseline(), &svc, &NoAnalyses);
    let d = found
        .iter()
        .find(|d| d.rule == "submission-tls-not-required")
        .unwrap();
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.code, "PL101");
    assert_eq!(
        d.message,
        "`submission/inet` accepts mail submission without requiring TLS"
    );
    assert_eq!(d.service.as_deref(), Some("submission/inet"));
    assert_eq!(
        d.url.as_deref(),
        Some("https://www.rfc-editor.org/rfc/rfc8314#section-3.3")
    );
    // Primary label where the fact's parameter is set, then the service entry.
    let primary = d.primary().unwrap();
    assert_eq!(primary.file, MAIN);
    assert_eq!(primary.message, "`smtpd_tls_security_level` is set here");
    assert!(d.labels.iter().any(|l| l.file == MASTER && !l.primary));
}

#[test]
fn submission_with_encrypt_is_silent() {
    let svc = Fake::smtpd("submission", 587)
        .param("smtpd_tls_security_level", "encrypt")
        .fact("tls_required", FactValue::Bool(true))
        .fact("tls_offered", FactValue::Bool(true))
        .fact("server_cert_present", FactValue::Bool(true))
        .fact("wrappermode", FactValue::Bool(false));
    assert!(fired(&baseline(), &svc).is_empty());
}

#[test]
fn submission_fact_unknown_is_silent() {
    let svc = Fake::smtpd("submission", 587);
    assert!(!fired(&baseline(), &svc).contains(&"submission-tls-not-required".to_owned()));
}

#[test]
fn port_465_without_wrappermode_fires() {
    let svc = Fake::smtpd("submissions", 465).fact("wrappermode", FactValue::Bool(false));
    let found = evaluate(&baseline(), &svc, &NoAnalyses);
    let d = found
        .iter()
        .find(|d| d.rule == "implicit-tls-without-wrappermode")
        .unwrap();
    // Nothing set explicitly: the finding points at the service entry.
    let primary = d.primary().unwrap();
    assert_eq!(primary.file, MASTER);
    assert_eq!(primary.message, "`submissions/inet` is defined here");
    let ok = Fake::smtpd("submissions", 465).fact("wrappermode", FactValue::Bool(true));
    assert!(!fired(&baseline(), &ok).contains(&"implicit-tls-without-wrappermode".to_owned()));
}

#[test]
fn mx_selection_by_port_or_postscreen_pass() {
    let requiring = |svc: Fake| svc.fact("tls_required", FactValue::Bool(true));
    let mx = requiring(Fake::smtpd("smtp", 25));
    assert!(fired(&baseline(), &mx).contains(&"mx-tls-required".to_owned()));
    let mut pass = requiring(Fake::smtpd("smtpd", 25));
    pass.kind = "pass".to_owned();
    pass.port = None;
    pass.reachable = None;
    pass.postscreen_pass = true;
    assert!(fired(&baseline(), &pass).contains(&"mx-tls-required".to_owned()));
    let mut internal = requiring(Fake::smtpd("smtp", 25));
    internal.reachable = Some(false);
    assert!(!fired(&baseline(), &internal).contains(&"mx-tls-required".to_owned()));
}

#[test]
fn banner_uses_raw_value() {
    let mut svc = Fake::smtpd("smtp", 25).param("smtpd_banner", "mx.example.com ESMTP Postfix");
    svc.raw.insert(
        "smtpd_banner".to_owned(),
        "$myhostname ESMTP $mail_name".to_owned(),
    );
    assert!(fired(&baseline(), &svc).contains(&"banner-discloses-software".to_owned()));
    svc.raw
        .insert("smtpd_banner".to_owned(), "$myhostname ESMTP".to_owned());
    assert!(!fired(&baseline(), &svc).contains(&"banner-discloses-software".to_owned()));
}

#[test]
fn outbound_levels() {
    let client = |level| {
        Fake {
            name: "smtp".to_owned(),
            kind: "unix".to_owned(),
            program: "smtp".to_owned(),
            ..Fake::default()
        }
        .fact("client_tls_level", FactValue::TlsLevel(level))
        .fact("relayhost_set", FactValue::Bool(false))
        .fact("next_hop_loopback", FactValue::Bool(false))
    };
    let off = fired(&baseline(), &client(TlsLevel::None));
    assert_eq!(off, ["outbound-tls-disabled"]);
    // A content filter's transport to a loopback next hop is exempt.
    let filter = client(TlsLevel::None).fact("next_hop_loopback", FactValue::Bool(true));
    assert!(fired(&baseline(), &filter).is_empty());
    assert!(fired(&baseline(), &client(TlsLevel::May)).is_empty());
    let mandatory = evaluate(&baseline(), &client(TlsLevel::Encrypt), &NoAnalyses);
    assert_eq!(mandatory.len(), 1);
    assert!(
        mandatory[0]
            .message
            .contains("`smtp_tls_security_level = encrypt`")
    );
}

// ---- selection ----

#[test]
fn selection_by_program_port_type_name_reachable_has() {
    let p = load_ok(
        r#"
[[policy]]
rule = "x"
severity = "info"
message = "m"
select = { program = "smtpd", port = [25, 587], type = "inet", name = "sub*", reachable = true, has = "smtpd_tls_security_level" }
require = [{ param = "p", set = false }]
"#,
    );
    let base = Fake::smtpd("submission", 587).param("smtpd_tls_security_level", "may");
    let sel = |svc: &Fake| p[0].selects(svc);
    assert!(sel(&base));
    assert!(!sel(&Fake {
        port: Some(465),
        ..base.clone()
    }));
    assert!(!sel(&Fake {
        program: "smtp".to_owned(),
        ..base.clone()
    }));
    assert!(!sel(&Fake {
        kind: "unix".to_owned(),
        ..base.clone()
    }));
    assert!(!sel(&Fake {
        name: "smtp".to_owned(),
        ..base.clone()
    }));
    assert!(!sel(&Fake {
        reachable: None,
        ..base.clone()
    }));
    assert!(!sel(&Fake {
        reachable: Some(false),
        ..base.clone()
    }));
    assert!(!sel(&Fake {
        set: Vec::new(),
        ..base.clone()
    }));
}

// ---- operators ----

/// Evaluates one `require` test against a service; `Some(true)` = holds.
fn holds(test: &str, svc: &Fake) -> bool {
    let text = format!(
        "[[policy]]\nrule = \"t\"\nseverity = \"info\"\nmessage = \"m\"\nrequire = [{test}]\n"
    );
    let p = load_ok(&text);
    evaluate(&p, svc, &NoAnalyses).is_empty()
}

#[test]
fn each_operator_true_and_false() {
    let s = Fake::smtpd("smtp", 25)
        .param("yes_param", "YES")
        .param("level", "Encrypt")
        .param("protos", "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1")
        .param(
            "restrictions",
            "permit_mynetworks, permit_sasl_authenticated reject_unauth_destination",
        )
        .param("num", "5")
        .param("blank", "  ")
        .param("banner", "mx ESMTP Postfix")
        .fact("lvl", FactValue::TlsLevel(TlsLevel::Dane));
    let cases: &[(&str, bool)] = &[
        (r#"{ param = "yes_param", equals = true }"#, true),
        (r#"{ param = "yes_param", equals = "yes" }"#, true),
        (r#"{ param = "yes_param", equals = false }"#, false),
        (r#"{ param = "level", equals = "encrypt" }"#, true),
        (
            r#"{ param = "banner", equals = "mx esmtp postfix" }"#,
            false,
        ),
        (r#"{ param = "num", equals = 5 }"#, true),
        (r#"{ param = "num", not_equals = 5 }"#, false),
        (r#"{ param = "num", not_equals = 6 }"#, true),
        (r#"{ param = "level", one_of = ["may", "encrypt"] }"#, true),
        (r#"{ param = "level", one_of = ["none", "may"] }"#, false),
        (r#"{ param = "level", not_one_of = ["none", "may"] }"#, true),
        (r#"{ param = "level", not_one_of = ["encrypt"] }"#, false),
        (r#"{ param = "level", at_least_tls = "may" }"#, true),
        (r#"{ param = "level", at_least_tls = "verify" }"#, false),
        (r#"{ param = "level", at_most_tls = "encrypt" }"#, true),
        (r#"{ param = "level", at_most_tls = "may" }"#, false),
        (
            r#"{ param = "protos", protocol_floor_at_least = "TLSv1.2" }"#,
            true,
        ),
        (
            r#"{ param = "protos", protocol_floor_at_least = "TLSv1.3" }"#,
            false,
        ),
        (
            r#"{ param = "restrictions", contains = "permit_sasl_authenticated" }"#,
            true,
        ),
        (r#"{ param = "restrictions", contains = "reject" }"#, false),
        (r#"{ param = "restrictions", lacks = "reject" }"#, true),
        (
            r#"{ param = "restrictions", lacks = "permit_mynetworks" }"#,
            false,
        ),
        (
            r#"{ param = "restrictions", before = ["permit_sasl_authenticated", "reject_unauth_destination"] }"#,
            true,
        ),
        (
            r#"{ param = "restrictions", before = ["reject_unauth_destination", "permit_mynetworks"] }"#,
            false,
        ),
        (r#"{ param = "banner", matches = "Postfix$" }"#, true),
        (r#"{ param = "banner", matches = "^Postfix" }"#, false),
        (r#"{ param = "banner", not_matches = "Exim" }"#, true),
        (r#"{ param = "banner", not_matches = "ESMTP" }"#, false),
        (r#"{ param = "num", greater_than = 4 }"#, true),
        (r#"{ param = "num", greater_than = 5 }"#, false),
        (r#"{ param = "num", less_than = 6 }"#, true),
        (r#"{ param = "num", less_than = 5 }"#, false),
        (r#"{ param = "num", at_least = 5 }"#, true),
        (r#"{ param = "num", at_least = 6 }"#, false),
        (r#"{ param = "num", at_most = 5 }"#, true),
        (r#"{ param = "num", at_most = 4 }"#, false),
        (r#"{ param = "blank", empty = true }"#, true),
        (r#"{ param = "num", empty = true }"#, false),
        (r#"{ param = "num", empty = false }"#, true),
        (r#"{ param = "num", set = true }"#, true),
        (r#"{ param = "other", set = true }"#, false),
        (r#"{ param = "other", set = false }"#, true),
        (r#"{ fact = "client_tls_level", set = true }"#, false),
        (r#"{ fact = "server_tls_level", set = false }"#, true),
    ];
    for (test, want) in cases {
        assert_eq!(holds(test, &s), *want, "{test}");
    }
    let s = s
        .fact("client_tls_level", FactValue::TlsLevel(TlsLevel::Dane))
        .fact(
            "mandatory_protocol_floor",
            FactValue::Protocol(TlsProtocol::Tls12),
        )
        .fact("relayhost_port", FactValue::Int(465));
    let facts: &[(&str, bool)] = &[
        (
            r#"{ fact = "client_tls_level", at_least_tls = "encrypt" }"#,
            true,
        ),
        (
            r#"{ fact = "client_tls_level", at_least_tls = "dane-only" }"#,
            false,
        ),
        (r#"{ fact = "client_tls_level", equals = "DANE" }"#, true),
        (
            r#"{ fact = "mandatory_protocol_floor", protocol_floor_at_least = "TLSv1.2" }"#,
            true,
        ),
        (
            r#"{ fact = "mandatory_protocol_floor", protocol_floor_at_least = "TLSv1.3" }"#,
            false,
        ),
        (r#"{ fact = "relayhost_port", at_least = 465 }"#, true),
        (r#"{ fact = "relayhost_port", one_of = [25, 587] }"#, false),
    ];
    for (test, want) in facts {
        assert_eq!(holds(test, &s), *want, "{test}");
    }
}

#[test]
fn unknown_values_never_fire() {
    let s = Fake::smtpd("smtp", 25).param("num", "lots");
    // Missing param, missing fact, unparsable number: no finding either way.
    assert!(holds(r#"{ param = "missing", equals = "x" }"#, &s));
    assert!(holds(r#"{ fact = "tls_required", equals = true }"#, &s));
    assert!(holds(r#"{ param = "num", at_least = 1 }"#, &s));
}

#[test]
fn when_gates_the_policy() {
    let p = load_ok(
        r#"
[[policy]]
rule = "t"
severity = "warning"
message = "m"
when = [{ param = "a", equals = true }]
require = [{ param = "b", equals = true }]
"#,
    );
    let on = Fake::smtpd("smtp", 25).param("a", "yes").param("b", "no");
    assert_eq!(evaluate(&p, &on, &NoAnalyses).len(), 1);
    let off = Fake::smtpd("smtp", 25).param("a", "no").param("b", "no");
    assert!(evaluate(&p, &off, &NoAnalyses).is_empty());
}

#[test]
fn message_placeholders_are_filled() {
    let p = load_ok(
        r#"
[[policy]]
rule = "t"
severity = "warning"
message = "`{service}`: `{param} = {value}`, wanted {expected}"
help = "fix {param} on {service}"
require = [
    { param = "smtpd_tls_security_level", at_least_tls = "encrypt" },
    { param = "x", equals = "1", message = "own message for `{param}`" },
]
"#,
    );
    let svc = Fake::smtpd("submission", 587)
        .param("smtpd_tls_security_level", "may")
        .param("x", "2");
    let found = evaluate(&p, &svc, &NoAnalyses);
    assert_eq!(found.len(), 2);
    assert_eq!(
        found[0].message,
        "`submission/inet`: `smtpd_tls_security_level = may`, wanted `encrypt` or stronger"
    );
    assert_eq!(
        found[0].help.as_deref(),
        Some("fix smtpd_tls_security_level on submission/inet")
    );
    assert_eq!(found[1].message, "own message for `x`");
}

#[test]
fn analyses_become_findings() {
    let p = load_ok(
        r#"
[[policy]]
rule = "open-relay"
severity = "error"
message = "`{service}` relays for anyone: {detail}"
select = { program = "smtpd" }
analysis = "open-relay"
"#,
    );
    let svc = Fake::smtpd("smtp", 25).param("smtpd_relay_restrictions", "permit");
    let run = |name: &str, _: &dyn ServiceContext| {
        assert_eq!(name, "open-relay");
        vec![AnalysisFinding {
            params: vec!["smtpd_relay_restrictions".to_owned()],
            value: Some("permit".to_owned()),
            detail: "`permit` comes first".to_owned(),
            spans: Vec::new(),
        }]
    };
    let found = evaluate(&p, &svc, &run);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].message,
        "`smtp/inet` relays for anyone: `permit` comes first"
    );
    assert_eq!(found[0].primary().unwrap().file, MAIN);
}

// ---- load errors ----

const HEAD: &str = "[[policy]]\nrule = \"t\"\nseverity = \"info\"\nmessage = \"m\"\n";

#[test]
fn unknown_key_points_at_key() {
    let text = format!("{HEAD}require = [{{ param = \"p\", set = true }}]\nseverty = 1\n");
    let (d, covered) = one_error(&text);
    assert!(
        d.message.contains("unknown field `severty`"),
        "{}",
        d.message
    );
    assert_eq!(covered, "severty");
}

#[test]
fn unknown_key_in_predicate_points_at_key() {
    let text = format!("{HEAD}require = [{{ param = \"p\", equal = \"x\" }}]\n");
    let (d, covered) = one_error(&text);
    assert!(d.message.contains("unknown field `equal`"), "{}", d.message);
    assert_eq!(covered, "equal");
}

#[test]
fn bad_regex_points_at_pattern() {
    let text = format!("{HEAD}require = [{{ param = \"p\", matches = \"a(b\" }}]\n");
    let (d, covered) = one_error(&text);
    assert!(
        d.message.starts_with("invalid regular expression"),
        "{}",
        d.message
    );
    assert_eq!(covered, "\"a(b\"");
}

#[test]
fn bad_severity_points_at_value() {
    let text = "[[policy]]\nrule = \"t\"\nseverity = \"fatal\"\nmessage = \"m\"\nrequire = [{ param = \"p\", set = true }]\n";
    let (d, covered) = one_error(text);
    assert_eq!(
        d.message,
        "unknown severity `fatal`, expected `info`, `warning` or `error`"
    );
    assert_eq!(covered, "\"fatal\"");
}

#[test]
fn two_subjects_point_at_the_second() {
    let text =
        format!("{HEAD}require = [{{ param = \"p\", fact = \"tls_required\", equals = true }}]\n");
    let (d, covered) = one_error(&text);
    assert_eq!(
        d.message,
        "a test names one value, but this one has both `param` and `fact`"
    );
    assert_eq!(covered, "\"tls_required\"");
}

#[test]
fn no_operator_points_at_the_test() {
    let text = format!("{HEAD}require = [{{ param = \"p\" }}]\n");
    let (d, covered) = one_error(&text);
    assert_eq!(d.message, "this test of `p` has no operator");
    assert_eq!(covered, "{ param = \"p\" }");
}

#[test]
fn two_operators_point_at_the_second() {
    let text = format!("{HEAD}require = [{{ param = \"p\", set = true, empty = false }}]\n");
    let (d, covered) = one_error(&text);
    assert!(
        d.message.contains("both `empty` and `set`"),
        "{}",
        d.message
    );
    assert_eq!(covered, "true");
}

#[test]
fn unknown_fact_and_mismatched_operator() {
    let text = format!("{HEAD}require = [{{ fact = \"tls_reqired\", equals = true }}]\n");
    let (d, _) = one_error(&text);
    assert_eq!(d.message, "unknown fact `tls_reqired`");
    assert!(d.help.unwrap().contains("`tls_required`"));
    let text = format!("{HEAD}require = [{{ fact = \"tls_required\", at_least_tls = \"may\" }}]\n");
    let (d, covered) = one_error(&text);
    assert_eq!(
        d.message,
        "`at_least_tls` cannot test fact `tls_required`, which is a boolean"
    );
    assert_eq!(covered, "\"may\"");
}

#[test]
fn bad_tls_level_and_protocol() {
    let text = format!("{HEAD}require = [{{ param = \"p\", at_least_tls = \"strong\" }}]\n");
    let (d, covered) = one_error(&text);
    assert!(
        d.message.starts_with("unknown TLS level `strong`"),
        "{}",
        d.message
    );
    assert_eq!(covered, "\"strong\"");
    let text =
        format!("{HEAD}require = [{{ param = \"p\", protocol_floor_at_least = \"TLS1.2\" }}]\n");
    let (d, _) = one_error(&text);
    assert!(
        d.message.starts_with("unknown protocol `TLS1.2`"),
        "{}",
        d.message
    );
}

#[test]
fn unknown_analysis_placeholder_and_duplicates() {
    let text = format!("{HEAD}analysis = \"open-relays\"\n");
    let (d, covered) = one_error(&text);
    assert_eq!(d.message, "unknown analysis `open-relays`");
    assert_eq!(covered, "\"open-relays\"");
    let text = "[[policy]]\nrule = \"t\"\nseverity = \"info\"\nmessage = \"{serivce}\"\nrequire = [{ param = \"p\", set = true }]\n";
    let (d, _) = one_error(text);
    assert_eq!(d.message, "unknown placeholder `{serivce}` in message");
    // One rule may take several policies when they agree on code and severity.
    let text = format!("{HEAD}analysis = \"open-relay\"\n{HEAD}analysis = \"open-relay\"\n");
    let loaded = load_text(&text);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.policies.len(), 2);
    let other = HEAD.replace("severity = \"info\"", "severity = \"error\"");
    assert_ne!(other, HEAD);
    let text = format!("{HEAD}analysis = \"open-relay\"\n{other}analysis = \"open-relay\"\n");
    let (d, covered) = one_error(&text);
    assert_eq!(
        d.message,
        "rule `t` is defined again with another code or severity"
    );
    assert_eq!(covered, "\"t\"");
}

#[test]
fn every_bad_policy_is_reported_and_good_ones_kept() {
    let text = "\
[[policy]]
rule = \"a\"
severity = \"fatal\"
message = \"m\"
require = [{ param = \"p\", set = true }]

[[policy]]
rule = \"b\"
severity = \"info\"
message = \"m\"
require = [{ param = \"p\", set = true }]

[[policy]]
rule = \"c\"
severity = \"info\"
message = \"m\"
bogus = 1
";
    let loaded = load_text(text);
    assert_eq!(loaded.diagnostics.len(), 2, "{:#?}", loaded.diagnostics);
    assert_eq!(loaded.policies.len(), 1);
    assert_eq!(loaded.policies[0].rule, "b");
}

#[test]
fn toml_syntax_errors_and_wrong_shape() {
    let loaded = load_text("[[policy]\nrule = ");
    assert!(!loaded.diagnostics.is_empty());
    assert!(loaded.policies.is_empty());
    let (d, covered) = one_error("[policy]\nrule = \"t\"\n");
    assert!(d.message.contains("[[policy]]"), "{}", d.message);
    assert!(covered.contains("policy"), "{covered}");
    let (d, covered) = one_error("policies = []\n");
    assert_eq!(d.message, "unknown key `policies`, expected `policy`");
    assert_eq!(covered, "policies");
}

#[test]
fn nothing_to_check_is_an_error() {
    let (d, covered) = one_error(HEAD);
    assert!(d.message.contains("checks nothing"), "{}", d.message);
    assert_eq!(covered, "\"t\"");
}
