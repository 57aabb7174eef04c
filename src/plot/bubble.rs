//! Bubble plots of a meta-regression (metafor's `regplot`): one panel per continuous
//! moderator, the studies' effects against the moderator as circles whose area is proportional
//! to their weight in the model, the fitted line with its confidence band (and, optionally, the
//! prediction band), other moderators held at their means (metafor's choice).

use super::canvas::{ACCENT, Align, Figure, Font, INK, LIGHT, Rgb, SQUARE, WHITE_};
use super::scale::{Scale, effect_title};
use crate::spec::Outcome;
use crate::stats::Computed;
use crate::stats::analysis::Analysis;
use crate::stats::dist;
use crate::stats::meta_regression::{self, ModeratorValues};

const SIZE: f64 = 8.0;
const BAND: Rgb = Rgb(214, 224, 238);
const PANEL_W: f64 = 320.0;
const PANEL_H: f64 = 240.0;

/// Builds the bubble plot of an outcome's meta-regression (an empty figure when there is none).
pub fn bubble(a: &Analysis, o: &Outcome) -> Figure {
    let (Some(Computed::Value(r)), Some(opts)) = (
        a.explore.meta_regression.as_ref(),
        a.options.explore.meta_regression.as_ref(),
    ) else {
        let mut f = Figure::new(PANEL_W, 40.0);
        f.text(
            10.0,
            20.0,
            "No meta-regression could be fitted.",
            Font::regular(SIZE),
            Align::Left,
        );
        return f;
    };
    let panels: Vec<(usize, usize)> = opts
        .moderators
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m.values, ModeratorValues::Continuous { .. }))
        .filter_map(|(mi, _)| {
            r.coefficients
                .iter()
                .position(|c| c.column.moderator == Some(mi))
                .map(|j| (mi, j))
        })
        .collect();
    let titled = panels.len() > 1;
    let legend_h = 18.0;
    let mut f = Figure::new(PANEL_W, PANEL_H * panels.len() as f64 + legend_h);
    for (n, &(mi, j)) in panels.iter().enumerate() {
        let m = &opts.moderators[mi];
        let ModeratorValues::Continuous { values, .. } = &m.values else {
            continue;
        };
        let title = titled.then(|| format!("({}) {}", (b'A' + n as u8) as char, m.label));
        let panel = panel(a, o, r, j, values, &m.label, title.as_deref());
        f.append(panel, 0.0, PANEL_H * n as f64);
    }
    // Legend.
    let ly = f.height - 6.0;
    let mut lx = 46.0;
    f.circle(lx + 3.0, ly - 3.0, 3.0, Some(SQUARE), None);
    lx += 9.0;
    let font = Font::regular(SIZE - 1.0);
    let t = "study (area proportional to weight)";
    f.text(lx, ly, t, font, Align::Left);
    lx += font.width(t) + 10.0;
    f.fill_rect(lx, ly - 6.0, lx + 10.0, ly, BAND);
    f.line(lx, ly - 3.0, lx + 10.0, ly - 3.0, 1.0, INK);
    lx += 13.0;
    let t = format!("fit, {:.0}% CI", a.options.level * 100.0);
    f.text(lx, ly, &t, font, Align::Left);
    lx += font.width(&t) + 10.0;
    if o.bubble_prediction_band && r.residual.tau2 > 0.0 {
        f.dashed(lx, ly - 3.0, lx + 10.0, ly - 3.0, 0.6, ACCENT, 1.5);
        lx += 13.0;
        let t = format!("{:.0}% prediction interval", a.options.level * 100.0);
        f.text(lx, ly, &t, font, Align::Left);
        lx += font.width(&t) + 10.0;
    }
    if lx > f.width {
        f.width = lx + 6.0;
    }
    f
}

