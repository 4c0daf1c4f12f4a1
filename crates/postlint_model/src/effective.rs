//! The effective configuration: which value every parameter has for `main.cf` alone (what
//! `postconf -x` shows) and for each `master.cf` service (what its daemon runs with), and
//! where each value came from (`postfix-config.md` §2.3, §3.5, §4, §10).
//!
//! Lookup order for a name, first match wins (`pcf_lookup_parameter_value()`):
//!
//! 1. read-only parameters: `service_name` (field 1 of the entry; empty for `main.cf` alone),
//!    `process_name` (base name of field 8; `postconf` for `main.cf` alone), `process_id`
//!    (a [`HostFacts`] value);
//! 2. the service's `-o name=value` options, the last one for a name winning;
//! 3. `main.cf`, the last definition winning;
//! 4. `config_directory` from [`HostFacts`] (what `postconf -c DIR` sets);
//! 5. host-dependent defaults: `myhostname` and `mydomain` derived from the host name as
//!    Postfix does, `mynetworks` from [`HostFacts`], otherwise unknown;
//! 6. the built-in default of the target release (expressions over `compatibility_level`
//!    included), then service-derived defaults (`relay_destination_recipient_limit =
//!    $default_destination_recipient_limit` for a `relay … smtp` service).
//!
//! Each master.cf entry is a view of its own, with its own `-o` options, as the daemon started
//! for it sees them (`postconf -P` instead merges the options of duplicate `name/type`
//! entries, and `master` runs only the last of them). main.cf alone shows `process_name =
//! postconf` and an empty `service_name`, as `postconf -x` does.
//!
//! Values are expanded lazily and memoised per scope; a value that looks up no name that any
//! service sets locally is shared between all scopes.

/// Maps keyed by parameter names, with foldhash: several times faster than `SipHash` on the
/// hundreds of thousands of names of a generated main.cf, and still seeded per process.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// Sets of parameter names (see [`HashMap`]).
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use postlint_diagnostics::{FileId, TextRange};
use postlint_syntax::Bytes;
use postlint_syntax::expansion::{self, ExpansionOptions, Parsed};
use postlint_syntax::{MainCf, MasterCf, PostfixVersion};

use crate::expand::{Binding, BindingKind, Env, ExpandError, Expander, Expansion};
use crate::main_table::MainTable;
use postlint_syntax::CompatLevel;

/// What the model needs to know about the target host. Every field is optional: an unknown
/// host-dependent value stays `$name` in expanded text and the value is marked
/// [`EffectiveValue::host_dependent`], instead of silently using the linting machine's values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostFacts {
    /// The machine's host name (`gethostname()`). The default of `myhostname` is this name when
    /// it has a dot, else this name plus `.` plus `$mydomain` as set in main.cf or `-o` (else
    /// `localdomain`); the default of `mydomain` is `$myhostname` without its first label
    /// (`localdomain` when there is no dot).
    pub hostname: Option<String>,
    /// The default of `mynetworks` that Postfix computes on the host for the configuration's
    /// effective `mynetworks_style` (and `inet_interfaces`).
    pub mynetworks: Option<String>,
    /// The value of `$process_id`.
    pub process_id: Option<String>,
    /// The configuration directory as given to `postconf -c` (or `MAIL_CONFIG`); it becomes the
    /// value of `config_directory` unless main.cf sets it.
    pub config_directory: Option<String>,
}

/// How to build a [`Model`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelOptions {
    /// The Postfix release whose parameters, defaults and expansion syntax apply.
    pub version: PostfixVersion,
    /// Facts about the target host.
    pub host: HostFacts,
    /// File id of `main.cf` in diagnostics and origins.
    pub main_file: FileId,
    /// File id of `master.cf` in diagnostics and origins.
    pub master_file: FileId,
}

impl Default for ModelOptions {
    fn default() -> Self {
        Self {
            version: PostfixVersion::default(),
            host: HostFacts::default(),
            main_file: FileId(0),
            master_file: FileId(1),
        }
    }
}

