//! Figures: SVG snapshots of the example project, PNG rendering of every figure type at 300
//! dpi, and byte-identical output for identical input.

use std::path::Path;

use super::common::{built, project, repo, updating};

fn figures_of(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = built(dir)
        .into_iter()
        .filter(|p| p.contains("/figures/"))
        .collect();
    v.sort();
    v
}

#[test]
fn example_figures_match_their_snapshots() {
    let dir = project(&["bcg", "iabp-ecpr", "magnesium", "passive-smoking"]);
    let figs = figures_of(dir.path());
    let snapshots = repo().join("tests/snapshots");
    let mut mismatched = Vec::new();
    let mut compared = 0;
    for f in figs.iter().filter(|f| f.ends_with(".svg")) {
        let got = std::fs::read_to_string(dir.path().join(f)).unwrap();
        let snap = snapshots.join(f.trim_start_matches("out/").replace("/figures/", "-"));
        if updating() {
            std::fs::create_dir_all(&snapshots).unwrap();
            std::fs::write(&snap, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&snap).unwrap_or_else(|_| {
            panic!(
                "no snapshot {} (run with METAREPORT_UPDATE_SNAPSHOTS=1)",
                snap.display()
            )
        });
        compared += 1;
        if want != got {
            mismatched.push(f.clone());
        }
    }
    assert!(
        updating() || compared >= 9,
        "only {compared} snapshots compared"
    );
    assert!(
        mismatched.is_empty(),
        "figures differ from tests/snapshots (look at them, then METAREPORT_UPDATE_SNAPSHOTS=1): {mismatched:?}"
    );
}

#[test]
fn every_figure_type_renders_to_a_300_dpi_png() {
    let dir = project(&["iabp-ecpr", "magnesium"]);
    let figs = figures_of(dir.path());
    for kind in [
        "prisma",
        "forest-",
        "funnel-",
        "leave-one-out-",
        "cumulative-",
    ] {
        let png = figs
            .iter()
            .find(|f| f.contains(&format!("/figures/{kind}")) && f.ends_with(".png"))
            .unwrap_or_else(|| panic!("no {kind} PNG in {figs:?}"));
        let bytes = std::fs::read(dir.path().join(png)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{png}");
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let svg = std::fs::read_to_string(dir.path().join(png.replace(".png", ".svg"))).unwrap();
        let pt: f64 = svg
            .split("width=\"")
            .nth(1)
            .unwrap()
            .split("pt\"")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (f64::from(width) - pt / 72.0 * 300.0).abs() <= 2.0,
            "{png}: {width} px for {pt} pt"
        );
        let phys = bytes
            .windows(4)
            .position(|w| w == b"pHYs")
            .expect("a pHYs chunk");
        let ppm = u32::from_be_bytes(bytes[phys + 4..phys + 8].try_into().unwrap());
        assert_eq!(ppm, 11811, "{png}: 300 dpi");
    }
}

#[test]
fn identical_input_gives_byte_identical_figures() {
    let (a, b) = (project(&["passive-smoking"]), project(&["passive-smoking"]));
    let (fa, fb) = (figures_of(a.path()), figures_of(b.path()));
    assert_eq!(fa, fb);
    for f in &fa {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn long_study_names_widen_the_study_column_instead_of_overlapping() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    let long =
        "A remarkably long study label that would overrun any fixed column (multicentre, 2019)";
    std::fs::write(
        dir.path().join("analyses/long.yaml"),
        format!("title: T\noutcomes:\n  - id: m\n    title: M\n    measure: OR\n    rows:\n      - {{study: \"{long}\", events_t: 3, total_t: 50, events_c: 9, total_c: 51}}\n      - {{study: B, events_t: 7, total_t: 80, events_c: 12, total_c: 77}}\n"),
    )
    .unwrap();
    built(dir.path());
    let svg = std::fs::read_to_string(dir.path().join("out/long/figures/forest-m.svg")).unwrap();
    // The label starts at the left margin; the next column (events, right-aligned) starts after it.
    let label_width = metareport::fonts::text_width(long, 8.0, false);
    let events_x: f64 = svg
        .split("text-anchor=\"end\"")
        .next()
        .unwrap()
        .rsplit("x=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        events_x / 4.0 > 8.0 + label_width,
        "the events column at {} pt overlaps a {label_width} pt label",
        events_x / 4.0
    );
}

#[test]
fn a_study_that_cannot_be_estimated_is_shown_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    std::fs::write(
        dir.path().join("analyses/zeros.yaml"),
        "title: T\noutcomes:\n  - id: m\n    title: M\n    measure: OR\n    model:\n      continuity:\n        double_zero: exclude\n    rows:\n      - {study: A, events_t: 3, total_t: 50, events_c: 9, total_c: 51}\n      - {study: Nothing happened, events_t: 0, total_t: 40, events_c: 0, total_c: 41}\n      - {study: B, events_t: 7, total_t: 80, events_c: 12, total_c: 77}\n",
    )
    .unwrap();
    built(dir.path());
    let svg = std::fs::read_to_string(dir.path().join("out/zeros/figures/forest-m.svg")).unwrap();
    assert!(svg.contains("Nothing happened") && svg.contains("Not estimable"));
    // Totals include its participants: 50 + 40 + 80 and 51 + 41 + 77.
    assert!(
        svg.contains(">\n170\n<") && svg.contains(">\n169\n<"),
        "totals"
    );
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/zeros/results.json")).unwrap())
            .unwrap();
    assert_eq!(
        results["outcomes"][0]["excluded"][0]["study"],
        "Nothing happened"
    );
    assert_eq!(results["outcomes"][0]["k"], 2);
}

#[test]
fn a_continuous_outcome_shows_mean_sd_and_total_per_arm() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    // Two trials of dat.normand1999 (length of stay in days).
    std::fs::write(
        dir.path().join("analyses/stay.yaml"),
        "title: T\noutcomes:\n  - id: los\n    title: Length of stay\n    measure: MD\n    rows:\n      - {study: Edinburgh, mean_t: 55, sd_t: 47, n_t: 155, mean_c: 75, sd_c: 64, n_c: 156}\n      - {study: Umea, mean_t: 21, sd_t: 16, n_t: 110, mean_c: 31, sd_c: 27, n_c: 183}\n",
    )
    .unwrap();
    built(dir.path());
    let svg = std::fs::read_to_string(dir.path().join("out/stay/figures/forest-los.svg")).unwrap();
    for cell in [
        "Mean",
        "SD",
        "Total",
        "Mean Difference",
        "155",
        "183",
        "265",
        "339",
    ] {
        assert!(svg.contains(&format!(">\n{cell}\n<")), "{cell}");
    }
    // Edinburgh: 55 − 75 = −20 with SE √(47²/155 + 64²/156) = 6.362, so −20.00 [−32.47, −7.53].
    assert!(
        svg.contains(">\n−20.00 [−32.47, −7.53]\n<"),
        "study interval"
    );
}

