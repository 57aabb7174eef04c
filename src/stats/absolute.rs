//! Absolute effects for a Summary of Findings table (Cochrane Handbook chapter 14, section
//! 14.1.5; GRADEpro's calculations): the assumed control risk (ACR), the corresponding risk in
//! the intervention group and the risk difference, each with the confidence interval carried
//! over from the relative effect's; the optimal information size for imprecision (GRADE
//! guideline 6); an SMD re-expressed in a scale's units (Handbook chapter 15, section 15.5.3.2).
//!
//! Corresponding risk (CR) from an assumed control risk `acr` and a relative effect on its
//! presentation scale:
//! - risk ratio: CR = ACR × RR
//! - odds ratio (also Peto's): CR = OR × ACR / (1 − ACR + OR × ACR)
//! - hazard ratio: CR = 1 − (1 − ACR)^HR (the proportion with the event by the time the ACR
//!   refers to, under proportional hazards)
//! - risk difference: CR = ACR + RD
//!
//! CR is increasing in the effect for every measure, so the CI of the corresponding risk is the
//! CR of the effect's CI limits. Risks are bounded to [0, 1] (a risk ratio above 1/ACR, or a
//! risk difference beyond the ACR, would otherwise give a "risk" outside it), as GRADEpro shows
//! them. Pure: no I/O.

use serde::Serialize;

use super::measure::{Measure, StudyData};

/// The corresponding risk for an assumed control risk `acr` (a proportion, 0 ≤ acr ≤ 1) and a
/// relative effect `effect` on its presentation scale (OR, not log OR). `None` for measures
/// without an absolute effect (MD, SMD, correlations, generic effects) and for inputs outside
/// their domain (acr outside [0, 1], a ratio ≤ 0, a non-finite value).
pub fn corresponding_risk(measure: Measure, acr: f64, effect: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&acr) || !effect.is_finite() {
        return None;
    }
    let cr = match measure {
        Measure::RR if effect > 0.0 => acr * effect,
        Measure::OR | Measure::PetoOR if effect > 0.0 => effect * acr / (1.0 - acr + effect * acr),
        Measure::HR if effect > 0.0 => 1.0 - (1.0 - acr).powf(effect),
        Measure::RD => acr + effect,
        _ => return None,
    };
    Some(cr.clamp(0.0, 1.0))
}

/// Whether a measure has absolute effects per 1000 (a binary or time-to-event outcome).
pub fn has_risks(measure: Measure) -> bool {
    matches!(
        measure,
        Measure::OR | Measure::PetoOR | Measure::RR | Measure::HR | Measure::RD
    )
}

/// The absolute effect for one assumed control risk: proportions (multiply by 1000 for "per
/// 1,000").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AbsoluteEffect {
    /// The assumed control risk.
    pub assumed_risk: f64,
    /// Corresponding risk in the intervention group, and its CI.
    pub risk: f64,
    pub risk_lower: f64,
    pub risk_upper: f64,
    /// Risk difference (corresponding − assumed), and its CI.
    pub difference: f64,
    pub difference_lower: f64,
    pub difference_upper: f64,
}

impl AbsoluteEffect {
    /// The same effect per 1000 people (each field × 1000).
    pub fn per_1000(&self) -> AbsoluteEffect {
        self.per(1000.0)
    }

    /// The same effect per `k` people (each field × `k`).
    pub fn per(&self, k: f64) -> AbsoluteEffect {
        AbsoluteEffect {
            assumed_risk: self.assumed_risk * k,
            risk: self.risk * k,
            risk_lower: self.risk_lower * k,
            risk_upper: self.risk_upper * k,
            difference: self.difference * k,
            difference_lower: self.difference_lower * k,
            difference_upper: self.difference_upper * k,
        }
    }
}

/// The absolute effect of a relative effect `estimate` (CI `lower`–`upper`, presentation scale)
/// at the assumed control risk `acr`; `None` where [`corresponding_risk`] is.
pub fn absolute_effect(
    measure: Measure,
    acr: f64,
    estimate: f64,
    lower: f64,
    upper: f64,
) -> Option<AbsoluteEffect> {
    let risk = corresponding_risk(measure, acr, estimate)?;
    let a = corresponding_risk(measure, acr, lower)?;
    let b = corresponding_risk(measure, acr, upper)?;
    let (risk_lower, risk_upper) = (a.min(b), a.max(b));
    Some(AbsoluteEffect {
        assumed_risk: acr,
        risk,
        risk_lower,
        risk_upper,
        difference: risk - acr,
        difference_lower: risk_lower - acr,
        difference_upper: risk_upper - acr,
    })
}

