//! The command-line interface, declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use postlint_syntax::PostfixVersion;

/// Lint Postfix configuration (main.cf, master.cf) before it is deployed.
#[derive(Debug, Parser)]
#[command(name = "postlint", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a Postfix configuration directory and report problems.
    Check(CheckArgs),
    /// Show what Postfix's own `postconf` would print, without Postfix installed.
    Postconf(PostconfArgs),
    /// List the rules, or explain one.
    Rule(RuleArgs),
    /// Show the effective value of each parameter a service runs with, and where it comes from.
    Effective(EffectiveArgs),
    /// Run the language server on stdin/stdout, for editors (VS Code, Neovim, Helix, Emacs, Zed).
    Server,
}

/// Parses `name=value` for `-o`.
fn parse_override(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected name=value"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("`{text}`: missing parameter name"));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// `postlint effective`.
#[derive(Debug, Args)]
pub struct EffectiveArgs {
    /// The configuration directory.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Only this master.cf service (`submission/inet`); without it, main.cf's global values.
    #[arg(long, value_name = "NAME/TYPE")]
    pub service: Option<String>,
    /// Show where each value comes from: the line that set it and each `$` reference followed.
    #[arg(long)]
    pub explain: bool,
    /// Only these parameters.
    #[arg(value_name = "PARAM")]
    pub names: Vec<String>,
    /// Show every parameter the service runs with, defaults included (default: only values
    /// that main.cf or master.cf set, and what they reference).
    #[arg(long)]
    pub all: bool,
    /// The host name Postfix would see, for host-dependent values ($myhostname, $mydomain).
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `postlint rule`.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule name (`unknown-parameter`) or code (`PL002`); without it, every rule is listed.
    pub name: Option<String>,
}

/// Options shared by every command that reads a configuration.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The Postfix release to check against (e.g. 3.7, 3.11).
    #[arg(long, value_name = "X.Y", default_value_t = PostfixVersion::NEWEST_STABLE)]
    pub postfix_version: PostfixVersion,
}

/// `postlint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Configuration directories (holding main.cf and optionally master.cf).
    #[arg(value_name = "DIR", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `postlint postconf`: the read-only views of Postfix's `postconf`, same flags and output.
#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "mirrors postconf's one-letter switches, of which clap allows one"
)]
#[command(
    after_help = "Output is byte-for-byte what Postfix's postconf prints for the same files. \
                  Warnings go to standard error."
)]
pub struct PostconfArgs {
    /// The configuration directory (default: /etc/postfix).
    #[arg(short = 'c', value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
    /// Show main.cf parameters that are set explicitly (postconf -n).
    #[arg(short = 'n', group = "view")]
    pub nondefault: bool,
    /// Show master.cf entries (postconf -M).
    #[arg(short = 'M', group = "view")]
    pub master: bool,
    /// Show master.cf fields as name/type/field = value (postconf -F).
    #[arg(short = 'F', group = "view")]
    pub fields: bool,
    /// Show master.cf -o parameters as name/type/parameter = value (postconf -P).
    #[arg(short = 'P', group = "view")]
    pub params: bool,
    /// Show built-in defaults of the target release (postconf -d).
    #[arg(short = 'd', group = "view")]
    pub defaults: bool,
    /// Expand `$name` in values (postconf -x; with -n, -P and -d).
    #[arg(short = 'x')]
    pub expand: bool,
    /// Override a main.cf parameter for this query (postconf -o name=value); repeatable.
    #[arg(short = 'o', value_name = "NAME=VALUE", value_parser = parse_override)]
    pub overrides: Vec<(String, String)>,
    /// The host name Postfix would see, for host-dependent values ($myhostname, $mydomain).
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,
    /// Parameter names (-n), or service[/type[/field-or-parameter]] patterns (-M, -F, -P).
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}
