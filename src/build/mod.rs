//! Building a project make-style: every output has a key (a blake3 hash of everything that
//! determines it), a manifest in `out/` records the keys and the hashes of the files written,
//! and only outputs whose key changed, or whose file is missing or was altered, are rebuilt.
//!
//! - `plan.rs`: the targets of a project and their keys (what each output depends on)
//! - `manifest.rs`: the manifest (untrusted: only plain paths under `out/` are used), the lock
//! - `outdir.rs`: writing, reading and removing under `out/` (atomic, never through a link)
//! - `produce.rs`: making the bytes of each output (analyses, figures, manuscript, PDF)
//! - `unprintable.rs`: the note on characters the shipped fonts cannot draw
//! - `edits.rs`: outputs edited by hand, which a build refuses to overwrite (unless `--force`)
//! - `reuse.rs`: early cutoff — a stale output made from the same content is kept, not remade
//! - `report_pages.rs`: `report.pdf` — a cover and contents, then each review's compiled
//!   `manuscript.pdf` pages as they are
//!
//! A build validates every spec and runs every analysis it needs before writing anything; a
//! failure leaves the earlier outputs as they were and writes nothing (the lock is taken on the
//! project directory itself, so not even a lock file is left).

pub mod edits;
pub mod manifest;
pub mod memo;
pub mod outdir;
pub mod plan;
pub mod produce;
pub mod report_pages;
pub mod reuse;
pub mod stat_cache;
pub mod submission;
pub mod submission_plan;
pub mod unprintable;

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use crate::diag::{Diagnostic, Diagnostics};
use crate::project::{Failure, Project};
use crate::report::render::Templates;
use crate::spec::{Outcome, Spec};
use crate::stats::AnalysisError;

pub use plan::{Target, plan};

/// An analysis error as diagnostics naming the file, line and column at fault.
pub fn analysis_failure(spec: &Spec, outcome: &Outcome, e: AnalysisError) -> Failure {
    let file = outcome
        .data_file
        .clone()
        .unwrap_or_else(|| spec.file.clone());
    match e {
        AnalysisError::InvalidData(errors) => Failure::Input(Diagnostics(
            errors
                .into_iter()
                .map(|se| {
                    let mut d =
                        Diagnostic::file(&file, format!("study \"{}\": {}", se.study, se.message));
                    d.line = outcome.lines.get(se.row - 1).copied();
                    d.column = outcome.column_numbers.get(&se.field).copied();
                    let column = outcome.columns.get(&se.field).cloned().unwrap_or(se.field);
                    d.field = Some(format!("column `{column}`"));
                    d
                })
                .collect(),
        )),
        e => Failure::Input(Diagnostics(vec![Diagnostic::file(
            file,
            format!("outcome `{}`: {e}", outcome.id),
        )])),
    }
}

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Rebuild everything.
    pub force: bool,
    /// Write nothing; fail if anything is stale.
    pub check: bool,
    /// Parallel jobs.
    pub jobs: usize,
    /// Print nothing but errors.
    pub quiet: bool,
}

/// What a build did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Outputs written (paths relative to the project).
    pub built: Vec<String>,
    /// Outputs whose inputs changed but that came out the same bytes: not written (`reuse.rs`).
    pub unchanged: Vec<String>,
    /// Outputs that were up to date.
    pub fresh: usize,
    /// Leftover outputs removed.
    pub removed: Vec<String>,
    /// Problems that did not stop the build (manifest entries ignored, a leftover not removed).
    pub warnings: Vec<String>,
}

