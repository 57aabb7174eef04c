//! `metareport watch [DIR]`: rebuild whenever a spec, data file or template changes.
//!
//! Polls the project every 300 ms by content (BLAKE3 of every regular file under analyses/ and
//! templates/; links are not followed into directories and pipes are never opened), waits
//! until the files have been quiet for 300 ms (debounce), then builds. Errors are printed and
//! watching goes on.

use std::path::Path;
use std::time::Duration;

use crate::build::{BuildOptions, build};
use crate::project::Failure;

/// How deep the walk goes, and how many entries it looks at, before it stops.
const MAX_DEPTH: usize = 16;
const MAX_ENTRIES: usize = 100_000;

/// A fingerprint of everything a build reads under analyses/ and templates/: the names and
/// contents of regular files. Links are not followed into directories (a loop of links cannot
/// trap the walk) and a link to a file is fingerprinted by its target path and, when that is a
/// regular file inside the project, its contents; pipes, devices and sockets are never opened
/// (a pipe would block the watch); files larger than the data limit are fingerprinted by size.
fn fingerprint(dir: &Path) -> String {
    use crate::spec::resolve::files::MAX_SPEC_BYTES;
    fn hash_file(p: &Path, root: &Path, h: &mut blake3::Hasher) {
        let Ok(meta) = std::fs::metadata(p) else {
            return;
        };
        let limit = (crate::data::table::MAX_DATA_BYTES as u64).max(MAX_SPEC_BYTES);
        let inside = p
            .canonicalize()
            .is_ok_and(|c| root.canonicalize().is_ok_and(|r| c.starts_with(r)));
        if !meta.is_file() || !inside {
            return;
        }
        if meta.len() > limit {
            h.update(&meta.len().to_le_bytes());
        } else if let Ok(bytes) = std::fs::read(p) {
            h.update(blake3::hash(&bytes).as_bytes());
        }
    }
    fn walk(p: &Path, root: &Path, depth: usize, seen: &mut usize, h: &mut blake3::Hasher) {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut entries: Vec<_> = rd.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            *seen += 1;
            if *seen > MAX_ENTRIES {
                return;
            }
            let Ok(t) = e.file_type() else { continue };
            let path = e.path();
            h.update(path.to_string_lossy().as_bytes());
            if t.is_dir() {
                if depth < MAX_DEPTH {
                    walk(&path, root, depth + 1, seen, h);
                }
            } else if t.is_symlink() {
                if let Ok(target) = std::fs::read_link(&path) {
                    h.update(target.to_string_lossy().as_bytes());
                }
                hash_file(&path, root, h);
            } else if t.is_file() {
                hash_file(&path, root, h);
            }
        }
    }
    let mut h = blake3::Hasher::new();
    let mut seen = 0;
    walk(&dir.join("analyses"), dir, 0, &mut seen, &mut h);
    walk(&dir.join("templates"), dir, 0, &mut seen, &mut h);
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
