//! The template context: everything the manuscript says, as pre-formatted strings and flags.
//!
//! Numbers are formatted here (through `format.rs`), never in templates; templates decide the
//! words and the layout. All user text reaches the typst source through the templates'
//! auto-escaping.

use crate::report::format::and_list;

use serde::Serialize;
use serde_json::{Value, json};

use super::counts::{Counts, NotEstimableWhy};
use super::format;
use crate::data::InputKind;
use crate::results::VERSION;
use crate::spec::{Figure, FigureKind, Outcome, Reproducibility, Spec, Style};
use crate::stats::analysis::{Analysis, Pool, Pooling};
use crate::stats::baseline::{self, CountRow, MeanRow};
use crate::stats::model_rule::DecisionReason;
use crate::stats::qprofile::Bound;
use crate::stats::{Computed, Effects, Measure, ModelChoice, PredictionKind};

/// A figure of the manuscript with its file and caption.
#[derive(Debug, Clone, Serialize)]
pub struct FigureRef {
    /// Path of the SVG relative to the review's output folder ("figures/forest-mortality.svg").
    pub path: String,
    /// typst label ("fig-forest-mortality").
    pub label: String,
    pub caption: String,
    pub kind: String,
}

/// Figure file stem and label for a figure.
pub fn figure_ref(spec: &Spec, f: &Figure) -> FigureRef {
    let stem = f.stem();
    let caption = f
        .caption
        .clone()
        .unwrap_or_else(|| default_caption(spec, f));
    FigureRef {
        path: format!("figures/{stem}.svg"),
        label: format!("{}-fig-{}", spec.id, stem.replace('+', "-")),
        caption,
        kind: f.kind.slug().into(),
    }
}

fn outcome_title<'a>(spec: &'a Spec, id: &'a str) -> &'a str {
    spec.outcomes
        .iter()
        .find(|o| o.id == id)
        .map_or(id, |o| o.title.as_str())
}

fn default_caption(spec: &Spec, f: &Figure) -> String {
    let titles: Vec<&str> = f.outcomes.iter().map(|o| outcome_title(spec, o)).collect();
    let list = titles.join("; ");
    match f.kind {
        FigureKind::Prisma => "PRISMA 2020 flow diagram of the study selection.".into(),
        FigureKind::Forest if f.subgroup_panels => {
            format!("Forest plots by subgroup: {list}; each panel is a separate meta-analysis.")
        }
        FigureKind::Forest if titles.len() > 1 => {
            let parts: Vec<String> = titles
                .iter()
                .enumerate()
                .map(|(i, t)| format!("({}) {t}", (b'A' + i as u8) as char))
                .collect();
            format!("Forest plots. {}.", parts.join(" "))
        }
        FigureKind::Forest => format!("Forest plot: {list}."),
        FigureKind::Funnel => format!("Funnel plot: {list}."),
        FigureKind::LeaveOneOut => format!("Leave-one-out sensitivity analysis: {list}."),
        FigureKind::Cumulative => format!(
            "Cumulative meta-analysis: {list}.{}",
            cumulative_order(spec, f)
        ),
        FigureKind::RiskOfBias | FigureKind::RiskOfBiasSummary => {
            super::risk_of_bias::default_caption(spec, f)
        }
        FigureKind::Bubble | FigureKind::Baujat | FigureKind::Gosh => {
            super::context_heterogeneity::caption(spec, f)
        }
    }
}

/// The order a cumulative figure adds its studies in, as a sentence for its caption.
fn cumulative_order(spec: &Spec, f: &Figure) -> String {
    use crate::spec::CumulativeOrder;
    let mut phrases: Vec<String> = Vec::new();
    for o in spec.outcomes.iter().filter(|o| f.outcomes.contains(&o.id)) {
        let phrase = match &o.cumulative_order {
            None | Some(CumulativeOrder::Data) => "in the order of the data".to_string(),
            Some(CumulativeOrder::Column {
                column,
                numeric: true,
                descending,
            }) => format!(
                "in {} order of {column}",
                if *descending {
                    "descending"
                } else {
                    "ascending"
                }
            ),
            Some(CumulativeOrder::Column {
                column,
                numeric: false,
                descending,
            }) => format!(
                "in {}alphabetical order of {column} (ignoring case; numbers in the text compared as numbers)",
                if *descending { "reverse " } else { "" }
            ),
        };
        if !phrases.contains(&phrase) {
            phrases.push(phrase);
        }
    }
    match phrases.as_slice() {
        [one] => format!(" Studies are added {one}."),
        _ => String::new(),
    }
}

