//! [`Review`] → the files of a metareport project: the spec as YAML text, one CSV per
//! analysis with the standard column names, the study list (Table 1), the risk-of-bias
//! judgements, and a README saying what was carried over and what was not.
//!
//! Each RevMan setting maps to a spec key where metareport has one:
//!
//! | RevMan | spec |
//! |---|---|
//! | comparison + outcome number (1.2) | outcome `id: 1-2` |
//! | outcome name | `title` |
//! | data type | the CSV's columns and `input` |
//! | effect measure (OR RR RD Peto OR MD SMD; GIV and O − E: by name and log flag) | `measure` |
//! | statistical method (M-H, IV, Peto) | `model.pooling` |
//! | fixed / random | `model.effects` (τ² DerSimonian–Laird from `preset: revman5`) |
//! | CI of the totals | `model.level` |
//! | subgroups | a `subgroup` column, `subgroups: {column, order}` |
//! | group labels / graph labels | `forest.arms` / `forest.favours` |
//! | graph scale | `forest.limits` |
//! | swap events | the CSV holds the non-events as events (the reported counts beside them) |
//! | sort order | the order of the CSV's rows |
//! | O − E and V | `yi = (O − E)/V`, `se = 1/√V` (the Peto one-step estimate on the log scale) |
//! | footnotes | a `footnote` column and the review's `notes:` |
//! | RevMan Web 2: τ² estimator, CI method, prediction interval | `model.tau2`, `model.ci`, `model.prediction` |

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::model::*;
use crate::stats::effect;
use crate::stats::{Measure, StudyData};

/// The generated project, in memory.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The spec's id (its file stem).
    pub id: String,
    /// "analyses/<id>.yaml".
    pub spec_path: String,
    /// Every file, relative to the project root.
    pub files: Vec<(String, Vec<u8>)>,
    pub outcomes: Vec<GeneratedOutcome>,
    /// What could not be carried over.
    pub not_carried: Vec<String>,
    /// What was changed to carry it over (renamed studies, swapped events, left-out rows).
    pub changes: Vec<String>,
}

/// One RevMan analysis as a spec outcome.
#[derive(Debug, Clone)]
pub struct GeneratedOutcome {
    /// Index into [`Review::analyses`].
    pub analysis: usize,
    pub id: String,
    pub measure: Measure,
    /// (index into the analysis's rows, the study label in the spec).
    pub labels: Vec<(usize, String)>,
}

/// How one analysis maps onto metareport.
#[derive(Debug, Clone, PartialEq)]
struct Mapping {
    measure: Measure,
    input: &'static str,
    pooling: &'static str,
    effects: &'static str,
}

fn norm(s: &str) -> String {
    s.trim().to_uppercase().replace(['_', '-'], " ")
}

