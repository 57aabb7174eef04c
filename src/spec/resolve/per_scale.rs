//! `per:` and `person_time:` of an outcome: results per 100 or per 1,000 participants or
//! units of person-time, and the unit of a rate's person-time column (`stats::per_scale`).

use super::Resolver;
use crate::spec::raw::RawOutcome;
use crate::stats::Measure;
use crate::stats::per_scale::{self, PerScale};

/// The largest multiplier accepted (per 10⁹ is beyond any rate a paper prints).
const MAX_PER: f64 = 1e9;

/// The outcome's presentation scale; a located error for a multiplier that is not a positive
/// number or is given for a measure it does not apply to.
pub(super) fn per_scale(r: &mut Resolver<'_>, path: &str, o: &RawOutcome) -> PerScale {
    let m = o.measure;
    let mut scale = PerScale::default();
    if let Some(per) = o.per {
        if !per_scale::scalable(m) {
            r.error(
                &format!("{path}.per"),
                format!(
                    "`per` applies to single-group proportions (PR, PLO, PAS, PFT), incidence rates (IR, IRLN) and rate differences (IRD), not to {} ({})",
                    m.code(),
                    m.name()
                ),
                Some(hint_for(m)),
            );
        } else if !(per.is_finite() && per > 0.0 && per <= MAX_PER) {
            r.error(
                &format!("{path}.per"),
                format!("expected a positive number of at most 1,000,000,000, found {per}"),
                Some("write `per: 100` for results per 100 participants or `per: 1000` for rates per 1,000 units of person-time".into()),
            );
        } else {
            scale.per = per;
        }
    }
    if let Some(unit) = o.person_time {
        if per_scale::has_time(m) {
            scale.time_unit = Some(unit);
        } else {
            r.error(
                &format!("{path}.person_time"),
                format!(
                    "`person_time` names the unit of a rate's person-time column (IR, IRLN, IRR, IRD); {} ({}) has none",
                    m.code(),
                    m.name()
                ),
                Some("remove `person_time`, or use a rate measure with `events` and `time` columns".into()),
            );
        }
    }
    scale
}

fn hint_for(m: Measure) -> String {
    if m == Measure::IRR || m.is_ratio() {
        "a ratio has no unit to scale: remove `per`".into()
    } else {
        "remove `per`; for a single-group proportion use PR, PLO, PAS or PFT".into()
    }
}
