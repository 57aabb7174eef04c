//! `metareport watch [DIR]`: rebuild whenever a spec, data file or template changes.
//!
//! Polls the project every 100 ms: every regular file under analyses/ and templates/ is looked
//! at by its metadata (length, inode, modification and change times), and read and hashed
//! (BLAKE3) only when that changed or was modified in the last 3 seconds — a project's files
//! are not read again on every poll, so polling often costs next to nothing. A change counts when a file's name or contents changed
//! (touching a file, or saving it unchanged, starts no build). Links are not followed into
//! directories and pipes are never opened. A build starts once the files have been quiet for
//! 100 ms (debounce). Errors are printed and watching goes on.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::build::{BuildOptions, build};
use crate::project::Failure;

/// How deep the walk goes, and how many entries it looks at, before it stops.
const MAX_DEPTH: usize = 16;
const MAX_ENTRIES: usize = 100_000;

/// How often the project is looked at, and how long it must be quiet before a build.
const POLL: Duration = Duration::from_millis(100);

/// How recent a file's modification time is for its metadata not to be trusted: coarser
/// than any common file system's time stamps (FAT's are 2 s).
const RACY: Duration = Duration::from_secs(3);

/// What a file's metadata says of it: when this is the same, its contents are taken to be.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Meta {
    len: u64,
    ino: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

fn meta_of(m: &std::fs::Metadata) -> Meta {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Meta {
            len: m.len(),
            ino: m.ino(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        }
    }
    #[cfg(not(unix))]
    {
        let t = |t: std::io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or((0, 0), |d| {
                    (d.as_secs() as i64, i64::from(d.subsec_nanos()))
                })
        };
        Meta {
            len: m.len(),
            ino: 0,
            mtime: t(m.modified()),
            ctime: t(m.created()),
        }
    }
}

/// The content hashes of the files seen, by path, with the metadata they were read with.
#[derive(Default)]
struct Seen(HashMap<PathBuf, (Meta, [u8; 32])>);

/// A fingerprint of everything a build reads under analyses/ and templates/: the names and
/// contents of regular files. Links are not followed into directories (a loop of links cannot
/// trap the walk) and a link to a file is fingerprinted by its target path and, when that is a
/// regular file inside the project, its contents; pipes, devices and sockets are never opened
/// (a pipe would block the watch); files larger than the data limit are fingerprinted by size.
/// A file whose metadata is as `seen` recorded is not read again.
fn fingerprint(dir: &Path, seen: &mut Seen) -> String {
    use crate::spec::resolve::files::MAX_SPEC_BYTES;
    struct Walk<'a> {
        root: PathBuf,
        seen: &'a mut Seen,
        now: Seen,
        entries: usize,
        h: blake3::Hasher,
    }
    impl Walk<'_> {
        fn hash_file(&mut self, p: &Path) {
            let Ok(meta) = std::fs::metadata(p) else {
                return;
            };
            let limit = (crate::data::table::MAX_DATA_BYTES as u64).max(MAX_SPEC_BYTES);
            let inside = p.canonicalize().is_ok_and(|c| c.starts_with(&self.root));
            if !meta.is_file() || !inside {
                return;
            }
            if meta.len() > limit {
                self.h.update(&meta.len().to_le_bytes());
                return;
            }
            let m = meta_of(&meta);
            // A file changed in the last seconds is read again all the same: a second edit
            // within the file system's time resolution can leave length and times alike
            // (git's "racily clean" entries).
            let settled = meta
                .modified()
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > RACY);
            let hash = match self.seen.0.get(p) {
                Some((old, hash)) if *old == m && settled => *hash,
                _ => match std::fs::read(p) {
                    Ok(bytes) => *blake3::hash(&bytes).as_bytes(),
                    Err(_) => return,
                },
            };
            self.now.0.insert(p.to_path_buf(), (m, hash));
            self.h.update(&hash);
        }
        fn walk(&mut self, p: &Path, depth: usize) {
            let Ok(rd) = std::fs::read_dir(p) else { return };
            let mut entries: Vec<_> = rd.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                self.entries += 1;
                if self.entries > MAX_ENTRIES {
                    return;
                }
                let Ok(t) = e.file_type() else { continue };
                let path = e.path();
                self.h.update(path.to_string_lossy().as_bytes());
                if t.is_dir() {
                    if depth < MAX_DEPTH {
                        self.walk(&path, depth + 1);
                    }
                } else if t.is_symlink() {
                    if let Ok(target) = std::fs::read_link(&path) {
                        self.h.update(target.to_string_lossy().as_bytes());
                    }
                    self.hash_file(&path);
                } else if t.is_file() {
                    self.hash_file(&path);
                }
            }
        }
    }
    let mut w = Walk {
        root: dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()),
        seen,
        now: Seen::default(),
        entries: 0,
        h: blake3::Hasher::new(),
    };
    w.walk(&dir.join("analyses"), 0);
    w.walk(&dir.join("templates"), 0);
    let Walk { now, h, .. } = w;
    *seen = now;
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
    let mut seen = Seen::default();
    loop {
        let now = fingerprint(dir, &mut seen);
        if now != last {
            // Debounce: wait until the files stop changing.
            let mut settled = now;
            loop {
                std::thread::sleep(POLL);
                let again = fingerprint(dir, &mut seen);
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
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_follows_contents_not_time_stamps() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("analyses")).unwrap();
        let spec = root.join("analyses/a.yaml");
        std::fs::write(&spec, "tau2: REML\n").unwrap();
        let mut seen = Seen::default();
        let first = fingerprint(root, &mut seen);
        assert_eq!(fingerprint(root, &mut seen), first, "nothing changed");
        // Saved again unchanged (new times, a new inode when written by rename).
        std::fs::write(root.join("analyses/.tmp"), "tau2: REML\n").unwrap();
        std::fs::rename(root.join("analyses/.tmp"), &spec).unwrap();
        assert_eq!(fingerprint(root, &mut seen), first, "saved unchanged");
        // The same length, at once (within any file system's time resolution).
        std::fs::write(&spec, "tau2: PMLE\n").unwrap();
        let second = fingerprint(root, &mut seen);
        assert_ne!(second, first, "an edit of the same length");
        std::fs::write(root.join("analyses/b.yaml"), "").unwrap();
        assert_ne!(fingerprint(root, &mut seen), second, "a new file");
    }
}