/// RevMan's effect measure and method → metareport's measure, input and pooling. Notes what
/// has no exact equivalent.
fn mapping(a: &RevAnalysis, notes: &mut Vec<String>) -> Result<Mapping, String> {
    let em = norm(&a.effect_measure);
    let method = a.method.as_deref().map(norm).unwrap_or_default();
    let effects = if a.random { "random" } else { "fixed" };
    let unknown = || {
        format!(
            "analysis {} \"{}\": the effect measure \"{}\" of {} data has no equivalent in metareport",
            a.number(),
            a.name,
            a.effect_measure,
            a.data_type.name()
        )
    };
    Ok(match a.data_type {
        DataType::Dichotomous => {
            let measure = match em.as_str() {
                "OR" | "ODDS RATIO" | "ODDS RATIO (NON EVENT)" => Measure::OR,
                "RR" | "RISK RATIO" | "RELATIVE RISK" => Measure::RR,
                "RD" | "RISK DIFFERENCE" => Measure::RD,
                "PETO OR" | "PETO ODDS RATIO" => Measure::PetoOR,
                _ => return Err(unknown()),
            };
            if measure == Measure::PetoOR {
                if a.random {
                    notes.push(format!(
                        "analysis {}: RevMan marks Peto's method random-effects, which it is not; pooled by Peto's method (fixed effect)",
                        a.number()
                    ));
                }
                Mapping {
                    measure,
                    input: "binary",
                    pooling: "peto",
                    effects: "fixed",
                }
            } else {
                let pooling = if method == "MH" || method.is_empty() {
                    "mantel-haenszel"
                } else {
                    "inverse-variance"
                };
                Mapping {
                    measure,
                    input: "binary",
                    pooling,
                    effects,
                }
            }
        }
        DataType::Continuous => Mapping {
            measure: match em.as_str() {
                "MD" | "MEAN DIFFERENCE" | "WMD" | "WEIGHTED MEAN DIFFERENCE" => Measure::MD,
                "SMD"
                | "STD. MEAN DIFFERENCE"
                | "STANDARDIZED MEAN DIFFERENCE"
                | "STANDARDISED MEAN DIFFERENCE" => Measure::SMD,
                _ => return Err(unknown()),
            },
            input: "continuous",
            pooling: "inverse-variance",
            effects,
        },
        DataType::GenericInverseVariance => {
            let by_name = |s: &str| -> Option<Measure> {
                if s.contains("PETO") {
                    Some(Measure::PetoOR)
                } else if s.contains("ODDS RATIO") || s == "OR" {
                    Some(Measure::OR)
                } else if s.contains("RISK RATIO") || s.contains("RELATIVE RISK") || s == "RR" {
                    Some(Measure::RR)
                } else if s.contains("HAZARD RATIO") || s == "HR" {
                    Some(Measure::HR)
                } else if s.contains("RISK DIFFERENCE") || s == "RD" {
                    Some(Measure::RD)
                } else if s.contains("STD") || s.contains("STANDARDI") || s == "SMD" {
                    Some(Measure::SMD)
                } else if s.contains("MEAN DIFFERENCE") || s == "MD" {
                    Some(Measure::MD)
                } else {
                    None
                }
            };
            let named = by_name(&em);
            let log = a.log_scale.unwrap_or(named.is_some_and(Measure::is_ratio));
            let measure = match named {
                Some(m) if m.is_ratio() == log => m,
                _ => {
                    notes.push(format!(
                        "analysis {} \"{}\": the effect measure \"{}\"{} has no equivalent in metareport; it is pooled as a generic effect (GEN){}",
                        a.number(),
                        a.name,
                        a.effect_measure,
                        if log { " on the log scale" } else { "" },
                        if log { ", and the forest plot shows logarithms, not ratios" } else { "" }
                    ));
                    Measure::GEN
                }
            };
            Mapping {
                measure,
                input: "yi_se",
                pooling: "inverse-variance",
                effects,
            }
        }
        DataType::OeVariance => {
            let measure = if em.contains("HAZARD") || em == "HR" {
                Measure::HR
            } else if em.is_empty() || em.contains("PETO") || em.contains("ODDS") || em == "OR" {
                Measure::PetoOR
            } else {
                notes.push(format!(
                    "analysis {}: the effect measure \"{}\" of O − E data is shown as a hazard ratio (exp((O − E)/V))",
                    a.number(),
                    a.effect_measure
                ));
                Measure::HR
            };
            Mapping {
                measure,
                input: "yi_se",
                pooling: "inverse-variance",
                effects,
            }
        }
    })
}

/// A string as a YAML scalar (a JSON string is a valid YAML double-quoted scalar).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A number as the CSV and YAML write it (shortest text that reads back the same).
fn n(x: f64) -> String {
    format!("{x}")
}

/// A file name part: lowercase letters, digits and `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let mut out: String = out.chars().take(60).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "review".into() } else { out }
}

/// A CSV file from a header and rows.
fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}

