//! Which parameter names postconf considers in use (`postconf_user.c`, `postconf_service.c`,
//! `postconf_dbms.c`): only those are printed by `-n`, and the rest are "unused parameter"
//! warnings.
//!
//! A name is in use when it is a built-in parameter of the target release, a service-derived
//! name (`relay_destination_recipient_limit` for a `relay` service running `smtp`), a legacy
//! name that a built-in default refers to (`virtual_maps`), listed in
//! `smtpd_restriction_classes`, referenced with `$` from a main.cf or master.cf `-o` value, or
//! a legacy database-client name (`ldap:foo` makes `foo_server_host` valid). A `$name` counts
//! only when `name` has a `name = value` somewhere; postconf warns at every `$name` (and every
//! restriction class) that names nothing, in the file where it stands.
//!
//! The outcome is kept as structured [`Finding`]s with spans; postconf's own warning lines are
//! a rendering of them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::BuildHasher as _;

/// Sets and maps of parameter names, hashed with foldhash (fast, seeded per process).
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
/// See [`HashSet`].
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use postlint_diagnostics::{Diagnostic, FileId, TextRange};
use postlint_syntax::expansion::{self, ExpansionOptions};
use postlint_syntax::master_cf::Override;
use postlint_syntax::{Parameter, PostfixVersion, SYNTAX_CODE, SYNTAX_RULE};

use crate::{Config, MAIN_CF, MASTER_CF};

/// What postconf's bookkeeping says about one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// Set, but neither a parameter nor referenced: Postfix ignores it.
    Unused,
    /// Referenced with `$`, but nothing defines it: it expands to nothing.
    Undefined,
    /// A parameter Postfix sets itself; the assignment is ignored.
    ReadOnly,
}

/// One finding of the bookkeeping, located in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What is wrong.
    pub kind: FindingKind,
    /// The parameter name.
    pub name: String,
    /// The value assigned (empty for undefined references).
    pub value: String,
    /// The file of `range`.
    pub file: FileId,
    /// The name of the assignment, or the `$` reference.
    pub range: TextRange,
    /// `name/type` of the master.cf entry, for findings in master.cf.
    pub service: Option<String>,
}

/// The outcome of postconf's bookkeeping over both files.
#[derive(Debug, Default)]
pub struct Usage {
    /// The main.cf entries `-n` prints, in no particular order (see [`Usage::printed`]): an
    /// index into `Config::main.parameters`, or its length for the `config_directory` that
    /// `-c` sets. Indices instead of copies: a large main.cf is not copied for a view that
    /// `check` never shows.
    printed: Vec<u32>,
    /// Findings: master.cf ones first, then main.cf ones, each group in name order. An
    /// undefined name has a finding at every reference to it, as postconf warns at each:
    /// those of one name are in the order the bookkeeping meets them (master.cf services
    /// before main.cf, main.cf's values in name order).
    pub findings: Vec<Finding>,
    /// main.cf entries that define a name again, as `(earlier, later)` indices into
    /// `Config::main.parameters` (the earlier being the definition the later one replaces),
    /// in file order of the later one. An earlier index of `parameters.len()` is the
    /// `config_directory` that `-c` sets before main.cf is read: postconf's dictionary has
    /// it, so main.cf's first `config_directory` replaces it.
    pub redefinitions: Vec<(usize, usize)>,
    /// A malformed `$` expression in a built-in parameter's value: postconf stops.
    pub fatal: Option<Diagnostic>,
}

impl Usage {
    /// The main.cf names `-n` prints, with the last value of each, in name order. `config`
    /// is the configuration this bookkeeping was run on.
    pub fn printed<'c>(&self, config: &'c Config) -> Vec<(&'c [u8], &'c [u8])> {
        let mut out: Vec<(&[u8], &[u8])> = self
            .printed
            .iter()
            .filter_map(|&slot| main_entry(config, slot as usize))
            .collect();
        // Each name is printed once: no ties.
        out.sort_unstable_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// The findings as postconf prints them (without the `postconf: warning: ` prefix).
    pub fn warnings(&self, config_directory: &str) -> Vec<String> {
        self.findings
            .iter()
            .map(|f| {
                let file = if f.file == MAIN_CF {
                    "main.cf"
                } else {
                    "master.cf"
                };
                match f.kind {
                    FindingKind::Unused => format!(
                        "{config_directory}/{file}: unused parameter: {}={}",
                        f.name, f.value
                    ),
                    FindingKind::Undefined => {
                        format!("{config_directory}/{file}: undefined parameter: {}", f.name)
                    }
                    FindingKind::ReadOnly => format!(
                        "{config_directory}/{file}: read-only parameter assignment: {}={}",
                        f.name, f.value
                    ),
                }
            })
            .collect()
    }
}

/// [`postlint_params::lookup`] of a name as bytes, for every name of main.cf: with its own
/// index, a name need not be checked for UTF-8 first (no parameter name has other bytes than
/// ASCII, so the lossy text of any other name would not be found either).
fn lookup_bytes(name: &[u8]) -> Option<&'static postlint_params::ParamInfo> {
    static INDEX: std::sync::OnceLock<HashMap<&'static [u8], &'static postlint_params::ParamInfo>> =
        std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| {
            postlint_params::all()
                .iter()
                .map(|p| (p.name.as_bytes(), p))
                .collect()
        })
        .get(name)
        .copied()
}

/// Whether `name` is a built-in parameter of `version`.
fn is_builtin(name: &str, version: PostfixVersion) -> bool {
    postlint_params::lookup(name).is_some_and(|p| p.is_builtin(version))
}

