//! `cargo xtask`: repository automation for postlint (the alias lives in `.cargo/config.toml`).
//!
//! `main` only dispatches; every subcommand lives in its own module and exposes
//! `run(workspace_root, args) -> Result<(), String>`. To add one, add a module and a match arm
//! in [`dispatch`] and a line in [`USAGE`].

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on the terminal"
)]

mod codegen;
mod setup;
mod test;
mod web;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command> [args]

commands:
  codegen [--check]   regenerate (or verify) generated sources
  test [--no-install] run every test layer (installs what they need first)
  web build           build the browser page into web/dist (installs its tools first)
  web serve [--port N]  serve web/dist on 127.0.0.1 (default port 8080)
  web test            build the page and run the browser test
  help                show this message";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the subcommand named by the first argument.
fn dispatch(args: &[String]) -> Result<(), String> {
    let Some((command, rest)) = args.split_first() else {
        return Err(format!("no command given\n\n{USAGE}"));
    };
    let root = workspace_root()?;
    match command.as_str() {
        "codegen" => codegen::run(&root, rest),
        "test" => test::run(&root, rest),
        "web" => web::run(&root, rest),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

/// The workspace root: the parent of this crate's directory. `cargo run` sets
/// `CARGO_MANIFEST_DIR` at run time too; that value wins over the one compiled in, so a binary
/// built from another checkout with a shared target directory still works on this one.
fn workspace_root() -> Result<PathBuf, String> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| "cannot locate the workspace root".to_owned())
}
