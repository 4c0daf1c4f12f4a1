//! `postlint rule [NAME]`: the rule list, or one rule's documentation.

use std::fmt::Write as _;
use std::process::ExitCode;

use postlint_linter::{RULES, RuleMeta};

use crate::args::RuleArgs;

/// Runs the command.
pub fn run(args: &RuleArgs) -> ExitCode {
    let mut out = String::new();
    match &args.name {
        None => {
            for r in RULES.iter().chain(&crate::files::RULES) {
                let _ = writeln!(
                    out,
                    "{:<6} {:<28} {:<8} {}",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.summary
                );
            }
        }
        Some(name) => {
            let Some(r) = find(name) else {
                eprintln!("postlint: error: no rule named `{name}` (see `postlint rule`)");
                return ExitCode::from(2);
            };
            let _ = writeln!(
                out,
                "# {} ({})\n\n{}\n\ndefault severity: {}\n\n{}",
                r.name,
                r.code,
                r.summary,
                r.severity.as_str(),
                r.docs
            );
        }
    }
    crate::render::write_stdout(out.as_bytes());
    ExitCode::SUCCESS
}

/// The rule named `name` (or with code `name`): a built-in rule, or one of `--check-files`.
fn find(name: &str) -> Option<&'static RuleMeta> {
    postlint_linter::rule(name).or_else(|| {
        crate::files::RULES
            .iter()
            .find(|r| r.name == name || r.code == name)
    })
}