impl ModelOptions {
    /// Options for `version`, an unknown host and the file ids `0` (main.cf) and `1`
    /// (master.cf).
    pub fn new(version: PostfixVersion) -> Self {
        Self {
            version,
            ..Self::default()
        }
    }
}

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default of the target release.
    Default {
        /// The release whose default it is.
        version: PostfixVersion,
    },
    /// A built-in default that depends on `compatibility_level`, evaluated at this level.
    /// (When `compatibility_level` is malformed, Postfix refuses to start; the level is then
    /// reported as `0`.)
    CompatDefault {
        /// The effective compatibility level.
        level: CompatLevel,
    },
    /// A `name = value` line of main.cf (the last one for the name).
    MainCf {
        /// Index in [`MainCf::parameters`].
        entry: usize,
        /// File range of the name.
        name_range: TextRange,
        /// File range of the value.
        value_range: TextRange,
    },
    /// A `-o name=value` option of a master.cf service (the last one for the name).
    MasterCf {
        /// Index in [`MasterCf::services`].
        service: usize,
        /// Index in that service's `overrides`.
        override_index: usize,
        /// File range of the name.
        name_range: TextRange,
        /// File range of the value.
        value_range: TextRange,
    },
    /// Set by Postfix itself (`service_name`, `process_name`).
    ReadOnly,
    /// A fact about the host (see [`HostFacts`]), known or not.
    Host,
    /// Nothing defines a value.
    Undefined,
}

impl Origin {
    /// Whether the value was written by the user (main.cf or master.cf).
    pub fn is_explicit(&self) -> bool {
        matches!(self, Self::MainCf { .. } | Self::MasterCf { .. })
    }
}

/// How a reference uses a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    /// `$name`, `${name}`, `$(name)`: the expanded value is inserted.
    Value,
    /// `${name?...}`, `${name:...}`: only whether the unexpanded value is empty matters.
    Test,
}

/// One reference followed while expanding a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceStep {
    /// The parameter referenced.
    pub name: String,
    /// Where its value comes from.
    pub origin: Origin,
    /// 1 for a reference in the value itself, 2 for one in the value of a parameter it
    /// references, and so on.
    pub depth: u32,
    /// How the parameter is used.
    pub kind: ReferenceKind,
}

/// The effective value of one parameter in one view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveValue {
    /// The value before expansion (for computed host defaults, the computed value).
    pub raw: String,
    /// The value after recursive expansion (raw parameters: unexpanded, as `postconf -x`
    /// shows them).
    pub expanded: String,
    /// Where the value comes from.
    pub origin: Origin,
    /// The `$`-references followed, in evaluation order, each with its own origin.
    pub references: Vec<ReferenceStep>,
    /// Names used with `$name` that have no value (they expand to nothing).
    pub undefined: Vec<String>,
    /// The value uses a host-dependent value that [`HostFacts`] did not supply.
    pub host_dependent: bool,
    /// Why the expansion failed (Postfix would stop with a fatal error); `expanded` is then
    /// the part expanded before the failure.
    pub error: Option<ExpandError>,
}

/// Which view of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// main.cf alone.
    Global,
    /// One master.cf service, by index in [`MasterCf::services`].
    Service(usize),
}

/// A `-o` option (the last one of its name in the service).
#[derive(Debug)]
pub(crate) struct OverrideEntry {
    pub index: usize,
    /// A raw parameter (never expanded when loaded).
    pub raw: bool,
    pub name_range: TextRange,
    pub value_range: TextRange,
    pub text: Bytes,
    pub parsed: Arc<Parsed>,
}

impl OverrideEntry {
    /// The file range of a range inside the value; the whole value when the value does not map
    /// byte for byte onto the file.
    pub fn file_range(&self, in_value: TextRange) -> TextRange {
        if self.value_range.len() as usize == self.text.len() {
            TextRange::new(
                self.value_range.start + in_value.start,
                self.value_range.start + in_value.end,
            )
        } else {
            self.value_range
        }
    }
}

/// One master.cf service.
#[derive(Debug)]
pub(crate) struct ServiceData {
    /// `name/type`.
    pub key: String,
    /// Field 1.
    pub name: String,
    /// Base name of field 8.
    pub process_name: String,
    /// `-o` options by name.
    pub overrides: HashMap<String, OverrideEntry>,
    /// Option names in the order of their last occurrence.
    pub override_order: Vec<String>,
    /// Effective compatibility level in this service.
    pub compat: CompatLevel,
    /// The memo of this scope.
    memo: Mutex<HashMap<String, Arc<Expansion>>>,
}

