//! What is under the cursor: a parameter name being set (a main.cf line or a master.cf `-o`),
//! or a `$name` reference inside a value.

use postlint_diagnostics::{FileId, TextRange};
use postlint_model::Scope;
use postlint_postconf::{Config, MAIN_CF, MASTER_CF};
use postlint_syntax::expansion::{self, ExpansionOptions};

/// A thing hover, definition and completion can talk about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The name of a `name = value` line of main.cf, or of a `-o name=value` of master.cf.
    Name {
        /// The parameter.
        name: String,
        /// Where the name is.
        range: TextRange,
        /// main.cf alone, or the service whose `-o` it is.
        scope: Scope,
    },
    /// A `$name` (or `${name…}`) inside a value.
    Reference {
        /// The parameter referenced.
        name: String,
        /// Where the name is.
        range: TextRange,
        /// The view in which the value is expanded.
        scope: Scope,
    },
}

fn touches(range: TextRange, offset: u32) -> bool {
    range.start <= offset && offset <= range.end
}

/// The references of a value, each with its range inside the value.
fn references(value: &[u8], config: &Config) -> Vec<(String, TextRange)> {
    let parsed = expansion::parse(value, ExpansionOptions::new(config.version));
    parsed
        .expr
        .reference_spans()
        .map(|(name, range)| (name.to_owned(), range))
        .collect()
}

fn is_raw(name: &str) -> bool {
    postlint_params::lookup(name).is_some_and(|p| p.raw)
}

/// The target at byte `offset` of file `file`.
pub fn at(config: &Config, file: FileId, offset: u32) -> Option<Target> {
    if file == MAIN_CF {
        let p = config
            .main
            .parameters
            .iter()
            .find(|p| touches(p.name_range(), offset) || touches(p.value_range(), offset))?;
        let name = p.name_str().into_owned();
        if touches(p.name_range(), offset) {
            return Some(Target::Name {
                name,
                range: p.name_range(),
                scope: Scope::Global,
            });
        }
        if is_raw(&name) {
            return None;
        }
        return references(p.value(), config)
            .into_iter()
            .map(|(name, r)| (name, p.value_file_range(r)))
            .find(|(_, r)| touches(*r, offset))
            .map(|(name, range)| Target::Reference {
                name,
                range,
                scope: Scope::Global,
            });
    }
    if file == MASTER_CF {
        for (index, service) in config.master.services.iter().enumerate() {
            if !touches(service.line.range(), offset) {
                continue;
            }
            let scope = Scope::Service(index);
            for ov in &service.overrides {
                let name = ov.name_str().into_owned();
                if touches(ov.name_range, offset) {
                    return Some(Target::Name {
                        name,
                        range: ov.name_range,
                        scope,
                    });
                }
                // Ranges inside the value map onto the file only when the value is the
                // file's bytes unchanged (not rebuilt from a `{ … }` group).
                if !touches(ov.value_range, offset)
                    || ov.value_range.len() as usize != ov.value.len()
                    || is_raw(&name)
                {
                    continue;
                }
                let start = ov.value_range.start;
                return references(&ov.value, config)
                    .into_iter()
                    .map(|(name, r)| (name, TextRange::new(start + r.start, start + r.end)))
                    .find(|(_, r)| touches(*r, offset))
                    .map(|(name, range)| Target::Reference { name, range, scope });
            }
        }
    }
    None
}
