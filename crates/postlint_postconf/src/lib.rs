//! A Postfix-free emulation of the read-only views of Postfix's own `postconf` command:
//! `-n` (parameters set in main.cf), `-M` (master.cf entries), `-F` (master.cf fields) and
//! `-P` (master.cf `-o` parameters), with postconf's output format byte for byte.
//!
//! It exists so that users without Postfix (CI runners, laptops) see what Postfix sees, and so
//! that postlint's parser can be proved against Postfix's on real configurations.

mod filter;
mod main_view;
mod master_view;
pub mod used;

use postlint_diagnostics::{Diagnostic, FileId, LineIndex};
use postlint_model::{HostFacts, Model, ModelOptions};
use postlint_syntax::{MainCf, MasterCf, Parameter, PostfixVersion};

pub use filter::ServicePattern;

/// File id of `main.cf` in diagnostics produced here.
pub const MAIN_CF: FileId = FileId(0);
/// File id of `master.cf` in diagnostics produced here.
pub const MASTER_CF: FileId = FileId(1);

/// The configuration postconf would read: both files of one directory, parsed.
#[derive(Debug, Clone)]
pub struct Config {
    /// The parsed main.cf (empty when the file is absent).
    pub main: MainCf,
    /// The parsed master.cf (empty when the file is absent).
    pub master: MasterCf,
    /// The `-c` directory as given, which postconf reports as `config_directory`.
    pub config_directory: Option<String>,
    /// The Postfix release whose parameter names and defaults apply.
    pub version: PostfixVersion,
    /// main.cf's bytes, for line numbers in postconf's own warnings.
    main_text: postlint_syntax::Bytes,
    /// Its line index, built when a warning first needs it.
    main_index: std::sync::OnceLock<LineIndex>,
    /// What postconf would learn from the machine it runs on (host name, `$process_id`).
    pub host: HostFacts,
}

/// What a postconf view printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Standard output, byte for byte.
    pub stdout: Vec<u8>,
    /// Warnings postconf prints on standard error, without the `postconf: warning: ` prefix.
    pub warnings: Vec<String>,
}

/// Why postconf would stop without output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal {
    /// The syntax error that stops postconf (it stops at the first).
    pub diagnostic: Box<Diagnostic>,
}

impl Config {
    /// Parses both files.
    pub fn parse(
        main: &[u8],
        master: &[u8],
        config_directory: Option<String>,
        version: PostfixVersion,
    ) -> Self {
        Self::parse_shared(
            &postlint_syntax::Bytes::copy_from_slice(main),
            &postlint_syntax::Bytes::copy_from_slice(master),
            config_directory,
            version,
        )
    }

    /// Parses both files without copying them: the parsed entries share their buffers.
    pub fn parse_shared(
        main: &postlint_syntax::Bytes,
        master: &postlint_syntax::Bytes,
        config_directory: Option<String>,
        version: PostfixVersion,
    ) -> Self {
        Self {
            main: MainCf::parse_shared(main, MAIN_CF),
            master: MasterCf::parse_shared(master, MASTER_CF),
            config_directory,
            version,
            main_text: main.clone(),
            main_index: std::sync::OnceLock::new(),
            host: HostFacts::default(),
        }
    }

    /// The line index of main.cf.
    pub fn main_index(&self) -> &LineIndex {
        self.main_index
            .get_or_init(|| LineIndex::new(&self.main_text))
    }

    /// Sets the host facts `-x` expansion uses (unknown by default: `$myhostname` and the
    /// like then stay unexpanded).
    #[must_use]
    pub fn with_host(mut self, host: HostFacts) -> Self {
        self.host = host;
        self
    }

    /// Applies `postconf -o name=value`: each pair replaces the main.cf value of `name` for
    /// this query, or is added when main.cf does not set it.
    #[must_use]
    pub fn with_overrides(mut self, overrides: &[(String, String)]) -> Self {
        for (name, value) in overrides {
            let existing = self
                .main
                .parameters
                .iter_mut()
                .filter(|p| p.name() == name.as_bytes())
                .collect::<Vec<_>>();
            if existing.is_empty() {
                self.main.parameters.push(Parameter::detached(
                    name.as_bytes(),
                    value.trim_ascii().as_bytes(),
                ));
            } else {
                for p in existing {
                    p.set_value(value.as_bytes());
                }
            }
        }
        self
    }

    /// The model of this configuration, for `-x` and `-d` views.
    pub fn model(&self) -> Model {
        let mut host = self.host.clone();
        if host.config_directory.is_none() {
            host.config_directory.clone_from(&self.config_directory);
        }
        let mut options = ModelOptions::new(self.version);
        options.host = host;
        Model::new(&self.main, &self.master, options)
    }

    /// The first error postconf dies on: a malformed main.cf line, a master.cf entry with a
    /// bad field count or an invalid field. (Errors a daemon dies on at start-up, such as a
    /// bare `-o`, do not stop postconf.) postconf reads main.cf before master.cf.
    pub fn fatal(&self) -> Option<Fatal> {
        self.syntax_fatal(false).or_else(|| {
            used::usage(self).fatal.map(|diagnostic| Fatal {
                diagnostic: Box::new(diagnostic),
            })
        })
    }

