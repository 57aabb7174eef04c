//! Helpers shared by the integration tests: fixture projects in temporary directories.

use std::path::{Path, PathBuf};

use metareport::build::{BuildOptions, Summary, build};
use metareport::project::Failure;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A temporary project holding the named specs of the default project and all its data.
pub fn project(specs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("analyses/data"),
        &dir.path().join("analyses/data"),
    );
    for s in specs {
        std::fs::copy(
            repo().join("analyses").join(format!("{s}.yaml")),
            dir.path().join("analyses").join(format!("{s}.yaml")),
        )
        .unwrap();
    }
    dir
}

/// Builds quietly.
pub fn build_quiet(dir: &Path) -> Result<Summary, Failure> {
    build(
        dir,
        &BuildOptions {
            force: false,
            check: false,
            jobs: 2,
            quiet: true,
        },
    )
}

/// The paths built, sorted.
pub fn built(dir: &Path) -> Vec<String> {
    let mut b = build_quiet(dir)
        .unwrap_or_else(|f| panic!("build failed: {f}"))
        .built;
    b.sort();
    b
}

/// Whether `update` snapshots were requested (METAREPORT_UPDATE_SNAPSHOTS=1).
pub fn updating() -> bool {
    std::env::var("METAREPORT_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1")
}

/// The outcome `id` of a results.json.
pub fn outcome<'a>(results: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    results["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("results.json has no outcome {id}"))
}
