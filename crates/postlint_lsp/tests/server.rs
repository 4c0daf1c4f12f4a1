#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    clippy::mutable_key_type,
    reason = "tests; lsp-types keys WorkspaceEdit by Uri"
)]
//! The server driven over an in-memory connection, as an editor drives it.

mod support;

use lsp_types::request::{CodeActionRequest, Completion, GotoDefinition, HoverRequest};
use lsp_types::{
    CodeActionContext, CodeActionOrCommand, CodeActionParams, CompletionParams, CompletionResponse,
    DiagnosticSeverity, GotoDefinitionParams, GotoDefinitionResponse, HoverContents, HoverParams,
    NumberOrString, PartialResultParams, PositionEncodingKind, TextDocumentIdentifier,
    WorkDoneProgressParams,
};
use support::{Client, at, range, uri};

const MAIN: &str = "file:///nonexistent-postlint-test/main.cf";
const MASTER: &str = "file:///nonexistent-postlint-test/master.cf";

/// Whether `d` is a finding of the rule with `code`.
fn is(d: &lsp_types::Diagnostic, code: &str) -> bool {
    d.code == Some(NumberOrString::String(code.to_owned()))
}

/// Whether `p` holds a finding of the rule with `code`.
fn has(p: &lsp_types::PublishDiagnosticsParams, code: &str) -> bool {
    p.diagnostics.iter().any(|d| is(d, code))
}

/// The first finding of the rule with `code` in `p`.
fn find<'p>(p: &'p lsp_types::PublishDiagnosticsParams, code: &str) -> &'p lsp_types::Diagnostic {
    p.diagnostics
        .iter()
        .find(|d| is(d, code))
        .unwrap_or_else(|| panic!("no {code} in {:#?}", p.diagnostics))
}

/// The code actions at `at` in `uri_text`.
fn code_actions(
    c: &mut Client,
    uri_text: &str,
    at: lsp_types::Range,
    diagnostics: Vec<lsp_types::Diagnostic>,
    only: Option<Vec<lsp_types::CodeActionKind>>,
) -> Vec<CodeActionOrCommand> {
    c.request::<CodeActionRequest>(CodeActionParams {
        text_document: TextDocumentIdentifier { uri: uri(uri_text) },
        range: at,
        context: CodeActionContext {
            diagnostics,
            only,
            trigger_kind: None,
        },
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
    })
    .unwrap()
}

