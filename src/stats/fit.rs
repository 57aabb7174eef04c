//! Inverse-variance fixed- and random-effects models (metafor's `rma.uni`): the pooled
//! estimate, its Wald-z or Hartung–Knapp–Sidik–Jonkman test, and Cochran's Q, I² and H².
//!
//! - weights wᵢ = 1/(vᵢ + τ²) (τ² = 0 for the fixed-effect model); β̂ = (X'WX)⁻¹X'Wy
//! - Wald: se = √diag((X'WX)⁻¹), z = β̂/se, CI β̂ ± z₀.₉₇₅·se
//! - HKSJ (Hartung & Knapp 2001; Sidik & Jonkman 2002): se scaled by √s², s² = Σwᵢrᵢ²/(k − p),
//!   t with k − p df (no truncation of s², as metafor's default)
//! - Q = Σ(1/vᵢ)(yᵢ − ŷᵢ)² with df = k − p (Cochran 1954)
//! - I²: fixed effect (Q − df)/Q; random effects τ²/(τ² + s̃²), s̃² = (k − p)/tr(P) the "typical"
//!   within-study variance (Higgins & Thompson 2002); H² = Q/df or (τ² + s̃²)/s̃²

use serde::{Deserialize, Serialize};

use super::dist;
use super::regression::{Design, wls};
use super::tau2::{self, Control, Tau2Error, Tau2Estimate, Tau2Method};

/// Fixed (common) effect or random effects with a τ² estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "effects", content = "tau2_method", rename_all = "snake_case")]
pub enum Effects {
    /// Fixed (common) effect: τ² = 0.
    Fixed,
    /// Random effects, τ² estimated by the given method.
    Random(Tau2Method),
}

/// How the pooled estimate is tested and its interval formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CiMethod {
    /// Wald-type z test and interval.
    Z,
    /// Hartung–Knapp–Sidik–Jonkman: t with k − 1 df and a rescaled standard error.
    Hksj,
}

/// One model coefficient with its test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coefficient {
    /// The estimate (analysis scale).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// z or t statistic.
    pub statistic: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Lower confidence limit.
    pub ci_lower: f64,
    /// Upper confidence limit.
    pub ci_upper: f64,
}

/// A fitted inverse-variance model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelFit {
    /// Number of studies.
    pub k: usize,
    /// The coefficients (one for a plain meta-analysis).
    pub coefficients: Vec<Coefficient>,
    /// Degrees of freedom of the t tests (HKSJ), or `None` for z tests.
    pub df: Option<f64>,
    /// The τ² estimate (None for the fixed-effect model).
    pub tau2: Option<Tau2Estimate>,
    /// Cochran's Q (residual heterogeneity).
    pub q: f64,
    /// Its degrees of freedom, k − p.
    pub q_df: usize,
    /// Its p-value.
    pub q_p: f64,
    /// The typical within-study variance s̃².
    pub vt: f64,
    /// I² in percent.
    pub i2: f64,
    /// H².
    pub h2: f64,
    /// The HKSJ scale factor s² (1 under z tests).
    pub s2w: f64,
}

impl ModelFit {
    /// τ² (0 for the fixed-effect model).
    pub fn tau2_value(&self) -> f64 {
        self.tau2.map_or(0.0, |t| t.tau2)
    }

    /// The first coefficient: the pooled effect of an intercept-only model.
    pub fn pooled(&self) -> &Coefficient {
        &self.coefficients[0]
    }
}

/// Fits the model. `y` and `v` must be finite with v > 0 and at least p studies.
pub fn fit(
    y: &[f64],
    v: &[f64],
    design: Design<'_>,
    effects: Effects,
    ci: CiMethod,
    level: f64,
    control: &Control,
) -> Result<ModelFit, Tau2Error> {
    let k = y.len();
    let p = design.p();
    let tau2 = match effects {
        Effects::Fixed => None,
        Effects::Random(method) => Some(tau2::estimate(method, y, v, design, control)?),
    };
    let t2 = tau2.map_or(0.0, |t| t.tau2);
    let s = wls(y, design, |i| 1.0 / (v[i] + t2)).ok_or(Tau2Error::Singular)?;

    // Hartung–Knapp scale factor.
    let (s2w, df) = match ci {
        CiMethod::Hksj if k > p => {
            let s2 = if s.rss <= f64::EPSILON {
                0.0
            } else {
                s.rss / (k - p) as f64
            };
            (s2, Some((k - p) as f64))
        }
        _ => (1.0, None),
    };
    let crit = match df {
        Some(df) => dist::t_crit(level, df),
        None => dist::z_crit(level),
    };
    let coefficients = (0..p)
        .map(|j| {
            let estimate = s.beta[j];
            let se = (s2w * s.xtwx_inv[j * p + j]).sqrt();
            let statistic = estimate / se;
            let pval = match df {
                Some(df) => dist::p_two_sided_t(statistic, df),
                None => dist::p_two_sided_z(statistic),
            };
            Coefficient {
                estimate,
                se,
                statistic,
                p: pval,
                ci_lower: estimate - crit * se,
                ci_upper: estimate + crit * se,
            }
        })
        .collect();

    // Heterogeneity (always with inverse-variance weights 1/v).
    let (q, q_p, vt, i2, h2) = if k > p {
        // The fixed-effect fit's weights are already 1/v (1/(v + 0) is 1/v exactly).
        let s0 = match effects {
            Effects::Fixed => s.clone(),
            Effects::Random(_) => wls(y, design, |i| 1.0 / v[i]).ok_or(Tau2Error::Singular)?,
        };
        let q = s0.rss.max(0.0);
        let df = (k - p) as f64;
        let vt = df / s0.tr_p;
        let (i2, h2) = match effects {
            Effects::Fixed => ((100.0 * (q - df) / q).max(0.0), q / df),
            Effects::Random(_) => (100.0 * t2 / (vt + t2), t2 / vt + 1.0),
        };
        (
            q,
            dist::chisq_sf(q, df),
            vt,
            if i2.is_nan() { 0.0 } else { i2 },
            h2,
        )
    } else {
        (0.0, 1.0, 0.0, 0.0, 1.0)
    };
    Ok(ModelFit {
        k,
        coefficients,
        df,
        tau2,
        q,
        q_df: k - p,
        q_p,
        vt,
        i2,
        h2,
        s2w,
    })
}

/// Fits an intercept-only model: the pooled effect.
pub fn pool(
    y: &[f64],
    v: &[f64],
    effects: Effects,
    ci: CiMethod,
    level: f64,
    control: &Control,
) -> Result<ModelFit, Tau2Error> {
    fit(y, v, Design::Intercept, effects, ci, level, control)
}

/// Each study's weight in percent: 100·wᵢ/Σw with wᵢ = 1/(vᵢ + τ²).
pub fn weights_pct(v: &[f64], tau2: f64) -> Vec<f64> {
    let total: f64 = v.iter().map(|vi| 1.0 / (vi + tau2)).sum();
    v.iter().map(|vi| 100.0 / (vi + tau2) / total).collect()
}
