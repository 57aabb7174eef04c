//! An outcome's data: the table read, its columns bound to the kind of data, the study rows.

use std::collections::BTreeMap;

use super::Resolver;
use crate::data::{InputKind, Table, bind};
use crate::diag::did_you_mean;
use crate::spec::raw::{RawInput, RawOutcome};
use crate::stats::StudyInput;

/// An outcome's table and the study rows bound from it.
pub(super) struct OutcomeData {
    pub table: Table,
    /// Standard column name → column in the data.
    pub map: BTreeMap<String, String>,
    pub kind: InputKind,
    pub studies: Vec<StudyInput>,
    /// The source line of each study.
    pub lines: Vec<usize>,
    /// What was converted, by study label.
    pub conversions: BTreeMap<String, Vec<crate::stats::convert::Conversion>>,
    /// Each study's index in the table's rows, by study label (bound with the outcome's own
    /// conversion settings: what sorts or reads other columns uses this, never a re-binding).
    /// Built only for what reads the rows again (`cumulative: by:` and `meta_regression:`):
    /// a million labels are not copied for nothing.
    pub row_of: BTreeMap<String, usize>,
    /// Rows without outcome data, in table order.
    pub missing: Vec<crate::data::studies::MissingRow>,
    /// What `multi_arm:` did (`data/multi_arm.rs`).
    pub multi_arm: Option<crate::data::multi_arm::Report>,
}

pub(super) fn kind_of(k: RawInput) -> InputKind {
    match k {
        RawInput::Binary => InputKind::Binary,
        RawInput::Continuous => InputKind::Continuous,
        RawInput::EstimateCi => InputKind::EstimateCi,
        RawInput::Correlation => InputKind::Correlation,
        RawInput::YiVi => InputKind::YiVi,
        RawInput::YiSe => InputKind::YiSe,
        RawInput::Proportion => InputKind::Proportion,
        RawInput::Rate => InputKind::Rate,
        RawInput::Rates => InputKind::Rates,
        RawInput::Mean => InputKind::Mean,
    }
}

