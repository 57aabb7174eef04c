//! `report.pdf`: a cover with the contents, then every review's `manuscript.pdf`, page for
//! page as it was compiled (`src/build/report_pages.rs`). Read with typst's own PDF reader
//! (hayro-syntax), no poppler.

use std::path::Path;

use hayro_syntax::Pdf;
use hayro_syntax::object::{Array, Dict, MaybeRef, ObjectIdentifier, String as PdfString};

use super::common::{build_quiet, built, project};

fn frame_text(frame: &typst::layout::Frame, out: &mut String) {
    for (_, item) in frame.items() {
        match item {
            typst::layout::FrameItem::Text(t) => out.push_str(&t.text),
            typst::layout::FrameItem::Group(g) => frame_text(&g.frame, out),
            _ => {}
        }
        out.push(' ');
    }
}

fn pdf(dir: &Path, rel: &str) -> Pdf {
    Pdf::new(std::fs::read(dir.join("out").join(rel)).unwrap()).unwrap()
}

fn sizes(p: &Pdf) -> Vec<(f32, f32)> {
    p.pages().iter().map(|p| p.render_dimensions()).collect()
}

/// The PDF's bookmarks: each title and the index of the page it goes to.
fn bookmarks(p: &Pdf) -> Vec<(String, usize)> {
    let pages: Vec<ObjectIdentifier> = p
        .pages()
        .iter()
        .map(|pg| pg.raw().obj_id().expect("pages are indirect objects"))
        .collect();
    let root: Dict = p.xref().get(p.xref().root_id()).unwrap();
    let Some(outlines) = root.get::<Dict>("Outlines") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut item = outlines.get::<Dict>("First");
    while let Some(d) = item {
        let title = d.get::<PdfString>("Title").unwrap();
        let dest = d.get::<Array>("Dest").unwrap();
        let Some(MaybeRef::Ref(page)) = dest.raw_iter().next() else {
            panic!("a destination without a page");
        };
        let page = pages
            .iter()
            .position(|id| *id == ObjectIdentifier::from(page))
            .unwrap();
        out.push((String::from_utf8_lossy(title.as_bytes()).into_owned(), page));
        item = d.get::<Dict>("Next");
    }
    out
}

fn titles(dir: &Path) -> Vec<(String, String)> {
    metareport::project::Project::open(dir)
        .unwrap()
        .load_all()
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s.title))
        .collect()
}

/// Checks that `report.pdf` of the built project in `dir` is one A4 cover page, then each
/// review's manuscript pages at their own sizes, with one bookmark per review at its first
/// page, and about the manuscripts' size; returns the report's page sizes.
fn assert_cover_then_manuscripts(dir: &Path) -> Vec<(f32, f32)> {
    let report = pdf(dir, "report.pdf");
    let mut expected = vec![(595.276_f32, 841.89_f32)];
    let mut marks = Vec::new();
    let mut manuscripts_size = 0;
    for (id, title) in titles(dir) {
        let rel = format!("{id}/manuscript.pdf");
        let m = pdf(dir, &rel);
        manuscripts_size += std::fs::metadata(dir.join("out").join(&rel)).unwrap().len();
        // Each review starts on the page after the cover and the reviews before it.
        marks.push((title, expected.len()));
        expected.extend(sizes(&m));
    }
    // One cover page, then each manuscript's pages at their own sizes.
    let got = sizes(&report);
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert!(
            (g.0 - e.0).abs() < 0.01 && (g.1 - e.1).abs() < 0.01,
            "{got:?} vs {expected:?}"
        );
    }
    // One bookmark per review, with its title, at the page it starts on.
    assert_eq!(bookmarks(&report), marks);
    // Embedded, not laid out again: about the manuscripts' size (each manuscript's fonts once),
    // not pages × fonts.
    let size = std::fs::metadata(dir.join("out/report.pdf")).unwrap().len();
    assert!(
        size < manuscripts_size + 100_000,
        "report.pdf {size} bytes, manuscripts {manuscripts_size}"
    );
    got
}

#[test]
fn the_report_is_a_cover_then_every_manuscripts_own_pages() {
    let dir = project(&["bcg", "iabp-ecpr", "magnesium"]);
    built(dir.path());
    assert_cover_then_manuscripts(dir.path());
}

#[test]
fn a_landscape_page_of_a_manuscript_is_a_landscape_page_of_the_report() {
    // dat.curtis1998's forest plot is too wide for a portrait page.
    let dir = tempfile::tempdir().unwrap();
    super::common::copy_dir(
        &super::common::repo().join("tests/fixtures/projects/curtis1998/analyses"),
        &dir.path().join("analyses"),
    );
    built(dir.path());
    let got = assert_cover_then_manuscripts(dir.path());
    assert!(got.iter().any(|(w, h)| w > h), "{got:?}");
}

