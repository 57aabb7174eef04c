//! `metareport man [COMMAND]`: manual pages in roff, generated from the clap definitions of the
//! command line (`clap_mangen`): metareport(1), which lists every subcommand, and one page per
//! subcommand, metareport-build(1) and so on, as git and cargo have them. `--out-dir DIR`
//! writes them all as files, ready for `MANPATH`.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_mangen::Man;

use crate::diag::{Diagnostic, did_you_mean};
use crate::project::Failure;

/// Arguments of `metareport man`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  metareport man | man -l -                 read it now
  metareport man build | man -l -           the page of `metareport build`
  metareport man --out-dir ~/.local/share/man/man1
                                            install every page; then `man metareport`")]
pub struct ManArgs {
    /// A subcommand whose page to print, e.g. `build` for metareport-build(1)
    /// (default: metareport(1)).
    pub command: Option<String>,
    /// Write every page (metareport.1, metareport-build.1, …) into this directory
    /// (created if missing) instead of printing one.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out_dir: Option<PathBuf>,
}

/// The command line as the pages describe it: built, so that subcommands know their full
/// names ("metareport build"), without clap's `help` subcommand.
fn command() -> clap::Command {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

fn render(cmd: clap::Command) -> Result<(String, Vec<u8>), Failure> {
    // Every page's footer names the release (a subcommand has no version of its own); the
    // source fingerprint is in metareport(1)'s VERSION section.
    let man = Man::new(cmd).source(concat!("metareport ", env!("CARGO_PKG_VERSION")));
    let mut buf = Vec::new();
    man.render(&mut buf)
        .map_err(|e| Failure::Io(format!("cannot render the manual page: {e}")))?;
    Ok((man.get_filename(), buf))
}

/// Every page: metareport.1 first, then one per visible subcommand, as (file name, roff).
pub fn pages() -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let cmd = command();
    let mut out = vec![render(cmd.clone())?];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out.push(render(sub.clone())?);
    }
    Ok(out)
}

/// The page of one subcommand (`Some("build")`) or of metareport itself (`None`), in roff.
pub fn page(command_name: Option<&str>) -> Result<Vec<u8>, Failure> {
    let cmd = command();
    let Some(name) = command_name else {
        return Ok(render(cmd)?.1);
    };
    let names: Vec<&str> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name())
        .collect();
    match cmd.find_subcommand(name).filter(|s| !s.is_hide_set()) {
        Some(sub) => Ok(render(sub.clone())?.1),
        None => {
            let mut d = Diagnostic::file("metareport man", format!("no subcommand `{name}`"));
            d.hint = Some(match did_you_mean(name, names.iter().copied()) {
                Some(m) => format!("did you mean `{m}`?"),
                None => format!("subcommands: {}", names.join(", ")),
            });
            Err(Failure::Input(d.into()))
        }
    }
}

fn write_all(dir: &Path) -> Result<(), Failure> {
    let io = |what: &str, p: &Path, e: std::io::Error| {
        Failure::Io(format!("cannot {what} {}: {e}", p.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| io("create", dir, e))?;
    for (name, roff) in pages()? {
        let p = dir.join(name);
        std::fs::write(&p, roff).map_err(|e| io("write", &p, e))?;
    }
    Ok(())
}

/// Prints one page, or writes every page into `--out-dir`.
pub fn run(args: ManArgs, quiet: bool) -> Result<(), Failure> {
    match &args.out_dir {
        Some(dir) => {
            write_all(dir)?;
            if !quiet {
                eprintln!("wrote the manual pages into {}", dir.display());
            }
            Ok(())
        }
        None => super::completions::print(&page(args.command.as_deref())?),
    }
}
