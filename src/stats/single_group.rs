//! Effect sizes of single-group proportions, incidence rates and means, of incidence rate
//! ratios and differences, and of the ratio of means (metafor's `escalc`, 3.8-1).
//!
//! | data | measure | yi | vi |
//! |---|---|---|---|
//! | x of n | PR | p = x/n | p(1 − p)/n |
//! | x of n | PLO | ln(p/(1 − p)) | 1/(n p (1 − p)) |
//! | x of n | PAS | asin(√p) | 1/(4n) |
//! | x of n | PFT | ½(asin √(x/(n+1)) + asin √((x+1)/(n+1))) (Freeman & Tukey 1950) | 1/(4n + 2) |
//! | x over t | IR | x/t | x/t² |
//! | x over t | IRLN | ln(x/t) | 1/x |
//! | x₁/t₁, x₂/t₂ | IRR | ln(x₁/t₁) − ln(x₂/t₂) | 1/x₁ + 1/x₂ |
//! | x₁/t₁, x₂/t₂ | IRD | x₁/t₁ − x₂/t₂ | x₁/t₁² + x₂/t₂² |
//! | m₁, s₁, n₁, m₂, s₂, n₂ | ROM | ln(m₁/m₂) | s₁²/(n₁m₁²) + s₂²/(n₂m₂²) |
//! | m, s, n | MN | m | s²/n |
//!
//! Zero counts, as metafor's defaults (`add = 1/2, to = "only0"`): PR and PLO add the
//! increment to the events and the non-events of a group with none (or only) events; IR and
//! IRLN add it to zero events; IRR and IRD add it to both arms' events when either has none.
//! PAS and PFT need no correction (metafor adds nothing by default). Miller's (1978) inverse
//! of the double arcsine, at a sample size n, is [`ipft`].

use super::effect::{Continuity, CorrectionScope, Effect, EffectSize, FieldError};
use super::measure::{Measure, StudyData};

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

fn finite(field: &'static str, x: f64, errors: &mut Vec<FieldError>) -> bool {
    if x.is_finite() {
        true
    } else {
        errors.push(err(field, format!("expected a finite number, found {x}")));
        false
    }
}

fn count(field: &'static str, x: f64, errors: &mut Vec<FieldError>) -> bool {
    if !finite(field, x, errors) {
        false
    } else if x < 0.0 {
        errors.push(err(
            field,
            format!("a count cannot be negative (found {x})"),
        ));
        false
    } else if x.fract() != 0.0 {
        errors.push(err(field, format!("expected a whole number, found {x}")));
        false
    } else {
        true
    }
}

fn time(field: &'static str, x: f64, errors: &mut Vec<FieldError>) -> bool {
    if !finite(field, x, errors) {
        false
    } else if x <= 0.0 {
        errors.push(err(
            field,
            format!("person-time must be positive, found {x}"),
        ));
        false
    } else {
        true
    }
}

/// Checks single-group, rate and (for ROM) continuous data; `None` for kinds handled
/// elsewhere. Every problem is returned.
pub fn validate(data: &StudyData) -> Option<Vec<FieldError>> {
    let mut e = Vec::new();
    match *data {
        StudyData::Proportion { events, total } => {
            let ok = count("events", events, &mut e) & count("total", total, &mut e);
            if ok && events > total {
                e.push(err(
                    "events",
                    format!("{events} events is more than the {total} participants"),
                ));
            }
            if ok && total == 0.0 {
                e.push(err("total", "a group needs at least one participant"));
            }
        }
        StudyData::Rate { events, time: t } => {
            count("events", events, &mut e);
            time("time", t, &mut e);
        }
        StudyData::Rates {
            events_t,
            time_t,
            events_c,
            time_c,
        } => {
            count("events_t", events_t, &mut e);
            time("time_t", time_t, &mut e);
            count("events_c", events_c, &mut e);
            time("time_c", time_c, &mut e);
        }
        StudyData::Mean { mean, sd, n } => {
            finite("mean", mean, &mut e);
            if finite("sd", sd, &mut e) && sd <= 0.0 {
                e.push(err(
                    "sd",
                    format!("a standard deviation must be positive, found {sd}"),
                ));
            }
            if finite("n", n, &mut e) && n < 2.0 {
                e.push(err(
                    "n",
                    format!(
                        "a group needs at least 2 participants for a standard deviation, found {n}"
                    ),
                ));
            }
        }
        _ => return None,
    }
    Some(e)
}

/// The ratio of means needs positive means in both arms.
pub fn validate_rom(data: &StudyData, measure: Measure) -> Vec<FieldError> {
    let mut e = Vec::new();
    if let StudyData::Continuous { mean_t, mean_c, .. } = *data
        && measure == Measure::ROM
    {
        for (field, m) in [("mean_t", mean_t), ("mean_c", mean_c)] {
            if m.is_finite() && m <= 0.0 {
                e.push(err(
                    field,
                    format!("a ratio of means needs positive means, found {m}"),
                ));
            }
        }
    }
    e
}

