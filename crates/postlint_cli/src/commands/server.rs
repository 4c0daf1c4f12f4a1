//! `postlint server`: the language server on stdin and stdout.

use std::process::ExitCode;

/// Runs the server until the editor says `exit`. Exit status: 0 after `shutdown`, 1 when the
/// connection breaks or the client violates the protocol.
pub fn run() -> ExitCode {
    match postlint_lsp::run_stdio() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("postlint: error: language server: {e}");
            ExitCode::from(1)
        }
    }
}
