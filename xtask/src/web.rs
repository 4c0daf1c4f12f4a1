//! `cargo xtask web build|serve|test`: the browser page.
//!
//! `build` makes the complete static site in `web/dist/`: the `postlint_wasm` crate for
//! `wasm32-unknown-unknown`, `wasm-bindgen` (the CLI at exactly the crate's pinned version),
//! `wasm-opt` from npm's binaryen (Debian's binaryen 108 writes a module browsers reject),
//! esbuild for the JavaScript, and a size report. It installs what is missing first.
//! `serve` serves `web/dist/` on 127.0.0.1; `test` runs the browser test against a fresh build.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::test::step;

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
const CRATE: &str = "postlint_wasm";

/// Flags for npm's wasm-opt: every feature rustc enables for wasm32 by default.
const WASM_OPT_FLAGS: &[&str] = &[
    "-Oz",
    "--enable-bulk-memory",
    "--enable-reference-types",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-multivalue",
    "--strip-debug",
    "--strip-producers",
];

/// Runs `cargo xtask web <command>`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    match args.split_first() {
        Some((command, rest)) if command == "build" => {
            no_more(rest)?;
            build(root)
        }
        Some((command, rest)) if command == "serve" => serve(root, rest),
        Some((command, rest)) if command == "test" => {
            no_more(rest)?;
            build(root)?;
            test(root, true).map(|_| ())
        }
        _ => Err("usage: cargo xtask web build | serve [--port N] | test".to_owned()),
    }
}

fn no_more(args: &[String]) -> Result<(), String> {
    match args.first() {
        Some(arg) => Err(format!("unknown argument `{arg}`")),
        None => Ok(()),
    }
}

/// Clippy on the page's crate built for WebAssembly: code behind `cfg(target_arch =
/// "wasm32")` is linted only when built for it.
pub fn lint(root: &Path) -> Result<(), String> {
    ensure_wasm_target()?;
    step(
        root,
        "clippy (wasm)",
        "cargo",
        &[
            "clippy", "--locked", "-p", CRATE, "--target", TARGET, "--", "-D", "warnings",
        ],
    )
}

/// Builds `web/dist/`, installing the wasm target, wasm-bindgen and the npm packages first
/// when they are missing.
pub fn build(root: &Path) -> Result<(), String> {
    let web = root.join("web");
    ensure_wasm_target()?;
    ensure_wasm_bindgen(root)?;
    ensure_npm(&web)?;
    step(
        root,
        "wasm",
        "cargo",
        &[
            "build",
            "--locked",
            "--lib",
            "-p",
            CRATE,
            "--target",
            TARGET,
            "--profile",
            PROFILE,
        ],
    )?;
    let wasm = target_dir(root)
        .join(TARGET)
        .join(PROFILE)
        .join(format!("{CRATE}.wasm"));
    let pkg = web.join("build").join("pkg");
    let dist = web.join("dist");
    for dir in [&pkg, &dist] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| format!("removing {}: {e}", dir.display()))?;
        }
    }
    step(
        root,
        "wasm-bindgen",
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--no-typescript",
            "--remove-name-section",
            "--remove-producers-section",
            "--out-dir",
            &path_str(&pkg)?,
            &path_str(&wasm)?,
        ],
    )?;
    std::fs::create_dir_all(&dist).map_err(|e| format!("creating {}: {e}", dist.display()))?;
    let bindgen_out = pkg.join(format!("{CRATE}_bg.wasm"));
    let optimised = dist.join(format!("{CRATE}_bg.wasm"));
    let mut opt_args: Vec<String> = WASM_OPT_FLAGS.iter().map(|s| (*s).to_owned()).collect();
    opt_args.extend([
        path_str(&bindgen_out)?,
        "-o".to_owned(),
        path_str(&optimised)?,
    ]);
    let opt_args: Vec<&str> = opt_args.iter().map(String::as_str).collect();
    step(
        &web,
        "wasm-opt",
        &path_str(&web.join("node_modules/.bin/wasm-opt"))?,
        &opt_args,
    )?;
    step(
        &web,
        "bundle",
        &path_str(&web.join("node_modules/.bin/esbuild"))?,
        &[
            "src/main.js",
            "--bundle",
            "--format=esm",
            "--minify",
            "--target=es2022",
            "--loader:.cf=text",
            "--legal-comments=none",
            "--log-level=warning",
            "--outfile=dist/app.js",
        ],
    )?;
    step(
        &web,
        "styles",
        &path_str(&web.join("node_modules/.bin/esbuild"))?,
        &[
            "src/app.css",
            "--minify",
            "--log-level=warning",
            "--outfile=dist/app.css",
        ],
    )?;
    std::fs::copy(web.join("index.html"), dist.join("index.html"))
        .map_err(|e| format!("copying index.html: {e}"))?;
    report_sizes(&dist, &bindgen_out)?;
    println!(
        "\nweb/dist is complete; serve it with `cargo xtask web serve` or any static file server"
    );
    Ok(())
}

