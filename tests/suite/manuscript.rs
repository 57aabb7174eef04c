//! The manuscript: user text cannot break or inject typst markup, the PDF is byte-identical
//! across builds, and the document has no "NaN" and no raw markup.

use std::path::Path;

use metareport::report::compile;
use typst::layout::{Frame, FrameItem};

use super::common::{built, project};

fn frame_text(frame: &Frame, out: &mut String) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Text(t) => out.push_str(&t.text),
            FrameItem::Group(g) => frame_text(&g.frame, out),
            _ => {}
        }
    }
}

/// The figure files a review's manuscript reads, as the build gives them to typst: each
/// figure's SVG, and one SVG per page of a forest plot taller than a page.
fn figure_files(dir: &Path, review: &str) -> Vec<(String, Vec<u8>)> {
    let specs = metareport::project::Project::open(dir)
        .unwrap()
        .load_all()
        .unwrap();
    let spec = specs.iter().find(|s| s.id == review).unwrap();
    let analyses = metareport::build::produce::analyse_spec(spec).unwrap();
    metareport::build::produce::document_figures(spec, &analyses, "").unwrap()
}

/// The text of a built manuscript, laid out again from its typst source.
pub(super) fn document_text(dir: &Path, review: &str) -> String {
    let out = dir.join("out").join(review);
    let source = std::fs::read_to_string(out.join("manuscript.typ")).unwrap();
    let mut files = vec![(
        "references.yml".to_string(),
        std::fs::read(out.join("references.yml")).unwrap(),
    )];
    files.extend(figure_files(dir, review));
    let doc = compile::document(&source, files).unwrap();
    let mut text = String::new();
    for page in doc.pages() {
        frame_text(&page.frame, &mut text);
        text.push('\n');
    }
    text
}

const NASTY: &str = "O'Brien #2 [pilot] $5 *x* <a> @b // c";

#[test]
fn study_names_and_user_text_are_printed_verbatim_never_as_markup() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    let spec = format!(
        "title: \"Escaping {NASTY}\"\nauthors: [\"{NASTY}\"]\nnotes: [\"= not a heading #set text(red) $x$\"]\nstudies:\n  rows:\n    - {{study: \"{NASTY}\", design: \"_emph_ \\\\ back\\\\slash\"}}\n    - {{study: Plain 2001, design: RCT}}\noutcomes:\n  - id: m\n    title: \"Outcome {NASTY}\"\n    measure: OR\n    rows:\n      - {{study: \"{NASTY}\", events_t: 3, total_t: 50, events_c: 9, total_c: 51}}\n      - {{study: Plain 2001, events_t: 7, total_t: 80, events_c: 12, total_c: 77}}\n      - {{study: Other 2003, events_t: 5, total_t: 60, events_c: 6, total_c: 64}}\n    forest:\n      favours: [\"{NASTY}\", \"right\"]\n"
    );
    std::fs::write(dir.path().join("analyses/nasty.yaml"), spec).unwrap();
    built(dir.path());
    let text = document_text(dir.path(), "nasty");
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let flat = squash(&text);
    assert!(
        flat.matches(&squash(NASTY)).count() >= 3,
        "the name is not printed verbatim:\n{text}"
    );
    assert!(
        flat.contains(&squash("= not a heading #set text(red) $x$")),
        "{text}"
    );
    assert!(flat.contains(&squash("_emph_ \\ back\\slash")), "{text}");
    let svg = std::fs::read_to_string(dir.path().join("out/nasty/figures/forest-m.svg")).unwrap();
    assert!(
        svg.contains("O&apos;Brien #2 [pilot] $5 *x* &lt;a&gt; @b // c")
            || svg.contains("O'Brien #2 [pilot] $5 *x* &lt;a&gt; @b // c"),
        "the SVG escapes the name for XML"
    );
}

