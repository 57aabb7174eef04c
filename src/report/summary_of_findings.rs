//! The GRADE Summary of Findings table (Cochrane Handbook chapter 14, Cochrane's published
//! layout), its footnotes, GRADE's informative statements for the results (Santesso et al.
//! 2020, GRADE guideline 26), the `results.json` part and the authors' notes that show, per
//! domain, what the data say — never a judgement metareport made itself.
//!
//! The numbers come from `stats::absolute` (assumed and corresponding risks) on the pooled
//! estimate of each outcome; the counts from `counts.rs`, as everywhere else in the manuscript.

use crate::report::format::and_list;

use serde_json::{Value, json};

use super::counts::Counts;
use super::format;
use crate::spec::summary_of_findings::{AssumedRisk, Certainty, Level, SofRow, SummaryOfFindings};
use crate::spec::{Outcome, Spec};
use crate::stats::absolute::{self, AbsoluteEffect};
use crate::stats::analysis::Analysis;
use crate::stats::{Computed, Measure, StudyData};

/// One assumed control risk of a row, with where it came from.
struct Assumed {
    /// The population's name, for given risks with names.
    population: Option<String>,
    risk: f64,
    /// "the median control-group risk of the studies", …
    source: &'static str,
}

fn assumed_risks(row: &SofRow, a: &Analysis) -> Vec<Assumed> {
    let data: Vec<StudyData> = a.inputs.iter().map(|s| s.data).collect();
    match &row.assumed_risk {
        Some(AssumedRisk::MedianControl) => absolute::median_control_risk(&data)
            .map(|risk| Assumed {
                population: None,
                risk,
                source: "the median control-group risk of the studies",
            })
            .into_iter()
            .collect(),
        Some(AssumedRisk::PooledControl) => absolute::pooled_control_risk(&data)
            .map(|risk| Assumed {
                population: None,
                risk,
                source: "the pooled control-group risk of the studies",
            })
            .into_iter()
            .collect(),
        Some(AssumedRisk::Given(v)) => v
            .iter()
            .map(|(p, risk)| Assumed {
                population: p.clone(),
                risk: *risk,
                source: "as set by the review’s authors",
            })
            .collect(),
        None => Vec::new(),
    }
}

/// The pooled relative effect on the presentation scale: (estimate, lower, upper).
fn pooled(a: &Analysis) -> Option<(f64, f64, f64)> {
    let m = a.measure;
    a.overall.pooled.value().map(|p| {
        (
            m.back_transform(p.estimate),
            m.back_transform(p.ci_lower),
            m.back_transform(p.ci_upper),
        )
    })
}

/// "95% CI" for a confidence level of 0.95 ("99.5% CI" keeps the decimal it needs).
fn ci_name(level: f64) -> String {
    let pct = level * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{pct:.0}% CI")
    } else {
        format!("{pct:.1}% CI")
    }
}

/// A per-1,000 figure, rounded to a whole number.
fn per_1000(x: f64) -> String {
    format::count(x)
}

/// The number of people an absolute effect is given per: 1,000 as a rule, as GRADE and the
/// Cochrane Handbook present them ("per 1000 people (natural frequency). A suitable
/// alternative greater than 1000 may be used for rare events": Handbook 5.1 §11.5.6.3, kept
/// in ch. 14 of version 6; GRADE guidelines 12, Guyatt et al. 2013). A rare event whose
/// assumed risk, or whose difference with both its limits, would print as 0 per 1,000 — "0
/// fewer per 1,000 (from 0 fewer to 0 more)", which says nothing — is given per 10,000,
/// 100,000 or 1,000,000, the first at which it does not. A difference of exactly 0 (no
/// effect, or an assumed risk of 0) stays per 1,000.
fn denominator(e: &AbsoluteEffect) -> f64 {
    let diffs = [e.difference, e.difference_lower, e.difference_upper];
    if e.assumed_risk <= 0.0 || diffs.iter().all(|&x| x == 0.0) {
        return 1000.0;
    }
    [1e3, 1e4, 1e5]
        .into_iter()
        .find(|&k| {
            let zero = |x: f64| (x * k).abs().round() == 0.0;
            !zero(e.assumed_risk) && !diffs.iter().all(|&x| zero(x))
        })
        .unwrap_or(1e6)
}

