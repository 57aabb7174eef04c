//! Standard deviations from what papers report instead (Cochrane Handbook for Systematic
//! Reviews of Interventions, version 6.5, sections 6.5.2.2 and 6.5.2.3).

use crate::stats::dist;

/// SD from the standard error of a mean: SD = SE·√N (Handbook 6.5.2.2).
pub fn sd_from_se(se: f64, n: f64) -> Option<f64> {
    (se.is_finite() && se >= 0.0 && n >= 1.0).then(|| se * n.sqrt())
}

/// SD from a 95% confidence interval of a mean: SD = √N·(upper − lower)/(2·t), with t the
/// 97.5% quantile of Student's t with N − 1 degrees of freedom (Handbook 6.5.2.2: for small
/// samples the t distribution replaces 3.92; for large N the two agree).
pub fn sd_from_ci(lower: f64, upper: f64, n: f64) -> Option<f64> {
    if !(lower.is_finite() && upper.is_finite() && upper >= lower && n >= 2.0) {
        return None;
    }
    let t = dist::t_crit(0.95, n - 1.0);
    Some(n.sqrt() * (upper - lower) / (2.0 * t))
}

/// The pooled SD of two groups from the t statistic of their comparison (Handbook 6.5.2.3):
/// SE(MD) = |M₁ − M₂|/|t|, SD = SE/√(1/N₁ + 1/N₂). Used as the SD of both groups.
pub fn sd_from_t(m1: f64, m2: f64, t: f64, n1: f64, n2: f64) -> Option<f64> {
    if !(m1.is_finite() && m2.is_finite() && t.is_finite() && t != 0.0 && n1 >= 1.0 && n2 >= 1.0) {
        return None;
    }
    let se = (m1 - m2).abs() / t.abs();
    Some(se / (1.0 / n1 + 1.0 / n2).sqrt())
}

/// The t statistic of a two-sided p-value with N₁ + N₂ − 2 degrees of freedom
/// (Handbook 6.5.2.3): |t| = −F⁻¹(p/2).
pub fn t_from_p(p: f64, n1: f64, n2: f64) -> Option<f64> {
    let df = n1 + n2 - 2.0;
    if !(p > 0.0 && p < 1.0 && df >= 1.0) {
        return None;
    }
    Some(-crate::stats::dist::t_quantile(p / 2.0, df))
}

/// The pooled SD of two groups from the two-sided p-value of their t test (Handbook 6.5.2.3).
pub fn sd_from_p(m1: f64, m2: f64, p: f64, n1: f64, n2: f64) -> Option<f64> {
    sd_from_t(m1, m2, t_from_p(p, n1, n2)?, n1, n2)
}