#[test]
fn rebuilding_gives_a_byte_identical_pdf() {
    let (a, b) = (project(&["bcg"]), project(&["bcg"]));
    built(a.path());
    built(b.path());
    for f in ["out/bcg/manuscript.pdf", "out/report.pdf"] {
        let (x, y) = (
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
        );
        assert!(x.starts_with(b"%PDF-"), "{f}");
        assert_eq!(x, y, "{f} differs between identical builds");
    }
}

#[test]
fn the_example_manuscripts_have_no_nan_and_no_raw_markup() {
    let dir = project(&["bcg", "iabp-ecpr", "magnesium", "passive-smoking"]);
    built(dir.path());
    for review in ["bcg", "iabp-ecpr", "magnesium", "passive-smoking"] {
        let text = document_text(dir.path(), review);
        for bad in ["NaN", "inf ", "#set", "#figure", "{{", "{%", "@bcg", "\\"] {
            assert!(
                !text.contains(bad),
                "{review}: `{bad}` in the document:\n{text}"
            );
        }
    }
    let text = document_text(dir.path(), "magnesium");
    assert!(text.contains("ISIS-4"), "{text}");
    assert!(text.contains("Egger"), "{text}");
    assert!(text.contains("References"), "{text}");
    // The seed review has no outcome data; it cites only the Newcastle–Ottawa Scale.
    let text = document_text(dir.path(), "iabp-ecpr");
    assert!(text.contains("References"), "{text}");
    assert!(text.contains("The Newcastle-Ottawa Scale (NOS)"), "{text}");
}

#[test]
fn the_spec_chooses_the_tables_their_order_and_captions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    std::fs::write(
        dir.path().join("analyses/t.yaml"),
        "title: T\nstudies:\n  rows:\n    - {study: A, design: RCT}\n    - {study: B, design: RCT}\noutcomes:\n  - id: m\n    title: M\n    measure: OR\n    rows:\n      - {study: A, events_t: 3, total_t: 50, events_c: 9, total_c: 51}\n      - {study: B, events_t: 7, total_t: 80, events_c: 12, total_c: 77}\nmanuscript:\n  tables:\n    - kind: summary\n      caption: Pooled odds ratios.\n",
    )
    .unwrap();
    built(dir.path());
    let typ = std::fs::read_to_string(dir.path().join("out/t/manuscript.typ")).unwrap();
    assert!(typ.contains("<t-tab-summary>") && typ.contains("caption: [Pooled odds ratios.]"));
    assert!(
        !typ.contains("tab-studies"),
        "the studies table was not asked for, nor referred to"
    );
}

#[test]
fn a_forest_plot_taller_than_a_page_runs_over_pages_with_header_and_axis_on_each() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    let mut spec = String::from(
        "title: Many trials\noutcomes:\n  - id: m\n    title: Mortality\n    measure: OR\n    subgroups: {column: region}\n    rows:\n",
    );
    for i in 0..120 {
        spec.push_str(&format!(
            "      - {{study: Trial {i}, region: {}, events_t: {}, total_t: 100, events_c: {}, total_c: 100}}\n",
            ["North", "South"][i % 2],
            5 + i % 7,
            8 + i % 5
        ));
    }
    std::fs::write(dir.path().join("analyses/many.yaml"), spec).unwrap();
    built(dir.path());
    let typ = std::fs::read_to_string(dir.path().join("out/many/manuscript.typ")).unwrap();
    // One figure per page, each its own SVG: header, its rows, axis.
    let pages: Vec<String> = typ
        .lines()
        .filter_map(|l| l.split("fitted(\"").nth(1))
        .filter_map(|l| l.split('"').next())
        .filter(|p| p.starts_with("figures/forest-m-page"))
        .map(String::from)
        .collect();
    assert!(pages.len() >= 2, "the forest plot was not split:\n{typ}");
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p, &format!("figures/forest-m-page{}.svg", i + 1));
    }
    let files = figure_files(dir.path(), "many");
    let whole = std::fs::read_to_string(dir.path().join("out/many/figures/forest-m.svg")).unwrap();
    let mut seen = vec![0; 120];
    let mut total = 0;
    for p in &pages {
        let svg = String::from_utf8(files.iter().find(|f| &f.0 == p).unwrap().1.clone()).unwrap();
        // plotters writes each text on a line of its own.
        assert!(
            svg.contains("\nStudy or Subgroup\n"),
            "every page has the header: {p}"
        );
        assert_eq!(
            svg.contains("\nTotal (95% CI)\n"),
            p == pages.last().unwrap(),
            "the total on the last page only: {p}"
        );
        assert!(svg.contains("\nFavours "), "every page has the axis: {p}");
        for (i, n) in seen.iter_mut().enumerate() {
            *n += svg.matches(&format!("\nTrial {i}\n")).count();
        }
        assert!(svg.len() < whole.len() * 2 / 3, "{p} holds only its rows");
        total += svg.len();
    }
    assert!(
        seen.iter().all(|&n| n == 1),
        "each study on exactly one page: {seen:?}"
    );
    assert!(total < whole.len() * 3 / 2, "{total} vs {}", whole.len());
    assert!(
        !files.iter().any(|f| f.0 == "figures/forest-m.svg"),
        "the whole figure is not embedded as well"
    );
    let text = document_text(dir.path(), "many");
    assert_eq!(
        text.matches("(continued)").count(),
        pages.len() - 1,
        "{text}"
    );
}

