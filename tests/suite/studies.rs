//! Studies as they come (issue 14): rows without outcome data, repeated study labels, the
//! metafor preset's double-zero studies, multi-arm trials, conversions in every analysis.
//! Reference numbers from `tests/fixtures/studies/make_studies.R` (metafor's escalc + rma),
//! compared at 1e-6.

use std::path::Path;

use metareport::spec::Spec;
use metareport::spec::resolve::load_text;
use serde_json::Value;

use super::common::repo;

const TOL: f64 = 1e-6;

fn reference() -> Value {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/studies/studies.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= TOL * want.abs().max(1.0),
        "{what}: got {got}, metafor {want}"
    );
}

/// A temporary directory holding the fixture files named.
fn dir_with(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::copy(
            repo().join("tests/fixtures/studies").join(f),
            dir.path().join(f),
        )
        .unwrap();
    }
    dir
}

fn load(dir: &Path, text: &str) -> Result<Spec, String> {
    load_text(dir, "review.yaml", text).map_err(|d| d.to_string())
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[test]
fn the_metafor_preset_keeps_double_zero_studies_as_escalc_and_rma_do() {
    let reference = reference();
    let dir = dir_with(&["double-zero.csv"]);
    for case in reference["double_zero"].as_array().unwrap() {
        let m = case["measure"].as_str().unwrap();
        let spec = load(
            dir.path(),
            &format!(
                "title: t\npreset: metafor\noutcomes:\n  - id: o\n    title: Deaths\n    data: double-zero.csv\n    measure: {m}\n"
            ),
        )
        .unwrap();
        let o = &spec.outcomes[0];
        let a = o.analyse().unwrap();
        assert!(a.excluded.is_empty(), "{m}: {:?}", a.excluded);
        let names: Vec<&str> = a.studies.iter().map(|s| a.name(s)).collect();
        let want: Vec<&str> = case["study"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(names, want);
        for (i, s) in a.studies.iter().enumerate() {
            close(&format!("{m} yi[{i}]"), s.yi, f(&case["yi"][i]));
            close(&format!("{m} vi[{i}]"), s.vi, f(&case["vi"][i]));
        }
        let p = a.overall.pooled.value().unwrap();
        let h = a.overall.heterogeneity.value().unwrap();
        let r = &case["pooled"];
        close("estimate", p.estimate, f(&r["estimate"]));
        close("se", p.se, f(&r["se"]));
        close("ci_lower", p.ci_lower, f(&r["ci_lower"]));
        close("ci_upper", p.ci_upper, f(&r["ci_upper"]));
        close("z", p.statistic, f(&r["z"]));
        close("p", p.p, f(&r["p"]));
        close("tau2", h.tau2, f(&r["tau2"]));
        close("Q", h.q, f(&r["q"]));
        close("I2", h.i2, f(&r["i2"]));
        assert_eq!(a.overall.k as u64, r["k"].as_u64().unwrap());
        let dz = o
            .settings
            .iter()
            .find(|s| s.name == "continuity.double_zero")
            .unwrap();
        assert_eq!(
            (dz.value.as_str(), dz.source.as_str()),
            ("include", "preset metafor")
        );
    }
}

#[test]
fn the_metafor_preset_drops_double_zero_studies_under_mantel_haenszel_as_rma_mh() {
    let dir = dir_with(&["double-zero.csv"]);
    let spec = load(
        dir.path(),
        "title: t\npreset: metafor\noutcomes:\n  - id: o\n    title: Deaths\n    data: double-zero.csv\n    measure: OR\n    model:\n      pooling: mantel-haenszel\n",
    )
    .unwrap();
    let o = &spec.outcomes[0];
    let dz = o
        .settings
        .iter()
        .find(|s| s.name == "continuity.double_zero")
        .unwrap();
    assert_eq!(dz.value, "exclude");
    assert!(dz.source.contains("rma.mh"), "{}", dz.source);
    let a = o.analyse().unwrap();
    assert_eq!(a.excluded.len(), 1);
    // The revman5 preset excludes them too (RevMan lists them as "Not estimable").
    let spec = load(
        dir.path(),
        "title: t\npreset: revman5\noutcomes:\n  - id: o\n    title: Deaths\n    data: double-zero.csv\n    measure: OR\n",
    )
    .unwrap();
    assert_eq!(spec.outcomes[0].analyse().unwrap().excluded.len(), 1);
}

const ANAND: &str = "title: t\noutcomes:\n  - id: o\n    title: Deaths\n    data: anand1999.csv\n    label: \"{study} {year}\"\n    measure: OR\n";

#[test]
fn a_repeated_label_names_the_label_template_and_proposes_columns_that_tell_the_rows_apart() {
    // dat.anand1999 has two "Breddin et al 1980" trials (and two ATACS 1990, two McEnany 1982).
    let dir = dir_with(&["anand1999.csv"]);
    let e = load(dir.path(), ANAND).unwrap_err();
    assert!(!e.contains("column `study`"), "{e}");
    assert!(
        e.contains("\"Breddin et al 1980\" appears 2 times (lines 18, 19)"),
        "{e}"
    );
    assert!(e.contains("the spec's `label: \"{study} {year}\"`"), "{e}");
    assert!(
        e.contains("label: \"{study} {year} {asp.t} {asp.c}\""),
        "{e}"
    );
    assert!(e.contains("duplicate_labels: suffix"), "{e}");
    // Without `label:`, the message names the column the labels come from.
    let e = load(
        dir.path(),
        "title: t\noutcomes:\n  - id: o\n    title: Deaths\n    data: anand1999.csv\n    measure: OR\n",
    )
    .unwrap_err();
    assert!(
        e.contains("column `study` of anand1999.csv gives the same label"),
        "{e}"
    );
    assert!(e.contains("label: \"{study} {asp.t} {asp.c}\""), "{e}");
    assert!(
        e.contains("(\"Breddin et al a\", \"Breddin et al b\")"),
        "{e}"
    );
}

#[test]
fn repeated_labels_get_a_letter_in_row_order_when_asked() {
    let dir = dir_with(&["anand1999.csv"]);
    let spec = load(
        dir.path(),
        &format!("{ANAND}    duplicate_labels: suffix\n"),
    )
    .unwrap();
    let o = &spec.outcomes[0];
    let names: Vec<&str> = o.studies.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.len(), 34);
    for n in [
        "Breddin et al 1980a",
        "Breddin et al 1980b",
        "ATACS 1990a",
        "ATACS 1990b",
        "McEnany et al 1982a",
        "McEnany et al 1982b",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let first = names
        .iter()
        .position(|n| *n == "Breddin et al 1980a")
        .unwrap();
    assert_eq!(names[first + 1], "Breddin et al 1980b");
    assert!(o.analyse().is_ok());
}

#[test]
fn a_cumulative_analysis_orders_the_studies_bound_with_the_outcomes_own_conversion_settings() {
    // Bell 2004 reports a median with a strongly skewed IQR: under conv.fivenum's default
    // skewness test it is not converted; the spec turns the test off. The cumulative order by
    // year once re-bound the data with the default settings (and lost every study).
    let dir = dir_with(&["skewed.csv"]);
    let spec = load(
        dir.path(),
        "title: t\noutcomes:\n  - id: o\n    title: Score\n    data: skewed.csv\n    label: \"{study} {year}\"\n    measure: MD\n    conversions:\n      fivenum:\n        test: false\n    sensitivity:\n      cumulative:\n        by: year\n",
    )
    .unwrap();
    let o = &spec.outcomes[0];
    assert_eq!(
        o.options.sensitivity.cumulative.as_deref().unwrap(),
        ["Dunn 2001", "Bell 2004", "Cole 2009", "Ames 2012"]
    );
    assert!(o.conversions.contains_key("Bell 2004"));
    let a = o.analyse().unwrap();
    let steps = a.sensitivity.cumulative.as_ref().unwrap();
    assert_eq!(steps.len(), 4);
    let last = steps[3].pool.pooled.value().unwrap();
    let all = a.overall.pooled.value().unwrap();
    assert!((last.estimate - all.estimate).abs() < 1e-12);
    assert!((last.se - all.se).abs() < 1e-12);
    // With the default settings the same data is an error, not a silent reordering.
    let e = load(
        dir.path(),
        "title: t\noutcomes:\n  - id: o\n    title: Score\n    data: skewed.csv\n    label: \"{study} {year}\"\n    measure: MD\n    sensitivity:\n      cumulative:\n        by: year\n",
    )
    .unwrap_err();
    assert!(e.contains("Bell 2004"), "{e}");
}

fn missing_spec() -> String {
    std::fs::read_to_string(repo().join("tests/fixtures/audit/missing.yaml")).unwrap()
}

#[test]
fn a_study_without_outcome_data_is_listed_not_pooled_and_counted_apart() {
    let dir = tempfile::tempdir().unwrap();
    let spec = load(dir.path(), &missing_spec()).unwrap();
    let o = &spec.outcomes[0];
    let missing: Vec<(&str, Option<&str>)> = o
        .missing
        .iter()
        .map(|m| (m.study.as_str(), m.subgroup.as_deref()))
        .collect();
    assert_eq!(
        missing,
        [("Baker 2001", Some("low")), ("Foster 2012", Some("high"))]
    );
    let a = o.analyse().unwrap();
    assert_eq!(a.studies.len(), 4);
    assert_eq!(
        a.excluded.len(),
        1,
        "Davis 2005 has no events in either arm"
    );
    let c = metareport::report::counts::Counts::overall(&a);
    assert_eq!((c.reported(), c.contributed), (5, 4));
    assert_eq!(c.no_data, ["Baker 2001", "Foster 2012"]);
    // Participants of the studies that reported the outcome only (Baker's arms are not).
    assert_eq!(
        c.participants,
        Some(120.0 + 118.0 + 150.0 + 149.0 + 40.0 + 41.0 + 210.0 + 205.0 + 95.0 + 97.0)
    );
    let sg = a.subgroups.as_ref().unwrap();
    let low = metareport::report::counts::Counts::subgroup(&a, &sg.groups[0]);
    assert_eq!((low.reported(), low.no_data.len()), (2, 1));
    // Listed in the table of characteristics as every included study.
    assert!(spec.studies.as_ref().is_some_and(|t| t.rows.len() == 7));
    // results.json lists them with the reason, and counts them apart.
    let json = serde_json::to_value(metareport::results::outcome_json(o, &a)).unwrap();
    assert_eq!(json["missing"][0]["study"], "Baker 2001");
    assert_eq!(json["counts"]["overall"]["no_data"], 2);
    assert_eq!(json["counts"]["overall"]["reported"], 5);
}

#[test]
fn missing_error_makes_a_row_without_outcome_data_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = missing_spec().replace("    measure: RR\n", "    measure: RR\n    missing: error\n");
    let e = load(dir.path(), &text).unwrap_err();
    assert!(
        e.contains(
            "study \"Baker 2001\": no outcome data (the cells events_t, events_c are empty)"
        ),
        "{e}"
    );
    assert!(e.contains("Foster 2012"), "{e}");
}