fn hover(c: &mut Client, uri_text: &str, line: u32, character: u32) -> String {
    let h = c
        .request::<HoverRequest>(HoverParams {
            text_document_position_params: at(uri_text, line, character),
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .expect("a hover");
    match h.contents {
        HoverContents::Markup(m) => m.value,
        other => panic!("unexpected hover {other:?}"),
    }
}

fn complete(c: &mut Client, uri_text: &str, line: u32, character: u32) -> Vec<String> {
    let r = c.request::<Completion>(CompletionParams {
        text_document_position: at(uri_text, line, character),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
        context: None,
    });
    match r {
        Some(CompletionResponse::Array(items)) => items.into_iter().map(|i| i.label).collect(),
        Some(CompletionResponse::List(list)) => list.items.into_iter().map(|i| i.label).collect(),
        None => Vec::new(),
    }
}

fn definition(
    c: &mut Client,
    uri_text: &str,
    line: u32,
    character: u32,
) -> Option<lsp_types::Location> {
    match c.request::<GotoDefinition>(GotoDefinitionParams {
        text_document_position_params: at(uri_text, line, character),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
    })? {
        GotoDefinitionResponse::Scalar(l) => Some(l),
        other => panic!("unexpected definition {other:?}"),
    }
}

#[test]
fn typo_is_reported_at_its_utf16_range_and_cleared_when_fixed() {
    let mut c = Client::start(None);
    assert_eq!(
        c.initialize.capabilities.position_encoding,
        Some(PositionEncodingKind::UTF16)
    );
    // A non-ASCII comment above and non-ASCII text before the typo on its own line.
    let master = "# Café ☕ services 😀\n\
                  submission inet n - n - - smtpd\n  -o syslog_name=é😀 -o smtpd_tls_securty_level=encrypt\n";
    c.open(MASTER, master);
    let published = c.diagnostics(MASTER);
    assert_eq!(published.version, Some(1));
    let typo: Vec<_> = published
        .diagnostics
        .iter()
        .filter(|d| is(d, "PL002"))
        .collect();
    assert_eq!(typo.len(), 1, "{:#?}", published.diagnostics);
    let d = typo[0];
    // `  -o syslog_name=é😀 -o ` is 24 UTF-16 units (é is one, 😀 two); 27 bytes in UTF-8.
    assert_eq!(d.range, range(2, 24, 2, 47));
    assert_eq!(d.severity, Some(DiagnosticSeverity::WARNING));
    assert_eq!(d.source.as_deref(), Some("postlint"));
    assert!(
        d.message.contains("smtpd_tls_securty_level"),
        "{}",
        d.message
    );
    assert!(
        d.message
            .contains("did you mean `smtpd_tls_security_level`")
    );
    assert_eq!(
        d.code_description.as_ref().map(|c| c.href.as_str()),
        Some("https://www.postfix.org/postconf.5.html")
    );

    // Fix it with an incremental edit: insert the missing `i`.
    c.change(MASTER, Some(range(2, 39, 2, 39)), "i");
    let published = c.diagnostics(MASTER);
    assert_eq!(published.version, Some(2));
    assert!(!has(&published, "PL002"), "{:#?}", published.diagnostics);
    c.shutdown();
}

#[test]
fn full_sync_changes_and_close_clear_diagnostics() {
    let mut c = Client::start(None);
    c.open(MAIN, "myhostnme = mail.example.com\n");
    let first = c.diagnostics(MAIN);
    assert_eq!(first.diagnostics.len(), 1);
    assert_eq!(first.diagnostics[0].range, range(0, 0, 0, 9));
    c.change(MAIN, None, "myhostname = mail.example.com\n");
    assert!(c.diagnostics(MAIN).diagnostics.is_empty());
    c.change(MAIN, None, "myhostname mail.example.com\n");
    let broken = c.diagnostics(MAIN);
    assert_eq!(
        broken.diagnostics[0].severity,
        Some(DiagnosticSeverity::ERROR)
    );
    c.close(MAIN);
    assert!(c.diagnostics(MAIN).diagnostics.is_empty());
    c.shutdown();
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let mut c = Client::start(Some(vec![
        PositionEncodingKind::UTF8,
        PositionEncodingKind::UTF16,
    ]));
    assert_eq!(
        c.initialize.capabilities.position_encoding,
        Some(PositionEncodingKind::UTF8)
    );
    let master = "submission inet n - n - - smtpd\n  -o syslog_name=é😀 -o smtpd_tls_securty_level=encrypt\n";
    c.open(MASTER, master);
    let d = c.diagnostics(MASTER);
    let typo = find(&d, "PL002");
    assert_eq!(typo.range, range(1, 27, 1, 50));
    // An incremental edit in bytes: replace `securty` (bytes 37..44) with `security`.
    c.change(MASTER, Some(range(1, 37, 1, 44)), "security");
    let d = c.diagnostics(MASTER);
    assert!(!has(&d, "PL002"));
    c.shutdown();
}

#[test]
fn editing_master_cf_rechecks_with_the_open_main_cf_and_points_into_it() {
    let mut c = Client::start(None);
    c.open(MAIN, "b = $a\n");
    let main = c.diagnostics(MAIN);
    assert!(!has(&main, "PL005"));
    // `-o a=$b` makes a cycle with main.cf's `b = $a` in this service.
    c.open(MASTER, "smtp inet n - n - - smtpd\n  -o a=$b\n");
    let master = c.diagnostics(MASTER);
    let _ = c.diagnostics(MAIN);
    let cycle = find(&master, "PL005");
    let related = cycle.related_information.as_ref().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r.location.uri == uri(MAIN) && r.location.range == range(0, 4, 0, 6)),
        "{related:#?}"
    );
    // Editing main.cf alone (master.cf unchanged) breaks the cycle: master.cf is re-checked.
    c.change(MAIN, Some(range(0, 4, 0, 6)), "x");
    let master = c.diagnostics(MASTER);
    assert!(!has(&master, "PL005"), "{:#?}", master.diagnostics);
    c.shutdown();
}