/// " per 1,000 person-years": the unit of the outcome whose presentation scope is open
/// (`stats::per_scale`), or nothing.
fn unit_suffix(m: Measure) -> String {
    crate::stats::per_scale::current()
        .unit(m)
        .map_or_else(String::new, |u| format!(" {u}"))
}

fn est_ci(m: Measure, est: f64, lo: f64, hi: f64, level: f64) -> String {
    format!(
        "{} {}{}, {} CI {}",
        m.abbreviation(),
        format::effect(m.back_transform(est), m),
        unit_suffix(m),
        format::level_percent(level),
        format::interval(m.back_transform(lo), m.back_transform(hi), m)
    )
}

fn pooled_text(m: Measure, pool: &Pool, level: f64) -> Value {
    match pool.pooled.value() {
        Some(p) => {
            // The null is 0 on every analysis scale (log 1, Fisher z 0, differences 0).
            let excludes_null = p.ci_lower > 0.0 || p.ci_upper < 0.0;
            json!({
                "text": if m.single_group() { est_ci(m, p.estimate, p.ci_lower, p.ci_upper, level) } else { format!("{}; {}", est_ci(m, p.estimate, p.ci_lower, p.ci_upper, level), format::p_text(p.p)) },
                "estimate": format::effect(m.back_transform(p.estimate), m),
                "ci": format::interval(m.back_transform(p.ci_lower), m.back_transform(p.ci_upper), m),
                "p": format::p_text(p.p),
                "significant": excludes_null,
                "single_group": m.single_group(),
                "direction": if p.estimate < 0.0 { "lower" } else { "higher" },
            })
        }
        None => Value::Null,
    }
}

/// The word the methods define by I²'s thresholds (Higgins et al. 2003), read from I² as
/// printed: 24.6% prints as 25%, "moderate", not "low (I² = 25%)".
fn heterogeneity_level(h: &crate::stats::analysis::Heterogeneity) -> &'static str {
    let shown: f64 = format::i2_estimate(h)
        .trim_end_matches('%')
        .parse()
        .unwrap_or(h.i2);
    if shown < 25.0 {
        "low"
    } else if shown < 50.0 {
        "moderate"
    } else if shown < 75.0 {
        "substantial"
    } else {
        "considerable"
    }
}

fn heterogeneity_text(pool: &Pool) -> Value {
    match pool.heterogeneity.value() {
        Some(h) => json!({
            "i2": format::i2_estimate(h),
            "tau2": format::tau2(h.tau2),
            "tau2_relation": format::tau2_relation(h.tau2),
            "q": format::stat(h.q),
            "df": h.df,
            "p": format::p_text(h.p),
            "level": heterogeneity_level(h),
            "random": matches!(pool.decision.effects, Some(Effects::Random(_))),
            "ci": h.ci.value().map(|c| {
                let i2 = format::i2_interval(h);
                let open = c.upper_bound == Bound::SearchLimit;
                let tau2_up = if open { format!("> {}", format::tau2(c.tau2.upper)) } else { format::tau2(c.tau2.upper) };
                // The Q-profile interval inverts the generalised Q statistic (PM's estimating
                // equation): a REML, ML or DL estimate, or I² from Q, can lie outside it
                // (metafor's confint too); the text then says so rather than print a CI
                // that seems to miss its own estimate (compared as printed). Limits that print
                // alike, or a limit below 100% that would print as 100%, get the decimals
                // that tell them apart (and the estimate with them; crate::report::format).
                json!({
                    "i2": i2.as_ref().map(|i| i.text.clone()),
                    "single": i2.as_ref().is_some_and(|i| i.single),
                    "estimate": i2.as_ref().filter(|i| i.decimals > 0).map(|_| format::i2_estimate(h)),
                    "tau2": format!("{} to {}", format::tau2(c.tau2.lower), tau2_up),
                    "outside": i2.as_ref().is_some_and(|i| i.outside),
                })
            }),
        }),
        None => Value::Null,
    }
}

fn decision_text(pool: &Pool) -> String {
    decision_sentence(pool, true)
}