/// Whether `name` is a read-only built-in parameter (set by Postfix, never by the user).
pub(crate) fn is_read_only(name: &str, version: PostfixVersion) -> bool {
    postlint_params::lookup(name).is_some_and(|i| i.read_only) && is_builtin(name, version)
}

fn is_raw(name: &str) -> bool {
    postlint_params::lookup(name).is_some_and(|i| i.raw)
}

/// Computes what the bookkeeping of `version` needs of the release alone (the legacy names of
/// a release the table does not cover, kept for the process), so that a caller can have it
/// done while it reads the files.
pub fn prepare(version: PostfixVersion) {
    if known_legacy_names(version).is_none() {
        drop(legacy_names(version));
    }
}

/// Legacy names: parameters that no longer exist but that built-in defaults still refer to
/// (`smtp_fallback_relay = $fallback_relay`). postconf registers them as parameters, so they
/// are valid wherever they are set and never "undefined".
fn legacy_names(version: PostfixVersion) -> HashSet<String> {
    // A release the table does not cover: found by parsing every built-in default, once per
    // process and release (a fleet check runs the bookkeeping for every directory).
    static CACHE: std::sync::Mutex<BTreeMap<PostfixVersion, HashSet<String>>> =
        std::sync::Mutex::new(BTreeMap::new());
    if let Some(names) = known_legacy_names(version) {
        return names.map(str::to_owned).collect();
    }
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache
        .entry(version)
        .or_insert_with(|| compute_legacy_names(version))
        .clone()
}

/// Legacy names of every release from 3.0 to 3.13, as [`compute_legacy_names`] finds them in
/// the parameter catalogue (a test holds this table to it): parsing every built-in default
/// took a third of the instructions of checking a typical configuration. Releases 3.8 to 3.11
/// take their defaults from the newest release, and some of those name parameters that are
/// newer than them (new in 3.11 or 3.12): legacy names to them.
fn known_legacy_names(version: PostfixVersion) -> Option<impl Iterator<Item = &'static str>> {
    const ALL: &[&str] = &[
        "authorized_verp_clients",
        "fallback_relay",
        "lmtp_per_record_deadline",
        "postscreen_blacklist_action",
        "postscreen_dnsbl_ttl",
        "postscreen_dnsbl_whitelist_threshold",
        "postscreen_whitelist_interfaces",
        "smtp_per_record_deadline",
        "smtpd_client_connection_limit_exceptions",
        "smtpd_per_record_deadline",
        "tlsproxy_client_level",
        "tlsproxy_client_policy",
        "virtual_maps",
    ];
    const NEW_IN_3_12: &[&str] = &[
        "lmtp_tls_loglevel_maps",
        "postscreen_tls_loglevel_maps",
        "smtp_tls_loglevel_maps",
        "smtpd_tls_loglevel_maps",
    ];
    const NEW_IN_3_11: &[&str] = &[
        "default_cache_db_type",
        "smtp_requiretls_policy",
        "smtpd_reject_filter_maps",
    ];
    if version.major != 3 {
        return None;
    }
    let minor = version.minor;
    let (a, b): (&[&str], &[&str]) = match minor {
        0..=7 | 12 | 13 => (&[], &[]),
        8..=10 => (NEW_IN_3_12, NEW_IN_3_11),
        11 => (NEW_IN_3_12, &[]),
        _ => return None,
    };
    Some(ALL.iter().chain(a).chain(b).copied())
}

fn compute_legacy_names(version: PostfixVersion) -> HashSet<String> {
    let mut out = HashSet::default();
    for p in postlint_params::all() {
        if !is_builtin(p.name, version) || p.raw {
            continue;
        }
        // Only a default with a `$` refers to anything (most have none).
        if let Some(default) = postlint_params::default_value(p.name, version)
            && default.contains('$')
        {
            let parsed = expansion::parse(default.as_bytes(), ExpansionOptions { version });
            out.extend(
                parsed
                    .expr
                    .references()
                    .filter(|r| !is_builtin(r, version))
                    .map(str::to_owned),
            );
        }
    }
    out
}

/// Whether the `:` at `colon` in `value` follows a legacy database type (`ldap:`): what a
/// table reference that [`dbms_names`] finds names has.
fn after_dbms_type(value: &[u8], colon: usize) -> bool {
    value.get(..colon).is_some_and(|head| {
        postlint_params::postconf_rules::LEGACY_DBMS_TYPES
            .iter()
            .any(|kind| head.ends_with(kind.as_bytes()))
    })
}

/// What a value may name, found by [`scan_value`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Scan {
    /// The value has a `$`: it may have references.
    refs: bool,
    /// The value may name a legacy database-client table (see [`after_dbms_type`]).
    tables: bool,
}

/// What `value` may name, in one pass: this runs for every value of main.cf, and most have
/// neither references nor tables.
fn scan_value(value: &[u8]) -> Scan {
    let mut scan = Scan::default();
    for at in memchr::memchr2_iter(b'$', b':', value) {
        if value.get(at) == Some(&b'$') {
            scan.refs = true;
        } else {
            scan.tables = scan.tables || after_dbms_type(value, at);
        }
        if scan.refs && scan.tables {
            break;
        }
    }
    scan
}

