//! Meta-regression: the mixed-effects (or fixed-effect) model yᵢ = xᵢ'β + uᵢ + εᵢ with
//! continuous and categorical moderators, as metafor's `rma(yi, vi, mods = ~ …)`
//! (Thompson & Higgins 2002; Viechtbauer 2010).
//!
//! - τ² by any estimator of `tau2.rs` on the design (residual heterogeneity), β̂ by weighted
//!   least squares with wᵢ = 1/(vᵢ + τ̂²) (`fit.rs`); Wald z tests or the Knapp & Hartung (2003)
//!   t tests with k − p degrees of freedom (standard errors scaled by √s², s² = Σwᵢrᵢ²/(k − p))
//! - QM, the omnibus test of the moderators: β̂₂'V₂₂⁻¹β̂₂ ~ χ²_m (V the covariance of β̂, the
//!   intercept left out), or QM/m ~ F(m, k − p) under Knapp–Hartung
//! - QE, the test of residual heterogeneity: Σ(1/vᵢ)(yᵢ − xᵢ'β̂_FE)² ~ χ²_{k−p}
//! - residual I² = τ̂²/(τ̂² + s̃²), s̃² = (k − p)/tr(P) (Higgins & Thompson 2002); H² = τ̂²/s̃² + 1
//! - pseudo-R² (Raudenbush 2009; metafor's default): max(0, (τ̂²₀ − τ̂²)/τ̂²₀) with τ̂²₀ from the
//!   model without moderators, same estimator (0 when τ̂²₀ = 0); for a fixed-effect model the
//!   adjusted R² of the weighted least-squares fit, as metafor
//! - continuous moderators enter as they are or centred (at their mean over the included
//!   studies, or at a given value); categorical ones as dummy variables for every level but the
//!   reference level, levels in alphabetical order after the reference (R's `relevel`)
//!
//! The permutation test of the moderators (metafor's `permutest`) is in `permutation.rs`.

use serde::Serialize;

use super::computed::Computed;
use super::dist;
use super::fit::{self, CiMethod, Coefficient, Effects};
use super::regression::{Design, invert_spd, wls};
use super::tau2::{Control, Tau2Error, Tau2Method};

/// How a continuous moderator is centred before it enters the model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Centre {
    /// As it is.
    None,
    /// At its mean over the studies in the model.
    Mean,
    /// At a given value.
    Value(f64),
}

/// A moderator's values, one per input study (in the order of `Analysis::inputs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModeratorValues {
    /// A number per study.
    Continuous {
        /// One value per input study.
        values: Vec<f64>,
        /// How it is centred.
        centre: Centre,
    },
    /// A category per study.
    Categorical {
        /// One level per input study.
        values: Vec<String>,
        /// The levels in model order: the reference level first, then the others.
        levels: Vec<String>,
    },
}

/// One moderator of a meta-regression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moderator {
    /// The data column it comes from.
    pub column: String,
    /// How the text and the figures name it ("absolute latitude").
    pub label: String,
    /// Its values.
    pub values: ModeratorValues,
}

/// A permutation test: how many permutations and the seed of the random ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PermutationOptions {
    /// Number of permutations (the observed data count as the first); when all distinct
    /// permutations are fewer, every one is used (an exact test), as metafor.
    pub iterations: usize,
    /// Seed of the random permutations.
    pub seed: u64,
}

/// What a meta-regression fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaRegressionOptions {
    /// The moderators, in model order.
    pub moderators: Vec<Moderator>,
    /// Fixed effect or random effects with a τ² estimator (residual heterogeneity).
    pub effects: Effects,
    /// Wald z tests, or Knapp–Hartung t and F tests (`CiMethod::Hksj`).
    pub test: CiMethod,
    /// A permutation test of the moderators, if asked for.
    pub permutation: Option<PermutationOptions>,
}

/// One column of the model matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// "intercept", the moderator's column, or "column: level" for a dummy variable.
    pub name: String,
    /// The moderator it belongs to (position in the options' list), `None` for the intercept.
    pub moderator: Option<usize>,
    /// The level a dummy variable codes.
    pub level: Option<String>,
}

/// The model matrix of a meta-regression over the included studies.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelMatrix {
    /// Number of columns.
    pub p: usize,
    /// Row-major k×p.
    pub x: Vec<f64>,
    /// What each column is.
    pub columns: Vec<Column>,
    /// The value each moderator was centred at (continuous moderators; `None` otherwise).
    pub centres: Vec<Option<f64>>,
}

impl ModelMatrix {
    /// The design for the fitting functions.
    pub fn design(&self) -> Design<'_> {
        Design::Matrix {
            p: self.p,
            x: &self.x,
        }
    }

    /// Number of rows (studies).
    pub fn k(&self) -> usize {
        self.x.len() / self.p.max(1)
    }
}

