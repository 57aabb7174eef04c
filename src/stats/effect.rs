//! Per-study effect sizes and sampling variances (metafor's `escalc`).
//!
//! | data | measure | yi | vi |
//! |---|---|---|---|
//! | binary | OR | ln(ad / bc) | 1/a + 1/b + 1/c + 1/d |
//! | binary | RR | ln(a/n₁) − ln(c/n₂) | 1/a − 1/n₁ + 1/c − 1/n₂ |
//! | binary | RD | a/n₁ − c/n₂ | p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂ |
//! | binary | PETO_OR | (a − E)/V | 1/V (Yusuf et al. 1985) |
//! | continuous | MD | m₁ − m₂ | s₁²/n₁ + s₂²/n₂ |
//! | continuous | SMD | J·(m₁ − m₂)/s_p, exact J (Hedges 1981) | 1/n₁ + 1/n₂ + yi²/(2(n₁+n₂)) |
//! | estimate + CI | ratio | ln(est) | ((ln up − ln lo) / (2·z))² |
//! | correlation | ZCOR | atanh(r) | 1/(n − 3) |
//!
//! Zero cells: by default 0.5 is added to every cell of a study with a zero cell (metafor
//! `to = "only0"`, RevMan). Studies with no events (or only events) in both arms carry no
//! information on a ratio scale and are excluded from OR, RR and Peto analyses by default.

use serde::Serialize;

use super::dist;
use super::measure::{Measure, StudyData};

/// Which studies get a continuity correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionScope {
    /// Only studies with a zero cell (metafor `only0`, RevMan).
    OnlyZero,
    /// Every study.
    All,
    /// Every study, when any study has a zero cell (metafor `if0all`).
    AllIfAnyZero,
    /// No correction: studies with a zero cell cannot give an OR or RR and are excluded.
    None,
}

/// How the increment is split between the arms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionKind {
    /// The same increment in every cell.
    Constant,
    /// Treatment-arm correction (Sweeting, Sutton & Lambert 2004): each arm's increment is
    /// proportional to the reciprocal of the other arm's size, the two summing to twice the
    /// increment (n_t/N and n_c/N for the usual 0.5).
    TreatmentArm,
}

/// The continuity correction for binary data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Continuity {
    /// The increment (0.5 by default).
    pub add: f64,
    /// Which studies get it.
    pub to: CorrectionScope,
    /// How it is split between the arms.
    pub kind: CorrectionKind,
    /// Exclude studies with no events (or only events) in both arms from OR, RR and Peto.
    pub exclude_double_zero: bool,
}

impl Default for Continuity {
    fn default() -> Self {
        Continuity {
            add: 0.5,
            to: CorrectionScope::OnlyZero,
            kind: CorrectionKind::Constant,
            exclude_double_zero: true,
        }
    }
}

/// How the standard error is derived from a reported confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CiRule {
    /// The confidence level of the reported intervals (0.95).
    pub level: f64,
    /// Use RevMan's rounded width 3.92 instead of 2·Φ⁻¹(0.975) = 3.919928.
    pub revman_392: bool,
}

impl Default for CiRule {
    fn default() -> Self {
        CiRule {
            level: 0.95,
            revman_392: false,
        }
    }
}

impl CiRule {
    /// The width of the interval in standard errors (2·z).
    pub fn width_in_se(&self) -> f64 {
        if self.revman_392 && (self.level - 0.95).abs() < 1e-12 {
            3.92
        } else {
            2.0 * dist::z_crit(self.level)
        }
    }
}

/// An invalid value in one study's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// The column/field at fault ("events_t").
    pub field: &'static str,
    /// What is wrong and what was expected.
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// The effect size of one included study.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EffectSize {
    /// Effect on the analysis scale.
    pub yi: f64,
    /// Its sampling variance.
    pub vi: f64,
    /// The increments added to the treatment and control cells, if a correction was applied.
    pub correction: Option<(f64, f64)>,
}

/// The outcome of computing one study's effect.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// The study contributes this effect.
    Included(EffectSize),
    /// The study cannot contribute, for the stated reason.
    Excluded(String),
}

