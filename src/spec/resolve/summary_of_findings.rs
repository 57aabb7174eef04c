//! `summary_of_findings:` → [`SummaryOfFindings`]: each row names an outcome of the spec with a
//! measure the table can show; assumed risks are proportions of binary outcomes; a scale only
//! re-expresses an SMD; a certainty gives all five downgrading domains, a reason for every
//! judgement that moves it, and upgrades only for evidence that starts low.

use std::collections::BTreeMap;

use super::Resolver;
use crate::data::InputKind;
use crate::diag::did_you_mean;
use crate::spec::Outcome;
use crate::spec::raw::{
    RawAssumedRisk, RawCertainty, RawConcern, RawDowngrade, RawRiskSource, RawSofOutcome, RawStart,
    RawSummaryOfFindings, RawUpgrade, RawUpgradeRating,
};
use crate::spec::summary_of_findings::{
    AssumedRisk, Certainty, Domain, Judgement, Level, SofRow, SummaryOfFindings,
};
use crate::stats::{Measure, absolute};

/// The Handbook's limit (section 14.1.4): "no more than seven" outcomes.
pub const MAX_ROWS: usize = 7;

pub(super) fn summary_of_findings(
    r: &mut Resolver<'_>,
    raw: &RawSummaryOfFindings,
    outcomes: &[Outcome],
    raw_ids: &[String],
) -> Option<SummaryOfFindings> {
    let base = "summary_of_findings";
    if raw.outcomes.is_empty() {
        r.error(
            &format!("{base}.outcomes"),
            "the Summary of Findings table needs at least one outcome",
            Some("list the outcomes as `- outcome: <id>`".into()),
        );
        return None;
    }
    if raw.outcomes.len() > MAX_ROWS {
        r.error(
            &format!("{base}.outcomes"),
            format!(
                "{} outcomes: a Summary of Findings table shows at most {MAX_ROWS} (Cochrane Handbook, section 14.1.4)",
                raw.outcomes.len()
            ),
            Some("keep the outcomes most important for decisions; report the others in the text".into()),
        );
    }
    for (key, v) in [
        ("intervention", &raw.intervention),
        ("comparator", &raw.comparator),
    ] {
        if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
            r.error(&format!("{base}.{key}"), "is empty", None);
        }
    }
    let mut rows = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, o) in raw.outcomes.iter().enumerate() {
        let path = format!("{base}.outcomes[{i}]");
        if let Some(j) = seen.insert(o.outcome.as_str(), i) {
            r.error(
                &format!("{path}.outcome"),
                format!(
                    "outcome `{}` is already row {} of the table",
                    o.outcome,
                    j + 1
                ),
                None,
            );
            continue;
        }
        let Some(index) = outcomes.iter().position(|x| x.id == o.outcome) else {
            // An outcome that failed to resolve has its own message already.
            if !raw_ids.contains(&o.outcome) {
                let hint = did_you_mean(&o.outcome, raw_ids.iter().map(String::as_str))
                    .map(|m| format!("did you mean `{m}`?"))
                    .or_else(|| Some(format!("the outcomes are: {}", raw_ids.join(", "))));
                r.error(
                    &format!("{path}.outcome"),
                    format!("no outcome has the id `{}`", o.outcome),
                    hint,
                );
            }
            continue;
        };
        if let Some(row) = row(r, &path, o, &outcomes[index], index) {
            rows.push(row);
        }
    }
    let first = raw
        .outcomes
        .iter()
        .find_map(|o| outcomes.iter().find(|x| x.id == o.outcome));
    let (intervention, comparator) = match first {
        Some(o) => (o.forest.arms.0.clone(), o.forest.arms.1.clone()),
        None => ("Intervention".into(), "Control".into()),
    };
    Some(SummaryOfFindings {
        intervention: raw.intervention.clone().unwrap_or(intervention),
        comparator: raw.comparator.clone().unwrap_or(comparator),
        population: raw.population.clone(),
        setting: raw.setting.clone(),
        caption: raw.caption.clone(),
        rows,
    })
}

