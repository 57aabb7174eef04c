//! Estimators of the between-study variance τ², one function per estimator.
//!
//! All follow metafor's `rma.uni` (Viechtbauer 2010; 2005 for the ML/REML/EB scoring), work
//! with or without moderators, and are O(k) in time and memory for a fixed number of
//! coefficients. Negative estimates are truncated at 0 and reported as truncated.
//!
//! | code | estimator | reference |
//! |---|---|---|
//! | DL | DerSimonian–Laird (method of moments) | DerSimonian & Laird 1986 |
//! | HE | Hedges (unweighted method of moments) | Hedges & Olkin 1985 |
//! | HS | Hunter–Schmidt | Hunter & Schmidt 2004 |
//! | SJ | Sidik–Jonkman | Sidik & Jonkman 2005 |
//! | PM | Paule–Mandel (generalised Q = k − p) | Paule & Mandel 1982 |
//! | ML | maximum likelihood (Fisher scoring) | Hardy & Thompson 1996 |
//! | REML | restricted maximum likelihood (Fisher scoring) | Viechtbauer 2005 |
//! | EB | empirical Bayes (Morris) | Morris 1983 |

use serde::{Deserialize, Serialize};

use super::regression::{Design, Wls, tr_pv_ols, wls};
use super::root::brent;

/// A τ² estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Tau2Method {
    DL,
    REML,
    PM,
    ML,
    HS,
    SJ,
    HE,
    EB,
}

impl Tau2Method {
    /// Every estimator, in the order they are documented.
    pub const ALL: [Tau2Method; 8] = [
        Tau2Method::DL,
        Tau2Method::REML,
        Tau2Method::PM,
        Tau2Method::ML,
        Tau2Method::HS,
        Tau2Method::SJ,
        Tau2Method::HE,
        Tau2Method::EB,
    ];

    /// The estimator's name as written in a methods section.
    pub fn name(self) -> &'static str {
        match self {
            Tau2Method::DL => "DerSimonian–Laird",
            Tau2Method::REML => "restricted maximum-likelihood",
            Tau2Method::PM => "Paule–Mandel",
            Tau2Method::ML => "maximum-likelihood",
            Tau2Method::HS => "Hunter–Schmidt",
            Tau2Method::SJ => "Sidik–Jonkman",
            Tau2Method::HE => "Hedges",
            Tau2Method::EB => "empirical Bayes",
        }
    }

    /// The short code ("REML").
    pub fn code(self) -> &'static str {
        match self {
            Tau2Method::DL => "DL",
            Tau2Method::REML => "REML",
            Tau2Method::PM => "PM",
            Tau2Method::ML => "ML",
            Tau2Method::HS => "HS",
            Tau2Method::SJ => "SJ",
            Tau2Method::HE => "HE",
            Tau2Method::EB => "EB",
        }
    }
}

/// Convergence settings for the iterative estimators.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Control {
    /// Fisher scoring stops when a step changes τ² by at most `threshold · (1 + τ²)` (or by at
    /// most `threshold`, when `absolute`).
    pub threshold: f64,
    /// Iteration limit for Fisher scoring.
    pub max_iter: usize,
    /// metafor's stopping rule, |Δτ²| ≤ threshold, instead of the relative one.
    pub absolute: bool,
    /// ML and REML: τ² is set to 0 when the log-likelihood there is higher by more than this.
    pub ll0_tol: f64,
}

impl Default for Control {
    fn default() -> Self {
        Control {
            threshold: 1e-12,
            max_iter: 1000,
            absolute: false,
            ll0_tol: 1e-10,
        }
    }
}

impl Control {
    /// metafor's default control (`threshold = 1e-5`, `tol = ε^¼`, `maxiter = 100`), which
    /// metafor 3.8-1's `trimfill()` uses for its refits whatever the model's control was.
    pub fn metafor_default() -> Control {
        Control {
            threshold: 1e-5,
            max_iter: 100,
            absolute: true,
            ll0_tol: f64::EPSILON.powf(0.25),
        }
    }
}

