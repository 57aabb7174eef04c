//! The methods' sentences on multi-arm trials (`multi_arm:`, `data/multi_arm.rs`): which
//! trials had several comparisons with one control group, and whether that control group was
//! split among them or their experimental arms combined (Cochrane Handbook 23.3.4; the
//! combining formula of 6.5.2.10), with the number of rows analysed and of trials.

use crate::report::format::and_list;

use serde_json::{Value, json};

use crate::data::InputKind;
use crate::data::multi_arm::Method;
use crate::spec::Spec;

/// One entry per outcome whose multi-arm trials were split or combined.
pub fn context(spec: &Spec) -> Value {
    let several = spec.outcomes.len() > 1;
    spec.outcomes
        .iter()
        .filter_map(|o| {
            let r = o.multi_arm.as_ref()?;
            if r.trials.is_empty() {
                return None;
            }
            let trials: Vec<String> = r
                .trials
                .iter()
                .map(|t| {
                    // Arms whose names hold "and" or commas are listed with semicolons.
                    let arms = if t.arms.iter().any(|a| a.contains(" and ") || a.contains(',')) {
                        t.arms.join("; ")
                    } else {
                        and_list(&t.arms)
                    };
                    format!("{} ({arms})", t.trial)
                })
                .collect();
            Some(json!({
                "lead": if several { format!("For {}, the", crate::report::format::title_in_text(&o.title)) } else { "The".into() },
                "method": r.method.name(),
                "split": r.method == Method::Split,
                "binary": o.kind == InputKind::Binary,
                "trials": and_list(&trials),
                "n_trials": r.trials.len(),
                "rows": r.rows_analysed,
                "trials_analysed": r.trials_analysed,
                "rows_text": crate::report::format::count_in_text(r.rows_analysed),
                "trials_text": crate::report::format::count_in_text(r.trials_analysed),
            }))
        })
        .collect()
}

/// For an outcome whose multi-arm trials were split: the number of studies (trials) its rows
/// come from, in words ("five"); `None` otherwise (its rows are studies).
pub fn split_trials(o: &crate::spec::Outcome) -> Option<String> {
    let r = o.multi_arm.as_ref()?;
    (r.method == Method::Split && !r.trials.is_empty())
        .then(|| crate::report::format::count_in_text(r.trials_analysed))
}

/// The summary table's count for an outcome whose multi-arm trials were split: the
/// comparisons its rows are ("8 comparisons", printed under the studies: "5 / (8
/// comparisons)"), so that the table counts the unit the text counts; `None` otherwise.
pub fn comparisons_cell(o: &crate::spec::Outcome, reported: usize) -> Option<String> {
    let r = o.multi_arm.as_ref()?;
    (r.method == Method::Split && !r.trials.is_empty()).then(|| format!("{reported} comparisons"))
}

/// The number of studies an outcome's rows come from: `reported`, or for split multi-arm
/// trials the trials the comparisons come from.
pub fn studies_count(o: &crate::spec::Outcome, reported: usize) -> usize {
    match o.multi_arm.as_ref() {
        Some(r) if r.method == Method::Split && !r.trials.is_empty() => r.trials_analysed,
        _ => reported,
    }
}
