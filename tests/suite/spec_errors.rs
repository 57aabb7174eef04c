//! The corpus of bad specs and data files (`tests/fixtures/bad/*/`): each gives exactly the
//! error text in its `expected.txt`, a non-zero exit, and no `out/` at all. Plus the cases that
//! cannot live in the repository: a 50 MB file of garbage and a symbolic link out of the project.

use std::path::Path;

use metareport::build::{BuildOptions, build};
use metareport::project::Failure;

use super::common::{copy_dir, repo, updating};

/// Runs `build` on a project and returns the error text.
fn error_of(dir: &Path) -> String {
    match build(
        dir,
        &BuildOptions {
            force: false,
            check: false,
            jobs: 1,
            quiet: true,
        },
    ) {
        Ok(_) => panic!("{}: the build succeeded", dir.display()),
        Err(f) => {
            assert_eq!(
                f.exit_code(),
                if matches!(f, Failure::Io(_)) { 2 } else { 1 }
            );
            f.to_string()
        }
    }
}

#[test]
fn every_bad_input_in_the_corpus_gives_its_exact_error_and_writes_nothing() {
    let corpus = repo().join("tests/fixtures/bad");
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 19);
    let mut mismatches = Vec::new();
    for case in &cases {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&case.join("analyses"), &tmp.path().join("analyses"));
        let got = error_of(tmp.path());
        assert!(
            !tmp.path().join("out").exists(),
            "{}: something was written to out/",
            case.display()
        );
        let want_path = case.join("expected.txt");
        if updating() {
            std::fs::write(&want_path, format!("{got}\n")).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&want_path).unwrap_or_default();
        if want.trim_end() != got.trim_end() {
            mismatches.push(format!(
                "{}:\n--- expected\n{}\n--- got\n{}",
                case.file_name().unwrap().to_string_lossy(),
                want.trim_end(),
                got
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}

#[test]
fn a_seventy_megabyte_file_of_garbage_is_refused_without_reading_it() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("analyses/data")).unwrap();
    std::fs::write(tmp.path().join("analyses/review.yaml"), "title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/garbage.csv\n    measure: OR\n").unwrap();
    let mut state = 0x2545F4914F6CDD1Du64;
    let garbage: Vec<u8> = (0..5 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(tmp.path().join("analyses/data/garbage.csv"), &garbage).unwrap();
    // Made 70 MB long (the rest a hole in the file, never read).
    std::fs::OpenOptions::new()
        .write(true)
        .open(tmp.path().join("analyses/data/garbage.csv"))
        .unwrap()
        .set_len(70 * 1024 * 1024)
        .unwrap();
    assert_eq!(
        error_of(tmp.path()),
        "error: analyses/review.yaml:5:11: outcomes[0].data: `analyses/data/garbage.csv` is 73.4 MB; data files larger than 64 MB are not read"
    );
    // Under the size limit, garbage is refused as not being text.
    std::fs::write(
        tmp.path().join("analyses/data/garbage.csv"),
        &garbage[..5 * 1024 * 1024],
    )
    .unwrap();
    let e = error_of(tmp.path());
    assert!(
        e.starts_with(
            "error: analyses/data/garbage.csv:1:1: the file is not UTF-8 text (is it a CSV file?)"
        ) || e.contains("not UTF-8"),
        "{e}"
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_project_is_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.csv"),
        "study,events_t,total_t,events_c,total_c\nA,1,10,2,10\n",
    )
    .unwrap();
    std::fs::create_dir_all(tmp.path().join("analyses/data")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.csv"),
        tmp.path().join("analyses/data/link.csv"),
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("analyses/review.yaml"),
        "title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/link.csv\n    measure: OR\n",
    )
    .unwrap();
    assert_eq!(
        error_of(tmp.path()),
        "error: analyses/review.yaml:5:11: outcomes[0].data: `data/link.csv` resolves outside the project directory (through a symbolic link); data files must be inside it"
    );
}

#[test]
fn all_errors_of_all_specs_are_reported_in_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("analyses")).unwrap();
    std::fs::write(
        tmp.path().join("analyses/a.yaml"),
        "title: A\nprest: metafor\nmanuscrpt: {}\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("analyses/b.yaml"), "titel: B\n").unwrap();
    let e = error_of(tmp.path());
    assert_eq!(
        e.lines().filter(|l| l.starts_with("error: ")).count(),
        4,
        "{e}"
    );
    assert!(
        e.contains("analyses/a.yaml:2:1: prest: unknown key `prest`"),
        "{e}"
    );
    assert!(e.contains("did you mean `preset`?"), "{e}");
    assert!(
        e.contains("analyses/a.yaml:3:1: manuscrpt: unknown key `manuscrpt`"),
        "{e}"
    );
    assert!(
        e.contains("analyses/b.yaml:1:1: titel: unknown key `titel`"),
        "{e}"
    );
    assert!(
        e.contains("analyses/b.yaml:1:1: missing required key `title`"),
        "{e}"
    );
}