/// Checks a study's data for values no analysis can use (non-finite numbers, negative
/// counts, events above the total, SD ≤ 0, n < 2, an interval that is empty or does not
/// contain its estimate). Returns every problem found.
pub fn validate(data: &StudyData, measure: Measure) -> Vec<FieldError> {
    if let Some(mut errors) = super::single_group::validate(data) {
        if errors.is_empty()
            && let Some(e) = unusable_effect(data, measure)
        {
            errors.push(e);
        }
        return errors;
    }
    let mut errors = super::single_group::validate_rom(data, measure);
    let finite = |field: &'static str, x: f64, errors: &mut Vec<FieldError>| {
        if !x.is_finite() {
            errors.push(err(field, format!("expected a finite number, found {x}")));
            false
        } else {
            true
        }
    };
    match *data {
        StudyData::Binary {
            events_t,
            total_t,
            events_c,
            total_c,
        } => {
            let mut ok = true;
            for (field, x) in [
                ("events_t", events_t),
                ("total_t", total_t),
                ("events_c", events_c),
                ("total_c", total_c),
            ] {
                if !finite(field, x, &mut errors) {
                    ok = false;
                } else if x < 0.0 {
                    errors.push(err(
                        field,
                        format!("a count cannot be negative (found {x})"),
                    ));
                    ok = false;
                } else if x.fract() != 0.0 {
                    errors.push(err(
                        field,
                        format!("expected a whole number of participants, found {x}"),
                    ));
                    ok = false;
                }
            }
            if ok {
                for (field, e, n) in [
                    ("events_t", events_t, total_t),
                    ("events_c", events_c, total_c),
                ] {
                    if e > n {
                        errors.push(err(
                            field,
                            format!("{e} events is more than the {n} participants of the arm"),
                        ));
                    }
                }
                for (field, n) in [("total_t", total_t), ("total_c", total_c)] {
                    if n == 0.0 {
                        errors.push(err(field, "an arm needs at least one participant"));
                    }
                }
            }
        }
        StudyData::Continuous {
            mean_t,
            sd_t,
            n_t,
            mean_c,
            sd_c,
            n_c,
        } => {
            finite("mean_t", mean_t, &mut errors);
            finite("mean_c", mean_c, &mut errors);
            for (field, sd) in [("sd_t", sd_t), ("sd_c", sd_c)] {
                if finite(field, sd, &mut errors) && sd <= 0.0 {
                    errors.push(err(
                        field,
                        format!("a standard deviation must be positive, found {sd}"),
                    ));
                }
            }
            for (field, n) in [("n_t", n_t), ("n_c", n_c)] {
                if finite(field, n, &mut errors) && n < 2.0 {
                    errors.push(err(field, format!("an arm needs at least 2 participants for a standard deviation, found {n}")));
                }
            }
        }
        StudyData::EstimateCi {
            estimate,
            lower,
            upper,
        } => {
            let ok = [("estimate", estimate), ("lower", lower), ("upper", upper)]
                .into_iter()
                .fold(true, |ok, (f, x)| finite(f, x, &mut errors) && ok);
            if ok {
                if measure.is_ratio() {
                    for (field, x) in [("estimate", estimate), ("lower", lower), ("upper", upper)] {
                        if x <= 0.0 {
                            errors.push(err(field, format!("a ratio must be positive, found {x}")));
                        }
                    }
                }
                if lower >= upper {
                    errors.push(err(
                        "lower",
                        format!("the lower limit {lower} is not below the upper limit {upper}"),
                    ));
                } else if estimate < lower || estimate > upper {
                    errors.push(err(
                        "estimate",
                        format!(
                            "the estimate {estimate} lies outside its interval {lower} to {upper}"
                        ),
                    ));
                }
            }
        }
        StudyData::Correlation { r, n } => {
            if finite("r", r, &mut errors) && !(r > -1.0 && r < 1.0) {
                errors.push(err(
                    "r",
                    format!("a correlation must lie strictly between -1 and 1, found {r}"),
                ));
            }
            if finite("n", n, &mut errors) && n < 4.0 {
                errors.push(err(
                    "n",
                    format!("Fisher's z needs at least 4 participants, found {n}"),
                ));
            }
        }
        StudyData::YiVi { yi, vi } => {
            finite("yi", yi, &mut errors);
            if finite("vi", vi, &mut errors) && vi <= 0.0 {
                errors.push(err(
                    "vi",
                    format!("a sampling variance must be positive, found {vi}"),
                ));
            }
        }
        StudyData::YiSe { yi, se } => {
            finite("yi", yi, &mut errors);
            if finite("se", se, &mut errors) && se <= 0.0 {
                errors.push(err(
                    "se",
                    format!("a standard error must be positive, found {se}"),
                ));
            }
        }
        StudyData::Proportion { .. }
        | StudyData::Rate { .. }
        | StudyData::Rates { .. }
        | StudyData::Mean { .. } => {}
    }
    if errors.is_empty()
        && let Some(e) = unusable_effect(data, measure)
    {
        errors.push(e);
    }
    errors
}

