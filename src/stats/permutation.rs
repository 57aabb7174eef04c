//! The permutation test of a meta-regression, as metafor's `permutest` (Higgins & Thompson
//! 2004; Viechtbauer et al. 2015).
//!
//! The rows of the model matrix are permuted over the studies (effects and variances stay),
//! the model is refitted, and each test statistic of the observed data is compared with its
//! permutation distribution: p = #{permutations with statistic ≥ observed − tol} / #permutations
//! for QM, and with |z| (or |t|) for each coefficient; tol = √ε as metafor. When all distinct
//! permutations (k!/∏nᵍ! for groups of identical rows) are no more than the permutations asked
//! for, every one is used: an exact test. Otherwise random permutations from the seeded
//! generator in `rng.rs` are used, the observed data counting as the first (so p ≥ 1/iterations).
//! A permutation whose model cannot be fitted is left out of an exact test and replaced by
//! another random one, as metafor.

use super::fit::{self, CiMethod, Effects};
use super::meta_regression::{ModelMatrix, PermutationOptions, PermutationTest, omnibus};
use super::regression::{Design, wls};
use super::rng::Rng;
use super::tau2::Control;

/// The most work a permutation test may ask for: permutations × studies.
pub const MAX_WORK: u64 = 100_000_000;

/// metafor's comparison tolerance (`comptol = .Machine$double.eps^0.5`).
const COMPTOL: f64 = 1.490_116_119_384_765_6e-8;

/// |z| of each coefficient and QM (or F) of one fit; `None` when the model cannot be fitted.
fn statistics(
    y: &[f64],
    v: &[f64],
    p: usize,
    x: &[f64],
    effects: Effects,
    test: CiMethod,
    control: &Control,
) -> Option<(Vec<f64>, f64)> {
    let design = Design::Matrix { p, x };
    let f = fit::fit(y, v, design, effects, test, 0.95, control).ok()?;
    let t2 = f.tau2_value();
    let s = wls(y, design, |i| 1.0 / (v[i] + t2))?;
    let vcov: Vec<f64> = s.xtwx_inv.iter().map(|a| a * f.s2w).collect();
    let beta: Vec<f64> = f.coefficients.iter().map(|c| c.estimate).collect();
    let qm = omnibus(&beta, &vcov, p, f.df).statistic;
    let z: Vec<f64> = f.coefficients.iter().map(|c| c.statistic.abs()).collect();
    (qm.is_finite() && z.iter().all(|z| z.is_finite())).then_some((z, qm))
}

/// Number of distinct permutations of a multiset with group sizes `counts`, or `None` when it
/// exceeds `cap`.
fn distinct_permutations(counts: &[usize], cap: u128) -> Option<u128> {
    // Product of binomials C(n₁+…+nᵢ, nᵢ), each step exact in integers.
    let mut total: u128 = 1;
    let mut n = 0u128;
    for &c in counts {
        for j in 1..=c as u128 {
            n += 1;
            total = total.checked_mul(n)? / j;
            if total > cap {
                return None;
            }
        }
    }
    Some(total)
}

/// The next lexicographic permutation in place; false after the last one.
fn next_permutation(a: &mut [usize]) -> bool {
    let Some(i) = (1..a.len()).rev().find(|&i| a[i - 1] < a[i]) else {
        return false;
    };
    let j = (i..a.len())
        .rev()
        .find(|&j| a[j] > a[i - 1])
        .expect("exists");
    a.swap(i - 1, j);
    a[i..].reverse();
    true
}

