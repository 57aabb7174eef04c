//! One set of studies pooled: the heterogeneity test, the model decision, the estimate (IV,
//! Mantel–Haenszel or Peto), heterogeneity statistics and the prediction interval.

use std::borrow::Cow;

use super::{Ctx, Heterogeneity, Options, Pool, Pooled, Pooling, Prediction, Warning};
use crate::stats::computed::Computed;
use crate::stats::dist;
use crate::stats::fit::{self, CiMethod, Effects, ModelFit};
use crate::stats::i2_interval;
use crate::stats::mantel_haenszel::{self, Table};
use crate::stats::measure::{Measure, StudyData};
use crate::stats::model_rule;
use crate::stats::peto;
use crate::stats::prediction;
use crate::stats::qprofile::{self, Bound};
use crate::stats::regression::Design;
use crate::stats::tau2::Tau2Method;

pub(super) fn pooled_of(c: &fit::Coefficient, df: Option<f64>) -> Pooled {
    Pooled {
        estimate: c.estimate,
        se: c.se,
        ci_lower: c.ci_lower,
        ci_upper: c.ci_upper,
        statistic: c.statistic,
        statistic_name: if df.is_some() { "t" } else { "z" },
        p: c.p,
        df,
    }
}

/// A pooled estimate from an estimate and its standard error with a Wald z test.
pub(super) fn wald(estimate: f64, se: f64, level: f64) -> Pooled {
    let z = estimate / se;
    let crit = dist::z_crit(level);
    Pooled {
        estimate,
        se,
        ci_lower: estimate - crit * se,
        ci_upper: estimate + crit * se,
        statistic: z,
        statistic_name: "z",
        p: dist::p_two_sided_z(z),
        df: None,
    }
}

pub(super) const ONE_STUDY: &str = "only one study: heterogeneity cannot be assessed";