/// The model decision; `with_p` false leaves out the heterogeneity p the rule read, for a
/// sentence right after the one that printed that p.
fn decision_sentence(pool: &Pool, with_p: bool) -> String {
    let p_text = |what: &str, p: f64| {
        if with_p {
            format!(" ({what}{})", format::p_text(p))
        } else {
            String::new()
        }
    };
    let model = match pool.decision.effects {
        Some(Effects::Fixed) => "a fixed-effect model".to_string(),
        Some(Effects::Random(m)) => format!(
            "a random-effects model ({} τ²)",
            super::methods::tau2_used(pool).unwrap_or(m).name()
        ),
        None => "no pooled estimate".to_string(),
    };
    match (pool.decision.reason, pool.decision.rule_q_p) {
        (DecisionReason::RuleFixed, Some(p)) | (DecisionReason::RuleRandom, Some(p)) => {
            format!("{model} was used{}", p_text("heterogeneity ", p))
        }
        (DecisionReason::RuleNoPooling, Some(p)) => format!(
            "no pooled estimate is reported because heterogeneity was significant{}",
            p_text("", p)
        ),
        (DecisionReason::SingleStudy, _) => {
            "a single study contributes, so its own estimate is shown".into()
        }
        _ => format!("{model} was used"),
    }
}

/// Lists of study names longer than this go to a figure or table, never into a sentence.
pub const NAMES_IN_TEXT_AT_MOST: usize = 3;

/// The counts of a set of studies as the templates print them (see `counts.rs` for the rule).
fn counts_context(c: &Counts) -> Value {
    let named = c.not_estimable.len() <= NAMES_IN_TEXT_AT_MOST;
    let mut reasons: Vec<Value> = Vec::new();
    for why in [
        NotEstimableWhy::NoEvents,
        NotEstimableWhy::AllEvents,
        NotEstimableWhy::Other,
    ] {
        let these: Vec<&crate::report::counts::NotEstimable> =
            c.not_estimable.iter().filter(|n| n.why == why).collect();
        if these.is_empty() {
            continue;
        }
        let mut reason: Vec<&str> = Vec::new();
        for n in &these {
            if !reason.contains(&n.reason.as_str()) {
                reason.push(&n.reason);
            }
        }
        reasons.push(json!({
            "why": why,
            "n": these.len(),
            "n_text": format::count_in_text(these.len()),
            "studies": if named { these.iter().map(|n| n.study.clone()).collect() } else { Vec::new() },
            "reason": reason.join("; "),
        }));
    }
    json!({
        "reported": c.reported(),
        "reported_words": format::count_at_sentence_start(c.reported()),
        "reported_text": format::count_in_text(c.reported()),
        "contributed": c.contributed,
        "contributed_text": format::count_in_text(c.contributed),
        "participants": c.participants.map(format::count),
        "not_estimable": c.not_estimable.len(),
        "not_estimable_text": format::count_in_text(c.not_estimable.len()),
        "not_estimable_studies": c.not_estimable.iter().map(|n| json!({"study": n.study, "reason": n.reason})).collect::<Vec<_>>(),
        "named": named,
        "reasons": reasons,
        "no_data": c.no_data.len(),
        "no_data_words": format::count_at_sentence_start(c.no_data.len()),
        "no_data_studies": if c.no_data.len() <= NAMES_IN_TEXT_AT_MOST { c.no_data.clone() } else { Vec::new() },
    })
}

/// The confidence level the outcomes share ("95%"), or `None` when they differ (95% for a
/// review without outcomes).
fn common_level(spec: &Spec) -> Option<String> {
    let mut levels = spec
        .outcomes
        .iter()
        .map(|o| format::level_percent(o.options.level));
    let first = levels.next().unwrap_or_else(|| "95%".into());
    levels.all(|l| l == first).then_some(first)
}

/// "90% intervals for pain and 95% intervals for deaths and low mood" when the outcomes'
/// confidence levels differ (each level once, in the order the outcomes first use it).
fn levels_by_outcome(spec: &Spec) -> Option<String> {
    if common_level(spec).is_some() {
        return None;
    }
    let mut by: Vec<(String, Vec<String>)> = Vec::new();
    for o in &spec.outcomes {
        let l = format::level_percent(o.options.level);
        let title = format::title_in_text(&o.title);
        match by.iter_mut().find(|(x, _)| *x == l) {
            Some((_, titles)) => titles.push(title),
            None => by.push((l, vec![title])),
        }
    }
    let parts: Vec<String> = by
        .iter()
        .map(|(l, titles)| format!("{l} intervals for {}", and_list(titles)))
        .collect();
    // "…for deaths and low mood, and 90% intervals for pain": the groups' own "and"s apart.
    Some(match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}, and {last}", rest.join(", ")),
        _ => parts.join(""),
    })
}

