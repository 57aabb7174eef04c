//! Baseline characteristics pooled across studies (the seed review's Suppl. Table 3): counts
//! or means per arm summed over the studies that report them, and a test of the difference
//! between arms.
//!
//! - proportions: Pearson's χ² test of the pooled 2×2 table (1 df), optionally with Yates'
//!   continuity correction (R `chisq.test`);
//! - means: the pooled mean and SD of each arm from the studies' means, SDs and sizes (Cochrane
//!   Handbook 6.5.2.10, combining groups), and Welch's t test.

use serde::Serialize;

use super::dist;

/// One study's report of a binary characteristic: participants with it and arm sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountRow {
    pub events_t: f64,
    pub total_t: f64,
    pub events_c: f64,
    pub total_c: f64,
}

/// One study's report of a continuous characteristic per arm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanRow {
    pub mean_t: f64,
    pub sd_t: f64,
    pub n_t: f64,
    pub mean_c: f64,
    pub sd_c: f64,
    pub n_c: f64,
}

/// A pooled binary characteristic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PooledProportion {
    pub events_t: f64,
    pub total_t: f64,
    pub percent_t: f64,
    pub events_c: f64,
    pub total_c: f64,
    pub percent_c: f64,
    /// Pearson χ² (1 df).
    pub chi2: f64,
    pub p: f64,
    /// Studies contributing.
    pub k: usize,
}

/// A pooled continuous characteristic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PooledMean {
    pub mean_t: f64,
    pub sd_t: f64,
    pub n_t: f64,
    pub mean_c: f64,
    pub sd_c: f64,
    pub n_c: f64,
    /// Welch's t.
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    pub p: f64,
    pub k: usize,
}

/// Pools counts and tests the difference in proportions; `None` without data or when a margin
/// of the pooled table is empty.
pub fn pool_proportions(rows: &[CountRow], yates: bool) -> Option<PooledProportion> {
    if rows.is_empty() {
        return None;
    }
    let (a, n1, c, n2) = rows.iter().fold((0.0, 0.0, 0.0, 0.0), |s, r| {
        (
            s.0 + r.events_t,
            s.1 + r.total_t,
            s.2 + r.events_c,
            s.3 + r.total_c,
        )
    });
    let (b, d) = (n1 - a, n2 - c);
    let n = n1 + n2;
    let (r1, r2) = (a + c, b + d);
    if n1 == 0.0 || n2 == 0.0 || r1 == 0.0 || r2 == 0.0 {
        return None;
    }
    let diff = (a * d - b * c).abs();
    let corr = if yates { (n / 2.0).min(diff) } else { 0.0 };
    let chi2 = n * (diff - corr).powi(2) / (n1 * n2 * r1 * r2);
    Some(PooledProportion {
        events_t: a,
        total_t: n1,
        percent_t: 100.0 * a / n1,
        events_c: c,
        total_c: n2,
        percent_c: 100.0 * c / n2,
        chi2,
        p: dist::chisq_sf(chi2, 1.0),
        k: rows.len(),
    })
}

/// Combines groups' means and SDs into one mean and SD (Cochrane Handbook 6.5.2.10).
fn combine(groups: impl Iterator<Item = (f64, f64, f64)>) -> (f64, f64, f64) {
    let (mut n, mut mean, mut ss) = (0.0, 0.0, 0.0);
    for (m, sd, k) in groups {
        if n == 0.0 {
            n = k;
            mean = m;
            ss = (k - 1.0) * sd * sd;
            continue;
        }
        let total = n + k;
        ss += (k - 1.0) * sd * sd + n * k / total * (m - mean).powi(2);
        mean = (n * mean + k * m) / total;
        n = total;
    }
    (mean, (ss / (n - 1.0)).sqrt(), n)
}

/// Pools means per arm and compares them with Welch's t test; `None` without data.
pub fn pool_means(rows: &[MeanRow]) -> Option<PooledMean> {
    if rows.is_empty() {
        return None;
    }
    let (m1, s1, n1) = combine(rows.iter().map(|r| (r.mean_t, r.sd_t, r.n_t)));
    let (m2, s2, n2) = combine(rows.iter().map(|r| (r.mean_c, r.sd_c, r.n_c)));
    let (e1, e2) = (s1 * s1 / n1, s2 * s2 / n2);
    let t = (m1 - m2) / (e1 + e2).sqrt();
    let df = (e1 + e2).powi(2) / (e1 * e1 / (n1 - 1.0) + e2 * e2 / (n2 - 1.0));
    Some(PooledMean {
        mean_t: m1,
        sd_t: s1,
        n_t: n1,
        mean_c: m2,
        sd_c: s2,
        n_c: n2,
        t,
        df,
        p: dist::p_two_sided_t(t, df),
        k: rows.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pearson_chi_square_of_a_known_table() {
        // 2×2 table 10/50 vs 20/50: chi² = 100·(10·30 − 40·20)²/(50·50·30·70) = 4.7619...
        let r = pool_proportions(
            &[CountRow {
                events_t: 10.0,
                total_t: 50.0,
                events_c: 20.0,
                total_c: 50.0,
            }],
            false,
        )
        .unwrap();
        assert!((r.chi2 - 100.0 * 250000.0 / (50.0 * 50.0 * 30.0 * 70.0)).abs() < 1e-12);
    }

    #[test]
    fn combining_one_group_returns_it() {
        let (m, sd, n) = combine([(5.0, 2.0, 10.0)].into_iter());
        assert_eq!((m, sd, n), (5.0, 2.0, 10.0));
    }
}