/// A built-in default, parsed once.
#[derive(Debug, Clone)]
struct DefaultEntry {
    text: Bytes,
    parsed: Arc<Parsed>,
    compat_dependent: bool,
    /// A raw parameter (never expanded when loaded).
    raw: bool,
}

/// The effective configuration of one Postfix instance: main.cf, master.cf, the built-in
/// defaults of the target release and facts about the host.
#[derive(Debug)]
pub struct Model {
    pub(crate) version: PostfixVersion,
    pub(crate) host: HostFacts,
    pub(crate) main_file: FileId,
    pub(crate) master_file: FileId,
    /// main.cf entries (the last definition of each name), read-only names left out.
    pub(crate) main: MainTable,
    pub(crate) services: Vec<ServiceData>,
    /// Service-derived names and their default (`$default_…`).
    derived: HashMap<String, DefaultEntry>,
    /// Names set by `-o` in at least one service.
    pub(crate) any_override: HashSet<String>,
    /// Names whose lookup differs between scopes.
    local: HashSet<String>,
    /// Built-in defaults parsed so far, `None` for names without one.
    defaults: Mutex<HashMap<Box<str>, Option<DefaultEntry>>>,
    /// The memo of main.cf alone (and of values no service changes).
    global_memo: Mutex<HashMap<String, Arc<Expansion>>>,
    /// Effective compatibility level of main.cf alone.
    pub(crate) compat: CompatLevel,
    /// Some service has another compatibility level than main.cf alone.
    compat_varies: bool,
    /// Non-built-in names that built-in defaults refer to (`virtual_maps`, …).
    legacy: OnceLock<Arc<HashSet<String>>>,
}

/// The legacy names of `version` (see [`Model::legacy_names`]). They depend on the release
/// only, and finding them parses every built-in default, so they are computed once per
/// process and release.
fn legacy_names(version: PostfixVersion) -> Arc<HashSet<String>> {
    static CACHE: OnceLock<Mutex<HashMap<PostfixVersion, Arc<HashSet<String>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::default()));
    if let Some(names) = lock(cache).get(&version) {
        return Arc::clone(names);
    }
    let builtin = |name: &str| postlint_params::lookup(name).is_some_and(|p| p.is_builtin(version));
    let mut out = HashSet::default();
    for info in postlint_params::all() {
        if !info.is_builtin(version) || info.raw {
            continue;
        }
        let Some(text) = postlint_params::default_value(info.name, version) else {
            continue;
        };
        if !text.contains('$') {
            continue;
        }
        let parsed = expansion::parse(text.as_bytes(), ExpansionOptions { version });
        out.extend(
            parsed
                .expr
                .references()
                .filter(|name| !builtin(name))
                .map(str::to_owned),
        );
    }
    let names = Arc::new(out);
    lock(cache).insert(version, Arc::clone(&names));
    names
}

/// Locks a memo, ignoring poisoning (a panic elsewhere cannot leave a memo inconsistent:
/// entries are inserted whole).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether `name` is a raw parameter of `version` (never expanded when loaded).
pub(crate) fn is_raw(name: &str, version: PostfixVersion) -> bool {
    postlint_params::lookup(name).is_some_and(|p| p.raw && p.is_builtin(version))
}

/// Whether `name` is a read-only built-in (set by Postfix; assignments are ignored).
fn is_read_only(name: &str, version: PostfixVersion) -> bool {
    postlint_params::lookup(name).is_some_and(|p| p.read_only && p.is_builtin(version))
}

/// The base name of a command path.
fn basename(command: &str) -> &str {
    command.rsplit('/').next().unwrap_or(command)
}

