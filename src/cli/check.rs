//! `metareport check`: validate every spec and its data; write nothing.

use std::path::Path;

use crate::project::{Failure, Project};

pub fn run(dir: &Path, quiet: bool) -> Result<(), Failure> {
    let project = Project::open(dir)?;
    let specs = project.load_all()?;
    // Run the analyses too: data that validate can still be impossible to analyse.
    for spec in &specs {
        for o in &spec.outcomes {
            crate::stats::analyse(o.studies.clone(), &o.options)
                .map_err(|e| crate::build::analysis_failure(spec, o, e))?;
        }
    }
    if !quiet {
        let n: usize = specs.iter().map(|s| s.outcomes.len()).sum();
        println!("ok: {} review(s), {n} outcome(s)", specs.len());
    }
    Ok(())
}
