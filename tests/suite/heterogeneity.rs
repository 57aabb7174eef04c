//! Meta-regression, its permutation test, influence diagnostics, Baujat coordinates and GOSH
//! against R metafor 3.8-1, on the cases in `fixtures/metafor-heterogeneity/` (made by
//! `make_cases.R` there, with tight convergence). Every expected number is compared: relative
//! 1e-6, or absolute 1e-9 where the expected value is within 1e-6 of zero. No expected number
//! appears in this file. Random permutations and random GOSH subsets use metareport's own
//! generator, so they are checked by their properties instead.

use std::path::Path;

use metareport::stats::analysis::{Analysis, ExploreOptions, Options};
use metareport::stats::gosh::{self, GoshSubsets};
use metareport::stats::influence;
use metareport::stats::meta_regression::{
    self, Centre, MetaRegressionOptions, Moderator, ModeratorValues, PermutationOptions,
};
use metareport::stats::tau2::Control;
use metareport::stats::{
    CiMethod, Computed, Effects, Measure, ModelChoice, StudyData, StudyInput, Tau2Method, analyse,
};
use serde_json::{Value, json};

const RELATIVE: f64 = 1e-6;
const NEAR_ZERO: f64 = 1e-6;
const ABSOLUTE: f64 = 1e-9;

fn cases(prefix: &str) -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metafor-heterogeneity");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no {prefix}* cases");
    names
        .iter()
        .map(|n| serde_json::from_str(&std::fs::read_to_string(dir.join(n)).unwrap()).unwrap())
        .collect()
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} in {v}"))
}

fn inputs(case: &Value) -> Vec<StudyInput> {
    assert_eq!(case["input"]["kind"], "binary");
    case["input"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| StudyInput {
            name: r["study"].as_str().unwrap().into(),
            subgroup: None,
            data: StudyData::Binary {
                events_t: num(r, "events_t"),
                total_t: num(r, "total_t"),
                events_c: num(r, "events_c"),
                total_c: num(r, "total_c"),
            },
        })
        .collect()
}

fn effects(case: &Value) -> Effects {
    match case["options"]["method"].as_str().unwrap() {
        "FE" => Effects::Fixed,
        m => Effects::Random(serde_json::from_value::<Tau2Method>(json!(m)).unwrap()),
    }
}

fn test_of(case: &Value) -> CiMethod {
    match case["options"]["test"].as_str().unwrap() {
        "knha" => CiMethod::Hksj,
        _ => CiMethod::Z,
    }
}

fn moderators(case: &Value) -> Vec<Moderator> {
    let rows = case["input"]["rows"].as_array().unwrap();
    case["options"]["moderators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let col = m["column"].as_str().unwrap();
            let values = match m["kind"].as_str().unwrap() {
                "continuous" => ModeratorValues::Continuous {
                    values: rows.iter().map(|r| num(r, col)).collect(),
                    centre: match m["centre"].as_str() {
                        Some("mean") => Centre::Mean,
                        Some("none") => Centre::None,
                        _ => Centre::Value(num(m, "centre")),
                    },
                },
                _ => ModeratorValues::Categorical {
                    values: rows
                        .iter()
                        .map(|r| r[col].as_str().unwrap().to_string())
                        .collect(),
                    levels: serde_json::from_value(m["levels"].clone()).unwrap(),
                },
            };
            Moderator {
                column: col.into(),
                label: col.into(),
                values,
            }
        })
        .collect()
}

fn options(case: &Value, explore: ExploreOptions) -> Options {
    let measure: Measure = serde_json::from_value(case["options"]["measure"].clone()).unwrap();
    let mut o = Options::new(measure);
    match effects(case) {
        Effects::Fixed => o.model = ModelChoice::Fixed,
        Effects::Random(m) => {
            o.model = ModelChoice::Random;
            o.tau2_method = m;
        }
    }
    o.ci = test_of(case);
    o.explore = explore;
    o
}

fn run(case: &Value, explore: ExploreOptions) -> Analysis {
    analyse(inputs(case), &options(case, explore)).unwrap()
}

