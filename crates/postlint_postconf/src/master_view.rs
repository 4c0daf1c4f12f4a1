//! `postconf -M`, `-F` and `-P`: master.cf entries, fields and `-o` parameters.

use std::collections::BTreeMap;

use postlint_syntax::master_cf::{FIELD_NAMES, Service, Token};

use crate::filter::ServicePattern;
use crate::{Config, Output, print_line};

/// Preferred start column of each of the eight fields in `-M` output.
const COLUMN_GOAL: [usize; 8] = [0, 11, 17, 25, 33, 41, 49, 57];
/// postconf folds `-F` values that would pass this column onto an indented line.
const LINE_LIMIT: usize = 80;
/// The indent of folded lines.
const INDENT: &str = "    ";

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Appends the command arguments the way postconf prints them: one space apart, an option
/// and its value kept together, values and later arguments with whitespace in `{ }`.
fn push_args(out: &mut Vec<u8>, args: &[Token]) {
    let mut in_options = true;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let text = &arg.text;
        let mut value = None;
        let mut parens = false;
        if in_options {
            if text.first() != Some(&b'-') || text == b"--" {
                in_options = false;
            } else if matches!(text.get(1), None | Some(&b'o'))
                && let Some(v) = args.get(i + 1)
            {
                parens = v.text.iter().copied().any(is_blank);
                value = Some(v);
            }
        } else {
            parens = text.iter().copied().any(is_blank);
        }
        out.push(b' ');
        let wrap = !in_options && parens;
        if wrap {
            out.push(b'{');
        }
        out.extend_from_slice(text);
        if wrap {
            out.push(b'}');
        }
        if let Some(v) = value {
            out.push(b' ');
            if parens {
                out.push(b'{');
            }
            out.extend_from_slice(&v.text);
            if parens {
                out.push(b'}');
            }
            i += 1;
        }
        i += 1;
    }
}

fn print_entry(out: &mut Vec<u8>, service: &Service) {
    let start = out.len();
    for (field, goal) in service.fields.iter().zip(COLUMN_GOAL) {
        if out.len() > start {
            loop {
                out.push(b' ');
                if out.len() - start >= goal {
                    break;
                }
            }
        }
        out.extend_from_slice(&field.text);
    }
    push_args(out, &service.args);
    out.push(b'\n');
}

fn parse_patterns(
    patterns: &[String],
    max: usize,
    usage: &str,
    warnings: &mut Vec<String>,
) -> Vec<ServicePattern> {
    patterns
        .iter()
        .filter_map(|raw| {
            let parsed = ServicePattern::parse(raw, max);
            if parsed.is_none() {
                warnings.push(format!("{usage}: `{raw}`"));
            }
            parsed
        })
        .collect()
}

/// Runs `show` for each entry a pattern selects (every entry when there is no pattern), and
/// warns about patterns that selected nothing.
fn for_selected(
    config: &Config,
    patterns: &[ServicePattern],
    warnings: &mut Vec<String>,
    mut show: impl FnMut(&Service, Option<&ServicePattern>) -> bool,
) {
    let mut hits = vec![0usize; patterns.len()];
    for service in &config.master.services {
        if patterns.is_empty() {
            show(service, None);
            continue;
        }
        let (name, kind) = (service.name().as_str(), service.kind().as_str());
        for (pattern, hit) in patterns.iter().zip(hits.iter_mut()) {
            if pattern.matches_service(&name, &kind) && show(service, Some(pattern)) {
                *hit += 1;
            }
        }
    }
    for (pattern, hit) in patterns.iter().zip(hits) {
        if hit == 0 {
            warnings.push(format!("unmatched request: \"{}\"", pattern.raw));
        }
    }
}

pub(crate) fn show_entries(config: &Config, patterns: &[String]) -> Output {
    let mut out = Output::default();
    let patterns = parse_patterns(
        patterns,
        2,
        "-M option requires service_name[/type]",
        &mut out.warnings,
    );
    let mut stdout = Vec::new();
    for_selected(config, &patterns, &mut out.warnings, |service, _| {
        print_entry(&mut stdout, service);
        true
    });
    out.stdout = stdout;
    out
}

