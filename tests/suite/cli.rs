//! The command line, run as a user runs it: subcommands, messages and exit codes
//! (0 success; 1 invalid input, analysis error or stale outputs; 2 I/O or internal error).

use std::path::Path;
use std::process::{Command, Output};

use super::common::repo;

fn metareport(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn init_then_build_makes_a_complete_report() {
    let tmp = tempfile::tempdir().unwrap();
    let o = metareport(&["init", "review"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = metareport(&["build", "review", "--quiet"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        o.stderr.is_empty() && o.stdout.is_empty(),
        "--quiet prints nothing"
    );
    for f in [
        "results.json",
        "manuscript.pdf",
        "manuscript.typ",
        "figures/forest-tuberculosis.svg",
        "figures/forest-tuberculosis.png",
        "figures/funnel-tuberculosis.png",
    ] {
        assert!(
            tmp.path().join("review/out/example").join(f).is_file(),
            "{f}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("review/.gitignore")).unwrap(),
        metareport::cli::init::GITIGNORE
    );
    // out/ is committed (the guide's CI runs `build --check` on it): nothing ignores it.
    assert!(
        !metareport::cli::init::GITIGNORE
            .lines()
            .any(|l| !l.starts_with('#') && l.contains("out"))
    );
    // A second init refuses to overwrite.
    let o = metareport(&["init", "review"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already has analyses/"));
}

#[test]
fn check_and_build_check_report_problems_with_exit_code_1() {
    let tmp = tempfile::tempdir().unwrap();
    metareport(&["init", "."], tmp.path());
    let o = metareport(&["build", "--check"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("out/example/results.json (never built)"),
        "{}",
        stderr(&o)
    );
    assert!(metareport(&["build", "-q"], tmp.path()).status.success());
    let o = metareport(&["build", "--check"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(
        tmp.path().join("analyses/example.yaml"),
        "title: T\nmesure: OR\n",
    )
    .unwrap();
    let o = metareport(&["check"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: analyses/example.yaml:2:1: mesure: unknown key `mesure`\n  hint: expected one of: title, short_title, authors, source, notes, preset, defaults, studies, prisma, outcomes, baseline, manuscript, submission, prisma_checklist, risk_of_bias, summary_of_findings\n"
    );
}

#[test]
fn check_renders_and_compiles_the_documents_but_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    metareport(&["init", "."], tmp.path());
    let o = metareport(&["check"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::create_dir(tmp.path().join("templates")).unwrap();
    let template = tmp.path().join("templates/methods.typ.j2");
    std::fs::write(&template, "{{ foo( }}\n").unwrap();
    let o = metareport(&["check"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("templates/methods.typ.j2:1: unexpected `}`"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&template, "#this-does-not-exist()\n").unwrap();
    let o = metareport(&["check"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .contains("unknown variable: this-does-not-exist (near `#this-does-not-exist()`)"),
        "{}",
        stderr(&o)
    );
    assert!(!tmp.path().join("out").exists(), "check wrote out/");
}

#[test]
fn text_the_fonts_cannot_print_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    metareport(&["init", "."], tmp.path());
    let spec = tmp.path().join("analyses/example.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        text.replace("title: Example review", "title: 卡介苗 Example review"),
    )
    .unwrap();
    let o = metareport(&["build"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("note: analyses/example.yaml: the shipped fonts have no glyph for 卡 (in \"卡介苗 Example review"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_io_failure_exits_with_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    metareport(&["init", "."], tmp.path());
    std::fs::write(tmp.path().join("out"), "a file where out/ should be").unwrap();
    let o = metareport(&["build"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn pool_prints_the_results_json_of_one_csv() {
    let o = metareport(
        &[
            "pool",
            "--data",
            "analyses/data/bcg.csv",
            "--measure",
            "RR",
            "--method",
            "DL",
            "--ci",
            "hksj",
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["overall"]["pooled"]["statistic_name"], "t");
    assert_eq!(v["k"], 13);
    assert!(
        v["settings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "tau2" && s["value"] == "DL" && s["source"] == "outcome")
    );
    let o = metareport(
        &[
            "pool",
            "--data",
            "analyses/data/passive-smoking.csv",
            "--measure",
            "OR",
        ],
        &repo(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot tell the kind of data"),
        "{}",
        stderr(&o)
    );
    let o = metareport(
        &[
            "pool",
            "--data",
            "analyses/data/passive-smoking.csv",
            "--measure",
            "OR",
            "--column",
            "estimate=or",
            "--effects",
            "rule",
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn pool_runs_the_sensitivity_and_subgroup_options_and_names_the_flag_that_is_wrong() {
    let base = [
        "pool",
        "--data",
        "analyses/data/bcg.csv",
        "--measure",
        "RR",
        "--subgroup",
        "allocation",
        "--common-tau2",
        "--cumulative-by",
        "year",
    ];
    let o = metareport(
        &[&base[..], &["--exclude", "TPT Madras 1980"]].concat(),
        &repo(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["subgroups"]["groups"].as_array().unwrap().len(), 3);
    assert_eq!(v["sensitivity"]["cumulative"].as_array().unwrap().len(), 13);
    assert_eq!(v["sensitivity"]["exclusions"].as_array().unwrap().len(), 1);
    assert_eq!(v["options"]["common_tau2"], true);
    assert!(v["subgroups"]["common_tau2"].as_f64().unwrap() > 0.0);

    // The test-based interval of I² (Higgins & Thompson 2002), worked by hand for Q = 152.23
    // on 12 df in src/stats/i2_interval.rs: 88.3% to 94.7%.
    let o = metareport(
        &[
            &base[..5],
            &["--i2", "from-q", "--i2-ci", "higgins-thompson"],
        ]
        .concat(),
        &repo(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let h = &v["overall"]["heterogeneity"];
    assert_eq!(h["ci"]["i2_method"], "higgins-thompson");
    let (lo, hi) = (
        h["ci"]["i2"]["lower"].as_f64().unwrap(),
        h["ci"]["i2"]["upper"].as_f64().unwrap(),
    );
    assert!(
        (lo - 88.32).abs() < 0.01 && (hi - 94.68).abs() < 0.01,
        "{lo} {hi}"
    );

    let o = metareport(&[&base[..], &["--exclude", "TPT Madras"]].concat(), &repo());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--exclude: no study \"TPT Madras\""),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("did you mean \"TPT Madras 1980\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn schema_and_explain() {
    let o = metareport(&["schema"], &repo());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["$defs"]["RawOutcome"]["properties"]["measure"].is_object());
    let tmp = tempfile::tempdir().unwrap();
    metareport(&["init", "."], tmp.path());
    let o = metareport(&["explain", "out/example/results.json"], tmp.path());
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains("analyses/data/example.csv") && s.contains("status: stale: never built"),
        "{s}"
    );
    metareport(&["build", "-q"], tmp.path());
    let s = String::from_utf8_lossy(
        &metareport(&["explain", "example/manuscript.pdf"], tmp.path()).stdout,
    )
    .into_owned();
    assert!(s.contains("status: up to date"), "{s}");
    let o = metareport(&["clean"], tmp.path());
    assert!(o.status.success());
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn watch_builds_once_then_again_after_a_change() {
    let tmp = tempfile::tempdir().unwrap();
    metareport(&["init", "."], tmp.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(["watch", "--builds", "2", "-q"])
        .current_dir(tmp.path())
        .spawn()
        .unwrap();
    let results = tmp.path().join("out/example/results.json");
    let start = std::time::Instant::now();
    while !results.exists() && start.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(results.exists(), "watch built nothing");
    let spec = tmp.path().join("analyses/example.yaml");
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("tau2: REML", "tau2: DL");
    std::fs::write(&spec, text).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("watch did not rebuild after the change");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(status.success());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&results).unwrap()).unwrap();
    assert!(
        v["outcomes"][0]["settings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "tau2" && s["value"] == "DL")
    );
}

#[test]
fn templates_export_writes_the_built_in_templates_and_overwrites_nothing_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    metareport(&["init", "."], tmp.path());
    let o = metareport(&["templates", "export"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = tmp.path().join("templates");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = metareport::report::render::BUILTIN
        .iter()
        .map(|(n, _)| n.to_string())
        .chain(["references.yml".to_string()])
        .collect();
    want.sort();
    assert_eq!(names, want);
    for n in &names {
        assert_eq!(
            std::fs::read(dir.join(n)).unwrap(),
            std::fs::read(repo().join("templates").join(n)).unwrap(),
            "{n}"
        );
    }
    // The exported templates override the built-in ones: an edit reaches the manuscript.
    let review = dir.join("review.typ.j2");
    let text = std::fs::read_to_string(&review).unwrap();
    std::fs::write(&review, format!("{text}\nAn overridden template.\n")).unwrap();
    let o = metareport(&["build", "-q"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let typ = std::fs::read_to_string(tmp.path().join("out/example/manuscript.typ")).unwrap();
    assert!(typ.contains("An overridden template."));
    // A second export refuses, naming what exists, and leaves the edit alone.
    let o = metareport(&["templates", "export"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("already holds") && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert!(
        std::fs::read_to_string(&review)
            .unwrap()
            .contains("An overridden template.")
    );
    let o = metareport(&["templates", "export", "--force", "-q"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&review).unwrap(), text);
    // Into another directory, and never through a symbolic link.
    #[cfg(unix)]
    {
        let other = tmp.path().join("elsewhere");
        std::fs::create_dir(&other).unwrap();
        let outside = tmp.path().join("outside.txt");
        std::os::unix::fs::symlink(&outside, other.join("setup.typ.j2")).unwrap();
        let o = metareport(&["templates", "export", "elsewhere", "--force"], tmp.path());
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
        assert!(!outside.exists());
    }
}

#[test]
fn pool_names_its_flags_and_the_data_file_its_columns() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("d.csv"),
        "study,events_t,total_t,events_c,total_c\nA,3,50,ten,51\nB,6,40,3,20\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("e.csv"),
        "study,events_t,total_t,events_c,total_c\nA,3,50,1,51\nB,6,40,3,20\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("k.csv"), "study,x,y\nA,1,2\n").unwrap();
    let err = |args: &[&str]| {
        let o = metareport(&[&["pool", "--measure", "OR"], args].concat(), tmp.path());
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        stderr(&o)
    };
    // A cell of the data file: the file's column, not a flag (it said "--column `events-c`").
    assert_eq!(
        err(&["--data", "d.csv"]).trim_end(),
        "error: d.csv:2:4: column `events_c`: study \"A\": expected a number, found \"ten\""
    );
    let e = err(&["--data", "e.csv", "--column", "events_t=ev"]);
    assert!(
        e.contains("e.csv: --column events_t=…: `events_t` is mapped to column `ev`, which e.csv does not have"),
        "{e}"
    );
    let e = err(&["--data", "e.csv", "--exclude", "A", "--exclude", "B"]);
    assert!(
        e.contains("e.csv: --exclude: excluding all 2 studies leaves no study to pool"),
        "{e}"
    );
    let e = err(&["--data", "k.csv"]);
    assert!(
        e.contains("hint: map columns with --column NAME=COLUMN or set --input")
            && !e.contains("columns:"),
        "{e}"
    );
    let e = err(&["--data", "e.csv", "--level", "1.5"]);
    assert!(e.contains("e.csv: --level: "), "{e}");
    assert!(
        !e.contains("outcomes[") && !e.contains("outcome `pool`"),
        "{e}"
    );
}

/// Notes for the authors stay out of the manuscript: `build` prints them and writes them to
/// `notes.txt`; a build with nothing to do prints them again, and so does `check`.
#[test]
fn build_check_and_a_build_with_nothing_to_do_print_the_notes_kept_in_notes_txt() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("analyses")).unwrap();
    std::fs::write(
        tmp.path().join("analyses/z.yaml"),
        "title: Z\noutcomes:\n  - id: m\n    title: Deaths\n    measure: OR\n    rows:\n      - {study: A 2001, events_t: 0, total_t: 50, events_c: 4, total_c: 51}\n      - {study: B 2002, events_t: 7, total_t: 80, events_c: 12, total_c: 77}\n      - {study: C 2003, events_t: 0, total_t: 30, events_c: 0, total_c: 31}\n",
    )
    .unwrap();
    let note = "note: analyses/z.yaml: outcome `m`: a continuity correction of 0.5 was added to the cells of A 2001";
    let o = metareport(&["build"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains(note), "{}", stderr(&o));
    let notes = std::fs::read_to_string(tmp.path().join("out/z/notes.txt")).unwrap();
    assert!(notes.contains(&note["note: ".len()..]), "{notes}");
    assert!(notes.contains("C 2003 was excluded"), "{notes}");
    let o = metareport(&["build"], tmp.path());
    assert!(
        stderr(&o).contains("up to date") && stderr(&o).contains(note),
        "{}",
        stderr(&o)
    );
    let o = metareport(&["check"], tmp.path());
    assert!(
        o.status.success() && stderr(&o).contains(note),
        "{}",
        stderr(&o)
    );
    // The manuscript says what a reader must know, in its methods, and nothing else of it.
    let typ = std::fs::read_to_string(tmp.path().join("out/z/manuscript.typ")).unwrap();
    assert!(!typ.contains("Caveats"), "{typ}");
    assert!(typ.contains("continuity correction of 0.5 was added to every cell of the study with a zero cell (A 2001)"), "{typ}");
}