fn outcome_context(spec: &Spec, o: &Outcome, a: &Analysis) -> Value {
    let _ft = crate::stats::per_scale::Presented::of(a);
    let m = a.measure;
    let counts = Counts::overall(a);
    let level = a.options.level;
    let subgroups = a.subgroups.as_ref().map(|sg| {
        json!({
            "label": o.subgroup_label,
            "groups": sg.groups.iter().map(|g| { let c = Counts::subgroup(a, g); json!({
                "name": g.name,
                "k": c.reported(),
                "contributed": c.contributed,
                "counts": counts_context(&c),
                "pooled": pooled_text(m, &g.pool, level),
                "heterogeneity": heterogeneity_text(&g.pool),
                "decision": decision_text(&g.pool),
                "model": match g.pool.decision.effects {
                    Some(Effects::Fixed) => "fixed-effect model",
                    Some(Effects::Random(_)) => "random-effects model",
                    None => "not pooled",
                },
                "single": g.pool.k == 1,
            })}).collect::<Vec<_>>(),
            "difference": sg.difference.value().map(|d| json!({"q": format::stat(d.q), "df": d.df, "p": format::p_text(d.p)})),
        })
    });
    let bias = a.bias.as_ref().map(|b| {
        json!({
            // Fewer than 10 studies: the tests ran only because the spec lowered the minimum.
            "few": a.studies.len() < 10,
            // Fewer studies than the spec's minimum: the core ran none of the tests.
            "too_few": a.studies.len() < a.options.bias.min_studies,
            "min_studies": a.options.bias.min_studies,
            "k_text": format::count_in_text(a.studies.len()),
            "egger": b.egger.as_ref().map(|e| match e {
                Computed::Value(e) => json!({"p": format::p_text(e.p), "t": format::stat(e.t), "df": format!("{:.0}", e.df), "asymmetric": e.p < 0.1, "bias": format::stat(e.bias), "absent": null}),
                Computed::Absent { absent } => json!({"absent": absent}),
            }),
            "begg": b.begg.as_ref().map(|e| match e {
                Computed::Value(e) => json!({"p": format::p_text(e.p), "tau": format::stat(e.kendall_tau), "absent": null}),
                Computed::Absent { absent } => json!({"absent": absent}),
            }),
            "trim_and_fill": b.trim_and_fill.as_ref().map(|t| match t {
                Computed::Value(t) => json!({"k0": t.k0, "k0_text": format::count_in_text(t.k0), "side": t.side, "text": est_ci(m, t.estimate, t.ci_lower, t.ci_upper, level), "absent": null,
                    // No pooled estimate of the observed studies (the model rule): trim-and-fill
                    // fitted its own model, named, and did not change an estimate.
                    "model": match (a.overall.decision.effects, b.effects) {
                        (None, Effects::Random(t)) => Some(format!("a random-effects model ({} τ²)", t.name())),
                        (None, Effects::Fixed) => Some("a fixed-effect model".to_string()),
                        _ => None,
                    }}),
                Computed::Absent { absent } => json!({"absent": absent}),
            }),
        })
    });
    let overall_sig = a
        .overall
        .pooled
        .value()
        .map(|p| p.ci_lower > 0.0 || p.ci_upper < 0.0);
    let loo = a.sensitivity.leave_one_out.as_ref().map(|rows| {
        let ests: Vec<f64> = rows.iter().filter_map(|r| r.pool.pooled.value().map(|p| m.back_transform(p.estimate))).collect();
        let (lo, hi) = ests.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
        let changers: Vec<Value> = rows
            .iter()
            .filter(|r| {
                let sig = r.pool.pooled.value().map(|p| p.ci_lower > 0.0 || p.ci_upper < 0.0);
                sig != overall_sig
            })
            .map(|r| json!({"study": r.label, "pooled": pooled_text(m, &r.pool, level), "decision": decision_text(&r.pool)}))
            .collect();
        let only = (ests.len() == 1).then(|| rows.iter().find(|r| r.pool.pooled.value().is_some()).map(|r| json!({"study": r.label, "pooled": pooled_text(m, &r.pool, level)}))).flatten();
        json!({
            "pooled_count": ests.len(),
            "total": rows.len(),
            "only": only,
            "range": if ests.is_empty() { Value::Null } else { json!(format!("{} to {}{}", format::effect(lo, m), format::effect(hi, m), unit_suffix(m))) },
            "changers": changers,
        })
    });
    let exclusions: Vec<Value> = a
        .sensitivity
        .exclusions
        .iter()
        .map(|r| {
            // Leaving out one study whose leave-one-out estimate the results already print.
            let repeats_loo = match (r.omitted.as_slice(), &loo) {
                ([one], Some(l))
                    if l["only"]["study"].as_str() == Some(one.as_str())
                        || l["changers"].as_array().is_some_and(|c| c.iter().any(|x| x["study"].as_str() == Some(one.as_str()) && !x["pooled"].is_null())) =>
                {
                    Some(one.clone())
                }
                _ => None,
            };
            json!({"label": r.label, "pooled": pooled_text(m, &r.pool, level), "heterogeneity": heterogeneity_text(&r.pool), "decision": decision_text(&r.pool), "repeats_leave_one_out": repeats_loo})
        })
        .collect();
    let cumulative = a.sensitivity.cumulative.as_ref().map(|rows| {
        let last = rows.last();
        // When the last step is not pooled: the last step that was, and why the end is not.
        let unpooled_end = last.filter(|r| r.pool.pooled.value().is_none());
        let last_pooled = unpooled_end.and_then(|end| {
            let (i, r) = rows
                .iter()
                .enumerate()
                .rev()
                .find(|(_, r)| r.pool.pooled.value().is_some())?;
            // The step before the last holds every study but the last one added: when the
            // leave-one-out sentence printed that analysis, it is named, not printed again.
            let repeats_loo = i + 2 == rows.len()
                && loo.as_ref().and_then(|l| l["only"]["study"].as_str()) == Some(end.label.as_str());
            Some(json!({"label": r.label, "k": r.pool.k, "pooled": pooled_text(m, &r.pool, level), "then_added": end.label, "repeats_leave_one_out": repeats_loo}))
        });
        json!({
            "by": o.cumulative_by,
            "steps": rows.len(),
            "final": last.map(|r| pooled_text(m, &r.pool, level)),
            "final_decision": unpooled_end.map(|r| decision_text(&r.pool)),
            "last_pooled": last_pooled,
            "figure": spec.figures.iter().find(|f| f.kind == FigureKind::Cumulative && f.outcomes.contains(&o.id)).map(|f| figure_ref(spec, f).label),
        })
    });
    let prediction = a.overall.prediction.value().and_then(|p| p.shown_interval().map(|pi| json!({
        "text": format!("{}{}", format::interval(m.back_transform(pi.lower), m.back_transform(pi.upper), m), unit_suffix(m)),
        "kind": match p.shown { PredictionKind::Metafor => "metafor", PredictionKind::HigginsT => "higgins", PredictionKind::None => "none" },
    })));
    // Every forest plot of the outcome, in the order the manuscript numbers them: the panels
    // by subgroup and the plot of all studies are both cited.
    let forest_figs: Vec<Value> = spec
        .figures
        .iter()
        .filter(|f| f.kind == FigureKind::Forest && f.outcomes.contains(&o.id))
        .map(|f| json!({"label": figure_ref(spec, f).label, "panels": f.subgroup_panels}))
        .collect();
    let funnel_fig = spec
        .figures
        .iter()
        .find(|f| f.kind == FigureKind::Funnel && f.outcomes.contains(&o.id))
        .map(|f| figure_ref(spec, f).label);
    let loo_fig = spec
        .figures
        .iter()
        .find(|f| f.kind == FigureKind::LeaveOneOut && f.outcomes.contains(&o.id))
        .map(|f| figure_ref(spec, f).label);
    json!({
        "id": o.id,
        "title": o.title,
        "title_text": format::title_in_text(&o.title),
        "measure": m.name(),
        "abbreviation": m.abbreviation(),
        "k": counts.reported(),
        "k_words": format::count_at_sentence_start(counts.reported()),
        "participants": counts.participants.map(format::count),
        "counts": counts_context(&counts),
        // Split multi-arm trials: the rows counted are comparisons, from this many studies.
        "split_trials": super::multi_arm::split_trials(o),
        // Too many to name, and no forest plot that shows them: listed in a table.
        "not_estimable_table": counts.not_estimable.len() > NAMES_IN_TEXT_AT_MOST && forest_figs.is_empty(),
        "excluded": a.excluded.iter().map(|e| json!({"study": e.study, "reason": e.reason})).collect::<Vec<_>>(),
        "pooled": pooled_text(m, &a.overall, level),
        // This outcome's confidence level ("95%"), for its CI of I² and prediction interval.
        "level": format::level_percent(level),
        "decision": decision_text(&a.overall),
        // After the heterogeneity sentence, which has just printed the p the rule read.
        "decision_brief": decision_sentence(&a.overall, false),
        "heterogeneity": heterogeneity_text(&a.overall),
        "prediction": prediction,
        "subgroups": subgroups,
        "bias": bias,
        "leave_one_out": loo,
        "exclusions": exclusions,
        "cumulative": cumulative,
        "warnings": a.warnings.iter().filter(|w| w.code != "study_excluded").map(|w| sentence(&w.message)).collect::<Vec<_>>(),
        "figures": {"forest": forest_figs.first().map(|f| f["label"].clone()), "forests": forest_figs, "funnel": funnel_fig, "leave_one_out": loo_fig},
        "explore": super::context_heterogeneity::outcome(spec, o, a),
    })
}

