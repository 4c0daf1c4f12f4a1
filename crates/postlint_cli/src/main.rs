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
mod input;
mod render;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match cli.command {
        args::Command::Postconf(args) => commands::postconf::run(&args),
        args::Command::Check(args) => commands::check::run(&args),
        args::Command::Rule(args) => commands::rule::run(&args),
        args::Command::Effective(args) => commands::effective::run(&args),
        args::Command::Server => commands::server::run(),
    }
}