fn row(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawSofOutcome,
    out: &Outcome,
    index: usize,
) -> Option<SofRow> {
    let m = out.options.measure;
    if matches!(m, Measure::ZCOR | Measure::GEN) {
        r.error(
            &format!("{path}.outcome"),
            format!(
                "outcome `{}` is measured by the {}: a Summary of Findings row needs a risk, odds or hazard ratio, a risk difference, a mean difference or an SMD",
                out.id,
                m.name()
            ),
            None,
        );
        return None;
    }
    let binary = absolute::has_risks(m);
    let assumed_risk = if binary {
        assumed(r, path, o.assumed_risk.as_ref(), out)
    } else {
        if o.assumed_risk.is_some() {
            r.error(
                &format!("{path}.assumed_risk"),
                format!(
                    "outcome `{}` is continuous ({}): it has no control risk",
                    out.id,
                    m.name()
                ),
                Some("remove `assumed_risk`; the table shows the difference in means".into()),
            );
        }
        None
    };
    let threshold = o.threshold.unwrap_or(0.0);
    if !(threshold.is_finite() && threshold >= 0.0) {
        r.error(
            &format!("{path}.threshold"),
            format!("{threshold} is not a size of effect: give a number ≥ 0 (per 1,000 people for a binary outcome, in the measure's units for a continuous one)"),
            None,
        );
    }
    let scale = o.scale.as_ref().and_then(|s| {
        if m != Measure::SMD {
            r.error(
                &format!("{path}.scale"),
                format!(
                    "a scale re-expresses a standardised mean difference; outcome `{}` is measured by the {}",
                    out.id,
                    m.name()
                ),
                None,
            );
            return None;
        }
        if !(s.sd.is_finite() && s.sd > 0.0) {
            r.error(
                &format!("{path}.scale.sd"),
                format!(
                    "{} is not a standard deviation: give a number > 0",
                    s.sd
                ),
                None,
            );
            return None;
        }
        if s.name.trim().is_empty() {
            r.error(&format!("{path}.scale.name"), "is empty", None);
            return None;
        }
        Some((
            s.name.clone(),
            s.sd,
            s.units.clone().unwrap_or_else(|| "points".into()),
        ))
    });
    let certainty = o
        .certainty
        .as_ref()
        .and_then(|c| certainty(r, &format!("{path}.certainty"), c));
    Some(SofRow {
        outcome: out.id.clone(),
        index,
        follow_up: o.follow_up.clone(),
        assumed_risk,
        threshold,
        scale,
        comment: o.comment.clone(),
        certainty,
    })
}

fn assumed(
    r: &mut Resolver<'_>,
    path: &str,
    raw: Option<&RawAssumedRisk>,
    out: &Outcome,
) -> Option<AssumedRisk> {
    let p = format!("{path}.assumed_risk");
    let from_data = |r: &mut Resolver<'_>, which: &str| {
        if out.kind != InputKind::Binary {
            r.error(
                &p,
                format!(
                    "`{which}` needs the studies' control-group events, and outcome `{}` gives {} data",
                    out.id,
                    crate::spec::resolve::word(&out.kind)
                ),
                Some("give the assumed control risk as a proportion, e.g. `assumed_risk: 0.3`".into()),
            );
            false
        } else {
            true
        }
    };
    let check = |r: &mut Resolver<'_>, at: &str, x: f64| {
        if x.is_finite() && x > 0.0 && x < 1.0 {
            true
        } else {
            r.error(
                at,
                format!(
                    "{x} is not a risk: give a proportion between 0 and 1 (0.3 for 300 per 1,000)"
                ),
                None,
            );
            false
        }
    };
    match raw {
        None | Some(RawAssumedRisk::From(RawRiskSource::MedianControl)) => {
            if from_data(r, "median-control") {
                Some(AssumedRisk::MedianControl)
            } else {
                None
            }
        }
        Some(RawAssumedRisk::From(RawRiskSource::PooledControl)) => {
            from_data(r, "pooled-control").then_some(AssumedRisk::PooledControl)
        }
        Some(RawAssumedRisk::One(x)) => {
            check(r, &p, *x).then(|| AssumedRisk::Given(vec![(None, *x)]))
        }
        Some(RawAssumedRisk::Several(v)) => {
            if v.is_empty() {
                r.error(&p, "no risk given", None);
                return None;
            }
            let mut ok = true;
            for (i, x) in v.iter().enumerate() {
                ok &= check(r, &format!("{p}[{i}]"), *x);
            }
            ok.then(|| AssumedRisk::Given(v.iter().map(|x| (None, *x)).collect()))
        }
        Some(RawAssumedRisk::Named(m)) => {
            if m.is_empty() {
                r.error(&p, "no risk given", None);
                return None;
            }
            let mut ok = true;
            for (k, x) in m {
                ok &= check(r, &format!("{p}.{k}"), *x);
            }
            // In the order of the risks (low before high), not of the names.
            let mut v: Vec<(Option<String>, f64)> =
                m.iter().map(|(k, x)| (Some(k.clone()), *x)).collect();
            v.sort_by(|a, b| a.1.total_cmp(&b.1));
            ok.then_some(AssumedRisk::Given(v))
        }
    }
}

