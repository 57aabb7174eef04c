use clap::Parser;

fn main() {
    let cli = metareport::cli::Cli::parse();
    if let Err(f) = metareport::cli::run(cli) {
        eprintln!("{f}");
        std::process::exit(f.exit_code());
    }
}
