//! What changed in the paper between two versions of a review project (`metareport diff`).
//!
//! A version is a directory holding a project: the working tree, another directory, or a git
//! revision materialised in a temporary directory ([`git`]). [`Side::load`] reads one (the only
//! I/O here besides `git.rs`); everything after it is a pure function of two loaded sides:
//! [`compare`] analyses both, uses the build's cache keys (`build::plan`) to skip every output
//! that is identical by construction, and reports per review:
//!
//! - `inputs.rs`: spec keys (parsed YAML trees, so comments and layout are not changes), study
//!   rows added / removed / edited per outcome, Table 1 rows, templates, the recorded version;
//! - `numbers.rs`: every number of `results.json` that moved, walked generically by outcome and
//!   path, printed as the paper prints it, and the conclusions that changed;
//! - `prose.rs`: the sentences of the manuscript that changed, with a word-level diff;
//! - figures whose SVG bytes differ.
//!
//! `render.rs` prints the report as terminal text or Markdown; JSON is the report serialised.

pub mod git;
pub mod inputs;
pub mod numbers;
pub mod prose;
pub mod render;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::build::plan::{Product, Target, plan};
use crate::build::produce::{analyse_spec, figure_svg, manuscript_typst};
use crate::project::{Failure, Project};
use crate::report::render::Templates;
use crate::spec::Spec;
use crate::stats::analysis::Analysis;

/// Why a diff could not be made (every case exits 2).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DiffError {
    /// `git` could not be run.
    #[error(
        "cannot run git ({0}); comparing revisions needs git on the PATH (two directories can be compared without it)"
    )]
    GitMissing(String),
    /// Revisions were given for a directory outside any git repository.
    #[error(
        "{0} is not inside a git repository: revisions can only be compared in one (give two directories instead)"
    )]
    NotGit(String),
    /// The revision does not name a commit.
    #[error("no revision `{rev}` in the git repository of {dir}{detail}")]
    NoRevision {
        rev: String,
        dir: String,
        detail: String,
    },
    /// The project does not build at one of the versions.
    #[error("the project does not build at {side}:\n{errors}")]
    Build { side: String, errors: String },
    /// Anything else (I/O, git failing).
    #[error("{0}")]
    Other(String),
}

/// One version of the project, loaded and validated (not yet analysed).
#[derive(Debug, Clone)]
pub struct Side {
    /// How the version is named in the report ("HEAD (1a2b3c4d)", "working tree", a path).
    pub label: String,
    /// The commit, for a git revision.
    pub commit: Option<String>,
    /// The specs, sorted by file.
    pub specs: Vec<Spec>,
    /// Each spec's YAML as a tree (comments and layout gone), in the order of `specs`.
    pub trees: Vec<Value>,
    pub templates: Templates,
    /// The build's targets and keys.
    pub targets: Vec<Target>,
    /// The metareport version recorded in the version's `out/.metareport/manifest.json`, if any.
    pub recorded_version: Option<String>,
}

impl Side {
    /// Loads the project in `root` (specs, data, templates) and plans its outputs. A project
    /// that does not load is a [`DiffError::Build`] naming `label`.
    pub fn load(
        root: &Path,
        label: &str,
        commit: Option<String>,
        manifest: Option<Vec<u8>>,
    ) -> Result<Side, DiffError> {
        let fail = |f: Failure| DiffError::Build {
            side: label.to_string(),
            errors: f.to_string(),
        };
        let project = Project::open(root).map_err(fail)?;
        let specs = project.load_all().map_err(fail)?;
        let templates = Templates::load(root).map_err(|e| fail(Failure::Io(e)))?;
        let trees = specs
            .iter()
            .map(|s| {
                let text = std::fs::read_to_string(root.join(&s.file)).map_err(|e| {
                    DiffError::Other(format!("{label}: cannot read {}: {e}", s.file))
                })?;
                let node = crate::spec::yaml::parse(&text).map_err(|e| DiffError::Build {
                    side: label.to_string(),
                    errors: format!("{}: invalid YAML: {}", s.file, e.message),
                })?;
                Ok(crate::spec::yaml::to_json(&node, "", &mut BTreeMap::new()))
            })
            .collect::<Result<Vec<_>, DiffError>>()?;
        let targets = plan(&specs, &templates);
        let manifest = manifest.or_else(|| {
            std::fs::read(
                root.join(crate::build::manifest::STATE_DIR)
                    .join("manifest.json"),
            )
            .ok()
        });
        let recorded_version = manifest
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v.get("version").and_then(Value::as_str).map(String::from))
            .filter(|v| !v.is_empty());
        Ok(Side {
            label: label.to_string(),
            commit,
            specs,
            trees,
            templates,
            targets,
            recorded_version,
        })
    }

    /// Runs every analysis of every review (a review that cannot be analysed is an error: the
    /// project does not build at this version).
    pub fn analyse(&self) -> Result<Vec<Vec<Analysis>>, DiffError> {
        self.specs
            .iter()
            .map(|s| analyse_spec(s).map_err(|f| self.build_error(f)))
            .collect()
    }

    fn build_error(&self, f: Failure) -> DiffError {
        DiffError::Build {
            side: self.label.clone(),
            errors: f.to_string(),
        }
    }

    /// The key of the output at `path`, if this version has it.
    fn key(&self, path: &str) -> Option<&str> {
        self.targets
            .iter()
            .find(|t| t.path == path)
            .map(|t| t.key.as_str())
    }
}

