//! Binding table columns to study rows.
//!
//! The standard column names are those of the reference cases: `study`; `events_t, total_t,
//! events_c, total_c`; `mean_t, sd_t, n_t, mean_c, sd_c, n_c`; `estimate, lower, upper`;
//! `r, n`; `yi, vi`; `yi, se`; `events, total`; `events, time`; `events_t, time_t,
//! events_c, time_c`; `mean, sd, n`. A spec may map a standard name to another column.

use std::collections::BTreeMap;

use serde::Serialize;

use super::table::Table;
use crate::diag::{Diagnostic, did_you_mean};
use crate::stats::{StudyData, StudyInput};

/// The kind of study data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    Binary,
    Continuous,
    EstimateCi,
    Correlation,
    YiVi,
    YiSe,
    /// One group's events and participants (proportions).
    Proportion,
    /// One group's events and person-time (incidence rates).
    Rate,
    /// Events and person-time per arm (rate ratios and differences).
    Rates,
    /// One group's mean, SD and size.
    Mean,
}

impl InputKind {
    /// Every kind, in the order they are tried when inferring the kind from the columns.
    pub const ALL: [InputKind; 10] = [
        InputKind::Binary,
        InputKind::Continuous,
        InputKind::EstimateCi,
        InputKind::Rates,
        InputKind::Correlation,
        InputKind::YiVi,
        InputKind::YiSe,
        InputKind::Proportion,
        InputKind::Rate,
        InputKind::Mean,
    ];

    /// The standard columns this kind needs.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            InputKind::Binary => &["events_t", "total_t", "events_c", "total_c"],
            InputKind::Continuous => &["mean_t", "sd_t", "n_t", "mean_c", "sd_c", "n_c"],
            InputKind::EstimateCi => &["estimate", "lower", "upper"],
            InputKind::Correlation => &["r", "n"],
            InputKind::YiVi => &["yi", "vi"],
            InputKind::YiSe => &["yi", "se"],
            InputKind::Proportion => &["events", "total"],
            InputKind::Rate => &["events", "time"],
            InputKind::Rates => &["events_t", "time_t", "events_c", "time_c"],
            InputKind::Mean => &["mean", "sd", "n"],
        }
    }

    /// The name used in specs.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Binary => "binary",
            InputKind::Continuous => "continuous",
            InputKind::EstimateCi => "estimate_ci",
            InputKind::Correlation => "correlation",
            InputKind::YiVi => "yi_vi",
            InputKind::YiSe => "yi_se",
            InputKind::Proportion => "proportion",
            InputKind::Rate => "rate",
            InputKind::Rates => "rates",
            InputKind::Mean => "mean",
        }
    }

    /// The study data from the values of [`InputKind::columns`], in that order.
    pub(crate) fn build(self, x: &[f64]) -> StudyData {
        match self {
            InputKind::Binary => StudyData::Binary {
                events_t: x[0],
                total_t: x[1],
                events_c: x[2],
                total_c: x[3],
            },
            InputKind::Continuous => StudyData::Continuous {
                mean_t: x[0],
                sd_t: x[1],
                n_t: x[2],
                mean_c: x[3],
                sd_c: x[4],
                n_c: x[5],
            },
            InputKind::EstimateCi => StudyData::EstimateCi {
                estimate: x[0],
                lower: x[1],
                upper: x[2],
            },
            InputKind::Correlation => StudyData::Correlation { r: x[0], n: x[1] },
            InputKind::YiVi => StudyData::YiVi { yi: x[0], vi: x[1] },
            InputKind::YiSe => StudyData::YiSe { yi: x[0], se: x[1] },
            InputKind::Proportion => StudyData::Proportion {
                events: x[0],
                total: x[1],
            },
            InputKind::Rate => StudyData::Rate {
                events: x[0],
                time: x[1],
            },
            InputKind::Rates => StudyData::Rates {
                events_t: x[0],
                time_t: x[1],
                events_c: x[2],
                time_c: x[3],
            },
            InputKind::Mean => StudyData::Mean {
                mean: x[0],
                sd: x[1],
                n: x[2],
            },
        }
    }
}

/// Which column of the table holds a standard name.
pub fn column_for<'a>(name: &'a str, map: &'a BTreeMap<String, String>) -> &'a str {
    map.get(name).map_or(name, String::as_str)
}

