//! Nothing outside the project is read, written or deleted (issue 10, items 1–3, 7 and 11):
//! the manifest and `out/` are untrusted, every file metareport reads is a regular file inside
//! the project, and a failed build writes nothing at all.

use std::path::Path;

use metareport::build::{BuildOptions, build};
use metareport::project::Failure;

use super::common::{build_quiet, built, project};

/// A small project (the BCG review of the default project).
fn bcg() -> tempfile::TempDir {
    project(&["bcg"])
}

fn manifest_path(dir: &Path) -> std::path::PathBuf {
    dir.join("out/.metareport/manifest.json")
}

/// Adds entries to the manifest, as someone with commit access to `out/` could.
fn tamper(dir: &Path, paths: &[String]) {
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(manifest_path(dir)).unwrap()).unwrap();
    for p in paths {
        m["outputs"][p] = serde_json::json!({"key": "x", "blake3": "y"});
    }
    std::fs::write(manifest_path(dir), serde_json::to_vec(&m).unwrap()).unwrap();
}

fn error_of(dir: &Path) -> Failure {
    match build_quiet(dir) {
        Ok(s) => panic!("the build succeeded: {s:?}"),
        Err(f) => f,
    }
}

/// Files and directories under `dir`, as sorted relative paths.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            out.push(p.strip_prefix(base).unwrap().display().to_string());
            if e.file_type().unwrap().is_dir() {
                walk(base, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

// ---- item 1: the manifest and out/ ------------------------------------------------------

#[test]
fn a_canary_outside_the_project_survives_build_and_clean_with_a_tampered_manifest() {
    let outside = tempfile::tempdir().unwrap();
    let canary_dir = outside.path().join("canary");
    std::fs::create_dir(&canary_dir).unwrap();
    let canary = canary_dir.join("v2");
    std::fs::write(&canary, "keep me").unwrap();
    let dir = bcg();
    built(dir.path());
    // The project sits in its own temporary directory: reach the canary relatively and
    // absolutely, through `..` inside and outside out/, and as metareport's own state.
    let rel = pathdiff(dir.path(), &canary);
    let hostile = vec![
        canary.display().to_string(),
        rel.clone(),
        format!("out/../{rel}"),
        format!("out/x/../../{rel}"),
        "out/.metareport/manifest.json".to_string(),
        "analyses/bcg.yaml".to_string(),
        "out\\..\\analyses\\bcg.yaml".to_string(),
        "out//bcg".to_string(),
    ];
    tamper(dir.path(), &hostile);
    let s = build_quiet(dir.path()).unwrap();
    assert!(s.removed.is_empty(), "removed {:?}", s.removed);
    assert_eq!(s.warnings.len(), hostile.len(), "{:#?}", s.warnings);
    assert!(
        s.warnings[0].contains("is not a plain path under out/; it is ignored"),
        "{}",
        s.warnings[0]
    );
    assert_eq!(std::fs::read_to_string(&canary).unwrap(), "keep me");
    assert!(dir.path().join("analyses/bcg.yaml").is_file());
    // The ignored entries are not written back.
    let text = std::fs::read_to_string(manifest_path(dir.path())).unwrap();
    assert!(!text.contains("canary") && !text.contains(".."), "{text}");

    tamper(dir.path(), &hostile);
    metareport::cli::clean::run(dir.path(), true).unwrap();
    assert_eq!(std::fs::read_to_string(&canary).unwrap(), "keep me");
    assert!(canary_dir.is_dir(), "clean removed the canary's directory");
    assert!(dir.path().join("analyses/bcg.yaml").is_file());
    assert!(!dir.path().join("out").exists(), "{:?}", tree(dir.path()));
}

/// `to` relative to `from` (both absolute), with `..` as needed.
fn pathdiff(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_under_out_is_refused_and_nothing_is_written_through_it() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let dir = bcg();
    built(dir.path());
    // out/bcg → a directory outside: refused, nothing written there.
    std::fs::remove_dir_all(dir.path().join("out/bcg")).unwrap();
    symlink(outside.path(), dir.path().join("out/bcg")).unwrap();
    let f = error_of(dir.path());
    assert_eq!(f.exit_code(), 2, "a problem with out/, not with the inputs");
    assert_eq!(
        f.to_string(),
        "error: out/bcg: this is a symbolic link; metareport never writes, reads or removes anything through a link under out/: remove it (the next build makes a real directory)"
    );
    assert!(
        tree(outside.path()).is_empty(),
        "{:?}",
        tree(outside.path())
    );
    // `clean` does not follow it either.
    metareport::cli::clean::run(dir.path(), true).unwrap();
    assert!(tree(outside.path()).is_empty());
    assert!(dir.path().join("out/bcg").is_symlink());
    std::fs::remove_file(dir.path().join("out/bcg")).unwrap();

    // A file output that is a link to a file outside: that file is neither read nor replaced.
    built(dir.path());
    let secret = outside.path().join("secret.json");
    std::fs::write(&secret, "secret").unwrap();
    let results = dir.path().join("out/bcg/results.json");
    std::fs::remove_file(&results).unwrap();
    symlink(&secret, &results).unwrap();
    let f = error_of(dir.path());
    assert!(
        f.to_string()
            .starts_with("error: out/bcg/results.json: this is a symbolic link;"),
        "{f}"
    );
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "secret");
    std::fs::remove_file(&results).unwrap();

    // out/ itself a link.
    let out = dir.path().join("out");
    std::fs::remove_dir_all(&out).unwrap();
    symlink(outside.path(), &out).unwrap();
    let f = error_of(dir.path());
    assert!(
        f.to_string()
            .starts_with("error: out: this is a symbolic link;"),
        "{f}"
    );
    assert!(
        metareport::cli::clean::run(dir.path(), true).is_err(),
        "clean refuses too"
    );
    assert_eq!(tree(outside.path()), vec!["secret.json"]);
}

// ---- item 11: nothing written when anything fails ---------------------------------------

#[test]
fn a_failed_build_of_a_new_project_writes_nothing_not_even_a_lock() {
    let dir = bcg();
    let csv = dir.path().join("analyses/data/bcg.csv");
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replacen("4,123,11,139", "400,123,11,139", 1);
    std::fs::write(&csv, text).unwrap();
    assert_eq!(error_of(dir.path()).exit_code(), 1);
    assert!(
        !dir.path().join("out").exists(),
        "{:?}",
        tree(&dir.path().join("out"))
    );
}

#[test]
fn a_typst_failure_writes_nothing_and_names_the_line_of_the_generated_source() {
    let dir = bcg();
    built(dir.path());
    // What an older metareport left behind: removed by the next successful build.
    std::fs::create_dir_all(dir.path().join("out/.metareport/failed")).unwrap();
    std::fs::write(dir.path().join("out/.metareport/failed/bcg.typ"), "x").unwrap();
    std::fs::write(dir.path().join("out/.metareport/lock"), "").unwrap();
    let before = tree(dir.path());
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/methods.typ.j2"),
        "== Methods\n#text(size: [unclosed\n",
    )
    .unwrap();
    let f = error_of(dir.path());
    assert_eq!(f.exit_code(), 1);
    let msg = f.to_string();
    assert!(
        msg.starts_with("error: analyses/bcg.yaml: the generated typst (out/bcg/manuscript.typ, not written) does not compile: line "),
        "{msg}"
    );
    assert!(msg.contains("(near `#text(size: [unclosed`)"), "{msg}");
    let mut after = tree(dir.path());
    after.retain(|p| !p.starts_with("templates"));
    assert_eq!(after, before, "the failed build wrote or removed something");
    std::fs::remove_dir_all(dir.path().join("templates")).unwrap();
    built(dir.path());
    assert!(!dir.path().join("out/.metareport/failed").exists());
    assert!(!dir.path().join("out/.metareport/lock").exists());
}

