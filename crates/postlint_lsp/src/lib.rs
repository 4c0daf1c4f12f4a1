//! postlint's language server: problems underlined while editing `main.cf` and `master.cf`, in
//! any editor that speaks the Language Server Protocol.
//!
//! The server is a thin front end. It keeps the editor's documents, hands the two files of one
//! directory to [`postlint_linter::check()`] (the function every front end uses, so findings,
//! `postlint.toml` and inline suppressions behave exactly as in the CLI) and translates the
//! [`Report`](postlint_linter::Report) into LSP: diagnostics with related information, hover,
//! completion, go to definition and quick fixes. Positions are converted at this edge only,
//! in the encoding negotiated at `initialize` (UTF-16 by default, UTF-8 when offered).
//!
//! [`run`] serves one [`Connection`]: `postlint server` passes one over stdio
//! ([`run_stdio`]); tests pass an in-memory one.

mod actions;
mod analysis;
mod completion;
mod definition;
mod describe;
mod diagnostics;
mod documents;
mod encoding;
mod hover;
mod locate;
mod project;
mod workspace;

use std::collections::HashMap;
use std::str::FromStr as _;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument, Exit,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, GotoDefinition, HoverRequest, RegisterCapability, Request as _,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    CompletionResponse, DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern,
    GotoDefinitionResponse, Hover, HoverContents, HoverProviderCapability, InitializeParams,
    InitializeResult, Location, MarkupContent, MarkupKind, OneOf, PublishDiagnosticsParams,
    Registration, RegistrationParams, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, Uri,
};
use postlint_diagnostics::FileId;
use postlint_linter::Settings;
use postlint_syntax::PostfixVersion;

use crate::analysis::Analysis;
use crate::documents::Documents;
use crate::encoding::Encoding;
use crate::workspace::{Kind, Pair};

pub use crate::diagnostics::SOURCE;

/// Why the server stopped abnormally: the connection broke or the protocol was violated.
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl Error {
    fn new(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }
}

impl From<lsp_server::ProtocolError> for Error {
    fn from(e: lsp_server::ProtocolError) -> Self {
        Self::new(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Self::new(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::new(e)
    }
}

/// Serves the language server protocol over stdin and stdout until the client says `exit`.
pub fn run_stdio() -> Result<(), Error> {
    let (connection, io_threads) = Connection::stdio();
    run(connection)?;
    // The writer thread ends only once every sender is gone; `run` took the connection.
    io_threads.join()?;
    Ok(())
}

/// Serves one connection: the `initialize` handshake, then requests and notifications until
/// `shutdown` (returns `Ok`) or until the connection closes.
pub fn run(connection: Connection) -> Result<(), Error> {
    let result = serve(&connection);
    // Dropping the connection lets stdio's writer thread finish.
    drop(connection);
    result
}

fn serve(connection: &Connection) -> Result<(), Error> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "postlint".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let mut server = Server {
        connection,
        encoding,
        documents: Documents::default(),
        settings: settings_from(params.initialization_options.as_ref()),
        analyses: HashMap::new(),
        dirty: Vec::new(),
    };
    if params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files)
        .and_then(|w| w.dynamic_registration)
        == Some(true)
    {
        server.watch_files()?;
    }
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                // Requests see, and diagnostics reflect, every change received before them.
                server.flush()?;
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = server.request(&request);
                connection
                    .sender
                    .send(response.into())
                    .map_err(Error::new)?;
            }
            // `exit` before `shutdown` is an error exit, as the protocol says.
            Message::Notification(notification) if notification.method == Exit::METHOD => {
                return Err(Error::new("`exit` before `shutdown`"));
            }
            Message::Notification(notification) => server.notification(notification)?,
            Message::Response(_) => {}
        }
        // Changes that arrive faster than they are checked are checked once, after the last.
        if connection.receiver.is_empty() {
            server.flush()?;
        }
    }
    Ok(())
}

/// What the server offers.
fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["$".to_owned(), "{".to_owned(), "=".to_owned()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// Settings from the client's `initializationOptions` (`{"postfixVersion": "3.7"}`); anything
/// missing or malformed keeps the default.
fn settings_from(options: Option<&serde_json::Value>) -> Settings {
    let mut settings = Settings::default();
    if let Some(version) = options
        .and_then(|o| o.get("postfixVersion"))
        .and_then(serde_json::Value::as_str)
        .and_then(|v| PostfixVersion::from_str(v).ok())
    {
        settings.version = version;
    }
    settings
}

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    documents: Documents,
    settings: Settings,
    /// The last check of each configuration with an open file.
    analyses: HashMap<Pair, Analysis>,
    /// Documents changed since their configuration was last checked.
    dirty: Vec<String>,
}

