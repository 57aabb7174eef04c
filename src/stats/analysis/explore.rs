//! Explaining heterogeneity: meta-regression (with its permutation test), influence
//! diagnostics and GOSH, on the included studies.

use serde::Serialize;

use super::{AnalysisError, Ctx, Pool, Warning};
use crate::stats::computed::Computed;
use crate::stats::fit::Effects;
use crate::stats::gosh::{self, Gosh, GoshSubsets};
use crate::stats::influence::{self, Influence};
use crate::stats::meta_regression::{self, MetaRegression, MetaRegressionOptions, ModeratorValues};
use crate::stats::permutation;
use crate::stats::regression::Design;

/// Which analyses of heterogeneity to run.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ExploreOptions {
    /// A meta-regression on moderators.
    pub meta_regression: Option<MetaRegressionOptions>,
    /// Influence diagnostics (and the Baujat plot's coordinates) of the overall model.
    pub influence: bool,
    /// A GOSH analysis of the overall model over subsets of studies.
    pub gosh: Option<GoshSubsets>,
}

/// The results of the analyses of heterogeneity asked for.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Exploration {
    pub meta_regression: Option<Computed<MetaRegression>>,
    pub influence: Option<Computed<Influence>>,
    pub gosh: Option<Computed<Gosh>>,
}

/// The meta-regression and the influence diagnostics of an outcome, when asked for.
type RegressionAndInfluence = (
    Option<Computed<MetaRegression>>,
    Option<Computed<Influence>>,
);

/// The fewest studies per moderator the Cochrane Handbook (section 10.11.5.1) advises.
pub const STUDIES_PER_MODERATOR: f64 = 10.0;

impl Ctx<'_> {
    pub(super) fn explore(
        &self,
        overall: &Pool,
        warnings: &mut Vec<Warning>,
    ) -> Result<Exploration, AnalysisError> {
        let e = &self.opts.explore;
        let o = self.opts;
        let k = self.inc.len();
        let (y, v) = self.yv(&(0..k).collect::<Vec<_>>());
        // The overall model, inverse-variance (as metafor's rma.uni), for influence and GOSH.
        let effects = overall
            .decision
            .effects
            .unwrap_or(Effects::Random(o.tau2_method));
        // GOSH (thousands of fits) on a thread of its own beside the meta-regression (with its
        // permutations) and the influence diagnostics, as long as each for a review like BCG's
        // with REML: the same numbers either way, the warnings in the same order.
        let (gosh, rest) = std::thread::scope(|scope| {
            let gosh = e.gosh.map(|which| {
                let (y, v) = (&y, &v);
                scope.spawn(move || gosh::gosh(y, v, effects, o.i2_from_q, &o.control, which))
            });
            let rest = self.regression_and_influence(&y, &v, effects, warnings);
            (gosh.map(|h| h.join().expect("GOSH does not panic")), rest)
        });
        let (meta_regression, influence) = rest?;
        let gosh = gosh.map(|result| {
            match result {
                Ok(g) => {
                    if g.failed > 0 {
                        warnings.push(Warning {
                            code: "gosh_failed_fits",
                            message: format!(
                                "τ² could not be estimated in {} of the {} GOSH subsets, which were left out",
                                g.failed, g.subsets
                            ),
                        });
                    }
                    Computed::Value(g)
                }
                Err(err) => Computed::absent(err.to_string()),
            }
        });
        Ok(Exploration {
            meta_regression,
            influence,
            gosh,
        })
    }

    /// The meta-regression (with its permutation test) and the influence diagnostics.
    fn regression_and_influence(
        &self,
        y: &[f64],
        v: &[f64],
        effects: Effects,
        warnings: &mut Vec<Warning>,
    ) -> Result<RegressionAndInfluence, AnalysisError> {
        let (e, o, k) = (&self.opts.explore, self.opts, self.inc.len());
        let meta_regression = match &e.meta_regression {
            Some(mr) => Some(self.meta_regression(mr, y, v, warnings)?),
            None => None,
        };
        let influence = e.influence.then(|| {
            if k < 2 {
                return Computed::absent("needs at least 2 studies");
            }
            match influence::influence(y, v, Design::Intercept, effects, o.ci, &o.control) {
                Ok(i) => Computed::Value(i),
                Err(err) => Computed::absent(format!("the model could not be fitted: {err}")),
            }
        });
        Ok((meta_regression, influence))
    }

    fn meta_regression(
        &self,
        mr: &MetaRegressionOptions,
        y: &[f64],
        v: &[f64],
        warnings: &mut Vec<Warning>,
    ) -> Result<Computed<MetaRegression>, AnalysisError> {
        let o = self.opts;
        for m in &mr.moderators {
            let n = match &m.values {
                ModeratorValues::Continuous { values, .. } => values.len(),
                ModeratorValues::Categorical { values, .. } => values.len(),
            };
            if n != self.inputs.len() {
                return Err(AnalysisError::Incompatible(format!(
                    "the moderator `{}` has {n} values for {} studies",
                    m.column,
                    self.inputs.len()
                )));
            }
        }
        let rows: Vec<usize> = self.inc.iter().map(|s| s.input).collect();
        // A model that cannot be fitted is reported in the text and said on the console.
        let mut absent = |reason: String| {
            warnings.push(Warning {
                code: "meta_regression_not_fitted",
                message: format!("the meta-regression could not be estimated: {reason}"),
            });
            Ok(Computed::absent(reason))
        };
        let mm = match meta_regression::model_matrix(&mr.moderators, &rows) {
            Ok(mm) => mm,
            Err(reason) => return absent(reason),
        };
        let k = rows.len();
        if k <= mm.p {
            return absent(format!(
                "it needs more studies than model coefficients ({k} studies, {} coefficients)",
                mm.p
            ));
        }
        let mut r = match meta_regression::meta_regression(
            y, v, &mm, mr.effects, mr.test, o.level, &o.control,
        ) {
            Ok(r) => r,
            Err(e) => return absent(e.to_string()),
        };
        if r.studies_per_moderator < STUDIES_PER_MODERATOR {
            let n = mr.moderators.len();
            warnings.push(Warning {
                code: "meta_regression_few_studies",
                message: format!(
                    "the meta-regression has {k} studies for {n} moderator{}, fewer than the 10 per moderator the Cochrane Handbook advises (section 10.11.5.1): its results are fragile",
                    if n == 1 { "" } else { "s" }
                ),
            });
        }
        if let Some(p) = mr.permutation
            && (p.iterations as u64).saturating_mul(k as u64) > permutation::MAX_WORK
        {
            r.permutation = Some(Computed::absent(format!(
                "{} permutations of {k} studies are more work than the limit of {} study-fits",
                p.iterations,
                permutation::MAX_WORK
            )));
        } else if let Some(p) = mr.permutation {
            let z: Vec<f64> = r
                .coefficients
                .iter()
                .map(|c| c.test.statistic.abs())
                .collect();
            let t = permutation::permutation_test(
                y,
                v,
                &mm,
                mr.effects,
                mr.test,
                &o.control,
                (&z, r.qm.statistic),
                p,
            );
            r.permutation = Some(Computed::Value(t));
        }
        Ok(Computed::Value(r))
    }
}