/// Compares `actual` with every number and boolean of `expected`, recording mismatches.
fn compare(name: &str, path: &str, expected: &Value, actual: &Value, bad: &mut Vec<String>) {
    match expected {
        Value::Number(e) => {
            let e = e.as_f64().unwrap();
            match actual.as_f64() {
                Some(a) => {
                    let ok = if e.abs() < NEAR_ZERO {
                        (a - e).abs() <= ABSOLUTE
                    } else {
                        (a - e).abs() <= RELATIVE * e.abs()
                    };
                    if !ok {
                        bad.push(format!("{name}{path}: expected {e}, got {a}"));
                    }
                }
                None => bad.push(format!("{name}{path}: expected {e}, got {actual}")),
            }
        }
        Value::Bool(_) | Value::String(_) | Value::Null => {
            if expected != actual {
                bad.push(format!("{name}{path}: expected {expected}, got {actual}"));
            }
        }
        Value::Array(items) => {
            let n = actual.as_array().map_or(0, Vec::len);
            if n != items.len() {
                bad.push(format!(
                    "{name}{path}: {} items expected, {n} found",
                    items.len()
                ));
                return;
            }
            for (i, e) in items.iter().enumerate() {
                compare(name, &format!("{path}[{i}]"), e, &actual[i], bad);
            }
        }
        Value::Object(map) => {
            for (k, e) in map {
                compare(name, &format!("{path}.{k}"), e, &actual[k.as_str()], bad);
            }
        }
    }
}

