//! Data files: Excel workbooks and semicolon or tab-separated files give the same analysis as
//! CSV; baseline characteristics are pooled into results.json and the manuscript's table.

use serde_json::Value;

use super::common::{build_quiet, built, copy_dir, project, repo};

fn results(dir: &std::path::Path, review: &str) -> Value {
    serde_json::from_slice(
        &std::fs::read(dir.join("out").join(review).join("results.json")).unwrap(),
    )
    .unwrap()
}

#[test]
fn an_excel_workbook_gives_the_same_analysis_as_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/xlsx/analyses"),
        &dir.path().join("analyses"),
    );
    built(dir.path());
    let xlsx = results(dir.path(), "bcg-xlsx");
    let csv_dir = project(&["bcg"]);
    built(csv_dir.path());
    let csv = results(csv_dir.path(), "bcg");
    for key in ["overall", "subgroups", "studies"] {
        let (a, b) = (&xlsx["outcomes"][0][key], &csv["outcomes"][0][key]);
        if key == "studies" {
            let names = |v: &Value| {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| (s["study"].clone(), s["yi"].clone(), s["vi"].clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(names(a), names(b));
        } else {
            assert_eq!(a["pooled"], b["pooled"], "{key}");
        }
    }
    assert_eq!(
        xlsx["outcomes"][0]["data_file"],
        "analyses/data/bcg.xlsx [Trials]"
    );
}

#[test]
fn a_missing_worksheet_is_named_with_the_ones_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/xlsx/analyses"),
        &dir.path().join("analyses"),
    );
    let spec = dir.path().join("analyses/bcg-xlsx.yaml");
    std::fs::write(
        &spec,
        std::fs::read_to_string(&spec)
            .unwrap()
            .replace("sheet: Trials", "sheet: Trails"),
    )
    .unwrap();
    let e = build_quiet(dir.path()).unwrap_err().to_string();
    assert_eq!(
        e,
        "error: analyses/data/bcg.xlsx: no worksheet named \"Trails\" (worksheets: Notes, Trials)"
    );
}

#[test]
fn semicolons_with_decimal_commas_and_tabs_read_as_the_csv_does() {
    let csv_dir = project(&["passive-smoking"]);
    built(csv_dir.path());
    let reference = results(csv_dir.path(), "passive-smoking")["outcomes"][0]["overall"].clone();
    let original =
        std::fs::read_to_string(repo().join("analyses/data/passive-smoking.csv")).unwrap();
    // As Excel saves "CSV" where the comma is the decimal separator: 1.18 → 1,18.
    let semicolons: String = original
        .lines()
        .map(|line| {
            line.split(',')
                .map(|cell| match cell.parse::<f64>() {
                    Ok(_) => cell.replace('.', ","),
                    _ => cell.to_string(),
                })
                .collect::<Vec<_>>()
                .join(";")
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(semicolons.contains(";1,18;0,9;1,54"), "{semicolons}");
    for (name, text) in [
        ("semicolons", semicolons),
        ("tabs", original.replace(',', "\t")),
    ] {
        let dir = project(&["passive-smoking"]);
        std::fs::write(dir.path().join("analyses/data/passive-smoking.csv"), text).unwrap();
        built(dir.path());
        let overall = &results(dir.path(), "passive-smoking")["outcomes"][0]["overall"];
        assert_eq!(overall["pooled"], reference["pooled"], "{name}");
    }
}

#[test]
fn baseline_characteristics_are_pooled_and_tabulated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    std::fs::write(
        dir.path().join("analyses/base.yaml"),
        "title: Baseline
studies:
  rows:
    - {study: A 2001, design: RCT}
    - {study: B 2004, design: RCT}
baseline:
  caption: Baseline characteristics of the pooled population.
  rows:
    - {characteristic: Male sex, study: A 2001, events_t: 40, total_t: 60, events_c: 30, total_c: 58}
    - {characteristic: Male sex, study: B 2004, events_t: 25, total_t: 40, events_c: 20, total_c: 42}
    - {characteristic: Age (years), study: A 2001, mean_t: 64.1, sd_t: 9.5, n_t: 60, mean_c: 62.8, sd_c: 10.2, n_c: 58}
    - {characteristic: Age (years), study: B 2004, mean_t: 66.0, sd_t: 8.1, n_t: 40, mean_c: 63.5, sd_c: 9.0, n_c: 42}
",
    )
    .unwrap();
    built(dir.path());
    let r = results(dir.path(), "base");
    let male = &r["baseline"][0];
    assert_eq!(male["characteristic"], "Male sex");
    assert_eq!(male["pooled"]["events_t"], 65.0);
    assert_eq!(male["pooled"]["total_c"], 100.0);
    // Pearson χ² of the pooled table 65/100 vs 50/100, computed by hand: 200·(65·50 − 35·50)²/(100·100·115·85).
    let chi2 = 200.0 * (65.0f64 * 50.0 - 35.0 * 50.0).powi(2) / (100.0 * 100.0 * 115.0 * 85.0);
    assert!((male["pooled"]["chi2"].as_f64().unwrap() - chi2).abs() < 1e-12);
    let age = &r["baseline"][1];
    assert_eq!(age["kind"], "mean");
    assert_eq!(age["pooled"]["n_t"], 100.0);
    let typ = std::fs::read_to_string(dir.path().join("out/base/manuscript.typ")).unwrap();
    assert!(
        typ.contains("[Male sex], [2], [65\\/100 (65.0%)], [50\\/100 (50.0%)]"),
        "{typ}"
    );
}
