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

/// The text of a built manuscript, laid out again from its typst source.
pub(super) fn document_text(dir: &Path, review: &str) -> String {
    let out = dir.join("out").join(review);
    let source = std::fs::read_to_string(out.join("manuscript.typ")).unwrap();
    let mut files = vec![(
        "references.yml".to_string(),
        std::fs::read(out.join("references.yml")).unwrap(),
    )];
    for e in std::fs::read_dir(out.join("figures")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "svg") {
            files.push((
                format!("figures/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read(&p).unwrap(),
            ));
        }
    }
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
    // The seed review has no outcome data, so it cites nothing: no empty References heading.
    let text = document_text(dir.path(), "iabp-ecpr");
    assert!(!text.contains("References"), "{text}");
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
    // The windows (top, bottom) of each page: header, a run of rows, axis.
    let pages: Vec<Vec<(f64, f64)>> = typ
        .lines()
        .filter(|l| l.contains("sliced(\"figures/forest-m.svg\""))
        .map(|l| {
            let inner = &l[l.find("((").unwrap() + 1..l.rfind("))").unwrap() + 1];
            inner
                .split('(')
                .filter_map(|w| w.split(')').next())
                .filter(|w| !w.trim().is_empty())
                .map(|w| {
                    let (a, b) = w.split_once(',').unwrap();
                    (a.trim().parse().unwrap(), b.trim().parse().unwrap())
                })
                .collect()
        })
        .collect();
    assert!(pages.len() >= 2, "the forest plot was not split:\n{typ}");
    for (k, p) in pages.iter().enumerate() {
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(p[0], pages[0][0], "every page repeats the header");
        assert_eq!(p[2], pages[0][2], "every page repeats the axis");
        if k > 0 {
            assert_eq!(
                p[1].0,
                pages[k - 1][1].1,
                "rows run on without gap or repeat"
            );
        }
    }
    assert_eq!(
        pages[0][1].0, pages[0][0].1,
        "the rows start under the header"
    );
    assert_eq!(
        pages.last().unwrap()[1].1,
        pages[0][2].0,
        "and end at the axis"
    );
    let text = document_text(dir.path(), "many");
    assert_eq!(
        text.matches("(continued)").count(),
        pages.len() - 1,
        "{text}"
    );
}
