//! The effective configuration of one master.cf service (or of main.cf alone) as data: the
//! facts that matter for mail security, and each parameter's value with where it comes from.
//! The CLI's `effective` command prints it as text; the browser page shows it as a table.

use postlint_diagnostics::LineIndex;
use postlint_facts::ServiceFacts;
use postlint_facts::reachability::Reachability;
use postlint_linter::Report;
use postlint_model::{Origin, View};
use postlint_postconf::{Config, MAIN_CF, MASTER_CF};
use postlint_syntax::{MainCf, MasterCf};
use serde::Serialize;

/// Where a value is written, in words a Postfix admin uses.
///
/// `main` and `master` are the line indexes of the two files, for line numbers.
pub fn origin_text(origin: &Origin, main: &LineIndex, master: &LineIndex) -> String {
    match origin {
        Origin::Default { version } => format!("built-in default of Postfix {version}"),
        Origin::CompatDefault { level } => {
            format!("built-in default at compatibility_level {level}")
        }
        Origin::MainCf { name_range, .. } => {
            format!("main.cf line {}", main.line_col(name_range.start).line + 1)
        }
        Origin::MasterCf { name_range, .. } => format!(
            "master.cf line {} (-o)",
            master.line_col(name_range.start).line + 1
        ),
        Origin::ReadOnly => "set by Postfix (read-only)".to_owned(),
        Origin::Host => "depends on the host".to_owned(),
        Origin::Undefined => "not defined (expands to nothing)".to_owned(),
    }
}

/// One security fact of a service, as a label and a sentence (`reachability`, `public
/// (reachable from other hosts)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// What the fact is about.
    pub label: &'static str,
    /// Its value, in words.
    pub value: String,
}

/// The facts of a service that matter for mail security, in a fixed order.
pub fn fact_lines(facts: &ServiceFacts) -> Vec<Fact> {
    let mut out = vec![Fact {
        label: "program",
        value: facts.program.name.clone(),
    }];
    match &facts.endpoint {
        Some(Ok(endpoint)) => {
            let host = endpoint
                .host
                .as_deref()
                .unwrap_or("every inet_interfaces address");
            out.push(Fact {
                label: "listens on",
                value: format!("{host}, {}", endpoint.port),
            });
        }
        Some(Err(e)) => out.push(Fact {
            label: "listens on",
            value: format!("invalid service name ({e})"),
        }),
        None => {}
    }
    out.push(Fact {
        label: "reachability",
        value: match &facts.reachability {
            Reachability::Public => "public (reachable from other hosts)".to_owned(),
            Reachability::LoopbackOnly => "loopback only".to_owned(),
            Reachability::Local => "local (not a network service)".to_owned(),
            Reachability::Disabled => "disabled".to_owned(),
            Reachability::Unknown(why) => format!("unknown ({why})"),
        },
    });
    if let Some(tls) = &facts.server_tls {
        use postlint_facts::server_tls::{ServerTlsLevel, ServerTlsMode};
        let mode = match &tls.mode {
            ServerTlsMode::Wrapper { .. } => "wrapper mode (TLS from the first byte)",
            ServerTlsMode::Level { .. } => "smtpd_tls_security_level",
            ServerTlsMode::Legacy { .. } => "legacy smtpd_use_tls/smtpd_enforce_tls",
        };
        let level = match tls.level {
            ServerTlsLevel::None => "none",
            ServerTlsLevel::May => "may (STARTTLS offered)",
            ServerTlsLevel::Encrypt => "encrypt (TLS required)",
        };
        out.push(Fact {
            label: "server TLS",
            value: format!(
                "{level}, from {mode}; AUTH only after TLS: {}; protocols from {}",
                if tls.auth_only { "yes" } else { "no" },
                tls.protocols_param
            ),
        });
    }
    if let Some(tls) = &facts.client_tls {
        let level = tls
            .level
            .map_or("none", postlint_facts::tls_level::TlsLevel::name);
        out.push(Fact {
            label: "client TLS",
            value: format!(
                "level {level}, per-destination tables: {}",
                if tls.per_destination.is_empty() {
                    "none".to_owned()
                } else {
                    tls.per_destination.join(", ")
                }
            ),
        });
    }
    out
}

