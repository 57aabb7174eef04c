//! Reading a file of the project: inside the project only, symlinks included.

use std::path::{Component, Path};

use crate::data::table;

/// Reads a file of the project. `rel` is relative to `base` (a directory relative to `root`);
/// absolute paths and paths that leave the project are refused, symlinks included.
pub fn read_project_file(root: &Path, base: &Path, rel: &str) -> Result<(String, Vec<u8>), String> {
    let p = Path::new(rel);
    if p.is_absolute()
        || rel.starts_with('/')
        || rel.starts_with('\\')
        || p.components().any(|c| matches!(c, Component::Prefix(_)))
    {
        return Err(format!(
            "`{rel}` is an absolute path; data paths are relative to the spec and stay inside the project"
        ));
    }
    // Normalise lexically: base + rel must stay within root.
    let mut parts: Vec<String> = Vec::new();
    for c in base.join(p).components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err(format!(
                        "`{rel}` leaves the project directory; data files must be inside it"
                    ));
                }
            }
            Component::CurDir => {}
            _ => return Err(format!("`{rel}` is not a relative path")),
        }
    }
    let display = parts.join("/");
    let full = root.join(&display);
    let canon_root = root
        .canonicalize()
        .map_err(|e| format!("cannot open the project directory: {e}"))?;
    let canon = full.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("`{display}` does not exist"),
        _ => format!("cannot open `{display}`: {e}"),
    })?;
    if !canon.starts_with(&canon_root) {
        return Err(format!(
            "`{rel}` resolves outside the project directory (through a symbolic link); data files must be inside it"
        ));
    }
    if canon.is_dir() {
        return Err(format!("`{display}` is a directory, not a data file"));
    }
    let meta = std::fs::metadata(&canon).map_err(|e| format!("cannot open `{display}`: {e}"))?;
    if meta.len() as usize > table::MAX_DATA_BYTES {
        return Err(format!(
            "`{display}` is {:.1} MB; data files larger than {} MB are not read",
            meta.len() as f64 / 1e6,
            table::MAX_DATA_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(&canon).map_err(|e| format!("cannot read `{display}`: {e}"))?;
    Ok((display, bytes))
}