/// A test project of `tests/fixtures/projects/`, copied to a temporary directory and built.
fn fixture_project(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    super::common::copy_dir(
        &repo()
            .join("tests/fixtures/projects")
            .join(name)
            .join("analyses"),
        &dir.path().join("analyses"),
    );
    built(dir.path());
    dir
}

/// Compares a built figure with its snapshot (or rewrites the snapshot when updating).
fn assert_snapshot(got: &str, name: &str) {
    let snap = repo().join("tests/snapshots").join(name);
    if updating() {
        std::fs::write(&snap, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&snap)
        .unwrap_or_else(|_| panic!("no snapshot {name} (run with METAREPORT_UPDATE_SNAPSHOTS=1)"));
    assert!(
        want == got,
        "{name} differs from its snapshot (look at it, then METAREPORT_UPDATE_SNAPSHOTS=1)"
    );
}

/// The tick labels of a forest plot's axis: the texts drawn on the axis line's row.
fn tick_labels(svg: &str) -> Vec<String> {
    svg.split("<text")
        .filter_map(|t| {
            let text = t.split('>').nth(1)?.split('<').next()?.trim().to_string();
            let y: f64 = t.split("y=\"").nth(1)?.split('"').next()?.parse().ok()?;
            Some((y, text))
        })
        .collect::<Vec<_>>()
        .chunk_by(|a, b| a.0 == b.0)
        .rfind(|run| {
            run.len() >= 5
                && run
                    .iter()
                    .all(|(_, t)| t.replace('\u{2212}', "-").parse::<f64>().is_ok())
        })
        .map(|run| run.iter().map(|(_, t)| t.clone()).collect())
        .unwrap_or_default()
}

#[test]
fn one_outlying_smd_does_not_stretch_the_forest_axis() {
    // dat.curtis1998: 101 SMDs within about −3 to 8.5 and Betula pendula at 9.50 [7.43, 11.57].
    // Covering every interval gave an axis of −20 to 20; the outlier is drawn as an arrow.
    let dir = fixture_project("curtis1998");
    let svg = std::fs::read_to_string(dir.path().join("out/curtis1998/figures/forest-biomass.svg"))
        .unwrap();
    assert_eq!(tick_labels(&svg), ["−10", "−5", "0", "5", "10"]);
    assert_snapshot(&svg, "curtis1998-forest-biomass.svg");
}

#[test]
fn each_data_column_has_one_number_of_decimals_as_entered_or_as_set() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses/data")).unwrap();
    // Three rows of dat.curtis1998, as entered there: 1439 and 1140.60 in one column.
    std::fs::write(
        dir.path().join("analyses/data/d.csv"),
        "study,mean_t,sd_t,n_t,mean_c,sd_c,n_c\nCitrus sinensis,1439,142.03,3,1140.60,82.965,3\nAlnus rubra,6.8169,1.77,3,3.945,1.1158,5\nPicea abies,262.1,16.4,6,235.5,15,6\n",
    )
    .unwrap();
    let spec = |decimals: &str| {
        format!(
            "title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/d.csv\n    measure: SMD\n{decimals}"
        )
    };
    std::fs::write(dir.path().join("analyses/entered.yaml"), spec("")).unwrap();
    std::fs::write(
        dir.path().join("analyses/set.yaml"),
        spec("    forest: {decimals: {mean: 1, sd: 2}}\n"),
    )
    .unwrap();
    built(dir.path());
    let cells = |review: &str| {
        let svg = std::fs::read_to_string(
            dir.path()
                .join(format!("out/{review}/figures/forest-m.svg")),
        )
        .unwrap();
        move |cell: &str| svg.contains(&format!(">\n{cell}\n<"))
    };
    // As entered: the most decimals of each column (mean_t 4, sd_t 2, mean_c 3, sd_c 4).
    let entered = cells("entered");
    for cell in [
        "1439.0000",
        "6.8169",
        "262.1000",
        "142.03",
        "1.77",
        "16.40",
        "1140.600",
        "3.945",
        "235.500",
        "82.9650",
        "15.0000",
        "3",
    ] {
        assert!(entered(cell), "as entered: {cell}");
    }
    assert!(!entered("1439") && !entered("6.82") && !entered("16.4"));
    let set = cells("set");
    for cell in ["1439.0", "6.8", "1140.6", "142.03", "1.12", "15.00", "3"] {
        assert!(set(cell), "as set: {cell}");
    }
}

