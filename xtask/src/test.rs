//! `cargo xtask test`: every test layer, in the order a failure is cheapest to see.
//!
//! It first installs what the layers need and the machine lacks (Debian's `postfix` for the
//! live `postconf` comparison, Microsoft's SARIF validator from `tests/sarif` with `npm ci`),
//! then runs formatting, clippy, the whole workspace's tests (unit, fixture, differential and
//! CLI end-to-end), the parser fuzz target's build, clippy on the page's crate built for
//! WebAssembly, and the browser test of the page (`cargo xtask web test`).
//! Under CI (`CI=true`) nothing may be skipped: a missing tool is an error, not a skip.

use std::path::Path;
use std::process::Command;

/// Runs the layers. `--no-install` skips the installation step (for machines set up by hand).
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let install = !args.iter().any(|a| a == "--no-install");
    if let Some(unknown) = args.iter().find(|a| *a != "--no-install") {
        return Err(format!(
            "unknown argument `{unknown}` (expected `--no-install`)"
        ));
    }
    if install {
        crate::setup::ensure_postconf()?;
        crate::setup::ensure_sarif_multitool(root)?;
    }
    step(root, "formatting", "cargo", &["fmt", "--all", "--check"])?;
    step(
        root,
        "clippy",
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    let (mut passed, mut failed) = cargo_test(root)?;
    let (browser_passed, browser_failed) = browser(root, install)?;
    passed += browser_passed;
    failed += browser_failed;
    println!("\nall test layers passed");
    // The last line is the total over every test binary, for readers of CI logs.
    println!("tests: {passed} passed, {failed} failed");
    Ok(())
}

/// The browser layer: builds the page and drives it in Chromium. Without `--no-install` its
/// tools are installed; with it, a machine lacking Chromium skips loudly, except under CI.
fn browser(root: &Path, install: bool) -> Result<(usize, usize), String> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !install {
        let missing = crate::web::missing_tools(root);
        if !missing.is_empty() {
            let message = format!(
                "browser test: --no-install was given and this machine lacks {}",
                missing.join(", ")
            );
            if ci {
                return Err(message);
            }
            println!("\n!!! SKIPPED {message}: the page was NOT tested !!!");
            return Ok((0, 0));
        }
    }
    crate::web::lint(root)?;
    crate::web::build(root)?;
    crate::web::test(root, install)
}

/// Runs the workspace's tests, echoing their output, and totals the `test result:` lines.
fn cargo_test(root: &Path) -> Result<(usize, usize), String> {
    counted(root, "tests", "cargo", &["test", "--workspace", "--locked"])
}

/// Runs a test layer, echoing its output, and totals its `test result:` lines (the browser
/// test prints one in cargo's format too).
pub fn counted(
    dir: &Path,
    name: &str,
    program: &str,
    args: &[&str],
) -> Result<(usize, usize), String> {
    use std::io::BufRead as _;
    println!("\n==> {name}: {program} {}", args.join(" "));
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{name}: cannot run `{program}`: {e}"))?;
    let (mut passed, mut failed) = (0usize, 0usize);
    if let Some(stdout) = child.stdout.take() {
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("{name}: reading the output: {e}"))?;
            println!("{line}");
            if let Some(rest) = line.strip_prefix("test result: ") {
                passed += count(rest, " passed");
                failed += count(rest, " failed");
            }
        }
    }
    let status = child.wait().map_err(|e| format!("{name}: {e}"))?;
    if status.success() && failed == 0 {
        if passed == 0 {
            return Err(format!("{name}: no test ran"));
        }
        Ok((passed, failed))
    } else {
        println!("{name}: {passed} passed, {failed} failed");
        Err(format!("{name} failed ({status})"))
    }
}

/// The number before `label` in a `test result:` line (`ok. 12 passed; 0 failed; …`).
fn count(line: &str, label: &str) -> usize {
    line.split(';')
        .find_map(|part| {
            part.trim()
                .trim_start_matches("ok. ")
                .trim_start_matches("FAILED. ")
                .strip_suffix(label.trim_start())
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Runs one layer, streaming its output, and fails with its name.
pub fn step(root: &Path, name: &str, program: &str, args: &[&str]) -> Result<(), String> {
    println!("\n==> {name}: {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("{name}: cannot run `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}
