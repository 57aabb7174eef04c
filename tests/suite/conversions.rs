//! Conversions before pooling (`src/stats/convert/`) against their R references, made by
//! `tests/fixtures/conversions/make_conversions.R` (metafor 5.1-12's `conv.fivenum`,
//! `conv.wald`; the Cochrane Handbook's and Tierney 2007's formulas): every field at 1e-6.

use metareport::stats::convert::{combine, fivenum, hazard, sd};
use serde_json::Value;

const TOL: f64 = 1e-6;

fn cases() -> Value {
    let text = std::fs::read_to_string("tests/fixtures/conversions/conversions.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

fn close(what: &str, got: f64, want: f64) {
    let scale = want.abs().max(1.0);
    assert!(
        (got - want).abs() <= TOL * scale,
        "{what}: got {got}, metafor/R {want}"
    );
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"))
}

fn opt(v: &Value, k: &str) -> Option<f64> {
    v[k].as_f64()
}

fn mean_method(s: &str) -> fivenum::MeanMethod {
    match s {
        "default" | "luo2016" | "luo/wan/shi" => fivenum::MeanMethod::LuoWanShi,
        "wan2014" => fivenum::MeanMethod::Wan2014,
        "hozo2005" => fivenum::MeanMethod::Hozo2005,
        "bland2015" => fivenum::MeanMethod::Bland2015,
        other => panic!("method {other}"),
    }
}

fn sd_method(s: &str) -> fivenum::SdMethod {
    match s {
        "default" | "luo/wan/shi" => fivenum::SdMethod::LuoWanShi,
        "shi2020" => fivenum::SdMethod::Shi2020,
        "wan2014" => fivenum::SdMethod::Wan2014,
        "hozo2005" => fivenum::SdMethod::Hozo2005,
        "bland2015" => fivenum::SdMethod::Bland2015,
        other => panic!("method {other}"),
    }
}

#[test]
fn median_iqr_range_to_mean_sd_as_conv_fivenum() {
    let all = cases();
    let list = all["fivenum"].as_array().unwrap();
    assert!(list.len() > 1000, "{} cases", list.len());
    let (mut converted, mut skewed, mut not_for_case) = (0, 0, 0);
    for (i, c) in list.iter().enumerate() {
        let inp = &c["input"];
        let st = &c["settings"];
        let settings = fivenum::Settings {
            mean: mean_method(st["mean"].as_str().unwrap()),
            sd: sd_method(st["sd"].as_str().unwrap()),
            lognormal: st["dist"] == "lnorm",
            transf: st["transf"].as_bool().unwrap(),
            test: st["test"].as_bool().unwrap(),
        };
        let summary = fivenum::Summary {
            min: opt(inp, "min"),
            q1: opt(inp, "q1"),
            median: f(inp, "median"),
            q3: opt(inp, "q3"),
            max: opt(inp, "max"),
            n: f(inp, "n"),
        };
        let exp = &c["expected"];
        let got = fivenum::convert(&summary, &settings);
        let what = format!("case {i} {inp} {st}");
        match (opt(exp, "mean"), opt(exp, "sd")) {
            (Some(m), Some(s)) => {
                let g = got.unwrap_or_else(|e| panic!("{what}: not converted ({e:?})"));
                close(&format!("{what} mean"), g.mean, m);
                close(&format!("{what} sd"), g.sd, s);
                close(
                    &format!("{what} tval"),
                    g.skewness.statistic,
                    f(exp, "tval"),
                );
                close(&format!("{what} crit"), g.skewness.critical, f(exp, "crit"));
                assert_eq!(
                    g.skewness.significant(),
                    exp["sig"].as_bool().unwrap(),
                    "{what}"
                );
                converted += 1;
            }
            (m, s) => {
                // metafor leaves the mean and/or SD missing: metareport converts neither
                // (a study needs both), and says why.
                match got {
                    Err(fivenum::NotConverted::Skewed(sk)) => {
                        assert!(exp["sig"].as_bool().unwrap(), "{what}");
                        close(&format!("{what} tval"), sk.statistic, f(exp, "tval"));
                        close(&format!("{what} crit"), sk.critical, f(exp, "crit"));
                        skewed += 1;
                    }
                    Err(fivenum::NotConverted::MethodNotForCase) => {
                        assert!(m.is_none() || s.is_none(), "{what}");
                        not_for_case += 1;
                    }
                    other => {
                        panic!("{what}: metafor gave mean {m:?} sd {s:?}, metareport {other:?}")
                    }
                }
            }
        }
    }
    assert!(
        converted > 900 && skewed > 100 && not_for_case > 50,
        "{converted} {skewed} {not_for_case}"
    );
}

#[test]
fn two_subgroups_combined_as_the_handbook_says() {
    for c in cases()["combine"].as_array().unwrap() {
        let i = &c["input"];
        let (n, m, s) = combine::combine_groups(
            f(i, "n1"),
            f(i, "m1"),
            f(i, "sd1"),
            f(i, "n2"),
            f(i, "m2"),
            f(i, "sd2"),
        )
        .unwrap();
        let e = &c["expected"];
        close("n", n, f(e, "n"));
        close("mean", m, f(e, "mean"));
        close("sd", s, f(e, "sd"));
    }
}

#[test]
fn sd_from_se_ci_t_and_p() {
    for c in cases()["sd"].as_array().unwrap() {
        let i = &c["input"];
        let e = &c["expected"];
        let w = format!("{i}");
        close(
            &w,
            sd::sd_from_se(f(i, "se"), f(i, "n")).unwrap(),
            f(e, "sd_from_se"),
        );
        close(
            &w,
            sd::sd_from_ci(f(i, "lower"), f(i, "upper"), f(i, "n")).unwrap(),
            f(e, "sd_from_ci"),
        );
        let (m1, m2, n1, n2) = (f(i, "mean"), f(i, "mean2"), f(i, "n"), f(i, "n2"));
        close(
            &w,
            sd::sd_from_t(m1, m2, f(i, "t"), n1, n2).unwrap(),
            f(e, "sd_from_t"),
        );
        close(
            &w,
            sd::t_from_p(f(i, "p"), n1, n2).unwrap(),
            f(e, "t_from_p"),
        );
        close(
            &w,
            sd::sd_from_p(m1, m2, f(i, "p"), n1, n2).unwrap(),
            f(e, "sd_from_p"),
        );
    }
}

#[test]
fn log_hazard_ratios_from_o_minus_e_and_from_a_logrank_p() {
    for c in cases()["hazard"].as_array().unwrap() {
        let i = &c["input"];
        let e = &c["expected"];
        let w = format!("{i}");
        let (yi, se) = hazard::from_o_minus_e(f(i, "o_minus_e"), f(i, "v")).unwrap();
        close(&w, yi, f(e, "yi_oe"));
        close(&w, se, f(e, "se_oe"));
        let (yi, se) = hazard::from_logrank_p(
            f(i, "p"),
            f(i, "events"),
            f(i, "r1"),
            f(i, "r2"),
            i["hr_below_one"].as_bool().unwrap(),
        )
        .unwrap();
        close(&w, yi, f(e, "yi_p"));
        close(&w, se, f(e, "se_p"));
    }
}

/// The HR with its CI stays the one `estimate_ci` path: it agrees with metafor's `conv.wald`.
#[test]
fn hazard_ratio_with_ci_is_the_estimate_ci_path_as_conv_wald() {
    use metareport::stats::effect::{CiRule, Continuity, effect_size};
    use metareport::stats::{Measure, StudyData};
    for c in cases()["hr_ci"].as_array().unwrap() {
        let i = &c["input"];
        let data = StudyData::EstimateCi {
            estimate: f(i, "estimate"),
            lower: f(i, "lower"),
            upper: f(i, "upper"),
        };
        let eff = effect_size(
            &data,
            Measure::HR,
            metareport::stats::smd_revman::SmdMethod::Exact,
            &Continuity::default(),
            &CiRule::default(),
            false,
        );
        let metareport::stats::effect::Effect::Included(es) = eff else {
            panic!("{i}: {eff:?}")
        };
        close("yi", es.yi, f(&c["expected"], "yi"));
        close("vi", es.vi, f(&c["expected"], "vi"));
    }
}

/// The test project `tests/fixtures/projects/conversions` (rows reporting medians, IQRs,
/// ranges, SEs, CIs, t and p values, two subgroups; HRs from O − E, V and log-rank p-values)
/// built from the command line's code path; every study's converted data, yi, vi and the
/// pooled estimate against R (`make_conversions_project.R`), and each conversion listed in
/// results.json and marked in the forest plot.
#[test]
fn a_project_of_reported_summaries_builds_and_pools_as_r() {
    use super::common::{built, copy_dir, repo};
    let src = repo().join("tests/fixtures/projects/conversions");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&src.join("analyses"), &dir.path().join("analyses"));
    built(dir.path());
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("expected.json")).unwrap()).unwrap();
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/conversions/results.json")).unwrap(),
    )
    .unwrap();
    for (id, fields) in [
        (
            "stay",
            &["mean_t", "sd_t", "n_t", "mean_c", "sd_c", "n_c"][..],
        ),
        ("survival", &[][..]),
    ] {
        let o = super::common::outcome(&results, id);
        let e = &expected[id];
        let studies = o["studies"].as_array().unwrap();
        for es in e["studies"].as_array().unwrap() {
            let s = studies
                .iter()
                .find(|s| s["study"] == es["label"])
                .unwrap_or_else(|| panic!("{}", es["label"]));
            for k in fields {
                close(
                    &format!("{id} {} {k}", es["label"]),
                    f(&s["data"], k),
                    f(es, k),
                );
            }
            close(&format!("{id} {} yi", es["label"]), f(s, "yi"), f(es, "yi"));
            close(&format!("{id} {} vi", es["label"]), f(s, "vi"), f(es, "vi"));
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
    }
    // Each conversion is listed, by study and method.
    let listed = |id: &str| -> Vec<(String, String)> {
        let o = super::common::outcome(&results, id);
        o["conversions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["study"].as_str().unwrap().to_string(),
                    c["method"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let stay = listed("stay");
    for (study, method) in [
        ("Orpington-Mild", "fivenum"),
        ("Orpington-Moderate", "fivenum"),
        ("Orpington-Severe", "sd_from_se"),
        ("Montreal-Home", "sd_from_ci"),
        ("Newcastle", "sd_from_t"),
        ("Umea", "sd_from_p"),
        ("Uppsala", "combined_subgroups"),
        ("Montreal-Transfer", "fivenum"),
    ] {
        assert!(
            stay.contains(&(study.into(), method.into())),
            "{study} {method}: {stay:?}"
        );
    }
    assert!(!stay.iter().any(|(s, _)| s == "Edinburgh"), "{stay:?}");
    assert_eq!(
        listed("survival")
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>(),
        [
            "hr_from_o_minus_e",
            "hr_from_logrank_p",
            "hr_from_o_minus_e",
            "hr_from_logrank_p"
        ]
    );
    // The forest plot marks them and explains each symbol.
    let svg = std::fs::read_to_string(dir.path().join("out/conversions/figures/forest-stay.svg"))
        .unwrap();
    assert!(
        svg.contains("7.34†"),
        "the converted SD of Orpington-Mild, two decimals and its symbol"
    );
    assert!(
        svg.contains("† Mean and/or SD estimated from the median with the IQR and/or the range.")
    );
    assert!(svg.contains("‡ Two subgroups combined into one arm."));
    let svg = std::fs::read_to_string(
        dir.path()
            .join("out/conversions/figures/forest-survival.svg"),
    )
    .unwrap();
    assert!(svg.contains(
        "‡ Log hazard ratio and SE from the log-rank p-value and the numbers of events."
    ));
}
