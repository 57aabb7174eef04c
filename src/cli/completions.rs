//! `metareport completions SHELL`: a shell completion script, generated from the clap
//! definitions of the command line (`clap_complete`), printed to standard output.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::project::Failure;

/// Arguments of `metareport completions`.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Install the script where your shell looks for completions, for example:
  bash:        metareport completions bash > ~/.local/share/bash-completion/completions/metareport
  zsh:         metareport completions zsh > ~/.zfunc/_metareport
               (with `fpath+=~/.zfunc` before `compinit` in ~/.zshrc)
  fish:        metareport completions fish > ~/.config/fish/completions/metareport.fish
  powershell:  metareport completions powershell | Out-String | Invoke-Expression
               (in your $PROFILE)"
)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The completion script for `shell`, as text.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut super::Cli::command(), "metareport", &mut buf);
    buf
}

/// Prints the completion script.
pub fn run(args: CompletionsArgs) -> Result<(), Failure> {
    print(&script(args.shell))
}

/// Writes bytes to standard output; a closed pipe (`metareport man | head`) is not an error.
pub(crate) fn print(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Io(format!("cannot write to standard output: {e}"))),
    }
}
