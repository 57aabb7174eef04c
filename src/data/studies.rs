//! Studies as they come: rows without outcome data (listed, not pooled) and repeated study
//! labels (an error that names where the label comes from and how to make it unique, or an
//! opt-in suffix "a", "b" as reviews print them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::bind::{InputKind, LabelPart, column_for};
use super::table::{Cell, Row, Table};
use crate::diag::Diagnostic;

/// What a row whose outcome cells are all empty (or `NA`) means.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum MissingPolicy {
    /// The study did not report the outcome: it is listed in the forest plot ("Not
    /// estimable", its cells empty, as RevMan), left out of the pooling and reported in the
    /// results as not reporting the outcome.
    #[default]
    Exclude,
    /// Such a row is an error.
    Error,
}

/// What to do when two rows give the same study label.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum DuplicatePolicy {
    /// An error naming where the label comes from and a label that would be unique.
    #[default]
    Error,
    /// Repeated labels get a letter in row order ("Breddin 1980a", "Breddin 1980b").
    Suffix,
}

/// How rows become studies beyond their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RowPolicy {
    pub missing: MissingPolicy,
    /// `missing:` came from the review's `defaults:`, not the outcome (errors say where to
    /// change it).
    pub missing_from_defaults: bool,
    pub duplicates: DuplicatePolicy,
    /// The column naming a multi-arm trial's arms (`multi_arm:`, `data/multi_arm.rs`): rows
    /// sharing a label get " (arm)" appended.
    pub arm: Option<usize>,
}

/// A row without outcome data: a study that did not report the outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingRow {
    /// The study label.
    pub name: String,
    /// Its subgroup, when the outcome has subgroups and the cell is filled.
    pub subgroup: Option<String>,
    /// The line of the row.
    pub line: usize,
    /// The empty outcome columns (standard names).
    pub columns: Vec<String>,
}

/// The cells that carry a kind's outcome values (group sizes are not among them: a study may
/// give its arms' sizes and still not report the outcome), with the conversion sources that
/// could give them instead.
pub fn outcome_columns(kind: InputKind) -> &'static [&'static str] {
    match kind {
        InputKind::Binary => &["events_t", "events_c"],
        InputKind::Continuous => &[
            "mean_t",
            "sd_t",
            "mean_c",
            "sd_c",
            "median_t",
            "median_c",
            "mean_t1",
            "mean_c1",
            "se_t",
            "se_c",
            "ci_lower_t",
            "ci_lower_c",
            "t_value",
            "p_value",
        ],
        InputKind::EstimateCi => &["estimate", "lower", "upper", "o_minus_e", "logrank_p"],
        InputKind::Correlation => &["r"],
        InputKind::YiVi => &["yi", "vi"],
        InputKind::YiSe => &["yi", "se"],
        InputKind::Proportion | InputKind::Rate => &["events"],
        InputKind::Rates => &["events_t", "events_c"],
        InputKind::Mean => &["mean", "sd"],
    }
}

/// True for an empty cell, blank text or `NA` (any case).
pub fn is_blank(cell: &Cell) -> bool {
    match cell {
        Cell::Empty => true,
        Cell::Text(t) => {
            let t = super::table::trim(t);
            t.is_empty() || t.eq_ignore_ascii_case("NA")
        }
        Cell::Number(_) => false,
    }
}

/// The outcome columns of `row` present in the table, when every one is blank (the row has
/// no outcome data); `None` when some outcome cell holds something.
pub fn missing_columns(
    table: &Table,
    row: &Row,
    kind: InputKind,
    map: &BTreeMap<String, String>,
) -> Option<Vec<String>> {
    // Checked before anything is allocated: nearly every row has its outcome data.
    let mut any = false;
    for c in outcome_columns(kind) {
        if let Some(i) = table.column(column_for(c, map)) {
            if !is_blank(row.cells.get(i).unwrap_or(&Cell::Empty)) {
                return None;
            }
            any = true;
        }
    }
    any.then(|| {
        outcome_columns(kind)
            .iter()
            .filter(|c| table.column(column_for(c, map)).is_some())
            .map(|c| (*c).to_string())
            .collect()
    })
}

/// Where the labels come from, as messages name it.
fn label_source(table: &Table, study_col: &str, template: Option<&str>) -> String {
    match template {
        Some(t) => format!("the spec's `label: \"{t}\"`"),
        None => format!("column `{study_col}` of {}", table.source),
    }
}

/// Columns whose values, added to the label, make every label unique: the first single
/// column that does, else the first pair (in header order). Outcome columns and the columns
/// already in the label are not proposed. `None` when no column or pair does.
fn distinguishing_columns(
    table: &Table,
    names: &[String],
    used: &[usize],
    excluded: &[usize],
) -> Option<Vec<usize>> {
    // Bounded work: a table with very many columns gets single columns only.
    let candidates: Vec<usize> = (0..table.headers.len())
        .filter(|c| !used.contains(c) && !excluded.contains(c))
        .collect();
    let unique_with = |cols: &[usize]| -> bool {
        let mut seen = std::collections::BTreeSet::new();
        table.rows.iter().zip(names).all(|(row, n)| {
            let mut key = n.clone();
            for &c in cols {
                key.push('\u{1f}');
                key.push_str(
                    row.cells
                        .get(c)
                        .map(Cell::display)
                        .unwrap_or_default()
                        .trim(),
                );
            }
            seen.insert(key)
        })
    };
    if let Some(&c) = candidates.iter().find(|&&c| unique_with(&[c])) {
        return Some(vec![c]);
    }
    if candidates.len() <= 24 && table.rows.len() <= 100_000 {
        for (i, &a) in candidates.iter().enumerate() {
            for &b in &candidates[i + 1..] {
                if unique_with(&[a, b]) {
                    return Some(vec![a, b]);
                }
            }
        }
    }
    None
}

