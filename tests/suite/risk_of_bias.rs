//! Risk of bias and study quality: each tool's domains and vocabulary (as its template and
//! publication give them), how judgements are read, the weighted summary's arithmetic, the
//! sensitivity analyses restricted by risk of bias against R metafor on the same subsets
//! (`tests/fixtures/rob/make_reference.R`), the notes, the figures' snapshots and the prose.

use std::path::Path;

use metareport::rob::{self, Level, ToolId};
use serde_json::Value;

use super::common::{built, copy_dir, repo, updating};

/// The fixture project `tests/fixtures/rob`, built in a temporary directory.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/rob/analyses"),
        &dir.path().join("analyses"),
    );
    built(dir.path());
    dir
}

fn results(dir: &Path, review: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("out/{review}/results.json"))).unwrap(),
    )
    .unwrap()
}

fn codes_and_names(id: ToolId) -> Vec<(&'static str, &'static str)> {
    rob::tool(id)
        .unwrap()
        .domains
        .iter()
        .map(|d| (d.code, d.name))
        .collect()
}

fn labels(ls: &[Level]) -> Vec<&'static str> {
    ls.iter().map(|l| l.label()).collect()
}

#[test]
fn rob2_has_five_domains_and_cluster_trials_add_d1b() {
    // RoB 2 template (Sterne et al., BMJ 2019;366:l4898), as robvis's ROB2 captions.
    assert_eq!(
        codes_and_names(ToolId::Rob2),
        [
            ("D1", "Bias arising from the randomization process"),
            ("D2", "Bias due to deviations from intended interventions"),
            ("D3", "Bias due to missing outcome data"),
            ("D4", "Bias in measurement of the outcome"),
            ("D5", "Bias in selection of the reported result"),
        ]
    );
    let t = rob::tool(ToolId::Rob2).unwrap();
    assert_eq!(labels(t.levels), ["Low", "Some concerns", "High"]);
    assert_eq!(t.overall, rob::Overall::Required);
    let c: Vec<&str> = codes_and_names(ToolId::Rob2Cluster)
        .iter()
        .map(|d| d.0)
        .collect();
    assert_eq!(c, ["D1", "D1b", "D2", "D3", "D4", "D5"]);
    assert!(
        codes_and_names(ToolId::Rob2Cluster)[1]
            .1
            .contains("recruitment of participants")
    );
}

#[test]
fn robins_i_has_seven_domains_and_v2_six() {
    // ROBINS-I (Sterne et al., BMJ 2016;355:i4919).
    let v1: Vec<&str> = codes_and_names(ToolId::RobinsI)
        .iter()
        .map(|d| d.1)
        .collect();
    assert_eq!(
        v1,
        [
            "Bias due to confounding",
            "Bias in selection of participants into the study",
            "Bias in classification of interventions",
            "Bias due to deviations from intended interventions",
            "Bias due to missing data",
            "Bias in measurement of outcomes",
            "Bias in selection of the reported result",
        ]
    );
    assert_eq!(
        labels(rob::tool(ToolId::RobinsI).unwrap().levels),
        ["Low", "Moderate", "Serious", "Critical"]
    );
    // ROBINS-I V2 template (riskofbias.info, 2024/2025): no domain on deviations from
    // intended interventions; classification of interventions before selection.
    let v2: Vec<&str> = codes_and_names(ToolId::RobinsIV2)
        .iter()
        .map(|d| d.1)
        .collect();
    assert_eq!(
        v2,
        [
            "Bias due to confounding",
            "Bias in classification of interventions",
            "Bias in selection of participants into the study (or into the analysis)",
            "Bias due to missing data",
            "Bias arising from measurement of the outcome",
            "Bias in selection of the reported result",
        ]
    );
    assert_eq!(
        labels(rob::tool(ToolId::RobinsIV2).unwrap().levels),
        [
            "Low",
            "Low (except for concerns about uncontrolled confounding)",
            "Moderate",
            "Serious",
            "Critical"
        ]
    );
}

