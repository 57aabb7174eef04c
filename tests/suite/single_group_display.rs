//! How single-group outcomes are shown: the forest plot's total row with its sums (events and
//! participants, events and person-time, as metaprop and metarate print them), and results per
//! 100 or per 1,000 (`per:`) with the person-time unit (`person_time:`) in the forest, the
//! summary table, results.json and the prose.

use std::path::Path;

/// The single-group example project, built in a temporary directory.
pub(crate) fn built_project() -> tempfile::TempDir {
    let src = super::common::repo().join("tests/fixtures/projects/single-group");
    let dir = tempfile::tempdir().unwrap();
    super::common::copy_dir(&src.join("analyses"), &dir.path().join("analyses"));
    super::common::built(dir.path());
    dir
}

/// The text of an SVG's `<text>` elements with their y.
fn svg_texts(svg: &str) -> Vec<(String, String)> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (tag, rest) = t.split_once('>')?;
            let y = tag.split(" y=\"").nth(1)?.split('"').next()?.to_string();
            Some((y, rest.split("</text>").next()?.trim().to_string()))
        })
        .collect()
}

/// The cells of the row whose first cell is `label`.
fn row_of(svg: &str, label: &str) -> Vec<String> {
    let texts = svg_texts(svg);
    let y = &texts
        .iter()
        .find(|(_, t)| t == label)
        .unwrap_or_else(|| panic!("no row {label}"))
        .0;
    texts
        .iter()
        .filter(|(yy, _)| yy == y)
        .map(|(_, t)| t.clone())
        .collect()
}

/// Column sums of a CSV file of the project (every row has data).
fn sums(csv: &Path, columns: &[&str]) -> Vec<f64> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim_matches('"').to_string())
        .collect();
    let idx: Vec<usize> = columns
        .iter()
        .map(|c| head.iter().position(|h| h == c).unwrap())
        .collect();
    let mut out = vec![0.0; columns.len()];
    for l in lines {
        let cells: Vec<&str> = l.split(',').collect();
        for (o, &i) in out.iter_mut().zip(&idx) {
            *o += cells[i].parse::<f64>().unwrap();
        }
    }
    out
}

/// The total row of a single-group forest plot sums the events and participants (proportions),
/// the events and person-time (rates, per arm for rate ratios) and the participants (means),
/// as metaprop, metarate and metainc print them; it lacked them.
#[test]
fn single_group_total_rows_print_their_sums() {
    let dir = built_project();
    let out = dir.path().join("out");
    let data = dir.path().join("analyses/data");
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "proportions/figures/forest-favourable.svg",
            "pritz1997.csv",
            &["events", "total"],
        ),
        (
            "rates/figures/forest-stroke-control.svg",
            "hart1999-control.csv",
            &["events", "time"],
        ),
        (
            "rates/figures/forest-stroke.svg",
            "hart1999.csv",
            &["events_t", "time_t", "events_c", "time_c"],
        ),
        ("means/figures/forest-stay.svg", "normand1999.csv", &["n"]),
    ];
    for (svg, csv, columns) in cases {
        let svg_text = std::fs::read_to_string(out.join(svg)).unwrap();
        let row = row_of(&svg_text, "Total (95% CI)");
        let want: Vec<String> = sums(&data.join(csv), columns)
            .iter()
            .map(|s| format!("{s}"))
            .collect();
        // Label, the sums in column order, the weight, the pooled effect.
        assert_eq!(row[1..=want.len()], want[..], "{svg}: {row:?}");
        assert_eq!(row[want.len() + 1], "100.0%", "{svg}: {row:?}");
    }
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-6 * want.abs().max(1.0),
        "{what}: got {got}, metafor {want}"
    );
}

/// "80.29" as the manuscript prints a presented value (two decimals).
fn two(x: f64) -> String {
    format!("{x:.2}")
}

