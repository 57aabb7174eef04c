//! Small-study effects: Egger's regression test and Begg's rank correlation test.
//!
//! - Egger et al. (1997), classic form: weighted least squares of yᵢ on seᵢ with weights 1/vᵢ
//!   and a multiplicative dispersion; the slope is the bias coefficient (t with k − 2 df) and
//!   the intercept the limit estimate (metafor `regtest(model = "lm")`).
//! - metafor's default `regtest`: a meta-regression on seᵢ under the analysis's own model.
//! - Begg & Mazumdar (1994): Kendall's τ between standardised effects
//!   (yᵢ − θ̂_FE)/√(vᵢ − 1/Σwⱼ) and vᵢ (metafor `ranktest`), exact p without ties (k ≤ 170),
//!   otherwise the normal approximation with the tie-corrected variance (R `cor.test`).

use serde::Serialize;

use super::dist;
use super::fit::{self, CiMethod, Effects};
use super::regression::Design;
use super::tau2::{Control, Tau2Error};

/// Egger's regression test, classic 1997 form.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Egger {
    /// Bias coefficient (slope on the standard error).
    pub bias: f64,
    /// Its standard error.
    pub bias_se: f64,
    /// t statistic.
    pub t: f64,
    /// Degrees of freedom (k − 2).
    pub df: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Limit estimate: the intercept, the effect as the standard error goes to 0.
    pub limit_estimate: f64,
}

/// Egger's test as a meta-regression under the analysis's model (metafor's default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EggerMetaRegression {
    /// z (or t) statistic of the standard-error coefficient.
    pub statistic: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// The coefficient itself.
    pub slope: f64,
}

/// Begg's rank correlation test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Begg {
    /// Kendall's τ (τ-b).
    pub kendall_tau: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// True when the exact null distribution was used.
    pub exact: bool,
}

/// True when every study has the same effect (up to rounding): the regression then fits
/// exactly and its t statistic is 0/0, and the standardised effects have no ranks.
pub fn all_effects_equal(y: &[f64]) -> bool {
    let (lo, hi) = y
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    hi - lo <= 1e-12 * hi.abs().max(lo.abs()).max(1.0)
}

/// Classic Egger test; needs k ≥ 3 and effects that are not all equal.
pub fn egger(y: &[f64], v: &[f64]) -> Option<Egger> {
    let k = y.len();
    if k < 3 || all_effects_equal(y) {
        return None;
    }
    let (mut sw, mut sws, mut swy) = (0.0, 0.0, 0.0);
    for (yi, vi) in y.iter().zip(v) {
        let w = 1.0 / vi;
        sw += w;
        sws += w * vi.sqrt();
        swy += w * yi;
    }
    let (s_bar, y_bar) = (sws / sw, swy / sw);
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (yi, vi) in y.iter().zip(v) {
        let w = 1.0 / vi;
        let sc = vi.sqrt() - s_bar;
        sxx += w * sc * sc;
        sxy += w * sc * (yi - y_bar);
    }
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = y_bar - slope * s_bar;
    let rss: f64 = y
        .iter()
        .zip(v)
        .map(|(yi, vi)| (yi - intercept - slope * vi.sqrt()).powi(2) / vi)
        .sum();
    let df = (k - 2) as f64;
    let sigma2 = rss / df;
    let bias_se = (sigma2 / sxx).sqrt();
    let t = slope / bias_se;
    Some(Egger {
        bias: slope,
        bias_se,
        t,
        df,
        p: dist::p_two_sided_t(t, df),
        limit_estimate: intercept,
    })
}

/// The meta-regression of the effects on their standard errors √vᵢ under the given model
/// (metafor `rma(yi, vi, mods = sqrt(vi))`): the basis of metafor's Egger test and of
/// trim-and-fill's choice of side.
pub fn sei_regression(
    y: &[f64],
    v: &[f64],
    effects: Effects,
    ci: CiMethod,
    level: f64,
    control: &Control,
) -> Result<fit::ModelFit, Tau2Error> {
    let x: Vec<f64> = v.iter().flat_map(|vi| [1.0, vi.sqrt()]).collect();
    fit::fit(
        y,
        v,
        Design::Matrix { p: 2, x: &x },
        effects,
        ci,
        level,
        control,
    )
}

