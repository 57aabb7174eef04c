//! Peto's one-step odds ratio (Yusuf et al. 1985; metafor's `rma.peto`).
//!
//! With Oᵢ − Eᵢ = aᵢ − (aᵢ + cᵢ)n₁ᵢ/Nᵢ and the hypergeometric variance
//! Vᵢ = (aᵢ + cᵢ)(bᵢ + dᵢ)n₁ᵢn₂ᵢ / (Nᵢ²(Nᵢ − 1)): ln OR = Σ(Oᵢ − Eᵢ)/ΣVᵢ, se = 1/√ΣVᵢ, and
//! Q = Σ(Oᵢ − Eᵢ)²/Vᵢ − (Σ(Oᵢ − Eᵢ))²/ΣVᵢ over the tables with Vᵢ > 0. No continuity
//! correction is used.

use serde::Serialize;

use super::mantel_haenszel::{Table, percent};

/// Peto's pooled log odds ratio and heterogeneity statistic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetoEstimate {
    /// ln OR.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Peto's Q.
    pub q: f64,
    /// Tables with Vᵢ > 0.
    pub k_informative: usize,
    /// Each table's weight (Vᵢ) in percent.
    pub weights_pct: Vec<f64>,
}

/// Pools the tables; `None` when no table has events (or non-events) in both... i.e. ΣV = 0.
pub fn peto(tables: &[Table]) -> Option<PetoEstimate> {
    let (mut sum_oe, mut sum_v, mut sum_oe2_v) = (0.0, 0.0, 0.0);
    let mut k_pos = 0;
    let mut w = Vec::with_capacity(tables.len());
    for t in tables {
        let n = t.n1 + t.n2;
        let xt = t.a + t.c;
        let yt = n - xt;
        let e = xt * t.n1 / n;
        let v = xt * yt * (t.n1 / n) * (t.n2 / n) / (n - 1.0);
        sum_oe += t.a - e;
        sum_v += v;
        if v > 0.0 {
            k_pos += 1;
            sum_oe2_v += (t.a - e) * (t.a - e) / v;
        }
        w.push(v);
    }
    if sum_v <= 0.0 {
        return None;
    }
    let q = (sum_oe2_v - sum_oe * sum_oe / sum_v).max(0.0);
    Some(PetoEstimate {
        estimate: sum_oe / sum_v,
        se: (1.0 / sum_v).sqrt(),
        q,
        k_informative: k_pos,
        weights_pct: percent(w),
    })
}