#[test]
fn unicode_line_breaks_in_user_text_cannot_end_a_line_of_the_typst_source() {
    // U+2028, U+2029 and U+0085 are line breaks to typst: unescaped, a title with one left
    // the rest of the title outside its `//` comment line, and authors failed to compile.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    let spec = "title: \"Before\\P#set page(fill: red) After\"\nauthors: [\"Ann\\LBrown\", \"Carl\\NDoe\"]\nnotes: [\"one\\Ptwo\"]\nstudies:\n  rows:\n    - {study: \"S\\P1\", design: \"R\\LCT\"}\n    - {study: T 2, design: RCT}\n  columns: [{column: design, header: \"De\\Psign\"}]\noutcomes:\n  - id: m\n    title: \"Out\\Ncome\"\n    measure: OR\n    rows:\n      - {study: \"S\\P1\", events_t: 3, total_t: 50, events_c: 9, total_c: 51}\n      - {study: T 2, events_t: 7, total_t: 80, events_c: 12, total_c: 77}\n";
    std::fs::write(dir.path().join("analyses/breaks.yaml"), spec).unwrap();
    built(dir.path());
    let typ = std::fs::read_to_string(dir.path().join("out/breaks/manuscript.typ")).unwrap();
    for c in ['\u{2028}', '\u{2029}', '\u{85}', '\u{0B}', '\u{0C}'] {
        assert!(
            !typ.contains(c),
            "U+{:04X} reached the typst source",
            c as u32
        );
    }
    let text = document_text(dir.path(), "breaks");
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let flat = squash(&text);
    assert!(
        flat.starts_with(&squash("Before #set page(fill: red) After")),
        "the title is not printed whole and first:\n{text}"
    );
    for s in [
        "Ann Brown",
        "Carl Doe",
        "one two",
        "De sign",
        "R CT",
        "Out come",
    ] {
        assert!(flat.contains(&squash(s)), "{s}:\n{text}");
    }
}

/// The width (points) at which each figure image is printed, with the page it is on (width,
/// height in points).
fn printed_images(dir: &Path, review: &str) -> Vec<((f64, f64), f64)> {
    fn walk(frame: &Frame, page: (f64, f64), out: &mut Vec<((f64, f64), f64)>) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Image(_, size, _) => out.push((page, size.x.to_pt())),
                FrameItem::Group(g) => walk(&g.frame, page, out),
                _ => {}
            }
        }
    }
    let out = dir.join("out").join(review);
    let source = std::fs::read_to_string(out.join("manuscript.typ")).unwrap();
    let mut files = vec![(
        "references.yml".to_string(),
        std::fs::read(out.join("references.yml")).unwrap(),
    )];
    files.extend(figure_files(dir, review));
    let doc = compile::document(&source, files).unwrap();
    let mut images = Vec::new();
    for page in doc.pages() {
        let size = page.frame.size();
        walk(&page.frame, (size.x.to_pt(), size.y.to_pt()), &mut images);
    }
    images
}

