//! An outcome's small-study tests and its forest and funnel plot settings.

use super::Resolver;
use crate::spec::raw::RawOutcome;
use crate::spec::{Forest, Funnel};
use crate::stats::analysis::BiasOptions;

/// The small-study tests asked for.
pub(super) fn bias_options(o: &RawOutcome) -> BiasOptions {
    let ss = o.small_study.unwrap_or_default();
    BiasOptions {
        egger: ss.egger.unwrap_or(false),
        begg: ss.begg.unwrap_or(false),
        trim_and_fill: ss.trim_and_fill.unwrap_or(false),
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
    let favours = pair(
        r,
        &f.favours,
        "favours",
        (
            format!("Favours {}", arms.0.to_lowercase()),
            format!("Favours {}", arms.1.to_lowercase()),
        ),
    );
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
    }
}

/// The funnel plot settings; a funnel that shows trim-and-fill or Egger's line turns the test on.
pub(super) fn funnel(o: &RawOutcome, bias: &mut BiasOptions) -> Funnel {
    let fu = o.funnel.clone().unwrap_or_default();
    let any_bias = bias.egger || bias.begg || bias.trim_and_fill;
    let funnel = Funnel {
        show: fu.show.unwrap_or(any_bias),
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
