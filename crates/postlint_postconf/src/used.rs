//! Which parameter names postconf considers in use (`postconf_user.c`, `postconf_service.c`,
//! `postconf_dbms.c`): only those are printed by `-n`, and the rest are "unused parameter"
//! warnings.
//!
//! A name is in use when it is a built-in parameter of the target release, a service-derived
//! name (`relay_destination_recipient_limit` for a `relay` service running `smtp`), listed in
//! `smtpd_restriction_classes`, referenced with `$` from a main.cf value, a master.cf `-o`
//! value or a built-in default, or a legacy database-client name (`ldap:foo` makes
//! `foo_server_host` valid). A `$name` counts only when `name` has a `name = value` somewhere.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use postlint_diagnostics::Diagnostic;
use postlint_syntax::expansion::{self, ExpansionOptions};
use postlint_syntax::{PostfixVersion, SYNTAX_CODE, SYNTAX_RULE};

use crate::{Config, MAIN_CF};

/// The outcome of postconf's bookkeeping over both files.
#[derive(Debug, Default)]
pub(crate) struct Usage {
    /// main.cf names, last value each, that `-n` prints.
    pub printed: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Warnings in the order postconf groups them (master.cf first, then main.cf).
    pub warnings: Vec<String>,
    /// A malformed `$` expression in a built-in parameter's value: postconf stops.
    pub fatal: Option<Diagnostic>,
}

/// Whether `name` is a built-in parameter of `version`.
fn is_builtin(name: &str, version: PostfixVersion) -> bool {
    postlint_params::lookup(name).is_some_and(|p| p.is_builtin(version))
}

/// Whether `name` is a read-only built-in parameter (set by Postfix, never by the user).
pub(crate) fn is_read_only(name: &str, version: PostfixVersion) -> bool {
    info(name).is_some_and(|i| i.read_only) && is_builtin(name, version)
}

fn info(name: &str) -> Option<&'static postlint_params::ParamInfo> {
    postlint_params::lookup(name)
}

/// `$name` references of a value (every form, both branches of conditionals).
fn references(value: &[u8], version: PostfixVersion) -> (Vec<String>, bool) {
    let parsed = expansion::parse(value, ExpansionOptions { version });
    let refs = parsed.expr.references().map(str::to_owned).collect();
    (refs, !parsed.errors.is_empty())
}

/// Names a legacy database-client table reference makes valid.
fn dbms_names(value: &[u8], out: &mut Vec<String>) {
    let text = String::from_utf8_lossy(value);
    for token in text.split([' ', ',', '\t', '\r', '\n', '{', '}']) {
        let mut rest = token;
        while let Some(inner) = rest.strip_prefix("proxy:") {
            rest = inner;
        }
        let Some((kind, name)) = rest.split_once(':') else {
            continue;
        };
        if !postlint_params::postconf_rules::LEGACY_DBMS_TYPES.contains(&kind)
            || name.is_empty()
            || name.starts_with('/')
        {
            continue;
        }
        for suffix in postlint_params::legacy_dbms_suffixes(kind) {
            out.push(format!("{name}_{suffix}"));
        }
    }
}

