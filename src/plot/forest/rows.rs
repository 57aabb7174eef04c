//! What a forest plot lists, row by row: subgroup headers, studies (and those not estimable),
//! subtotals and the total with their event counts, the heterogeneity and overall-effect lines.

use super::{heterogeneity_line, method_label, overall_line};
use crate::data::InputKind;
use crate::report::format;
use crate::spec::Outcome;
use crate::stats::StudyData;
use crate::stats::analysis::{Analysis, Pool};

/// One row of the plot.
pub(super) enum Row {
    Header(String),
    /// An included study (index into `Analysis::studies`).
    Study(usize),
    /// A study the analysis could not use (input index): shown as "Not estimable", as RevMan.
    Excluded(usize),
    /// A study without data for the outcome (index into `Analysis::missing`): its cells
    /// empty, "Not estimable", as RevMan lists a study that did not report the outcome.
    Missing(usize),
    Total {
        label: String,
        pool_of: PoolRef,
        /// Sums of the data columns (column index, sum): participants per arm for two-arm
        /// data; events and participants (or person-time) of a single group, or of each arm
        /// of rates, as metaprop and metainc print them.
        totals: Vec<(usize, f64)>,
    },
    Events(f64, f64),
    /// A line of text across the table (heterogeneity, overall effect).
    Text(String),
    Prediction(PoolRef),
    Blank,
}

impl Row {
    /// Where a page of a plot too tall for one may start: 2 at a subgroup header, 1 at a study.
    pub(super) fn may_start(&self) -> u8 {
        match self {
            Row::Header(_) => 2,
            Row::Study(_) | Row::Excluded(_) | Row::Missing(_) => 1,
            _ => 0,
        }
    }
}

/// Which pool a total row shows.
#[derive(Clone, Copy)]
pub(super) enum PoolRef {
    Overall,
    Subgroup(usize),
}

pub(super) fn pool_of(a: &Analysis, r: PoolRef) -> &Pool {
    match r {
        PoolRef::Overall => &a.overall,
        PoolRef::Subgroup(g) => &a.subgroups.as_ref().expect("subgroups").groups[g].pool,
    }
}

/// The rows of a set of included studies together with the excluded studies of the same
/// subgroup (or all of them), in input order.
fn study_rows(a: &Analysis, members: &[usize], subgroup: Option<&str>) -> Vec<Row> {
    let mut rows: Vec<((usize, u8), Row)> = members
        .iter()
        .map(|&i| ((a.studies[i].input, 1), Row::Study(i)))
        .collect();
    for e in &a.excluded {
        if subgroup.is_none() || a.inputs[e.input].subgroup.as_deref() == subgroup {
            rows.push(((e.input, 1), Row::Excluded(e.input)));
        }
    }
    for (j, m) in a.missing_in(subgroup) {
        rows.push((m.sort_key(), Row::Missing(j)));
    }
    rows.sort_by_key(|(k, _)| *k);
    rows.into_iter().map(|(_, r)| r).collect()
}

/// A subgroup's value as the heading of its rows or panel: with a capital when the data give
/// it in lower case throughout ("random" → "Random", "case-control" → "Case-control"), as
/// typed otherwise ("mRNA vaccine", "BCG", "IgA").
pub(crate) fn heading(value: &str) -> String {
    if value.chars().any(char::is_uppercase) {
        value.to_string()
    } else {
        crate::report::format::upper_first(value)
    }
}

/// The weight shown for study `i`: in the total when pooled, else in its subgroup.
pub(super) fn weight_of(a: &Analysis, i: usize) -> Option<f64> {
    if let Some(w) = a.weight_pct(i) {
        return Some(w);
    }
    let sg = a.subgroups.as_ref()?;
    sg.groups.iter().find_map(|g| {
        g.studies
            .iter()
            .position(|&s| s == i)
            .and_then(|p| g.pool.weights_pct.as_ref().map(|w| w[p]))
    })
}

/// The weight (%) a total row shows.
pub(super) fn total_weight(a: &Analysis, r: PoolRef) -> f64 {
    match r {
        PoolRef::Overall => 100.0,
        PoolRef::Subgroup(g) => {
            let sg = &a.subgroups.as_ref().expect("subgroups").groups[g];
            if a.overall.weights_pct.is_some() {
                sg.studies.iter().filter_map(|&i| a.weight_pct(i)).sum()
            } else {
                100.0
            }
        }
    }
}

/// The sums a total row prints under the data columns, by column index (see `columns.rs`'s
/// `data_heads`): participants per arm (binary, continuous); events and participants of a
/// single-group proportion, events and person-time of a rate (metaprop's and metarate's total
/// row), participants of a single-group mean; events and person-time per arm of rates
/// (metainc). None for effects given on the analysis scale.
pub(super) fn total_cells<'a>(data: impl Iterator<Item = &'a StudyData>) -> Vec<(usize, f64)> {
    let mut sums: Vec<(usize, f64)> = Vec::new();
    let mut add = |col: usize, x: f64| match sums.iter_mut().find(|(c, _)| *c == col) {
        Some((_, s)) => *s += x,
        None => sums.push((col, x)),
    };
    for d in data {
        match *d {
            StudyData::Binary {
                total_t, total_c, ..
            } => {
                add(1, total_t);
                add(3, total_c);
            }
            StudyData::Continuous { n_t, n_c, .. } => {
                add(2, n_t);
                add(5, n_c);
            }
            StudyData::Proportion { events, total } => {
                add(0, events);
                add(1, total);
            }
            StudyData::Rate { events, time } => {
                add(0, events);
                add(1, time);
            }
            StudyData::Rates {
                events_t,
                time_t,
                events_c,
                time_c,
            } => {
                add(0, events_t);
                add(1, time_t);
                add(2, events_c);
                add(3, time_c);
            }
            StudyData::Mean { n, .. } => add(2, n),
            _ => {}
        }
    }
    sums.sort_by_key(|(c, _)| *c);
    sums
}

