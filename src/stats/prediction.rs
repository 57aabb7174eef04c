//! Prediction intervals for the effect in a new study.
//!
//! - metafor (`predict.rma`): β̂ ± c·√(se² + τ²), c the normal quantile, or t with k − 1 df
//!   under HKSJ.
//! - Higgins, Thompson & Spiegelhalter (2009): β̂ ± t_{k−2}·√(se² + τ²), defined for k ≥ 3.

use serde::{Deserialize, Serialize};

use super::dist;
use super::fit::ModelFit;

/// Which prediction interval the report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PredictionKind {
    /// metafor's: normal quantile (t with k − 1 df under HKSJ).
    Metafor,
    /// Higgins, Thompson & Spiegelhalter (2009): t with k − 2 df.
    HigginsT,
    /// None: both intervals are still computed (results.json), but none is shown.
    None,
}

/// A prediction interval on the analysis scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictionInterval {
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
    /// The reference distribution: "normal" or "t(df)".
    pub distribution: String,
}

/// metafor's prediction interval.
pub fn metafor(fit: &ModelFit, level: f64) -> PredictionInterval {
    let c = fit.pooled();
    let (crit, distribution) = match fit.df {
        Some(df) => (dist::t_crit(level, df), format!("t({df})")),
        None => (dist::z_crit(level), "normal".to_string()),
    };
    let half = crit * (c.se * c.se + fit.tau2_value()).sqrt();
    PredictionInterval {
        lower: c.estimate - half,
        upper: c.estimate + half,
        distribution,
    }
}

/// The Higgins–Thompson–Spiegelhalter interval; `None` when k < 3.
pub fn higgins_t(fit: &ModelFit, level: f64) -> Option<PredictionInterval> {
    if fit.k < 3 {
        return None;
    }
    let c = fit.pooled();
    let df = (fit.k - 2) as f64;
    let half = dist::t_crit(level, df) * (c.se * c.se + fit.tau2_value()).sqrt();
    Some(PredictionInterval {
        lower: c.estimate - half,
        upper: c.estimate + half,
        distribution: format!("t({df})"),
    })
}