    /// The first syntax error postconf stops at. main.cf views read main.cf first, master.cf
    /// views read master.cf first.
    fn syntax_fatal(&self, master_first: bool) -> Option<Fatal> {
        let main = || self.main.fatal();
        let master = || {
            self.master
                .fatal
                .and_then(|i| self.master.diagnostics.get(i))
        };
        let first = if master_first {
            master().or_else(main)
        } else {
            main().or_else(master)
        };
        first.map(|diagnostic| Fatal {
            diagnostic: Box::new(diagnostic.clone()),
        })
    }

    /// `postconf -n [name…]`.
    pub fn show_nondefault(&self, names: &[String]) -> Result<Output, Fatal> {
        self.show_nondefault_with(names, false)
    }

    /// `postconf -n [name…]`, with `-x` when `expand` is set.
    pub fn show_nondefault_with(&self, names: &[String], expand: bool) -> Result<Output, Fatal> {
        match self.syntax_fatal(false) {
            Some(fatal) => Err(fatal),
            None => main_view::show_nondefault(self, names, Some(self.main_index()), expand),
        }
    }

    /// `postconf -d [name…]` (`-dx` when `expand` is set): built-in defaults of the target
    /// release, including the service-derived parameters of this master.cf.
    ///
    /// postconf does not read main.cf for `-d` (a broken main.cf does not stop it), but it
    /// reads master.cf for the service-derived names.
    pub fn show_defaults(&self, names: &[String], expand: bool) -> Result<Output, Fatal> {
        match self
            .master
            .fatal
            .and_then(|i| self.master.diagnostics.get(i))
        {
            Some(d) => Err(Fatal {
                diagnostic: Box::new(d.clone()),
            }),
            None => Ok(main_view::show_defaults(self, names, expand)),
        }
    }

    /// `postconf -M [service[/type]…]`.
    pub fn show_master_entries(&self, patterns: &[String]) -> Result<Output, Fatal> {
        self.master_view(|| master_view::show_entries(self, patterns))
    }

    /// `postconf -F [service[/type[/field]]…]`.
    pub fn show_master_fields(&self, patterns: &[String]) -> Result<Output, Fatal> {
        self.master_view(|| master_view::show_fields(self, patterns))
    }

    /// `postconf -P [service[/type[/parameter]]…]`.
    pub fn show_master_params(&self, patterns: &[String]) -> Result<Output, Fatal> {
        self.show_master_params_with(patterns, false)
    }

    /// `postconf -P`, with `-x` when `expand` is set.
    pub fn show_master_params_with(
        &self,
        patterns: &[String],
        expand: bool,
    ) -> Result<Output, Fatal> {
        self.master_view(|| master_view::show_params(self, patterns, expand))
    }

    /// A master.cf view: stops where postconf stops, and adds the bookkeeping warnings
    /// postconf prints with master.cf views (all but main.cf's unused parameters). postconf
    /// reads master.cf before main.cf here, so master.cf's syntax warnings come first.
    fn master_view(&self, show: impl FnOnce() -> Output) -> Result<Output, Fatal> {
        if let Some(fatal) = self.syntax_fatal(true) {
            return Err(fatal);
        }
        let usage = used::usage(self);
        if let Some(diagnostic) = usage.fatal {
            return Err(Fatal {
                diagnostic: Box::new(diagnostic),
            });
        }
        let mut out = show();
        out.warnings.extend(master_syntax_warnings(&self.master));
        out.warnings.extend(main_view::duplicate_warnings(
            self,
            &usage,
            Some(self.main_index()),
        ));
        out.warnings.extend(
            usage
                .warnings(self.config_directory.as_deref().unwrap_or("/etc/postfix"))
                .into_iter()
                .filter(|w| !(w.contains("/main.cf: unused parameter: "))),
        );
        Ok(out)
    }
}

/// The warnings postconf prints while it reads master.cf: brace problems in `-o` values and
/// arguments, in postconf's wording (`master.cf: missing '}' in "{…"`).
pub(crate) fn master_syntax_warnings(master: &MasterCf) -> Vec<String> {
    master
        .diagnostics
        .iter()
        .filter_map(|d| {
            let (prefix, rest) = d.message.split_once('`')?;
            let quoted = rest.strip_suffix('`')?;
            [
                "missing '}' in ",
                "syntax error after '}' in ",
                "missing '=' after attribute name: ",
            ]
            .contains(&prefix)
            .then(|| format!("master.cf: {prefix}\"{quoted}\""))
        })
        .collect()
}

/// Postfix's whitespace normalisation of printed lines (`pcf_print_line`): words separated by
/// runs of space, tab, CR or LF are joined with single spaces.
pub(crate) fn print_line(out: &mut Vec<u8>, line: &[u8]) {
    let mut first = true;
    for word in line
        .split(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .filter(|w| !w.is_empty())
    {
        if !first {
            out.push(b' ');
        }
        out.extend_from_slice(word);
        first = false;
    }
    out.push(b'\n');
}
