//! Forest plots in RevMan's layout: study, data and weight columns, the effect with its CI as
//! text, and the plot — squares sized by weight, whiskers (arrows where clipped), diamonds for
//! subtotals and the total, the line of no effect, a log axis for ratios and "Favours" labels —
//! followed by the heterogeneity and overall-effect lines. The layout measures every text with
//! the embedded font, so long names never overlap.

use super::axis::{self, Axis};
use super::canvas::{ACCENT, Align, Bands, DIAMOND, Figure, Font, INK, LIGHT, SQUARE};
use crate::data::InputKind;
use crate::report::format;
use crate::spec::Outcome;
use crate::stats::analysis::{Analysis, Pool, SensitivityRow};
use crate::stats::{Effects, Measure, StudyData};

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
                format!("Tau² = {}; ", format::tau2(h.tau2))
            } else {
                String::new()
            };
            format!(
                "Heterogeneity: {tau}Chi² = {}, df = {} ({}); I² = {}",
                format::stat(h.q),
                h.df,
                format::p_revman(h.p),
                format::percent0(h.i2)
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
                format::stat(p.statistic.abs()),
                format::p_revman(p.p)
            ),
            None => format!(
                "Test for overall effect: Z = {} ({})",
                format::stat(p.statistic.abs()),
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

enum Row {
    Header(String),
    Study(usize),
    /// A study the analysis could not use (input index): shown as "Not estimable", as RevMan.
    Excluded(usize),
    Total {
        label: String,
        pool_of: PoolRef,
        totals: Option<(f64, f64)>,
    },
    Events(f64, f64),
    Text(String),
    Prediction(PoolRef),
    Blank,
}

#[derive(Clone, Copy)]
enum PoolRef {
    Overall,
    Subgroup(usize),
}

fn pool_of(a: &Analysis, r: PoolRef) -> &Pool {
    match r {
        PoolRef::Overall => &a.overall,
        PoolRef::Subgroup(g) => &a.subgroups.as_ref().expect("subgroups").groups[g].pool,
    }
}

/// The data columns of a kind of input: (group header, column headers).
fn data_columns(
    kind: InputKind,
    measure: Measure,
    arms: &(String, String),
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

fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e12 {
        format!("{}", x as i64).replace('-', "\u{2212}")
    } else {
        format::fixed(x, 2)
    }
}

fn data_cells(a: &Analysis, i: usize) -> Vec<String> {
    let s = &a.studies[i];
    input_cells(&a.inputs[s.input].data)
        .unwrap_or_else(|| vec![format::fixed(s.yi, 4), format::fixed(s.vi.sqrt(), 4)])
}

/// The data columns of a study as reported (None for effects given on the analysis scale).
fn input_cells(data: &StudyData) -> Option<Vec<String>> {
    Some(match *data {
        StudyData::Binary {
            events_t,
            total_t,
            events_c,
            total_c,
        } => vec![num(events_t), num(total_t), num(events_c), num(total_c)],
        StudyData::Continuous {
            mean_t,
            sd_t,
            n_t,
            mean_c,
            sd_c,
            n_c,
        } => vec![
            num(mean_t),
            num(sd_t),
            num(n_t),
            num(mean_c),
            num(sd_c),
            num(n_c),
        ],
        StudyData::Correlation { r, n } => vec![format::fixed(r, 2), num(n)],
        _ => return None,
    })
}

/// The rows of a set of included studies together with the excluded studies of the same
/// subgroup (or all of them), in input order.
fn study_rows(a: &Analysis, members: &[usize], subgroup: Option<&str>) -> Vec<Row> {
    let mut rows: Vec<(usize, Row)> = members
        .iter()
        .map(|&i| (a.studies[i].input, Row::Study(i)))
        .collect();
    for e in &a.excluded {
        if subgroup.is_none() || a.inputs[e.input].subgroup.as_deref() == subgroup {
            rows.push((e.input, Row::Excluded(e.input)));
        }
    }
    rows.sort_by_key(|(k, _)| *k);
    rows.into_iter().map(|(_, r)| r).collect()
}

/// The weight shown for study `i`: in the total when pooled, else in its subgroup.
fn weight_of(a: &Analysis, i: usize) -> Option<f64> {
    if let Some(w) = a.weight_pct(i) {
        return Some(w);
    }
    let sg = a.subgroups.as_ref()?;
    sg.groups.iter().find_map(|g| {
        g.studies
            .iter()
            .position(|&s| s == i)
            .and_then(|p| g.pool.weights_pct.as_ref().map(|w| w[p]))
    })
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
        .enumerate()
        .map(|(i, (a, o, t))| forest_with(a, o, Some((letter(i), t)), None).1)
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

/// The forest plot and its column widths; `min` widens the columns to a shared layout.
fn forest_with(
    a: &Analysis,
    o: &Outcome,
    panel: Option<(char, &str)>,
    min: Option<&Widths>,
) -> (Figure, Widths) {
    let measure = a.measure;
    let level = a.options.level;
    let binary = o.kind == InputKind::Binary;
    let has_totals = matches!(o.kind, InputKind::Binary | InputKind::Continuous);

    // Rows.
    let mut rows = Vec::new();
    // Totals count every study of the set, including those not estimable (as RevMan).
    let inputs_of = |idx: &[usize], group: Option<&str>| -> Vec<usize> {
        let mut v: Vec<usize> = idx.iter().map(|&i| a.studies[i].input).collect();
        v.extend(
            a.excluded
                .iter()
                .filter(|e| group.is_none() || a.inputs[e.input].subgroup.as_deref() == group)
                .map(|e| e.input),
        );
        v
    };
    let totals = |inputs: &[usize]| -> Option<(f64, f64)> {
        has_totals.then(|| {
            inputs.iter().fold((0.0, 0.0), |acc, &i| {
                match a.inputs[i].data.participants() {
                    Some((t, c)) => (acc.0 + t, acc.1 + c),
                    None => acc,
                }
            })
        })
    };
    let events = |inputs: &[usize]| -> (f64, f64) {
        inputs
            .iter()
            .fold((0.0, 0.0), |acc, &i| match a.inputs[i].data {
                StudyData::Binary {
                    events_t, events_c, ..
                } => (acc.0 + events_t, acc.1 + events_c),
                _ => acc,
            })
    };
    let all: Vec<usize> = (0..a.studies.len()).collect();
    if let Some(sg) = &a.subgroups {
        for (g, group) in sg.groups.iter().enumerate() {
            rows.push(Row::Header(group.name.clone()));
            rows.extend(study_rows(a, &group.studies, Some(group.name.as_str())));
            if group.studies.len() > 1 {
                let label = if group.pool.decision.effects != a.overall.decision.effects {
                    format!("Subtotal ({})", method_label(&group.pool, level))
                } else {
                    format!("Subtotal ({:.0}% CI)", level * 100.0)
                };
                rows.push(Row::Total {
                    label,
                    pool_of: PoolRef::Subgroup(g),
                    totals: totals(&inputs_of(&group.studies, Some(group.name.as_str()))),
                });
                if binary {
                    let (e, c) = events(&inputs_of(&group.studies, Some(group.name.as_str())));
                    rows.push(Row::Events(e, c));
                }
                rows.push(Row::Text(heterogeneity_line(&group.pool)));
                rows.push(Row::Text(overall_line(&group.pool)));
            }
            rows.push(Row::Blank);
        }
    } else {
        rows.extend(study_rows(a, &all, None));
        rows.push(Row::Blank);
    }
    rows.push(Row::Total {
        label: format!("Total ({:.0}% CI)", level * 100.0),
        pool_of: PoolRef::Overall,
        totals: totals(&inputs_of(&all, None)),
    });
    if o.forest.prediction_bar && a.overall.prediction.value().is_some() {
        rows.push(Row::Prediction(PoolRef::Overall));
    }
    if binary {
        let (e, c) = events(&inputs_of(&all, None));
        rows.push(Row::Events(e, c));
    }
    rows.push(Row::Text(heterogeneity_line(&a.overall)));
    rows.push(Row::Text(overall_line(&a.overall)));
    if let Some(sg) = &a.subgroups {
        rows.push(Row::Text(match sg.difference.value() {
            Some(d) => {
                let i2 = if d.q > 0.0 {
                    (100.0 * (d.q - d.df as f64) / d.q).max(0.0)
                } else {
                    0.0
                };
                format!(
                    "Test for subgroup differences: Chi² = {}, df = {} ({}), I² = {}",
                    format::stat(d.q),
                    d.df,
                    format::p_revman(d.p),
                    format::percent0(i2)
                )
            }
            None => "Test for subgroup differences: Not applicable".into(),
        }));
    }

    // Columns: study | data... | weight | effect text | graph.
    let groups = data_columns(o.kind, measure, &o.forest.arms);
    let heads: Vec<String> = groups.iter().flat_map(|(_, h)| h.clone()).collect();
    let mut widths: Vec<f64> = heads.iter().map(|h| bold().width(h)).collect();
    let mut study_w = bold().width("Study or Subgroup");
    for r in &rows {
        match r {
            Row::Header(t) => study_w = study_w.max(bold().width(t)),
            Row::Study(i) => {
                study_w = study_w.max(regular().width(a.name(&a.studies[*i])));
                for (w, c) in widths.iter_mut().zip(data_cells(a, *i)) {
                    *w = w.max(regular().width(&c));
                }
            }
            Row::Excluded(i) => {
                study_w = study_w.max(regular().width(&a.inputs[*i].name));
                for (w, c) in widths
                    .iter_mut()
                    .zip(input_cells(&a.inputs[*i].data).unwrap_or_default())
                {
                    *w = w.max(regular().width(&c));
                }
            }
            Row::Total { label, totals, .. } => {
                study_w = study_w.max(bold().width(label));
                if let Some((t, c)) = totals {
                    let n = widths.len();
                    let per = n / 2;
                    widths[per - 1] = widths[per - 1].max(bold().width(&num(*t)));
                    widths[n - 1] = widths[n - 1].max(bold().width(&num(*c)));
                }
            }
            Row::Events(e, c) => {
                study_w = study_w.max(regular().width("Total events"));
                widths[0] = widths[0].max(regular().width(&num(*e)));
                let half = widths.len() / 2;
                widths[half] = widths[half].max(regular().width(&num(*c)));
            }
            _ => {}
        }
    }
    let effect_head = (measure.label().to_string(), method_label(&a.overall, level));
    let mut effect_w = bold()
        .width(&effect_head.0)
        .max(bold().width(&effect_head.1));
    let weight_w = bold().width("Weight").max(regular().width("100.0%"));
    let text_of = |est: f64, lo: f64, hi: f64| {
        format::bracketed(
            measure.back_transform(est),
            measure.back_transform(lo),
            measure.back_transform(hi),
            measure,
        )
    };
    let z = crate::stats::dist::z_crit(level);
    for &i in &all {
        let s = &a.studies[i];
        let se = s.vi.sqrt();
        effect_w = effect_w.max(regular().width(&text_of(s.yi, s.yi - z * se, s.yi + z * se)));
    }
    effect_w = effect_w.max(bold().width("Not estimable"));
    let mut weight_w = weight_w;
    if let Some(m) = min {
        study_w = study_w.max(m.study);
        for (w, x) in widths.iter_mut().zip(&m.data) {
            *w = w.max(*x);
        }
        weight_w = weight_w.max(m.weight);
        effect_w = effect_w.max(m.effect);
    }
    let layout = Widths {
        study: study_w,
        data: widths.clone(),
        weight: weight_w,
        effect: effect_w,
    };

    let mut x = MARGIN;
    let study_x = x;
    x += study_w + PAD;
    let mut col_x = Vec::new();
    for w in &widths {
        x += w;
        col_x.push(x); // right edge
        x += PAD;
    }
    let weight_x = x + weight_w;
    x = weight_x + PAD;
    let effect_x = x; // left edge
    x += effect_w + PAD;
    let graph_x0 = x + 4.0;
    let graph_x1 = graph_x0 + GRAPH;
    let mut width = graph_x1 + MARGIN + 4.0;
    for r in &rows {
        if let Row::Text(t) = r {
            width = width.max(MARGIN + regular().width(t) + MARGIN);
        }
    }

    // Axis from every interval shown.
    let mut values = Vec::new();
    for &i in &all {
        let s = &a.studies[i];
        let se = s.vi.sqrt();
        values.push(measure.back_transform(s.yi - z * se));
        values.push(measure.back_transform(s.yi + z * se));
    }
    let ax = axis::choose(
        measure,
        &values,
        o.forest.limits,
        o.forest.ticks.as_deref(),
        graph_x0,
        graph_x1,
    );

    // Heights.
    let title_h = if panel.is_some() { ROW * 1.6 } else { 0.0 };
    let head_h = ROW * 2.2;
    let body_h = rows.len() as f64 * ROW;
    let axis_h = ROW * 3.2;
    let height = MARGIN + title_h + head_h + body_h + axis_h + MARGIN;
    let mut f = Figure::new(width, height);
    let mut y = MARGIN;
    if let Some(p) = panel {
        panel_title(&mut f, study_x, y, p);
        y += title_h;
    }

    // Header.
    let h1 = y + SIZE;
    let h2 = y + SIZE + ROW;
    let mut ci = 0;
    for (group, cols) in &groups {
        let left = col_x[ci] - widths[ci];
        let right = col_x[ci + cols.len() - 1];
        if !group.is_empty() {
            f.text(
                (left + right) / 2.0,
                h1,
                group.clone(),
                bold(),
                Align::Center,
            );
        }
        for c in cols {
            f.text(col_x[ci], h2, c.clone(), bold(), Align::Right);
            ci += 1;
        }
    }
    f.text(study_x, h2, "Study or Subgroup", bold(), Align::Left);
    f.text(weight_x, h2, "Weight", bold(), Align::Right);
    f.text(effect_x, h1, effect_head.0.clone(), bold(), Align::Left);
    f.text(effect_x, h2, effect_head.1.clone(), bold(), Align::Left);
    f.text(
        (graph_x0 + graph_x1) / 2.0,
        h1,
        effect_head.0.clone(),
        bold(),
        Align::Center,
    );
    f.text(
        (graph_x0 + graph_x1) / 2.0,
        h2,
        effect_head.1.clone(),
        bold(),
        Align::Center,
    );
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

    // Body.
    let max_w = all
        .iter()
        .filter_map(|&i| weight_of(a, i))
        .fold(0.0, f64::max);
    for r in &rows {
        let base = y + SIZE;
        let mid = y + ROW / 2.0;
        match r {
            Row::Header(t) => f.text(study_x, base, t.clone(), bold(), Align::Left),
            Row::Excluded(i) => {
                f.text(
                    study_x,
                    base,
                    a.inputs[*i].name.clone(),
                    regular(),
                    Align::Left,
                );
                for (k, c) in input_cells(&a.inputs[*i].data)
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                {
                    f.text(col_x[k], base, c, regular(), Align::Right);
                }
                f.text(effect_x, base, "Not estimable", regular(), Align::Left);
            }
            Row::Study(i) => {
                let s = &a.studies[*i];
                f.text(study_x, base, a.name(s), regular(), Align::Left);
                for (k, c) in data_cells(a, *i).into_iter().enumerate() {
                    f.text(col_x[k], base, c, regular(), Align::Right);
                }
                let w = weight_of(a, *i);
                if let Some(w) = w {
                    f.text(weight_x, base, format::weight(w), regular(), Align::Right);
                }
                let se = s.vi.sqrt();
                let (lo, hi) = (s.yi - z * se, s.yi + z * se);
                f.text(
                    effect_x,
                    base,
                    text_of(s.yi, lo, hi),
                    regular(),
                    Align::Left,
                );
                whisker(&mut f, &ax, measure, lo, hi, mid, INK);
                // Area in proportion to weight. The largest square is full size when its study
                // carries a quarter of the weight or more; when every study carries less, sizes
                // are relative to 25%, so that many equal small weights do not all draw
                // full-size squares that hide their whiskers.
                let side = match (w, max_w > 0.0) {
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
            Row::Total {
                label,
                pool_of: pr,
                totals,
            } => {
                let pool = pool_of(a, *pr);
                f.text(study_x, base, label.clone(), bold(), Align::Left);
                if let Some((t, c)) = totals {
                    let n = col_x.len();
                    f.text(col_x[n / 2 - 1], base, num(*t), bold(), Align::Right);
                    f.text(col_x[n - 1], base, num(*c), bold(), Align::Right);
                }
                match pool.pooled.value() {
                    Some(p) => {
                        let wsum = match pr {
                            PoolRef::Overall => 100.0,
                            PoolRef::Subgroup(g) => {
                                let sg = &a.subgroups.as_ref().expect("subgroups").groups[*g];
                                if a.overall.weights_pct.is_some() {
                                    sg.studies.iter().filter_map(|&i| a.weight_pct(i)).sum()
                                } else {
                                    100.0
                                }
                            }
                        };
                        f.text(weight_x, base, format::weight(wsum), bold(), Align::Right);
                        f.text(
                            effect_x,
                            base,
                            text_of(p.estimate, p.ci_lower, p.ci_upper),
                            bold(),
                            Align::Left,
                        );
                        diamond(
                            &mut f, &ax, measure, p.estimate, p.ci_lower, p.ci_upper, mid,
                        );
                    }
                    None => f.text(effect_x, base, "Not estimable", bold(), Align::Left),
                }
            }
            Row::Prediction(pr) => {
                if let Some(pi) = pool_of(a, *pr)
                    .prediction
                    .value()
                    .and_then(|p| p.shown_interval())
                {
                    f.text(
                        study_x,
                        base,
                        format!("{:.0}% prediction interval", level * 100.0),
                        Font::italic(SIZE),
                        Align::Left,
                    );
                    let est = pool_of(a, *pr)
                        .pooled
                        .value()
                        .map_or((pi.lower + pi.upper) / 2.0, |p| p.estimate);
                    f.text(
                        effect_x,
                        base,
                        text_of(est, pi.lower, pi.upper),
                        Font::italic(SIZE),
                        Align::Left,
                    );
                    whisker(&mut f, &ax, measure, pi.lower, pi.upper, mid, ACCENT);
                    let (l, h) = (
                        ax.xa(measure, pi.lower).max(ax.x0),
                        ax.xa(measure, pi.upper).min(ax.x1),
                    );
                    f.line(l, mid - 2.5, l, mid + 2.5, 0.8, ACCENT);
                    f.line(h, mid - 2.5, h, mid + 2.5, 0.8, ACCENT);
                }
            }
            Row::Events(e, c) => {
                f.text(study_x, base, "Total events", regular(), Align::Left);
                f.text(col_x[0], base, num(*e), regular(), Align::Right);
                f.text(
                    col_x[col_x.len() / 2],
                    base,
                    num(*c),
                    regular(),
                    Align::Right,
                );
            }
            Row::Text(t) => f.text(study_x, base, t.clone(), regular(), Align::Left),
            Row::Blank => {}
        }
        y += ROW;
    }

    if panel.is_none() {
        f.bands = Some(Bands {
            header_end,
            row: ROW,
            may_start: rows
                .iter()
                .map(|r| match r {
                    Row::Header(_) => 2,
                    Row::Study(_) | Row::Excluded(_) => 1,
                    _ => 0,
                })
                .collect(),
            footer_start: y,
        });
    }

    // Line of no effect and axis.
    axis_with_favours(
        &mut f,
        &ax,
        measure,
        body_top,
        y + ROW * 0.3,
        &o.forest.favours,
    );
    (f, layout)
}

/// A panel's letter and title, with its top at `y`.
fn panel_title(f: &mut Figure, x: f64, y: f64, (letter, title): (char, &str)) {
    let big = Font::bold(SIZE * 1.5);
    f.text(x, y + SIZE * 1.3, letter.to_string(), big, Align::Left);
    f.text(
        x + big.width("W") + 4.0,
        y + SIZE * 1.3,
        title,
        Font::bold(SIZE * 1.15),
        Align::Left,
    );
}

/// The line of no effect from `top` down to the axis at `axis_y`, the axis, and the
/// "Favours" labels on either side of the null.
fn axis_with_favours(
    f: &mut Figure,
    ax: &Axis,
    measure: Measure,
    top: f64,
    axis_y: f64,
    favours: &(String, String),
) {
    let null_x = ax.x(measure.null_value());
    if null_x >= ax.x0 && null_x <= ax.x1 {
        f.line(null_x, top, null_x, axis_y, 0.6, INK);
    }
    axis_line(f, ax, axis_y);
    let y = axis_y + ROW * 2.3;
    f.text(null_x - 5.0, y, favours.0.clone(), regular(), Align::Right);
    f.text(null_x + 5.0, y, favours.1.clone(), regular(), Align::Left);
}

/// The axis line, ticks and labels at `y`.
pub fn axis_line(f: &mut Figure, ax: &Axis, y: f64) {
    f.line(ax.x0, y, ax.x1, y, 0.6, INK);
    for &t in &ax.ticks {
        let x = ax.x(t);
        f.line(x, y, x, y + 3.0, 0.6, INK);
        f.text(x, y + 3.0 + SIZE, ax.label(t), regular(), Align::Center);
    }
}

/// A confidence-interval line with arrowheads where it leaves the axis.
fn whisker(
    f: &mut Figure,
    ax: &Axis,
    measure: Measure,
    lo: f64,
    hi: f64,
    y: f64,
    color: super::canvas::Rgb,
) {
    let (xl, xh) = (ax.xa(measure, lo), ax.xa(measure, hi));
    if xh < ax.x0 || xl > ax.x1 {
        // Entirely off the axis: an arrow at the edge.
        let (x, dir) = if xh < ax.x0 {
            (ax.x0, -1.0)
        } else {
            (ax.x1, 1.0)
        };
        arrow(f, x, y, dir, color);
        return;
    }
    let (a, b) = (xl.max(ax.x0), xh.min(ax.x1));
    f.line(a, y, b, y, 0.7, color);
    if xl < ax.x0 {
        arrow(f, ax.x0, y, -1.0, color);
    }
    if xh > ax.x1 {
        arrow(f, ax.x1, y, 1.0, color);
    }
}

fn arrow(f: &mut Figure, x: f64, y: f64, dir: f64, color: super::canvas::Rgb) {
    f.polygon(
        vec![(x, y), (x - dir * 4.0, y - 2.2), (x - dir * 4.0, y + 2.2)],
        color,
    );
}

/// A pooled estimate's diamond. Where the interval runs past the axis the diamond is cut with a
/// vertical edge at the axis end, so a clipped interval never looks like a complete one.
fn diamond(f: &mut Figure, ax: &Axis, measure: Measure, est: f64, lo: f64, hi: f64, y: f64) {
    let (xl, xm, xh) = (ax.xa(measure, lo), ax.xa(measure, est), ax.xa(measure, hi));
    if !(ax.x0..=ax.x1).contains(&xm) {
        return;
    }
    let h = ROW * 0.36;
    // Half-height of the diamond at horizontal position x on the side reaching out to `tip`.
    let at = |x: f64, tip: f64| {
        if (xm - tip).abs() < 1e-9 {
            h
        } else {
            h * (x - tip) / (xm - tip)
        }
    };
    let mut pts = Vec::with_capacity(6);
    if xl < ax.x0 {
        let hh = at(ax.x0, xl);
        pts.extend([(ax.x0, y + hh), (ax.x0, y - hh)]);
    } else {
        pts.push((xl, y));
    }
    pts.push((xm, y - h));
    if xh > ax.x1 {
        let hh = at(ax.x1, xh);
        pts.extend([(ax.x1, y - hh), (ax.x1, y + hh)]);
    } else {
        pts.push((xh, y));
    }
    pts.push((xm, y + h));
    f.polygon(pts, DIAMOND);
}

/// A forest plot of sensitivity rows (leave-one-out or cumulative), one pooled estimate per
/// row, with the full analysis at the bottom.
pub fn sensitivity_forest(
    a: &Analysis,
    o: &Outcome,
    rows: &[SensitivityRow],
    cumulative: bool,
    panel: Option<(char, &str)>,
) -> Figure {
    let measure = a.measure;
    let level = a.options.level;
    let first = if cumulative {
        "Study added"
    } else {
        "Study omitted"
    };
    let effect_head = format!("{} [{:.0}% CI]", measure.label(), level * 100.0);
    let label_of = |r: &SensitivityRow| {
        if cumulative {
            format!("+ {}", r.label)
        } else {
            r.label.clone()
        }
    };
    let text_of = |p: &Pool| match p.pooled.value() {
        Some(x) => format::bracketed(
            measure.back_transform(x.estimate),
            measure.back_transform(x.ci_lower),
            measure.back_transform(x.ci_upper),
            measure,
        ),
        None => "Not pooled".into(),
    };
    let stats_of = |p: &Pool| match (p.pooled.value(), p.heterogeneity.value()) {
        (Some(x), Some(h)) => (
            format::p_value(x.p).trim_start_matches("= ").to_string(),
            format::percent0(h.i2),
        ),
        (Some(x), None) => (
            format::p_value(x.p).trim_start_matches("= ").to_string(),
            "–".into(),
        ),
        (None, Some(h)) => ("–".into(), format::percent0(h.i2)),
        _ => ("–".into(), "–".into()),
    };
    let mut study_w = bold().width(first).max(bold().width("All studies"));
    let mut effect_w = bold().width(&effect_head);
    let model_of = |p: &Pool| match p.decision.effects {
        Some(Effects::Fixed) => "Fixed".to_string(),
        Some(Effects::Random(_)) => "Random".to_string(),
        None => "–".to_string(),
    };
    let (mut p_w, mut i2_w, mut model_w) =
        (bold().width("p"), bold().width("I²"), bold().width("Model"));
    for r in rows
        .iter()
        .map(|r| &r.pool)
        .chain(std::iter::once(&a.overall))
    {
        model_w = model_w.max(bold().width(&model_of(r)));
    }
    for r in rows {
        study_w = study_w.max(regular().width(&label_of(r)));
        effect_w = effect_w.max(regular().width(&text_of(&r.pool)));
        let (p, i2) = stats_of(&r.pool);
        p_w = p_w.max(regular().width(&p));
        i2_w = i2_w.max(regular().width(&i2));
    }
    effect_w = effect_w.max(bold().width(&text_of(&a.overall)));
    let study_x = MARGIN;
    let effect_x = study_x + study_w + PAD;
    let p_x = effect_x + effect_w + PAD + p_w;
    let i2_x = p_x + PAD + i2_w;
    let model_x = i2_x + PAD;
    let graph_x0 = model_x + model_w + PAD + 4.0;
    let graph_x1 = graph_x0 + GRAPH;
    let method = method_label(&a.overall, level);
    let width = (graph_x1 + MARGIN + 4.0).max(MARGIN * 2.0 + regular().width(&method));
    let mut values = Vec::new();
    for r in rows
        .iter()
        .map(|r| &r.pool)
        .chain(std::iter::once(&a.overall))
    {
        if let Some(p) = r.pooled.value() {
            values.push(measure.back_transform(p.ci_lower));
            values.push(measure.back_transform(p.ci_upper));
        }
    }
    // Pooled intervals are narrow: the axis fits them rather than the study-level limits.
    let ax = axis::choose(measure, &values, None, None, graph_x0, graph_x1);
    let title_h = if panel.is_some() { ROW * 1.6 } else { 0.0 };
    let height = MARGIN
        + title_h
        + ROW * 1.5
        + (rows.len() as f64 + 1.5) * ROW
        + ROW * 1.5
        + ROW * 2.6
        + MARGIN;
    let mut f = Figure::new(width, height);
    let mut y = MARGIN;
    if let Some(p) = panel {
        panel_title(&mut f, study_x, y, p);
        y += title_h;
    }
    let h = y + SIZE;
    f.text(study_x, h, first, bold(), Align::Left);
    f.text(effect_x, h, effect_head.clone(), bold(), Align::Left);
    f.text(p_x, h, "p", bold(), Align::Right);
    f.text(i2_x, h, "I²", bold(), Align::Right);
    f.text(model_x, h, "Model", bold(), Align::Left);
    f.text(
        (graph_x0 + graph_x1) / 2.0,
        h,
        method.clone(),
        bold(),
        Align::Center,
    );
    y += ROW * 1.5;
    f.line(
        MARGIN,
        y - ROW * 0.35,
        width - MARGIN,
        y - ROW * 0.35,
        0.6,
        INK,
    );
    let body_top = y - ROW * 0.35;
    let draw_row = |f: &mut Figure, y: f64, label: String, pool: &Pool, strong: bool| {
        let font = if strong { bold() } else { regular() };
        let base = y + SIZE;
        let mid = y + ROW / 2.0;
        f.text(study_x, base, label, font, Align::Left);
        f.text(effect_x, base, text_of(pool), font, Align::Left);
        let (p, i2) = stats_of(pool);
        f.text(p_x, base, p, font, Align::Right);
        f.text(i2_x, base, i2, font, Align::Right);
        f.text(model_x, base, model_of(pool), font, Align::Left);
        if let Some(x) = pool.pooled.value() {
            if strong {
                diamond(f, &ax, measure, x.estimate, x.ci_lower, x.ci_upper, mid);
            } else {
                whisker(f, &ax, measure, x.ci_lower, x.ci_upper, mid, INK);
                let cx = ax.xa(measure, x.estimate);
                if cx >= ax.x0 && cx <= ax.x1 {
                    f.circle(cx, mid, 2.2, Some(SQUARE), None);
                }
            }
        }
    };
    let header_end = y;
    for r in rows {
        draw_row(&mut f, y, label_of(r), &r.pool, false);
        y += ROW;
    }
    if panel.is_none() {
        f.bands = Some(Bands {
            header_end,
            row: ROW,
            may_start: vec![1; rows.len()],
            footer_start: y,
        });
    }
    y += ROW * 0.5;
    f.line(
        MARGIN,
        y - ROW * 0.25,
        width - MARGIN,
        y - ROW * 0.25,
        0.4,
        LIGHT,
    );
    draw_row(&mut f, y, "All studies".into(), &a.overall, true);
    y += ROW * 1.5;
    axis_with_favours(&mut f, &ax, measure, body_top, y, &o.forest.favours);
    f
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