/// Runs the permutation test; `observed` are the |z| of the coefficients and QM of the model
/// as fitted.
#[allow(clippy::too_many_arguments)]
pub fn permutation_test(
    y: &[f64],
    v: &[f64],
    mm: &ModelMatrix,
    effects: Effects,
    test: CiMethod,
    control: &Control,
    observed: (&[f64], f64),
    opts: PermutationOptions,
) -> PermutationTest {
    let (k, p) = (y.len(), mm.p);
    let row = |i: usize| &mm.x[i * p..(i + 1) * p];
    // Groups of identical rows.
    let mut order: Vec<usize> = (0..k).collect();
    let cmp = |a: &usize, b: &usize| {
        row(*a)
            .iter()
            .zip(row(*b))
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    };
    order.sort_by(cmp);
    let mut group_rep: Vec<usize> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    let mut labels = Vec::with_capacity(k);
    for (n, &i) in order.iter().enumerate() {
        if n == 0 || cmp(&order[n - 1], &i).is_ne() {
            group_rep.push(i);
            counts.push(0);
        }
        *counts.last_mut().expect("pushed") += 1;
        labels.push(group_rep.len() - 1);
    }
    let exact = distinct_permutations(&counts, opts.iterations as u128);

    let mut t = Tally {
        observed,
        qm_hits: 0,
        z_hits: vec![0; p],
        fitted: 0,
        failed: 0,
    };
    let mut x = vec![0.0; k * p];
    let seed = match exact {
        Some(_) => {
            loop {
                for (i, &g) in labels.iter().enumerate() {
                    x[i * p..(i + 1) * p].copy_from_slice(row(group_rep[g]));
                }
                t.add(statistics(y, v, p, &x, effects, test, control));
                if !next_permutation(&mut labels) {
                    break;
                }
            }
            None
        }
        None => {
            t.add(Some((observed.0.to_vec(), observed.1)));
            let mut rng = Rng::new(opts.seed);
            let mut idx: Vec<usize> = (0..k).collect();
            // As metafor, a permutation that cannot be fitted is replaced by another (at most
            // as many replacements as permutations asked for).
            let mut attempts = 1;
            while t.fitted < opts.iterations && attempts < 2 * opts.iterations {
                attempts += 1;
                rng.shuffle(&mut idx);
                for (i, &r) in idx.iter().enumerate() {
                    x[i * p..(i + 1) * p].copy_from_slice(row(r));
                }
                t.add(statistics(y, v, p, &x, effects, test, control));
            }
            Some(opts.seed)
        }
    };
    let n = t.fitted.max(1) as f64;
    PermutationTest {
        iterations: t.fitted,
        exact: exact.is_some(),
        seed,
        failed: t.failed,
        qm_p: (t.qm_hits as f64 / n).min(1.0),
        coefficient_p: t.z_hits.iter().map(|h| (*h as f64 / n).min(1.0)).collect(),
    }
}

/// Counts of permutation statistics at least as extreme as the observed ones.
struct Tally<'a> {
    observed: (&'a [f64], f64),
    qm_hits: usize,
    z_hits: Vec<usize>,
    fitted: usize,
    failed: usize,
}

impl Tally<'_> {
    fn add(&mut self, stats: Option<(Vec<f64>, f64)>) {
        match stats {
            Some((z, qm)) => {
                self.fitted += 1;
                if qm >= self.observed.1 - COMPTOL {
                    self.qm_hits += 1;
                }
                for (hits, (z, obs)) in self.z_hits.iter_mut().zip(z.iter().zip(self.observed.0)) {
                    if *z >= obs - COMPTOL {
                        *hits += 1;
                    }
                }
            }
            None => self.failed += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_permutations_of_a_multiset() {
        assert_eq!(distinct_permutations(&[1, 1, 1], 1000), Some(6));
        assert_eq!(distinct_permutations(&[2, 2], 1000), Some(6));
        assert_eq!(distinct_permutations(&[4, 4], 1000), Some(70));
        assert_eq!(distinct_permutations(&[1; 20], 1_000_000), None);
    }

    #[test]
    fn enumerates_each_distinct_permutation_once() {
        let mut a = vec![0, 0, 1, 1, 2];
        let mut n = 1;
        while next_permutation(&mut a) {
            n += 1;
        }
        assert_eq!(n, 30);
    }
}
