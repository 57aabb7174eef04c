//! Results per 100 or per 1,000: single-group proportions shown per `per` participants and
//! incidence rates (and rate differences) per `per` units of person-time, as meta's
//! `metaprop(pscale = 100)` and `metarate(irscale = 1000, irunit = "person-years")` print them.
//!
//! The analysis is not changed: a presented value is the measure's back-transformation
//! ([`Measure::back_transform`]) multiplied by `per`. Figures, tables and prose open a
//! [`PerScope`] for an outcome; inside it [`Measure::back_transform`] multiplies, so every
//! number an outcome prints is on one scale. results.json keeps the unscaled values beside the
//! scaled ones.

use serde::{Deserialize, Serialize};

use super::measure::Measure;

/// The unit of a rate's person-time column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Person-days.
    Days,
    /// Person-weeks.
    Weeks,
    /// Person-months.
    Months,
    /// Person-years.
    Years,
}

impl TimeUnit {
    /// "person-year" or "person-years".
    pub fn person(self, plural: bool) -> String {
        let unit = match self {
            TimeUnit::Days => "day",
            TimeUnit::Weeks => "week",
            TimeUnit::Months => "month",
            TimeUnit::Years => "year",
        };
        format!("person-{unit}{}", if plural { "s" } else { "" })
    }
}

/// How an outcome's values are presented: per `per` (1 when not asked), with the person-time
/// unit of rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PerScale {
    /// The multiplier (100, 1000, …; 1 = as computed).
    pub per: f64,
    /// The unit of the person-time column (rates), when the spec names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_unit: Option<TimeUnit>,
}

impl Default for PerScale {
    fn default() -> Self {
        PerScale {
            per: 1.0,
            time_unit: None,
        }
    }
}

impl PerScale {
    /// True when nothing is asked: values as computed, no unit.
    pub fn is_default(&self) -> bool {
        *self == PerScale::default()
    }

    /// The multiplier applied to `measure`'s presented values (1 for measures it does not
    /// apply to).
    pub fn factor(&self, measure: Measure) -> f64 {
        if scalable(measure) { self.per } else { 1.0 }
    }

    /// What a value of `measure` is per, in prose: "per 1,000 person-years", "per 100
    /// participants", "per person-year", "per unit of person-time"; `None` for measures
    /// without a unit (ratios, means) and proportions shown as proportions.
    pub fn unit(&self, measure: Measure) -> Option<String> {
        let per = self.factor(measure);
        let count = if per == 1.0 {
            String::new()
        } else {
            format!("{} ", thousands(per))
        };
        if measure.is_proportion() {
            return (per != 1.0).then(|| format!("per {count}participants"));
        }
        if !matches!(measure, Measure::IR | Measure::IRLN | Measure::IRD) {
            return None;
        }
        Some(match (self.time_unit, per == 1.0) {
            (Some(u), one) => format!("per {count}{}", u.person(!one)),
            (None, true) => "per unit of person-time".into(),
            (None, false) => format!("per {count}units of person-time"),
        })
    }

    /// The measure's label with its unit, as a forest plot's column heads it ("Proportion per
    /// 100", "Incidence Rate per 1,000 person-years"); the plain label otherwise.
    pub fn label(&self, measure: Measure) -> String {
        self.label_as(measure, measure.label())
    }

    /// [`label`](Self::label) with the measure called `title` ("Proportion" in an axis title's
    /// sentence case, where RevMan's column headings have "Incidence Rate").
    pub fn label_as(&self, measure: Measure, title: &str) -> String {
        let per = self.factor(measure);
        if measure.is_proportion() && per != 1.0 {
            return format!("{title} per {}", thousands(per));
        }
        match self.unit(measure) {
            Some(u) if self.time_unit.is_some() || per != 1.0 => format!("{title} {u}"),
            _ => title.to_string(),
        }
    }

    /// The heading of a person-time column ("Person-years", or "Person-time").
    pub fn time_heading(&self) -> String {
        match self.time_unit {
            Some(u) => {
                let p = u.person(true);
                let mut c = p.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or(p)
            }
            None => "Person-time".into(),
        }
    }
}

/// The measures a multiplier applies to: single-group proportions, incidence rates and rate
/// differences.
pub fn scalable(measure: Measure) -> bool {
    measure.is_proportion() || matches!(measure, Measure::IR | Measure::IRLN | Measure::IRD)
}

