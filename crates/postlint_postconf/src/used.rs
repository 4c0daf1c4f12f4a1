//! Which parameter names postconf considers in use (`postconf_user.c`, `postconf_service.c`,
//! `postconf_dbms.c`): only those are printed by `-n`, and the rest are "unused parameter"
//! warnings.
//!
//! A name is in use when it is a built-in parameter of the target release, a service-derived
//! name (`relay_destination_recipient_limit` for a `relay` service running `smtp`), a legacy
//! name that a built-in default refers to (`virtual_maps`), listed in
//! `smtpd_restriction_classes`, referenced with `$` from a main.cf or master.cf `-o` value, or
//! a legacy database-client name (`ldap:foo` makes `foo_server_host` valid). A `$name` counts
//! only when `name` has a `name = value` somewhere.
//!
//! The outcome is kept as structured [`Finding`]s with spans; postconf's own warning lines are
//! a rendering of them.

use std::collections::BTreeMap;

/// Sets and maps of parameter names, hashed with foldhash (fast, seeded per process).
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
/// See [`HashSet`].
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use postlint_diagnostics::{Diagnostic, FileId, TextRange};
use postlint_syntax::expansion::{self, ExpansionOptions};
use postlint_syntax::master_cf::Override;
use postlint_syntax::{PostfixVersion, SYNTAX_CODE, SYNTAX_RULE};

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
    /// main.cf names, last value each, that `-n` prints.
    pub printed: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Findings: master.cf ones first, then main.cf ones, each group in name order.
    pub findings: Vec<Finding>,
    /// A malformed `$` expression in a built-in parameter's value: postconf stops.
    pub fatal: Option<Diagnostic>,
}

