//! Unit tests. Expected values marked "postconf 3.7" were checked with Debian's `postconf`
//! 3.7.11 (`postconf -c DIR -x NAME`, `-Px`) on a host named `vm`.

use postlint_diagnostics::{Diagnostic, FileId};
use postlint_syntax::{MainCf, MasterCf, PostfixVersion};

use crate::{EffectiveValue, HostFacts, Model, ModelOptions};

mod diagnostics;
mod expansion;
mod layers;
mod nesting;

/// The host facts of the `postconf` runs the expectations come from.
fn vm() -> HostFacts {
    HostFacts {
        hostname: Some("vm".to_owned()),
        ..HostFacts::default()
    }
}

/// A model of `main` and `master` for `version` on host `vm`.
fn model_v(main: &str, master: &str, version: PostfixVersion) -> Model {
    Model::new(
        &MainCf::parse(main.as_bytes(), FileId(0)),
        &MasterCf::parse(master.as_bytes(), FileId(1)),
        ModelOptions {
            version,
            host: vm(),
            ..ModelOptions::default()
        },
    )
}

/// A Postfix 3.7 model of `main` and `master` on host `vm`.
fn model(main: &str, master: &str) -> Model {
    model_v(main, master, PostfixVersion::V3_7)
}

/// The value of `name` in main.cf alone.
fn global(model: &Model, name: &str) -> EffectiveValue {
    model
        .global()
        .value(name)
        .unwrap_or_else(|| panic!("no value for {name}"))
}

/// The expanded value of `name` in main.cf alone.
fn expanded(model: &Model, name: &str) -> String {
    global(model, name).expanded
}

/// The diagnostics of one rule.
fn of_rule(model: &Model, rule: &str) -> Vec<Diagnostic> {
    model
        .diagnostics()
        .into_iter()
        .filter(|d| d.rule == rule)
        .collect()
}

/// The text a diagnostic's primary label covers in `src`.
fn primary_text<'s>(diagnostic: &Diagnostic, src: &'s str) -> &'s str {
    let range = diagnostic.primary().expect("primary label").range;
    &src[range.start as usize..range.end as usize]
}