/// Values that pass the checks above but whose effect or sampling variance is not a finite
/// number (or the variance not positive) in double precision — an SD of 1e300 squares to
/// infinity, an SE of 1e-200 to zero — so no analysis or figure could use them. Binary data
/// are handled by [`effect_size`] (such a study is excluded with its reason).
fn unusable_effect(data: &StudyData, measure: Measure) -> Option<FieldError> {
    if matches!(data, StudyData::Binary { .. }) {
        return None;
    }
    let Effect::Included(e) = effect_size(
        data,
        measure,
        crate::stats::smd_revman::SmdMethod::Exact,
        &Continuity::default(),
        &CiRule::default(),
        false,
    ) else {
        return None;
    };
    if e.yi.is_finite() && e.vi.is_finite() && e.vi > 0.0 {
        return None;
    }
    let field = match *data {
        StudyData::Continuous { sd_t, sd_c, .. } => {
            if sd_t >= sd_c {
                "sd_t"
            } else {
                "sd_c"
            }
        }
        StudyData::EstimateCi { .. } => "upper",
        StudyData::Correlation { .. } => "r",
        StudyData::YiVi { .. } => "vi",
        StudyData::YiSe { .. } => "se",
        StudyData::Binary { .. } => "events_t",
        StudyData::Proportion { .. } => "events",
        StudyData::Rate { .. } => "time",
        StudyData::Rates { .. } => "time_t",
        StudyData::Mean { .. } => "sd",
    };
    Some(err(
        field,
        format!(
            "these values give a sampling variance of {1} (effect {0}): too large or too small to compute with in double precision; is a value mistyped?",
            e.yi, e.vi
        ),
    ))
}

/// True when the study has no events, or only events, in both arms.
pub fn is_double_zero(data: &StudyData) -> bool {
    match *data {
        StudyData::Binary {
            events_t,
            total_t,
            events_c,
            total_c,
        } => (events_t == 0.0 && events_c == 0.0) || (events_t == total_t && events_c == total_c),
        _ => false,
    }
}

/// True when a binary study has a zero in any of its four cells.
pub fn has_zero_cell(data: &StudyData) -> bool {
    match *data {
        StudyData::Binary {
            events_t,
            total_t,
            events_c,
            total_c,
        } => events_t == 0.0 || events_c == 0.0 || events_t == total_t || events_c == total_c,
        StudyData::Proportion { events, total } => events == 0.0 || events == total,
        StudyData::Rate { events, .. } => events == 0.0,
        StudyData::Rates {
            events_t, events_c, ..
        } => events_t == 0.0 || events_c == 0.0,
        _ => false,
    }
}

/// Which measures a kind of data can give.
pub fn supports(data: &StudyData, measure: Measure) -> bool {
    use Measure::*;
    match data {
        StudyData::Binary { .. } => matches!(measure, OR | RR | RD | PetoOR),
        StudyData::Continuous { .. } => matches!(measure, MD | SMD | ROM),
        StudyData::Correlation { .. } => measure == ZCOR,
        StudyData::EstimateCi { .. } => measure != ZCOR && !measure.single_group(),
        StudyData::YiVi { .. } | StudyData::YiSe { .. } => true,
        StudyData::Proportion { .. }
        | StudyData::Rate { .. }
        | StudyData::Rates { .. }
        | StudyData::Mean { .. } => super::single_group::supports(data, measure).unwrap_or(false),
    }
}

