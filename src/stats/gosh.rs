//! GOSH: the graphical display of study heterogeneity (Olkin, Dahabreh & Trikalinos 2012), as
//! metafor's `gosh()`.
//!
//! The model is fitted to every non-empty subset of the k studies (2ᵏ − 1 of them), or to a
//! random sample of subsets when there are too many; each fit gives a pooled estimate and I².
//! Their joint distribution (a scatter of millions of points in metafor) is summarised here by
//! the mean, standard deviation and quantiles (R's type 7) of each, and by a two-dimensional
//! histogram with its marginal histograms, which is what the figure draws.
//!
//! Per subset, with wᵢ = 1/vᵢ: the fixed-effect estimate Σwᵢyᵢ/Σwᵢ, Q = Σwᵢ(yᵢ − ȳ)²; for the
//! fixed-effect model I² = max(0, (Q − df)/Q); for random effects τ̂² by the analysis's
//! estimator (DerSimonian–Laird in closed form, τ̂² = max(0, (Q − df)/(Σw − Σw²/Σw)); the
//! others by `tau2.rs`), the estimate Σyᵢ/(vᵢ + τ̂²) / Σ1/(vᵢ + τ̂²), and I² = τ̂²/(τ̂² + s̃²)
//! (equal to (Q − df)/Q for DL), or (Q − df)/Q when the analysis takes I² from Q. A subset of
//! one study has I² = 0 and its own effect, as metafor. The cost is O(k) per subset over
//! arrays gathered once; blocks of subsets run on the available threads, each block with its
//! own random stream, so results do not depend on the number of threads.

use serde::Serialize;

use super::fit::Effects;
use super::regression::Design;
use super::rng::Rng;
use super::tau2::{self, Control, Tau2Method};

/// The largest number of subsets fitted (2²² ≈ 4.2 million: all subsets of up to 22 studies).
pub const MAX_SUBSETS: u64 = 1 << 22;

/// The most work a GOSH analysis may ask for: subsets × studies (a billion study-fits, a few
/// seconds under DL), so that a spec cannot ask for hours.
pub const MAX_WORK: u64 = 1_000_000_000;

/// Which subsets are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "subsets", rename_all = "snake_case")]
pub enum GoshSubsets {
    /// Every non-empty subset (needs 2ᵏ − 1 ≤ [`MAX_SUBSETS`]).
    All,
    /// A random sample of subsets (each study in or out with probability ½, the empty set
    /// redrawn), drawn with the seed; all subsets are used when there are no more than `n`.
    Random {
        /// Number of subsets.
        n: u64,
        /// Seed of the random subsets.
        seed: u64,
    },
}

/// The mean, standard deviation and quantiles (R's type 7) of a statistic over the subsets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub mean: f64,
    /// Standard deviation (n − 1 denominator).
    pub sd: f64,
    pub min: f64,
    pub q025: f64,
    pub q25: f64,
    pub median: f64,
    pub q75: f64,
    pub q975: f64,
    pub max: f64,
}

/// A two-dimensional histogram of (estimate, I²) with its marginal histograms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Density {
    /// Range of the estimate (analysis scale) covered by the bins.
    pub x_range: (f64, f64),
    /// Number of bins of the estimate.
    pub x_bins: usize,
    /// Range of I² (percent) covered by the bins.
    pub y_range: (f64, f64),
    /// Number of bins of I².
    pub y_bins: usize,
    /// Counts, row-major by I² bin (from the lowest I²) then estimate bin.
    pub counts: Vec<u32>,
    /// Counts per estimate bin.
    pub x_counts: Vec<u32>,
    /// Counts per I² bin.
    pub y_counts: Vec<u32>,
}