/// The kind of data: as given, or the first kind whose columns are all present.
/// Failing that, the first kind whose values the table's columns can be converted from
/// (`data/convert.rs`).
pub fn infer_kind(table: &Table, map: &BTreeMap<String, String>) -> Option<InputKind> {
    InputKind::ALL
        .into_iter()
        .find(|k| {
            k.columns()
                .iter()
                .all(|c| table.column(column_for(c, map)).is_some())
        })
        .or_else(|| {
            InputKind::ALL
                .into_iter()
                .find(|&k| super::convert::has_sources(table, k, map))
        })
}

/// A required column that is missing, with a hint naming the closest header.
pub fn missing_column(table: &Table, column: &str, purpose: &str) -> Diagnostic {
    let mut d = Diagnostic::file(
        &table.source,
        format!(
            "no column `{column}` ({purpose}); the columns are: {}",
            table.column_list()
        ),
    );
    d.line = Some(1);
    if let Some(m) = did_you_mean(column, table.headers.iter().map(String::as_str)) {
        d.hint = Some(format!("did you mean `{m}`?"));
    }
    d
}

/// A study label template such as `"{study} {year}"`: literal text and column references.
#[derive(Debug, Clone, PartialEq)]
pub enum LabelPart {
    Text(String),
    Column(usize),
}

/// Parses a label template against the table's columns.
pub fn parse_label(table: &Table, template: &str) -> Result<Vec<LabelPart>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(LabelPart::Text(rest[..open].to_string()));
        }
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in the label template \"{template}\""))?
            + open;
        let name = rest[open + 1..close].trim();
        match table.column(name) {
            Some(i) => parts.push(LabelPart::Column(i)),
            None => {
                let hint = did_you_mean(name, table.headers.iter().map(String::as_str))
                    .map(|m| format!(" (did you mean `{m}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "the label refers to column `{name}`, which {} does not have{hint}; columns: {}",
                    table.source,
                    table.column_list()
                ));
            }
        }
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(LabelPart::Text(rest.to_string()));
    }
    Ok(parts)
}

/// Binds a table to study rows. `subgroup` names the column holding each study's subgroup;
/// `label` (from [`parse_label`]) builds the study labels from several columns.
/// Every problem is reported: missing columns, non-numeric or empty cells, duplicate labels.
/// Study rows with the line each came from.
#[derive(Debug, Clone, Default)]
pub struct Bound {
    pub studies: Vec<StudyInput>,
    pub lines: Vec<usize>,
    /// What was converted in each study (`data/convert.rs`), parallel to `studies`.
    pub conversions: Vec<Vec<crate::stats::convert::Conversion>>,
    /// The index in the table's rows of each study, parallel to `studies`.
    pub rows: Vec<usize>,
    /// Rows without outcome data (studies that did not report the outcome), in table order.
    pub missing: Vec<super::studies::MissingRow>,
    /// Under `multi_arm:`, each study's trial label and arm when its label is shared by
    /// several rows (`data/multi_arm.rs`), parallel to `studies`; else empty.
    pub arms: Vec<Option<(String, String)>>,
}

/// [`bind_studies_with`] with the default conversion settings.
pub fn bind_studies(
    table: &Table,
    kind: InputKind,
    map: &BTreeMap<String, String>,
    subgroup: Option<&str>,
    label: Option<&[LabelPart]>,
) -> Result<Bound, Vec<Diagnostic>> {
    bind_studies_with(
        table,
        kind,
        map,
        subgroup,
        label,
        &super::convert::Settings::default(),
    )
}

/// Values missing from a row are converted from what it reports instead when its columns
/// allow (`data/convert.rs`, with `conv`).
pub fn bind_studies_with(
    table: &Table,
    kind: InputKind,
    map: &BTreeMap<String, String>,
    subgroup: Option<&str>,
    label: Option<&[LabelPart]>,
    conv: &super::convert::Settings,
) -> Result<Bound, Vec<Diagnostic>> {
    bind_studies_policy(
        table,
        kind,
        map,
        subgroup,
        label,
        conv,
        super::studies::RowPolicy::default(),
    )
}

/// Appends a cell as a table prints it, without its surrounding spaces (text is not copied
/// twice, as `display().trim().to_string()` would).
fn push_trimmed(s: &mut String, cell: Option<&super::Cell>) {
    match cell {
        Some(super::Cell::Text(t)) => s.push_str(super::table::trim(t)),
        Some(c @ super::Cell::Number(_)) => s.push_str(c.display().trim()),
        Some(super::Cell::Empty) | None => {}
    }
}

