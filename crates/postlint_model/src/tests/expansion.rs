//! Every expansion form, evaluated as Postfix's `mac_expand()` does.

use postlint_syntax::PostfixVersion;

use super::{expanded, global, model, model_v};
use crate::{ExpandError, ReferenceKind};

#[test]
fn plain_braced_and_parenthesised_references() {
    let m = model("a = x\nb = $a|${a}|$(a)|$a_b|${a}_b\n", "");
    // `$a_b` is the (undefined) name `a_b`.
    assert_eq!(expanded(&m, "b"), "x|x|x||x_b");
}

#[test]
fn referenced_values_are_expanded_recursively() {
    let m = model("a = $b.\nb = ${c}!\nc = z\n", "");
    assert_eq!(expanded(&m, "a"), "z!.");
    // Built-in defaults too: myorigin = $myhostname.
    let m = model("myhostname = mx.example.com\nx = <$myorigin>\n", "");
    assert_eq!(expanded(&m, "x"), "<mx.example.com>");
}

#[test]
fn if_set_and_if_unset_test_the_unexpanded_value() {
    // postconf 3.7: c = yes (a's text `$b` is not empty), d = (empty), e = unset.
    let m = model(
        "b =\na = $b\nc = ${a?yes}\nd = ${b?yes}\ne = ${nonexist:unset}${nonexist?set}\nf = ${a:no}\n",
        "",
    );
    assert_eq!(expanded(&m, "a"), "");
    assert_eq!(expanded(&m, "c"), "yes");
    assert_eq!(expanded(&m, "d"), "");
    assert_eq!(expanded(&m, "e"), "unset");
    assert_eq!(expanded(&m, "f"), "");
    // The branch text is expanded.
    let m = model("a = 1\nb = B\nc = ${a?{<$b>}}${z:[$b]}\n", "");
    assert_eq!(expanded(&m, "c"), "<B>[B]");
}

#[test]
fn if_else_with_braced_and_unbraced_operands() {
    // postconf 3.7: an unbraced operand is the whole rest, `:` included.
    let m = model(
        "a = 1\ne =\nt1 = ${a?{T}:{F}}\nt2 = ${e?{T}:{F}}\nt3 = ${e?{T}:F}\nt4 = ${a?foo:bar}\nt5 = ${e:foo:bar}\nt6 = ${a ? {yes} : {no}}\n",
        "",
    );
    assert_eq!(expanded(&m, "t1"), "T");
    assert_eq!(expanded(&m, "t2"), "F");
    assert_eq!(expanded(&m, "t3"), "F");
    assert_eq!(expanded(&m, "t4"), "foo:bar");
    assert_eq!(expanded(&m, "t5"), "foo:bar");
    assert_eq!(expanded(&m, "t6"), "yes");
}

#[test]
fn relational_operators() {
    // postconf 3.7: i = ` lt:ge  lt:ge` (shown with single spaces), j = `true||`, m = `true`,
    // n = `true`, o = `truetrue`.
    let m = model(
        concat!(
            "i = ${{10} < {9}?lt:ge} ${{a} < {b}?lt:ge} ${{3.10} <level {3.9}?lt:ge} ${{3.10} < {3.9}?lt:ge}\n",
            "j = ${{x} == {x}}|${{x} != {x}}|\n",
            "m = ${{010} == {10}}\n",
            "n = ${{} == {}}\n",
            "o = ${{1}<={1}}${{2}>={3}}${{3}>{2}}\n",
            "p = ${{9} < {10}?{num}:{str}} ${{9} < {10x}?{lt}:{ge}}\n",
        ),
        "",
    );
    assert_eq!(expanded(&m, "i"), " lt:ge  lt:ge");
    assert_eq!(expanded(&m, "j"), "true||");
    assert_eq!(expanded(&m, "m"), "true");
    assert_eq!(expanded(&m, "n"), "true");
    assert_eq!(expanded(&m, "o"), "truetrue");
    // Numeric only when both operands are all digits: `9` < `10`, but `9` > `10x`.
    assert_eq!(expanded(&m, "p"), "num ge");
}

#[test]
fn compatibility_level_comparisons() {
    let m = model(
        concat!(
            "a = ${{3.10} >level {3.9}?{gt}:{le}}\n",
            "b = ${{3.06} ==level {3.6}?{eq}:{ne}}\n",
            "c = ${{3.6.1} >level {3.6}?{gt}:{le}}\n",
            "d = ${{2} <level {3.6}?{lt}:{ge}}\n",
            "e = ${{3.10} > {3.9}?{gt}:{le}}\n",
        ),
        "",
    );
    assert_eq!(expanded(&m, "a"), "gt");
    assert_eq!(expanded(&m, "b"), "eq");
    assert_eq!(expanded(&m, "c"), "gt");
    assert_eq!(expanded(&m, "d"), "lt");
    // Without `level` it is a string comparison.
    assert_eq!(expanded(&m, "e"), "le");
    // A malformed level is a macro processing error (postconf 3.7: fatal).
    let m = model("x = abc\ny = ${{$x} <level {2}?{a}:{b}}\n", "");
    let value = global(&m, "y");
    assert!(
        matches!(&value.error, Some(ExpandError::Evaluation { message, .. }) if message.contains("`abc`")),
        "{:?}",
        value.error
    );
}

