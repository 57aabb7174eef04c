//! `metareport watch [DIR]`: rebuild whenever a spec, data file or template changes.
//!
//! Polls the project every 300 ms by content (BLAKE3 of every file under analyses/ and
//! templates/), waits until the files have been quiet for 300 ms (debounce), then builds.
//! Errors are printed and watching goes on.

use std::path::Path;
use std::time::Duration;

use crate::build::{BuildOptions, build};
use crate::project::Failure;

fn fingerprint(dir: &Path) -> String {
    fn walk(p: &Path, h: &mut blake3::Hasher) {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                walk(&e, h);
            } else if let Ok(bytes) = std::fs::read(&e) {
                h.update(e.to_string_lossy().as_bytes());
                h.update(blake3::hash(&bytes).as_bytes());
            }
        }
    }
    let mut h = blake3::Hasher::new();
    walk(&dir.join("analyses"), &mut h);
    walk(&dir.join("templates"), &mut h);
    h.finalize().to_hex().to_string()
}

pub fn run(
    dir: &Path,
    jobs: Option<usize>,
    quiet: bool,
    builds: Option<usize>,
) -> Result<(), Failure> {
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let opts = BuildOptions {
        force: false,
        check: false,
        jobs,
        quiet,
    };
    let mut done = 0;
    let mut last = String::new();
    loop {
        let now = fingerprint(dir);
        if now != last {
            // Debounce: wait until the files stop changing.
            let mut settled = now;
            loop {
                std::thread::sleep(Duration::from_millis(300));
                let again = fingerprint(dir);
                if again == settled {
                    break;
                }
                settled = again;
            }
            last = settled;
            match build(dir, &opts) {
                Ok(_) => {}
                Err(f) => eprintln!("{f}"),
            }
            done += 1;
            if builds.is_some_and(|n| done >= n) {
                return Ok(());
            }
            if !quiet {
                eprintln!("metareport: watching {} (Ctrl-C to stop)", dir.display());
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}
