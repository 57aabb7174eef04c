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

/// `missing:` and `duplicate_labels:` under `defaults:` apply to every outcome that does not
/// set its own; an outcome's own key wins; a misspelt value under `defaults:` is located there.
#[test]
fn row_rules_under_defaults_apply_to_every_outcome_unless_it_sets_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let analyses = dir.path().join("analyses");
    std::fs::create_dir_all(analyses.join("data")).unwrap();
    std::fs::write(
        analyses.join("data/twice.csv"),
        "study,events_t,total_t,events_c,total_c\nBreddin 1980,5,50,9,50\nBreddin 1980,4,40,8,41\nKim 2001,3,30,6,30\n",
    )
    .unwrap();
    std::fs::write(
        analyses.join("data/gap.csv"),
        "study,events_t,total_t,events_c,total_c\nA 2001,5,50,9,50\nB 2002,NA,NA,NA,NA\nC 2003,3,30,6,30\n",
    )
    .unwrap();
    let outcome = |id: &str, data: &str, extra: &str| {
        format!(
            "  - id: {id}\n    title: {id}\n    data: data/{data}.csv\n    measure: OR\n{extra}"
        )
    };
    let spec = format!(
        "title: t\ndefaults:\n  duplicate_labels: suffix\n  missing: error\n  tau2: DL\noutcomes:\n{}{}",
        outcome("twice", "twice", ""),
        outcome("gap", "gap", "    missing: exclude\n"),
    );
    let s = load(&analyses, &spec).unwrap();
    let names: Vec<&str> = s.outcomes[0]
        .studies
        .iter()
        .map(|x| x.name.as_str())
        .collect();
    assert_eq!(names, ["Breddin 1980a", "Breddin 1980b", "Kim 2001"]);
    assert_eq!(
        s.outcomes[1].missing.len(),
        1,
        "the outcome's own `missing: exclude` wins"
    );
    assert_eq!(
        s.outcomes[0].options.tau2_method,
        metareport::stats::Tau2Method::DL,
        "model settings under defaults still apply"
    );
    // Without the outcome's own key, the defaults' `missing: error` applies.
    let spec = format!(
        "title: t\ndefaults:\n  missing: error\noutcomes:\n{}",
        outcome("gap", "gap", "")
    );
    let e = load(&analyses, &spec).unwrap_err();
    assert!(e.contains("B 2002") || e.contains(":3:"), "{e}");
    // A misspelt value is reported at its line under `defaults:`.
    let spec = format!(
        "title: t\ndefaults:\n  duplicate_labels: letters\noutcomes:\n{}",
        outcome("twice", "twice", "")
    );
    let e = load(&analyses, &spec).unwrap_err();
    assert!(
        e.contains("review.yaml:3:") && e.contains("duplicate_labels"),
        "{e}"
    );
    // `missing:` is not a model setting: an outcome's `model:` refuses it.
    let spec = format!(
        "title: t\noutcomes:\n{}",
        outcome("gap", "gap", "    model:\n      missing: error\n")
    );
    assert!(load(&analyses, &spec).is_err());
}
