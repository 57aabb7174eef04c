//! Presets: named sets of defaults, and the resolution of every model setting to a value and
//! where it came from (outcome, review defaults, preset, or built-in), so that the results
//! record exactly what was run.

use serde::Serialize;

use super::raw::*;
use crate::stats::qprofile::I2Interval;
use crate::stats::{Measure, Tau2Method};

/// A named set of defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    Metafor,
    Revman5,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Metafor => "metafor",
            Preset::Revman5 => "revman5",
        }
    }

    /// The preset's model settings for a measure.
    pub fn model(self, measure: Measure) -> RawModel {
        let binary_mh = matches!(measure, Measure::OR | Measure::RR | Measure::RD);
        match self {
            Preset::Metafor => RawModel {
                pooling: Some(if measure == Measure::PetoOR {
                    RawPooling::Peto
                } else {
                    RawPooling::InverseVariance
                }),
                effects: Some(if measure == Measure::PetoOR {
                    RawEffects::Fixed
                } else {
                    RawEffects::Random
                }),
                rule: None,
                tau2: Some(Tau2Method::REML),
                ci: Some(RawCi::Z),
                prediction: Some(RawPrediction::Metafor),
                i2: Some(RawI2::FromTau2),
                i2_ci: Some(I2Interval::QProfile),
                level: Some(0.95),
                // escalc's defaults: add = 1/2, to = "only0", drop00 = FALSE (double-zero
                // studies kept, 0.5 added to their cells). rma.mh and rma.peto drop them
                // (drop00 = TRUE): `model.rs` follows the pooling chosen.
                continuity: Some(RawContinuity {
                    add: Some(0.5),
                    to: Some(RawCorrectTo::OnlyZero),
                    kind: Some(RawCorrectionKind::Constant),
                    double_zero: Some(RawDoubleZero::Include),
                }),
                se_from_ci: Some(RawSeFromCi::Exact),
                smd: Some(crate::stats::smd_revman::SmdMethod::Exact),
            },
            Preset::Revman5 => RawModel {
                pooling: Some(if measure == Measure::PetoOR {
                    RawPooling::Peto
                } else if binary_mh {
                    RawPooling::MantelHaenszel
                } else {
                    RawPooling::InverseVariance
                }),
                effects: Some(if measure == Measure::PetoOR {
                    RawEffects::Fixed
                } else {
                    RawEffects::Random
                }),
                rule: None,
                tau2: Some(Tau2Method::DL),
                ci: Some(RawCi::Z),
                prediction: Some(RawPrediction::None),
                i2: Some(RawI2::FromQ),
                i2_ci: Some(I2Interval::QProfile),
                level: Some(0.95),
                continuity: None,
                se_from_ci: Some(RawSeFromCi::Revman),
                smd: Some(crate::stats::smd_revman::SmdMethod::Revman),
            },
        }
    }
}

/// One setting as resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    /// Setting name as in the spec ("tau2").
    pub name: &'static str,
    /// Its value as it would be written in the spec.
    pub value: String,
    /// Where it came from: "outcome", "review defaults", "preset metafor", "built-in".
    pub source: String,
}

/// The layers a setting can come from, most specific first.
pub struct Layers<'a> {
    pub outcome: Option<&'a RawModel>,
    pub review: Option<&'a RawModel>,
    pub preset: (Preset, RawModel),
}

impl Layers<'_> {
    /// Picks a setting from the first layer that has it, recording the source.
    pub fn pick<T: Clone>(
        &self,
        name: &'static str,
        get: impl Fn(&RawModel) -> Option<T>,
        show: impl Fn(&T) -> String,
        builtin: T,
        settings: &mut Vec<Setting>,
    ) -> T {
        let (value, source) = if let Some(v) = self.outcome.and_then(&get) {
            (v, "outcome".to_string())
        } else if let Some(v) = self.review.and_then(&get) {
            (v, "review defaults".to_string())
        } else if let Some(v) = get(&self.preset.1) {
            (v, format!("preset {}", self.preset.0.name()))
        } else {
            (builtin, "built-in".to_string())
        };
        settings.push(Setting {
            name,
            value: show(&value),
            source,
        });
        value
    }
}
