//! Value axes of the scatter-type figures (bubble, Baujat, GOSH): a range in data units mapped
//! onto a span of points, with round ticks (1–2–2.5–5 steps), or ratio ticks (1–2–5 per
//! decade) for effects on the log scale.

use super::axis::nice_step;
use super::canvas::{Align, Figure, Font, INK};
use crate::report::format;
use crate::stats::Measure;

/// A data range mapped onto `[p0, p1]` points (p1 < p0 for a vertical axis drawn upwards).
#[derive(Debug, Clone)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub p0: f64,
    pub p1: f64,
    /// Ticks: position in data units and label.
    pub ticks: Vec<(f64, String)>,
}

impl Scale {
    /// Position of a data value (not clamped).
    pub fn at(&self, v: f64) -> f64 {
        self.p0 + (v - self.lo) / (self.hi - self.lo) * (self.p1 - self.p0)
    }

    /// A linear scale covering `[lo, hi]` (widened to round numbers when `round`), with about
    /// `n` ticks.
    pub fn linear(lo: f64, hi: f64, p0: f64, p1: f64, n: usize, round: bool) -> Scale {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5 * lo.abs().max(1.0), hi + 0.5 * hi.abs().max(1.0))
        };
        let step = nice_step((hi - lo) / n.max(1) as f64);
        let (lo, hi) = if round {
            ((lo / step).floor() * step, (hi / step).ceil() * step)
        } else {
            (lo, hi)
        };
        let decimals = (0..8)
            .find(|&d| {
                let x = step * 10f64.powi(d as i32);
                (x - x.round()).abs() < 1e-9 * x.max(1.0)
            })
            .unwrap_or(8);
        let mut ticks = Vec::new();
        let mut v = (lo / step).ceil() * step;
        while v <= hi + step * 1e-9 {
            let t = if v.abs() < step * 1e-9 { 0.0 } else { v };
            ticks.push((t, format::fixed_revman(t, decimals)));
            v += step;
        }
        Scale {
            lo,
            hi,
            p0,
            p1,
            ticks,
        }
    }

    /// An effect axis in analysis units: ratio ticks at their logarithms for log-scale
    /// measures, round ticks otherwise. `[lo, hi]` is padded by 4%.
    pub fn effect(measure: Measure, lo: f64, hi: f64, p0: f64, p1: f64) -> Scale {
        let pad = if hi > lo { (hi - lo) * 0.04 } else { 0.1 };
        let (lo, hi) = (lo - pad, hi + pad);
        if !measure.is_ratio() {
            return Scale::linear(lo, hi, p0, p1, 5, false);
        }
        let (a, b) = (lo.exp(), hi.exp());
        // The finest of these mantissa sets that gives at most 7 ticks: a range that ends
        // between 1 and 2 (BCG's risk ratios, 0.15–1.6) still gets a tick above 1 (1.5).
        const MANTISSAS: [&[f64]; 5] = [
            &[1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0],
            &[1.0, 1.5, 2.0, 3.0, 5.0, 7.0],
            &[1.0, 2.0, 3.0, 5.0],
            &[1.0, 2.0, 5.0],
            &[1.0],
        ];
        let in_range = |ms: &[f64]| -> Vec<f64> {
            (-6..=6)
                .flat_map(|e| ms.iter().map(move |m| m * 10f64.powi(e)))
                .filter(|v| *v >= a && *v <= b)
                .collect()
        };
        let mut values = MANTISSAS
            .iter()
            .map(|ms| in_range(ms))
            .find(|v| v.len() <= 7)
            .unwrap_or_else(|| in_range(&[1.0]));
        while values.len() > 7 {
            values = values.iter().step_by(2).copied().collect();
        }
        if values.len() < 3 {
            // A narrow range: finer steps.
            values = (1..=40)
                .map(|i| i as f64 * 0.1)
                .chain([5.0, 6.0, 8.0, 10.0])
                .filter(|v| *v >= a && *v <= b)
                .collect();
            while values.len() > 7 {
                values = values.iter().step_by(2).copied().collect();
            }
        }
        let ticks = values
            .into_iter()
            .map(|v| {
                let label = format!("{}", (v * 1e6).round() / 1e6);
                (v.ln(), label)
            })
            .collect();
        Scale {
            lo,
            hi,
            p0,
            p1,
            ticks,
        }
    }
}

/// The axis title of an effect axis, in sentence case as every figure's axis titles are
/// ("Risk ratio (log scale)", "Pooled risk ratio"); RevMan's title case ("Risk Ratio") is kept
/// for the forest plots' column headings, which follow RevMan's.
pub fn effect_title(measure: Measure) -> String {
    match measure {
        m if m.is_ratio() => format!("{} (log scale)", measure_title(m)),
        Measure::ZCOR => "Fisher’s z".into(),
        m => measure_title(m),
    }
}

/// The measure's name as the start of a title: "Risk ratio", "Standardised mean difference".
pub fn measure_title(measure: Measure) -> String {
    crate::report::format::upper_first(measure.name())
}

/// The frame of a scatter-type figure: the plot area's box (`xs` across, `ys` upwards), with
/// the ticks of `xs` below it and those of `ys` to its left, labelled at `size` points.
pub fn draw_frame(f: &mut Figure, xs: &Scale, ys: &Scale, size: f64) {
    let (x0, x1, y0, y1) = (xs.p0, xs.p1, ys.p1, ys.p0);
    f.box_(x0, y0, x1, y1, None, INK, 0.6);
    for (v, t) in &xs.ticks {
        let x = xs.at(*v);
        f.line(x, y1, x, y1 + 3.0, 0.6, INK);
        f.text(x, y1 + 3.0 + size, t, Font::regular(size), Align::Center);
    }
    for (v, t) in &ys.ticks {
        let y = ys.at(*v);
        f.line(x0 - 3.0, y, x0, y, 0.6, INK);
        f.text(
            x0 - 5.0,
            y + size * 0.35,
            t,
            Font::regular(size),
            Align::Right,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_ticks_reach_above_one() {
        // BCG's risk ratios in the bubble plot: 0.15 to 1.6 (issue 16: no tick above 1).
        let s = Scale::effect(Measure::RR, 0.15f64.ln(), 1.6f64.ln(), 0.0, 100.0);
        let labels: Vec<&str> = s.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["0.15", "0.2", "0.3", "0.5", "0.7", "1", "1.5"]);
        // Several decades: 1–2–5 would give 9 ticks, so decades only.
        let s = Scale::effect(Measure::OR, 0.05f64.ln(), 20f64.ln(), 0.0, 100.0);
        let labels: Vec<&str> = s.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["0.1", "1", "10"]);
    }

    #[test]
    fn linear_ticks_are_round() {
        let s = Scale::linear(13.0, 55.0, 0.0, 100.0, 5, true);
        let labels: Vec<&str> = s.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["10", "20", "30", "40", "50", "60"]);
        assert_eq!((s.lo, s.hi), (10.0, 60.0));
    }

    #[test]
    fn ratio_ticks_sit_at_their_logarithms() {
        let s = Scale::effect(Measure::RR, (0.2f64).ln(), (1.6f64).ln(), 0.0, 100.0);
        assert!(s.ticks.iter().any(|t| t.1 == "1" && t.0 == 0.0));
        assert!(s.ticks.iter().any(|t| t.1 == "0.5"));
    }
}
