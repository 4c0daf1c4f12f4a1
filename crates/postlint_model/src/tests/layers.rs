//! Lookup layers: compatibility-level defaults, `-o` options, read-only and host values,
//! service-derived defaults, provenance.

use std::sync::Arc;

use postlint_diagnostics::{FileId, TextRange};
use postlint_syntax::{MainCf, MasterCf, PostfixVersion};

use super::{expanded, global, model, model_v};
use crate::{CompatLevel, HostFacts, Model, ModelOptions, Origin, ReferenceKind};

/// postconf 3.7 `-x` output for each level (see the module docs of the tests).
#[test]
fn compatibility_level_defaults() {
    let names = [
        "relay_domains",
        "mynetworks_style",
        "smtpd_relay_restrictions",
        "append_dot_mydomain",
        "smtputf8_enable",
        "smtpd_tls_fingerprint_digest",
    ];
    let relay = "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination";
    let cases: [(&str, [&str; 6]); 4] = [
        (
            "",
            [
                "vm.localdomain, localhost.localdomain, localhost",
                "subnet",
                "",
                "yes",
                "no",
                "md5",
            ],
        ),
        (
            "compatibility_level = 1\n",
            [
                "vm.localdomain, localhost.localdomain, localhost",
                "subnet",
                relay,
                "no",
                "yes",
                "md5",
            ],
        ),
        (
            "compatibility_level = 2\n",
            ["", "host", relay, "no", "yes", "md5"],
        ),
        (
            "compatibility_level = 3.6\n",
            ["", "host", relay, "no", "yes", "sha256"],
        ),
    ];
    for (main, expected) in cases {
        let m = model(main, "");
        for (name, want) in names.iter().zip(expected) {
            assert_eq!(expanded(&m, name), want, "{name} with {main:?}");
        }
    }
    let m = model("compatibility_level = 3.06\n", "");
    assert_eq!(m.compatibility_level(), CompatLevel::new(3, 6, 0));
    assert_eq!(
        global(&m, "relay_domains").origin,
        Origin::CompatDefault {
            level: CompatLevel::new(3, 6, 0)
        }
    );
    assert_eq!(
        global(&model("", ""), "relay_domains").origin,
        Origin::CompatDefault {
            level: CompatLevel::ZERO
        }
    );
}

#[test]
fn smtp_tls_security_level_depends_on_release_and_level() {
    let v311 = PostfixVersion::V3_11;
    let level =
        |main: &str, version| expanded(&model_v(main, "", version), "smtp_tls_security_level");
    assert_eq!(level("compatibility_level = 3.11\n", v311), "may");
    assert_eq!(level("compatibility_level = 3.12\n", v311), "may");
    assert_eq!(level("compatibility_level = 3.6\n", v311), "");
    assert_eq!(level("", v311), "");
    assert_eq!(
        level("compatibility_level = 3.11\n", PostfixVersion::V3_7),
        ""
    );
}

const SUBMISSION_MAIN: &str =
    "mua_tls = may\nsmtpd_tls_key_file = $smtpd_tls_cert_file\nsmtpd_banner = main\n";
const SUBMISSION_MASTER: &str = "smtp      inet  n       -       y       -       -       smtpd\nsubmission inet n - n - - /usr/lib/postfix/sbin/smtpd\n  -o smtpd_tls_security_level=$mua_tls\n  -o smtpd_tls_cert_file=/x\n  -o smtpd_banner=$service_name/$process_name\n  -o smtpd_sasl_path=$later -o later=L1 -o later=L2\nrelay unix - - n - - smtp\n";

#[test]
fn overrides_beat_main_cf_and_reach_main_cf_values() {
    let m = model(SUBMISSION_MAIN, SUBMISSION_MASTER);
    let submission = m.service(1).unwrap();
    assert_eq!(submission.service_key(), Some("submission/inet"));
    // postconf 3.7 -Px: smtpd_tls_security_level = may, smtpd_sasl_path = L2.
    assert_eq!(
        submission.expanded("smtpd_tls_security_level").unwrap(),
        "may"
    );
    assert_eq!(submission.expanded("smtpd_tls_cert_file").unwrap(), "/x");
    assert_eq!(submission.expanded("smtpd_tls_key_file").unwrap(), "/x");
    assert_eq!(submission.expanded("smtpd_sasl_path").unwrap(), "L2");
    // main.cf alone and the other service are not affected, whatever the order of queries.
    assert_eq!(expanded(&m, "smtpd_tls_key_file"), "");
    let smtp = m.service(0).unwrap();
    assert_eq!(smtp.expanded("smtpd_tls_key_file").unwrap(), "");
    assert_eq!(smtp.expanded("smtpd_banner").unwrap(), "main");
    let m = model(SUBMISSION_MAIN, SUBMISSION_MASTER);
    assert_eq!(expanded(&m, "smtpd_tls_key_file"), "");
    assert_eq!(
        m.service(1)
            .unwrap()
            .expanded("smtpd_tls_key_file")
            .unwrap(),
        "/x"
    );
}

