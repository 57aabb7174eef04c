//! The table beside a forest plot's graph as columns of cells — study, data (per arm), weight,
//! effect with its CI — each as wide as its widest text, measured with the embedded font.

use std::collections::BTreeMap;

use super::rows::{Row, pool_of, total_weight, weight_of};
use super::{SIZE, Widths, bold, method_label, regular};
use crate::data::InputKind;
use crate::plot::canvas::{Align, Font};
use crate::report::format;
use crate::spec::Outcome;
use crate::stats::analysis::Analysis;
use crate::stats::{Measure, StudyData};

/// The text of one cell, or a judgement's coloured circle (risk-of-bias columns).
pub(super) struct Cell {
    pub text: String,
    pub font: Font,
    pub dot: Option<(crate::rob::Level, crate::rob::Palette)>,
}

/// A column: two header lines, an optional group header spanning the adjacent columns of the
/// same group ("Experimental" over Events and Total), and one cell per row.
pub(super) struct Column {
    pub group: Option<String>,
    pub head: [String; 2],
    pub align: Align,
    pub cells: Vec<Option<Cell>>,
    /// Width in points: the widest header line or cell, or more where a layout asks for it.
    pub width: f64,
}

impl Column {
    pub(super) fn new(
        group: Option<String>,
        head: [&str; 2],
        align: Align,
        cells: Vec<Option<Cell>>,
    ) -> Column {
        let width = head
            .iter()
            .map(|h| bold().width(h))
            .chain(cells.iter().flatten().map(|c| c.font.width(&c.text)))
            .fold(0.0, f64::max);
        Column {
            group,
            head: head.map(str::to_string),
            align,
            cells,
            width,
        }
    }

    /// Makes the column at least `w` wide.
    pub(super) fn at_least(mut self, w: f64) -> Column {
        self.width = self.width.max(w);
        self
    }
}

/// The columns of a forest plot, left to right.
pub(super) struct Columns {
    pub study: Column,
    pub data: Vec<Column>,
    pub weight: Column,
    pub effect: Column,
    /// Columns at the right of the graph (risk of bias), left to right.
    pub right: Vec<Column>,
}

impl Columns {
    /// Every column, left to right.
    pub fn all(&self) -> impl Iterator<Item = &Column> {
        std::iter::once(&self.study)
            .chain(&self.data)
            .chain([&self.weight, &self.effect])
    }

    /// The widths, for stacked panels to share.
    pub fn widths(&self) -> Widths {
        Widths {
            study: self.study.width,
            data: self.data.iter().map(|c| c.width).collect(),
            weight: self.weight.width,
            effect: self.effect.width,
        }
    }

    /// Widens the columns to a shared layout.
    pub fn widen(&mut self, min: &Widths) {
        self.study.width = self.study.width.max(min.study);
        for (c, w) in self.data.iter_mut().zip(&min.data) {
            c.width = c.width.max(*w);
        }
        self.weight.width = self.weight.width.max(min.weight);
        self.effect.width = self.effect.width.max(min.effect);
    }
}

/// The data columns of a kind of input: (group header, column headers).
fn data_heads(
    kind: InputKind,
    measure: Measure,
    arms: &(String, String),
    time: &str,
) -> Vec<(String, Vec<String>)> {
    let s = |x: &[&str]| x.iter().map(|v| v.to_string()).collect::<Vec<_>>();
    match kind {
        InputKind::Binary => vec![
            (arms.0.clone(), s(&["Events", "Total"])),
            (arms.1.clone(), s(&["Events", "Total"])),
        ],
        InputKind::Continuous => vec![
            (arms.0.clone(), s(&["Mean", "SD", "Total"])),
            (arms.1.clone(), s(&["Mean", "SD", "Total"])),
        ],
        InputKind::Correlation => vec![(String::new(), s(&["r", "Total"]))],
        InputKind::Proportion => vec![(String::new(), s(&["Events", "Total"]))],
        InputKind::Rate => vec![(String::new(), s(&["Events", time]))],
        InputKind::Rates => vec![
            (arms.0.clone(), s(&["Events", time])),
            (arms.1.clone(), s(&["Events", time])),
        ],
        InputKind::Mean => vec![(String::new(), s(&["Mean", "SD", "Total"]))],
        InputKind::EstimateCi | InputKind::YiVi | InputKind::YiSe => {
            let y = if measure.is_ratio() {
                format!("log[{}]", measure.label())
            } else {
                measure.abbreviation().to_string()
            };
            vec![(String::new(), vec![y, "SE".into()])]
        }
    }
}