/// A request's typed parameters; `Err` answers it with `InvalidParams`.
fn params<R: lsp_types::request::Request>(request: &Request) -> Result<R::Params, Response> {
    serde_json::from_value(request.params.clone()).map_err(|e| {
        Response::new_err(
            request.id.clone(),
            ErrorCode::InvalidParams as i32,
            e.to_string(),
        )
    })
}

fn ok<T: serde::Serialize>(id: RequestId, result: &T) -> Response {
    match serde_json::to_value(result) {
        Ok(value) => Response {
            id,
            result: Some(value),
            error: None,
        },
        Err(e) => Response::new_err(id, ErrorCode::InternalError as i32, e.to_string()),
    }
}

impl Server<'_> {
    fn request(&mut self, request: &Request) -> Response {
        let id = request.id.clone();
        match request.method.as_str() {
            HoverRequest::METHOD => match params::<HoverRequest>(request) {
                Ok(p) => ok(id, &self.hover(&p.text_document_position_params)),
                Err(response) => response,
            },
            Completion::METHOD => match params::<Completion>(request) {
                Ok(p) => ok(id, &self.completion(&p.text_document_position)),
                Err(response) => response,
            },
            GotoDefinition::METHOD => match params::<GotoDefinition>(request) {
                Ok(p) => ok(id, &self.definition(&p.text_document_position_params)),
                Err(response) => response,
            },
            CodeActionRequest::METHOD => match params::<CodeActionRequest>(request) {
                Ok(p) => {
                    let wanted = p.context.only.as_ref().is_none_or(|only| {
                        only.iter()
                            .any(|k| CodeActionKind::QUICKFIX.as_str().starts_with(k.as_str()))
                    });
                    let actions = if wanted {
                        self.with_file(&p.text_document.uri, |a, file, other_open, enc| {
                            actions::quick_fixes(a, file, other_open, p.range, enc)
                        })
                        .unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    ok(id, &actions)
                }
                Err(response) => response,
            },
            _ => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("unsupported request `{}`", request.method),
            ),
        }
    }

    fn notification(&mut self, notification: Notification) -> Result<(), Error> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    let uri = p.text_document.uri.as_str();
                    self.documents
                        .open(uri, p.text_document.text, p.text_document.version);
                    self.dirty.push(uri.to_owned());
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = notification.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) {
                    let uri = p.text_document.uri.as_str();
                    if self.documents.change(
                        uri,
                        p.text_document.version,
                        self.encoding,
                        p.content_changes,
                    ) {
                        self.dirty.push(uri.to_owned());
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    let uri = p.text_document.uri.as_str();
                    self.documents.close(uri);
                    self.publish(uri, Vec::new(), None)?;
                    let pair = Pair::of(uri);
                    self.analyses.remove(&pair);
                    // The sibling is now checked against the file on disk.
                    let sibling = [Kind::Main, Kind::Master]
                        .into_iter()
                        .filter_map(|k| pair.uri(k))
                        .find(|u| *u != uri && self.documents.is_open(u))
                        .map(str::to_owned);
                    if let Some(sibling) = sibling {
                        self.dirty.push(sibling);
                    }
                }
            }
            // A sibling or postlint.toml changed on disk: re-check everything open.
            DidChangeWatchedFiles::METHOD => {
                let open: Vec<String> = self.documents.uris().map(str::to_owned).collect();
                self.dirty.extend(open);
            }
            _ => {}
        }
        Ok(())
    }

    /// Asks the client to report changes to the files a check reads from disk.
    fn watch_files(&self) -> Result<(), Error> {
        let watchers = ["**/main.cf", "**/master.cf", "**/postlint.toml"]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_owned()),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "postlint-watched-files".to_owned(),
            method: DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: Some(serde_json::to_value(
                DidChangeWatchedFilesRegistrationOptions { watchers },
            )?),
        };
        self.connection
            .sender
            .send(Message::Request(Request::new(
                RequestId::from("postlint-register-watchers".to_owned()),
                RegisterCapability::METHOD.to_owned(),
                RegistrationParams {
                    registrations: vec![registration],
                },
            )))
            .map_err(Error::new)
    }

    /// Checks every configuration with a changed document, once each.
    fn flush(&mut self) -> Result<(), Error> {
        let dirty = std::mem::take(&mut self.dirty);
        let mut done: Vec<Pair> = Vec::new();
        for uri in dirty {
            let pair = Pair::of(&uri);
            if !done.contains(&pair) {
                self.refresh(&uri)?;
                done.push(pair);
            }
        }
        Ok(())
    }

    /// Checks `pair` with the settings of its directory's `postlint.toml`.
    fn analyze(&self, pair: Pair) -> (Analysis, project::Resolved) {
        let resolved = project::resolve(&self.settings, pair.directory().as_deref(), self.encoding);
        let analysis = Analysis::new(pair, &self.documents, &resolved.settings);
        (analysis, resolved)
    }

    /// Re-checks the configuration `uri` belongs to and publishes diagnostics for each of its
    /// open files, its `postlint.toml` and the user's policy files it loaded.
    fn refresh(&mut self, uri: &str) -> Result<(), Error> {
        let pair = Pair::of(uri);
        let (analysis, resolved) = self.analyze(pair.clone());
        if let Some((config_uri, diagnostics)) = resolved.config_file {
            self.publish(&config_uri, diagnostics, None)?;
        }
        for file in &analysis.report.files {
            if file.kind != postlint_linter::FileKind::Policy {
                continue;
            }
            // Built-in packs have relative names and no URI; the user's files are absolute.
            if let Some(policy_uri) = analysis.uri(file.id) {
                let diagnostics = diagnostics::for_file(&analysis, file.id, false, self.encoding);
                self.publish(&policy_uri, diagnostics, None)?;
            }
        }
        for (kind, other) in [(Kind::Main, Kind::Master), (Kind::Master, Kind::Main)] {
            let Some(this) = pair.uri(kind) else {
                continue;
            };
            let Some(doc) = self.documents.get(this) else {
                continue;
            };
            let other_open = pair.uri(other).is_some_and(|u| self.documents.is_open(u));
            let diagnostics = diagnostics::for_file(
                &analysis,
                Analysis::file_id(kind),
                other_open,
                self.encoding,
            );
            self.publish(this, diagnostics, Some(doc.version))?;
        }
        self.analyses.insert(pair, analysis);
        Ok(())
    }

    fn publish(
        &self,
        uri: &str,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), Error> {
        let Ok(uri) = Uri::from_str(uri) else {
            return Ok(());
        };
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                PublishDiagnostics::METHOD.to_owned(),
                params,
            )))
            .map_err(Error::new)?;
        Ok(())
    }

    /// Runs `f` on the current analysis of the open document `uri`, with its file id and
    /// whether its sibling is open.
    fn with_file<T>(
        &mut self,
        uri: &Uri,
        f: impl FnOnce(&Analysis, FileId, bool, Encoding) -> T,
    ) -> Option<T> {
        let uri = uri.as_str();
        let pair = Pair::of(uri);
        let kind = pair.kind_of(uri)?;
        if !self.documents.is_open(uri) {
            return None;
        }
        let other = match kind {
            Kind::Main => Kind::Master,
            Kind::Master => Kind::Main,
        };
        let other_open = pair.uri(other).is_some_and(|u| self.documents.is_open(u));
        if !self.analyses.contains_key(&pair) {
            let (analysis, _) = self.analyze(pair.clone());
            self.analyses.insert(pair.clone(), analysis);
        }
        let analysis = self.analyses.get(&pair)?;
        Some(f(
            analysis,
            Analysis::file_id(kind),
            other_open,
            self.encoding,
        ))
    }

    /// The analysis, file and byte offset of a cursor position.
    fn at<T>(
        &mut self,
        position: &TextDocumentPositionParams,
        f: impl FnOnce(&Analysis, FileId, u32, Encoding) -> Option<T>,
    ) -> Option<T> {
        self.with_file(&position.text_document.uri, |a, file, _, encoding| {
            let offset = a.lines(file)?.offset(encoding, position.position);
            f(a, file, offset, encoding)
        })
        .flatten()
    }

    fn hover(&mut self, position: &TextDocumentPositionParams) -> Option<Hover> {
        self.at(position, |a, file, offset, encoding| {
            let target = locate::at(&a.report.config, file, offset)?;
            let range = match &target {
                locate::Target::Name { range, .. } | locate::Target::Reference { range, .. } => {
                    *range
                }
            };
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: hover::markdown(a, &target),
                }),
                range: a.lines(file).map(|l| l.range(encoding, range)),
            })
        })
    }

    fn completion(&mut self, position: &TextDocumentPositionParams) -> Option<CompletionResponse> {
        self.at(position, |a, file, offset, encoding| {
            let items = completion::items(a, file, offset, encoding);
            (!items.is_empty()).then_some(CompletionResponse::Array(items))
        })
    }

    fn definition(
        &mut self,
        position: &TextDocumentPositionParams,
    ) -> Option<GotoDefinitionResponse> {
        self.at(position, |a, file, offset, encoding| {
            let target = locate::at(&a.report.config, file, offset)?;
            let (file, range) = definition::of(a, &target)?;
            let uri = Uri::from_str(&a.uri(file)?).ok()?;
            let range = a.lines(file)?.range(encoding, range);
            Some(GotoDefinitionResponse::Scalar(Location::new(uri, range)))
        })
    }
}