#[test]
fn service_name_and_process_name() {
    let m = model(SUBMISSION_MAIN, SUBMISSION_MASTER);
    // postconf 3.7 -Px: submission/inet/smtpd_banner = submission/smtpd.
    let submission = m.service(1).unwrap();
    assert_eq!(
        submission.expanded("smtpd_banner").unwrap(),
        "submission/smtpd"
    );
    assert_eq!(
        submission.value("service_name").unwrap().origin,
        Origin::ReadOnly
    );
    let relay = m.service(2).unwrap();
    assert_eq!(relay.expanded("process_name").unwrap(), "smtp");
    assert_eq!(relay.expanded("service_name").unwrap(), "relay");
    // postconf 3.7 -x: process_name = postconf, service_name = (empty).
    assert_eq!(expanded(&m, "process_name"), "postconf");
    assert_eq!(expanded(&m, "service_name"), "");
    // Assignments to read-only parameters are ignored.
    let m = model(
        "process_name = foo\nx = $process_name\n",
        "a unix - - n - - smtpd -o service_name=b -o y=$service_name\n",
    );
    assert_eq!(expanded(&m, "x"), "postconf");
    assert_eq!(m.service(0).unwrap().expanded("y").unwrap(), "a");
}

#[test]
fn provenance_of_an_override_and_the_main_cf_value_it_uses() {
    let m = model(SUBMISSION_MAIN, SUBMISSION_MASTER);
    let value = m
        .service(1)
        .unwrap()
        .value("smtpd_tls_security_level")
        .unwrap();
    assert_eq!(value.raw, "$mua_tls");
    assert_eq!(value.expanded, "may");
    let Origin::MasterCf {
        service,
        override_index,
        name_range,
        value_range,
    } = value.origin
    else {
        panic!("{:?}", value.origin)
    };
    assert_eq!((service, override_index), (1, 0));
    assert_eq!(
        &SUBMISSION_MASTER[name_range.to_usize()],
        "smtpd_tls_security_level"
    );
    assert_eq!(&SUBMISSION_MASTER[value_range.to_usize()], "$mua_tls");
    assert_eq!(value.references.len(), 1);
    let step = &value.references[0];
    assert_eq!(
        (step.name.as_str(), step.depth, step.kind),
        ("mua_tls", 1, ReferenceKind::Value)
    );
    let Origin::MainCf {
        entry,
        name_range,
        value_range,
    } = step.origin
    else {
        panic!("{:?}", step.origin)
    };
    assert_eq!(entry, 0);
    assert_eq!(&SUBMISSION_MAIN[name_range.to_usize()], "mua_tls");
    assert_eq!(&SUBMISSION_MAIN[value_range.to_usize()], "may");
}

#[test]
fn provenance_chains_follow_every_step() {
    let m = model("a = $b ${c?{x}}\nb = <$d>\nc = 1\n", "");
    let value = global(&m, "a");
    let steps: Vec<(&str, u32, ReferenceKind)> = value
        .references
        .iter()
        .map(|s| (s.name.as_str(), s.depth, s.kind))
        .collect();
    assert_eq!(
        steps,
        [
            ("b", 1, ReferenceKind::Value),
            ("d", 2, ReferenceKind::Value),
            ("c", 1, ReferenceKind::Test),
        ]
    );
    assert!(matches!(
        value.references[0].origin,
        Origin::MainCf { entry: 1, .. }
    ));
    assert_eq!(value.references[1].origin, Origin::Undefined);
    assert_eq!(value.undefined, ["d"]);
    // A default's chain: mydestination = $myhostname, localhost.$mydomain, localhost.
    let value = global(&model("", ""), "mydestination");
    assert_eq!(
        value.origin,
        Origin::Default {
            version: PostfixVersion::V3_7
        }
    );
    let names: Vec<&str> = value.references.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["myhostname", "mydomain", "myhostname"]);
    assert_eq!(value.references[0].origin, Origin::Host);
}