/// Egger's test as a meta-regression on √vᵢ under the given model; needs k ≥ 3.
pub fn egger_meta_regression(
    y: &[f64],
    v: &[f64],
    effects: Effects,
    ci: CiMethod,
    level: f64,
    control: &Control,
) -> Result<Option<EggerMetaRegression>, Tau2Error> {
    if y.len() < 3 {
        return Ok(None);
    }
    let m = sei_regression(y, v, effects, ci, level, control)?;
    let c = m.coefficients[1];
    Ok(Some(EggerMetaRegression {
        statistic: c.statistic,
        p: c.p,
        slope: c.estimate,
    }))
}

/// Begg's rank correlation test; needs k ≥ 3.
pub fn begg(y: &[f64], v: &[f64]) -> Option<Begg> {
    let k = y.len();
    if k < 3 || all_effects_equal(y) {
        return None;
    }
    let sw: f64 = v.iter().map(|vi| 1.0 / vi).sum();
    let theta = y.iter().zip(v).map(|(yi, vi)| yi / vi).sum::<f64>() / sw;
    let vb = 1.0 / sw;
    let ystar: Vec<f64> = y
        .iter()
        .zip(v)
        .map(|(yi, vi)| (yi - theta) / (vi - vb).sqrt())
        .collect();
    let kt = kendall(&ystar, v)?;
    Some(Begg {
        kendall_tau: kt.tau_b,
        p: kt.p,
        exact: kt.exact,
    })
}

/// Kendall's rank correlation with R's `cor.test(method = "kendall", exact = TRUE)` p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kendall {
    /// τ-b.
    pub tau_b: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Whether the exact distribution was used.
    pub exact: bool,
}

/// Kendall's τ-b of x and y with its two-sided p-value; `None` if a variable is constant.
pub fn kendall(x: &[f64], y: &[f64]) -> Option<Kendall> {
    let n = x.len();
    let s = kendall_s(x, y);
    let ties = |z: &[f64]| {
        let mut sorted = z.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut groups = Vec::new();
        let mut i = 0;
        while i < sorted.len() {
            let mut j = i + 1;
            while j < sorted.len() && sorted[j] == sorted[i] {
                j += 1;
            }
            if j - i > 1 {
                groups.push((j - i) as f64);
            }
            i = j;
        }
        groups
    };
    let (tx, ty) = (ties(x), ties(y));
    let nf = n as f64;
    let t0 = nf * (nf - 1.0) / 2.0;
    let t1: f64 = tx.iter().map(|t| t * (t - 1.0) / 2.0).sum();
    let t2: f64 = ty.iter().map(|t| t * (t - 1.0) / 2.0).sum();
    if t0 == t1 || t0 == t2 {
        return None;
    }
    let tau_b = s / ((t0 - t1) * (t0 - t2)).sqrt();
    let has_ties = !tx.is_empty() || !ty.is_empty();
    if !has_ties && n <= 170 {
        // Exact: T = number of concordant pairs, its null distribution the Mahonian numbers.
        let q = ((tau_b + 1.0) * nf * (nf - 1.0) / 4.0).round() as usize;
        let cdf = kendall_null_cdf(n);
        let half = nf * (nf - 1.0) / 4.0;
        let p = if q as f64 > half {
            1.0 - cdf[q - 1]
        } else {
            cdf[q]
        };
        return Some(Kendall {
            tau_b,
            p: (2.0 * p).min(1.0),
            exact: true,
        });
    }
    let v0 = nf * (nf - 1.0) * (2.0 * nf + 5.0);
    let vt: f64 = tx.iter().map(|t| t * (t - 1.0) * (2.0 * t + 5.0)).sum();
    let vu: f64 = ty.iter().map(|t| t * (t - 1.0) * (2.0 * t + 5.0)).sum();
    let v1 = tx.iter().map(|t| t * (t - 1.0)).sum::<f64>()
        * ty.iter().map(|t| t * (t - 1.0)).sum::<f64>();
    let v2 = tx.iter().map(|t| t * (t - 1.0) * (t - 2.0)).sum::<f64>()
        * ty.iter().map(|t| t * (t - 1.0) * (t - 2.0)).sum::<f64>();
    let var_s = (v0 - vt - vu) / 18.0
        + v1 / (2.0 * nf * (nf - 1.0))
        + v2 / (9.0 * nf * (nf - 1.0) * (nf - 2.0));
    let z = tau_b * ((t0 - t1) * (t0 - t2)).sqrt() / var_s.sqrt();
    Some(Kendall {
        tau_b,
        p: dist::p_two_sided_z(z),
        exact: false,
    })
}

