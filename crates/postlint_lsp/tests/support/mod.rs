//! A test client: drives the server over an in-memory connection, as an editor would.

use std::collections::VecDeque;
use std::str::FromStr as _;
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Exit, Initialized,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Initialize, Shutdown};
use lsp_types::{
    ClientCapabilities, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, GeneralClientCapabilities, InitializeParams, InitializeResult,
    InitializedParams, Position, PositionEncodingKind, PublishDiagnosticsParams, Range,
    TextDocumentContentChangeEvent, TextDocumentIdentifier, TextDocumentItem,
    TextDocumentPositionParams, Uri, VersionedTextDocumentIdentifier,
};

/// How long to wait for the server before failing the test.
const TIMEOUT: Duration = Duration::from_secs(20);

pub fn uri(text: &str) -> Uri {
    Uri::from_str(text).unwrap()
}

pub fn pos(line: u32, character: u32) -> Position {
    Position::new(line, character)
}

pub fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Range {
    Range::new(pos(l1, c1), pos(l2, c2))
}

pub fn at(uri_text: &str, line: u32, character: u32) -> TextDocumentPositionParams {
    TextDocumentPositionParams {
        text_document: TextDocumentIdentifier { uri: uri(uri_text) },
        position: pos(line, character),
    }
}

pub struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<(), postlint_lsp::Error>>>,
    next_id: i32,
    /// Notifications received while waiting for something else.
    pending: VecDeque<Notification>,
    pub initialize: InitializeResult,
    versions: std::collections::HashMap<String, i32>,
    /// Requests the server sent.
    pub server_requests: Vec<Request>,
}

impl Client {
    /// Starts a server and completes `initialize`. `encodings` is what the client offers.
    pub fn start(encodings: Option<Vec<PositionEncodingKind>>) -> Self {
        Self::start_with(encodings, None)
    }

    pub fn start_with(
        encodings: Option<Vec<PositionEncodingKind>>,
        options: Option<serde_json::Value>,
    ) -> Self {
        Self::start_full(encodings, options, None)
    }

    pub fn start_full(
        encodings: Option<Vec<PositionEncodingKind>>,
        options: Option<serde_json::Value>,
        workspace: Option<lsp_types::WorkspaceClientCapabilities>,
    ) -> Self {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || postlint_lsp::run(server));
        let mut this = Self {
            connection: client,
            server: Some(handle),
            next_id: 0,
            pending: VecDeque::new(),
            initialize: InitializeResult::default(),
            versions: std::collections::HashMap::new(),
            server_requests: Vec::new(),
        };
        #[allow(deprecated, reason = "root_uri is deprecated but required by the type")]
        let params = InitializeParams {
            capabilities: ClientCapabilities {
                general: Some(GeneralClientCapabilities {
                    position_encodings: encodings,
                    ..GeneralClientCapabilities::default()
                }),
                workspace,
                ..ClientCapabilities::default()
            },
            initialization_options: options,
            ..InitializeParams::default()
        };
        this.initialize = this.request::<Initialize>(params);
        this.notify::<Initialized>(InitializedParams {});
        this
    }

    pub fn request<R: lsp_types::request::Request>(&mut self, params: R::Params) -> R::Result {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                R::METHOD.to_owned(),
                params,
            )))
            .unwrap();
        loop {
            match self.connection.receiver.recv_timeout(TIMEOUT).unwrap() {
                Message::Response(r) if r.id == id => {
                    assert!(r.error.is_none(), "{} failed: {:?}", R::METHOD, r.error);
                    return serde_json::from_value(r.result.unwrap_or(serde_json::Value::Null))
                        .unwrap();
                }
                Message::Notification(n) => self.pending.push_back(n),
                Message::Request(r) => self.answer(r),
                Message::Response(other) => panic!("unexpected response {other:?}"),
            }
        }
    }

    /// Answers a request from the server (`client/registerCapability`) and records it.
    fn answer(&mut self, request: Request) {
        self.connection
            .sender
            .send(Message::Response(lsp_server::Response::new_ok(
                request.id.clone(),
                serde_json::Value::Null,
            )))
            .unwrap();
        self.server_requests.push(request);
    }

    pub fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                N::METHOD.to_owned(),
                params,
            )))
            .unwrap();
    }

    /// The next `publishDiagnostics` for `uri_text` (others are kept for later).
    pub fn diagnostics(&mut self, uri_text: &str) -> PublishDiagnosticsParams {
        let wanted = |n: &Notification| {
            n.method == PublishDiagnostics::METHOD
                && n.params.get("uri").and_then(|u| u.as_str()) == Some(uri_text)
        };
        if let Some(i) = self.pending.iter().position(wanted) {
            let n = self.pending.remove(i).unwrap();
            return serde_json::from_value(n.params).unwrap();
        }
        loop {
            match self.connection.receiver.recv_timeout(TIMEOUT).unwrap() {
                Message::Notification(n) if wanted(&n) => {
                    return serde_json::from_value(n.params).unwrap();
                }
                Message::Notification(n) => self.pending.push_back(n),
                Message::Request(r) => self.answer(r),
                Message::Response(other) => panic!("unexpected response {other:?}"),
            }
        }
    }

    /// A `publishDiagnostics` for `uri_text` already received or arriving within a moment.
    pub fn try_diagnostics(&mut self, uri_text: &str) -> Option<PublishDiagnosticsParams> {
        let wanted = |n: &Notification| {
            n.method == PublishDiagnostics::METHOD
                && n.params.get("uri").and_then(|u| u.as_str()) == Some(uri_text)
        };
        if let Some(i) = self.pending.iter().position(wanted) {
            let n = self.pending.remove(i).unwrap();
            return Some(serde_json::from_value(n.params).unwrap());
        }
        None
    }

    pub fn open(&mut self, uri_text: &str, text: &str) {
        self.versions.insert(uri_text.to_owned(), 1);
        self.notify::<DidOpenTextDocument>(DidOpenTextDocumentParams {
            text_document: TextDocumentItem {
                uri: uri(uri_text),
                language_id: "postfix".to_owned(),
                version: 1,
                text: text.to_owned(),
            },
        });
    }

    /// Sends one change; `None` replaces the whole text (full sync).
    pub fn change(&mut self, uri_text: &str, range: Option<Range>, text: &str) {
        let version = {
            let v = self.versions.entry(uri_text.to_owned()).or_insert(1);
            *v += 1;
            *v
        };
        self.notify::<DidChangeTextDocument>(DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier {
                uri: uri(uri_text),
                version,
            },
            content_changes: vec![TextDocumentContentChangeEvent {
                range,
                range_length: None,
                text: text.to_owned(),
            }],
        });
    }

    pub fn close(&mut self, uri_text: &str) {
        self.notify::<DidCloseTextDocument>(DidCloseTextDocumentParams {
            text_document: TextDocumentIdentifier { uri: uri(uri_text) },
        });
    }

    /// `exit` without `shutdown`: the server's result.
    pub fn exit_without_shutdown(mut self) -> Result<(), postlint_lsp::Error> {
        self.notify::<Exit>(());
        let server = self.server.take().unwrap();
        drop(self.connection);
        server.join().unwrap()
    }

    /// `shutdown`, `exit`, and the server's result.
    pub fn shutdown(mut self) {
        self.request::<Shutdown>(());
        self.notify::<Exit>(());
        let server = self.server.take().unwrap();
        drop(self.connection);
        server.join().unwrap().unwrap();
    }
}