#[test]
fn service_derived_defaults() {
    let m = model(
        "default_destination_recipient_limit = 7\n",
        SUBMISSION_MASTER,
    );
    // postconf 3.7 -x relay_destination_recipient_limit = 50 (here 7).
    let value = global(&m, "relay_destination_recipient_limit");
    assert_eq!(value.raw, "$default_destination_recipient_limit");
    assert_eq!(value.expanded, "7");
    assert_eq!(
        value.origin,
        Origin::Default {
            version: PostfixVersion::V3_7
        }
    );
    // Services running smtpd derive nothing.
    assert!(
        m.global()
            .value("submission_destination_recipient_limit")
            .is_none()
    );
    assert!(
        m.global()
            .value("smtp_destination_recipient_limit")
            .is_none()
    );
    let m = model("", "mypipe unix - n n - - pipe\n");
    assert_eq!(expanded(&m, "mypipe_time_limit"), "1000s");
}

#[test]
fn host_facts() {
    let build = |main: &str, host: HostFacts| {
        Model::new(
            &MainCf::parse(main.as_bytes(), FileId(0)),
            &MasterCf::parse(b"", FileId(1)),
            ModelOptions {
                version: PostfixVersion::V3_7,
                host,
                ..ModelOptions::default()
            },
        )
    };
    // Unknown host: kept as `$name` and marked.
    let m = build("", HostFacts::default());
    let value = global(&m, "mydestination");
    assert_eq!(
        value.expanded,
        "$myhostname, localhost.$mydomain, localhost"
    );
    assert!(value.host_dependent);
    assert!(global(&m, "mynetworks").host_dependent);
    assert!(!global(&m, "relayhost").host_dependent);
    // ... unless main.cf sets them.
    let m = build("myhostname = mx.example.com\n", HostFacts::default());
    let value = global(&m, "mydestination");
    assert_eq!(
        value.expanded,
        "mx.example.com, localhost.example.com, localhost"
    );
    assert!(!value.host_dependent);
    // A host name without a dot takes main.cf's mydomain (postconf 3.7 on `vm`:
    // mydestination = vm.example.org, localhost.example.org, localhost).
    let m = build("mydomain = example.org\n", super::vm());
    assert_eq!(expanded(&m, "myhostname"), "vm.example.org");
    assert_eq!(
        expanded(&m, "mydestination"),
        "vm.example.org, localhost.example.org, localhost"
    );
    let m = build("", super::vm());
    assert_eq!(expanded(&m, "myhostname"), "vm.localdomain");
    assert_eq!(expanded(&m, "mydomain"), "localdomain");
    let m = build(
        "",
        HostFacts {
            hostname: Some("mail.example.net".into()),
            mynetworks: Some("127.0.0.0/8 ".into()),
            process_id: Some("42".into()),
            config_directory: Some("/etc/postfix-out".into()),
        },
    );
    assert_eq!(expanded(&m, "mydomain"), "example.net");
    assert_eq!(expanded(&m, "mynetworks"), "127.0.0.0/8 ");
    assert_eq!(expanded(&m, "process_id"), "42");
    assert_eq!(expanded(&m, "config_directory"), "/etc/postfix-out");
    assert_eq!(global(&m, "config_directory").origin, Origin::Host);
}

#[test]
fn values_are_parsed_once_and_only_when_needed() {
    let m = model(
        "a = $x,y\nb = plain\nc = $a\nd = $x,y\n",
        "s1 unix - - n - - smtp -o c=$x,y\ns2 unix - - n - - smtp -o c=$x,y\n",
    );
    let entry = |name: &str| m.main.get(name).unwrap();
    // Nothing of main.cf is parsed by building the model, and a value without `$` never is.
    for name in ["a", "b", "c", "d"] {
        assert!(!m.main.is_parsed(entry(name)), "{name}");
    }
    assert!(m.main.parsed(entry("b")).is_none());
    assert_eq!(expanded(&m, "c"), ",y");
    assert!(m.main.is_parsed(entry("a")) && m.main.is_parsed(entry("c")));
    assert!(!m.main.is_parsed(entry("d")));
    let a = m.main.parsed(entry("a")).unwrap();
    assert!(Arc::ptr_eq(&a, &m.main.parsed(entry("a")).unwrap()));
    // `-o` values are parsed with the model, each distinct text once.
    assert!(Arc::ptr_eq(
        &m.services[0].overrides["c"].parsed,
        &m.services[1].overrides["c"].parsed
    ));
}

