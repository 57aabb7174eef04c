//! Risk-of-bias columns at the right of a forest plot (`forest: {risk_of_bias: true}`), as
//! RevMan 5.3+ and robvis's `rob_append_to_forest` show them: under a "Risk of bias" header,
//! one column per domain (and Overall) with a coloured circle and symbol per study, and a
//! legend under the plot spelling out the domains and the judgements.

use super::columns::{Cell, Column};
use super::rows::Row;
use super::{PAD, ROW, SIZE, bold, regular};
use crate::plot::canvas::{Align, Figure, Font};
use crate::plot::rob::judgement_dot;
use crate::rob::RiskOfBias;
use crate::spec::Outcome;
use crate::stats::analysis::Analysis;

/// Radius of a judgement's circle.
const R: f64 = 4.3;
/// Space between the graph and the first risk-of-bias column.
const GAP: f64 = 10.0;

/// The appraisal the forest plot of `o` shows beside it, if asked for.
fn appraisal(o: &Outcome) -> Option<&RiskOfBias> {
    o.risk_of_bias
        .as_ref()
        .filter(|r| o.forest.risk_of_bias && !r.is_stars())
}

/// One column per domain (and Overall): a judgement's circle on each study's row.
pub(super) fn columns(a: &Analysis, o: &Outcome, rows: &[Row]) -> Vec<Column> {
    let Some(rob) = appraisal(o) else {
        return Vec::new();
    };
    rob.columns()
        .iter()
        .enumerate()
        .map(|(ci, (code, _))| {
            let cells = rows
                .iter()
                .map(|r| {
                    let name = match r {
                        Row::Study(i) => Some(a.name(&a.studies[*i])),
                        Row::Excluded(i) => Some(a.inputs[*i].name.as_str()),
                        Row::Missing(j) => Some(a.missing[*j].study.as_str()),
                        _ => None,
                    }?;
                    let level = rob.row(rob.of(name)?)[ci];
                    Some(Cell {
                        text: String::new(),
                        font: regular(),
                        dot: Some((level, rob.palette)),
                    })
                })
                .collect();
            Column::new(
                Some("Risk of bias".into()),
                ["", code],
                Align::Center,
                cells,
            )
            .at_least(2.0 * R + 3.0)
        })
        .collect()
}

/// The left edges of the columns from `x0`, and where the last ends.
pub(super) fn place(cols: &[Column], x0: f64) -> (Vec<f64>, f64) {
    let mut x = x0 + if cols.is_empty() { 0.0 } else { GAP };
    let mut left = Vec::new();
    for c in cols {
        left.push(x);
        x += c.width + PAD * 0.5;
    }
    (left, x)
}

/// The header: "Risk of bias" over the columns, each column's code under it.
pub(super) fn draw_header(f: &mut Figure, cols: &[Column], left: &[f64], h: [f64; 2]) {
    let (Some(first), Some(last), Some(lc)) = (left.first(), left.last(), cols.last()) else {
        return;
    };
    f.text(
        (first + last + lc.width) / 2.0,
        h[0],
        "Risk of bias",
        bold(),
        Align::Center,
    );
    for (c, x) in cols.iter().zip(left) {
        f.text(
            x + c.width / 2.0,
            h[1],
            c.head[1].clone(),
            bold(),
            Align::Center,
        );
    }
}

/// The circles of row `ri`, centred on `mid`.
pub(super) fn draw_row(f: &mut Figure, cols: &[Column], left: &[f64], ri: usize, mid: f64) {
    for (c, x) in cols.iter().zip(left) {
        if let Some(Some(Cell {
            dot: Some((level, palette)),
            ..
        })) = c.cells.get(ri)
        {
            judgement_dot(f, x + c.width / 2.0, mid, R, *palette, *level);
        }
    }
}

/// The legend's lines: the domains, then the judgements.
fn legend_lines(rob: &RiskOfBias) -> Vec<String> {
    std::iter::once("Risk of bias legend".to_string())
        .chain(
            rob.columns()
                .into_iter()
                .map(|(code, name)| format!("({code}) {name}")),
        )
        .collect()
}

/// Height of the legend under the plot (0 without risk-of-bias columns).
pub(super) fn legend_height(o: &Outcome) -> f64 {
    appraisal(o).map_or(0.0, |r| {
        (legend_lines(r).len() + 1) as f64 * ROW + ROW * 0.5
    })
}

/// Width the legend needs.
pub(super) fn legend_width(o: &Outcome) -> f64 {
    appraisal(o).map_or(0.0, |r| {
        let key: f64 = r
            .levels_used()
            .iter()
            .map(|l| regular().width(l.label()) + 2.0 * R + 14.0)
            .sum();
        legend_lines(r)
            .iter()
            .map(|l| regular().width(l))
            .fold(key, f64::max)
    })
}

/// The legend under the plot, from its top `y` at the left margin `x`.
pub(super) fn draw_legend(f: &mut Figure, o: &Outcome, x: f64, y: f64) {
    let Some(rob) = appraisal(o) else {
        return;
    };
    let lines = legend_lines(rob);
    let mut yy = y + ROW * 0.5;
    for (i, l) in lines.iter().enumerate() {
        let font = if i == 0 { bold() } else { regular() };
        f.text(x, yy + SIZE, l.clone(), font, Align::Left);
        yy += ROW;
    }
    let mut xx = x;
    for l in rob.levels_used() {
        judgement_dot(f, xx + R, yy + ROW / 2.0, R, rob.palette, l);
        f.text(
            xx + 2.0 * R + 3.0,
            yy + SIZE,
            l.label(),
            Font::regular(SIZE),
            Align::Left,
        );
        xx += regular().width(l.label()) + 2.0 * R + 14.0;
    }
}