/// One moderator's panel: column `j` of the model, the moderator's values per input study.
fn panel(
    a: &Analysis,
    o: &Outcome,
    r: &meta_regression::MetaRegression,
    j: usize,
    values: &[f64],
    label: &str,
    title: Option<&str>,
) -> Figure {
    let measure = a.measure;
    let (left, right, bottom) = (46.0, 14.0, 36.0);
    let top = if title.is_some() { 22.0 } else { 10.0 };
    let mut f = Figure::new(PANEL_W, PANEL_H);
    let centre = r.centres[r.coefficients[j].column.moderator.unwrap_or(0)].unwrap_or(0.0);
    let xs: Vec<f64> = a.studies.iter().map(|s| values[s.input]).collect();
    let ys: Vec<f64> = a.studies.iter().map(|s| s.yi).collect();
    let (xmin, xmax) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let span = (xmax - xmin).max(f64::EPSILON);
    let (g0, g1) = (xmin - 0.04 * span, xmax + 0.04 * span);
    let crit = match r.df {
        Some(df) => dist::t_crit(a.options.level, df),
        None => dist::z_crit(a.options.level),
    };
    let show_pi = o.bubble_prediction_band && r.residual.tau2 > 0.0;
    // The fitted line and bands at 101 points: (x, fit, ci lo, ci hi, pi lo, pi hi).
    let line: Vec<[f64; 6]> = (0..=100)
        .map(|i| {
            let x = g0 + (g1 - g0) * i as f64 / 100.0;
            let mut x0 = r.column_means.clone();
            x0[j] = x - centre;
            let (est, se) = meta_regression::predict(r, &x0);
            let pse = (se * se + r.residual.tau2).sqrt();
            [
                x,
                est,
                est - crit * se,
                est + crit * se,
                est - crit * pse,
                est + crit * pse,
            ]
        })
        .collect();
    let mut lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for p in &line {
        let (a_, b_) = if show_pi { (p[4], p[5]) } else { (p[2], p[3]) };
        lo = lo.min(a_);
        hi = hi.max(b_);
    }
    let xs_scale = Scale::linear(g0, g1, left, PANEL_W - right, 5, false);
    let ys_scale = Scale::effect(measure, lo, hi, PANEL_H - bottom, top);
    let (px, py) = (|x: f64| xs_scale.at(x), |y: f64| ys_scale.at(y));

    // Bands, the null line, the fit.
    if show_pi {
        // Dashed: every other of the 100 segments.
        let lower: Vec<(f64, f64)> = line.iter().map(|p| (px(p[0]), py(p[4]))).collect();
        let upper: Vec<(f64, f64)> = line.iter().map(|p| (px(p[0]), py(p[5]))).collect();
        for pts in [lower, upper] {
            for w in pts.windows(2).step_by(2) {
                f.line(w[0].0, w[0].1, w[1].0, w[1].1, 0.6, ACCENT);
            }
        }
    }
    let mut band: Vec<(f64, f64)> = line.iter().map(|p| (px(p[0]), py(p[3]))).collect();
    band.extend(line.iter().rev().map(|p| (px(p[0]), py(p[2]))));
    f.polygon(band, BAND);
    if 0.0 > ys_scale.lo && 0.0 < ys_scale.hi {
        f.dashed(xs_scale.p0, py(0.0), xs_scale.p1, py(0.0), 0.5, LIGHT, 2.0);
    }
    // The fit is straight in the analysis scale (one moderator varies): its two ends.
    let ends = [&line[0], &line[line.len() - 1]];
    f.polyline(
        ends.iter().map(|p| (px(p[0]), py(p[1]))).collect(),
        1.0,
        INK,
    );

    // Studies, largest first so that small ones stay visible.
    let roots: Vec<f64> = r.weights_pct.iter().map(|w| w.sqrt()).collect();
    let (rmin, rmax) = roots
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let radius = |q: f64| {
        if rmax > rmin {
            2.0 + (q - rmin) / (rmax - rmin) * 5.0
        } else {
            4.0
        }
    };
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&p, &q| roots[q].total_cmp(&roots[p]).then(p.cmp(&q)));
    for i in order {
        f.circle(
            px(xs[i]),
            py(ys[i]),
            radius(roots[i]),
            Some(SQUARE),
            Some((WHITE_, 0.4)),
        );
    }

    // Axes.
    let (x0, x1, y0, y1) = (xs_scale.p0, xs_scale.p1, ys_scale.p1, ys_scale.p0);
    super::scale::draw_frame(&mut f, &xs_scale, &ys_scale, SIZE);
    let mut axis_label = label.chars();
    let axis_label: String = axis_label
        .next()
        .map(|c| c.to_uppercase().chain(axis_label).collect())
        .unwrap_or_default();
    f.text(
        (x0 + x1) / 2.0,
        y1 + 3.0 + SIZE * 2.5,
        axis_label,
        Font::regular(SIZE),
        Align::Center,
    );
    f.vtext(
        12.0,
        (y0 + y1) / 2.0,
        effect_title(measure),
        Font::regular(SIZE),
    );
    if let Some(t) = title {
        f.text(x0, 12.0, t, Font::bold(SIZE), Align::Left);
    }
    f
}
