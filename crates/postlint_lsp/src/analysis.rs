//! One check of one configuration, and what the features read from it.

use postlint_diagnostics::FileId;
use postlint_linter::{Input, Report, ReportFile, Settings, SourceFile, check};
use postlint_model::Model;
use postlint_postconf::{MAIN_CF, MASTER_CF};

use crate::documents::Documents;
use crate::encoding::Lines;
use crate::workspace::{Kind, Pair, file_path, text_of};

/// The result of checking one pair, with the URIs its files have in the editor.
#[derive(Debug)]
pub struct Analysis {
    /// The files checked.
    pub pair: Pair,
    /// What the one check function reported.
    pub report: Report,
}

impl Analysis {
    /// Checks `pair` with the editor's texts (the disk's for files not open).
    pub fn new(pair: Pair, documents: &Documents, settings: &Settings) -> Self {
        let source = |kind: Kind| {
            let text = text_of(&pair, kind, documents)?;
            let uri = pair.uri(kind)?;
            let name = file_path(uri).map_or_else(|| uri.to_owned(), |p| p.display().to_string());
            Some(SourceFile::new(name, text))
        };
        let input = Input {
            main: source(Kind::Main),
            master: source(Kind::Master),
            // As the CLI: `config_directory` keeps its built-in default.
            config_directory: None,
        };
        let report = check(&input, settings);
        Self { pair, report }
    }

    /// The effective configuration.
    pub fn model(&self) -> &Model {
        &self.report.model
    }

    /// The file id of `kind`.
    pub fn file_id(kind: Kind) -> FileId {
        match kind {
            Kind::Main => MAIN_CF,
            Kind::Master => MASTER_CF,
        }
    }

    /// The kind of file `id` ([`None`] for policy files).
    pub fn kind_of_id(id: FileId) -> Option<Kind> {
        if id == MAIN_CF {
            Some(Kind::Main)
        } else if id == MASTER_CF {
            Some(Kind::Master)
        } else {
            None
        }
    }

    /// The report's file `id`.
    pub fn file(&self, id: FileId) -> Option<&ReportFile> {
        self.report.file(id)
    }

    /// Text and line index of file `id`.
    pub fn lines(&self, id: FileId) -> Option<Lines<'_>> {
        self.file(id).map(|f| Lines {
            text: &f.text,
            index: &f.index,
        })
    }

    /// The URI of file `id`: main.cf and master.cf as the editor names them, a policy file by
    /// its path when that is absolute.
    pub fn uri(&self, id: FileId) -> Option<String> {
        if let Some(kind) = Self::kind_of_id(id) {
            return self.pair.uri(kind).map(str::to_owned);
        }
        let path = std::path::Path::new(&self.file(id)?.name);
        path.is_absolute().then(|| crate::workspace::file_uri(path))
    }
}
