//! Make-style rebuilds, stated as rules (after `just`'s cache tests): unchanged inputs rebuild
//! nothing; a data byte rebuilds only that outcome's outputs and the manuscript; a template
//! change rebuilds only the manuscripts; a deleted output is rebuilt; an output edited by hand
//! is neither overwritten nor removed until `--force`; a different metareport rebuilds
//! everything; a failed build leaves earlier outputs intact.

use metareport::build::{BuildOptions, build};
use metareport::project::Failure;

use super::common::{build_quiet, built, project};

/// A review with two outcomes on different data files.
const TWO_OUTCOMES: &str = "title: Two outcomes
outcomes:
  - id: tb
    title: Tuberculosis
    data: data/bcg.csv
    measure: RR
  - id: mortality
    title: Mortality
    data: data/magnesium.csv
    label: \"{study} {year}\"
    measure: OR
    small_study:
      egger: true
";

fn two_outcome_project() -> tempfile::TempDir {
    let dir = project(&[]);
    std::fs::write(dir.path().join("analyses/two.yaml"), TWO_OUTCOMES).unwrap();
    dir
}

#[test]
fn unchanged_inputs_rebuild_nothing() {
    let dir = two_outcome_project();
    assert!(!built(dir.path()).is_empty());
    assert_eq!(built(dir.path()), Vec::<String>::new());
}

#[test]
fn one_data_byte_rebuilds_only_that_outcome_and_the_manuscript() {
    let dir = two_outcome_project();
    built(dir.path());
    let csv = dir.path().join("analyses/data/bcg.csv");
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replacen("4,123,11,139", "5,123,11,139", 1);
    std::fs::write(&csv, text).unwrap();
    let mut s = build_quiet(dir.path()).unwrap();
    s.built.sort();
    assert_eq!(
        s.built,
        [
            "out/report.docx",
            "out/report.pdf",
            "out/report.typ",
            "out/two/figures/forest-tb.png",
            "out/two/figures/forest-tb.svg",
            "out/two/manuscript.docx",
            "out/two/manuscript.pdf",
            "out/two/manuscript.typ",
            "out/two/results.json",
        ]
    );
    // The notes depend on the whole spec and its data; they come out the same and are not
    // written (`build/reuse.rs`).
    assert_eq!(s.unchanged, ["out/two/notes.txt"]);
}

#[test]
fn a_template_change_rebuilds_only_the_manuscripts() {
    let dir = two_outcome_project();
    built(dir.path());
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    let methods = metareport::report::render::BUILTIN
        .iter()
        .find(|(n, _)| *n == "methods.typ.j2")
        .unwrap()
        .1;
    std::fs::write(
        dir.path().join("templates/methods.typ.j2"),
        format!("{methods}\nAll analyses were prespecified.\n"),
    )
    .unwrap();
    assert_eq!(
        built(dir.path()),
        [
            "out/report.docx",
            "out/report.pdf",
            "out/report.typ",
            "out/two/manuscript.docx",
            "out/two/manuscript.pdf",
            "out/two/manuscript.typ"
        ]
    );
    let typ = std::fs::read_to_string(dir.path().join("out/two/manuscript.typ")).unwrap();
    assert!(typ.contains("All analyses were prespecified."));
}

fn forced(dir: &std::path::Path) -> Vec<String> {
    let mut b = build(
        dir,
        &BuildOptions {
            force: true,
            check: false,
            jobs: 2,
            quiet: true,
        },
    )
    .unwrap()
    .built;
    b.sort();
    b
}

#[test]
fn a_deleted_output_is_rebuilt() {
    let dir = two_outcome_project();
    built(dir.path());
    std::fs::remove_file(dir.path().join("out/two/figures/forest-mortality.svg")).unwrap();
    assert_eq!(built(dir.path()), ["out/two/figures/forest-mortality.svg"]);
}