/// Builds the model matrix (intercept first) for the input studies `rows`.
///
/// Fails with the reason when a categorical moderator's reference level has no study among
/// `rows`, or a moderator is constant over them. Levels without a study are left out.
pub fn model_matrix(moderators: &[Moderator], rows: &[usize]) -> Result<ModelMatrix, String> {
    let mut columns = vec![Column {
        name: "intercept".into(),
        moderator: None,
        level: None,
    }];
    let mut values: Vec<Vec<f64>> = Vec::new();
    let mut centres = Vec::new();
    for (mi, m) in moderators.iter().enumerate() {
        match &m.values {
            ModeratorValues::Continuous { values: v, centre } => {
                let xs: Vec<f64> = rows.iter().map(|&r| v[r]).collect();
                if xs.iter().all(|x| *x == xs[0]) {
                    return Err(format!(
                        "the moderator `{}` has the same value ({}) in every study",
                        m.column, xs[0]
                    ));
                }
                let c = match centre {
                    Centre::None => None,
                    Centre::Mean => Some(xs.iter().sum::<f64>() / xs.len() as f64),
                    Centre::Value(c) => Some(*c),
                };
                centres.push(c);
                columns.push(Column {
                    name: m.column.clone(),
                    moderator: Some(mi),
                    level: None,
                });
                values.push(xs.iter().map(|x| x - c.unwrap_or(0.0)).collect());
            }
            ModeratorValues::Categorical { values: v, levels } => {
                centres.push(None);
                let present = |l: &str| rows.iter().any(|&r| v[r] == l);
                let reference = &levels[0];
                if !present(reference) {
                    return Err(format!(
                        "no study of the reference level \"{reference}\" of `{}` is in the analysis",
                        m.column
                    ));
                }
                let others: Vec<&String> = levels[1..].iter().filter(|l| present(l)).collect();
                if others.is_empty() {
                    return Err(format!(
                        "every study in the analysis has the level \"{reference}\" of `{}`",
                        m.column
                    ));
                }
                for l in others {
                    columns.push(Column {
                        name: format!("{}: {l}", m.column),
                        moderator: Some(mi),
                        level: Some(l.clone()),
                    });
                    values.push(
                        rows.iter()
                            .map(|&r| if &v[r] == l { 1.0 } else { 0.0 })
                            .collect(),
                    );
                }
            }
        }
    }
    let p = columns.len();
    let mut x = Vec::with_capacity(rows.len() * p);
    for i in 0..rows.len() {
        x.push(1.0);
        x.extend(values.iter().map(|c| c[i]));
    }
    Ok(ModelMatrix {
        p,
        x,
        columns,
        centres,
    })
}

/// A coefficient of the model with its test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionCoefficient {
    /// What the coefficient is.
    #[serde(flatten)]
    pub column: Column,
    /// Estimate, standard error, z or t, p and confidence limits.
    #[serde(flatten)]
    pub test: Coefficient,
}

/// The omnibus test of the moderators (QM).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OmnibusTest {
    /// QM (χ² statistic), or QM/m (F statistic) under Knapp–Hartung.
    pub statistic: f64,
    /// Numerator degrees of freedom m: the coefficients tested.
    pub df1: usize,
    /// Denominator degrees of freedom k − p of the F test (Knapp–Hartung).
    pub df2: Option<f64>,
    /// p-value.
    pub p: f64,
}

/// Heterogeneity the moderators leave unexplained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ResidualHeterogeneity {
    /// QE, the test of residual heterogeneity.
    pub q: f64,
    /// Its degrees of freedom k − p.
    pub df: usize,
    /// Its p-value.
    pub p: f64,
    /// Residual τ² (0 for a fixed-effect model).
    pub tau2: f64,
    /// √τ².
    pub tau: f64,
    /// Residual I² (percent).
    pub i2: f64,
    /// Residual H².
    pub h2: f64,
    /// The τ² estimator (random effects).
    pub tau2_method: Option<Tau2Method>,
    /// True when the τ² estimate was negative and set to 0.
    pub tau2_truncated: bool,
}

/// The permutation test of a meta-regression (metafor's `permutest`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PermutationTest {
    /// Permutations fitted (the observed data counted as one of them).
    pub iterations: usize,
    /// True when every distinct permutation of the moderators was used.
    pub exact: bool,
    /// The seed of the random permutations (`None` for an exact test).
    pub seed: Option<u64>,
    /// Permutations whose model could not be fitted (left out, as metafor).
    pub failed: usize,
    /// Permutation p-value of QM.
    pub qm_p: f64,
    /// Permutation p-value of each coefficient (two-sided, on |z| or |t|).
    pub coefficient_p: Vec<f64>,
}

