//! A review project: a directory with `analyses/*.yaml` (and their data), built into `out/`.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::{self, Spec};

/// Why a command failed, and its exit code.
#[derive(Debug, Clone)]
pub enum Failure {
    /// Invalid input or an analysis that cannot be run (exit 1).
    Input(Diagnostics),
    /// Outputs are stale (`build --check`, exit 1).
    Stale(Vec<String>),
    /// I/O or internal error (exit 2).
    Io(String),
}

impl Failure {
    /// The documented exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Input(_) | Failure::Stale(_) => 1,
            Failure::Io(_) => 2,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Input(d) => write!(f, "{d}"),
            Failure::Stale(items) => write!(
                f,
                "error: {} output(s) are out of date:\n  {}",
                items.len(),
                items.join("\n  ")
            ),
            Failure::Io(m) => write!(f, "error: {m}"),
        }
    }
}

impl From<Diagnostics> for Failure {
    fn from(d: Diagnostics) -> Self {
        Failure::Input(d)
    }
}

/// The project root and its specs.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    /// Spec paths relative to the root, sorted ("analyses/bcg.yaml").
    pub specs: Vec<String>,
}

impl Project {
    /// Finds the specs of the project in `root`.
    pub fn open(root: &Path) -> Result<Project, Failure> {
        let dir = root.join("analyses");
        if !dir.is_dir() {
            return Err(Failure::Input(Diagnostic::file(
                root.display().to_string(),
                "no `analyses/` directory here: a project keeps its review specs in analyses/*.yaml (`metareport init` makes one)",
            )
            .into()));
        }
        let mut specs = Vec::new();
        for e in std::fs::read_dir(&dir)
            .map_err(|e| Failure::Io(format!("cannot list {}: {e}", dir.display())))?
        {
            let e = e.map_err(|e| Failure::Io(format!("cannot list {}: {e}", dir.display())))?;
            let name = e.file_name().to_string_lossy().into_owned();
            // Anything but a real directory named *.yaml is a spec: a link or a pipe is then
            // refused by the reader with a message, rather than skipped silently.
            let dir = e.file_type().is_ok_and(|t| t.is_dir());
            if (name.ends_with(".yaml") || name.ends_with(".yml")) && !dir {
                specs.push(format!("analyses/{name}"));
            }
        }
        specs.sort();
        if specs.is_empty() {
            return Err(Failure::Input(
                Diagnostic::file("analyses", "no review specs (*.yaml) in analyses/").into(),
            ));
        }
        Ok(Project {
            root: root.to_path_buf(),
            specs,
        })
    }

    /// Loads and validates every spec, reporting the problems of all of them together.
    pub fn load_all(&self) -> Result<Vec<Spec>, Failure> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for s in &self.specs {
            match spec::load(&self.root, s) {
                Ok(spec) => out.push(spec),
                Err(d) => errors.extend(d.0),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(Failure::Input(Diagnostics(errors)))
        }
    }
}