/// Runs postconf's bookkeeping for `config`.
pub(crate) fn usage(config: &Config) -> Usage {
    let version = config.version;
    let dir = config.config_directory.as_deref().unwrap_or("/etc/postfix");
    let mut usage = Usage::default();

    // The main.cf dictionary: `-c` sets config_directory first, then main.cf, last wins.
    let mut main: BTreeMap<Vec<u8>, (Vec<u8>, usize)> = BTreeMap::new();
    if let Some(dir) = &config.config_directory {
        main.insert(
            b"config_directory".to_vec(),
            (dir.as_bytes().to_vec(), usize::MAX),
        );
    }
    for (index, p) in config.main.parameters.iter().enumerate() {
        main.insert(p.name.clone(), (p.value.clone(), index));
    }

    // Parameters postconf has a table entry for: built-ins and service-derived names.
    let mut service_derived: HashSet<String> = HashSet::new();
    for service in &config.master.services {
        let name = service.name().as_str().into_owned();
        for suffix in postlint_params::service_derived_suffixes(&service.command().as_str()) {
            service_derived.insert(format!("{name}{suffix}"));
        }
    }
    let legacy = legacy_names(version);
    let in_table = |name: &str| {
        is_builtin(name, version) || service_derived.contains(name) || legacy.contains(name)
    };

    // master.cf name spaces, one per literal name/type (duplicates share one).
    let mut local: BTreeMap<String, BTreeMap<Vec<u8>, Vec<u8>>> = BTreeMap::new();
    for service in &config.master.services {
        for ov in &service.overrides {
            local
                .entry(service.key())
                .or_default()
                .insert(ov.name.clone(), ov.value.clone());
        }
    }

    let mut valid_global: HashSet<String> = HashSet::new();
    let mut valid_local: HashMap2 = HashMap2::new();
    let mut undefined_main: BTreeSet<String> = BTreeSet::new();
    let mut undefined_master: BTreeSet<String> = BTreeSet::new();

    // Restriction classes named in main.cf (after expansion against main.cf).
    let classes: Vec<String> = main
        .get(b"smtpd_restriction_classes".as_slice())
        .map(|(v, _)| split_list(&expand_simple(v, &main, version)))
        .unwrap_or_default();

    // Read-only assignments are reported and dropped, as postconf does.
    let mut read_only_main = Vec::new();
    for (name, (value, _)) in &main {
        let name_s = String::from_utf8_lossy(name);
        if info(&name_s).is_some_and(|i| i.read_only) && in_table(&name_s) {
            read_only_main.push(name.clone());
            usage.warnings.push(format!(
                "{dir}/main.cf: read-only parameter assignment: {name_s}={}",
                String::from_utf8_lossy(value)
            ));
        }
    }
    for name in &read_only_main {
        main.remove(name);
    }

    // 1. master.cf name spaces.
    let mut master_warnings = Vec::new();
    for (key, params) in &mut local {
        let mut drop = Vec::new();
        for (name, value) in params.iter() {
            let name_s = String::from_utf8_lossy(name);
            if info(&name_s).is_some_and(|i| i.read_only) && in_table(&name_s) {
                master_warnings.push(format!(
                    "{dir}/master.cf: read-only parameter assignment: {name_s}={}",
                    String::from_utf8_lossy(value)
                ));
                drop.push(name.clone());
            }
        }
        for name in drop {
            params.remove(&name);
        }
        let local_classes: Vec<String> = params
            .get(b"smtpd_restriction_classes".as_slice())
            .map(|v| split_list(&String::from_utf8_lossy(v)))
            .unwrap_or_default();
        let valid = valid_local.entry(key.clone()).or_default();
        for class in local_classes {
            flag(
                &class,
                Some(params),
                &main,
                &mut valid_global,
                valid,
                &in_table,
                &mut undefined_master,
            );
        }
        for (name, value) in params.iter() {
            let name_s = String::from_utf8_lossy(name).into_owned();
            if classes.contains(&name_s) {
                valid.insert(name_s.clone());
            }
            if info(&name_s).is_some_and(|i| i.raw) && in_table(&name_s) {
                continue;
            }
            let (refs, _) = references(value, version);
            for r in refs {
                flag(
                    &r,
                    Some(params),
                    &main,
                    &mut valid_global,
                    valid,
                    &in_table,
                    &mut undefined_master,
                );
            }
            // Database-client names exist only for compatibility: never "undefined".
            let mut dbms = Vec::new();
            dbms_names(value, &mut dbms);
            for r in dbms {
                flag(
                    &r,
                    Some(params),
                    &main,
                    &mut valid_global,
                    valid,
                    &in_table,
                    &mut BTreeSet::new(),
                );
            }
        }
    }

    // 3. main.cf: restriction classes, then every value's references.
    for class in &classes {
        flag_main(
            class,
            &main,
            &mut local,
            &mut valid_local,
            &mut valid_global,
            &in_table,
            &mut undefined_main,
        );
    }
    for (name, (value, index)) in &main {
        let name_s = String::from_utf8_lossy(name).into_owned();
        let raw = in_table(&name_s) && info(&name_s).is_some_and(|i| i.raw);
        if raw {
            continue;
        }
        let (mut names, bad) = references(value, version);
        if bad
            && in_table(&name_s)
            && usage.fatal.is_none()
            && let Some(p) = config.main.parameters.get(*index)
        {
            {
                let parsed = expansion::parse(value, ExpansionOptions { version });
                let detail = parsed
                    .errors
                    .first()
                    .map_or_else(String::new, |e| e.message.clone());
                let at = parsed
                    .errors
                    .first()
                    .map_or(p.value_range, |e| p.value_file_range(e.range));
                usage.fatal = Some(
                    Diagnostic::new(
                        SYNTAX_RULE,
                        SYNTAX_CODE,
                        postlint_diagnostics::Severity::Error,
                        format!("macro processing error in `{name_s}`: {detail}"),
                        MAIN_CF,
                        at,
                    )
                    .with_note("Postfix refuses to start: a malformed `$` expression in a built-in parameter is fatal"),
                );
            }
        }
        for r in names.drain(..) {
            flag_main(
                &r,
                &main,
                &mut local,
                &mut valid_local,
                &mut valid_global,
                &in_table,
                &mut undefined_main,
            );
        }
        // Database-client names exist only for compatibility: never "undefined".
        dbms_names(value, &mut names);
        for r in names {
            flag_main(
                &r,
                &main,
                &mut local,
                &mut valid_local,
                &mut valid_global,
                &in_table,
                &mut BTreeSet::new(),
            );
        }
    }

    // Unused parameters.
    for (key, params) in &local {
        let valid = valid_local.get(key);
        for (name, value) in params {
            let name_s = String::from_utf8_lossy(name);
            if in_table(&name_s) || valid.is_some_and(|v| v.contains(name_s.as_ref())) {
                continue;
            }
            master_warnings.push(format!(
                "{dir}/master.cf: unused parameter: {name_s}={}",
                String::from_utf8_lossy(value)
            ));
        }
    }
    for name in &undefined_master {
        master_warnings.push(format!("{dir}/master.cf: undefined parameter: {name}"));
    }
    let mut main_warnings = Vec::new();
    for name in &undefined_main {
        main_warnings.push(format!("{dir}/main.cf: undefined parameter: {name}"));
    }
    for (name, (value, _)) in &main {
        let name_s = String::from_utf8_lossy(name);
        if in_table(&name_s) || valid_global.contains(name_s.as_ref()) {
            usage.printed.insert(name.clone(), value.clone());
        } else {
            main_warnings.push(format!(
                "{dir}/main.cf: unused parameter: {name_s}={}",
                String::from_utf8_lossy(value)
            ));
        }
    }
    usage.warnings.extend(master_warnings);
    usage.warnings.extend(main_warnings);
    usage
}