/// An estimate of τ².
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tau2Estimate {
    /// The estimate (≥ 0).
    pub tau2: f64,
    /// The estimator.
    pub method: Tau2Method,
    /// Fisher-scoring iterations, for ML, REML and EB.
    pub iterations: Option<usize>,
    /// True when Fisher scoring did not converge and the estimating equation was solved by
    /// bracketing its root instead (ML, REML, EB): the same estimate, found another way.
    pub bracketed: bool,
    /// True when the untruncated estimate was negative and τ² was set to 0.
    pub truncated: bool,
}

/// Why τ² could not be estimated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Tau2Error {
    /// Fisher scoring did not converge.
    #[error("the {} estimator did not converge in {iterations} iterations", .method.name())]
    NotConverged {
        method: Tau2Method,
        iterations: usize,
    },
    /// The design matrix is not of full rank.
    #[error("the model matrix is not of full rank")]
    Singular,
}

/// Estimates τ² for effects `y` with sampling variances `v` under the given design.
///
/// With k ≤ p there is nothing to estimate and τ² = 0.
pub fn estimate(
    method: Tau2Method,
    y: &[f64],
    v: &[f64],
    design: Design<'_>,
    control: &Control,
) -> Result<Tau2Estimate, Tau2Error> {
    let k = y.len();
    if k <= design.p() {
        return Ok(Tau2Estimate {
            tau2: 0.0,
            method,
            iterations: None,
            bracketed: false,
            truncated: false,
        });
    }
    let mut bracketed = false;
    let (raw, iterations) = match method {
        Tau2Method::DL => (dersimonian_laird(y, v, design)?, None),
        Tau2Method::HE => (hedges(y, v, design)?, None),
        Tau2Method::HS => (hunter_schmidt(y, v, design)?, None),
        Tau2Method::SJ => (sidik_jonkman(y, v, design)?, None),
        Tau2Method::PM => (paule_mandel(y, v, design)?, None),
        Tau2Method::ML | Tau2Method::REML | Tau2Method::EB => {
            match fisher_scoring(method, y, v, design, control) {
                Ok((t, it)) => (t, Some(it)),
                Err(e @ Tau2Error::NotConverged { .. }) => {
                    bracketed = true;
                    (bracket_score_root(method, y, v, design).ok_or(e)?, None)
                }
                Err(e) => return Err(e),
            }
        }
    };
    Ok(Tau2Estimate {
        tau2: raw.max(0.0),
        method,
        iterations,
        bracketed,
        truncated: raw <= 0.0,
    })
}

fn fit_at(y: &[f64], v: &[f64], design: Design<'_>, tau2: f64) -> Result<Wls, Tau2Error> {
    wls(y, design, |i| 1.0 / (v[i] + tau2)).ok_or(Tau2Error::Singular)
}

/// DL: τ² = (Q − (k − p)) / tr(P), with P at weights 1/vᵢ.
pub fn dersimonian_laird(y: &[f64], v: &[f64], design: Design<'_>) -> Result<f64, Tau2Error> {
    let s = fit_at(y, v, design, 0.0)?;
    Ok((s.rss - (y.len() - design.p()) as f64) / s.tr_p)
}

/// HE: τ² = (RSS_OLS − tr(PV)) / (k − p), with the unweighted projection.
pub fn hedges(y: &[f64], v: &[f64], design: Design<'_>) -> Result<f64, Tau2Error> {
    let s = wls(y, design, |_| 1.0).ok_or(Tau2Error::Singular)?;
    let tr_pv = tr_pv_ols(v, design).ok_or(Tau2Error::Singular)?;
    Ok((s.rss - tr_pv) / (y.len() - design.p()) as f64)
}

/// HS: τ² = (Q − k) / Σwᵢ, wᵢ = 1/vᵢ.
pub fn hunter_schmidt(y: &[f64], v: &[f64], design: Design<'_>) -> Result<f64, Tau2Error> {
    let s = fit_at(y, v, design, 0.0)?;
    Ok((s.rss - y.len() as f64) / s.sum_w)
}

