//! Multi-arm trials (`multi_arm:`): the test project `tests/fixtures/projects/multi-arm`
//! (two three- and two-arm trials among two-arm trials, binary and continuous) built from the
//! command line's code path, with the shared control split (Cochrane Handbook 23.3.4: events
//! and participants divided evenly, whole numbers, remainder to the first comparisons) and
//! with the arms combined (summed; Handbook 6.5.2.10 for means and SDs). Every row's data, yi,
//! vi and the pooled estimate, SE and τ² against R metafor (`make_multi_arm.R`) at 1e-6.

use serde_json::Value;

use super::common::{built, copy_dir, repo};

const TOL: f64 = 1e-6;

fn close(what: &str, got: f64, want: f64) {
    let scale = want.abs().max(1.0);
    assert!(
        (got - want).abs() <= TOL * scale,
        "{what}: got {got}, R {want}"
    );
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"))
}

#[test]
fn multi_arm_trials_split_or_combined_pool_as_r() {
    let src = repo().join("tests/fixtures/projects/multi-arm");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&src.join("analyses"), &dir.path().join("analyses"));
    built(dir.path());
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("expected.json")).unwrap()).unwrap();
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/multi-arm/results.json")).unwrap(),
    )
    .unwrap();
    let binary = ["events_t", "total_t", "events_c", "total_c"];
    let continuous = ["mean_t", "sd_t", "n_t", "mean_c", "sd_c", "n_c"];
    let mut checked = 0;
    for (id, fields, method, rows) in [
        ("ae-split", &binary[..], "split", 8),
        ("ae-combine", &binary[..], "combine", 5),
        ("pain-split", &continuous[..], "split", 8),
        ("pain-combine", &continuous[..], "combine", 5),
    ] {
        let o = super::common::outcome(&results, id);
        let e = &expected[id];
        let studies = o["studies"].as_array().unwrap();
        let es = e["studies"].as_array().unwrap();
        assert_eq!(studies.len(), es.len(), "{id}: rows");
        assert_eq!(studies.len(), rows, "{id}: rows");
        for (s, es) in studies.iter().zip(es) {
            assert_eq!(s["study"], es["label"], "{id}: labels in order");
            for k in fields.iter() {
                close(
                    &format!("{id} {} {k}", es["label"]),
                    f(&s["data"], k),
                    f(es, k),
                );
            }
            close(&format!("{id} {} yi", es["label"]), f(s, "yi"), f(es, "yi"));
            close(&format!("{id} {} vi", es["label"]), f(s, "vi"), f(es, "vi"));
            checked += 1;
        }
        let pooled = &o["overall"]["pooled"];
        close(
            &format!("{id} estimate"),
            f(pooled, "estimate"),
            f(e, "estimate"),
        );
        close(&format!("{id} se"), f(pooled, "se"), f(e, "se"));
        close(
            &format!("{id} tau2"),
            f(&o["overall"]["heterogeneity"], "tau2"),
            f(e, "tau2"),
        );
        // results.json says what was done: the method, the trials and their arms.
        let m = &o["multi_arm"];
        assert_eq!(m["method"], method, "{id}");
        let trials = m["trials"].as_array().unwrap();
        assert_eq!(trials.len(), 2, "{id}");
        assert_eq!(trials[0]["arms"].as_array().unwrap().len(), 2, "{id}");
        assert_eq!(trials[1]["arms"].as_array().unwrap().len(), 3, "{id}");
        assert_eq!(m["rows_analysed"], rows, "{id}");
        assert_eq!(m["trials_analysed"], 5, "{id}");
    }
    assert_eq!(checked, 26);
    // The split keeps the shared group's totals: Diaz 2012's 11/53 placebo group is 4/18,
    // 4/18 and 3/17 (the remainder to the first comparisons).
    let split = &results["outcomes"][0]["studies"];
    let parts: Vec<(f64, f64)> = (4..7)
        .map(|i| {
            (
                f(&split[i]["data"], "events_c"),
                f(&split[i]["data"], "total_c"),
            )
        })
        .collect();
    assert_eq!(parts, vec![(4.0, 18.0), (4.0, 18.0), (3.0, 17.0)]);
    // The methods say so, with the Handbook's chapter, and the results count comparisons.
    let typ = std::fs::read_to_string(dir.path().join("out/multi-arm/manuscript.typ")).unwrap();
    assert!(typ.contains("the multi-arm trials Baker 2007 (low dose and high dose) and Diaz 2012 (10 mg, 20 mg and 40 mg) compared several experimental arms with one control group"));
    assert!(typ.contains(
        "the shared control group was split evenly among the trial's comparisons @cochrane23"
    ));
    assert!(typ.contains("the eight comparisons analysed come from five studies"));
    assert!(typ.contains("Gupta 2006 (exercise; exercise and diet)"));
    assert!(typ.contains("combined with the Cochrane Handbook's formula @cochrane6"));
    assert!(typ.contains("Eight comparisons from five studies (806 participants) reported “Adverse events (shared control split)”"));
    assert!(
        typ.contains("Five studies (806 participants) reported “Adverse events (arms combined)”")
    );
    // The forest plot labels each comparison with its arm.
    let svg = std::fs::read_to_string(dir.path().join("out/multi-arm/figures/forest-ae-split.svg"))
        .unwrap();
    assert!(svg.contains("Baker 2007 (low dose)") && svg.contains("Diaz 2012 (40 mg)"));
}