#[test]
fn a_closed_sibling_is_read_from_disk() {
    let dir = TempDir::new("sibling");
    // A Latin-1 comment on disk must not disturb anything.
    std::fs::write(dir.0.join("main.cf"), b"# caf\xe9\nb = $a\n").unwrap();
    let main_uri = dir.uri("main.cf");
    let master_uri = dir.uri("master.cf");
    let mut c = Client::start(None);
    c.open(&master_uri, "smtp inet n - n - - smtpd\n  -o a=$b\n");
    let master = c.diagnostics(&master_uri);
    let cycle = find(&master, "PL005");
    let related = cycle.related_information.as_ref().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r.location.uri == uri(&main_uri) && r.location.range == range(1, 4, 1, 6)),
        "{related:#?}"
    );
    c.shutdown();
}

#[test]
fn hover_shows_meaning_type_default_history_and_effective_value() {
    let mut c = Client::start(None);
    c.open(
        MAIN,
        "smtpd_tls_security_level = may\nsmtpd_use_tls = yes\nmyorigin = $mydomain\nmydomain = example.org\n",
    );
    c.open(
        MASTER,
        "submission inet n - n - - smtpd\n  -o smtpd_tls_security_level=encrypt\n",
    );
    let text = hover(&mut c, MAIN, 0, 5);
    assert!(
        text.contains("**`smtpd_tls_security_level`** — TLS policy"),
        "{text}"
    );
    assert!(text.contains("type: text or list"), "{text}");
    assert!(text.contains("default in Postfix 3.11: (empty)"), "{text}");
    assert!(text.contains("introduced in Postfix 2.3"), "{text}");
    assert!(
        text.contains("effective value in main.cf: `may` — from main.cf line 1"),
        "{text}"
    );
    // In the service, the `-o` wins.
    let text = hover(&mut c, MASTER, 1, 10);
    assert!(
        text.contains(
            "effective value in `submission/inet`: `encrypt` — from `-o` of `submission/inet`, master.cf line 2"
        ),
        "{text}"
    );
    // Deprecation.
    let text = hover(&mut c, MAIN, 1, 3);
    assert!(text.contains("type: boolean"), "{text}");
    assert!(
        text.contains("**deprecated** since Postfix 3.9; use `smtpd_tls_security_level` instead"),
        "{text}"
    );
    // `$mydomain` shows its expansion and where it comes from.
    let text = hover(&mut c, MAIN, 2, 13);
    assert!(
        text.contains("expands to `example.org` in main.cf"),
        "{text}"
    );
    assert!(text.contains("from main.cf line 4"), "{text}");
    c.shutdown();
}

#[test]
fn completion_of_names_and_enumerated_values() {
    let mut c = Client::start(None);
    c.open(
        MAIN,
        "smtpd_tls_secu\nsmtpd_tls_security_level = \nrelayhost = $myhos\n",
    );
    c.open(
        MASTER,
        "submission inet n - n - - smtpd\n  -o smtpd_tls_wrap\n  -o smtpd_tls_wrappermode=\n",
    );
    let names = complete(&mut c, MAIN, 0, 14);
    assert!(names.iter().any(|n| n == "smtpd_tls_security_level"));
    assert!(names.iter().all(|n| n != "no_such_parameter"));
    let values = complete(&mut c, MAIN, 1, 27);
    assert_eq!(values, ["none", "may", "encrypt"]);
    let refs = complete(&mut c, MAIN, 2, 18);
    assert!(refs.iter().any(|n| n == "myhostname"));
    let names = complete(&mut c, MASTER, 1, 18);
    assert!(names.iter().any(|n| n == "smtpd_tls_wrappermode"));
    let values = complete(&mut c, MASTER, 2, 27);
    assert_eq!(values, ["yes", "no"]);
    // Nothing to complete inside a comment or a master.cf field.
    c.change(MAIN, None, "# smtpd_tls\n");
    assert!(complete(&mut c, MAIN, 0, 11).is_empty());
    c.shutdown();
}

