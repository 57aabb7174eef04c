//! Memory and time are bounded by the work, not by hostile sizes, and unusual text is handled
//! (issue 10, items 4, 5, 6, 9, 10, 12, 13): huge labels are cut in figures, tick loops are
//! bounded, spreadsheets are checked before they are expanded, control characters are refused
//! with their place, numeric options are checked, and the data limit is stated.

use std::path::Path;

use metareport::project::Failure;

use super::common::{build_quiet, built};

/// A project with one spec and one data file.
fn with_data(spec: &str, file: &str, data: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses/data")).unwrap();
    std::fs::write(dir.path().join("analyses/r.yaml"), spec).unwrap();
    std::fs::write(dir.path().join("analyses/data").join(file), data).unwrap();
    dir
}

fn error_of(dir: &Path) -> Failure {
    match build_quiet(dir) {
        Ok(s) => panic!("the build succeeded: {s:?}"),
        Err(f) => f,
    }
}

/// The width and height (points) an SVG states.
fn svg_size(svg: &str) -> (f64, f64) {
    let num = |key: &str| -> f64 {
        let i = svg.find(key).unwrap() + key.len();
        svg[i..].split("pt").next().unwrap().parse().unwrap()
    };
    (num("width=\""), num("height=\""))
}

/// The pixel size of a PNG.
fn png_size(png: &[u8]) -> (u32, u32) {
    let be = |i: usize| u32::from_be_bytes(png[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

const BINARY: &str = "title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/d.csv\n    measure: OR\n    sensitivity: {leave_one_out: true}\n";

// ---- item 4: labels of any length --------------------------------------------------------

#[test]
fn a_study_label_of_fifty_thousand_characters_is_cut_in_figures_and_kept_in_results() {
    let label = "Long".repeat(12_500);
    let csv = format!(
        "study,events_t,total_t,events_c,total_c\n{label},4,123,11,139\nB,6,306,29,303\nC,3,231,11,220\n"
    );
    let dir = with_data(BINARY, "d.csv", csv.as_bytes());
    built(dir.path());
    let fig = dir.path().join("out/r/figures");
    for name in ["forest-m", "leave-one-out-m"] {
        let svg = std::fs::read_to_string(fig.join(format!("{name}.svg"))).unwrap();
        let (w, h) = svg_size(&svg);
        assert!(w < 1200.0 && h < 400.0, "{name}: {w} × {h} pt");
        let shown = svg
            .split('>')
            .find(|t| t.trim_start().starts_with("LongLong"))
            .unwrap();
        assert!(
            shown.contains('…') && shown.len() < 400,
            "{name}: the label is not cut: {}",
            &shown[..200]
        );
        assert!(svg.len() < 200_000, "{name}: {} bytes", svg.len());
        let (pw, ph) = png_size(&std::fs::read(fig.join(format!("{name}.png"))).unwrap());
        assert!(
            f64::from(pw) * f64::from(ph) <= metareport::plot::MAX_PNG_PIXELS,
            "{pw} × {ph}"
        );
    }
    let results = std::fs::read_to_string(dir.path().join("out/r/results.json")).unwrap();
    assert!(
        results.contains(&label),
        "the full label is in results.json"
    );
}

#[test]
fn figure_text_is_cut_to_a_bounded_width_and_made_printable() {
    use metareport::plot::canvas::{Align, Figure, Font, MAX_TEXT_WIDTH, fit, wrap};
    let font = Font::regular(8.0);
    let huge = "W".repeat(3_000_000);
    let cut = fit(&huge, font, MAX_TEXT_WIDTH);
    assert!(
        cut.ends_with('…') && cut.chars().count() < 200,
        "{}",
        cut.len()
    );
    assert!(font.width(&huge) <= MAX_TEXT_WIDTH);
    assert_eq!(fit("short", font, MAX_TEXT_WIDTH), "short");
    // Characters no SVG can hold become U+FFFD, so the PNG can always be drawn.
    let mut f = Figure::new(100.0, 20.0);
    f.text(2.0, 10.0, "a\u{1}b\u{1b}c\u{FFFE}", font, Align::Left);
    let svg = f.to_svg();
    assert!(svg.contains("a\u{FFFD}b\u{FFFD}c\u{FFFD}"), "{svg}");
    metareport::plot::to_png(&svg).unwrap();
    // Wrapped text has a bounded number of lines.
    let lines = wrap(&"word ".repeat(1_000_000), font, 100.0);
    assert_eq!(lines.len(), metareport::plot::canvas::MAX_WRAPPED_LINES);
    assert!(lines.last().unwrap().ends_with('…'));
}

#[test]
fn a_png_larger_than_the_pixel_limit_is_drawn_at_a_lower_resolution() {
    use metareport::plot::{MAX_PNG_PIXELS, PNG_DPI, png_dpi};
    // A page-sized figure keeps 300 dpi; 20,000 × 500 pt would be 69 × 1.7 megapixels.
    assert_eq!(png_dpi(595.0 / 0.75, 842.0 / 0.75), PNG_DPI);
    let (w, h) = (20_000.0 / 0.75, 500.0 / 0.75);
    let dpi = png_dpi(w, h);
    assert!(dpi < PNG_DPI);
    let s = f64::from(dpi) / 96.0;
    assert!(w * h * s * s <= MAX_PNG_PIXELS);
}

// ---- item 5: tick loops are bounded -------------------------------------------------------

#[test]
fn tiny_sampling_variances_give_a_sane_funnel_axis_not_an_endless_loop() {
    let csv = "study,yi,vi\nA,0.1,1e-80\nB,0.2,2e-80\nC,0.3,1.5e-80\n";
    let spec = "title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/d.csv\n    measure: GEN\n    funnel: {show: true}\n";
    let dir = with_data(spec, "d.csv", csv.as_bytes());
    let (tx, rx) = std::sync::mpsc::channel();
    let d = dir.path().to_path_buf();
    std::thread::spawn(move || tx.send(build_quiet(&d).map(|s| s.built.len())));
    let n = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the build is stuck")
        .unwrap();
    assert!(n > 0);
    let svg = std::fs::read_to_string(dir.path().join("out/r/figures/funnel-m.svg")).unwrap();
    assert!(svg.contains("5e−41") && svg.contains("1e−40"), "{svg}");
}

#[test]
fn axes_of_degenerate_ranges_have_a_bounded_number_of_ticks() {
    use metareport::plot::axis::{MAX_TICKS, choose, multiples};
    use metareport::stats::Measure;
    for values in [
        vec![1e300, -1e300],
        vec![f64::MAX, f64::MIN],
        vec![1e-300, 2e-300],
        vec![0.0],
        vec![],
        vec![1e10, 1e10 + 1e-6],
        vec![f64::NAN, f64::INFINITY],
    ] {
        for m in [Measure::MD, Measure::OR, Measure::GEN] {
            let a = choose(m, &values, None, None, 0.0, 100.0);
            assert!(a.ticks.len() <= MAX_TICKS, "{values:?}: {:?}", a.ticks);
            for t in &a.ticks {
                assert!(a.label(*t).chars().count() < 16, "{}", a.label(*t));
            }
        }
    }
    assert!(multiples(1e10, 1e10 + 1e-6, 2.5e-7).len() <= MAX_TICKS);
    assert!(multiples(0.0, 1.0, 1e-300).is_empty());
    assert!(multiples(0.0, f64::INFINITY, 1.0).is_empty());
    assert_eq!(multiples(-1.0, 1.0, 0.5), vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
}

#[test]
fn an_sd_that_overflows_is_refused_with_its_place() {
    let csv = "study,mean_t,sd_t,n_t,mean_c,sd_c,n_c\nA,1,1e300,10,2,1,10\nB,1,1,10,2,1,10\n";
    let spec = "title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/d.csv\n    measure: MD\n    funnel: {show: true}\n";
    let dir = with_data(spec, "d.csv", csv.as_bytes());
    let f = error_of(dir.path());
    assert_eq!(f.exit_code(), 1);
    assert_eq!(
        f.to_string(),
        "error: analyses/data/d.csv:2:3: column `sd_t`: study \"A\": these values give a sampling variance of inf (effect -1): too large or too small to compute with in double precision; is a value mistyped?"
    );
}

// ---- figures too large to draw, analyses too large to run ---------------------------------

#[test]
fn a_forest_plot_of_too_many_studies_is_refused_before_it_is_drawn() {
    let mut csv = String::from("study,yi,vi\n");
    for i in 0..metareport::plot::MAX_FIGURE_ROWS {
        csv.push_str(&format!("S{i},{},0.1\n", (i % 7) as f64 / 10.0));
    }
    let spec =
        "title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/d.csv\n    measure: GEN\n";
    let dir = with_data(spec, "d.csv", csv.as_bytes());
    let f = error_of(dir.path());
    assert_eq!(f.exit_code(), 1);
    assert_eq!(
        f.to_string(),
        format!(
            "error: analyses/r.yaml: the forest plot of outcome `m` would have {} rows; figures are drawn with at most {} rows\n  hint: list the figures to draw under `manuscript: {{figures: [...]}}` without this one (`figures: []` draws none); the numbers are all in results.json",
            metareport::plot::MAX_FIGURE_ROWS + 6,
            metareport::plot::MAX_FIGURE_ROWS
        )
    );
    assert!(!dir.path().join("out").exists());
    // Without figures the same data build.
    std::fs::write(
        dir.path().join("analyses/r.yaml"),
        format!("{spec}manuscript: {{figures: []}}\n"),
    )
    .unwrap();
    built(dir.path());
}

#[test]
fn leave_one_out_of_too_many_studies_is_refused_before_it_runs() {
    let n = metareport::build::produce::MAX_SENSITIVITY_STUDIES + 1;
    let mut csv = String::from("study,yi,vi\n");
    for i in 0..n {
        csv.push_str(&format!("S{i},{},0.1\n", (i % 7) as f64 / 10.0));
    }
    let spec = "title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/d.csv\n    measure: GEN\n    sensitivity: {leave_one_out: true}\nmanuscript: {figures: []}\n";
    let dir = with_data(spec, "d.csv", csv.as_bytes());
    let start = std::time::Instant::now();
    let f = error_of(dir.path());
    assert!(start.elapsed().as_secs() < 20);
    assert_eq!(
        f.to_string(),
        format!(
            "error: analyses/r.yaml: outcome `m`: a leave-one-out analysis refits the model once per study; with {n} studies that is too much work (at most {} studies)\n  hint: remove `sensitivity: leave_one_out` from this outcome",
            n - 1
        )
    );
}
