//! The revman5 preset's SMD: RevMan 5's approximate Hedges' correction and variance
//! (`stats/smd_revman.rs`), against `tests/fixtures/revman-smd/revman_smd.json` (made by
//! `make_revman_smd.R`: the formulas of Deeks & Higgins 2010 pooled by metafor), and metafor's
//! exact form unchanged as the default.

use std::process::Command;

use serde_json::Value;

use super::common::repo;

fn pool(extra: &[&str]) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args([
            "pool",
            "--data",
            "tests/fixtures/revman-smd/stroke-los.csv",
            "--measure",
            "SMD",
        ])
        .args(extra)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn expected() -> Value {
    let p = repo().join("tests/fixtures/revman-smd/revman_smd.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn close(what: &str, got: &Value, want: &Value) {
    let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
    assert!((g - w).abs() < 1e-6, "{what}: {g} vs {w}");
}

fn pooled_matches(got: &Value, want: &Value) {
    for k in ["estimate", "se", "ci_lower", "ci_upper", "p"] {
        close(k, &got["overall"]["pooled"][k], &want[k]);
    }
    close("z", &got["overall"]["pooled"]["statistic"], &want["z"]);
    close("q", &got["overall"]["heterogeneity"]["q"], &want["q"]);
    close(
        "tau2",
        &got["overall"]["heterogeneity"]["tau2"],
        &want["tau2"],
    );
}

#[test]
fn the_revman5_preset_computes_the_smd_as_revman_5() {
    let want = expected();
    let got = pool(&["--preset", "revman5"]);
    let studies = got["studies"].as_array().unwrap();
    let rows = want["studies"].as_array().unwrap();
    assert_eq!(studies.len(), rows.len());
    for (s, r) in studies.iter().zip(rows) {
        assert_eq!(s["study"], r["study"]);
        close("yi", &s["yi"], &r["yi"]);
        close("vi", &s["vi"], &r["vi"]);
    }
    // The preset's random effects are DerSimonian–Laird.
    pooled_matches(&got, &want["dl"]);
    // The pooled SMD RevMan 5 reports for this review, −0.5293 to four decimals (quoted by the
    // issue's author; ../shared/revman/ holds no RevMan SMD results), where metafor's exact
    // form gives −0.5307.
    let p = &got["overall"]["pooled"];
    assert_eq!(format!("{:.4}", p["estimate"].as_f64().unwrap()), "-0.5293");
    // The setting is recorded, with where it came from.
    let smd = got["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "smd")
        .unwrap();
    assert_eq!(smd["value"], "revman");
    assert_eq!(smd["source"], "preset revman5");
    assert_eq!(got["options"]["smd"], "revman");
}

#[test]
fn smd_revman_can_be_chosen_alone_and_the_default_stays_metafors() {
    let want = expected();
    pooled_matches(
        &pool(&["--smd", "revman", "--effects", "fixed"]),
        &want["fixed"],
    );
    // metafor's escalc SMD (exact correction) is the default, and revman5 can be told to use it.
    pooled_matches(&pool(&["--tau2", "DL"]), &want["metafor_exact_dl"]);
    pooled_matches(
        &pool(&["--preset", "revman5", "--smd", "exact"]),
        &want["metafor_exact_dl"],
    );
    let default = pool(&[]);
    assert!(default["options"].get("smd").is_none());
    let smd = default["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "smd")
        .unwrap();
    assert_eq!(smd["value"], "exact");
}
