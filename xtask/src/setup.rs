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

/// Where Debian installs Chromium, which the browser test drives.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Makes sure Debian's `chromium` is installed (the browser test uses it through
/// playwright-core, which downloads no browser of its own).
pub fn ensure_chromium() -> Result<(), String> {
    if Path::new(CHROMIUM).is_file() {
        return Ok(());
    }
    println!("==> installing Debian's chromium (for the browser test)");
    run_shell(
        "apt-get -o DPkg::Lock::Timeout=600 update -qq \
         && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium",
    )?;
    if Path::new(CHROMIUM).is_file() {
        Ok(())
    } else {
        Err(format!("installing chromium did not provide {CHROMIUM}"))
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