#[test]
fn robins_e_quadas2_and_nos_have_theirs() {
    // ROBINS-E (Higgins et al., Environ Int 2024;186:108602), as robvis's ROBINS-E captions.
    let e: Vec<&str> = codes_and_names(ToolId::RobinsE)
        .iter()
        .map(|d| d.1)
        .collect();
    assert_eq!(e.len(), 7);
    assert_eq!(e[1], "Bias arising from measurement of the exposure");
    assert_eq!(e[3], "Bias due to post-exposure interventions");
    assert_eq!(
        labels(rob::tool(ToolId::RobinsE).unwrap().levels),
        [
            "Low",
            "Low (except for concerns about uncontrolled confounding)",
            "Some concerns",
            "High",
            "Very high"
        ]
    );
    // QUADAS-2 (Whiting et al., Ann Intern Med 2011): four risk-of-bias domains, three
    // applicability domains, Low / High / Unclear, no overall judgement of its own.
    let q = rob::tool(ToolId::Quadas2).unwrap();
    let groups: Vec<(&str, &str)> = q.domains.iter().map(|d| (d.code, d.group)).collect();
    assert_eq!(
        groups,
        [
            ("D1", "Risk of bias"),
            ("D2", "Risk of bias"),
            ("D3", "Risk of bias"),
            ("D4", "Risk of bias"),
            ("A1", "Applicability"),
            ("A2", "Applicability"),
            ("A3", "Applicability"),
        ]
    );
    assert_eq!(labels(q.levels), ["Low", "Unclear", "High"]);
    assert_eq!(q.overall, rob::Overall::Optional);
    // Newcastle–Ottawa Scale: 4 selection items, comparability up to 2 stars, 3 outcome (or
    // exposure) items: nine stars at most.
    for (id, last) in [
        (ToolId::NosCohort, "Outcome"),
        (ToolId::NosCaseControl, "Exposure"),
    ] {
        let t = rob::tool(id).unwrap();
        let stars: Vec<(&str, u8)> = t.domains.iter().map(|d| (d.group, d.max_stars)).collect();
        assert_eq!(
            stars,
            [
                ("Selection", 1),
                ("Selection", 1),
                ("Selection", 1),
                ("Selection", 1),
                ("Comparability", 2),
                (last, 1),
                (last, 1),
                (last, 1),
            ]
        );
    }
    // Every tool cites a reference of the bibliography.
    let refs = metareport::report::render::REFERENCES;
    for t in rob::tools::TOOLS {
        let key = t.reference.unwrap();
        assert!(refs.contains(&format!("\n{key}:\n")), "{key}");
    }
}

#[test]
fn judgements_are_read_by_their_first_letter_as_robvis_does() {
    let rob2 = rob::tool(ToolId::Rob2).unwrap().levels;
    for t in [
        "Some concerns",
        "some concerns",
        "S",
        "Some Concerns",
        " s ",
    ] {
        assert_eq!(
            rob::read_judgement(t, rob2),
            Some(Level::SomeConcerns),
            "{t}"
        );
    }
    assert_eq!(rob::read_judgement("low", rob2), Some(Level::Low));
    assert_eq!(rob::read_judgement("HIGH", rob2), Some(Level::High));
    for t in ["NI", "ni", "No information", "No Information"] {
        assert_eq!(
            rob::read_judgement(t, rob2),
            Some(Level::NoInformation),
            "{t}"
        );
    }
    for t in ["NA", "N/A", "Not applicable"] {
        assert_eq!(
            rob::read_judgement(t, rob2),
            Some(Level::NotApplicable),
            "{t}"
        );
    }
    // Another tool's word is not read by its first letter.
    assert_eq!(rob::read_judgement("Serious", rob2), None);
    assert_eq!(rob::read_judgement("Moderate", rob2), None);
    assert_eq!(rob::read_judgement("", rob2), None);
    // RevMan's words under the generic tool's default scale.
    let rob1 = rob::Scale::LowUnclearHigh.levels();
    assert_eq!(rob::read_judgement("Low risk", rob1), Some(Level::Low));
    assert_eq!(
        rob::read_judgement("Unclear risk", rob1),
        Some(Level::Unclear)
    );
    assert_eq!(rob::read_judgement("High risk", rob1), Some(Level::High));
    // ROBINS-I V2's qualified low.
    let v2 = rob::tool(ToolId::RobinsIV2).unwrap().levels;
    assert_eq!(
        rob::read_judgement(
            "Low (except for concerns about uncontrolled confounding)",
            v2
        ),
        Some(Level::LowExceptConfounding)
    );
    assert_eq!(rob::read_judgement("Low", v2), Some(Level::Low));
    assert_eq!(rob::read_judgement("Low except", rob2), None);
    let robins_e = rob::tool(ToolId::RobinsE).unwrap().levels;
    assert_eq!(
        rob::read_judgement("Very high", robins_e),
        Some(Level::VeryHigh)
    );
    assert_eq!(rob::read_judgement("v", robins_e), Some(Level::VeryHigh));
}

