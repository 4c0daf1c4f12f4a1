//! `postlint rule [NAME]`: the rule list, or one rule's documentation.

use std::fmt::Write as _;
use std::process::ExitCode;

use postlint_linter::{RuleInfo, RuleSource, all_rules, find_rule};

use crate::args::RuleArgs;

/// Runs the command.
pub fn run(args: &RuleArgs) -> ExitCode {
    let mut out = String::new();
    match &args.name {
        None => {
            let file_rules: Vec<RuleInfo> =
                crate::files::RULES.iter().map(RuleInfo::from).collect();
            for (r, files) in all_rules()
                .iter()
                .map(|r| (r, false))
                .chain(file_rules.iter().map(|r| (r, true)))
            {
                let source = match r.source {
                    _ if files => "--check-files",
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
            let file_rule = crate::files::RULES
                .iter()
                .find(|r| r.name == name || r.code == name)
                .map(RuleInfo::from);
            let Some(r) = find_rule(name).or(file_rule.as_ref()) else {
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