fn report(bad: Vec<String>, checked: usize) {
    assert!(checked > 0);
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn mr_options(case: &Value, permutation: Option<PermutationOptions>) -> ExploreOptions {
    ExploreOptions {
        meta_regression: Some(MetaRegressionOptions {
            moderators: moderators(case),
            effects: effects(case),
            test: test_of(case),
            permutation,
        }),
        ..ExploreOptions::default()
    }
}

#[test]
fn meta_regressions_reproduce_metafor() {
    let mut bad = Vec::new();
    let all = cases("mr-");
    for case in &all {
        let name = case["name"].as_str().unwrap();
        let a = run(case, mr_options(case, None));
        let Some(Computed::Value(r)) = &a.explore.meta_regression else {
            panic!("{name}: {:?}", a.explore.meta_regression);
        };
        let e = &case["expected"]["meta_regression"];
        // The coefficients' names are metareport's ("year", "alloc: alternate"); metafor's
        // ("relevel(factor(alloc), ref = \"random\")alternate") are kept in the case for reading.
        let actual = json!({
            "k": r.k, "p": r.p, "df": r.df,
            "coefficients": r.coefficients.iter().zip(e["coefficients"].as_array().unwrap()).map(|(c, ec)| json!({
                "metafor_name": ec["metafor_name"], "estimate": c.test.estimate, "se": c.test.se,
                "statistic": c.test.statistic, "p": c.test.p, "ci_lower": c.test.ci_lower, "ci_upper": c.test.ci_upper,
            })).collect::<Vec<_>>(),
            "vcov": r.vcov,
            "qm": {"statistic": r.qm.statistic, "df1": r.qm.df1, "df2": r.qm.df2, "p": r.qm.p},
            "residual": {"q": r.residual.q, "df": r.residual.df, "p": r.residual.p, "tau2": r.residual.tau2, "i2": r.residual.i2, "h2": r.residual.h2},
            "r2": r.r2.value(),
            "tau2_without_moderators": r.tau2_without_moderators,
        });
        compare(name, "", e, &actual, &mut bad);
    }
    report(bad, all.len());
}

#[test]
fn exact_permutation_tests_reproduce_metafor() {
    let mut bad = Vec::new();
    let all = cases("perm-");
    for case in &all {
        let name = case["name"].as_str().unwrap();
        let perm = PermutationOptions {
            iterations: case["options"]["permutations"].as_u64().unwrap() as usize,
            seed: 1,
        };
        let a = run(case, mr_options(case, Some(perm)));
        let Some(Computed::Value(r)) = &a.explore.meta_regression else {
            panic!("{name}");
        };
        let Some(Computed::Value(t)) = &r.permutation else {
            panic!("{name}: no permutation test");
        };
        assert_eq!(t.seed, None, "{name}: an exact test has no seed");
        let actual = json!({"permutation": {"exact": t.exact, "iterations": t.iterations, "qm_p": t.qm_p, "coefficient_p": t.coefficient_p}});
        compare(name, "", &case["expected"], &actual, &mut bad);
    }
    report(bad, all.len());
}

#[test]
fn influence_diagnostics_and_baujat_reproduce_metafor() {
    let mut bad = Vec::new();
    let all = cases("inf-");
    for case in &all {
        let name = case["name"].as_str().unwrap();
        let with_mods = !case["options"]["moderators"].as_array().unwrap().is_empty();
        let inf = if with_mods {
            // The diagnostics of a meta-regression model, through the core function.
            let a = run(case, ExploreOptions::default());
            let (y, v): (Vec<f64>, Vec<f64>) = a.studies.iter().map(|s| (s.yi, s.vi)).unzip();
            let rows: Vec<usize> = (0..y.len()).collect();
            let mm = meta_regression::model_matrix(&moderators(case), &rows).unwrap();
            influence::influence(
                &y,
                &v,
                mm.design(),
                effects(case),
                test_of(case),
                &Control::default(),
            )
            .unwrap()
        } else {
            let a = run(
                case,
                ExploreOptions {
                    influence: true,
                    ..ExploreOptions::default()
                },
            );
            match a.explore.influence {
                Some(Computed::Value(i)) => i,
                other => panic!("{name}: {other:?}"),
            }
        };
        let col = |f: &dyn Fn(&influence::StudyInfluence) -> Value| {
            inf.studies.iter().map(f).collect::<Vec<_>>()
        };
        let actual = json!({"influence": {
            "rstudent": col(&|s| json!(s.rstudent)), "dffits": col(&|s| json!(s.dffits)),
            "cook_d": col(&|s| json!(s.cook_d)), "cov_r": col(&|s| json!(s.cov_r)),
            "tau2_del": col(&|s| json!(s.tau2_del)), "qe_del": col(&|s| json!(s.qe_del)),
            "hat": col(&|s| json!(s.hat)), "weight": col(&|s| json!(s.weight)),
            "dfbetas": col(&|s| json!(s.dfbetas)), "influential": col(&|s| json!(s.influential)),
            "baujat_x": col(&|s| json!(s.baujat_x)), "baujat_y": col(&|s| json!(s.baujat_y)),
        }});
        compare(name, "", &case["expected"], &actual, &mut bad);
    }
    report(bad, all.len());
}

#[test]
fn gosh_over_all_subsets_reproduces_metafor() {
    let mut bad = Vec::new();
    let all = cases("gosh-");
    for case in &all {
        let name = case["name"].as_str().unwrap();
        let a = run(
            case,
            ExploreOptions {
                gosh: Some(GoshSubsets::All),
                ..ExploreOptions::default()
            },
        );
        let Some(Computed::Value(g)) = &a.explore.gosh else {
            panic!("{name}");
        };
        let e = &case["expected"]["gosh"];
        // Each subset's fit, by its bit mask (bit i: study i).
        let (y, v): (Vec<f64>, Vec<f64>) = a.studies.iter().map(|s| (s.yi, s.vi)).unzip();
        let masks = e["per_subset"]["mask"].as_array().unwrap();
        let fits: Vec<(f64, f64)> = masks
            .iter()
            .map(|m| {
                let m = m.as_f64().unwrap() as u64;
                let (ys, vs): (Vec<f64>, Vec<f64>) = (0..y.len())
                    .filter(|i| m >> i & 1 == 1)
                    .map(|i| (y[i], v[i]))
                    .unzip();
                gosh::fit_subset(&ys, &vs, g.effects, false, &Control::default()).unwrap()
            })
            .collect();
        let summary = |s: &gosh::Summary| json!({"mean": s.mean, "sd": s.sd, "min": s.min, "q025": s.q025, "q25": s.q25, "median": s.median, "q75": s.q75, "q975": s.q975, "max": s.max});
        let actual = json!({"gosh": {
            "subsets": g.subsets,
            "estimate": summary(&g.estimate),
            "i2": summary(&g.i2),
            "per_subset": {"mask": masks, "estimate": fits.iter().map(|f| f.0).collect::<Vec<_>>(), "i2": fits.iter().map(|f| f.1).collect::<Vec<_>>()},
        }});
        compare(name, "", &case["expected"], &actual, &mut bad);
    }
    report(bad, all.len());
}

/// Random permutations: reproducible from the seed, p ≥ 1/iterations, and close to the exact
/// p-value of the same data (within four binomial standard errors).
#[test]
fn random_permutation_tests_are_seeded_and_agree_with_the_exact_test() {
    let case = &cases("perm-bcg6-ablat-reml-z")[0];
    let exact = case["expected"]["permutation"]["qm_p"].as_f64().unwrap();
    let go = |iterations: usize, seed: u64| {
        let a = run(
            case,
            mr_options(case, Some(PermutationOptions { iterations, seed })),
        );
        match a.explore.meta_regression {
            Some(Computed::Value(r)) => match r.permutation {
                Some(Computed::Value(t)) => t,
                _ => panic!(),
            },
            _ => panic!(),
        }
    };
    // 360 distinct permutations: 300 asked for are drawn at random.
    let a = go(300, 42);
    assert!(!a.exact);
    assert_eq!(a.seed, Some(42));
    assert_eq!(a.iterations, 300);
    assert_eq!(a, go(300, 42), "the same seed gives the same test");
    assert_ne!(a.coefficient_p, go(300, 43).coefficient_p);
    assert!(a.qm_p >= 1.0 / 300.0);
    let se = (exact * (1.0 - exact) / 300.0).sqrt();
    assert!(
        (a.qm_p - exact).abs() < 4.0 * se,
        "random {} vs exact {exact}",
        a.qm_p
    );
}

/// Random GOSH subsets: as many as asked, reproducible, and summaries near those of all
/// subsets (the first 10 BCG trials: 1023 subsets, 800 drawn).
#[test]
fn random_gosh_subsets_are_seeded_and_near_the_complete_enumeration() {
    let case = &cases("gosh-bcg10-dl")[0];
    let go = |which| {
        let a = run(
            case,
            ExploreOptions {
                gosh: Some(which),
                ..ExploreOptions::default()
            },
        );
        match a.explore.gosh {
            Some(Computed::Value(g)) => g,
            _ => panic!(),
        }
    };
    let r = go(GoshSubsets::Random { n: 800, seed: 5 });
    assert!(!r.all);
    assert_eq!((r.subsets, r.seed), (800, Some(5)));
    assert_eq!(r.density.counts.iter().map(|c| *c as u64).sum::<u64>(), 800);
    assert_eq!(r, go(GoshSubsets::Random { n: 800, seed: 5 }));
    let full = go(GoshSubsets::All);
    assert!((r.estimate.mean - full.estimate.mean).abs() < 4.0 * full.estimate.sd / 800f64.sqrt());
    assert!((r.i2.mean - full.i2.mean).abs() < 4.0 * full.i2.sd / 800f64.sqrt());
    // Asking for at least as many subsets as there are gives all of them.
    let every = go(GoshSubsets::Random { n: 5000, seed: 5 });
    assert!(every.all);
    assert_eq!(every, full);
}

// ---------------------------------------------------------------------------------------------
// End to end: specs → results.json, figures and the manuscript's words.

mod end_to_end {
    use std::path::Path;

    use metareport::report::context_heterogeneity::sig3;
    use metareport::report::format;
    use serde_json::Value;

    use super::super::common::{built, project};
    use super::super::manuscript::document_text;

    fn results(dir: &Path, review: &str) -> Value {
        let text =
            std::fs::read_to_string(dir.join("out").join(review).join("results.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn has(text: &str, needle: &str) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(needle),
            "the manuscript does not say \"{needle}\":\n{flat}"
        );
    }

    /// The BCG example of the default project: every number the heterogeneity prose states is
    /// the one in results.json.
    #[test]
    fn the_bcg_prose_states_the_numbers_of_results_json() {
        let dir = project(&["bcg"]);
        let out = built(dir.path());
        for f in ["bubble", "baujat", "gosh"] {
            assert!(
                out.iter()
                    .any(|p| p.ends_with(&format!("figures/{f}-tuberculosis.png")))
            );
        }
        let r = results(dir.path(), "bcg");
        let e = &r["outcomes"][0]["explore"];
        let text = document_text(dir.path(), "bcg");
        let mr = &e["meta_regression"];
        let f = |v: &Value| v.as_f64().unwrap();
        has(
            &text,
            &format!(
                "QM = {}, df = {}, {}",
                format::stat(f(&mr["qm"]["statistic"])),
                mr["qm"]["df1"],
                format::p_text(f(&mr["qm"]["p"]))
            ),
        );
        // Its interval written as the pooled estimates' are (an en dash between positive
        // limits: "RR 0.49, 95% CI 0.34–0.70" and then "0.971 (95% CI 0.958–0.985").
        let c1 = &mr["coefficients"][1];
        has(
            &text,
            &format!(
                "multiplied the RR by {} (95% CI {}–{}; ",
                sig3(f(&c1["estimate"]).exp()),
                sig3(f(&c1["ci_lower"]).exp()),
                sig3(f(&c1["ci_upper"]).exp())
            ),
        );
        has(
            &text,
            &format!("τ² = {}", format::tau2(f(&mr["residual"]["tau2"]))),
        );
        has(
            &text,
            &format!(
                "accounted for {:.0}% of the between-study variance",
                f(&mr["r2"])
            ),
        );
        let perm = &mr["permutation"];
        assert_eq!(
            (perm["iterations"].as_u64(), perm["seed"].as_u64()),
            (Some(1000), Some(1))
        );
        has(
            &text,
            &format!("permutation test {}", format::p_text(f(&perm["qm_p"]))),
        );
        has(
            &text,
            "A permutation test with 1,000 random permutations of the moderator values among the studies (seed 1)",
        );
        let settings = r["outcomes"][0]["settings"].as_array().unwrap();
        assert!(
            settings
                .iter()
                .any(|s| s["name"] == "meta_regression.permutation.seed"
                    && s["value"] == "1"
                    && s["source"] == "outcome")
        );
        assert!(
            settings
                .iter()
                .any(|s| s["name"] == "meta_regression.tau2" && s["value"] == "REML")
        );
        // GOSH: all 2^13 − 1 subsets.
        let g = &e["gosh"];
        assert_eq!(
            (g["subsets"].as_u64(), g["all"].as_bool()),
            (Some(8191), Some(true))
        );
        has(
            &text,
            "fitted to every one of the 8,191 non-empty subsets of the 13 studies",
        );
        has(
            &text,
            &format!("I² a median of {}", format::percent0(f(&g["i2"]["median"]))),
        );
        // Influence: who is flagged, and who tops the Baujat plot.
        let rows = e["influence"]["studies"].as_array().unwrap();
        let flagged = rows.iter().filter(|s| s["influential"] == true).count();
        let names: Vec<&str> = r["outcomes"][0]["studies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["study"].as_str().unwrap())
            .collect();
        if flagged == 0 {
            has(&text, "No study was influential by metafor");
        }
        let top = rows
            .iter()
            .max_by(|a, b| f(&a["baujat_x"]).total_cmp(&f(&b["baujat_x"])))
            .unwrap();
        has(
            &text,
            &format!(
                "{} contributed most to the heterogeneity",
                names[top["study"].as_u64().unwrap() as usize]
            ),
        );
        // One moderator for 13 studies: no Cochrane caveat.
        assert!(!text.contains("fewer than the 10 per moderator"));
    }

    const SPEC: &str = r#"title: Heterogeneity checks
outcomes:
  - id: tb
    title: Tuberculosis
    data: data/bcg.csv
    measure: RR
    meta_regression:
      moderators: [year, allocation, latitude]
      reference: {allocation: random}
      centre: {year: mean}
      test: knha
      prediction_band: true
    gosh: {subsets: 3000, seed: 7}
  - id: mort
    title: Mortality
    data: data/magnesium.csv
    label: "{study} {year}"
    measure: OR
    model: {tau2: DL}
    influence: true
"#;

    /// Categorical moderators with a named reference, centring, Knapp–Hartung, random GOSH
    /// subsets with a seed, and flagged influential studies: results.json and the words agree.
    #[test]
    fn categorical_moderators_knapp_hartung_random_gosh_and_flagged_studies() {
        let dir = project(&[]);
        std::fs::write(dir.path().join("analyses/checks.yaml"), SPEC).unwrap();
        let out = built(dir.path());
        let r = results(dir.path(), "checks");
        let text = document_text(dir.path(), "checks");
        let f = |v: &Value| v.as_f64().unwrap();
        // Meta-regression: three moderators, four coefficients beside the intercept.
        let mr = &r["outcomes"][0]["explore"]["meta_regression"];
        let names: Vec<&str> = mr["coefficients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "intercept",
                "year",
                "allocation: alternate",
                "allocation: systematic",
                "latitude"
            ]
        );
        assert_eq!(mr["qm"]["df2"].as_f64(), Some(8.0));
        has(
            &text,
            &format!(
                "F = {}, df = 4 and 8, {}",
                format::stat(f(&mr["qm"]["statistic"])),
                format::p_text(f(&mr["qm"]["p"]))
            ),
        );
        has(
            &text,
            &format!(
                "studies with allocation alternate had a ratio of RRs of {} relative to random",
                sig3(f(&mr["coefficients"][2]["estimate"]).exp())
            ),
        );
        has(&text, "year (centred at its mean, 1966)");
        has(&text, "Knapp–Hartung method");
        // 13 studies for three moderators: the Cochrane caveat, with its citation.
        has(
            &text,
            "fewer than the 10 per moderator the Cochrane Handbook advises",
        );
        has(&text, "Deeks");
        // Two continuous moderators: a bubble plot with two panels, with the prediction band.
        let bubble =
            std::fs::read_to_string(dir.path().join("out/checks/figures/bubble-tb.svg")).unwrap();
        assert!(bubble.contains("(A) year") && bubble.contains("(B) latitude"));
        assert!(bubble.contains("prediction interval"));
        // GOSH: a seeded random sample.
        let g = &r["outcomes"][0]["explore"]["gosh"];
        assert_eq!(
            (
                g["subsets"].as_u64(),
                g["seed"].as_u64(),
                g["all"].as_bool()
            ),
            (Some(3000), Some(7), Some(false))
        );
        has(&text, "3,000 random subsets of the 13 studies (seed 7)");
        // Influence on the magnesium trials under DL: the flagged ones are named and tabulated.
        let inf = &r["outcomes"][1]["explore"]["influence"];
        let studies = r["outcomes"][1]["studies"].as_array().unwrap();
        let flagged: Vec<&str> = inf["studies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["influential"] == true)
            .map(|s| {
                studies[s["study"].as_u64().unwrap() as usize]["study"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert!(!flagged.is_empty());
        for name in &flagged {
            has(&text, name);
        }
        has(&text, "Influential studies: Mortality");
        // The prose audit (numbers, counts, citations, settings, and these sentences).
        let problems = super::super::prose_audit::audit(dir.path(), "checks").problems;
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(out.iter().any(|p| p.ends_with("figures/baujat-mort.svg")));
    }

    /// A GOSH plot of 200,000 subsets is a few thousand SVG elements at most: a 2-D histogram,
    /// not a point per subset.
    #[test]
    fn a_gosh_plot_of_many_subsets_stays_small() {
        let dir = project(&[]);
        let mut csv = String::from("study,yi,vi\n");
        for i in 0..30 {
            let x = i as f64;
            csv.push_str(&format!(
                "S{i},{},{}\n",
                (x * 0.7).sin() * 0.5,
                0.02 + (i % 7) as f64 * 0.01
            ));
        }
        std::fs::write(dir.path().join("analyses/data/many.csv"), csv).unwrap();
        std::fs::write(
            dir.path().join("analyses/many.yaml"),
            "title: Many\noutcomes:\n  - id: effect\n    title: Effect\n    data: data/many.csv\n    measure: GEN\n    model: {tau2: DL}\n    gosh: {subsets: 200000, seed: 3}\n",
        )
        .unwrap();
        built(dir.path());
        let svg =
            std::fs::read_to_string(dir.path().join("out/many/figures/gosh-effect.svg")).unwrap();
        let elements = svg.matches('<').count();
        assert!(elements < 3000, "{elements} SVG elements");
        let r = results(dir.path(), "many");
        let g = &r["outcomes"][0]["explore"]["gosh"];
        assert_eq!(g["subsets"].as_u64(), Some(200_000));
        let counted: u64 = g["density"]["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .sum();
        assert_eq!(counted + g["failed"].as_u64().unwrap(), 200_000);
    }
}