/// A version in the report.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    pub label: String,
    pub commit: Option<String>,
}

/// What changed between two versions of the project.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub old: SideInfo,
    pub new: SideInfo,
    /// True when anything in the paper or its inputs changed (the exit code is 1).
    pub changed: bool,
    /// The metareport that built both versions for the comparison.
    pub built_with: String,
    /// The metareport version recorded in each version's `out/`, when it differs.
    pub version: Option<inputs::Change<String>>,
    /// Project templates that differ (they apply to every review's manuscript).
    pub templates: Vec<inputs::TemplateChange>,
    /// Every review of either version, in file order.
    pub reviews: Vec<ReviewReport>,
}

/// Whether a review is in one version, the other, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// What changed in one review.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewReport {
    pub id: String,
    /// The review's title (in the new version, or the old one for a removed review).
    pub title: String,
    pub file: String,
    pub status: Status,
    /// Outputs whose cache key differs (what `build` would rebuild), for information: a key
    /// also changes with a comment in the spec.
    pub rebuilt: Vec<String>,
    pub inputs: inputs::Inputs,
    /// Entries of results.json in one version only (outcomes, subgroups, sensitivity rows),
    /// with their headline result.
    pub entries: Vec<numbers::EntryChange>,
    /// Conclusions that changed: significance, the null in the CI, the model, k.
    pub conclusions: Vec<numbers::Conclusion>,
    /// Every number that moved (those that moved only beyond the printed precision are
    /// flagged, and left out of the text and Markdown reports).
    pub numbers: Vec<numbers::NumberChange>,
    /// The results that moved at printed precision, one line each (the text and Markdown
    /// reports; the JSON report has `numbers`).
    #[serde(skip)]
    pub moved: Vec<numbers::Moved>,
    /// The manuscript's sentences that changed, by section.
    pub prose: Vec<prose::SectionDiff>,
    pub figures: Vec<FigureChange>,
}

impl ReviewReport {
    /// True when something a reader of the paper would see changed.
    pub fn changed(&self) -> bool {
        self.status != Status::Unchanged
            && (matches!(self.status, Status::Added | Status::Removed)
                || self.inputs.changed()
                || !self.entries.is_empty()
                || !self.conclusions.is_empty()
                || !self.moved.is_empty()
                || !self.prose.is_empty()
                || !self.figures.is_empty())
    }
}

/// A figure whose SVG differs, or that is in one version only.
#[derive(Debug, Clone, Serialize)]
pub struct FigureChange {
    /// The figure's file ("out/bcg/figures/forest-tuberculosis.svg").
    pub path: String,
    /// "changed", "added" or "removed".
    pub change: &'static str,
    /// Sizes of the SVG in bytes (old, new).
    pub bytes: (Option<usize>, Option<usize>),
}

/// Compares two loaded versions of a project. Pure: analyses run in memory, and outputs
/// whose cache keys are equal on both sides are identical by construction and not made.
pub fn compare(old: &Side, new: &Side) -> Result<Report, DiffError> {
    let old_a = old.analyse()?;
    let new_a = new.analyse()?;
    let mut files: Vec<&str> = old
        .specs
        .iter()
        .chain(&new.specs)
        .map(|s| s.file.as_str())
        .collect();
    files.sort();
    files.dedup();
    let templates = inputs::templates(&old.templates, &new.templates);
    let version = match (&old.recorded_version, &new.recorded_version) {
        (Some(a), Some(b)) if a != b => Some(inputs::Change {
            old: a.clone(),
            new: b.clone(),
        }),
        _ => None,
    };
    let mut reviews = Vec::new();
    for file in files {
        let o = old.specs.iter().position(|s| s.file == file);
        let n = new.specs.iter().position(|s| s.file == file);
        let r = match (o, n) {
            (Some(o), Some(n)) => review(old, o, &old_a[o], new, n, &new_a[n])?,
            (Some(o), None) => presence(&old.specs[o], &old_a[o], Status::Removed),
            (None, Some(n)) => presence(&new.specs[n], &new_a[n], Status::Added),
            (None, None) => unreachable!("the file came from one of the sides"),
        };
        reviews.push(r);
    }
    let changed =
        version.is_some() || !templates.is_empty() || reviews.iter().any(ReviewReport::changed);
    Ok(Report {
        old: SideInfo {
            label: old.label.clone(),
            commit: old.commit.clone(),
        },
        new: SideInfo {
            label: new.label.clone(),
            commit: new.commit.clone(),
        },
        changed,
        built_with: crate::results::tool_id(),
        version,
        templates,
        reviews,
    })
}

