//! The template context of the analyses of heterogeneity: the methods facts (meta-regression,
//! permutation test, influence diagnostics, GOSH, with their references) and, per outcome, the
//! numbers of the results paragraphs and tables, pre-formatted. Figure captions too.

use crate::report::format::and_list;

use serde_json::{Value, json};

use super::context::figure_ref;
use super::format;
use crate::spec::{Figure, FigureKind, Outcome, Spec};
use crate::stats::Computed;
use crate::stats::Measure;
use crate::stats::analysis::{Analysis, STUDIES_PER_MODERATOR};
use crate::stats::fit::{CiMethod, Effects};
use crate::stats::gosh::Gosh;
use crate::stats::influence::Influence;
use crate::stats::meta_regression::{
    Centre, MetaRegression, MetaRegressionOptions, ModeratorValues,
};

/// A number with three significant digits (at least none, at most six decimals), true minus.
pub fn sig3(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format::fixed(x, 2);
    }
    let d = (2 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format::fixed(x, d)
}

/// A value in a moderator's own units without thousands separators: a centring value is
/// often a year ("centred at its mean, 1966").
fn plain(s: String) -> String {
    s.replace(',', "")
}

fn figure_label(spec: &Spec, kind: FigureKind, o: &Outcome) -> Option<String> {
    spec.figures
        .iter()
        .find(|f| f.kind == kind && f.outcomes.contains(&o.id))
        .map(|f| figure_ref(spec, f).label)
}

/// The default caption of a bubble, Baujat or GOSH figure.
pub fn caption(spec: &Spec, f: &Figure) -> String {
    let o = f
        .outcomes
        .first()
        .and_then(|id| spec.outcomes.iter().find(|o| &o.id == id));
    let title = o.map_or("", |o| o.title.as_str());
    let mr = o.and_then(|o| o.options.explore.meta_regression.as_ref());
    match f.kind {
        FigureKind::Bubble => {
            let labels: Vec<String> = mr
                .map(|m| {
                    m.moderators
                        .iter()
                        .filter(|x| matches!(x.values, ModeratorValues::Continuous { .. }))
                        .map(|x| x.label.clone())
                        .collect()
                })
                .unwrap_or_default();
            // Each panel holds the moderators other than its own at their means.
            let others = mr.map_or(0, |m| m.moderators.len().saturating_sub(1));
            format!(
                "Meta-regression of {} on {}: {title}. Each circle is a study, its area proportional to its weight in the model; the line is the fitted effect with its confidence band{}.",
                o.map_or("the effects".into(), |o| effects_name(o.options.measure)),
                and_list(&labels),
                match others {
                    0 => "",
                    1 => ", the other moderator held at its mean",
                    _ => ", the other moderators held at their means",
                }
            )
        }
        FigureKind::Baujat => format!(
            "Baujat plot: {title}. Each study’s contribution to the heterogeneity against its influence on the pooled estimate."
        ),
        FigureKind::Gosh => format!(
            "GOSH plot: {title}. The pooled estimate and I² of the model fitted to subsets of the studies, as a two-dimensional histogram with the distribution of each above and to the right; the cross marks all studies."
        ),
        _ => String::new(),
    }
}

/// "log risk ratios", "mean differences".
fn effects_name(m: Measure) -> String {
    match m {
        m if m.is_ratio() => format!("the log {}s", m.name()),
        Measure::ZCOR => "the Fisher-z transformed correlations".into(),
        m => format!("the {}s", m.name()),
    }
}

/// The methods facts of the spec's analyses of heterogeneity.
pub fn methods(spec: &Spec, analyses: &[Analysis]) -> Value {
    let single = spec.outcomes.len() == 1;
    let mut mrs = Vec::new();
    let mut gosh = Vec::new();
    for (o, a) in spec.outcomes.iter().zip(analyses) {
        if let Some(m) = &o.options.explore.meta_regression {
            mrs.push(mr_methods(o, a, m, single));
        }
        if let Some(Computed::Value(g)) = &a.explore.gosh {
            gosh.push(json!({
                "outcome": o.title, "single": single, "all": g.all,
                "subsets": format::count(g.subsets as f64),
                "k": format::count_in_text(g.k),
                "seed": g.seed,
                "model": model_name(g.effects),
                "i2_from_q": g.i2_from_q,
            }));
        }
    }
    let influence: Vec<&Outcome> = spec
        .outcomes
        .iter()
        .filter(|o| o.options.explore.influence)
        .collect();
    json!({
        "meta_regressions": mrs,
        "influence": !influence.is_empty(),
        "influence_outcomes": if single { Vec::new() } else { influence.iter().map(|o| o.title.clone()).collect() },
        "baujat": spec.figures.iter().any(|f| f.kind == FigureKind::Baujat),
        "gosh": gosh,
    })
}

