//! A git revision of a project, materialised in a temporary directory with the `git` command
//! line (`rev-parse`, `ls-tree`, `cat-file`). Only the project's own subtree is written, and
//! only into the temporary directory, which is removed when the [`Checkout`] is dropped — on
//! every path, errors included. Revisions are untrusted: one starting with `-` or holding a
//! control character is refused, and each is passed after `--end-of-options`, so it cannot
//! become an option of git.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::DiffError;

/// The most a revision's project files may hold in all, in bytes.
pub const MAX_TOTAL_BYTES: u64 = 1 << 30;

/// A revision of the project, written to a temporary directory.
#[derive(Debug)]
pub struct Checkout {
    /// The temporary directory (the project's root at that revision).
    pub dir: tempfile::TempDir,
    /// The full commit hash.
    pub commit: String,
    /// The project's `out/.metareport/manifest.json` at that revision, if committed.
    pub manifest: Option<Vec<u8>>,
}

impl Checkout {
    /// The project root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn git(project: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(project)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    c
}

fn run(project: &Path, args: &[&str]) -> Result<std::process::Output, DiffError> {
    git(project)
        .args(args)
        .output()
        .map_err(|e| DiffError::GitMissing(e.to_string()))
}

/// The path of the project inside its repository ("" at the root, "reviews/x/" below it).
pub fn prefix(project: &Path) -> Result<String, DiffError> {
    let out = run(project, &["rev-parse", "--show-prefix"])?;
    if !out.status.success() {
        return Err(DiffError::NotGit(project.display().to_string()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

/// Refuses revisions that could be read as options or that hold control characters.
pub fn check_revision(rev: &str) -> Result<(), String> {
    if rev.is_empty() {
        Err("an empty revision".into())
    } else if rev.starts_with('-') {
        Err(format!(
            "`{rev}` starts with `-`: revisions cannot be options"
        ))
    } else if rev.chars().any(char::is_control) || rev.len() > 1024 {
        Err("a revision with control characters or over 1024 bytes".into())
    } else {
        Ok(())
    }
}

/// The commit a revision names.
pub fn resolve(project: &Path, rev: &str) -> Result<String, DiffError> {
    let no = |detail: String| DiffError::NoRevision {
        rev: rev.to_string(),
        dir: project.display().to_string(),
        detail,
    };
    check_revision(rev).map_err(|e| no(format!(": {e}")))?;
    let spec = format!("{rev}^{{commit}}");
    let out = run(
        project,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )?;
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || hash.is_empty() || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(no(String::new()));
    }
    Ok(hash)
}

/// One file of the tree.
struct Blob {
    object: String,
    size: u64,
    path: String,
}

/// Whether a path from the tree is safe to write below the temporary directory.
fn safe(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains(['\\', '\0', ':']))
}

/// Writes the project at `rev` (the project's subtree only, without `out/`) to a new temporary
/// directory.
pub fn checkout(project: &Path, rev: &str) -> Result<Checkout, DiffError> {
    let prefix = prefix(project)?;
    let commit = resolve(project, rev)?;
    let tree = format!("{commit}:{prefix}");
    let out = run(
        project,
        &[
            "ls-tree",
            "-r",
            "-z",
            "-l",
            "--full-tree",
            "--end-of-options",
            &tree,
        ],
    )?;
    if !out.status.success() {
        return Err(DiffError::Other(format!(
            "the project directory {} is not in revision `{rev}` ({})",
            if prefix.is_empty() { "." } else { &prefix },
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let mut blobs = Vec::new();
    let mut manifest_blob = None;
    let mut total = 0u64;
    for rec in out.stdout.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let rec = String::from_utf8_lossy(rec);
        let Some((meta, path)) = rec.split_once('\t') else {
            continue;
        };
        let f: Vec<&str> = meta.split_whitespace().collect();
        // "<mode> <type> <object> <size>"; regular files only (no links, no submodules).
        let [mode, "blob", object, size] = f.as_slice() else {
            continue;
        };
        if !matches!(*mode, "100644" | "100755") {
            continue;
        }
        let size: u64 = size.parse().unwrap_or(0);
        if path == "out/.metareport/manifest.json" {
            manifest_blob = Some(Blob {
                object: object.to_string(),
                size,
                path: String::new(),
            });
            continue;
        }
        if path.starts_with("out/") || path.split('/').any(|c| c == ".git") || !safe(path) {
            continue;
        }
        total += size;
        if total > MAX_TOTAL_BYTES {
            return Err(DiffError::Other(format!(
                "the project at `{rev}` holds more than {} MiB of files; not compared",
                MAX_TOTAL_BYTES >> 20
            )));
        }
        blobs.push(Blob {
            object: object.to_string(),
            size,
            path: path.to_string(),
        });
    }
    let dir = tempfile::Builder::new()
        .prefix("metareport-diff-")
        .tempdir()
        .map_err(|e| DiffError::Other(format!("cannot make a temporary directory: {e}")))?;
    let manifest_slot = blobs.len();
    if let Some(m) = manifest_blob.filter(|m| m.size < 64 << 20) {
        blobs.push(m);
    }
    let mut manifest = None;
    cat_files(project, &blobs, |i, bytes| {
        if i == manifest_slot {
            manifest = Some(bytes);
            return Ok(());
        }
        let target: PathBuf = dir.path().join(&blobs[i].path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, bytes)
    })?;
    Ok(Checkout {
        dir,
        commit,
        manifest,
    })
}

/// Reads the blobs with one `git cat-file --batch`, handing each to `sink` in order.
fn cat_files(
    project: &Path,
    blobs: &[Blob],
    mut sink: impl FnMut(usize, Vec<u8>) -> std::io::Result<()>,
) -> Result<(), DiffError> {
    if blobs.is_empty() {
        return Ok(());
    }
    let mut child = git(project)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| DiffError::GitMissing(e.to_string()))?;
    let mut stdin = child.stdin.take().expect("piped");
    let request: String = blobs.iter().map(|b| format!("{}\n", b.object)).collect();
    let writer = std::thread::spawn(move || {
        let r = stdin.write_all(request.as_bytes());
        drop(stdin);
        r
    });
    let stdout = child.stdout.take().expect("piped");
    let mut reader = BufReader::new(stdout);
    let fail = |e: String| DiffError::Other(format!("reading files from git: {e}"));
    let mut result = Ok(());
    for (i, b) in blobs.iter().enumerate() {
        let mut header = String::new();
        if let Err(e) = reader.read_line(&mut header) {
            result = Err(fail(e.to_string()));
            break;
        }
        let size = header
            .trim_end()
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse::<u64>().ok());
        if !header.starts_with(&b.object) || size != Some(b.size) {
            result = Err(fail(format!("unexpected answer `{}`", header.trim_end())));
            break;
        }
        let mut bytes = vec![0; b.size as usize];
        let mut nl = [0u8; 1];
        if let Err(e) = reader
            .read_exact(&mut bytes)
            .and_then(|_| reader.read_exact(&mut nl))
        {
            result = Err(fail(e.to_string()));
            break;
        }
        if let Err(e) = sink(i, bytes) {
            result = Err(DiffError::Other(format!(
                "cannot write a file of the revision to the temporary directory: {e}"
            )));
            break;
        }
    }
    drop(reader);
    let _ = writer.join();
    let _ = child.kill();
    let _ = child.wait();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_cannot_be_options() {
        assert!(check_revision("HEAD~1").is_ok());
        assert!(check_revision("v1.0^{commit}").is_ok());
        assert!(check_revision("--output=/tmp/x").is_err());
        assert!(check_revision("-p").is_err());
        assert!(check_revision("a\nb").is_err());
        assert!(check_revision("").is_err());
    }

    #[test]
    fn unsafe_paths_are_not_written() {
        assert!(safe("analyses/x.yaml"));
        for p in ["../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", ""] {
            assert!(!safe(p), "{p}");
        }
    }
}