impl Model {
    /// Builds the model. Cheap: a main.cf value is parsed when first needed, and expanded
    /// on demand.
    pub fn new<'a>(main: &'a MainCf, master: &'a MasterCf, options: ModelOptions) -> Self {
        let version = options.version;
        // `-o` values repeat between services: parse each distinct text once. Keys borrow
        // from the file, so the cache copies nothing.
        let mut parses: HashMap<&[u8], Arc<Parsed>> = HashMap::default();
        let mut parse =
            |text: &'a [u8]| {
                Arc::clone(parses.entry(text).or_insert_with(|| {
                    Arc::new(expansion::parse(text, ExpansionOptions { version }))
                }))
            };

        // A service-derived default (`$default_recipient_limit`) is the same text for every
        // service: parsed once each.
        let mut derived_parses: HashMap<&'static str, (Bytes, Arc<Parsed>)> = HashMap::default();
        let mut services = Vec::with_capacity(master.services.len());
        let mut derived: HashMap<String, DefaultEntry> = HashMap::default();
        let mut any_override: HashSet<String> = HashSet::default();
        for service in &master.services {
            let name = service.name().as_str().into_owned();
            let command = service.command().as_str().into_owned();
            for suffix in postlint_params::service_derived_suffixes(&command) {
                let derived_name = format!("{name}{suffix}");
                let builtin =
                    postlint_params::lookup(&derived_name).is_some_and(|p| p.is_builtin(version));
                if !builtin && let Some(default) = postlint_params::service_derived_default(suffix)
                {
                    let (text, parsed) = derived_parses.entry(default).or_insert_with(|| {
                        let text = format!("${default}");
                        let parsed =
                            expansion::parse(text.as_bytes(), ExpansionOptions { version });
                        (Bytes::from(text.into_bytes()), Arc::new(parsed))
                    });
                    derived.insert(
                        derived_name,
                        DefaultEntry {
                            parsed: Arc::clone(parsed),
                            text: text.clone(),
                            compat_dependent: false,
                            raw: false,
                        },
                    );
                }
            }
            let mut overrides = HashMap::default();
            let mut order: Vec<(usize, String)> = Vec::new();
            for (index, ov) in service.overrides.iter().enumerate() {
                let ov_name = ov.name_str().into_owned();
                if is_read_only(&ov_name, version) {
                    continue;
                }
                any_override.insert(ov_name.clone());
                overrides.insert(
                    ov_name.clone(),
                    OverrideEntry {
                        raw: is_raw(&ov_name, version),
                        index,
                        name_range: ov.name_range,
                        value_range: ov.value_range,
                        text: Bytes::copy_from_slice(&ov.value[..]),
                        parsed: parse(&ov.value[..]),
                    },
                );
            }
            order.extend(overrides.iter().map(|(n, e)| (e.index, n.clone())));
            order.sort();
            services.push(ServiceData {
                key: service.key(),
                process_name: basename(&command).to_owned(),
                name,
                overrides,
                override_order: order.into_iter().map(|(_, n)| n).collect(),
                compat: CompatLevel::ZERO,
                memo: Mutex::new(HashMap::default()),
            });
        }
        let mut local = any_override.clone();
        local.insert("service_name".to_owned());
        local.insert("process_name".to_owned());

        let mut model = Self {
            version,
            host: options.host,
            main_file: options.main_file,
            master_file: options.master_file,
            main: MainTable::new(main, version),
            services,
            derived,
            any_override,
            local,
            defaults: Mutex::new(HashMap::default()),
            global_memo: Mutex::new(HashMap::default()),
            compat: CompatLevel::ZERO,
            compat_varies: false,
            legacy: OnceLock::new(),
        };
        model.compute_compat_levels();
        model
    }

    /// Evaluates `compatibility_level` for main.cf and every service, without memoising
    /// anything (origins depend on the result).
    fn compute_compat_levels(&mut self) {
        let (global, touches_local) = self.scratch_compat(Scope::Global);
        self.compat = global;
        for index in 0..self.services.len() {
            let level = if touches_local {
                self.scratch_compat(Scope::Service(index)).0
            } else {
                global
            };
            if let Some(service) = self.services.get_mut(index) {
                service.compat = level;
            }
            self.compat_varies |= level != global;
        }
    }

    /// The compatibility level of a scope (0 when malformed) and whether its evaluation
    /// depends on names some service sets.
    fn scratch_compat(&self, scope: Scope) -> (CompatLevel, bool) {
        let env = ScopeEnv {
            model: self,
            scope,
            scratch: Some(Mutex::new(HashMap::default())),
        };
        let expansion = Expander::new(&env).expand_name("compatibility_level");
        (
            CompatLevel::parse(&expansion.value).unwrap_or_default(),
            expansion.touches_local,
        )
    }

    /// The Postfix release modelled.
    pub fn version(&self) -> PostfixVersion {
        self.version
    }

    /// The host facts in use.
    pub fn host(&self) -> &HostFacts {
        &self.host
    }

    /// The effective compatibility level of main.cf alone (0 when unset or malformed).
    pub fn compatibility_level(&self) -> CompatLevel {
        self.compat
    }

    /// Index in [`MainCf::parameters`] of the entry that sets `name` in main.cf (its last
    /// definition), from the model's index rather than a scan of the file.
    pub fn main_entry(&self, name: &str) -> Option<usize> {
        self.main.get(name).map(crate::main_table::MainEntry::index)
    }

    /// main.cf alone: what `postconf -x` shows.
    pub fn global(&self) -> View<'_> {
        View {
            model: self,
            scope: Scope::Global,
        }
    }

    /// The view of master.cf service `index` (index in [`MasterCf::services`]); `None` when
    /// there is no such service.
    pub fn service(&self, index: usize) -> Option<View<'_>> {
        (index < self.services.len()).then_some(View {
            model: self,
            scope: Scope::Service(index),
        })
    }

    /// Every service view, in master.cf order.
    pub fn services(&self) -> impl Iterator<Item = View<'_>> {
        (0..self.services.len()).map(|index| View {
            model: self,
            scope: Scope::Service(index),
        })
    }

    /// The number of master.cf services.
    pub fn service_count(&self) -> usize {
        self.services.len()
    }

    /// The built-in default of `name`, parsed once per model.
    fn default_entry(&self, name: &str) -> Option<DefaultEntry> {
        if let Some(entry) = lock(&self.defaults).get(name) {
            return entry.clone();
        }
        let entry = postlint_params::default_value(name, self.version).map(|text| DefaultEntry {
            text: Bytes::from_static(text.as_bytes()),
            parsed: Arc::new(expansion::parse(
                text.as_bytes(),
                ExpansionOptions {
                    version: self.version,
                },
            )),
            compat_dependent: text.contains("compatibility_level"),
            raw: is_raw(name, self.version),
        });
        lock(&self.defaults).insert(Box::from(name), entry.clone());
        entry
    }

    /// Names that built-in defaults of this release refer to without being built-ins
    /// themselves (`virtual_maps` in `virtual_alias_maps = $virtual_maps`). `postconf`
    /// registers them, so they are never "undefined", but they have no value.
    pub(crate) fn legacy_names(&self) -> &HashSet<String> {
        self.legacy.get_or_init(|| legacy_names(self.version))
    }

    /// Whether `name` has a table entry in `postconf`: a built-in of this release, a
    /// service-derived name, or a legacy name referred to by a built-in default.
    pub(crate) fn is_known(&self, name: &str) -> bool {
        postlint_params::lookup(name).is_some_and(|p| p.is_builtin(self.version))
            || self.derived.contains_key(name)
            || self.legacy_names().contains(name)
    }

    /// The binding of `name` in `scope`.
    pub(crate) fn lookup(&self, scope: Scope, name: &str) -> Option<Binding> {
        let version = self.version;
        let (service_index, service) = match scope {
            Scope::Global => (0, None),
            Scope::Service(index) => (index, self.services.get(index)),
        };
        let verbatim = |text: &str, origin: Origin| Binding {
            text: Bytes::copy_from_slice(text.as_bytes()),
            parsed: None,
            origin,
            kind: BindingKind::Verbatim,
            raw: false,
        };
        let unknown = || Binding {
            text: Bytes::from(format!("${name}").into_bytes()),
            parsed: None,
            origin: Origin::Host,
            kind: BindingKind::Unknown,
            raw: false,
        };
        let kind = |raw: bool| {
            if raw && version >= PostfixVersion::V3_11 {
                BindingKind::Verbatim
            } else {
                BindingKind::Expand
            }
        };
        // 1. Read-only parameters.
        match name {
            "service_name" => {
                return Some(verbatim(
                    service.map_or("", |s| s.name.as_str()),
                    Origin::ReadOnly,
                ));
            }
            "process_name" => {
                return Some(verbatim(
                    service.map_or("postconf", |s| s.process_name.as_str()),
                    Origin::ReadOnly,
                ));
            }
            "process_id" => {
                return Some(match &self.host.process_id {
                    Some(pid) => verbatim(pid, Origin::Host),
                    None => unknown(),
                });
            }
            _ => {}
        }
        // 2. -o options.
        if let Some(ov) = service.and_then(|s| s.overrides.get(name)) {
            return Some(Binding {
                text: ov.text.clone(),
                parsed: Some(Arc::clone(&ov.parsed)),
                origin: Origin::MasterCf {
                    service: service_index,
                    override_index: ov.index,
                    name_range: ov.name_range,
                    value_range: ov.value_range,
                },
                kind: kind(ov.raw),
                raw: ov.raw,
            });
        }
        // 3. main.cf.
        if let Some(entry) = self.main.get(name) {
            return Some(Binding {
                text: entry.text(),
                parsed: self.main.parsed(entry),
                origin: Origin::MainCf {
                    entry: entry.index(),
                    name_range: entry.name_range,
                    value_range: entry.value_range,
                },
                kind: kind(entry.raw),
                raw: entry.raw,
            });
        }
        // 4. and 5. Host facts.
        match name {
            "config_directory" => {
                if let Some(dir) = &self.host.config_directory {
                    return Some(verbatim(dir, Origin::Host));
                }
            }
            "myhostname" => {
                return Some(match &self.host.hostname {
                    Some(host) if host.contains('.') => verbatim(host, Origin::Host),
                    Some(host) => Binding {
                        text: Bytes::copy_from_slice(host.as_bytes()),
                        parsed: None,
                        origin: Origin::Host,
                        kind: BindingKind::HostnameDefault {
                            hostname: Arc::from(host.as_str()),
                        },
                        raw: false,
                    },
                    None => unknown(),
                });
            }
            "mydomain" => {
                return Some(Binding {
                    text: Bytes::new(),
                    parsed: None,
                    origin: Origin::Host,
                    kind: BindingKind::DomainDefault,
                    raw: false,
                });
            }
            "mynetworks" => {
                return Some(match &self.host.mynetworks {
                    Some(networks) => verbatim(networks, Origin::Host),
                    None => unknown(),
                });
            }
            _ => {}
        }
        // 6. Built-in and service-derived defaults.
        if let Some(entry) = self.default_entry(name) {
            let origin = if entry.compat_dependent {
                Origin::CompatDefault {
                    level: service.map_or(self.compat, |s| s.compat),
                }
            } else {
                Origin::Default { version }
            };
            return Some(Binding {
                text: entry.text,
                parsed: Some(entry.parsed),
                origin,
                kind: kind(entry.raw),
                raw: entry.raw,
            });
        }
        let derived = self.derived.get(name)?;
        Some(Binding {
            text: derived.text.clone(),
            parsed: Some(Arc::clone(&derived.parsed)),
            origin: Origin::Default { version },
            kind: BindingKind::Expand,
            raw: false,
        })
    }

    /// Whether main.cf or the scope's `-o` options set `name`.
    fn is_explicit_in(&self, scope: Scope, name: &str) -> bool {
        if is_read_only(name, self.version) {
            return false;
        }
        let local = match scope {
            Scope::Global => false,
            Scope::Service(index) => self
                .services
                .get(index)
                .is_some_and(|s| s.overrides.contains_key(name)),
        };
        local || self.main.contains(name)
    }
}

