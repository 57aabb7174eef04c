//! The edit → rebuild loop (issue 17): what a small edit of one review makes again, counted in
//! outputs, never timed. A stale output whose inputs came out the same is kept (not rasterised
//! or compiled again, `build/reuse.rs`) or, when made anew with the same bytes, not written;
//! either way the build lists it as unchanged, not built, and its file keeps its time stamp.
//! Whatever the order of edits, `out/` is byte for byte what a cold build makes.

use std::collections::BTreeMap;
use std::path::Path;

use metareport::build::Summary;

use super::common::{build_quiet, project};

/// A review with a τ² estimator, a funnel plot, a PRISMA flow and submission TIFFs.
const EDITED: &str = "title: Edited review
outcomes:
  - id: tb
    title: Tuberculosis
    data: data/bcg.csv
    measure: RR
    model:
      tau2: REML
    small_study:
      egger: true
    forest:
      favours: [Favours vaccine, Favours control]
prisma:
  databases: 120
  assessed: 30
  included_studies: 13
submission: {journal: bmj, width: double, formats: [tiff]}
";

/// A second review, which no edit of the first may touch.
const OTHER: &str = "title: Other review
outcomes:
  - id: mortality
    title: Mortality
    data: data/magnesium.csv
    label: \"{study} {year}\"
    measure: OR
";

fn edit_project() -> tempfile::TempDir {
    let dir = project(&[]);
    std::fs::write(dir.path().join("analyses/edited.yaml"), EDITED).unwrap();
    std::fs::write(dir.path().join("analyses/other.yaml"), OTHER).unwrap();
    dir
}

fn build(dir: &Path) -> Summary {
    let mut s = build_quiet(dir).unwrap_or_else(|f| panic!("build failed: {f}"));
    s.built.sort();
    s.unchanged.sort();
    s
}

/// Every file under `out/` (but the stat cache, which records inodes) and its bytes.
fn out_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, p: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if !path.ends_with("stat-cache") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &dir.join("out"), &mut out);
    out
}

fn modified(dir: &Path) -> BTreeMap<String, std::time::SystemTime> {
    out_files(dir)
        .into_keys()
        .map(|p| {
            let t = std::fs::metadata(dir.join(&p)).unwrap().modified().unwrap();
            (p, t)
        })
        .collect()
}

/// The files of `out/` of a cold build of the same analyses/ in a new project.
fn cold(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let fresh = project(&[]);
    for name in ["edited.yaml", "other.yaml"] {
        std::fs::copy(
            dir.join("analyses").join(name),
            fresh.path().join("analyses").join(name),
        )
        .unwrap();
    }
    build(fresh.path());
    out_files(fresh.path())
}

fn assert_same_as_cold(dir: &Path) {
    let (warm, cold) = (out_files(dir), cold(dir));
    assert_eq!(
        warm.keys().collect::<Vec<_>>(),
        cold.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &warm {
        assert!(
            bytes == &cold[path],
            "{path} differs from a cold build's after an incremental build"
        );
    }
}

fn set(dir: &Path, from: &str, to: &str) {
    let spec = dir.join("analyses/edited.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    assert!(text.contains(from), "{from} not in the spec");
    std::fs::write(&spec, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_comment_only_edit_makes_and_writes_nothing() {
    let dir = edit_project();
    build(dir.path());
    let before = modified(dir.path());
    set(
        dir.path(),
        "      tau2: REML\n",
        "      # estimator of the between-study variance\n      tau2: REML   # as metafor\n\n",
    );
    let s = build(dir.path());
    assert_eq!(s.built, Vec::<String>::new());
    assert_eq!(s.unchanged, Vec::<String>::new());
    assert_eq!(modified(dir.path()), before);
}

#[test]
fn a_tau2_edit_remakes_only_what_depends_on_tau2() {
    let dir = edit_project();
    let cold_outputs = build(dir.path()).built.len();
    let before = modified(dir.path());
    set(dir.path(), "tau2: REML", "tau2: DL");
    let s = build(dir.path());
    // What the estimator changes is made again: the results, the forest and funnel plots
    // (weights, the pooled estimate) and their TIFFs, the manuscript and the combined report.
    // Neither the PRISMA flow (figure 1), which does not depend on τ², nor the other review is
    // touched; the notes, the checklist and the README come out the same and are not written.
    assert_eq!(
        s.built,
        [
            "out/edited/figures/forest-tb.png",
            "out/edited/figures/forest-tb.svg",
            "out/edited/figures/funnel-tb.png",
            "out/edited/figures/funnel-tb.svg",
            "out/edited/manuscript.docx",
            "out/edited/manuscript.pdf",
            "out/edited/manuscript.typ",
            "out/edited/results.json",
            "out/edited/submission/Fig2.tif",
            "out/edited/submission/Fig3.tif",
            "out/edited/submission/manuscript.docx",
            "out/edited/submission/supplementary.pdf",
            "out/report.docx",
            "out/report.pdf",
            "out/report.typ",
        ]
    );
    assert_eq!(
        s.unchanged,
        [
            "out/edited/notes.txt",
            "out/edited/submission/README.txt",
            "out/edited/submission/prisma-checklist.docx",
            "out/edited/submission/prisma-checklist.pdf",
        ]
    );
    for p in s.built.iter().chain(&s.unchanged) {
        assert!(!p.contains("figures/prisma"), "{p} made again");
        assert!(!p.contains("Fig1."), "{p} made again");
        assert!(!p.starts_with("out/other/"), "{p} made again");
    }
    assert!(s.built.len() < cold_outputs, "{s:?}");
    // Outputs stale by their key but the same bytes are not written.
    let after = modified(dir.path());
    for (p, t) in &after {
        let written = s.built.iter().any(|b| b == p) || p.ends_with("manifest.json");
        assert_eq!(written, before.get(p) != Some(t), "{p}: written? {written}");
    }
    assert_same_as_cold(dir.path());
    // And back: the REML outputs again, the same as a cold build's.
    set(dir.path(), "tau2: DL", "tau2: REML");
    let back = build(dir.path());
    assert_eq!(back.built, s.built);
    assert_same_as_cold(dir.path());
}

#[test]
fn an_edit_of_the_forest_plot_keeps_the_funnel_plot_and_its_tiff() {
    // The forest labels are part of the outcome, so every figure of the outcome is stale by
    // its key; the funnel plot comes out the same SVG, and its PNG and TIFF are kept without
    // drawing them.
    let dir = edit_project();
    build(dir.path());
    let before = modified(dir.path());
    set(dir.path(), "Favours vaccine", "Favours BCG");
    let s = build(dir.path());
    assert!(
        s.built
            .contains(&"out/edited/figures/forest-tb.svg".to_string()),
        "{s:?}"
    );
    for p in [
        "out/edited/figures/funnel-tb.svg",
        "out/edited/figures/funnel-tb.png",
        "out/edited/submission/Fig3.tif",
    ] {
        assert!(
            s.unchanged.iter().any(|u| u == p),
            "{p} not unchanged: {s:?}"
        );
        assert_eq!(
            before[p],
            std::fs::metadata(dir.path().join(p))
                .unwrap()
                .modified()
                .unwrap(),
            "{p} was written"
        );
    }
    assert!(
        s.built
            .iter()
            .chain(&s.unchanged)
            .all(|p| !p.starts_with("out/other/")),
        "{s:?}"
    );
    assert_same_as_cold(dir.path());
}
