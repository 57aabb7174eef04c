//! An outcome's rows without outcome data (`missing:`) and its repeated labels
//! (`duplicate_labels:`): the policies read from the spec, and the studies without data placed
//! among the analysed ones (`stats::analysis::MissingStudy`).

use std::collections::BTreeMap;

use crate::data::studies::{MissingRow, RowPolicy};
use crate::spec::Outcome;
use crate::spec::raw::RawOutcome;
use crate::stats::StudyInput;
use crate::stats::analysis::{Analysis, AnalysisError, MissingStudy};

/// The outcome's rules for rows without data and repeated labels: its own keys, else the
/// review's `defaults:`, else listed as not reporting the outcome and repeated labels an error.
pub(super) fn policy(
    o: &RawOutcome,
    defaults: Option<&crate::spec::raw::RawDefaults>,
) -> RowPolicy {
    RowPolicy {
        missing: o
            .missing
            .or(defaults.and_then(|d| d.missing))
            .unwrap_or_default(),
        missing_from_defaults: o.missing.is_none() && defaults.and_then(|d| d.missing).is_some(),
        duplicates: o
            .duplicate_labels
            .or(defaults.and_then(|d| d.duplicate_labels))
            .unwrap_or_default(),
        arm: None,
    }
}

/// The reason written for a study without data.
pub const NO_DATA: &str = "did not report the outcome (no data)";

/// Places each row without data after the last analysed study of its subgroup (or of all
/// studies) that precedes it in the data; `studies` and `lines` are in the analysis's order.
pub(super) fn place(
    missing: Vec<MissingRow>,
    studies: &[StudyInput],
    lines: &[usize],
) -> Vec<MissingStudy> {
    if missing.is_empty() {
        return Vec::new();
    }
    // Per subgroup (all studies when the outcome has none): (line, input) sorted by line.
    let grouped = studies.iter().any(|s| s.subgroup.is_some());
    let mut by_group: BTreeMap<Option<&str>, Vec<(usize, usize)>> = BTreeMap::new();
    for (i, (s, &l)) in studies.iter().zip(lines).enumerate() {
        let g = if grouped { s.subgroup.as_deref() } else { None };
        by_group.entry(g).or_default().push((l, i));
    }
    for v in by_group.values_mut() {
        v.sort_unstable();
    }
    missing
        .into_iter()
        .map(|m| {
            let g = if grouped { m.subgroup.as_deref() } else { None };
            let after = by_group.get(&g).and_then(|v| {
                let p = v.partition_point(|&(l, _)| l < m.line);
                p.checked_sub(1).map(|p| v[p].1)
            });
            MissingStudy {
                study: m.name,
                subgroup: if grouped { m.subgroup } else { None },
                reason: NO_DATA.to_string(),
                after,
            }
        })
        .collect()
}

impl Outcome {
    /// Runs the outcome's analysis, with its studies without data listed beside it.
    pub fn analyse(&self) -> Result<Analysis, AnalysisError> {
        crate::stats::analyse(self.studies.clone(), &self.options)
            .map(|a| a.with_missing(self.missing.clone()))
    }

    /// [`Outcome::analyse`] with the studies and the studies without data moved into the
    /// analysis instead of copied (`metareport pool`: a million rows are not cloned); the
    /// outcome is left without them (its `lines` stay, for messages).
    pub fn analyse_moving(&mut self) -> Result<Analysis, AnalysisError> {
        let missing = std::mem::take(&mut self.missing);
        crate::stats::analyse(std::mem::take(&mut self.studies), &self.options)
            .map(|a| a.with_missing(missing))
    }
}
