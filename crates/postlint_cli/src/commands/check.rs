//! `postlint check`: report problems in configuration directories.

use std::fmt::Write as _;
use std::process::ExitCode;

use postlint_diagnostics::Severity;
use postlint_linter::{Input, Settings, SourceFile, check};

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
        let source = |path: &std::path::Path, bytes: Option<Vec<u8>>| {
            bytes.map(|b| SourceFile::new(path.display().to_string(), b))
        };
        let input = Input {
            main: source(&files.main_path, files.main),
            master: source(&files.master_path, files.master),
            config_directory: None,
        };
        let settings = Settings {
            version: args.target.postfix_version,
            ..Settings::default()
        };
        let report = check(&input, &settings);
        let files: Vec<RenderFile> = report
            .files
            .iter()
            .map(|f| RenderFile::new(f.id, f.name.clone(), &f.text))
            .collect();
        let color = crate::render::stdout_color();
        for diagnostic in &report.diagnostics {
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