/// SJ: τ₀² = Σ(yᵢ − ȳ)²/k, then τ² = τ₀² · Q(τ₀²) / (k − p).
pub fn sidik_jonkman(y: &[f64], v: &[f64], design: Design<'_>) -> Result<f64, Tau2Error> {
    let k = y.len() as f64;
    let mean = y.iter().sum::<f64>() / k;
    let tau2_0 = y.iter().map(|yi| (yi - mean) * (yi - mean)).sum::<f64>() / k;
    if tau2_0 == 0.0 {
        return Ok(0.0);
    }
    let s = fit_at(y, v, design, tau2_0)?;
    Ok(tau2_0 * s.rss / (y.len() - design.p()) as f64)
}

/// The generalised Q statistic Σ wᵢ(τ²)(yᵢ − xᵢ'β̂(τ²))², decreasing in τ².
pub fn generalised_q(
    y: &[f64],
    v: &[f64],
    design: Design<'_>,
    tau2: f64,
) -> Result<f64, Tau2Error> {
    if let Design::Intercept = design {
        // The residual sum of squares alone, with the same operations in the same order as
        // `wls` (bit-identical): the Q-profile search evaluates Q(τ²) dozens of times over
        // every study, and the traces `wls` also sums are not needed here.
        let (mut sw, mut swy) = (0.0, 0.0);
        for (&yi, &vi) in y.iter().zip(v) {
            let wi = 1.0 / (vi + tau2);
            sw += wi;
            swy += wi * yi;
        }
        let mu = swy / sw;
        let mut rss = 0.0;
        for (&yi, &vi) in y.iter().zip(v) {
            let wi = 1.0 / (vi + tau2);
            let r = yi - mu;
            rss += wi * r * r;
        }
        return Ok(rss);
    }
    Ok(fit_at(y, v, design, tau2)?.rss)
}

/// Finds τ² ≥ 0 with Q(τ²) = target, or 0 when Q(0) is already below the target.
pub(crate) fn solve_q(
    y: &[f64],
    v: &[f64],
    design: Design<'_>,
    target: f64,
) -> Result<f64, Tau2Error> {
    let q = |t: f64| generalised_q(y, v, design, t);
    if q(0.0)? < target {
        return Ok(0.0);
    }
    let mut hi = 1.0_f64.max(10.0 * v.iter().cloned().fold(0.0, f64::max));
    let mut tries = 0;
    while q(hi)? > target {
        hi *= 4.0;
        tries += 1;
        if tries > 200 {
            return Err(Tau2Error::Singular);
        }
    }
    let root = brent(
        |t| {
            generalised_q(y, v, design, t)
                .map(|q| q - target)
                .unwrap_or(f64::NAN)
        },
        0.0,
        hi,
        1e-15,
    );
    root.ok_or(Tau2Error::Singular)
}

/// PM: the τ² at which the generalised Q statistic equals its expectation k − p.
pub fn paule_mandel(y: &[f64], v: &[f64], design: Design<'_>) -> Result<f64, Tau2Error> {
    solve_q(y, v, design, (y.len() - design.p()) as f64)
}

/// ML, REML and EB by Fisher scoring from the HE estimate, with step halving at the boundary
/// (metafor's algorithm), followed by metafor's check that the likelihood at τ² = 0 is not
/// higher (ML, REML).
fn fisher_scoring(
    method: Tau2Method,
    y: &[f64],
    v: &[f64],
    design: Design<'_>,
    control: &Control,
) -> Result<(f64, usize), Tau2Error> {
    let k = y.len() as f64;
    let p = design.p() as f64;
    let mut tau2 = hedges(y, v, design)?.max(0.0);
    let mut iterations = 0;
    loop {
        iterations += 1;
        if iterations > control.max_iter {
            return Err(Tau2Error::NotConverged {
                method,
                iterations: control.max_iter,
            });
        }
        let s = fit_at(y, v, design, tau2)?;
        let mut adj = match method {
            Tau2Method::ML => (s.yppy - s.sum_w) / s.sum_w2,
            Tau2Method::REML => (s.yppy - s.tr_p) / s.tr_pp,
            _ => (s.rss * k / (k - p) - k) / s.sum_w,
        };
        if !adj.is_finite() {
            adj = 0.0;
        }
        // Step halving keeps τ² ≥ 0; at τ² = 0 a negative step halves away to nothing.
        if tau2 == 0.0 && adj < 0.0 {
            adj = 0.0;
        }
        while tau2 + adj < 0.0 {
            adj /= 2.0;
        }
        tau2 += adj;
        let scale = if control.absolute { 1.0 } else { 1.0 + tau2 };
        if adj.abs() <= control.threshold * scale {
            break;
        }
    }
    // metafor's check that the likelihood is not higher at τ² = 0 (a local maximum).
    let above = if control.absolute {
        control.threshold
    } else {
        0.0
    };
    if matches!(method, Tau2Method::ML | Tau2Method::REML) && tau2 > above {
        let ll0 = log_likelihood(method, y, v, design, 0.0)?;
        let ll = log_likelihood(method, y, v, design, tau2)?;
        if ll0 - ll > control.ll0_tol {
            tau2 = 0.0;
        }
    }
    Ok((tau2, iterations))
}

