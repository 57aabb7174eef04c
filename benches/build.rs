//! Benchmarks of building the default project (analyses/): from nothing (every review,
//! figure, PNG and PDF), and with nothing to do (target: under 50 ms), in-process with
//! metareport already compiled.
//!
//! For comparison: R with metafor needs about 3 s per review for the same figures alone
//! (forest, funnel and leave-one-out plots; measured on this machine, see README).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use metareport::build::{BuildOptions, build};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("analyses"),
        &dir.path().join("analyses"),
    );
    dir
}

fn builds(c: &mut Criterion) {
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut group = c.benchmark_group("build_default_project");
    group.sample_size(10);
    let dir = project();
    group.bench_function("cold", |b| {
        b.iter(|| {
            let _ = std::fs::remove_dir_all(dir.path().join("out"));
            black_box(
                build(
                    dir.path(),
                    &BuildOptions {
                        force: false,
                        check: false,
                        jobs,
                        quiet: true,
                    },
                )
                .unwrap(),
            )
        })
    });
    build(
        dir.path(),
        &BuildOptions {
            force: false,
            check: false,
            jobs,
            quiet: true,
        },
    )
    .unwrap();
    group.bench_function("nothing_to_do", |b| {
        b.iter(|| {
            let s = build(
                dir.path(),
                &BuildOptions {
                    force: false,
                    check: false,
                    jobs,
                    quiet: true,
                },
            )
            .unwrap();
            assert!(s.built.is_empty());
            black_box(s)
        })
    });
    group.finish();
}

criterion_group!(benches, builds);
criterion_main!(benches);
