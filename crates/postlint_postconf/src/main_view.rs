//! `postconf -n`: the main.cf parameters postconf knows, sorted, one `name = value` line each.

use postlint_diagnostics::LineIndex;

use crate::used::usage;
use crate::{Config, Fatal, Output, print_line};

/// "overriding earlier entry" warnings. postconf reports a repeated name whenever the new value
/// differs from the one in force, at the first physical line of the entry. For `-n` it reads
/// main.cf twice (the second time over the values of the first), so `passes` is 2 there.
pub(crate) fn duplicate_warnings(
    config: &Config,
    main_index: Option<&LineIndex>,
    passes: usize,
) -> Vec<String> {
    let dir = config.config_directory.as_deref().unwrap_or("/etc/postfix");
    let mut dict: std::collections::HashMap<&[u8], &[u8]> = std::collections::HashMap::new();
    if let Some(dir) = &config.config_directory {
        dict.insert(b"config_directory", dir.as_bytes());
    }
    let mut out: Vec<String> = Vec::new();
    for _pass in 0..passes {
        for p in &config.main.parameters {
            if let Some(old) = dict.insert(p.name(), p.value())
                && old != p.value()
            {
                {
                    let line =
                        main_index.map_or(0, |idx| idx.line_col(p.line().range().start).line + 1);
                    let warning = format!(
                        "{dir}/main.cf, line {line}: overriding earlier entry: {}={}",
                        p.name_str(),
                        String::from_utf8_lossy(old)
                    );
                    if !out.contains(&warning) {
                        out.push(warning);
                    }
                }
            }
        }
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
        warnings: duplicate_warnings(config, main_index, 2),
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
