//! `postlint server` as an editor runs it: a child process speaking LSP over stdio.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "tests"
)]

use std::io::{BufReader, Write as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(30);

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Message>,
}

impl Server {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_postlint"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(message)) = Message::read(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            messages,
        }
    }

    fn send(&mut self, message: &Message) {
        message.write(&mut self.stdin).unwrap();
        self.stdin.flush().unwrap();
    }

    fn request(&mut self, id: i32, method: &str, params: Value) -> Value {
        self.send(&Message::Request(Request::new(
            RequestId::from(id),
            method.to_owned(),
            params,
        )));
        loop {
            match self.messages.recv_timeout(TIMEOUT).unwrap() {
                Message::Response(r) if r.id == RequestId::from(id) => {
                    assert!(r.error.is_none(), "{method}: {:?}", r.error);
                    return r.result.unwrap_or(Value::Null);
                }
                _ => {}
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&Message::Notification(Notification::new(
            method.to_owned(),
            params,
        )));
    }

    fn diagnostics(&mut self) -> Value {
        loop {
            if let Message::Notification(n) = self.messages.recv_timeout(TIMEOUT).unwrap()
                && n.method == "textDocument/publishDiagnostics"
            {
                return n.params;
            }
        }
    }
}

#[test]
fn server_over_stdio_reports_hovers_and_exits_cleanly() {
    let mut s = Server::start();
    let init = s.request(1, "initialize", json!({ "capabilities": {} }));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "postlint");
    s.notify("initialized", json!({}));

    let uri = "file:///nonexistent-postlint-test/main.cf";
    // `☕` is one UTF-16 unit but three UTF-8 bytes; ranges after it must count units.
    let text = "# ☕ café\nmyhostnme = mail.example.com\nmyorigin = ☕ $mydomainx\n";
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "postfix", "version": 1, "text": text } }),
    );
    let published = s.diagnostics();
    assert_eq!(published["uri"], uri);
    let find = |code: &str| {
        published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("no {code} in {published:#}"))
            .clone()
    };
    let typo = find("PL002");
    assert_eq!(
        typo["range"],
        json!({ "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 9 } })
    );
    assert_eq!(typo["source"], "postlint");
    let undefined = find("PL004");
    assert_eq!(
        undefined["range"],
        json!({ "start": { "line": 2, "character": 14 }, "end": { "line": 2, "character": 23 } })
    );

    let hover = s.request(
        2,
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 3 } }),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("**`myorigin`**"), "{value}");

    let started = Instant::now();
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [
                { "range": { "start": { "line": 1, "character": 7 }, "end": { "line": 1, "character": 7 } }, "text": "a" },
                { "range": { "start": { "line": 2, "character": 22 }, "end": { "line": 2, "character": 23 } }, "text": "" }
            ]
        }),
    );
    let published = s.diagnostics();
    eprintln!(
        "didChange -> publishDiagnostics over stdio: {:?}",
        started.elapsed()
    );
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"], json!([]), "{published:#}");

    s.request(3, "shutdown", Value::Null);
    s.notify("exit", Value::Null);
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}
