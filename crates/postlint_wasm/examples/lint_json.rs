//! Prints what the page's `lint` export returns for a configuration directory, computed
//! natively: `cargo run -p postlint_wasm --example lint_json -- DIR [OPTIONS_JSON]`.
//! The browser test compares the page's result against this output.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool"
)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: lint_json DIR [OPTIONS_JSON]");
        return ExitCode::from(2);
    };
    let read = |name: &str| std::fs::read_to_string(format!("{dir}/{name}"));
    let (main, master) = match (read("main.cf"), read("master.cf")) {
        (Ok(main), Ok(master)) => (main, master),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("lint_json: cannot read {dir}: {e}");
            return ExitCode::from(2);
        }
    };
    let options = args.get(1).map_or("", String::as_str);
    match postlint_wasm::lint_json(&main, &master, options) {
        Ok(json) => {
            print!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lint_json: {e}");
            ExitCode::from(2)
        }
    }
}
