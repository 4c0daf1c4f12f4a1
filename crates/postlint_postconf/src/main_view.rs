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
            if let Some(old) = dict.insert(&p.name, &p.value)
                && old != p.value.as_slice()
            {
                {
                    let line =
                        main_index.map_or(0, |idx| idx.line_col(p.line.range.start).line + 1);
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
    let mut line = Vec::new();
    let mut emit = |name: &[u8], value: &[u8], stdout: &mut Vec<u8>| {
        line.clear();
        line.extend_from_slice(name);
        line.extend_from_slice(b" = ");
        line.extend_from_slice(value);
        print_line(stdout, &line);
    };
    if names.is_empty() {
        for (name, value) in &usage.printed {
            emit(name, value, &mut out.stdout);
        }
    } else {
        for name in names {
            if let Some(value) = usage.printed.get(name.as_bytes()) {
                emit(name.as_bytes(), value, &mut out.stdout);
            }
        }
    }
    Ok(out)
}
