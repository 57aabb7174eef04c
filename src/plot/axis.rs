//! Effect axes: the range and ticks of a forest or funnel plot, on a log scale for ratios.

use crate::report::format;
use crate::stats::Measure;

/// A horizontal effect axis mapped onto `[x0, x1]` points.
#[derive(Debug, Clone)]
pub struct Axis {
    pub log: bool,
    /// Limits on the presentation scale.
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub x0: f64,
    pub x1: f64,
}

impl Axis {
    /// Position of a presentation-scale value (not clamped).
    pub fn x(&self, v: f64) -> f64 {
        let t = if self.log {
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        self.x0 + t * (self.x1 - self.x0)
    }

    /// Position of an analysis-scale value.
    pub fn xa(&self, measure: Measure, y: f64) -> f64 {
        self.x(measure.back_transform(y))
    }

    /// Tick label.
    pub fn label(&self, v: f64) -> String {
        if !v.is_finite() || (v != 0.0 && !(1e-4..1e6).contains(&v.abs())) {
            return scientific(v);
        }
        if self.log {
            let s = if v >= 1.0 {
                format!("{v}")
            } else {
                format!("{}", (v * 1e6).round() / 1e6)
            };
            s.trim_end_matches(".0").to_string()
        } else {
            let s = if (v - v.round()).abs() < 1e-9 {
                format!("{}", v.round() as i64)
            } else {
                format!("{}", (v * 1e6).round() / 1e6)
            };
            s.replace('-', &format::MINUS.to_string())
        }
    }
}

/// A number in scientific notation for an axis label ("2.5e−41"), for values too large or too
/// small for decimals.
pub fn scientific(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "–".into()
        } else {
            format!("{v}")
        };
    }
    let s = format!("{v:.1e}").replace(".0e", "e");
    s.replace('-', &format::MINUS.to_string())
}

/// The most ticks an axis gets; tick loops stop there whatever the data.
pub const MAX_TICKS: usize = 24;

/// Multiples of `step` from `lo` to `hi` (each within a relative 1e-9), at most [`MAX_TICKS`]
/// of them; none when the range or step is not a usable finite number or the step is too
/// small to move between them in double precision.
pub fn multiples(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && step.is_finite()) || step <= 0.0 || hi < lo {
        return Vec::new();
    }
    let slack = 1e-9 * step;
    let first = ((lo - slack) / step).ceil();
    let last = ((hi + slack) / step).floor();
    if !(first.is_finite() && last.is_finite())
        || last < first
        || last - first + 1.0 > MAX_TICKS as f64
        || first.abs() > 1e15
        || last.abs() > 1e15
    {
        return Vec::new();
    }
    (first as i64..=last as i64)
        .map(|i| {
            let v = i as f64 * step;
            if v.abs() < step * 1e-9 { 0.0 } else { v }
        })
        .collect()
}

/// Symmetric ratio ranges with their ticks, narrowest first.
const RATIO_RANGES: &[(f64, &[f64])] = &[
    (2.0, &[0.5, 0.7, 1.0, 1.5, 2.0]),
    (5.0, &[0.2, 0.5, 1.0, 2.0, 5.0]),
    (10.0, &[0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]),
    (20.0, &[0.05, 0.2, 1.0, 5.0, 20.0]),
    (50.0, &[0.02, 0.1, 1.0, 10.0, 50.0]),
    (100.0, &[0.01, 0.1, 1.0, 10.0, 100.0]),
    (1000.0, &[0.001, 0.1, 1.0, 10.0, 1000.0]),
];

/// Chooses an axis covering `values` (presentation scale): for ratios the narrowest symmetric
/// range around 1 from [`RATIO_RANGES`] (at most 0.01–100, wider values are clipped with arrows);
/// otherwise a symmetric range around 0 with round ticks. `fixed` limits and ticks win.
pub fn choose(
    measure: Measure,
    values: &[f64],
    fixed: Option<(f64, f64)>,
    ticks: Option<&[f64]>,
    x0: f64,
    x1: f64,
) -> Axis {
    let log = measure.is_ratio();
    let finite: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && (!log || *v > 0.0))
        .collect();
    let (lo, hi, auto_ticks) = match fixed {
        Some((lo, hi)) => (lo, hi, None),
        None if log => {
            let reach = finite.iter().map(|v| v.ln().abs()).fold(0.0, f64::max);
            let (r, t) = RATIO_RANGES
                .iter()
                .find(|(r, _)| r.ln() >= reach * 0.999)
                .copied()
                .unwrap_or(RATIO_RANGES[5]);
            let r = if r > 100.0 && reach < 1000f64.ln() {
                100.0
            } else {
                r
            };
            let t = if r == 100.0 { RATIO_RANGES[5].1 } else { t };
            (1.0 / r, r, Some(t.to_vec()))
        }
        None => {
            let m = finite.iter().map(|v| v.abs()).fold(0.0, f64::max).max(1e-9);
            // Beyond this the axis labels could not tell ticks apart anyway.
            let m = m.min(1e300);
            let step = nice_step(m / 2.0);
            let top = ((m / step).ceil() * step).min(f64::MAX);
            let mut ticks = multiples(-top, top, step);
            if ticks.len() > 7 {
                ticks = multiples(-top, top, 2.0 * step);
            }
            if ticks.is_empty() {
                ticks = vec![-top, 0.0, top];
            }
            (-top, top, Some(ticks))
        }
    };
    let ticks = match ticks {
        Some(t) => t
            .iter()
            .copied()
            .filter(|v| *v >= lo * 0.999 && *v <= hi * 1.001)
            .collect(),
        None => auto_ticks.unwrap_or_else(|| default_ticks(log, lo, hi)),
    };
    Axis {
        log,
        lo,
        hi,
        ticks,
        x0,
        x1,
    }
}

/// The round step (1, 2, 2.5, 5 or 10 × a power of ten) at or above `x`; for a value that is
/// not positive and finite, a step of 1.
pub fn nice_step(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    let f = x / p;
    let n = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    n * p
}

fn default_ticks(log: bool, lo: f64, hi: f64) -> Vec<f64> {
    if log {
        let mut t = Vec::new();
        for e in -4..=4 {
            for m in [1.0, 2.0, 5.0] {
                let v = m * 10f64.powi(e);
                if v >= lo * 0.999 && v <= hi * 1.001 {
                    t.push(v);
                }
            }
        }
        if t.len() > 7 {
            t.retain(|v| (v.log10() - v.log10().round()).abs() < 1e-9);
        }
        t
    } else {
        multiples(lo, hi, nice_step((hi - lo) / 4.0))
    }
}