#[test]
fn a_forest_plot_too_wide_for_a_portrait_page_goes_on_a_landscape_page_at_6_pt_or_more() {
    // dat.curtis1998: six data columns with four decimals make the forest plot about 700 pt
    // wide; on the 465 pt text width of a portrait page its 8 pt text would print at 5.3 pt.
    let dir = tempfile::tempdir().unwrap();
    super::common::copy_dir(
        &super::common::repo().join("tests/fixtures/projects/curtis1998/analyses"),
        &dir.path().join("analyses"),
    );
    built(dir.path());
    let svg = std::fs::read_to_string(dir.path().join("out/curtis1998/figures/forest-biomass.svg"))
        .unwrap();
    let natural: f64 = svg
        .split("width=\"")
        .nth(1)
        .unwrap()
        .split("pt\"")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        natural * 0.75 > 465.0,
        "the test needs a wide figure: {natural} pt"
    );
    let typ = std::fs::read_to_string(dir.path().join("out/curtis1998/manuscript.typ")).unwrap();
    assert!(
        typ.contains(
            "#page(flipped: true)[#figure(\n  fitted(\"figures/forest-biomass-page1.svg\""
        )
    );
    let images = printed_images(dir.path(), "curtis1998");
    assert!(!images.is_empty());
    for (page, width) in &images {
        assert!(
            page.0 > page.1,
            "a page of the forest plot is not landscape: {page:?}"
        );
        let scale = width / natural;
        assert!(
            scale >= 0.75,
            "printed at {:.2} × 8 pt = {:.1} pt",
            scale,
            scale * 8.0
        );
    }
    // A forest plot that fits a portrait page stays on one.
    let narrow = super::common::project(&["magnesium"]);
    built(narrow.path());
    let typ = std::fs::read_to_string(narrow.path().join("out/magnesium/manuscript.typ")).unwrap();
    assert!(!typ.contains("flipped"));
    assert!(
        printed_images(narrow.path(), "magnesium")
            .iter()
            .all(|(page, _)| page.0 < page.1)
    );
}

/// The text lines of each page of a laid-out document (items on one baseline joined).
fn page_lines(doc: &typst_layout::PagedDocument) -> Vec<Vec<String>> {
    fn walk(frame: &Frame, dy: f64, out: &mut Vec<(f64, f64, String)>) {
        for (pos, item) in frame.items() {
            match item {
                FrameItem::Text(t) => {
                    out.push((dy + pos.y.to_pt(), pos.x.to_pt(), t.text.to_string()))
                }
                FrameItem::Group(g) => walk(&g.frame, dy + pos.y.to_pt(), out),
                _ => {}
            }
        }
    }
    doc.pages()
        .iter()
        .map(|p| {
            let mut items = Vec::new();
            walk(&p.frame, 0.0, &mut items);
            items.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut lines: Vec<(f64, String)> = Vec::new();
            for (y, _, t) in items {
                match lines.last_mut() {
                    Some((ly, text)) if (*ly - y).abs() < 0.5 => {
                        text.push(' ');
                        text.push_str(&t);
                    }
                    _ => lines.push((y, t)),
                }
            }
            lines.into_iter().map(|(_, t)| t).collect()
        })
        .collect()
}