/// The measures a person-time unit applies to.
pub fn has_time(measure: Measure) -> bool {
    matches!(
        measure,
        Measure::IR | Measure::IRLN | Measure::IRR | Measure::IRD
    )
}

/// "1,000", "100", "2.5".
fn thousands(x: f64) -> String {
    if x.fract() != 0.0 || x.abs() >= 1e15 {
        return format!("{x}");
    }
    let digits = format!("{}", x as i64);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 && digits.len() > 4 {
            out.push(',');
        }
        out.push(ch);
    }
    if digits.len() == 4 {
        // Four digits: "1,000" as journals print a multiplier.
        out.insert(1, ',');
    }
    out
}

thread_local! {
    static CURRENT: std::cell::Cell<PerScale> = const {
        std::cell::Cell::new(PerScale {
            per: 1.0,
            time_unit: None,
        })
    };
}

/// The presentation scale of the outcome whose [`PerScope`] is open on this thread (the
/// default outside any).
pub fn current() -> PerScale {
    CURRENT.with(|c| c.get())
}

/// The multiplier [`Measure::back_transform`] applies on this thread to the measures it
/// scales (1 outside any [`PerScope`]).
pub fn factor() -> f64 {
    current().per
}

/// While alive, [`Measure::back_transform`] multiplies the presented values of proportions,
/// rates and rate differences by the outcome's `per` on this thread, and [`current`] gives
/// the outcome's unit to the prose; the previous scale is restored on drop.
pub struct PerScope {
    previous: PerScale,
}

impl PerScope {
    /// The scope of an outcome of `measure` presented with `scale` (the default for measures
    /// it does not apply to).
    pub fn of(measure: Measure, scale: &PerScale) -> PerScope {
        let previous = current();
        let s = PerScale {
            per: scale.factor(measure),
            time_unit: scale.time_unit.filter(|_| has_time(measure)),
        };
        CURRENT.with(|c| c.set(s));
        PerScope { previous }
    }
}

impl Drop for PerScope {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

/// Both presentation scopes of an analysis: the Freeman–Tukey inverse at the harmonic-mean n
/// ([`FtScope`](super::single_group::FtScope)) and the outcome's multiplier ([`PerScope`]).
/// Every figure, table and sentence of an outcome opens one.
pub struct Presented {
    _ft: super::single_group::FtScope,
    _per: PerScope,
}

impl Presented {
    /// The scopes of analysis `a`.
    pub fn of(a: &super::analysis::Analysis) -> Presented {
        Presented {
            _ft: super::single_group::FtScope::of(a.measure, &a.inputs),
            _per: PerScope::of(a.measure, &a.options.per_scale),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_labels() {
        let py = PerScale {
            per: 1000.0,
            time_unit: Some(TimeUnit::Years),
        };
        assert_eq!(py.unit(Measure::IRLN).unwrap(), "per 1,000 person-years");
        assert_eq!(
            py.label(Measure::IR),
            "Incidence Rate per 1,000 person-years"
        );
        assert_eq!(py.unit(Measure::IRR), None);
        assert_eq!(py.time_heading(), "Person-years");
        let one = PerScale {
            per: 1.0,
            time_unit: Some(TimeUnit::Days),
        };
        assert_eq!(one.unit(Measure::IR).unwrap(), "per person-day");
        assert_eq!(
            PerScale::default().unit(Measure::IR).unwrap(),
            "per unit of person-time"
        );
        assert_eq!(PerScale::default().label(Measure::IR), "Incidence Rate");
        let pct = PerScale {
            per: 100.0,
            time_unit: None,
        };
        assert_eq!(pct.unit(Measure::PFT).unwrap(), "per 100 participants");
        assert_eq!(pct.label(Measure::PLO), "Proportion per 100");
        assert_eq!(PerScale::default().unit(Measure::PR), None);
        assert_eq!(thousands(100000.0), "100,000");
        assert_eq!(thousands(10000.0), "10,000");
    }

    #[test]
    fn the_scope_multiplies_and_restores() {
        let s = PerScale {
            per: 100.0,
            time_unit: None,
        };
        {
            let _a = PerScope::of(Measure::PR, &s);
            assert_eq!(Measure::PR.back_transform(0.25), 25.0);
            {
                let _b = PerScope::of(Measure::IRR, &s);
                assert_eq!(Measure::IRR.back_transform(0.0), 1.0);
            }
            assert_eq!(factor(), 100.0);
        }
        assert_eq!(factor(), 1.0);
    }
}
