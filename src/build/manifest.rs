//! The manifest of built outputs and the build lock (writes under `out/` are in `outdir.rs`).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::outdir;
use super::plan::Target;
use crate::project::Failure;

/// Where metareport keeps its own files inside `out/`.
pub const STATE_DIR: &str = outdir::STATE;

/// One recorded output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The key it was built with.
    pub key: String,
    /// blake3 of the bytes written.
    pub blake3: String,
    /// How many bytes were written (a file of another length is not read to be told apart;
    /// absent from manifests of earlier versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub len: Option<u64>,
    /// The content key it was made from, for outputs costly to make (`reuse.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// Outputs and their keys (`out/.metareport/manifest.json`).
///
/// The manifest is untrusted input (it is committed with `out/`): entries whose path is not a
/// plain relative path under `out/` are dropped when it is read and named in `ignored`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    pub outputs: BTreeMap<String, Entry>,
    /// Entries that were ignored, with why (not written back).
    #[serde(skip)]
    pub ignored: Vec<String>,
}

/// Manifests larger than this are not read (a manifest lists a few hundred outputs).
const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;

impl Manifest {
    fn rel() -> String {
        format!("{STATE_DIR}/manifest.json")
    }

    /// Reads the manifest; a missing or unreadable one means nothing is known to be built.
    /// Entries outside `out/` are ignored (see [`Manifest::ignored`]).
    pub fn read(root: &Path) -> Manifest {
        let mut m: Manifest = outdir::read(root, &Self::rel(), MAX_MANIFEST_BYTES as u64)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let bad: Vec<String> = m
            .outputs
            .keys()
            .filter(|p| !outdir::plain_output_path(p))
            .cloned()
            .collect();
        for p in bad {
            m.outputs.remove(&p);
            let shown: String = p.chars().take(120).collect();
            m.ignored.push(format!(
                "{STATE_DIR}/manifest.json lists `{}`, which is not a plain path under out/; it is ignored (never written or removed)",
                shown.escape_debug()
            ));
        }
        m
    }

    /// Writes the manifest atomically.
    pub fn write(&self, root: &Path) -> Result<(), String> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        outdir::write(root, &Self::rel(), &bytes)
    }

    /// Why a target must be rebuilt, or `None` when it is up to date.
    pub fn staleness(&self, root: &Path, t: &Target) -> Option<&'static str> {
        let Some(e) = self.outputs.get(&t.path) else {
            return Some("never built");
        };
        if e.key != t.key {
            return Some("its inputs changed");
        }
        if outdir::check_no_links(root, &t.path).is_err() {
            return Some("its path is a symbolic link or not a regular file");
        }
        match outdir::same_file(root, &t.path, &e.blake3, e.len) {
            None => Some("the file is missing"),
            Some(false) => Some("the file was edited or damaged"),
            Some(true) => None,
        }
    }

    /// Records an output by the blake3 and length of its bytes and the content key it was made
    /// from.
    pub fn record_hash(&mut self, t: &Target, blake3: String, len: u64, content: Option<String>) {
        self.outputs.insert(
            t.path.clone(),
            Entry {
                key: t.key.clone(),
                blake3,
                len: Some(len),
                content,
            },
        );
    }

    /// Forgets an output.
    pub fn forget(&mut self, path: &str) {
        self.outputs.remove(path);
    }

    /// Outputs built earlier that are no longer targets (a figure or review removed).
    pub fn leftovers(&self, targets: &[Target]) -> Vec<String> {
        self.outputs
            .keys()
            .filter(|p| !targets.iter().any(|t| &t.path == *p))
            .cloned()
            .collect()
    }
}

/// An exclusive lock on the project for the duration of a build (or `clean`): a second build
/// waits for the first. The lock is taken on the project directory itself (`flock`), so taking
/// it writes nothing — a build that fails leaves no trace.
pub struct Lock(#[allow(dead_code)] File);

impl Lock {
    pub fn acquire(root: &Path) -> Result<Lock, Failure> {
        let f = File::open(root).map_err(|e| {
            Failure::Io(format!(
                "cannot open the project directory {} to lock it: {e}",
                root.display()
            ))
        })?;
        if f.try_lock().is_err() {
            eprintln!(
                "metareport: another build of this project is running; waiting for it to finish"
            );
            f.lock()
                .map_err(|e| Failure::Io(format!("cannot take the build lock: {e}")))?;
        }
        Ok(Lock(f))
    }
}

/// Writes a file atomically: a temporary file in the same directory, then a rename. Symbolic
/// links are never followed: the temporary is created exclusively (a link planted at its name
/// is removed, not written through), and a link at `path` itself is refused, not replaced.
/// The caller checks the directory (see `cli/templates.rs`).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let dir = path
        .parent()
        .ok_or_else(|| format!("{} has no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "{} is a symbolic link; metareport never writes through a link (remove it)",
            path.display()
        ));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|_| f.flush()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", tmp.display()));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}
