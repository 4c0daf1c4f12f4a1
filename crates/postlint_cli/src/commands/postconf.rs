//! `postlint postconf`: postconf's read-only views without Postfix.

use std::path::PathBuf;
use std::process::ExitCode;

use postlint_postconf::{Config, MAIN_CF, MASTER_CF};

use crate::args::PostconfArgs;
use crate::input::ConfigDir;
use crate::render::{RenderFile, human};

/// Runs the command.
pub fn run(args: &PostconfArgs) -> ExitCode {
    let dir = args
        .config_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("/etc/postfix"));
    let files = match ConfigDir::read(&dir) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("postlint: fatal: {e}");
            return ExitCode::from(2);
        }
    };
    let (main_path, master_path) = (&files.main_path, &files.master_path);
    let Some(main_bytes) = files.main.as_deref() else {
        eprintln!(
            "postlint: fatal: open {}: No such file or directory",
            main_path.display()
        );
        return ExitCode::from(1);
    };
    let master_bytes = files.master.as_deref().unwrap_or_default();
    let config = Config::parse(
        main_bytes,
        master_bytes,
        args.config_dir.as_ref().map(|d| d.display().to_string()),
        args.target.postfix_version,
    )
    .with_overrides(&args.overrides)
    .with_host(postlint_model::HostFacts {
        hostname: args.hostname.clone(),
        ..postlint_model::HostFacts::default()
    });
    let result = if args.master {
        config.show_master_entries(&args.names)
    } else if args.fields {
        config.show_master_fields(&args.names)
    } else if args.params {
        config.show_master_params_with(&args.names, args.expand)
    } else if args.defaults {
        config.show_defaults(&args.names, args.expand)
    } else {
        config.show_nondefault_with(&args.names, args.expand)
    };
    match result {
        Ok(output) => {
            crate::render::write_stdout(&output.stdout);
            for warning in output.warnings {
                eprintln!("postlint: warning: {warning}");
            }
            ExitCode::SUCCESS
        }
        Err(fatal) => {
            let files = [
                RenderFile::new(MAIN_CF, main_path.display().to_string(), main_bytes),
                RenderFile::new(MASTER_CF, master_path.display().to_string(), master_bytes),
            ];
            eprint!(
                "{}",
                human(&fatal.diagnostic, &files, crate::render::stderr_color())
            );
            ExitCode::from(1)
        }
    }
}
