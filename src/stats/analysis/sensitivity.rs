//! Sensitivity analyses: leave-one-out, cumulative, and named exclusion sets.

use super::{AnalysisError, Ctx, Sensitivity, SensitivityRow, Warning};

/// Study-fits (studies × refits) of a sensitivity analysis per thread: below that, one thread.
const PARALLEL_WORK: usize = 100_000;

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
            out.leave_one_out = Some(self.refits(
                k,
                |_| k - 1,
                warnings,
                |i, warnings| {
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
                },
            ));
        }
        if let Some(order) = &s.cumulative {
            // Excluded studies (e.g. double zeros) are skipped; unknown names are errors.
            let idx = self.index_of(order, "cumulative order")?;
            let rows = self.refits(
                idx.len(),
                |j| j + 1,
                warnings,
                |j, warnings| {
                    let members = &idx[..=j];
                    let last = self.name(idx[j]).to_string();
                    let pool =
                        self.pool(members, false, warnings, &format!("cumulative to {last}: "));
                    SensitivityRow {
                        label: last,
                        omitted: Vec::new(),
                        added: Some(idx[j]),
                        pool,
                    }
                },
            );
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

    /// Rows `0..n` of a sensitivity analysis, each a refit of `size(i)` studies (O(k²) work in
    /// all): made in contiguous runs of about equal work on the available threads when there
    /// are many, each run with its own warnings, joined in order — the rows and warnings are
    /// those of one loop, whatever the number of threads.
    fn refits(
        &self,
        n: usize,
        size: impl Fn(usize) -> usize,
        warnings: &mut Vec<Warning>,
        row: impl Fn(usize, &mut Vec<Warning>) -> SensitivityRow + Sync,
    ) -> Vec<SensitivityRow> {
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
        // Below some 10⁵ study-fits a thread costs more than it saves.
        let work: usize = (0..n).map(&size).sum();
        let threads = threads.min(work / PARALLEL_WORK + 1).min(n.max(1));
        if threads <= 1 {
            return (0..n).map(|i| row(i, warnings)).collect();
        }
        // Run boundaries at equal shares of the work.
        let mut bounds = vec![0];
        let mut done = 0;
        for i in 0..n {
            done += size(i);
            if bounds.len() < threads && done * threads >= work * bounds.len() {
                bounds.push(i + 1);
            }
        }
        bounds.push(n);
        bounds.dedup();
        let runs: Vec<(Vec<SensitivityRow>, Vec<Warning>)> = std::thread::scope(|s| {
            let handles: Vec<_> = bounds
                .windows(2)
                .map(|r| {
                    let (a, b) = (r[0], r[1]);
                    let row = &row;
                    s.spawn(move || {
                        let mut w = Vec::new();
                        let rows = (a..b).map(|i| row(i, &mut w)).collect();
                        (rows, w)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a refit does not panic"))
                .collect()
        });
        let mut rows = Vec::with_capacity(n);
        for (r, w) in runs {
            rows.extend(r);
            warnings.extend(w);
        }
        rows
    }
}