/// The statistical-methods facts: what was done, across outcomes.
fn methods_context(spec: &Spec, analyses: &[Analysis]) -> Value {
    let outs = &spec.outcomes;
    let any = |f: &dyn Fn(&Outcome) -> bool| outs.iter().any(f);
    let tau2: Vec<String> = {
        let mut v: Vec<String> = Vec::new();
        for o in outs
            .iter()
            .filter(|o| !matches!(o.options.model, ModelChoice::Fixed))
        {
            let n = o.options.tau2_method.name().to_string();
            if !v.contains(&n) {
                v.push(n);
            }
        }
        v
    };
    let refs_tau2: Vec<&str> = {
        let mut v = Vec::new();
        for o in outs
            .iter()
            .filter(|o| !matches!(o.options.model, ModelChoice::Fixed))
        {
            let key = match o.options.tau2_method {
                crate::stats::Tau2Method::DL => "dersimonian1986",
                crate::stats::Tau2Method::REML | crate::stats::Tau2Method::ML => "viechtbauer2005",
                crate::stats::Tau2Method::PM => "paule1982",
                crate::stats::Tau2Method::HS => "hunter2004",
                crate::stats::Tau2Method::SJ => "sidik2005",
                crate::stats::Tau2Method::HE => "hedges1985",
                crate::stats::Tau2Method::EB => "morris1983",
            };
            if !v.contains(&key) {
                v.push(key);
            }
        }
        v
    };
    let measures: Vec<Value> = {
        // One sentence per measure, kind of data and unit shown ("per 1,000 person-years").
        let unit = |o: &Outcome| o.options.per_scale.unit(o.options.measure);
        let mut v: Vec<(Measure, InputKind, Option<String>)> = Vec::new();
        for o in outs {
            let key = (o.options.measure, o.kind, unit(o));
            if !v.contains(&key) {
                v.push(key);
            }
        }
        // Two measures of the same name (PFT and PLO are both proportions) are told apart by
        // the outcomes that use them.
        let shared = |m: Measure| v.iter().filter(|(n, _, _)| n.name() == m.name()).count() > 1;
        let titles = |m: Measure, k: InputKind, u: &Option<String>| {
            let t: Vec<String> = outs
                .iter()
                .filter(|o| o.options.measure == m && o.kind == k && unit(o) == *u)
                .map(|o| crate::report::format::title_in_text(&o.title))
                .collect();
            and_list(&t)
        };
        // Two measures from the same kind of data (RR and OR from counts) are not both "for
        // dichotomous outcomes": each sentence names its outcomes.
        let kind_shared = |k: InputKind| v.iter().filter(|(_, x, _)| *x == k).count() > 1;
        // A measure only one outcome uses is said of that outcome ("For stroke, the incidence
        // rate ratio…"), not of "incidence rate ratio outcomes".
        let alone = |m: Measure, k: InputKind, u: &Option<String>| {
            outs.iter()
                .filter(|o| o.options.measure == m && o.kind == k && unit(o) == *u)
                .count()
                == 1
        };
        // Which SMD formulas the outcomes of a measure used (`stats/smd_revman.rs`).
        let smd_form = |m: Measure| {
            use crate::stats::smd_revman::SmdMethod;
            let forms: Vec<SmdMethod> = outs
                .iter()
                .filter(|o| o.options.measure == m)
                .map(|o| o.options.smd)
                .collect();
            if forms.iter().all(|f| *f == SmdMethod::Revman) {
                "revman"
            } else if forms.iter().all(|f| *f == SmdMethod::Exact) {
                "exact"
            } else {
                "mixed"
            }
        };
        v.iter()
            .map(|(m, k, u)| { let (m, k) = (*m, *k); json!({"label": m.name(), "abbreviation": m.abbreviation(), "ratio": m.is_ratio(), "kind": k, "smd": m == Measure::SMD, "smd_form": smd_form(m), "zcor": m == Measure::ZCOR, "code": m.code(), "described": crate::report::measures::measure_context(m), "per": u.as_deref().filter(|x| *x != "per unit of person-time"), "outcomes": (shared(m) || alone(m, k, u)).then(|| titles(m, k, u)), "kind_outcomes": kind_shared(k).then(|| titles(m, k, u))}) })
            .collect()
    };
    let rule = outs.iter().find_map(|o| match o.options.model {
        ModelChoice::HeterogeneityRule { fixed_if_p_at_least, no_pooling_if_p_below } => Some(json!({"fixed": format!("{fixed_if_p_at_least}"), "none": format!("{no_pooling_if_p_below}")})),
        _ => None,
    });
    let revman = outs
        .iter()
        .any(|o| o.options.ci_rule.revman_392 && o.kind == InputKind::EstimateCi);
    json!({
        "measures": measures,
        "ratio_ci": any(&|o| o.kind == InputKind::EstimateCi && o.options.measure.is_ratio()),
        "se_divisor": if revman { "3.92" } else { "2 × 1.96" },
        "binary": any(&|o| o.kind == InputKind::Binary),
        "continuity": outs.iter().find(|o| o.kind == InputKind::Binary).map(|o| json!({"add": format!("{}", o.options.continuity.add), "double_zero_excluded": o.options.continuity.exclude_double_zero})),
        "any_correction": analyses.iter().any(|a| a.studies.iter().any(|s| s.corrected)),
        "mh": any(&|o| o.options.pooling == Pooling::MantelHaenszel),
        "peto": any(&|o| o.options.pooling == Pooling::Peto),
        "iv": any(&|o| o.options.pooling == Pooling::InverseVariance),
        "fixed_only": outs.iter().all(|o| matches!(o.options.model, ModelChoice::Fixed)),
        "random": any(&|o| matches!(o.options.model, ModelChoice::Random)),
        "rule": rule,
        "tau2": tau2.join(" and "),
        "tau2_refs": refs_tau2,
        "hksj": any(&|o| o.options.ci == crate::stats::CiMethod::Hksj),
        "i2_from_q": any(&|o| o.options.i2_from_q),
        "i2_ci_test_based": any(&|o| o.options.i2_ci == crate::stats::qprofile::I2Interval::HigginsThompson),
        "prediction": analyses.iter().any(|a| a.overall.prediction.value().is_some_and(|p| p.shown_interval().is_some())),
        "higgins": any(&|o| matches!(o.options.prediction, PredictionKind::HigginsT)),
        "subgroups": outs.iter().filter_map(|o| o.subgroup_label.clone()).collect::<Vec<_>>(),
        "common_tau2": any(&|o| o.options.common_tau2),
        "leave_one_out": any(&|o| o.options.sensitivity.leave_one_out),
        "cumulative": any(&|o| o.options.sensitivity.cumulative.is_some()),
        "exclusions": outs.iter().flat_map(|o| o.options.sensitivity.exclusions.iter().map(|e| e.label.clone())).collect::<Vec<_>>(),
        "funnel": any(&|o| o.funnel.show),
        "contours": any(&|o| o.funnel.show && o.funnel.contours),
        "egger": any(&|o| o.options.bias.egger),
        "begg": any(&|o| o.options.bias.begg),
        "trim_and_fill": any(&|o| o.options.bias.trim_and_fill),
        // The outcomes' confidence level ("95") when they share one; otherwise null, "ci" is
        // plain "CI" and `levels` says which outcome's intervals are at which level.
        "level": common_level(spec).map(|l| l.trim_end_matches('%').to_string()),
        "ci": common_level(spec).map_or_else(|| "CI".to_string(), |l| format!("{l} CI")),
        "levels": levels_by_outcome(spec),
        "explore": super::context_heterogeneity::methods(spec, analyses),
        // What was computed, as the methods state it (`methods.rs`).
        "computed": super::methods::computed(spec, analyses),
    })
}