/// The control-group risks e_c / n_c of the studies with binary data and a control group.
fn control_risks(data: &[StudyData]) -> Vec<f64> {
    data.iter()
        .filter_map(|d| match *d {
            StudyData::Binary {
                events_c, total_c, ..
            } if total_c > 0.0 => Some(events_c / total_c),
            _ => None,
        })
        .collect()
}

/// The median of the studies' control-group risks (the Handbook's default ACR: "the median
/// control group risk across studies"); an even number of studies gives the mean of the middle
/// two, as R's `median`. `None` without binary data.
pub fn median_control_risk(data: &[StudyData]) -> Option<f64> {
    let mut r = control_risks(data);
    if r.is_empty() {
        return None;
    }
    r.sort_by(f64::total_cmp);
    let n = r.len();
    Some(if n % 2 == 1 {
        r[n / 2]
    } else {
        (r[n / 2 - 1] + r[n / 2]) / 2.0
    })
}

/// The pooled control-group risk Σ e_c / Σ n_c over the studies (GRADEpro's "study
/// population" risk). `None` without binary data or control participants.
pub fn pooled_control_risk(data: &[StudyData]) -> Option<f64> {
    let (mut e, mut n) = (0.0, 0.0);
    for d in data {
        if let StudyData::Binary {
            events_c, total_c, ..
        } = *d
        {
            e += events_c;
            n += total_c;
        }
    }
    (n > 0.0).then(|| e / n)
}

/// The optimal information size (GRADE guideline 6, Guyatt et al. 2011, J Clin Epidemiol
/// 64:1283): the total number of participants a single trial would need to detect a relative
/// risk reduction `rrr` from the control risk `acr` with two-sided significance `alpha` and
/// power `power`, by the normal approximation for two proportions,
/// 2 × (z_{1−α/2} + z_{power})² × [p₁(1 − p₁) + p₂(1 − p₂)] / (p₁ − p₂)², p₁ = acr,
/// p₂ = acr × (1 − rrr). `None` when the two risks are equal or outside (0, 1).
pub fn optimal_information_size(acr: f64, rrr: f64, alpha: f64, power: f64) -> Option<f64> {
    let p1 = acr;
    let p2 = acr * (1.0 - rrr);
    if !(p1 > 0.0 && p1 < 1.0 && p2 > 0.0 && p2 < 1.0) || p1 == p2 {
        return None;
    }
    let z = super::dist::z_crit(1.0 - alpha) + super::dist::z_crit(2.0 * power - 1.0);
    Some(2.0 * z * z * (p1 * (1.0 - p1) + p2 * (1.0 - p2)) / ((p1 - p2) * (p1 - p2)))
}

/// A standardised mean difference in the units of a scale with standard deviation `sd`
/// (Handbook section 15.5.3.2: SMD × SD).
pub fn smd_in_units(smd: f64, sd: f64) -> f64 {
    smd * sd
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Handbook's worked example (section 14.1.5.1): OR 0.73 at an ACR of 0.30 gives 238
    /// per 1000, 62 fewer.
    #[test]
    fn handbook_worked_example() {
        let cr = corresponding_risk(Measure::OR, 0.30, 0.73).unwrap();
        assert_eq!((cr * 1000.0).round(), 238.0);
        assert_eq!(((cr - 0.30) * 1000.0).round(), -62.0);
    }

    #[test]
    fn no_effect_gives_the_assumed_risk_and_bounds_hold() {
        for m in [Measure::OR, Measure::RR, Measure::HR, Measure::PetoOR] {
            assert!((corresponding_risk(m, 0.2, 1.0).unwrap() - 0.2).abs() < 1e-15);
        }
        assert_eq!(corresponding_risk(Measure::RD, 0.2, 0.0), Some(0.2));
        assert_eq!(corresponding_risk(Measure::RR, 0.6, 3.0), Some(1.0));
        assert_eq!(corresponding_risk(Measure::RD, 0.1, -0.3), Some(0.0));
        assert_eq!(corresponding_risk(Measure::OR, 1.2, 1.0), None);
        assert_eq!(corresponding_risk(Measure::OR, 0.2, 0.0), None);
        assert_eq!(corresponding_risk(Measure::MD, 0.2, 1.0), None);
        assert_eq!(median_control_risk(&[]), None);
    }
}
