//! `RawSpec` → [`Spec`]: reads the data files (inside the project only), binds columns,
//! checks names and references, resolves every setting. Reports all problems at once.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::check::Checker;
use super::preset::{Layers, Preset, Setting};
use super::raw::*;
use super::{
    Baseline, BaselineCharacteristic, Figure, FigureKind, Forest, Funnel, InputFile, Outcome,
    Prisma, Spec, StudyTable, Style, TableKind, yaml,
};
use crate::data::{self, InputKind, Table, bind, table};
use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::stats::analysis::{BiasOptions, ExclusionSet, Options, Pooling, SensitivityOptions};
use crate::stats::effect::{CiRule, Continuity, CorrectionKind, CorrectionScope};
use crate::stats::qprofile::I2Interval;
use crate::stats::tau2::Control;
use crate::stats::{CiMethod, Measure, ModelChoice, PredictionKind, StudyInput, Tau2Method};

/// The JSON Schema of the spec (`metareport schema`).
pub fn schema_json() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RawSpec)).expect("the schema serialises")
}

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

struct Resolver<'a> {
    root: &'a Path,
    base: PathBuf,
    file: String,
    positions: BTreeMap<String, (usize, usize)>,
    diags: Vec<Diagnostic>,
    inputs: Vec<InputFile>,
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
            (Some(rel), None) => match read_project_file(self.root, &self.base, rel) {
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
            },
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

/// Loads and validates one spec. `rel` is the spec's path relative to the project root.
pub fn load(root: &Path, rel: &str) -> Result<Spec, Diagnostics> {
    let file = rel.replace('\\', "/");
    let text = std::fs::read(root.join(rel)).map_err(|e| {
        Diagnostics::from(Diagnostic::file(
            &file,
            format!("cannot read the spec: {e}"),
        ))
    })?;
    let text = String::from_utf8(text)
        .map_err(|_| Diagnostics::from(Diagnostic::file(&file, "the spec is not UTF-8 text")))?;
    load_text(root, &file, &text)
}

/// Loads a spec from its text (the file is only named in messages).
pub fn load_text(root: &Path, file: &str, text: &str) -> Result<Spec, Diagnostics> {
    let tree = yaml::parse(text).map_err(|e| {
        let mut d = Diagnostic::file(file, format!("invalid YAML: {}", e.message));
        d.line = e.line;
        d.column = e.column;
        Diagnostics::from(d)
    })?;
    let schema = schema_json();
    let mut checker = Checker::new(&schema, file);
    let json = checker.convert(&tree, &schema, "");
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
    };
    r.record_input(file, text.as_bytes());
    let spec = resolve(&mut r, raw);
    if r.diags.is_empty() {
        Ok(spec)
    } else {
        r.diags.sort();
        r.diags.dedup();
        Err(Diagnostics(r.diags))
    }
}

/// Resolves a spec built in memory (the `pool` command): `root` is the directory its data
/// paths are relative to, `label` names it in messages.
pub fn resolve_raw(root: &Path, label: &str, raw: RawSpec) -> Result<Spec, Diagnostics> {
    let mut r = Resolver {
        root,
        base: PathBuf::new(),
        file: label.to_string(),
        positions: BTreeMap::new(),
        diags: Vec::new(),
        inputs: Vec::new(),
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
    if r.diags.is_empty() {
        Ok(spec)
    } else {
        Err(Diagnostics(r.diags))
    }
}

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
    let studies = raw.studies.as_ref().and_then(|s| study_table(r, s));
    let prisma = raw.prisma.as_ref().map(|p| prisma(r, p));
    let mut outcomes = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, o) in raw.outcomes.iter().enumerate() {
        let path = format!("outcomes[{i}]");
        if !id_ok(&o.id) {
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
        if let Some(out) = outcome(r, &path, o, raw.defaults.as_ref(), preset) {
            outcomes.push(out);
        }
    }
    let baseline = raw.baseline.as_ref().and_then(|b| baseline(r, b));
    let style = match raw.manuscript.as_ref().and_then(|m| m.style) {
        Some(RawStyle::Journal) => Style::Journal,
        _ => Style::Plain,
    };
    let figures = figures(r, &raw, &outcomes, prisma.is_some());
    let tables = tables(
        r,
        &raw,
        studies.is_some(),
        !raw.outcomes.is_empty(),
        baseline.is_some(),
    );
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
        figures,
        tables,
        inputs: r.inputs.clone(),
    }
}