fn certainty(r: &mut Resolver<'_>, path: &str, c: &RawCertainty) -> Option<Certainty> {
    let start = match c.start {
        RawStart::High => Level::High,
        RawStart::Low => Level::Low,
    };
    let mut ok = true;
    let mut judgements = Vec::new();
    let downs: [(Domain, &Option<RawDowngrade>); 5] = [
        (Domain::RiskOfBias, &c.risk_of_bias),
        (Domain::Inconsistency, &c.inconsistency),
        (Domain::Indirectness, &c.indirectness),
        (Domain::Imprecision, &c.imprecision),
        (Domain::PublicationBias, &c.publication_bias),
    ];
    let missing: Vec<&str> = downs
        .iter()
        .filter(|(_, d)| d.is_none())
        .map(|(d, _)| d.key())
        .collect();
    if !missing.is_empty() {
        r.error(
            path,
            format!(
                "{} {} {} missing: GRADE judges all five domains",
                if missing.len() == 1 {
                    "the judgement of"
                } else {
                    "the judgements of"
                },
                missing
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if missing.len() == 1 { "is" } else { "are" }
            ),
            Some(
                "add e.g. `inconsistency: {rating: no}`, or `{rating: serious, reason: \"…\"}`"
                    .into(),
            ),
        );
        ok = false;
    }
    for (domain, d) in downs {
        let Some(d) = d else { continue };
        let levels = match d.rating {
            RawConcern::No => 0,
            RawConcern::Serious => -1,
            RawConcern::VerySerious => -2,
        };
        ok &= reason(r, &format!("{path}.{}", domain.key()), levels, &d.reason);
        judgements.push(Judgement {
            domain,
            levels,
            reason: d.reason.clone(),
        });
    }
    let ups: [(Domain, &Option<RawUpgrade>); 3] = [
        (Domain::LargeEffect, &c.large_effect),
        (Domain::DoseResponse, &c.dose_response),
        (Domain::PlausibleConfounding, &c.plausible_confounding),
    ];
    for (domain, u) in ups {
        let Some(u) = u else { continue };
        let at = format!("{path}.{}", domain.key());
        let levels = match u.rating {
            RawUpgradeRating::No => 0,
            RawUpgradeRating::Yes => 1,
            RawUpgradeRating::VeryLarge if domain == Domain::LargeEffect => 2,
            RawUpgradeRating::VeryLarge => {
                r.error(
                    &format!("{at}.rating"),
                    format!(
                        "`very-large` is a rating of `large_effect`; `{}` is `yes` or `no`",
                        domain.key()
                    ),
                    None,
                );
                ok = false;
                0
            }
        };
        if levels > 0 && start == Level::High {
            r.error(
                &format!("{at}.rating"),
                "evidence that starts high cannot be upgraded: GRADE upgrades observational evidence (`start: low`)",
                Some("rate it `no`, or start low if the studies are observational".into()),
            );
            ok = false;
        }
        ok &= reason(r, &at, levels, &u.reason);
        judgements.push(Judgement {
            domain,
            levels,
            reason: u.reason.clone(),
        });
    }
    ok.then_some(Certainty { start, judgements })
}

/// A judgement that moves the certainty needs its reason (the table's footnote).
fn reason(r: &mut Resolver<'_>, at: &str, levels: i8, reason: &Option<String>) -> bool {
    let given = reason.as_deref().is_some_and(|s| !s.trim().is_empty());
    if levels != 0 && !given {
        r.error(
            at,
            "a judgement that changes the certainty needs a `reason` (the table prints it as a footnote)",
            Some("add `reason: \"…\"` saying why".into()),
        );
        return false;
    }
    true
}
