//! Reading a file of the project — the one way metareport reads a file it was not built with:
//! specs, data files, template overrides and `references.yml` all come through
//! [`read_project_file`].
//!
//! The rules (the project's files may be hostile): the path is relative and stays inside the
//! project, symbolic links included (a link may point elsewhere inside the project, never out of
//! it); only regular files are read (a named pipe, device or socket would block or never end);
//! each kind of file has a size limit, named in the message when a file exceeds it, and no more
//! than that limit is ever read.

use std::io::Read;
use std::path::{Component, Path};

use crate::data::table;

/// The kinds of file metareport reads, for messages and size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A review spec (`analyses/*.yaml`).
    Spec,
    /// A CSV or XLSX data file.
    Data,
    /// A template override (`templates/*.typ.j2`).
    Template,
    /// The bibliography override (`templates/references.yml`).
    References,
}

/// Specs larger than this are not read (a spec with inline rows for a thousand studies is
/// well under 1 MB).
pub const MAX_SPEC_BYTES: u64 = 16 * 1024 * 1024;
/// Template overrides and the bibliography larger than this are not read.
pub const MAX_TEMPLATE_BYTES: u64 = 4 * 1024 * 1024;

impl FileKind {
    /// The largest file of this kind that is read.
    pub fn limit(self) -> u64 {
        match self {
            FileKind::Spec => MAX_SPEC_BYTES,
            FileKind::Data => table::MAX_DATA_BYTES as u64,
            FileKind::Template | FileKind::References => MAX_TEMPLATE_BYTES,
        }
    }

    /// The kind in the plural, for messages ("data files must be inside it").
    fn plural(self) -> &'static str {
        match self {
            FileKind::Spec => "specs",
            FileKind::Data => "data files",
            FileKind::Template => "templates",
            FileKind::References => "bibliographies",
        }
    }

    /// What the path is relative to, for the message about absolute paths.
    fn relative_to(self) -> &'static str {
        match self {
            FileKind::Data => "data paths are relative to the spec",
            FileKind::Spec => "specs are read from analyses/",
            FileKind::Template | FileKind::References => "templates are read from templates/",
        }
    }
}

/// A file's size for messages ("52.4 MB").
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// A size limit for messages: whole mebibytes ("32 MB").
pub fn limit_megabytes(bytes: u64) -> String {
    format!("{} MB", bytes.div_ceil(1024 * 1024))
}

/// What a non-regular file is, for messages.
fn file_type_name(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Reads a file of the project. `rel` is relative to `base` (a directory relative to `root`);
/// returns the path relative to the project (with `/`) and the bytes. Absolute paths, paths
/// that leave the project (symbolic links included), anything but a regular file and files
/// over the kind's size limit are refused with a message saying which rule and, for sizes, the
/// limit.
pub fn read_project_file(
    root: &Path,
    base: &Path,
    rel: &str,
    kind: FileKind,
) -> Result<(String, Vec<u8>), String> {
    let p = Path::new(rel);
    if p.is_absolute()
        || rel.starts_with('/')
        || rel.starts_with('\\')
        || p.components().any(|c| matches!(c, Component::Prefix(_)))
    {
        return Err(format!(
            "`{}` is an absolute path; {} and stay inside the project",
            crate::diag::excerpt(rel, 120),
            kind.relative_to()
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
                        "`{}` leaves the project directory; {} must be inside it",
                        crate::diag::excerpt(rel, 120),
                        kind.plural()
                    ));
                }
            }
            Component::CurDir => {}
            _ => {
                return Err(format!(
                    "`{}` is not a relative path",
                    crate::diag::excerpt(rel, 120)
                ));
            }
        }
    }
    let display = parts.join("/");
    // A data file is named (the message is at the spec's `data:`); other files are the file
    // the message is about.
    let this = if kind == FileKind::Data {
        format!("`{display}`")
    } else {
        "this file".to_string()
    };
    let full = root.join(&display);
    let canon_root = root
        .canonicalize()
        .map_err(|e| format!("cannot open the project directory: {e}"))?;
    let canon = full.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound if kind == FileKind::Data => {
            format!("`{display}` does not exist")
        }
        std::io::ErrorKind::NotFound => {
            format!("{this} is a symbolic link to a file that does not exist")
        }
        _ if e.raw_os_error() == Some(40) => format!(
            "{this} is a loop of symbolic links; {} must be regular files",
            kind.plural()
        ),
        _ => format!("cannot open {this}: {e}"),
    })?;
    if !canon.starts_with(&canon_root) {
        let what = if kind == FileKind::Data {
            format!("`{}`", crate::diag::excerpt(rel, 120))
        } else {
            this.clone()
        };
        return Err(format!(
            "{what} resolves outside the project directory (through a symbolic link); {} must be inside it",
            kind.plural()
        ));
    }
    // `canon` has no links left: its metadata is the file's own.
    let meta = std::fs::metadata(&canon).map_err(|e| format!("cannot open {this}: {e}"))?;
    if meta.is_dir() && kind == FileKind::Data {
        return Err(format!("`{display}` is a directory, not a data file"));
    }
    if !meta.is_file() {
        return Err(format!(
            "{this} is {}; only regular files are read",
            file_type_name(meta.file_type())
        ));
    }
    let limit = kind.limit();
    let too_large = |size: u64| {
        format!(
            "{this} is {}; {} larger than {} are not read",
            megabytes(size),
            kind.plural(),
            limit_megabytes(limit)
        )
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(&canon).map_err(|e| format!("cannot read {this}: {e}"))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {this}: {e}"))?;
    if bytes.len() as u64 > limit {
        // It grew while being read.
        return Err(too_large(bytes.len() as u64));
    }
    Ok((display, bytes))
}

/// Whether something exists at `rel` under `root` (a file, a link — even a broken one —, a
/// pipe...), without following links.
pub fn exists(root: &Path, rel: &str) -> bool {
    std::fs::symlink_metadata(root.join(rel)).is_ok()
}

/// The line and column (1-based, in characters) of the first byte that is not UTF-8, and the
/// byte.
pub fn first_bad_byte(bytes: &[u8], valid_up_to: usize) -> (usize, usize, u8) {
    let good = &bytes[..valid_up_to];
    let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
    (line, column, bytes.get(valid_up_to).copied().unwrap_or(0))
}