fn print_field(out: &mut Vec<u8>, service: &Service, index: usize) {
    let start = out.len();
    out.extend_from_slice(&service.name().text);
    out.push(b'/');
    out.extend_from_slice(&service.kind().text);
    out.push(b'/');
    out.extend_from_slice(FIELD_NAMES.get(index).unwrap_or(&"").as_bytes());
    out.extend_from_slice(b" = ");
    let value = service
        .fields
        .get(index)
        .map(|t| t.text.as_slice())
        .unwrap_or_default();
    if out.len() - start + value.len() > LINE_LIMIT {
        out.push(b'\n');
        out.extend_from_slice(INDENT.as_bytes());
    }
    out.extend_from_slice(value);
    if index == 7 {
        push_args(out, &service.args);
    }
    out.push(b'\n');
}

pub(crate) fn show_fields(config: &Config, patterns: &[String]) -> Output {
    let mut out = Output::default();
    let patterns = parse_patterns(
        patterns,
        3,
        "-F option requires service_name[/type[/field]]",
        &mut out.warnings,
    );
    let mut stdout = Vec::new();
    for_selected(config, &patterns, &mut out.warnings, |service, pattern| {
        let chosen = pattern.and_then(ServicePattern::third);
        match chosen {
            Some(field) => match FIELD_NAMES.iter().position(|f| *f == field) {
                Some(index) => print_field(&mut stdout, service, index),
                None => return false,
            },
            None => (0..8).for_each(|i| print_field(&mut stdout, service, i)),
        }
        true
    });
    out.stdout = stdout;
    out
}

/// The `-o` parameters postconf knows for each literal `name/type` key. postconf keeps one
/// dictionary per key, so duplicate entries share (and merge) their parameters; assignments to
/// read-only parameters are dropped (postconf warns about them).
fn params_by_key(config: &Config) -> BTreeMap<String, BTreeMap<Vec<u8>, Vec<u8>>> {
    let mut map: BTreeMap<String, BTreeMap<Vec<u8>, Vec<u8>>> = BTreeMap::new();
    for service in &config.master.services {
        for ov in &service.overrides {
            if crate::used::is_read_only(&ov.name_str(), config.version) {
                continue;
            }
            map.entry(service.key())
                .or_default()
                .insert(ov.name.clone(), ov.value.clone());
        }
    }
    map
}

pub(crate) fn show_params(config: &Config, patterns: &[String], expand: bool) -> Output {
    let mut out = Output::default();
    let patterns = parse_patterns(
        patterns,
        3,
        "-P option requires service_name[/type[/parameter]]",
        &mut out.warnings,
    );
    let by_key = params_by_key(config);
    let model = expand.then(|| config.model());
    // With -x, values are expanded in the context of the (last) entry with that key.
    let last_index: std::collections::HashMap<String, usize> = config
        .master
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key(), i))
        .collect();
    let mut stdout = Vec::new();
    for_selected(config, &patterns, &mut out.warnings, |service, pattern| {
        let key = service.key();
        let Some(params) = by_key.get(&key) else {
            return false;
        };
        let view = model
            .as_ref()
            .and_then(|m| last_index.get(&key).and_then(|&i| m.service(i)));
        let mut printed = false;
        for (name, value) in params {
            if pattern
                .and_then(ServicePattern::third)
                .is_some_and(|p| p.as_bytes() != name.as_slice())
            {
                continue;
            }
            let mut line = format!("{key}/").into_bytes();
            line.extend_from_slice(name);
            line.extend_from_slice(b" = ");
            match view
                .as_ref()
                .and_then(|v| v.value(&String::from_utf8_lossy(name)))
            {
                Some(effective) => line.extend_from_slice(effective.expanded.as_bytes()),
                None => line.extend_from_slice(value),
            }
            print_line(&mut stdout, &line);
            printed = true;
        }
        printed
    });
    out.stdout = stdout;
    out
}
