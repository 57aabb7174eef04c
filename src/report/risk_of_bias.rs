//! The manuscript's risk-of-bias (or study-quality) part: the methods sentence naming the tool
//! and its reference, the results paragraph summarising the judgements (counts as journals
//! print them: words up to nine), the table (stars per item for the Newcastle–Ottawa Scale,
//! judgements otherwise) and the figures' captions. Every count is computed from the table.

use crate::report::format::and_list;

use serde_json::{Value, json};

use super::context::figure_ref;
use super::format;
use crate::rob::{Level, RiskOfBias};
use crate::spec::{Figure, FigureKind, Spec};
use crate::stats::analysis::Analysis;

/// The appraisal a figure shows: the review's, or its outcome's.
fn figure_rob<'a>(spec: &'a Spec, f: &Figure) -> Option<&'a RiskOfBias> {
    match f.outcomes.first() {
        Some(id) => spec
            .outcomes
            .iter()
            .find(|o| &o.id == id)
            .and_then(|o| o.risk_of_bias.as_ref()),
        None => spec.risk_of_bias.as_ref(),
    }
}

/// The default caption of a risk-of-bias figure.
pub fn default_caption(spec: &Spec, f: &Figure) -> String {
    let Some(rob) = figure_rob(spec, f) else {
        return "Risk of bias.".into();
    };
    let of = match f.outcomes.first() {
        Some(id) => {
            let t = spec
                .outcomes
                .iter()
                .find(|o| &o.id == id)
                .map_or(id.as_str(), |o| o.title.as_str());
            format!(" for {}", t.to_lowercase())
        }
        None => String::new(),
    };
    match f.kind {
        FigureKind::RiskOfBiasSummary => {
            let weighted = match &rob.weights {
                crate::rob::Weights::None => String::new(),
                crate::rob::Weights::Column => ", weighted by the studies’ weights".into(),
                crate::rob::Weights::Outcome(id) => format!(
                    ", weighted by the studies’ weights in the pooled estimate of {}",
                    spec.outcomes
                        .iter()
                        .find(|o| &o.id == id)
                        .map_or(id.clone(), |o| o.title.to_lowercase())
                ),
            };
            format!(
                "Risk-of-bias summary ({}){of}: the share of {} with each judgement in each domain{weighted}.",
                rob.tool_name, rob.units.1
            )
        }
        _ => format!(
            "Risk-of-bias traffic-light plot ({}){of}: the judgement of each {} in each domain.",
            rob.tool_name, rob.units.0
        ),
    }
}

/// "three trials", "one trial", "12 studies".
fn units(n: usize, rob: &RiskOfBias) -> String {
    format!(
        "{} {}",
        format::count_in_text(n),
        if n == 1 { &rob.units.0 } else { &rob.units.1 }
    )
}

/// "three were at high risk of bias", "four raised some concerns", "one was of good quality".
fn clause(n: usize, level: Level) -> String {
    let count = format::count_in_text(n);
    let be = if n == 1 { "was" } else { "were" };
    match level {
        Level::SomeConcerns => format!("{count} raised some concerns"),
        Level::NoInformation => format!("{count} could not be judged for lack of information"),
        Level::NotApplicable => format!("{count} {be} not judged (not applicable)"),
        l => format!("{count} {be} {}", l.phrase()),
    }
}

