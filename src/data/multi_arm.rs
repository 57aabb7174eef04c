//! Multi-arm trials: several rows of one trial, each comparing one experimental arm with the
//! same control group (the rows share a study label and name their arm in the `arm` column).
//! Counting that control group once per comparison would count its participants twice and
//! give correlated comparisons weight they do not have. Two remedies of the Cochrane Handbook
//! (Higgins, Eldridge, Li; chapter 23, section 23.3.4), chosen by `multi_arm: method:`:
//!
//! - **split**: the shared control group is divided evenly among the trial's comparisons.
//!   Events and participants are divided and rounded to whole numbers, the remainder given
//!   one each to the first comparisons in the data's order, so that the parts add up to the
//!   shared group (15 events in 101 participants among two comparisons: 8/51 and 7/50; a
//!   count that is not a whole number is divided exactly). A continuous control keeps its
//!   mean and SD, with its size divided the same way. Each comparison stays a row of the
//!   forest plot, labelled "Smith 2010 (low dose)".
//! - **combine**: the experimental arms are merged into one group compared with the control:
//!   events and participants summed (binary), or sizes, means and SDs combined with the
//!   Handbook's formula (section 6.5.2.10, Table 6.5.a; `stats::convert::combine`), applied
//!   arm by arm in the data's order. The trial is one row, under its study label.
//!
//! Rows that did not report the outcome are not among the comparisons. The rows of a trial
//! must give the same control group (the same cells), and, when combined, the same subgroup.

use serde::{Deserialize, Serialize};

use super::bind::{Bound, InputKind, column_for};
use super::table::Table;
use crate::diag::Diagnostic;
use crate::stats::StudyData;
use crate::stats::convert::combine::combine_groups;

/// How a multi-arm trial's comparisons are analysed (Cochrane Handbook 23.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The shared control group is divided evenly among the comparisons.
    Split,
    /// The experimental arms are combined into one group.
    Combine,
}

impl Method {
    /// The name used in specs and results.json.
    pub fn name(self) -> &'static str {
        match self {
            Method::Split => "split",
            Method::Combine => "combine",
        }
    }
}

/// One multi-arm trial as analysed: its label, arms and rows, and the rows the analysis got.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trial {
    /// The study label the trial's rows share.
    pub trial: String,
    /// The experimental arms, in the data's order.
    pub arms: Vec<String>,
    /// The data lines of those rows.
    pub lines: Vec<usize>,
    /// The labels of the rows analysed: one per arm (split), or the trial's (combine).
    pub studies: Vec<String>,
    /// The data analysed for each of `studies`.
    pub data: Vec<StudyData>,
}

/// What was done to an outcome's multi-arm trials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub method: Method,
    /// The column naming the arms.
    pub arm_column: String,
    /// The trials with more than one comparison that has data, in the data's order.
    pub trials: Vec<Trial>,
    /// The rows analysed (studies with data, after splitting or combining).
    pub rows_analysed: usize,
    /// The trials they come from.
    pub trials_analysed: usize,
}

/// `x` divided into `k` parts: whole numbers adding up to `x` (the remainder one each to the
/// first parts) when `x` is a whole number, else `x / k` each.
pub fn split_count(x: f64, k: usize) -> Vec<f64> {
    let kf = k as f64;
    if x.fract() != 0.0 || x < 0.0 {
        return vec![x / kf; k];
    }
    let base = (x / kf).floor();
    let rem = (x - base * kf).round() as usize;
    (0..k)
        .map(|i| if i < rem { base + 1.0 } else { base })
        .collect()
}

