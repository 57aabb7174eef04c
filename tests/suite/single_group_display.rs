//! How single-group outcomes are shown: the forest plot's total row with its sums (events and
//! participants, events and person-time, as metaprop and metarate print them), and results per
//! 100 or per 1,000 (`per:`) with the person-time unit (`person_time:`) in the forest, the
//! summary table, results.json and the prose.

use std::path::Path;

/// The single-group example project, built in a temporary directory.
fn built_project() -> tempfile::TempDir {
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