/// Names a legacy database-client table reference makes valid.
fn dbms_names(value: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    // Only tokens with a `:` can name a table: find each `:` and widen it to its token (the
    // separators are ASCII), so the rest of the value is scanned once, quickly.
    let separator = |b: &u8| matches!(b, b' ' | b',' | b'\t' | b'\r' | b'\n' | b'{' | b'}');
    let mut from = 0;
    while let Some(colon) = value
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b':'))
        .map(|i| from + i)
    {
        let start = value
            .get(..colon)
            .and_then(|head| head.iter().rposition(separator))
            .map_or(0, |i| i + 1);
        let end = value
            .get(colon..)
            .and_then(|tail| tail.iter().position(separator))
            .map_or(value.len(), |i| colon + i);
        from = end;
        let Some(token) = value.get(start..end) else {
            break;
        };
        let mut rest = token;
        while let Some(inner) = rest.strip_prefix(b"proxy:") {
            rest = inner;
        }
        let Some(colon) = rest.iter().position(|&b| b == b':') else {
            continue;
        };
        let (kind, name) = (
            rest.get(..colon).unwrap_or_default(),
            rest.get(colon + 1..).unwrap_or_default(),
        );
        let Some(kind) = postlint_params::postconf_rules::LEGACY_DBMS_TYPES
            .iter()
            .find(|k| k.as_bytes() == kind)
        else {
            continue;
        };
        if name.is_empty() || name.starts_with(b"/") {
            continue;
        }
        let name = String::from_utf8_lossy(name);
        for suffix in postlint_params::legacy_dbms_suffixes(kind) {
            out.push(format!("{name}_{suffix}"));
        }
    }
    out
}

/// The items of a list, split on Postfix's list separators, borrowed. (Splitting the bytes:
/// a `char` pattern decodes every character, and a class list may be megabytes long.)
fn list_items(text: &str) -> impl Iterator<Item = &str> {
    let separator = |b: &u8| matches!(b, b',' | b' ' | b'\t' | b'\r' | b'\n');
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + bytes.get(at..)?.iter().position(|b| !separator(b))?;
        let end = bytes
            .get(start..)
            .and_then(|rest| rest.iter().position(separator))
            .map_or(bytes.len(), |i| start + i);
        at = end;
        // The separators are ASCII, so both ends are character boundaries.
        text.get(start..end)
    })
}

/// `bytes` as text, lossy for non-UTF-8 bytes ([`String::from_utf8_lossy`], quicker for the
/// common valid case).
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The file range of bytes `inner` of an override's value (the whole value when the value's
/// text is not a plain copy of the file, e.g. a `{ }` group spanning lines).
fn override_value_range(ov: &Override, inner: TextRange) -> TextRange {
    if ov.value_range.len() as usize == ov.value.len() {
        TextRange::new(
            ov.value_range.start + inner.start,
            ov.value_range.start + inner.end,
        )
    } else {
        ov.value_range
    }
}

/// What the bookkeeping knows about one main.cf slot: a parameter of `config.main` by
/// index, then one more for the `config_directory` that `-c` sets (see [`main_entry`]).
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// Where the name is in [`Dictionary::names`].
    start: u32,
    /// The length of the name.
    len: u32,
    /// The definition in force: the last one of its name, and not a read-only assignment.
    live: bool,
    /// The name is referenced with `$`, or is a restriction class, somewhere.
    valid: bool,
    /// What the parameter table says of the name.
    known: Known,
    /// What the value may name.
    value: Scan,
}

/// What the parameter table says of a name.
#[derive(Debug, Clone, Copy, Default)]
struct Known {
    /// A built-in parameter of the target release.
    builtin: bool,
    /// A parameter whose value is not expanded.
    raw: bool,
}

/// The name and value of main.cf slot `slot` (see [`Slot`]).
pub(crate) fn main_entry(config: &Config, slot: usize) -> Option<(&[u8], &[u8])> {
    match config.main.parameters.get(slot) {
        Some(p) => Some((p.name(), p.value())),
        None if slot == config.main.parameters.len() => config
            .config_directory
            .as_deref()
            .map(|dir| (b"config_directory".as_slice(), dir.as_bytes())),
        None => None,
    }
}

/// main.cf as postconf's dictionary: every name to the slot of its definition in force.
///
/// A main.cf may have hundreds of thousands of names (one per restriction class), each looked
/// up at least twice in no particular order. So the lookups stay within a few compact arrays
/// that the processor's caches hold: the table has only slot numbers (four bytes each), and
/// the names it compares are copied one after the other into [`Dictionary::names`]. (A map
/// keyed by the names where the parsed files keep them would reach into all of a large
/// main.cf's memory at random, a cache miss each time.)
struct Dictionary {
    /// One per slot.
    slots: Vec<Slot>,
    /// Every name, one after the other.
    names: Vec<u8>,
    /// Slot numbers of the names in force, hashed by their name.
    index: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    /// `(earlier, later)` slots of main.cf entries that define a name again.
    redefinitions: Vec<(usize, usize)>,
}