/// Solves the estimating equation of ML, REML or EB by bracketing, for when Fisher scoring
/// oscillates (it can, with a few very precise studies among imprecise ones; metafor then stops
/// with "Fisher scoring algorithm did not converge").
///
/// EB's equation, Q(τ²)·k/(k − p) = k, is Paule–Mandel's, Q(τ²) = k − p, whose root is unique.
/// For ML and REML every sign change of the score from + to − on a log grid of τ² is refined
/// with Brent's method, and the root (or τ² = 0) with the highest likelihood is kept.
fn bracket_score_root(method: Tau2Method, y: &[f64], v: &[f64], design: Design<'_>) -> Option<f64> {
    if method == Tau2Method::EB {
        return paule_mandel(y, v, design).ok();
    }
    let score = |t: f64| -> f64 {
        match fit_at(y, v, design, t) {
            Ok(s) if method == Tau2Method::ML => s.yppy - s.sum_w,
            Ok(s) => s.yppy - s.tr_p,
            Err(_) => f64::NAN,
        }
    };
    let ll = |t: f64| log_likelihood(method, y, v, design, t).unwrap_or(f64::NEG_INFINITY);
    let mut hi = 1.0_f64.max(10.0 * v.iter().cloned().fold(0.0, f64::max));
    let mut tries = 0;
    while score(hi) >= 0.0 {
        hi *= 4.0;
        tries += 1;
        if tries > 200 {
            return None;
        }
    }
    // Grid 0, hi·2⁻⁶⁰, …, hi/2, hi.
    let mut grid = vec![0.0];
    grid.extend((0..=60).rev().map(|j| hi / 2f64.powi(j)));
    let mut best = (ll(0.0), 0.0);
    for pair in grid.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (fa, fb) = (score(a), score(b));
        if fa > 0.0 && fb <= 0.0 {
            let root = brent(&score, a, b, 1e-15)?;
            let l = ll(root);
            if l > best.0 {
                best = (l, root);
            }
        }
    }
    best.0.is_finite().then_some(best.1)
}

/// The ML or REML log-likelihood at τ² (up to a constant that does not depend on τ²).
pub fn log_likelihood(
    method: Tau2Method,
    y: &[f64],
    v: &[f64],
    design: Design<'_>,
    tau2: f64,
) -> Result<f64, Tau2Error> {
    let s = fit_at(y, v, design, tau2)?;
    let log_det_v: f64 = v.iter().map(|vi| (vi + tau2).ln()).sum();
    let mut ll = -0.5 * log_det_v - 0.5 * s.rss;
    if method == Tau2Method::REML {
        // log det(X'WX) = −log det((X'WX)⁻¹); the inverse is p×p.
        ll -= 0.5 * log_det(&s.xtwx_inv, design.p()).map(|d| -d).unwrap_or(0.0);
    }
    Ok(ll)
}

fn log_det(m: &[f64], p: usize) -> Option<f64> {
    // Cholesky log-determinant of a small SPD matrix.
    let mut l = vec![0.0; p * p];
    let mut ld = 0.0;
    for i in 0..p {
        for j in 0..=i {
            let s: f64 = (0..j).map(|q| l[i * p + q] * l[j * p + q]).sum();
            if i == j {
                let d = m[i * p + i] - s;
                if d <= 0.0 {
                    return None;
                }
                l[i * p + i] = d.sqrt();
                ld += d.ln();
            } else {
                l[i * p + j] = (m[i * p + j] - s) / l[j * p + j];
            }
        }
    }
    Some(ld)
}
