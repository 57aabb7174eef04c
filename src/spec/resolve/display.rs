//! An outcome's small-study tests and its forest and funnel plot settings.

use super::Resolver;
use crate::spec::raw::RawOutcome;
use crate::spec::{Forest, Funnel};
use crate::stats::analysis::BiasOptions;

/// The small-study tests asked for, and the fewest studies they need (10 unless the spec sets
/// `min_studies`, at least 3).
pub(super) fn bias_options(r: &mut Resolver<'_>, path: &str, o: &RawOutcome) -> BiasOptions {
    let ss = o.small_study.unwrap_or_default();
    let min_studies = ss.min_studies.unwrap_or(10);
    if min_studies < 3 {
        r.error(
            &format!("{path}.small_study.min_studies"),
            format!("the tests need at least 3 studies, found {min_studies}"),
            Some("use a number from 3 (run with any usable number of studies) to 10 (the Cochrane Handbook's advice)".into()),
        );
    }
    BiasOptions {
        egger: ss.egger.unwrap_or(false),
        begg: ss.begg.unwrap_or(false),
        trim_and_fill: ss.trim_and_fill.unwrap_or(false),
        min_studies: min_studies.max(3) as usize,
        trimfill_control: None,
    }
}

/// The forest plot settings.
pub(super) fn forest(r: &mut Resolver<'_>, path: &str, o: &RawOutcome) -> Forest {
    let measure = o.measure;
    let f = o.forest.clone().unwrap_or_default();
    let pair = |r: &mut Resolver<'_>,
                v: &Option<Vec<String>>,
                field: &str,
                default: (String, String)| match v {
        Some(x) if x.len() == 2 => (x[0].clone(), x[1].clone()),
        Some(_) => {
            r.error(
                &format!("{path}.forest.{field}"),
                "expected two labels: [left, right]",
                None,
            );
            default
        }
        None => default,
    };
    let arms = pair(
        r,
        &f.arms,
        "arms",
        ("Experimental".into(), "Control".into()),
    );
    // A single group has no comparison: no "Favours" labels unless the spec gives them.
    let default_favours = if measure.single_group() {
        (String::new(), String::new())
    } else {
        (
            format!("Favours {}", in_sentence(&arms.0)),
            format!("Favours {}", in_sentence(&arms.1)),
        )
    };
    let favours = pair(r, &f.favours, "favours", default_favours);
    let limits = match &f.limits {
        Some(l) if l.len() == 2 && l[0] < l[1] && (!measure.is_ratio() || l[0] > 0.0) => {
            Some((l[0], l[1]))
        }
        Some(_) => {
            r.error(
                &format!("{path}.forest.limits"),
                if measure.is_ratio() {
                    "expected [lower, upper] with 0 < lower < upper"
                } else {
                    "expected [lower, upper] with lower < upper"
                },
                None,
            );
            None
        }
        None => None,
    };
    if let Some(t) = &f.ticks
        && t.len() > crate::plot::axis::MAX_TICKS
    {
        r.error(
            &format!("{path}.forest.ticks"),
            format!(
                "{} ticks is more than an axis can show (at most {})",
                t.len(),
                crate::plot::axis::MAX_TICKS
            ),
            None,
        );
    }
    if let Some(t) = &f.ticks
        && measure.is_ratio()
        && t.iter().any(|x| *x <= 0.0)
    {
        r.error(
            &format!("{path}.forest.ticks"),
            "ticks of a ratio axis must be positive",
            None,
        );
    }
    Forest {
        favours,
        arms,
        limits,
        ticks: f.ticks.clone(),
        prediction_bar: f.prediction_bar.unwrap_or(false),
        caption: f.caption.clone(),
        risk_of_bias: f.risk_of_bias.unwrap_or(false),
        decimals: Default::default(),
    }
}

/// An arm's name inside a sentence: words in lower case, but acronyms ("HCQ", "BCG", "IABP")
/// as written.
fn in_sentence(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            if w.chars().filter(|c| c.is_uppercase()).count() >= 2 {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The funnel plot settings; a funnel that shows trim-and-fill or Egger's line turns the test on.
/// Asking for something drawn on the funnel (contours, trim-and-fill, Egger's line) draws the
/// funnel unless `show: false` says otherwise (`funnel: {contours: true}` alone drew nothing).
pub(super) fn funnel(o: &RawOutcome, bias: &mut BiasOptions) -> Funnel {
    let fu = o.funnel.clone().unwrap_or_default();
    let any_bias = bias.egger || bias.begg || bias.trim_and_fill;
    let drawn_on = [fu.contours, fu.trim_and_fill, fu.egger_line].contains(&Some(true));
    let funnel = Funnel {
        show: fu.show.unwrap_or(any_bias || drawn_on),
        contours: fu.contours.unwrap_or(false),
        trim_and_fill: fu.trim_and_fill.unwrap_or(bias.trim_and_fill),
        egger_line: fu.egger_line.unwrap_or(false),
        caption: fu.caption.clone(),
    };
    if funnel.trim_and_fill && !bias.trim_and_fill {
        bias.trim_and_fill = true;
    }
    if funnel.egger_line && !bias.egger {
        bias.egger = true;
    }
    funnel
}

#[cfg(test)]
mod tests {
    #[test]
    fn favours_labels_keep_acronyms() {
        assert_eq!(super::in_sentence("Magnesium"), "magnesium");
        assert_eq!(super::in_sentence("HCQ or CQ"), "HCQ or CQ");
        assert_eq!(super::in_sentence("Early IABP"), "early IABP");
    }
}