/// One parameter as a service sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Value {
    /// Parameter name.
    pub name: String,
    /// The value after `$` expansion.
    pub value: String,
    /// The value as written, when it differs from `value`.
    pub written: Option<String>,
    /// Where it comes from, in words.
    pub origin: String,
    /// `main.cf` or `master.cf` when the user wrote it, else null.
    pub file: Option<&'static str>,
    /// 1-based line of the name in `file`.
    pub line: Option<u32>,
    /// Why expansion failed, if it did.
    pub error: Option<String>,
}

/// The effective configuration of one service, or of main.cf alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effective {
    /// `name/type`, or null for main.cf alone.
    pub service: Option<String>,
    /// Security facts (empty for main.cf alone).
    pub facts: Vec<Fact>,
    /// The parameters shown, sorted by name.
    pub values: Vec<Value>,
}

/// Which parameters [`effective`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// Those main.cf sets and the service's `-o` options.
    Explicit,
    /// Every parameter with a value (several hundred).
    All,
}

/// The parameters the files set for a service: main.cf's, plus the `-o` options of the
/// master.cf entry at `service` (none for main.cf alone), sorted, without duplicates.
pub fn explicit_names(main: &MainCf, master: &MasterCf, service: Option<usize>) -> Vec<String> {
    let overrides = service
        .and_then(|index| master.services.get(index))
        .map(|s| &s.overrides[..])
        .unwrap_or_default();
    let mut names: Vec<String> = main
        .parameters
        .iter()
        .map(|p| p.name_str().into_owned())
        .chain(overrides.iter().map(|o| o.name_str().into_owned()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The `name/type` key of every master.cf service, in file order, without duplicates.
pub fn service_keys(config: &Config) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for key in config
        .master
        .services
        .iter()
        .map(postlint_syntax::Service::key)
    {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// The effective configuration of the service `key` (the last entry with that key, as
/// Postfix uses it), or of main.cf alone when `key` is `None`. `None` when master.cf has no
/// such service.
pub fn effective(report: &Report, key: Option<&str>, names: Names) -> Option<Effective> {
    let config = &report.config;
    let model = config.model();
    let (view, facts, index) = match key {
        None => (model.global(), None, None),
        Some(key) => {
            let index = config
                .master
                .services
                .iter()
                .rposition(|s| s.key() == key)?;
            let view = model.service(index)?;
            let facts = postlint_linter::service::facts_of(&model, &config.master, index);
            (view, facts, Some(index))
        }
    };
    let names: Vec<String> = match names {
        Names::All => view.names().into_iter().map(str::to_owned).collect(),
        Names::Explicit => explicit_names(&config.main, &config.master, index),
    };
    Some(Effective {
        service: view.service_key().map(str::to_owned),
        facts: facts.as_ref().map(fact_lines).unwrap_or_default(),
        values: values(report, &view, &names),
    })
}

fn values(report: &Report, view: &View<'_>, names: &[String]) -> Vec<Value> {
    let empty = LineIndex::new(b"");
    let index = |id| report.file(id).map_or(&empty, |f| &f.index);
    let (main_index, master_index) = (index(MAIN_CF), index(MASTER_CF));
    names
        .iter()
        .filter_map(|name| {
            let v = view.value(name)?;
            let (file, line) = match &v.origin {
                Origin::MainCf { name_range, .. } => (
                    Some("main.cf"),
                    Some(main_index.line_col(name_range.start).line + 1),
                ),
                Origin::MasterCf { name_range, .. } => (
                    Some("master.cf"),
                    Some(master_index.line_col(name_range.start).line + 1),
                ),
                _ => (None, None),
            };
            Some(Value {
                name: name.clone(),
                written: (v.raw != v.expanded).then(|| v.raw.clone()),
                origin: origin_text(&v.origin, main_index, master_index),
                value: v.expanded,
                file,
                line,
                error: v.error.as_ref().map(postlint_model::ExpandError::message),
            })
        })
        .collect()
}