/// Builds the project in `root` into `root/out`.
pub fn build(root: &Path, opts: &BuildOptions) -> Result<Summary, Failure> {
    let start = Instant::now();
    let project = Project::open(root)?;
    let specs = project.load_all()?;
    let templates = Templates::load(root)?;
    let targets = plan(&specs, &templates);

    // A problem with out/ itself is not one of the inputs: exit 2, as for any write failure.
    outdir::check_out_dir(root).map_err(|r| Failure::Io(r.to_string()))?;
    let _lock = if opts.check {
        None
    } else {
        Some(manifest::Lock::acquire(root)?)
    };
    let mut old = manifest::Manifest::read(root);
    let mut warnings = std::mem::take(&mut old.ignored);
    if old.version != crate::results::tool_id() {
        // Outputs made by another metareport are never trusted.
        old.outputs
            .values_mut()
            .for_each(|e| e.key = format!("built by metareport {}", old.version));
    }
    // Outputs whose files look as when last known good are not read (`stat_cache.rs`).
    let mut stats = stat_cache::StatCache::read(root);
    let mut hashed = Vec::new();
    let stale: Vec<&Target> = targets
        .iter()
        .filter(|t| {
            if opts.force {
                return true;
            }
            if stats.fresh(&old, root, t) {
                return false;
            }
            let stale = old.staleness(root, t).is_some();
            if !stale {
                hashed.push(t.path.as_str());
            }
            stale
        })
        .collect();
    if opts.check {
        print_warnings(&warnings, opts.quiet);
        if stale.is_empty() {
            return Ok(Summary {
                fresh: targets.len(),
                warnings,
                ..Summary::default()
            });
        }
        return Err(Failure::Stale(
            stale
                .iter()
                .map(|t| {
                    format!(
                        "{} ({})",
                        t.path,
                        old.staleness(root, t).unwrap_or("forced")
                    )
                })
                .collect(),
        ));
    }
    let leftovers = old.leftovers(&targets);
    // Outputs edited by hand are never overwritten or removed silently.
    if !opts.force {
        let rewrite: Vec<&str> = stale.iter().map(|t| t.path.as_str()).collect();
        if let Some(f) = edits::refuse(&old, root, &rewrite, &leftovers) {
            return Err(f);
        }
    }
    if stale.is_empty() && leftovers.is_empty() {
        tidy(root);
        if !warnings.is_empty() {
            // Drop the ignored entries from the manifest.
            old.write(root).map_err(Failure::Io)?;
        }
        note_hashed(&mut stats, root, &old, &hashed);
        // Only a cache: a build that cannot update it still did its work.
        let _ = stats.write(root, &old);
        print_warnings(&warnings, opts.quiet);
        if !opts.quiet {
            // Nothing to do: the notes of the current outputs, as the build that made them said.
            for note in current_notes(root, &targets) {
                eprintln!("note: {note}");
            }
            eprintln!(
                "metareport: {} outputs up to date ({:.0} ms)",
                targets.len(),
                start.elapsed().as_secs_f64() * 1e3
            );
        }
        return Ok(Summary {
            fresh: targets.len(),
            warnings,
            ..Summary::default()
        });
    }
    // Every output must be writable without passing through a link, before anything is made.
    let mut refused: Vec<String> = stale
        .iter()
        .filter_map(|t| outdir::check_no_links(root, &t.path).err())
        .map(|r| r.to_string())
        .collect();
    refused.sort();
    refused.dedup();
    if !refused.is_empty() {
        return Err(Failure::Io(refused.join("\nerror: ")));
    }

    register_png_files(root, &old, &targets, &stale);
    // Everything the stale outputs need, computed before anything is written.
    let reuse = reuse::Reuse::new(root, &old, opts.force);
    let produced = produce::produce(&specs, &templates, &stale, opts, &reuse)?;
    if !opts.quiet {
        for w in &produced.warnings {
            eprintln!("note: {w}");
        }
    }
    tidy(root);
    let mut new = old.clone();
    let mut built = Vec::new();
    let mut unchanged = Vec::new();
    let written = write_outputs(root, &stale, &produced.outputs, &reuse, opts.jobs);
    for ((target, made), w) in stale.iter().zip(produced.outputs).zip(written) {
        let (hash, len, same) = match w {
            Some(w) => w?,
            // Kept: the file holds what the manifest recorded (`Reuse::kept` read it).
            None => match old
                .outputs
                .get(&target.path)
                .and_then(|e| Some((e, e.len.or_else(|| outdir::len(root, &target.path))?)))
            {
                Some((e, len)) => (e.blake3.clone(), len, true),
                None => {
                    return Err(Failure::Io(format!(
                        "{}: kept but not recorded",
                        target.path
                    )));
                }
            },
        };
        new.record_hash(target, hash, len, made.content);
        if same {
            unchanged.push(target.path.clone());
        } else {
            built.push(target.path.clone());
        }
    }
    let mut removed = Vec::new();
    for path in leftovers {
        match outdir::remove(root, &path) {
            Ok(_) => {
                outdir::remove_empty_parents(root, &path);
                removed.push(path.clone());
            }
            Err(e) => warnings.push(format!("{e}; it was not removed")),
        }
        new.forget(&path);
    }
    new.version = crate::results::tool_id();
    new.write(root).map_err(Failure::Io)?;
    for target in &stale {
        if let Some(e) = new.outputs.get(&target.path) {
            stats.note(root, &target.path, &e.blake3);
        }
    }
    note_hashed(&mut stats, root, &new, &hashed);
    let _ = stats.write(root, &new);
    print_warnings(&warnings, opts.quiet);
    if !opts.quiet {
        eprintln!(
            "metareport: built {} output(s), {} up to date{}{} ({:.2} s)",
            built.len(),
            targets.len() - built.len() - unchanged.len(),
            if unchanged.is_empty() {
                String::new()
            } else {
                format!(", {} remade unchanged", unchanged.len())
            },
            if removed.is_empty() {
                String::new()
            } else {
                format!(", removed {}", removed.len())
            },
            start.elapsed().as_secs_f64()
        );
    }
    Ok(Summary {
        fresh: targets.len() - built.len() - unchanged.len(),
        built,
        unchanged,
        removed,
        warnings,
    })
}

/// An output's hash and length, and whether its file already held those bytes (and was not
/// written).
type Written = Result<(String, u64, bool), Failure>;

