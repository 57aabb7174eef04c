//! Forest plots in RevMan's layout: study, data and weight columns, the effect with its CI as
//! text, and the plot — squares sized by weight, whiskers (arrows where clipped), diamonds for
//! subtotals and the total, the line of no effect, a log axis for ratios and "Favours" labels —
//! followed by the heterogeneity and overall-effect lines. The layout measures every text with
//! the embedded font, so long names never overlap.
//!
//! A plot is made in three steps: `rows.rs` lists what it shows, row by row; `columns.rs` turns
//! the rows into the table's columns of cells, each as wide as its widest text; this file lays
//! the columns and the graph out and draws them, with the marks of `draw.rs`.
//! `sensitivity.rs` draws leave-one-out and cumulative forests.

mod columns;
mod draw;
pub(super) mod footnotes;
mod rob_columns;
mod rows;
mod sensitivity;

pub use draw::axis_line;
pub use sensitivity::sensitivity_forest;

use self::columns::{Column, Columns};
use self::draw::{Favours, axis_with_favours, diamond, panel_title, whisker};
use self::rows::{Row, pool_of, weight_of};
use super::axis;
use super::canvas::{ACCENT, Align, Bands, Figure, Font, INK, SQUARE};
use crate::report::format;
use crate::spec::Outcome;
use crate::stats::Effects;
use crate::stats::analysis::{Analysis, Pool};

const SIZE: f64 = 8.0;
const ROW: f64 = 11.0;
const PAD: f64 = 9.0;
const MARGIN: f64 = 8.0;
const GRAPH: f64 = 170.0;

/// Weight (%) from which a study's square is drawn at full size.
const SQUARE_FULL_WEIGHT: f64 = 25.0;

fn regular() -> Font {
    Font::regular(SIZE)
}
fn bold() -> Font {
    Font::bold(SIZE)
}

/// "IV, Random, 95% CI" for the model a pool used ("Random (HKSJ)" when its interval is the
/// Hartung–Knapp–Sidik–Jonkman t interval).
pub fn method_label(pool: &Pool, level: f64) -> String {
    let hksj = pool.pooled.value().is_some_and(|p| p.df.is_some());
    let model = match pool.decision.effects {
        Some(Effects::Fixed) => "Fixed, ",
        Some(Effects::Random(_)) if hksj => "Random (HKSJ), ",
        Some(Effects::Random(_)) => "Random, ",
        None => "",
    };
    format!(
        "{}, {model}{:.0}% CI",
        pool.pooling.abbreviation(),
        level * 100.0
    )
}

/// RevMan's heterogeneity line.
pub fn heterogeneity_line(pool: &Pool) -> String {
    match pool.heterogeneity.value() {
        None => "Heterogeneity: Not applicable".into(),
        Some(h) => {
            let tau = if matches!(pool.decision.effects, Some(Effects::Random(_)))
                || pool.decision.effects.is_none()
            {
                format!("Tau² = {}; ", format::tau2_revman(h.tau2))
            } else {
                String::new()
            };
            format!(
                "Heterogeneity: {tau}Chi² = {}, df = {} ({}); I² = {}",
                format::stat_revman(h.q),
                h.df,
                format::p_revman(h.p),
                format::i2_estimate(h)
            )
        }
    }
}

/// RevMan's overall-effect line.
pub fn overall_line(pool: &Pool) -> String {
    match pool.pooled.value() {
        Some(p) => match p.df {
            Some(df) => format!(
                "Test for overall effect: t = {}, df = {df} ({})",
                format::stat_revman(p.statistic.abs()),
                format::p_revman(p.p)
            ),
            None => format!(
                "Test for overall effect: Z = {} ({})",
                format::stat_revman(p.statistic.abs()),
                format::p_revman(p.p)
            ),
        },
        None => match pool.decision.rule_q_p {
            Some(q) => format!(
                "No pooled estimate: heterogeneity {} (model rule)",
                format::p_revman(q)
            ),
            None => "Test for overall effect: Not applicable".into(),
        },
    }
}

/// Column widths of a forest plot (points), so that stacked panels can share them.
#[derive(Debug, Clone, PartialEq)]
pub struct Widths {
    pub study: f64,
    pub data: Vec<f64>,
    pub weight: f64,
    pub effect: f64,
}

impl Widths {
    /// The wider of two layouts, column by column.
    pub fn max(&self, other: &Widths) -> Widths {
        Widths {
            study: self.study.max(other.study),
            data: self
                .data
                .iter()
                .zip(&other.data)
                .map(|(a, b)| a.max(*b))
                .collect(),
            weight: self.weight.max(other.weight),
            effect: self.effect.max(other.effect),
        }
    }
}

/// Builds the forest plot of one outcome. `panel` gives a letter and title for stacked panels.
pub fn forest(a: &Analysis, o: &Outcome, panel: Option<(char, &str)>) -> Figure {
    forest_with(a, o, panel, None).0
}