impl Dictionary {
    /// Reads main.cf (after `-c`'s `config_directory`) as postconf does, the last definition
    /// of a name winning; returns the read-only names apart. Each value is scanned for
    /// references on the way, so that a large main.cf is read once.
    fn new(config: &Config, version: PostfixVersion) -> (Self, Vec<&[u8]>) {
        let count = config.main.parameters.len() + 1;
        let mut dictionary = Self {
            slots: vec![Slot::default(); count],
            names: Vec::new(),
            index: hashbrown::HashTable::with_capacity(count),
            hasher: foldhash::fast::RandomState::default(),
            redefinitions: Vec::new(),
        };
        let mut read_only = Vec::new();
        // The `config_directory` slot is the last but read first.
        let dir = count - 1;
        let order = config.config_directory.iter().map(|_| dir).chain(0..dir);
        for i in order {
            // Slot numbers and name offsets fit: every parameter takes at least a byte of a
            // file whose offsets are `u32`.
            let Some((name, value)) = main_entry(config, i) else {
                continue;
            };
            let (Ok(number), Ok(start), Ok(len)) = (
                u32::try_from(i),
                u32::try_from(dictionary.names.len()),
                u32::try_from(name.len()),
            ) else {
                continue;
            };
            let Self {
                slots,
                names,
                index,
                hasher,
                redefinitions,
            } = &mut dictionary;
            let hash = hasher.hash_one(name);
            let same = |&j: &u32| name_in(slots, names, j) == Some(name);
            let rehash = |&j: &u32| hasher.hash_one(name_in(slots, names, j).unwrap_or_default());
            let known = match index.entry(hash, same, rehash) {
                hashbrown::hash_table::Entry::Occupied(mut e) => {
                    let earlier = std::mem::replace(e.get_mut(), number);
                    redefinitions.push((earlier as usize, i));
                    slots.get_mut(earlier as usize).map(|s| {
                        let known = *s;
                        s.live = false;
                        known
                    })
                }
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert(number);
                    None
                }
            };
            let slot = known.unwrap_or_else(|| {
                let info = lookup_bytes(name);
                let builtin = info.is_some_and(|p| p.is_builtin(version));
                if builtin && info.is_some_and(|p| p.read_only) {
                    read_only.push(name);
                }
                Slot {
                    live: true,
                    known: Known {
                        builtin,
                        raw: info.is_some_and(|p| p.raw),
                    },
                    ..Slot::default()
                }
            });
            names.extend_from_slice(name);
            if let Some(s) = slots.get_mut(i) {
                *s = Slot {
                    start,
                    len,
                    value: scan_value(value),
                    ..slot
                };
            }
        }
        (dictionary, read_only)
    }

    /// The name in slot `slot`.
    fn name(&self, slot: usize) -> Option<&[u8]> {
        u32::try_from(slot)
            .ok()
            .and_then(|j| name_in(&self.slots, &self.names, j))
    }

    /// The slot of the definition of `name` in force.
    fn get(&self, name: &[u8]) -> Option<usize> {
        let hash = self.hasher.hash_one(name);
        self.index
            .find(hash, |&j| {
                name_in(&self.slots, &self.names, j) == Some(name)
            })
            .map(|&j| j as usize)
    }

    /// Drops `name` (a read-only assignment); the slot it was in force in.
    fn remove(&mut self, name: &[u8]) -> Option<usize> {
        let hash = self.hasher.hash_one(name);
        let (slots, names) = (&self.slots, &self.names);
        let (j, _) = self
            .index
            .find_entry(hash, |&j| name_in(slots, names, j) == Some(name))
            .ok()?
            .remove();
        let slot = j as usize;
        if let Some(s) = self.slots.get_mut(slot) {
            s.live = false;
        }
        Some(slot)
    }

    /// The number of names in force.
    fn len(&self) -> usize {
        self.index.len()
    }
}

/// The name of slot `j` of `slots`, kept in `names`.
fn name_in<'n>(slots: &[Slot], names: &'n [u8], j: u32) -> Option<&'n [u8]> {
    let slot = slots.get(j as usize)?;
    let start = slot.start as usize;
    names.get(start..start + slot.len as usize)
}

/// One master.cf name space: one literal `name/type` (duplicate entries share one).
struct Space<'a> {
    /// `name/type`.
    key: String,
    /// Its `-o` parameters, each with the override that set it last.
    params: BTreeMap<&'a [u8], &'a Override>,
    /// Its names that a reference or a restriction class puts in use.
    valid: HashSet<String>,
}

/// Where a master.cf `-o` name is set: the index of a [`Space`], and whether the name's bytes
/// are its text exactly (they are not when it is not UTF-8 and was read lossily).
type LocalSite = (usize, bool);

/// The state of one bookkeeping run.
struct Books<'a> {
    config: &'a Config,
    version: PostfixVersion,
    main: Dictionary,
    /// master.cf name spaces, in key order.
    spaces: Vec<Space<'a>>,
    /// Every `-o` name (lossy text) and where it is set, for the many lookups from main.cf.
    local_names: HashMap<Cow<'a, str>, Vec<LocalSite>>,
    /// Legacy and service-derived names.
    table: HashSet<String>,
    /// Every reference to an undefined name, in the order the bookkeeping meets them:
    /// postconf warns at each one, in the file it is in.
    undefined: Vec<Finding>,
}

impl<'a> Books<'a> {
    fn in_table(&self, name: &str) -> bool {
        is_builtin(name, self.version) || self.table.contains(name)
    }

    /// [`Books::in_table`] for main.cf name `name` in `slot`, whose built-in status is known.
    fn slot_in_table(&self, slot: Slot, name: &[u8]) -> bool {
        slot.known.builtin || self.table.contains(text(name).as_ref())
    }