/// The GOSH analysis of a set of studies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gosh {
    /// Studies.
    pub k: usize,
    /// The model fitted to every subset.
    pub effects: Effects,
    /// I² from Q, (Q − df)/Q, instead of from τ² (random effects).
    pub i2_from_q: bool,
    /// True when every subset was fitted.
    pub all: bool,
    /// Subsets fitted (including those whose fit failed).
    pub subsets: u64,
    /// The seed of the random subsets.
    pub seed: Option<u64>,
    /// Subsets whose τ² could not be estimated (left out of the summaries).
    pub failed: u64,
    /// The pooled estimate over the subsets (analysis scale).
    pub estimate: Summary,
    /// I² (percent) over the subsets.
    pub i2: Summary,
    /// The histogram the figure draws.
    pub density: Density,
}

/// Why a GOSH analysis cannot be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GoshError {
    #[error("needs at least 2 studies")]
    TooFewStudies,
    #[error(
        "all subsets of {k} studies are {} models, more than the limit of 4,194,304; ask for a random sample of subsets instead",
        subsets(*.k)
    )]
    TooManySubsets { k: usize },
    #[error(
        "{subsets} subsets of {k} studies are more work than the limit of a billion study-fits; ask for fewer subsets"
    )]
    TooMuchWork { subsets: u64, k: usize },
    #[error("no subset could be fitted")]
    NothingFitted,
}

fn subsets(k: usize) -> String {
    if k < 64 {
        format!("{}", (1u64 << k) - 1)
    } else {
        format!("2^{k} − 1")
    }
}

/// Bins of the density: estimate × I².
const X_BINS: usize = 60;
const Y_BINS: usize = 40;
/// Subsets per block of work (and per random stream).
const BLOCK: usize = 1 << 15;

/// Fits one subset (its effects and variances): the pooled estimate and I² (percent), or
/// `None` when τ² cannot be estimated.
pub fn fit_subset(
    ys: &[f64],
    vs: &[f64],
    effects: Effects,
    i2_from_q: bool,
    control: &Control,
) -> Option<(f64, f64)> {
    let k = ys.len();
    if k == 1 {
        return Some((ys[0], 0.0));
    }
    let (mut sw, mut sw2, mut swy) = (0.0, 0.0, 0.0);
    for (y, v) in ys.iter().zip(vs) {
        let w = 1.0 / v;
        sw += w;
        sw2 += w * w;
        swy += w * y;
    }
    let fe = swy / sw;
    let q: f64 = ys
        .iter()
        .zip(vs)
        .map(|(y, v)| (y - fe) * (y - fe) / v)
        .sum();
    let df = (k - 1) as f64;
    let i2_q = (100.0 * (q - df) / q).max(0.0);
    let i2_q = if i2_q.is_nan() { 0.0 } else { i2_q };
    let tau2 = match effects {
        Effects::Fixed => return Some((fe, i2_q)),
        Effects::Random(Tau2Method::DL) => ((q - df) / (sw - sw2 / sw)).max(0.0),
        Effects::Random(m) => {
            tau2::estimate(m, ys, vs, Design::Intercept, control)
                .ok()?
                .tau2
        }
    };
    if tau2 == 0.0 {
        return Some((fe, if i2_from_q { i2_q } else { 0.0 }));
    }
    let (mut s, mut sy) = (0.0, 0.0);
    for (y, v) in ys.iter().zip(vs) {
        let w = 1.0 / (v + tau2);
        s += w;
        sy += w * y;
    }
    let i2 = if i2_from_q || matches!(effects, Effects::Random(Tau2Method::DL)) {
        i2_q
    } else {
        let vt = df / (sw - sw2 / sw);
        100.0 * tau2 / (vt + tau2)
    };
    Some((sy / s, i2))
}

