//! Making the Word files and the journal submission package (`out/<review>/submission/`):
//! the manuscript as DOCX, the figures to the journal's rules (`Fig1.tif`, `Fig2.pdf`…,
//! numbered as in the manuscript), the PRISMA 2020 checklist (DOCX and PDF), the
//! supplementary PDF and a README.

use crate::plot::export::{self, Format, PT_PER_MM, Placement};
use crate::project::Failure;
use crate::report::context::{figure_ref, review_context};
use crate::report::docx::{self, Docx};
use crate::report::render::Templates;
use crate::report::{compile, prisma_checklist, supplementary};
use crate::spec::Spec;
use crate::stats::analysis::Analysis;

use std::sync::Arc;

use super::memo::{Files, Review};
use super::produce::{prefixed, report_typst_of};
use super::reuse::{Content, Made};

fn failure(what: &str, e: String) -> Failure {
    Failure::Input(crate::diag::Diagnostic::file(what, e).into())
}

/// The in-memory files of a review's document: its figures' SVGs (under `prefix`; a figure
/// set over pages as one SVG per page), the bibliography and the journal style.
pub(crate) fn files_of(
    r: &Review,
    templates: &Templates,
    prefix: &str,
) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    // The same files as the PDF's (`produce::document_figures`): a figure set over pages is
    // one SVG per page, each holding only its rows.
    let mut files = prefixed(r.figures()?.as_ref().clone(), prefix);
    files.push((
        "references.yml".into(),
        templates.references.clone().into_bytes(),
    ));
    // The journal style's CSL, as the PDF is given it (`compile.rs`).
    files.push((
        crate::report::render::VANCOUVER_PATH.into(),
        crate::report::render::VANCOUVER_CSL.as_bytes().to_vec(),
    ));
    Ok(files)
}

/// The manuscript of one review as a Word file (`embed_figures: false` for the submission
/// copy, whose figures are separate files).
pub fn manuscript_docx(
    spec: &Spec,
    analyses: &[Analysis],
    templates: &Templates,
    embed_figures: bool,
) -> Result<Docx, Failure> {
    let r = Review::new(spec, analyses);
    docx_of(
        spec,
        r.word(templates)?.as_ref().clone(),
        &r.word_files(templates)?,
        embed_figures,
    )
}

/// A review's Word manuscript from its document (`report::docx::document` of its typst
/// source and files, `Review::word`) and files.
pub(crate) fn docx_of(
    spec: &Spec,
    document: docx::Document,
    files: &[(String, Vec<u8>)],
    embed_figures: bool,
) -> Result<Docx, Failure> {
    docx::write_docx(document, files, docx::Options { embed_figures })
        .map_err(|e| failure(&spec.file, e))
}

/// The combined report as a Word file.
pub fn report_docx(
    specs: &[Spec],
    analyses: &[Vec<Analysis>],
    templates: &Templates,
) -> Result<Docx, Failure> {
    let reviews: Vec<Review> = specs
        .iter()
        .zip(analyses)
        .map(|(s, a)| Review::new(s, a))
        .collect();
    let reviews: Vec<&Review> = reviews.iter().collect();
    let source = Arc::new(report_typst_of(&reviews, templates)?);
    let (source, all) = report_docx_inputs_of(&reviews, source, templates)?;
    report_docx_from(&source, &all)
}

/// What the combined report's Word file is made from: its typst source (`source`, the
/// `report.typ` of `produce::report_typst`) and every review's files.
pub(crate) fn report_docx_inputs_of(
    reviews: &[&Review],
    source: Arc<String>,
    templates: &Templates,
) -> Result<(Arc<String>, Files), Failure> {
    let mut all = vec![
        (
            "references.yml".to_string(),
            templates.references.clone().into_bytes(),
        ),
        (
            crate::report::render::VANCOUVER_PATH.to_string(),
            crate::report::render::VANCOUVER_CSL.as_bytes().to_vec(),
        ),
    ];
    for r in reviews {
        let mut f = files_of(r, templates, &format!("{}/", r.spec.id))?;
        f.retain(|(p, _)| p != "references.yml" && p != crate::report::render::VANCOUVER_PATH);
        all.extend(f);
    }
    Ok((source, all))
}

/// The combined report's Word file from its typst source and files.
pub(crate) fn report_docx_from(source: &str, all: &[(String, Vec<u8>)]) -> Result<Docx, Failure> {
    docx::from_typst(
        source,
        all,
        "Meta-analysis report",
        docx::Options {
            embed_figures: true,
        },
    )
    .map_err(|e| failure("the combined report", e))
}

/// Figure `fi` of a spec in `format`, at the submission's width, its text checked against the
/// journal's minimum.
pub fn figure_file(
    spec: &Spec,
    analyses: &[Analysis],
    fi: usize,
    format: Format,
) -> Result<Vec<u8>, Failure> {
    let made = figure_file_reusing(&Review::new(spec, analyses), fi, format, Err)?;
    Ok(made.bytes.expect("nothing is kept without a content key"))
}

