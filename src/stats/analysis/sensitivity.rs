//! Sensitivity analyses: leave-one-out, cumulative, and named exclusion sets.

use super::{AnalysisError, Ctx, Sensitivity, SensitivityRow, Warning};

impl Ctx<'_> {
    pub(super) fn index_of(
        &self,
        names: &[String],
        context: &str,
    ) -> Result<Vec<usize>, AnalysisError> {
        // Hashed, not searched: a cumulative order names every study (O(k), not O(k²)).
        type Set<'n> = std::collections::HashSet<&'n str, foldhash::fast::RandomState>;
        type Map<'n> = std::collections::HashMap<&'n str, usize, foldhash::fast::RandomState>;
        let known: Set = self.inputs.iter().map(|s| s.name.as_str()).collect();
        let unknown: Vec<String> = names
            .iter()
            .filter(|n| !known.contains(n.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(AnalysisError::UnknownStudies {
                context: context.to_string(),
                names: unknown,
            });
        }
        // Names of excluded studies (e.g. double zeros) are known but have no position.
        let mut position = Map::default();
        for i in (0..self.inc.len()).rev() {
            position.insert(self.name(i), i); // the first position of a name wins
        }
        Ok(names
            .iter()
            .filter_map(|n| position.get(n.as_str()).copied())
            .collect())
    }

    pub(super) fn sensitivity(
        &self,
        warnings: &mut Vec<Warning>,
    ) -> Result<Sensitivity, AnalysisError> {
        let s = &self.opts.sensitivity;
        let k = self.inc.len();
        let mut out = Sensitivity::default();
        if s.leave_one_out && k >= 2 {
            out.leave_one_out = Some(
                (0..k)
                    .map(|i| {
                        let members: Vec<usize> = (0..k).filter(|&j| j != i).collect();
                        let name = self.name(i).to_string();
                        let pool =
                            self.pool(&members, false, warnings, &format!("leaving out {name}: "));
                        SensitivityRow {
                            label: name.clone(),
                            omitted: vec![name],
                            added: None,
                            pool,
                        }
                    })
                    .collect(),
            );
        }
        if let Some(order) = &s.cumulative {
            // Excluded studies (e.g. double zeros) are skipped; unknown names are errors.
            let idx = self.index_of(order, "cumulative order")?;
            let mut rows = Vec::new();
            for j in 1..=idx.len() {
                let members = &idx[..j];
                let last = self.name(idx[j - 1]).to_string();
                let pool = self.pool(members, false, warnings, &format!("cumulative to {last}: "));
                rows.push(SensitivityRow {
                    label: last,
                    omitted: Vec::new(),
                    added: Some(idx[j - 1]),
                    pool,
                });
            }
            out.cumulative = Some(rows);
        }
        for set in &s.exclusions {
            let leave = self.index_of(
                &set.studies,
                &format!("sensitivity analysis \"{}\"", set.label),
            )?;
            let members: Vec<usize> = (0..k).filter(|i| !leave.contains(i)).collect();
            if members.is_empty() {
                return Err(AnalysisError::Incompatible(format!(
                    "sensitivity analysis \"{}\" leaves no study",
                    set.label
                )));
            }
            let pool = self.pool(&members, false, warnings, &format!("{}: ", set.label));
            out.exclusions.push(SensitivityRow {
                label: set.label.clone(),
                omitted: set.studies.clone(),
                added: None,
                pool,
            });
        }
        Ok(out)
    }
}
