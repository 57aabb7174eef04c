//! The review's `defaults:` section, as written (serde mirror, with its schema): the model
//! settings every outcome inherits (those of an outcome's `model:`), and the outcome-level
//! rules for rows without data (`missing:`) and repeated labels (`duplicate_labels:`), which an
//! outcome's own keys override.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::raw::{RawCi, RawContinuity, RawEffects, RawI2, RawModel, RawPooling, RawPrediction};
use super::raw::{RawRule, RawSeFromCi};
use crate::data::studies::{DuplicatePolicy, MissingPolicy};
use crate::stats::Tau2Method;

/// Settings for all outcomes: the model settings of `model:` (each optional; an outcome's own
/// `model:` overrides them, and they override the preset), and the row rules `missing:` and
/// `duplicate_labels:` (an outcome's own key overrides them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDefaults {
    /// `inverse-variance`, `mantel-haenszel` (binary OR/RR/RD) or `peto` (PETO_OR).
    pub pooling: Option<RawPooling>,
    /// `fixed`, `random`, or `rule`: decide from the heterogeneity test (see `rule`).
    pub effects: Option<RawEffects>,
    /// Thresholds of the heterogeneity rule.
    pub rule: Option<RawRule>,
    /// τ² estimator for random effects.
    pub tau2: Option<Tau2Method>,
    /// Test and interval of the pooled effect: `z` (Wald) or `hksj` (Hartung–Knapp–Sidik–Jonkman).
    pub ci: Option<RawCi>,
    /// Prediction interval to show: `metafor`, `higgins-t` or `none`.
    pub prediction: Option<RawPrediction>,
    /// I² from τ² (metafor) or from Q (RevMan, Higgins & Thompson 2002).
    pub i2: Option<RawI2>,
    /// Confidence interval of I² and H²: `q-profile` or `higgins-thompson`.
    pub i2_ci: Option<crate::stats::qprofile::I2Interval>,
    /// Confidence level, e.g. 0.95.
    pub level: Option<f64>,
    /// Zero-cell correction for binary data.
    pub continuity: Option<RawContinuity>,
    /// Standard error from a reported 95% CI: `exact` or `revman` (width / 3.92).
    pub se_from_ci: Option<RawSeFromCi>,
    /// Standardised mean difference: `exact` (metafor) or `revman` (RevMan 5's formulas).
    pub smd: Option<crate::stats::smd_revman::SmdMethod>,
    /// Rows whose outcome cells are all empty or `NA`, in every outcome that does not say:
    /// `exclude` (default; listed as not reporting the outcome) or `error`.
    pub missing: Option<MissingPolicy>,
    /// Repeated study labels, in every outcome that does not say: `error` (default; the
    /// message proposes a label) or `suffix` (letters a, b in row order).
    pub duplicate_labels: Option<DuplicatePolicy>,
}

impl RawDefaults {
    /// The model settings, as an outcome's `model:` holds them.
    pub fn model(&self) -> RawModel {
        RawModel {
            pooling: self.pooling,
            effects: self.effects,
            rule: self.rule,
            tau2: self.tau2,
            ci: self.ci,
            prediction: self.prediction,
            i2: self.i2,
            i2_ci: self.i2_ci,
            level: self.level,
            continuity: self.continuity,
            se_from_ci: self.se_from_ci,
            smd: self.smd,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every setting of `model:` can be a default (the two structs are kept in step).
    #[test]
    fn every_model_setting_is_a_default() {
        let m = serde_json::to_value(schemars::schema_for!(RawModel)).unwrap();
        let d = serde_json::to_value(schemars::schema_for!(RawDefaults)).unwrap();
        for k in m["properties"].as_object().unwrap().keys() {
            assert!(
                d["properties"].get(k).is_some(),
                "`{k}` is not in RawDefaults"
            );
        }
    }
}
