//! Footnotes of a forest plot: each value converted before pooling (`data/convert.rs`) carries
//! a symbol, and under the plot each symbol is explained ("† SD from the standard error of
//! the mean (SD = SE × √n)").

use std::collections::BTreeSet;

use super::columns::Cell;
use super::{ROW, SIZE, regular};
use crate::plot::canvas::{Align, Figure};
use crate::report::format;
use crate::spec::Outcome;
use crate::stats::StudyData;
use crate::stats::convert::Method;

/// The symbols, in the order the methods are used (then `*1`, `*2`, … if ever more).
const SYMBOLS: [&str; 8] = ["†", "‡", "§", "¶", "#", "**", "††", "‡‡"];

/// The conversion methods this outcome used, each with its symbol.
pub(super) fn used(o: &Outcome) -> Vec<(Method, &'static str)> {
    let methods: BTreeSet<Method> = o.conversions.values().flatten().map(|c| c.method).collect();
    methods.into_iter().zip(SYMBOLS).collect()
}

/// The standard names of the data columns of a study row, in the order `columns.rs` puts them.
fn fields(n: usize) -> &'static [&'static str] {
    match n {
        6 => &["mean_t", "sd_t", "n_t", "mean_c", "sd_c", "n_c"],
        2 => &["yi", "se"],
        _ => &[],
    }
}

/// Appends the symbols of a study's converted values to its data cells; a converted mean or
/// SD is printed with two decimals (it was not entered, so it has no decimals of its own).
pub(super) fn mark(o: &Outcome, study: &str, data: &StudyData, cells: &mut [Option<Cell>]) {
    let Some(convs) = o.conversions.get(study) else {
        return;
    };
    let used = used(o);
    let names = fields(cells.len());
    for c in convs {
        let Some(sym) = used.iter().find(|(m, _)| *m == c.method).map(|u| u.1) else {
            continue;
        };
        for f in &c.fields {
            if let Some(k) = names.iter().position(|n| n == f)
                && let Some(cell) = cells[k].as_mut()
                && !cell.text.ends_with(sym)
            {
                if let Some(x) = value(data, f) {
                    cell.text = format::fixed_revman(x, 2);
                }
                cell.text.push_str(sym);
            }
        }
    }
}

/// A converted mean or SD of continuous data.
fn value(data: &StudyData, field: &str) -> Option<f64> {
    match *data {
        StudyData::Continuous {
            mean_t,
            sd_t,
            mean_c,
            sd_c,
            ..
        } => match field {
            "mean_t" => Some(mean_t),
            "sd_t" => Some(sd_t),
            "mean_c" => Some(mean_c),
            "sd_c" => Some(sd_c),
            _ => None,
        },
        _ => None,
    }
}

/// The footnote lines.
fn lines(o: &Outcome) -> Vec<String> {
    used(o)
        .into_iter()
        .map(|(m, s)| {
            let mut d = m.describe().to_string();
            if let Some(first) = d.get(..1) {
                d = first.to_uppercase() + &d[1..];
            }
            format!("{s} {d}.")
        })
        .collect()
}

/// Height of the footnotes under the plot (0 when nothing was converted).
pub(super) fn height(o: &Outcome) -> f64 {
    let n = lines(o).len();
    if n == 0 {
        0.0
    } else {
        n as f64 * ROW + ROW * 0.5
    }
}

/// Width the footnotes need.
pub(super) fn width(o: &Outcome) -> f64 {
    lines(o)
        .iter()
        .map(|l| regular().width(l))
        .fold(0.0, f64::max)
}

/// Draws the footnotes from their top `y` at the left margin `x`.
pub(super) fn draw(f: &mut Figure, o: &Outcome, x: f64, y: f64) {
    let mut yy = y + ROW * 0.5;
    for l in lines(o) {
        f.text(x, yy + SIZE, l, regular(), Align::Left);
        yy += ROW;
    }
}