#[test]
fn definition_of_references_and_of_overrides() {
    let mut c = Client::start(None);
    c.open(
        MAIN,
        "mydomain = example.org\nmyorigin = $mydomain\nsmtpd_tls_security_level = may\n",
    );
    c.open(
        MASTER,
        "submission inet n - n - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o syslog_name=$mydomain\n",
    );
    // `$mydomain` in main.cf goes to its line.
    let l = definition(&mut c, MAIN, 1, 14).unwrap();
    assert_eq!(l.uri, uri(MAIN));
    assert_eq!(l.range, range(0, 0, 0, 8));
    // `$mydomain` in a master.cf `-o` value too.
    let l = definition(&mut c, MASTER, 2, 20).unwrap();
    assert_eq!((l.uri, l.range), (uri(MAIN), range(0, 0, 0, 8)));
    // A `-o` name goes to main.cf's setting of the same parameter.
    let l = definition(&mut c, MASTER, 1, 8).unwrap();
    assert_eq!((l.uri, l.range), (uri(MAIN), range(2, 0, 2, 24)));
    // A built-in default has no definition.
    c.change(MAIN, None, "myorigin = $myhostname\n");
    assert!(definition(&mut c, MAIN, 0, 14).is_none());
    c.shutdown();
}

#[test]
fn code_action_offers_the_rules_fix() {
    let mut c = Client::start(None);
    c.open(MAIN, "# é😀\npostscreen_blacklist_action = drop\n");
    let published = c.diagnostics(MAIN);
    let diagnostic = find(&published, "PL006").clone();
    assert_eq!(
        diagnostic.tags,
        Some(vec![lsp_types::DiagnosticTag::DEPRECATED])
    );
    let actions = code_actions(
        &mut c,
        MAIN,
        range(1, 3, 1, 3),
        vec![diagnostic.clone()],
        None,
    );
    // The rule's fix first (preferred), then the suppression comment.
    assert_eq!(actions.len(), 2, "{actions:#?}");
    let CodeActionOrCommand::CodeAction(action) = &actions[0] else {
        panic!("{actions:?}");
    };
    assert_eq!(action.is_preferred, Some(true));
    assert_eq!(
        action.title,
        "rename `postscreen_blacklist_action` to `postscreen_denylist_action`"
    );
    assert_eq!(action.kind, Some(lsp_types::CodeActionKind::QUICKFIX));
    assert_eq!(action.diagnostics.as_deref(), Some(&[diagnostic][..]));
    let changes = action.edit.as_ref().unwrap().changes.as_ref().unwrap();
    let edits = &changes[&uri(MAIN)];
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].range, range(1, 0, 1, 27));
    assert_eq!(edits[0].new_text, "postscreen_denylist_action");
    // Applying it clears the finding.
    c.change(MAIN, Some(edits[0].range), &edits[0].new_text);
    assert!(c.diagnostics(MAIN).diagnostics.is_empty());
    // No quick fix away from a finding.
    let none = code_actions(&mut c, MAIN, range(1, 3, 1, 3), Vec::new(), None);
    assert!(none.is_empty());
    c.shutdown();
}

#[test]
fn target_version_from_initialization_options() {
    let mut c = Client::start_with(None, Some(serde_json::json!({"postfixVersion": "3.7"})));
    c.open(MAIN, "smtpd_tls_security_level = may\n");
    let _ = c.diagnostics(MAIN);
    let text = hover(&mut c, MAIN, 0, 3);
    assert!(text.contains("default in Postfix 3.7"), "{text}");
    c.shutdown();
}

#[test]
fn bad_requests_get_errors_not_crashes() {
    let mut c = Client::start(None);
    // Hover on a document that is not open, and positions far outside the text.
    let h = c.request::<HoverRequest>(HoverParams {
        text_document_position_params: at(MAIN, 0, 0),
        work_done_progress_params: WorkDoneProgressParams::default(),
    });
    assert!(h.is_none());
    c.open(MAIN, "a = b\n");
    let _ = c.diagnostics(MAIN);
    let h = c.request::<HoverRequest>(HoverParams {
        text_document_position_params: at(MAIN, 999, 999),
        work_done_progress_params: WorkDoneProgressParams::default(),
    });
    assert!(h.is_none());
    // An edit whose range lies beyond the text is clamped, not a crash.
    c.change(MAIN, Some(range(50, 3, 60, 9)), "\nmyhostname = x\n");
    let d = c.diagnostics(MAIN);
    assert_eq!(d.version, Some(2));
    c.shutdown();
}

