//! `postlint check`: report problems in configuration directories.

use std::fmt::Write as _;
use std::process::ExitCode;

use postlint_diagnostics::Severity;
use postlint_postconf::{Config, MAIN_CF, MASTER_CF};

use crate::args::CheckArgs;
use crate::input::ConfigDir;
use crate::render::{RenderFile, human};

/// Runs the command. Exit status: 0 clean, 1 errors found, 2 unreadable input.
pub fn run(args: &CheckArgs) -> ExitCode {
    let mut errors = 0usize;
    let mut warnings = 0usize;
    let mut out = String::new();
    for dir in &args.paths {
        let files = match ConfigDir::read_some(dir) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("postlint: error: {e}");
                return ExitCode::from(2);
            }
        };
        let (main_path, master_path) = (&files.main_path, &files.master_path);
        let main_bytes = files.main.as_deref().unwrap_or_default();
        let master_bytes = files.master.as_deref().unwrap_or_default();
        let config = Config::parse(main_bytes, master_bytes, None, args.target.postfix_version);
        let files = [
            RenderFile::new(MAIN_CF, main_path.display().to_string(), main_bytes),
            RenderFile::new(MASTER_CF, master_path.display().to_string(), master_bytes),
        ];
        let color = crate::render::stdout_color();
        for diagnostic in &postlint_linter::lint(&config) {
            match diagnostic.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info => {}
            }
            out.push_str(&human(diagnostic, &files, color));
        }
    }
    let _ = writeln!(out, "{errors} error(s), {warnings} warning(s)");
    crate::render::write_stdout(out.as_bytes());
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
