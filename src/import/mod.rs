//! `metareport import`: a RevMan review becomes a metareport project.
//!
//! RevMan 5 `.rm5` file (`rm5.rs`, on `xml.rs`) or RevMan Web data package, zip or folder
//! (`data_package.rs`) → [`Review`] (`model.rs`) → the project's files: spec YAML, CSVs,
//! README (`write.rs`) → the normal [`crate::spec::load`] → [`crate::stats::analyse`] →
//! RevMan's stored results compared with metareport's (`compare.rs`).
//!
//! The project is written into a staging folder beside the target and moved into place only
//! when its spec loads and every analysis runs; an analysis metareport cannot run is left out
//! and listed. Nothing is half-written.

pub mod compare;
pub mod data_package;
pub mod model;
pub mod rm5;
pub mod write;
mod xml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use model::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::project::Failure;

/// `.rm5` files larger than this are refused.
pub const MAX_FILE_BYTES: u64 = xml::MAX_XML_BYTES as u64;

/// Reads a RevMan 5 file, a data package zip or an unpacked data package folder.
pub fn read(path: &Path) -> Result<Review, Diagnostics> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::file(
            &shown,
            match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
                _ => format!("cannot open: {e}"),
            },
        )
    })?;
    if meta.is_dir() {
        return data_package::read_dir(&shown, path);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::file(
            &shown,
            format!(
                "the file is {:.1} MB; RevMan files larger than {} MB are not read",
                meta.len() as f64 / 1e6,
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .into());
    }
    let bytes =
        std::fs::read(path).map_err(|e| Diagnostic::file(&shown, format!("cannot read: {e}")))?;
    read_bytes(&shown, &bytes)
}

/// Reads a RevMan file from its bytes: a zip is a data package, XML a RevMan 5 file.
pub fn read_bytes(shown: &str, bytes: &[u8]) -> Result<Review, Diagnostics> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return data_package::read_zip(shown, bytes);
    }
    if looks_like_xml(bytes) {
        return rm5::read(shown, bytes).map_err(Diagnostics::from);
    }
    Err(Diagnostic::file(
        shown,
        "not a RevMan file: neither a RevMan 5 review (.rm5, XML) nor a RevMan Web data package (a zip file, or the folder it unpacks to)",
    )
    .into())
}

fn looks_like_xml(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if b.starts_with(b"\xFF\xFE") || b.starts_with(b"\xFE\xFF") {
        return true;
    }
    b.iter()
        .find(|c| !c.is_ascii_whitespace())
        .is_some_and(|&c| c == b'<')
}

/// For the table reader: a RevMan file given as `data:` is refused with a pointer to
/// `metareport import` (it would otherwise be read as a CSV).
pub fn refuse_as_table(source: &str, bytes: &[u8]) -> Option<Diagnostic> {
    let lower = source.to_lowercase();
    let head = &bytes[..bytes.len().min(4096)];
    let rm5 = lower.ends_with(".rm5")
        || (looks_like_xml(head) && head.windows(16).any(|w| w == b"<COCHRANE_REVIEW"));
    let spreadsheet = [".xlsx", ".xlsm", ".xls", ".ods"]
        .iter()
        .any(|e| lower.ends_with(e));
    let zip = !spreadsheet && bytes.starts_with(b"PK\x03\x04");
    (rm5 || zip).then(|| {
        Diagnostic::file(
            source,
            if rm5 {
                "this is a RevMan 5 review file, not a data table"
            } else {
                "this is a zip archive, not a data table (a RevMan Web data package?)"
            },
        )
        .hint("`metareport import FILE` turns a RevMan review into a project with its data as CSV files")
    })
}

/// The result of an import.
#[derive(Debug)]
pub struct Imported {
    /// The project folder written.
    pub dir: PathBuf,
    pub review: Review,
    pub generated: write::Generated,
    pub check: compare::Check,
}