/// `per: 100` (favourable, PFT) and `per: 1000` with `person_time: years` (stroke rate, IRLN):
/// results.json's `overall_per_scale` is metafor's back-transformed estimate, CI and prediction
/// interval (transf.ipft.hm, exp) times `per` at 1e-6, beside the unscaled values; the forest
/// plot's total row and column heads, the results sentence, the summary table and the methods
/// print the same numbers with the unit (`make_per_scale.R` writes the reference).
#[test]
fn results_per_100_and_per_1000_person_years_match_metafor_everywhere() {
    let dir = built_project();
    let out = dir.path().join("out");
    let reference =
        json(&super::common::repo().join("tests/fixtures/projects/single-group/per_scale.json"));
    for case in reference["cases"].as_array().unwrap() {
        let id = case["outcome"].as_str().unwrap();
        let per = case["per"].as_f64().unwrap();
        let unit = case["unit"].as_str().unwrap();
        let review = if id == "favourable" {
            "proportions"
        } else {
            "rates"
        };
        let results = json(&out.join(review).join("results.json"));
        let o = super::common::outcome(&results, id);
        let ps = &o["overall_per_scale"];
        assert_eq!(ps["per"].as_f64(), Some(per), "{id}");
        assert_eq!(ps["unit"], unit, "{id}");
        let want = |k: &str| case[k].as_f64().unwrap();
        for k in [
            "estimate",
            "ci_lower",
            "ci_upper",
            "prediction_lower",
            "prediction_upper",
        ] {
            close(&format!("{id} {k}"), ps[k].as_f64().unwrap(), want(k));
        }
        // The unscaled values are kept.
        for k in ["estimate", "ci_lower", "ci_upper"] {
            close(
                &format!("{id} unscaled {k}"),
                o["overall_presentation_scale"][k].as_f64().unwrap() * per,
                want(k),
            );
        }
        // Forest plot: total row and the effect column's head.
        let svg =
            std::fs::read_to_string(out.join(review).join(format!("figures/forest-{id}.svg")))
                .unwrap();
        let total = row_of(&svg, "Total (95% CI)");
        let effect = format!(
            "{} [{}, {}]",
            two(want("estimate")),
            two(want("ci_lower")),
            two(want("ci_upper"))
        );
        assert!(total.contains(&effect), "{id}: {total:?} lacks {effect}");
        let head = if id == "favourable" {
            "Proportion per 100"
        } else {
            "Incidence Rate per 1,000 person-years"
        };
        assert!(
            svg_texts(&svg).iter().any(|(_, t)| t == head),
            "{id}: no head {head}"
        );
        // Prose and summary table, with the unit ("person\-years" in typst markup).
        let typ = std::fs::read_to_string(out.join(review).join("manuscript.typ"))
            .unwrap()
            .replace("\\-", "-");
        let sentence = format!(
            "The pooled estimate was {} {} {unit}, 95% CI {}–{}.",
            if id == "favourable" { "PR" } else { "IR" },
            two(want("estimate")),
            two(want("ci_lower")),
            two(want("ci_upper"))
        );
        assert!(typ.contains(&sentence), "{id}: no sentence {sentence}");
        let pi = format!(
            "The 95% prediction interval was {}–{} {unit}.",
            two(want("prediction_lower")),
            two(want("prediction_upper"))
        );
        assert!(typ.contains(&pi), "{id}: no {pi}");
        let cell = format!(
            "{} ({}–{}) {unit}]",
            two(want("estimate")),
            two(want("ci_lower")),
            two(want("ci_upper"))
        );
        assert!(typ.contains(&cell), "{id}: no summary cell {cell}");
        assert!(
            typ.contains(&format!("; results are shown {unit}.")),
            "{id}: methods"
        );
    }
    // The person-time unit heads the person-time columns, of the rate ratio too; an outcome
    // without `per` keeps its proportions as proportions.
    for fig in ["forest-stroke.svg", "forest-stroke-control.svg"] {
        let svg = std::fs::read_to_string(out.join("rates/figures").join(fig)).unwrap();
        assert!(
            svg.contains("Person-years") && !svg.contains("Person-time"),
            "{fig}"
        );
    }
    let logit = json(&out.join("proportions/results.json"));
    assert!(logit["outcomes"][1]["overall_per_scale"].is_null());
}
