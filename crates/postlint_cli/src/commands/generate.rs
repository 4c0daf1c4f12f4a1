//! `postlint completions SHELL` and `postlint man`: shell completion scripts and the manual
//! page, generated from the clap definition so they never drift from the flags.

use std::process::ExitCode;

use clap::CommandFactory as _;

use crate::args::Cli;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "postlint", &mut out);
    crate::render::write_stdout(&out);
    ExitCode::SUCCESS
}

/// Prints `postlint(1)` in roff, with a section for each subcommand.
pub fn man() -> ExitCode {
    let command = Cli::command();
    let mut out = Vec::new();
    if let Err(e) = render_man(&command, &mut out) {
        eprintln!("postlint: error: cannot render the manual page: {e}");
        return ExitCode::from(2);
    }
    crate::render::write_stdout(&out);
    ExitCode::SUCCESS
}

fn render_man(command: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("postlint {}", sub.get_name());
        let page = clap_mangen::Man::new(sub.clone().bin_name(name.clone()).display_name(name));
        out.extend_from_slice(
            format!(".SH \"POSTLINT {}\"\n", sub.get_name().to_uppercase()).as_bytes(),
        );
        page.render_synopsis_section(out)?;
        page.render_description_section(out)?;
        page.render_options_section(out)?;
        page.render_extra_section(out)?;
    }
    man.render_version_section(out)?;
    Ok(())
}