/// Every row of the forest plot of `a`.
pub(super) fn rows(a: &Analysis, o: &Outcome) -> Vec<Row> {
    let level = a.options.level;
    let binary = o.kind == InputKind::Binary;
    // A single group's proportion, rate or mean has no null to test against (a Z test of the
    // logit or log rate against 0 is meaningless): no overall-effect line, as metaprop prints.
    let test_line = !a.options.measure.single_group();
    let mut rows = Vec::new();
    // Totals count every study of the set, including those not estimable (as RevMan).
    let inputs_of = |idx: &[usize], group: Option<&str>| -> Vec<usize> {
        let mut v: Vec<usize> = idx.iter().map(|&i| a.studies[i].input).collect();
        v.extend(
            a.excluded
                .iter()
                .filter(|e| group.is_none() || a.inputs[e.input].subgroup.as_deref() == group)
                .map(|e| e.input),
        );
        v
    };
    let totals = |inputs: &[usize]| total_cells(inputs.iter().map(|&i| &a.inputs[i].data));
    let events = |inputs: &[usize]| -> (f64, f64) {
        inputs
            .iter()
            .fold((0.0, 0.0), |acc, &i| match a.inputs[i].data {
                StudyData::Binary {
                    events_t, events_c, ..
                } => (acc.0 + events_t, acc.1 + events_c),
                _ => acc,
            })
    };
    let all: Vec<usize> = (0..a.studies.len()).collect();
    if let Some(sg) = &a.subgroups {
        for (g, group) in sg.groups.iter().enumerate() {
            rows.push(Row::Header(heading(&group.name)));
            rows.extend(study_rows(a, &group.studies, Some(group.name.as_str())));
            if group.studies.len() > 1 {
                let label = if group.pool.decision.effects != a.overall.decision.effects {
                    format!("Subtotal ({})", method_label(&group.pool, level))
                } else {
                    format!("Subtotal ({:.0}% CI)", level * 100.0)
                };
                let members = inputs_of(&group.studies, Some(group.name.as_str()));
                rows.push(Row::Total {
                    label,
                    pool_of: PoolRef::Subgroup(g),
                    totals: totals(&members),
                });
                if binary {
                    let (e, c) = events(&members);
                    rows.push(Row::Events(e, c));
                }
                rows.push(Row::Text(heterogeneity_line(&group.pool)));
                if test_line {
                    rows.push(Row::Text(overall_line(&group.pool)));
                }
            }
            rows.push(Row::Blank);
        }
        // Studies without data in a subgroup no analysed study belongs to.
        let mut orphans: Vec<&str> = Vec::new();
        for m in &a.missing {
            let g = m.subgroup.as_deref().unwrap_or("");
            if !sg.groups.iter().any(|x| x.name == g) && !orphans.contains(&g) {
                orphans.push(g);
            }
        }
        for g in orphans {
            rows.push(Row::Header(heading(g)));
            for (j, m) in a.missing.iter().enumerate() {
                if m.subgroup.as_deref().unwrap_or("") == g {
                    rows.push(Row::Missing(j));
                }
            }
            rows.push(Row::Blank);
        }
    } else {
        rows.extend(study_rows(a, &all, None));
        rows.push(Row::Blank);
    }
    let everyone = inputs_of(&all, None);
    rows.push(Row::Total {
        label: format!("Total ({:.0}% CI)", level * 100.0),
        pool_of: PoolRef::Overall,
        totals: totals(&everyone),
    });
    if o.forest.prediction_bar
        && a.overall
            .prediction
            .value()
            .and_then(|p| p.shown_interval())
            .is_some()
    {
        rows.push(Row::Prediction(PoolRef::Overall));
    }
    if binary {
        let (e, c) = events(&everyone);
        rows.push(Row::Events(e, c));
    }
    rows.push(Row::Text(heterogeneity_line(&a.overall)));
    if test_line {
        rows.push(Row::Text(overall_line(&a.overall)));
    }
    if let Some(sg) = &a.subgroups {
        rows.push(Row::Text(match sg.difference.value() {
            Some(d) => {
                let i2 = if d.q > 0.0 {
                    (100.0 * (d.q - d.df as f64) / d.q).max(0.0)
                } else {
                    0.0
                };
                format!(
                    "Test for subgroup differences: Chi² = {}, df = {} ({}), I² = {}",
                    format::stat_revman(d.q),
                    d.df,
                    format::p_revman(d.p),
                    format::i2(i2)
                )
            }
            None => "Test for subgroup differences: Not applicable".into(),
        }));
    }
    rows
}

#[cfg(test)]
mod tests {
    #[test]
    fn subgroup_headings_take_a_capital_only_when_the_data_have_none() {
        for (value, shown) in [
            ("random", "Random"),
            ("case-control", "Case-control"),
            ("low dose", "Low dose"),
            ("mRNA vaccine", "mRNA vaccine"),
            ("IgA", "IgA"),
            ("BCG", "BCG"),
            ("2010 or later", "2010 or later"),
            ("étude", "Étude"),
            ("", ""),
        ] {
            assert_eq!(super::heading(value), shown);
        }
    }
}