fn model_name(e: Effects) -> String {
    match e {
        Effects::Fixed => "fixed-effect meta-analysis".into(),
        Effects::Random(m) => format!("random-effects meta-analysis ({} τ²)", m.name()),
    }
}

fn mr_methods(o: &Outcome, a: &Analysis, m: &MetaRegressionOptions, single: bool) -> Value {
    let fitted = match &a.explore.meta_regression {
        Some(Computed::Value(r)) => Some(r),
        _ => None,
    };
    let moderators: Vec<String> = m
        .moderators
        .iter()
        .enumerate()
        .map(|(i, x)| match &x.values {
            ModeratorValues::Continuous { centre, .. } => {
                let c = fitted.and_then(|r| r.centres.get(i).copied().flatten());
                match (centre, c) {
                    (Centre::Mean, Some(c)) => {
                        format!("{} (centred at its mean, {})", x.label, plain(sig3(c)))
                    }
                    (Centre::Value(v), _) => {
                        format!("{} (centred at {})", x.label, plain(sig3(*v)))
                    }
                    _ => x.label.clone(),
                }
            }
            ModeratorValues::Categorical { levels, .. } => {
                format!("{} (categorical; reference level {})", x.label, levels[0])
            }
        })
        .collect();
    let perm = fitted.and_then(|r| r.permutation.as_ref()).and_then(|p| p.value()).map(|t| {
        json!({"exact": t.exact, "iterations": format::count(t.iterations as f64), "seed": t.seed})
    });
    json!({
        "outcome": o.title,
        "single": single,
        "effects": effects_name(o.options.measure),
        "random": matches!(m.effects, Effects::Random(_)),
        "tau2": match m.effects { Effects::Random(t) => t.name(), Effects::Fixed => "" },
        "tau2_ref": match m.effects { Effects::Random(t) => super::methods::tau2_reference(t), Effects::Fixed => "" },
        "knha": m.test == CiMethod::Hksj,
        "moderators": and_list(&moderators),
        "several": m.moderators.len() > 1,
        "permutation": perm,
        "permutation_asked": m.permutation.is_some(),
        "few": fitted.is_some_and(|r| r.studies_per_moderator < STUDIES_PER_MODERATOR),
        "k": fitted.map(|r| r.k),
        "n_moderators": format::count_in_text(m.moderators.len()),
    })
}

/// The results of one outcome's analyses of heterogeneity.
pub fn outcome(spec: &Spec, o: &Outcome, a: &Analysis) -> Value {
    json!({
        "meta_regression": a.explore.meta_regression.as_ref().map(|r| match r {
            Computed::Value(r) => mr_results(spec, o, a, r),
            Computed::Absent { absent } => json!({"absent": absent}),
        }),
        "influence": a.explore.influence.as_ref().map(|i| match i {
            Computed::Value(i) => influence_results(spec, o, a, i),
            Computed::Absent { absent } => json!({"absent": absent}),
        }),
        "gosh": a.explore.gosh.as_ref().map(|g| match g {
            Computed::Value(g) => gosh_results(spec, o, a, g),
            Computed::Absent { absent } => json!({"absent": absent}),
        }),
    })
}