/// A count or total: integers without decimals, others with two.
pub(super) fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e12 {
        format!("{}", x as i64).replace('-', "\u{2212}")
    } else {
        format::fixed_revman(x, 2)
    }
}

/// The numbers of a forest plot's data columns, each column with one number of decimals
/// (the outcome's `forest.decimals`, by standard column name).
struct Decimals<'a>(&'a BTreeMap<String, usize>);

impl Decimals<'_> {
    /// `x` with the decimals of column `column` (as entered when the spec has none).
    fn entered(&self, column: &str, x: f64) -> String {
        match self.0.get(column) {
            Some(&d) => format::fixed_revman(x, d),
            None => num(x),
        }
    }

    /// A computed value (the log of an estimate, a standard error) of column `column`.
    fn computed(&self, column: &str, x: f64) -> String {
        format::fixed_revman(x, self.0.get(column).copied().unwrap_or(4))
    }
}

/// The data cells of an included study: as reported, or yi and SE on the analysis scale.
fn data_cells(a: &Analysis, dec: &Decimals, i: usize) -> Vec<String> {
    let s = &a.studies[i];
    input_cells(&a.inputs[s.input].data, dec)
        .unwrap_or_else(|| vec![dec.computed("yi", s.yi), dec.computed("se", s.vi.sqrt())])
}

/// The data columns of a study as reported (None for effects given on the analysis scale).
fn input_cells(data: &StudyData, dec: &Decimals) -> Option<Vec<String>> {
    let f = |c: &str, x: f64| dec.entered(c, x);
    Some(match *data {
        StudyData::Binary {
            events_t,
            total_t,
            events_c,
            total_c,
        } => vec![
            f("events_t", events_t),
            f("total_t", total_t),
            f("events_c", events_c),
            f("total_c", total_c),
        ],
        StudyData::Continuous {
            mean_t,
            sd_t,
            n_t,
            mean_c,
            sd_c,
            n_c,
        } => vec![
            f("mean_t", mean_t),
            f("sd_t", sd_t),
            f("n_t", n_t),
            f("mean_c", mean_c),
            f("sd_c", sd_c),
            f("n_c", n_c),
        ],
        StudyData::Correlation { r, n } => vec![f("r", r), f("n", n)],
        StudyData::Proportion { events, total } => vec![f("events", events), f("total", total)],
        StudyData::Rate { events, time } => vec![f("events", events), f("time", time)],
        StudyData::Rates {
            events_t,
            time_t,
            events_c,
            time_c,
        } => vec![
            f("events_t", events_t),
            f("time_t", time_t),
            f("events_c", events_c),
            f("time_c", time_c),
        ],
        StudyData::Mean { mean, sd, n } => vec![f("mean", mean), f("sd", sd), f("n", n)],
        _ => return None,
    })
}

fn cell(text: impl Into<String>, font: Font) -> Option<Cell> {
    Some(Cell {
        text: text.into(),
        font,
        dot: None,
    })
}

/// "0.45 [0.12, 1.67]" on the presentation scale.
pub(super) fn effect_text(measure: Measure, est: f64, lo: f64, hi: f64) -> String {
    format::bracketed(
        measure.back_transform(est),
        measure.back_transform(lo),
        measure.back_transform(hi),
        measure,
    )
}

