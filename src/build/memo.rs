//! One review's intermediates in a build, each made at most once: several outputs are made
//! from the same thing (the manuscript's typst source is the `.typ` file, the PDF's source,
//! both Word files' and the PRISMA checklist's; a figure's drawing is its SVG, its PNG, its
//! submission files and the documents' figures), and a job that needs one another job is
//! making waits for it rather than making it again. What is held is what the functions of
//! `produce.rs` and `submission.rs` would make, byte for byte, so outputs and the content keys
//! of `reuse.rs` are the same as when each job made its own.

use std::sync::{Arc, OnceLock};

use super::produce::{figure_plot, manuscript_typst_of, review_notes_of};
use crate::plot::canvas::Figure;
use crate::project::Failure;
use crate::report::docx::Document;
use crate::report::render::Templates;
use crate::spec::Spec;
use crate::stats::analysis::Analysis;

/// In-memory files of a document: (path, bytes).
pub type Files = Vec<(String, Vec<u8>)>;

type Cell<T> = OnceLock<Result<Arc<T>, Failure>>;

/// A review and its analyses, with what this build has made from them so far.
pub struct Review<'a> {
    pub spec: &'a Spec,
    pub analyses: &'a [Analysis],
    /// Each figure drawn (`produce::figure_plot`).
    plots: Vec<Cell<Figure>>,
    /// Each figure's SVG.
    svgs: Vec<Cell<String>>,
    /// The figure files the review's documents read (`produce::document_figures` under no
    /// prefix).
    figures: Cell<Files>,
    /// The manuscript's typst source.
    typst: Cell<String>,
    /// The files of the Word manuscript and the supplementary (`submission::files`).
    word_files: Cell<Files>,
    /// The manuscript read for Word, its citations resolved (`report::docx::document`).
    word: Cell<Document>,
    /// The PRISMA checklist's typst sources.
    checklist: Cell<crate::report::prisma_checklist::Sources>,
    /// The notes for the authors (`produce::review_notes`).
    notes: OnceLock<Vec<String>>,
}

fn cells<T>(n: usize) -> Vec<Cell<T>> {
    (0..n).map(|_| OnceLock::new()).collect()
}

/// The value of `cell`, made by `make` the first time.
fn once<T>(cell: &Cell<T>, make: impl FnOnce() -> Result<T, Failure>) -> Result<Arc<T>, Failure> {
    cell.get_or_init(|| make().map(Arc::new)).clone()
}

impl<'a> Review<'a> {
    pub fn new(spec: &'a Spec, analyses: &'a [Analysis]) -> Review<'a> {
        let n = spec.figures.len();
        Review {
            spec,
            analyses,
            plots: cells(n),
            svgs: cells(n),
            figures: OnceLock::new(),
            typst: OnceLock::new(),
            word_files: OnceLock::new(),
            word: OnceLock::new(),
            checklist: OnceLock::new(),
            notes: OnceLock::new(),
        }
    }

    /// Figure `fi`, drawn.
    pub fn plot(&self, fi: usize) -> Result<Arc<Figure>, Failure> {
        once(&self.plots[fi], || {
            figure_plot(self.spec, self.analyses, fi)
        })
    }

    /// Figure `fi`'s SVG.
    pub fn svg(&self, fi: usize) -> Result<Arc<String>, Failure> {
        once(&self.svgs[fi], || Ok(self.plot(fi)?.to_svg()))
    }

    /// The figure files of the review's documents, under no prefix.
    pub fn figures(&self) -> Result<Arc<Files>, Failure> {
        once(&self.figures, || super::produce::document_figures_of(self))
    }

    /// The manuscript's typst source.
    pub fn typst(&self, templates: &Templates) -> Result<Arc<String>, Failure> {
        once(&self.typst, || manuscript_typst_of(self, templates))
    }

    /// The files the Word manuscript and the supplementary read.
    pub fn word_files(&self, templates: &Templates) -> Result<Arc<Files>, Failure> {
        once(&self.word_files, || {
            super::submission::files_of(self, templates, "")
        })
    }

    /// The manuscript as the Word writer reads it, its citations and references resolved.
    pub fn word(&self, templates: &Templates) -> Result<Arc<Document>, Failure> {
        once(&self.word, || {
            let source = self.typst(templates)?;
            let files = self.word_files(templates)?;
            Ok(crate::report::docx::document(
                &source,
                &files,
                &self.spec.title,
            ))
        })
    }

    /// The PRISMA checklist's typst sources.
    pub fn checklist(
        &self,
        templates: &Templates,
    ) -> Result<Arc<crate::report::prisma_checklist::Sources>, Failure> {
        once(&self.checklist, || {
            super::submission::checklist_source_of(self, templates)
        })
    }

    /// The notes for the review's authors.
    pub fn notes(&self) -> &[String] {
        self.notes.get_or_init(|| review_notes_of(self))
    }
}
