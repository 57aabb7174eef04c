//! Trim-and-fill (Duval & Tweedie 2000), L0 estimator, as metafor's `trimfill.rma.uni`.
//!
//! The side to fill is the one opposite the asymmetry: the sign of the slope of a
//! meta-regression on √vᵢ under the analysis's model (negative → fill on the right). The
//! studies are sorted, the k₀ most extreme on the other side are trimmed iteratively until k₀
//! is stable, and their mirror images about the trimmed estimate are added before refitting.

use serde::Serialize;

use super::fit::{self, CiMethod, Effects};
use super::tau2::{Control, Tau2Error};

/// Which side of the funnel the missing studies are imputed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
}

/// The result of trim-and-fill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrimFill {
    /// Estimated number of missing studies (L0).
    pub k0: usize,
    /// The side they were imputed on.
    pub side: Side,
    /// Pooled estimate with the filled studies.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Lower confidence limit.
    pub ci_lower: f64,
    /// Upper confidence limit.
    pub ci_upper: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// τ² with the filled studies (0 under the fixed-effect model).
    pub tau2: f64,
    /// The filled studies' effects (analysis scale).
    pub filled_yi: Vec<f64>,
    /// Their sampling variances.
    pub filled_vi: Vec<f64>,
}

/// Why trim-and-fill has no result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrimFillError {
    #[error(transparent)]
    Fit(#[from] Tau2Error),
    /// The number of missing studies kept changing (metafor stops likewise).
    #[error("the number of missing studies did not settle in {0} iterations")]
    NotConverged(usize),
}

/// Iteration limit of the trimming loop (metafor's `maxiter`).
const MAX_TRIM_ITERATIONS: usize = 100;

/// Runs trim-and-fill; `None` when k < 3. `control` is the analysis's; `refit` governs the
/// fits trim-and-fill makes of its own (the side, the trimmed and the filled data). When no study
/// is missing the result is the analysis's own model, as in metafor.
pub fn trim_and_fill(
    y: &[f64],
    v: &[f64],
    effects: Effects,
    ci: CiMethod,
    level: f64,
    control: &Control,
    refit: &Control,
) -> Result<Option<TrimFill>, TrimFillError> {
    let k = y.len();
    if k < 3 {
        return Ok(None);
    }
    // Side: the sign of the slope on √v.
    let slope = super::bias::sei_regression(y, v, effects, CiMethod::Z, level, refit)?.coefficients
        [1]
    .estimate;
    let side = if slope < 0.0 { Side::Right } else { Side::Left };
    let flip = if side == Side::Right { -1.0 } else { 1.0 };

    // Sort the (flipped) effects increasingly; stable, as R's sort.
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| (flip * y[a]).total_cmp(&(flip * y[b])));
    let ys: Vec<f64> = order.iter().map(|&i| flip * y[i]).collect();
    let vs: Vec<f64> = order.iter().map(|&i| v[i]).collect();

    let mut k0 = 0usize;
    let mut beta;
    let mut iterations = 0;
    loop {
        iterations += 1;
        let m = fit::pool(
            &ys[..k - k0],
            &vs[..k - k0],
            effects,
            CiMethod::Z,
            level,
            refit,
        )?;
        beta = m.pooled().estimate;
        // Signed ranks of |yᵢ − β|, ties by position (R's ties.method = "first").
        let centred: Vec<f64> = ys.iter().map(|yi| yi - beta).collect();
        let mut by_abs: Vec<usize> = (0..k).collect();
        by_abs.sort_by(|&a, &b| centred[a].abs().total_cmp(&centred[b].abs()));
        let mut sr = 0.0;
        for (rank, &i) in by_abs.iter().enumerate() {
            if centred[i] > 0.0 {
                sr += (rank + 1) as f64;
            }
        }
        let kf = k as f64;
        let l0 = (4.0 * sr - kf * (kf + 1.0)) / (2.0 * kf - 1.0);
        let new_k0 = l0.round_ties_even().max(0.0) as usize;
        let new_k0 = new_k0.min(k - 1);
        if new_k0 == k0 {
            break;
        }
        if iterations >= MAX_TRIM_ITERATIONS {
            return Err(TrimFillError::NotConverged(MAX_TRIM_ITERATIONS));
        }
        k0 = new_k0;
    }

    let (filled_yi, filled_vi): (Vec<f64>, Vec<f64>) = if k0 > 0 {
        // Mirror the k0 most extreme studies about the trimmed estimate, on the original scale.
        (k - k0..k)
            .map(|i| (flip * (2.0 * beta - ys[i]), vs[i]))
            .unzip()
    } else {
        (Vec::new(), Vec::new())
    };
    let all_y: Vec<f64> = y.iter().copied().chain(filled_yi.iter().copied()).collect();
    let all_v: Vec<f64> = v.iter().copied().chain(filled_vi.iter().copied()).collect();
    let m = fit::pool(
        &all_y,
        &all_v,
        effects,
        ci,
        level,
        if k0 > 0 { refit } else { control },
    )?;
    let c = m.pooled();
    Ok(Some(TrimFill {
        k0,
        side,
        estimate: c.estimate,
        se: c.se,
        ci_lower: c.ci_lower,
        ci_upper: c.ci_upper,
        p: c.p,
        tau2: m.tau2_value(),
        filled_yi,
        filled_vi,
    }))
}