#[test]
fn stars_are_numbers_or_asterisks_and_ahrq_rates_them() {
    assert_eq!(rob::read_stars("**"), Some(2));
    assert_eq!(rob::read_stars("★"), Some(1));
    assert_eq!(rob::read_stars(""), Some(0));
    assert_eq!(rob::read_stars("-"), Some(0));
    assert_eq!(rob::read_stars("2"), Some(2));
    assert_eq!(rob::read_stars("1.5"), None);
    assert_eq!(rob::read_stars("yes"), None);
    // AHRQ standards: good 3-4/1-2/2-3, fair 2/1-2/2-3, poor otherwise.
    assert_eq!(rob::ahrq(4, 2, 3), Level::Good);
    assert_eq!(rob::ahrq(3, 1, 2), Level::Good);
    assert_eq!(rob::ahrq(2, 2, 3), Level::Fair);
    assert_eq!(rob::ahrq(1, 2, 3), Level::Poor);
    assert_eq!(rob::ahrq(4, 0, 3), Level::Poor);
    assert_eq!(rob::ahrq(4, 2, 1), Level::Poor);
}

/// The counts and shares of one column of a results.json summary, by judgement.
fn shares(summary: &Value, column: &str) -> Vec<(String, u64, f64, Option<f64>)> {
    summary
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == column)
        .unwrap()["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["judgement"].as_str().unwrap().to_string(),
                c["n"].as_u64().unwrap(),
                c["share"].as_f64().unwrap(),
                c["weighted_share"].as_f64(),
            )
        })
        .collect()
}

