//! Q-profile confidence intervals for τ², I² and H² (Viechtbauer 2007), as metafor's
//! `confint.rma.uni`.
//!
//! The generalised Q statistic Q(τ²) = Σ wᵢ(τ²)(yᵢ − ŷᵢ(τ²))² follows χ²_{k−p}; the interval
//! collects the τ² values with χ²_{0.025} ≤ Q(τ²) ≤ χ²_{0.975}. The search runs over
//! [0, max(100, 10·τ̂²)] as in metafor: a bound beyond the upper limit is reported at the limit
//! (and marked), and when Q(0) is already below χ²_{0.025} both bounds are 0 (the interval is
//! the null set).

use serde::Serialize;

use super::dist;
use super::regression::Design;
use super::root::brent_from;
use super::tau2::{Tau2Error, generalised_q};

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// How a Q-profile bound was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The root of Q(τ²) = critical value.
    Root,
    /// The bound is at 0: Q(0) is below the critical value.
    Zero,
    /// The root lies beyond the search limit; the limit is reported.
    SearchLimit,
}

/// How the intervals of I² and H² are obtained.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum I2Interval {
    /// From the Q-profile interval of τ², as τ²/(τ² + ṽ) (metafor).
    QProfile,
    /// The test-based interval of Higgins & Thompson (2002), for I² computed from Q.
    HigginsThompson,
}

/// Q-profile intervals for τ², I² and H² (I² and H² replaced by the Higgins–Thompson interval
/// when asked for; see `i2_method`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeterogeneityCi {
    /// Interval for τ².
    pub tau2: Interval,
    /// Interval for τ.
    pub tau: Interval,
    /// Interval for I² (percent).
    pub i2: Interval,
    /// Interval for H².
    pub h2: Interval,
    /// How the I² and H² intervals were obtained.
    pub i2_method: I2Interval,
    /// How the lower τ² bound was found.
    pub lower_bound: Bound,
    /// How the upper τ² bound was found.
    pub upper_bound: Bound,
    /// The upper end of the search interval.
    pub search_limit: f64,
}

/// From this many studies on, the two bounds are searched for in parallel.
const PARALLEL_K: usize = 20_000;

/// The Q-profile interval at the given level. `vt` is the typical within-study variance used
/// to turn τ² into I² and H².
pub fn q_profile(
    y: &[f64],
    v: &[f64],
    design: Design<'_>,
    tau2_hat: f64,
    vt: f64,
    level: f64,
) -> Result<HeterogeneityCi, Tau2Error> {
    let df = (y.len() - design.p()) as f64;
    let alpha = 1.0 - level;
    let crit_u = dist::chisq_quantile(1.0 - alpha / 2.0, df);
    let crit_l = dist::chisq_quantile(alpha / 2.0, df);
    let t_min = 0.0_f64.min(tau2_hat);
    let t_max = 100.0_f64.max(10.0 * tau2_hat);
    let q = |t: f64| generalised_q(y, v, design, t);
    let q_min = q(t_min)?;
    let q_max = q(t_max)?;
    // Q at both ends is known: the search starts from those values, not from evaluating them
    // again (the same numbers as `brent`).
    let root = |target: f64| {
        brent_from(
            |t| {
                generalised_q(y, v, design, t)
                    .map(|q| q - target)
                    .unwrap_or(f64::NAN)
            },
            (t_min, q_min - target),
            (t_max, q_max - target),
            1e-15,
        )
        .ok_or(Tau2Error::Singular)
    };

    // Which bounds are roots: the upper where Q(τ²) falls to the lower critical value, the
    // lower where it falls to the upper critical value.
    let upper_is_root = !(q_max > crit_u || q_min < crit_l || q_max > crit_l);
    let lower_is_root = !(q_max > crit_u || q_min < crit_u);
    // Each root is dozens of passes over every study: with many studies the two searches run
    // side by side (the same numbers either way).
    let (upper_root, lower_root) = if upper_is_root && lower_is_root && y.len() >= PARALLEL_K {
        std::thread::scope(|s| {
            let upper = s.spawn(|| root(crit_l));
            let lower = root(crit_u);
            (upper.join().expect("the root search does not panic"), lower)
        })
    } else {
        (
            if upper_is_root { root(crit_l) } else { Ok(0.0) },
            if lower_is_root { root(crit_u) } else { Ok(0.0) },
        )
    };
    let (upper_root, lower_root) = (upper_root?, lower_root?);
    let (upper, upper_bound, lower, lower_bound) = if q_max > crit_u {
        (t_max, Bound::SearchLimit, t_max, Bound::SearchLimit)
    } else {
        let (upper, upper_bound) = if q_min < crit_l {
            (t_min, Bound::Zero)
        } else if q_max > crit_l {
            (t_max, Bound::SearchLimit)
        } else {
            (upper_root, Bound::Root)
        };
        let (lower, lower_bound) = if q_min < crit_u {
            (t_min, Bound::Zero)
        } else {
            (lower_root, Bound::Root)
        };
        (upper, upper_bound, lower, lower_bound)
    };
    let i2 = |t: f64| 100.0 * t / (vt + t);
    let h2 = |t: f64| t / vt + 1.0;
    Ok(HeterogeneityCi {
        tau2: Interval { lower, upper },
        tau: Interval {
            lower: lower.max(0.0).sqrt(),
            upper: upper.max(0.0).sqrt(),
        },
        i2: Interval {
            lower: i2(lower),
            upper: i2(upper),
        },
        h2: Interval {
            lower: h2(lower),
            upper: h2(upper),
        },
        i2_method: I2Interval::QProfile,
        lower_bound,
        upper_bound,
        search_limit: t_max,
    })
}
