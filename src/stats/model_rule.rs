//! Choosing the model, including the seed review's heterogeneity rule: a fixed-effect model
//! when the Q test's p ≥ 0.5, random effects when 0.05 ≤ p < 0.5, and no pooled estimate when
//! p < 0.05 (thresholds configurable). The decision and its reason are part of the result so
//! that the report can state them.

use serde::Serialize;

use super::fit::Effects;
use super::tau2::Tau2Method;

/// What the analysis asks for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "choice", rename_all = "snake_case")]
pub enum ModelChoice {
    /// Always a fixed-effect model.
    Fixed,
    /// Always random effects.
    Random,
    /// Decide from the heterogeneity test.
    HeterogeneityRule {
        /// Fixed effect when p ≥ this (0.5).
        fixed_if_p_at_least: f64,
        /// No pooled estimate when p < this (0.05).
        no_pooling_if_p_below: f64,
    },
}

impl ModelChoice {
    /// The seed review's rule with its thresholds.
    pub const SEED_RULE: ModelChoice = ModelChoice::HeterogeneityRule {
        fixed_if_p_at_least: 0.5,
        no_pooling_if_p_below: 0.05,
    };
}

/// Why a model was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionReason {
    /// The analysis asked for this model.
    AsSpecified,
    /// One study: nothing to test or pool; its own estimate is shown.
    SingleStudy,
    /// The rule: heterogeneity p at or above the fixed-effect threshold.
    RuleFixed,
    /// The rule: heterogeneity p between the thresholds.
    RuleRandom,
    /// The rule: heterogeneity p below the no-pooling threshold.
    RuleNoPooling,
}

/// The model that was used for one pooled estimate, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelDecision {
    /// The effects model, or `None` when no pooled estimate is reported.
    pub effects: Option<Effects>,
    /// Why.
    pub reason: DecisionReason,
    /// The heterogeneity p-value the rule was applied to, if the rule was used.
    pub rule_q_p: Option<f64>,
}

/// Applies the choice, given the heterogeneity test's p-value (None when k = 1).
pub fn decide(choice: ModelChoice, tau2_method: Tau2Method, q_p: Option<f64>) -> ModelDecision {
    let random = Effects::Random(tau2_method);
    let d = |effects, reason, rule_q_p| ModelDecision {
        effects,
        reason,
        rule_q_p,
    };
    match choice {
        ModelChoice::Fixed => d(Some(Effects::Fixed), DecisionReason::AsSpecified, None),
        ModelChoice::Random => d(Some(random), DecisionReason::AsSpecified, None),
        ModelChoice::HeterogeneityRule {
            fixed_if_p_at_least,
            no_pooling_if_p_below,
        } => match q_p {
            None => d(Some(Effects::Fixed), DecisionReason::SingleStudy, None),
            Some(p) if p >= fixed_if_p_at_least => {
                d(Some(Effects::Fixed), DecisionReason::RuleFixed, Some(p))
            }
            Some(p) if p >= no_pooling_if_p_below => {
                d(Some(random), DecisionReason::RuleRandom, Some(p))
            }
            Some(p) => d(None, DecisionReason::RuleNoPooling, Some(p)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_rule_at_its_boundaries() {
        let at = |p| decide(ModelChoice::SEED_RULE, Tau2Method::DL, Some(p));
        assert_eq!(at(0.5).effects, Some(Effects::Fixed));
        assert_eq!(at(0.4999).effects, Some(Effects::Random(Tau2Method::DL)));
        assert_eq!(at(0.05).effects, Some(Effects::Random(Tau2Method::DL)));
        assert_eq!(at(0.0499).effects, None);
        assert_eq!(at(0.0499).reason, DecisionReason::RuleNoPooling);
    }
}
