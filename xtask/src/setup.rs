//! Installing what the test layers need on a fresh Debian machine. Each step checks first and
//! does nothing when the tool is already there.

use std::path::Path;
use std::process::Command;

/// Where Debian installs Postfix's `postconf`.
pub const POSTCONF: &str = "/usr/sbin/postconf";

/// Makes sure Debian's `postfix` package (the `postconf` oracle) is installed.
pub fn ensure_postconf() -> Result<(), String> {
    // Answer the package's configuration question up front so the install never prompts.
    ensure_apt(
        POSTCONF,
        "postfix",
        "the live postconf comparison",
        "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections && ",
    )
}

/// Where Debian installs Chromium, which the browser test drives.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Makes sure Debian's `chromium` is installed (the browser test uses it through
/// playwright-core, which downloads no browser of its own).
pub fn ensure_chromium() -> Result<(), String> {
    ensure_apt(CHROMIUM, "chromium", "the browser test", "")
}

/// Installs the Debian `package` when `path` is missing; `preseed` is a shell prefix run first.
fn ensure_apt(path: &str, package: &str, why: &str, preseed: &str) -> Result<(), String> {
    if Path::new(path).is_file() {
        return Ok(());
    }
    println!("==> installing Debian's {package} (for {why})");
    run_shell(&format!(
        "{preseed}apt-get -o DPkg::Lock::Timeout=600 update -qq \
         && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq {package}"
    ))?;
    if Path::new(path).is_file() {
        Ok(())
    } else {
        Err(format!("installing {package} did not provide {path}"))
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
