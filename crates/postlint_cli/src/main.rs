#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool prints"
)]
//! `postlint`: lint Postfix configuration before it is deployed.
//!
//! The binary only reads files, calls the libraries and renders what they return.

mod args;
mod commands;
mod files;
mod input;
mod memory;
mod render;
mod settings;

use std::process::ExitCode;

use clap::Parser as _;

/// mimalloc instead of the system allocator: checking a large main.cf (a generated one of
/// 200,000 entries) is about a fifth faster. Its memory may use transparent huge pages, but
/// they are switched off when the program starts and on again only for a large input (see
/// [`memory`]).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    memory::small_input();
    let cli = args::Cli::parse();
    match cli.command {
        args::Command::Postconf(args) => commands::postconf::run(&args),
        args::Command::Check(args) => commands::check::run(&args),
        args::Command::Rule(args) => commands::rule::run(&args),
        args::Command::Effective(args) => commands::effective::run(&args),
        args::Command::Completions(args) => commands::generate::completions(args.shell),
        args::Command::Man => commands::generate::man(),
        args::Command::Server => commands::server::run(),
    }
}
