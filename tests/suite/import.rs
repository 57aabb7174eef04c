//! `metareport import`: RevMan 5 files and RevMan Web data packages become projects that load
//! and build, and RevMan's stored results are compared with metareport's.
//!
//! Fixtures (`tests/fixtures/revman/`, written by `make_fixtures.R` with R metafor following
//! RevMan 5's documented formulas): `importer.rm5` and the same review as data packages of
//! format 1 and 2. The real RevMan files in `../shared/revman/` (Fleiss 1993, with the numbers
//! RevMan itself computed) are checked when that folder exists.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use metareport::import::compare::Verdict;
use metareport::import::{self, Imported};
use metareport::project::Failure;
use metareport::stats::{Measure, ModelChoice, Pooling};

use super::common::repo;

fn fixtures() -> PathBuf {
    repo().join("tests/fixtures/revman")
}

fn import_to(file: &Path, tmp: &Path, name: &str) -> Imported {
    import::import(file, &tmp.join(name)).unwrap_or_else(|f| panic!("import failed: {f}"))
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn spec_of(i: &Imported) -> metareport::spec::Spec {
    metareport::spec::load(&i.dir, &i.generated.spec_path).expect("the imported spec loads")
}

/// Zips a folder in memory, as RevMan Web delivers a data package.
fn zip_folder(dir: &Path) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    let mut files = Vec::new();
    while let Some((p, rel)) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if e.path().is_dir() {
                stack.push((e.path(), r));
            } else {
                files.push((r, e.path()));
            }
        }
    }
    files.sort();
    for (r, p) in files {
        w.start_file(r, opts).unwrap();
        w.write_all(&std::fs::read(p).unwrap()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn verdicts(i: &Imported, number: &str) -> (usize, usize, usize) {
    let a = i
        .check
        .analyses
        .iter()
        .find(|a| a.number == number)
        .unwrap_or_else(|| panic!("analysis {number} not compared"));
    (
        a.count(Verdict::Agrees),
        a.count(Verdict::PValueApproximation),
        a.count(Verdict::Differs),
    )
}

#[test]
fn a_revman5_file_becomes_a_project_whose_results_agree_with_those_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let i = import_to(&fixtures().join("importer.rm5"), tmp.path(), "review");
    let spec = spec_of(&i);
    let ids: Vec<&str> = spec.outcomes.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["1-1", "1-2", "1-3", "1-4", "1-5", "2-1", "2-2"]);
    let o = |id: &str| spec.outcomes.iter().find(|o| o.id == id).unwrap();

    // Measures, pooling and models as RevMan set them.
    let expect = [
        (
            "1-1",
            Measure::OR,
            Pooling::MantelHaenszel,
            ModelChoice::Fixed,
        ),
        (
            "1-2",
            Measure::RR,
            Pooling::MantelHaenszel,
            ModelChoice::Random,
        ),
        ("1-3", Measure::PetoOR, Pooling::Peto, ModelChoice::Fixed),
        (
            "1-4",
            Measure::MD,
            Pooling::InverseVariance,
            ModelChoice::Random,
        ),
        (
            "1-5",
            Measure::SMD,
            Pooling::InverseVariance,
            ModelChoice::Fixed,
        ),
        (
            "2-1",
            Measure::HR,
            Pooling::InverseVariance,
            ModelChoice::Random,
        ),
        (
            "2-2",
            Measure::PetoOR,
            Pooling::InverseVariance,
            ModelChoice::Fixed,
        ),
    ];
    for (id, m, p, e) in expect {
        let opts = &o(id).options;
        assert_eq!((opts.measure, opts.pooling, opts.model), (m, p, e), "{id}");
        assert_eq!(opts.tau2_method, metareport::stats::Tau2Method::DL, "{id}");
        assert!(opts.i2_from_q, "{id}: preset revman5");
    }
    assert_eq!(o("1-4").options.level, 0.99, "CI of the total: 99%");
    assert_eq!(o("2-1").kind, metareport::data::InputKind::YiSe);
    assert_eq!(o("1-1").forest.arms, ("Drug A".into(), "Placebo".into()));
    assert_eq!(
        o("1-2").forest.favours,
        ("Favours placebo".into(), "Favours drug A".into())
    );
    assert_eq!(o("1-1").forest.limits, Some((0.01, 100.0)));
    assert_eq!(o("1-4").forest.limits, Some((-10.0, 10.0)));

    // Subgroups in RevMan's order; studies in RevMan's user order within them; a study in two
    // subgroups gets a unique label; the Latin-1 name is read.
    let names: Vec<(&str, &str)> = o("1-1")
        .studies
        .iter()
        .map(|s| (s.name.as_str(), s.subgroup.as_deref().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("Brown 2001", "Low dose"),
            ("Müller 1999", "Low dose"),
            ("Adams 1995", "Low dose"),
            ("Dubois 2007", "High dose"),
            ("Okafor 2010", "High dose"),
            ("Brown 2001 (2)", "High dose"),
            ("Chen 2003", "High dose")
        ]
    );
    assert!(
        i.generated
            .changes
            .iter()
            .any(|c| c.contains("\"Brown 2001 (2)\""))
    );

    // The footnote inside a data row (with its unescaped "&") is kept, in the CSV and as a note.
    let csv = read(&i.dir, "analyses/data/analysis-1-1.csv");
    assert!(csv.starts_with("study,year,subgroup,events_t,total_t,events_c,total_c,footnote\n"));
    assert!(csv.contains("Müller 1999,1999,Low dose,30,410,41,405,Deaths at 12 months; 3 participants lost to follow-up & excluded\n"));
    assert!(spec.notes.contains(&"Analysis 1.1, Müller 1999: Deaths at 12 months; 3 participants lost to follow-up & excluded".to_string()));
    assert!(i.review.repairs.iter().any(|r| r.contains("unescaped")));

    // Swapped events: the CSV holds the non-events, the reported counts beside them.
    let csv = read(&i.dir, "analyses/data/analysis-1-2.csv");
    assert!(
        csv.contains("Adams 1995,1995,120,150,126,148,30,22\n"),
        "{csv}"
    );
    // O − E and variance: yi = (O − E)/V, se = 1/√V.
    let csv = read(&i.dir, "analyses/data/analysis-2-2.csv");
    let se = format!("{}", 1.0 / 10.5f64.sqrt());
    assert!(
        csv.contains(&format!("Adams 1995,1995,-4.2,10.5,-0.4,{se},150,148\n")),
        "{csv}"
    );
    // Generic inverse variance: the estimate on the log scale as entered.
    assert!(
        read(&i.dir, "analyses/data/analysis-2-1.csv")
            .contains("Brown 2001,2001,-0.22,0.15,95,97\n")
    );

    // Table 1 with years; risk of bias in robvis's layout, read by the generic tool.
    let t1 = spec.studies.as_ref().unwrap();
    assert_eq!(t1.headers, ["Study", "Year"]);
    assert!(
        t1.rows
            .contains(&vec!["Müller 1999".to_string(), "1999".to_string()])
    );
    let rob = read(&i.dir, "analyses/data/risk-of-bias.csv");
    assert!(rob.starts_with("Study,Random sequence generation (selection bias),Blinding of outcome assessment (detection bias): All outcomes\nAdams 1995,Low,Low\nBrown 2001,Unclear,Low\nChen 2003,High,Unclear\n"), "{rob}");
    let yaml = read(&i.dir, &i.generated.spec_path);
    assert!(yaml.contains("\nrisk_of_bias: {tool: generic, data: data/risk-of-bias.csv}"));
    let table = spec
        .risk_of_bias
        .as_ref()
        .expect("the risk-of-bias table is read");
    // Eight studies, and Brown 2001's second row in analysis 1.1 ("Brown 2001 (2)") with
    // Brown 2001's judgements, since the table is matched to the data by label.
    assert_eq!(table.studies.len(), 9, "{:?}", table.studies);
    assert!(rob.ends_with("Brown 2001 (2),Unclear,Low\n"), "{rob}");
    assert!(yaml.contains("preset: revman5"));

    // What cannot be carried over is listed, on the console's list and in the README.
    let readme = read(&i.dir, "README.md");
    for what in [
        "analysis 2.3 \"Readmission\" has no study data",
        "analysis 2.4 \"Adverse events as reported\": RevMan's \"other data\"",
        "the review's text",
        "1 excluded studies",
        "the total's 99% confidence intervals",
    ] {
        assert!(
            i.generated.not_carried.iter().any(|c| c.contains(what)),
            "{what}"
        );
        assert!(readme.contains(what), "README: {what}");
    }
    assert!(readme.contains("read by the spec's `risk_of_bias:` block with the generic tool"));

    // RevMan's stored results (computed by RevMan's formulas) agree with metareport's, the SMD
    // included: the imported spec's `preset: revman5` computes Hedges' g as RevMan 5 does
    // (`model: smd: revman`).
    for n in ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2"] {
        let (agree, approx, differ) = verdicts(&i, n);
        assert!(
            agree >= 12 && approx == 0 && differ == 0,
            "{n}: {agree} {approx} {differ}"
        );
    }
    let md = read(&i.dir, "analyses/import-check.md");
    assert!(!md.contains("RevMan 5 computes Hedges' g with the approximate correction"));
    assert!(md.contains("| subgroup differences: χ² |"));
    assert!(md.contains("| Low dose: OR |"));
    assert!(md.contains("| weight of Brown 2001 (2) |"));
}

