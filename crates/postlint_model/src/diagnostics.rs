//! Findings that need the whole model: malformed `$` expressions in the values Postfix will
//! expand, recursive expansion, references to parameters nothing defines, and a malformed
//! `compatibility_level`.
//!
//! | rule | code | severity | Postfix behaviour |
//! |---|---|---|---|
//! | `syntax-error` | `PL001` | error | `macro processing error`, fatal |
//! | `recursive-expansion` | `PL010` | error | `unreasonable macro call nesting`, fatal |
//! | `undefined-reference` | `PL011` | warning | expands to nothing; `postconf` warns `undefined parameter` |
//! | `malformed-compatibility-level` | `PL012` | error | `malformed compatibility level syntax`, fatal |

use std::collections::HashSet;

use postlint_diagnostics::{Diagnostic, FileId, Severity, TextRange};
use postlint_syntax::expansion::Parsed;
use postlint_syntax::{PostfixVersion, SYNTAX_CODE, SYNTAX_RULE};

use crate::effective::{Model, Origin, Scope, is_raw};
use crate::expand::{ChainLink, ExpandError, chain_text};
use crate::main_table::{MainEntry, MainTable};
use postlint_syntax::CompatLevel;
use postlint_syntax::compat_level::strtol;

/// Rule name of a value that needs itself, directly or through other parameters, or that
/// nests expansions more than 100 deep.
pub const RECURSIVE_EXPANSION_RULE: &str = "recursive-expansion";
/// Code of [`RECURSIVE_EXPANSION_RULE`].
pub const RECURSIVE_EXPANSION_CODE: &str = "PL010";
/// Rule name of a `$name` that no parameter, main.cf entry or `-o` option defines.
pub const UNDEFINED_REFERENCE_RULE: &str = "undefined-reference";
/// Code of [`UNDEFINED_REFERENCE_RULE`].
pub const UNDEFINED_REFERENCE_CODE: &str = "PL011";
/// Rule name of a `compatibility_level` that Postfix cannot read.
pub const MALFORMED_COMPATIBILITY_LEVEL_RULE: &str = "malformed-compatibility-level";
/// Code of [`MALFORMED_COMPATIBILITY_LEVEL_RULE`].
pub const MALFORMED_COMPATIBILITY_LEVEL_CODE: &str = "PL012";

/// Where a value is written: its file, a way to map ranges inside it, and its service.
struct Place<'m> {
    file: FileId,
    /// The whole value in the file.
    value_range: TextRange,
    mapper: Mapper<'m>,
    service: Option<&'m str>,
}

/// Maps ranges inside a value to file ranges.
enum Mapper<'m> {
    Main(&'m MainTable, &'m MainEntry),
    Override(&'m crate::effective::OverrideEntry),
}

impl Place<'_> {
    fn file_range(&self, in_value: TextRange) -> TextRange {
        match self.mapper {
            Mapper::Main(table, entry) => table.value_file_range(entry, in_value),
            Mapper::Override(entry) => entry.file_range(in_value),
        }
    }

    fn diagnostic(
        &self,
        rule: &str,
        code: &str,
        severity: Severity,
        message: String,
        range: TextRange,
    ) -> Diagnostic {
        let diagnostic = Diagnostic::new(rule, code, severity, message, self.file, range);
        match self.service {
            Some(service) => diagnostic.with_service(service),
            None => diagnostic,
        }
    }
}

/// A value Postfix expands: (scope, name, parsed value, place).
type WrittenValue<'m> = (Scope, &'m str, &'m Parsed, Place<'m>);