/// A scratch configuration directory, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("postlint-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn uri(&self, file: &str) -> String {
        format!("file://{}/{file}", self.0.display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn postlint_toml_applies_as_in_the_cli_and_its_problems_are_shown() {
    let dir = TempDir::new("toml");
    std::fs::write(
        dir.0.join("postlint.toml"),
        "ignore = [\"unknown-parameter\"]\npostfix-version = \"3.7\"\n",
    )
    .unwrap();
    let main = dir.uri("main.cf");
    let toml = dir.uri("postlint.toml");
    let mut c = Client::start(None);
    c.open(&main, "myhostnme = x\nsmtpd_tls_security_level = may\n");
    assert!(c.diagnostics(&toml).diagnostics.is_empty());
    let published = c.diagnostics(&main);
    assert!(
        published.diagnostics.is_empty(),
        "{:#?}",
        published.diagnostics
    );
    assert!(hover(&mut c, &main, 1, 3).contains("default in Postfix 3.7"));

    // A broken postlint.toml is reported in place and not applied, as the CLI refuses it.
    std::fs::write(dir.0.join("postlint.toml"), "packs = [\"baselin\"]\n").unwrap();
    c.change(&main, None, "myhostnme = x\n");
    let problems = c.diagnostics(&toml);
    assert_eq!(problems.diagnostics.len(), 1, "{:#?}", problems.diagnostics);
    assert_eq!(problems.diagnostics[0].range, range(0, 9, 0, 18));
    assert!(
        problems.diagnostics[0]
            .message
            .contains("unknown pack `baselin`")
    );
    let published = c.diagnostics(&main);
    assert!(has(&published, "PL002"));
    c.shutdown();
}

#[test]
fn a_finding_caused_by_main_cf_shows_in_master_cf_until_main_cf_is_opened() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/insecure")
        .canonicalize()
        .unwrap();
    let main_uri = format!("file://{}/main.cf", dir.display());
    let master_uri = format!("file://{}/master.cf", dir.display());
    let master_text = std::fs::read_to_string(dir.join("master.cf")).unwrap();
    let main_text = std::fs::read_to_string(dir.join("main.cf")).unwrap();
    let open_relay = |d: &lsp_types::Diagnostic| is(d, "PL115");
    let mut c = Client::start(None);
    c.open(&master_uri, &master_text);
    let master = c.diagnostics(&master_uri);
    // open-relay is reported at main.cf's `mynetworks`; with main.cf closed it appears on
    // the `smtp` service it concerns, pointing at its cause in main.cf.
    let found = master
        .diagnostics
        .iter()
        .find(|d| open_relay(d))
        .unwrap_or_else(|| panic!("{:#?}", master.diagnostics));
    assert_eq!(found.range.start.line, 2, "{found:#?}");
    let related = found.related_information.as_ref().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r.location.uri == uri(&main_uri) && r.location.range.start.line == 29),
        "{related:#?}"
    );
    // Once main.cf is open it is reported there, and only there.
    c.open(&main_uri, &main_text);
    let main = c.diagnostics(&main_uri);
    let master = c.diagnostics(&master_uri);
    assert!(main.diagnostics.iter().any(open_relay));
    assert!(!master.diagnostics.iter().any(open_relay));
    c.shutdown();
}

#[test]
fn a_burst_of_changes_ends_in_diagnostics_of_the_last_text() {
    let mut c = Client::start(None);
    c.open(MAIN, "myhostname = x\n");
    assert!(c.diagnostics(MAIN).diagnostics.is_empty());
    // Type `myhostnme` character by character without waiting, then ask for a hover: the
    // request must see every change before it.
    for (i, ch) in "myhostnme = y\n".chars().enumerate() {
        let col = u32::try_from(i).unwrap();
        c.change(MAIN, Some(range(1, col, 1, col)), &ch.to_string());
    }
    let text = hover(&mut c, MAIN, 1, 2);
    assert!(text.contains("**`myhostnme`**"), "{text}");
    // Publications arrive in version order and the last is for the last version.
    let mut last = 0;
    loop {
        let p = c.diagnostics(MAIN);
        let version = p.version.unwrap();
        assert!(version > last, "{version} after {last}");
        last = version;
        if version == 15 {
            assert_eq!(p.diagnostics.len(), 1, "{:#?}", p.diagnostics);
            assert_eq!(p.diagnostics[0].range, range(1, 0, 1, 9));
            break;
        }
    }
    c.shutdown();
}

