//! Influence and outlier diagnostics, as metafor's `influence.rma.uni`, `rstudent` and
//! `baujat` (Viechtbauer & Cheung 2010; Baujat et al. 2002).
//!
//! The model is refitted without each study i in turn (same τ² estimator and test), giving
//! τ̂²₍₋ᵢ₎, QE₍₋ᵢ₎, β̂₍₋ᵢ₎, V₍₋ᵢ₎ and s²₍₋ᵢ₎ (the Knapp–Hartung factor, 1 under z tests). With
//! ŷᵢ = xᵢ'β̂ and ŷᵢ₍₋ᵢ₎ = xᵢ'β̂₍₋ᵢ₎:
//!
//! - externally studentised residual (yᵢ − ŷᵢ₍₋ᵢ₎) / √(s²₍₋ᵢ₎(vᵢ + τ̂²₍₋ᵢ₎) + xᵢ'V₍₋ᵢ₎xᵢ)
//! - DFFITS (ŷᵢ − ŷᵢ₍₋ᵢ₎) / √(s²₍₋ᵢ₎ hᵢ (τ̂²₍₋ᵢ₎ + vᵢ))
//! - Cook's distance (β̂ − β̂₍₋ᵢ₎)'V⁻¹(β̂ − β̂₍₋ᵢ₎)
//! - COVRATIO det V₍₋ᵢ₎ / det V
//! - DFBETAS (β̂ⱼ − β̂ⱼ₍₋ᵢ₎) / √(s²₍₋ᵢ₎ [(X'W₍₋ᵢ₎X)⁻¹]ⱼⱼ), W₍₋ᵢ₎ at τ̂²₍₋ᵢ₎ over all k studies
//! - hat value hᵢ = wᵢ xᵢ'(X'WX)⁻¹xᵢ and weight 100·wᵢ/Σw, wᵢ = 1/(vᵢ + τ̂²)
//! - metafor's rule: a study is influential when |DFFITS| > 3√(p/(k − p)), or the χ²_p
//!   distribution function at Cook's distance exceeds 0.5, or hᵢ > 3p/k, or any |DFBETAS| > 1
//! - Baujat's coordinates: contribution to heterogeneity (yᵢ − ŷᵢ)²/(τ̂² + vᵢ) and influence on
//!   the fitted value (ŷᵢ − ŷᵢ₍₋ᵢ₎)²/(xᵢ'V₍₋ᵢ₎xᵢ)
//!
//! A refit that fails (its τ² cannot be estimated, or X without study i is singular) leaves
//! that study's leave-one-out values absent, as metafor's NA. k refits: O(k²).

use serde::Serialize;

use super::dist;
use super::fit::{self, CiMethod, Effects};
use super::regression::{Design, det_spd, invert_spd, wls};
use super::tau2::{Control, Tau2Error};

/// Diagnostics of one study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyInfluence {
    /// Position of the study in `Analysis::studies`.
    pub study: usize,
    /// Externally studentised residual.
    pub rstudent: Option<f64>,
    /// DFFITS.
    pub dffits: Option<f64>,
    /// Cook's distance.
    pub cook_d: Option<f64>,
    /// COVRATIO.
    pub cov_r: Option<f64>,
    /// τ² with the study left out.
    pub tau2_del: Option<f64>,
    /// QE (Cochran's Q) with the study left out.
    pub qe_del: Option<f64>,
    /// Hat value (leverage).
    pub hat: f64,
    /// Weight in percent.
    pub weight: f64,
    /// DFBETAS, one per coefficient.
    pub dfbetas: Option<Vec<f64>>,
    /// metafor's "influential" flag.
    pub influential: bool,
    /// Which of the rule's criteria the study meets ("dffits", "cook_d", "hat", "dfbetas").
    pub criteria: Vec<&'static str>,
    /// Baujat plot, horizontal: contribution to (residual) heterogeneity.
    pub baujat_x: f64,
    /// Baujat plot, vertical: influence on the fitted value (the pooled estimate).
    pub baujat_y: Option<f64>,
}

/// Influence diagnostics of a model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Influence {
    /// The model diagnosed.
    pub effects: Effects,
    /// Its test (Knapp–Hartung scales the variances).
    pub test: CiMethod,
    /// Studies.
    pub k: usize,
    /// Coefficients.
    pub p: usize,
    /// The rule's DFFITS threshold 3√(p/(k − p)).
    pub dffits_threshold: f64,
    /// The rule's hat-value threshold 3p/k.
    pub hat_threshold: f64,
    /// One row per study, in study order.
    pub studies: Vec<StudyInfluence>,
}

impl Influence {
    /// The studies flagged influential.
    pub fn influential(&self) -> impl Iterator<Item = &StudyInfluence> {
        self.studies.iter().filter(|s| s.influential)
    }
}

/// The parts of a fit the diagnostics need.
struct Fitted {
    beta: Vec<f64>,
    /// Covariance of β̂ (scaled by s²).
    vb: Vec<f64>,
    tau2: f64,
    q: f64,
    s2w: f64,
}

fn fit_parts(
    y: &[f64],
    v: &[f64],
    design: Design<'_>,
    effects: Effects,
    test: CiMethod,
    control: &Control,
) -> Result<Fitted, Tau2Error> {
    let f = fit::fit(y, v, design, effects, test, 0.95, control)?;
    let t2 = f.tau2_value();
    let s = wls(y, design, |i| 1.0 / (v[i] + t2)).ok_or(Tau2Error::Singular)?;
    Ok(Fitted {
        beta: s.beta,
        vb: s.xtwx_inv.iter().map(|a| a * f.s2w).collect(),
        tau2: t2,
        q: f.q,
        s2w: f.s2w,
    })
}