fn mr_results(spec: &Spec, o: &Outcome, a: &Analysis, r: &MetaRegression) -> Value {
    let m = a.measure;
    let level = format::level_percent(a.options.level);
    let opts = o.options.explore.meta_regression.as_ref();
    let reference = |mi: usize| {
        opts.and_then(|x| x.moderators.get(mi))
            .and_then(|x| match &x.values {
                ModeratorValues::Categorical { levels, .. } => Some(levels[0].clone()),
                _ => None,
            })
    };
    let label = |mi: usize| {
        opts.and_then(|x| x.moderators.get(mi))
            .map_or(String::new(), |x| x.label.clone())
    };
    let stat_name = if r.df.is_some() { "t" } else { "z" };
    let perm = r.permutation.as_ref().and_then(|p| p.value());
    let coefficients: Vec<Value> = r
        .coefficients
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let t = &c.test;
            let term = match (c.column.moderator, &c.column.level) {
                (None, _) => "Intercept".to_string(),
                (Some(mi), Some(l)) => format!(
                    "{}: {l} (vs {})",
                    label(mi),
                    reference(mi).unwrap_or_default()
                ),
                (Some(mi), None) => label(mi),
            };
            // What the coefficient means, in words, on the presentation scale.
            let sentence = c.column.moderator.map(|mi| {
                // As the pooled estimates' intervals (`format::interval`): an en dash, or
                // "to" when a limit is negative.
                let ci = |lo: f64, hi: f64| {
                    let (a, b) = (sig3(lo), sig3(hi));
                    if a.starts_with(format::MINUS) || b.starts_with(format::MINUS) {
                        format!("{level} CI {a} to {b}")
                    } else {
                        format!("{level} CI {a}–{b}")
                    }
                };
                let p = format::p_text(t.p);
                match (&c.column.level, m.is_ratio()) {
                    (Some(l), true) => format!(
                        "studies with {} {l} had a ratio of {}s of {} relative to {} ({}; {p})",
                        label(mi),
                        m.abbreviation(),
                        sig3(t.estimate.exp()),
                        reference(mi).unwrap_or_default(),
                        ci(t.ci_lower.exp(), t.ci_upper.exp())
                    ),
                    (Some(l), false) => format!(
                        "studies with {} {l} differed by {} in {} from {} ({}; {p})",
                        label(mi),
                        sig3(t.estimate),
                        m.abbreviation(),
                        reference(mi).unwrap_or_default(),
                        ci(t.ci_lower, t.ci_upper)
                    ),
                    (None, true) => format!(
                        "each one-unit increase in {} multiplied the {} by {} ({}; {p})",
                        label(mi),
                        m.abbreviation(),
                        sig3(t.estimate.exp()),
                        ci(t.ci_lower.exp(), t.ci_upper.exp())
                    ),
                    (None, false) => format!(
                        "each one-unit increase in {} changed the {} by {} ({}; {p})",
                        label(mi),
                        m.abbreviation(),
                        sig3(t.estimate),
                        ci(t.ci_lower, t.ci_upper)
                    ),
                }
            });
            let mut chars = term.chars();
            let term: String = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            json!({
                "term": term,
                "estimate": sig3(t.estimate),
                "se": sig3(t.se),
                "statistic": format::stat(t.statistic),
                "p": format::p_value(t.p).trim_start_matches("= ").to_string(),
                "ci": format!("{} to {}", sig3(t.ci_lower), sig3(t.ci_upper)),
                "permutation_p": perm.map(|p| format::p_value(p.coefficient_p[j]).trim_start_matches("= ").to_string()),
                "sentence": sentence,
            })
        })
        .collect();
    let qm = &r.qm;
    let qm_text = match qm.df2 {
        Some(df2) => format!(
            "F = {}, df = {} and {:.0}, {}",
            format::stat(qm.statistic),
            qm.df1,
            df2,
            format::p_text(qm.p)
        ),
        None => format!(
            "QM = {}, df = {}, {}",
            format::stat(qm.statistic),
            qm.df1,
            format::p_text(qm.p)
        ),
    };
    let res = &r.residual;
    let labels: Vec<String> = opts
        .map(|x| x.moderators.iter().map(|m| m.label.clone()).collect())
        .unwrap_or_default();
    let overall_i2 = a.overall.heterogeneity.value().map(format::i2_estimate);
    json!({
        "absent": null,
        "k": r.k,
        "moderators": and_list(&labels),
        "several": labels.len() > 1,
        "figure": figure_label(spec, FigureKind::Bubble, o),
        "table": format!("{}-tab-mr-{}", spec.id, o.id),
        "scale": effects_name(m).trim_start_matches("the ").to_string(),
        "stat_name": stat_name,
        // The header of the CI column: this outcome's confidence level ("95% CI").
        "ci_header": format!("{level} CI"),
        "knha": r.df.is_some(),
        "coefficients": coefficients,
        "sentences": r.coefficients.iter().skip(1).count(),
        "qm": {"text": qm_text, "significant": qm.p < 0.05},
        "qe": format!("QE = {}, df = {}, {}", format::stat(res.q), res.df, format::p_text(res.p)),
        "residual": json!({"tau2": format::tau2(res.tau2), "i2": format::i2(res.i2), "random": matches!(r.effects, Effects::Random(_))}),
        "overall_i2": overall_i2,
        "r2": r.r2.value().map(|x| format!("{:.0}%", x)),
        "r2_absent": r.r2.reason(),
        "permutation": perm.map(|p| json!({
            "qm_p": format::p_text(p.qm_p),
            "iterations": format::count(p.iterations as f64),
            "exact": p.exact,
            "seed": p.seed,
            "failed": p.failed,
        })),
    })
}

