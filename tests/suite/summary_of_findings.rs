//! GRADE Summary of Findings: the absolute effects against R (`tests/fixtures/grade/
//! make_absolute.R`: the Handbook's formulas on metafor's pooled effects) at 1e-6, the
//! certainty judgements, the table and the prose of a built review.

use metareport::stats::absolute::{self, AbsoluteEffect};
use metareport::stats::analysis::{Options, analyse};
use metareport::stats::{Measure, ModelChoice, StudyData, StudyInput, Tau2Method};
use serde_json::Value;

use super::common::repo;

const TOL: f64 = 1e-6;

fn reference() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/fixtures/grade/absolute.json")).unwrap(),
    )
    .unwrap()
}

fn measure(v: &Value) -> Measure {
    serde_json::from_value(v.clone()).unwrap()
}

fn close(what: &str, got: f64, want: &Value) {
    let want = want.as_f64().unwrap_or_else(|| panic!("{what}: no number"));
    assert!(
        (got - want).abs() <= TOL * want.abs().max(1.0),
        "{what}: {got} vs R {want}"
    );
}

fn check(what: &str, got: &AbsoluteEffect, want: &Value) {
    for (k, v) in [
        ("assumed_risk", got.assumed_risk),
        ("risk", got.risk),
        ("risk_lower", got.risk_lower),
        ("risk_upper", got.risk_upper),
        ("difference", got.difference),
        ("difference_lower", got.difference_lower),
        ("difference_upper", got.difference_upper),
    ] {
        close(&format!("{what}.{k}"), v, &want[k]);
    }
}

/// Every corresponding-risk formula (OR, Peto OR, RR, HR, RD) over a grid of assumed risks and
/// effects, and the Handbook's worked example (OR 0.73 at 30% → 62 fewer per 1,000).
#[test]
fn absolute_effects_agree_with_r_for_every_measure() {
    let r = reference();
    let cases = r["formula"].as_array().unwrap();
    assert!(cases.len() > 80);
    for (i, c) in cases.iter().enumerate() {
        let m = measure(&c["measure"]);
        let got = absolute::absolute_effect(
            m,
            c["acr"].as_f64().unwrap(),
            c["estimate"].as_f64().unwrap(),
            c["lower"].as_f64().unwrap(),
            c["upper"].as_f64().unwrap(),
        )
        .unwrap();
        check(&format!("formula[{i}] {m:?}"), &got, &c["expected"]);
    }
    let last = cases.last().unwrap();
    let e = absolute::absolute_effect(Measure::OR, 0.3, 0.73, 0.58, 0.92).unwrap();
    assert_eq!(last["estimate"].as_f64(), Some(0.73));
    assert_eq!(e.per_1000().difference.round(), -62.0);
}

/// Data → metareport's pooled effect (inverse variance, DerSimonian–Laird) → the median and
/// pooled control risks and a given one → the absolute effects, against metafor and R.
#[test]
fn the_whole_chain_from_data_agrees_with_metafor() {
    let r = reference();
    for c in r["chain"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let m = measure(&c["measure"]);
        let inputs: Vec<StudyInput> = c["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| StudyInput {
                name: row["study"].as_str().unwrap().into(),
                subgroup: None,
                data: StudyData::Binary {
                    events_t: row["events_t"].as_f64().unwrap(),
                    total_t: row["total_t"].as_f64().unwrap(),
                    events_c: row["events_c"].as_f64().unwrap(),
                    total_c: row["total_c"].as_f64().unwrap(),
                },
            })
            .collect();
        let data: Vec<StudyData> = inputs.iter().map(|s| s.data).collect();
        let mut o = Options::new(m);
        o.model = ModelChoice::Random;
        o.tau2_method = Tau2Method::DL;
        let a = analyse(inputs, &o).unwrap();
        let p = a.overall.pooled.value().unwrap();
        let (est, lo, hi) = (
            m.back_transform(p.estimate),
            m.back_transform(p.ci_lower),
            m.back_transform(p.ci_upper),
        );
        close(&format!("{name} pooled"), est, &c["pooled"]["estimate"]);
        let med = absolute::median_control_risk(&data).unwrap();
        let pooled = absolute::pooled_control_risk(&data).unwrap();
        close(
            &format!("{name} median ACR"),
            med,
            &c["median_control_risk"],
        );
        close(
            &format!("{name} pooled ACR"),
            pooled,
            &c["pooled_control_risk"],
        );
        for (acr, key) in [(med, "median"), (pooled, "pooled_acr"), (0.05, "given")] {
            let got = absolute::absolute_effect(m, acr, est, lo, hi).unwrap();
            check(&format!("{name} {key}"), &got, &c[key]);
        }
    }
}

/// The optimal information size for a relative risk reduction of 25% (GRADE guideline 6).
#[test]
fn optimal_information_size_agrees_with_r() {
    for c in reference()["ois"].as_array().unwrap() {
        let got = absolute::optimal_information_size(
            c["acr"].as_f64().unwrap(),
            c["rrr"].as_f64().unwrap(),
            c["alpha"].as_f64().unwrap(),
            c["power"].as_f64().unwrap(),
        )
        .unwrap();
        close("ois", got, &c["expected"]);
    }
}
