//! What the statistical-methods paragraph states, read from what was computed — not from what
//! the spec asked for — so that the methods name exactly the estimators, definitions and
//! corrections behind the numbers of the results (`methods.computed` in the templates).
//!
//! Each fact is gathered over the pools the manuscript prints (each outcome's overall pool and
//! its subgroups): which τ² estimators were used (Mantel–Haenszel random effects always use
//! DerSimonian–Laird; an iterative estimator that failed fell back to it), which definition
//! of I² each pool's printed value follows, which prediction interval the results show, which
//! studies had a continuity correction, whether studies without events in either group were
//! left out, whether τ² was truncated at 0, and how the small-study tests were run.

use crate::report::format::and_list;

use serde_json::{Value, json};

use super::context::NAMES_IN_TEXT_AT_MOST;
use super::counts::{Counts, NotEstimableWhy};
use super::format;
use crate::spec::{Outcome, Spec};
use crate::stats::analysis::{Analysis, Pool, Pooling};
use crate::stats::effect::{CorrectionKind, CorrectionScope};
use crate::stats::{Computed, Effects, PredictionKind, Tau2Method};

/// The URL of metareport's repository (Cargo.toml `repository`), cited as the software used.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The year of this version of metareport, printed in its citation (a fixed value: outputs
/// must not depend on the clock). Update it with the version.
pub const RELEASE_YEAR: u16 = 2026;

/// The bibliography entry citing metareport itself (hayagriva YAML), appended to
/// `references.yml` with the version and repository of this binary.
pub fn software_reference() -> String {
    format!(
        "metareport:\n  type: repository\n  title: metareport\n  author: [{{name: \"The metareport developers\"}}]\n  date: {RELEASE_YEAR}\n  serial-number: {{version: \"{}\"}}\n  url: {REPOSITORY}\n",
        crate::results::VERSION
    )
}

/// The bibliography key of a τ² estimator's reference.
pub fn tau2_reference(m: Tau2Method) -> &'static str {
    match m {
        Tau2Method::DL => "dersimonian1986",
        Tau2Method::REML | Tau2Method::ML => "viechtbauer2005",
        Tau2Method::PM => "paule1982",
        Tau2Method::HS => "hunter2004",
        Tau2Method::SJ => "sidik2005",
        Tau2Method::HE => "hedges1985",
        Tau2Method::EB => "morris1983",
    }
}

/// The τ² estimator a pool actually used, when it used one.
pub fn tau2_used(pool: &Pool) -> Option<Tau2Method> {
    pool.heterogeneity.value().and_then(|h| h.tau2_method)
}

/// The pools whose numbers the manuscript prints: the overall pool and each subgroup's.
fn printed_pools(a: &Analysis) -> Vec<&Pool> {
    let mut v = vec![&a.overall];
    if let Some(sg) = &a.subgroups {
        v.extend(sg.groups.iter().map(|g| &g.pool));
    }
    v
}

fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// The outcomes (by title) for which `f` holds, when it holds for some but not all.
fn which(outs: &[(&Outcome, &Analysis)], f: impl Fn(&Outcome, &Analysis) -> bool) -> Value {
    let titles: Vec<String> = outs
        .iter()
        .filter(|(o, a)| f(o, a))
        .map(|(o, _)| crate::report::format::title_in_text(&o.title))
        .collect();
    if titles.is_empty() || titles.len() == outs.len() {
        Value::Null
    } else {
        json!(and_list(&titles))
    }
}

