//! Single-group proportions (PR, PLO, PAS, PFT), incidence rates (IR, IRLN), rate ratios and
//! differences (IRR, IRD), the ratio of means (ROM) and single-group means (MN) against R
//! metafor 3.8-1: `tests/fixtures/measures/make_measures.R` writes escalc's yi and vi and
//! rma's results, with the back-transformed estimate and CI (transf.ilogit, transf.iarcsin,
//! transf.ipft.hm, exp). Every field at 1e-6.

use metareport::stats::{
    Measure, Options, StudyData, StudyInput, Tau2Method, analyse, single_group,
};
use serde_json::Value;

const TOL: f64 = 1e-6;

fn close(what: &str, got: f64, want: f64) {
    let scale = want.abs().max(1.0);
    assert!(
        (got - want).abs() <= TOL * scale,
        "{what}: got {got}, metafor {want}"
    );
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"))
}

fn data(kind: &str, r: &Value) -> StudyData {
    match kind {
        "proportion" => StudyData::Proportion {
            events: f(r, "events"),
            total: f(r, "total"),
        },
        "rate" => StudyData::Rate {
            events: f(r, "events"),
            time: f(r, "time"),
        },
        "rates" => StudyData::Rates {
            events_t: f(r, "events_t"),
            time_t: f(r, "time_t"),
            events_c: f(r, "events_c"),
            time_c: f(r, "time_c"),
        },
        "mean" => StudyData::Mean {
            mean: f(r, "mean"),
            sd: f(r, "sd"),
            n: f(r, "n"),
        },
        "continuous" => StudyData::Continuous {
            mean_t: f(r, "mean_t"),
            sd_t: f(r, "sd_t"),
            n_t: f(r, "n_t"),
            mean_c: f(r, "mean_c"),
            sd_c: f(r, "sd_c"),
            n_c: f(r, "n_c"),
        },
        k => panic!("kind {k}"),
    }
}

#[test]
fn every_new_measure_reproduces_metafor() {
    let text = std::fs::read_to_string("tests/fixtures/measures/measures.json").unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let cases = all["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 28);
    let mut measures = std::collections::BTreeSet::new();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let kind = c["kind"].as_str().unwrap();
        let measure: Measure = serde_json::from_value(c["measure"].clone()).unwrap();
        measures.insert(measure.code());
        let inputs: Vec<StudyInput> = c["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| StudyInput {
                name: r["study"].as_str().unwrap().to_string(),
                subgroup: None,
                data: data(kind, r),
            })
            .collect();
        let mut opts = Options::new(measure);
        opts.tau2_method = match c["tau2_method"].as_str().unwrap() {
            "REML" => Tau2Method::REML,
            "DL" => Tau2Method::DL,
            m => panic!("{m}"),
        };
        let a = analyse(inputs.clone(), &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let e = &c["expected"];
        let yi = e["yi"].as_array().unwrap();
        assert_eq!(a.studies.len(), yi.len(), "{name}: studies included");
        for (i, s) in a.studies.iter().enumerate() {
            close(&format!("{name} yi[{i}]"), s.yi, yi[i].as_f64().unwrap());
            close(
                &format!("{name} vi[{i}]"),
                s.vi,
                e["vi"][i].as_f64().unwrap(),
            );
        }
        let p = a.overall.pooled.value().expect("pooled");
        let h = a.overall.heterogeneity.value().expect("heterogeneity");
        close(&format!("{name} estimate"), p.estimate, f(e, "estimate"));
        close(&format!("{name} se"), p.se, f(e, "se"));
        close(&format!("{name} ci_lower"), p.ci_lower, f(e, "ci_lower"));
        close(&format!("{name} ci_upper"), p.ci_upper, f(e, "ci_upper"));
        close(&format!("{name} z"), p.statistic, f(e, "z"));
        close(&format!("{name} p"), p.p, f(e, "p"));
        close(&format!("{name} tau2"), h.tau2, f(e, "tau2"));
        close(&format!("{name} Q"), h.q, f(e, "q"));
        close(&format!("{name} Q p"), h.p, f(e, "q_p"));
        close(&format!("{name} I2"), h.i2, f(e, "i2"));
        let back = |x| single_group::present(measure, &inputs, x);
        close(
            &format!("{name} back estimate"),
            back(p.estimate),
            f(e, "back_estimate"),
        );
        close(
            &format!("{name} back lower"),
            back(p.ci_lower),
            f(e, "back_ci_lower"),
        );
        close(
            &format!("{name} back upper"),
            back(p.ci_upper),
            f(e, "back_ci_upper"),
        );
    }
    assert_eq!(measures.len(), 10, "{measures:?}");
}