/// S = concordant − discordant pairs, in O(n log n) (Knight 1966): sort by (x, y), count the
/// ties, then count the discordant pairs as the swaps of a merge sort by y.
pub fn kendall_s(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    let pairs = |len: usize| (len * len.saturating_sub(1) / 2) as f64;
    // Pairs tied in x, and tied in both x and y.
    let (mut tied_x, mut tied_xy) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && x[idx[j]] == x[idx[i]] {
            j += 1;
        }
        tied_x += pairs(j - i);
        let mut a = i;
        while a < j {
            let mut b = a + 1;
            while b < j && y[idx[b]] == y[idx[a]] {
                b += 1;
            }
            tied_xy += pairs(b - a);
            a = b;
        }
        i = j;
    }
    // Discordant pairs: swaps needed to sort the y sequence (ties in y are not swaps).
    let mut ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
    let mut buf = vec![0.0; n];
    let swaps = merge_count(&mut ys, &mut buf);
    // Pairs tied in y (ys is now sorted).
    let mut tied_y = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && ys[j] == ys[i] {
            j += 1;
        }
        tied_y += pairs(j - i);
        i = j;
    }
    pairs(n) - tied_x - tied_y + tied_xy - 2.0 * swaps
}

/// Sorts `v` (stable merge sort) and returns the number of inversions (pairs out of order).
fn merge_count(v: &mut [f64], buf: &mut [f64]) -> f64 {
    let n = v.len();
    if n < 2 {
        return 0.0;
    }
    let mid = n / 2;
    let mut count =
        merge_count(&mut v[..mid], &mut buf[..mid]) + merge_count(&mut v[mid..], &mut buf[mid..]);
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if v[j] < v[i] {
            buf[k] = v[j];
            count += (mid - i) as f64;
            j += 1;
        } else {
            buf[k] = v[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
    k += mid - i;
    buf[k..k + n - j].copy_from_slice(&v[j..n]);
    v.copy_from_slice(&buf[..n]);
    count
}

/// P(T ≤ q) for q = 0..n(n−1)/2, where T counts the concordant pairs of a random permutation
/// of n items (the Mahonian distribution), built as a probability recursion.
fn kendall_null_cdf(n: usize) -> Vec<f64> {
    let mut pmf = vec![1.0];
    for m in 2..=n {
        let len = pmf.len() + m - 1;
        let mut next = vec![0.0; len];
        // next[q] = (1/m) Σ_{j=0}^{m-1} pmf[q - j], via a running window sum.
        let mut window = 0.0;
        for q in 0..len {
            if q < pmf.len() {
                window += pmf[q];
            }
            if q >= m && q - m < pmf.len() {
                window -= pmf[q - m];
            }
            next[q] = window / m as f64;
        }
        pmf = next;
    }
    let mut acc = 0.0;
    pmf.into_iter()
        .map(|p| {
            acc += p;
            acc.min(1.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kendall_null_distribution_of_three_items() {
        // Inversions of the 6 permutations of 3 items: 0,1,1,2,2,3.
        let cdf = kendall_null_cdf(3);
        let expect = [1.0 / 6.0, 3.0 / 6.0, 5.0 / 6.0, 1.0];
        for (a, b) in cdf.iter().zip(expect) {
            assert!((a - b).abs() < 1e-15);
        }
    }

    #[test]
    fn the_fast_count_equals_the_pairwise_count_with_ties() {
        let sign = |d: f64| {
            if d > 0.0 {
                1.0
            } else if d < 0.0 {
                -1.0
            } else {
                0.0
            }
        };
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 7) as f64
        };
        for n in [2, 3, 5, 8, 13, 40, 101] {
            let x: Vec<f64> = (0..n).map(|_| next()).collect();
            let y: Vec<f64> = (0..n).map(|_| next()).collect();
            let brute: f64 = (0..n)
                .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                .map(|(i, j)| sign(x[i] - x[j]) * sign(y[i] - y[j]))
                .sum();
            assert_eq!(kendall_s(&x, &y), brute, "n = {n}");
        }
    }

    #[test]
    fn perfectly_concordant_ranks_have_tau_one() {
        let k = kendall(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0, 8.0, 10.0]).unwrap();
        assert_eq!(k.tau_b, 1.0);
        // Exact: P(T = 10) = 1/120, two-sided 2/120.
        assert!((k.p - 2.0 / 120.0).abs() < 1e-15);
    }
}
