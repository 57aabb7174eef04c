//! `metareport templates export [DIR]`: writes the built-in templates (and the bibliography)
//! into `DIR` (default `templates`), where a project's copies override the built-in ones.

use std::path::{Component, Path};

use crate::diag::{Diagnostic, Diagnostics};
use crate::project::Failure;
use crate::report::render::{BUILTIN, REFERENCES};

/// Every file `export` writes: the built-in templates and `references.yml`.
pub fn files() -> Vec<(&'static str, &'static str)> {
    BUILTIN
        .iter()
        .copied()
        .chain(std::iter::once(("references.yml", REFERENCES)))
        .collect()
}

/// The first directory of `dir` that is a symbolic link: `dir` itself, and for a relative
/// `dir` each directory on the way to it.
fn linked_directory(dir: &Path) -> Option<std::path::PathBuf> {
    let is_link = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    if dir.is_relative() {
        let mut p = std::path::PathBuf::new();
        for c in dir.components() {
            p.push(c);
            if matches!(c, Component::Normal(_)) && is_link(&p) {
                return Some(p);
            }
        }
        None
    } else {
        is_link(dir).then(|| dir.to_path_buf())
    }
}

/// Writes the built-in templates into `dir`. Existing files are left alone (and nothing is
/// written) unless `force`; a symbolic link in their place is never followed.
pub fn export(dir: &Path, force: bool, quiet: bool) -> Result<(), Failure> {
    let files = files();
    let mut refused = Vec::new();
    // The directory, and each directory on a relative way to it, must not be a link: the
    // templates would land wherever it points (`templates -> /elsewhere`).
    if let Some(link) = linked_directory(dir) {
        return Err(Failure::Input(
            Diagnostic::file(
                link.display().to_string(),
                "is a symbolic link; metareport never writes through a link (remove it, or name the directory it points to)",
            )
            .into(),
        ));
    }
    let mut existing = Vec::new();
    for (name, _) in &files {
        // The names are the binary's own; still, nothing may leave `dir`.
        let plain = Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
            && !name.contains(['/', '\\']);
        if !plain {
            return Err(Failure::Io(format!(
                "template name `{name}` is not a file name"
            )));
        }
        let path = dir.join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => refused.push(Diagnostic::file(
                path.display().to_string(),
                "is a symbolic link; it is not followed (remove it to export this template)",
            )),
            Ok(m) if !m.is_file() => refused.push(Diagnostic::file(
                path.display().to_string(),
                "exists and is not a file",
            )),
            Ok(_) if !force => existing.push(*name),
            _ => {}
        }
    }
    if !existing.is_empty() {
        let mut d = Diagnostic::file(
            dir.display().to_string(),
            format!("already holds {}; nothing was written", existing.join(", ")),
        );
        d.hint = Some(
            "`metareport templates export --force` overwrites them with the built-in templates"
                .into(),
        );
        refused.push(d);
    }
    if !refused.is_empty() {
        return Err(Failure::Input(Diagnostics(refused)));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Io(format!("cannot create {}: {e}", dir.display())))?;
    for (name, text) in &files {
        crate::build::manifest::write_atomic(&dir.join(name), text.as_bytes())
            .map_err(Failure::Io)?;
    }
    if !quiet {
        eprintln!(
            "metareport: wrote {} files to {}: {}.\n  In a project's templates/ they override the built-in ones; delete those you do not change, so they keep following metareport's.",
            files.len(),
            dir.display(),
            files.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(())
}
