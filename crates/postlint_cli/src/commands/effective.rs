//! `postlint effective`: the value of each parameter a service runs with, and with
//! `--explain` the line that set it and each `$` reference followed.

use std::fmt::Write as _;
use std::process::ExitCode;

use postlint_diagnostics::LineIndex;
use postlint_model::{HostFacts, Model, ModelOptions, Origin, View};
use postlint_syntax::{MainCf, MasterCf};

use crate::args::EffectiveArgs;
use crate::input::ConfigDir;

/// Runs the command.
pub fn run(args: &EffectiveArgs) -> ExitCode {
    let files = match ConfigDir::read_some(&args.dir) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("postlint: error: {e}");
            return ExitCode::from(2);
        }
    };
    let main_bytes = files.main.as_deref().unwrap_or_default();
    let master_bytes = files.master.as_deref().unwrap_or_default();
    let main = MainCf::parse(main_bytes, postlint_postconf::MAIN_CF);
    let master = MasterCf::parse(master_bytes, postlint_postconf::MASTER_CF);
    let mut options = ModelOptions::new(args.target.postfix_version);
    options.host = HostFacts {
        hostname: args.hostname.clone(),
        ..HostFacts::default()
    };
    let model = Model::new(&main, &master, options);
    let mut facts = None;
    let (view, index) = match &args.service {
        None => (model.global(), None),
        Some(key) => {
            let Some(index) = master.services.iter().rposition(|s| s.key() == *key) else {
                eprintln!("postlint: error: master.cf has no service `{key}`");
                return ExitCode::from(2);
            };
            let Some(view) = model.service(index) else {
                return ExitCode::from(2);
            };
            facts = postlint_linter::service::facts_of(&model, &master, index);
            (view, Some(index))
        }
    };
    let names: Vec<String> = if !args.names.is_empty() {
        args.names.clone()
    } else if args.all {
        view.names().into_iter().map(str::to_owned).collect()
    } else {
        postlint_report::effective::explicit_names(&main, &master, index)
    };
    let lines = Lines {
        main: LineIndex::new(main_bytes),
        master: LineIndex::new(master_bytes),
    };
    let mut out = String::new();
    if let Some(key) = view.service_key() {
        let _ = writeln!(out, "# {key}");
    }
    if let Some(facts) = &facts {
        summarise(&mut out, facts);
    }
    for name in &names {
        print_value(&mut out, &view, name, args.explain, &lines);
    }
    crate::render::write_stdout(out.as_bytes());
    ExitCode::SUCCESS
}

struct Lines {
    main: LineIndex,
    master: LineIndex,
}

fn origin_text(origin: &Origin, lines: &Lines) -> String {
    postlint_report::effective::origin_text(origin, &lines.main, &lines.master)
}

fn print_value(out: &mut String, view: &View<'_>, name: &str, explain: bool, lines: &Lines) {
    let Some(value) = view.value(name) else {
        let _ = writeln!(out, "{name}: not a parameter, and not set");
        return;
    };
    let _ = writeln!(out, "{name} = {}", value.expanded);
    if !explain {
        return;
    }
    let _ = writeln!(out, "    from {}", origin_text(&value.origin, lines));
    if value.raw != value.expanded {
        let _ = writeln!(out, "    written `{}`", value.raw);
    }
    for step in &value.references {
        let indent = "    ".repeat(step.depth as usize + 1);
        let expanded = view.expanded(&step.name).unwrap_or_default();
        let _ = writeln!(
            out,
            "{indent}${} = {expanded}  ({})",
            step.name,
            origin_text(&step.origin, lines)
        );
    }
    if let Some(error) = &value.error {
        let _ = writeln!(out, "    error: {}", error.message());
    }
    if value.host_dependent {
        let _ = writeln!(out, "    note: depends on the host (give --hostname)");
    }
}

/// One comment line per fact that matters for mail security.
fn summarise(out: &mut String, facts: &postlint_facts::ServiceFacts) {
    for fact in postlint_report::effective::fact_lines(facts) {
        let _ = writeln!(out, "# {}: {}", fact.label, fact.value);
    }
}