impl Ctx<'_> {
    pub(super) fn yv(&self, members: &[usize]) -> (Vec<f64>, Vec<f64>) {
        members
            .iter()
            .map(|&i| (self.inc[i].yi, self.inc[i].vi))
            .unzip()
    }

    pub(super) fn name(&self, i: usize) -> &str {
        &self.inputs[self.inc[i].input].name
    }

    pub(super) fn tables(&self, members: &[usize]) -> Vec<Table> {
        members
            .iter()
            .filter_map(|&i| match self.inputs[self.inc[i].input].data {
                StudyData::Binary {
                    events_t,
                    total_t,
                    events_c,
                    total_c,
                } => Some(Table {
                    a: events_t,
                    n1: total_t,
                    c: events_c,
                    n2: total_c,
                }),
                _ => None,
            })
            .collect()
    }

    /// Fits an inverse-variance model, falling back to DL when an iterative τ² estimator fails.
    pub(super) fn fit_iv(
        &self,
        y: &[f64],
        v: &[f64],
        effects: Effects,
        warnings: &mut Vec<Warning>,
        context: &str,
    ) -> ModelFit {
        let o = self.opts;
        match fit::pool(y, v, effects, o.ci, o.level, &o.control) {
            Ok(f) => {
                if let Some(t) = f.tau2.filter(|t| t.bracketed) {
                    warnings.push(Warning {
                        code: "tau2_bracketed",
                        message: format!(
                            "{context}Fisher scoring for the {} estimator of τ² did not converge; \
                             its estimating equation was solved by bracketing the root instead",
                            t.method.name()
                        ),
                    });
                }
                f
            }
            Err(e) => {
                warnings.push(Warning {
                    code: "tau2_not_converged",
                    message: format!(
                        "{context}{e}; the DerSimonian–Laird estimator was used instead"
                    ),
                });
                fit::pool(
                    y,
                    v,
                    Effects::Random(Tau2Method::DL),
                    o.ci,
                    o.level,
                    &o.control,
                )
                .expect("the DL estimator is closed-form")
            }
        }
    }

    /// Pools one set of studies. `main` pools (overall, subgroups) get Q-profile intervals and
    /// weights; sensitivity refits do not.
    pub(super) fn pool(
        &self,
        members: &[usize],
        main: bool,
        warnings: &mut Vec<Warning>,
        context: &str,
    ) -> Pool {
        let o = self.opts;
        let k = members.len();
        let (y, v) = self.yv(members);
        let tables = if o.pooling == Pooling::InverseVariance {
            Vec::new()
        } else {
            self.tables(members)
        };

        // The heterogeneity test that the model choice may depend on.
        let fixed_fit = self.fit_iv(&y, &v, Effects::Fixed, warnings, context);
        let mh = (o.pooling == Pooling::MantelHaenszel)
            .then(|| mantel_haenszel::mantel_haenszel(o.measure, &tables))
            .flatten();
        let pt = (o.pooling == Pooling::Peto)
            .then(|| peto::peto(&tables))
            .flatten();
        // Under Mantel–Haenszel, a study without events (or with only events) in both arms
        // counts in the MH risk difference but not in Q, nor in the τ² derived from Q: its
        // outcome is not computed (metafor's rma.mh, drop00 = TRUE). Elsewhere every study counts.
        let in_q: Vec<bool> = if mh.is_some() && o.continuity.exclude_double_zero {
            tables.iter().map(|t| !t.is_double_zero()).collect()
        } else {
            Vec::new() // every study counts
        };
        let (yq, vq): (Cow<[f64]>, Cow<[f64]>) = if in_q.iter().all(|keep| *keep) {
            (Cow::Borrowed(&y), Cow::Borrowed(&v))
        } else {
            let (a, b) = y
                .iter()
                .zip(&v)
                .zip(&in_q)
                .filter(|(_, keep)| **keep)
                .map(|((yi, vi), _)| (*yi, *vi))
                .unzip();
            (Cow::Owned(a), Cow::Owned(b))
        };
        let k_q = yq.len();
        let q = match (&mh, &pt) {
            (Some(m), _) => yq
                .iter()
                .zip(vq.iter())
                .map(|(yi, vi)| (yi - m.estimate).powi(2) / vi)
                .sum::<f64>(),
            (_, Some(p)) => p.q,
            _ => fixed_fit.q,
        };
        let q_df = k_q.saturating_sub(1);
        let q_p = (k_q >= 2).then(|| dist::chisq_sf(q, q_df as f64));
        let decision = model_rule::decide(o.model, o.tau2_method, q_p);

        let mut pooling = o.pooling;
        let mut cmh = None;
        let mut weights = None;
        let mut tau2_est = None;
        let mut random_fit = None;
        let pooled = match (decision.effects, o.pooling) {
            (None, _) => Computed::absent(
                "no pooled estimate: heterogeneity too high under the analysis's model rule",
            ),
            (Some(Effects::Fixed), Pooling::MantelHaenszel) => match &mh {
                Some(m) => {
                    weights = Some(m.weights_pct.clone());
                    if o.measure == Measure::OR {
                        cmh = mantel_haenszel::cmh_test(&tables);
                    }
                    Computed::Value(wald(m.estimate, m.se, o.level))
                }
                None => Computed::absent(
                    "the Mantel–Haenszel estimate does not exist: no events in one arm of every study",
                ),
            },
            (Some(Effects::Fixed), Pooling::Peto) => match &pt {
                Some(p) => {
                    weights = Some(p.weights_pct.clone());
                    Computed::Value(wald(p.estimate, p.se, o.level))
                }
                None => {
                    Computed::absent("Peto’s method needs studies with both events and non-events")
                }
            },
            (Some(Effects::Fixed), Pooling::InverseVariance) => {
                weights = Some(fit::weights_pct(&v, 0.0));
                Computed::Value(pooled_of(fixed_fit.pooled(), fixed_fit.df))
            }
            (Some(effects @ Effects::Random(method)), _) => {
                let f = if o.pooling == Pooling::MantelHaenszel && k_q >= 2 {
                    // RevMan's "M-H, Random": DerSimonian–Laird τ² from the Q around the MH estimate.
                    if method != Tau2Method::DL && main && context.is_empty() {
                        warnings.push(Warning {
                            code: "mh_random_dl",
                            message: "Mantel–Haenszel random effects use the DerSimonian–Laird τ² from the Mantel–Haenszel Q (as RevMan)".into(),
                        });
                    }
                    let sw: f64 = vq.iter().map(|vi| 1.0 / vi).sum();
                    let sw2: f64 = vq.iter().map(|vi| 1.0 / (vi * vi)).sum();
                    let raw = (q - q_df as f64) / (sw - sw2 / sw);
                    if k_q == k {
                        mh_random_fit(&yq, &vq, raw, o, &fixed_fit)
                    } else {
                        let fixed_q = self.fit_iv(&yq, &vq, Effects::Fixed, warnings, context);
                        mh_random_fit(&yq, &vq, raw, o, &fixed_q)
                    }
                } else {
                    if o.pooling != Pooling::InverseVariance {
                        pooling = Pooling::InverseVariance;
                        if o.pooling == Pooling::Peto && main && context.is_empty() {
                            warnings.push(Warning {
                                code: "peto_random_iv",
                                message: "Peto’s method is fixed-effect only (as in RevMan and metafor’s rma.peto); under random effects the Peto log odds ratios were pooled by inverse variance".into(),
                            });
                        }
                    }
                    self.fit_iv(&y, &v, effects, warnings, context)
                };
                tau2_est = f.tau2;
                weights = Some(if pooling == Pooling::MantelHaenszel {
                    // Studies outside Q carry no weight in the MH random-effects pool.
                    let mut wq = fit::weights_pct(&vq, f.tau2_value()).into_iter();
                    (0..k)
                        .map(|i| {
                            if in_q.get(i).copied().unwrap_or(true) {
                                wq.next().unwrap_or(0.0)
                            } else {
                                0.0
                            }
                        })
                        .collect()
                } else {
                    fit::weights_pct(&v, f.tau2_value())
                });
                let p = pooled_of(f.pooled(), f.df);
                random_fit = Some(f);
                Computed::Value(p)
            }
        };
        if decision.effects.is_none() && k >= 2 {
            // Report τ² from the random-effects model the rule would otherwise use.
            let f = self.fit_iv(&y, &v, Effects::Random(o.tau2_method), warnings, context);
            tau2_est = f.tau2;
            random_fit = Some(f);
        }
        if o.ci == CiMethod::Hksj && k >= 2 && main && context.is_empty() {
            let applied = pooled.value().is_some_and(|p| p.df.is_some());
            let model = match decision.effects {
                Some(Effects::Fixed) => "fixed-effect",
                _ => "random-effects",
            };
            let message = match (decision.effects, applied) {
                (None, _) => None,
                (Some(Effects::Fixed), true) => Some("the Hartung–Knapp–Sidik–Jonkman interval is meant for random-effects models; it was applied to the fixed-effect model as asked (metafor warns likewise)".to_string()),
                (Some(_), true) => None,
                (Some(_), false) => Some(format!(
                    "the Hartung–Knapp–Sidik–Jonkman interval does not apply to {} {model} pooling; the Wald z interval is shown",
                    pooling.name()
                )),
            };
            if let Some(message) = message {
                warnings.push(Warning {
                    code: "hksj_not_random",
                    message,
                });
            }
        }
        if k == 1 && o.ci == CiMethod::Hksj && main && context.is_empty() {
            warnings.push(Warning {
                code: "hksj_single_study",
                message:
                    "one study: the Hartung–Knapp adjustment needs k ≥ 2; a z interval is shown"
                        .into(),
            });
        }

        let heterogeneity = if k < 2 {
            Computed::absent(ONE_STUDY)
        } else if k_q < 2 {
            Computed::absent(
                "fewer than two studies have events (and non-events) in some arm: heterogeneity around the Mantel–Haenszel estimate cannot be assessed",
            )
        } else {
            let tau2 = tau2_est.map_or(0.0, |t| t.tau2);
            let df = q_df as f64;
            let from_q = (
                if q > 0.0 {
                    (100.0 * (q - df) / q).max(0.0)
                } else {
                    0.0
                },
                q / df,
            );
            let (i2, h2) = match &random_fit {
                Some(f) if !o.i2_from_q => (f.i2, f.h2),
                _ => from_q,
            };
            let ci = match (&random_fit, main) {
                (Some(f), true) => {
                    match qprofile::q_profile(&y, &v, Design::Intercept, tau2, f.vt, o.level) {
                        Ok(mut ci) => {
                            if o.i2_ci == qprofile::I2Interval::HigginsThompson
                                && let Some((i2, h2)) =
                                    i2_interval::higgins_thompson(q, q_df, o.level)
                            {
                                ci.i2 = i2;
                                ci.h2 = h2;
                                ci.i2_method = qprofile::I2Interval::HigginsThompson;
                            }
                            if ci.upper_bound == Bound::SearchLimit && context.is_empty() {
                                warnings.push(Warning {
                                code: "qprofile_limit",
                                message: format!(
                                    "the upper Q-profile limit for τ² lies beyond the search interval (0 to {:.4}); as in metafor, the end of the interval is reported, as a lower bound for the limit",
                                    ci.search_limit
                                ),
                            });
                            }
                            Computed::Value(ci)
                        }
                        Err(e) => Computed::absent(format!(
                            "the Q-profile interval could not be computed: {e}"
                        )),
                    }
                }
                (Some(_), false) => Computed::absent("not computed for sensitivity refits"),
                (None, _) => Computed::absent("fixed-effect model: τ² is 0 by assumption"),
            };
            if let Some(t) = tau2_est
                && t.truncated
                && main
                && context.is_empty()
            {
                warnings.push(Warning {
                    code: "tau2_truncated",
                    message: format!(
                        "the {} estimate of τ² was negative or zero and was truncated at 0",
                        t.method.name()
                    ),
                });
            }
            Computed::Value(Heterogeneity {
                q,
                df: q_df,
                p: q_p.unwrap_or(1.0),
                tau2,
                tau: tau2.sqrt(),
                i2,
                h2,
                tau2_method: tau2_est.map(|t| t.method),
                tau2_truncated: tau2_est.is_some_and(|t| t.truncated),
                ci,
            })
        };

        let prediction = match (&random_fit, decision.effects) {
            (Some(f), Some(Effects::Random(_))) if k >= 2 => Computed::Value(Prediction {
                metafor: prediction::metafor(f, o.level),
                higgins_t: Computed::from_option(
                    prediction::higgins_t(f, o.level),
                    "the Higgins–Thompson–Spiegelhalter interval needs at least 3 studies",
                ),
                shown: o.prediction,
            }),
            (_, None) => Computed::absent("no pooled estimate"),
            (_, Some(Effects::Fixed)) => Computed::absent(
                "fixed-effect model: a prediction interval equals the confidence interval",
            ),
            _ => Computed::absent("a prediction interval needs at least 2 studies"),
        };

        Pool {
            k,
            pooling,
            decision,
            pooled,
            heterogeneity,
            prediction,
            cmh,
            weights_pct: if main { weights } else { None },
        }
    }
}

