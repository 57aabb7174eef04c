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
/// otherwise a symmetric range around 0 with round ticks (±1 when every value is 0 or none is
/// finite). A forest plot passes the values of [`forest_extent`]. `fixed` limits and ticks win.
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
        None if measure.single_group() && !finite.is_empty() => {
            single_group_range(measure, &finite)
        }
        None => {
            // All values 0 (or none finite) would give no range at all: ±1 then; beyond 1e300
            // the ticks would overflow.
            let m = finite.iter().map(|v| v.abs()).fold(0.0, f64::max);
            let m = if m > 0.0 { m.min(1e300) } else { 1.0 };
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

/// The axis of a single-group measure (no null to centre on): from the smallest to the
/// largest value at round steps, within [0, 1] for proportions and from 0 for rates.
fn single_group_range(measure: Measure, finite: &[f64]) -> (f64, f64, Option<Vec<f64>>) {
    let mut lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if measure != Measure::MN {
        lo = lo.max(0.0);
    }
    if measure.is_proportion() {
        // 1, or `per` when proportions are shown per 100 or per 1,000.
        hi = hi.min(Measure::PR.back_transform(1.0));
    }
    if hi <= lo {
        (lo, hi) = (lo - 0.5, hi + 0.5);
    }
    let mut step = nice_step((hi - lo) / 4.0);
    let (mut a, mut b) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    if (b - a) / step > 6.0 {
        step *= 2.0;
        (a, b) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    }
    (a, b, Some(multiples(a, b, step)))
}

/// Studies whose interval may run off the axis (arrows) when an outlier would stretch it: one
/// in ten, and one of fewer than ten studies (none of three or fewer).
fn clippable(k: usize) -> usize {
    if k >= 4 { (k / 10).max(1) } else { 0 }
}

/// How far past the reach of the other studies an interval must reach to count as an outlier
/// that the axis leaves off (on the analysis scale: log for ratios).
const OUTLIER_REACH: f64 = 1.5;

/// The values a forest plot's axis must show (presentation scale), for [`choose`]: every value
/// of `pooled` (the pooled estimates' intervals) and the study `intervals` except outlying
/// ones. The reach of an interval is how far its farther end lies from the null (on the log
/// scale for ratios); when the widest [`clippable`] intervals reach more than
/// [`OUTLIER_REACH`] times as far as the rest, they are left out: drawn with arrows at the
/// axis ends, as RevMan does with intervals beyond its scale, instead of squeezing every
/// other interval (one study with an SMD of 9.5 [7.4, 11.6] among 101 between −3 and 5 would
/// otherwise stretch the axis to ±20).
pub fn forest_extent(measure: Measure, pooled: &[f64], intervals: &[(f64, f64)]) -> Vec<f64> {
    let log = measure.is_ratio();
    let reach = |v: f64| -> Option<f64> {
        if !v.is_finite() || (log && v <= 0.0) {
            None
        } else {
            Some(if log { v.ln().abs() } else { v.abs() })
        }
    };
    // The reach of each interval (None when neither end can be shown).
    let reaches: Vec<Option<f64>> = intervals
        .iter()
        .map(|&(lo, hi)| match (reach(lo), reach(hi)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        })
        .collect();
    let mut sorted: Vec<f64> = reaches.iter().flatten().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let k = sorted.len();
    let limit = match (sorted.last(), k.checked_sub(1 + clippable(k))) {
        (Some(&widest), Some(i)) if widest > OUTLIER_REACH * sorted[i] => sorted[i],
        _ => f64::INFINITY,
    };
    let mut values = pooled.to_vec();
    for (&(lo, hi), r) in intervals.iter().zip(&reaches) {
        if r.is_some_and(|r| r <= limit) {
            values.extend([lo, hi]);
        }
    }
    values
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

#[cfg(test)]
mod tests {
    use super::*;

    fn axis_of(measure: Measure, pooled: &[f64], intervals: &[(f64, f64)]) -> Axis {
        let v = forest_extent(measure, pooled, intervals);
        choose(measure, &v, None, None, 0.0, 100.0)
    }

    #[test]
    fn one_outlying_difference_does_not_stretch_the_axis() {
        // 30 intervals within ±3.5, one at 9.5 [7.4, 11.6]: ±4, not ±20.
        let mut iv: Vec<(f64, f64)> = (0..30).map(|i| (-1.0 + 0.05 * i as f64, 3.5)).collect();
        iv.push((7.4, 11.6));
        let ax = axis_of(Measure::SMD, &[1.06, 1.51], &iv);
        assert_eq!((ax.lo, ax.hi), (-4.0, 4.0));
        // The same interval among intervals that reach almost as far is shown whole.
        let mut wide: Vec<(f64, f64)> = (0..30).map(|_| (-1.0, 9.0)).collect();
        wide.push((7.4, 11.6));
        assert!(axis_of(Measure::SMD, &[1.0, 1.5], &wide).hi >= 11.6);
    }

    #[test]
    fn one_outlying_ratio_is_clipped_and_the_pooled_interval_always_shown() {
        let mut iv = vec![(0.5, 2.0), (0.6, 1.8), (0.4, 1.5), (0.7, 3.0)];
        iv.push((20.0, 400.0));
        let ax = axis_of(Measure::OR, &[0.8, 1.2], &iv);
        assert_eq!((ax.lo, ax.hi), (0.2, 5.0));
        // A pooled interval reaching far is never cut.
        let ax = axis_of(Measure::OR, &[0.8, 30.0], &iv);
        assert!(ax.hi >= 30.0);
    }

    #[test]
    fn three_studies_or_fewer_are_all_shown() {
        let ax = axis_of(
            Measure::MD,
            &[0.0, 1.0],
            &[(0.0, 1.0), (0.2, 1.0), (10.0, 30.0)],
        );
        assert!(ax.hi >= 30.0 && ax.lo <= -30.0);
    }

    #[test]
    fn degenerate_values_give_a_sane_axis() {
        for values in [
            vec![],
            vec![0.0, 0.0],
            vec![f64::INFINITY, f64::NAN, f64::NEG_INFINITY],
        ] {
            let ax = choose(Measure::MD, &values, None, None, 0.0, 100.0);
            assert_eq!((ax.lo, ax.hi), (-1.0, 1.0), "{values:?}");
            assert!(ax.ticks.contains(&0.0));
            let ax = choose(Measure::OR, &values, None, None, 0.0, 100.0);
            assert!(ax.lo > 0.0 && ax.lo < 1.0 && ax.hi > 1.0, "{values:?}");
        }
        // Equal intervals, and huge ones: finite limits and ticks.
        for v in [vec![2.0; 8], vec![1e300, -1e300], vec![f64::MAX, -f64::MAX]] {
            let ax = choose(Measure::MD, &v, None, None, 0.0, 100.0);
            assert!(
                ax.lo.is_finite() && ax.hi.is_finite() && ax.lo < ax.hi,
                "{v:?}"
            );
            assert!(!ax.ticks.is_empty() && ax.ticks.len() <= 9, "{v:?}");
        }
        let iv = vec![(f64::NEG_INFINITY, f64::INFINITY); 5];
        let ax = axis_of(Measure::SMD, &[0.1, 0.2], &iv);
        assert!(ax.hi.is_finite() && ax.hi >= 0.2);
    }
}