fn baseline_context(spec: &Spec) -> Value {
    let Some(b) = &spec.baseline else {
        return Value::Null;
    };
    let rows: Vec<Value> = b
        .characteristics
        .iter()
        .filter_map(|c| {
            if !c.counts.is_empty() {
                let rows: Vec<CountRow> = c.counts.iter().map(|r| CountRow { events_t: r[0], total_t: r[1], events_c: r[2], total_c: r[3] }).collect();
                baseline::pool_proportions(&rows, b.yates).map(|p| {
                    json!({"name": c.name, "k": p.k, "t": format!("{}/{} ({:.1}%)", format::count(p.events_t), format::count(p.total_t), p.percent_t),
                           "c": format!("{}/{} ({:.1}%)", format::count(p.events_c), format::count(p.total_c), p.percent_c), "p": format::p_value(p.p)})
                })
            } else {
                let rows: Vec<MeanRow> = c.means.iter().map(|r| MeanRow { mean_t: r[0], sd_t: r[1], n_t: r[2], mean_c: r[3], sd_c: r[4], n_c: r[5] }).collect();
                baseline::pool_means(&rows).map(|p| {
                    json!({"name": c.name, "k": p.k, "t": format!("{} ± {}", format::fixed(p.mean_t, 1), format::fixed(p.sd_t, 1)),
                           "c": format!("{} ± {}", format::fixed(p.mean_c, 1), format::fixed(p.sd_c, 1)), "p": format::p_value(p.p)})
                })
            }
        })
        .collect();
    json!({"rows": rows, "caption": b.caption, "yates": b.yates})
}

