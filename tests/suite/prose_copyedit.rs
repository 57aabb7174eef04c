//! The copy-editor's pass over the example manuscripts: what a journal's copy-editor would
//! mark in the text of the PDF and the Word file — thousands separators, typographic
//! apostrophes, degenerate intervals, counts that name their unit, undefined abbreviations —
//! read from the manuscripts every review of the default project and the test projects
//! builds (built once).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use metareport::report::docx::zip::unpack;
use serde_json::Value;

use super::common::{build_quiet, copy_dir, repo};
use super::prose_audit::{numbers, ungrouped};

/// The default project's reviews, the multi-arm review and the single-group reviews, built
/// once into one project.
static BUILT: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("analyses");
    copy_dir(&repo().join("analyses"), &a);
    for p in ["multi-arm", "single-group"] {
        let src = repo()
            .join("tests/fixtures/projects")
            .join(p)
            .join("analyses");
        copy_dir(&src.join("data"), &a.join("data"));
        for e in std::fs::read_dir(&src).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                std::fs::copy(&p, a.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    build_quiet(dir.path()).unwrap_or_else(|f| panic!("build failed: {f}"));
    dir
});

fn out(p: &str) -> PathBuf {
    BUILT.path().join("out").join(p)
}

/// The reviews built.
fn reviews() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(BUILT.path().join("out"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            p.join("manuscript.typ")
                .exists()
                .then(|| p.file_name().unwrap().to_string_lossy().to_string())
        })
        .collect();
    v.sort();
    v
}

fn results(review: &str) -> Value {
    serde_json::from_slice(&std::fs::read(out(&format!("{review}/results.json"))).unwrap()).unwrap()
}

/// The typst source of a review's manuscript with typst's escapes removed.
fn typ(review: &str) -> String {
    std::fs::read_to_string(out(&format!("{review}/manuscript.typ")))
        .unwrap()
        .replace('\\', "")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The paragraphs (table cells included) of a Word file's document.xml, as text.
pub fn docx_paragraphs(docx: &Path) -> Vec<String> {
    let parts = unpack(&std::fs::read(docx).unwrap()).unwrap();
    let xml = parts
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .unwrap();
    xml.split("<w:p>")
        .skip(1)
        .map(|p| {
            let p = p.split("</w:p>").next().unwrap_or("");
            let mut text = String::new();
            for t in p.split("<w:t").skip(1) {
                let t = t.split_once('>').map_or("", |x| x.1);
                text.push_str(&unescape(t.split("</w:t>").next().unwrap_or("")));
            }
            text
        })
        .collect()
}

/// The Word manuscript's paragraphs up to its reference list (the text a copy-editor edits).
fn word_text(review: &str) -> Vec<String> {
    docx_paragraphs(&out(&format!("{review}/manuscript.docx")))
        .into_iter()
        .take_while(|p| p != "References" && p != "Appendix: reproducibility")
        .collect()
}

/// Statistics of 1,000 or more are printed with thousands separators, as counts are, in the
/// PDF's source and the Word file alike; the forest plot keeps RevMan's "Tau² = 1964.26".
#[test]
fn statistics_of_1000_or_more_have_thousands_separators_in_pdf_and_word() {
    let mut large = 0;
    for r in reviews() {
        for p in word_text(&r) {
            for tok in numbers(&p) {
                assert!(ungrouped(&tok).is_none(), "{r}: {tok} in Word: {p}");
            }
        }
        let res = results(&r);
        for o in res["outcomes"].as_array().unwrap() {
            let Some(t2) = o["overall"]["heterogeneity"]["tau2"].as_f64() else {
                continue;
            };
            if t2 < 1000.0 {
                continue;
            }
            large += 1;
            let printed = metareport::report::format::tau2(t2);
            assert!(printed.contains(','), "{printed}");
            assert!(
                typ(&r).contains(&format!("τ² = {printed}")),
                "{r}: τ² {printed}"
            );
            assert!(
                word_text(&r)
                    .iter()
                    .any(|p| p.contains(&format!("τ² = {printed}"))),
                "{r}: Word τ² {printed}"
            );
            let svg = std::fs::read_to_string(out(&format!(
                "{r}/figures/forest-{}.svg",
                o["id"].as_str().unwrap()
            )))
            .unwrap();
            assert!(
                svg.contains(&format!(
                    "Tau² = {}",
                    metareport::report::format::tau2_revman(t2)
                )),
                "{r}: the forest plot prints τ² as RevMan does"
            );
        }
    }
    assert!(large > 0, "no review has τ² of 1,000 or more to check");
}