/// A single-group study given a continuity correction is marked in results.json with the
/// amount, and the methods name the outcome it applies to when the review has several; two
/// proportion outcomes with different transformations are told apart by their titles.
#[test]
fn single_group_continuity_corrections_are_recorded_and_named_by_outcome() {
    let dir = super::single_group_display::built_project();
    let out = dir.path().join("out/proportions");
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let outcomes = results["outcomes"].as_array().unwrap();
    let mut corrected_in = Vec::new();
    for o in outcomes {
        let names: Vec<&str> = o["studies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| !s["continuity_correction"].is_null())
            .map(|s| {
                assert_eq!(s["continuity_correction"]["treatment"], 0.5);
                s["study"].as_str().unwrap()
            })
            .collect();
        if !names.is_empty() {
            corrected_in.push((
                metareport::report::format::title_in_text(o["title"].as_str().unwrap()),
                names.len(),
            ));
        }
    }
    assert_eq!(corrected_in.len(), 1, "{corrected_in:?}");
    let (outcome, n) = &corrected_in[0];
    let typ = std::fs::read_to_string(out.join("manuscript.typ")).unwrap();
    let sentence = typ
        .split(". ")
        .find(|s| s.contains("continuity correction of 0.5"))
        .expect("the methods say a correction was made");
    assert!(
        sentence.contains(&format!("of {outcome} with a zero cell")),
        "{sentence}"
    );
    // PFT and PLO are both proportions: the methods tell their transformations apart by outcome.
    assert!(!typ.contains("For proportion outcomes"), "{typ}");
    for o in outcomes {
        let title = metareport::report::format::title_in_text(o["title"].as_str().unwrap());
        assert!(
            typ.contains(&format!("For {title}, the proportion")),
            "{title}"
        );
    }
    let count = ["", "one", "two", "three"][*n];
    assert!(
        sentence.contains(&format!("the {count} studies")),
        "{sentence}"
    );
    // A single group has no null to test: no overall-effect line in its forest plots and no
    // p in the summary table (the text prints none either).
    for f in std::fs::read_dir(out.join("figures")).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            let svg = std::fs::read_to_string(&path).unwrap();
            assert!(
                !svg.contains("Test for overall effect"),
                "{}",
                path.display()
            );
        }
    }
    let rows = typ
        .lines()
        .find(|l| l.contains("kept-rows(") && l.contains("IV, random"))
        .expect("the summary table's rows");
    assert_eq!(rows.matches("], [–], [").count(), outcomes.len(), "{rows}");
}

/// A measure that one outcome uses is said of that outcome, not of "incidence rate ratio
/// outcomes" (an editor's catch: the rates review has one outcome of each measure).
#[test]
fn a_measure_of_one_outcome_is_named_by_that_outcome() {
    let dir = super::single_group_display::built_project();
    for review in ["rates", "means"] {
        let out = dir.path().join("out").join(review);
        let results: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap())
                .unwrap();
        let typ = std::fs::read_to_string(out.join("manuscript.typ")).unwrap();
        assert!(!typ.contains(" outcomes, "), "{review}: {typ}");
        for o in results["outcomes"].as_array().unwrap() {
            let title = metareport::report::format::title_in_text(o["title"].as_str().unwrap());
            assert!(typ.contains(&format!("For {title}, ")), "{review}: {title}");
        }
    }
}

/// `metareport pool` takes every measure of the spec: each metafor case above, written as a CSV
/// with the standard column names and pooled from the command line, gives metafor's numbers
/// (pooled on the analysis scale and back-transformed), and `--per` / `--person-time` scale
/// rates as the spec's `per` and `person_time` do.
#[test]
fn pool_takes_every_measure_from_the_command_line() {
    let text = std::fs::read_to_string("tests/fixtures/measures/measures.json").unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut per_checked = 0;
    for c in all["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let measure = c["measure"].as_str().unwrap();
        let rows = c["rows"].as_array().unwrap();
        let columns: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
        let mut csv = columns
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",");
        for r in rows {
            csv.push('\n');
            let cells: Vec<String> = columns
                .iter()
                .map(|k| match &r[k.as_str()] {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                })
                .collect();
            csv.push_str(&cells.join(","));
        }
        let file = tmp.path().join(format!("{name}.csv"));
        std::fs::write(&file, csv + "\n").unwrap();
        let rate = matches!(measure, "IR" | "IRLN" | "IRD");
        let mut args = vec![
            "pool".to_string(),
            "--data".into(),
            file.display().to_string(),
            "--measure".into(),
            measure.into(),
            "--tau2".into(),
            c["tau2_method"].as_str().unwrap().into(),
            "--summary".into(),
        ];
        if rate {
            args.extend(["--per", "1000", "--person-time", "years"].map(String::from));
        }
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_metareport"))
            .args(&args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let e = &c["expected"];
        let p = &v["overall"]["pooled"];
        let h = &v["overall"]["heterogeneity"];
        assert_eq!(v["measure"], measure, "{name}");
        for (got, want) in [
            (f(p, "estimate"), "estimate"),
            (f(p, "se"), "se"),
            (f(p, "ci_lower"), "ci_lower"),
            (f(p, "ci_upper"), "ci_upper"),
            (f(p, "p"), "p"),
            (f(h, "tau2"), "tau2"),
            (f(h, "q"), "q"),
        ] {
            close(&format!("{name} {want} (pool)"), got, f(e, want));
        }
        let shown = &v["overall_presentation_scale"];
        if shown.is_object() {
            close(
                &format!("{name} back estimate (pool)"),
                f(shown, "estimate"),
                f(e, "back_estimate"),
            );
        }
        if rate {
            let scaled = &v["overall_per_scale"];
            assert_eq!(scaled["unit"], "per 1,000 person-years", "{name}");
            let back = if shown.is_object() {
                f(shown, "estimate")
            } else {
                f(p, "estimate")
            };
            close(
                &format!("{name} per 1,000 (pool)"),
                f(scaled, "estimate") / 1000.0,
                back,
            );
            per_checked += 1;
        }
    }
    assert!(per_checked >= 6, "{per_checked}");
    // A ratio has no unit to scale: the flag is named, exit 1.
    let irr = tmp.path().join("hart1999-irr-reml.csv");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args([
            "pool",
            "--data",
            &irr.display().to_string(),
            "--measure",
            "IRR",
            "--per",
            "1000",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("--per: `per` applies to"), "{e}");
}