/// Appends " (arm)" to every label shared by several rows (a multi-arm trial), from the
/// `arm` column (index `ac`); returns each row's trial label and arm (`None` for a label of
/// one row). An empty arm cell on such a row is an error.
pub fn arm_labels(
    table: &Table,
    names: &mut [String],
    ac: usize,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Option<(String, String)>> {
    let mut count: std::collections::BTreeMap<&str, usize> = Default::default();
    for n in names.iter().filter(|n| !n.is_empty()) {
        *count.entry(n.as_str()).or_default() += 1;
    }
    let shared: Vec<bool> = names
        .iter()
        .map(|n| count.get(n.as_str()).is_some_and(|&c| c > 1))
        .collect();
    let mut out = Vec::with_capacity(names.len());
    // (trial, arm) → the line of its first row: an arm named twice in one trial.
    let mut seen: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for ((row, name), shared) in table.rows.iter().zip(names.iter_mut()).zip(shared) {
        if !shared {
            out.push(None);
            continue;
        }
        let arm = row
            .cells
            .get(ac)
            .map(super::Cell::display)
            .unwrap_or_default()
            .trim()
            .to_string();
        if arm.is_empty() {
            let mut d = table.error(
                row,
                Some(ac),
                format!(
                    "study \"{name}\" has several rows (a multi-arm trial), and this row does not name its arm"
                ),
            );
            d.hint = Some(format!(
                "write the experimental arm (e.g. \"high dose\") in column `{}`: the forest plot shows \"{name} (high dose)\"",
                table.headers[ac]
            ));
            errors.push(d);
            out.push(None);
            continue;
        }
        if let Some(&first) = seen.get(&(name.clone(), arm.clone())) {
            let mut d = table.error(
                row,
                Some(ac),
                format!(
                    "study \"{name}\" names arm \"{arm}\" on lines {first} and {}: each row of a multi-arm trial is one experimental arm compared with the shared control, so one trial cannot have the same arm twice",
                    row.line
                ),
            );
            d.hint = Some(format!(
                "if these are two arms of one trial, name each in column `{}` (e.g. \"{arm} 1\", \"{arm} 2\"); if they are two trials, give them different study labels (e.g. `label: \"{{study}} {{year}}\"`); if one row is a copy, delete it",
                table.headers[ac]
            ));
            errors.push(d);
            out.push(None);
            continue;
        }
        seen.insert((name.clone(), arm.clone()), row.line);
        let trial = std::mem::take(name);
        *name = format!("{trial} ({arm})");
        out.push(Some((trial, arm)));
    }
    out
}

/// The control group of a row, and how messages print it.
fn control(d: &StudyData) -> Option<(Vec<f64>, String)> {
    match *d {
        StudyData::Binary {
            events_c, total_c, ..
        } => Some((
            vec![events_c, total_c],
            format!("{events_c}/{total_c} (events_c/total_c)"),
        )),
        StudyData::Continuous {
            mean_c, sd_c, n_c, ..
        } => Some((
            vec![mean_c, sd_c, n_c],
            format!("mean {mean_c}, SD {sd_c}, n {n_c} (mean_c, sd_c, n_c)"),
        )),
        _ => None,
    }
}

/// Applies `method` to the trials of `b` (its `arms` name each study's trial and arm), in
/// place. Every problem is reported, located at the row.
pub fn apply(
    table: &Table,
    b: &mut Bound,
    method: Method,
    kind: InputKind,
    arm_column: &str,
    map: &std::collections::BTreeMap<String, String>,
) -> Result<Report, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let row_error = |i: usize, col: &str, msg: String| {
        table.error(
            &table.rows[b.rows[i]],
            table.column(column_for(col, map)),
            msg,
        )
    };
    // Trials in the order of their first row with data.
    let mut order: Vec<String> = Vec::new();
    let mut members: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (i, t) in b.arms.iter().enumerate() {
        if let Some((trial, _)) = t {
            let v = members.entry(trial.clone()).or_default();
            if v.is_empty() {
                order.push(trial.clone());
            }
            v.push(i);
        }
    }
    order.retain(|t| members[t].len() > 1);
    if !order.is_empty() && !matches!(kind, InputKind::Binary | InputKind::Continuous) {
        let first = members[&order[0]][0];
        let mut d = row_error(
            first,
            "study",
            format!(
                "study \"{}\" has several rows (a multi-arm trial), but `multi_arm` applies to binary and continuous data (an experimental and a control arm per row), not to {} data",
                order[0],
                kind.name()
            ),
        );
        d.hint = Some(if kind == InputKind::Rates {
            // Rates: splitting a shared control's person-time is not what the Handbook
            // (23.3.4) describes for dichotomous or continuous data, nor what metafor does
            // (a multivariate model with the covariance of the shared control).
            format!(
                "metareport does not split a shared control's events and person-time: add the experimental arms' `events_t` and `time_t` into one row for \"{}\" (combining arms, Cochrane Handbook 23.3.4), or keep one comparison; giving each comparison its own label would count the shared control twice",
                order[0]
            )
        } else {
            "give each comparison its own label, or remove `multi_arm`".into()
        });
        return Err(vec![d]);
    }
    let mut trials = Vec::new();
    let mut drop = vec![false; b.studies.len()];
    for t in &order {
        let rows = &members[t];
        // The rows must share their control group.
        let Some((c0, shown0)) = control(&b.studies[rows[0]].data) else {
            continue;
        };
        let mut same = true;
        for &i in &rows[1..] {
            if let Some((c, shown)) = control(&b.studies[i].data)
                && c != c0
            {
                let col = if kind == InputKind::Binary {
                    "events_c"
                } else {
                    "n_c"
                };
                let mut d = row_error(
                    i,
                    col,
                    format!(
                        "study \"{t}\" is a multi-arm trial, and its rows must give the same shared control group: line {} gives {shown0}, this row {shown}",
                        b.lines[rows[0]]
                    ),
                );
                d.hint = Some("copy the shared control group's cells to every row of the trial (each row is one comparison with it), or give the rows different labels if they are different trials".into());
                errors.push(d);
                same = false;
            }
        }
        if !same {
            continue;
        }
        let arms: Vec<String> = rows
            .iter()
            .map(|&i| b.arms[i].as_ref().map(|a| a.1.clone()).unwrap_or_default())
            .collect();
        let lines: Vec<usize> = rows.iter().map(|&i| b.lines[i]).collect();
        let k = rows.len();
        match method {
            Method::Split => {
                let n_idx = if kind == InputKind::Binary { 1 } else { 2 };
                let n_parts = split_count(c0[n_idx], k);
                let e_parts = split_count(c0[0], k);
                let least = if kind == InputKind::Binary { 1.0 } else { 2.0 };
                if n_parts.iter().any(|&n| n < least) {
                    errors.push(row_error(
                        rows[0],
                        if kind == InputKind::Binary { "total_c" } else { "n_c" },
                        format!(
                            "study \"{t}\": a shared control group of {} participants cannot be split among {k} comparisons (each part needs at least {least})",
                            c0[n_idx]
                        ),
                    ));
                    continue;
                }
                for (j, &i) in rows.iter().enumerate() {
                    match &mut b.studies[i].data {
                        StudyData::Binary {
                            events_c, total_c, ..
                        } => {
                            *events_c = e_parts[j];
                            *total_c = n_parts[j];
                        }
                        StudyData::Continuous { n_c, .. } => *n_c = n_parts[j],
                        _ => {}
                    }
                }
                trials.push(Trial {
                    trial: t.clone(),
                    arms,
                    lines,
                    studies: rows.iter().map(|&i| b.studies[i].name.clone()).collect(),
                    data: rows.iter().map(|&i| b.studies[i].data).collect(),
                });
            }
            Method::Combine => {
                let sub = &b.studies[rows[0]].subgroup;
                if let Some(&i) = rows[1..].iter().find(|&&i| &b.studies[i].subgroup != sub) {
                    let mut d = row_error(
                        i,
                        "study",
                        format!(
                            "study \"{t}\" is a multi-arm trial whose arms are combined, but its rows are in different subgroups (\"{}\" on line {}, \"{}\" here)",
                            sub.as_deref().unwrap_or(""),
                            b.lines[rows[0]],
                            b.studies[i].subgroup.as_deref().unwrap_or("")
                        ),
                    );
                    d.hint = Some("with subgroups by arm, split the shared control group instead (`multi_arm: {method: split}`)".into());
                    errors.push(d);
                    continue;
                }
                let mut merged = b.studies[rows[0]].data;
                let mut ok = true;
                for &i in &rows[1..] {
                    match (&mut merged, &b.studies[i].data) {
                        (
                            StudyData::Binary {
                                events_t, total_t, ..
                            },
                            StudyData::Binary {
                                events_t: e,
                                total_t: n,
                                ..
                            },
                        ) => {
                            *events_t += e;
                            *total_t += n;
                        }
                        (
                            StudyData::Continuous {
                                mean_t, sd_t, n_t, ..
                            },
                            StudyData::Continuous {
                                mean_t: m,
                                sd_t: s,
                                n_t: n,
                                ..
                            },
                        ) => match combine_groups(*n_t, *mean_t, *sd_t, *n, *m, *s) {
                            Some((n2, m2, s2)) => {
                                *n_t = n2;
                                *mean_t = m2;
                                *sd_t = s2;
                            }
                            None => {
                                errors.push(row_error(
                                    i,
                                    "n_t",
                                    format!("study \"{t}\": its arms cannot be combined (each arm needs a size of at least 1 and a non-negative SD)"),
                                ));
                                ok = false;
                                break;
                            }
                        },
                        _ => {}
                    }
                }
                if !ok {
                    continue;
                }
                let first = rows[0];
                b.studies[first].data = merged;
                b.studies[first].name = t.clone();
                let mut conv = Vec::new();
                for &i in rows {
                    conv.extend(std::mem::take(&mut b.conversions[i]));
                }
                b.conversions[first] = conv;
                for &i in &rows[1..] {
                    drop[i] = true;
                }
                trials.push(Trial {
                    trial: t.clone(),
                    arms,
                    lines,
                    studies: vec![t.clone()],
                    data: vec![merged],
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if drop.iter().any(|&d| d) {
        retain_kept(&mut b.studies, &drop);
        retain_kept(&mut b.lines, &drop);
        retain_kept(&mut b.conversions, &drop);
        retain_kept(&mut b.rows, &drop);
        retain_kept(&mut b.arms, &drop);
    }
    let extra: usize = trials.iter().map(|t| t.studies.len() - 1).sum();
    Ok(Report {
        method,
        arm_column: arm_column.to_string(),
        rows_analysed: b.studies.len(),
        trials_analysed: b.studies.len() - extra,
        trials,
    })
}

/// Keeps the elements of `v` whose `drop` is false.
fn retain_kept<T>(v: &mut Vec<T>, drop: &[bool]) {
    let mut i = 0;
    v.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
}

#[cfg(test)]
mod tests {
    use super::split_count;

    #[test]
    fn a_split_adds_up_with_the_remainder_first() {
        assert_eq!(split_count(101.0, 2), vec![51.0, 50.0]);
        assert_eq!(split_count(15.0, 2), vec![8.0, 7.0]);
        assert_eq!(split_count(10.0, 3), vec![4.0, 3.0, 3.0]);
        assert_eq!(split_count(7.5, 3), vec![2.5, 2.5, 2.5]);
    }
}
