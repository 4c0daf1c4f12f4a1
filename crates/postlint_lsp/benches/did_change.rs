//! Editor latency: from `didChange` to `publishDiagnostics`, over an in-memory connection, on
//! the bundled `examples/insecure` configuration (main.cf 30 lines, master.cf 32 lines, the
//! baseline policy pack on).
//!
//! `cargo bench -p postlint_lsp --bench did_change`
//!
//! - `main_cf_alone`: main.cf open, master.cf read from disk on every check;
//! - `master_cf_with_main_cf_open`: both open, master.cf edited; both files are re-published,
//!   and the time runs until the second one arrives;
//! - `check_only`: `postlint_linter::check` on the same files, without the server, to show
//!   how much of the latency is the check itself.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "benchmark harness"
)]

use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(30);

struct Session {
    client: Connection,
    server: Option<JoinHandle<Result<(), postlint_lsp::Error>>>,
    version: i32,
}

impl Session {
    fn start() -> Self {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || postlint_lsp::run(server));
        let session = Self {
            client,
            server: Some(handle),
            version: 1,
        };
        session.send(Message::Request(Request::new(
            RequestId::from(1),
            "initialize".to_owned(),
            json!({ "capabilities": {} }),
        )));
        match session.client.receiver.recv_timeout(TIMEOUT).unwrap() {
            Message::Response(r) => assert!(r.error.is_none()),
            other => panic!("{other:?}"),
        }
        session.notify("initialized", json!({}));
        session
    }

    fn send(&self, message: Message) {
        self.client.sender.send(message).unwrap();
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.to_owned(),
            params,
        )));
    }

    /// Waits for `count` diagnostics publications.
    fn published(&self, count: usize) {
        let mut seen = 0;
        while seen < count {
            if let Message::Notification(n) = self.client.receiver.recv_timeout(TIMEOUT).unwrap()
                && n.method == "textDocument/publishDiagnostics"
            {
                seen += 1;
            }
        }
    }

    fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "postfix", "version": 1, "text": text } }),
        );
    }

    /// Inserts a comment line at the top, or removes it again, alternately.
    fn edit(&mut self, uri: &str) {
        self.version += 1;
        let change = if self.version % 2 == 0 {
            json!({ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "# edited\n" })
        } else {
            json!({ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 0 } }, "text": "" })
        };
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": self.version }, "contentChanges": [change] }),
        );
    }

    fn stop(mut self) {
        self.send(Message::Request(Request::new(
            RequestId::from(2),
            "shutdown".to_owned(),
            Value::Null,
        )));
        self.notify("exit", Value::Null);
        let server = self.server.take().unwrap();
        drop(self.client);
        server.join().unwrap().unwrap();
    }
}

fn example() -> (String, String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/insecure")
        .canonicalize()
        .unwrap();
    let main = std::fs::read_to_string(dir.join("main.cf")).unwrap();
    let master = std::fs::read_to_string(dir.join("master.cf")).unwrap();
    (format!("file://{}", dir.display()), main, master)
}

fn bench(c: &mut Criterion) {
    let (dir, main, master) = example();
    let main_uri = format!("{dir}/main.cf");
    let master_uri = format!("{dir}/master.cf");
    let mut group = c.benchmark_group("did_change_to_publish");

    let mut s = Session::start();
    s.open(&main_uri, &main);
    s.published(1);
    group.bench_function("main_cf_alone", |b| {
        b.iter(|| {
            s.edit(&main_uri);
            s.published(1);
        });
    });
    s.stop();

    let mut s = Session::start();
    s.open(&main_uri, &main);
    s.published(1);
    s.open(&master_uri, &master);
    s.published(2);
    group.bench_function("master_cf_with_main_cf_open", |b| {
        b.iter(|| {
            s.edit(&master_uri);
            s.published(2);
        });
    });
    s.stop();

    let input = postlint_linter::Input {
        main: Some(postlint_linter::SourceFile::new(
            "main.cf",
            main.into_bytes(),
        )),
        master: Some(postlint_linter::SourceFile::new(
            "master.cf",
            master.into_bytes(),
        )),
        config_directory: None,
    };
    let settings = postlint_linter::Settings::default();
    group.bench_function("check_only", |b| {
        b.iter(|| std::hint::black_box(postlint_linter::check(&input, &settings)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