/// The label template as the spec wrote it, from its parts.
fn template_text(table: &Table, parts: &[LabelPart]) -> String {
    parts
        .iter()
        .map(|p| match p {
            LabelPart::Text(t) => t.clone(),
            LabelPart::Column(i) => format!("{{{}}}", table.headers[*i]),
        })
        .collect()
}

/// [`bind_studies_with`] with the spec's rules for rows without outcome data and repeated
/// labels (`data/studies.rs`): a row whose outcome cells are all empty or `NA` is a
/// [`super::studies::MissingRow`] (or an error under `MissingPolicy::Error`).
pub fn bind_studies_policy(
    table: &Table,
    kind: InputKind,
    map: &BTreeMap<String, String>,
    subgroup: Option<&str>,
    label: Option<&[LabelPart]>,
    conv: &super::convert::Settings,
    policy: super::studies::RowPolicy,
) -> Result<Bound, Vec<Diagnostic>> {
    let convertible = super::convert::has_sources(table, kind, map);
    let mut errors = Vec::new();
    let study_col = column_for("study", map);
    let study = table.column(study_col);
    if study.is_none() && label.is_none() {
        errors.push(missing_column(table, study_col, "the study labels"));
    }
    let value_cols: Vec<Option<usize>> = kind
        .columns()
        .iter()
        .map(|c| {
            let col = column_for(c, map);
            let idx = table.column(col);
            if idx.is_none() && !convertible {
                errors.push(missing_column(
                    table,
                    col,
                    &format!("`{c}` of {} data", kind.name()),
                ));
            }
            idx
        })
        .collect();
    let sub_col = subgroup.map(|s| (s, table.column(s)));
    if let Some((s, None)) = sub_col {
        errors.push(missing_column(table, s, "the subgroups"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if table.rows.is_empty() {
        return Err(vec![Diagnostic::file(
            &table.source,
            "there are no studies: the table has a header but no rows",
        )]);
    }
    let label_col = match label {
        Some(_) => None,
        None => study,
    };
    let study = study.unwrap_or(0);
    // One allocation per label: cells are borrowed, not cloned (a million rows are bound in
    // a fraction of a second); a large table's labels are made in two halves side by side.
    let label_of = |row: &super::Row| match label {
        Some(parts) => {
            let mut s = String::new();
            for p in parts {
                match p {
                    LabelPart::Text(t) => s.push_str(t),
                    LabelPart::Column(i) => push_trimmed(&mut s, row.cells.get(*i)),
                }
            }
            let t = s.trim();
            if t.len() == s.len() { s } else { t.to_string() }
        }
        None => {
            let mut s = String::new();
            push_trimmed(&mut s, row.cells.get(study));
            s
        }
    };
    let halves = split_in_halves(table.rows.len());
    let mut names: Vec<String> = match halves {
        None => table.rows.iter().map(label_of).collect(),
        Some(m) => {
            let (first, second) = table.rows.split_at(m);
            std::thread::scope(|s| {
                let second = s.spawn(|| second.iter().map(label_of).collect::<Vec<_>>());
                let mut names = Vec::with_capacity(table.rows.len());
                names.extend(first.iter().map(label_of));
                names.extend(second.join().expect("making labels does not panic"));
                names
            })
        }
    };
    let template = label.map(|parts| template_text(table, parts));
    let trials = match policy.arm {
        Some(ac) => super::multi_arm::arm_labels(table, &mut names, ac, &mut errors),
        None => Vec::new(),
    };
    errors.extend(super::studies::unique_labels(
        table,
        &mut names,
        policy.duplicates,
        study_col,
        template.as_deref(),
        label,
        kind,
        map,
    ));
    // The outcome columns present, looked up once (not per row).
    let outcome_cols: Vec<usize> = super::studies::outcome_columns(kind)
        .iter()
        .filter_map(|c| table.column(column_for(c, map)))
        .collect();
    let rows = Rows {
        table,
        kind,
        map,
        conv,
        policy,
        convertible,
        label_col,
        template: template.as_deref(),
        value_cols: &value_cols,
        outcome_cols: &outcome_cols,
        sub_col,
        trials: &trials,
    };
    // Each row's study goes to a slot of vectors made at the table's size. A large table's
    // rows are bound in two halves side by side, each filling its own slots in order; the
    // slots left unfilled (rows that give no study) are then removed: the same studies and
    // messages in the same order as one pass, without a second copy of the studies.
    let n = table.rows.len();
    let m = halves.unwrap_or(n);
    let mut out = Bound {
        studies: Vec::with_capacity(n),
        lines: vec![0; n],
        conversions: Vec::with_capacity(n),
        rows: vec![0; n],
        ..Bound::default()
    };
    out.studies.resize_with(n, || StudyInput {
        name: String::new(),
        subgroup: None,
        data: StudyData::YiVi { yi: 0.0, vi: 0.0 },
    });
    out.conversions.resize_with(n, Vec::new);
    let (first, second) = {
        let (s1, s2) = out.studies.split_at_mut(m);
        let (l1, l2) = out.lines.split_at_mut(m);
        let (c1, c2) = out.conversions.split_at_mut(m);
        let (r1, r2) = out.rows.split_at_mut(m);
        let (first, second) = (Slots::new(s1, l1, c1, r1), Slots::new(s2, l2, c2, r2));
        if m == n {
            (rows.bind(0, names, first), Done::default())
        } else {
            let second_names = names.split_off(m);
            std::thread::scope(|s| {
                let second = s.spawn(|| rows.bind(m, second_names, second));
                let first = rows.bind(0, names, first);
                (first, second.join().expect("binding rows does not panic"))
            })
        }
    };
    let keep = |v: &mut Bound| {
        v.studies.truncate(m + second.filled);
        v.lines.truncate(m + second.filled);
        v.conversions.truncate(m + second.filled);
        v.rows.truncate(m + second.filled);
        if first.filled < m {
            v.studies.drain(first.filled..m);
            v.lines.drain(first.filled..m);
            v.conversions.drain(first.filled..m);
            v.rows.drain(first.filled..m);
        }
    };
    keep(&mut out);
    for done in [first, second] {
        out.missing.extend(done.missing);
        out.arms.extend(done.arms);
        errors.extend(done.errors);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// What binding a row needs besides the row and its label.
struct Rows<'a> {
    table: &'a Table,
    kind: InputKind,
    map: &'a BTreeMap<String, String>,
    conv: &'a super::convert::Settings,
    policy: super::studies::RowPolicy,
    convertible: bool,
    /// The column named by "the study label is empty" (none for a label template).
    label_col: Option<usize>,
    template: Option<&'a str>,
    value_cols: &'a [Option<usize>],
    /// The outcome columns the table has (`studies::outcome_columns`).
    outcome_cols: &'a [usize],
    sub_col: Option<(&'a str, Option<usize>)>,
    trials: &'a [Option<(String, String)>],
}

/// From this many rows on, labels are made and rows bound in two halves in parallel.
const PARALLEL_ROWS: usize = 20_000;

/// Where a table of `n` rows is cut in two for binding in parallel, if it is.
fn split_in_halves(n: usize) -> Option<usize> {
    (n >= PARALLEL_ROWS && std::thread::available_parallelism().map_or(1, usize::from) >= 2)
        .then_some(n / 2)
}

/// The slots one run of rows fills in order: its part of [`Bound`]'s parallel vectors.
struct Slots<'s> {
    studies: &'s mut [StudyInput],
    lines: &'s mut [usize],
    conversions: &'s mut [Vec<crate::stats::convert::Conversion>],
    rows: &'s mut [usize],
}

impl<'s> Slots<'s> {
    fn new(
        studies: &'s mut [StudyInput],
        lines: &'s mut [usize],
        conversions: &'s mut [Vec<crate::stats::convert::Conversion>],
        rows: &'s mut [usize],
    ) -> Self {
        Slots {
            studies,
            lines,
            conversions,
            rows,
        }
    }
}

/// What binding one run of rows gave besides its slots.
#[derive(Default)]
struct Done {
    /// How many slots it filled (from the first).
    filled: usize,
    missing: Vec<super::studies::MissingRow>,
    arms: Vec<Option<(String, String)>>,
    errors: Vec<Diagnostic>,
}

impl Rows<'_> {
    /// Binds the rows from `start` on, one per label of `names`, into `out` and `errors`.
    fn bind(&self, start: usize, names: Vec<String>, slots: Slots<'_>) -> Done {
        const EMPTY: super::Cell = super::Cell::Empty;
        let mut out = Done::default();
        let mut errors = Vec::new();
        let (table, kind, map, conv, policy) =
            (self.table, self.kind, self.map, self.conv, self.policy);
        let (convertible, label_col, template) = (self.convertible, self.label_col, self.template);
        let (value_cols, sub_col, trials) = (self.value_cols, self.sub_col, self.trials);
        let n = names.len();
        for (j, (row, name)) in table.rows[start..start + n].iter().zip(names).enumerate() {
            let ri = start + j;
            let cell = |i: usize| row.cells.get(i).unwrap_or(&EMPTY);
            if name.is_empty() {
                let mut d = table.error(row, label_col, "the study label is empty");
                if let Some(t) = template {
                    d.message = format!("the study label (`label: \"{t}\"`) is empty");
                    d.field = Some("label".into());
                }
                errors.push(d);
                continue;
            }
            // A row lacks outcome data when every outcome column present is blank.
            let lacks = !self.outcome_cols.is_empty()
                && self
                    .outcome_cols
                    .iter()
                    .all(|&c| super::studies::is_blank(cell(c)));
            if lacks && let Some(columns) = super::studies::missing_columns(table, row, kind, map) {
                let sub = sub_col
                    .and_then(|(_, c)| c)
                    .map(|c| cell(c).display().trim().to_string());
                match policy.missing {
                    super::studies::MissingPolicy::Exclude => {
                        out.missing.push(super::studies::MissingRow {
                            name,
                            subgroup: sub.filter(|g| !g.is_empty()),
                            line: row.line,
                            columns,
                        });
                    }
                    super::studies::MissingPolicy::Error => {
                        let mut d = table.error(
                            row,
                            table.column(column_for(&columns[0], map)),
                            format!(
                                "study \"{name}\": no outcome data (the cells {} are empty)",
                                columns.join(", ")
                            ),
                        );
                        let change = if policy.missing_from_defaults {
                            "set `missing: exclude` on this outcome (its `missing: error` comes from the spec's `defaults:`)"
                        } else {
                            "drop `missing: error`"
                        };
                        d.hint = Some(format!(
                            "fill the cells, or {change} to list the study as not reporting the outcome (left out of the pooling)"
                        ));
                        errors.push(d);
                    }
                }
                continue;
            }
            // At most six values (continuous data): on the stack, not two vectors per row.
            let mut values = [0.0; 8];
            let mut n_values = 0;
            let mut given = [None; 8];
            let mut n_given = 0;
            let mut ok = true;
            for &c in value_cols {
                let Some(c) = c else {
                    n_given += 1;
                    continue;
                };
                let empty = match cell(c) {
                    super::Cell::Empty => true,
                    super::Cell::Text(t) => {
                        convertible && {
                            let t = super::table::trim(t);
                            t.is_empty() || t.eq_ignore_ascii_case("NA")
                        }
                    }
                    super::Cell::Number(_) => false,
                };
                if convertible && empty {
                    n_given += 1;
                    continue;
                }
                match cell(c).number() {
                    Ok(x) => {
                        values[n_values] = x;
                        n_values += 1;
                        given[n_given] = Some(x);
                        n_given += 1;
                    }
                    Err(msg) => {
                        errors.push(table.error(row, Some(c), format!("study \"{name}\": {msg}")));
                        ok = false;
                    }
                }
            }
            let given = &given[..n_given];
            let mut converted = None;
            if ok && given.iter().any(Option::is_none) {
                match super::convert::fill(table, row, map, kind, given, conv) {
                    Ok(filled) => converted = Some(filled),
                    Err(es) => {
                        for (c, msg) in es {
                            errors.push(table.error(row, c, format!("study \"{name}\": {msg}")));
                        }
                        ok = false;
                    }
                }
            }
            let subgroup = match sub_col {
                Some((_, Some(c))) => {
                    let g = cell(c).display().trim().to_string();
                    if g.is_empty() {
                        errors.push(table.error(
                            row,
                            Some(c),
                            format!("study \"{name}\": the subgroup is empty"),
                        ));
                        ok = false;
                    }
                    Some(g)
                }
                _ => None,
            };
            if ok {
                let (data, done) =
                    converted.unwrap_or_else(|| (kind.build(&values[..n_values]), Vec::new()));
                let f = out.filled;
                slots.studies[f] = StudyInput {
                    name,
                    subgroup,
                    data,
                };
                slots.lines[f] = row.line;
                slots.conversions[f] = done;
                slots.rows[f] = ri;
                out.filled += 1;
                if let Some(t) = trials.get(ri) {
                    out.arms.push(t.clone());
                }
            }
        }
        out.errors = errors;
        out
    }
}