/// "1,000", "10,000": the denominator as printed.
fn per_label(k: f64) -> String {
    format::count(k)
}

/// "62 fewer" / "15 more" (a magnitude with its direction; a difference that rounds to 0 is
/// "0 fewer" or "0 more" by its sign, as GRADEpro prints it beside a CI that does not round
/// to 0 as well).
fn fewer_more(x: f64) -> String {
    let n = x.abs().round();
    format!(
        "{} {}",
        format::count(n),
        if x < 0.0 { "fewer" } else { "more" }
    )
}

/// "62 fewer per 1,000 (from 91 fewer to 30 fewer)"; per 10,000 or more for a rare event
/// ([`denominator`]).
fn difference_text(e: &AbsoluteEffect) -> String {
    let d = denominator(e);
    let k = e.per(d);
    format!(
        "{} per {} (from {} to {})",
        fewer_more(k.difference),
        per_label(d),
        fewer_more(k.difference_lower),
        fewer_more(k.difference_upper)
    )
}

/// A continuous difference in words: "0.52 lower (0.91 lower to 0.13 lower)".
fn lower_higher(x: f64, m: Measure, decimals: Option<usize>) -> String {
    let v = match decimals {
        Some(d) => format::fixed(x.abs(), d),
        None => format::effect(x.abs(), m),
    };
    let zero = v.chars().all(|c| c == '0' || c == '.');
    format!("{v} {}", if x < 0.0 && !zero { "lower" } else { "higher" })
}

fn continuous_text(m: Measure, e: (f64, f64, f64), decimals: Option<usize>) -> String {
    format!(
        "{} ({} to {})",
        lower_higher(e.0, m, decimals),
        lower_higher(e.1, m, decimals),
        lower_higher(e.2, m, decimals)
    )
}

/// "one level" / "two levels".
fn levels_words(n: i8) -> &'static str {
    if n.abs() >= 2 {
        "two levels"
    } else {
        "one level"
    }
}

/// Footnote letters: a … z, then aa, ab, ….
fn letter(i: usize) -> String {
    let a = (b'a' + (i % 26) as u8) as char;
    if i < 26 {
        a.to_string()
    } else {
        format!("{}{a}", (b'a' + (i / 26 - 1) as u8) as char)
    }
}

/// GRADE's informative statement (Santesso et al. 2020) for a certainty and an effect judged
/// important (beyond the threshold) or not, in the direction of `lower`.
pub fn statement(
    level: Level,
    important: bool,
    lower: bool,
    intervention: &str,
    outcome: &str,
) -> String {
    let verb = |may: &str| {
        if important {
            let v = if lower { "reduce" } else { "increase" };
            match may {
                "" => format!("{v}s {outcome}"),
                "probably" => format!("probably {v}s {outcome}"),
                _ => format!("may {v} {outcome}"),
            }
        } else {
            match may {
                "" => format!("results in little to no difference in {outcome}"),
                "probably" => format!("probably results in little to no difference in {outcome}"),
                _ => format!("may result in little to no difference in {outcome}"),
            }
        }
    };
    match level {
        Level::High => format!("{intervention} {}", verb("")),
        Level::Moderate => format!("{intervention} {}", verb("probably")),
        Level::Low => format!("{intervention} {}", verb("may")),
        Level::VeryLow => format!(
            "The evidence is very uncertain about the effect of {} on {outcome}",
            lower_first(intervention)
        ),
    }
}

