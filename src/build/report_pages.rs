//! `report.pdf` from the reviews' own pages: a small typst document (a cover with the
//! contents, `templates/report_pdf.typ.j2`) followed by every review's compiled
//! `manuscript.pdf`, each page placed whole on a page of its own size (typst embeds a PDF page
//! as a vector form XObject, its fonts shared per source document, its text still text).
//! Nothing of a review is laid out again.
//!
//! The manuscript's bytes are this build's: a [`Manuscripts`] slot per review is filled once
//! per build by whichever job needs it first (the `manuscript.pdf` job or the report's), the
//! other waits; or, when the manuscript is not remade, the bytes `out/` holds — only when their
//! hash is the one the manifest recorded (`out/` may have been altered), and only when they
//! read as a PDF, else the manuscript is compiled again.
//!
//! Page numbers: the report's own pages (cover, contents, the appendix) print none; each
//! embedded page keeps the footer number it has in its manuscript; the contents give the page
//! of report.pdf on which each review starts (what a PDF viewer's page box shows). One PDF
//! bookmark per review (an invisible heading on its first page). Links inside a manuscript
//! (citations, cross-references) do not survive the embedding; its text does.

use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};

use super::reuse::{Content, Made, Reuse};
use crate::project::Failure;
use crate::report::render::Templates;
use crate::spec::{Reproducibility, Spec};

/// A review's compiled manuscript as the combined report embeds it.
#[derive(Debug)]
pub struct Manuscript {
    /// The PDF's bytes.
    pub bytes: Arc<Vec<u8>>,
    /// The size of each page (width, height as displayed), in points.
    pub pages: Vec<(f32, f32)>,
    /// The content key it was compiled from (`reuse.rs`); `None` when read from an up-to-date
    /// file whose target was not stale in this build.
    pub content: Option<String>,
    /// Whether the bytes are the file in `out/` (whose hash the manifest recorded).
    pub from_out: bool,
}

/// A review's manuscript PDF, or why it could not be made.
type Slot = OnceLock<Result<Arc<Manuscript>, Failure>>;

/// Each review's manuscript PDF, made once per build (a second job asking waits for the
/// first).
pub struct Manuscripts(Vec<Slot>);

impl Manuscripts {
    /// Empty slots for `n` reviews.
    pub fn new(n: usize) -> Manuscripts {
        Manuscripts((0..n).map(|_| OnceLock::new()).collect())
    }

    /// Review `si`'s manuscript, made by `make` when no job has made it yet.
    pub fn get(
        &self,
        si: usize,
        make: impl FnOnce() -> Result<Manuscript, Failure>,
    ) -> Result<Arc<Manuscript>, Failure> {
        self.0[si].get_or_init(|| make().map(Arc::new)).clone()
    }
}

/// At most this many pages are read from a manuscript PDF in `out/` (a review's manuscript of
/// a million studies is far fewer); a file with more, or with pages of no sensible size, is
/// not embedded: the manuscript is compiled again.
const MAX_PAGES: usize = 100_000;

/// The size of each page of a PDF (width, height as displayed, in points), or `None` when the
/// bytes do not read as a PDF with pages of a sensible size (1 pt to 200 inches a side).
pub fn page_sizes(bytes: &Arc<Vec<u8>>) -> Option<Vec<(f32, f32)>> {
    let pdf = hayro_syntax::Pdf::new(bytes.clone()).ok()?;
    let pages = pdf.pages();
    if pages.is_empty() || pages.len() > MAX_PAGES {
        return None;
    }
    let sizes: Vec<(f32, f32)> = pages.iter().map(|p| p.render_dimensions()).collect();
    let sensible = |x: f32| x.is_finite() && (1.0..=14_400.0).contains(&x);
    sizes
        .iter()
        .all(|&(w, h)| sensible(w) && sensible(h))
        .then_some(sizes)
}

/// A manuscript made in this build from its compiled bytes.
pub fn compiled(bytes: Vec<u8>, content: Option<String>) -> Result<Manuscript, Failure> {
    let bytes = Arc::new(bytes);
    let pages = page_sizes(&bytes).ok_or_else(|| {
        Failure::Io("a manuscript PDF typst made does not read back as a PDF".into())
    })?;
    Ok(Manuscript {
        bytes,
        pages,
        content,
        from_out: false,
    })
}