/// Hashes the outputs made and writes those whose bytes differ from the file in `out/`, over
/// `jobs` threads (a few hundred files on a cold build, most of its last tens of milliseconds
/// when written one after the other): for each, its hash and whether it was the same bytes
/// (not written), or `None` when nothing was made (kept).
fn write_outputs(
    root: &Path,
    stale: &[&Target],
    made: &[reuse::Made],
    reuse: &reuse::Reuse,
    jobs: usize,
) -> Vec<Option<Written>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let write = |target: &Target, bytes: &[u8]| -> Written {
        let hash = blake3::hash(bytes).to_hex().to_string();
        let same = reuse.enabled() && reuse.same_bytes(&target.path, &hash, bytes.len() as u64);
        if !same {
            outdir::write(root, &target.path, bytes).map_err(Failure::Io)?;
        }
        Ok((hash, bytes.len() as u64, same))
    };
    let next = AtomicUsize::new(0);
    let done: std::sync::Mutex<Vec<Option<Written>>> =
        std::sync::Mutex::new((0..made.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, made.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(m) = made.get(i) else { break };
                    let r = m.bytes.as_deref().map(|b| write(stale[i], b));
                    done.lock().expect("no writer panics holding the lock")[i] = r;
                }
            });
        }
    });
    done.into_inner().expect("writers finished")
}

/// Tells the figure export where the up-to-date figure PNGs are, by their SVG's hash: a Word
/// file (the combined report's above all) embeds them as they are instead of drawing them.
fn register_png_files(
    root: &Path,
    manifest: &manifest::Manifest,
    targets: &[Target],
    stale: &[&Target],
) {
    use plan::Product;
    let stale: std::collections::BTreeSet<&str> = stale.iter().map(|t| t.path.as_str()).collect();
    // A PNG is a function of its SVG's bytes (and of this metareport): a stale one made by
    // this metareport is still the PNG of the SVG the manifest recorded beside it.
    let same_tool = manifest.version == crate::results::tool_id();
    let fresh = |t: &&Target| same_tool || !stale.contains(t.path.as_str());
    for png in targets.iter().filter(fresh) {
        let Product::FigurePng { spec, figure } = png.product else {
            continue;
        };
        let svg = targets.iter().filter(fresh).find(|t| {
            matches!(t.product, Product::FigureSvg { spec: s, figure: f } if s == spec && f == figure)
        });
        let (Some(svg), Some(png_entry)) = (svg, manifest.outputs.get(&png.path)) else {
            continue;
        };
        let Some(svg_entry) = manifest.outputs.get(&svg.path) else {
            continue;
        };
        let (root, rel, blake3) = (
            root.to_path_buf(),
            png.path.clone(),
            png_entry.blake3.clone(),
        );
        let max = png_entry
            .len
            .map_or(outdir::MAX_READ_BACK, |n| n.min(outdir::MAX_READ_BACK));
        crate::plot::export::register_png_file(
            &svg_entry.blake3,
            std::sync::Arc::new(move || {
                outdir::read(&root, &rel, max)
                    .filter(|b| blake3::hash(b).to_hex().as_str() == blake3)
            }),
        );
    }
}

/// Records the signatures of the outputs found up to date by reading and hashing them.
fn note_hashed(
    stats: &mut stat_cache::StatCache,
    root: &Path,
    manifest: &manifest::Manifest,
    paths: &[&str],
) {
    for path in paths {
        if let Some(e) = manifest.outputs.get(*path) {
            stats.note(root, path, &e.blake3);
        }
    }
}

fn print_warnings(warnings: &[String], quiet: bool) {
    if !quiet {
        for w in warnings {
            eprintln!("warning: {w}");
        }
    }
}

/// Removes the temporaries of a killed build (no other build runs: the lock is held) and what
/// older versions kept in `out/.metareport/`.
fn tidy(root: &Path) {
    outdir::sweep_temporaries(root);
    remove_legacy_state(root);
}

/// Removes what older versions kept in `out/.metareport/`: the sources of failed typst
/// compilations and the lock file (the lock is now taken on the project directory).
pub fn remove_legacy_state(root: &Path) {
    let failed = root.join(manifest::STATE_DIR).join("failed");
    if std::fs::symlink_metadata(&failed).is_ok_and(|m| m.is_dir()) {
        let _ = std::fs::remove_dir_all(&failed);
    }
    let lock = root.join(manifest::STATE_DIR).join("lock");
    if std::fs::symlink_metadata(&lock).is_ok_and(|m| m.is_file()) {
        let _ = std::fs::remove_file(&lock);
    }
}

/// The notes kept in the `notes.txt` outputs of the targets.
fn current_notes(root: &Path, targets: &[Target]) -> Vec<String> {
    targets
        .iter()
        .filter(|t| matches!(t.product, plan::Product::Notes { .. }))
        .filter_map(|t| {
            outdir::read(root, &t.path, outdir::MAX_READ_BACK)
                .and_then(|b| String::from_utf8(b).ok())
        })
        .flat_map(|text| crate::report::notes::read(&text))
        .collect()
}

/// Whether a progress bar should be shown.
pub fn show_progress(quiet: bool, n: usize) -> bool {
    !quiet && n > 1 && std::io::stderr().is_terminal()
}