/// Valid user-defined names per master.cf name space.
type HashMap2 = std::collections::HashMap<String, HashSet<String>>;

/// Legacy names: parameters that no longer exist but that built-in defaults still refer to
/// (`smtp_fallback_relay = $fallback_relay`). postconf registers them as parameters, so they
/// are valid wherever they are set and never "undefined".
fn legacy_names(version: PostfixVersion) -> HashSet<String> {
    let mut out = HashSet::new();
    for p in postlint_params::all() {
        if !is_builtin(p.name, version) || p.raw {
            continue;
        }
        if let Some(default) = postlint_params::default_value(p.name, version) {
            for r in references(default.as_bytes(), version).0 {
                if !is_builtin(&r, version) {
                    out.insert(r);
                }
            }
        }
    }
    out
}

/// A `$name` seen in a master.cf `-o` value of one service.
fn flag(
    name: &str,
    params: Option<&BTreeMap<Vec<u8>, Vec<u8>>>,
    main: &BTreeMap<Vec<u8>, (Vec<u8>, usize)>,
    valid_global: &mut HashSet<String>,
    valid_local: &mut HashSet<String>,
    in_table: &impl Fn(&str) -> bool,
    undefined: &mut BTreeSet<String>,
) {
    if params.is_some_and(|p| p.contains_key(name.as_bytes())) {
        valid_local.insert(name.to_owned());
    } else if main.contains_key(name.as_bytes()) {
        valid_global.insert(name.to_owned());
    } else if !in_table(name) {
        undefined.insert(name.to_owned());
    }
}

/// A `$name` seen in a main.cf value: it validates main.cf and every master.cf name space.
fn flag_main(
    name: &str,
    main: &BTreeMap<Vec<u8>, (Vec<u8>, usize)>,
    local: &mut BTreeMap<String, BTreeMap<Vec<u8>, Vec<u8>>>,
    valid_local: &mut HashMap2,
    valid_global: &mut HashSet<String>,
    in_table: &impl Fn(&str) -> bool,
    undefined: &mut BTreeSet<String>,
) {
    let mut supplied = false;
    if main.contains_key(name.as_bytes()) {
        supplied = true;
        valid_global.insert(name.to_owned());
    }
    for (key, params) in local.iter() {
        if params.contains_key(name.as_bytes()) {
            supplied = true;
            valid_local
                .entry(key.clone())
                .or_default()
                .insert(name.to_owned());
        }
    }
    if !supplied && !in_table(name) {
        undefined.insert(name.to_owned());
    }
}

/// Splits a list on Postfix's list separators.
fn split_list(text: &str) -> Vec<String> {
    text.split([',', ' ', '\t', '\r', '\n'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Expands `$name` references against main.cf only (how postconf evaluates
/// `smtpd_restriction_classes` for this bookkeeping), to a bounded depth.
fn expand_simple(
    value: &[u8],
    main: &BTreeMap<Vec<u8>, (Vec<u8>, usize)>,
    version: PostfixVersion,
) -> String {
    fn go(
        value: &[u8],
        main: &BTreeMap<Vec<u8>, (Vec<u8>, usize)>,
        version: PostfixVersion,
        depth: usize,
        out: &mut String,
    ) {
        let parsed = expansion::parse(value, ExpansionOptions { version });
        for piece in &parsed.expr.pieces {
            match piece {
                expansion::Piece::Literal(r) => {
                    out.push_str(&String::from_utf8_lossy(r.slice(value)));
                }
                expansion::Piece::Dollar(_) => out.push('$'),
                expansion::Piece::Ref(reference) => {
                    if let expansion::RefForm::Name { name, .. } = &reference.form
                        && depth < expansion::MAX_NESTING
                        && let Some((v, _)) = main.get(name.as_bytes())
                    {
                        go(v, main, version, depth + 1, out);
                    }
                }
            }
        }
    }
    let mut out = String::new();
    go(value, main, version, 0, &mut out);
    out
}