#[test]
fn the_contents_give_each_reviews_first_page_and_authors() {
    let dir = project(&["bcg", "iabp-ecpr"]);
    built(dir.path());
    let specs = metareport::project::Project::open(dir.path())
        .unwrap()
        .load_all()
        .unwrap();
    let templates = metareport::report::render::Templates::load(dir.path()).unwrap();
    let files: Vec<Vec<u8>> = specs
        .iter()
        .map(|s| std::fs::read(dir.path().join(format!("out/{}/manuscript.pdf", s.id))).unwrap())
        .collect();
    let first = pdf(dir.path(), "bcg/manuscript.pdf").pages().len();
    // The cover laid out from the report's typst source: the contents list each review with
    // the page of report.pdf it starts on.
    let ms: Vec<_> = files
        .iter()
        .map(|b| {
            std::sync::Arc::new(metareport::build::report_pages::compiled(b.clone(), None).unwrap())
        })
        .collect();
    let source =
        metareport::build::report_pages::report_pdf_typst(&specs, &ms, &templates).unwrap();
    let doc = metareport::report::compile::document(
        &source,
        specs
            .iter()
            .zip(files)
            .map(|(s, b)| (format!("{}/manuscript.pdf", s.id), b))
            .collect(),
    )
    .unwrap();
    let mut cover = String::new();
    frame_text(&doc.pages()[0].frame, &mut cover);
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let flat = squash(&cover);
    assert!(
        flat.contains(&squash("2 reviews, built by metareport")),
        "{cover}"
    );
    assert!(
        flat.contains(&squash(
            "BCG vaccination and the prevention of tuberculosis"
        )),
        "{cover}"
    );
    // The page numbers follow their titles (after the dot leaders): 2, and 2 + bcg's pages.
    let no_dots = flat.replace('.', "");
    assert!(no_dots.contains("tuberculosis2Concomitant"), "{cover}");
    assert!(
        no_dots.contains(&format!("cohorts{}LiuH", 2 + first)),
        "{cover}"
    );
    assert!(flat.contains(&squash("Liu H, Wang L")), "{cover}");
    // The note on page numbers ends the page: no page number of its own under it.
    assert!(
        flat.ends_with(&squash("Page numbers above are those of this file. Each review follows as its manuscript.pdf, page for page, and keeps its own page numbers.")),
        "{cover}"
    );
    assert_eq!(
        doc.pages().len(),
        1 + first + pdf(dir.path(), "iabp-ecpr/manuscript.pdf").pages().len()
    );
    // `metareport check`'s way (from the manuscripts' bytes) makes the build's report.
    assert_eq!(
        metareport::build::report_pages::report_pdf(
            &specs,
            specs
                .iter()
                .map(
                    |s| std::fs::read(dir.path().join(format!("out/{}/manuscript.pdf", s.id)))
                        .unwrap()
                )
                .collect(),
            &templates
        )
        .unwrap(),
        std::fs::read(dir.path().join("out/report.pdf")).unwrap()
    );
}

#[test]
fn a_manuscript_edit_remakes_the_report_and_a_same_bytes_rebuild_keeps_it() {
    let dir = project(&["bcg", "magnesium"]);
    built(dir.path());
    let before = std::fs::read(dir.path().join("out/report.pdf")).unwrap();
    // A review whose manuscript changes: the report embeds the new pages.
    let spec = dir.path().join("analyses/magnesium.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let title = "Intravenous magnesium and mortality after acute myocardial infarction";
    assert!(text.contains(title));
    std::fs::write(&spec, text.replace(title, "Magnesium after infarction")).unwrap();
    let s = build_quiet(dir.path()).unwrap();
    assert!(
        s.built
            .contains(&"out/magnesium/manuscript.pdf".to_string())
    );
    assert!(s.built.contains(&"out/report.pdf".to_string()), "{s:?}");
    let report = pdf(dir.path(), "report.pdf");
    let marks: Vec<String> = bookmarks(&report).into_iter().map(|b| b.0).collect();
    assert_eq!(marks[1], "Magnesium after infarction");
    // Back to the old title: the same manuscripts, the same report, byte for byte.
    std::fs::write(&spec, text).unwrap();
    build_quiet(dir.path()).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("out/report.pdf")).unwrap(),
        before
    );
}

#[test]
fn a_record_left_out_of_a_manuscript_is_in_the_reports_appendix() {
    let dir = project(&["magnesium"]);
    let spec = dir.path().join("analyses/magnesium.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        format!("{text}manuscript: {{reproducibility: none}}\n"),
    )
    .unwrap();
    built(dir.path());
    let m = pdf(dir.path(), "magnesium/manuscript.pdf").pages().len();
    let report = pdf(dir.path(), "report.pdf");
    // Cover, the manuscript's pages, the appendix's page.
    assert_eq!(report.pages().len(), 1 + m + 1);
    let marks = bookmarks(&report);
    assert_eq!(marks[1], ("Appendix: reproducibility".to_string(), 1 + m));
}

#[test]
fn a_broken_override_of_the_report_template_writes_nothing_and_names_it() {
    let dir = project(&["magnesium"]);
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/report_pdf.typ.j2"),
        "#image(\"../../etc/passwd\")\n",
    )
    .unwrap();
    let e = build_quiet(dir.path()).unwrap_err();
    assert_eq!(e.exit_code(), 1);
    let msg = e.to_string();
    assert!(msg.contains("templates/report_pdf.typ.j2"), "{msg}");
    assert!(msg.contains("line 1, column"), "{msg}");
    assert!(!dir.path().join("out/report.pdf").exists());
    assert!(!dir.path().join("out/magnesium/manuscript.pdf").exists());
}
