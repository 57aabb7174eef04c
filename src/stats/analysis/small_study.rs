//! Small-study tests: Egger (both forms), Begg, trim-and-fill.

use super::{BiasResults, Ctx, Pool, Warning};
use crate::stats::bias;
use crate::stats::computed::Computed;
use crate::stats::fit::Effects;
use crate::stats::trimfill;

impl Ctx<'_> {
    pub(super) fn bias(&self, overall: &Pool, warnings: &mut Vec<Warning>) -> Option<BiasResults> {
        let b = self.opts.bias;
        if !(b.egger || b.begg || b.trim_and_fill) {
            return None;
        }
        let o = self.opts;
        let k = self.inc.len();
        let (y, v) = self.yv(&(0..k).collect::<Vec<_>>());
        let effects = overall
            .decision
            .effects
            .unwrap_or(Effects::Random(o.tau2_method));
        let few = if k < 3 {
            "needs at least 3 studies"
        } else {
            "every study has the same effect: the test is undefined"
        };
        if k < b.min_studies {
            let why = format!(
                "fewer than {} studies (k = {k}): tests for funnel-plot asymmetry are not advised with so few studies (Cochrane Handbook, chapter 13; Sterne et al. 2011)",
                b.min_studies
            );
            return Some(BiasResults {
                effects,
                egger: b.egger.then(|| Computed::absent(why.clone())),
                egger_meta_regression: b.egger.then(|| Computed::absent(why.clone())),
                begg: b.begg.then(|| Computed::absent(why.clone())),
                trim_and_fill: b.trim_and_fill.then(|| Computed::absent(why.clone())),
            });
        }
        if b.egger && k < 10 {
            warnings.push(Warning {
                code: "egger_few_studies",
                message: format!("Egger’s test with {k} studies (fewer than 10) has low power (Sterne et al. 2011)"),
            });
        }
        fn model_based<T, E: std::fmt::Display>(r: Result<Option<T>, E>) -> Computed<T> {
            match r {
                Ok(Some(x)) => Computed::Value(x),
                Ok(None) => Computed::absent("needs at least 3 studies"),
                Err(e) => Computed::absent(format!("could not be fitted: {e}")),
            }
        }
        Some(BiasResults {
            effects,
            egger: b
                .egger
                .then(|| Computed::from_option(bias::egger(&y, &v), few)),
            egger_meta_regression: b.egger.then(|| {
                model_based(bias::egger_meta_regression(
                    &y, &v, effects, o.ci, o.level, &o.control,
                ))
            }),
            begg: b
                .begg
                .then(|| Computed::from_option(bias::begg(&y, &v), few)),
            trim_and_fill: b.trim_and_fill.then(|| {
                model_based(trimfill::trim_and_fill(
                    &y,
                    &v,
                    effects,
                    o.ci,
                    o.level,
                    &o.control,
                    b.trimfill_control.as_ref().unwrap_or(&o.control),
                ))
            }),
        })
    }
}