#[test]
fn main_table_keeps_the_last_definition_in_file_order() {
    let text = b"a = 1\nb = $a\n  more\na = $b x\nprocess_id = 3\nc = y\n\xff = $c\n";
    let main = MainCf::parse(text, FileId(0));
    let m = Model::new(
        &main,
        &MasterCf::default(),
        ModelOptions::new(PostfixVersion::V3_7),
    );
    let names: Vec<&str> = m.main.iter().map(|e| m.main.name(e)).collect();
    assert_eq!(names, ["b", "a", "c", "\u{fffd}"]);
    let indices: Vec<usize> = m
        .main
        .iter()
        .map(super::super::main_table::MainEntry::index)
        .collect();
    assert_eq!(indices, [1, 2, 4, 5]);
    assert!(m.main.get("process_id").is_none());
    assert_eq!(&m.main.get("a").unwrap().text()[..], b"$b x");
    assert_eq!(&m.main.get("c").unwrap().text()[..], b"y");
    let with_dollar: Vec<&str> = m.main.with_dollar().map(|(e, _)| m.main.name(e)).collect();
    assert_eq!(with_dollar, ["b", "a", "\u{fffd}"]);
    // Ranges inside a value map to the file as the parsed entry maps them, continuation
    // lines included.
    for (entry, parsed) in m.main.with_dollar() {
        let param = &main.parameters[entry.index()];
        for (_, range) in parsed.expr.reference_spans() {
            assert_eq!(
                m.main.value_file_range(entry, range),
                param.value_file_range(range)
            );
        }
        let whole = TextRange::new(0, u32::try_from(param.value().len()).unwrap());
        assert_eq!(
            m.main.value_file_range(entry, whole),
            param.value_file_range(whole)
        );
    }
}

#[test]
fn user_defined_names_are_indexed_on_first_use() {
    let m = model(
        "smtpd_banner = $myhostname ESMTP\nc1 = permit\nc1 = reject\nc2 = $c1\nmyhostname = mx\nmyhostname = mail.example.org\n",
        "",
    );
    assert_eq!(expanded(&m, "smtpd_banner"), "mail.example.org ESMTP");
    assert!(matches!(
        global(&m, "myhostname").origin,
        Origin::MainCf { entry: 5, .. }
    ));
    // Parameters Postfix knows are found without indexing the other names.
    assert!(!m.main.others_indexed());
    assert!(m.global().value("no_such_name").is_none());
    assert!(!m.main.contains("c3"));
    assert_eq!(expanded(&m, "c2"), "reject");
    assert!(m.main.others_indexed());
    assert!(matches!(
        global(&m, "c1").origin,
        Origin::MainCf { entry: 2, .. }
    ));
    let names: Vec<&str> = m.main.iter().map(|e| m.main.name(e)).collect();
    assert_eq!(names, ["smtpd_banner", "c1", "c2", "myhostname"]);
}

#[test]
fn last_definition_wins() {
    let m = model("a = 1\na = 2\n", "s unix - - n - - smtp -o b=1 -o b=$a\n");
    assert_eq!(expanded(&m, "a"), "2");
    assert!(matches!(
        global(&m, "a").origin,
        Origin::MainCf { entry: 1, .. }
    ));
    let value = m.service(0).unwrap().value("b").unwrap();
    assert_eq!(value.expanded, "2");
    assert!(matches!(
        value.origin,
        Origin::MasterCf {
            override_index: 1,
            ..
        }
    ));
}

#[test]
fn names_of_a_view() {
    let m = model("custom = 1\n", SUBMISSION_MASTER);
    let names = m.service(1).unwrap().names();
    for name in [
        "custom",
        "later",
        "relay_destination_recipient_limit",
        "smtpd_banner",
        "service_name",
    ] {
        assert!(names.contains(&name), "{name}");
    }
    assert!(!m.global().names().contains(&"later"));
}

#[test]
fn a_service_can_have_its_own_compatibility_level() {
    let m = model(
        "compatibility_level = 3.6\nx = ${relay_domains?{set}:{empty}}\n",
        "legacy unix - - n - - smtp -o compatibility_level=0\nother unix - - n - - smtp\n",
    );
    let legacy = m.service(0).unwrap();
    assert_eq!(legacy.compatibility_level(), CompatLevel::ZERO);
    assert_eq!(legacy.expanded("mynetworks_style").unwrap(), "subnet");
    assert_eq!(expanded(&m, "mynetworks_style"), "host");
    // The raw default text is tested, at every level; the origin carries each view's level.
    assert_eq!(legacy.expanded("x").unwrap(), "set");
    let level = |view: crate::View<'_>| match &view.value("x").unwrap().references[0].origin {
        Origin::CompatDefault { level } => *level,
        other => panic!("{other:?}"),
    };
    assert_eq!(level(m.global()), CompatLevel::new(3, 6, 0));
    assert_eq!(level(legacy), CompatLevel::ZERO);
    assert_eq!(level(m.service(1).unwrap()), CompatLevel::new(3, 6, 0));
}