/// The letter suffix of the `i`-th (0-based) repeat: a, b, …, z, aa, ab, …
fn suffix(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A label with the letter of its `j`-th repeat: right after a year ("Breddin 1980a"), after
/// a space otherwise ("Breddin et al a").
fn with_letter(label: &str, j: usize) -> String {
    if label.ends_with(|c: char| c.is_ascii_digit()) {
        format!("{label}{}", suffix(j))
    } else {
        format!("{label} {}", suffix(j))
    }
}

/// Makes the labels of `rows` unique under `policy`, or reports each repeat: the error names
/// where the label comes from (the `study` column or the spec's `label:`) and proposes a
/// template with the columns that would make the labels unique.
#[allow(clippy::too_many_arguments)]
pub fn unique_labels(
    table: &Table,
    names: &mut [String],
    policy: DuplicatePolicy,
    study_col: &str,
    template: Option<&str>,
    label: Option<&[LabelPart]>,
    kind: InputKind,
    map: &BTreeMap<String, String>,
) -> Vec<Diagnostic> {
    // Most tables have no repeated label: that is checked by hashing the borrowed labels
    // (no allocation per label); only when some label repeats are the rows grouped by label
    // (in label order, so the messages come in a fixed order).
    if crate::stats::distinct::all_distinct(
        names.iter().filter(|n| !n.is_empty()).map(String::as_str),
    ) {
        return Vec::new();
    }
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, n) in names.iter().enumerate() {
        if !n.is_empty() {
            by_name.entry(n.as_str()).or_default().push(i);
        }
    }
    let repeated: Vec<Vec<usize>> = by_name.into_values().filter(|v| v.len() > 1).collect();
    if repeated.is_empty() {
        return Vec::new();
    }
    if policy == DuplicatePolicy::Suffix {
        for rows in &repeated {
            for (j, &i) in rows.iter().enumerate() {
                names[i] = with_letter(&names[i], j);
            }
        }
        // A suffixed label may meet a label already in the data ("Smith 2001a").
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut errors = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if n.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(n.as_str(), i) {
                errors.push(table.error(
                    &table.rows[i],
                    None,
                    format!(
                        "study \"{n}\" (a repeated label with its letter) is also the label of line {}; labels must be unique",
                        table.rows[first].line
                    ),
                ));
            }
        }
        return errors;
    }
    let used: Vec<usize> = match label {
        Some(parts) => parts
            .iter()
            .filter_map(|p| match p {
                LabelPart::Column(c) => Some(*c),
                LabelPart::Text(_) => None,
            })
            .collect(),
        None => table.column(study_col).into_iter().collect(),
    };
    let excluded: Vec<usize> = kind
        .columns()
        .iter()
        .chain(super::convert::COLUMNS.iter())
        .filter_map(|c| table.column(column_for(c, map)))
        .collect();
    let proposal = distinguishing_columns(table, names, &used, &excluded).map(|cols| {
        let base = match template {
            Some(t) => t.to_string(),
            None => format!("{{{study_col}}}"),
        };
        let extra: Vec<String> = cols
            .iter()
            .map(|&c| format!("{{{}}}", table.headers[c]))
            .collect();
        format!("label: \"{base} {}\"", extra.join(" "))
    });
    let source = label_source(table, study_col, template);
    let column = match label {
        Some(_) => None,
        None => table.column(study_col),
    };
    let mut errors = Vec::new();
    for rows in repeated {
        // At most ten lines are listed: a label repeated on every row of a large file must
        // not give a message as long as the file (and one such message per row).
        const LISTED: usize = 10;
        let mut lines: Vec<String> = rows
            .iter()
            .take(LISTED)
            .map(|&i| table.rows[i].line.to_string())
            .collect();
        if rows.len() > LISTED {
            lines.push(format!("and {} more", rows.len() - LISTED));
        }
        for &i in &rows[1..] {
            let mut d = table.error(
                &table.rows[i],
                column,
                format!(
                    "study \"{}\" appears {} times (lines {}): {source} gives the same label to different rows, and study labels must be unique",
                    names[i],
                    rows.len(),
                    lines.join(", ")
                ),
            );
            if label.is_some() {
                d.field = Some("label".into());
            }
            d.hint = Some(match &proposal {
                Some(p) => format!(
                    "make the labels unique with the columns that tell these rows apart, e.g. `{p}`, or let repeated labels get a letter (\"{}\", \"{}\") with `duplicate_labels: suffix`",
                    with_letter(&names[i], 0),
                    with_letter(&names[i], 1)
                ),
                None => format!(
                    "no column tells these rows apart: correct the data, or let repeated labels get a letter (\"{}\", \"{}\") with `duplicate_labels: suffix`",
                    with_letter(&names[i], 0),
                    with_letter(&names[i], 1)
                ),
            });
            errors.push(d);
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_run_a_to_z_then_aa() {
        assert_eq!(suffix(0), "a");
        assert_eq!(suffix(1), "b");
        assert_eq!(suffix(25), "z");
        assert_eq!(suffix(26), "aa");
        assert_eq!(suffix(27), "ab");
    }
}
