//! Funnel plots: effect on the horizontal axis (log scale for ratios), standard error on an
//! inverted vertical axis, the pooled estimate with its pseudo 95% confidence limits; options:
//! contours of significance around the null (p < 0.01 / 0.05 / 0.10, Peters et al. 2008),
//! trim-and-fill's filled studies as open circles, and Egger's regression line.

use super::axis;
use super::canvas::{ACCENT, Align, Figure, Font, INK, LIGHT, Rgb, SQUARE, WHITE_};
use crate::report::format;
use crate::spec::Outcome;
use crate::stats::analysis::Analysis;
use crate::stats::{Computed, dist};

const SIZE: f64 = 8.0;
/// Contour shades: p < 0.10, < 0.05, < 0.01 (light to dark).
const SHADE_10: Rgb = Rgb(242, 242, 242);
const SHADE_05: Rgb = Rgb(224, 224, 224);
const SHADE_01: Rgb = Rgb(200, 200, 200);

/// Builds the funnel plot of an outcome.
pub fn funnel(a: &Analysis, o: &Outcome) -> Figure {
    let _ft = crate::stats::per_scale::Presented::of(a);
    let measure = a.measure;
    let (w, h) = (300.0, 250.0);
    let (left, right, top, bottom) = (46.0, 14.0, 12.0, 52.0);
    let mut f = Figure::new(w, h);
    let pooled = a.overall.pooled.value().map(|p| p.estimate);
    let bias = a.bias.as_ref();
    let filled: Vec<(f64, f64)> = match bias.and_then(|b| b.trim_and_fill.as_ref()) {
        Some(Computed::Value(t)) if o.funnel.trim_and_fill => t
            .filled_yi
            .iter()
            .zip(&t.filled_vi)
            .map(|(y, v)| (*y, v.sqrt()))
            .collect(),
        _ => Vec::new(),
    };
    let points: Vec<(f64, f64)> = a.studies.iter().map(|s| (s.yi, s.vi.sqrt())).collect();
    let se_max = points
        .iter()
        .chain(&filled)
        .map(|p| p.1)
        .fold(0.0, f64::max)
        * 1.08;
    // Without a pooled estimate (the model rule), centre on the model the bias tests used.
    let centre = pooled.unwrap_or_else(|| {
        let (y, v): (Vec<f64>, Vec<f64>) = a.studies.iter().map(|s| (s.yi, s.vi)).unzip();
        let effects = bias.map_or(crate::stats::Effects::Fixed, |b| b.effects);
        crate::stats::fit::pool(
            &y,
            &v,
            effects,
            crate::stats::CiMethod::Z,
            0.95,
            &a.options.control,
        )
        .map_or_else(
            |_| {
                y.iter().zip(&v).map(|(y, v)| y / v).sum::<f64>()
                    / v.iter().map(|v| 1.0 / v).sum::<f64>()
            },
            |f| f.pooled().estimate,
        )
    });
    let z = dist::z_crit(0.95);
    // The x-range covers the points, the pseudo-confidence region and the contours.
    let mut values: Vec<f64> = points
        .iter()
        .chain(&filled)
        .map(|p| measure.back_transform(p.0))
        .collect();
    values.push(measure.back_transform(centre - z * se_max));
    values.push(measure.back_transform(centre + z * se_max));
    if o.funnel.contours {
        values.push(measure.back_transform(-dist::z_crit(0.99) * se_max));
        values.push(measure.back_transform(dist::z_crit(0.99) * se_max));
    }
    let ax = funnel_axis(measure, &values, left, w - right);
    let plot_h = h - top - bottom;
    let ys = |se: f64| top + se / se_max * plot_h;
    let xa = |y: f64| ax.xa(measure, y).clamp(ax.x0, ax.x1);

    // Contours of significance around the null: shaded where p < 0.10, 0.05, 0.01.
    if o.funnel.contours {
        // The null is 0 on the analysis scale (log 1 for ratios).
        let null = 0.0;
        let shades = [(0.90, SHADE_10), (0.95, SHADE_05), (0.99, SHADE_01)];
        // Outer regions first: p < 0.10 everywhere beyond z(0.90), lighter; overpainted inward.
        f.fill_rect(ax.x0, top, ax.x1, top + plot_h, WHITE_);
        for (level, color) in shades {
            let zc = dist::z_crit(level);
            for side in [-1.0, 1.0] {
                let inner: Vec<(f64, f64)> = vec![
                    (xa(null), ys(0.0)),
                    (xa(null + side * zc * se_max), ys(se_max)),
                ];
                let edge = if side < 0.0 { ax.x0 } else { ax.x1 };
                let mut poly = inner.clone();
                poly.push((edge, ys(se_max)));
                poly.push((edge, ys(0.0)));
                f.polygon(poly, color);
            }
        }
    }

    // Pseudo 95% confidence region around the pooled (or fixed-effect) estimate.
    let tip = (xa(centre), ys(0.0));
    f.dashed(
        tip.0,
        tip.1,
        xa(centre - z * se_max),
        ys(se_max),
        0.6,
        INK,
        2.0,
    );
    f.dashed(
        tip.0,
        tip.1,
        xa(centre + z * se_max),
        ys(se_max),
        0.6,
        INK,
        2.0,
    );
    f.line(tip.0, ys(0.0), tip.0, ys(se_max), 0.7, INK);

    // Egger's line: yᵢ = b₀ + b₁·seᵢ, drawn over the range of standard errors.
    if o.funnel.egger_line
        && let Some(Computed::Value(e)) = bias.and_then(|b| b.egger.as_ref())
    {
        let pts: Vec<(f64, f64)> = (0..=40)
            .map(|i| se_max * i as f64 / 40.0)
            .map(|se| (xa(e.limit_estimate + e.bias * se), ys(se)))
            .collect();
        f.polyline(pts, 0.9, ACCENT);
    }
    for &(y, se) in &filled {
        f.circle(xa(y), ys(se), 2.6, Some(WHITE_), Some((INK, 0.6)));
    }
    for &(y, se) in &points {
        f.circle(xa(y), ys(se), 2.6, Some(SQUARE), None);
    }

    // Axes.
    f.box_(ax.x0, top, ax.x1, top + plot_h, None, INK, 0.6);
    for &t in &ax.ticks {
        let x = ax.x(t);
        f.line(x, top + plot_h, x, top + plot_h + 3.0, 0.6, INK);
        f.text(
            x,
            top + plot_h + 3.0 + SIZE,
            ax.label(t),
            Font::regular(SIZE),
            Align::Center,
        );
    }
    let se_ticks = nice_ticks(se_max);
    for t in se_ticks {
        let y = ys(t);
        f.line(ax.x0 - 3.0, y, ax.x0, y, 0.6, INK);
        f.text(
            ax.x0 - 5.0,
            y + SIZE * 0.35,
            se_label(t, se_max),
            Font::regular(SIZE),
            Align::Right,
        );
    }
    let xlabel = if measure.is_ratio() {
        super::scale::effect_title(measure)
    } else {
        a.options
            .per_scale
            .label_as(measure, &super::scale::measure_title(measure))
    };
    f.text(
        (ax.x0 + ax.x1) / 2.0,
        top + plot_h + 3.0 + SIZE * 2.6,
        xlabel,
        Font::regular(SIZE),
        Align::Center,
    );
    f.vtext(
        14.0,
        top + plot_h / 2.0,
        "Standard error",
        Font::regular(SIZE),
    );
    // Legend line.
    let mut legend = Vec::new();
    if o.funnel.contours {
        legend.push(("shade", "p < 0.01 / 0.05 / 0.10 (dark to light)"));
    }
    if !filled.is_empty() {
        legend.push(("open", "filled by trim-and-fill"));
    }
    if o.funnel.egger_line
        && matches!(
            bias.and_then(|b| b.egger.as_ref()),
            Some(Computed::Value(_))
        )
    {
        legend.push(("line", "Egger’s regression"));
    }
    let mut lx = ax.x0;
    let ly = h - 8.0;
    for (kind, label) in legend {
        match kind {
            "shade" => {
                for (i, c) in [SHADE_01, SHADE_05, SHADE_10].into_iter().enumerate() {
                    f.box_(
                        lx + i as f64 * 6.0,
                        ly - 6.0,
                        lx + i as f64 * 6.0 + 6.0,
                        ly,
                        Some(c),
                        LIGHT,
                        0.3,
                    );
                }
                lx += 21.0;
            }
            "open" => {
                f.circle(lx + 3.0, ly - 3.0, 2.6, Some(WHITE_), Some((INK, 0.6)));
                lx += 9.0;
            }
            _ => {
                f.line(lx, ly - 3.0, lx + 10.0, ly - 3.0, 0.9, ACCENT);
                lx += 13.0;
            }
        }
        let font = Font::regular(SIZE - 1.0);
        f.text(lx, ly, label, font, Align::Left);
        lx += font.width(label) + 10.0;
    }
    if lx > w {
        f.width = lx + 6.0;
    }
    f
}