/// The first letter in capitals.
fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The methods sentence (without its citation, which the template adds).
/// Star counts are scores on a scale and print as digits wherever they appear ("up to 9 stars:
/// 4 for selection", "scored 9 of 9 stars", "9 stars at most"), as APA and journal styles
/// print scores; counts of studies stay words under ten.
fn methods(rob: &RiskOfBias, outcome_title: Option<&str>) -> String {
    let scope = outcome_title
        .map(|t| format!(" for {}", t.to_lowercase()))
        .unwrap_or_default();
    if rob.is_stars() {
        let mut groups: Vec<(String, u32)> = Vec::new();
        for d in &rob.domains {
            match groups.iter_mut().find(|(g, _)| *g == d.group) {
                Some(g) => g.1 += u32::from(d.max_stars),
                None => groups.push((d.group.clone(), u32::from(d.max_stars))),
            }
        }
        let parts: Vec<String> = groups
            .iter()
            .map(|(g, n)| format!("{n} for {}", g.to_lowercase()))
            .collect();
        format!(
            "The quality of the included {}{scope} was assessed with {}, which awards up to {} stars: {}",
            rob.units.1,
            rob.description,
            rob.max_total(),
            and_list(&parts)
        )
    } else {
        format!(
            "The risk of bias of the included {}{scope} was assessed with {}, judging {} {} ({}){}",
            rob.units.1,
            rob.description,
            format::count_in_text(rob.domains.len()),
            if rob.domains.len() == 1 {
                "domain"
            } else {
                "domains"
            },
            and_list(
                &rob.domains
                    .iter()
                    .map(|d| d.short.clone())
                    .collect::<Vec<_>>()
            ),
            if rob.has_overall {
                " and the overall risk of bias"
            } else {
                ""
            }
        )
    }
}

/// The results paragraph: what the judgements (or the scores) were.
fn results(rob: &RiskOfBias) -> String {
    let k = rob.studies.len();
    let of = format!("Of the {}", units(k, rob));
    // When every study was judged alike: "All nine cohorts …", "Both trials …" (not "Of the
    // nine cohorts, all …").
    let every = if k == 2 {
        format!("Both {}", rob.units.1)
    } else {
        format!("All {}", units(k, rob))
    };
    if rob.is_stars() {
        let max = rob.max_total();
        let totals: Vec<u32> = rob.studies.iter().map(|a| a.total()).collect();
        let lo = totals.iter().copied().min().unwrap_or(0);
        let hi = totals.iter().copied().max().unwrap_or(0);
        let mut s = if lo == hi {
            if k == 1 {
                format!("The one {} scored {lo} of {max} stars", rob.units.0)
            } else {
                format!("{every} scored {lo} of {max} stars")
            }
        } else {
            let full = totals.iter().filter(|&&t| t == max).count();
            format!(
                "{of}, scores ranged from {lo} to {hi} of {max} stars{}",
                if full > 0 {
                    format!("; {} scored the maximum", format::count_in_text(full))
                } else {
                    String::new()
                }
            )
        };
        if rob.ahrq {
            let parts = counts_by_overall(rob);
            s.push_str(&format!(
                "; by the AHRQ standards, {}",
                and_list(
                    &parts
                        .iter()
                        .map(|(l, n)| clause(*n, *l))
                        .collect::<Vec<_>>()
                )
            ));
        }
        return s + ".";
    }
    let mut s = String::new();
    if rob.has_overall {
        let parts = counts_by_overall(rob);
        if parts.len() == 1 {
            let (l, _) = parts[0];
            s = if k == 1 {
                format!("The one {} was {} overall", rob.units.0, l.phrase())
            } else if l == Level::SomeConcerns {
                format!("{every} raised some concerns overall")
            } else {
                format!("{every} were {} overall", l.phrase())
            };
        } else {
            let clauses: Vec<String> = parts.iter().map(|(l, n)| clause(*n, *l)).collect();
            s = format!("{of}, {} overall", and_list(&clauses));
        }
    }
    // Risk-of-bias domains only: QUADAS-2's applicability domains judge concerns, said apart.
    let judged: Vec<usize> = (0..rob.domains.len())
        .filter(|&di| rob.domains[di].group != "Applicability")
        .collect();
    // The domain most often at the most severe judgement any domain has.
    let worst = rob
        .studies
        .iter()
        .flat_map(|a| judged.iter().map(|&di| a.judgements[di]))
        .filter(|l| l.severity().is_some_and(|x| x >= 2))
        .max_by_key(|l| l.severity());
    if !rob.has_overall
        && let Some(w) = worst
    {
        let n = rob
            .studies
            .iter()
            .filter(|a| {
                judged
                    .iter()
                    .any(|&di| a.judgements[di].severity() == w.severity())
            })
            .count();
        let judged_as = if w == Level::SomeConcerns {
            "as raising some concerns"
        } else {
            w.phrase()
        };
        let who = if n == k && k > 1 {
            if k == 2 { "both" } else { "all" }.to_string()
        } else {
            format::count_in_text(n)
        };
        s = if let [only] = judged[..] {
            // One domain: say it once, without "at least one domain" or "most often".
            let d = &rob.domains[only];
            format!(
                "{of}, {who} {} judged {judged_as} in the one domain assessed, {} ({})",
                if n == 1 && who != "all" {
                    "was"
                } else {
                    "were"
                },
                d.short,
                d.code
            )
        } else {
            format!("{of}, {who} had at least one domain judged {judged_as}")
        };
    }
    let one_domain_said = !rob.has_overall && judged.len() == 1 && worst.is_some();
    match worst {
        Some(_) if one_domain_said => {}
        Some(w) => {
            let ws = w.severity();
            let per_domain: Vec<usize> = (0..rob.domains.len())
                .map(|di| {
                    if !judged.contains(&di) {
                        return 0;
                    }
                    rob.studies
                        .iter()
                        .filter(|a| a.judgements[di].severity() == ws)
                        .count()
                })
                .collect();
            let best = per_domain.iter().copied().max().unwrap_or(0);
            let top: Vec<String> = rob
                .domains
                .iter()
                .zip(&per_domain)
                .filter(|(_, n)| **n == best)
                .map(|(d, _)| format!("{} ({})", d.short, d.code))
                .collect();
            let verb = if w == Level::SomeConcerns {
                "that most often raised some concerns".to_string()
            } else {
                format!("most often judged {}", w.phrase())
            };
            let sentence = if top.len() == 1 {
                format!(
                    "The domain {verb} was {}; {} {} so judged",
                    top[0],
                    units(best, rob),
                    if best == 1 { "was" } else { "were" }
                )
            } else {
                format!(
                    "The domains {verb} were {}, with {} each",
                    and_list(&top),
                    units(best, rob)
                )
            };
            if s.is_empty() {
                s = sentence;
            } else {
                s = format!("{s}. {sentence}");
            }
        }
        None => {
            let all = if k == 2 { "both" } else { "all" };
            let line = if k == 1 {
                format!(
                    "The one {} was at low risk of bias in every domain",
                    rob.units.0
                )
            } else {
                format!("{of}, {all} were at low risk of bias in every domain")
            };
            let all_low = rob
                .studies
                .iter()
                .all(|a| judged.iter().all(|&di| a.judgements[di] == Level::Low));
            let overall_low = rob
                .studies
                .iter()
                .all(|a| a.overall.is_none_or(|o| o == Level::Low));
            if all_low && overall_low {
                s = line;
            } else if s.is_empty() {
                s = format!("{of}, none had a domain judged at more than low risk of bias");
            }
        }
    }
    let applicability: Vec<usize> = (0..rob.domains.len())
        .filter(|&di| rob.domains[di].group == "Applicability")
        .collect();
    if !applicability.is_empty() {
        let n = rob
            .studies
            .iter()
            .filter(|a| {
                applicability
                    .iter()
                    .any(|&di| a.judgements[di] == Level::High)
            })
            .count();
        s = format!(
            "{s}. {} raised high concerns regarding applicability in at least one domain",
            capital(&units(n, rob))
        );
    }
    capital(&s) + "."
}