/// Table 1 starts with the study label even when `columns` leaves it out, and a table that
/// runs over pages never leaves one row alone on a page, nor its caption.
#[test]
fn table_1_starts_with_the_study_and_never_leaves_a_row_alone_on_a_page() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    let mut rows = String::new();
    for i in 0..70 {
        rows.push_str(&format!(
            "    - {{study: S{i:02}, design: {}, country: Somewhere}}\n",
            if i % 3 == 0 {
                "Randomised controlled trial with a long description"
            } else {
                "RCT"
            }
        ));
    }
    let templates = metareport::report::render::Templates::load(dir.path()).unwrap();
    let mut seen_breaks = 0;
    for filler in 0..14 {
        let notes: Vec<String> = (0..filler)
            .map(|i| format!("  - \"Note {i}: {}\"\n", "words of a note ".repeat(20)))
            .collect();
        std::fs::write(
            dir.path().join("analyses/t.yaml"),
            format!(
                "title: T\nnotes:\n{}studies:\n  columns: [{{column: design, header: Design}}, {{column: country}}]\n  rows:\n{rows}",
                notes.concat()
            )
            .replace("notes:\nstudies", "studies"),
        )
        .unwrap();
        let spec = metareport::spec::load(dir.path(), "analyses/t.yaml").unwrap();
        let source = metareport::build::produce::manuscript_typst(&spec, &[], &templates).unwrap();
        assert!(
            source.contains("table.header([*Study*], [*Design*], [*country*], [])"),
            "{source}"
        );
        let doc = compile::document(
            &source,
            vec![(
                "references.yml".into(),
                templates.references.clone().into_bytes(),
            )],
        )
        .unwrap();
        let pages = page_lines(&doc);
        let with_rows: Vec<usize> = pages
            .iter()
            .map(|p| {
                p.iter()
                    .filter(|l| l.starts_with('S') && l[1..3].chars().all(|c| c.is_ascii_digit()))
                    .count()
            })
            .filter(|&n| n > 0)
            .collect();
        assert_eq!(with_rows.iter().sum::<usize>(), 70, "{pages:?}");
        assert!(
            with_rows.iter().all(|&n| n >= 2),
            "a row alone on a page: {with_rows:?}"
        );
        seen_breaks += with_rows.len() - 1;
        for p in &pages {
            if p.iter().any(|l| l.starts_with("Table 1.")) {
                assert!(
                    p.iter().any(|l| l.starts_with("S00")),
                    "the caption is alone: {p:?}"
                );
            }
        }
    }
    assert!(seen_breaks >= 14, "the table did not run over pages");
}

/// More than three studies that did not contribute are not listed in a sentence: without a
/// forest plot to show them, they go to a table.
#[test]
fn a_long_list_of_studies_that_did_not_contribute_is_a_table_not_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    let mut rows = String::new();
    for i in 0..5 {
        rows.push_str(&format!(
            "      - {{study: Zero {i}, events_t: 0, total_t: 20, events_c: 0, total_c: 21}}\n"
        ));
    }
    std::fs::write(
        dir.path().join("analyses/z.yaml"),
        format!("title: Z\noutcomes:\n  - id: m\n    title: Deaths\n    measure: OR\n    model:\n      continuity:\n        double_zero: exclude\n    rows:\n      - {{study: A, events_t: 3, total_t: 50, events_c: 9, total_c: 51}}\n      - {{study: B, events_t: 7, total_t: 80, events_c: 12, total_c: 77}}\n{rows}    small_study: {{egger: true}}\nmanuscript:\n  figures: [{{kind: funnel, outcomes: [m]}}]\n"),
    )
    .unwrap();
    built(dir.path());
    let text = document_text(dir.path(), "z");
    let flat: String = text.split_whitespace().collect();
    assert!(
        flat.contains(&"Seven studies (463 participants) reported deaths; five had no events in either group and did not contribute to the pooled odds ratio (Table 2)".split_whitespace().collect::<String>()),
        "{text}"
    );
    assert!(
        text.contains("Studies that reported an outcome but did not contribute"),
        "{text}"
    );
    assert_eq!(
        text.matches("Zero 3").count(),
        1,
        "named once, in the table: {text}"
    );
}