/// An [`Env`] for one scope of a model.
struct ScopeEnv<'m> {
    model: &'m Model,
    scope: Scope,
    /// A private memo that is thrown away (while computing compatibility levels).
    scratch: Option<Mutex<HashMap<String, Arc<Expansion>>>>,
}

impl Env for ScopeEnv<'_> {
    fn lookup(&self, name: &str) -> Option<Binding> {
        self.model.lookup(self.scope, name)
    }

    fn is_explicit(&self, name: &str) -> bool {
        self.model.is_explicit_in(self.scope, name)
    }

    fn is_local(&self, name: &str) -> bool {
        self.model.local.contains(name)
    }

    fn origin_is_local(&self, origin: &Origin) -> bool {
        self.model.compat_varies && matches!(origin, Origin::CompatDefault { .. })
    }

    fn memo_get(&self, name: &str) -> Option<Arc<Expansion>> {
        if let Some(scratch) = &self.scratch {
            return lock(scratch).get(name).cloned();
        }
        match self.scope {
            Scope::Global => lock(&self.model.global_memo).get(name).cloned(),
            Scope::Service(index) => {
                let service = self.model.services.get(index)?;
                if let Some(done) = lock(&service.memo).get(name) {
                    return Some(Arc::clone(done));
                }
                lock(&self.model.global_memo)
                    .get(name)
                    .filter(|e| !e.touches_local)
                    .cloned()
            }
        }
    }

    fn memo_put(&self, name: &str, expansion: Arc<Expansion>) {
        if let Some(scratch) = &self.scratch {
            lock(scratch).insert(name.to_owned(), expansion);
            return;
        }
        match self.scope {
            Scope::Service(index) if expansion.touches_local => {
                if let Some(service) = self.model.services.get(index) {
                    lock(&service.memo).insert(name.to_owned(), expansion);
                }
            }
            _ => {
                lock(&self.model.global_memo).insert(name.to_owned(), expansion);
            }
        }
    }
}