#[test]
fn an_edited_output_is_never_overwritten_silently() {
    let dir = two_outcome_project();
    built(dir.path());
    let typ = dir.path().join("out/two/manuscript.typ");
    let original = std::fs::read_to_string(&typ).unwrap();
    let edited = original.replace("Two outcomes", "Two outcomes, edited by hand");
    std::fs::write(&typ, &edited).unwrap();
    // Nothing else changed, and also when the spec changes (every output is stale): the build
    // stops before writing anything, names the file and the ways to keep the change.
    for spec_changed in [false, true] {
        if spec_changed {
            std::fs::write(
                dir.path().join("analyses/two.yaml"),
                TWO_OUTCOMES.replace("title: Mortality", "title: Death"),
            )
            .unwrap();
        }
        let before = std::fs::read(dir.path().join("out/two/results.json")).unwrap();
        let f = build_quiet(dir.path()).unwrap_err();
        assert_eq!(f.exit_code(), 1);
        let msg = f.to_string();
        assert!(
            msg.contains("out/two/manuscript.typ: this output was changed since metareport wrote it; the build would overwrite it")
                && msg.contains("templates export")
                && msg.contains("--force"),
            "{msg}"
        );
        assert_eq!(std::fs::read_to_string(&typ).unwrap(), edited);
        assert_eq!(
            std::fs::read(dir.path().join("out/two/results.json")).unwrap(),
            before,
            "nothing is written"
        );
    }
    // --force discards the edit.
    assert!(forced(dir.path()).contains(&"out/two/manuscript.typ".to_string()));
    assert!(
        !std::fs::read_to_string(&typ)
            .unwrap()
            .contains("edited by hand")
    );
    assert!(built(dir.path()).is_empty());
}

#[test]
fn an_edited_output_that_is_no_longer_made_is_not_removed_silently() {
    let dir = two_outcome_project();
    built(dir.path());
    let funnel = dir.path().join("out/two/figures/funnel-mortality.svg");
    std::fs::write(&funnel, "<svg><!-- annotated by hand --></svg>").unwrap();
    std::fs::write(
        dir.path().join("analyses/two.yaml"),
        TWO_OUTCOMES.replace("    small_study:\n      egger: true\n", ""),
    )
    .unwrap();
    let msg = build_quiet(dir.path()).unwrap_err().to_string();
    assert!(
        msg.contains("out/two/figures/funnel-mortality.svg: this output was changed since metareport wrote it; the build would remove it"),
        "{msg}"
    );
    assert!(funnel.exists());
    forced(dir.path());
    assert!(!funnel.exists());
}

