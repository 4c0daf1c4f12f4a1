//! The page's exports, run natively: they must agree with the CLI's path through
//! `postlint_linter::check` and `postlint_report::json` on the same input and settings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "tests"
)]

use postlint_linter::{Input, Pack, Settings, SourceFile, check};
use postlint_report::json;
use postlint_syntax::PostfixVersion;
use serde_json::Value;

fn example(name: &str) -> (String, String) {
    let dir = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    (
        std::fs::read_to_string(format!("{dir}/main.cf")).unwrap(),
        std::fs::read_to_string(format!("{dir}/master.cf")).unwrap(),
    )
}

fn native(main: &str, master: &str, settings: &Settings) -> Value {
    let report = check(
        &Input {
            main: Some(SourceFile::new("main.cf", main.as_bytes().to_vec())),
            master: Some(SourceFile::new("master.cf", master.as_bytes().to_vec())),
            config_directory: None,
        },
        settings,
    );
    let text = json::to_string(
        &[&report],
        json::Options {
            utf16_offsets: true,
        },
    );
    serde_json::from_str(&text).unwrap()
}

fn page(main: &str, master: &str, options: &str) -> Value {
    serde_json::from_str(&postlint_wasm::lint_json(main, master, options).unwrap()).unwrap()
}

#[test]
fn default_options_agree_with_the_default_settings() {
    for name in ["insecure", "hardened"] {
        let (main, master) = example(name);
        assert_eq!(
            page(&main, &master, ""),
            native(&main, &master, &Settings::default()),
            "{name}"
        );
    }
}

#[test]
fn selected_packs_and_version_agree() {
    let (main, master) = example("insecure");
    let settings = Settings {
        version: PostfixVersion::V3_7,
        packs: vec![Pack::Baseline, Pack::Strict],
        ..Settings::default()
    };
    let options = r#"{"packs": ["baseline", "strict"], "version": "3.7"}"#;
    assert_eq!(
        page(&main, &master, options),
        native(&main, &master, &settings)
    );
    let none = Settings {
        packs: Vec::new(),
        ..Settings::default()
    };
    assert_eq!(
        page(&main, &master, r#"{"packs": []}"#),
        native(&main, &master, &none)
    );
}

#[test]
fn offsets_count_utf16_units_after_non_ascii_text() {
    let main = "# caf\u{e9} \u{1f600}\nmyhostnam = x\n";
    let out = page(main, "", "");
    let d = out["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "unknown-parameter")
        .expect("the misspelt name is reported");
    let start = usize::try_from(d["utf16_start"].as_u64().unwrap()).unwrap();
    let end = usize::try_from(d["utf16_end"].as_u64().unwrap()).unwrap();
    let units: Vec<u16> = main.encode_utf16().collect();
    assert_eq!(String::from_utf16(&units[start..end]).unwrap(), "myhostnam");
}

#[test]
fn bad_options_are_errors_not_panics() {
    for options in [
        "{",
        r#"{"packs": ["nosuch"]}"#,
        r#"{"version": "x"}"#,
        r#"{"colour": 1}"#,
    ] {
        let err = postlint_wasm::lint_json("", "", options).unwrap_err();
        assert!(!err.is_empty(), "{options}");
    }
}

#[test]
fn effective_configuration_of_a_service() {
    let (main, master) = example("insecure");
    let services: Vec<String> =
        serde_json::from_str(&postlint_wasm::services_json(&main, &master, "").unwrap()).unwrap();
    assert!(
        services.contains(&"submission/inet".to_owned()),
        "{services:?}"
    );
    let view: Value = serde_json::from_str(
        &postlint_wasm::effective_json(&main, &master, "", "submission/inet", false).unwrap(),
    )
    .unwrap();
    assert_eq!(view["service"], "submission/inet");
    assert!(
        view["facts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["label"] == "program" && f["value"] == "smtpd")
    );
    let values = view["values"].as_array().unwrap();
    let syslog = values.iter().find(|v| v["name"] == "syslog_name").unwrap();
    assert_eq!(syslog["value"], "postfix/submission");
    assert_eq!(syslog["file"], "master.cf");
    // `$mua_tls_level` is expanded, and the written form kept.
    let level = values
        .iter()
        .find(|v| v["name"] == "smtpd_tls_security_level")
        .unwrap();
    assert_eq!(level["value"], "may");
    assert_eq!(level["written"], "$mua_tls_level");
    let all: Value =
        serde_json::from_str(&postlint_wasm::effective_json(&main, &master, "", "", true).unwrap())
            .unwrap();
    assert!(all["service"].is_null());
    assert!(all["values"].as_array().unwrap().len() > values.len());
    assert!(postlint_wasm::effective_json(&main, &master, "", "nosuch/inet", false).is_err());
}

#[test]
fn rule_docs_cover_every_rule_and_pack_policy() {
    let docs = postlint_wasm::rules();
    let registry = postlint_linter::all_rules();
    assert_eq!(docs.len(), registry.len());
    for (doc, rule) in docs.iter().zip(registry) {
        assert_eq!((&doc.name, &doc.docs), (&rule.name, &rule.docs));
    }
    for rule in postlint_linter::RULES {
        assert!(
            docs.iter().any(|d| d.name == rule.name && d.pack.is_none()),
            "{}",
            rule.name
        );
    }
    for pack in Pack::ALL {
        assert!(
            docs.iter().any(|d| d.pack == Some(pack.name())),
            "no rule documented for pack {}",
            pack.name()
        );
    }
}

#[test]
fn choices_match_the_settings_defaults() {
    let choices = postlint_wasm::choices();
    assert!(
        choices
            .versions
            .contains(&Settings::default().version.to_string())
    );
    assert_eq!(
        choices.versions.first().map(String::as_str),
        Some(PostfixVersion::OLDEST.to_string().as_str())
    );
    assert_eq!(choices.default_packs, vec!["baseline"]);
    assert_eq!(choices.packs.len(), Pack::ALL.len());
}