/// A message as a sentence: first letter capitalised, the rest untouched.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The context for one review's templates.
pub fn review_context(spec: &Spec, analyses: &[Analysis]) -> Value {
    let figures: Vec<FigureRef> = spec.figures.iter().map(|f| figure_ref(spec, f)).collect();
    let one_level = common_level(spec).is_some();
    let summary: Vec<Value> = spec
        .outcomes
        .iter()
        .zip(analyses)
        .map(|(o, a)| {
            let m = a.measure;
            let _ft = crate::stats::per_scale::Presented::of(a);
            let pooled = a.overall.pooled.value();
            let h = a.overall.heterogeneity.value();
            let counts = Counts::overall(a);
            json!({
                "title": o.title,
                "k": super::multi_arm::studies_count(o, counts.reported()),
                "comparisons": super::multi_arm::comparisons_cell(o, counts.reported()),
                "contributed": counts.contributed,
                "n": counts.participants.map_or_else(|| "–".into(), format::count),
                "measure": m.abbreviation(),
                "model": match a.overall.decision.effects {
                    Some(Effects::Fixed) => format!("{}, fixed", a.overall.pooling.abbreviation()),
                    Some(Effects::Random(t)) => format!(
                        "{}, random ({}{})",
                        a.overall.pooling.abbreviation(),
                        super::methods::tau2_used(&a.overall).unwrap_or(t).code(),
                        if pooled.is_some_and(|p| p.df.is_some()) { ", HKSJ" } else { "" }
                    ),
                    None => "not pooled".into(),
                },
                "pooled": pooled.is_some(),
                // Outcomes at different confidence levels: the header says "CI", each cell its level.
                "effect": pooled.map_or("–".into(), |p| format!("{} ({}{}){}", format::effect(m.back_transform(p.estimate), m), if one_level { String::new() } else { format!("{} CI ", format::level_percent(a.options.level)) }, format::interval(m.back_transform(p.ci_lower), m.back_transform(p.ci_upper), m), unit_suffix(m))),
                "p": pooled.filter(|_| !m.single_group()).map_or("–".into(), |p| format::p_value(p.p).trim_start_matches("= ").to_string()),
                "i2": h.map_or("–".into(), format::i2_estimate),
            })
        })
        .collect();
    let participants_total = spec.studies.as_ref().map(|t| t.rows.len());
    json!({
        "review": {
            "id": spec.id,
            "title": spec.title,
            "short_title": spec.short_title,
            "authors": spec.authors,
            "source": spec.source,
            "notes": spec.notes,
            "preset": spec.preset.name(),
            "style": match spec.style { Style::Plain => "plain", Style::Journal => "journal" },
            "file": spec.file,
            "studies_in_table": participants_total,
        },
        "methods": methods_context(spec, analyses),
        "conversions": super::conversions::context(spec),
        "multi_arm": super::multi_arm::context(spec),
        "outcomes": spec.outcomes.iter().zip(analyses).map(|(o, a)| outcome_context(spec, o, a)).collect::<Vec<_>>(),
        "figures": figures,
        "tables": spec.tables.iter().map(|(kind, caption)| json!({"kind": kind, "caption": caption})).collect::<Vec<_>>(),
        "studies_table": spec.studies,
        "summary": summary,
        "baseline": baseline_context(spec),
        "risk_of_bias": super::risk_of_bias::context(spec, analyses),
        "sof": super::summary_of_findings::context(spec, analyses),
        "prisma": spec.prisma.as_ref().map(|p| json!({"identified": p.databases.map(|d| format::count(d as f64)), "assessed": p.assessed.map(|d| format::count(d as f64)), "included": p.included_studies.map(|d| format::count_in_text(d as usize)), "n_identified": p.databases, "n_assessed": p.assessed, "n_included": p.included_studies, "databases": and_list(&p.database_names)})),
        "reproducibility": {
            "appendix": spec.reproducibility == Reproducibility::Appendix,
            "version": VERSION,
            "preset": spec.preset.name(),
            "inputs": spec.inputs,
        },
    })
}
