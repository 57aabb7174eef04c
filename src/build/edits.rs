//! Outputs edited by hand since metareport wrote them: a build stops rather than overwrite or
//! remove them silently (`build --force` does).

use std::path::{Component, Path};

use super::manifest::Manifest;
use crate::diag::{Diagnostic, Diagnostics};
use crate::project::Failure;

/// Whether the file at `path` (relative to the project) differs from the bytes metareport
/// recorded writing there. Only paths inside `out/` are looked at (the manifest may be
/// hostile); a missing file or an output never recorded is not an edit.
pub fn edited(manifest: &Manifest, root: &Path, path: &str) -> bool {
    let p = Path::new(path);
    let inside_out =
        p.starts_with("out") && p.components().all(|c| matches!(c, Component::Normal(_)));
    let Some(entry) = manifest.outputs.get(path).filter(|_| inside_out) else {
        return false;
    };
    // Read only when reached without links (`out/` is untrusted).
    super::outdir::same_file(root, path, &entry.blake3, entry.len) == Some(false)
}

/// The failure for outputs edited by hand that a build would overwrite (`rewrite`) or remove
/// (`remove`), naming each file and how to keep the change; `None` when there are none.
pub fn refuse(
    manifest: &Manifest,
    root: &Path,
    rewrite: &[&str],
    remove: &[String],
) -> Option<Failure> {
    let mut diags = Vec::new();
    for (path, removing) in rewrite
        .iter()
        .map(|p| (*p, false))
        .chain(remove.iter().map(|p| (p.as_str(), true)))
    {
        if !edited(manifest, root, path) {
            continue;
        }
        let action = if removing {
            "the build would remove it (it is no longer an output)"
        } else {
            "the build would overwrite it"
        };
        let keep = if path.ends_with(".typ") {
            "to change every build, put the text in the spec (titles, captions, notes) or in a template of the project: `metareport templates export` writes the built-in templates to templates/, where your copies override them; to keep this file, copy it out of out/"
        } else if path.ends_with("references.yml") {
            "to change the references of every build, edit templates/references.yml (`metareport templates export` writes the built-in one there)"
        } else {
            "change the spec or the data it is made from instead, or copy the file out of out/ to keep it"
        };
        let mut d = Diagnostic::file(
            path,
            format!("this output was changed since metareport wrote it; {action}"),
        );
        d.hint = Some(format!(
            "{keep}; `metareport build --force` discards the change"
        ));
        diags.push(d);
    }
    (!diags.is_empty()).then_some(Failure::Input(Diagnostics(diags)))
}
