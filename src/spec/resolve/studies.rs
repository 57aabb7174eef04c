//! `studies:` → Table 1 ([`StudyTable`]), the study label always in its first column.

use super::Resolver;
use crate::data::{self, bind};
use crate::diag::did_you_mean;
use crate::spec::StudyTable;
use crate::spec::raw::RawStudies;

pub(super) fn study_table(r: &mut Resolver<'_>, s: &RawStudies) -> Option<StudyTable> {
    let t = r.table(
        "studies",
        s.data.as_ref(),
        s.sheet.as_ref(),
        s.rows.as_ref(),
    )?;
    let id = s.id.clone().unwrap_or_else(|| "study".into());
    let mut cols: Vec<(usize, String)> = Vec::new();
    if t.column(&id).is_none() {
        let d = bind::missing_column(&t, &id, "the study labels (set `studies.id`)");
        r.diags.push(d);
        return None;
    }
    match &s.columns {
        Some(cs) => {
            for (i, c) in cs.iter().enumerate() {
                match t.column(&c.column) {
                    Some(idx) => {
                        cols.push((idx, c.header.clone().unwrap_or_else(|| c.column.clone())))
                    }
                    None => {
                        let hint = did_you_mean(&c.column, t.headers.iter().map(String::as_str))
                            .map(|m| format!("did you mean `{m}`?"));
                        r.error(
                            &format!("studies.columns[{i}].column"),
                            format!(
                                "no column `{}` in {} (columns: {})",
                                c.column,
                                t.source,
                                t.column_list()
                            ),
                            hint,
                        );
                    }
                }
            }
        }
        None => cols = t.headers.iter().cloned().enumerate().collect(),
    }
    // The study label is always the first column, whether or not `columns` lists it.
    let id_idx = t.column(&id).expect("checked above");
    let id_col = match cols.iter().position(|(i, _)| *i == id_idx) {
        Some(p) => cols.remove(p),
        None => (id_idx, "Study".to_string()),
    };
    cols.insert(0, id_col);
    let rows = t
        .rows
        .iter()
        .map(|row| {
            cols.iter()
                .map(|(i, _)| {
                    row.cells
                        .get(*i)
                        .map(data::Cell::display)
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    let id_col = t.column(&id);
    Some(StudyTable {
        ids: t
            .rows
            .iter()
            .map(|row| {
                id_col
                    .and_then(|i| row.cells.get(i))
                    .map(data::Cell::display)
                    .unwrap_or_default()
            })
            .collect(),
        id_lines: t.rows.iter().map(|row| row.line).collect(),
        source: t.source.clone(),
        headers: cols.into_iter().map(|(_, h)| h).collect(),
        rows,
        caption: s.caption.clone(),
        footnote: s.footnote.clone(),
    })
}
