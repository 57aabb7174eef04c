//! Forest plots of sensitivity analyses (leave-one-out, cumulative): one pooled estimate per
//! row — the study omitted or added — with p, I² and the model, and the full analysis below.

use super::columns::effect_text;
use super::draw::{Favours, axis_with_favours, diamond, panel_title, whisker};
use super::{GRAPH, MARGIN, PAD, ROW, SIZE, bold, method_label, regular};
use crate::plot::axis;
use crate::plot::canvas::{Align, Bands, Figure, INK, LIGHT, SQUARE};
use crate::report::format;
use crate::spec::Outcome;
use crate::stats::Effects;
use crate::stats::analysis::{Analysis, Pool, SensitivityRow};

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
    let _ft = crate::stats::per_scale::Presented::of(a);
    let level = a.options.level;
    let first = if cumulative {
        "Study added"
    } else {
        "Study omitted"
    };
    let effect_head = format!(
        "{} [{:.0}% CI]",
        a.options.per_scale.label(measure),
        level * 100.0
    );
    let label_of = |r: &SensitivityRow| {
        if cumulative {
            format!("+ {}", r.label)
        } else {
            r.label.clone()
        }
    };
    let text_of = |p: &Pool| match p.pooled.value() {
        Some(x) => effect_text(measure, x.estimate, x.ci_lower, x.ci_upper),
        None => "Not pooled".into(),
    };
    let stats_of = |p: &Pool| match (p.pooled.value(), p.heterogeneity.value()) {
        (Some(x), Some(h)) => (
            format::p_value(x.p).trim_start_matches("= ").to_string(),
            format::i2_estimate(h),
        ),
        (Some(x), None) => (
            format::p_value(x.p).trim_start_matches("= ").to_string(),
            "–".into(),
        ),
        (None, Some(h)) => ("–".into(), format::i2_estimate(h)),
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
    let favours = Favours::new(&ax, measure, &o.forest.favours, MARGIN);
    let width = width.max(favours.right_end() + MARGIN);
    let title_h = if panel.is_some() { ROW * 1.6 } else { 0.0 };
    let height = MARGIN
        + title_h
        + ROW * 1.5
        + (rows.len() as f64 + 1.5) * ROW
        + ROW * 1.5
        + ROW * (2.6 + favours.extra_lines() as f64)
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
    axis_with_favours(&mut f, &ax, measure, body_top, y, &favours);
    f
}
