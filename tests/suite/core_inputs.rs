//! Bad input to the core is a typed error naming the study and the field; too few studies give
//! what can be computed and state why the rest is absent — never NaN.

use metareport::stats::analysis::{AnalysisError, Options};
use metareport::stats::{Measure, StudyData, StudyInput, analyse};

fn study(name: &str, data: StudyData) -> StudyInput {
    StudyInput {
        name: name.into(),
        subgroup: None,
        data,
    }
}

fn bin(a: f64, n1: f64, c: f64, n2: f64) -> StudyData {
    StudyData::Binary {
        events_t: a,
        total_t: n1,
        events_c: c,
        total_c: n2,
    }
}

fn invalid(inputs: Vec<StudyInput>, measure: Measure) -> Vec<(String, String, String)> {
    match analyse(inputs, &Options::new(measure)) {
        Err(AnalysisError::InvalidData(errors)) => errors
            .into_iter()
            .map(|e| (e.study, e.field, e.message))
            .collect(),
        other => panic!("expected invalid data, got {other:?}"),
    }
}

#[test]
fn no_studies_is_an_error() {
    assert_eq!(
        analyse(vec![], &Options::new(Measure::OR)).unwrap_err(),
        AnalysisError::NoStudies
    );
}

#[test]
fn every_bad_value_is_reported_with_its_study_and_field() {
    let errors = invalid(
        vec![
            study("A", bin(-1.0, 10.0, 2.0, 10.0)),
            study("B", bin(12.0, 10.0, 2.0, 10.0)),
            study("C", bin(f64::NAN, 10.0, 2.0, 10.0)),
            study("D", bin(1.5, 10.0, 2.0, 10.0)),
        ],
        Measure::OR,
    );
    let fields: Vec<(&str, &str)> = errors
        .iter()
        .map(|(s, f, _)| (s.as_str(), f.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("A", "events_t"),
            ("B", "events_t"),
            ("C", "events_t"),
            ("D", "events_t")
        ]
    );
    assert!(errors[0].2.contains("negative"));
    assert!(errors[1].2.contains("more than the 10 participants"));
    assert!(errors[2].2.contains("finite"));
    assert!(errors[3].2.contains("whole number"));
}

#[test]
fn continuous_data_need_positive_sds_and_two_per_arm() {
    let data = StudyData::Continuous {
        mean_t: 1.0,
        sd_t: 0.0,
        n_t: 1.0,
        mean_c: 1.0,
        sd_c: -2.0,
        n_c: 10.0,
    };
    let errors = invalid(vec![study("S", data)], Measure::MD);
    let fields: Vec<&str> = errors.iter().map(|(_, f, _)| f.as_str()).collect();
    assert_eq!(fields, ["sd_t", "sd_c", "n_t"]);
}

#[test]
fn a_confidence_interval_must_be_ordered_and_contain_its_estimate() {
    let errors = invalid(
        vec![
            study(
                "Reversed",
                StudyData::EstimateCi {
                    estimate: 1.2,
                    lower: 2.0,
                    upper: 0.5,
                },
            ),
            study(
                "Outside",
                StudyData::EstimateCi {
                    estimate: 3.0,
                    lower: 0.5,
                    upper: 2.0,
                },
            ),
            study(
                "Negative",
                StudyData::EstimateCi {
                    estimate: 1.0,
                    lower: -0.5,
                    upper: 2.0,
                },
            ),
        ],
        Measure::OR,
    );
    assert_eq!(errors[0].1, "lower");
    assert!(errors[0].2.contains("not below the upper limit"));
    assert_eq!(errors[1].1, "estimate");
    assert!(errors[1].2.contains("outside its interval"));
    assert_eq!(
        (errors[2].0.as_str(), errors[2].1.as_str()),
        ("Negative", "lower")
    );
}

#[test]
fn a_double_zero_study_is_excluded_and_reported() {
    let a = analyse(
        vec![
            study("Zero", bin(0.0, 50.0, 0.0, 50.0)),
            study("A", bin(3.0, 40.0, 8.0, 40.0)),
            study("B", bin(5.0, 60.0, 9.0, 60.0)),
        ],
        &Options::new(Measure::OR),
    )
    .unwrap();
    assert_eq!(a.studies.len(), 2);
    assert_eq!(a.excluded[0].study, "Zero");
    assert!(a.excluded[0].reason.contains("double-zero"));
    assert!(a.warnings.iter().any(|w| w.code == "study_excluded"));
}

#[test]
fn one_study_gives_its_own_estimate_and_says_why_heterogeneity_is_absent() {
    let a = analyse(
        vec![study("Only", bin(3.0, 40.0, 8.0, 40.0))],
        &Options::new(Measure::OR),
    )
    .unwrap();
    let p = a.overall.pooled.value().unwrap();
    assert!((p.estimate - a.studies[0].yi).abs() < 1e-15);
    assert!(
        a.overall
            .heterogeneity
            .reason()
            .unwrap()
            .contains("one study")
    );
    assert!(a.overall.prediction.value().is_none());
    let json = serde_json::to_string(&a.overall).unwrap();
    assert!(
        !json.contains("NaN") && !json.contains("null,\"p\""),
        "{json}"
    );
}

#[test]
fn two_studies_give_no_egger_test_and_no_higgins_interval() {
    let mut opts = Options::new(Measure::OR);
    opts.bias.egger = true;
    opts.bias.begg = true;
    opts.bias.trim_and_fill = true;
    let a = analyse(
        vec![
            study("A", bin(3.0, 40.0, 8.0, 40.0)),
            study("B", bin(5.0, 60.0, 9.0, 70.0)),
        ],
        &opts,
    )
    .unwrap();
    let b = a.bias.unwrap();
    assert!(b.egger.unwrap().reason().unwrap().contains("at least 3"));
    assert!(b.begg.unwrap().reason().unwrap().contains("at least 3"));
    assert!(
        b.trim_and_fill
            .unwrap()
            .reason()
            .unwrap()
            .contains("at least 3")
    );
    let pi = a.overall.prediction.value().unwrap();
    assert!(pi.higgins_t.reason().unwrap().contains("at least 3"));
}

#[test]
fn an_unknown_study_in_an_exclusion_set_is_named() {
    let mut opts = Options::new(Measure::OR);
    opts.sensitivity
        .exclusions
        .push(metareport::stats::analysis::ExclusionSet {
            label: "excluding Kim".into(),
            studies: vec!["Kim 2061".into()],
        });
    let err = analyse(
        vec![
            study("Kim 2016", bin(3.0, 40.0, 8.0, 40.0)),
            study("B", bin(5.0, 60.0, 9.0, 70.0)),
        ],
        &opts,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sensitivity analysis \"excluding Kim\": no study named \"Kim 2061\""
    );
}

#[test]
fn the_heterogeneity_rule_reports_no_pooled_estimate_when_p_is_small() {
    let mut opts = Options::new(Measure::OR);
    opts.model = metareport::stats::ModelChoice::SEED_RULE;
    let a = analyse(
        vec![
            study("A", bin(1.0, 100.0, 30.0, 100.0)),
            study("B", bin(30.0, 100.0, 2.0, 100.0)),
            study("C", bin(10.0, 100.0, 10.0, 100.0)),
        ],
        &opts,
    )
    .unwrap();
    assert!(a.overall.decision.effects.is_none());
    assert!(a.overall.pooled.value().is_none());
    assert!(a.overall.heterogeneity.value().unwrap().p < 0.05);
}