fn study_table(r: &mut Resolver<'_>, s: &RawStudies) -> Option<StudyTable> {
    let t = r.table(
        "studies",
        s.data.as_ref(),
        s.sheet.as_ref(),
        s.rows.as_ref(),
    )?;
    let id = s.id.clone().unwrap_or_else(|| "study".into());
    let mut cols: Vec<(usize, String)> = Vec::new();
    if t.column(&id).is_none() {
        let d = bind::missing_column(&t, &id, "the study labels (set `studies.id`)");
        r.diags.push(d);
        return None;
    }
    match &s.columns {
        Some(cs) => {
            for (i, c) in cs.iter().enumerate() {
                match t.column(&c.column) {
                    Some(idx) => {
                        cols.push((idx, c.header.clone().unwrap_or_else(|| c.column.clone())))
                    }
                    None => {
                        let hint = did_you_mean(&c.column, t.headers.iter().map(String::as_str))
                            .map(|m| format!("did you mean `{m}`?"));
                        r.error(
                            &format!("studies.columns[{i}].column"),
                            format!(
                                "no column `{}` in {} (columns: {})",
                                c.column,
                                t.source,
                                t.headers.join(", ")
                            ),
                            hint,
                        );
                    }
                }
            }
        }
        None => cols = t.headers.iter().cloned().enumerate().collect(),
    }
    let rows = t
        .rows
        .iter()
        .map(|row| {
            cols.iter()
                .map(|(i, _)| {
                    row.cells
                        .get(*i)
                        .map(data::Cell::display)
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    Some(StudyTable {
        headers: cols.into_iter().map(|(_, h)| h).collect(),
        rows,
        caption: s.caption.clone(),
        footnote: s.footnote.clone(),
    })
}

fn prisma(r: &mut Resolver<'_>, p: &RawPrisma) -> Prisma {
    let out = Prisma {
        databases: p.databases,
        database_names: p.database_names.clone().unwrap_or_default(),
        registers: p.registers,
        other_methods: p.other_methods,
        duplicates_removed: p.duplicates_removed,
        automation_removed: p.automation_removed,
        other_removed: p.other_removed,
        screened: p.screened,
        screened_excluded: p.screened_excluded,
        sought: p.sought,
        not_retrieved: p.not_retrieved,
        assessed: p.assessed,
        excluded: p
            .excluded
            .iter()
            .flatten()
            .map(|x| (x.reason.clone(), x.n))
            .collect(),
        included_studies: p.included_studies,
        included_reports: p.included_reports,
        caption: p.caption.clone(),
    };
    // Arithmetic that the diagram would otherwise show inconsistently.
    if let (Some(s), Some(db)) = (out.screened, out.databases) {
        let identified = db + out.registers.unwrap_or(0);
        let removed = out.duplicates_removed.unwrap_or(0)
            + out.automation_removed.unwrap_or(0)
            + out.other_removed.unwrap_or(0);
        let other = out.other_methods.unwrap_or(0);
        // Records found by other methods may or may not pass through screening.
        let fits = |n: u64| n >= removed && n - removed == s;
        if !fits(identified) && !fits(identified + other) {
            r.error(
                "prisma.screened",
                format!(
                    "{identified} records identified − {removed} removed before screening = {} but {s} records were screened",
                    identified as i64 - removed as i64
                ),
                None,
            );
        }
    }
    if let (Some(n), Some(nr), Some(a)) = (out.sought, out.not_retrieved, out.assessed)
        && (n < nr || n - nr != a)
    {
        r.error(
            "prisma.assessed",
            format!(
                "{n} reports sought − {nr} not retrieved = {} but {a} reports were assessed",
                n as i64 - nr as i64
            ),
            None,
        );
    }
    if let (Some(s), Some(e), Some(n)) = (out.screened, out.screened_excluded, out.sought)
        && (s < e || s - e != n)
    {
        r.error(
            "prisma.sought",
            format!(
                "{s} screened − {e} excluded = {} but {n} reports were sought",
                s as i64 - e as i64
            ),
            None,
        );
    }
    if let (Some(a), Some(inc)) = (out.assessed, out.included_studies.or(out.included_reports)) {
        let excl: u64 = out.excluded.iter().map(|x| x.1).sum();
        if !out.excluded.is_empty()
            && (a < excl || a - excl != out.included_reports.unwrap_or(inc))
            && out.included_reports.is_some()
        {
            r.error(
                "prisma.excluded",
                format!(
                    "{a} reports assessed − {excl} excluded ≠ {} reports included",
                    out.included_reports.unwrap_or(inc)
                ),
                None,
            );
        }
        if inc > a {
            r.error(
                "prisma.included_studies",
                format!("{inc} included is more than the {a} reports assessed"),
                None,
            );
        }
    }
    out
}

fn kind_of(k: RawInput) -> InputKind {
    match k {
        RawInput::Binary => InputKind::Binary,
        RawInput::Continuous => InputKind::Continuous,
        RawInput::EstimateCi => InputKind::EstimateCi,
        RawInput::Correlation => InputKind::Correlation,
        RawInput::YiVi => InputKind::YiVi,
        RawInput::YiSe => InputKind::YiSe,
    }
}

/// The serde name of a raw enum value (as written in the spec).
fn word<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn outcome(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    defaults: Option<&RawModel>,
    preset: Preset,
) -> Option<Outcome> {
    let measure = o.measure;
    let errors_before = r.diags.len();
    let table = r.table(path, o.data.as_ref(), o.sheet.as_ref(), o.rows.as_ref());
    let map = o.columns.clone().unwrap_or_default();
    let standard: Vec<&str> = std::iter::once("study")
        .chain(
            InputKind::ALL
                .iter()
                .flat_map(|k| k.columns().iter().copied()),
        )
        .collect();
    for k in map.keys() {
        if !standard.contains(&k.as_str()) {
            let hint =
                did_you_mean(k, standard.iter().copied()).map(|m| format!("did you mean `{m}`?"));
            r.error(
                &format!("{path}.columns.{k}"),
                format!(
                    "`{k}` is not a standard column name (expected one of: {})",
                    standard.join(", ")
                ),
                hint,
            );
        }
    }
    let table = table?;
    let kind = match o
        .input
        .map(kind_of)
        .or_else(|| bind::infer_kind(&table, &map))
    {
        Some(k) => k,
        None => {
            let kinds = InputKind::ALL
                .iter()
                .map(|k| format!("{} ({})", k.name(), k.columns().join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            r.error(path, format!("cannot tell the kind of data from the columns of {} ({}); expected the columns of one of: {kinds}", table.source, table.headers.join(", ")), Some("map columns with `columns:` or set `input:`".into()));
            return None;
        }
    };
    let probe = match kind {
        InputKind::Binary => crate::stats::StudyData::Binary {
            events_t: 0.0,
            total_t: 1.0,
            events_c: 0.0,
            total_c: 1.0,
        },
        InputKind::Continuous => crate::stats::StudyData::Continuous {
            mean_t: 0.0,
            sd_t: 1.0,
            n_t: 2.0,
            mean_c: 0.0,
            sd_c: 1.0,
            n_c: 2.0,
        },
        InputKind::EstimateCi => crate::stats::StudyData::EstimateCi {
            estimate: 1.0,
            lower: 0.5,
            upper: 2.0,
        },
        InputKind::Correlation => crate::stats::StudyData::Correlation { r: 0.0, n: 10.0 },
        InputKind::YiVi => crate::stats::StudyData::YiVi { yi: 0.0, vi: 1.0 },
        InputKind::YiSe => crate::stats::StudyData::YiSe { yi: 0.0, se: 1.0 },
    };
    if !crate::stats::effect::supports(&probe, measure) {
        r.error(
            &format!("{path}.measure"),
            format!(
                "{} data cannot give the measure {}",
                kind.name(),
                measure.code()
            ),
            None,
        );
    }
    let subgroup_col = o.subgroups.as_ref().map(|s| s.column.clone());
    let label = match o.label.as_deref().map(|t| bind::parse_label(&table, t)) {
        Some(Ok(parts)) => Some(parts),
        Some(Err(msg)) => {
            r.error(&format!("{path}.label"), msg, None);
            return None;
        }
        None => None,
    };
    let (mut studies, mut lines): (Vec<StudyInput>, Vec<usize>) = match bind::bind_studies(
        &table,
        kind,
        &map,
        subgroup_col.as_deref(),
        label.as_deref(),
    ) {
        Ok(b) => (b.studies, b.lines),
        Err(ds) => {
            r.diags.extend(ds);
            return None;
        }
    };

    // Model settings.
    let layers = Layers {
        outcome: o.model.as_ref(),
        review: defaults,
        preset: (preset, preset.model(o.measure)),
    };
    let mut settings = Vec::new();
    let pooling = layers.pick(
        "pooling",
        |m| m.pooling,
        word,
        RawPooling::InverseVariance,
        &mut settings,
    );
    let effects = layers.pick(
        "effects",
        |m| m.effects,
        word,
        RawEffects::Random,
        &mut settings,
    );
    let rule = layers.pick(
        "rule",
        |m| m.rule,
        |r: &RawRule| {
            format!(
                "fixed if p ≥ {}, no pooling if p < {}",
                r.fixed_if_p_at_least, r.no_pooling_if_p_below
            )
        },
        RawRule {
            fixed_if_p_at_least: 0.5,
            no_pooling_if_p_below: 0.05,
        },
        &mut settings,
    );
    if effects != RawEffects::Rule {
        settings.retain(|s| s.name != "rule");
    }
    let tau2 = layers.pick("tau2", |m| m.tau2, word, Tau2Method::REML, &mut settings);
    let ci = layers.pick("ci", |m| m.ci, word, RawCi::Z, &mut settings);
    let prediction = layers.pick(
        "prediction",
        |m| m.prediction,
        word,
        RawPrediction::Metafor,
        &mut settings,
    );
    let i2 = layers.pick("i2", |m| m.i2, word, RawI2::FromTau2, &mut settings);
    let i2_ci = layers.pick(
        "i2_ci",
        |m| m.i2_ci,
        word,
        I2Interval::QProfile,
        &mut settings,
    );
    let level = layers.pick("level", |m| m.level, |l| l.to_string(), 0.95, &mut settings);
    let se_from_ci = layers.pick(
        "se_from_ci",
        |m| m.se_from_ci,
        word,
        RawSeFromCi::Exact,
        &mut settings,
    );
    let cont_layer = |f: fn(&RawContinuity) -> Option<String>| {
        move |m: &RawModel| m.continuity.as_ref().and_then(f)
    };
    let add = layers.pick(
        "continuity.add",
        cont_layer(|c| c.add.map(|a| a.to_string())),
        Clone::clone,
        "0.5".into(),
        &mut settings,
    );
    let to = layers.pick(
        "continuity.to",
        cont_layer(|c| c.to.map(|t| word(&t))),
        Clone::clone,
        "only-zero".into(),
        &mut settings,
    );
    let ckind = layers.pick(
        "continuity.kind",
        cont_layer(|c| c.kind.map(|t| word(&t))),
        Clone::clone,
        "constant".into(),
        &mut settings,
    );
    let dz = layers.pick(
        "continuity.double_zero",
        cont_layer(|c| c.double_zero.map(|t| word(&t))),
        Clone::clone,
        "exclude".into(),
        &mut settings,
    );
    if kind != InputKind::Binary {
        settings.retain(|s| !s.name.starts_with("continuity"));
    }
    if kind != InputKind::EstimateCi {
        settings.retain(|s| s.name != "se_from_ci");
    }
    if !(level > 0.0 && level < 1.0) {
        r.error(
            &format!("{path}.model.level"),
            format!("the confidence level must lie between 0 and 1 (e.g. 0.95), found {level}"),
            None,
        );
    }
    let in_unit = |p: f64| (0.0..=1.0).contains(&p);
    if effects == RawEffects::Rule
        && !(in_unit(rule.no_pooling_if_p_below) && in_unit(rule.fixed_if_p_at_least))
    {
        r.error(
            &format!("{path}.model.rule"),
            format!(
                "the rule's thresholds are p-values and must lie between 0 and 1, found {} and {}",
                rule.fixed_if_p_at_least, rule.no_pooling_if_p_below
            ),
            None,
        );
    } else if effects == RawEffects::Rule
        && (rule.no_pooling_if_p_below > rule.fixed_if_p_at_least
            || rule.no_pooling_if_p_below.is_nan()
            || rule.fixed_if_p_at_least.is_nan())
    {
        r.error(
            &format!("{path}.model.rule"),
            format!(
                "the p below which nothing is pooled ({}) must not exceed the p from which the fixed-effect model is used ({})",
                rule.no_pooling_if_p_below, rule.fixed_if_p_at_least
            ),
            None,
        );
    }
    let pooling = match pooling {
        RawPooling::InverseVariance => Pooling::InverseVariance,
        RawPooling::MantelHaenszel => Pooling::MantelHaenszel,
        RawPooling::Peto => Pooling::Peto,
    };
    match pooling {
        Pooling::MantelHaenszel
            if !(kind == InputKind::Binary
                && matches!(measure, Measure::OR | Measure::RR | Measure::RD)) =>
        {
            r.error(
                &format!("{path}.model.pooling"),
                format!(
                    "Mantel–Haenszel pooling needs binary data and OR, RR or RD (here {} data, {})",
                    kind.name(),
                    measure.code()
                ),
                None,
            );
        }
        Pooling::Peto if !(kind == InputKind::Binary && measure == Measure::PetoOR) => {
            r.error(
                &format!("{path}.model.pooling"),
                "Peto pooling needs binary data and the measure PETO_OR",
                None,
            );
        }
        _ => {}
    }
    let mut options = Options::new(measure);
    options.pooling = pooling;
    options.model = match effects {
        RawEffects::Fixed => ModelChoice::Fixed,
        RawEffects::Random => ModelChoice::Random,
        RawEffects::Rule => ModelChoice::HeterogeneityRule {
            fixed_if_p_at_least: rule.fixed_if_p_at_least,
            no_pooling_if_p_below: rule.no_pooling_if_p_below,
        },
    };
    options.tau2_method = tau2;
    options.ci = if ci == RawCi::Hksj {
        CiMethod::Hksj
    } else {
        CiMethod::Z
    };
    options.prediction = if prediction == RawPrediction::HigginsT {
        PredictionKind::HigginsT
    } else {
        PredictionKind::Metafor
    };
    options.i2_from_q = i2 == RawI2::FromQ;
    options.i2_ci = i2_ci;
    options.level = level;
    options.ci_rule = CiRule {
        level: 0.95,
        revman_392: se_from_ci == RawSeFromCi::Revman,
    };
    options.continuity = Continuity {
        add: add.parse().unwrap_or(0.5),
        to: match to.as_str() {
            "all" => CorrectionScope::All,
            "all-if-any-zero" => CorrectionScope::AllIfAnyZero,
            "none" => CorrectionScope::None,
            _ => CorrectionScope::OnlyZero,
        },
        kind: if ckind == "treatment-arm" {
            CorrectionKind::TreatmentArm
        } else {
            CorrectionKind::Constant
        },
        exclude_double_zero: dz != "include",
    };
    if options.continuity.add < 0.0 || options.continuity.add.is_nan() {
        r.error(
            &format!("{path}.model.continuity.add"),
            "the increment must be 0 or more",
            None,
        );
    }
    options.control = Control::default();

    // Subgroups.
    let mut subgroup_label = None;
    if let Some(sg) = &o.subgroups {
        options.common_tau2 = sg.common_tau2.unwrap_or(false);
        subgroup_label = sg
            .label
            .clone()
            .or_else(|| Some(sg.column.replace('_', " ")));
        let present: Vec<String> = {
            let mut v: Vec<String> = Vec::new();
            for s in &studies {
                let g = s.subgroup.clone().unwrap_or_default();
                if !v.contains(&g) {
                    v.push(g);
                }
            }
            v
        };
        if let Some(order) = &sg.order {
            for (i, g) in order.iter().enumerate() {
                if !present.contains(g) {
                    let hint = did_you_mean(g, present.iter().map(String::as_str))
                        .map(|m| format!("did you mean `{m}`?"));
                    r.error(
                        &format!("{path}.subgroups.order[{i}]"),
                        format!(
                            "no study is in subgroup \"{g}\" (subgroups: {})",
                            present.join(", ")
                        ),
                        hint,
                    );
                }
            }
            let rank = |g: &str| {
                order
                    .iter()
                    .position(|x| x == g)
                    .unwrap_or(order.len() + present.iter().position(|x| x == g).unwrap_or(0))
            };
            sort_with_lines(&mut studies, &mut lines, rank);
        } else {
            let rank = |g: &str| present.iter().position(|x| x == g).unwrap_or(0);
            sort_with_lines(&mut studies, &mut lines, rank);
        }
    }

    // Sensitivity analyses.
    let names: Vec<&str> = studies.iter().map(|s| s.name.as_str()).collect();
    let sens = o.sensitivity.clone().unwrap_or_default();
    let mut sensitivity = SensitivityOptions {
        leave_one_out: sens.leave_one_out.unwrap_or(false),
        cumulative: None,
        exclusions: Vec::new(),
    };
    let mut cumulative_by = None;
    if let Some(c) = &sens.cumulative {
        let mut order: Vec<(usize, &str)> = names.iter().copied().enumerate().collect();
        if let Some(col) = &c.by {
            match table.column(col) {
                None => {
                    let hint = did_you_mean(col, table.headers.iter().map(String::as_str))
                        .map(|m| format!("did you mean `{m}`?"));
                    r.error(
                        &format!("{path}.sensitivity.cumulative.by"),
                        format!(
                            "no column `{col}` in {} (columns: {})",
                            table.source,
                            table.headers.join(", ")
                        ),
                        hint,
                    );
                }
                Some(ci) => {
                    // Rows and bound studies correspond one to one, in table order.
                    let bound = bind::bind_studies(&table, kind, &map, None, label.as_deref())
                        .unwrap_or_default();
                    let key: BTreeMap<String, data::Cell> = bound
                        .studies
                        .iter()
                        .zip(&table.rows)
                        .map(|(s, row)| {
                            (
                                s.name.clone(),
                                row.cells.get(ci).cloned().unwrap_or(data::Cell::Empty),
                            )
                        })
                        .collect();
                    let numeric = key.values().all(|c| c.number().is_ok());
                    order.sort_by(|a, b| {
                        let (ka, kb) = (&key[a.1], &key[b.1]);
                        let ord = if numeric {
                            ka.number()
                                .unwrap_or(0.0)
                                .total_cmp(&kb.number().unwrap_or(0.0))
                        } else {
                            ka.display().cmp(&kb.display())
                        };
                        ord.then(a.0.cmp(&b.0))
                    });
                    if c.descending.unwrap_or(false) {
                        order.reverse();
                    }
                    cumulative_by = Some(col.clone());
                }
            }
        }
        sensitivity.cumulative = Some(order.into_iter().map(|(_, n)| n.to_string()).collect());
    }
    for (i, ex) in sens.exclude.iter().flatten().enumerate() {
        for (j, s) in ex.studies.iter().enumerate() {
            if !names.contains(&s.as_str()) {
                let hint = did_you_mean(s, names.iter().copied())
                    .map(|m| format!("did you mean \"{m}\"?"));
                r.error(
                    &format!("{path}.sensitivity.exclude[{i}].studies[{j}]"),
                    format!("no study \"{s}\" in this outcome's data"),
                    hint,
                );
            }
        }
        if ex.studies.is_empty() {
            r.error(
                &format!("{path}.sensitivity.exclude[{i}].studies"),
                "name at least one study to exclude",
                None,
            );
        }
        let label = ex
            .label
            .clone()
            .unwrap_or_else(|| format!("excluding {}", ex.studies.join(", ")));
        sensitivity.exclusions.push(ExclusionSet {
            label,
            studies: ex.studies.clone(),
        });
    }
    options.sensitivity = sensitivity;
    let ss = o.small_study.unwrap_or_default();
    options.bias = BiasOptions {
        egger: ss.egger.unwrap_or(false),
        begg: ss.begg.unwrap_or(false),
        trim_and_fill: ss.trim_and_fill.unwrap_or(false),
        trimfill_control: None,
    };

    // Figures.
    let f = o.forest.clone().unwrap_or_default();
    let pair = |r: &mut Resolver<'_>,
                v: &Option<Vec<String>>,
                field: &str,
                default: (String, String)| match v {
        Some(x) if x.len() == 2 => (x[0].clone(), x[1].clone()),
        Some(_) => {
            r.error(
                &format!("{path}.forest.{field}"),
                "expected two labels: [left, right]",
                None,
            );
            default
        }
        None => default,
    };
    let arms = pair(
        r,
        &f.arms,
        "arms",
        ("Experimental".into(), "Control".into()),
    );
    let favours = pair(
        r,
        &f.favours,
        "favours",
        (
            format!("Favours {}", arms.0.to_lowercase()),
            format!("Favours {}", arms.1.to_lowercase()),
        ),
    );
    let limits = match &f.limits {
        Some(l) if l.len() == 2 && l[0] < l[1] && (!measure.is_ratio() || l[0] > 0.0) => {
            Some((l[0], l[1]))
        }
        Some(_) => {
            r.error(
                &format!("{path}.forest.limits"),
                if measure.is_ratio() {
                    "expected [lower, upper] with 0 < lower < upper"
                } else {
                    "expected [lower, upper] with lower < upper"
                },
                None,
            );
            None
        }
        None => None,
    };
    if let Some(t) = &f.ticks
        && measure.is_ratio()
        && t.iter().any(|x| *x <= 0.0)
    {
        r.error(
            &format!("{path}.forest.ticks"),
            "ticks of a ratio axis must be positive",
            None,
        );
    }
    let fu = o.funnel.clone().unwrap_or_default();
    let any_bias = options.bias.egger || options.bias.begg || options.bias.trim_and_fill;
    let funnel = Funnel {
        show: fu.show.unwrap_or(any_bias),
        contours: fu.contours.unwrap_or(false),
        trim_and_fill: fu.trim_and_fill.unwrap_or(options.bias.trim_and_fill),
        egger_line: fu.egger_line.unwrap_or(false),
        caption: fu.caption.clone(),
    };
    if funnel.trim_and_fill && !options.bias.trim_and_fill {
        options.bias.trim_and_fill = true;
    }
    if funnel.egger_line && !options.bias.egger {
        options.bias.egger = true;
    }
    let forest = Forest {
        favours,
        arms,
        limits,
        ticks: f.ticks.clone(),
        prediction_bar: f.prediction_bar.unwrap_or(false),
        caption: f.caption.clone(),
    };
    if r.diags.len() > errors_before {
        return None;
    }
    Some(Outcome {
        id: o.id.clone(),
        title: o.title.clone(),
        data_file: o.data.as_ref().map(|_| table.source.clone()),
        kind,
        studies,
        lines,
        column_numbers: std::iter::once("study")
            .chain(kind.columns().iter().copied())
            .filter_map(|c| {
                table
                    .column(bind::column_for(c, &map))
                    .map(|i| (c.to_string(), i + 1))
            })
            .collect(),
        columns: map,
        options,
        settings: settings
            .into_iter()
            .filter(|s: &Setting| !s.name.is_empty())
            .collect(),
        uses_rule: effects == RawEffects::Rule,
        subgroup_label,
        cumulative_by,
        forest,
        funnel,
    })
}

/// Sorts studies stably by subgroup rank, keeping their source lines alongside.
fn sort_with_lines(
    studies: &mut Vec<StudyInput>,
    lines: &mut Vec<usize>,
    rank: impl Fn(&str) -> usize,
) {
    let mut pairs: Vec<(StudyInput, usize)> = std::mem::take(studies)
        .into_iter()
        .zip(std::mem::take(lines))
        .collect();
    pairs.sort_by_key(|(s, _)| rank(s.subgroup.as_deref().unwrap_or_default()));
    (*studies, *lines) = pairs.into_iter().unzip();
}

fn baseline(r: &mut Resolver<'_>, b: &RawBaseline) -> Option<Baseline> {
    let t = r.table(
        "baseline",
        b.data.as_ref(),
        b.sheet.as_ref(),
        b.rows.as_ref(),
    )?;
    let ccol = b
        .characteristic
        .clone()
        .unwrap_or_else(|| "characteristic".into());
    let Some(ci) = t.column(&ccol) else {
        r.diags.push(bind::missing_column(
            &t,
            &ccol,
            "the characteristic of each row (set `baseline.characteristic`)",
        ));
        return None;
    };
    let counts = InputKind::Binary.columns();
    let means = InputKind::Continuous.columns();
    let has = |cols: &[&str]| {
        cols.iter()
            .map(|c| t.column(c))
            .collect::<Option<Vec<usize>>>()
    };
    let (count_idx, mean_idx) = (has(counts), has(means));
    if count_idx.is_none() && mean_idx.is_none() {
        r.diags.push(
            Diagnostic::file(
                &t.source,
                format!(
                    "baseline rows need the columns {} (proportions) or {} (means)",
                    counts.join(", "),
                    means.join(", ")
                ),
            )
            .at(1, 1),
        );
        return None;
    }
    let mut out: Vec<BaselineCharacteristic> = Vec::new();
    for row in &t.rows {
        let name = row
            .cells
            .get(ci)
            .map(data::Cell::display)
            .unwrap_or_default()
            .trim()
            .to_string();
        if name.is_empty() {
            r.diags
                .push(t.error(row, Some(ci), "the characteristic is empty"));
            continue;
        }
        let numbers = |idx: &Option<Vec<usize>>| -> Option<Result<Vec<f64>, String>> {
            let idx = idx.as_ref()?;
            let cells: Vec<&data::Cell> = idx
                .iter()
                .map(|&i| row.cells.get(i).unwrap_or(&data::Cell::Empty))
                .collect();
            if cells.iter().all(|c| **c == data::Cell::Empty) {
                return None;
            }
            Some(cells.iter().map(|c| c.number()).collect())
        };
        let entry = match out.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                out.push(BaselineCharacteristic {
                    name: name.clone(),
                    counts: Vec::new(),
                    means: Vec::new(),
                });
                out.len() - 1
            }
        };
        match (numbers(&count_idx), numbers(&mean_idx)) {
            (Some(Ok(v)), None) => {
                if v[0] > v[1] || v[2] > v[3] || v.iter().any(|x| *x < 0.0) {
                    r.diags.push(t.error(
                        row,
                        None,
                        format!("\"{name}\": counts must be non-negative and at most the arm size"),
                    ));
                }
                out[entry].counts.push([v[0], v[1], v[2], v[3]]);
            }
            (None, Some(Ok(v))) => {
                if v[1] <= 0.0 || v[4] <= 0.0 || v[2] < 2.0 || v[5] < 2.0 {
                    r.diags.push(t.error(
                        row,
                        None,
                        format!(
                            "\"{name}\": SDs must be positive and arms have at least 2 participants"
                        ),
                    ));
                }
                out[entry].means.push([v[0], v[1], v[2], v[3], v[4], v[5]]);
            }
            (Some(Err(e)), _) | (_, Some(Err(e))) => {
                r.diags.push(t.error(row, None, format!("\"{name}\": {e}")))
            }
            (Some(_), Some(_)) => r.diags.push(t.error(
                row,
                None,
                format!("\"{name}\": give counts or means, not both"),
            )),
            (None, None) => r.diags.push(t.error(
                row,
                None,
                format!("\"{name}\": the row has no counts and no means"),
            )),
        }
    }
    for c in &out {
        if !c.counts.is_empty() && !c.means.is_empty() {
            r.diags.push(Diagnostic::file(
                &t.source,
                format!("characteristic \"{}\" mixes counts and means", c.name),
            ));
        }
    }
    Some(Baseline {
        characteristics: out,
        yates: b.yates.unwrap_or(false),
        caption: b.caption.clone(),
    })
}

fn tables(
    r: &mut Resolver<'_>,
    raw: &RawSpec,
    studies: bool,
    summary: bool,
    baseline: bool,
) -> Vec<(TableKind, Option<String>)> {
    let has = |k: TableKind| match k {
        TableKind::Studies => studies,
        TableKind::Summary => summary,
        TableKind::Baseline => baseline,
    };
    match raw.manuscript.as_ref().and_then(|m| m.tables.as_ref()) {
        Some(list) => {
            let mut out = Vec::new();
            for (i, t) in list.iter().enumerate() {
                let kind = match t.kind {
                    RawTableKind::Studies => TableKind::Studies,
                    RawTableKind::Summary => TableKind::Summary,
                    RawTableKind::Baseline => TableKind::Baseline,
                };
                if !has(kind) {
                    let need = match kind {
                        TableKind::Studies => "`studies:`",
                        TableKind::Summary => "`outcomes:`",
                        TableKind::Baseline => "`baseline:`",
                    };
                    r.error(
                        &format!("manuscript.tables[{i}].kind"),
                        format!("this table needs {need} in the spec"),
                        None,
                    );
                } else if out.iter().any(|(k, _)| *k == kind) {
                    r.error(
                        &format!("manuscript.tables[{i}].kind"),
                        "each table can appear once",
                        None,
                    );
                } else {
                    out.push((kind, t.caption.clone()));
                }
            }
            out
        }
        None => [TableKind::Studies, TableKind::Summary, TableKind::Baseline]
            .into_iter()
            .filter(|k| has(*k))
            .map(|k| (k, None))
            .collect(),
    }
}

fn figures(
    r: &mut Resolver<'_>,
    raw: &RawSpec,
    outcomes: &[Outcome],
    has_prisma: bool,
) -> Vec<Figure> {
    let ids: Vec<&str> = raw.outcomes.iter().map(|o| o.id.as_str()).collect();
    match raw.manuscript.as_ref().and_then(|m| m.figures.as_ref()) {
        Some(figs) => {
            let mut out = Vec::new();
            for (i, f) in figs.iter().enumerate() {
                let path = format!("manuscript.figures[{i}]");
                let kind = match f.kind {
                    RawFigureKind::Prisma => FigureKind::Prisma,
                    RawFigureKind::Forest => FigureKind::Forest,
                    RawFigureKind::Funnel => FigureKind::Funnel,
                    RawFigureKind::LeaveOneOut => FigureKind::LeaveOneOut,
                    RawFigureKind::Cumulative => FigureKind::Cumulative,
                };
                let outs = f.outcomes.clone().unwrap_or_default();
                match kind {
                    FigureKind::Prisma if !outs.is_empty() => r.error(
                        &format!("{path}.outcomes"),
                        "a PRISMA diagram shows no outcome",
                        None,
                    ),
                    FigureKind::Prisma if !has_prisma => {
                        r.error(&path, "a PRISMA figure needs the `prisma:` counts", None)
                    }
                    FigureKind::Prisma => {}
                    _ if outs.is_empty() => r.error(
                        &format!("{path}.outcomes"),
                        "name the outcome(s) this figure shows",
                        None,
                    ),
                    FigureKind::Forest => {}
                    _ if outs.len() > 1 => r.error(
                        &format!("{path}.outcomes"),
                        "only forest plots can stack several outcomes",
                        None,
                    ),
                    _ => {}
                }
                for (j, o) in outs.iter().enumerate() {
                    if !ids.contains(&o.as_str()) {
                        let hint = did_you_mean(o, ids.iter().copied())
                            .map(|m| format!("did you mean `{m}`?"));
                        r.error(
                            &format!("{path}.outcomes[{j}]"),
                            format!("no outcome `{o}` (outcomes: {})", ids.join(", ")),
                            hint,
                        );
                    } else if let Some(oc) = outcomes.iter().find(|x| &x.id == o) {
                        let ok = match kind {
                            FigureKind::LeaveOneOut => oc.options.sensitivity.leave_one_out,
                            FigureKind::Cumulative => oc.options.sensitivity.cumulative.is_some(),
                            _ => true,
                        };
                        if !ok {
                            r.error(&format!("{path}.kind"), format!("outcome `{o}` has no {} analysis: enable it under `sensitivity`", kind.slug()), None);
                        }
                    }
                }
                let subgroup_panels = f.panels == Some(RawPanels::Subgroups);
                if subgroup_panels {
                    if kind != FigureKind::Forest {
                        r.error(
                            &format!("{path}.panels"),
                            "only forest plots can be split into subgroup panels",
                            None,
                        );
                    }
                    for o in &outs {
                        if outcomes
                            .iter()
                            .any(|x| &x.id == o && x.subgroup_label.is_none())
                        {
                            r.error(
                                &format!("{path}.panels"),
                                format!("outcome `{o}` has no subgroups to split into panels"),
                                None,
                            );
                        }
                    }
                }
                out.push(Figure {
                    kind,
                    outcomes: outs,
                    subgroup_panels,
                    caption: f.caption.clone(),
                });
            }
            out
        }
        None => {
            let mut out = Vec::new();
            if has_prisma {
                out.push(Figure {
                    kind: FigureKind::Prisma,
                    outcomes: vec![],
                    subgroup_panels: false,
                    caption: raw.prisma.as_ref().and_then(|p| p.caption.clone()),
                });
            }
            for o in outcomes {
                out.push(Figure {
                    kind: FigureKind::Forest,
                    outcomes: vec![o.id.clone()],
                    subgroup_panels: false,
                    caption: o.forest.caption.clone(),
                });
                if o.funnel.show {
                    out.push(Figure {
                        kind: FigureKind::Funnel,
                        outcomes: vec![o.id.clone()],
                        subgroup_panels: false,
                        caption: o.funnel.caption.clone(),
                    });
                }
                if o.options.sensitivity.leave_one_out {
                    out.push(Figure {
                        kind: FigureKind::LeaveOneOut,
                        outcomes: vec![o.id.clone()],
                        subgroup_panels: false,
                        caption: None,
                    });
                }
                if o.options.sensitivity.cumulative.is_some() {
                    out.push(Figure {
                        kind: FigureKind::Cumulative,
                        outcomes: vec![o.id.clone()],
                        subgroup_panels: false,
                        caption: None,
                    });
                }
            }
            out
        }
    }
}