/// The Q-profile interval of I² inverts the generalised Q statistic (Paule–Mandel's estimating
/// equation), so a REML estimate can lie outside it (metafor's `confint` prints the same; the
/// numbers are checked in `reference::q_profile_intervals_that_miss_the_estimate_match_metafor`).
/// The results then say why instead of printing an interval that seems to miss its estimate;
/// under PM, whose estimate it contains, they print the interval alone.
#[test]
fn an_estimate_outside_its_q_profile_interval_is_explained() {
    let spec = std::fs::read_to_string(
        super::common::repo().join("tests/fixtures/audit/qprofile-outside.yaml"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    std::fs::write(dir.path().join("analyses/reml.yaml"), &spec).unwrap();
    std::fs::write(
        dir.path().join("analyses/pm.yaml"),
        spec.replace("tau2: REML", "tau2: PM"),
    )
    .unwrap();
    built(dir.path());
    let flat = |r: &str| -> String { document_text(dir.path(), r).split_whitespace().collect() };
    let said: String = "the 95% CI of I² was 62% to 83%, which does not contain the point estimate: the Q-profile interval inverts the generalised Q statistic, the estimating equation of the Paule–Mandel estimator, and need not contain another estimator’s value".split_whitespace().collect();
    let reml = flat("reml");
    assert!(reml.contains("I²=85%"), "{reml}");
    assert!(reml.contains(&said), "{reml}");
    let pm = flat("pm");
    assert!(
        !pm.contains("theestimatingequation") && pm.contains("95%CIofI²was"),
        "{pm}"
    );
}

/// An editor's reading of the example results: no number said twice in a row. Magnesium's
/// exclusion of ISIS-4 is the leave-one-out analysis without it, already printed, so it is named
/// as such with only what is new (I²); passive smoking's model rule follows the sentence that
/// printed the heterogeneity p, so it does not print that p again.
#[test]
fn the_results_do_not_repeat_a_number_the_sentence_before_printed() {
    let dir = super::common::project(&["magnesium", "passive-smoking"]);
    built(dir.path());
    let flat = |r: &str| -> String { document_text(dir.path(), r).split_whitespace().collect() };
    let results =
        |t: &str| t[t.find("Results").unwrap()..t.find("Table1.Summary").unwrap()].to_string();
    let magnesium = results(&flat("magnesium"));
    assert_eq!(
        magnesium.matches("OR0.43,95%CI0.29–0.63").count(),
        1,
        "{magnesium}"
    );
    assert!(
        magnesium.contains("ThesensitivityanalysisexcludingISIS-4istheleave-one-outanalysiswithoutISIS-41995reportedabove(I²=33%)."),
        "{magnesium}"
    );
    let smoking = results(&flat("passive-smoking"));
    assert_eq!(smoking.matches("p=0.10").count(), 1, "{smoking}");
    assert!(
        smoking.contains("Underthemodelrule,arandom-effectsmodel(DerSimonian–Lairdτ²)wasused."),
        "{smoking}"
    );
}

/// The statistical analysis is set in paragraphs by topic, not as one block of every method:
/// bcg's (every kind of analysis) in six, each shorter than 2,000 characters, with no empty
/// paragraph in the Word file.
#[test]
fn the_statistical_analysis_is_in_paragraphs_by_topic() {
    let dir = project(&["bcg"]);
    built(dir.path());
    let typ = std::fs::read_to_string(dir.path().join("out/bcg/manuscript.typ")).unwrap();
    let start = typ.find("= Statistical analysis").unwrap();
    let end = start + typ[start..].find("\n= Results").unwrap();
    let paragraphs: Vec<&str> = typ[start..end]
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    assert_eq!(paragraphs.len(), 6, "{paragraphs:#?}");
    for p in &paragraphs {
        assert!(
            p.chars().count() < 2000,
            "a paragraph of {} characters",
            p.len()
        );
    }
    assert!(paragraphs[1].starts_with("Heterogeneity was assessed"));
    assert!(paragraphs[5].starts_with("Two-sided p < 0.05"));
    let docx = std::fs::read(dir.path().join("out/bcg/manuscript.docx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(!xml.contains("<w:p></w:p>") && !xml.contains("<w:p/>"));
}