/// One row ready for the CSV, or why it is left out.
fn row_cells(
    a: &RevAnalysis,
    r: &DataRow,
    m: &Mapping,
    swapped: &mut bool,
) -> Result<Vec<String>, String> {
    let missing = || "no data entered (RevMan: not estimable)".to_string();
    let check = |data: StudyData| -> Result<(), String> {
        let errors = effect::validate(&data, m.measure);
        match errors.first() {
            None => Ok(()),
            Some(e) => Err(format!("{} ({})", e.message, e.field)),
        }
    };
    match r.values {
        Values::Dichotomous {
            events_1,
            total_1,
            events_2,
            total_2,
        } => {
            let (Some(e1), Some(n1), Some(e2), Some(n2)) = (events_1, total_1, events_2, total_2)
            else {
                return Err(missing());
            };
            let (a1, a2) = if a.swap_events {
                *swapped = true;
                (n1 - e1, n2 - e2)
            } else {
                (e1, e2)
            };
            check(StudyData::Binary {
                events_t: a1,
                total_t: n1,
                events_c: a2,
                total_c: n2,
            })?;
            let mut v = vec![n(a1), n(n1), n(a2), n(n2)];
            if a.swap_events {
                v.extend([n(e1), n(e2)]);
            }
            Ok(v)
        }
        Values::Continuous {
            mean_1,
            sd_1,
            total_1,
            mean_2,
            sd_2,
            total_2,
        } => {
            let (Some(m1), Some(s1), Some(n1), Some(m2), Some(s2), Some(n2)) =
                (mean_1, sd_1, total_1, mean_2, sd_2, total_2)
            else {
                return Err(missing());
            };
            check(StudyData::Continuous {
                mean_t: m1,
                sd_t: s1,
                n_t: n1,
                mean_c: m2,
                sd_c: s2,
                n_c: n2,
            })?;
            Ok(vec![n(m1), n(s1), n(n1), n(m2), n(s2), n(n2)])
        }
        Values::Generic {
            estimate,
            se,
            total_1,
            total_2,
        } => {
            let (Some(y), Some(s)) = (estimate, se) else {
                return Err(missing());
            };
            check(StudyData::YiSe { yi: y, se: s })?;
            let opt = |x: Option<f64>| x.map(n).unwrap_or_default();
            Ok(vec![n(y), n(s), opt(total_1), opt(total_2)])
        }
        Values::OeVariance {
            o_e,
            variance,
            total_1,
            total_2,
        } => {
            let (Some(oe), Some(v)) = (o_e, variance) else {
                return Err(missing());
            };
            if v <= 0.0 || v.is_nan() {
                return Err(format!("the variance V must be positive, found {v}"));
            }
            let (y, s) = (oe / v, 1.0 / v.sqrt());
            check(StudyData::YiSe { yi: y, se: s })?;
            let opt = |x: Option<f64>| x.map(n).unwrap_or_default();
            Ok(vec![n(oe), n(v), n(y), n(s), opt(total_1), opt(total_2)])
        }
    }
}

fn value_columns(a: &RevAnalysis) -> Vec<&'static str> {
    match a.data_type {
        DataType::Dichotomous if a.swap_events => vec![
            "events_t",
            "total_t",
            "events_c",
            "total_c",
            "reported_events_t",
            "reported_events_c",
        ],
        DataType::Dichotomous => vec!["events_t", "total_t", "events_c", "total_c"],
        DataType::Continuous => vec!["mean_t", "sd_t", "n_t", "mean_c", "sd_c", "n_c"],
        DataType::GenericInverseVariance => vec!["yi", "se", "n_t", "n_c"],
        DataType::OeVariance => vec!["o_minus_e", "variance", "yi", "se", "n_t", "n_c"],
    }
}

/// The rows of an analysis in RevMan's sort order (within subgroups, in subgroup order).
fn sorted_rows(a: &RevAnalysis, changes: &mut Vec<String>) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..a.rows.len()).collect();
    let by = a.sort_by.as_deref().map(norm).unwrap_or_default();
    let key_f64 = |x: Option<f64>| x.unwrap_or(f64::INFINITY);
    match by.as_str() {
        "USER" => {
            idx.sort_by(|&i, &j| key_f64(a.rows[i].order).total_cmp(&key_f64(a.rows[j].order)))
        }
        "STUDY" => idx.sort_by_key(|&i| a.rows[i].study.to_lowercase()),
        "YEAR" => idx.sort_by_key(|&i| {
            (
                a.rows[i].year.clone().unwrap_or_default(),
                a.rows[i].study.to_lowercase(),
            )
        }),
        "EFFECT SIZE" => idx.sort_by(|&i, &j| {
            key_f64(a.rows[i].effect.map(|e| e.value))
                .total_cmp(&key_f64(a.rows[j].effect.map(|e| e.value)))
        }),
        "WEIGHT" => idx.sort_by(|&i, &j| {
            let w = |k: usize| a.rows[k].weight.map_or(f64::NEG_INFINITY, |w| w.value);
            w(j).total_cmp(&w(i))
        }),
        "" => {}
        other => changes.push(format!(
            "analysis {}: RevMan sorts its studies by \"{other}\"; they are in the file's order",
            a.number()
        )),
    }
    idx.sort_by_key(|&i| a.rows[i].subgroup.unwrap_or(0));
    idx
}

/// The CSV of one analysis and its outcome entry in the spec.
struct OutcomeText {
    yaml: String,
    csv: Vec<u8>,
    labels: Vec<(usize, String)>,
    measure: Measure,
}

