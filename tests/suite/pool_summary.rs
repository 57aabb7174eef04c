//! `metareport pool --summary`: the pooled results without a row per study (issue 17).

use std::process::{Command, Output};

use serde_json::Value;

use super::common::repo;

fn pool(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args([
            "pool",
            "--data",
            "analyses/data/bcg.csv",
            "--measure",
            "RR",
            "--subgroup",
            "allocation",
            "--exclude",
            "TPT Madras 1980",
        ])
        .args(extra)
        .current_dir(repo())
        .output()
        .unwrap()
}

fn json(o: &Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Removes what `--summary` leaves out from a full result, recursively for the pools.
fn strip(v: &mut Value) {
    let o = v.as_object_mut().unwrap();
    for key in ["studies", "excluded", "missing", "conversions"] {
        o.remove(key);
    }
    o["overall"].as_object_mut().unwrap().remove("weights_pct");
    for g in o["subgroups"]["groups"].as_array_mut().unwrap() {
        g["studies"] = Value::Array(Vec::new());
        g["pool"].as_object_mut().unwrap().remove("weights_pct");
    }
}

#[test]
fn the_summary_is_the_full_result_without_its_per_study_rows() {
    let mut full = json(&pool(&[]));
    assert_eq!(full["studies"].as_array().unwrap().len(), 13);
    assert!(full["overall"]["weights_pct"].is_array());
    let summary = json(&pool(&["--summary"]));
    for key in ["studies", "excluded", "conversions"] {
        assert!(summary.get(key).is_none(), "{key} in {summary:#}");
    }
    assert!(summary["overall"].get("weights_pct").is_none());
    // Every other number is the full result's, to the last digit.
    strip(&mut full);
    assert_eq!(summary, full);
    assert_eq!(summary["k"], 13);
    assert_eq!(summary["counts"]["overall"]["contributed"], 13);
    // Compact and summary together: the same value on one line.
    let compact = pool(&["--summary", "--compact"]);
    assert_eq!(json(&compact), summary);
    assert_eq!(
        compact.stdout.iter().filter(|&&b| b == b'\n').count(),
        1,
        "one line"
    );
}

#[test]
fn a_summary_with_a_per_study_analysis_is_a_usage_error() {
    for flag in [&["--leave-one-out"][..], &["--cumulative-by", "year"]] {
        let o = pool(&[&["--summary"][..], flag].concat());
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("cannot be used with"), "{err}");
        assert!(o.stdout.is_empty());
    }
}