/// The columns of the table for `rows`.
pub(super) fn columns(a: &Analysis, o: &Outcome, rows: &[Row]) -> Columns {
    let measure = a.measure;
    let _ft = crate::stats::per_scale::Presented::of(a);
    let level = a.options.level;
    let z = crate::stats::dist::z_crit(level);
    let dec = Decimals(&o.forest.decimals);
    let n_data = data_heads(
        o.kind,
        measure,
        &o.forest.arms,
        &a.options.per_scale.time_heading(),
    )
    .iter()
    .map(|(_, h)| h.len())
    .sum::<usize>();
    let mut study = Vec::with_capacity(rows.len());
    let mut data: Vec<Vec<Option<Cell>>> = (0..n_data)
        .map(|_| Vec::with_capacity(rows.len()))
        .collect();
    let mut weight = Vec::with_capacity(rows.len());
    let mut effect = Vec::with_capacity(rows.len());
    for r in rows {
        let mut row_data: Vec<Option<Cell>> = (0..n_data).map(|_| None).collect();
        let (s, w, e) = match r {
            Row::Header(t) => (cell(t, bold()), None, None),
            Row::Study(i) => {
                let st = &a.studies[*i];
                for (k, c) in data_cells(a, &dec, *i).into_iter().enumerate() {
                    row_data[k] = cell(c, regular());
                }
                super::footnotes::mark(
                    o,
                    &a.inputs[st.input].name,
                    &a.inputs[st.input].data,
                    &mut row_data,
                );
                let se = st.vi.sqrt();
                (
                    cell(a.name(st), regular()),
                    weight_of(a, *i).and_then(|w| cell(format::weight(w), regular())),
                    cell(
                        effect_text(measure, st.yi, st.yi - z * se, st.yi + z * se),
                        regular(),
                    ),
                )
            }
            Row::Excluded(i) => {
                for (k, c) in input_cells(&a.inputs[*i].data, &dec)
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                {
                    row_data[k] = cell(c, regular());
                }
                (
                    cell(a.inputs[*i].name.clone(), regular()),
                    None,
                    cell("Not estimable", regular()),
                )
            }
            Row::Missing(j) => (
                cell(a.missing[*j].study.clone(), regular()),
                None,
                cell("Not estimable", regular()),
            ),
            Row::Total {
                label,
                pool_of: pr,
                totals,
            } => {
                for &(k, x) in totals {
                    if k < n_data {
                        row_data[k] = cell(num(x), bold());
                    }
                }
                let pool = pool_of(a, *pr);
                match pool.pooled.value() {
                    Some(p) => (
                        cell(label, bold()),
                        cell(format::weight(total_weight(a, *pr)), bold()),
                        cell(
                            effect_text(measure, p.estimate, p.ci_lower, p.ci_upper),
                            bold(),
                        ),
                    ),
                    None => (cell(label, bold()), None, cell("Not estimable", bold())),
                }
            }
            Row::Prediction(pr) => {
                let pool = pool_of(a, *pr);
                match pool.prediction.value().and_then(|p| p.shown_interval()) {
                    Some(pi) => {
                        let est = pool
                            .pooled
                            .value()
                            .map_or((pi.lower + pi.upper) / 2.0, |p| p.estimate);
                        (
                            cell(
                                format!("{:.0}% prediction interval", level * 100.0),
                                Font::italic(SIZE),
                            ),
                            None,
                            cell(
                                effect_text(measure, est, pi.lower, pi.upper),
                                Font::italic(SIZE),
                            ),
                        )
                    }
                    None => (None, None, None),
                }
            }
            Row::Events(e, c) => {
                row_data[0] = cell(num(*e), regular());
                row_data[n_data / 2] = cell(num(*c), regular());
                (cell("Total events", regular()), None, None)
            }
            Row::Text(_) | Row::Blank => (None, None, None),
        };
        study.push(s);
        weight.push(w);
        effect.push(e);
        for (col, c) in data.iter_mut().zip(row_data) {
            col.push(c);
        }
    }
    let mut data = data.into_iter();
    let data_columns: Vec<Column> = data_heads(
        o.kind,
        measure,
        &o.forest.arms,
        &a.options.per_scale.time_heading(),
    )
    .into_iter()
    .flat_map(|(group, heads)| {
        let g = (!group.is_empty()).then_some(group);
        heads
            .into_iter()
            .map(|h| (g.clone(), h))
            .collect::<Vec<_>>()
    })
    .map(|(g, h)| {
        Column::new(
            g,
            ["", &h],
            Align::Right,
            data.next().expect("a cell list per data column"),
        )
    })
    .collect();
    Columns {
        study: Column::new(None, ["", "Study or Subgroup"], Align::Left, study),
        data: data_columns,
        weight: Column::new(None, ["", "Weight"], Align::Right, weight)
            .at_least(regular().width("100.0%")),
        effect: Column::new(
            None,
            [
                &a.options.per_scale.label(measure),
                &method_label(&a.overall, level),
            ],
            Align::Left,
            effect,
        )
        .at_least(bold().width("Not estimable")),
        right: super::rob_columns::columns(a, o, rows),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_entered() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(-3.0), "\u{2212}3");
        assert_eq!(num(1.5), "1.50");
    }

    #[test]
    fn the_effect_column_holds_its_widest_text() {
        let c = Column::new(
            None,
            ["", "x"],
            Align::Left,
            vec![cell("Not estimable", bold()), None],
        );
        assert!(c.width >= bold().width("Not estimable"));
        assert_eq!(c.align, Align::Left);
    }
}
