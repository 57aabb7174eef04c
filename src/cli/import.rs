//! `metareport import FILE [DIR]`: a RevMan 5 `.rm5` file or a RevMan Web data package (zip
//! or folder) becomes a new project in DIR, which is then built; RevMan's stored results are
//! compared with metareport's (printed, and written to `DIR/analyses/import-check.md`).

use std::path::PathBuf;

use clap::Args;

use crate::build::{BuildOptions, build};
use crate::import;
use crate::project::Failure;

/// Arguments of `metareport import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A RevMan 5 review (.rm5) or a RevMan Web data package (its zip, or the folder it
    /// unpacks to).
    pub file: PathBuf,
    /// The new project's folder (default: a folder named after FILE, in the current directory).
    pub dir: Option<PathBuf>,
    /// Write the project and the comparison, but do not build out/.
    #[arg(long)]
    pub no_build: bool,
    /// Number of parallel jobs for the build (default: the number of CPUs).
    #[arg(long, short)]
    pub jobs: Option<usize>,
}

pub fn run(args: ImportArgs, quiet: bool) -> Result<(), Failure> {
    let dir = args.dir.unwrap_or_else(|| import::default_dir(&args.file));
    let imported = import::import(&args.file, &dir)?;
    if !quiet {
        print(&imported);
    }
    if args.no_build {
        if !quiet {
            println!(
                "next: metareport build {}   (outputs in {}/out/{}/)",
                dir.display(),
                dir.display(),
                imported.generated.id
            );
        }
        return Ok(());
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    build(
        &dir,
        &BuildOptions {
            force: false,
            check: false,
            jobs,
            quiet,
        },
    )?;
    Ok(())
}

fn print(i: &import::Imported) {
    let g = &i.generated;
    println!(
        "imported {} ({}) into {}",
        i.review.source,
        i.review.format.describe(),
        i.dir.display()
    );
    println!(
        "  {}: {} outcome(s){}{}",
        g.spec_path,
        g.outcomes.len(),
        if i.review.studies.is_empty() {
            String::new()
        } else {
            format!(", {} studies in Table 1", i.review.studies.len())
        },
        if i.review.risk_of_bias.is_some() {
            ", risk of bias in analyses/data/risk-of-bias.csv (read once metareport supports it)"
        } else {
            ""
        }
    );
    for r in &i.review.repairs {
        println!("  read with a repair: {r}");
    }
    if !g.changes.is_empty() {
        println!("changed to carry it over:");
        for c in &g.changes {
            println!("  - {c}");
        }
    }
    if !g.not_carried.is_empty() {
        println!(
            "not carried over (also listed in {}/README.md):",
            i.dir.display()
        );
        for c in &g.not_carried {
            println!("  - {c}");
        }
    }
    println!(
        "RevMan's stored results beside metareport's ({}/analyses/import-check.md):",
        i.dir.display()
    );
    print!("{}", import::compare::summary(&i.check));
}
