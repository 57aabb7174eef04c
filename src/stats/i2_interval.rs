//! The test-based confidence interval of H and I² (Higgins & Thompson 2002, §4.1 and
//! Appendix), the companion of I² computed from Q as (Q − df)/Q — RevMan's I² — and the
//! interval R's `meta` package reports.
//!
//! With k = df + 1 studies and H = √(Q/df):
//! SE(ln H) = ½ (ln Q − ln(k − 1)) / (√(2Q) − √(2k − 3))    when Q > k,
//! SE(ln H) = √( 1/(2(k − 2)) · (1 − 1/(3(k − 2)²)) )       otherwise;
//! H's interval is exp(ln H ± z·SE(ln H)), each limit at least 1, and I² = (H² − 1)/H².
//! It needs k ≥ 3.

use super::dist;
use super::qprofile::Interval;

/// The intervals of I² (percent) and H² at `level`; `None` where the method gives none (fewer
/// than two studies, or two studies with Q ≤ 2), as R's `meta`.
pub fn higgins_thompson(q: f64, df: usize, level: f64) -> Option<(Interval, Interval)> {
    let k = df as f64 + 1.0;
    if df < 1 || !q.is_finite() || q < 0.0 || (q <= k && df < 2) {
        return None;
    }
    let h = (q / df as f64).sqrt();
    let se_ln_h = if q > k {
        0.5 * (q.ln() - (k - 1.0).ln()) / ((2.0 * q).sqrt() - (2.0 * k - 3.0).sqrt())
    } else {
        ((1.0 / (2.0 * (k - 2.0))) * (1.0 - 1.0 / (3.0 * (k - 2.0).powi(2)))).sqrt()
    };
    let z = dist::z_crit(level);
    // Q = 0 gives ln H = −∞ and both limits at H = 1.
    let lower = (h.ln() - z * se_ln_h).exp().max(1.0);
    let upper = (h.ln() + z * se_ln_h).exp().max(1.0);
    let i2 = |h: f64| 100.0 * (h * h - 1.0) / (h * h);
    Some((
        Interval {
            lower: i2(lower),
            upper: i2(upper),
        },
        Interval {
            lower: lower * lower,
            upper: upper * upper,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BCG trials (RR, 13 studies): Q = 152.23 on 12 df. By hand: H = √(152.23/12) = 3.5617;
    /// SE(ln H) = ½(ln 152.23 − ln 12)/(√304.46 − √23) = 0.10040; ln H ± 1.96·SE gives H from
    /// 2.926 to 4.337, so I² from 88.3% to 94.7% around I² = (Q − df)/Q = 92.1%.
    #[test]
    fn a_worked_example() {
        let (i2, h2) = higgins_thompson(152.23, 12, 0.95).unwrap();
        assert!((h2.lower.sqrt() - 2.926).abs() < 1e-3, "{h2:?}");
        assert!((h2.upper.sqrt() - 4.337).abs() < 1e-3, "{h2:?}");
        assert!(
            (i2.lower - 88.32).abs() < 0.01 && (i2.upper - 94.68).abs() < 0.01,
            "{i2:?}"
        );
    }

    #[test]
    fn the_interval_holds_the_estimate_and_needs_enough_studies() {
        for df in 1..40 {
            for q in [0.0, 0.3, 1.0, 2.5, 7.0, 30.0, 300.0] {
                let Some((i2, _)) = higgins_thompson(q, df, 0.95) else {
                    assert!(df == 1 && q <= 2.0);
                    continue;
                };
                let est = if q > 0.0 {
                    (100.0 * (q - df as f64) / q).max(0.0)
                } else {
                    0.0
                };
                assert!(
                    i2.lower <= est + 1e-9 && est <= i2.upper + 1e-9,
                    "{q} {df} {i2:?}"
                );
                assert!((0.0..=100.0).contains(&i2.lower) && i2.upper < 100.0);
            }
        }
        assert!(higgins_thompson(3.0, 0, 0.95).is_none());
    }
}