/// Stacked forest panels (A, B, ...) with their columns aligned.
pub fn panels(items: &[(&Analysis, &Outcome, String)]) -> Figure {
    let letter = |i: usize| (b'A' + i as u8) as char;
    let widths: Vec<Widths> = items
        .iter()
        .map(|(a, o, _)| columns::columns(a, o, &rows::rows(a, o)).widths())
        .collect();
    let common = widths.iter().skip(1).fold(widths[0].clone(), |acc, w| {
        if acc.data.len() == w.data.len() {
            acc.max(w)
        } else {
            acc
        }
    });
    stack(
        items
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, ((a, o, t), w))| {
                forest_with(
                    a,
                    o,
                    Some((letter(i), t)),
                    (w.data.len() == common.data.len()).then_some(&common),
                )
                .0
            })
            .collect(),
    )
}

/// Where each column and the graph lie (points from the left edge).
struct Layout {
    /// Left edge of each column, in the order of [`Columns::all`].
    left: Vec<f64>,
    graph_x0: f64,
    graph_x1: f64,
    width: f64,
    /// Left edge of each column at the right of the graph ([`Columns::right`]).
    right: Vec<f64>,
}

impl Layout {
    fn new(cols: &Columns, rows: &[Row]) -> Layout {
        let mut x = MARGIN;
        let mut left = Vec::new();
        for c in cols.all() {
            left.push(x);
            x += c.width + PAD;
        }
        let graph_x0 = x + 4.0;
        let graph_x1 = graph_x0 + GRAPH;
        let (right, right_end) = rob_columns::place(&cols.right, graph_x1);
        let mut width = right_end.max(graph_x1) + MARGIN + 4.0;
        for r in rows {
            if let Row::Text(t) = r {
                width = width.max(MARGIN + regular().width(t) + MARGIN);
            }
        }
        Layout {
            left,
            graph_x0,
            graph_x1,
            width,
            right,
        }
    }

    /// The x at which a column's text is anchored for its alignment.
    fn anchor(&self, i: usize, c: &Column) -> f64 {
        match c.align {
            Align::Left => self.left[i],
            Align::Right => self.left[i] + c.width,
            Align::Center => self.left[i] + c.width / 2.0,
        }
    }
}