    /// The value in force of main.cf name `name`.
    fn main_value(&self, name: &[u8]) -> Option<&'a [u8]> {
        let slot = self.main.get(name)?;
        main_entry(self.config, slot).map(|(_, value)| value)
    }

    /// Whether a main.cf name that is not UTF-8 is in use through its lossy text (names are
    /// compared as text throughout the bookkeeping, and a reference is always UTF-8).
    fn lossy_valid(&self, name: &[u8]) -> bool {
        match text(name) {
            Cow::Borrowed(_) => false,
            Cow::Owned(text) => self
                .main
                .get(text.as_bytes())
                .and_then(|i| self.main.slots.get(i))
                .is_some_and(|s| s.valid),
        }
    }

    /// Marks the main.cf name `name` as in use; whether main.cf sets it.
    fn use_main(&mut self, name: &[u8]) -> bool {
        self.use_main_near(name, None)
    }

    /// [`Books::use_main`], trying slot `near` first: the slot where `name` is probably in
    /// force. (Restriction classes are mostly defined in the order they are listed, and
    /// comparing the name in the slot after the previous class saves a lookup in a table
    /// of a size where most lookups miss the processor's caches.)
    fn use_main_near(&mut self, name: &[u8], near: Option<&mut usize>) -> bool {
        let hinted = near.as_ref().and_then(|&&mut i| {
            self.main
                .slots
                .get(i)
                .is_some_and(|s| s.live && self.main.name(i) == Some(name))
                .then_some(i)
        });
        // A live slot is the one in force for its name.
        let found = hinted.or_else(|| self.main.get(name));
        if let (Some(found), Some(near)) = (found, near) {
            *near = found + 1;
        }
        match found {
            Some(i) => {
                if let Some(slot) = self.main.slots.get_mut(i) {
                    slot.valid = true;
                }
                true
            }
            None => false,
        }
    }

    /// Records the reference to `name` at `at` as undefined unless the name is known.
    fn undefined_at(&mut self, name: &str, at: Option<(FileId, TextRange)>, key: Option<&str>) {
        if let Some((file, range)) = at
            && !self.in_table(name)
        {
            self.undefined.push(Finding {
                kind: FindingKind::Undefined,
                name: name.to_owned(),
                value: String::new(),
                file,
                range,
                service: key.map(str::to_owned),
            });
        }
    }

    /// A `$name` in a `-o` value of name space `space` (or a class listed there).
    fn flag_local(&mut self, space: usize, name: &str, at: Option<(FileId, TextRange)>) {
        let Some(s) = self.spaces.get_mut(space) else {
            return;
        };
        if s.params.contains_key(name.as_bytes()) {
            s.valid.insert(name.to_owned());
            return;
        }
        if self.use_main(name.as_bytes()) {
            return;
        }
        let key = self.spaces.get(space).map(|s| s.key.clone());
        self.undefined_at(name, at, key.as_deref());
    }

    /// A `$name` in a main.cf value (or, with `class`, a restriction class named in main.cf):
    /// it validates main.cf and every master.cf name space. A class also validates `-o`
    /// names whose lossy text is the class.
    ///
    /// `near` is where a class is probably defined (see [`Books::use_main_near`]).
    fn flag_main(
        &mut self,
        name: &str,
        at: Option<(FileId, TextRange)>,
        class: bool,
        near: Option<&mut usize>,
    ) {
        let mut supplied = self.use_main_near(name.as_bytes(), near);
        if !self.local_names.is_empty()
            && let Some(sites) = self.local_names.get(name)
        {
            for &(space, exact) in sites {
                if (exact || class)
                    && let Some(s) = self.spaces.get_mut(space)
                {
                    s.valid.insert(name.to_owned());
                }
                supplied |= exact;
            }
        }
        if !supplied {
            self.undefined_at(name, at, None);
        }
    }

    /// Expands `$name` references against main.cf only (how postconf evaluates
    /// `smtpd_restriction_classes` for this bookkeeping), to a bounded depth.
    fn expand_main(&self, value: &[u8], depth: usize, out: &mut String) {
        let parsed = expansion::parse(
            value,
            ExpansionOptions {
                version: self.version,
            },
        );
        for piece in &parsed.expr.pieces {
            match piece {
                expansion::Piece::Literal(r) => {
                    out.push_str(&String::from_utf8_lossy(r.slice(value)));
                }
                expansion::Piece::Dollar(_) => out.push('$'),
                expansion::Piece::Ref(reference) => {
                    if let expansion::RefForm::Name { name, .. } = &reference.form
                        && depth < expansion::MAX_NESTING
                        && let Some(value) = self.main_value(name.as_bytes())
                    {
                        self.expand_main(value, depth + 1, out);
                    }
                }
            }
        }
    }

    /// [`Books::expand_main`] of a whole value; borrowed when there is nothing to expand.
    fn expanded(&self, value: &'a [u8]) -> Cow<'a, str> {
        if memchr::memchr(b'$', value).is_some() {
            let mut out = String::new();
            self.expand_main(value, 0, &mut out);
            Cow::Owned(out)
        } else {
            text(value)
        }
    }
}

/// A finding about the assignment `p` in main.cf, with the name's bytes to sort it by.
fn main_finding(kind: FindingKind, p: &Parameter) -> (&[u8], Finding) {
    (
        p.name(),
        Finding {
            kind,
            name: text(p.name()).into_owned(),
            value: text(p.value()).into_owned(),
            file: MAIN_CF,
            range: p.name_range(),
            service: None,
        },
    )
}