/// [`figure_file`] with early cutoff: `kept` is given the content key of what the file is
/// made from (the figure's SVG, its size, the submission settings, the format and number)
/// and answers whether the file in `out/` is already that (`reuse.rs`); only then is the
/// figure's text checked and the file rasterised or converted.
pub(crate) fn figure_file_reusing(
    r: &Review,
    fi: usize,
    format: Format,
    kept: impl FnOnce(String) -> Result<Made, String>,
) -> Result<Made, Failure> {
    let spec = r.spec;
    let sub = spec
        .submission
        .as_ref()
        .expect("submission figures are planned only with `submission:`");
    let fig = r.plot(fi)?;
    let name = format!(
        "figure {} ({})",
        fi + 1,
        figure_ref(spec, &spec.figures[fi]).path
    );
    let placement = Placement {
        width_mm: sub.width_mm,
        min_text_pt: sub.min_text_pt,
        journal: sub.min_text_source.clone(),
    };
    let svg = r.svg(fi)?;
    let content = serde_json::to_vec(&(sub, format, fi, fig.width, fig.height))
        .map_err(|e| Failure::Io(e.to_string()))?;
    let content = Content::new("submission-figure")
        .part(spec.id.as_bytes())
        .part(&content)
        .part(svg.as_bytes())
        .finish();
    let content = match kept(content) {
        Ok(made) => return Ok(made),
        Err(c) => c,
    };
    export::check_text(&name, &fig, &placement).map_err(|e| failure(&spec.file, e))?;
    let rasters = sub.formats.iter().filter(|f| f.is_raster()).count();
    let width_pt = sub.width_mm * PT_PER_MM;
    let height_pt = fig.height * width_pt / fig.width;
    let out = match format {
        Format::Svg => {
            Ok(export::svg_at_width(&svg, (fig.width, fig.height), width_pt).into_bytes())
        }
        // The PNG and the TIFF of a figure are the same pixels: drawn once for both.
        Format::Png => export::shared_png(&svg, width_pt, sub.dpi, rasters),
        Format::Tiff => export::shared_tiff(&svg, width_pt, sub.dpi, rasters),
        Format::Pdf => export::pdf::pdf(
            &svg,
            width_pt,
            height_pt,
            &format!("{}/Fig{}", spec.id, fi + 1),
            &figure_ref(spec, &spec.figures[fi]).path,
        ),
        Format::Eps => export::eps::eps(&svg, width_pt, &format!("{} Fig{}", spec.id, fi + 1)),
    };
    out.map(|b| Made::with(b, content))
        .map_err(|e| failure(&spec.file, format!("{name}: {e}")))
}

/// The PRISMA 2020 checklist: its typst sources (for the PDF and the Word file).
pub(crate) fn checklist_source(
    spec: &Spec,
    analyses: &[Analysis],
    templates: &Templates,
) -> Result<prisma_checklist::Sources, Failure> {
    checklist_source_of(&Review::new(spec, analyses), templates)
}

/// [`checklist_source`] of a review (`Review::checklist` holds it).
pub(crate) fn checklist_source_of(
    r: &Review,
    templates: &Templates,
) -> Result<prisma_checklist::Sources, Failure> {
    // Locations name the manuscript's figure and table numbers: read them from its document
    // (the Word writer's: numbers do not depend on the citations it resolves).
    let doc = r.word(templates)?;
    let ctx = review_context(r.spec, r.analyses);
    let locations = prisma_checklist::locations(r.spec, &ctx, &doc);
    Ok(prisma_checklist::sources(r.spec, &locations))
}

/// The PRISMA 2020 checklist as a Word file.
pub fn checklist_docx(
    spec: &Spec,
    analyses: &[Analysis],
    templates: &Templates,
) -> Result<Vec<u8>, Failure> {
    checklist_docx_from(spec, &checklist_source(spec, analyses, templates)?.markup)
}

/// The PRISMA 2020 checklist as a Word file, from its typst markup.
pub(crate) fn checklist_docx_from(spec: &Spec, source: &str) -> Result<Vec<u8>, Failure> {
    docx::from_typst(
        source,
        &[],
        "PRISMA 2020 checklist",
        docx::Options {
            embed_figures: false,
        },
    )
    .map(|d| d.bytes)
    .map_err(|e| failure(&spec.file, e))
}

/// The PRISMA 2020 checklist as a PDF.
pub fn checklist_pdf(
    spec: &Spec,
    analyses: &[Analysis],
    templates: &Templates,
) -> Result<Vec<u8>, Failure> {
    checklist_pdf_from(spec, &checklist_source(spec, analyses, templates)?)
}