#[test]
fn temporaries_left_by_a_killed_build_are_removed_by_the_next_build_and_by_clean() {
    let dir = bcg();
    built(dir.path());
    let stale = [
        "out/bcg/.results.json.tmp-999999",
        "out/bcg/figures/.forest-tuberculosis.svg.tmp-12",
        "out/.report.pdf.tmp-4",
    ];
    let keep = "out/bcg/.notes.tmp-x";
    for t in stale.iter().chain([&keep]) {
        std::fs::write(dir.path().join(t), "partial").unwrap();
    }
    assert_eq!(built(dir.path()), Vec::<String>::new());
    for t in stale {
        assert!(!dir.path().join(t).exists(), "{t} was left");
    }
    assert!(
        dir.path().join(keep).exists(),
        "not a temporary of metareport"
    );
    for t in stale {
        std::fs::write(dir.path().join(t), "partial").unwrap();
    }
    std::fs::remove_file(dir.path().join(keep)).unwrap();
    metareport::cli::clean::run(dir.path(), true).unwrap();
    assert!(!dir.path().join("out").exists(), "{:?}", tree(dir.path()));
}

#[test]
fn build_check_reads_no_output_through_a_link() {
    let dir = bcg();
    built(dir.path());
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        let results = dir.path().join("out/bcg/results.json");
        std::fs::copy(&results, outside.path().join("r.json")).unwrap();
        std::fs::remove_file(&results).unwrap();
        std::os::unix::fs::symlink(outside.path().join("r.json"), &results).unwrap();
        // Identical bytes behind the link: still stale, because the link is not read.
        match build(
            dir.path(),
            &BuildOptions {
                force: false,
                check: true,
                jobs: 1,
                quiet: true,
            },
        ) {
            Err(Failure::Stale(items)) => assert_eq!(
                items,
                vec!["out/bcg/results.json (its path is a symbolic link or not a regular file)"]
            ),
            other => panic!("{other:?}"),
        }
    }
}