/// Computes one study's effect size and sampling variance. The data must have passed
/// [`validate`]; `any_zero_in_analysis` is needed for the "all studies if any has a zero"
/// correction scope.
pub fn effect_size(
    data: &StudyData,
    measure: Measure,
    smd: super::smd_revman::SmdMethod,
    cc: &Continuity,
    ci: &CiRule,
    any_zero_in_analysis: bool,
) -> Effect {
    if let Some(e) = super::single_group::effect_size(data, measure, cc, any_zero_in_analysis) {
        return e;
    }
    match *data {
        StudyData::Binary {
            events_t,
            total_t,
            events_c,
            total_c,
        } => binary(
            measure,
            events_t,
            total_t,
            events_c,
            total_c,
            cc,
            any_zero_in_analysis,
        ),
        StudyData::Continuous {
            mean_t,
            sd_t,
            n_t,
            mean_c,
            sd_c,
            n_c,
        } => {
            let (yi, vi) = match measure {
                Measure::SMD => match smd {
                    crate::stats::smd_revman::SmdMethod::Exact => {
                        hedges_g(mean_t, sd_t, n_t, mean_c, sd_c, n_c)
                    }
                    // RevMan 5's formulas when asked for (`smd_revman.rs`).
                    super::smd_revman::SmdMethod::Revman => {
                        super::smd_revman::hedges_g_revman(mean_t, sd_t, n_t, mean_c, sd_c, n_c)
                    }
                },
                _ => (mean_t - mean_c, sd_t * sd_t / n_t + sd_c * sd_c / n_c),
            };
            Effect::Included(EffectSize {
                yi,
                vi,
                correction: None,
            })
        }
        StudyData::EstimateCi {
            estimate,
            lower,
            upper,
        } => {
            let width = ci.width_in_se();
            let (yi, se) = if measure.is_ratio() {
                (estimate.ln(), (upper.ln() - lower.ln()) / width)
            } else {
                (estimate, (upper - lower) / width)
            };
            Effect::Included(EffectSize {
                yi,
                vi: se * se,
                correction: None,
            })
        }
        StudyData::Correlation { r, n } => Effect::Included(EffectSize {
            yi: r.atanh(),
            vi: 1.0 / (n - 3.0),
            correction: None,
        }),
        StudyData::YiVi { yi, vi } => Effect::Included(EffectSize {
            yi,
            vi,
            correction: None,
        }),
        StudyData::YiSe { yi, se } => Effect::Included(EffectSize {
            yi,
            vi: se * se,
            correction: None,
        }),
        StudyData::Proportion { .. }
        | StudyData::Rate { .. }
        | StudyData::Rates { .. }
        | StudyData::Mean { .. } => Effect::Excluded(format!(
            "{} data cannot give the measure {}",
            data.kind(),
            measure.code()
        )),
    }
}

/// Hedges' g with the exact small-sample correction J(m) = Γ(m/2) / (√(m/2) Γ((m−1)/2)),
/// m = n₁ + n₂ − 2, and metafor's large-sample variance 1/n₁ + 1/n₂ + g²/(2(n₁+n₂)).
pub fn hedges_g(m1: f64, sd1: f64, n1: f64, m2: f64, sd2: f64, n2: f64) -> (f64, f64) {
    use statrs::function::gamma::ln_gamma;
    let m = n1 + n2 - 2.0;
    let sdp = (((n1 - 1.0) * sd1 * sd1 + (n2 - 1.0) * sd2 * sd2) / m).sqrt();
    let d = (m1 - m2) / sdp;
    let j = (ln_gamma(m / 2.0) - (m / 2.0).sqrt().ln() - ln_gamma((m - 1.0) / 2.0)).exp();
    let g = j * d;
    (g, 1.0 / n1 + 1.0 / n2 + g * g / (2.0 * (n1 + n2)))
}

/// The increments for the treatment and control arms, or `None` when no correction applies.
/// `zero`: the study has a zero cell; `any_zero`: some study in the analysis has one.
pub fn increments(
    cc: &Continuity,
    zero: bool,
    any_zero: bool,
    n1: f64,
    n2: f64,
) -> Option<(f64, f64)> {
    let applies = match cc.to {
        CorrectionScope::OnlyZero => zero,
        CorrectionScope::All => true,
        CorrectionScope::AllIfAnyZero => any_zero,
        CorrectionScope::None => false,
    };
    if !applies || cc.add == 0.0 {
        return None;
    }
    Some(match cc.kind {
        CorrectionKind::Constant => (cc.add, cc.add),
        CorrectionKind::TreatmentArm => {
            // Each arm's increment is proportional to the reciprocal of the other arm's size:
            // c_t ∝ 1/n_c, c_c ∝ 1/n_t, scaled to sum to 2·add (Sweeting et al. 2004, p. 1355).
            let n = n1 + n2;
            (2.0 * cc.add * n1 / n, 2.0 * cc.add * n2 / n)
        }
    })
}

