//! The default project built from nothing in a temporary directory, as a newcomer would, and
//! its results.json checked against R metafor's reference cases for the same data and model.

use serde_json::{Value, json};

use super::common::{built, project, repo};

fn results(dir: &std::path::Path, review: &str) -> Value {
    serde_json::from_slice(
        &std::fs::read(dir.join("out").join(review).join("results.json")).unwrap(),
    )
    .unwrap()
}

fn case(name: &str) -> Value {
    serde_json::from_slice(
        &std::fs::read(
            repo()
                .join("tests/fixtures/metafor")
                .join(format!("{name}.json")),
        )
        .unwrap(),
    )
    .unwrap()
}

fn close(a: f64, e: f64) -> bool {
    if e.abs() < 1e-9 {
        (a - e).abs() <= 1e-12
    } else {
        (a - e).abs() <= 1e-6 * e.abs()
    }
}

/// Compares every number of `expected` with `actual` (same shape).
fn check(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match expected {
        Value::Object(m) => {
            for (k, e) in m {
                if k == "definition" || k == "pi_dist" || k == "tau2_ci_method" || k == "estimator"
                {
                    continue;
                }
                check(
                    &format!("{path}.{k}"),
                    e,
                    actual.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        Value::Array(items) => {
            let got = actual.as_array().cloned().unwrap_or_default();
            if got.len() != items.len() {
                out.push(format!(
                    "{path}: {} items expected, {} in results.json",
                    items.len(),
                    got.len()
                ));
                return;
            }
            for (i, (e, a)) in items.iter().zip(&got).enumerate() {
                check(&format!("{path}[{i}]"), e, a, out);
            }
        }
        Value::Number(n) => match actual.as_f64() {
            Some(a) if close(a, n.as_f64().unwrap()) => {}
            other => out.push(format!("{path}: metafor {n}, results.json {other:?}")),
        },
        Value::String(s) if actual.as_str() != Some(s) => {
            out.push(format!("{path}: metafor \"{s}\", results.json {actual}"));
        }
        _ => {}
    }
}

/// results.json's overall pool in the reference cases' vocabulary.
fn pool_as_reference(pool: &Value) -> Value {
    let p = &pool["pooled"];
    let h = &pool["heterogeneity"];
    let mut het = json!({"q": h["q"], "q_df": h["df"], "q_p": h["p"], "tau2": h["tau2"], "tau": h["tau"], "i2": h["i2"], "h2": h["h2"]});
    if h["ci"]["tau2"].is_object() {
        het["tau2_ci"] = json!([h["ci"]["tau2"]["lower"], h["ci"]["tau2"]["upper"]]);
        het["i2_ci"] = json!([h["ci"]["i2"]["lower"], h["ci"]["i2"]["upper"]]);
        het["h2_ci"] = json!([h["ci"]["h2"]["lower"], h["ci"]["h2"]["upper"]]);
    }
    let mut v = json!({"pooled": {"estimate": p["estimate"], "se": p["se"], "ci_lower": p["ci_lower"], "ci_upper": p["ci_upper"], "z": p["statistic"], "p": p["p"]},
                       "heterogeneity": het});
    if pool["prediction"]["metafor"].is_object() {
        let pr = &pool["prediction"];
        v["prediction"] = json!({"pi_lower": pr["metafor"]["lower"], "pi_upper": pr["metafor"]["upper"],
                                 "pi_higgins_t_km2": [pr["higgins_t"]["lower"], pr["higgins_t"]["upper"]]});
    }
    v
}

fn bias_as_reference(b: &Value) -> Value {
    let e = &b["egger"];
    let t = &b["trim_and_fill"];
    json!({
        "egger_classic": {"bias": e["bias"], "bias_se": e["bias_se"], "t": e["t"], "df": e["df"], "p": e["p"], "limit_estimate": e["limit_estimate"]},
        "egger_metafor_default": {"stat": b["egger_meta_regression"]["statistic"], "p": b["egger_meta_regression"]["p"]},
        "begg": {"kendall_tau": b["begg"]["kendall_tau"], "p": b["begg"]["p"]},
        "trimfill": {"k0": t["k0"], "side": t["side"], "estimate": t["estimate"], "se": t["se"], "ci_lower": t["ci_lower"], "ci_upper": t["ci_upper"], "tau2": t["tau2"], "filled_yi": t["filled_yi"], "filled_vi": t["filled_vi"]},
    })
}

#[test]
fn the_default_project_builds_from_nothing_and_matches_metafor() {
    let dir = project(&["bcg", "iabp-ecpr", "magnesium", "passive-smoking"]);
    let outputs = built(dir.path());
    for f in [
        "out/report.pdf",
        "out/iabp-ecpr/manuscript.pdf",
        "out/iabp-ecpr/figures/prisma.png",
        "out/magnesium/figures/funnel-mortality.svg",
        "out/bcg/results.json",
    ] {
        assert!(
            outputs.contains(&f.to_string()),
            "{f} not built: {outputs:?}"
        );
    }
    let mut out = Vec::new();

    // Magnesium: the heterogeneity rule gives no pooled estimate (p < 0.05); heterogeneity, the
    // small-study tests and trim-and-fill use the DL random-effects model = magnesium-or-dl.
    let mg = &results(dir.path(), "magnesium")["outcomes"][0];
    let reference = case("magnesium-or-dl")["expected"].clone();
    assert!(
        mg["overall"]["pooled"]["absent"].is_string(),
        "the rule reports no pooled estimate"
    );
    let studies: Vec<Value> = mg["studies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!({"study": s["study"], "yi": s["yi"], "vi": s["vi"]}))
        .collect();
    let ref_studies: Vec<Value> = reference["studies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!({"study": s["study"], "yi": s["yi"], "vi": s["vi"]}))
        .collect();
    check(
        "magnesium.studies",
        &json!(ref_studies),
        &json!(studies),
        &mut out,
    );
    check(
        "magnesium.heterogeneity",
        &reference["heterogeneity"],
        &pool_as_reference(&mg["overall"])["heterogeneity"],
        &mut out,
    );
    let mut bias = reference["bias"].clone();
    bias.as_object_mut()
        .unwrap()
        .remove("egger_metafor_default");
    check(
        "magnesium.bias",
        &bias,
        &bias_as_reference(&mg["bias"]),
        &mut out,
    );
    // Leaving out ISIS-4 lets the rule pool (random effects, DL): metafor's leave1out row.
    let isis = mg["sensitivity"]["leave_one_out"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "ISIS-4 1995")
        .unwrap();
    let ref_isis = reference["leave_one_out"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["omitted"] == "ISIS-4 1995")
        .unwrap();
    let p = pool_as_reference(&isis["pool"]);
    let row = json!({"estimate": p["pooled"]["estimate"], "se": p["pooled"]["se"], "ci_lower": p["pooled"]["ci_lower"], "ci_upper": p["pooled"]["ci_upper"],
                     "p": p["pooled"]["p"], "q": p["heterogeneity"]["q"], "q_p": p["heterogeneity"]["q_p"], "tau2": p["heterogeneity"]["tau2"], "i2": p["heterogeneity"]["i2"], "omitted": isis["label"]});
    check("magnesium.leave_one_out[ISIS-4]", ref_isis, &row, &mut out);

    // Passive smoking: the rule chooses random effects (p = 0.10), DL (revman5 preset), SE from
    // the CI with 2 × 1.959964 = smoking-generic-or-dl.
    let ps = &results(dir.path(), "passive-smoking")["outcomes"][0];
    let reference = case("smoking-generic-or-dl")["expected"].clone();
    let mine = pool_as_reference(&ps["overall"]);
    check(
        "passive-smoking.pooled",
        &reference["pooled"],
        &mine["pooled"],
        &mut out,
    );
    check(
        "passive-smoking.heterogeneity",
        &reference["heterogeneity"],
        &mine["heterogeneity"],
        &mut out,
    );
    check(
        "passive-smoking.prediction",
        &reference["prediction"],
        &mine["prediction"],
        &mut out,
    );
    check(
        "passive-smoking.egger",
        &reference["bias"]["egger_classic"],
        &bias_as_reference(&ps["bias"])["egger_classic"],
        &mut out,
    );
    let weights: Vec<Value> = ps["studies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["weight_pct"].clone())
        .collect();
    let mut expected_weights: Vec<(String, Value)> = reference["studies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["study"].as_str().unwrap().to_string(),
                s["weight_pct"].clone(),
            )
        })
        .collect();
    // The spec orders the subgroups (cohort first); match the weights by study.
    let names: Vec<String> = ps["studies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["study"].as_str().unwrap().to_string())
        .collect();
    expected_weights.sort_by_key(|(n, _)| names.iter().position(|m| m == n).unwrap());
    check(
        "passive-smoking.weights",
        &json!(
            expected_weights
                .into_iter()
                .map(|(_, w)| w)
                .collect::<Vec<_>>()
        ),
        &json!(weights),
        &mut out,
    );

    // BCG: RR, REML, Wald z, metafor's prediction interval = bcg-rr-reml.
    let bcg = &results(dir.path(), "bcg")["outcomes"][0];
    let reference = case("bcg-rr-reml")["expected"].clone();
    let mine = pool_as_reference(&bcg["overall"]);
    for k in ["pooled", "heterogeneity", "prediction"] {
        check(&format!("bcg.{k}"), &reference[k], &mine[k], &mut out);
    }
    assert!(
        out.is_empty(),
        "results.json differs from metafor:\n{}",
        out.join("\n")
    );
}

#[test]
fn a_cumulative_analysis_by_a_text_column_adds_studies_in_natural_order_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    std::fs::write(
        dir.path().join("analyses/cum.yaml"),
        "title: T\noutcomes:\n  - id: m\n    title: Mortality\n    measure: OR\n    sensitivity: {cumulative: {by: trial}}\n    rows:\n      - {study: A, trial: Study 10, events_t: 3, total_t: 50, events_c: 9, total_c: 51}\n      - {study: B, trial: COV-HCQ, events_t: 7, total_t: 80, events_c: 12, total_c: 77}\n      - {study: C, trial: Study 2, events_t: 5, total_t: 60, events_c: 8, total_c: 62}\n      - {study: D, trial: CloroCOVID, events_t: 4, total_t: 40, events_c: 6, total_c: 41}\n",
    )
    .unwrap();
    super::common::built(dir.path());
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/cum/results.json")).unwrap())
            .unwrap();
    let order: Vec<&str> = results["outcomes"][0]["sensitivity"]["cumulative"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    // CloroCOVID before COV-HCQ (case ignored), Study 2 before Study 10 (numbers as numbers).
    assert_eq!(order, ["D", "B", "C", "A"]);
    let typ = std::fs::read_to_string(dir.path().join("out/cum/manuscript.typ")).unwrap();
    assert!(
        typ.contains("Studies are added in alphabetical order of trial (ignoring case; numbers in the text compared as numbers)."),
        "{typ}"
    );
}