/// True when the study has a zero count that calls for a continuity correction under
/// `measure` (none for PAS and PFT).
pub fn has_zero(data: &StudyData, measure: Measure) -> bool {
    match *data {
        StudyData::Proportion { events, total } => {
            matches!(measure, Measure::PR | Measure::PLO) && (events == 0.0 || events == total)
        }
        StudyData::Rate { events, .. } => events == 0.0,
        StudyData::Rates {
            events_t, events_c, ..
        } => events_t == 0.0 || events_c == 0.0,
        _ => false,
    }
}

fn increment(cc: &Continuity, zero: bool, any_zero: bool) -> Option<f64> {
    let applies = match cc.to {
        CorrectionScope::OnlyZero => zero,
        CorrectionScope::All => true,
        CorrectionScope::AllIfAnyZero => any_zero,
        CorrectionScope::None => false,
    };
    (applies && cc.add != 0.0).then_some(cc.add)
}

fn included(yi: f64, vi: f64, correction: Option<(f64, f64)>, what: &str) -> Effect {
    if !yi.is_finite() || !vi.is_finite() {
        return Effect::Excluded(format!(
            "{what} without continuity correction: the effect cannot be estimated"
        ));
    }
    if vi <= 0.0 {
        return Effect::Excluded(format!("its sampling variance is zero ({what})"));
    }
    Effect::Included(EffectSize { yi, vi, correction })
}

/// One study's effect and sampling variance for the measures of this module; `None` for
/// data and measures handled in `effect.rs`. The data must have passed [`validate`].
pub fn effect_size(
    data: &StudyData,
    measure: Measure,
    cc: &Continuity,
    any_zero: bool,
) -> Option<Effect> {
    Some(match *data {
        StudyData::Proportion { events, total } => {
            let zero = has_zero(data, measure);
            let add = if matches!(measure, Measure::PR | Measure::PLO) {
                increment(cc, zero, any_zero)
            } else {
                None
            };
            let a = add.unwrap_or(0.0);
            let (x, n) = (events + a, total + 2.0 * a);
            let p = x / n;
            let (yi, vi) = match measure {
                Measure::PR => (p, p * (1.0 - p) / n),
                Measure::PLO => ((p / (1.0 - p)).ln(), 1.0 / (n * p * (1.0 - p))),
                Measure::PAS => (p.sqrt().asin(), 1.0 / (4.0 * n)),
                Measure::PFT => (
                    0.5 * ((x / (n + 1.0)).sqrt().asin() + ((x + 1.0) / (n + 1.0)).sqrt().asin()),
                    1.0 / (4.0 * n + 2.0),
                ),
                _ => return None,
            };
            included(yi, vi, add.map(|a| (a, 0.0)), "no events, or only events")
        }
        StudyData::Rate { events, time } => {
            let add = increment(cc, events == 0.0, any_zero);
            let x = events + add.unwrap_or(0.0);
            let (yi, vi) = match measure {
                Measure::IR => (x / time, x / (time * time)),
                Measure::IRLN => ((x / time).ln(), 1.0 / x),
                _ => return None,
            };
            included(yi, vi, add.map(|a| (a, 0.0)), "no events")
        }
        StudyData::Rates {
            events_t,
            time_t,
            events_c,
            time_c,
        } => {
            if measure == Measure::IRR
                && cc.exclude_double_zero
                && events_t == 0.0
                && events_c == 0.0
            {
                return Some(Effect::Excluded(
                    "no events in either arm (double-zero study): it carries no information on a ratio scale".into(),
                ));
            }
            let add = increment(cc, has_zero(data, measure), any_zero);
            let a = add.unwrap_or(0.0);
            let (x1, x2) = (events_t + a, events_c + a);
            let (r1, r2) = (x1 / time_t, x2 / time_c);
            let (yi, vi) = match measure {
                Measure::IRR => (r1.ln() - r2.ln(), 1.0 / x1 + 1.0 / x2),
                Measure::IRD => (r1 - r2, x1 / (time_t * time_t) + x2 / (time_c * time_c)),
                _ => return None,
            };
            included(yi, vi, add.map(|a| (a, a)), "a zero count")
        }
        StudyData::Mean { mean, sd, n } if measure == Measure::MN => {
            included(mean, sd * sd / n, None, "its values")
        }
        StudyData::Continuous {
            mean_t,
            sd_t,
            n_t,
            mean_c,
            sd_c,
            n_c,
        } if measure == Measure::ROM => included(
            (mean_t / mean_c).ln(),
            sd_t * sd_t / (n_t * mean_t * mean_t) + sd_c * sd_c / (n_c * mean_c * mean_c),
            None,
            "its values",
        ),
        _ => return None,
    })
}