/// A fitted meta-regression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaRegression {
    /// Studies in the model.
    pub k: usize,
    /// Coefficients in the model (with the intercept).
    pub p: usize,
    /// The model: fixed effect, or random effects with its τ² estimator.
    pub effects: Effects,
    /// z tests, or Knapp–Hartung (`hksj`).
    pub test: CiMethod,
    /// Degrees of freedom of the t tests (Knapp–Hartung).
    pub df: Option<f64>,
    /// The coefficients, intercept first.
    pub coefficients: Vec<RegressionCoefficient>,
    /// Covariance matrix of the coefficients (row-major p×p; scaled under Knapp–Hartung).
    pub vcov: Vec<f64>,
    /// The value each moderator was centred at (continuous moderators).
    pub centres: Vec<Option<f64>>,
    /// Column means of the model matrix (other moderators are held there in a bubble plot).
    pub column_means: Vec<f64>,
    /// QM: the omnibus test of the moderators.
    pub qm: OmnibusTest,
    /// QE, residual τ², I², H².
    pub residual: ResidualHeterogeneity,
    /// τ² of the same model without moderators (random effects).
    pub tau2_without_moderators: Option<f64>,
    /// Pseudo-R² in percent: heterogeneity accounted for by the moderators.
    pub r2: Computed<f64>,
    /// Each study's weight in percent, 100·wᵢ/Σw with wᵢ = 1/(vᵢ + τ̂²), in study order.
    pub weights_pct: Vec<f64>,
    /// Studies per moderator, k/(number of moderators).
    pub studies_per_moderator: f64,
    /// The permutation test, when asked for.
    pub permutation: Option<Computed<PermutationTest>>,
}

/// Fits the meta-regression of `y` (sampling variances `v`) on the model matrix.
///
/// Needs more studies than coefficients (k > p); τ² that cannot be estimated is an error.
pub fn meta_regression(
    y: &[f64],
    v: &[f64],
    mm: &ModelMatrix,
    effects: Effects,
    test: CiMethod,
    level: f64,
    control: &Control,
) -> Result<MetaRegression, Tau2Error> {
    let k = y.len();
    let p = mm.p;
    let f = fit::fit(y, v, mm.design(), effects, test, level, control)?;
    let t2 = f.tau2_value();
    let s = wls(y, mm.design(), |i| 1.0 / (v[i] + t2)).ok_or(Tau2Error::Singular)?;
    let vcov: Vec<f64> = s.xtwx_inv.iter().map(|x| x * f.s2w).collect();
    let beta: Vec<f64> = f.coefficients.iter().map(|c| c.estimate).collect();
    let qm = omnibus(&beta, &vcov, p, f.df);
    let tau2_without = match effects {
        Effects::Random(method) => {
            Some(super::tau2::estimate(method, y, v, Design::Intercept, control).map(|t| t.tau2))
        }
        Effects::Fixed => None,
    };
    let r2 = match (&tau2_without, effects) {
        (Some(Ok(t0)), _) if *t0 == 0.0 => Computed::Value(0.0),
        (Some(Ok(t0)), _) => Computed::Value((100.0 * (t0 - t2) / t0).max(0.0)),
        (Some(Err(e)), _) => Computed::absent(format!(
            "τ² of the model without moderators could not be estimated: {e}"
        )),
        (None, _) => Computed::Value(adjusted_r2(y, v, mm)?),
    };
    let column_means = (0..p)
        .map(|j| (0..k).map(|i| mm.x[i * p + j]).sum::<f64>() / k as f64)
        .collect();
    let sw: f64 = v.iter().map(|vi| 1.0 / (vi + t2)).sum();
    let n_mods = mm
        .columns
        .iter()
        .filter_map(|c| c.moderator)
        .max()
        .map_or(0, |m| m + 1);
    Ok(MetaRegression {
        k,
        p,
        effects,
        test,
        df: f.df,
        coefficients: mm
            .columns
            .iter()
            .cloned()
            .zip(f.coefficients.iter().copied())
            .map(|(column, test)| RegressionCoefficient { column, test })
            .collect(),
        vcov,
        centres: mm.centres.clone(),
        column_means,
        qm,
        residual: ResidualHeterogeneity {
            q: f.q,
            df: f.q_df,
            p: f.q_p,
            tau2: t2,
            tau: t2.sqrt(),
            i2: f.i2,
            h2: f.h2,
            tau2_method: f.tau2.map(|t| t.method),
            tau2_truncated: f.tau2.is_some_and(|t| t.truncated),
        },
        tau2_without_moderators: tau2_without.and_then(Result::ok),
        r2,
        weights_pct: v.iter().map(|vi| 100.0 / (vi + t2) / sw).collect(),
        studies_per_moderator: k as f64 / n_mods.max(1) as f64,
        permutation: None,
    })
}

