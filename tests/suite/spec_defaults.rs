//! Defaults a spec gets from what else it asks for: a funnel asked for by what is drawn on it
//! (`funnel: {contours: true}` alone), and the revman5 preset's pooling by the data's kind
//! (RevMan 5 pools effect estimates, its "generic inverse variance" outcomes, by inverse
//! variance only).

use std::path::Path;

use metareport::spec::Spec;
use metareport::spec::resolve::load_text;

use super::common::{build_quiet, repo};

fn load(dir: &Path, text: &str) -> Result<Spec, String> {
    load_text(dir, "review.yaml", text).map_err(|d| d.to_string())
}

/// A project directory with the BCG data (13 trials, 2×2 counts) and, as estimates with
/// their 95% CIs, three trials' odds ratios.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses/data")).unwrap();
    std::fs::copy(
        repo().join("analyses/data/bcg.csv"),
        dir.path().join("analyses/data/bcg.csv"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("analyses/data/ors.csv"),
        "study,estimate,lower,upper\nA 2001,1.2,0.8,1.9\nB 2003,0.7,0.5,0.98\nC 2005,0.9,0.6,1.4\n",
    )
    .unwrap();
    dir
}

const BCG: &str = "title: t\noutcomes:\n  - id: tb\n    title: Tuberculosis\n    data: data/bcg.csv\n    measure: RR\n";

#[test]
fn contours_alone_draw_a_contour_enhanced_funnel() {
    let dir = project();
    let analyses = dir.path().join("analyses");
    let spec = load(&analyses, &format!("{BCG}    funnel: {{contours: true}}\n")).unwrap();
    let f = &spec.outcomes[0].funnel;
    assert!(f.show && f.contours, "{f:?}");
    // Trim-and-fill or Egger's line alone draw it too; `show: false` still wins.
    for (extra, shown) in [
        ("funnel: {trim_and_fill: true}", true),
        ("funnel: {egger_line: true}", true),
        ("funnel: {contours: false}", false),
        ("funnel: {show: false, contours: true}", false),
    ] {
        let spec = load(&analyses, &format!("{BCG}    {extra}\n")).unwrap();
        assert_eq!(spec.outcomes[0].funnel.show, shown, "{extra}");
    }
    // End to end: the funnel figure is drawn, shaded, and cited in the manuscript.
    std::fs::write(
        analyses.join("bcg.yaml"),
        format!("{BCG}    funnel: {{contours: true}}\n"),
    )
    .unwrap();
    build_quiet(dir.path()).unwrap_or_else(|f| panic!("build failed: {f}"));
    let svg = std::fs::read_to_string(dir.path().join("out/bcg/figures/funnel-tb.svg"))
        .expect("the funnel plot");
    assert!(
        svg.contains("p &lt; 0.01") || svg.contains("p < 0.01"),
        "no contour legend"
    );
    let typ = std::fs::read_to_string(dir.path().join("out/bcg/manuscript.typ")).unwrap();
    assert!(typ.contains("funnel plots with contours of statistical significance"));
    assert!(
        typ.contains("@bcg-fig-funnel-tb"),
        "the funnel plot is not cited: {typ}"
    );
}

#[test]
fn the_revman5_preset_pools_estimates_by_inverse_variance_as_revman_5s_generic_outcomes() {
    let dir = project();
    let analyses = dir.path().join("analyses");
    let ors = "title: t\npreset: revman5\noutcomes:\n  - id: o\n    title: Deaths\n    data: data/ors.csv\n    measure: OR\n";
    let spec = load(&analyses, ors).unwrap();
    let o = &spec.outcomes[0];
    let pooling = o.settings.iter().find(|s| s.name == "pooling").unwrap();
    assert_eq!(pooling.value, "inverse-variance");
    assert!(
        pooling.source.contains("generic inverse variance"),
        "{}",
        pooling.source
    );
    // The same numbers as the pooling written out.
    let explicit = load(
        &analyses,
        &format!("{ors}    model: {{pooling: inverse-variance}}\n"),
    )
    .unwrap();
    let (a, b) = (
        o.analyse().unwrap(),
        explicit.outcomes[0].analyse().unwrap(),
    );
    assert_eq!(
        serde_json::to_string(&a.overall).unwrap(),
        serde_json::to_string(&b.overall).unwrap()
    );
    // 2×2 counts under the preset keep Mantel–Haenszel.
    let spec = load(
        &analyses,
        &BCG.replace("title: t\n", "title: t\npreset: revman5\n"),
    )
    .unwrap();
    let pooling = spec.outcomes[0]
        .settings
        .iter()
        .find(|s| s.name == "pooling")
        .unwrap();
    assert_eq!(
        (pooling.value.as_str(), pooling.source.as_str()),
        ("mantel-haenszel", "preset revman5")
    );
    // Mantel–Haenszel asked for in the spec with estimates is refused, saying what to change.
    let err = load(
        &analyses,
        &format!("{ors}    model: {{pooling: mantel-haenszel}}\n"),
    )
    .unwrap_err();
    assert!(
        err.contains("set `pooling: inverse-variance` under `model:`"),
        "{err}"
    );
}
