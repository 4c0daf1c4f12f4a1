//! The bridge from the model to the facts: a service's effective values as the facts read
//! them, and the facts of each master.cf service.

use std::collections::HashMap;

use postlint_facts::{Params, ServiceFacts, ServiceFields};
use postlint_model::{Model, View};
use postlint_syntax::MasterCf;

/// Every effective value of one view, expanded, as the facts look them up.
#[derive(Debug, Clone, Default)]
pub struct Expanded(HashMap<String, String>);

impl Expanded {
    /// Evaluates every parameter of `view`.
    pub fn of(view: &View<'_>) -> Self {
        Self(
            view.names()
                .into_iter()
                .filter_map(|name| view.expanded(name).map(|v| (name.to_owned(), v)))
                .collect(),
        )
    }
}

impl Params for Expanded {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// The facts of master.cf service `index`: its own effective values for what the program
/// does, main.cf's for where master(8) listens (master ignores `-o` for that).
pub fn facts_of(model: &Model, master: &MasterCf, index: usize) -> Option<ServiceFacts> {
    let service = master.services.get(index)?;
    let view = model.service(index)?;
    let params = Expanded::of(&view);
    let global = Expanded::of(&model.global());
    let (name, kind, command) = (
        service.name().as_str(),
        service.kind().as_str(),
        service.command().as_str(),
    );
    let args: Vec<String> = service
        .args
        .iter()
        .map(|a| a.as_str().into_owned())
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let fields = ServiceFields {
        name: &name,
        kind: &kind,
        command: &command,
        args: &args,
    };
    Some(postlint_facts::service_facts(
        &fields,
        &params,
        &global,
        model.version(),
    ))
}
