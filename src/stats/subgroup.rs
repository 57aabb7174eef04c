//! The test for subgroup differences (Borenstein et al. 2009, ch. 19; RevMan): Cochran's Q of
//! the subgroup estimates around their inverse-variance weighted mean,
//! Q_between = Σ (θ̂_g − θ̄)² / se_g², with G − 1 degrees of freedom.

use serde::Serialize;

use super::dist;

/// Test for differences between subgroups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SubgroupDifference {
    /// Q between subgroups.
    pub q: f64,
    /// Degrees of freedom: number of pooled subgroups − 1.
    pub df: usize,
    /// p-value.
    pub p: f64,
}

/// The test from the subgroups' pooled estimates and standard errors; `None` for fewer than 2.
pub fn difference(estimates: &[(f64, f64)]) -> Option<SubgroupDifference> {
    if estimates.len() < 2 {
        return None;
    }
    let sw: f64 = estimates.iter().map(|(_, se)| 1.0 / (se * se)).sum();
    let mean = estimates.iter().map(|(e, se)| e / (se * se)).sum::<f64>() / sw;
    let q: f64 = estimates
        .iter()
        .map(|(e, se)| (e - mean).powi(2) / (se * se))
        .sum();
    let df = estimates.len() - 1;
    Some(SubgroupDifference {
        q,
        df,
        p: dist::chisq_sf(q, df as f64),
    })
}
