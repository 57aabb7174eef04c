//! The command line: one file per subcommand. Each `run` returns `Result<(), Failure>`; only
//! `main.rs` prints errors and chooses the exit code.

pub mod build;
pub mod check;
pub mod schema;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// metareport: meta-analysis reports from YAML specs and CSV data.
///
/// Exit codes: 0 success; 1 invalid input, an analysis that cannot be run, or stale outputs
/// (`build --check`); 2 I/O or internal error.
#[derive(Debug, Parser)]
#[command(name = "metareport", version, about, long_about)]
pub struct Cli {
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every review in analyses/ into out/ (only what is stale).
    Build {
        /// Project directory (default: the current directory).
        dir: Option<PathBuf>,
        /// Rebuild everything.
        #[arg(long)]
        force: bool,
        /// Write nothing; exit 1 if any output is out of date (for CI).
        #[arg(long)]
        check: bool,
        /// Number of parallel jobs (default: the number of CPUs).
        #[arg(long, short)]
        jobs: Option<usize>,
    },
    /// Validate the project's specs and data without writing anything.
    Check {
        /// Project directory (default: the current directory).
        dir: Option<PathBuf>,
    },
    /// Print the JSON Schema of the review spec.
    Schema,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), crate::project::Failure> {
    match cli.command {
        Command::Build { dir, force, check, jobs } => build::run(&dir.unwrap_or_else(|| PathBuf::from(".")), force, check, jobs, cli.quiet),
        Command::Check { dir } => check::run(&dir.unwrap_or_else(|| PathBuf::from(".")), cli.quiet),
        Command::Schema => schema::run(),
    }
}
