//! `postlint rule [NAME]`: the rule list, or one rule's documentation.

use std::fmt::Write as _;
use std::process::ExitCode;

use postlint_linter::{RuleSource, all_rules, find_rule};

use crate::args::RuleArgs;

/// Runs the command.
pub fn run(args: &RuleArgs) -> ExitCode {
    let mut out = String::new();
    match &args.name {
        None => {
            for r in all_rules() {
                let source = match r.source {
                    RuleSource::Builtin => "built-in",
                    RuleSource::Pack(pack) => pack.name(),
                };
                let _ = writeln!(
                    out,
                    "{:<6} {:<43} {:<8} {:<9} {}",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    source,
                    r.summary
                );
            }
        }
        Some(name) => {
            let Some(r) = find_rule(name) else {
                eprintln!("postlint: error: no rule named `{name}` (see `postlint rule`)");
                return ExitCode::from(2);
            };
            let _ = writeln!(
                out,
                "# {} ({})\n\n{}\n\ndefault severity: {}\nreference: {}\n\n{}",
                r.name,
                r.code,
                r.summary,
                r.severity.as_str(),
                r.url,
                r.docs
            );
            if !r.docs.contains("## References") {
                let _ = writeln!(out, "\n## References");
                for url in &r.references {
                    let _ = writeln!(out, "- {url}");
                }
            }
        }
    }
    crate::render::write_stdout(out.as_bytes());
    ExitCode::SUCCESS
}
