//! Subgroup analysis: each subgroup pooled (with its own or a common τ²) and the test for
//! subgroup differences.

use super::pool::{ONE_STUDY, wald};
use super::{AnalysisError, Ctx, Heterogeneity, Pool, Pooling, SubgroupResult, Subgroups, Warning};
use crate::stats::computed::Computed;
use crate::stats::fit::{self, CiMethod, Effects};
use crate::stats::model_rule::{DecisionReason, ModelDecision};
use crate::stats::regression::Design;
use crate::stats::subgroup;

impl Ctx<'_> {
    pub(super) fn subgroups(
        &self,
        warnings: &mut Vec<Warning>,
    ) -> Result<Subgroups, AnalysisError> {
        let group_of = |i: usize| {
            self.inputs[self.inc[i].input]
                .subgroup
                .as_deref()
                .unwrap_or_default()
        };
        let mut names: Vec<&str> = Vec::new();
        for i in 0..self.inc.len() {
            if !names.contains(&group_of(i)) {
                names.push(group_of(i));
            }
        }
        let members: Vec<Vec<usize>> = names
            .iter()
            .map(|g| (0..self.inc.len()).filter(|&i| group_of(i) == *g).collect())
            .collect();
        let common_tau2 = if self.opts.common_tau2 && names.len() >= 2 {
            Some(self.common_tau2(&members))
        } else {
            None
        };
        let mut groups = Vec::new();
        for (g, m) in names.iter().zip(&members) {
            let pool = match common_tau2 {
                Some(t2) => self.pool_with_tau2(m, t2),
                None => self.pool(m, true, warnings, &format!("subgroup {g}: ")),
            };
            groups.push(SubgroupResult {
                name: g.to_string(),
                studies: m.clone(),
                pool,
            });
        }
        let estimates: Vec<(f64, f64)> = groups
            .iter()
            .filter_map(|g| g.pool.pooled.value().map(|p| (p.estimate, p.se)))
            .collect();
        let difference = Computed::from_option(
            subgroup::difference(&estimates),
            "fewer than two subgroups have a pooled estimate",
        );
        Ok(Subgroups {
            groups,
            difference,
            common_tau2,
        })
    }

    /// τ² from the mixed-effects model with one coefficient per subgroup.
    pub(super) fn common_tau2(&self, members: &[Vec<usize>]) -> f64 {
        let n = self.inc.len();
        let p = members.len();
        let mut x = vec![0.0; n * p];
        let mut order = Vec::with_capacity(n);
        for (g, m) in members.iter().enumerate() {
            for &i in m {
                x[order.len() * p + g] = 1.0;
                order.push(i);
            }
        }
        let (y, v) = self.yv(&order);
        crate::stats::tau2::estimate(
            self.opts.tau2_method,
            &y,
            &v,
            Design::Matrix { p, x: &x },
            &self.opts.control,
        )
        .map_or(0.0, |t| t.tau2)
    }

    /// A subgroup pooled with a given (common) τ².
    pub(super) fn pool_with_tau2(&self, members: &[usize], tau2: f64) -> Pool {
        let o = self.opts;
        let (y, v) = self.yv(members);
        let k = members.len();
        let w: Vec<f64> = v.iter().map(|vi| 1.0 / (vi + tau2)).collect();
        let sw: f64 = w.iter().sum();
        let est = y.iter().zip(&w).map(|(yi, wi)| yi * wi).sum::<f64>() / sw;
        let fixed = fit::pool(&y, &v, Effects::Fixed, CiMethod::Z, o.level, &o.control)
            .expect("fixed-effect fits cannot fail");
        let heterogeneity = if k < 2 {
            Computed::absent(ONE_STUDY)
        } else {
            let vt = fixed.vt;
            Computed::Value(Heterogeneity {
                q: fixed.q,
                df: k - 1,
                p: fixed.q_p,
                tau2,
                tau: tau2.sqrt(),
                i2: 100.0 * tau2 / (vt + tau2),
                h2: tau2 / vt + 1.0,
                tau2_method: Some(o.tau2_method),
                tau2_truncated: tau2 == 0.0,
                ci: Computed::absent("τ² is shared by all subgroups"),
            })
        };
        Pool {
            k,
            pooling: Pooling::InverseVariance,
            decision: ModelDecision {
                effects: Some(Effects::Random(o.tau2_method)),
                reason: DecisionReason::AsSpecified,
                rule_q_p: None,
            },
            pooled: Computed::Value(wald(est, (1.0 / sw).sqrt(), o.level)),
            heterogeneity,
            prediction: Computed::absent("not computed with a common τ²"),
            cmh: None,
            weights_pct: Some(w.iter().map(|wi| 100.0 * wi / sw).collect()),
        }
    }
}
