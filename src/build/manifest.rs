//! The manifest of built outputs, atomic writes and the build lock.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::plan::Target;
use crate::project::Failure;

/// Where metareport keeps its own files inside `out/`.
pub const STATE_DIR: &str = "out/.metareport";

/// One recorded output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The key it was built with.
    pub key: String,
    /// blake3 of the bytes written.
    pub blake3: String,
}

/// Outputs and their keys (`out/.metareport/manifest.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    pub outputs: BTreeMap<String, Entry>,
}

impl Manifest {
    fn path(root: &Path) -> PathBuf {
        root.join(STATE_DIR).join("manifest.json")
    }

    /// Reads the manifest; a missing or unreadable one means nothing is known to be built.
    pub fn read(root: &Path) -> Manifest {
        std::fs::read(Self::path(root))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes the manifest atomically.
    pub fn write(&self, root: &Path) -> Result<(), String> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        write_atomic(&Self::path(root), &bytes)
    }

    /// Why a target must be rebuilt, or `None` when it is up to date.
    pub fn staleness(&self, root: &Path, t: &Target) -> Option<&'static str> {
        let Some(e) = self.outputs.get(&t.path) else {
            return Some("never built");
        };
        if e.key != t.key {
            return Some("its inputs changed");
        }
        match std::fs::read(root.join(&t.path)) {
            Err(_) => Some("the file is missing"),
            Ok(bytes) if blake3::hash(&bytes).to_hex().as_str() != e.blake3 => {
                Some("the file was edited or damaged")
            }
            Ok(_) => None,
        }
    }

    /// Records a written output.
    pub fn record(&mut self, t: &Target, bytes: &[u8]) {
        self.outputs.insert(
            t.path.clone(),
            Entry {
                key: t.key.clone(),
                blake3: blake3::hash(bytes).to_hex().to_string(),
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

/// Writes a file atomically: a temporary file in the same directory, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .ok_or_else(|| format!("{} has no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

/// An exclusive lock on the project's `out/` for the duration of a build: a second build
/// waits for the first.
pub struct Lock(#[allow(dead_code)] File);

impl Lock {
    pub fn acquire(root: &Path) -> Result<Lock, Failure> {
        let dir = root.join(STATE_DIR);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure::Io(format!("cannot create {}: {e}", dir.display())))?;
        let f = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))
            .map_err(|e| Failure::Io(format!("cannot open the build lock: {e}")))?;
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