/// The folder a review is imported into when none is given: named after the file.
pub fn default_dir(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .or_else(|| file.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    PathBuf::from(write::slug(&stem))
}

/// Imports a RevMan review into a new project folder `dir` (which must not exist, or be
/// empty): reads it, writes the project, loads and analyses it, compares the results with
/// RevMan's and writes `analyses/import-check.md`. Does not build `out/`.
pub fn import(file: &Path, dir: &Path) -> Result<Imported, Failure> {
    let review = read(file)?;
    if dir.exists() {
        let empty = dir.is_dir()
            && std::fs::read_dir(dir)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
        if !empty {
            return Err(Failure::Input(
                Diagnostic::file(
                    dir.display().to_string(),
                    "this folder exists and is not empty; import writes a new project",
                )
                .hint("give a new folder as the second argument: metareport import FILE DIR")
                .into(),
            ));
        }
    }
    // An existing (empty) folder is named by its real path, so that `.` works too.
    let target = if dir.exists() {
        dir.canonicalize()
            .map_err(|e| Failure::Io(format!("cannot open {}: {e}", dir.display())))?
    } else {
        dir.to_path_buf()
    };
    let id = write::slug(
        &target
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "review".into()),
    );
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|e| Failure::Io(format!("cannot create {}: {e}", parent.display())))?;
    let staging = staging_dir(&parent, &id)?;
    let result = stage(&review, &id, &staging).and_then(|done| {
        move_into_place(&staging, &target)?;
        Ok(done)
    });
    let _ = std::fs::remove_dir_all(&staging);
    let (generated, check) = result?;
    Ok(Imported {
        dir: dir.to_path_buf(),
        review,
        generated,
        check,
    })
}

/// Moves the staged project to `target`: renames the folder, or, when `target` exists (and
/// is empty), moves its entries into it.
fn move_into_place(staging: &Path, target: &Path) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::Io(format!("cannot create {}: {e}", target.display()));
    if !target.exists() {
        return std::fs::rename(staging, target).map_err(fail);
    }
    for e in std::fs::read_dir(staging).map_err(fail)? {
        let e = e.map_err(fail)?;
        std::fs::rename(e.path(), target.join(e.file_name())).map_err(fail)?;
    }
    Ok(())
}

/// A new, empty folder of our own beside the target.
fn staging_dir(parent: &Path, id: &str) -> Result<PathBuf, Failure> {
    for n in 0..1000 {
        let p = parent.join(format!(".{id}.import-{}-{n}", std::process::id()));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Failure::Io(format!("cannot create {}: {e}", p.display()))),
        }
    }
    Err(Failure::Io(format!(
        "cannot create a staging folder in {}",
        parent.display()
    )))
}

fn write_files(root: &Path, files: &[(String, Vec<u8>)]) -> Result<(), Failure> {
    for (rel, bytes) in files {
        let p = root.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)
                .map_err(|e| Failure::Io(format!("cannot create {}: {e}", d.display())))?;
        }
        std::fs::write(&p, bytes)
            .map_err(|e| Failure::Io(format!("cannot write {}: {e}", p.display())))?;
    }
    Ok(())
}

/// Writes the project into `staging`, leaving out analyses metareport cannot run, and
/// compares the results.
fn stage(
    review: &Review,
    id: &str,
    staging: &Path,
) -> Result<(write::Generated, compare::Check), Failure> {
    let mut leave_out: BTreeMap<usize, String> = BTreeMap::new();
    loop {
        let generated = write::generate(review, id, &leave_out);
        // Start from an empty folder each round: a left-out analysis leaves no file behind.
        for e in std::fs::read_dir(staging)
            .map_err(|e| Failure::Io(format!("cannot list {}: {e}", staging.display())))?
            .flatten()
        {
            let p = e.path();
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
        }
        write_files(staging, &generated.files)?;
        if generated.outcomes.is_empty() && review.studies.is_empty() {
            return Err(Failure::Input(
                Diagnostic::file(
                    &review.source,
                    "nothing to import: the file holds no studies and no analysis with study data",
                )
                .into(),
            ));
        }
        let spec = crate::spec::load(staging, &generated.spec_path).map_err(|d| {
            Failure::Io(format!(
                "the imported project does not load (a defect of the importer; please report it with the file):\n{d}"
            ))
        })?;
        let mut analyses = Vec::new();
        let mut failed = false;
        for o in &spec.outcomes {
            match o.analyse() {
                Ok(a) => analyses.push(a),
                Err(e) => {
                    if let Some(g) = generated.outcomes.iter().find(|g| g.id == o.id) {
                        leave_out.insert(g.analysis, format!("metareport cannot analyse it: {e}"));
                        failed = true;
                    } else {
                        return Err(Failure::Io(format!("outcome {}: {e}", o.id)));
                    }
                }
            }
        }
        if failed {
            continue;
        }
        let check = compare::compare(review, &generated, &spec, &analyses);
        let md = compare::markdown(&check);
        write_files(
            staging,
            &[("analyses/import-check.md".into(), md.into_bytes())],
        )?;
        return Ok((generated, check));
    }
}
