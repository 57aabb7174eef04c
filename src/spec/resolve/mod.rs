//! `RawSpec` → [`Spec`]: reads the data files (inside the project only), binds columns,
//! checks names and references, resolves every setting. Reports all problems at once.
//!
//! One file per spec section: `studies.rs` (Table 1), `prisma.rs`, `outcome.rs` (which calls
//! `data.rs`, `model.rs`, `subgroups.rs`, `sensitivity.rs`, `heterogeneity.rs` and `display.rs`
//! for the parts of an outcome, and `decimals.rs` for its forest plot's numbers), `baseline.rs`,
//! `summary_of_findings.rs` (the GRADE table) and `manuscript.rs` (tables and figures); `files.rs` reads files of
//! the project.

mod baseline;
mod conversions;
mod data;
mod decimals;
mod display;
pub mod files;

mod heterogeneity;
mod manuscript;
mod missing;
mod model;
mod outcome;
mod per_scale;
mod prisma;
mod risk_of_bias;
mod sensitivity;
mod studies;
mod subgroups;
mod submission;
mod summary_of_findings;
mod vocabulary;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::check::Checker;
use super::preset::Preset;
use super::raw::*;
use super::{InputFile, Reproducibility, Spec, Style, yaml};
use crate::data::{Table, table};
use crate::diag::{Diagnostic, Diagnostics};
pub use files::{FileKind, read_project_file};
pub use vocabulary::Vocabulary;

/// The JSON Schema of the spec (`metareport schema`).
pub fn schema_json() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RawSpec)).expect("the schema serialises")
}

/// The schema specs are checked against, generated once per process (a fifth of the time of a
/// build with nothing to do went into generating it for each spec).
static SCHEMA: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(schema_json);

struct Resolver<'a> {
    root: &'a Path,
    base: PathBuf,
    file: String,
    positions: BTreeMap<String, (usize, usize)>,
    diags: Vec<Diagnostic>,
    inputs: Vec<InputFile>,
    /// How messages name settings.
    vocabulary: Vocabulary,
}

impl Resolver<'_> {
    fn at(&self, path: &str) -> Diagnostic {
        let mut d = Diagnostic::file(&self.file, "").field(path);
        // The closest recorded ancestor gives the position.
        let mut p = path.to_string();
        loop {
            if let Some(&(l, c)) = self.positions.get(&p) {
                d = d.at(l, c);
                break;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => break,
            }
        }
        d
    }

    fn error(&mut self, path: &str, message: impl Into<String>, hint: Option<String>) {
        let mut d = self.at(path);
        d.message = message.into();
        d.hint = hint;
        self.diags.push(d);
    }

    /// Loads a table from `data:` (file) or `rows:` (inline).
    fn table(
        &mut self,
        path: &str,
        data: Option<&String>,
        sheet: Option<&String>,
        rows: Option<&Vec<BTreeMap<String, serde_json::Value>>>,
    ) -> Option<Table> {
        match (data, rows) {
            (Some(_), Some(_)) => {
                self.error(
                    path,
                    "give either `data:` (a file) or `rows:` (inline), not both",
                    None,
                );
                None
            }
            (None, None) => {
                self.error(
                    path,
                    "no data: give `data:` (a CSV or XLSX file, relative to the spec) or `rows:`",
                    None,
                );
                None
            }
            (Some(rel), None) => {
                match read_project_file(self.root, &self.base, rel, FileKind::Data) {
                    Ok((display, bytes)) => {
                        self.record_input(&display, &bytes);
                        match table::parse(&display, &bytes, sheet.map(String::as_str)) {
                            Ok(t) => Some(t),
                            Err(d) => {
                                self.diags.push(d);
                                None
                            }
                        }
                    }
                    Err(msg) => {
                        self.error(&format!("{path}.data"), msg, None);
                        None
                    }
                }
            }
            (None, Some(rows)) => {
                let lines: Vec<usize> = (0..rows.len())
                    .map(|i| {
                        self.positions
                            .get(&format!("{path}.rows[{i}]"))
                            .map_or(0, |p| p.0)
                    })
                    .collect();
                match table::from_inline(&self.file, rows, &lines) {
                    Ok(t) => Some(t),
                    Err(d) => {
                        self.diags.push(d);
                        None
                    }
                }
            }
        }
    }

    fn record_input(&mut self, display: &str, bytes: &[u8]) {
        if !self.inputs.iter().any(|i| i.path == display) {
            self.inputs.push(InputFile {
                path: display.to_string(),
                blake3: blake3::hash(bytes).to_hex().to_string(),
            });
        }
    }
}

