//! Log hazard ratios from what trials of time-to-event outcomes report (Tierney JF, Stewart LA,
//! Ghersi D, Burdett S, Sydes MR. Practical methods for incorporating summary time-to-event
//! data into meta-analysis. Trials 2007;8:16).

use crate::stats::dist;

/// Log HR and its SE from the log-rank O − E and its variance V (Tierney 2007, method 1):
/// ln HR = (O − E)/V, SE = 1/√V.
pub fn from_o_minus_e(o_minus_e: f64, v: f64) -> Option<(f64, f64)> {
    (o_minus_e.is_finite() && v.is_finite() && v > 0.0).then(|| (o_minus_e / v, 1.0 / v.sqrt()))
}

/// Log HR and its SE from a two-sided log-rank p-value, the total number of events and the
/// numbers randomised (Tierney 2007, methods 7 and 8): V = events·R₁R₂/(R₁ + R₂)²,
/// O − E = z·√V with z = Φ⁻¹(1 − p/2), signed as the experimental arm's O − E (Tierney
/// 2007: from which arm had more events than expected; `hr_below_one`: O < E there, so
/// HR < 1), then as [`from_o_minus_e`].
pub fn from_logrank_p(
    p: f64,
    events: f64,
    r1: f64,
    r2: f64,
    hr_below_one: bool,
) -> Option<(f64, f64)> {
    if !(p > 0.0 && p <= 1.0 && events > 0.0 && r1 > 0.0 && r2 > 0.0) {
        return None;
    }
    let v = events * r1 * r2 / ((r1 + r2) * (r1 + r2));
    let z = -dist::norm_quantile(p / 2.0);
    let z = if hr_below_one { -z } else { z };
    from_o_minus_e(z * v.sqrt(), v)
}
