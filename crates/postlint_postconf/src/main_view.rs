//! `postconf -n`: the main.cf parameters postconf knows, sorted, one `name = value` line each.

use postlint_diagnostics::LineIndex;

use crate::used::{Usage, main_entry, usage};
use crate::{Config, Fatal, Output, print_line};

/// postconf's "overriding earlier entry" warnings, in the order it prints them: reading
/// main.cf (`dict_load_fp()`), it warns at each entry that sets a name again with another value
/// than the one in force, at the entry's first line, with the value it replaces. The one in
/// force before main.cf's first `config_directory` is the `-c` directory.
///
/// They come from the redefinitions the bookkeeping found reading main.cf, so a large main.cf
/// is not read again. This is one read of main.cf, as postconf does for a file at rest. (A
/// main.cf modified within the second before postconf starts is read again until it is older,
/// `dict_load_file_xt()`; each further read warns again, and also at the first entry of a name
/// whose last value differs. That depends on the clock, not on the configuration.)
pub(crate) fn duplicate_warnings(
    config: &Config,
    usage: &Usage,
    main_index: Option<&LineIndex>,
) -> Vec<String> {
    let dir = config.config_directory.as_deref().unwrap_or("/etc/postfix");
    let mut out = Vec::new();
    for &(earlier, later) in &usage.redefinitions {
        let (Some((_, old)), Some(p)) = (
            main_entry(config, earlier),
            config.main.parameters.get(later),
        ) else {
            continue;
        };
        if old == p.value() {
            continue;
        }
        let line = main_index.map_or(0, |idx| idx.line_col(p.line().range().start).line + 1);
        out.push(format!(
            "{dir}/main.cf, line {line}: overriding earlier entry: {}={}",
            p.name_str(),
            String::from_utf8_lossy(old)
        ));
    }
    out
}

pub(crate) fn show_nondefault(
    config: &Config,
    names: &[String],
    main_index: Option<&LineIndex>,
    expand: bool,
) -> Result<Output, Fatal> {
    let usage = usage(config);
    if let Some(diagnostic) = usage.fatal {
        return Err(Fatal {
            diagnostic: Box::new(diagnostic),
        });
    }
    let mut out = Output {
        warnings: duplicate_warnings(config, &usage, main_index),
        ..Output::default()
    };
    out.warnings
        .extend(crate::master_syntax_warnings(&config.master));
    out.warnings
        .extend(usage.warnings(config.config_directory.as_deref().unwrap_or("/etc/postfix")));
    let model = expand.then(|| config.model());
    let view = model.as_ref().map(postlint_model::Model::global);
    let mut line = Vec::new();
    let mut emit = |name: &[u8], value: &[u8], stdout: &mut Vec<u8>| {
        line.clear();
        line.extend_from_slice(name);
        line.extend_from_slice(b" = ");
        match view
            .as_ref()
            .and_then(|v| v.value(&String::from_utf8_lossy(name)))
        {
            Some(effective) => line.extend_from_slice(effective.expanded.as_bytes()),
            None => line.extend_from_slice(value),
        }
        print_line(stdout, &line);
    };
    let printed = usage.printed(config);
    if names.is_empty() {
        for &(name, value) in &printed {
            emit(name, value, &mut out.stdout);
        }
    } else {
        for name in names {
            if let Ok(i) = printed.binary_search_by(|&(n, _)| n.cmp(name.as_bytes()))
                && let Some(&(_, value)) = printed.get(i)
            {
                emit(name.as_bytes(), value, &mut out.stdout);
            }
        }
    }
    Ok(out)
}

/// `postconf -d`: every built-in parameter of the target release with its default, plus the
/// service-derived parameters of this master.cf, sorted by name. Defaults that depend on the
/// host (`myhostname`, `mynetworks`, …) come from the host facts when known; otherwise they are
/// left out with a warning. With `expand`, defaults are expanded against defaults only.
pub(crate) fn show_defaults(config: &Config, names: &[String], expand: bool) -> Output {
    let version = config.version;
    let mut defaults: std::collections::BTreeMap<String, String> =
        std::collections::BTreeMap::new();
    for p in postlint_params::all() {
        if !p.is_builtin(version) {
            continue;
        }
        if let Some(d) = postlint_params::default_value(p.name, version) {
            defaults.insert(p.name.to_owned(), d.to_owned());
        }
    }
    for service in &config.master.services {
        let name = service.name().as_str().into_owned();
        for suffix in postlint_params::service_derived_suffixes(&service.command().as_str()) {
            if let Some(d) = postlint_params::service_derived_default(suffix) {
                defaults.insert(format!("{name}{suffix}"), format!("${d}"));
            }
        }
    }
    let empty = Config {
        main: postlint_syntax::MainCf::default(),
        ..config.clone()
    };
    let model = empty.model();
    let view = model.global();
    let mut out = Output::default();
    let mut host_unknown = Vec::new();
    for p in postlint_params::all() {
        if p.host_dependent && p.is_builtin(version) && !defaults.contains_key(p.name) {
            match view.value(p.name) {
                Some(v) if !v.host_dependent => {
                    defaults.insert(p.name.to_owned(), v.expanded);
                }
                _ => host_unknown.push(p.name),
            }
        }
    }
    let selected = |name: &str| names.is_empty() || names.iter().any(|n| n == name);
    for (name, default) in &defaults {
        if !selected(name) {
            continue;
        }
        let value = if expand {
            view.value(name)
                .map_or_else(|| default.clone(), |v| v.expanded)
        } else {
            default.clone()
        };
        print_line(&mut out.stdout, format!("{name} = {value}").as_bytes());
    }
    for name in host_unknown.into_iter().filter(|n| selected(n)) {
        out.warnings.push(format!(
            "{name}: the default depends on the host; give --hostname to compute it"
        ));
    }
    out
}
