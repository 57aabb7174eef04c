//! The `out/` directory as untrusted ground: it is committed to shared repositories, so its
//! manifest and its entries may have been written by someone else.
//!
//! - Only plain relative paths under `out/` are ever written, read back or removed: `out/`
//!   followed by ordinary names (no `..`, no `.`, no absolute path, no backslash, nothing under
//!   `out/.metareport/`). [`plain_output_path`] decides.
//! - Symbolic links under `out/` (and `out/` itself as a link) are never followed: a write,
//!   read or removal whose path passes through one is refused (the build stops with a message
//!   naming the link, before anything is written); nothing is replaced.
//! - Writes are atomic: a temporary `.NAME.tmp-PID` beside the file (created exclusively, so a
//!   planted link at that name is not followed), then a rename. Temporaries left by a killed
//!   build are removed by the next build and by `clean` ([`sweep_temporaries`]).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The output directory, relative to the project root.
pub const OUT: &str = "out";

/// metareport's own files inside `out/` (the manifest).
pub const STATE: &str = "out/.metareport";

/// How deep [`sweep_temporaries`] looks under `out/` (outputs are at most three levels deep).
const SWEEP_DEPTH: usize = 8;

/// Whether `rel` is a plain relative path of an output under `out/`: `out/` and at least one
/// more ordinary name, separated by `/`, none empty, `.` or `..`, no backslash or NUL, and not
/// inside `out/.metareport/`.
pub fn plain_output_path(rel: &str) -> bool {
    let mut parts = rel.split('/');
    if parts.next() != Some(OUT) {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && rest[0] != ".metareport"
        && rest
            .iter()
            .all(|p| !p.is_empty() && *p != "." && *p != ".." && !p.contains(['\\', '\0', ':']))
}

/// A path under `out/` that metareport will not use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The path, relative to the project ("out/example").
    pub path: String,
    /// Why, and what to do.
    pub why: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.why)
    }
}

impl From<Refused> for crate::diag::Diagnostic {
    fn from(r: Refused) -> Self {
        crate::diag::Diagnostic::file(r.path, r.why)
    }
}

fn link(path: &str, what: &str) -> Refused {
    Refused {
        path: path.to_string(),
        why: format!(
            "this is a symbolic link; metareport never writes, reads or removes anything through a link under out/: remove it (the next build makes a real {what})"
        ),
    }
}