fn funnel_axis(measure: crate::stats::Measure, values: &[f64], x0: f64, x1: f64) -> axis::Axis {
    let finite: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && (!measure.is_ratio() || *v > 0.0))
        .collect();
    let (mut lo, mut hi) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !(lo.is_finite() && hi.is_finite()) || lo > hi {
        (lo, hi) = if measure.is_ratio() {
            (0.5, 2.0)
        } else {
            (-1.0, 1.0)
        };
    }
    if measure.is_ratio() {
        let pad = (hi / lo).ln() * 0.04;
        let pad = if pad.is_finite() { pad } else { 0.0 };
        lo = (lo.ln() - pad).exp().max(f64::MIN_POSITIVE);
        hi = (hi.ln() + pad).exp().min(f64::MAX);
        let mut ticks = Vec::new();
        for e in -4..=4 {
            for m in [1.0, 2.0, 5.0] {
                let v = m * 10f64.powi(e);
                if v >= lo && v <= hi {
                    ticks.push(v);
                }
            }
        }
        if ticks.len() > 7 {
            ticks.retain(|v| (v.log10() - v.log10().round()).abs() < 1e-9 || *v == 1.0);
        }
        if ticks.len() < 3 && (lo.sqrt() * hi.sqrt()).is_finite() {
            ticks = vec![lo.sqrt() * hi.sqrt()];
            for m in [0.25, 0.5, 1.0, 2.0, 4.0] {
                if m >= lo && m <= hi && !ticks.contains(&m) {
                    ticks.push(m);
                }
            }
            ticks.retain(|v| [0.25, 0.5, 1.0, 2.0, 4.0].contains(v));
        }
        axis::Axis {
            log: true,
            lo,
            hi,
            ticks,
            x0,
            x1,
        }
    } else {
        let pad = (hi - lo) * 0.04;
        let pad = if pad.is_finite() { pad } else { 0.0 };
        let mut a = axis::choose(
            measure,
            &[lo - pad, hi + pad],
            Some((lo - pad, hi + pad)),
            None,
            x0,
            x1,
        );
        a.ticks.retain(|t| *t >= lo - pad && *t <= hi + pad);
        a
    }
}

/// Round ticks from 0 to `max` (about four steps); bounded whatever `max` is.
fn nice_ticks(max: f64) -> Vec<f64> {
    let step = axis::nice_step(max / 4.0);
    let t = axis::multiples(0.0, max, step);
    if t.is_empty() { vec![0.0] } else { t }
}

/// A standard-error tick label: decimals enough to tell the ticks apart, scientific notation
/// for values too small or too large for that.
fn se_label(t: f64, se_max: f64) -> String {
    if t == 0.0 {
        return format::fixed_revman(0.0, if se_max < 1.0 { 2 } else { 1 });
    }
    if !(1e-4..1e6).contains(&se_max) {
        return axis::scientific(t);
    }
    let step = axis::nice_step(se_max / 4.0);
    // The fewest decimals that show the step exactly, and at least the usual 2 (SE < 1) or 1.
    let needed = (0..=6)
        .find(|&d| {
            let x = step * 10f64.powi(d);
            (x - x.round()).abs() < 1e-6 * x.max(1.0)
        })
        .unwrap_or(6) as usize;
    format::fixed_revman(t, needed.max(if se_max < 1.0 { 2 } else { 1 }))
}