fn outcome(
    review: &Review,
    a: &RevAnalysis,
    title: &str,
    notes: &mut Vec<String>,
    not_carried: &mut Vec<String>,
    changes: &mut Vec<String>,
) -> Result<OutcomeText, String> {
    let m = mapping(a, not_carried)?;
    let id = a.id();
    let has_subgroups = !a.subgroups.is_empty() && a.rows.iter().any(|r| r.subgroup.is_some());
    let mut header: Vec<&str> = vec!["study", "year"];
    if has_subgroups {
        header.push("subgroup");
    }
    header.extend(value_columns(a));
    let footnotes = a.rows.iter().any(|r| !r.footnotes.is_empty());
    if footnotes {
        header.push("footnote");
    }
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut swapped = false;
    for i in sorted_rows(a, changes) {
        let r = &a.rows[i];
        let values = match row_cells(a, r, &m, &mut swapped) {
            Ok(v) => v,
            Err(why) => {
                changes.push(format!(
                    "analysis {}: study \"{}\" left out ({}): {why}",
                    a.number(),
                    r.study,
                    r.location
                ));
                continue;
            }
        };
        let count = seen.entry(r.study.clone()).or_insert(0);
        *count += 1;
        let label = if *count == 1 {
            r.study.clone()
        } else {
            let l = format!("{} ({})", r.study, count);
            changes.push(format!(
                "analysis {}: study \"{}\" appears {} times; this row is labelled \"{l}\" (study labels must be unique)",
                a.number(),
                r.study,
                count
            ));
            l
        };
        let mut cells = vec![label.clone(), r.year.clone().unwrap_or_default()];
        if has_subgroups {
            cells.push(
                r.subgroup
                    .and_then(|g| a.subgroups.get(g))
                    .map(|g| g.name.clone())
                    .unwrap_or_default(),
            );
        }
        cells.extend(values);
        if footnotes {
            cells.push(r.footnotes.join(" | "));
        }
        for f in &r.footnotes {
            notes.push(format!("Analysis {}, {label}: {f}", a.number()));
        }
        rows.push(cells);
        labels.push((i, label));
    }
    if rows.is_empty() {
        return Err(format!(
            "analysis {} \"{}\" has no study data that can be analysed",
            a.number(),
            a.name
        ));
    }
    if swapped {
        changes.push(format!(
            "analysis {}: RevMan swaps events and non-events; the CSV's events_t and events_c are the non-events (the reported counts are in reported_events_t and reported_events_c)",
            a.number()
        ));
    }
    for f in &a.footnotes {
        notes.push(format!("Analysis {}: {f}", a.number()));
    }
    if let Some(u) = &a.units {
        not_carried.push(format!(
            "analysis {}: the unit of the effect measure (\"{u}\"): metareport has no setting for it",
            a.number()
        ));
    }
    let has_totals = |r: &DataRow| match r.values {
        Values::Generic {
            total_1, total_2, ..
        }
        | Values::OeVariance {
            total_1, total_2, ..
        } => total_1.is_some() || total_2.is_some(),
        _ => false,
    };
    if a.rows.iter().any(has_totals) {
        not_carried.push(format!(
            "analysis {}: the participants per arm of {} data are in the CSV (n_t, n_c) but the forest plot does not show them",
            a.number(),
            a.data_type.name()
        ));
    }
    if a.data_type == DataType::OeVariance {
        changes.push(format!(
            "analysis {}: O − E and variance are given as yi = (O − E)/V and se = 1/√V (Peto's one-step estimate), pooled by inverse variance; the forest plot shows these columns and \"IV\" where RevMan shows O − E, V and \"Exp[(O − E)/V]\"",
            a.number()
        ));
    }
    if !a.subgroup_only.is_empty() {
        not_carried.push(format!(
            "analysis {}: RevMan counts {} in their subgroup only, not in the total; metareport's total includes every study",
            a.number(),
            a.subgroup_only.join(", ")
        ));
    }

    // The spec entry.
    let mut y = String::new();
    let _ = writeln!(
        y,
        "  # Analysis {} ({}; comparison {}: {})",
        a.number(),
        a.data_type.name(),
        a.comparison_no,
        a.comparison_name.replace('\n', " ")
    );
    let _ = writeln!(y, "  - id: {}", q(&id));
    let _ = writeln!(y, "    title: {}", q(title));
    let _ = writeln!(y, "    data: {}", q(&format!("data/analysis-{id}.csv")));
    let _ = writeln!(y, "    input: {}", m.input);
    let _ = writeln!(y, "    measure: {}", m.measure.code());
    let _ = writeln!(y, "    model:");
    let _ = writeln!(y, "      pooling: {}", m.pooling);
    let _ = writeln!(y, "      effects: {}", m.effects);
    if let Some(level) = a
        .ci_total
        .filter(|l| (*l - 95.0).abs() > 1e-9 && *l > 0.0 && *l < 100.0)
    {
        let _ = writeln!(y, "      level: {}", n(level / 100.0));
    }
    if let (Some(s), Some(t)) = (a.ci_study, a.ci_total)
        && (s - t).abs() > 1e-9
    {
        not_carried.push(format!(
            "analysis {}: RevMan shows the studies' {s}% and the total's {t}% confidence intervals; metareport uses one level for both ({t}%)",
            a.number()
        ));
    }
    if let Some(est) = &a.tau2_estimator {
        match tau2_method(est) {
            Some(t) => {
                let _ = writeln!(y, "      tau2: {t}");
            }
            None => not_carried.push(format!(
                "analysis {}: the τ² estimator \"{est}\" is not one metareport knows; DerSimonian–Laird is used",
                a.number()
            )),
        }
    }
    if let Some(ci) = &a.ci_method {
        let c = norm(ci);
        if c.contains("HARTUNG") || c.contains("HKSJ") || c.contains("KNAPP") {
            let _ = writeln!(y, "      ci: hksj");
        } else if !(c.contains("WALD") || c.is_empty() || c == "Z" || c.contains("NORMAL")) {
            not_carried.push(format!(
                "analysis {}: the CI method \"{ci}\" is not one metareport knows; a Wald z interval is used",
                a.number()
            ));
        }
    }
    let prediction = a.prediction == Some(true) && a.random;
    if prediction {
        let _ = writeln!(y, "      prediction: higgins-t");
    }
    if has_subgroups {
        let mut order: Vec<&str> = Vec::new();
        for (g, sg) in a.subgroups.iter().enumerate() {
            if rows_in(a, &labels, g) && !order.contains(&sg.name.as_str()) {
                order.push(&sg.name);
            }
        }
        let _ = writeln!(y, "    subgroups:");
        let _ = writeln!(y, "      column: subgroup");
        let _ = writeln!(
            y,
            "      order: [{}]",
            order.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
        );
        if let Some(by) = a.subgroup_by.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = writeln!(y, "      label: {}", q(by.trim()));
        }
        if a.subgroup_test == Some(false) {
            not_carried.push(format!(
                "analysis {}: RevMan hides the test for subgroup differences; metareport reports it",
                a.number()
            ));
        }
    }
    if matches!(a.totals.as_deref(), Some("NO") | Some("SUB")) {
        not_carried.push(format!(
            "analysis {}: RevMan shows {}; metareport always shows the overall total",
            a.number(),
            if a.totals.as_deref() == Some("SUB") {
                "subtotals only"
            } else {
                "no totals"
            }
        ));
    }
    let mut forest = String::new();
    let both = |p: &Option<(String, String)>| {
        p.as_ref()
            .filter(|(l, r)| !l.trim().is_empty() && !r.trim().is_empty())
            .cloned()
    };
    if let Some((l, r)) = both(&a.arms) {
        let _ = writeln!(forest, "      arms: [{}, {}]", q(&l), q(&r));
    }
    if let Some((l, r)) = both(&a.favours) {
        let _ = writeln!(forest, "      favours: [{}, {}]", q(&l), q(&r));
    }
    if let Some(s) = a.scale.filter(|s| s.is_finite() && *s > 0.0) {
        if m.measure.is_ratio() && s > 1.0 {
            let _ = writeln!(forest, "      limits: [{}, {}]", n(1.0 / s), n(s));
        } else if !m.measure.is_ratio() {
            let _ = writeln!(forest, "      limits: [{}, {}]", n(-s), n(s));
        }
    }
    if prediction {
        let _ = writeln!(forest, "      prediction_bar: true");
    }
    if !forest.is_empty() {
        let _ = writeln!(y, "    forest:");
        y.push_str(&forest);
    }
    let _ = review;
    Ok(OutcomeText {
        yaml: y,
        csv: csv_bytes(&header, &rows),
        labels,
        measure: m.measure,
    })
}