/// (overall judgement, number of studies), the most severe first.
fn counts_by_overall(rob: &RiskOfBias) -> Vec<(Level, usize)> {
    let mut v: Vec<(Level, usize)> = Vec::new();
    for a in &rob.studies {
        if let Some(o) = a.overall {
            match v.iter_mut().find(|(l, _)| *l == o) {
                Some(x) => x.1 += 1,
                None => v.push((o, 1)),
            }
        }
    }
    v.sort_by_key(|(l, _)| std::cmp::Reverse(l.severity().map_or(0, |s| s + 1)));
    v
}

/// The table: stars per item (Newcastle–Ottawa Scale) or judgements per domain.
fn table(rob: &RiskOfBias) -> Value {
    let mut groups: Vec<(String, usize)> = Vec::new();
    for d in &rob.domains {
        match groups.last_mut() {
            Some(g) if g.0 == d.group => g.1 += 1,
            _ => groups.push((d.group.clone(), 1)),
        }
    }
    let mut headers: Vec<String> = rob.domains.iter().map(|d| d.code.clone()).collect();
    if rob.is_stars() {
        headers.push("Total".into());
    }
    if rob.has_overall {
        headers.push(if rob.is_stars() {
            "Quality".into()
        } else {
            "Overall".into()
        });
    }
    let rows: Vec<Vec<String>> = rob
        .studies
        .iter()
        .map(|a| {
            let mut r: Vec<String> = if rob.is_stars() {
                a.stars
                    .iter()
                    .map(|&s| "★".repeat(usize::from(s)))
                    .collect()
            } else {
                a.judgements.iter().map(|l| l.label().to_string()).collect()
            };
            if rob.is_stars() {
                r.push(format!("{}/{}", a.total(), rob.max_total()));
            }
            if rob.has_overall {
                r.push(a.overall.map_or("–".into(), |o| o.label().to_string()));
            }
            r
        })
        .collect();
    let key: Vec<String> = rob
        .domains
        .iter()
        .map(|d| format!("{}, {}", d.code, d.name.trim_end_matches('?')))
        .collect();
    let footnote = if rob.is_stars() {
        format!(
            "{}. Each ★ is one star; {} stars at most{}.",
            key.join("; "),
            rob.max_total(),
            if rob.ahrq {
                "; quality by the AHRQ standards (good: 3–4 stars for selection, 1–2 for comparability and 2–3 for outcome or exposure; fair: 2, 1–2 and 2–3; poor: 0–1 for selection, 0 for comparability or 0–1 for outcome or exposure)"
            } else {
                ""
            }
        )
    } else {
        format!("{}.", key.join("; "))
    };
    json!({
        "stars": rob.is_stars(),
        "groups": groups.iter().map(|(g, n)| json!({"name": g, "span": n})).collect::<Vec<_>>(),
        "headers": headers,
        "extra": headers.len() - rob.domains.len(),
        "rows": rob.studies.iter().zip(rows).map(|(a, r)| json!({"study": a.study, "cells": r})).collect::<Vec<_>>(),
        "footnote": footnote,
        "caption": rob.captions.table.clone().unwrap_or_else(|| if rob.is_stars() {
            format!("Quality of the included {} ({}).", rob.units.1, rob.description.trim_start_matches("the "))
        } else {
            format!("Risk-of-bias judgements of the included {} ({}).", rob.units.1, rob.tool_name)
        }),
    })
}