#[test]
fn dollar_dollar_is_one_literal_dollar_and_never_expanded_again() {
    // postconf 3.7 with b empty: `$b $`.
    let m = model("b =\nh = $$b $$$b\n", "");
    assert_eq!(expanded(&m, "h"), "$b $");
    let m = model("b = B\nh = $$b $$$b\nx = $$b\ny = $x\n", "");
    assert_eq!(expanded(&m, "h"), "$b $B");
    assert_eq!(expanded(&m, "y"), "$b");
}

#[test]
fn undefined_names_expand_to_nothing_and_are_recorded() {
    let m = model("k = <$undefined_thing>\nl = ${nothing?x}\n", "");
    let value = global(&m, "k");
    assert_eq!(value.expanded, "<>");
    assert_eq!(value.undefined, ["undefined_thing"]);
    assert_eq!(value.references[0].origin, crate::Origin::Undefined);
    // A test of an undefined name is not a use.
    let value = global(&m, "l");
    assert_eq!(value.expanded, "");
    assert!(value.undefined.is_empty());
    assert_eq!(value.references[0].kind, ReferenceKind::Test);
    // Legacy names that built-in defaults refer to have no value either (postconf 3.7:
    // `virtual_alias_maps =`).
    let m = model("f = $virtual_maps\n", "");
    assert_eq!(expanded(&m, "f"), "");
    assert_eq!(expanded(&m, "virtual_alias_maps"), "");
}

#[test]
fn raw_parameters_are_shown_unexpanded() {
    let m = model("smtpd_reject_footer = \\c$client_address $b\nb = B\n", "");
    assert_eq!(expanded(&m, "smtpd_reject_footer"), "\\c$client_address $b");
    assert_eq!(
        expanded(&m, "default_rbl_reply"),
        "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}"
    );
    assert!(global(&m, "default_rbl_reply").references.is_empty());
}

#[test]
fn raw_values_referenced_from_other_values_depend_on_the_release() {
    let main = "g = $default_rbl_reply\np = $smtpd_reject_footer\nsmtpd_reject_footer = foo $client_address $b\nb = B\n";
    // postconf 3.7 expands them (request attributes are undefined, hence empty).
    let m = model(main, "");
    assert_eq!(
        expanded(&m, "g"),
        " Service unavailable;  [] blocked using "
    );
    assert_eq!(expanded(&m, "p"), "foo  B");
    // Since 3.11 postconf inserts them as they are.
    let m = model_v(main, "", PostfixVersion::V3_11);
    assert_eq!(
        expanded(&m, "g"),
        "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}"
    );
    assert_eq!(expanded(&m, "p"), "foo $client_address $b");
}

#[test]
fn stress_is_empty() {
    let m = model("", "");
    assert_eq!(expanded(&m, "stress"), "");
    assert_eq!(expanded(&m, "smtpd_timeout"), "300s");
    assert_eq!(expanded(&m, "address_verify_poll_count"), "3");
}

#[test]
#[cfg(feature = "idna")]
fn functions_of_postfix_3_11() {
    let main = concat!(
        "d = b\u{fc}cher.example\n",
        "a = ${domain_to_ascii{ $d }}\n",
        "b = ${domain_to_ascii{Example.COM}}\n",
        "c = ${domain_to_utf8{xn--bcher-kva.EXAMPLE}}\n",
        "e = ${domain_to_utf8{$d}}\n",
        "f = ${domain_to_ascii{-bad-.example\u{e9}}}\n",
    );
    let m = model_v(main, "", PostfixVersion::V3_11);
    assert_eq!(expanded(&m, "a"), "xn--bcher-kva.example");
    // ASCII input is returned as it is (util/mac_midna.c), non-ASCII too for domain_to_utf8.
    assert_eq!(expanded(&m, "b"), "Example.COM");
    assert_eq!(expanded(&m, "c"), "b\u{fc}cher.example");
    assert_eq!(expanded(&m, "e"), "b\u{fc}cher.example");
    assert!(matches!(
        global(&m, "f").error,
        Some(ExpandError::Evaluation { .. })
    ));
    // The 3.11 default of smtp_requiretls_policy uses it.
    let m = model_v("mydomain = example.org\n", "", PostfixVersion::V3_11);
    assert!(
        expanded(&m, "smtp_requiretls_policy")
            .starts_with("inline:{{example.org=opportunistic}, {.example.org=opportunistic}"),
    );
}

#[test]
fn ascii_domains_pass_through_domain_to_ascii() {
    let m = model_v(
        "mydomain = Example.ORG\na = ${domain_to_ascii{ $mydomain }}\n",
        "",
        PostfixVersion::V3_11,
    );
    assert_eq!(expanded(&m, "a"), "Example.ORG");
}