#[test]
fn the_fixture_project_builds_and_its_numbers_are_right() {
    let dir = fixture();
    let d = dir.path();

    // QUADAS-2 weighted by its Weight column (30, 10, 25, 35): patient selection is low in
    // Alpha and Gamma (55%), unclear in Delta (35%), high in Beta (10%).
    let q = results(d, "quadas");
    let s = shares(&q["risk_of_bias"]["review"]["summary"], "D1");
    let get = |j: &str| s.iter().find(|x| x.0 == j).unwrap().clone();
    assert_eq!(get("low").1, 2);
    assert!((get("low").2 - 0.5).abs() < 1e-15);
    assert!((get("low").3.unwrap() - 0.55).abs() < 1e-12);
    assert!((get("unclear").3.unwrap() - 0.35).abs() < 1e-12);
    assert!((get("high").3.unwrap() - 0.10).abs() < 1e-12);
    // Applicability domains are kept; no overall column.
    assert_eq!(
        q["risk_of_bias"]["review"]["domains"]
            .as_array()
            .unwrap()
            .len(),
        7
    );

    // RoB 2 weighted by the pooled estimate of `tb`: the overall "high" share is the high-risk
    // trials' weights in that analysis.
    let t = results(d, "trials");
    let tb = t["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "tb")
        .unwrap();
    let weight_of = |name: &str| {
        tb["studies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["study"] == name)
            .unwrap()["weight_pct"]
            .as_f64()
            .unwrap()
    };
    let review = &t["risk_of_bias"]["review"];
    let high: Vec<&str> = review["studies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["overall"] == "high")
        .map(|s| s["study"].as_str().unwrap())
        .collect();
    assert_eq!(high.len(), 4);
    let want: f64 = high.iter().map(|n| weight_of(n)).sum::<f64>() / 100.0;
    let overall = shares(&review["summary"], "Overall");
    let (_, n, share, weighted) = overall.iter().find(|x| x.0 == "high").unwrap().clone();
    assert_eq!(n, 4);
    assert!((share - 4.0 / 13.0).abs() < 1e-15);
    assert!((weighted.unwrap() - want).abs() < 1e-12);
    let total: f64 = overall.iter().map(|x| x.3.unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-12);
    // Judgements read whatever their case: Ferguson & Simes is "some concerns", "S".
    let ferguson = review["studies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["study"] == "Ferguson & Simes 1949")
        .unwrap();
    assert_eq!(ferguson["judgements"]["D3"], "some-concerns");
    assert_eq!(ferguson["judgements"]["D4"], "low");
    assert_eq!(ferguson["overall"], "some-concerns");

    // Subgroups by the overall judgement, least severe first.
    let by = t["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "tb-by-rob")
        .unwrap();
    let names: Vec<&str> = by["subgroups"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Low risk of bias", "Some concerns", "High risk of bias"]
    );

    // The generic tool takes RevMan's words and domain names.
    let g = results(d, "generic");
    let alpha = &g["risk_of_bias"]["review"]["studies"][0];
    assert_eq!(alpha["judgements"]["D2"], "unclear");
    assert_eq!(alpha["judgements"]["D3"], "high");
    assert_eq!(
        g["risk_of_bias"]["review"]["domains"][2]["name"],
        "Blinding of participants and personnel (performance bias)"
    );

    // NOS with the AHRQ rating: Alpha 9 stars good; Beta S3, O3 missing: 3/1/2, good; Gamma
    // 2/2/3 fair; Delta 1/1/1 poor.
    let n = results(d, "nos");
    let st: Vec<(u64, &str)> = n["risk_of_bias"]["review"]["studies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["total"].as_u64().unwrap(), s["overall"].as_str().unwrap()))
        .collect();
    assert_eq!(st, [(9, "good"), (6, "good"), (7, "fair"), (3, "poor")]);
}

#[test]
fn sensitivity_analyses_restricted_by_risk_of_bias_match_metafor() {
    let dir = fixture();
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/fixtures/rob/reference.json")).unwrap(),
    )
    .unwrap();
    for (review, outcome, case) in [
        ("trials", "tb", "trials_tb_excluding_high"),
        (
            "robins",
            "lung-cancer",
            "robins_lung_cancer_excluding_serious_critical",
        ),
    ] {
        let r = results(dir.path(), review);
        let o = r["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == outcome)
            .unwrap();
        let row = &o["sensitivity"]["exclusions"][0];
        let want = &reference[case];
        let pool = &row["pool"];
        assert_eq!(pool["k"], want["k"], "{case}");
        let close = |got: &Value, key: &str| {
            let (g, w) = (got.as_f64().unwrap(), want[key].as_f64().unwrap());
            assert!(
                (g - w).abs() <= 1e-6 * w.abs().max(1.0),
                "{case} {key}: {g} vs metafor {w}"
            );
        };
        for k in ["estimate", "se", "ci_lower", "ci_upper", "p"] {
            close(&pool["pooled"][k], k);
        }
        close(&pool["heterogeneity"]["tau2"], "tau2");
        close(&pool["heterogeneity"]["i2"], "i2");
        close(&pool["heterogeneity"]["q"], "q");
    }
}

#[test]
fn notes_for_appraised_studies_without_data_and_lenient_overall_judgements() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/rob/analyses"),
        &dir.path().join("analyses"),
    );
    let rob = dir.path().join("analyses/data/rob2.csv");
    let mut text = std::fs::read_to_string(&rob).unwrap();
    text = text.replace(
        "Rosenthal et al 1961,High,Low,Low,Low,Low,High",
        "Rosenthal et al 1961,High,Low,Low,Low,Low,Low",
    );
    text.push_str("Extra 2020,Low,Low,Low,Low,Low,Low,1\n");
    std::fs::write(&rob, text).unwrap();
    let spec = metareport::spec::load(dir.path(), "analyses/trials.yaml").unwrap();
    let notes = rob::warnings(&spec);
    assert_eq!(
        notes,
        [
            "analyses/data/rob2.csv:11:7: study \"Rosenthal et al 1961\": the overall judgement \"Low\" is less severe than its worst domain (D1 \"High\"); RoB 2's algorithm makes the overall judgement at least as severe as the worst domain",
            "analyses/data/rob2.csv:15: study \"Extra 2020\" is appraised but is in no outcome's data or the study table; it is shown in the risk-of-bias figures only",
        ]
    );
}

#[test]
fn risk_of_bias_figures_match_their_snapshots() {
    let dir = fixture();
    let snapshots = repo().join("tests/snapshots");
    let mut mismatched = Vec::new();
    let mut compared = 0;
    for (review, fig) in [
        ("trials", "risk-of-bias"),
        ("trials", "risk-of-bias-summary"),
        ("trials", "forest-tb"),
        ("robins", "risk-of-bias-lung-cancer"),
        ("quadas", "risk-of-bias-summary"),
        ("generic", "risk-of-bias"),
    ] {
        let got =
            std::fs::read_to_string(dir.path().join(format!("out/{review}/figures/{fig}.svg")))
                .unwrap();
        let snap = snapshots.join(format!("rob-{review}-{fig}.svg"));
        if updating() {
            std::fs::write(&snap, &got).unwrap();
            continue;
        }
        compared += 1;
        if std::fs::read_to_string(&snap).ok().as_deref() != Some(got.as_str()) {
            mismatched.push(snap.display().to_string());
        }
    }
    assert!(updating() || compared == 6);
    assert!(
        mismatched.is_empty(),
        "risk-of-bias figures differ (look at them, then METAREPORT_UPDATE_SNAPSHOTS=1): {mismatched:?}"
    );
}

/// "three", "12": counts in running text as `report::format` writes them.
fn in_text(n: usize) -> String {
    metareport::report::format::count_in_text(n)
}

#[test]
fn the_prose_says_what_the_tables_say() {
    let dir = fixture();
    let d = dir.path();
    let t = results(d, "trials");
    let studies = t["risk_of_bias"]["review"]["studies"].as_array().unwrap();
    let count = |j: &str| studies.iter().filter(|s| s["overall"] == j).count();
    let typ = std::fs::read_to_string(d.join("out/trials/manuscript.typ")).unwrap();
    let want = format!(
        "Of the {} trials, {} were at high risk of bias, {} raised some concerns and {} were at low risk of bias overall",
        in_text(studies.len()),
        in_text(count("high")),
        in_text(count("some-concerns")),
        in_text(count("low"))
    );
    assert!(typ.contains(&want), "{want}\n---\n{typ}");
    assert!(typ.contains("@sterne2019"));
    assert!(typ.contains("After excluding the trials at high risk of bias"));
    // The seed review: nine cohorts, all nine stars.
    let seed = super::common::project(&["iabp-ecpr"]);
    built(seed.path());
    let r = results(seed.path(), "iabp-ecpr");
    let nos = &r["risk_of_bias"]["review"];
    assert!(
        nos["studies"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["total"] == 9)
    );
    let typ = std::fs::read_to_string(seed.path().join("out/iabp-ecpr/manuscript.typ")).unwrap();
    // Said as an editor would ("Of the nine cohorts, all scored …" before).
    assert!(
        typ.contains("All nine cohorts scored 9 of 9 stars."),
        "{typ}"
    );
    assert!(typ.contains("@wells2000"));
    assert!(typ.contains("Newcastle–Ottawa Scale for cohort studies"));
}