#[test]
fn data_packages_of_both_formats_import_like_the_revman5_file() {
    let tmp = tempfile::tempdir().unwrap();
    let rm5 = import_to(&fixtures().join("importer.rm5"), tmp.path(), "rm5");
    // Format 1 as a zip, format 2 as the unpacked folder.
    let zip_path = tmp.path().join("123456789-dataPackage.zip");
    std::fs::write(&zip_path, zip_folder(&fixtures().join("package-v1"))).unwrap();
    let v1 = import_to(&zip_path, tmp.path(), "v1");
    let v2 = import_to(&fixtures().join("package-v2"), tmp.path(), "v2");
    assert_eq!(v1.review.format, import::Format::DataPackage { version: 1 });
    // The Cochrane Library's download: the package's zip inside a zip.
    let mut outer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    outer
        .start_file(
            "123456789-files/123456789-data.zip",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    outer.write_all(&std::fs::read(&zip_path).unwrap()).unwrap();
    let nested = import::read_bytes("library.zip", &outer.finish().unwrap().into_inner()).unwrap();
    let data = |r: &import::Review| -> Vec<(String, Vec<import::Values>)> {
        r.analyses
            .iter()
            .map(|a| {
                (
                    a.number(),
                    a.rows.iter().map(|x| x.values.clone()).collect(),
                )
            })
            .collect()
    };
    assert_eq!(data(&nested), data(&v1.review));
    assert!(
        nested.analyses[0].rows[0]
            .location
            .starts_with("library.zip/123456789-files/123456789-data.zip/")
    );
    assert_eq!(v2.review.format, import::Format::DataPackage { version: 2 });
    let (s0, s1, s2) = (spec_of(&rm5), spec_of(&v1), spec_of(&v2));
    for s in [&s1, &s2] {
        let ids: Vec<&str> = s.outcomes.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["1-1", "1-2", "1-3", "1-4", "1-5", "2-1", "2-2"]);
        assert!(s.title.contains("Review imported from"));
    }
    // The same data: metareport's numbers from the package equal those from the .rm5 file.
    let a0 = metareport::build::produce::analyse_spec(&s0).unwrap();
    let a1 = metareport::build::produce::analyse_spec(&s1).unwrap();
    for (x, y) in a0.iter().zip(&a1) {
        let (px, py) = (
            x.overall.pooled.value().unwrap(),
            y.overall.pooled.value().unwrap(),
        );
        assert!((px.estimate - py.estimate).abs() < 1e-12);
        assert!((px.se - py.se).abs() < 1e-12);
    }
    // Every number the packages store agrees at the precision written, except the SMD.
    for i in [&v1, &v2] {
        for n in ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2"] {
            let (agree, approx, differ) = verdicts(i, n);
            assert!(
                agree >= 9 && approx == 0 && differ == 0,
                "{n}: {agree} {approx} {differ}"
            );
        }
        // The analysis without data and the zeros RevMan Web writes for it.
        assert!(
            i.generated
                .not_carried
                .iter()
                .any(|c| c.contains("2.3 \"Readmission\""))
        );
        let rob = read(&i.dir, "analyses/data/risk-of-bias.csv");
        assert!(rob.contains("Müller 1999,Low,Low\n"), "{rob}");
        let csv = read(&i.dir, "analyses/data/analysis-1-1.csv");
        assert!(csv.contains("Deaths at 12 months; 3 participants lost to follow-up & excluded"));
        let spec = spec_of(i);
        assert_eq!(spec.outcomes[0].subgroup_label.as_deref(), Some("Dose"));
    }
    // Format 2's settings: REML with the Hartung–Knapp–Sidik–Jonkman interval, a prediction
    // interval, graph labels.
    let o = |id: &str| s2.outcomes.iter().find(|o| o.id == id).unwrap();
    assert_eq!(
        o("1-4").options.tau2_method,
        metareport::stats::Tau2Method::REML
    );
    assert_eq!(o("1-4").options.ci, metareport::stats::CiMethod::Hksj);
    assert_eq!(
        o("2-1").options.prediction,
        metareport::stats::PredictionKind::HigginsT
    );
    assert!(o("2-1").forest.prediction_bar);
    assert_eq!(
        o("1-1").forest.favours,
        ("Favours drug A".into(), "Favours control".into())
    );
}