/// Loads and validates one spec. `rel` is the spec's path relative to the project root; it is
/// read like every file of the project ([`read_project_file`]: inside the project, a regular
/// file, at most [`files::MAX_SPEC_BYTES`]).
pub fn load(root: &Path, rel: &str) -> Result<Spec, Diagnostics> {
    let file = rel.replace('\\', "/");
    let (_, bytes) = read_project_file(root, Path::new(""), &file, FileKind::Spec)
        .map_err(|e| Diagnostics::from(Diagnostic::file(&file, e)))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let (line, column, byte) = files::first_bad_byte(bytes, e.utf8_error().valid_up_to());
        Diagnostics::from(
            Diagnostic::file(
                &file,
                format!("the spec is not UTF-8 text: byte 0x{byte:02X} cannot start or continue a character"),
            )
            .at(line, column)
            .hint("save the file as UTF-8 (most editors offer it under \"Save with encoding\")"),
        )
    })?;
    load_text(root, &file, &text)
}

/// Loads a spec from its text (the file is only named in messages).
pub fn load_text(root: &Path, file: &str, text: &str) -> Result<Spec, Diagnostics> {
    let tree = yaml::parse(text).map_err(|e| {
        let mut d = Diagnostic::file(file, format!("invalid YAML: {}", e.message));
        d.line = e.line;
        d.column = e.column;
        d.hint = e.hint;
        Diagnostics::from(d)
    })?;
    let schema = &*SCHEMA;
    let mut checker = Checker::new(schema, file);
    let json = checker.convert(&tree, schema, "");
    if !checker.diagnostics.is_empty() {
        let mut d = checker.diagnostics;
        d.sort();
        return Err(Diagnostics(d));
    }
    let raw: RawSpec = serde_json::from_value(json)
        .map_err(|e| Diagnostics::from(Diagnostic::file(file, format!("invalid spec: {e}"))))?;
    let base = Path::new(file)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut r = Resolver {
        root,
        base,
        file: file.to_string(),
        positions: checker.positions,
        diags: Vec::new(),
        inputs: Vec::new(),
        vocabulary: Vocabulary::Spec,
    };
    r.record_input(file, text.as_bytes());
    let mut spec = resolve(&mut r, raw);
    if r.diags.is_empty() {
        spec_content_hash(&mut spec);
        Ok(spec)
    } else {
        r.diags.sort();
        r.diags.dedup();
        Err(Diagnostics(r.diags))
    }
}

/// Replaces the spec file's hash (`inputs[0]`, the hash of its bytes while resolving) by the
/// BLAKE3 of the resolved spec's canonical serialisation (its JSON, with that hash left
/// empty): what the spec says, not how it is written. Comments, blank lines, quoting and
/// layout do not change it, so a comment-only edit changes no cache key and no output (issue
/// 17); anything resolved from the spec — settings, their sources, the data bound to it —
/// does. The reproducibility appendix and results.json print this hash for the spec.
fn spec_content_hash(spec: &mut Spec) {
    let Some(first) = spec.inputs.first_mut() else {
        return;
    };
    let of_bytes = std::mem::take(&mut first.blake3);
    let mut h = blake3::Hasher::new();
    let hash = match serde_json::to_writer(&mut h, &*spec) {
        Ok(()) => h.finalize().to_hex().to_string(),
        Err(_) => of_bytes, // not reached: a resolved spec serialises
    };
    spec.inputs[0].blake3 = hash;
}

/// Resolves a spec built in memory from the flags of the `pool` command: `root` is the
/// directory its data paths are relative to, `label` names it in messages, which name the
/// flags (see [`Vocabulary`]).
pub fn resolve_raw(root: &Path, label: &str, raw: RawSpec) -> Result<Spec, Diagnostics> {
    let mut r = Resolver {
        root,
        base: PathBuf::new(),
        file: label.to_string(),
        positions: BTreeMap::new(),
        diags: Vec::new(),
        inputs: Vec::new(),
        vocabulary: Vocabulary::CommandLine,
    };
    r.inputs.push(InputFile {
        path: label.to_string(),
        blake3: String::new(),
    });
    let mut spec = resolve(&mut r, raw);
    // No output folder is named after an in-memory spec.
    r.diags
        .retain(|d| !d.message.starts_with("the spec's file name"));
    spec.id = "pool".into();
    for d in &mut r.diags {
        d.field = d.field.as_deref().and_then(|f| r.vocabulary.field(f));
    }
    if r.diags.is_empty() {
        Ok(spec)
    } else {
        Err(Diagnostics(r.diags))
    }
}

