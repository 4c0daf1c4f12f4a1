//! End-to-end tests of the `postlint` binary: exit codes, output streams, and that the
//! binary prints what the libraries compute.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "test harness: a panic is a failed test, and skips are said on stderr"
)]

use postlint_postconf::Config;
use postlint_syntax::PostfixVersion;

mod common;

use common::{postlint, root};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn postconf_n_prints_what_the_library_computes() {
    let out = postlint(&[
        "postconf",
        "-c",
        "examples/hardened",
        "-n",
        "--postfix-version",
        "3.7",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dir = root().join("examples/hardened");
    let config = Config::parse(
        &std::fs::read(dir.join("main.cf")).unwrap(),
        &std::fs::read(dir.join("master.cf")).unwrap(),
        Some("examples/hardened".to_owned()),
        PostfixVersion::V3_7,
    );
    assert_eq!(out.stdout, config.show_nondefault(&[]).unwrap().stdout);
    assert!(text(&out.stdout).contains("config_directory = examples/hardened\n"));
    assert!(text(&out.stdout).contains("smtp_tls_security_level = dane\n"));
}

#[test]
fn postconf_m_selects_services() {
    let out = postlint(&[
        "postconf",
        "-c",
        "examples/hardened",
        "-M",
        "submission/inet",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("submission inet  n       -       n       -       -       smtpd -o syslog_name=postfix/submission"));
    let out = postlint(&["postconf", "-c", "examples/hardened", "-M", "nosuch"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("unmatched request: \"nosuch\""));
}

#[test]
fn postconf_p_and_f_select_one_value() {
    let out = postlint(&[
        "postconf",
        "-c",
        "examples/hardened",
        "-P",
        "submissions/inet/smtpd_tls_wrappermode",
    ]);
    assert_eq!(
        text(&out.stdout),
        "submissions/inet/smtpd_tls_wrappermode = yes\n"
    );
    let out = postlint(&[
        "postconf",
        "-c",
        "examples/hardened",
        "-F",
        "tlsmgr/unix/wakeup",
    ]);
    assert_eq!(text(&out.stdout), "tlsmgr/unix/wakeup = 1000?\n");
}

#[test]
fn postconf_stops_like_postfix_on_a_fatal_error() {
    let out = postlint(&["postconf", "-c", "tests/fixtures/postconf/fatal-main", "-n"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("missing '=' after attribute name"),
        "{stderr}"
    );
    assert!(stderr.contains("main.cf:2:1"), "{stderr}");
}

#[test]
fn check_reports_every_error_with_file_line_and_column() {
    let out = postlint(&["check", "tests/fixtures/check/many-errors"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    for expected in [
        "main.cf:3:1",
        "missing '=' after attribute name: `this line has no equals sign`",
        "main.cf:4:1",
        "missing attribute name",
        "main.cf:7:1",
        "master.cf:2:1",
        "bad field count",
        "master.cf:3:",
        "invalid process_limit field `MAX`",
        "master.cf:4:",
        "invalid private field `maybe`",
        // No compatibility_level: the relay restrictions default to empty, and smtpd's
        // startup check refuses to run the service; mynetworks_style defaults to subnet.
        "`smtp/inet` is an open relay",
        "`mynetworks_style = subnet` trusts every",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert!(stdout.contains("8 error(s)"), "{stdout}");
}

#[test]
fn check_exit_codes() {
    assert_eq!(
        postlint(&["check", "examples/hardened"]).status.code(),
        Some(0)
    );
    assert_eq!(
        postlint(&["check", "examples/insecure"]).status.code(),
        Some(1)
    );
    let missing = postlint(&["check", "tests/fixtures/does-not-exist"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("tests/fixtures/does-not-exist: no such file or directory"),
        "{}",
        text(&missing.stderr)
    );
    // An existing directory without either file is named as such.
    let empty = std::env::temp_dir().join(format!("postlint-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = postlint(&["check", empty.to_str().unwrap()]);
    std::fs::remove_dir_all(&empty).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("holds neither main.cf nor master.cf"));
}

#[test]
fn garbage_input_is_diagnosed_not_a_crash() {
    let dir = std::env::temp_dir().join(format!("postlint-garbage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut garbage: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    garbage.extend_from_slice(b"\n{{{{{{{{\n$$$${{{\n\xff\xfe = \x00\n");
    std::fs::write(dir.join("main.cf"), &garbage).unwrap();
    std::fs::write(dir.join("master.cf"), &garbage).unwrap();
    let out = postlint(&["check", dir.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("error(s)"));
}

#[test]
fn effective_explains_where_a_value_comes_from() {
    let out = postlint(&[
        "effective",
        "examples/insecure",
        "--service",
        "submission/inet",
        "--explain",
        "smtpd_tls_security_level",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "# submission/inet\n\
         # program: smtpd\n\
         # listens on: every inet_interfaces address, port 587\n\
         # reachability: public (reachable from other hosts)\n\
         # server TLS: may (STARTTLS offered), from smtpd_tls_security_level; AUTH only after TLS: no; protocols from smtpd_tls_protocols\n\
         smtpd_tls_security_level = may\n    \
         from master.cf line 6 (-o)\n    \
         written `$mua_tls_level`\n        \
         $mua_tls_level = may  (main.cf line 18)\n"
    );
    // Port 465 without wrapper mode: STARTTLS where clients expect TLS from the first byte.
    let out = postlint(&[
        "effective",
        "examples/insecure",
        "--service",
        "smtps/inet",
        "smtpd_tls_wrappermode",
    ]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("# listens on: every inet_interfaces address, port 465\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("# server TLS: may (STARTTLS offered)"),
        "{stdout}"
    );
    let missing = postlint(&["effective", "examples/insecure", "--service", "nosuch/inet"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn postconf_x_d_and_o() {
    // -o overrides main.cf for the query; -x expands.
    let out = postlint(&[
        "postconf",
        "-c",
        "examples/hardened",
        "-n",
        "-x",
        "-o",
        "mydomain=example.net",
        "myorigin",
    ]);
    assert_eq!(text(&out.stdout), "myorigin = example.net\n");
    // -d prints defaults of the target release, unexpanded; -dx expands them.
    let out = postlint(&[
        "postconf",
        "-c",
        "examples/hardened",
        "-d",
        "--postfix-version",
        "3.11",
        "smtp_tls_security_level",
    ]);
    assert!(
        text(&out.stdout)
            .starts_with("smtp_tls_security_level = ${{$compatibility_level} <level {3.11}"),
        "{}",
        text(&out.stdout)
    );
    let out = postlint(&[
        "postconf",
        "-c",
        "examples/hardened",
        "-d",
        "-x",
        "--postfix-version",
        "3.7",
        "smtp_tls_security_level",
        "mynetworks_style",
    ]);
    assert_eq!(
        text(&out.stdout),
        "mynetworks_style = subnet\nsmtp_tls_security_level =\n"
    );
}