fn one(spec: &Spec, rob: &RiskOfBias, outcome: Option<&str>) -> Value {
    let title = outcome
        .and_then(|id| spec.outcomes.iter().find(|o| o.id == id))
        .map(|o| o.title.as_str());
    let figures: Vec<String> = spec
        .figures
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FigureKind::RiskOfBias | FigureKind::RiskOfBiasSummary
            ) && f.outcomes.first().map(String::as_str) == outcome
        })
        .map(|f| figure_ref(spec, f).label)
        .collect();
    json!({
        "heading": if rob.is_stars() { "Study quality" } else { "Risk of bias" },
        "methods_heading": if rob.is_stars() { "Quality assessment" } else { "Risk-of-bias assessment" },
        "methods": methods(rob, title),
        "reference": rob.reference,
        "results": results(rob),
        "figures": figures,
        "table": table(rob),
        "table_label": format!("{}-tab-rob{}", spec.id, outcome.map(|o| format!("-{o}")).unwrap_or_default()),
    })
}

/// The template context of a review's appraisals: `review` (the review's table) and
/// `outcomes` (each outcome's own table, by id); null without any.
pub fn context(spec: &Spec, _analyses: &[Analysis]) -> Value {
    let own: serde_json::Map<String, Value> = spec
        .outcomes
        .iter()
        .filter_map(|o| {
            o.risk_of_bias
                .as_ref()
                .filter(|r| r.outcome.is_some())
                .map(|r| (o.id.clone(), one(spec, r, Some(&o.id))))
        })
        .collect();
    if spec.risk_of_bias.is_none() && own.is_empty() {
        return Value::Null;
    }
    json!({
        "review": spec.risk_of_bias.as_ref().map(|r| one(spec, r, None)),
        "outcomes": own,
    })
}