/// The forest plot and its column widths; `min` widens the columns to a shared layout.
fn forest_with(
    a: &Analysis,
    o: &Outcome,
    panel: Option<(char, &str)>,
    min: Option<&Widths>,
) -> (Figure, Widths) {
    let measure = a.measure;
    let _ft = crate::stats::per_scale::Presented::of(a);
    let level = a.options.level;
    let rows = rows::rows(a, o);
    let mut cols = columns::columns(a, o, &rows);
    if let Some(m) = min {
        cols.widen(m);
    }
    let widths = cols.widths();
    let mut lay = Layout::new(&cols, &rows);
    lay.width = lay.width.max(MARGIN * 2.0 + rob_columns::legend_width(o));
    lay.width = lay.width.max(MARGIN * 2.0 + footnotes::width(o));
    let (graph_x0, graph_x1) = (lay.graph_x0, lay.graph_x1);
    let study_x = lay.left[0];

    // Axis from the pooled intervals and the study intervals but outliers (drawn as arrows).
    let z = crate::stats::dist::z_crit(level);
    let intervals: Vec<(f64, f64)> = a
        .studies
        .iter()
        .map(|s| {
            let se = s.vi.sqrt();
            (
                measure.back_transform(s.yi - z * se),
                measure.back_transform(s.yi + z * se),
            )
        })
        .collect();
    let pooled: Vec<f64> = std::iter::once(&a.overall)
        .chain(
            a.subgroups
                .iter()
                .flat_map(|sg| sg.groups.iter().map(|g| &g.pool)),
        )
        .filter_map(|p| p.pooled.value())
        .flat_map(|p| [p.ci_lower, p.ci_upper].map(|v| measure.back_transform(v)))
        .collect();
    let ax = axis::choose(
        measure,
        &axis::forest_extent(measure, &pooled, &intervals),
        o.forest.limits,
        o.forest.ticks.as_deref(),
        graph_x0,
        graph_x1,
    );

    let favours = Favours::new(&ax, measure, &o.forest.favours, MARGIN);
    let width = lay.width.max(favours.right_end() + MARGIN);

    // Heights.
    let title_h = if panel.is_some() { ROW * 1.6 } else { 0.0 };
    let head_h = ROW * 2.2;
    let body_h = rows.len() as f64 * ROW;
    let axis_h = ROW * (3.2 + favours.extra_lines() as f64);
    let legend_h = rob_columns::legend_height(o);
    let notes_h = footnotes::height(o);
    let height = MARGIN + title_h + head_h + body_h + axis_h + legend_h + notes_h + MARGIN;
    let mut f = Figure::new(width, height);
    let mut y = MARGIN;
    if let Some(p) = panel {
        panel_title(&mut f, study_x, y, p);
        y += title_h;
    }

    // Header: group headers centred over their columns, two lines per column, the graph's.
    let h = [y + SIZE, y + SIZE + ROW];
    let all: Vec<&Column> = cols.all().collect();
    let mut i = 0;
    while i < all.len() {
        let c = all[i];
        if let Some(g) = &c.group {
            let mut j = i;
            while j + 1 < all.len() && all[j + 1].group.as_ref() == Some(g) {
                j += 1;
            }
            let (l, r) = (lay.left[i], lay.left[j] + all[j].width);
            f.text((l + r) / 2.0, h[0], g.clone(), bold(), Align::Center);
            i = j;
        }
        i += 1;
    }
    for (i, c) in all.iter().enumerate() {
        for (line, text) in c.head.iter().enumerate() {
            if !text.is_empty() {
                f.text(lay.anchor(i, c), h[line], text.clone(), bold(), c.align);
            }
        }
    }
    rob_columns::draw_header(&mut f, &cols.right, &lay.right, h);
    for (line, text) in cols.effect.head.iter().enumerate() {
        f.text(
            (graph_x0 + graph_x1) / 2.0,
            h[line],
            text.clone(),
            bold(),
            Align::Center,
        );
    }
    y += head_h;
    f.line(
        MARGIN,
        y - ROW * 0.25,
        width - MARGIN,
        y - ROW * 0.25,
        0.6,
        INK,
    );
    let body_top = y - ROW * 0.25;
    let header_end = y;

    // Body: the cells of each row, then its marks on the graph.
    let max_w = (0..a.studies.len())
        .filter_map(|i| weight_of(a, i))
        .fold(0.0, f64::max);
    for (ri, r) in rows.iter().enumerate() {
        let base = y + SIZE;
        let mid = y + ROW / 2.0;
        if let Row::Text(t) = r {
            f.text(study_x, base, t.clone(), regular(), Align::Left);
        }
        for (i, c) in all.iter().enumerate() {
            if let Some(cell) = &c.cells[ri] {
                f.text(
                    lay.anchor(i, c),
                    base,
                    cell.text.clone(),
                    cell.font,
                    c.align,
                );
            }
        }
        rob_columns::draw_row(&mut f, &cols.right, &lay.right, ri, mid);
        match r {
            Row::Study(i) => {
                let s = &a.studies[*i];
                let se = s.vi.sqrt();
                whisker(&mut f, &ax, measure, s.yi - z * se, s.yi + z * se, mid, INK);
                // Area in proportion to weight. The largest square is full size when its study
                // carries a quarter of the weight or more; when every study carries less, sizes
                // are relative to 25%, so that many equal small weights do not all draw
                // full-size squares that hide their whiskers.
                let side = match (weight_of(a, *i), max_w > 0.0) {
                    (Some(w), true) => (w / max_w.max(SQUARE_FULL_WEIGHT)).sqrt() * ROW * 0.78,
                    _ => ROW * 0.4,
                }
                .max(2.2);
                let cx = ax.xa(measure, s.yi);
                if cx >= ax.x0 && cx <= ax.x1 {
                    f.fill_rect(
                        cx - side / 2.0,
                        mid - side / 2.0,
                        cx + side / 2.0,
                        mid + side / 2.0,
                        SQUARE,
                    );
                }
            }
            Row::Total { pool_of: pr, .. } => {
                if let Some(p) = pool_of(a, *pr).pooled.value() {
                    diamond(
                        &mut f, &ax, measure, p.estimate, p.ci_lower, p.ci_upper, mid,
                    );
                }
            }
            Row::Prediction(pr) => {
                if let Some(pi) = pool_of(a, *pr)
                    .prediction
                    .value()
                    .and_then(|p| p.shown_interval())
                {
                    whisker(&mut f, &ax, measure, pi.lower, pi.upper, mid, ACCENT);
                    let (l, h) = (
                        ax.xa(measure, pi.lower).max(ax.x0),
                        ax.xa(measure, pi.upper).min(ax.x1),
                    );
                    f.line(l, mid - 2.5, l, mid + 2.5, 0.8, ACCENT);
                    f.line(h, mid - 2.5, h, mid + 2.5, 0.8, ACCENT);
                }
            }
            _ => {}
        }
        y += ROW;
    }

    if panel.is_none() {
        f.bands = Some(Bands {
            header_end,
            row: ROW,
            may_start: rows.iter().map(Row::may_start).collect(),
            footer_start: y,
        });
    }

    // Line of no effect and axis.
    axis_with_favours(&mut f, &ax, measure, body_top, y + ROW * 0.3, &favours);
    rob_columns::draw_legend(&mut f, o, MARGIN, y + axis_h);
    footnotes::draw(&mut f, o, MARGIN, y + axis_h + legend_h);
    (f, widths)
}

/// Stacks figures vertically (panels A, B, ...), each left-aligned.
pub fn stack(panels: Vec<Figure>) -> Figure {
    let width = panels.iter().map(|p| p.width).fold(0.0, f64::max);
    let height: f64 = panels.iter().map(|p| p.height).sum::<f64>()
        + 6.0 * (panels.len().saturating_sub(1)) as f64;
    let mut out = Figure::new(width, height);
    let mut y = 0.0;
    for p in panels {
        let h = p.height;
        out.append(p, 0.0, y);
        y += h + 6.0;
    }
    out
}