fn rows_in(a: &RevAnalysis, labels: &[(usize, String)], g: usize) -> bool {
    labels.iter().any(|(i, _)| a.rows[*i].subgroup == Some(g))
}

/// RevMan Web's name of a τ² estimator → the spec's.
fn tau2_method(s: &str) -> Option<&'static str> {
    let t = norm(s).replace('.', "");
    Some(if t.contains("DERSIMONIAN") || t == "DL" {
        "DL"
    } else if t.contains("RESTRICTED") || t.contains("REML") {
        "REML"
    } else if t.contains("PAULE") || t == "PM" {
        "PM"
    } else if t.contains("EMPIRICAL BAYES") || t == "EB" {
        "EB"
    } else if t.contains("MAXIMUM LIKELIHOOD") || t == "ML" {
        "ML"
    } else if t.contains("SIDIK") || t == "SJ" {
        "SJ"
    } else if t.contains("HUNTER") || t == "HS" {
        "HS"
    } else if t.contains("HEDGES") || t == "HE" {
        "HE"
    } else {
        return None;
    })
}

/// The risk-of-bias table in robvis's layout (Study, one column per domain as RevMan names
/// it) and the spec block that reads it with the generic tool. The scale is RevMan 5's
/// (Low / Unclear / High) or, for RevMan Web's RoB 2 tables, Low / Some concerns / High; a cell
/// RevMan left empty is written "No information". A judgement that fits neither scale leaves
/// the block as a comment, with the reason, for the author to choose the tool. A study shown
/// under a second label (`aliases`: label → study) gets a row of its own with the same
/// judgements, since the table is matched to the data by label.
fn risk_of_bias(
    rob: &RiskOfBias,
    aliases: &BTreeMap<String, String>,
    changes: &mut Vec<String>,
) -> (String, Vec<u8>) {
    // RevMan 5 names its items as questions ("Allocation concealment?"); the domain is the
    // name without the question mark.
    let mut header = vec!["Study"];
    header.extend(
        rob.domains
            .iter()
            .map(|d| d.trim().strip_suffix('?').unwrap_or(d.trim()).trim_end()),
    );
    let mut table: Vec<(String, Vec<String>)> = rob.rows.clone();
    for (label, study) in aliases {
        if let Some((_, j)) = rob.rows.iter().find(|(s, _)| s == study) {
            changes.push(format!(
                "risk of bias: \"{label}\" repeats the judgements of \"{study}\" (the same study under a second label)"
            ));
            table.push((label.clone(), j.clone()));
        }
    }
    let rows: Vec<Vec<String>> = table
        .iter()
        .map(|(s, j)| {
            std::iter::once(s.clone())
                .chain(j.iter().map(|v| {
                    if v.trim().is_empty() {
                        "No information".to_string()
                    } else {
                        v.clone()
                    }
                }))
                .collect()
        })
        .collect();
    let used: std::collections::BTreeSet<&str> = rows
        .iter()
        .flat_map(|r| r[1..].iter().map(String::as_str))
        .collect();
    let common = ["Low", "High", "No information", "Not applicable"];
    let fits = |extra: &str| used.iter().all(|j| common.contains(j) || *j == extra);
    let block = if fits("Unclear") {
        "risk_of_bias: {tool: generic, data: data/risk-of-bias.csv}   # RevMan's Low / Unclear / High risk\n".to_string()
    } else if fits("Some concerns") {
        "risk_of_bias: {tool: generic, scale: low-some-concerns-high, data: data/risk-of-bias.csv}\n"
            .to_string()
    } else {
        let odd: Vec<&str> = used
            .iter()
            .copied()
            .filter(|j| !common.contains(j) && *j != "Unclear" && *j != "Some concerns")
            .collect();
        format!(
            "# risk_of_bias: {{tool: generic, data: data/risk-of-bias.csv}}   # judgements outside RevMan's scales ({}): choose the tool or scale, then remove the `# `\n",
            odd.join(", ")
        )
    };
    (block, csv_bytes(&header, &rows))
}

