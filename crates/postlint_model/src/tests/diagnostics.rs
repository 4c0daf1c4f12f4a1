//! Model diagnostics: spans, rules, codes, versions.

use postlint_diagnostics::Severity;
use postlint_syntax::{PostfixVersion, SYNTAX_RULE};

use super::{model, model_v, of_rule, primary_text};
use crate::{
    MALFORMED_COMPATIBILITY_LEVEL_RULE, RECURSIVE_EXPANSION_RULE, UNDEFINED_REFERENCE_CODE,
    UNDEFINED_REFERENCE_RULE,
};

#[test]
fn undefined_references_point_at_the_name() {
    let src = "k = x $undefined_thing ${other?{y}}\nf = $virtual_maps $relay_destination_recipient_limit\nsmtpd_reject_footer = $client_address\n";
    let m = model(src, "relay unix - - n - - smtp\n");
    let found = of_rule(&m, UNDEFINED_REFERENCE_RULE);
    let names: Vec<&str> = found.iter().map(|d| primary_text(d, src)).collect();
    // Legacy and service-derived names are defined; raw values are not scanned.
    assert_eq!(names, ["undefined_thing", "other"]);
    assert_eq!(found[0].code, UNDEFINED_REFERENCE_CODE);
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(
        found[0].message,
        "undefined parameter `undefined_thing` in the value of `k`"
    );
}

#[test]
fn undefined_references_in_master_cf_follow_postconf() {
    // postconf 3.7: `sub/inet: bar=$foo` warns (foo is only set for smtp/inet); main.cf's
    // `x = $foo` does not (foo is set in some service).
    let master = "smtp inet n - n - - smtpd -o foo=1 -o smtpd_banner=$foo\nsub inet n - n - - smtpd -o bar=$foo -o smtpd_banner=$bar\n";
    let m = model("x = $foo\n", master);
    let found = of_rule(&m, UNDEFINED_REFERENCE_RULE);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(primary_text(&found[0], master), "foo");
    assert_eq!(found[0].service.as_deref(), Some("sub/inet"));
    assert!(found[0].primary().unwrap().range.start as usize > master.find("sub").unwrap());
}

#[test]
fn malformed_expressions_are_syntax_errors() {
    let src = "a = x ${b c\nb = ok\n";
    let m = model(src, "s unix - - n - - smtp -o c=$-\n");
    let found = of_rule(&m, SYNTAX_RULE);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(primary_text(&found[0], src), "${b c");
    assert!(
        found[0]
            .message
            .starts_with("macro processing error in `a`: missing '}'")
    );
    assert_eq!(found[1].service.as_deref(), Some("s/unix"));
    // postconf 3.7 only warns about a malformed value that nothing uses.
    assert_eq!(found[0].severity, Severity::Warning);
    let src = "smtpd_banner = ${b c\nunused = ${x\nused = ${y\nz = $used\n";
    let found = of_rule(&model(src, ""), SYNTAX_RULE);
    let severities: Vec<_> = found
        .iter()
        .map(|d| (primary_text(d, src), d.severity))
        .collect();
    assert_eq!(
        severities,
        [
            ("${b c", Severity::Error),
            ("${x", Severity::Warning),
            ("${y", Severity::Error)
        ]
    );
}

#[test]
fn function_calls_are_an_error_before_postfix_3_11() {
    let src = "a = ${domain_to_ascii{$mydomain}}\n";
    let found = of_rule(&model(src, ""), SYNTAX_RULE);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("needs postfix 3.11"),
        "{}",
        found[0].message
    );
    assert!(of_rule(&model_v(src, "", PostfixVersion::V3_11), SYNTAX_RULE).is_empty());
}

#[test]
fn malformed_compatibility_level() {
    let src = "compatibility_level = abc\n";
    let m = model(src, "");
    let found = of_rule(&m, MALFORMED_COMPATIBILITY_LEVEL_RULE);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].message,
        "malformed compatibility level syntax `abc`"
    );
    assert_eq!(primary_text(&found[0], src), "abc");
    assert_eq!(found[0].severity, Severity::Error);
    // Defaults that compare levels fail, without a second finding.
    assert!(m.global().value("relay_domains").unwrap().error.is_some());
    assert_eq!(m.diagnostics().len(), 1);
    for good in ["3.6", "3.6.1", "3.06", "2", "9999", " 3.6"] {
        let src = format!("compatibility_level = {good}\n");
        assert!(
            of_rule(&model(&src, ""), MALFORMED_COMPATIBILITY_LEVEL_RULE).is_empty(),
            "{good}"
        );
    }
    for bad in ["3.6x", "3..6", "3.1024", "-1", "3.6.1.1", ""] {
        let src = format!("compatibility_level = {bad}\n");
        assert_eq!(
            of_rule(&model(&src, ""), MALFORMED_COMPATIBILITY_LEVEL_RULE).len(),
            1,
            "{bad}"
        );
    }
    // Per service too.
    let master = "s unix - - n - - smtp -o compatibility_level=x\n";
    let found = of_rule(&model("", master), MALFORMED_COMPATIBILITY_LEVEL_RULE);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].service.as_deref(), Some("s/unix"));
}

#[test]
fn recursion_in_a_service_is_reported_with_the_service() {
    let master = "s unix - - n - - smtp -o smtp_helo_name=$x -o x=$smtp_helo_name\n";
    let m = model("", master);
    let found = of_rule(&m, RECURSIVE_EXPANSION_RULE);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].service.as_deref(), Some("s/unix"));
    assert_eq!(
        found[0].message,
        "recursive parameter expansion: `smtp_helo_name -> x -> smtp_helo_name`"
    );
    assert_eq!(primary_text(&found[0], master), "$x");
    // main.cf alone is fine.
    assert!(m.global().value("smtp_helo_name").unwrap().error.is_none());
}

#[test]
fn a_clean_configuration_has_no_findings() {
    let m = model(
        "compatibility_level = 3.6\nmyhostname = mx.example.com\nmua_tls = may\nsmtpd_banner = $myhostname ESMTP\n",
        "submission inet n - n - - smtpd -o smtpd_tls_security_level=$mua_tls -o syslog_name=postfix/$service_name\n",
    );
    assert!(m.diagnostics().is_empty(), "{:#?}", m.diagnostics());
}
