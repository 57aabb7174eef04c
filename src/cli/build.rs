//! `metareport build [DIR]`: build every review in `DIR/analyses/` into `DIR/out/`, rebuilding
//! only what is stale.

use std::path::Path;

use crate::build::{BuildOptions, build};
use crate::project::Failure;

pub fn run(
    dir: &Path,
    force: bool,
    check: bool,
    jobs: Option<usize>,
    quiet: bool,
) -> Result<(), Failure> {
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let summary = build(
        dir,
        &BuildOptions {
            force,
            check,
            jobs,
            quiet,
        },
    )?;
    if check && !quiet {
        super::say(format!("ok: {} outputs up to date", summary.fresh))?;
    }
    Ok(())
}
