//! The bridge from the model to the facts: a service's effective values as the facts read
//! them, and the facts of each master.cf service.

use elsa::FrozenMap;
use postlint_facts::{Params, ServiceFacts, ServiceFields};
use postlint_model::{Model, Origin, View};
use postlint_syntax::MasterCf;

/// The effective values of one view, expanded on first use, as the facts look them up. Only
/// the names asked for are evaluated: a main.cf with 200,000 entries costs nothing here.
pub struct Expanded<'m> {
    view: View<'m>,
    cache: FrozenMap<String, Box<Option<String>>>,
}

impl<'m> Expanded<'m> {
    /// The values of `view`.
    pub fn of(view: &View<'m>) -> Self {
        Self {
            view: *view,
            cache: FrozenMap::new(),
        }
    }
}

impl Params for Expanded<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        if let Some(value) = self.cache.get(name) {
            return value.as_deref();
        }
        // A value only the target host knows (`mynetworks` computed from its interfaces) is
        // unknown here, not the placeholder the model shows.
        let value = self
            .view
            .value(name)
            .filter(|v| !(v.origin == Origin::Host && v.host_dependent))
            .map(|v| v.expanded);
        self.cache
            .insert(name.to_owned(), Box::new(value))
            .as_deref()
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