/// QM for the coefficients 2..p: β₂'V₂₂⁻¹β₂ (χ²_m), or divided by m (F(m, df)) with t tests.
pub fn omnibus(beta: &[f64], vcov: &[f64], p: usize, df: Option<f64>) -> OmnibusTest {
    let m = p - 1;
    let sub: Vec<f64> = (1..p)
        .flat_map(|a| (1..p).map(move |b| vcov[a * p + b]))
        .collect();
    let qm = match invert_spd(&sub, m) {
        Some(inv) => {
            let b = &beta[1..];
            (0..m)
                .map(|a| (0..m).map(|c| b[a] * inv[a * m + c] * b[c]).sum::<f64>())
                .sum::<f64>()
        }
        None => f64::NAN,
    };
    match df {
        Some(df) => {
            let f = qm / m as f64;
            OmnibusTest {
                statistic: f,
                df1: m,
                df2: Some(df),
                p: dist::f_sf(f, m as f64, df),
            }
        }
        None => OmnibusTest {
            statistic: qm,
            df1: m,
            df2: None,
            p: dist::chisq_sf(qm, m as f64),
        },
    }
}

/// metafor's R² for fixed-effect meta-regressions: the adjusted R² of the weighted
/// least-squares fit (weights 1/vᵢ), floored at 0, in percent.
fn adjusted_r2(y: &[f64], v: &[f64], mm: &ModelMatrix) -> Result<f64, Tau2Error> {
    let k = y.len() as f64;
    if y.iter().all(|yi| *yi == y[0]) {
        return Ok(0.0);
    }
    let full = wls(y, mm.design(), |i| 1.0 / v[i]).ok_or(Tau2Error::Singular)?;
    let null = wls(y, Design::Intercept, |i| 1.0 / v[i]).ok_or(Tau2Error::Singular)?;
    let r2 = 1.0 - full.rss / null.rss;
    let adj = 1.0 - (1.0 - r2) * (k - 1.0) / (k - mm.p as f64);
    Ok((100.0 * adj).max(0.0))
}

/// The fitted value x₀'β̂ and its standard error √(x₀'Vx₀) at a row `x0` of the model matrix,
/// as metafor's `predict` (a prediction interval adds τ² to the variance).
pub fn predict(r: &MetaRegression, x0: &[f64]) -> (f64, f64) {
    let p = r.p;
    let est: f64 = x0
        .iter()
        .zip(&r.coefficients)
        .map(|(x, c)| x * c.test.estimate)
        .sum();
    let var: f64 = (0..p)
        .map(|a| {
            (0..p)
                .map(|b| x0[a] * r.vcov[a * p + b] * x0[b])
                .sum::<f64>()
        })
        .sum();
    (est, var.max(0.0).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cont(values: &[f64]) -> Moderator {
        Moderator {
            column: "x".into(),
            label: "x".into(),
            values: ModeratorValues::Continuous {
                values: values.to_vec(),
                centre: Centre::None,
            },
        }
    }

    #[test]
    fn dummies_for_every_level_but_the_reference() {
        let m = Moderator {
            column: "g".into(),
            label: "g".into(),
            values: ModeratorValues::Categorical {
                values: ["b", "a", "c", "a"].map(String::from).to_vec(),
                levels: ["a", "b", "c"].map(String::from).to_vec(),
            },
        };
        let mm = model_matrix(&[m], &[0, 1, 2, 3]).unwrap();
        assert_eq!(mm.p, 3);
        assert_eq!(mm.x, vec![1., 1., 0., 1., 0., 0., 1., 0., 1., 1., 0., 0.]);
        assert_eq!(mm.columns[2].name, "g: c");
    }

    #[test]
    fn a_constant_moderator_is_refused() {
        assert!(model_matrix(&[cont(&[2.0, 2.0, 2.0])], &[0, 1, 2]).is_err());
    }

    #[test]
    fn one_moderator_qm_is_the_squared_z() {
        let y = [0.1, 0.4, -0.2, 0.5, 0.3, -0.1];
        let v = [0.05, 0.08, 0.04, 0.1, 0.07, 0.06];
        let mm = model_matrix(
            &[cont(&[1.0, 3.0, 0.0, 4.0, 2.5, 0.5])],
            &[0, 1, 2, 3, 4, 5],
        )
        .unwrap();
        let r = meta_regression(
            &y,
            &v,
            &mm,
            Effects::Random(Tau2Method::REML),
            CiMethod::Z,
            0.95,
            &Control::default(),
        )
        .unwrap();
        let z = r.coefficients[1].test.statistic;
        assert!((r.qm.statistic - z * z).abs() < 1e-10);
        assert!((r.qm.p - r.coefficients[1].test.p).abs() < 1e-10);
    }
}