/// The facts of the methods paragraph (see the module documentation).
pub fn computed(spec: &Spec, analyses: &[Analysis]) -> Value {
    let outs: Vec<(&Outcome, &Analysis)> = spec.outcomes.iter().zip(analyses).collect();

    // τ² estimators actually used by random-effects pools (and by the rule's τ² when nothing
    // was pooled), with their references; those asked for but replaced by DL.
    let mut tau2: Vec<Tau2Method> = Vec::new();
    // Inverse-variance τ² estimators, each with the outcomes it was used for.
    let mut iv_tau2: Vec<(Tau2Method, Vec<String>)> = Vec::new();
    let mut fallback: Vec<String> = Vec::new();
    let mut truncated = false;
    let (mut i2_tau2, mut i2_q) = (false, false);
    for (o, a) in &outs {
        let title = crate::report::format::title_in_text(&o.title);
        for pool in printed_pools(a) {
            if let Some(m) = tau2_used(pool) {
                push(&mut tau2, m);
                if pool.pooling == Pooling::InverseVariance {
                    match iv_tau2.iter_mut().find(|(x, _)| *x == m) {
                        Some((_, titles)) => push(titles, title.clone()),
                        None => iv_tau2.push((m, vec![title.clone()])),
                    }
                    if m != o.options.tau2_method {
                        push(&mut fallback, title.clone());
                    }
                }
            }
            if let Some(h) = pool.heterogeneity.value() {
                truncated |= h.tau2_truncated && h.tau2_method.is_some();
                // I² comes from τ² when a random-effects model was fitted and I² is not asked
                // to come from Q; otherwise from Q (`pool.rs`).
                if h.tau2_method.is_some() && !o.options.i2_from_q {
                    i2_tau2 = true;
                } else {
                    i2_q = true;
                }
            }
        }
    }
    let several = iv_tau2.len() > 1;
    let tau2_by: Vec<Value> = iv_tau2
        .iter()
        .map(|(m, titles)| {
            json!({"name": m.name(), "ref": tau2_reference(*m), "outcomes": several.then(|| and_list(titles))})
        })
        .collect();
    let tau2_names: Vec<String> = iv_tau2.iter().map(|(m, _)| m.name().to_string()).collect();
    let tau2_refs: Vec<&str> = iv_tau2.iter().map(|(m, _)| tau2_reference(*m)).collect();

    // Prediction intervals the results print (overall pools only), by the distribution of
    // their critical value: normal, t on k − 1 df (metafor's under HKSJ), t on k − 2 df
    // (Higgins–Thompson–Spiegelhalter).
    let mut prediction_by: Vec<(&str, Vec<String>)> = Vec::new();
    for (o, a) in &outs {
        if let Some(p) = a.overall.prediction.value()
            && p.shown_interval().is_some()
        {
            let kind = match p.shown {
                PredictionKind::HigginsT => "t_k2",
                _ if a.overall.pooled.value().is_some_and(|x| x.df.is_some()) => "t_k1",
                _ => "normal",
            };
            let title = crate::report::format::title_in_text(&o.title);
            match prediction_by.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, titles)) => push(titles, title),
                None => prediction_by.push((kind, vec![title])),
            }
        }
    }
    let several = prediction_by.len() > 1;
    let prediction: Vec<Value> = prediction_by
        .iter()
        .map(|(k, titles)| json!({"kind": k, "outcomes": several.then(|| and_list(titles))}))
        .collect();

    // Zero cells: the corrections made, and the studies without information on a ratio scale.
    let continuity: Vec<Value> = outs
        .iter()
        .filter_map(|(o, a)| {
            let corrected: Vec<String> = a
                .studies
                .iter()
                .filter(|s| s.corrected)
                .map(|s| a.name(s).to_string())
                .collect();
            if corrected.is_empty() {
                return None;
            }
            let c = &a.options.continuity;
            // Single-group rates get the increment on their event counts only; proportions
            // and two-arm tables on every cell (events and non-events) of the study.
            let events_only = a.inputs.iter().any(|s| {
                matches!(
                    s.data,
                    crate::stats::StudyData::Rate { .. } | crate::stats::StudyData::Rates { .. }
                )
            });
            Some(json!({
                "outcome": crate::report::format::title_in_text(&o.title),
                "named": outs.len() > 1,
                "cells": if events_only { "the event counts of" } else { "every cell of" },
                "add": format!("{}", c.add),
                "sum": format!("{}", 2.0 * c.add),
                "scope": match c.to {
                    CorrectionScope::OnlyZero => "only_zero",
                    CorrectionScope::All => "all",
                    CorrectionScope::AllIfAnyZero => "all_if_any_zero",
                    CorrectionScope::None => "none",
                },
                "treatment_arm": c.kind == CorrectionKind::TreatmentArm,
                "n": corrected.len(),
                "n_text": format::count_in_text(corrected.len()),
                "studies": if corrected.len() <= NAMES_IN_TEXT_AT_MOST { and_list(&corrected) } else { String::new() },
                "raw_counts_pooled": a.options.pooling != Pooling::InverseVariance && a.overall.pooling != Pooling::InverseVariance,
            }))
        })
        .collect();
    let no_information = outs.iter().any(|(_, a)| {
        Counts::overall(a)
            .not_estimable
            .iter()
            .any(|n| n.why != NotEstimableWhy::Other)
    });
    let double_zero_included = outs.iter().any(|(_, a)| {
        !a.options.continuity.exclude_double_zero
            && a.studies
                .iter()
                .any(|s| crate::stats::effect::is_double_zero(&a.input(s).data))
    });

    // Small-study tests: the rule on the number of studies, and outcomes tested below it.
    let min_studies = outs
        .iter()
        .map(|(o, _)| o.options.bias.min_studies)
        .max()
        .unwrap_or(10);
    let asked =
        |o: &Outcome| o.options.bias.egger || o.options.bias.begg || o.options.bias.trim_and_fill;
    let skipped: Vec<String> = outs
        .iter()
        .filter(|(o, a)| asked(o) && a.studies.len() < o.options.bias.min_studies)
        .map(|(o, _)| crate::report::format::title_in_text(&o.title))
        .collect();
    let forced: Vec<Value> = outs
        .iter()
        .filter(|(o, a)| asked(o) && a.studies.len() < 10 && a.studies.len() >= o.options.bias.min_studies)
        .map(|(o, a)| json!({"outcome": crate::report::format::title_in_text(&o.title), "k": a.studies.len(), "k_text": format::count_in_text(a.studies.len())}))
        .collect();
    let egger_ran = outs.iter().any(|(_, a)| {
        a.bias
            .as_ref()
            .is_some_and(|b| matches!(b.egger, Some(Computed::Value(_))))
    });
    let begg_ran = outs.iter().any(|(_, a)| {
        a.bias
            .as_ref()
            .is_some_and(|b| matches!(b.begg, Some(Computed::Value(_))))
    });
    let trim_and_fill_ran = outs.iter().any(|(_, a)| {
        a.bias
            .as_ref()
            .is_some_and(|b| matches!(b.trim_and_fill, Some(Computed::Value(_))))
    });

    json!({
        // Any outcome compares groups (single-group estimates have no null value to test).
        "comparative": outs.iter().any(|(_, a)| !a.measure.single_group()),
        "tau2": and_list(&tau2_names),
        "tau2_refs": tau2_refs,
        "tau2_by": tau2_by,
        "tau2_fallback": if fallback.is_empty() { Value::Null } else { json!(and_list(&fallback)) },
        "dl_reference_needed": tau2.contains(&Tau2Method::DL),
        "truncated": truncated,
        "i2_tau2": i2_tau2,
        "i2_q": i2_q,
        "prediction": prediction,
        "prediction_for": which(&outs, |_, a| a.overall.prediction.value().is_some_and(|p| p.shown_interval().is_some())),
        "hksj_for": which(&outs, |_, a| a.overall.pooled.value().is_some_and(|p| p.df.is_some())),
        "continuity": continuity,
        "no_information": no_information,
        "double_zero_included": double_zero_included,
        "peto_random_iv": outs.iter().any(|(o, a)| o.options.pooling == Pooling::Peto && a.overall.pooling == Pooling::InverseVariance && matches!(a.overall.decision.effects, Some(Effects::Random(_)))),
        "small_study": {
            "asked": outs.iter().any(|(o, _)| asked(o)),
            "min_studies": min_studies,
            "rule": min_studies >= 10,
            "skipped": if skipped.is_empty() { Value::Null } else { json!(and_list(&skipped)) },
            "forced": forced,
            "egger": egger_ran,
            "begg": begg_ran,
            "trim_and_fill": trim_and_fill_ran,
        },
        "software": {"name": "metareport", "version": crate::results::VERSION, "url": REPOSITORY},
    })
}
