use clap::Parser;

fn main() {
    // A mistake on the command line is invalid input: exit 1, as documented (clap's own
    // default is 2, which the README keeps for I/O and internal errors). `--help` and
    // `--version` print to standard output and exit 0.
    let cli = match metareport::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 1 } else { 0 });
        }
    };
    if let Err(f) = metareport::cli::run(cli) {
        eprintln!("{f}");
        std::process::exit(f.exit_code());
    }
}