/// A manuscript from the bytes of its file in `out/` (already checked against the manifest),
/// or `None` when they do not read as a PDF fit to embed.
pub fn from_out(bytes: Vec<u8>, content: Option<String>) -> Option<Manuscript> {
    let bytes = Arc::new(bytes);
    let pages = page_sizes(&bytes)?;
    Some(Manuscript {
        bytes,
        pages,
        content,
        from_out: true,
    })
}

/// The path of a review's manuscript in the report's typst source (relative to `out/`, where
/// the report is: the file it embeds).
fn manuscript_path(spec: &Spec) -> String {
    format!("{}/manuscript.pdf", spec.id)
}

/// A length in points as the template prints it (fixed decimals: the same text in every build).
fn points(x: f32) -> String {
    format!("{x:.3}")
}

/// The typst source of `report.pdf`: the cover and contents, then every page of each review's
/// manuscript (`templates/report_pdf.typ.j2`).
pub fn report_pdf_typst(
    specs: &[Spec],
    manuscripts: &[Arc<Manuscript>],
    templates: &Templates,
) -> Result<String, Failure> {
    let reviews: Vec<Value> = specs
        .iter()
        .zip(manuscripts)
        .enumerate()
        .map(|(i, (spec, m))| {
            let mut r = json!({
                "title": spec.title,
                "authors": spec.authors,
                "label": format!("review{}", i + 1),
                "pdf": manuscript_path(spec),
                "pages": m.pages.iter().map(|&(w, h)| json!({"width": points(w), "height": points(h)})).collect::<Vec<_>>(),
                "reproducibility": null,
            });
            // A manuscript without its reproducibility record: the report's appendix keeps it.
            if spec.reproducibility == Reproducibility::None {
                r["reproducibility"] = json!({
                    "appendix": false,
                    "version": crate::results::VERSION,
                    "preset": spec.preset.name(),
                    "inputs": spec.inputs,
                });
            }
            r
        })
        .collect();
    super::produce::render(
        templates,
        "report_pdf.typ.j2",
        &json!({"reviews": reviews, "version": crate::results::VERSION}),
        "combined report",
    )
}

/// The files the report's source reads: each review's manuscript PDF.
fn report_files(specs: &[Spec], manuscripts: &[Arc<Manuscript>]) -> Vec<(String, Vec<u8>)> {
    specs
        .iter()
        .zip(manuscripts)
        .map(|(s, m)| (manuscript_path(s), m.bytes.as_ref().clone()))
        .collect()
}

/// The content key of `report.pdf`: its source and the hash of every manuscript it embeds,
/// so any change of a manuscript's bytes remakes it.
fn report_content(source: &str, specs: &[Spec], manuscripts: &[Arc<Manuscript>]) -> String {
    let mut c = Content::new("report-pdf").part(source.as_bytes());
    for (s, m) in specs.iter().zip(manuscripts) {
        c = c
            .part(manuscript_path(s).as_bytes())
            .part(blake3::hash(&m.bytes).as_bytes());
    }
    c.finish()
}

fn compile_report(
    source: &str,
    specs: &[Spec],
    manuscripts: &[Arc<Manuscript>],
) -> Result<Vec<u8>, Failure> {
    crate::report::compile::pdf(source, report_files(specs, manuscripts), "report").map_err(|e| {
        super::produce::compile_failure(
            "the combined report",
            "templates/report_pdf.typ.j2 rendered",
            &e,
        )
    })
}

/// `report.pdf` in a build: kept when the file in `out/` was made from the same source and
/// manuscripts, else compiled.
pub fn report_pdf_made(
    specs: &[Spec],
    manuscripts: &[Arc<Manuscript>],
    templates: &Templates,
    reuse: &Reuse,
    path: &str,
) -> Result<Made, Failure> {
    let source = report_pdf_typst(specs, manuscripts, templates)?;
    let c = report_content(&source, specs, manuscripts);
    reuse.or_make(path, c, || compile_report(&source, specs, manuscripts))
}

/// `report.pdf` from each review's compiled manuscript PDF (in the order of `specs`).
pub fn report_pdf(
    specs: &[Spec],
    manuscripts: Vec<Vec<u8>>,
    templates: &Templates,
) -> Result<Vec<u8>, Failure> {
    let ms = manuscripts
        .into_iter()
        .map(|b| compiled(b, None).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()?;
    let source = report_pdf_typst(specs, &ms, templates)?;
    compile_report(&source, specs, &ms)
}
