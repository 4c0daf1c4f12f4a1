//! What the CLI's end-to-end suites share: the workspace root and running the built binary
//! there, without colour.

#![allow(dead_code, reason = "each suite uses the part it needs")]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The workspace root (fixtures and examples are named relative to it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `postlint ARGS` in the workspace root with `NO_COLOR` set.
pub fn postlint(args: &[&str]) -> Output {
    postlint_stdin(args, None)
}

/// [`postlint`] with `stdin` on standard input (none: an empty, closed input).
pub fn postlint_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}