fn quad(x: &[f64], m: &[f64], z: &[f64]) -> f64 {
    let p = x.len();
    (0..p)
        .map(|a| (0..p).map(|b| x[a] * m[a * p + b] * z[b]).sum::<f64>())
        .sum()
}

/// The influence diagnostics of the model with design `design` (the intercept-only model for
/// a plain meta-analysis). Needs k ≥ 2; fails only if the full model cannot be fitted.
pub fn influence(
    y: &[f64],
    v: &[f64],
    design: Design<'_>,
    effects: Effects,
    test: CiMethod,
    control: &Control,
) -> Result<Influence, Tau2Error> {
    let k = y.len();
    let p = design.p();
    let rows: Vec<f64> = match design {
        Design::Intercept => vec![1.0; k],
        Design::Matrix { x, .. } => x.to_vec(),
    };
    let row = |i: usize| &rows[i * p..(i + 1) * p];
    let full = fit_parts(y, v, design, effects, test, control)?;
    let svb = invert_spd(&full.vb, p).ok_or(Tau2Error::Singular)?;
    let det_vb = det_spd(&full.vb, p).ok_or(Tau2Error::Singular)?;
    // Hat values use the unscaled (X'WX)⁻¹ (metafor's hatvalues).
    let xtwx_inv: Vec<f64> = full.vb.iter().map(|a| a / full.s2w).collect();
    let sw: f64 = v.iter().map(|vi| 1.0 / (vi + full.tau2)).sum();
    let dffits_threshold = 3.0 * (p as f64 / (k - p) as f64).sqrt();
    let hat_threshold = 3.0 * p as f64 / k as f64;

    let mut ys = Vec::with_capacity(k);
    let mut vs = Vec::with_capacity(k);
    let mut xs = Vec::with_capacity(k * p);
    let studies = (0..k)
        .map(|i| {
            let xi = row(i);
            let wi = 1.0 / (v[i] + full.tau2);
            let mut hat = wi * quad(xi, &xtwx_inv, xi);
            if hat > 1.0 - 10.0 * f64::EPSILON {
                hat = 1.0;
            }
            let pred_full: f64 = xi.iter().zip(&full.beta).map(|(a, b)| a * b).sum();
            let resid_full = y[i] - pred_full;
            ys.clear();
            vs.clear();
            xs.clear();
            for j in (0..k).filter(|&j| j != i) {
                ys.push(y[j]);
                vs.push(v[j]);
                xs.extend_from_slice(row(j));
            }
            let del = match design {
                Design::Intercept => fit_parts(&ys, &vs, Design::Intercept, effects, test, control),
                Design::Matrix { .. } => fit_parts(
                    &ys,
                    &vs,
                    Design::Matrix { p, x: &xs },
                    effects,
                    test,
                    control,
                ),
            }
            .ok();
            let mut s = StudyInfluence {
                study: i,
                rstudent: None,
                dffits: None,
                cook_d: None,
                cov_r: None,
                tau2_del: None,
                qe_del: None,
                hat,
                weight: 100.0 * wi / sw,
                dfbetas: None,
                influential: false,
                criteria: Vec::new(),
                baujat_x: resid_full * resid_full / (full.tau2 + v[i]),
                baujat_y: None,
            };
            if let Some(d) = del {
                let delpred: f64 = xi.iter().zip(&d.beta).map(|(a, b)| a * b).sum();
                let vdelpred = quad(xi, &d.vb, xi);
                let mut resid = y[i] - delpred;
                if resid.abs() < 100.0 * f64::EPSILON {
                    resid = 0.0;
                }
                let se = (v[i] * d.s2w + vdelpred + d.tau2 * d.s2w).sqrt();
                s.rstudent = Some(resid / se);
                s.dffits = Some((pred_full - delpred) / (d.s2w * hat * (d.tau2 + v[i])).sqrt());
                let dfb: Vec<f64> = full.beta.iter().zip(&d.beta).map(|(a, b)| a - b).collect();
                s.cook_d = Some(quad(&dfb, &svb, &dfb));
                s.cov_r = det_spd(&d.vb, p).map(|det| det / det_vb);
                s.tau2_del = Some(d.tau2);
                s.qe_del = Some(d.q);
                // (X'W₍₋ᵢ₎X)⁻¹ over all k studies at τ̂²₍₋ᵢ₎.
                s.dfbetas = wls(y, design, |j| 1.0 / (v[j] + d.tau2)).map(|w| {
                    (0..p)
                        .map(|j| dfb[j] / (d.s2w * w.xtwx_inv[j * p + j]).sqrt())
                        .collect()
                });
                s.baujat_y = Some((delpred - pred_full).powi(2) / vdelpred);
            }
            if s.dffits.is_some_and(|d| d.abs() > dffits_threshold) {
                s.criteria.push("dffits");
            }
            if s.cook_d.is_some_and(|c| dist::chisq_sf(c, p as f64) < 0.5) {
                s.criteria.push("cook_d");
            }
            if hat > hat_threshold {
                s.criteria.push("hat");
            }
            if s.dfbetas
                .as_ref()
                .is_some_and(|d| d.iter().any(|b| b.abs() > 1.0))
            {
                s.criteria.push("dfbetas");
            }
            s.influential = !s.criteria.is_empty();
            s
        })
        .collect();
    Ok(Influence {
        effects,
        test,
        k,
        p,
        dffits_threshold,
        hat_threshold,
        studies,
    })
}