/// Random-effects fit with a given raw DL τ² (RevMan's Mantel–Haenszel random effects).
fn mh_random_fit(y: &[f64], v: &[f64], raw_tau2: f64, o: &Options, fixed: &ModelFit) -> ModelFit {
    let tau2 = raw_tau2.max(0.0);
    let w: Vec<f64> = v.iter().map(|vi| 1.0 / (vi + tau2)).collect();
    let sw: f64 = w.iter().sum();
    let est = y.iter().zip(&w).map(|(yi, wi)| yi * wi).sum::<f64>() / sw;
    let p = wald(est, (1.0 / sw).sqrt(), o.level);
    ModelFit {
        k: y.len(),
        coefficients: vec![fit::Coefficient {
            estimate: p.estimate,
            se: p.se,
            statistic: p.statistic,
            p: p.p,
            ci_lower: p.ci_lower,
            ci_upper: p.ci_upper,
        }],
        df: None,
        tau2: Some(crate::stats::tau2::Tau2Estimate {
            tau2,
            method: Tau2Method::DL,
            iterations: None,
            bracketed: false,
            truncated: raw_tau2 <= 0.0,
        }),
        q: fixed.q,
        q_df: fixed.q_df,
        q_p: fixed.q_p,
        vt: fixed.vt,
        i2: 100.0 * tau2 / (fixed.vt + tau2),
        h2: tau2 / fixed.vt + 1.0,
        s2w: 1.0,
    }
}
