//! An outcome's `sensitivity:`: leave-one-out, cumulative order, exclusion sets.

use std::collections::BTreeMap;

use super::Resolver;
use super::data::OutcomeData;
use crate::data::{self, bind};
use crate::diag::did_you_mean;
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
) -> (SensitivityOptions, Option<String>) {
    let (table, kind, map, label) = (&d.table, d.kind, &d.map, &d.label);
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
                    let bound = bind::bind_studies(table, kind, map, None, label.as_deref())
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
    (sensitivity, cumulative_by)
}
