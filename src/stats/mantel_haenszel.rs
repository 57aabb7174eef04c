//! Mantel–Haenszel pooling of 2×2 tables (metafor's `rma.mh`).
//!
//! - OR: Σ(aᵢdᵢ/Nᵢ) / Σ(bᵢcᵢ/Nᵢ), variance of ln OR by Robins, Breslow & Greenland (1986)
//! - RR: Σ(aᵢn₂ᵢ/Nᵢ) / Σ(cᵢn₁ᵢ/Nᵢ), variance of ln RR by Greenland & Robins (1985)
//! - RD: Σ(aᵢn₂ᵢ − cᵢn₁ᵢ)/Nᵢ / Σ(n₁ᵢn₂ᵢ/Nᵢ), variance by Sato, Greenland & Robins (1989)
//! - the Cochran–Mantel–Haenszel test for OR, with continuity correction (Cochran's form,
//!   metafor's `CO`)
//!
//! No continuity correction enters the sums (zero cells are harmless there). Heterogeneity is
//! Cochran's Q of the inverse-variance study effects around the MH estimate, computed by the
//! caller.

use serde::Serialize;

use super::measure::Measure;

/// One 2×2 table: events and totals per arm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table {
    pub a: f64,
    pub n1: f64,
    pub c: f64,
    pub n2: f64,
}

impl Table {
    /// No events, or only events, in both arms (see [`super::effect::is_double_zero`]).
    pub fn is_double_zero(&self) -> bool {
        (self.a == 0.0 && self.c == 0.0) || (self.a == self.n1 && self.c == self.n2)
    }
}

/// The Mantel–Haenszel estimate on the analysis scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MhEstimate {
    /// Estimate (log scale for OR and RR).
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Each table's Mantel–Haenszel weight in percent.
    pub weights_pct: Vec<f64>,
}

/// The Cochran–Mantel–Haenszel test (OR only).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CmhTest {
    /// χ² with 1 df (continuity-corrected).
    pub chi2: f64,
    /// p-value.
    pub p: f64,
}

/// Pools the tables; `None` when the estimate does not exist (e.g. no events in one arm of
/// every table).
pub fn mantel_haenszel(measure: Measure, tables: &[Table]) -> Option<MhEstimate> {
    let parts = |t: &Table| {
        let (b, d) = (t.n1 - t.a, t.n2 - t.c);
        (t.a, b, t.c, d, t.n1 + t.n2)
    };
    match measure {
        Measure::OR => {
            let (mut r, mut s, mut pr, mut ps_qr, mut qs) = (0.0, 0.0, 0.0, 0.0, 0.0);
            let mut w = Vec::with_capacity(tables.len());
            for t in tables {
                let (a, b, c, d, n) = parts(t);
                let (pi, qi, ri, si) = ((a + d) / n, (b + c) / n, a * d / n, b * c / n);
                r += ri;
                s += si;
                pr += pi * ri;
                ps_qr += pi * si + qi * ri;
                qs += qi * si;
                w.push(si);
            }
            if r == 0.0 || s == 0.0 {
                return None;
            }
            let var = 0.5 * (pr / (r * r) + ps_qr / (r * s) + qs / (s * s));
            Some(MhEstimate {
                estimate: (r / s).ln(),
                se: var.sqrt(),
                weights_pct: percent(w),
            })
        }
        Measure::RR => {
            let (mut r, mut s, mut num) = (0.0, 0.0, 0.0);
            let mut w = Vec::with_capacity(tables.len());
            for t in tables {
                let (a, _, c, _, n) = parts(t);
                r += a * t.n2 / n;
                s += c * t.n1 / n;
                num += (t.n1 / n) * (t.n2 / n) * (a + c) - (a / n) * c;
                w.push(c * t.n1 / n);
            }
            if r == 0.0 || s == 0.0 {
                return None;
            }
            Some(MhEstimate {
                estimate: (r / s).ln(),
                se: (num / (r * s)).sqrt(),
                weights_pct: percent(w),
            })
        }
        Measure::RD => {
            let (mut num, mut den, mut v1, mut v2) = (0.0, 0.0, 0.0, 0.0);
            let mut w = Vec::with_capacity(tables.len());
            for t in tables {
                let (a, _, c, _, n) = parts(t);
                let (f1, f2) = (t.n1 / n, t.n2 / n);
                num += a * f2 - c * f1;
                den += t.n1 * f2;
                v1 += c * f1 * f1 - a * f2 * f2 + f1 * f2 * (t.n2 - t.n1) / 2.0;
                v2 += a * (t.n2 - c) / n + c * (t.n1 - a) / n;
                w.push(t.n1 * f2);
            }
            if den == 0.0 {
                return None;
            }
            let est = num / den;
            let var = (est * v1 + v2 / 2.0) / (den * den);
            Some(MhEstimate {
                estimate: est,
                se: var.sqrt(),
                weights_pct: percent(w),
            })
        }
        _ => None,
    }
}

/// Cochran–Mantel–Haenszel χ² for a common OR of 1, with continuity correction 0.5.
pub fn cmh_test(tables: &[Table]) -> Option<CmhTest> {
    let (mut dev, mut var, mut xt_sum, mut yt_sum) = (0.0, 0.0, 0.0, 0.0);
    for t in tables {
        let n = t.n1 + t.n2;
        let xt = t.a + t.c;
        let yt = n - xt;
        xt_sum += xt;
        yt_sum += yt;
        dev += t.a - (t.n1 / n) * xt;
        var += (t.n1 / n) * (t.n2 / n) * (xt * (yt / n));
    }
    if xt_sum == 0.0 || yt_sum == 0.0 {
        return None;
    }
    let chi2 = (dev.abs() - 0.5).powi(2) / var;
    Some(CmhTest {
        chi2,
        p: super::dist::chisq_sf(chi2, 1.0),
    })
}

pub(crate) fn percent(w: Vec<f64>) -> Vec<f64> {
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| 100.0 * x / total).collect()
}