/// Generates the project. Analyses listed in `leave_out` (index → reason) are not written.
pub fn generate(review: &Review, id: &str, leave_out: &BTreeMap<usize, String>) -> Generated {
    let mut files = Vec::new();
    let mut not_carried = review.not_carried.clone();
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    let mut outcomes = Vec::new();
    let mut outcome_yaml = String::new();
    let mut analysis_lines = Vec::new();

    // Titles: the outcome's name, with its comparison where two analyses share a name.
    let mut name_count: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &review.analyses {
        *name_count.entry(a.name.as_str()).or_insert(0) += 1;
    }
    let mut used_ids = BTreeSet::new();
    for (i, a) in review.analyses.iter().enumerate() {
        if let Some(why) = leave_out.get(&i) {
            not_carried.push(format!("analysis {} \"{}\": {why}", a.number(), a.name));
            continue;
        }
        if !used_ids.insert(a.id()) {
            not_carried.push(format!(
                "analysis {} \"{}\": its number is used twice in the file; only the first is imported",
                a.number(),
                a.name
            ));
            continue;
        }
        let title = if a.name.trim().is_empty() {
            format!("Analysis {}", a.number())
        } else if name_count.get(a.name.as_str()).copied().unwrap_or(0) > 1 {
            format!("{} (comparison {})", a.name, a.comparison_no)
        } else {
            a.name.clone()
        };
        match outcome(
            review,
            a,
            &title,
            &mut notes,
            &mut not_carried,
            &mut changes,
        ) {
            Ok(o) => {
                files.push((format!("analyses/data/analysis-{}.csv", a.id()), o.csv));
                outcome_yaml.push_str(&o.yaml);
                analysis_lines.push(format!(
                    "| {} | `{}` | {} | {} | {} | {} |",
                    a.number(),
                    a.id(),
                    md(&title),
                    a.data_type.name(),
                    o.measure.code(),
                    o.labels.len()
                ));
                outcomes.push(GeneratedOutcome {
                    analysis: i,
                    id: a.id(),
                    measure: o.measure,
                    labels: o.labels,
                });
            }
            Err(why) => not_carried.push(why),
        }
    }

    let title = review.title.clone().unwrap_or_else(|| {
        format!(
            "Review imported from {}",
            std::path::Path::new(&review.source)
                .file_name()
                .map_or(review.source.clone(), |f| f.to_string_lossy().into_owned())
        )
    });
    let file_name = std::path::Path::new(&review.source)
        .file_name()
        .map_or(review.source.clone(), |f| f.to_string_lossy().into_owned());
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Imported by `metareport import` from {file_name} ({}).",
        review.format.describe()
    );
    let _ = writeln!(
        y,
        "# README.md (beside analyses/) lists what could not be carried over; import-check.md"
    );
    let _ = writeln!(
        y,
        "# (beside this file) compares RevMan's stored results with metareport's."
    );
    let _ = writeln!(y, "title: {}", q(&title));
    let _ = writeln!(
        y,
        "source: {}",
        q(&format!("{file_name} ({})", review.format.label()))
    );
    let _ = writeln!(y, "preset: revman5");
    if review.title.is_none() {
        notes.insert(
            0,
            "A RevMan Web data package does not carry the review's title: edit `title:` in the spec."
                .into(),
        );
    }
    if !notes.is_empty() {
        let _ = writeln!(y, "notes:");
        for note in &notes {
            let _ = writeln!(y, "  - {}", q(note));
        }
    }
    if !review.studies.is_empty() {
        let char_cols: Vec<String> = {
            let mut v: Vec<String> = Vec::new();
            for s in &review.studies {
                for (k, _) in &s.characteristics {
                    if !v.contains(k) {
                        v.push(k.clone());
                    }
                }
            }
            v
        };
        let mut header: Vec<&str> = vec!["study", "year"];
        header.extend(char_cols.iter().map(String::as_str));
        let rows: Vec<Vec<String>> = review
            .studies
            .iter()
            .map(|s| {
                let mut r = vec![s.name.clone(), s.year.clone().unwrap_or_default()];
                for c in &char_cols {
                    r.push(
                        s.characteristics
                            .iter()
                            .find(|(k, _)| k == c)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default(),
                    );
                }
                r
            })
            .collect();
        files.push((
            "analyses/data/studies.csv".into(),
            csv_bytes(&header, &rows),
        ));
        let _ = writeln!(y, "studies:");
        let _ = writeln!(y, "  data: data/studies.csv");
        let _ = writeln!(
            y,
            "  columns: [{{column: study, header: Study}}, {{column: year, header: Year}}]"
        );
        let _ = writeln!(y, "  caption: \"Characteristics of included studies\"");
        if !char_cols.is_empty() {
            let _ = writeln!(
                y,
                "  # data/studies.csv also holds RevMan's characteristics of studies ({}): add them to `columns:` to show them",
                char_cols.join(", ")
            );
        }
    }
    let mut rob_note = false;
    if let Some(rob) = &review.risk_of_bias {
        // A study relabelled "Name (2)" for its second row in an analysis carries the
        // judgements of the study it is.
        let mut aliases: BTreeMap<String, String> = BTreeMap::new();
        for o in &outcomes {
            let a = &review.analyses[o.analysis];
            for (row, label) in &o.labels {
                if *label != a.rows[*row].study {
                    aliases.insert(label.clone(), a.rows[*row].study.clone());
                }
            }
        }
        let (block, csv) = risk_of_bias(rob, &aliases, &mut changes);
        files.push(("analyses/data/risk-of-bias.csv".into(), csv));
        y.push_str(&block);
        rob_note = true;
    }
    if outcome_yaml.is_empty() {
        let _ = writeln!(y, "outcomes: []");
    } else {
        let _ = writeln!(y, "outcomes:");
        y.push_str(&outcome_yaml);
    }
    let spec_path = format!("analyses/{id}.yaml");
    files.insert(0, (spec_path.clone(), y.into_bytes()));
    files.push((
        "README.md".into(),
        readme(
            review,
            &title,
            id,
            &analysis_lines,
            &changes,
            &not_carried,
            rob_note,
        )
        .into_bytes(),
    ));
    files.push((
        ".gitignore".into(),
        crate::cli::init::GITIGNORE.as_bytes().to_vec(),
    ));
    Generated {
        id: id.to_string(),
        spec_path,
        files,
        outcomes,
        not_carried,
        changes,
    }
}