/// Which measures the data of this module give (`None`: not this module's data).
pub fn supports(data: &StudyData, measure: Measure) -> Option<bool> {
    use Measure::*;
    Some(match data {
        StudyData::Proportion { .. } => matches!(measure, PR | PLO | PAS | PFT),
        StudyData::Rate { .. } => matches!(measure, IR | IRLN),
        StudyData::Rates { .. } => matches!(measure, IRR | IRD),
        StudyData::Mean { .. } => measure == MN,
        _ => return None,
    })
}

/// The Freeman–Tukey double arcsine t at sample size n (metafor's `transf.pft`):
/// ½(asin √(x/(n+1)) + asin √((x+1)/(n+1))) with x = p·n.
pub fn pft(p: f64, n: f64) -> f64 {
    let x = p * n;
    0.5 * ((x / (n + 1.0)).sqrt().asin() + ((x + 1.0) / (n + 1.0)).sqrt().asin())
}

/// Miller's (1978) inverse of the double arcsine t at sample size n (metafor's
/// `transf.ipft`, and `transf.ipft.hm` with n the harmonic mean of the studies' sizes):
/// ½(1 − sgn(cos 2t)·√(1 − (sin 2t + (sin 2t − 1/sin 2t)/n)²)), 0 below t(0), 1 above t(1).
pub fn ipft(t: f64, n: f64) -> f64 {
    if !n.is_finite() {
        return t.clamp(0.0, std::f64::consts::FRAC_PI_2).sin().powi(2);
    }
    if t > pft(1.0, n) {
        return 1.0;
    }
    if t < pft(0.0, n) {
        return 0.0;
    }
    let s = (2.0 * t).sin();
    let inner = 1.0 - (s + (s - 1.0 / s) / n).powi(2);
    let z = 0.5 * (1.0 - (2.0 * t).cos().signum() * inner.max(0.0).sqrt());
    z.clamp(0.0, 1.0)
}

/// The harmonic mean of the studies' sample sizes (the `n` of metafor's `transf.ipft.hm`),
/// from their proportion data; `None` without proportion data.
pub fn harmonic_mean_n<'a>(data: impl IntoIterator<Item = &'a StudyData>) -> Option<f64> {
    let (mut k, mut s) = (0usize, 0.0);
    for d in data {
        if let StudyData::Proportion { total, .. } = *d {
            k += 1;
            s += 1.0 / total;
        }
    }
    (k > 0).then(|| k as f64 / s)
}

thread_local! {
    static FT_N: std::cell::Cell<f64> = const { std::cell::Cell::new(f64::INFINITY) };
}

/// The sample size at which [`Measure::back_transform`] inverts Freeman–Tukey values on this
/// thread (∞, i.e. sin², outside any [`FtScope`]).
pub fn ft_n() -> f64 {
    FT_N.with(|c| c.get())
}

/// While alive, Freeman–Tukey values are back-transformed on this thread at the harmonic
/// mean of one analysis's sample sizes (metafor's `transf.ipft.hm`); the previous size is
/// restored on drop. Figures, results and prose of an outcome open one with
/// [`FtScope::of`] so every back-transformed number of a PFT analysis agrees with metafor.
pub struct FtScope {
    previous: f64,
}

impl FtScope {
    /// The scope of the analysis of `inputs` (no change for measures other than PFT).
    pub fn of(measure: Measure, inputs: &[super::StudyInput]) -> FtScope {
        let previous = ft_n();
        if measure == Measure::PFT
            && let Some(n) = harmonic_mean_n(inputs.iter().map(|s| &s.data))
        {
            FT_N.with(|c| c.set(n));
        }
        FtScope { previous }
    }
}

impl Drop for FtScope {
    fn drop(&mut self) {
        FT_N.with(|c| c.set(self.previous));
    }
}

/// The presentation-scale value of `x` for an analysis of `inputs`: the measure's
/// back-transformation, with the Freeman–Tukey inverse at the harmonic mean of the studies'
/// sizes (metafor's `transf.ipft.hm`).
pub fn present(measure: Measure, inputs: &[super::StudyInput], x: f64) -> f64 {
    match harmonic_mean_n(inputs.iter().map(|s| &s.data)) {
        Some(n) => measure.back_transform_at(x, n),
        None => measure.back_transform(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_double_arcsine_inverse_undoes_the_transformation_at_its_sample_size() {
        for &(p, n) in &[(0.1, 20.0), (0.5, 7.0), (0.93, 150.0)] {
            assert!((ipft(pft(p, n), n) - p).abs() < 1e-9);
        }
        assert_eq!(ipft(pft(1.0, 10.0) + 0.01, 10.0), 1.0);
        assert_eq!(ipft(pft(0.0, 10.0) - 0.01, 10.0), 0.0);
    }
}