#[test]
fn siblings_changed_on_disk_are_rechecked_when_the_client_says_so() {
    let dir = TempDir::new("watched");
    std::fs::write(dir.0.join("main.cf"), "b = $a\n").unwrap();
    let master_uri = dir.uri("master.cf");
    let workspace = lsp_types::WorkspaceClientCapabilities {
        did_change_watched_files: Some(lsp_types::DidChangeWatchedFilesClientCapabilities {
            dynamic_registration: Some(true),
            relative_pattern_support: None,
        }),
        ..lsp_types::WorkspaceClientCapabilities::default()
    };
    let mut c = Client::start_full(None, None, Some(workspace));
    c.open(&master_uri, "smtp inet n - n - - smtpd\n  -o a=$b\n");
    let cycle = |p: &lsp_types::PublishDiagnosticsParams| has(p, "PL005");
    assert!(cycle(&c.diagnostics(&master_uri)));
    // The server asked to be told about main.cf, master.cf and postlint.toml.
    let registration = c
        .server_requests
        .iter()
        .find(|r| r.method == "client/registerCapability")
        .expect("a registration");
    let globs = registration.params.to_string();
    for glob in ["**/main.cf", "**/master.cf", "**/postlint.toml"] {
        assert!(globs.contains(glob), "{globs}");
    }
    std::fs::write(dir.0.join("main.cf"), "b = x\n").unwrap();
    c.notify::<lsp_types::notification::DidChangeWatchedFiles>(
        lsp_types::DidChangeWatchedFilesParams {
            changes: vec![lsp_types::FileEvent {
                uri: uri(&dir.uri("main.cf")),
                typ: lsp_types::FileChangeType::CHANGED,
            }],
        },
    );
    assert!(!cycle(&c.diagnostics(&master_uri)));
    c.shutdown();
}