/// Runs the GOSH analysis.
pub fn gosh(
    y: &[f64],
    v: &[f64],
    effects: Effects,
    i2_from_q: bool,
    control: &Control,
    which: GoshSubsets,
) -> Result<Gosh, GoshError> {
    let k = y.len();
    if k < 2 {
        return Err(GoshError::TooFewStudies);
    }
    let total = if k < 64 { (1u64 << k) - 1 } else { u64::MAX };
    let (all, n, seed) = match which {
        GoshSubsets::All if total <= MAX_SUBSETS => (true, total, None),
        GoshSubsets::All => return Err(GoshError::TooManySubsets { k }),
        GoshSubsets::Random { n, .. } if n >= total => (true, total, None),
        GoshSubsets::Random { n, seed } => (false, n.min(MAX_SUBSETS), Some(seed)),
    };
    if n.saturating_mul(k as u64) > MAX_WORK {
        return Err(GoshError::TooMuchWork { subsets: n, k });
    }
    let n = n as usize;
    let mut est = vec![f64::NAN; n];
    let mut i2 = vec![f64::NAN; n];
    let blocks = n.div_ceil(BLOCK);
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(8)
        .min(blocks)
        .max(1);
    let run_block = |b: usize, est: &mut [f64], i2: &mut [f64]| {
        let mut ys = Vec::with_capacity(k);
        let mut vs = Vec::with_capacity(k);
        let words = k.div_ceil(64);
        let mut mask = vec![0u64; words];
        let mut rng = seed.map(|s| Rng::stream(s, b as u64));
        for j in 0..est.len() {
            match rng.as_mut() {
                None => mask[0] = (b * BLOCK + j + 1) as u64,
                Some(r) => loop {
                    for (w, m) in mask.iter_mut().enumerate() {
                        let bits = k - 64 * w;
                        *m = if bits >= 64 {
                            r.next_u64()
                        } else {
                            r.next_u64() & ((1u64 << bits) - 1)
                        };
                    }
                    if mask.iter().any(|m| *m != 0) {
                        break;
                    }
                },
            }
            ys.clear();
            vs.clear();
            for (w, &m) in mask.iter().enumerate() {
                let mut bits = m;
                while bits != 0 {
                    let i = 64 * w + bits.trailing_zeros() as usize;
                    ys.push(y[i]);
                    vs.push(v[i]);
                    bits &= bits - 1;
                }
            }
            if let Some((e, h)) = fit_subset(&ys, &vs, effects, i2_from_q, control) {
                est[j] = e;
                i2[j] = h;
            }
        }
    };
    if threads == 1 {
        for (b, (e, h)) in est.chunks_mut(BLOCK).zip(i2.chunks_mut(BLOCK)).enumerate() {
            run_block(b, e, h);
        }
    } else {
        // Block b goes to thread b mod threads; every block's result is the same whichever
        // thread runs it.
        type Block<'a> = (usize, &'a mut [f64], &'a mut [f64]);
        let mut work: Vec<Vec<Block<'_>>> = (0..threads).map(|_| Vec::new()).collect();
        for (b, (e, h)) in est.chunks_mut(BLOCK).zip(i2.chunks_mut(BLOCK)).enumerate() {
            work[b % threads].push((b, e, h));
        }
        std::thread::scope(|s| {
            for list in work {
                let run_block = &run_block;
                s.spawn(move || {
                    for (b, e, h) in list {
                        run_block(b, e, h);
                    }
                });
            }
        });
    }
    let failed = est.iter().filter(|e| e.is_nan()).count() as u64;
    let pairs: Vec<(f64, f64)> = est
        .iter()
        .zip(&i2)
        .filter(|(e, _)| !e.is_nan())
        .map(|(e, h)| (*e, *h))
        .collect();
    if pairs.is_empty() {
        return Err(GoshError::NothingFitted);
    }
    drop((est, i2));
    let density = density(&pairs);
    let (mut e, mut h): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
    Ok(Gosh {
        k,
        effects,
        i2_from_q,
        all,
        subsets: n as u64,
        seed,
        failed,
        estimate: summary(&mut e),
        i2: summary(&mut h),
        density,
    })
}