/// Reads and binds an outcome's data; `None` when it cannot be (the problems are reported).
pub(super) fn outcome_data(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    defaults: Option<&crate::spec::raw::RawDefaults>,
) -> Option<OutcomeData> {
    let measure = o.measure;
    let table = r.table(path, o.data.as_ref(), o.sheet.as_ref(), o.rows.as_ref());
    let map = o.columns.clone().unwrap_or_default();
    let mut standard: Vec<&str> = vec!["study"];
    for c in InputKind::ALL
        .iter()
        .flat_map(|k| k.columns().iter().copied())
        .chain(crate::data::convert::COLUMNS)
    {
        if !standard.contains(&c) {
            standard.push(c);
        }
    }
    for k in map.keys() {
        if !standard.contains(&k.as_str()) {
            let hint =
                did_you_mean(k, standard.iter().copied()).map(|m| format!("did you mean `{m}`?"));
            r.error(
                &format!("{path}.columns.{k}"),
                format!(
                    "`{}` is not a standard column name (expected one of: {})",
                    crate::diag::excerpt(k, 60),
                    standard.join(", ")
                ),
                hint,
            );
        }
    }
    let table = table?;
    // A mapping to a column the table lacks is the spec's mistake: say so at the mapping.
    let mut mapped_missing = false;
    for (k, col) in &map {
        if standard.contains(&k.as_str()) && table.column(col).is_none() {
            let hint = did_you_mean(col, table.headers.iter().map(String::as_str))
                .map(|m| format!("did you mean `{m}`?"));
            r.error(
                &format!("{path}.columns.{k}"),
                format!(
                    "`{k}` is mapped to column `{col}`, which {} does not have (columns: {})",
                    data_name(&table, o),
                    table.column_list()
                ),
                hint,
            );
            mapped_missing = true;
        }
    }
    if mapped_missing {
        return None;
    }
    let kind = match o
        .input
        .map(kind_of)
        .or_else(|| bind::infer_kind(&table, &map))
    {
        Some(k) => k,
        None => {
            let kinds = InputKind::ALL
                .iter()
                .map(|k| format!("{} ({})", k.name(), k.columns().join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            r.error(path, format!("cannot tell the kind of data from the columns of {} ({}); expected the columns of one of: {kinds}", table.source, table.column_list()), Some(format!("map columns with {} or set {}", r.vocabulary.key("columns"), r.vocabulary.key("input"))));
            return None;
        }
    };
    let probe = match kind {
        InputKind::Binary => crate::stats::StudyData::Binary {
            events_t: 0.0,
            total_t: 1.0,
            events_c: 0.0,
            total_c: 1.0,
        },
        InputKind::Continuous => crate::stats::StudyData::Continuous {
            mean_t: 0.0,
            sd_t: 1.0,
            n_t: 2.0,
            mean_c: 0.0,
            sd_c: 1.0,
            n_c: 2.0,
        },
        InputKind::EstimateCi => crate::stats::StudyData::EstimateCi {
            estimate: 1.0,
            lower: 0.5,
            upper: 2.0,
        },
        InputKind::Correlation => crate::stats::StudyData::Correlation { r: 0.0, n: 10.0 },
        InputKind::YiVi => crate::stats::StudyData::YiVi { yi: 0.0, vi: 1.0 },
        InputKind::YiSe => crate::stats::StudyData::YiSe { yi: 0.0, se: 1.0 },
        k => k.build(&[1.0; 6]),
    };
    if !crate::stats::effect::supports(&probe, measure) {
        r.error(
            &format!("{path}.measure"),
            format!(
                "{} data cannot give the measure {}",
                kind.name(),
                measure.code()
            ),
            None,
        );
    }
    let subgroup_col = o.subgroups.as_ref().and_then(|s| s.column.clone());
    if let Some(col) = &subgroup_col
        && table.column(col).is_none()
    {
        let hint = did_you_mean(col, table.headers.iter().map(String::as_str))
            .map(|m| format!("did you mean `{m}`?"));
        r.error(
            &format!("{path}.subgroups.column"),
            format!(
                "no column `{col}` in {} (columns: {})",
                data_name(&table, o),
                table.column_list()
            ),
            hint,
        );
        return None;
    }
    let label = match o.label.as_deref().map(|t| bind::parse_label(&table, t)) {
        Some(Ok(parts)) => Some(parts),
        Some(Err(msg)) => {
            r.error(&format!("{path}.label"), msg, None);
            return None;
        }
        None => None,
    };
    let conv = super::conversions::settings(o);
    let mut policy = super::missing::policy(o, defaults);
    let arm_col = o
        .multi_arm
        .as_ref()
        .map(|m| m.arm.clone().unwrap_or_else(|| "arm".into()));
    if let Some(col) = &arm_col {
        match table.column(col) {
            Some(i) => policy.arm = Some(i),
            None => {
                let hint = did_you_mean(col, table.headers.iter().map(String::as_str))
                    .map(|m| format!("did you mean `{m}`?"))
                    .or_else(|| Some("name the column of the experimental arms with `arm:` under `multi_arm:`".into()));
                r.error(
                    &format!("{path}.multi_arm.arm"),
                    format!(
                        "no column `{}` in {} to name the arms of multi-arm trials (columns: {})",
                        crate::diag::excerpt(col, 60),
                        data_name(&table, o),
                        table.column_list()
                    ),
                    hint,
                );
                return None;
            }
        }
    }
    let mut multi_arm = None;
    let (studies, lines, conversions, row_of, missing): (Vec<StudyInput>, Vec<usize>, _, _, _) =
        match bind::bind_studies_policy(
            &table,
            kind,
            &map,
            subgroup_col.as_deref(),
            label.as_deref(),
            &conv,
            policy,
        )
        .and_then(|mut b| {
            if let (Some(m), Some(col)) = (&o.multi_arm, &arm_col) {
                multi_arm = Some(crate::data::multi_arm::apply(
                    &table, &mut b, m.method, kind, col, &map,
                )?);
            }
            Ok(b)
        }) {
            Ok(b) => {
                let conversions = b
                    .studies
                    .iter()
                    .zip(b.conversions)
                    .filter(|(_, c)| !c.is_empty())
                    .map(|(s, c)| (s.name.clone(), c))
                    .collect();
                let reads_rows = o.meta_regression.is_some()
                    || o.sensitivity
                        .as_ref()
                        .and_then(|s| s.cumulative.as_ref())
                        .is_some_and(|c| c.by.is_some());
                let row_of = if reads_rows {
                    b.studies
                        .iter()
                        .zip(&b.rows)
                        .map(|(s, &i)| (s.name.clone(), i))
                        .collect()
                } else {
                    BTreeMap::new()
                };
                (b.studies, b.lines, conversions, row_of, b.missing)
            }
            Err(ds) => {
                r.diags.extend(ds);
                return None;
            }
        };
    if studies.is_empty() && !missing.is_empty() {
        r.error(
            path,
            format!(
                "no study has data for this outcome: the outcome cells of all {} rows of {} are empty",
                missing.len(),
                data_name(&table, o)
            ),
            Some("fill in the studies' values, or remove the outcome".into()),
        );
        return None;
    }

    Some(OutcomeData {
        table,
        map,
        kind,
        studies,
        lines,
        conversions,
        row_of,
        missing,
        multi_arm,
    })
}

/// How messages name an outcome's data: its file, or its inline `rows`.
fn data_name(table: &Table, o: &RawOutcome) -> String {
    if o.rows.is_some() {
        "the outcome's rows".into()
    } else {
        table.source.clone()
    }
}
