//! Installing what the test layers need on a fresh Debian machine. Each step checks first and
//! does nothing when the tool is already there.

use std::path::Path;
use std::process::Command;

/// Where Debian installs Postfix's `postconf`.
pub const POSTCONF: &str = "/usr/sbin/postconf";

/// Makes sure Debian's `postfix` package (the `postconf` oracle) is installed.
pub fn ensure_postconf() -> Result<(), String> {
    if Path::new(POSTCONF).is_file() {
        return Ok(());
    }
    println!("==> installing Debian's postfix (for the live postconf comparison)");
    // Answer the package's configuration question up front so the install never prompts.
    run_shell(
        "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections \
         && apt-get -o DPkg::Lock::Timeout=600 update -qq \
         && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq postfix",
    )?;
    if Path::new(POSTCONF).is_file() {
        Ok(())
    } else {
        Err(format!("installing postfix did not provide {POSTCONF}"))
    }
}

/// Where `npm ci` puts the SARIF validator (`tests/sarif/package.json`).
pub const SARIF_MULTITOOL: &str = "tests/sarif/node_modules/.bin/sarif-multitool";

/// Makes sure Microsoft's SARIF validator is installed under `tests/sarif` (from the committed
/// lock file), for the end-to-end test that validates `--format sarif` against the schema.
pub fn ensure_sarif_multitool(root: &Path) -> Result<(), String> {
    if root.join(SARIF_MULTITOOL).is_file() {
        return Ok(());
    }
    println!("==> installing the SARIF validator (npm ci in tests/sarif)");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root.join("tests/sarif"))
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !status.success() {
        return Err(format!("npm ci in tests/sarif failed ({status})"));
    }
    if root.join(SARIF_MULTITOOL).is_file() {
        Ok(())
    } else {
        Err(format!("npm ci did not provide {SARIF_MULTITOOL}"))
    }
}

fn run_shell(script: &str) -> Result<(), String> {
    let status = Command::new("sh")
        .args(["-c", script])
        .status()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{script}` failed ({status})"))
    }
}