/// Text for a Markdown table cell.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn readme(
    review: &Review,
    title: &str,
    id: &str,
    analyses: &[String],
    changes: &[String],
    not_carried: &[String],
    rob: bool,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", md(title));
    let _ = writeln!(
        s,
        "Imported by `metareport import` from `{}` ({}).\n",
        md(&review.source),
        review.format.describe()
    );
    let _ = writeln!(
        s,
        "Build it with `metareport build` in this folder: the results, figures and manuscript go to `out/{id}/`.\n"
    );
    let _ = writeln!(s, "## Files\n");
    let _ = writeln!(
        s,
        "- `analyses/{id}.yaml`: the review spec, one outcome per RevMan analysis (with `preset: revman5`)."
    );
    let _ = writeln!(
        s,
        "- `analyses/data/analysis-*.csv`: each analysis's study data, with metareport's standard column names."
    );
    if !review.studies.is_empty() {
        let _ = writeln!(
            s,
            "- `analyses/data/studies.csv`: the included studies with their years (Table 1)."
        );
    }
    if rob {
        let _ = writeln!(
            s,
            "- `analyses/data/risk-of-bias.csv`: RevMan's risk-of-bias judgements, one column per domain as RevMan names it (robvis's layout: Study, domains; Low / High / Unclear)."
        );
    }
    let _ = writeln!(
        s,
        "- `analyses/import-check.md`: RevMan's stored results beside metareport's, number by number.\n"
    );
    if !analyses.is_empty() {
        let _ = writeln!(s, "## Analyses\n");
        let _ = writeln!(s, "| RevMan | outcome | title | data | measure | studies |");
        let _ = writeln!(s, "|---|---|---|---|---|---|");
        for l in analyses {
            let _ = writeln!(s, "{l}");
        }
        let _ = writeln!(s);
    }
    if rob {
        let _ = writeln!(s, "## Risk of bias\n");
        let _ = writeln!(
            s,
            "The judgements are in `analyses/data/risk-of-bias.csv`, read by the spec's `risk_of_bias:` block with the generic tool (RevMan's domains as columns; cells RevMan left empty are \"No information\"). The manuscript shows them as a traffic-light and a summary plot; add `forest: {{risk_of_bias: true}}` to an outcome for the columns beside its forest plot, or name a tool (`rob2`, `robins-i`, …) if the table follows one.\n"
        );
    }
    let _ = writeln!(s, "## Changed to carry it over\n");
    if changes.is_empty() {
        let _ = writeln!(s, "Nothing.\n");
    } else {
        for c in changes {
            let _ = writeln!(s, "- {}", md(c));
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## Not carried over\n");
    if not_carried.is_empty() {
        let _ = writeln!(s, "Nothing.");
    } else {
        for c in not_carried {
            let _ = writeln!(s, "- {}", md(c));
        }
    }
    if !review.repairs.is_empty() {
        let _ = writeln!(s, "\n## Read with repairs\n");
        for r in &review.repairs {
            let _ = writeln!(s, "- {}", md(r));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_name_files() {
        assert_eq!(slug("Fleiss 1993 (RevMan)"), "fleiss-1993-revman");
        assert_eq!(slug("—"), "review");
    }

    #[test]
    fn tau2_names() {
        assert_eq!(tau2_method("DerSimonian-Laird"), Some("DL"));
        assert_eq!(tau2_method("Restricted maximum-likelihood"), Some("REML"));
        assert_eq!(tau2_method("Paule-Mandel"), Some("PM"));
        assert_eq!(tau2_method("something"), None);
    }
}