/// Runs postconf's bookkeeping for `config`.
pub fn usage(config: &Config) -> Usage {
    let version = config.version;
    let params = &config.main.parameters;
    let mut usage = Usage::default();
    let mut master_findings = Vec::new();
    let mut main_findings = Vec::new();
    // main.cf findings of one kind, with the name's bytes to sort them by.
    let mut named_findings: Vec<(&[u8], Finding)> = Vec::new();
    let flush = |named: &mut Vec<(&[u8], Finding)>, out: &mut Vec<Finding>| {
        named.sort_unstable_by(|a, b| a.0.cmp(b.0));
        out.extend(named.drain(..).map(|(_, f)| f));
    };

    // Read-only assignments are reported and dropped, as postconf does.
    let (mut main, read_only) = Dictionary::new(config, version);
    usage.redefinitions = std::mem::take(&mut main.redefinitions);
    for name in read_only {
        let Some(slot) = main.remove(name) else {
            continue;
        };
        if let Some(p) = params.get(slot) {
            named_findings.push(main_finding(FindingKind::ReadOnly, p));
        }
    }
    flush(&mut named_findings, &mut main_findings);

    let mut local: BTreeMap<String, BTreeMap<&[u8], &Override>> = BTreeMap::new();
    let mut table = legacy_names(version);
    for service in &config.master.services {
        let name = service.name().as_str().into_owned();
        for suffix in postlint_params::service_derived_suffixes(&service.command().as_str()) {
            table.insert(format!("{name}{suffix}"));
        }
        if !service.overrides.is_empty() {
            let space = local.entry(service.key()).or_default();
            for ov in &service.overrides {
                space.insert(&ov.name[..], ov);
            }
        }
    }
    for (key, params) in &mut local {
        params.retain(|name, ov| {
            let name_s = text(name);
            if !is_read_only(&name_s, version) {
                return true;
            }
            master_findings.push(Finding {
                kind: FindingKind::ReadOnly,
                name: name_s.into_owned(),
                value: text(&ov.value).into_owned(),
                file: MASTER_CF,
                range: ov.name_range,
                service: Some(key.clone()),
            });
            false
        });
    }
    let spaces: Vec<Space<'_>> = local
        .into_iter()
        .map(|(key, params)| Space {
            key,
            params,
            valid: HashSet::default(),
        })
        .collect();
    let mut local_names: HashMap<Cow<'_, str>, Vec<LocalSite>> = HashMap::default();
    for (i, space) in spaces.iter().enumerate() {
        for name in space.params.keys() {
            let name_s = text(name);
            let exact = matches!(name_s, Cow::Borrowed(_));
            local_names.entry(name_s).or_default().push((i, exact));
        }
    }
    let mut books = Books {
        config,
        version,
        main,
        spaces,
        local_names,
        table,
        undefined: Vec::new(),
    };

    // master.cf name spaces: their restriction classes, then the references in each -o value.
    for space in 0..books.spaces.len() {
        let mut refs: Vec<(String, Option<(FileId, TextRange)>)> = Vec::new();
        if let Some(s) = books.spaces.get(space) {
            if let Some(ov) = s.params.get(b"smtpd_restriction_classes".as_slice()) {
                let at = Some((MASTER_CF, ov.value_range));
                refs.extend(list_items(&text(&ov.value)).map(|c| (c.to_owned(), at)));
            }
            for (name, ov) in &s.params {
                let name_s = text(name);
                if is_raw(&name_s) && books.in_table(&name_s) {
                    continue;
                }
                let parsed = expansion::parse(&ov.value, ExpansionOptions { version });
                for (r, range) in parsed.expr.reference_spans() {
                    let at = (MASTER_CF, override_value_range(ov, range));
                    refs.push((r.to_owned(), Some(at)));
                }
                // Database-client names exist only for compatibility: never "undefined".
                // postconf looks for them in built-in parameters' values only, expanded.
                if is_builtin(&name_s, version) {
                    let value = books.expanded(&ov.value);
                    refs.extend(dbms_names(value.as_bytes()).into_iter().map(|n| (n, None)));
                }
            }
        }
        for (name, at) in refs {
            books.flag_local(space, &name, at);
        }
    }

    // main.cf: restriction classes (after expansion against main.cf), then every value's
    // references.
    let classes = books.main.get(b"smtpd_restriction_classes");
    let class_at = classes
        .and_then(|i| params.get(i))
        .map(|p| (MAIN_CF, p.value_range()));
    if let Some(value) = classes
        .and_then(|i| main_entry(config, i))
        .map(|(_, value)| books.expanded(value))
    {
        let mut near = 0;
        for class in list_items(&value) {
            books.flag_main(class, class_at, true, Some(&mut near));
        }
    }
    // Only values with a `$` have references, and only those with a `:` table names. The
    // order of the references matters (the first one of an undefined name is the one the
    // linter reports), so the values with a `$` are visited in name order; table names only
    // validate.
    let mut with_refs: Vec<(&[u8], usize)> = Vec::new();
    let mut table_names: Vec<String> = Vec::new();
    for (i, &slot) in books.main.slots.iter().enumerate() {
        if !slot.live || !slot.value.refs && !slot.value.tables {
            continue;
        }
        let Some((name, value)) = main_entry(config, i) else {
            continue;
        };
        if slot.known.raw && books.slot_in_table(slot, name) {
            continue;
        }
        if slot.value.refs {
            with_refs.push((name, i));
        }
        if slot.known.builtin {
            // Database-client names exist only for compatibility: never "undefined".
            // postconf looks for them in built-in parameters' values only, expanded (a
            // `ldap:name` in a value of the user's own, or in a restriction class, makes no
            // `name_server_host` valid).
            table_names.extend(dbms_names(books.expanded(value).as_bytes()));
        }
    }
    for name in &table_names {
        books.flag_main(name, None, false, None);
    }
    with_refs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (name, i) in with_refs {
        let Some((_, value)) = main_entry(config, i) else {
            continue;
        };
        let parsed = expansion::parse(value, ExpansionOptions { version });
        let param = params.get(i);
        if !parsed.errors.is_empty()
            && usage.fatal.is_none()
            && let Some(p) = param
            && books
                .main
                .slots
                .get(i)
                .is_some_and(|&slot| books.slot_in_table(slot, name))
        {
            let first = parsed.errors.first();
            let detail = first.map_or_else(String::new, |e| e.message.clone());
            let at = first.map_or(p.value_range(), |e| p.value_file_range(e.range));
            usage.fatal = Some(
                Diagnostic::new(
                    SYNTAX_RULE,
                    SYNTAX_CODE,
                    postlint_diagnostics::Severity::Error,
                    format!("macro processing error in `{}`: {detail}", text(name)),
                    MAIN_CF,
                    at,
                )
                .with_note(
                    "Postfix refuses to start: a malformed `$` expression in a built-in parameter is fatal",
                ),
            );
        }
        for (r, range) in parsed.expr.reference_spans() {
            let at = param.map(|p| (MAIN_CF, p.value_file_range(range)));
            books.flag_main(r, at, false, None);
        }
    }

    // Unused parameters, then undefined references, master.cf before main.cf.
    for space in &books.spaces {
        for (name, ov) in &space.params {
            let name_s = text(name);
            if books.in_table(&name_s) || space.valid.contains(name_s.as_ref()) {
                continue;
            }
            master_findings.push(Finding {
                kind: FindingKind::Unused,
                name: name_s.into_owned(),
                value: text(&ov.value).into_owned(),
                file: MASTER_CF,
                range: ov.name_range,
                service: Some(space.key.clone()),
            });
        }
    }
    // In name order; the references to one name stay in the order they were met (stable).
    books.undefined.sort_by(|a, b| a.name.cmp(&b.name));
    for finding in books.undefined.drain(..) {
        if finding.file == MASTER_CF {
            master_findings.push(finding);
        } else {
            main_findings.push(finding);
        }
    }
    usage.printed.reserve_exact(books.main.len());
    for (i, &slot) in books.main.slots.iter().enumerate() {
        if !slot.live {
            continue;
        }
        let Ok(number) = u32::try_from(i) else {
            continue;
        };
        if slot.valid {
            usage.printed.push(number);
            continue;
        }
        let Some((name, _)) = main_entry(config, i) else {
            continue;
        };
        if books.slot_in_table(slot, name) || books.lossy_valid(name) {
            usage.printed.push(number);
        } else if let Some(p) = params.get(i) {
            named_findings.push(main_finding(FindingKind::Unused, p));
        }
    }
    flush(&mut named_findings, &mut main_findings);
    usage.findings = master_findings;
    usage.findings.extend(main_findings);
    usage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legacy_names_table_is_what_the_catalogue_defaults_name() {
        // Regenerating the parameter catalogue may change them: the table follows.
        for minor in 0..=13 {
            let version = PostfixVersion::new(3, minor);
            let mut table: Vec<&str> = known_legacy_names(version).unwrap().collect();
            table.sort_unstable();
            let found = compute_legacy_names(version);
            let mut found: Vec<&str> = found.iter().map(String::as_str).collect();
            found.sort_unstable();
            assert_eq!(table, found, "legacy names of {version}");
        }
        assert!(known_legacy_names(PostfixVersion::new(3, 14)).is_none());
        assert!(known_legacy_names(PostfixVersion::new(4, 0)).is_none());
        // Outside the table they are computed.
        assert!(legacy_names(PostfixVersion::new(3, 14)).contains("virtual_maps"));
    }

    fn config(main: &str, master: &str, dir: Option<&str>) -> Config {
        Config::parse(
            main.as_bytes(),
            master.as_bytes(),
            dir.map(str::to_owned),
            PostfixVersion::V3_11,
        )
    }

    fn printed(main: &str, dir: Option<&str>) -> Vec<(String, String)> {
        let config = config(main, "", dir);
        usage(&config)
            .printed(&config)
            .into_iter()
            .map(|(n, v)| (text(n).into_owned(), text(v).into_owned()))
            .collect()
    }

    #[test]
    fn printed_names_are_sorted_with_their_last_value() {
        let pair = |n: &str, v: &str| (n.to_owned(), v.to_owned());
        assert_eq!(
            printed(
                "myorigin = b\nunused_name = 1\nmydomain = x\nmyorigin = a\n",
                Some("/etc/postfix")
            ),
            [
                pair("config_directory", "/etc/postfix"),
                pair("mydomain", "x"),
                pair("myorigin", "a"),
            ]
        );
        // main.cf's `config_directory` overrides the one `-c` gives; read-only assignments
        // are not printed.
        assert_eq!(
            printed(
                "config_directory = /x\nprocess_id = 1\n",
                Some("/etc/postfix")
            ),
            [pair("config_directory", "/x")]
        );
        assert!(printed("", None).is_empty());
    }

    #[test]
    fn restriction_classes_are_found_in_any_order() {
        let definitions = "c0 = permit\nc1 = reject\nc2 = permit\nc1 = permit\nc3 = reject\n";
        let findings = |list: &str| {
            let config = config(
                &format!("smtpd_restriction_classes = {list}\n{definitions}"),
                "",
                None,
            );
            let usage = usage(&config);
            let printed: Vec<String> = usage
                .printed(&config)
                .into_iter()
                .map(|(n, _)| text(n).into_owned())
                .collect();
            (usage.findings, printed)
        };
        let (in_order, printed) = findings("c0, c1, c2, c3");
        assert!(in_order.is_empty(), "{in_order:?}");
        assert_eq!(
            printed,
            ["c0", "c1", "c2", "c3", "smtpd_restriction_classes"]
        );
        for list in ["c3 c2 c1 c0", "c1, c1, c0,c3 , c2", "c2\tc0 c3 c1 c3"] {
            assert_eq!(findings(list), (Vec::new(), printed.clone()), "{list}");
        }
        let (findings, _) = findings("c3, c0, c9");
        let kinds: Vec<(FindingKind, &str)> =
            findings.iter().map(|f| (f.kind, f.name.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (FindingKind::Undefined, "c9"),
                (FindingKind::Unused, "c1"),
                (FindingKind::Unused, "c2"),
            ]
        );
    }

    /// The byte range of the name after the `$` in the `n`th occurrence of `needle` in `text`.
    fn reference_at(text: &str, needle: &str, n: usize, name: &str) -> TextRange {
        let at = text
            .match_indices(needle)
            .nth(n)
            .map_or(0, |(i, _)| i + needle.find('$').unwrap_or_default() + 1);
        let start = u32::try_from(at).unwrap_or_default();
        let len = u32::try_from(name.len()).unwrap_or_default();
        TextRange::new(start, start + len)
    }

    fn undefined(usage: &Usage) -> Vec<(FileId, &str, TextRange)> {
        usage
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::Undefined)
            .map(|f| (f.file, f.name.as_str(), f.range))
            .collect()
    }

    #[test]
    fn an_undefined_name_is_reported_at_every_reference_values_in_name_order() {
        let main = "zeta = $nowhere\nalpha = x $nowhere\nmydomain = $nowhere $nowhere\n";
        let config = config(main, "", None);
        let usage = usage(&config);
        // `alpha` comes first although `zeta` is first in the file.
        assert_eq!(
            undefined(&usage),
            [
                (
                    MAIN_CF,
                    "nowhere",
                    reference_at(main, "x $nowhere", 0, "nowhere")
                ),
                (
                    MAIN_CF,
                    "nowhere",
                    reference_at(main, "= $nowhere", 1, "nowhere")
                ),
                (
                    MAIN_CF,
                    "nowhere",
                    reference_at(main, " $nowhere\n", 2, "nowhere")
                ),
                (
                    MAIN_CF,
                    "nowhere",
                    reference_at(main, "= $nowhere", 0, "nowhere")
                ),
            ]
        );
    }

    #[test]
    fn references_in_both_files_are_reported_in_each() {
        let main = "smtpd_restriction_classes = c9, c9\ny = $u\nmyhostname = ${u:$v}\n";
        let master = "smtp inet n - n - - smtpd\n  -o x=$u\n  -o smtpd_helo_restrictions=$u,$w\n";
        let config = config(main, master, None);
        let usage = usage(&config);
        let value = |needle: &str| {
            let start = main.find(needle).unwrap_or_default();
            let start = u32::try_from(start).unwrap_or_default();
            TextRange::new(
                start,
                start + u32::try_from(needle.len()).unwrap_or_default(),
            )
        };
        assert_eq!(
            undefined(&usage),
            [
                // master.cf, in `-o` name order.
                (MASTER_CF, "u", reference_at(master, "=$u", 1, "u")),
                (MASTER_CF, "u", reference_at(master, "=$u", 0, "u")),
                (MASTER_CF, "w", reference_at(master, ",$w", 0, "w")),
                // main.cf: a class at each mention (the whole list is the place), then the
                // references in values in name order.
                (MAIN_CF, "c9", value("c9, c9")),
                (MAIN_CF, "c9", value("c9, c9")),
                (MAIN_CF, "u", reference_at(main, "{u:", 0, "u")),
                (MAIN_CF, "u", reference_at(main, "= $u", 0, "u")),
                (MAIN_CF, "v", reference_at(main, ":$v", 0, "v")),
            ]
        );
    }

    #[test]
    fn values_are_scanned_for_references_and_table_types() {
        for (value, refs, tables) in [
            ("", false, false),
            ("permit", false, false),
            ("a $b", true, false),
            ("check_client_access cidr:/etc/postfix/c.cidr", false, false),
            ("proxy:ldap:foo", false, true),
            ("hash:/x, mysql:/etc/m.cf $y", true, true),
            ("${a?{ldap:b}}", true, true),
        ] {
            assert_eq!(
                scan_value(value.as_bytes()),
                Scan { refs, tables },
                "{value}"
            );
        }
        // The scan never misses a value that names tables.
        for value in ["ldap:a", "{mongodb:x}", "x,sqlite:y", "proxy:proxy:pgsql:z"] {
            assert!(!dbms_names(value.as_bytes()).is_empty(), "{value}");
            assert!(scan_value(value.as_bytes()).tables, "{value}");
        }
    }

    #[test]
    fn list_items_split_on_separators_only() {
        let items: Vec<&str> = list_items(" a,b\tc\r\nd ,, é,ü-x ").collect();
        assert_eq!(items, ["a", "b", "c", "d", "é", "ü-x"]);
        assert_eq!(list_items("").count(), 0);
        assert_eq!(list_items(" , ").count(), 0);
    }

    #[test]
    fn database_names_from_every_token_with_a_colon() {
        let names = |v: &str| dbms_names(v.as_bytes());
        let ldap = postlint_params::legacy_dbms_suffixes("ldap");
        assert!(!ldap.is_empty());
        let expect = |prefix: &str| -> Vec<String> {
            ldap.iter().map(|s| format!("{prefix}_{s}")).collect()
        };
        assert_eq!(names("ldap:foo"), expect("foo"));
        assert_eq!(names("hash:/etc/x, proxy:ldap:foo"), expect("foo"));
        assert_eq!(names("{ldap:foo}"), expect("foo"));
        assert_eq!(
            names("ldap:a mysql:/etc/m.cf ldap:b"),
            [expect("a"), expect("b")].concat()
        );
        assert!(names("ldap:/etc/ldap.cf").is_empty());
        assert!(names("check_client_access cidr:/etc/c.cidr, permit").is_empty());
        assert!(names("ldap: :x ::").is_empty());
        assert!(names("").is_empty());
    }
}
