//! `baseline:` → pooled baseline characteristics ([`Baseline`]).

use super::Resolver;
use crate::data::{self, InputKind, bind};
use crate::diag::Diagnostic;
use crate::spec::raw::RawBaseline;
use crate::spec::{Baseline, BaselineCharacteristic};

pub(super) fn baseline(r: &mut Resolver<'_>, b: &RawBaseline) -> Option<Baseline> {
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
