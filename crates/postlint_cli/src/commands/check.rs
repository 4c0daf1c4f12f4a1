//! `postlint check`: report problems in configuration directories and files.
//!
//! Each PATH is read and checked on its own (in parallel with rayon when there are several);
//! the reports are then rendered in argument order, so the output of a fleet of hundreds of
//! configuration directories is the same from run to run.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use postlint_diagnostics::Severity;
use postlint_linter::{Input, Report, SourceFile, check};
use rayon::prelude::*;

use crate::args::{CheckArgs, Format};
use crate::input::{self, ConfigDir, FileKind};
use crate::render::{RenderFile, human};
use crate::settings;

/// Where postlint looks when no PATH is given.
pub const DEFAULT_DIR: &str = "/etc/postfix";

/// One thing to check, as named on the command line.
#[derive(Debug, Clone)]
enum Target {
    /// A configuration directory.
    Dir(PathBuf),
    /// A single main.cf or master.cf (or a `postconf -n`/`-M` dump).
    File(PathBuf),
    /// Standard input.
    Stdin,
}

/// What was read for one target.
struct Loaded {
    input: Input,
    /// The configuration directory (for `postlint.toml` discovery and `--check-files`).
    dir: Option<PathBuf>,
}

/// One target's outcome.
struct Checked {
    report: Report,
    /// Findings from this severity up fail the run.
    fail_on: Severity,
    /// The human rendering, made in the worker thread when the format is human.
    rendered: String,
}

/// Runs the command. Exit status: 0 clean, 1 findings at or above `--fail-on`, 2 usage or
/// I/O error.
pub fn run(args: &CheckArgs) -> ExitCode {
    let targets = match targets(args) {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let base = match settings::base(args) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    // Standard input is read once, up front, by this thread.
    let stdin = if targets.iter().any(|t| matches!(t, Target::Stdin)) {
        match input::read_stdin() {
            Ok(bytes) => Some(bytes),
            Err(e) => return usage_error(&e),
        }
    } else {
        None
    };
    let color = args.format == Format::Human && crate::render::stdout_color();
    let one = |target: &Target| -> Result<Checked, settings::Failure> {
        let loaded = load(target, args, stdin.as_deref())?;
        // The one place configuration files are discovered and applied.
        let resolved = settings::for_dir(&base, loaded.dir.as_deref())?;
        let mut report = check(&loaded.input, &resolved.settings);
        if args.check_files {
            crate::files::check(&mut report, loaded.dir.as_deref(), &resolved.settings);
        }
        let rendered = if args.format == Format::Human {
            render_human(&report, color)
        } else {
            String::new()
        };
        Ok(Checked {
            report,
            fail_on: resolved.fail_on,
            rendered,
        })
    };
    // One target: no thread pool to start. Several: one task each; `collect` keeps their
    // order.
    let results: Vec<Result<Checked, settings::Failure>> = if targets.len() == 1 {
        targets.iter().map(one).collect()
    } else {
        targets.par_iter().map(one).collect()
    };

    let mut io_error = false;
    let mut checked = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(c) => checked.push(c),
            Err(settings::Failure::Message(e)) => {
                eprintln!("postlint: error: {e}");
                io_error = true;
            }
            Err(settings::Failure::Rendered(text)) => {
                eprint!("{text}");
                io_error = true;
            }
        }
    }
    let reports: Vec<&Report> = checked.iter().map(|c| &c.report).collect();
    let out = match args.format {
        // Nothing was checked: no summary to give.
        Format::Human if checked.is_empty() => String::new(),
        Format::Human => {
            let mut out: String = checked.iter().map(|c| c.rendered.as_str()).collect();
            let (errors, warnings, _) = totals(&reports);
            let _ = write!(out, "{errors} error(s), {warnings} warning(s)");
            out.push('\n');
            out
        }
        Format::Json => {
            postlint_report::json::to_string(&reports, postlint_report::json::Options::default())
        }
        Format::Sarif => postlint_report::sarif::to_string(&reports, &crate::files::RULES),
        Format::Github => postlint_report::github::to_string(&reports),
    };
    crate::render::write_stdout(out.as_bytes());

    // A policy or configuration file that does not load is a usage error: the check did not
    // run as the user asked.
    let broken_policy = reports.iter().any(|r| {
        r.diagnostics.iter().any(|d| {
            d.rule == postlint_policy::POLICY_ERROR_RULE
                || d.rule == postlint_linter::config::CONFIG_ERROR_RULE
        })
    });
    let failing = checked
        .iter()
        .any(|c| c.report.diagnostics.iter().any(|d| d.severity >= c.fail_on));
    drop(reports);
    // The process ends here: freeing every parsed entry of a large configuration one by one
    // would only cost time.
    std::mem::forget(checked);
    if io_error || broken_policy {
        ExitCode::from(2)
    } else if failing && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("postlint: error: {message}");
    ExitCode::from(2)
}