/// The texts of an SVG figure: (left, right, baseline-ish y) in points, and the text, with
/// regular 8 pt text measured by the embedded font.
fn text_boxes(svg: &str) -> Vec<(f64, f64, f64, String)> {
    svg.split("<text ")
        .skip(1)
        .filter_map(|t| {
            let attr = |name: &str| -> Option<&str> {
                t.split(&format!("{name}=\"")).nth(1)?.split('"').next()
            };
            let x: f64 = attr("x")?.parse().ok()?;
            let y: f64 = attr("y")?.parse().ok()?;
            let text = t.split('>').nth(1)?.split('<').next()?.trim().to_string();
            let w = metareport::fonts::text_width(&text, 8.0, t.contains("font-weight=\"bold\""));
            let x = x / 4.0;
            let (l, r) = match attr("text-anchor")? {
                "end" => (x - w, x),
                "middle" => (x - w / 2.0, x + w / 2.0),
                _ => (x, x + w),
            };
            Some((l, r, y / 4.0, text))
        })
        .collect()
}

#[test]
fn favours_labels_never_overlap_or_leave_the_figure() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    let rows = "    rows:\n      - {study: A, events_t: 3, total_t: 50, events_c: 9, total_c: 51}\n      - {study: B, events_t: 7, total_t: 80, events_c: 12, total_c: 77}\n";
    let left = "Favours intravenous magnesium sulphate";
    let right = "Favours usual care with a placebo infusion";
    std::fs::write(
        dir.path().join("analyses/fav.yaml"),
        format!(
            "title: T\noutcomes:\n  - id: long\n    title: L\n    measure: OR\n{rows}    forest: {{favours: [{left}, {right}]}}\n    sensitivity: {{leave_one_out: true}}\n  - id: edge\n    title: E\n    measure: OR\n{rows}    forest: {{limits: [0.9, 100], favours: [{left}, {right}]}}\n  - id: short\n    title: S\n    measure: OR\n{rows}"
        ),
    )
    .unwrap();
    built(dir.path());
    for fig in [
        "forest-long",
        "leave-one-out-long",
        "forest-edge",
        "forest-short",
    ] {
        let svg =
            std::fs::read_to_string(dir.path().join(format!("out/fav/figures/{fig}.svg"))).unwrap();
        let width: f64 = svg
            .split("width=\"")
            .nth(1)
            .unwrap()
            .split("pt\"")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let boxes = text_boxes(&svg);
        let part_of = |label: &str| -> Vec<&(f64, f64, f64, String)> {
            boxes
                .iter()
                .filter(|b| !b.3.is_empty() && label.contains(b.3.as_str()) && b.3.len() > 3)
                .collect()
        };
        let (l, r) = if fig == "forest-short" {
            (part_of("Favours experimental"), part_of("Favours control"))
        } else {
            (part_of(left), part_of(right))
        };
        assert!(!l.is_empty() && !r.is_empty(), "{fig}: labels drawn");
        let l_end = l.iter().map(|b| b.1).fold(f64::MIN, f64::max);
        let r_start = r.iter().map(|b| b.0).fold(f64::MAX, f64::min);
        assert!(
            l_end + 8.0 <= r_start,
            "{fig}: the labels overlap or touch ({l_end} vs {r_start})"
        );
        for b in l.iter().chain(&r) {
            assert!(
                b.0 >= 0.0 && b.1 <= width,
                "{fig}: \"{}\" runs past the figure ({} to {} of {width})",
                b.3,
                b.0,
                b.1
            );
        }
        // Long labels go on two lines under the graph; short ones stay on one.
        let lines = l.len().max(r.len());
        assert_eq!(lines, if fig == "forest-short" { 1 } else { 2 }, "{fig}");
    }
}
