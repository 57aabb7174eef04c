//! An outcome's model settings (outcome, review defaults, preset) → the core's [`Options`].

use super::{Resolver, word};
use crate::data::InputKind;
use crate::spec::preset::{Layers, Preset, Setting};
use crate::spec::raw::*;
use crate::stats::analysis::{Options, Pooling};
use crate::stats::effect::{CiRule, Continuity, CorrectionKind, CorrectionScope};
use crate::stats::qprofile::I2Interval;
use crate::stats::tau2::Control;
use crate::stats::{CiMethod, Measure, ModelChoice, PredictionKind, Tau2Method};

/// The resolved model of an outcome.
pub(super) struct Model {
    pub options: Options,
    /// Every setting with its source.
    pub settings: Vec<Setting>,
    /// True when `effects: rule` is in force.
    pub uses_rule: bool,
}

pub(super) fn model(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    kind: InputKind,
    defaults: Option<&RawModel>,
    preset: Preset,
) -> Model {
    let measure = o.measure;
    let layers = Layers {
        outcome: o.model.as_ref(),
        review: defaults,
        preset: (preset, preset.model(o.measure)),
    };
    let mut settings = Vec::new();
    let mut pooling = layers.pick(
        "pooling",
        |m| m.pooling,
        word,
        RawPooling::InverseVariance,
        &mut settings,
    );
    // RevMan 5 pools 2×2 counts of OR, RR or RD by Mantel–Haenszel, but effect estimates (its
    // "generic inverse variance" outcomes: estimate and SE, or a CI) only by inverse variance.
    // The preset follows it by the data's kind; a pooling set in the spec is kept (and checked).
    if preset == Preset::Revman5
        && pooling == RawPooling::MantelHaenszel
        && kind != InputKind::Binary
        && let Some(s) = settings
            .iter_mut()
            .find(|s| s.name == "pooling" && s.source == "preset revman5")
    {
        pooling = RawPooling::InverseVariance;
        s.value = word(&pooling);
        s.source = "preset revman5 (generic inverse variance for effect estimates)".into();
    }
    let effects = layers.pick(
        "effects",
        |m| m.effects,
        word,
        RawEffects::Random,
        &mut settings,
    );
    let rule = layers.pick(
        "rule",
        |m| m.rule,
        |r: &RawRule| {
            format!(
                "fixed if p ≥ {}, no pooling if p < {}",
                r.fixed_if_p_at_least, r.no_pooling_if_p_below
            )
        },
        RawRule {
            fixed_if_p_at_least: 0.5,
            no_pooling_if_p_below: 0.05,
        },
        &mut settings,
    );
    if effects != RawEffects::Rule {
        settings.retain(|s| s.name != "rule");
    }
    let tau2 = layers.pick("tau2", |m| m.tau2, word, Tau2Method::REML, &mut settings);
    let ci = layers.pick("ci", |m| m.ci, word, RawCi::Z, &mut settings);
    let prediction = layers.pick(
        "prediction",
        |m| m.prediction,
        word,
        RawPrediction::Metafor,
        &mut settings,
    );
    let i2 = layers.pick("i2", |m| m.i2, word, RawI2::FromTau2, &mut settings);
    let i2_ci = layers.pick(
        "i2_ci",
        |m| m.i2_ci,
        word,
        I2Interval::QProfile,
        &mut settings,
    );
    let level = layers.pick("level", |m| m.level, |l| l.to_string(), 0.95, &mut settings);
    let se_from_ci = layers.pick(
        "se_from_ci",
        |m| m.se_from_ci,
        word,
        RawSeFromCi::Exact,
        &mut settings,
    );
    let smd = layers.pick(
        "smd",
        |m| m.smd,
        word,
        crate::stats::smd_revman::SmdMethod::Exact,
        &mut settings,
    );
    let cont_layer = |f: fn(&RawContinuity) -> Option<String>| {
        move |m: &RawModel| m.continuity.as_ref().and_then(f)
    };
    let add = layers.pick(
        "continuity.add",
        cont_layer(|c| c.add.map(|a| a.to_string())),
        Clone::clone,
        "0.5".into(),
        &mut settings,
    );
    let to = layers.pick(
        "continuity.to",
        cont_layer(|c| c.to.map(|t| word(&t))),
        Clone::clone,
        "only-zero".into(),
        &mut settings,
    );
    let ckind = layers.pick(
        "continuity.kind",
        cont_layer(|c| c.kind.map(|t| word(&t))),
        Clone::clone,
        "constant".into(),
        &mut settings,
    );
    let dz = layers.pick(
        "continuity.double_zero",
        cont_layer(|c| c.double_zero.map(|t| word(&t))),
        Clone::clone,
        "exclude".into(),
        &mut settings,
    );
    // The metafor preset keeps double-zero studies as escalc does (drop00 = FALSE); its
    // Mantel–Haenszel and Peto methods drop them (rma.mh, rma.peto: drop00 = TRUE).
    let preset_source = format!("preset {}", Preset::Metafor.name());
    let dz = match settings
        .iter_mut()
        .find(|s| s.name == "continuity.double_zero")
    {
        Some(s)
            if preset == Preset::Metafor
                && s.source == preset_source
                && matches!(pooling, RawPooling::MantelHaenszel | RawPooling::Peto) =>
        {
            s.value = "exclude".into();
            s.source = format!(
                "preset metafor ({}: drop00 = TRUE)",
                if pooling == RawPooling::Peto {
                    "rma.peto"
                } else {
                    "rma.mh"
                }
            );
            "exclude".to_string()
        }
        _ => dz,
    };
    if kind != InputKind::Binary {
        settings.retain(|s| !s.name.starts_with("continuity"));
    }
    if kind != InputKind::EstimateCi {
        settings.retain(|s| s.name != "se_from_ci");
    }
    if measure != crate::stats::Measure::SMD {
        settings.retain(|s| s.name != "smd");
    }
    if !(level > 0.0 && level < 1.0) {
        r.error(
            &format!("{path}.model.level"),
            format!(
                "the confidence level must lie between 0 and 1 (e.g. 0.95), found {}",
                crate::diag::number(level)
            ),
            None,
        );
    }
    let in_unit = |p: f64| (0.0..=1.0).contains(&p);
    if effects == RawEffects::Rule
        && !(in_unit(rule.no_pooling_if_p_below) && in_unit(rule.fixed_if_p_at_least))
    {
        r.error(
            &format!("{path}.model.rule"),
            format!(
                "the rule's thresholds are p-values and must lie between 0 and 1, found {} and {}",
                crate::diag::number(rule.fixed_if_p_at_least),
                crate::diag::number(rule.no_pooling_if_p_below)
            ),
            None,
        );
    } else if effects == RawEffects::Rule
        && (rule.no_pooling_if_p_below > rule.fixed_if_p_at_least
            || rule.no_pooling_if_p_below.is_nan()
            || rule.fixed_if_p_at_least.is_nan())
    {
        r.error(
            &format!("{path}.model.rule"),
            format!(
                "the p below which nothing is pooled ({}) must not exceed the p from which the fixed-effect model is used ({})",
                rule.no_pooling_if_p_below, rule.fixed_if_p_at_least
            ),
            None,
        );
    }
    let pooling = match pooling {
        RawPooling::InverseVariance => Pooling::InverseVariance,
        RawPooling::MantelHaenszel => Pooling::MantelHaenszel,
        RawPooling::Peto => Pooling::Peto,
    };
    match pooling {
        Pooling::MantelHaenszel
            if !(kind == InputKind::Binary
                && matches!(measure, Measure::OR | Measure::RR | Measure::RD)) =>
        {
            r.error(
                &format!("{path}.model.pooling"),
                format!(
                    "Mantel–Haenszel pooling needs binary data and OR, RR or RD (here {} data, {})",
                    kind.name(),
                    measure.code()
                ),
                Some(if kind == InputKind::Binary {
                    format!(
                        "set `measure:` to OR, RR or RD, or `pooling: inverse-variance` under `model:` to pool {} by inverse variance",
                        measure.code()
                    )
                } else if matches!(measure, Measure::OR | Measure::RR | Measure::RD) {
                    "set `pooling: inverse-variance` under `model:` (Mantel–Haenszel needs each study's 2×2 counts; estimates are pooled by inverse variance, as RevMan 5's generic inverse variance outcomes are), or give the counts (events and totals of both arms)".into()
                } else {
                    "set `pooling: inverse-variance` under `model:` (Mantel–Haenszel pools only 2×2 counts, by OR, RR or RD)".into()
                }),
            );
        }
        Pooling::Peto if !(kind == InputKind::Binary && measure == Measure::PetoOR) => {
            r.error(
                &format!("{path}.model.pooling"),
                "Peto pooling needs binary data and the measure PETO_OR",
                None,
            );
        }
        _ => {}
    }
    let mut options = Options::new(measure);
    options.pooling = pooling;
    options.model = match effects {
        RawEffects::Fixed => ModelChoice::Fixed,
        RawEffects::Random => ModelChoice::Random,
        RawEffects::Rule => ModelChoice::HeterogeneityRule {
            fixed_if_p_at_least: rule.fixed_if_p_at_least,
            no_pooling_if_p_below: rule.no_pooling_if_p_below,
        },
    };
    options.tau2_method = tau2;
    options.ci = if ci == RawCi::Hksj {
        CiMethod::Hksj
    } else {
        CiMethod::Z
    };
    options.prediction = match prediction {
        RawPrediction::Metafor => PredictionKind::Metafor,
        RawPrediction::HigginsT => PredictionKind::HigginsT,
        RawPrediction::None => PredictionKind::None,
    };
    options.i2_from_q = i2 == RawI2::FromQ;
    options.i2_ci = i2_ci;
    options.level = level;
    options.smd = smd;
    options.ci_rule = CiRule {
        level: 0.95,
        revman_392: se_from_ci == RawSeFromCi::Revman,
    };
    options.continuity = Continuity {
        add: add.parse().unwrap_or(0.5),
        to: match to.as_str() {
            "all" => CorrectionScope::All,
            "all-if-any-zero" => CorrectionScope::AllIfAnyZero,
            "none" => CorrectionScope::None,
            _ => CorrectionScope::OnlyZero,
        },
        kind: if ckind == "treatment-arm" {
            CorrectionKind::TreatmentArm
        } else {
            CorrectionKind::Constant
        },
        exclude_double_zero: dz != "include",
    };
    if !(0.0..=1.0).contains(&options.continuity.add) {
        r.error(
            &format!("{path}.model.continuity.add"),
            format!(
                "the increment must lie between 0 and 1 (usually 0.5), found {}",
                crate::diag::number(options.continuity.add)
            ),
            None,
        );
    }
    options.control = Control::default();
    Model {
        options,
        settings,
        uses_rule: effects == RawEffects::Rule,
    }
}