impl Usage {
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

/// Legacy names: parameters that no longer exist but that built-in defaults still refer to
/// (`smtp_fallback_relay = $fallback_relay`). postconf registers them as parameters, so they
/// are valid wherever they are set and never "undefined".
fn legacy_names(version: PostfixVersion) -> HashSet<String> {
    // They depend on the release only, and finding them parses every built-in default: once
    // per process and release (a fleet check runs the bookkeeping for every directory).
    static CACHE: std::sync::Mutex<BTreeMap<PostfixVersion, HashSet<String>>> =
        std::sync::Mutex::new(BTreeMap::new());
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache
        .entry(version)
        .or_insert_with(|| compute_legacy_names(version))
        .clone()
}

fn compute_legacy_names(version: PostfixVersion) -> HashSet<String> {
    let mut out = HashSet::default();
    for p in postlint_params::all() {
        if !is_builtin(p.name, version) || p.raw {
            continue;
        }
        if let Some(default) = postlint_params::default_value(p.name, version) {
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

/// Names a legacy database-client table reference makes valid.
fn dbms_names(value: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    // Only tokens with a `:` can name a table: find each `:` and widen it to its token (the
    // separators are ASCII), so the rest of the value is scanned once, quickly. This runs for
    // every value of main.cf.
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

/// Splits a list on Postfix's list separators.
fn split_list(text: &str) -> Vec<String> {
    text.split([',', ' ', '\t', '\r', '\n'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
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

/// One main.cf entry in the dictionary: its value and where it is (`None` for the
/// `config_directory` that `-c` sets).
struct MainEntry<'a> {
    value: &'a [u8],
    index: Option<usize>,
}

/// One `-o` in a master.cf name space, with the override that set it last.
struct LocalEntry<'a> {
    value: Vec<u8>,
    at: &'a Override,
}

/// The state of one bookkeeping run.
struct Books<'a> {
    version: PostfixVersion,
    main: BTreeMap<&'a [u8], MainEntry<'a>>,
    /// The names of `main`, for the many membership tests (a hash lookup instead of a walk
    /// down the tree).
    main_names: HashSet<&'a [u8]>,
    /// master.cf name spaces, one per literal `name/type` (duplicate entries share one).
    local: BTreeMap<String, BTreeMap<Vec<u8>, LocalEntry<'a>>>,
    table: HashSet<String>,
    valid_global: HashSet<String>,
    valid_local: HashMap<String, HashSet<String>>,
    /// Undefined names and where each was first referenced.
    undefined: BTreeMap<String, (FileId, TextRange, Option<String>)>,
}

impl Books<'_> {
    fn in_table(&self, name: &str) -> bool {
        is_builtin(name, self.version) || self.table.contains(name)
    }

    /// A `$name` in a `-o` value of the name space `key` (or a class listed there).
    fn flag_local(&mut self, key: &str, name: &str, at: Option<(FileId, TextRange)>) {
        if self
            .local
            .get(key)
            .is_some_and(|p| p.contains_key(name.as_bytes()))
        {
            self.valid_local
                .entry(key.to_owned())
                .or_default()
                .insert(name.to_owned());
        } else if self.main_names.contains(name.as_bytes()) {
            self.valid_global.insert(name.to_owned());
        } else if let Some((file, range)) = at
            && !self.in_table(name)
        {
            self.undefined
                .entry(name.to_owned())
                .or_insert((file, range, Some(key.to_owned())));
        }
    }

    /// A `$name` in a main.cf value: it validates main.cf and every master.cf name space.
    fn flag_main(&mut self, name: &str, at: Option<(FileId, TextRange)>) {
        let mut supplied = false;
        if self.main_names.contains(name.as_bytes()) {
            supplied = true;
            self.valid_global.insert(name.to_owned());
        }
        for (key, params) in &self.local {
            if params.contains_key(name.as_bytes()) {
                supplied = true;
                self.valid_local
                    .entry(key.clone())
                    .or_default()
                    .insert(name.to_owned());
            }
        }
        if !supplied
            && let Some((file, range)) = at
            && !self.in_table(name)
        {
            self.undefined
                .entry(name.to_owned())
                .or_insert((file, range, None));
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
                        && let Some(entry) = self.main.get(name.as_bytes())
                    {
                        self.expand_main(entry.value, depth + 1, out);
                    }
                }
            }
        }
    }
}

/// Runs postconf's bookkeeping for `config`.
pub fn usage(config: &Config) -> Usage {
    let version = config.version;
    let mut usage = Usage::default();

    // Borrowed from the parsed files; built in one pass from (name, entry) pairs, the last
    // definition of a name winning as in postconf.
    let main: BTreeMap<&[u8], MainEntry<'_>> = config
        .config_directory
        .iter()
        .map(|dir| {
            (
                b"config_directory".as_slice(),
                MainEntry {
                    value: dir.as_bytes(),
                    index: None,
                },
            )
        })
        .chain(config.main.parameters.iter().enumerate().map(|(index, p)| {
            (
                &p.name[..],
                MainEntry {
                    value: &p.value,
                    index: Some(index),
                },
            )
        }))
        .collect();
    let mut local: BTreeMap<String, BTreeMap<Vec<u8>, LocalEntry<'_>>> = BTreeMap::new();
    let mut table = legacy_names(version);
    for service in &config.master.services {
        let name = service.name().as_str().into_owned();
        for suffix in postlint_params::service_derived_suffixes(&service.command().as_str()) {
            table.insert(format!("{name}{suffix}"));
        }
        for ov in &service.overrides {
            local.entry(service.key()).or_default().insert(
                ov.name.clone(),
                LocalEntry {
                    value: ov.value.clone(),
                    at: ov,
                },
            );
        }
    }
    let mut books = Books {
        version,
        main,
        main_names: HashSet::default(),
        local,
        table,
        valid_global: HashSet::default(),
        valid_local: HashMap::default(),
        undefined: BTreeMap::new(),
    };

    // Read-only assignments are reported and dropped, as postconf does.
    let mut master_findings = Vec::new();
    let mut main_findings = Vec::new();
    books.main.retain(|name, entry| {
        let name_s = String::from_utf8_lossy(name);
        if !is_read_only(&name_s, version) {
            return true;
        }
        if let Some(p) = entry.index.and_then(|i| config.main.parameters.get(i)) {
            main_findings.push(Finding {
                kind: FindingKind::ReadOnly,
                name: name_s.into_owned(),
                value: String::from_utf8_lossy(entry.value).into_owned(),
                file: MAIN_CF,
                range: p.name_range,
                service: None,
            });
        }
        false
    });
    for (key, params) in &mut books.local {
        params.retain(|name, entry| {
            let name_s = String::from_utf8_lossy(name);
            if !is_read_only(&name_s, version) {
                return true;
            }
            master_findings.push(Finding {
                kind: FindingKind::ReadOnly,
                name: name_s.into_owned(),
                value: String::from_utf8_lossy(&entry.value).into_owned(),
                file: MASTER_CF,
                range: entry.at.name_range,
                service: Some(key.clone()),
            });
            false
        });
    }

    books.main_names = books.main.keys().copied().collect();

    // Restriction classes named in main.cf (after expansion against main.cf).
    let classes: Vec<String> = books
        .main
        .get(b"smtpd_restriction_classes".as_slice())
        .map(|entry| {
            let mut out = String::new();
            books.expand_main(entry.value, 0, &mut out);
            split_list(&out)
        })
        .unwrap_or_default();

    // master.cf name spaces: restriction classes, then the references in each -o value.
    let keys: Vec<String> = books.local.keys().cloned().collect();
    for key in &keys {
        let mut refs: Vec<(String, Option<(FileId, TextRange)>)> = Vec::new();
        if let Some(params) = books.local.get(key) {
            if let Some(entry) = params.get(b"smtpd_restriction_classes".as_slice()) {
                let at = Some((MASTER_CF, entry.at.value_range));
                refs.extend(
                    split_list(&String::from_utf8_lossy(&entry.value))
                        .into_iter()
                        .map(|c| (c, at)),
                );
            }
            for (name, entry) in params {
                let name_s = String::from_utf8_lossy(name).into_owned();
                if classes.contains(&name_s) {
                    books
                        .valid_local
                        .entry(key.clone())
                        .or_default()
                        .insert(name_s.clone());
                }
                if is_raw(&name_s) && books.in_table(&name_s) {
                    continue;
                }
                let parsed = expansion::parse(&entry.value, ExpansionOptions { version });
                for (r, range) in parsed.expr.reference_spans() {
                    let at = (MASTER_CF, override_value_range(entry.at, range));
                    refs.push((r.to_owned(), Some(at)));
                }
                // Database-client names exist only for compatibility: never "undefined".
                refs.extend(dbms_names(&entry.value).into_iter().map(|n| (n, None)));
            }
        }
        for (name, at) in refs {
            books.flag_local(key, &name, at);
        }
    }

    // main.cf: restriction classes, then every value's references.
    let class_at = books
        .main
        .get(b"smtpd_restriction_classes".as_slice())
        .and_then(|e| e.index)
        .and_then(|i| config.main.parameters.get(i))
        .map(|p| (MAIN_CF, p.value_range));
    for class in &classes {
        books.flag_main(class, class_at);
    }
    let mut refs: Vec<(String, Option<(FileId, TextRange)>)> = Vec::new();
    for (name, entry) in &books.main {
        let name_s = String::from_utf8_lossy(name).into_owned();
        if books.in_table(&name_s) && is_raw(&name_s) {
            continue;
        }
        let parsed = expansion::parse(entry.value, ExpansionOptions { version });
        let param = entry.index.and_then(|i| config.main.parameters.get(i));
        if !parsed.errors.is_empty()
            && books.in_table(&name_s)
            && usage.fatal.is_none()
            && let Some(p) = param
        {
            let first = parsed.errors.first();
            let detail = first.map_or_else(String::new, |e| e.message.clone());
            let at = first.map_or(p.value_range, |e| p.value_file_range(e.range));
            usage.fatal = Some(
                Diagnostic::new(
                    SYNTAX_RULE,
                    SYNTAX_CODE,
                    postlint_diagnostics::Severity::Error,
                    format!("macro processing error in `{name_s}`: {detail}"),
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
            refs.push((r.to_owned(), at));
        }
        // Database-client names exist only for compatibility: never "undefined".
        refs.extend(dbms_names(entry.value).into_iter().map(|n| (n, None)));
    }
    for (name, at) in refs {
        books.flag_main(&name, at);
    }

    // Unused parameters, then undefined references, master.cf before main.cf.
    for (key, params) in &books.local {
        let valid = books.valid_local.get(key);
        for (name, entry) in params {
            let name_s = String::from_utf8_lossy(name);
            if books.in_table(&name_s) || valid.is_some_and(|v| v.contains(name_s.as_ref())) {
                continue;
            }
            master_findings.push(Finding {
                kind: FindingKind::Unused,
                name: name_s.into_owned(),
                value: String::from_utf8_lossy(&entry.value).into_owned(),
                file: MASTER_CF,
                range: entry.at.name_range,
                service: Some(key.clone()),
            });
        }
    }
    for (name, (file, range, service)) in &books.undefined {
        let finding = Finding {
            kind: FindingKind::Undefined,
            name: name.clone(),
            value: String::new(),
            file: *file,
            range: *range,
            service: service.clone(),
        };
        if *file == MASTER_CF {
            master_findings.push(finding);
        } else {
            main_findings.push(finding);
        }
    }
    // In name order already: collected in one bulk build.
    let mut printed = Vec::new();
    for (name, entry) in &books.main {
        let name_s = String::from_utf8_lossy(name);
        if books.in_table(&name_s) || books.valid_global.contains(name_s.as_ref()) {
            printed.push((name.to_vec(), entry.value.to_vec()));
        } else if let Some(p) = entry.index.and_then(|i| config.main.parameters.get(i)) {
            main_findings.push(Finding {
                kind: FindingKind::Unused,
                name: name_s.into_owned(),
                value: String::from_utf8_lossy(entry.value).into_owned(),
                file: MAIN_CF,
                range: p.name_range,
                service: None,
            });
        }
    }
    usage.printed = printed.into_iter().collect();
    usage.findings.extend(master_findings);
    usage.findings.extend(main_findings);
    usage
}

#[cfg(test)]
mod tests {
    use super::*;

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
