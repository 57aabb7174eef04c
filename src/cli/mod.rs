//! The command line: one file per subcommand. Each `run` returns `Result<(), Failure>`; only
//! `main.rs` prints errors and chooses the exit code.

pub mod build;
pub mod check;
pub mod clean;
pub mod completions;
pub mod diff;
pub mod explain;
pub mod import;
pub mod init;
pub mod man;
pub mod pool;
pub mod schema;
pub mod templates;
pub mod watch;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// `metareport --version`: the version and the source fingerprint that is part of every cache
/// key (`results::FINGERPRINT`), e.g. "0.1.0 (source 1a2b3c4d5e6f7a8b)".
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (source ",
    env!("METAREPORT_FINGERPRINT"),
    ")"
);

/// metareport: meta-analysis reports from YAML specs and CSV data.
///
/// Exit codes: 0 success; 1 invalid input, an analysis that cannot be run, or stale outputs
/// (`build --check`); 2 I/O or internal error.
#[derive(Debug, Parser)]
#[command(name = "metareport", version = VERSION, about, long_about)]
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
    /// Scaffold a new review project (an example spec and data that build).
    Init {
        /// Directory to create the project in (default: the current directory).
        dir: Option<PathBuf>,
    },
    /// Remove what metareport built in out/.
    Clean {
        /// Project directory (default: the current directory).
        dir: Option<PathBuf>,
    },
    /// Show what an output depends on and whether it is stale.
    Explain {
        /// The output, e.g. out/bcg/results.json.
        output: String,
        /// Project directory (default: the current directory).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Rebuild on every change to specs, data or templates.
    Watch {
        /// Project directory (default: the current directory).
        dir: Option<PathBuf>,
        /// Number of parallel jobs.
        #[arg(long, short)]
        jobs: Option<usize>,
        /// Stop after this many builds (for scripts and tests).
        #[arg(long, hide = true)]
        builds: Option<usize>,
    },
    /// Import a RevMan review (.rm5, or a RevMan Web data package) as a new project, build it
    /// and compare metareport's results with those RevMan stored.
    Import(import::ImportArgs),
    /// Pool one CSV without a spec; print the results JSON.
    Pool(pool::PoolArgs),
    /// Print the JSON Schema of the review spec.
    Schema,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), or write every page with --out-dir.
    Man(man::ManArgs),
    /// What changed in the paper between two versions: git revisions (default HEAD and the
    /// working tree) or two directories. Exit 0: no change; 1: changes; 2: error.
    Diff(diff::DiffArgs),
    /// The built-in manuscript templates, to override in a project.
    Templates {
        #[command(subcommand)]
        action: TemplatesAction,
    },
}

/// What `metareport templates` does.
#[derive(Debug, Subcommand)]
pub enum TemplatesAction {
    /// Write the built-in templates and references.yml into DIR (default: templates), where a
    /// project's copies override the built-in ones.
    Export {
        /// Directory to write them to (default: templates).
        dir: Option<PathBuf>,
        /// Overwrite files that exist.
        #[arg(long)]
        force: bool,
    },
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), crate::project::Failure> {
    match cli.command {
        Command::Build {
            dir,
            force,
            check,
            jobs,
        } => build::run(
            &dir.unwrap_or_else(|| PathBuf::from(".")),
            force,
            check,
            jobs,
            cli.quiet,
        ),
        Command::Check { dir } => check::run(&dir.unwrap_or_else(|| PathBuf::from(".")), cli.quiet),
        Command::Init { dir } => init::run(&dir.unwrap_or_else(|| PathBuf::from(".")), cli.quiet),
        Command::Clean { dir } => clean::run(&dir.unwrap_or_else(|| PathBuf::from(".")), cli.quiet),
        Command::Explain { output, dir } => explain::run(&dir, &output),
        Command::Watch { dir, jobs, builds } => watch::run(
            &dir.unwrap_or_else(|| PathBuf::from(".")),
            jobs,
            cli.quiet,
            builds,
        ),
        Command::Import(args) => import::run(args, cli.quiet),
        Command::Pool(args) => pool::run(args),
        Command::Schema => schema::run(),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args, cli.quiet),
        Command::Diff(args) => diff::run(args),
        Command::Templates {
            action: TemplatesAction::Export { dir, force },
        } => templates::export(
            &dir.unwrap_or_else(|| PathBuf::from("templates")),
            force,
            cli.quiet,
        ),
    }
}