// ---- items 2, 3 and 7: every file read is a regular file inside the project ---------------

/// A file outside the project whose text must never reach a message or an output.
fn secret_outside() -> (tempfile::TempDir, std::path::PathBuf) {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(
        &secret,
        "TOPSECRET-7f3a line one\nTOPSECRET-7f3a line two\n",
    )
    .unwrap();
    (outside, secret)
}

/// Runs `build` on another thread and gives up after `secs` seconds (a build blocked on a
/// pipe must fail the test, not hang it).
fn build_within(dir: &Path, secs: u64) -> Result<metareport::build::Summary, Failure> {
    let (tx, rx) = std::sync::mpsc::channel();
    let d = dir.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(build_quiet(&d));
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs))
        .expect("the build did not finish: it is blocked")
}

#[cfg(unix)]
#[test]
fn template_overrides_are_read_only_from_inside_the_project() {
    use std::os::unix::fs::symlink;
    let (outside, secret) = secret_outside();
    let dir = bcg();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let cases: [(&str, &Path, &str); 2] = [
        (
            "methods.typ.j2",
            &secret,
            "error: templates/methods.typ.j2: this file resolves outside the project directory (through a symbolic link); templates must be inside it",
        ),
        (
            "references.yml",
            &secret,
            "error: templates/references.yml: this file resolves outside the project directory (through a symbolic link); bibliographies must be inside it",
        ),
    ];
    for (name, target, want) in cases {
        symlink(target, templates.join(name)).unwrap();
        let f = error_of(dir.path());
        assert_eq!(f.exit_code(), 1);
        assert_eq!(f.to_string(), want);
        std::fs::remove_file(templates.join(name)).unwrap();
    }
    // templates/ itself a link to a directory outside.
    std::fs::remove_dir(&templates).unwrap();
    std::fs::copy(&secret, outside.path().join("methods.typ.j2")).unwrap();
    symlink(outside.path(), &templates).unwrap();
    let f = error_of(dir.path()).to_string();
    assert!(!f.contains("TOPSECRET"), "{f}");
    assert!(
        f.starts_with("error: templates/methods.typ.j2: this file resolves outside"),
        "{f}"
    );
    std::fs::remove_file(&templates).unwrap();
    assert!(!dir.path().join("out").exists());
    // A link that stays inside the project is followed.
    std::fs::create_dir_all(dir.path().join("shared")).unwrap();
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        dir.path().join("shared/methods.typ.j2"),
        "== Methods\nShared methods text.\n",
    )
    .unwrap();
    symlink("../shared/methods.typ.j2", templates.join("methods.typ.j2")).unwrap();
    built(dir.path());
    let typ = std::fs::read_to_string(dir.path().join("out/bcg/manuscript.typ")).unwrap();
    assert!(typ.contains("Shared methods text."));
}

