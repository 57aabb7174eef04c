//! GRADE Summary of Findings: the absolute effects against R (`tests/fixtures/grade/
//! make_absolute.R`: the Handbook's formulas on metafor's pooled effects) at 1e-6, the
//! certainty judgements, the table and the prose of a built review.

use metareport::stats::absolute::{self, AbsoluteEffect};
use metareport::stats::analysis::{Options, analyse};
use metareport::stats::{Measure, ModelChoice, StudyData, StudyInput, Tau2Method};
use serde_json::Value;

use super::common::{built, copy_dir, repo};

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

/// The test review `tests/fixtures/grade/` (binary with named assumed risks, MD, SMD on a
/// scale, HR with a given risk, one outcome without judgements), built.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/grade/analyses"),
        &dir.path().join("analyses"),
    );
    built(dir.path());
    dir
}

/// GRADE's arithmetic: start, downgrades and upgrades, bounded to very low … high.
#[test]
fn certainty_adds_the_authors_judgements_and_stays_within_its_four_levels() {
    use metareport::spec::summary_of_findings::{Certainty, Domain, Judgement, Level};
    let j = |domain, levels| Judgement {
        domain,
        levels,
        reason: Some("x".into()),
    };
    let c = |start, js: Vec<Judgement>| {
        Certainty {
            start,
            judgements: js,
        }
        .level()
    };
    assert_eq!(c(Level::High, vec![]), Level::High);
    assert_eq!(
        c(Level::High, vec![j(Domain::Imprecision, -1)]),
        Level::Moderate
    );
    assert_eq!(
        c(
            Level::High,
            vec![j(Domain::RiskOfBias, -2), j(Domain::Imprecision, -2)]
        ),
        Level::VeryLow
    );
    assert_eq!(c(Level::Low, vec![j(Domain::LargeEffect, 2)]), Level::High);
    assert_eq!(
        c(
            Level::Low,
            vec![j(Domain::LargeEffect, 2), j(Domain::DoseResponse, 1)]
        ),
        Level::High
    );
    assert_eq!(
        c(Level::Low, vec![j(Domain::Inconsistency, -1)]),
        Level::VeryLow
    );
    assert_eq!(
        Level::Moderate.symbols(),
        "\u{2A01}\u{2A01}\u{2A01}\u{25EF}"
    );
    assert_eq!(Level::VeryLow.symbols(), "\u{2A01}\u{25EF}\u{25EF}\u{25EF}");
}

/// GRADE's informative statements (Santesso et al. 2020) for each level, for an important
/// effect and for one within the threshold.
#[test]
fn statements_follow_the_certainty_and_the_threshold() {
    use metareport::report::summary_of_findings::statement;
    use metareport::spec::summary_of_findings::Level;
    let s = |l, imp, low| statement(l, imp, low, "Exercise", "deaths");
    assert_eq!(s(Level::High, true, true), "Exercise reduces deaths");
    assert_eq!(
        s(Level::Moderate, true, true),
        "Exercise probably reduces deaths"
    );
    assert_eq!(s(Level::Low, true, false), "Exercise may increase deaths");
    assert_eq!(
        s(Level::High, false, true),
        "Exercise results in little to no difference in deaths"
    );
    assert_eq!(
        s(Level::Moderate, false, true),
        "Exercise probably results in little to no difference in deaths"
    );
    assert_eq!(
        s(Level::Low, false, true),
        "Exercise may result in little to no difference in deaths"
    );
    assert_eq!(
        s(Level::VeryLow, true, true),
        "The evidence is very uncertain about the effect of exercise on deaths"
    );
}