/// The effective configuration seen from main.cf alone or from one master.cf service.
#[derive(Debug, Clone, Copy)]
pub struct View<'m> {
    model: &'m Model,
    scope: Scope,
}

impl<'m> View<'m> {
    /// Which view this is.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The model.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// `name/type` of the service (`submission/inet`); `None` for main.cf alone.
    pub fn service_key(&self) -> Option<&'m str> {
        match self.scope {
            Scope::Global => None,
            Scope::Service(index) => self.model.services.get(index).map(|s| s.key.as_str()),
        }
    }

    /// The effective compatibility level in this view (0 when unset or malformed).
    pub fn compatibility_level(&self) -> CompatLevel {
        match self.scope {
            Scope::Global => self.model.compat,
            Scope::Service(index) => self
                .model
                .services
                .get(index)
                .map_or(self.model.compat, |s| s.compat),
        }
    }

    /// The effective value of `name`, or `None` when nothing defines one (not a built-in of
    /// the release, not set in main.cf or this service's `-o` options, not service-derived).
    pub fn value(&self, name: &str) -> Option<EffectiveValue> {
        let binding = self.model.lookup(self.scope, name)?;
        let raw = String::from_utf8_lossy(&binding.text).into_owned();
        if binding.raw {
            return Some(EffectiveValue {
                expanded: raw.clone(),
                raw,
                origin: binding.origin,
                references: Vec::new(),
                undefined: Vec::new(),
                host_dependent: false,
                error: None,
            });
        }
        let expansion = self.expansion(name);
        let expanded = String::from_utf8_lossy(&expansion.value).into_owned();
        let computed = matches!(
            binding.kind,
            BindingKind::HostnameDefault { .. } | BindingKind::DomainDefault
        );
        Some(EffectiveValue {
            raw: if computed { expanded.clone() } else { raw },
            expanded,
            origin: binding.origin,
            references: expansion.steps.clone(),
            undefined: expansion.undefined.clone(),
            host_dependent: expansion.host_dependent,
            error: expansion.error.clone(),
        })
    }

    /// The expanded value of `name` (see [`View::value`]).
    pub fn expanded(&self, name: &str) -> Option<String> {
        self.value(name).map(|v| v.expanded)
    }

    /// The memoised expansion of `name`.
    pub(crate) fn expansion(&self, name: &str) -> Arc<Expansion> {
        let env = ScopeEnv {
            model: self.model,
            scope: self.scope,
            scratch: None,
        };
        Expander::new(&env).expand_name(name)
    }

    /// Every name with a value in this view, sorted: the built-ins of the release,
    /// service-derived names, and the names main.cf and this service's `-o` options set.
    pub fn names(&self) -> Vec<&'m str> {
        let model = self.model;
        let version = model.version;
        let mut names: Vec<&'m str> = postlint_params::all()
            .iter()
            .filter(|p| p.is_builtin(version))
            .map(|p| p.name)
            .collect();
        names.extend(model.derived.keys().map(String::as_str));
        names.extend(model.main.iter().map(|e| model.main.name(e)));
        if let Scope::Service(index) = self.scope
            && let Some(service) = model.services.get(index)
        {
            names.extend(service.overrides.keys().map(String::as_str));
        }
        names.sort_unstable();
        names.dedup();
        names
    }
}