/// The longest outcome id: it names files (`forest-<id>.svg`, and their temporaries), and
/// file names are at most 255 bytes.
const MAX_ID_CHARS: usize = 64;

fn id_ok(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn resolve(r: &mut Resolver<'_>, raw: RawSpec) -> Spec {
    let id = Path::new(&r.file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !id_ok(&id) {
        r.diags.push(Diagnostic::file(&r.file, "the spec's file name must use only letters, digits, `-` and `_` (it names the output folder)"));
    }
    let preset = match raw.preset {
        Some(RawPreset::Revman5) => Preset::Revman5,
        _ => Preset::Metafor,
    };
    let studies = raw
        .studies
        .as_ref()
        .and_then(|s| studies::study_table(r, s));
    let prisma = raw.prisma.as_ref().map(|p| prisma::prisma(r, p));
    let mut rob = risk_of_bias::review(r, &raw);
    let mut outcomes = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, o) in raw.outcomes.iter().enumerate() {
        let path = format!("outcomes[{i}]");
        if o.id.chars().count() > MAX_ID_CHARS {
            // Ids name output files: a longer one would fail to be written (exit 2) half way.
            r.error(
                &format!("{path}.id"),
                format!(
                    "`{}` is too long to name files (at most {MAX_ID_CHARS} characters)",
                    crate::diag::excerpt(&o.id, 40)
                ),
                None,
            );
        } else if !id_ok(&o.id) {
            r.error(
                &format!("{path}.id"),
                format!(
                    "`{}` cannot name files: use letters, digits, `-` and `_`",
                    o.id
                ),
                None,
            );
        }
        if let Some(j) = seen.insert(o.id.clone(), i) {
            r.error(
                &format!("{path}.id"),
                format!("outcome id `{}` is already used by outcomes[{j}]", o.id),
                None,
            );
        }
        if let Some(out) = outcome::outcome(r, &path, o, &raw, rob.as_ref(), preset) {
            outcomes.push(out);
        }
    }
    let baseline = raw.baseline.as_ref().and_then(|b| baseline::baseline(r, b));
    let raw_ids: Vec<String> = raw.outcomes.iter().map(|o| o.id.clone()).collect();
    let sof = raw
        .summary_of_findings
        .as_ref()
        .and_then(|s| summary_of_findings::summary_of_findings(r, s, &outcomes, &raw_ids));
    risk_of_bias::check_coverage(r, rob.as_mut(), &mut outcomes, studies.as_ref());
    let style = match raw.manuscript.as_ref().and_then(|m| m.style) {
        Some(RawStyle::Journal) => Style::Journal,
        _ => Style::Plain,
    };
    let reproducibility = match raw.manuscript.as_ref().and_then(|m| m.reproducibility) {
        Some(RawReproducibility::None) => Reproducibility::None,
        _ => Reproducibility::Appendix,
    };
    let figures = manuscript::figures(r, &raw, &outcomes, prisma.is_some(), rob.as_ref());
    let tables = manuscript::tables(
        r,
        &raw,
        studies.is_some(),
        !raw.outcomes.is_empty(),
        baseline.is_some(),
        rob.as_ref()
            .or(outcomes.iter().find_map(|o| o.risk_of_bias.as_ref())),
    );
    let submission_settings = raw
        .submission
        .as_ref()
        .and_then(|s| submission::submission(r, s));
    let prisma_checklist = raw
        .prisma_checklist
        .as_ref()
        .map(|c| submission::prisma_checklist(r, c))
        .unwrap_or_default();
    if raw.outcomes.is_empty() && studies.is_none() && prisma.is_none() {
        r.diags.push(Diagnostic::file(
            &r.file,
            "the spec has nothing to report: give `outcomes`, `studies` or `prisma`",
        ));
    }
    Spec {
        id,
        file: r.file.clone(),
        short_title: raw.short_title.clone().unwrap_or_else(|| raw.title.clone()),
        title: raw.title,
        authors: raw.authors,
        source: raw.source,
        notes: raw.notes,
        preset,
        studies,
        prisma,
        outcomes,
        baseline,
        style,
        reproducibility,
        figures,
        tables,
        inputs: r.inputs.clone(),
        submission: submission_settings,
        prisma_checklist,
        risk_of_bias: rob,
        summary_of_findings: sof,
    }
}

/// The serde name of a raw enum value (as written in the spec).
pub(super) fn word<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}