fn binary(
    measure: Measure,
    a: f64,
    n1: f64,
    c: f64,
    n2: f64,
    cc: &Continuity,
    any_zero: bool,
) -> Effect {
    let data = StudyData::Binary {
        events_t: a,
        total_t: n1,
        events_c: c,
        total_c: n2,
    };
    let double_zero = is_double_zero(&data);
    if double_zero
        && cc.exclude_double_zero
        && matches!(measure, Measure::OR | Measure::RR | Measure::PetoOR)
    {
        let reason = if a == 0.0 {
            "no events in either arm (double-zero study): it carries no information on a ratio scale"
        } else {
            "every participant had an event in both arms: it carries no information on a ratio scale"
        };
        return Effect::Excluded(reason.to_string());
    }
    let correction = increments(cc, has_zero_cell(&data), any_zero, n1, n2);
    let (it, ic) = correction.unwrap_or((0.0, 0.0));
    let (a, b, c, d) = (a + it, n1 - a + it, c + ic, n2 - c + ic);
    let (n1, n2) = (a + b, c + d);
    let (yi, vi) = match measure {
        Measure::OR => (
            (a / b).ln() - (c / d).ln(),
            1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d,
        ),
        Measure::RR => (
            (a / n1).ln() - (c / n2).ln(),
            1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2,
        ),
        Measure::RD => {
            let (p1, p2) = (a / n1, c / n2);
            (p1 - p2, p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2)
        }
        Measure::PetoOR => {
            let n = n1 + n2;
            let (xt, yt) = (a + c, b + d);
            let e = xt * n1 / n;
            let v = xt * yt * (n1 / n) * (n2 / n) / (n - 1.0);
            ((a - e) / v, 1.0 / v)
        }
        _ => unreachable!("binary data give OR, RR, RD or PETO_OR only"),
    };
    if !yi.is_finite() || !vi.is_finite() {
        return Effect::Excluded(format!(
            "a zero cell without continuity correction: the {} cannot be estimated",
            measure.label().to_lowercase()
        ));
    }
    if vi <= 0.0 {
        return Effect::Excluded(
            "its sampling variance is zero (no events, or only events, in both arms)".to_string(),
        );
    }
    Effect::Included(EffectSize { yi, vi, correction })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binary(a: f64, n1: f64, c: f64, n2: f64) -> StudyData {
        StudyData::Binary {
            events_t: a,
            total_t: n1,
            events_c: c,
            total_c: n2,
        }
    }

    #[test]
    fn the_treatment_arm_correction_follows_the_arm_sizes() {
        // 0/30 vs 4/90: increments 30/120 = 0.25 (treatment) and 90/120 = 0.75 (control).
        let cc = Continuity {
            kind: CorrectionKind::TreatmentArm,
            ..Continuity::default()
        };
        let Effect::Included(e) = effect_size(
            &binary(0.0, 30.0, 4.0, 90.0),
            Measure::OR,
            crate::stats::smd_revman::SmdMethod::Exact,
            &cc,
            &CiRule::default(),
            true,
        ) else {
            panic!()
        };
        assert_eq!(e.correction, Some((0.25, 0.75)));
        let (a, b, c, d): (f64, f64, f64, f64) = (0.25, 30.25, 4.75, 86.75);
        assert!((e.yi - ((a * d) / (b * c)).ln()).abs() < 1e-14);
        assert!((e.vi - (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d)).abs() < 1e-12);
    }

    #[test]
    fn revman_derives_the_standard_error_from_a_width_of_3_92() {
        let data = StudyData::EstimateCi {
            estimate: 2.0,
            lower: 1.0,
            upper: 4.0,
        };
        let se = |revman_392| match effect_size(
            &data,
            Measure::OR,
            crate::stats::smd_revman::SmdMethod::Exact,
            &Continuity::default(),
            &CiRule {
                level: 0.95,
                revman_392,
            },
            false,
        ) {
            Effect::Included(e) => e.vi.sqrt(),
            Effect::Excluded(r) => panic!("{r}"),
        };
        assert!((se(true) - 4f64.ln() / 3.92).abs() < 1e-15);
        assert!((se(false) - 4f64.ln() / (2.0 * 1.959963984540054)).abs() < 1e-12);
    }

    #[test]
    fn double_zero_studies_are_excluded_from_ratios_but_kept_for_risk_differences() {
        let cc = Continuity::default();
        assert!(matches!(
            effect_size(
                &binary(0.0, 20.0, 0.0, 20.0),
                Measure::RR,
                crate::stats::smd_revman::SmdMethod::Exact,
                &cc,
                &CiRule::default(),
                true
            ),
            Effect::Excluded(_)
        ));
        assert!(matches!(
            effect_size(
                &binary(0.0, 20.0, 0.0, 20.0),
                Measure::RD,
                crate::stats::smd_revman::SmdMethod::Exact,
                &cc,
                &CiRule::default(),
                true
            ),
            Effect::Included(_)
        ));
    }
}
