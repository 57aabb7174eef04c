//! `metareport check`: everything `build` does short of writing — validate every spec and its
//! data, run the analyses, draw the figures, render the templates and compile the documents in
//! memory — so that a project `check` passes also builds. It prints the notes `build` prints.

use std::path::Path;

use crate::build::produce::{analyse_spec, manuscript_pdf, review_notes};
use crate::project::{Failure, Project};
use crate::report::render::Templates;

pub fn run(dir: &Path, quiet: bool) -> Result<(), Failure> {
    let project = Project::open(dir)?;
    let specs = project.load_all()?;
    let templates = Templates::load(dir)?;
    let mut notes = Vec::new();
    let mut manuscripts = Vec::with_capacity(specs.len());
    for spec in &specs {
        let a = analyse_spec(spec)?;
        manuscripts.push(manuscript_pdf(spec, &a, &templates)?);
        notes.extend(review_notes(spec, &a));
    }
    if !specs.is_empty() {
        // report.pdf embeds the manuscripts' pages as they are.
        crate::build::report_pages::report_pdf(&specs, manuscripts, &templates)?;
    }
    if !quiet {
        // The notes `build` would print (and write to each review's notes.txt).
        for note in &notes {
            eprintln!("note: {note}");
        }
        let n: usize = specs.iter().map(|s| s.outcomes.len()).sum();
        super::say(format!("ok: {} review(s), {n} outcome(s)", specs.len()))?;
    }
    Ok(())
}
