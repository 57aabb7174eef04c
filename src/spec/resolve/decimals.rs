//! An outcome's `forest: decimals:`: one number of decimals per data column of its forest plot,
//! as entered (the most decimals any value of the column was written with, as RevMan shows what
//! was entered) or as set in the spec.

use std::collections::BTreeMap;

use super::Resolver;
use super::data::OutcomeData;
use crate::data::{InputKind, bind};
use crate::diag::did_you_mean;
use crate::spec::raw::RawOutcome;

/// At most this many decimals are taken from the data (a value computed by a spreadsheet
/// carries fifteen).
pub const MAX_ENTERED: usize = 4;

/// At most this many decimals may be asked for in a spec.
const MAX_SET: u8 = 8;

/// Decimals of the columns a forest plot computes rather than shows as entered (the log of an
/// estimate, a standard error from a variance).
const COMPUTED: usize = 4;

/// The keys a spec may set for a kind of data, each with the columns it stands for, and
/// whether those are shown as entered.
fn quantities(kind: InputKind) -> &'static [(&'static str, &'static [&'static str], bool)] {
    match kind {
        InputKind::Binary => &[
            ("events", &["events_t", "events_c"], true),
            ("total", &["total_t", "total_c"], true),
        ],
        InputKind::Continuous => &[
            ("mean", &["mean_t", "mean_c"], true),
            ("sd", &["sd_t", "sd_c"], true),
            ("n", &["n_t", "n_c"], true),
        ],
        InputKind::Correlation => &[("r", &["r"], true), ("n", &["n"], true)],
        InputKind::YiVi => &[("yi", &["yi"], true), ("se", &["se"], false)],
        InputKind::YiSe => &[("yi", &["yi"], true), ("se", &["se"], true)],
        InputKind::EstimateCi => &[("yi", &["yi"], false), ("se", &["se"], false)],
        InputKind::Proportion => &[("events", &["events"], true), ("total", &["total"], true)],
        InputKind::Rate => &[("events", &["events"], true), ("time", &["time"], true)],
        InputKind::Rates => &[
            ("events", &["events_t", "events_c"], true),
            ("time", &["time_t", "time_c"], true),
        ],
        InputKind::Mean => &[
            ("mean", &["mean"], true),
            ("sd", &["sd"], true),
            ("n", &["n"], true),
        ],
    }
}

/// The decimals of every data column of the outcome's forest plot, by standard column name.
pub(super) fn decimals(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    d: &OutcomeData,
) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for &(_, columns, entered) in quantities(d.kind) {
        for &c in columns {
            let places = if entered {
                d.table
                    .column(bind::column_for(c, &d.map))
                    .map(|i| {
                        // The most any cell has, capped: the first cell at the cap ends the
                        // search (a column of a million values is rarely read to its end).
                        let mut most = 0;
                        for row in &d.table.rows {
                            if let Some(p) = row.cells.get(i).and_then(|cell| cell.decimals()) {
                                most = most.max(p.min(MAX_ENTERED));
                                if most == MAX_ENTERED {
                                    break;
                                }
                            }
                        }
                        most
                    })
                    .unwrap_or(0)
            } else {
                COMPUTED
            };
            out.insert(c.to_string(), places);
        }
    }
    let set = o.forest.as_ref().and_then(|f| f.decimals.as_ref());
    for (key, &places) in set.into_iter().flatten() {
        let field = format!("{path}.forest.decimals.{key}");
        let keys: Vec<&str> = quantities(d.kind).iter().map(|q| q.0).collect();
        match quantities(d.kind).iter().find(|q| q.0 == key) {
            None => {
                let hint =
                    did_you_mean(key, keys.iter().copied()).map(|m| format!("did you mean `{m}`?"));
                r.error(
                    &field,
                    format!(
                        "the forest plot of {} data has no column `{key}` (decimals can be set for: {})",
                        d.kind.name(),
                        keys.join(", ")
                    ),
                    hint,
                );
            }
            Some(_) if places > MAX_SET => r.error(
                &field,
                format!("at most {MAX_SET} decimals, found {places}"),
                None,
            ),
            Some(&(_, columns, _)) => {
                for &c in columns {
                    out.insert(c.to_string(), usize::from(places));
                }
            }
        }
    }
    out
}
