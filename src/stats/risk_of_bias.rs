//! Counts and shares of risk-of-bias judgements in one domain, unweighted and weighted — the
//! numbers of robvis's summary plot (`rob_summary(..., weighted = TRUE/FALSE)`).
//!
//! For the studies i = 1…k with categories c_i and weights w_i ≥ 0, category j has
//! n_j = #{i : c_i = j}, share n_j / k, weight W_j = Σ_{c_i = j} w_i and weighted share
//! W_j / Σ_i w_i (robvis: ggplot's `geom_bar(aes(weight = Weights), position = "fill")`).
//! A weighted share is absent when the weights add up to zero.

use serde::Serialize;

/// One category's count and share in one domain.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tally {
    /// Studies with this judgement.
    pub n: usize,
    /// n / k.
    pub share: f64,
    /// The weight of those studies, when weights are given.
    pub weight: Option<f64>,
    /// Their share of the total weight, when weights are given and do not add up to zero.
    pub weighted_share: Option<f64>,
}

/// Tallies the categories `cats` (each < `n_cat`) of one domain, optionally weighted
/// (`weights[i]` belongs to `cats[i]`).
pub fn tally(cats: &[usize], n_cat: usize, weights: Option<&[f64]>) -> Vec<Tally> {
    let k = cats.len();
    let mut n = vec![0usize; n_cat];
    let mut w = vec![0.0f64; n_cat];
    for (i, &c) in cats.iter().enumerate() {
        if c < n_cat {
            n[c] += 1;
            if let Some(ws) = weights {
                w[c] += ws.get(i).copied().unwrap_or(0.0);
            }
        }
    }
    let total: f64 = w.iter().sum();
    (0..n_cat)
        .map(|j| Tally {
            n: n[j],
            share: if k == 0 { 0.0 } else { n[j] as f64 / k as f64 },
            weight: weights.map(|_| w[j]),
            weighted_share: weights.and_then(|_| (total > 0.0).then(|| w[j] / total)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unweighted_and_weighted_shares() {
        // Three studies low (weights 10, 20, 30), one high (weight 40).
        let t = tally(&[0, 0, 1, 0], 3, Some(&[10.0, 20.0, 40.0, 30.0]));
        assert_eq!(t[0].n, 3);
        assert_eq!(t[1].n, 1);
        assert_eq!(t[2].n, 0);
        assert!((t[0].share - 0.75).abs() < 1e-15);
        assert!((t[0].weighted_share.unwrap() - 0.6).abs() < 1e-15);
        assert!((t[1].weighted_share.unwrap() - 0.4).abs() < 1e-15);
        assert_eq!(t[2].weighted_share, Some(0.0));
        let u = tally(&[0, 1], 2, None);
        assert_eq!(u[0].weight, None);
        assert_eq!(tally(&[0], 1, Some(&[0.0]))[0].weighted_share, None);
    }
}