fn totals(reports: &[&Report]) -> (usize, usize, usize) {
    reports.iter().fold((0, 0, 0), |(e, w, i), r| {
        let (re, rw, ri) = r.counts();
        (e + re, w + rw, i + ri)
    })
}

fn render_human(report: &Report, color: bool) -> String {
    if report.diagnostics.is_empty() {
        return String::new();
    }
    let files: Vec<RenderFile> = report
        .files
        .iter()
        .map(|f| RenderFile::shared(f.id, f.name.clone(), &f.text, Some(&f.index)))
        .collect();
    report
        .diagnostics
        .iter()
        .map(|d| human(d, &files, color))
        .collect()
}

/// The targets named on the command line; `/etc/postfix` when none is.
fn targets(args: &CheckArgs) -> Result<Vec<Target>, String> {
    if args.paths.is_empty() {
        let dir = Path::new(DEFAULT_DIR);
        if dir.is_dir() {
            return Ok(vec![Target::Dir(dir.to_path_buf())]);
        }
        return Err(format!(
            "no PATH given and {DEFAULT_DIR} does not exist; name a configuration directory, \
             a main.cf or master.cf file, or `-` for standard input"
        ));
    }
    let stdin_count = args.paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        return Err("`-` (standard input) may be given only once".to_owned());
    }
    if args.stdin_filename.is_some() && stdin_count == 0 {
        return Err("--stdin-filename needs `-` among the PATHs".to_owned());
    }
    Ok(args
        .paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Target::Stdin
            } else if p.is_dir() {
                Target::Dir(p.clone())
            } else {
                Target::File(p.clone())
            }
        })
        .collect())
}

/// Reads one target into the check function's input.
fn load(target: &Target, args: &CheckArgs, stdin: Option<&[u8]>) -> Result<Loaded, String> {
    let source = |path: &Path, bytes: Option<Vec<u8>>| {
        bytes.map(|b| SourceFile::new(path.display().to_string(), b))
    };
    match target {
        Target::Dir(dir) => {
            let files = ConfigDir::read_some(dir)?;
            Ok(Loaded {
                input: Input {
                    main: source(&files.main_path, files.main),
                    master: source(&files.master_path, files.master),
                    config_directory: None,
                },
                dir: Some(dir.clone()),
            })
        }
        Target::File(path) => {
            let bytes = input::read_optional(path)?
                .ok_or_else(|| format!("{}: no such file or directory", path.display()))?
                .bytes;
            let name = path.display().to_string();
            let kind = input::file_kind(Some(&name), &bytes);
            let dir = path
                .parent()
                .map(|p| {
                    if p.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        p
                    }
                })
                .map(Path::to_path_buf);
            Ok(Loaded {
                input: single(kind, SourceFile::new(name, bytes)),
                dir,
            })
        }
        Target::Stdin => {
            let bytes = stdin.unwrap_or_default().to_vec();
            let name = args
                .stdin_filename
                .clone()
                .unwrap_or_else(|| "<stdin>".to_owned());
            let kind = input::file_kind(args.stdin_filename.as_deref(), &bytes);
            let dir = args
                .stdin_filename
                .as_ref()
                .and_then(|n| Path::new(n).parent().map(Path::to_path_buf))
                .filter(|p| !p.as_os_str().is_empty());
            Ok(Loaded {
                input: single(kind, SourceFile::new(name, bytes)),
                dir,
            })
        }
    }
}

fn single(kind: FileKind, file: SourceFile) -> Input {
    match kind {
        FileKind::Main => Input {
            main: Some(file),
            master: None,
            config_directory: None,
        },
        FileKind::Master => Input {
            main: None,
            master: Some(file),
            config_directory: None,
        },
    }
}