/// Prints each file of the site with its raw and gzip (-9) size.
fn report_sizes(dist: &Path, bindgen_out: &Path) -> Result<(), String> {
    println!(
        "\n==> sizes (bytes)\n{:<28} {:>10} {:>10}",
        "file", "raw", "gzip"
    );
    let mut names: Vec<PathBuf> = std::fs::read_dir(dist)
        .map_err(|e| format!("reading {}: {e}", dist.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    names.sort();
    let (mut raw_total, mut gzip_total) = (0, 0);
    for path in &names {
        let (raw, gzip) = sizes(path)?;
        raw_total += raw;
        gzip_total += gzip;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        println!("{:<28} {raw:>10} {gzip:>10}", name.unwrap_or_default());
    }
    println!("{:<28} {raw_total:>10} {gzip_total:>10}", "total");
    let (raw, gzip) = sizes(bindgen_out)?;
    println!("(wasm before wasm-opt: {raw} raw, {gzip} gzip)");
    Ok(())
}

fn sizes(path: &Path) -> Result<(u64, u64), String> {
    let raw = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    let out = Command::new("gzip")
        .arg("-9c")
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip {} failed", path.display()));
    }
    Ok((raw, out.stdout.len() as u64))
}

/// Serves `web/dist/` (`--port N`, default 8080).
fn serve(root: &Path, args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => "8080".to_owned(),
        [flag, port] if flag == "--port" && port.parse::<u16>().is_ok() => port.clone(),
        _ => return Err("usage: cargo xtask web serve [--port N]".to_owned()),
    };
    let web = root.join("web");
    if !web.join("dist/index.html").is_file() {
        return Err("web/dist is not built; run `cargo xtask web build` first".to_owned());
    }
    step(&web, "serve", "node", &["scripts/serve.mjs", "dist", &port])
}

/// The browser test: the page in Debian's Chromium driven by playwright-core, compared with
/// the native result of the same check. Needs a built `web/dist/`. Returns the checks passed
/// and failed.
pub fn test(root: &Path, install: bool) -> Result<(usize, usize), String> {
    if install {
        crate::setup::ensure_chromium()?;
    }
    if !Path::new(crate::setup::CHROMIUM).is_file() {
        return Err(format!(
            "browser test: {} is missing (run without --no-install)",
            crate::setup::CHROMIUM
        ));
    }
    let web = root.join("web");
    let results = web.join("test-results");
    std::fs::create_dir_all(&results).map_err(|e| format!("creating test-results: {e}"))?;
    // What the page must show, computed natively by the same function the wasm export wraps.
    let expected = Command::new("cargo")
        .args([
            "run",
            "--quiet",
            "--locked",
            "-p",
            CRATE,
            "--example",
            "lint_json",
            "--",
            "web/tests/bad",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("browser test: cannot run cargo: {e}"))?;
    if !expected.status.success() {
        return Err(format!(
            "browser test: computing the expected findings failed: {}",
            String::from_utf8_lossy(&expected.stderr)
        ));
    }
    std::fs::write(results.join("expected.json"), &expected.stdout)
        .map_err(|e| format!("writing expected.json: {e}"))?;
    crate::test::counted(&web, "browser test", "node", &["tests/e2e.mjs"])
}

/// What the build and the browser test need and this machine lacks, without installing
/// anything (for `cargo xtask test --no-install`).
pub fn missing_tools(root: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if !has_wasm_target() {
        missing.push(format!("the {TARGET} target"));
    }
    match pinned_wasm_bindgen(root) {
        Ok(version) if installed_wasm_bindgen() == format!("wasm-bindgen {version}") => {}
        Ok(version) => missing.push(format!("wasm-bindgen {version}")),
        Err(e) => missing.push(e),
    }
    if !root.join("web/node_modules/.package-lock.json").is_file() {
        missing.push("web/node_modules (npm ci)".to_owned());
    }
    if !Path::new(crate::setup::CHROMIUM).is_file() {
        missing.push(crate::setup::CHROMIUM.to_owned());
    }
    missing
}

fn has_wasm_target() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|out| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.trim() == TARGET)
        })
}

fn installed_wasm_bindgen() -> String {
    Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn ensure_wasm_target() -> Result<(), String> {
    if has_wasm_target() {
        return Ok(());
    }
    step(
        Path::new("."),
        "wasm target",
        "rustup",
        &["target", "add", TARGET],
    )
}

/// The exact `wasm-bindgen` version `crates/postlint_wasm/Cargo.toml` pins (`"=X.Y.Z"`).
fn pinned_wasm_bindgen(root: &Path) -> Result<String, String> {
    let manifest = root.join("crates").join(CRATE).join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("reading {}: {e}", manifest.display()))?;
    text.lines()
        .find_map(|line| {
            let rest = line.trim().strip_prefix("wasm-bindgen")?.trim_start();
            let version = rest.strip_prefix('=')?.trim().strip_prefix("\"=")?;
            version.strip_suffix('"').map(str::to_owned)
        })
        .ok_or_else(|| format!("{} pins no exact wasm-bindgen", manifest.display()))
}

fn ensure_wasm_bindgen(root: &Path) -> Result<(), String> {
    let version = pinned_wasm_bindgen(root)?;
    if installed_wasm_bindgen() == format!("wasm-bindgen {version}") {
        return Ok(());
    }
    // No `--locked`: the lock file of 0.2.130 names a webpki-roots release the registry
    // mirror lacks; unlocked resolution builds and works.
    step(
        root,
        "wasm-bindgen-cli",
        "cargo",
        &["install", "wasm-bindgen-cli", "--version", &version],
    )
}

/// `npm ci` when `node_modules` is missing or older than `package-lock.json`.
fn ensure_npm(web: &Path) -> Result<(), String> {
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let lock = modified(web.join("package-lock.json"));
    let installed = modified(web.join("node_modules/.package-lock.json"));
    if installed.is_some() && installed >= lock {
        return Ok(());
    }
    step(web, "npm", "npm", &["ci", "--no-audit", "--no-fund"])
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

fn path_str(path: &Path) -> Result<String, String> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{} is not UTF-8", path.display()))
}