/// Checks that no existing component of `rel` (relative to `root`, starting with `out`) is a
/// symbolic link, that the directories on the way are directories, and that the last
/// component, if it exists, is a regular file.
pub fn check_no_links(root: &Path, rel: &str) -> Result<(), Refused> {
    let parts: Vec<&str> = rel.split('/').collect();
    let mut p = root.to_path_buf();
    let mut shown = String::new();
    for (i, part) in parts.iter().enumerate() {
        p.push(part);
        if !shown.is_empty() {
            shown.push('/');
        }
        shown.push_str(part);
        let last = i + 1 == parts.len();
        let refuse = |why: &str| Refused {
            path: shown.clone(),
            why: why.to_string(),
        };
        match std::fs::symlink_metadata(&p) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(refuse(&format!("cannot be inspected: {e}"))),
            Ok(m) if m.file_type().is_symlink() => {
                return Err(link(&shown, if last { "file" } else { "directory" }));
            }
            Ok(m) if !last && !m.is_dir() => {
                return Err(refuse(
                    "this is not a directory, but outputs go inside it: remove it",
                ));
            }
            Ok(m) if last && !m.is_file() => {
                return Err(refuse(
                    "this is not a regular file, but an output is written here: remove it",
                ));
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Checks that `out/` and `out/.metareport/` are not symbolic links (or other non-directories).
pub fn check_out_dir(root: &Path) -> Result<(), Refused> {
    for d in [OUT, STATE] {
        match std::fs::symlink_metadata(root.join(d)) {
            Ok(m) if m.file_type().is_symlink() => return Err(link(d, "directory")),
            Ok(m) if !m.is_dir() => {
                return Err(Refused {
                    path: d.to_string(),
                    why: "this is not a directory, but metareport builds into it: remove it".into(),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// The most a build reads back of an output it reuses as it is (a manuscript `report.pdf`
/// embeds, a figure's PNG a Word file embeds, a `notes.txt`): a larger file is made anew
/// instead. `out/` may hold anything, and what is read is held in memory; hashes are streamed
/// ([`hash`]) and need no limit.
pub const MAX_READ_BACK: u64 = 256 * 1024 * 1024;

/// The regular file `rel` under `out/`, opened when reached without symbolic links, with its
/// length.
fn open(root: &Path, rel: &str) -> Option<(std::fs::File, u64)> {
    check_out_dir(root).ok()?;
    check_no_links(root, rel).ok()?;
    let p = root.join(rel);
    let m = std::fs::symlink_metadata(&p).ok().filter(|m| m.is_file())?;
    Some((std::fs::File::open(p).ok()?, m.len()))
}

/// The length of the regular file `rel` under `out/`, reached without symbolic links.
pub fn len(root: &Path, rel: &str) -> Option<u64> {
    open(root, rel).map(|(_, len)| len)
}

/// Reads a file under `out/` (an output, or the manifest) when it is a regular file reached
/// without symbolic links and holds at most `max` bytes; `None` otherwise. The length is
/// checked before reading and the read stops after `max` bytes (a file growing meanwhile is
/// refused too), so a huge file planted in `out/` costs no memory.
pub fn read(root: &Path, rel: &str, max: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let (f, len) = open(root, rel)?;
    if len > max {
        return None;
    }
    let mut bytes = Vec::with_capacity(len as usize);
    f.take(max.saturating_add(1)).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= max).then_some(bytes)
}

/// Whether the file `rel` under `out/`, reached without symbolic links, holds the bytes with
/// this blake3 (hex) and, when known, this length; `None` when there is no such file. A file
/// of another length is told apart without reading it, and one of the same length is hashed
/// in blocks: neither time nor memory grows with what was planted in `out/`.
pub fn same_file(root: &Path, rel: &str, blake3: &str, len: Option<u64>) -> Option<bool> {
    let (f, actual) = open(root, rel)?;
    if len.is_some_and(|n| n != actual) {
        return Some(false);
    }
    let mut h = blake3::Hasher::new();
    Some(h.update_reader(f).is_ok() && h.finalize().to_hex().as_str() == blake3)
}

/// Creates the directories of `rel` one by one, refusing to pass through a link.
fn create_parents(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let parts: Vec<&str> = rel.split('/').collect();
    let mut p = root.to_path_buf();
    for part in &parts[..parts.len() - 1] {
        p.push(part);
        match std::fs::create_dir(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create {}: {e}", p.display())),
        }
        let m = std::fs::symlink_metadata(&p)
            .map_err(|e| format!("cannot create {}: {e}", p.display()))?;
        if m.file_type().is_symlink() || !m.is_dir() {
            return Err(format!(
                "`{}` is not a plain directory; metareport never writes through a link",
                p.strip_prefix(root).unwrap_or(&p).display()
            ));
        }
    }
    Ok(p)
}

/// The name of the temporary file a write of `name` uses.
fn temporary_name(name: &str) -> String {
    format!(".{name}.tmp-{}", std::process::id())
}

/// Whether a file name is a temporary of [`write`] (`.NAME.tmp-DIGITS`).
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.')
        && name.rsplit_once(".tmp-").is_some_and(|(head, pid)| {
            head.len() > 1 && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
        })
}

/// Writes `bytes` to `rel` (under `root`) atomically, creating its directories, never through
/// a symbolic link. `rel` must be a plain path under `out/` (or the manifest).
pub fn write(root: &Path, rel: &str, bytes: &[u8]) -> Result<(), String> {
    debug_assert!(plain_output_path(rel) || rel.starts_with(STATE));
    check_out_dir(root).map_err(|r| r.to_string())?;
    check_no_links(root, rel).map_err(|r| r.to_string())?;
    let dir = create_parents(root, rel)?;
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let tmp = dir.join(temporary_name(name));
    let _ = std::fs::remove_file(&tmp);
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    let written = f.write_all(bytes).and_then(|_| f.flush());
    drop(f);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", tmp.display()));
    }
    let path = root.join(rel);
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

/// Removes the output `rel` if it is a regular file reached without links; returns whether a
/// file was removed. Paths that are not plain output paths are refused.
pub fn remove(root: &Path, rel: &str) -> Result<bool, String> {
    if !plain_output_path(rel) {
        return Err(format!("`{rel}` is not a plain path under out/"));
    }
    check_out_dir(root).map_err(|r| r.to_string())?;
    check_no_links(root, rel).map_err(|r| r.to_string())?;
    let p = root.join(rel);
    match std::fs::symlink_metadata(&p) {
        Ok(m) if m.is_file() => std::fs::remove_file(&p)
            .map(|_| true)
            .map_err(|e| format!("cannot remove {rel}: {e}")),
        _ => Ok(false),
    }
}

/// Removes the directories of `rel` that are left empty, deepest first, up to (not including)
/// `out/`. Only plain directories are removed.
pub fn remove_empty_parents(root: &Path, rel: &str) {
    if !plain_output_path(rel) {
        return;
    }
    let parts: Vec<&str> = rel.split('/').collect();
    for n in (2..parts.len()).rev() {
        let p = root.join(parts[..n].join("/"));
        let plain =
            std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir() && !m.file_type().is_symlink());
        if !plain || std::fs::remove_dir(&p).is_err() {
            break;
        }
    }
}

/// Removes the temporary files (`.NAME.tmp-PID`) a killed build left under `out/`; with the
/// build lock held no other build is writing them. Links are not followed. Returns how many.
pub fn sweep_temporaries(root: &Path) -> usize {
    fn walk(dir: &Path, depth: usize, removed: &mut usize) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let Ok(t) = e.file_type() else { continue };
            let name = e.file_name();
            if t.is_dir() && depth < SWEEP_DEPTH {
                walk(&e.path(), depth + 1, removed);
            } else if t.is_file()
                && is_temporary(&name.to_string_lossy())
                && std::fs::remove_file(e.path()).is_ok()
            {
                *removed += 1;
            }
        }
    }
    let out = root.join(OUT);
    let plain = std::fs::symlink_metadata(&out).is_ok_and(|m| m.is_dir());
    let mut removed = 0;
    if plain {
        walk(&out, 0, &mut removed);
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_under_out_are_outputs() {
        for ok in [
            "out/a/results.json",
            "out/report.pdf",
            "out/a/figures/f.svg",
        ] {
            assert!(plain_output_path(ok), "{ok}");
        }
        for bad in [
            "out",
            "out/",
            "/etc/passwd",
            "../v2",
            "out/../v2",
            "out/./a",
            "out//a",
            "out/a/..",
            "out/.metareport/manifest.json",
            "analyses/x.yaml",
            "out\\a",
            "out/a\\..\\..\\b",
            "C:/x",
            "out/C:x",
        ] {
            assert!(!plain_output_path(bad), "{bad}");
        }
    }

    #[test]
    fn files_read_back_are_bounded_and_told_apart_by_length_first() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "out/a/small.txt", b"abc").unwrap();
        // 1 GB of nothing (sparse): refused by its length, never read.
        let big = root.join("out/a/big.pdf");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(1 << 30)
            .unwrap();
        assert_eq!(
            read(root, "out/a/small.txt", 3).as_deref(),
            Some(&b"abc"[..])
        );
        assert_eq!(read(root, "out/a/small.txt", 2), None);
        assert_eq!(read(root, "out/a/big.pdf", MAX_READ_BACK), None);
        let abc = blake3::hash(b"abc").to_hex().to_string();
        assert_eq!(
            same_file(root, "out/a/small.txt", &abc, Some(3)),
            Some(true)
        );
        assert_eq!(same_file(root, "out/a/small.txt", &abc, None), Some(true));
        assert_eq!(
            same_file(root, "out/a/small.txt", &abc, Some(4)),
            Some(false)
        );
        let other = blake3::hash(b"abd").to_hex().to_string();
        assert_eq!(
            same_file(root, "out/a/small.txt", &other, Some(3)),
            Some(false)
        );
        assert_eq!(same_file(root, "out/a/big.pdf", &abc, Some(3)), Some(false));
        assert_eq!(same_file(root, "out/a/missing", &abc, Some(3)), None);
        assert_eq!(len(root, "out/a/big.pdf"), Some(1 << 30));
    }

    #[test]
    fn temporaries_are_recognised() {
        assert!(is_temporary(".results.json.tmp-123"));
        assert!(!is_temporary("results.json"));
        assert!(!is_temporary(".tmp-1"));
        assert!(!is_temporary(".x.tmp-"));
        assert!(!is_temporary(".x.tmp-12a"));
    }
}
