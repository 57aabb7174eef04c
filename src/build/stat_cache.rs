//! What each output's file looked like — size, inode, modification and change times — when its
//! content was last known to be the bytes the manifest records (`out/.metareport/stat-cache`).
//! A build compares these instead of reading and hashing every output to find it unchanged,
//! as git's index does: with nothing to do, the default project's build read ~10 MB and
//! hashed it, half of its time.
//!
//! A file whose signature differs (or that has none) is read and hashed as before, so an edit
//! is always found unless it keeps the size, the inode and both times to the nanosecond. The
//! change time cannot be set by `touch`; it can only repeat when the edit falls in the same
//! clock tick as the recording, so a file changed less than [`RACY_MS`] before it is recorded
//! is not recorded (it is hashed next time, git's "racily clean" rule). The file is untrusted
//! input like the manifest: a line that does not parse is skipped, and an entry only ever
//! vouches for the blake3 the manifest itself records.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::manifest::Manifest;
use super::outdir;
use super::plan::Target;

/// A file changed this recently (milliseconds) is not recorded: the file system's clock
/// ticks at most every few milliseconds (a jiffy), so a later edit within the tick could
/// leave the same times.
pub const RACY_MS: u64 = 100;

/// The cache file, relative to the project.
fn rel() -> String {
    format!("{}/stat-cache", outdir::STATE)
}

/// A file's signature: length, inode, modification and change times in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sig {
    len: u64,
    ino: u64,
    mtime: i128,
    ctime: i128,
}

impl Sig {
    /// The signature of the regular file at `path` (not following a link).
    fn of(path: &Path) -> Option<Sig> {
        let m = std::fs::symlink_metadata(path)
            .ok()
            .filter(|m| m.is_file())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Sig {
                len: m.len(),
                ino: m.ino(),
                mtime: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
                ctime: i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
            })
        }
        #[cfg(not(unix))]
        {
            let ns = |t: std::io::Result<SystemTime>| -> Option<i128> {
                Some(t.ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos() as i128)
            };
            let mtime = ns(m.modified())?;
            Some(Sig {
                len: m.len(),
                ino: 0,
                mtime,
                ctime: ns(m.created()).unwrap_or(mtime),
            })
        }
    }

    /// Whether the file changed too recently to be recorded (or its times lie ahead).
    fn racy(&self, now: SystemTime) -> bool {
        let now = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_nanos() as i128;
        let limit = now - i128::from(RACY_MS) * 1_000_000;
        self.mtime >= limit || self.ctime >= limit
    }
}

/// The recorded signatures, by output path.
#[derive(Debug, Default)]
pub struct StatCache {
    entries: BTreeMap<String, (Sig, String)>,
    changed: bool,
}

/// The cache holds one line per output; a larger file is not read.
const MAX_BYTES: usize = 16 * 1024 * 1024;

impl StatCache {
    /// Reads the cache; a missing, oversized or unreadable one is empty.
    pub fn read(root: &Path) -> StatCache {
        let mut cache = StatCache::default();
        let Some(bytes) = outdir::read(root, &rel(), MAX_BYTES as u64) else {
            return cache;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            return cache;
        };
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            let [path, len, ino, mtime, ctime, blake3] = f[..] else {
                continue;
            };
            let (Ok(len), Ok(ino), Ok(mtime), Ok(ctime)) =
                (len.parse(), ino.parse(), mtime.parse(), ctime.parse())
            else {
                continue;
            };
            if !outdir::plain_output_path(path) {
                continue;
            }
            cache.entries.insert(
                path.to_string(),
                (
                    Sig {
                        len,
                        ino,
                        mtime,
                        ctime,
                    },
                    blake3.to_string(),
                ),
            );
        }
        cache
    }

    /// Whether `t` is up to date by the manifest without reading its file: recorded with
    /// `t`'s key, reached without links, and its file's signature is the one recorded for the
    /// blake3 the manifest holds.
    pub fn fresh(&self, manifest: &Manifest, root: &Path, t: &Target) -> bool {
        let Some(e) = manifest.outputs.get(&t.path) else {
            return false;
        };
        let Some((sig, blake3)) = self.entries.get(&t.path) else {
            return false;
        };
        e.key == t.key
            && *blake3 == e.blake3
            && outdir::check_no_links(root, &t.path).is_ok()
            && Sig::of(&root.join(&t.path)) == Some(*sig)
    }

    /// Records that the file at `path` now holds the bytes whose hash is `blake3` (just
    /// written, or read and hashed), unless it changed too recently to be told apart.
    pub fn note(&mut self, root: &Path, path: &str, blake3: &str) {
        if !outdir::plain_output_path(path) || outdir::check_no_links(root, path).is_err() {
            return;
        }
        let Some(sig) = Sig::of(&root.join(path)).filter(|s| !s.racy(SystemTime::now())) else {
            if self.entries.remove(path).is_some() {
                self.changed = true;
            }
            return;
        };
        let value = (sig, blake3.to_string());
        if self.entries.get(path) != Some(&value) {
            self.entries.insert(path.to_string(), value);
            self.changed = true;
        }
    }

    /// Removes the cache file (`metareport clean`), never through a link.
    pub fn remove(root: &Path) {
        if outdir::check_out_dir(root).is_ok() && outdir::check_no_links(root, &rel()).is_ok() {
            let _ = std::fs::remove_file(root.join(rel()));
        }
    }

    /// Writes the cache when it changed, keeping only the outputs of `manifest`.
    pub fn write(mut self, root: &Path, manifest: &Manifest) -> Result<(), String> {
        let before = self.entries.len();
        self.entries
            .retain(|p, (_, b)| manifest.outputs.get(p).is_some_and(|e| e.blake3 == *b));
        if !self.changed && self.entries.len() == before {
            return Ok(());
        }
        let mut text = String::new();
        for (path, (s, blake3)) in &self.entries {
            text.push_str(&format!(
                "{path}\t{}\t{}\t{}\t{}\t{blake3}\n",
                s.len, s.ino, s.mtime, s.ctime
            ));
        }
        outdir::write(root, &rel(), text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recent_change_is_racy() {
        let now = SystemTime::now();
        let ns = now.duration_since(UNIX_EPOCH).unwrap().as_nanos() as i128;
        let sig = |t: i128| Sig {
            len: 1,
            ino: 1,
            mtime: t,
            ctime: t,
        };
        assert!(sig(ns).racy(now));
        assert!(sig(ns + 5_000_000_000).racy(now));
        assert!(!sig(ns - 1_000_000_000).racy(now));
    }
}