#[test]
fn the_real_revman_files_reproduce_revmans_stored_numbers() {
    let shared = repo().join("../shared/revman");
    if !shared.join("fleiss1993.rm5").is_file() {
        eprintln!(
            "skipped: ../shared/revman/ is absent (the real RevMan files are not in the repository)"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let rm5 = import_to(&shared.join("fleiss1993.rm5"), tmp.path(), "fleiss");
    let web = import_to(
        &shared.join("fleiss1993-revman-web-data-package.zip"),
        tmp.path(),
        "fleiss-web",
    );
    // RevMan 5.0's stored OR, CI, Z, Q, I², weights to 1e-9; its P_Z too; its P_CHI2 is
    // RevMan's approximation, 7.4e-8 from the χ² tail.
    let a = &rm5.check.analyses[0];
    assert_eq!(a.number, "1.1");
    for l in &a.lines {
        match l.what.as_str() {
            "P (χ²)" => {
                assert_eq!(l.verdict, Verdict::PValueApproximation);
                assert!((l.difference() - 7.4e-8).abs() < 1e-9, "{}", l.difference());
            }
            _ => {
                assert_eq!(l.verdict, Verdict::Agrees, "{}", l.what);
                assert!(
                    l.difference() <= 1e-9 * l.revman.abs().max(1.0),
                    "{}",
                    l.what
                );
            }
        }
    }
    let got: Vec<&str> = a.lines.iter().map(|l| l.what.as_str()).collect();
    for w in [
        "OR",
        "CI start",
        "CI end",
        "Z",
        "P (Z)",
        "χ²",
        "I²",
        "weight of ISIS-2",
    ] {
        assert!(got.contains(&w), "{w} compared");
    }
    // The data package: RevMan Web's 6-decimal numbers agree at that precision, and metareport's
    // numbers from it equal RevMan 5's full-precision ones to 1e-9.
    let b = &web.check.analyses[0];
    assert!(b.lines.iter().all(|l| l.verdict == Verdict::Agrees));
    for w in ["OR", "CI start", "CI end", "Z", "χ²", "I²"] {
        let x = a.lines.iter().find(|l| l.what == w).unwrap();
        let y = b.lines.iter().find(|l| l.what == w).unwrap();
        assert!(
            (x.revman - y.metareport).abs() <= 1e-9 * x.revman.abs().max(1.0),
            "{w}"
        );
    }
    // Outcome 1.02 has no results stored (RevMan Web writes zeros): nothing to compare, said so.
    assert!(rm5.check.analyses[1].lines.is_empty());
    assert!(web.check.analyses[1].notes[0].contains("RevMan stored zeros"));
    assert_eq!(
        std::fs::read_to_string(rm5.dir.join("analyses/data/analysis-1-1.csv"))
            .unwrap()
            .lines()
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect::<Vec<_>>(),
        [
            "study", "MRC-1", "CDP", "MRC-2", "GASP", "PARIS", "AMIS", "ISIS-2"
        ],
        "RevMan's user order"
    );
}

fn import_error(file: &Path, tmp: &Path) -> String {
    match import::import(file, &tmp.join("out-project")) {
        Ok(_) => panic!("{} was imported", file.display()),
        Err(f) => {
            assert_eq!(f.exit_code(), 1, "{f}");
            assert!(!tmp.join("out-project").exists(), "nothing written");
            let left: Vec<_> = std::fs::read_dir(tmp)
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().contains(".import-"))
                .collect();
            assert!(left.is_empty(), "staging folder left behind");
            f.to_string()
        }
    }
}

#[test]
fn files_that_are_not_revman_reviews_are_refused_with_a_located_message() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let write = |name: &str, bytes: &[u8]| {
        let p = t.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let e = import_error(&write("notes.txt", b"study,events_t\nA,1\n"), t);
    assert!(e.contains("not a RevMan file"), "{e}");
    let e = import_error(
        &write(
            "other.xml",
            b"<?xml version=\"1.0\"?>\n<html><body/></html>\n",
        ),
        t,
    );
    assert!(
        e.contains("not a RevMan 5 file: its root element is <html>"),
        "{e}"
    );
    let e = import_error(
        &write(
            "old.rm5",
            b"<?xml version=\"1.0\"?>\n<COCHRANE_REVIEW REVMAN_VERSION=\"4\"/>\n",
        ),
        t,
    );
    assert!(
        e.contains(
            "old.rm5:2:1: this review was written by RevMan 4; only RevMan 5 files are read"
        ),
        "{e}"
    );
    let e = import_error(
        &write(
            "dta.rm5",
            b"<COCHRANE_REVIEW REVMAN_VERSION=\"5\" TYPE=\"DIAGNOSTIC\"/>",
        ),
        t,
    );
    assert!(e.contains("diagnostic test accuracy"), "{e}");
    let e = import_error(
        &write(
            "broken.rm5",
            b"<?xml version=\"1.0\"?>\n<COCHRANE_REVIEW REVMAN_VERSION=\"5\">\n<COVER_SHEET>\n</COCHRANE_REVIEW>\n",
        ),
        t,
    );
    assert!(
        e.contains("broken.rm5:4:") && e.contains("malformed XML"),
        "{e}"
    );
    let e = import_error(
        &write(
            "latin.rm5",
            b"<?xml version=\"1.0\" encoding=\"KOI8-R\"?><COCHRANE_REVIEW/>",
        ),
        t,
    );
    assert!(e.contains("declares the encoding \"koi8-r\""), "{e}");

    // A zip that is not a data package; a data package with a bad number (file:line:column).
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("readme.csv", zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(b"a,b\n1,2\n").unwrap();
    let e = import_error(&write("x.zip", &w.finish().unwrap().into_inner()), t);
    assert!(
        e.contains("not a RevMan Web data package: no *-overall-estimates-and-settings.csv"),
        "{e}"
    );
    let bad = t.join("bad-package");
    metareport_copy(&fixtures().join("package-v1"), &bad);
    let rows = bad.join("123456789-analysis-data/123456789-data-rows.csv");
    let text = std::fs::read_to_string(&rows)
        .unwrap()
        .replacen(",12,150,", ",twelve,150,", 1);
    std::fs::write(&rows, text).unwrap();
    let e = import_error(&bad, t);
    assert!(
        e.contains("123456789-data-rows.csv:2:12: column `Experimental cases`: expected a number, found \"twelve\""),
        "{e}"
    );
    // A folder that exists and is not empty is not overwritten.
    std::fs::create_dir_all(t.join("taken")).unwrap();
    std::fs::write(t.join("taken/keep.txt"), "mine").unwrap();
    match import::import(&fixtures().join("importer.rm5"), &t.join("taken")) {
        Err(Failure::Input(d)) => assert!(d.to_string().contains("exists and is not empty")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(t.join("taken/keep.txt")).unwrap(),
        "mine"
    );
}

fn metareport_copy(from: &Path, to: &Path) {
    super::common::copy_dir(from, to);
}

#[test]
fn import_on_the_command_line_writes_builds_and_prints_the_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("small.rm5");
    // A minimal RevMan 5 file: one analysis, a Latin-1 study name, no results stored.
    std::fs::write(
        &file,
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<COCHRANE_REVIEW REVMAN_VERSION=\"5\" REVMAN_SUB_VERSION=\"5.3.5\" TYPE=\"INTERVENTION\">\n<COVER_SHEET><TITLE>Small review</TITLE></COVER_SHEET>\n<STUDIES_AND_REFERENCES><STUDIES><INCLUDED_STUDIES>\n<STUDY ID=\"STD-A\" NAME=\"A 2001\" YEAR=\"2001\"/><STUDY ID=\"STD-G_x00f6_tz\" NAME=\"G\xf6tz 2004\" YEAR=\"2004\"/>\n</INCLUDED_STUDIES></STUDIES></STUDIES_AND_REFERENCES>\n<ANALYSES_AND_DATA><COMPARISON NO=\"1\"><NAME>X vs Y</NAME>\n<DICH_OUTCOME EFFECT_MEASURE=\"OR\" METHOD=\"MH\" NO=\"1\" RANDOM=\"NO\" CI_STUDY=\"95\" CI_TOTAL=\"95\" TOTALS=\"YES\"><NAME>Death</NAME>\n<DICH_DATA EVENTS_1=\"5\" TOTAL_1=\"50\" EVENTS_2=\"9\" TOTAL_2=\"50\" STUDY_ID=\"STD-A\"/>\n<DICH_DATA EVENTS_1=\"4\" TOTAL_1=\"40\" EVENTS_2=\"7\" TOTAL_2=\"41\" STUDY_ID=\"STD-G_x00f6_tz\"/>\n</DICH_OUTCOME></COMPARISON></ANALYSES_AND_DATA></COCHRANE_REVIEW>\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(["import", "small.rm5"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{}{}",
        out,
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("imported small.rm5 (RevMan 5.3.5 file, ISO-8859-1) into small"),
        "{out}"
    );
    assert!(
        out.contains("1.1 Death: RevMan stored no pooled result"),
        "{out}"
    );
    let dir = tmp.path().join("small");
    for f in [
        "analyses/small.yaml",
        "analyses/data/analysis-1-1.csv",
        "analyses/import-check.md",
        "README.md",
        "out/small/results.json",
        "out/small/figures/forest-1-1.png",
        "out/small/manuscript.pdf",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    assert!(read(&dir, "analyses/data/analysis-1-1.csv").contains("Götz 2004,2004,4,40,7,41\n"));
    // A second import into the same folder is refused (exit 1); a non-RevMan file too.
    let o = Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(["import", "small.rm5", "small"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let o = Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(["import", "small/README.md", "x"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a RevMan file"));
}

#[test]
fn truncated_or_corrupted_files_give_errors_never_a_panic() {
    // Every prefix of the fixture .rm5 (every 61st byte) and of a data package zip, and bytes
    // flipped through them: each is read or refused, never a panic.
    let rm5 = std::fs::read(fixtures().join("importer.rm5")).unwrap();
    let zip = zip_folder(&fixtures().join("package-v2"));
    for bytes in [&rm5, &zip] {
        for cut in (0..bytes.len()).step_by(61) {
            let _ = import::read_bytes("t", &bytes[..cut]);
            let mut flipped = bytes.clone();
            flipped[cut] ^= 0xA5;
            let _ = import::read_bytes("t", &flipped);
        }
    }
    // A deeply nested file is refused, not followed down.
    let deep = format!(
        "<COCHRANE_REVIEW REVMAN_VERSION=\"5\">{}",
        "<A>".repeat(100_000)
    );
    let e = import::read_bytes("deep.rm5", deep.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("nested more than 256 deep"), "{e}");
}

#[test]
fn revman_quality_items_become_the_risk_of_bias_table_the_manuscript_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("rob.rm5");
    // One quality item named as RevMan 5 names it, as a question; Götz 2004 not judged.
    std::fs::write(
        &file,
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<COCHRANE_REVIEW REVMAN_VERSION=\"5\" REVMAN_SUB_VERSION=\"5.3.5\" TYPE=\"INTERVENTION\">\n<COVER_SHEET><TITLE>Small review</TITLE></COVER_SHEET>\n<STUDIES_AND_REFERENCES><STUDIES><INCLUDED_STUDIES>\n<STUDY ID=\"STD-A\" NAME=\"A 2001\" YEAR=\"2001\"/><STUDY ID=\"STD-G_x00f6_tz\" NAME=\"G\xf6tz 2004\" YEAR=\"2004\"/>\n</INCLUDED_STUDIES></STUDIES></STUDIES_AND_REFERENCES>\n<QUALITY_ITEMS><QUALITY_ITEM CORE_ITEM=\"YES\" ID=\"QIT-01\" LEVEL=\"STUDY\" NO=\"1\"><NAME>Allocation concealment?</NAME><QUALITY_ITEM_DATA>\n<QUALITY_ITEM_DATA_ENTRY RESULT=\"UNKNOWN\" STUDY_ID=\"STD-A\"><DESCRIPTION/></QUALITY_ITEM_DATA_ENTRY>\n</QUALITY_ITEM_DATA></QUALITY_ITEM></QUALITY_ITEMS>\n<ANALYSES_AND_DATA><COMPARISON NO=\"1\"><NAME>X vs Y</NAME>\n<DICH_OUTCOME EFFECT_MEASURE=\"OR\" METHOD=\"MH\" NO=\"1\" RANDOM=\"NO\" CI_STUDY=\"95\" CI_TOTAL=\"95\" TOTALS=\"YES\"><NAME>Death</NAME>\n<DICH_DATA EVENTS_1=\"5\" TOTAL_1=\"50\" EVENTS_2=\"9\" TOTAL_2=\"50\" STUDY_ID=\"STD-A\"/>\n<DICH_DATA EVENTS_1=\"4\" TOTAL_1=\"40\" EVENTS_2=\"7\" TOTAL_2=\"41\" STUDY_ID=\"STD-G_x00f6_tz\"/>\n</DICH_OUTCOME></COMPARISON></ANALYSES_AND_DATA></COCHRANE_REVIEW>\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(["import", "rob.rm5"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = tmp.path().join("rob");
    assert_eq!(
        read(&dir, "analyses/data/risk-of-bias.csv"),
        "Study,Allocation concealment\nA 2001,Unclear\nGötz 2004,No information\n"
    );
    assert!(read(&dir, "analyses/rob.yaml").contains("\nrisk_of_bias: {tool: generic, "));
    let typ = read(&dir, "out/rob/manuscript.typ");
    assert!(
        typ.contains("Of the two studies, one was judged at unclear risk of bias in the one domain assessed, allocation concealment (D1)."),
        "{typ}"
    );
    assert!(!typ.contains("most often judged"), "{typ}");
    for f in ["risk-of-bias.svg", "risk-of-bias-summary.svg"] {
        assert!(dir.join("out/rob/figures").join(f).is_file(), "{f}");
    }
}
