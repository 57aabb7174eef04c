//! An outcome's `sensitivity:`: leave-one-out, cumulative order, exclusion sets.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::Resolver;
use super::data::OutcomeData;
use crate::data;
use crate::diag::did_you_mean;
use crate::spec::CumulativeOrder;
use crate::spec::raw::RawOutcome;
use crate::stats::StudyInput;
use crate::stats::analysis::{ExclusionSet, SensitivityOptions};

/// The sensitivity analyses asked for, and the column ordering a cumulative analysis.
pub(super) fn sensitivity(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    d: &OutcomeData,
    studies: &[StudyInput],
) -> (SensitivityOptions, Option<CumulativeOrder>) {
    let table = &d.table;
    let sens = o.sensitivity.clone().unwrap_or_default();
    // The labels, listed only for what reads them (a cumulative order, exclusion sets).
    let names: Vec<&str> = if sens.cumulative.is_some() || sens.exclude.is_some() {
        studies.iter().map(|s| s.name.as_str()).collect()
    } else {
        Vec::new()
    };
    let mut sensitivity = SensitivityOptions {
        leave_one_out: sens.leave_one_out.unwrap_or(false),
        cumulative: None,
        exclusions: Vec::new(),
    };
    let mut cumulative_order = None;
    if let Some(c) = &sens.cumulative {
        cumulative_order = Some(CumulativeOrder::Data);
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
                            table.column_list()
                        ),
                        hint,
                    );
                }
                Some(ci) => {
                    // Each study's own row, as bound with the outcome's settings.
                    let key: BTreeMap<&str, data::Cell> = names
                        .iter()
                        .map(|&n| {
                            let cell = d
                                .row_of
                                .get(n)
                                .and_then(|&ri| table.rows[ri].cells.get(ci))
                                .cloned()
                                .unwrap_or(data::Cell::Empty);
                            (n, cell)
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
                            natural_cmp(&ka.display(), &kb.display())
                        };
                        ord.then(a.0.cmp(&b.0))
                    });
                    let descending = c.descending.unwrap_or(false);
                    if descending {
                        order.reverse();
                    }
                    cumulative_order = Some(CumulativeOrder::Column {
                        column: col.clone(),
                        numeric,
                        descending,
                    });
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
        } else if names.iter().all(|n| ex.studies.iter().any(|s| s == n)) {
            r.error(
                &format!("{path}.sensitivity.exclude[{i}].studies"),
                format!(
                    "excluding {} leaves no study to pool",
                    if names.len() == 1 {
                        "the only study".to_string()
                    } else {
                        format!("all {} studies", names.len())
                    }
                ),
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
    (sensitivity, cumulative_order)
}

/// Natural order of text: letters ignoring case, runs of digits as numbers ("Study 2" before
/// "Study 10", "CloroCOVID" before "COV-HCQ"); text equal in that order falls back to its
/// bytes, so the order is total and the same on every machine.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let digits = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut s = String::new();
                    while let Some(c) = it.next_if(char::is_ascii_digit) {
                        s.push(c);
                    }
                    s
                };
                let (m, n) = (digits(&mut x), digits(&mut y));
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let ord = m.len().cmp(&n.len()).then_with(|| m.cmp(n));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(p), Some(q)) => {
                let ord = p.to_lowercase().cmp(q.to_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                x.next();
                y.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;

    #[test]
    fn natural_order_ignores_case_and_compares_numbers_as_numbers() {
        let mut v = vec![
            "Study 10",
            "COV-HCQ",
            "study 2",
            "CloroCOVID",
            "Study 2",
            "Abd-Elsalam",
            "Study 02",
            "Z",
            "",
            "Study 9a",
            "Study 9",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "",
                "Abd-Elsalam",
                "CloroCOVID",
                "COV-HCQ",
                "Study 02",
                "Study 2",
                "study 2",
                "Study 9",
                "Study 9a",
                "Study 10",
                "Z"
            ]
        );
        // Digit runs far beyond u64 compare without overflow.
        assert!(natural_cmp("x 99999999999999999999999", "x 100000000000000000000000").is_lt());
    }
}
