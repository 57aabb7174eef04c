//! The standardised mean difference as RevMan 5 computes it, beside metafor's.
//!
//! RevMan 5 (Deeks & Higgins, "Statistical algorithms in Review Manager 5", 2010, section
//! "Standardised mean difference") uses Hedges' adjusted g with the approximate small-sample
//! correction and its own large-sample variance:
//!
//! g = (m₁ − m₂)/s · (1 − 3/(4N − 9)),  SE(g)² = N/(n₁n₂) + g²/(2(N − 3.94)),
//!
//! with N = n₁ + n₂ and s the pooled SD. metafor's `escalc(measure = "SMD")` (the default here,
//! [`super::effect::hedges_g`]) uses the exact correction Γ(m/2)/(√(m/2)Γ((m−1)/2)),
//! m = N − 2, and the variance 1/n₁ + 1/n₂ + g²/(2N). R's `meta::metacont(sm = "SMD",
//! method.smd = "Hedges", exact.smd = FALSE)` computes RevMan's form.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which formulas give Hedges' g and its variance (`model: smd:`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SmdMethod {
    /// Exact correction and metafor's variance (`escalc(measure = "SMD")`).
    #[default]
    Exact,
    /// RevMan 5: J = 1 − 3/(4N − 9) and SE² = N/(n₁n₂) + g²/(2(N − 3.94)).
    Revman,
}

impl SmdMethod {
    /// True for the default (metafor's exact form).
    pub fn is_exact(&self) -> bool {
        *self == SmdMethod::Exact
    }
}

/// Hedges' g and its variance as RevMan 5 computes them (see the module documentation).
pub fn hedges_g_revman(m1: f64, sd1: f64, n1: f64, m2: f64, sd2: f64, n2: f64) -> (f64, f64) {
    let n = n1 + n2;
    let sdp = (((n1 - 1.0) * sd1 * sd1 + (n2 - 1.0) * sd2 * sd2) / (n - 2.0)).sqrt();
    let g = (m1 - m2) / sdp * (1.0 - 3.0 / (4.0 * n - 9.0));
    (g, n / (n1 * n2) + g * g / (2.0 * (n - 3.94)))
}

#[cfg(test)]
mod tests {
    use super::hedges_g_revman;

    /// The formulas as written: a hand-computed case (N = 20, d = 0.5).
    #[test]
    fn formula() {
        let (g, v) = hedges_g_revman(1.5, 2.0, 10.0, 0.5, 2.0, 10.0);
        let g_expected = 0.5 * (1.0 - 3.0 / 71.0);
        assert!((g - g_expected).abs() < 1e-15);
        assert!((v - (20.0 / 100.0 + g_expected * g_expected / (2.0 * 16.06))).abs() < 1e-15);
    }
}