#[test]
fn inline_suppressions_apply_as_in_the_cli() {
    let mut c = Client::start(None);
    c.open(
        MAIN,
        "# postlint: ignore[unknown-parameter] kept for an old script\nmyhostnme = x\n",
    );
    let published = c.diagnostics(MAIN);
    assert!(
        published.diagnostics.is_empty(),
        "{:#?}",
        published.diagnostics
    );
    // Misspell the rule: the suppression is unused and the finding is back.
    c.change(MAIN, Some(range(0, 19, 0, 19)), "s");
    let published = c.diagnostics(MAIN);
    let codes: Vec<_> = published
        .diagnostics
        .iter()
        .filter_map(|d| match &d.code {
            Some(NumberOrString::String(code)) => Some(code.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(codes, ["PL009", "PL002"], "{:#?}", published.diagnostics);
    c.shutdown();
}

#[test]
fn code_action_adds_wrappermode_to_an_implicit_tls_service() {
    let mut c = Client::start(None);
    let master = "submissions inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n";
    c.open(MASTER, master);
    let published = c.diagnostics(MASTER);
    let diagnostic = find(&published, "PL102").clone();
    let actions = code_actions(
        &mut c,
        MASTER,
        diagnostic.range,
        vec![diagnostic],
        Some(vec![lsp_types::CodeActionKind::QUICKFIX]),
    );
    let action = actions
        .iter()
        .find_map(|a| match a {
            CodeActionOrCommand::CodeAction(a) if a.title.contains("smtpd_tls_wrappermode") => {
                Some(a)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let changes = action.edit.as_ref().unwrap().changes.as_ref().unwrap();
    let edits = &changes[&uri(MASTER)];
    assert!(
        edits
            .iter()
            .any(|e| e.new_text.contains("-o smtpd_tls_wrappermode=yes")),
        "{edits:#?}"
    );
    // Applied as an editor does (last edit first), the finding goes away.
    let mut edits = edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    for e in &edits {
        c.change(MASTER, Some(e.range), &e.new_text);
    }
    let after = loop {
        let p = c.diagnostics(MASTER);
        if p.version == Some(1 + i32::try_from(edits.len()).unwrap()) {
            break p;
        }
    };
    assert!(!has(&after, "PL102"), "{:#?}", after.diagnostics);
    // Asking only for refactorings offers no quick fix.
    let none = code_actions(
        &mut c,
        MASTER,
        range(0, 0, 1, 0),
        Vec::new(),
        Some(vec![lsp_types::CodeActionKind::REFACTOR]),
    );
    assert!(none.is_empty());
    c.shutdown();
}

/// Applies the action titled `title` among the code actions at `at` in `uri_text`, as an
/// editor does (last edit first), and returns the diagnostics published afterwards.
fn apply_action(
    c: &mut Client,
    uri_text: &str,
    at: lsp_types::Range,
    title: &str,
) -> lsp_types::PublishDiagnosticsParams {
    let actions = code_actions(c, uri_text, at, Vec::new(), None);
    let action = actions
        .iter()
        .find_map(|a| match a {
            CodeActionOrCommand::CodeAction(a) if a.title == title => Some(a),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no `{title}` in {actions:#?}"));
    let changes = action.edit.as_ref().unwrap().changes.as_ref().unwrap();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let mut edits = changes[&uri(uri_text)].clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    for e in &edits {
        c.change(uri_text, Some(e.range), &e.new_text);
    }
    c.request::<HoverRequest>(HoverParams {
        text_document_position_params: at_position(uri_text),
        work_done_progress_params: WorkDoneProgressParams::default(),
    });
    let mut last = c.diagnostics(uri_text);
    while let Some(next) = c.try_diagnostics(uri_text) {
        last = next;
    }
    last
}

fn at_position(uri_text: &str) -> lsp_types::TextDocumentPositionParams {
    at(uri_text, 0, 0)
}

#[test]
fn ignore_action_adds_a_suppression_that_silences_the_finding() {
    let mut c = Client::start(None);
    c.open(
        MAIN,
        "mydomain = example.org\nmyhostnme = mail.$mydomain,\n  x\n",
    );
    let published = c.diagnostics(MAIN);
    let typo = find(&published, "PL002").clone();
    let after = apply_action(
        &mut c,
        MAIN,
        typo.range,
        "ignore `unknown-parameter` for this entry",
    );
    // No finding left, and the suppression is used (no unused-suppression).
    assert!(after.diagnostics.is_empty(), "{:#?}", after.diagnostics);

    // In master.cf, with main.cf closed, a finding caused in main.cf is shown on its service;
    // the comment goes above that service and silences the finding about it.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/insecure")
        .canonicalize()
        .unwrap();
    let master_uri = format!("file://{}/master.cf", dir.display());
    c.open(
        &master_uri,
        &std::fs::read_to_string(dir.join("master.cf")).unwrap(),
    );
    let published = c.diagnostics(&master_uri);
    let relay = find(&published, "PL115").clone();
    let after = apply_action(
        &mut c,
        &master_uri,
        relay.range,
        "ignore `open-relay` for this entry",
    );
    let codes: Vec<_> = after
        .diagnostics
        .iter()
        .filter_map(|d| d.code.clone())
        .collect();
    assert!(
        !codes.contains(&NumberOrString::String("PL115".to_owned())),
        "{codes:?}"
    );
    assert!(
        !codes.contains(&NumberOrString::String("PL009".to_owned())),
        "{codes:?}"
    );
    c.shutdown();
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let mut c = Client::start(None);
    c.open(MAIN, "a = b\n");
    let _ = c.diagnostics(MAIN);
    let result = c.exit_without_shutdown();
    assert!(result.is_err(), "{result:?}");
}

#[test]
fn errors_in_a_user_policy_file_are_published_on_that_file() {
    let dir = TempDir::new("policy");
    std::fs::write(dir.0.join("postlint.toml"), "policies = [\"site.toml\"]\n").unwrap();
    std::fs::write(
        dir.0.join("site.toml"),
        "[[policy]]\nrule = \"site-banner\"\nseverity = \"eror\"\nmessage = \"`{service}` banner\"\n",
    )
    .unwrap();
    let main = dir.uri("main.cf");
    let policy = format!(
        "file://{}/site.toml",
        dir.0.canonicalize().unwrap().display()
    );
    let mut c = Client::start(None);
    c.open(&main, "myhostname = mail.example.org\n");
    let published = c.diagnostics(&policy);
    let error = find(&published, "PL900");
    assert_eq!(error.range, range(2, 11, 2, 17));
    assert!(
        error.message.contains("unknown severity `eror`"),
        "{}",
        error.message
    );
    // The error belongs to the policy file, not to main.cf.
    assert!(!has(&c.diagnostics(&main), "PL900"));
    c.shutdown();
}