/// The PRISMA 2020 checklist as a PDF, from its typst sources: the main file and the module of
/// what every review's checklist has in common (`prisma_checklist::MODULE`).
pub(crate) fn checklist_pdf_from(
    spec: &Spec,
    source: &prisma_checklist::Sources,
) -> Result<Vec<u8>, Failure> {
    let module = vec![(
        prisma_checklist::MODULE_PATH.to_string(),
        prisma_checklist::MODULE.as_bytes().to_vec(),
    )];
    let ident = format!("{}/prisma-checklist", spec.id);
    compile::pdf(&source.pdf_main, module, &ident).map_err(|e| {
        failure(
            &spec.file,
            format!("the PRISMA checklist does not compile: {e}"),
        )
    })
}

/// The supplementary PDF.
pub fn supplementary_pdf(
    spec: &Spec,
    analyses: &[Analysis],
    templates: &Templates,
) -> Result<Vec<u8>, Failure> {
    let (source, files) = supplementary_inputs_of(&Review::new(spec, analyses), templates)?;
    supplementary_from(spec, &source, files)
}

/// What the supplementary PDF is compiled from: its typst source and the files it reads (the
/// Word manuscript's).
pub(crate) fn supplementary_inputs_of(
    r: &Review,
    templates: &Templates,
) -> Result<super::reuse::Inputs, Failure> {
    Ok((
        supplementary::typst(r.spec, r.analyses),
        r.word_files(templates)?.as_ref().clone(),
    ))
}

/// The supplementary PDF from its typst source and files.
pub(crate) fn supplementary_from(
    spec: &Spec,
    source: &str,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<u8>, Failure> {
    compile::pdf(source, files, &format!("{}/supplementary", spec.id)).map_err(|e| {
        failure(
            &spec.file,
            format!("the supplementary material does not compile: {e}"),
        )
    })
}

/// The file names of the submission's figures: `Fig{n}.{ext}` for figure n of the manuscript.
pub fn figure_file_name(number: usize, format: Format) -> String {
    format!("Fig{number}.{}", format.extension())
}

/// README.txt: what each file of the package is for.
pub fn readme(spec: &Spec) -> Vec<u8> {
    let sub = spec
        .submission
        .as_ref()
        .expect("the submission README is planned only with `submission:`");
    let journal = export::journals::find(&sub.journal).expect("validated journal");
    let mut s = String::new();
    s.push_str(&format!("Submission package: {}\n", spec.title));
    s.push_str(&format!(
        "Made by metareport {} from {} for {} (figure rules: journal preset `{}`).\n\n",
        crate::results::VERSION,
        spec.file,
        journal.title,
        journal.name
    ));
    s.push_str("manuscript.docx\n    The manuscript as a Word document: headings, text, tables (editable), figure\n    captions and references. Figures are not embedded; upload them as the files below.\n");
    for (fi, f) in spec.figures.iter().enumerate() {
        let r = figure_ref(spec, f);
        let names: Vec<String> = sub
            .formats
            .iter()
            .map(|fmt| figure_file_name(fi + 1, *fmt))
            .collect();
        s.push_str(&format!(
            "{}\n    Figure {}: {}\n",
            names.join(", "),
            fi + 1,
            r.caption
        ));
    }
    if !spec.figures.is_empty() {
        let mut formats = Vec::new();
        for f in &sub.formats {
            formats.push(match f {
                Format::Tiff => format!("TIFF (LZW, 8-bit RGB, no alpha, {} dpi)", sub.dpi),
                Format::Png => format!("PNG ({} dpi)", sub.dpi),
                Format::Pdf => "PDF (vector, fonts embedded)".to_string(),
                Format::Eps => "EPS (vector, text as outlines, no preview)".to_string(),
                Format::Svg => "SVG (vector, text as text in Liberation Sans)".to_string(),
            });
        }
        s.push_str(&format!(
            "    All figures {:.1} mm wide ({} pt), text at least {} pt at that width ({}); {}.\n",
            sub.width_mm,
            (sub.width_mm * PT_PER_MM * 10.0).round() / 10.0,
            sub.min_text_pt,
            sub.min_text_source,
            formats.join("; ")
        ));
    }
    s.push_str("prisma-checklist.docx, prisma-checklist.pdf\n    The PRISMA 2020 checklist and the PRISMA 2020 for Abstracts checklist with the\n    location of each item; the items left blank are for the authors to complete (see its notes).\n");
    s.push_str("supplementary.pdf\n    Supplementary material: every sensitivity analysis (leave-one-out, cumulative, exclusions)\n    as tables and figures, and the reproducibility record (input files and their BLAKE3 hashes).\n");
    s.push_str("README.txt\n    This file.\n\n");
    s.push_str(&format!("Journal preset `{}` read from:\n", journal.name));
    for src in journal.sources {
        s.push_str(&format!("    {src}\n"));
    }
    if !journal.notes.is_empty() {
        s.push_str(&format!("Notes: {}\n", journal.notes));
    }
    s.push_str("Check the journal's current instructions for authors before submitting.\n");
    s.replace('\n', "\r\n").into_bytes()
}