#[test]
fn a_different_metareport_rebuilds_everything() {
    let dir = two_outcome_project();
    let first = built(dir.path());
    let manifest = dir.path().join("out/.metareport/manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let version = metareport::results::tool_id();
    std::fs::write(&manifest, text.replace(&version, "0.0.1+0000000000000000")).unwrap();
    assert_eq!(built(dir.path()), first);
}

#[test]
fn a_failed_build_leaves_earlier_outputs_intact() {
    let dir = two_outcome_project();
    built(dir.path());
    let before = std::fs::read(dir.path().join("out/two/results.json")).unwrap();
    let csv = dir.path().join("analyses/data/bcg.csv");
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replacen("4,123,11,139", "400,123,11,139", 1);
    std::fs::write(&csv, text).unwrap();
    let err = build_quiet(dir.path()).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert_eq!(
        err.to_string(),
        "error: analyses/data/bcg.csv:2:3: column `events_t`: study \"Aronson 1948\": 400 events is more than the 123 participants of the arm"
    );
    assert_eq!(
        std::fs::read(dir.path().join("out/two/results.json")).unwrap(),
        before
    );
}

#[test]
fn check_writes_nothing_and_fails_when_stale() {
    let dir = two_outcome_project();
    let check = |d: &std::path::Path| {
        build(
            d,
            &BuildOptions {
                force: false,
                check: true,
                jobs: 1,
                quiet: true,
            },
        )
    };
    match check(dir.path()) {
        Err(Failure::Stale(items)) => assert!(
            items
                .iter()
                .any(|i| i.starts_with("out/two/results.json (never built)"))
        ),
        other => panic!("expected stale outputs, got {other:?}"),
    }
    assert!(!dir.path().join("out/two").exists());
    built(dir.path());
    assert!(check(dir.path()).is_ok());
}

#[test]
fn force_rebuilds_everything_with_identical_bytes() {
    let dir = two_outcome_project();
    let first = built(dir.path());
    let snapshot: Vec<Vec<u8>> = first
        .iter()
        .map(|p| std::fs::read(dir.path().join(p)).unwrap())
        .collect();
    let again = build(
        dir.path(),
        &BuildOptions {
            force: true,
            check: false,
            jobs: 2,
            quiet: true,
        },
    )
    .unwrap();
    assert_eq!(again.built.len(), first.len());
    for (p, bytes) in first.iter().zip(&snapshot) {
        assert_eq!(
            &std::fs::read(dir.path().join(p)).unwrap(),
            bytes,
            "{p} changed between identical builds"
        );
    }
}

#[test]
fn two_builds_at_once_both_succeed_and_agree() {
    let dir = two_outcome_project();
    let path = dir.path().to_path_buf();
    let a = std::thread::spawn({
        let p = path.clone();
        move || build_quiet(&p).map(|s| s.built.len())
    });
    let b = std::thread::spawn(move || build_quiet(&path).map(|s| s.built.len()));
    let (a, b) = (a.join().unwrap().unwrap(), b.join().unwrap().unwrap());
    // One build did the work; the other waited for the lock and found it done.
    assert!(a == 0 || b == 0, "{a} and {b} outputs built");
    assert_eq!(built(dir.path()), Vec::<String>::new());
}

#[test]
fn a_removed_figure_is_deleted_from_out() {
    let dir = two_outcome_project();
    built(dir.path());
    let spec = dir.path().join("analyses/two.yaml");
    std::fs::write(
        &spec,
        TWO_OUTCOMES.replace("    small_study:\n      egger: true\n", ""),
    )
    .unwrap();
    let s = build_quiet(dir.path()).unwrap();
    assert!(
        s.removed
            .contains(&"out/two/figures/funnel-mortality.svg".to_string()),
        "{:?}",
        s.removed
    );
    assert!(
        !dir.path()
            .join("out/two/figures/funnel-mortality.svg")
            .exists()
    );
}

#[test]
fn a_comment_only_edit_of_a_spec_rebuilds_nothing() {
    // Issue 17: outputs depend on what the spec says (its resolved content), not on its bytes.
    let dir = two_outcome_project();
    built(dir.path());
    let spec = dir.path().join("analyses/two.yaml");
    let before = std::fs::read_to_string(dir.path().join("out/two/results.json")).unwrap();
    let edited = format!(
        "# A comment at the top\n{}\n\n# and one at the end, after a blank line\n",
        TWO_OUTCOMES.replace(
            "    measure: RR\n",
            "    measure: RR   # the risk ratio\n\n"
        )
    );
    std::fs::write(&spec, edited).unwrap();
    assert_eq!(built(dir.path()), Vec::<String>::new());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/two/results.json")).unwrap(),
        before
    );
    // A change of what the spec says still rebuilds, and the spec's printed hash changes.
    std::fs::write(&spec, TWO_OUTCOMES.replace("measure: RR", "measure: OR")).unwrap();
    let rebuilt = built(dir.path());
    assert!(
        rebuilt.contains(&"out/two/results.json".to_string()),
        "{rebuilt:?}"
    );
    let after = std::fs::read_to_string(dir.path().join("out/two/results.json")).unwrap();
    let spec_hash = |r: &str| {
        let v: serde_json::Value = serde_json::from_str(r).unwrap();
        v["review"]["inputs"][0]["blake3"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_ne!(spec_hash(&before), spec_hash(&after));
    assert_eq!(spec_hash(&before).len(), 64);
}

/// A build with nothing to do trusts an output's recorded size, inode and times
/// (`build/stat_cache.rs`) instead of reading it; an edit keeping the size is still found.
#[test]
fn an_edit_keeping_the_size_is_found_by_a_build_that_trusts_file_signatures() {
    let dir = two_outcome_project();
    built(dir.path());
    // Past the racy window, a build with nothing to do records every output's signature.
    std::thread::sleep(std::time::Duration::from_millis(250));
    assert!(built(dir.path()).is_empty());
    assert!(dir.path().join("out/.metareport/stat-cache").is_file());
    let typ = dir.path().join("out/two/manuscript.typ");
    let original = std::fs::read_to_string(&typ).unwrap();
    let edited = original.replacen("Two outcomes", "Two OUTCOMES", 1);
    assert_ne!(edited, original);
    assert_eq!(edited.len(), original.len());
    std::fs::write(&typ, &edited).unwrap();
    let msg = build_quiet(dir.path()).unwrap_err().to_string();
    assert!(
        msg.contains("out/two/manuscript.typ: this output was changed"),
        "{msg}"
    );
}