/// The intervention's name inside a sentence: its first letter lower-cased unless the word
/// is an acronym ("Magnesium" → "magnesium", "IABP" stays).
fn lower_first(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    if first_word.chars().filter(|c| c.is_uppercase()).count() > 1 {
        return s.to_string();
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The outcome's name inside a sentence (the title, lower-cased as the results do).
fn in_sentence(title: &str) -> String {
    format::title_in_text(title)
}

/// The template context of the table, the footnotes and the per-outcome sentences;
/// `Value::Null` when the spec asks for no table.
pub fn context(spec: &Spec, analyses: &[Analysis]) -> Value {
    let Some(sof) = &spec.summary_of_findings else {
        return Value::Null;
    };
    let mut footnotes: Vec<Value> = Vec::new();
    let mut measures: Vec<Measure> = Vec::new();
    let mut rows = Vec::new();
    let mut sentences = serde_json::Map::new();
    let any_certainty = sof.rows.iter().any(|r| r.certainty.is_some());
    for row in &sof.rows {
        let (o, a) = (&spec.outcomes[row.index], &analyses[row.index]);
        let m = a.measure;
        if !measures.contains(&m) {
            measures.push(m);
        }
        let counts = Counts::overall(a);
        let k = counts.reported();
        let participants = match counts.participants {
            Some(n) => format!(
                "{} ({}\u{a0}{})",
                format::count(n),
                k,
                if k == 1 { "study" } else { "studies" }
            ),
            None => format!("({k}\u{a0}{})", if k == 1 { "study" } else { "studies" }),
        };
        let eff = pooled(a);
        // No-break spaces (U+00A0) keep "RR 0.49" and "(0.34 to 0.70)" whole in a narrow
        // column (a line may break between them only), in the PDF and Word alike.
        let relative = eff.map(|(e, lo, hi)| {
            format!(
                "{}\u{a0}{} ({}\u{a0}to\u{a0}{})",
                m.abbreviation(),
                format::effect(e, m),
                format::effect(lo, m),
                format::effect(hi, m)
            )
        });
        let mut lines = Vec::new();
        let mut first_effect: Option<(AbsoluteEffect, &'static str)> = None;
        if absolute::has_risks(m) {
            for acr in assumed_risks(row, a) {
                let abs =
                    eff.and_then(|(e, lo, hi)| absolute::absolute_effect(m, acr.risk, e, lo, hi));
                if first_effect.is_none() {
                    first_effect = abs.map(|x| (x, acr.source));
                }
                // The comparator's risk, the intervention's and the difference per the same
                // number of people (per 1,000 but for a rare event).
                let d = abs.map_or(1000.0, |x| denominator(&x));
                lines.push(json!({
                    "population": acr.population,
                    "comparator": format!("{} per {}", per_1000(acr.risk * d), per_label(d)),
                    "intervention": abs.map(|x| { let k = x.per(d); format!("{}\u{a0}per {} ({}\u{a0}to\u{a0}{})", per_1000(k.risk), per_label(d), per_1000(k.risk_lower), per_1000(k.risk_upper)) }),
                    "difference": abs.map(|x| difference_text(&x)),
                }));
            }
        } else {
            let scale = row.scale.as_ref().and_then(|(name, sd, units)| {
                eff.map(|(e, lo, hi)| {
                    let u = |x: f64| absolute::smd_in_units(x, *sd);
                    format!(
                        "equivalent to {} {units} on {name}",
                        continuous_text(m, (u(e), u(lo), u(hi)), Some(1))
                    )
                })
            });
            lines.push(json!({
                "population": null,
                "comparator": null,
                "intervention": eff.map(|e| format!("{} {}", m.abbreviation(), continuous_text(m, e, None))),
                "difference": scale,
            }));
        }
        // Footnotes: each judgement that moved the certainty, in the table's order.
        let mut marks = Vec::new();
        if let Some(c) = &row.certainty {
            for j in c.judgements.iter().filter(|j| j.levels != 0) {
                let l = letter(footnotes.len());
                footnotes.push(json!({
                    "letter": l,
                    "text": format!("{} {} for {}: {}",
                        if j.levels < 0 { "Downgraded" } else { "Upgraded" },
                        levels_words(j.levels), j.domain.name(),
                        j.reason.as_deref().unwrap_or("").trim().trim_end_matches('.')),
                }));
                marks.push(l);
            }
        }
        let certainty = row.certainty.as_ref().map(|c| {
            let l = c.level();
            json!({"symbols": l.symbols(), "label": l.label(), "marks": marks})
        });
        rows.push(json!({
            "title": o.title,
            "follow_up": row.follow_up,
            "lines": lines,
            // A mean difference or SMD is no relative effect: GRADE's table gives it in the
            // absolute column only ("MD 0.81 lower (…)") and "–" here (Cochrane Handbook
            // ch. 14, Figure 14.1.a; GRADEpro).
            "relative": if m.is_ratio() { relative } else { eff.map(|_| "–".to_string()) },
            "participants": participants,
            "certainty": certainty,
            "comment": row.comment,
        }));
        sentences.insert(
            o.id.clone(),
            outcome_sentence(sof, row, o, a, eff, first_effect),
        );
    }
    // The intervals are at each outcome's confidence level: the header names it when they
    // share one, the abbreviations say which when they do not.
    let mut levels: Vec<(String, String)> = sof
        .rows
        .iter()
        .map(|r| {
            (
                ci_name(analyses[r.index].options.level),
                in_sentence(&spec.outcomes[r.index].title),
            )
        })
        .collect();
    let one_level = levels
        .first()
        .map(|(l, _)| l.clone())
        .filter(|l| levels.iter().all(|(x, _)| x == l));
    let mut abbreviations = vec![match &one_level {
        Some(_) => "CI: confidence interval".to_string(),
        None => {
            levels.dedup();
            format!(
                "CI: confidence interval ({})",
                levels
                    .iter()
                    .map(|(l, t)| format!("{} for {t}", l.trim_end_matches(" CI")))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }];
    for m in &measures {
        abbreviations.push(format!("{}: {}", m.abbreviation(), m.name()));
    }
    let binary = measures.iter().any(|&m| absolute::has_risks(m));
    let mut thresholds = Vec::new();
    // A threshold of 0 (the default) is not "exceeded 0 per 1,000": any difference that
    // prints as one counts (`is_important`), and the methods say so in words.
    let mut any_difference = Vec::new();
    let mut sources: Vec<(String, &str)> = Vec::new();
    let mut formulas: Vec<&str> = Vec::new();
    for row in &sof.rows {
        let (o, a) = (&spec.outcomes[row.index], &analyses[row.index]);
        let m = a.measure;
        if row.certainty.is_some() && row.threshold == 0.0 {
            any_difference.push(if absolute::has_risks(m) {
                format!("at least 1 per 1,000 for {}", in_sentence(&o.title))
            } else {
                format!("different from 0 for {}", in_sentence(&o.title))
            });
        } else if row.certainty.is_some() {
            thresholds.push(if absolute::has_risks(m) {
                format!(
                    "{} per 1,000 for {}",
                    format::fixed(
                        row.threshold,
                        if row.threshold.fract() == 0.0 { 0 } else { 1 }
                    ),
                    in_sentence(&o.title)
                )
            } else {
                format!(
                    "{} ({}) for {}",
                    format::effect(row.threshold, m),
                    m.abbreviation(),
                    in_sentence(&o.title)
                )
            });
        }
        if let Some(acr) = assumed_risks(row, a).first() {
            sources.push((in_sentence(&o.title), acr.source));
            // The methods give the formula of each measure the table uses, no other.
            let formula = match m {
                Measure::RR => Some("RR"),
                Measure::OR | Measure::PetoOR => Some("OR"),
                Measure::HR => Some("HR"),
                Measure::RD => Some("RD"),
                _ => None,
            };
            if let Some(f) = formula.filter(|f| !formulas.contains(f)) {
                formulas.push(f);
            }
        }
    }
    // One source for every outcome is said once, not outcome by outcome.
    let sources: Vec<String> = match sources.first() {
        Some((_, first)) if sources.len() > 1 && sources.iter().all(|(_, s)| s == first) => {
            vec![first.to_string()]
        }
        _ => sources
            .iter()
            .map(|(t, s)| format!("for {t}, {s}"))
            .collect(),
    };
    let population = sof
        .population
        .as_deref()
        .map(|p| format!(" for {}", lower_first(p)))
        .unwrap_or_default();
    json!({
        "title": format!("{} compared with {}{population}", sof.intervention, lower_first(&sof.comparator)),
        "columns": if any_certainty { 7 } else { 6 },
        "ci": one_level.unwrap_or_else(|| "CI".into()),
        "thresholds": thresholds_clause(&thresholds, &any_difference),
        "sources": sources,
        "label": format!("{}-tab-sof", spec.id),
        "caption": sof.caption.clone().unwrap_or_else(|| "Summary of findings: absolute effects and the certainty of the evidence.".into()),
        "intervention": sof.intervention,
        "comparator": sof.comparator,
        "comparator_in_text": lower_first(&sof.comparator),
        // The header's "Risk with exercise" beside "Risk with usual care" (an acronym kept).
        "intervention_in_text": lower_first(&sof.intervention),
        "population": sof.population,
        "setting": sof.setting,
        "certainty_column": any_certainty,
        "binary": binary,
        "formulas": formulas,
        // What the absolute effects were computed from: a ratio, a risk difference or both.
        "effect_kind": match (formulas.iter().any(|&f| f != "RD"), formulas.contains(&"RD")) {
            (true, true) => "effect",
            (false, true) => "risk difference",
            _ => "relative effect",
        },
        "rows": rows,
        "footnotes": footnotes,
        "abbreviations": abbreviations.join("; "),
        "sentences": sentences,
        "median_control": sof.rows.iter().any(|r| matches!(r.assumed_risk, Some(AssumedRisk::MedianControl))),
        "pooled_control": sof.rows.iter().any(|r| matches!(r.assumed_risk, Some(AssumedRisk::PooledControl))),
    })
}

/// The sentence of the results for one outcome of the table: the absolute effect, and GRADE's
/// statement when the authors judged the certainty.
fn outcome_sentence(
    sof: &SummaryOfFindings,
    row: &SofRow,
    o: &Outcome,
    a: &Analysis,
    eff: Option<(f64, f64, f64)>,
    first: Option<(AbsoluteEffect, &'static str)>,
) -> Value {
    let m = a.measure;
    let Some(e) = eff else {
        return Value::Null;
    };
    let (absolute_text, size) = match first {
        Some((x, source)) => (
            {
                let d = denominator(&x);
                let k = x.per(d);
                format!(
                    "At an assumed risk of {} per {n} with {} ({source}), the pooled {} corresponds to {} per {n} ({} {} to {}",
                    per_1000(k.assumed_risk),
                    lower_first(&sof.comparator),
                    m.code(),
                    fewer_more(k.difference),
                    ci_name(a.options.level),
                    fewer_more(k.difference_lower),
                    fewer_more(k.difference_upper),
                    n = per_label(d),
                )
            },
            x.per_1000().difference,
        ),
        None if absolute::has_risks(m) => return Value::Null,
        None => (String::new(), e.0),
    };
    let statement = row.certainty.as_ref().map(|c: &Certainty| {
        let important = is_important(size, row.threshold, m);
        let lower = size < 0.0;
        format!(
            "{} ({}-certainty evidence)",
            statement(
                c.level(),
                important,
                lower,
                &sof.intervention,
                &in_sentence(&o.title)
            ),
            c.level().label().to_lowercase()
        )
    });
    json!({"absolute": if absolute_text.is_empty() { Value::Null } else { json!(absolute_text) }, "statement": statement})
}

/// Whether an effect is important: beyond the threshold as printed — a risk difference rounded
/// to a whole number per 1,000, a continuous one at the measure's decimals — so that a
/// difference printed as "0 fewer per 1,000" or "0.00 lower" is never called a reduction.
fn is_important(size: f64, threshold: f64, m: Measure) -> bool {
    let printed = if absolute::has_risks(m) {
        size.abs().round()
    } else if m.is_ratio() {
        size.abs()
    } else {
        format::effect(size.abs(), m)
            .replace(',', "")
            .parse::<f64>()
            .unwrap_or(size.abs())
    };
    printed > threshold
}

/// The methods' clause on when an effect was called important: "when it exceeded 5 per
/// 1,000 for deaths, and when it was at least 1 per 1,000 for relapse" (the second part for
/// outcomes whose threshold is 0); empty when no outcome's certainty was rated.
fn thresholds_clause(exceeded: &[String], any: &[String]) -> String {
    let mut parts = Vec::new();
    if !exceeded.is_empty() {
        parts.push(format!("when it exceeded {}", and_list(exceeded)));
    }
    if !any.is_empty() {
        parts.push(format!("when it was {}", and_list(any)));
    }
    parts.join(", and ")
}

/// The `results.json` part: per row, the assumed risks, the absolute effects (per 1,000, as
/// printed), the certainty with every judgement.
pub fn results_json(spec: &Spec, analyses: &[Analysis]) -> Value {
    let Some(sof) = &spec.summary_of_findings else {
        return Value::Null;
    };
    let rows: Vec<Value> = sof
        .rows
        .iter()
        .map(|row| {
            let a = &analyses[row.index];
            let m = a.measure;
            let eff = pooled(a);
            let absolute: Vec<Value> = assumed_risks(row, a)
                .iter()
                .map(|acr| {
                    let abs = eff.and_then(|(e, lo, hi)| absolute::absolute_effect(m, acr.risk, e, lo, hi));
                    json!({
                        "population": acr.population,
                        "assumed_risk_source": acr.source,
                        "assumed_risk": acr.risk,
                        // Per 1,000 at full precision: the proportions are these / 1000.
                        "per_1000": abs.map(|x| x.per_1000()),
                        // The number of people the table and the text give them per: 1,000
                        // but for a rare event (10,000 or more; `denominator`).
                        "printed_per": abs.map(|x| denominator(&x)),
                    })
                })
                .collect();
            let scale = row.scale.as_ref().map(|(name, sd, units)| {
                json!({"name": name, "sd": sd, "units": units,
                       "effect": eff.map(|(e, lo, hi)| json!({"estimate": absolute::smd_in_units(e, *sd), "ci_lower": absolute::smd_in_units(lo, *sd), "ci_upper": absolute::smd_in_units(hi, *sd)}))})
            });
            json!({
                "outcome": row.outcome,
                "measure": m.code(),
                "relative_effect": eff.map(|(e, lo, hi)| json!({"estimate": e, "ci_lower": lo, "ci_upper": hi})),
                "absolute": absolute,
                "scale": scale,
                "threshold": row.threshold,
                "certainty": row.certainty.as_ref().map(|c| json!({
                    "start": c.start,
                    "level": c.level(),
                    "judgements": c.judgements,
                })),
            })
        })
        .collect();
    json!({"intervention": sof.intervention, "comparator": sof.comparator, "rows": rows})
}

/// The authors' notes: per outcome of the table, what the data say for each GRADE domain, and
/// which judgements the spec does not give. These inform the authors’ judgement; metareport
/// makes none.
pub fn notes(spec: &Spec, analyses: &[Analysis]) -> Vec<String> {
    let Some(sof) = &spec.summary_of_findings else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    let missing: Vec<&str> = sof
        .rows
        .iter()
        .filter(|r| r.certainty.is_none())
        .map(|r| r.outcome.as_str())
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "{}: summary_of_findings: no certainty judgements for {}: the table has {} certainty column; give `certainty:` (start and the five domains) to grade the evidence",
            spec.file,
            missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
            if missing.len() == sof.rows.len() { "no" } else { "\"not assessed\" in its" }
        ));
    }
    for row in &sof.rows {
        let (o, a) = (&spec.outcomes[row.index], &analyses[row.index]);
        let head = format!("{}: summary_of_findings: `{}`", spec.file, o.id);
        notes.extend(evidence(&head, row, o, a));
    }
    notes
}

/// What the data say for each domain of one outcome.
fn evidence(head: &str, row: &SofRow, o: &Outcome, a: &Analysis) -> Vec<String> {
    let m = a.measure;
    let mut out = Vec::new();
    // Risk of bias: the share of the weight from studies at high risk overall.
    if let (Some(rob), Some(w)) = (&o.risk_of_bias, &a.overall.weights_pct) {
        let mut high = 0.0;
        let mut judged = false;
        for (i, s) in a.studies.iter().enumerate() {
            if let Some(level) = rob.of(a.name(s)).and_then(|x| x.overall) {
                judged = true;
                if level.severity().is_some_and(|v| v >= 3) {
                    high += w[i];
                }
            }
        }
        if judged {
            out.push(format!(
                "{head}: risk of bias: {:.0}% of the weight comes from studies at high risk of bias overall (a suggestion for the authors’ judgement, not one)",
                high
            ));
        }
    }
    if let Some(h) = a.overall.heterogeneity.value() {
        let pi = a
            .overall
            .prediction
            .value()
            .and_then(|p| {
                p.shown_interval().map(|pi| {
                    format!(
                        "; prediction interval {}",
                        format::interval(m.back_transform(pi.lower), m.back_transform(pi.upper), m)
                    )
                })
            })
            .unwrap_or_default();
        out.push(format!(
            "{head}: inconsistency: I² = {}, τ² = {}, Q = {} (df = {}, {}){pi}",
            format::i2_estimate(h),
            format::tau2(h.tau2),
            format::stat(h.q),
            h.df,
            format::p_text(h.p)
        ));
    }
    if let Some((e, lo, hi)) = pooled(a) {
        let null = m.null_value();
        let crosses = lo < null && hi > null;
        let mut s = format!(
            "{head}: imprecision: {} {} ({} {}) {} the line of no effect",
            m.abbreviation(),
            format::effect(e, m),
            ci_name(a.options.level),
            format::interval(lo, hi, m),
            if crosses { "crosses" } else { "does not cross" }
        );
        if absolute::has_risks(m)
            && let Some(acr) = assumed_risks(row, a).first().map(|x| x.risk)
            && let Some(x) = absolute::absolute_effect(m, acr, e, lo, hi)
        {
            let k = x.per_1000();
            let t = row.threshold;
            let side = |v: f64| v.abs() > t;
            // A rare event's limits keep the decimals its table row shows (per 10,000: one).
            let decimals = (denominator(&x) / 1000.0).log10().round() as usize;
            s.push_str(&format!(
                "; the absolute difference ranges from {} to {} per 1,000, {} the threshold of {t} per 1,000",
                format::fixed(k.difference_lower, decimals),
                format::fixed(k.difference_upper, decimals),
                if side(k.difference_lower) && side(k.difference_upper) && (k.difference_lower < 0.0) == (k.difference_upper < 0.0) { "both limits beyond" } else { "not both limits beyond" }
            ));
            if let (Some(ois), Some(n)) = (
                absolute::optimal_information_size(acr, 0.25, 0.05, 0.8),
                Counts::overall(a).participants,
            ) {
                s.push_str(&format!(
                    "; optimal information size for a 25% relative risk reduction (α 0.05, power 0.8): {} participants, the studies have {}",
                    format::count(ois.ceil()),
                    format::count(n)
                ));
            }
        }
        out.push(s);
    }
    if let Some(b) = &a.bias
        && let Some(Computed::Value(e)) = &b.egger
        && a.studies.len() >= 10
    {
        out.push(format!(
            "{head}: publication bias: Egger’s test {} ({} studies)",
            format::p_text(e.p),
            a.studies.len()
        ));
    } else if a.studies.len() < 10 {
        out.push(format!(
            "{head}: publication bias: {} {}, fewer than the 10 tests for funnel-plot asymmetry need",
            a.studies.len(),
            if a.studies.len() == 1 { "study" } else { "studies" }
        ));
    }
    out
}