/// The built test review: the table's rows (binary with two assumed risks, MD, SMD in the
/// scale's units, HR), the certainty column with "not assessed" where no judgement was given,
/// the footnotes, the statements, results.json and the notes; every absolute effect in
/// results.json is the Handbook's formula on the pooled estimate of results.json.
#[test]
fn the_table_of_a_test_review_has_every_kind_of_row() {
    let dir = fixture();
    let out = dir.path().join("out/grade");
    let typ = std::fs::read_to_string(out.join("manuscript.typ")).unwrap();
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let notes = std::fs::read_to_string(out.join("notes.txt")).unwrap();
    for want in [
        "*Deaths* \\ follow\\-up\\: 12 months",
        "_low risk_ \\ 50 per 1,000",
        "_high risk_ \\ 300 per 1,000",
        "MD 0.81 lower (1.33 lower to 0.30 lower)",
        // No relative effect for a mean difference: "–" (main repeated "MD −0.81 (…)").
        "[MD 0.81 lower (1.33 lower to 0.30 lower)], table.cell(rowspan: 1)[–]",
        "equivalent to",
        "points on the HADS depression subscale",
        "not assessed",
        "#super[a] Upgraded one level for large effect\\: the odds of death were halved.",
        "Downgraded two levels for risk of bias\\: no trial concealed allocation.",
        "Downgraded one level for indirectness",
        "*Risk with usual care*",
        // The intervention in the header as the comparator is, lower-cased mid-phrase
        // (main printed "Risk with Exercise" beside "Risk with usual care").
        "*Risk with exercise*",
        "Exercise probably reduces deaths (moderate\\-certainty evidence).",
        "The evidence is very uncertain about the effect of exercise on pain (very low\\-certainty evidence).",
        "@guyatt2008",
        "@santesso2020",
        "@cochrane14",
    ] {
        assert!(typ.contains(want), "the manuscript lacks {want:?}");
    }
    // Low mood has no judgements: no statement, a note.
    assert!(!typ.contains("on low mood (") && !typ.contains("low mood (low"));
    assert!(
        notes.contains("no certainty judgements for `mood`"),
        "{notes}"
    );
    assert!(notes.contains("optimal information size"), "{notes}");
    let rows = results["summary_of_findings"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for row in rows {
        let id = row["outcome"].as_str().unwrap();
        let o = super::common::outcome(&results, id);
        let m = measure(&row["measure"]);
        let p = &o["overall_presentation_scale"];
        let (e, lo, hi) = (
            p["estimate"].as_f64().unwrap(),
            p["ci_lower"].as_f64().unwrap(),
            p["ci_upper"].as_f64().unwrap(),
        );
        for abs in row["absolute"].as_array().unwrap() {
            let acr = abs["assumed_risk"].as_f64().unwrap();
            let want = absolute::absolute_effect(m, acr, e, lo, hi)
                .unwrap()
                .per_1000();
            let got = &abs["per_1000"];
            close(&format!("{id} risk"), want.risk, &got["risk"]);
            close(
                &format!("{id} difference"),
                want.difference_lower,
                &got["difference_lower"],
            );
        }
    }
    let levels: Vec<&str> = rows
        .iter()
        .map(|r| r["certainty"]["level"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(levels, ["moderate", "very-low", "none", "moderate"]);
    // Deaths: 4 of 5 studies contributed; the table counts the 5 that reported, as the text.
    assert!(typ.contains("1,181 (5\u{a0}studies)"));
}

/// A review whose table has no judgements at all has no certainty column and no statement.
#[test]
fn without_judgements_the_table_has_no_certainty_column() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/grade/analyses"),
        &dir.path().join("analyses"),
    );
    let spec = dir.path().join("analyses/grade.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let cut = text.find("summary_of_findings:").unwrap();
    std::fs::write(
        &spec,
        format!(
            "{}summary_of_findings:\n  outcomes:\n    - outcome: deaths\n      assumed_risk: pooled-control\n",
            &text[..cut]
        ),
    )
    .unwrap();
    built(dir.path());
    let typ = std::fs::read_to_string(dir.path().join("out/grade/manuscript.typ")).unwrap();
    assert!(typ.contains("<grade-tab-sof>"));
    assert!(!typ.contains("Certainty of the evidence"));
    assert!(!typ.contains("certainty evidence"));
    assert!(!typ.contains("@guyatt2008"));
    assert!(typ.contains("the pooled control\\-group risk of the studies"));
    assert!(typ.contains("*Risk with usual care*"));
}

/// The table, its note and the sentences name the confidence level the intervals are at: 90%
/// when the review asks for it everywhere, each outcome's level in the abbreviations when the
/// outcomes differ (never a fixed "95% CI" over 90% intervals).
#[test]
fn the_table_names_the_confidence_level_of_its_intervals() {
    let make = |defaults: &str, pain_model: &str| {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &repo().join("tests/fixtures/grade/analyses"),
            &dir.path().join("analyses"),
        );
        let spec = dir.path().join("analyses/grade.yaml");
        let text = std::fs::read_to_string(&spec)
            .unwrap()
            .replace("preset: metafor\n", &format!("preset: metafor\n{defaults}"))
            .replace(
                "    measure: MD\n",
                &format!("    measure: MD\n{pain_model}"),
            );
        std::fs::write(&spec, text).unwrap();
        built(dir.path());
        let typ = std::fs::read_to_string(dir.path().join("out/grade/manuscript.typ")).unwrap();
        let sof = &typ[typ.find("Anticipated absolute effects").unwrap()..];
        let sof = sof[..sof.find("<grade-tab-sof>").unwrap()].to_string();
        (typ, sof)
    };
    let (typ, sof) = make("defaults: {level: 0.9}\n", "");
    assert!(!sof.contains("95%"), "{sof}");
    assert!(sof.contains("Anticipated absolute effects#super[\\*] (90% CI)"));
    assert!(sof.contains("Relative effect \\ (90% CI)"));
    assert!(sof.contains("(and its 90% CI)"));
    assert!(typ.contains("fewer per 1,000 (90% CI") || typ.contains("more per 1,000 (90% CI"));
    let (_, sof) = make("", "    model: {level: 0.9}\n");
    assert!(sof.contains("Relative effect \\ (CI)"), "{sof}");
    assert!(
        sof.contains("confidence interval (95% for deaths, 90% for pain, 95% for low mood"),
        "{sof}"
    );
}
