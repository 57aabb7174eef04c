//! `metareport diff [OLD] [NEW]`: what changed in the paper between two versions of the
//! project — git revisions (default `HEAD` and the working tree) or directories.
//!
//! Exit codes differ from the other commands: 0 when nothing changed, 1 when something did
//! (usable in CI), 2 on any error (a revision that does not exist, a version that does not
//! build, revisions outside a git repository).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::diff::{self, DiffError, Side, git};
use crate::project::Failure;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For the terminal.
    Text,
    /// For scripts: every number that moved, at full precision.
    Json,
    /// Markdown, to paste into a response to reviewers.
    Md,
}

/// Arguments of `metareport diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version: a git revision of the project (default HEAD) or a directory holding a
    /// project.
    pub old: Option<String>,
    /// The new version: a git revision or a directory (default: the project as it is on disk,
    /// the working tree).
    pub new: Option<String>,
    /// The project whose revisions are compared (default: the current directory).
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// A version as given on the command line.
enum Version {
    WorkingTree,
    Directory(PathBuf),
    Revision(String),
}

fn version(arg: Option<&str>, default: Version) -> Version {
    match arg {
        None => default,
        // An existing directory is a directory; anything else is a revision (`NAME^0` names
        // a revision that shares its name with a directory).
        Some(a) if Path::new(a).is_dir() => Version::Directory(PathBuf::from(a)),
        Some(a) => Version::Revision(a.to_string()),
    }
}

/// Loads one version; a revision's temporary directory lives in `keep` until the comparison
/// is done, and is removed when `keep` is dropped, whatever happens.
fn load(v: &Version, project: &Path, keep: &mut Vec<git::Checkout>) -> Result<Side, DiffError> {
    match v {
        Version::WorkingTree => Side::load(project, "working tree", None, None),
        Version::Directory(d) => Side::load(d, &d.display().to_string(), None, None),
        Version::Revision(rev) => {
            let c = git::checkout(project, rev)?;
            let label = format!("{rev} ({})", &c.commit[..c.commit.len().min(10)]);
            let side = Side::load(c.path(), &label, Some(c.commit.clone()), c.manifest.clone());
            keep.push(c);
            side
        }
    }
}

/// Makes the report (every temporary directory is gone when this returns).
fn report(args: &DiffArgs) -> Result<diff::Report, DiffError> {
    let old = version(args.old.as_deref(), Version::Revision("HEAD".into()));
    let new = version(args.new.as_deref(), Version::WorkingTree);
    // Messages name the project by its full path ("." says little).
    let dir = std::fs::canonicalize(&args.dir).map_err(|e| {
        DiffError::Other(format!(
            "cannot open the project {}: {e}",
            args.dir.display()
        ))
    })?;
    let mut keep = Vec::new();
    let a = load(&old, &dir, &mut keep)?;
    let b = load(&new, &dir, &mut keep)?;
    let r = diff::compare(&a, &b);
    drop(keep);
    r
}

pub fn run(args: DiffArgs) -> Result<(), Failure> {
    let r = report(&args).map_err(|e| Failure::Io(e.to_string()))?;
    let out = match args.format {
        Format::Text => diff::render::text(&r),
        Format::Md => diff::render::markdown(&r),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&r).map_err(|e| Failure::Io(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .map_err(|e| Failure::Io(format!("cannot write the report: {e}")))?;
    if r.changed {
        // Documented: 1 when something changed (nothing is left to clean up here).
        std::process::exit(1);
    }
    Ok(())
}