/// A review in one version only.
fn presence(spec: &Spec, analyses: &[Analysis], status: Status) -> ReviewReport {
    let results = crate::results::results_json(spec, analyses);
    let none = serde_json::json!({"outcomes": []});
    let cmp = if status == Status::Added {
        numbers::compare(&none, &results)
    } else {
        numbers::compare(&results, &none)
    };
    ReviewReport {
        id: spec.id.clone(),
        title: spec.title.clone(),
        file: spec.file.clone(),
        status,
        rebuilt: Vec::new(),
        inputs: inputs::Inputs::default(),
        entries: cmp.entries,
        conclusions: Vec::new(),
        numbers: Vec::new(),
        moved: Vec::new(),
        prose: Vec::new(),
        figures: Vec::new(),
    }
}

/// A review in both versions.
fn review(
    old: &Side,
    oi: usize,
    old_a: &[Analysis],
    new: &Side,
    ni: usize,
    new_a: &[Analysis],
) -> Result<ReviewReport, DiffError> {
    let (os, ns) = (&old.specs[oi], &new.specs[ni]);
    let mine = |t: &&Target, si: usize| match t.product {
        Product::Results { spec }
        | Product::FigureSvg { spec, .. }
        | Product::FigurePng { spec, .. }
        | Product::Typst { spec }
        | Product::Pdf { spec } => spec == si,
        Product::Bibliography { spec } => spec == Some(si),
        _ => false,
    };
    // Outputs whose keys differ: what a build would remake.
    let mut rebuilt: Vec<String> = Vec::new();
    for t in new.targets.iter().filter(|t| mine(t, ni)) {
        if old.key(&t.path) != Some(t.key.as_str()) {
            rebuilt.push(t.path.clone());
        }
    }
    for t in old.targets.iter().filter(|t| mine(t, oi)) {
        if new.key(&t.path).is_none() {
            rebuilt.push(t.path.clone());
        }
    }
    rebuilt.sort();
    let stale = |path: &str| rebuilt.iter().any(|p| p == path);
    let dir = format!("out/{}", ns.id);

    let inputs = inputs::inputs(os, &old.trees[oi], ns, &new.trees[ni]);

    // Numbers and conclusions: only when results.json would differ.
    let (mut entries, mut conclusions, mut numbers, mut moved) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if stale(&format!("{dir}/results.json")) {
        let ro = crate::results::results_json(os, old_a);
        let rn = crate::results::results_json(ns, new_a);
        let cmp = numbers::compare(&ro, &rn);
        entries = cmp.entries;
        conclusions = cmp.conclusions;
        numbers = cmp.numbers;
        moved = cmp.moved;
    }

    // Prose: only when the manuscript's typst source would differ.
    let mut prose = Vec::new();
    if stale(&format!("{dir}/manuscript.typ")) {
        let to = manuscript_typst(os, old_a, &old.templates).map_err(|f| old.build_error(f))?;
        let tn = manuscript_typst(ns, new_a, &new.templates).map_err(|f| new.build_error(f))?;
        if to != tn {
            prose = prose::diff_sections(&prose::sections(&to), &prose::sections(&tn));
        }
    }

    // Figures: drawn only when their keys differ, compared byte for byte.
    let mut figures = Vec::new();
    let stems = |s: &Spec| -> Vec<(String, usize)> {
        s.figures
            .iter()
            .enumerate()
            .map(|(i, f)| (format!("{dir}/figures/{}.svg", f.stem()), i))
            .collect()
    };
    let (of, nf) = (stems(os), stems(ns));
    for (path, i) in &nf {
        match of.iter().find(|(p, _)| p == path) {
            None => {
                let n = figure_svg(ns, new_a, *i).map_err(|f| new.build_error(f))?;
                figures.push(FigureChange {
                    path: path.clone(),
                    change: "added",
                    bytes: (None, Some(n.len())),
                });
            }
            Some((_, j)) if stale(path) => {
                let o = figure_svg(os, old_a, *j).map_err(|f| old.build_error(f))?;
                let n = figure_svg(ns, new_a, *i).map_err(|f| new.build_error(f))?;
                if o != n {
                    figures.push(FigureChange {
                        path: path.clone(),
                        change: "changed",
                        bytes: (Some(o.len()), Some(n.len())),
                    });
                }
            }
            Some(_) => {}
        }
    }
    for (path, j) in &of {
        if !nf.iter().any(|(p, _)| p == path) {
            let o = figure_svg(os, old_a, *j).map_err(|f| old.build_error(f))?;
            figures.push(FigureChange {
                path: path.clone(),
                change: "removed",
                bytes: (Some(o.len()), None),
            });
        }
    }
    figures.sort_by(|a, b| a.path.cmp(&b.path));

    let mut r = ReviewReport {
        id: ns.id.clone(),
        title: ns.title.clone(),
        file: ns.file.clone(),
        status: Status::Changed,
        rebuilt,
        inputs,
        entries,
        conclusions,
        numbers,
        moved,
        prose,
        figures,
    };
    if !r.changed() {
        r.status = Status::Unchanged;
    }
    Ok(r)
}
