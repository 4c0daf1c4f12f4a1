//! `postlint check`: report problems in configuration directories.

use std::fmt::Write as _;
use std::process::ExitCode;

use postlint_diagnostics::Severity;
use postlint_linter::{Input, Settings, SourceFile, check};

use crate::args::CheckArgs;
use crate::input::ConfigDir;
use crate::render::{RenderFile, human};

/// Applies the `postlint.toml` found from `dir` upwards, printing its problems.
fn project_config(dir: &std::path::Path, settings: &mut Settings) -> Result<(), ExitCode> {
    let Some(path) = postlint_linter::config::discover(dir) else {
        return Ok(());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        eprintln!("postlint: error: cannot read {}: {e}", path.display());
        ExitCode::from(2)
    })?;
    let id = postlint_diagnostics::FileId(0);
    match postlint_linter::config::ProjectConfig::parse(&text, id) {
        Ok(config) => {
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            config.apply(settings, base).map_err(|e| {
                eprintln!("postlint: error: {e}");
                ExitCode::from(2)
            })
        }
        Err(errors) => {
            let files = [RenderFile::new(
                id,
                path.display().to_string(),
                text.as_bytes(),
            )];
            let color = crate::render::stderr_color();
            for d in &errors {
                eprint!("{}", human(d, &files, color));
            }
            Err(ExitCode::from(2))
        }
    }
}

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
        let mut settings = Settings {
            version: args.target.postfix_version,
            ..Settings::default()
        };
        if let Err(code) = project_config(dir, &mut settings) {
            return code;
        }
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