fn influence_results(spec: &Spec, o: &Outcome, a: &Analysis, inf: &Influence) -> Value {
    let name = |i: usize| a.name(&a.studies[i]).to_string();
    let criteria = |c: &[&str]| {
        let words: Vec<String> = c
            .iter()
            .map(|c| {
                match *c {
                    "dffits" => "DFFITS",
                    "cook_d" => "Cook’s distance",
                    "hat" => "hat value",
                    _ => "DFBETAS",
                }
                .to_string()
            })
            .collect();
        and_list(&words)
    };
    let opt = |x: Option<f64>, f: &dyn Fn(f64) -> String| x.map_or("–".to_string(), f);
    let flagged: Vec<Value> = inf
        .influential()
        .map(|s| {
            json!({
                "study": name(s.study),
                "criteria": criteria(&s.criteria),
                "rstudent": opt(s.rstudent, &format::stat),
                "dffits": opt(s.dffits, &format::stat),
                "cook_d": opt(s.cook_d, &format::stat),
                "cov_r": opt(s.cov_r, &format::stat),
                "tau2_del": opt(s.tau2_del, &format::tau2),
                "qe_del": opt(s.qe_del, &format::stat),
                "hat": format::fixed(s.hat, 3),
                "weight": format::weight(s.weight),
            })
        })
        .collect();
    let top = |f: &dyn Fn(&crate::stats::influence::StudyInfluence) -> Option<f64>| {
        inf.studies
            .iter()
            .filter_map(|s| f(s).map(|v| (s.study, v)))
            .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)))
    };
    let heterogeneity = top(&|s| Some(s.baujat_x));
    let influence = top(&|s| s.baujat_y);
    let outliers: Vec<String> = inf
        .studies
        .iter()
        .filter(|s| s.rstudent.is_some_and(|r| r.abs() > 1.959_963_984_540_054))
        .map(|s| {
            format!(
                "{} ({})",
                name(s.study),
                format::stat(s.rstudent.unwrap_or_default())
            )
        })
        .collect();
    json!({
        "absent": null,
        "figure": figure_label(spec, FigureKind::Baujat, o),
        "table": format!("{}-tab-influence-{}", spec.id, o.id),
        "k": inf.k,
        "flagged": flagged,
        "flagged_words": format::count_in_text(flagged.len()),
        "outliers": and_list(&outliers),
        "outlier_count": outliers.len(),
        "top_heterogeneity": heterogeneity.map(|(i, v)| json!({"study": name(i), "value": format::stat(v)})),
        "top_influence": influence.map(|(i, v)| json!({"study": name(i), "value": format::stat(v)})),
        "dffits_threshold": format::stat(inf.dffits_threshold),
        "hat_threshold": format::fixed(inf.hat_threshold, 3),
    })
}

fn gosh_results(spec: &Spec, o: &Outcome, a: &Analysis, g: &Gosh) -> Value {
    let m = a.measure;
    let _presented = crate::stats::per_scale::Presented::of(a);
    let eff = |x: f64| format::effect(m.back_transform(x), m);
    let e = &g.estimate;
    let h = &g.i2;
    json!({
        "absent": null,
        "figure": figure_label(spec, FigureKind::Gosh, o),
        "subsets": format::count(g.subsets as f64),
        "all": g.all,
        "seed": g.seed,
        "failed": g.failed,
        "estimate": {
            "median": eff(e.median),
            "range": format!("{} to {}", eff(e.min), eff(e.max)),
            "middle": format!("{} to {}", eff(e.q025), eff(e.q975)),
        },
        "i2": {
            "median": format::i2(h.median),
            "range": format!("{} to {}", format::i2(h.min), format::i2(h.max)),
            "middle": format!("{} to {}", format::i2(h.q025), format::i2(h.q975)),
        },
        "abbreviation": m.abbreviation(),
    })
}