/// Mean, SD and type-7 quantiles; sorts `x`.
fn summary(x: &mut [f64]) -> Summary {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        (x.iter().map(|a| (a - mean) * (a - mean)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    x.sort_unstable_by(f64::total_cmp);
    let q = |p: f64| {
        let h = (n - 1) as f64 * p;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(n - 1);
        x[lo] + (h - lo as f64) * (x[hi] - x[lo])
    };
    Summary {
        mean,
        sd,
        min: x[0],
        q025: q(0.025),
        q25: q(0.25),
        median: q(0.5),
        q75: q(0.75),
        q975: q(0.975),
        max: x[n - 1],
    }
}

fn density(pairs: &[(f64, f64)]) -> Density {
    let (lo, hi) = pairs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    let pad = if hi > lo { (hi - lo) * 0.02 } else { 0.05 };
    let x_range = (lo - pad, hi + pad);
    let top = pairs.iter().fold(0.0f64, |a, p| a.max(p.1));
    let bottom = pairs.iter().fold(100.0f64, |a, p| a.min(p.1));
    let mut y_range = (
        (bottom / 10.0).floor() * 10.0,
        ((top / 10.0).ceil() * 10.0).min(100.0),
    );
    if y_range.1 <= y_range.0 {
        y_range = (y_range.0.min(90.0), y_range.0.min(90.0) + 10.0);
    }
    let bin = |v: f64, (a, b): (f64, f64), n: usize| {
        (((v - a) / (b - a) * n as f64).floor().max(0.0) as usize).min(n - 1)
    };
    let mut counts = vec![0u32; X_BINS * Y_BINS];
    let mut x_counts = vec![0u32; X_BINS];
    let mut y_counts = vec![0u32; Y_BINS];
    for &(e, h) in pairs {
        let (bx, by) = (bin(e, x_range, X_BINS), bin(h, y_range, Y_BINS));
        counts[by * X_BINS + bx] += 1;
        x_counts[bx] += 1;
        y_counts[by] += 1;
    }
    Density {
        x_range,
        x_bins: X_BINS,
        y_range,
        y_bins: Y_BINS,
        counts,
        x_counts,
        y_counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_stated_in_the_message_is_the_limit() {
        assert_eq!(MAX_SUBSETS, 4_194_304);
        assert!(
            GoshError::TooManySubsets { k: 23 }
                .to_string()
                .contains("4,194,304")
        );
    }

    #[test]
    fn quantiles_are_r_type_7() {
        let mut x = vec![4.0, 1.0, 3.0, 2.0];
        let s = summary(&mut x);
        assert_eq!(s.median, 2.5);
        assert!((s.q25 - 1.75).abs() < 1e-15);
        assert!((s.q975 - 3.925).abs() < 1e-12);
        assert!((s.mean - 2.5).abs() < 1e-15);
    }

    #[test]
    fn all_subsets_of_three_studies() {
        let y = [0.1, 0.5, -0.2];
        let v = [0.1, 0.2, 0.1];
        let g = gosh(
            &y,
            &v,
            Effects::Fixed,
            false,
            &Control::default(),
            GoshSubsets::All,
        )
        .unwrap();
        assert_eq!(g.subsets, 7);
        assert!(g.all);
        assert_eq!(g.density.counts.iter().sum::<u32>(), 7);
        assert_eq!(g.estimate.min, -0.2);
        assert_eq!(g.estimate.max, 0.5);
    }

    #[test]
    fn random_subsets_do_not_depend_on_the_blocks_threads_run() {
        let y: Vec<f64> = (0..30).map(|i| (i as f64 * 0.37).sin()).collect();
        let v: Vec<f64> = (0..30).map(|i| 0.05 + (i % 7) as f64 * 0.02).collect();
        let run = || {
            gosh(
                &y,
                &v,
                Effects::Random(Tau2Method::DL),
                false,
                &Control::default(),
                GoshSubsets::Random {
                    n: 3 * BLOCK as u64 + 17,
                    seed: 9,
                },
            )
            .unwrap()
        };
        assert_eq!(run(), run());
    }
}