impl Model {
    /// Every finding of the model, in a stable order: `$` syntax errors (main.cf, then each
    /// service), malformed `compatibility_level`, recursive expansion and other evaluation
    /// errors, then undefined references.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // Listed once for the three passes over them (a large main.cf has many).
        let values = self.written_values();
        self.syntax_diagnostics(&values, &mut out);
        self.compat_diagnostics(&mut out);
        self.expansion_diagnostics(&values, &mut out);
        self.undefined_diagnostics(&values, &mut out);
        out
    }

    /// The place of `name`'s value when it is written in main.cf or master.cf.
    fn place(&self, name: &str, origin: &Origin) -> Option<Place<'_>> {
        match origin {
            Origin::MainCf { entry, .. } => {
                let main = self.main.get(name).filter(|e| e.index() == *entry)?;
                Some(self.main_place(main))
            }
            Origin::MasterCf { service, .. } => {
                let data = self.services.get(*service)?;
                let entry = data.overrides.get(name)?;
                Some(Place {
                    file: self.master_file,
                    value_range: entry.value_range,
                    mapper: Mapper::Override(entry),
                    service: Some(data.key.as_str()),
                })
            }
            _ => None,
        }
    }

    /// The place of a main.cf entry's value.
    fn main_place<'m>(&'m self, entry: &'m MainEntry) -> Place<'m> {
        Place {
            file: self.main_file,
            value_range: entry.value_range,
            mapper: Mapper::Main(&self.main, entry),
            service: None,
        }
    }

    /// The values Postfix expands that can hold a finding, as (scope, name, parsed value,
    /// place): every main.cf entry with a `$` (a value without one has no reference and no
    /// syntax error, and expands to itself) and every `-o` option (the last of each name).
    fn written_values(&self) -> Vec<WrittenValue<'_>> {
        let mut out = Vec::new();
        for (entry, parsed) in self.main.with_dollar() {
            out.push((
                Scope::Global,
                self.main.name(entry),
                parsed,
                self.main_place(entry),
            ));
        }
        for (index, service) in self.services.iter().enumerate() {
            for name in &service.override_order {
                if let Some(entry) = service.overrides.get(name) {
                    out.push((
                        Scope::Service(index),
                        name.as_str(),
                        &*entry.parsed,
                        Place {
                            file: self.master_file,
                            value_range: entry.value_range,
                            mapper: Mapper::Override(entry),
                            service: Some(service.key.as_str()),
                        },
                    ));
                }
            }
        }
        out
    }

    /// Malformed `$` expressions (`syntax-error`), with the target release's syntax. An error
    /// when Postfix expands the value (a known parameter, or one that a value refers to), a
    /// warning otherwise (`postconf` then only warns).
    fn syntax_diagnostics(&self, values: &[WrittenValue<'_>], out: &mut Vec<Diagnostic>) {
        if values
            .iter()
            .all(|(_, _, parsed, _)| parsed.errors.is_empty())
        {
            return;
        }
        let referenced: HashSet<&str> = values
            .iter()
            .flat_map(|(_, _, parsed, _)| parsed.expr.references())
            .collect();
        for (_, name, parsed, place) in values {
            let used = self.is_known(name) || referenced.contains(name);
            for error in &parsed.errors {
                let diagnostic = place
                    .diagnostic(
                        SYNTAX_RULE,
                        SYNTAX_CODE,
                        if used {
                            Severity::Error
                        } else {
                            Severity::Warning
                        },
                        format!("macro processing error in `{name}`: {}", error.message),
                        place.file_range(error.range),
                    )
                    .with_help("write `$$` for a literal `$`");
                out.push(if !used {
                    diagnostic.with_note(format!(
                        "nothing uses `{name}`, so Postfix only warns; a program that expands it stops with `macro processing error`"
                    ))
                } else if is_raw(name, self.version) {
                    diagnostic.with_note(format!(
                        "`{name}` is expanded for each request: the daemon fails when it uses it"
                    ))
                } else {
                    diagnostic.with_note(
                        "Postfix stops with `macro processing error` when it expands this value",
                    )
                });
            }
        }
    }

    /// A `compatibility_level` that Postfix cannot read (`malformed-compatibility-level`).
    fn compat_diagnostics(&self, out: &mut Vec<Diagnostic>) {
        let name = "compatibility_level";
        let mut scopes = vec![Scope::Global];
        for (index, service) in self.services.iter().enumerate() {
            if service.overrides.contains_key(name) {
                scopes.push(Scope::Service(index));
            }
        }
        let mut seen = HashSet::new();
        for scope in scopes {
            let view = match scope {
                Scope::Global => Some(self.global()),
                Scope::Service(index) => self.service(index),
            };
            let Some(value) = view.and_then(|v| v.value(name)) else {
                continue;
            };
            if value.error.is_some() || valid_level(value.expanded.as_bytes(), self.version) {
                continue;
            }
            let Some(place) = self.place(name, &value.origin) else {
                continue;
            };
            if !seen.insert((place.file, place.value_range)) {
                continue;
            }
            let shown = if value.raw == value.expanded {
                format!("`{}`", value.expanded)
            } else {
                format!("`{}` (from `{}`)", value.expanded, value.raw)
            };
            let help = if self.version < PostfixVersion::V3_6 {
                "before Postfix 3.6 the level is a whole number: `0`, `1` or `2`"
            } else {
                "write `major[.minor[.patch]]`, such as `2`, `3.6` or `3.11`"
            };
            out.push(
                place
                    .diagnostic(
                        MALFORMED_COMPATIBILITY_LEVEL_RULE,
                        MALFORMED_COMPATIBILITY_LEVEL_CODE,
                        Severity::Error,
                        format!("malformed compatibility level syntax {shown}"),
                        place.value_range,
                    )
                    .with_help(help)
                    .with_note("every Postfix program refuses to start with this value"),
            );
        }
    }

    /// Expansion errors of the values Postfix expands: cycles and excessive nesting
    /// (`recursive-expansion`), failing comparisons and functions (`syntax-error`).
    fn expansion_diagnostics(&self, values: &[WrittenValue<'_>], out: &mut Vec<Diagnostic>) {
        let mut seen: HashSet<(FileId, TextRange, String)> = HashSet::new();
        let mut deep: Vec<Vec<ChainLink>> = Vec::new();
        for &(scope, name, parsed, _) in values {
            // A value without a `$` reference expands to itself and cannot fail; skipping it
            // saves expanding (and memoising) most entries of a large main.cf.
            let has_ref = parsed
                .expr
                .pieces
                .iter()
                .any(|p| matches!(p, postlint_syntax::expansion::Piece::Ref(_)));
            if !has_ref || is_raw(name, self.version) {
                continue;
            }
            let view = match scope {
                Scope::Global => Some(self.global()),
                Scope::Service(index) => self.service(index),
            };
            let Some(view) = view else { continue };
            let expansion = view.expansion(name);
            match &expansion.error {
                None => {}
                Some(ExpandError::Cycle { chain }) => {
                    if let Some(diagnostic) = self.cycle_diagnostic(chain, &mut seen) {
                        out.push(diagnostic);
                    }
                }
                Some(ExpandError::TooDeep { chain }) => deep.push(chain.clone()),
                Some(ExpandError::Evaluation { message, at }) => {
                    let Some(at) = at else { continue };
                    let Some(place) = self.place(&at.name, &at.origin) else {
                        continue;
                    };
                    let range = at
                        .reference
                        .map_or(place.value_range, |r| place.file_range(r));
                    if !seen.insert((place.file, range, message.clone())) {
                        continue;
                    }
                    out.push(
                        place
                            .diagnostic(
                                SYNTAX_RULE,
                                SYNTAX_CODE,
                                Severity::Error,
                                format!("macro processing error in `{}`: {message}", at.name),
                                range,
                            )
                            .with_help("Postfix stops with `macro processing error` when it expands this value"),
                    );
                }
            }
        }
        // Report a too-deep chain once, at its outermost value.
        let inner: HashSet<&str> = deep
            .iter()
            .flat_map(|chain| chain.iter().skip(1).map(|l| l.name.as_str()))
            .collect();
        for chain in &deep {
            let Some(first) = chain.first() else { continue };
            if inner.contains(first.name.as_str()) {
                continue;
            }
            let Some(place) = self.place(&first.name, &first.origin) else {
                continue;
            };
            let range = first
                .reference
                .map_or(place.value_range, |r| place.file_range(r));
            if !seen.insert((place.file, range, chain_text(chain))) {
                continue;
            }
            out.push(
                place
                    .diagnostic(
                        RECURSIVE_EXPANSION_RULE,
                        RECURSIVE_EXPANSION_CODE,
                        Severity::Error,
                        ExpandError::TooDeep {
                            chain: chain.clone(),
                        }
                        .message(),
                        range,
                    )
                    .with_help("Postfix expands at most 100 nested references; shorten the chain of `$` references")
                    .with_note("Postfix stops with `unreasonable macro call nesting` when it expands this value"),
            );
        }
    }

    /// One diagnostic for a cycle, at the first link written in a file, or `None` when this
    /// cycle was reported already (or no link is in a file).
    fn cycle_diagnostic(
        &self,
        chain: &[ChainLink],
        seen: &mut HashSet<(FileId, TextRange, String)>,
    ) -> Option<Diagnostic> {
        let links = chain.get(..chain.len().checked_sub(1)?)?;
        let start = links.iter().position(|l| l.origin.is_explicit())?;
        let mut cycle: Vec<ChainLink> = links
            .get(start..)?
            .iter()
            .chain(links.get(..start)?)
            .cloned()
            .collect();
        let first = cycle.first()?.clone();
        cycle.push(ChainLink {
            reference: None,
            ..first.clone()
        });
        let place = self.place(&first.name, &first.origin)?;
        let range = first
            .reference
            .map_or(place.value_range, |r| place.file_range(r));
        let mut names: Vec<&str> = links.iter().map(|l| l.name.as_str()).collect();
        names.sort_unstable();
        if !seen.insert((place.file, range, names.join(" "))) {
            return None;
        }
        let text = chain_text(&cycle);
        let message = if links.len() == 1 {
            format!("`{}` refers to itself: `{text}`", first.name)
        } else {
            format!("recursive parameter expansion: `{text}`")
        };
        let mut diagnostic = place
            .diagnostic(
                RECURSIVE_EXPANSION_RULE,
                RECURSIVE_EXPANSION_CODE,
                Severity::Error,
                message,
                range,
            )
            .with_help("break the cycle: a parameter cannot need its own value")
            .with_note(
                "Postfix stops with `unreasonable macro call nesting` when it expands this value",
            );
        let count = cycle.len().saturating_sub(1);
        for (index, link) in cycle.iter().enumerate().take(count).skip(1) {
            let Some(other) = self.place(&link.name, &link.origin) else {
                continue;
            };
            let next = cycle.get(index + 1).map_or("", |l| l.name.as_str());
            let range = link
                .reference
                .map_or(other.value_range, |r| other.file_range(r));
            diagnostic = diagnostic.with_label(
                other.file,
                range,
                format!("`{}` refers to `{next}` here", link.name),
            );
        }
        Some(diagnostic)
    }

    /// `$name` references that nothing defines (`undefined-reference`), in every form and
    /// both branches of conditionals, as `postconf` checks them.
    fn undefined_diagnostics(&self, values: &[WrittenValue<'_>], out: &mut Vec<Diagnostic>) {
        for (scope, name, parsed, place) in values {
            let (scope, name, parsed) = (*scope, *name, *parsed);
            if is_raw(name, self.version) {
                continue;
            }
            for (reference, range) in parsed.expr.reference_spans() {
                if self.is_defined_for(scope, reference) {
                    continue;
                }
                out.push(
                    place
                        .diagnostic(
                            UNDEFINED_REFERENCE_RULE,
                            UNDEFINED_REFERENCE_CODE,
                            Severity::Warning,
                            format!("undefined parameter `{reference}` in the value of `{name}`"),
                            place.file_range(range),
                        )
                        .with_primary_message("expands to nothing")
                        .with_help(format!(
                            "define `{reference}` in main.cf, or write `$$` for a literal `$`"
                        )),
                );
            }
        }
    }

    /// Whether a reference to `name` from a value in `scope` is defined in `postconf`'s
    /// sense: a known parameter, a main.cf entry, or a `-o` option (of this service; for a
    /// main.cf value, of any service, as that value is also evaluated there).
    fn is_defined_for(&self, scope: Scope, name: &str) -> bool {
        if self.is_known(name) || self.main.contains(name) {
            return true;
        }
        match scope {
            Scope::Global => self.any_override.contains(name),
            Scope::Service(index) => self
                .services
                .get(index)
                .is_some_and(|s| s.overrides.contains_key(name)),
        }
    }
}

/// Whether Postfix `version` reads `text` as a compatibility level (3.0–3.5: a whole number).
fn valid_level(text: &[u8], version: PostfixVersion) -> bool {
    if version < PostfixVersion::V3_6 {
        return strtol(text).is_some_and(|(n, rest)| n >= 0 && rest.is_empty());
    }
    CompatLevel::parse(text).is_some()
}