#[cfg(unix)]
#[test]
fn specs_are_read_only_from_inside_the_project() {
    use std::os::unix::fs::symlink;
    let (outside, secret) = secret_outside();
    let dir = bcg();
    symlink(&secret, dir.path().join("analyses/zz.yaml")).unwrap();
    let f = error_of(dir.path());
    assert_eq!(f.exit_code(), 1);
    assert_eq!(
        f.to_string(),
        "error: analyses/zz.yaml: this file resolves outside the project directory (through a symbolic link); specs must be inside it"
    );
    // A valid spec outside the project is not built either.
    std::fs::remove_file(dir.path().join("analyses/zz.yaml")).unwrap();
    std::fs::write(
        outside.path().join("zz.yaml"),
        std::fs::read_to_string(dir.path().join("analyses/bcg.yaml")).unwrap(),
    )
    .unwrap();
    symlink(
        outside.path().join("zz.yaml"),
        dir.path().join("analyses/zz.yaml"),
    )
    .unwrap();
    assert!(
        error_of(dir.path())
            .to_string()
            .contains("specs must be inside it")
    );
    assert!(!dir.path().join("out").exists());
    // A loop of links.
    std::fs::remove_file(dir.path().join("analyses/zz.yaml")).unwrap();
    symlink("zz.yaml", dir.path().join("analyses/zz.yaml")).unwrap();
    assert_eq!(
        error_of(dir.path()).to_string(),
        "error: analyses/zz.yaml: this file is a loop of symbolic links; specs must be regular files"
    );
}

#[test]
fn a_value_quoted_in_a_message_is_a_short_excerpt() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    let long = "root:x:0:0:root:/root:/bin/bash ".repeat(200);
    std::fs::write(dir.path().join("analyses/r.yaml"), &long).unwrap();
    let e = error_of(dir.path()).to_string();
    assert_eq!(
        e,
        "error: analyses/r.yaml:1:1: expected a mapping (key: value), found text \"root:x:0:0:root:/root:/bin/bash root:x:0:0:root:/root:/bin/b…\""
    );
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap();
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn a_named_pipe_as_a_data_file_or_spec_is_refused_not_waited_on() {
    let dir = bcg();
    let csv = dir.path().join("analyses/data/bcg.csv");
    std::fs::remove_file(&csv).unwrap();
    mkfifo(&csv);
    let f = build_within(dir.path(), 30).unwrap_err();
    assert_eq!(f.exit_code(), 1);
    assert_eq!(
        f.to_string(),
        "error: analyses/bcg.yaml:13:11: outcomes[0].data: `analyses/data/bcg.csv` is a named pipe (FIFO); only regular files are read"
    );
    std::fs::remove_file(&csv).unwrap();
    std::fs::copy(super::common::repo().join("analyses/data/bcg.csv"), &csv).unwrap();
    mkfifo(&dir.path().join("analyses/pipe.yaml"));
    assert_eq!(
        build_within(dir.path(), 30).unwrap_err().to_string(),
        "error: analyses/pipe.yaml: this file is a named pipe (FIFO); only regular files are read"
    );
    // A data path naming a directory.
    std::fs::remove_file(dir.path().join("analyses/pipe.yaml")).unwrap();
    std::fs::create_dir(dir.path().join("analyses/data/dir.csv")).unwrap();
    let spec = dir.path().join("analyses/bcg.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, text.replace("data/bcg.csv", "data/dir.csv")).unwrap();
    assert_eq!(
        build_within(dir.path(), 30).unwrap_err().to_string(),
        "error: analyses/bcg.yaml:13:11: outcomes[0].data: `analyses/data/dir.csv` is a directory, not a data file"
    );
}

#[cfg(unix)]
#[test]
fn watch_is_not_trapped_by_pipes_or_loops_of_links() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(["init", "."])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    let a = tmp.path().join("analyses");
    mkfifo(&a.join("pipe"));
    mkfifo(&a.join("data/pipe.csv"));
    // Each of these links doubles a naive walk at every level.
    for l in ["l1", "l2", "l3", "l4"] {
        symlink(".", a.join(l)).unwrap();
    }
    symlink("b", a.join("a")).unwrap();
    symlink("a", a.join("b")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(["watch", "--builds", "1", "-q"])
        .current_dir(tmp.path())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success());
            break;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("watch is stuck");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(tmp.path().join("out/example/results.json").is_file());
}
