//! `risk_of_bias:` (the review's, or an outcome's own) → [`RiskOfBias`]: the table read, its
//! columns matched to the tool's domains, every judgement read and checked, and the studies
//! matched to the data.
//!
//! Which mismatch is an error and which a note: a study that contributes data (an outcome's
//! row, or a row of Table 1) but has no appraisal is an **error** — every included study must
//! be appraised (PRISMA 2020 item 18), and a forest plot's risk-of-bias columns or a
//! sensitivity analysis restricted by risk of bias would otherwise silently drop or misplace
//! it. A study that is appraised but found in no data is a **note**: reviews appraise every
//! included study, also those that contribute to no meta-analysis, and the figures still show
//! it. A misspelt name trips the error on the data's side, with the likely name as a hint.

use std::collections::BTreeMap;

use super::Resolver;
use super::data::OutcomeData;
use crate::data::{Cell, Table, bind};
use crate::diag::did_you_mean;
use crate::rob::{
    self, Assessment, Captions, DomainDef, Level, Overall, RiskOfBias, ToolId, Weights,
};
use crate::spec::raw::{RawOutcome, RawRiskOfBias, RawSpec};
use crate::spec::{Outcome, StudyTable};
use crate::stats::StudyInput;
use crate::stats::analysis::{ExclusionSet, SensitivityOptions};

/// The review's appraisal (`risk_of_bias:` at the top of the spec).
pub(super) fn review(r: &mut Resolver<'_>, raw: &RawSpec) -> Option<RiskOfBias> {
    let rb = raw.risk_of_bias.as_ref()?;
    appraisal(r, "risk_of_bias", rb, None, raw)
}

/// Lower-case letters and digits, words separated by one space: how headers are compared.
fn norm(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// More domains than any appraisal tool has (RoB 1 has 7, QUADAS-2 7, ROBINS-E 7): a table
/// with more is not a risk-of-bias table, and its figures would be unbounded.
const MAX_DOMAINS: usize = 30;

/// What a column of the table holds.
#[derive(Clone, Copy, PartialEq)]
enum Col {
    Study,
    Domain(usize),
    Overall,
    Weight,
    Total,
}

fn appraisal(
    r: &mut Resolver<'_>,
    path: &str,
    rb: &RawRiskOfBias,
    outcome: Option<&str>,
    raw: &RawSpec,
) -> Option<RiskOfBias> {
    let errors_before = r.diags.len();
    let table = r.table(path, rb.data.as_ref(), rb.sheet.as_ref(), rb.rows.as_ref())?;
    let def = rob::tool(rb.tool);
    let generic = rb.tool == ToolId::Generic;
    let stars = matches!(rb.tool, ToolId::NosCohort | ToolId::NosCaseControl);
    // Options that belong to other tools.
    if !generic {
        for (key, given) in [
            ("name", rb.name.is_some()),
            ("domains", rb.domains.is_some()),
            ("scale", rb.scale.is_some()),
        ] {
            if given {
                r.error(
                    &format!("{path}.{key}"),
                    format!(
                        "`{key}` is for the generic tool; {} has its own",
                        def.map_or("this tool", |t| t.name)
                    ),
                    None,
                );
            }
        }
    }
    if rb.ahrq.is_some() && !stars {
        r.error(
            &format!("{path}.ahrq"),
            "`ahrq` rates Newcastle–Ottawa scores (tools `nos-cohort`, `nos-case-control`)",
            None,
        );
    }
    if let Some(w) = &rb.weights {
        let ids: Vec<&str> = raw.outcomes.iter().map(|o| o.id.as_str()).collect();
        if !ids.contains(&w.as_str()) {
            let hint = did_you_mean(w, ids.iter().copied()).map(|m| format!("did you mean `{m}`?"));
            r.error(
                &format!("{path}.weights"),
                format!(
                    "no outcome `{w}` to take weights from (outcomes: {})",
                    ids.join(", ")
                ),
                hint,
            );
        }
    }

    // Classify the columns.
    let mut cols: Vec<Option<Col>> = vec![None; table.headers.len()];
    let mut domains: Vec<DomainDef> = Vec::new();
    let declared: Option<&Vec<String>> = rb.domains.as_ref();
    if let Some(t) = def {
        domains = t
            .domains
            .iter()
            .map(|d| DomainDef {
                code: d.code.into(),
                name: d.name.into(),
                short: d.short.into(),
                group: d.group.into(),
                max_stars: d.max_stars,
            })
            .collect();
    } else if let Some(list) = declared {
        domains = list
            .iter()
            .enumerate()
            .map(|(i, n)| DomainDef {
                code: format!("D{}", i + 1),
                name: n.clone(),
                short: n.to_lowercase(),
                group: "Risk of bias".into(),
                max_stars: 0,
            })
            .collect();
    }
    for (ci, h) in table.headers.iter().enumerate() {
        let n = norm(h);
        let c = if n == "study" || n == "studies" || n == "study id" {
            Some(Col::Study)
        } else if n.starts_with("overall") {
            Some(Col::Overall)
        } else if n == "weight" || n == "weights" {
            Some(Col::Weight)
        } else if stars && (n == "total" || n == "total score" || n == "score") {
            Some(Col::Total)
        } else if let Some(di) = domains.iter().position(|d| {
            n == norm(&d.code)
                || n == norm(&d.name)
                || n == norm(&d.short)
                || (d.group == "Applicability" && n == norm(&format!("{} applicability", d.short)))
        }) {
            Some(Col::Domain(di))
        } else if generic && declared.is_none() {
            domains.push(DomainDef {
                code: format!("D{}", domains.len() + 1),
                name: h.clone(),
                short: h.to_lowercase(),
                group: "Risk of bias".into(),
                max_stars: 0,
            });
            Some(Col::Domain(domains.len() - 1))
        } else {
            None
        };
        if c.is_some() && cols.contains(&c) {
            r.diags.push(
                crate::diag::Diagnostic::file(
                    &table.source,
                    format!("column `{h}` repeats a column given before it"),
                )
                .at(1, ci + 1),
            );
        }
        if c.is_none() {
            let expected: Vec<String> = std::iter::once("Study".to_string())
                .chain(domains.iter().map(|d| d.code.clone()))
                .chain(
                    [if stars { "Total" } else { "Overall" }, "Weight"]
                        .iter()
                        .map(|s| s.to_string()),
                )
                .collect();
            let mut d = crate::diag::Diagnostic::file(
                &table.source,
                format!(
                    "unknown column `{h}` for {}: expected {} (or the domains' names)",
                    def.map_or("the generic tool", |t| t.name),
                    expected.join(", ")
                ),
            )
            .at(1, ci + 1);
            if let Some(m) = did_you_mean(h, expected.iter().map(String::as_str)) {
                d.hint = Some(format!("did you mean `{m}`?"));
            }
            r.diags.push(d);
        }
        cols[ci] = c;
    }
    let Some(study_col) = cols.iter().position(|c| *c == Some(Col::Study)) else {
        r.diags
            .push(bind::missing_column(&table, "Study", "the study labels"));
        return None;
    };
    // Every domain present (QUADAS-2's applicability domains all or none).
    let optional = def.and_then(|t| t.optional_group);
    let present = |di: usize| cols.contains(&Some(Col::Domain(di)));
    let group_given = optional.is_some_and(|g| {
        domains
            .iter()
            .enumerate()
            .any(|(i, d)| d.group == g && present(i))
    });
    let missing: Vec<&DomainDef> = domains
        .iter()
        .enumerate()
        .filter(|(i, d)| !present(*i) && (Some(d.group.as_str()) != optional || group_given))
        .map(|(_, d)| d)
        .collect();
    if !missing.is_empty() {
        r.diags.push(
            crate::diag::Diagnostic::file(
                &table.source,
                format!(
                    "{} needs {} {}, but the table has no column for {}",
                    def.map_or("the generic tool", |t| t.name),
                    if missing.len() == 1 {
                        "the domain"
                    } else {
                        "the domains"
                    },
                    missing
                        .iter()
                        .map(|d| format!("`{}` ({})", d.code, d.name))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if missing.len() == 1 { "it" } else { "them" },
                ),
            )
            .at(1, 1),
        );
    }
    if domains.len() > MAX_DOMAINS {
        r.diags.push(
            crate::diag::Diagnostic::file(
                &table.source,
                format!(
                    "the table has {} domain columns; a risk-of-bias tool has at most {MAX_DOMAINS}",
                    domains.len()
                ),
            )
            .at(1, 1),
        );
    }
    if generic && domains.is_empty() {
        r.diags.push(
            crate::diag::Diagnostic::file(&table.source, "the table has no domain columns")
                .at(1, 1),
        );
    }
    let has_overall_col = cols.contains(&Some(Col::Overall));
    if def.is_some_and(|t| t.overall == Overall::Required) && !has_overall_col {
        r.diags.push(
            crate::diag::Diagnostic::file(
                &table.source,
                format!(
                    "{} needs an `Overall` column: the tool's overall judgement of each result",
                    def.map_or("", |t| t.name)
                ),
            )
            .at(1, 1),
        );
    }
    if r.diags.len() > errors_before {
        return None;
    }
    // Drop the optional group when the table leaves it out.
    let keep: Vec<usize> = (0..domains.len()).filter(|&i| present(i)).collect();
    let remap: BTreeMap<usize, usize> = keep.iter().enumerate().map(|(n, &o)| (o, n)).collect();
    let domains: Vec<DomainDef> = keep.iter().map(|&i| domains[i].clone()).collect();
    for c in cols.iter_mut() {
        if let Some(Col::Domain(di)) = c {
            *di = remap[di];
        }
    }

    let levels: Vec<Level> = match def {
        Some(t) => t.levels.to_vec(),
        None => rb.scale.unwrap_or_default().levels().to_vec(),
    };
    let overall_levels: Vec<Level> = match def {
        Some(t) => t.overall_levels.to_vec(),
        None => levels.clone(),
    };
    let ahrq = rb.ahrq.unwrap_or(false);
    let tool_name = rb
        .name
        .clone()
        .or(def.map(|t| t.name.to_string()))
        .unwrap_or_else(|| "a risk-of-bias tool".into());
    let mut out = RiskOfBias {
        tool: rb.tool,
        description: def.map_or_else(|| tool_name.clone(), |t| t.description.to_string()),
        tool_name,
        reference: def.and_then(|t| t.reference).map(str::to_string),
        domains,
        levels: levels.clone(),
        overall_levels: overall_levels.clone(),
        has_overall: has_overall_col || (stars && ahrq),
        ahrq,
        studies: Vec::new(),
        palette: rb.palette.unwrap_or_default(),
        weights: match (&rb.weights, cols.contains(&Some(Col::Weight))) {
            (Some(o), _) => Weights::Outcome(o.clone()),
            (None, true) => Weights::Column,
            (None, false) => Weights::None,
        },
        data_file: table.source.clone(),
        outcome: outcome.map(str::to_string),
        units: def.map_or(("study".into(), "studies".into()), |t| {
            (t.units.0.into(), t.units.1.into())
        }),
        captions: rb
            .captions
            .as_ref()
            .map(|c| Captions {
                traffic_light: c.traffic_light.clone(),
                summary: c.summary.clone(),
                table: c.table.clone(),
            })
            .unwrap_or_default(),
        warnings: Vec::new(),
        index: BTreeMap::new(),
    };
    let allowed_text = |ls: &[Level]| {
        ls.iter()
            .map(|l| format!("\"{}\"", l.label()))
            .chain(["\"No information\"".into(), "\"Not applicable\"".into()])
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for row in &table.rows {
        let text = |ci: usize| row.cells.get(ci).map(Cell::display).unwrap_or_default();
        let study = text(study_col).trim().to_string();
        if study.is_empty() {
            r.diags
                .push(table.error(row, Some(study_col), "the study label is empty"));
            continue;
        }
        if let Some(prev) = seen.insert(study.clone(), row.line) {
            r.diags.push(table.error(
                row,
                Some(study_col),
                format!("study \"{study}\" was already appraised on line {prev}"),
            ));
        }
        let mut a = Assessment {
            study,
            judgements: vec![Level::NoInformation; if stars { 0 } else { out.domains.len() }],
            stars: vec![0; if stars { out.domains.len() } else { 0 }],
            overall: None,
            weight: None,
            line: row.line,
        };
        let mut total: Option<(usize, u32)> = None;
        for (ci, c) in cols.iter().enumerate() {
            let cell = text(ci);
            match c {
                Some(Col::Domain(di)) if stars => {
                    let d = &out.domains[*di];
                    match rob::read_stars(&cell) {
                        Some(s) if s <= d.max_stars => a.stars[*di] = s,
                        Some(s) => r.diags.push(table.error(
                            row,
                            Some(ci),
                            format!(
                                "{} stars; {} ({}) earns at most {}",
                                s,
                                d.code,
                                d.name,
                                stars_word(d.max_stars)
                            ),
                        )),
                        None => r.diags.push(
                            table.error(
                                row,
                                Some(ci),
                                format!(
                                    "\"{}\" is not a number of stars (0 to {})",
                                    cell.trim(),
                                    d.max_stars
                                ),
                            )
                            .hint("write the number of stars, or the stars themselves (\"*\", \"**\")"),
                        ),
                    }
                }
                Some(Col::Domain(di)) => match rob::read_judgement(&cell, &levels) {
                    Some(l) => a.judgements[*di] = l,
                    None => r.diags.push(judgement_error(
                        &table,
                        row,
                        ci,
                        &cell,
                        &allowed_text(&levels),
                    )),
                },
                Some(Col::Overall) => match rob::read_judgement(&cell, &overall_levels) {
                    Some(l) => a.overall = Some(l),
                    None => r.diags.push(judgement_error(
                        &table,
                        row,
                        ci,
                        &cell,
                        &allowed_text(&overall_levels),
                    )),
                },
                Some(Col::Weight) => match row.cells.get(ci).map(Cell::number) {
                    Some(Ok(w)) if w.is_finite() && w >= 0.0 => a.weight = Some(w),
                    Some(Ok(w)) => r.diags.push(table.error(
                        row,
                        Some(ci),
                        format!("a weight must be a non-negative number, found {w}"),
                    )),
                    Some(Err(e)) => {
                        r.diags
                            .push(table.error(row, Some(ci), format!("the weight: {e}")))
                    }
                    None => {}
                },
                Some(Col::Total) => match row.cells.get(ci).map(Cell::number) {
                    Some(Ok(t)) if t.fract() == 0.0 && t >= 0.0 => total = Some((ci, t as u32)),
                    _ => r.diags.push(table.error(
                        row,
                        Some(ci),
                        format!(
                            "the total must be a whole number of stars, found \"{}\"",
                            cell.trim()
                        ),
                    )),
                },
                Some(Col::Study) | None => {}
            }
        }
        if stars {
            if let Some((ci, t)) = total
                && t != a.total()
            {
                r.diags.push(table.error(
                    row,
                    Some(ci),
                    format!(
                        "the total is {t} but the items' stars add up to {}",
                        a.total()
                    ),
                ));
            }
            if ahrq {
                let sum = |g: &str| -> u8 {
                    out.domains
                        .iter()
                        .zip(&a.stars)
                        .filter(|(d, _)| d.group == g)
                        .map(|(_, s)| *s)
                        .sum()
                };
                let last = out
                    .domains
                    .last()
                    .map_or(String::new(), |d| d.group.clone());
                a.overall = Some(rob::ahrq(
                    sum("Selection"),
                    sum("Comparability"),
                    sum(&last),
                ));
            }
        } else if let Some(o) = a.overall
            && let Some(os) = o.severity()
        {
            // RoB 2's (and ROBINS') algorithm: the overall judgement is at least as severe as
            // the worst domain.
            let worst = out
                .domains
                .iter()
                .zip(&a.judgements)
                .filter(|(d, _)| d.group != "Applicability")
                .filter_map(|(d, l)| l.severity().map(|s| (s, d, *l)))
                .max_by_key(|(s, _, _)| *s);
            if let Some((ws, d, wl)) = worst
                && ws > os
            {
                let ci = cols
                    .iter()
                    .position(|c| *c == Some(Col::Overall))
                    .unwrap_or(0);
                out.warnings.push(format!(
                    "{}:{}:{}: study \"{}\": the overall judgement \"{}\" is less severe than its worst domain ({} \"{}\"); {}'s algorithm makes the overall judgement at least as severe as the worst domain",
                    table.source,
                    row.line,
                    ci + 1,
                    a.study,
                    o.label(),
                    d.code,
                    wl.label(),
                    out.tool_name
                ));
            }
        }
        out.studies.push(a);
    }
    if out.studies.is_empty() {
        r.diags.push(
            crate::diag::Diagnostic::file(&table.source, "the table appraises no study").at(1, 1),
        );
    }
    if r.diags.len() > errors_before {
        return None;
    }
    out.index_studies();
    Some(out)
}

fn stars_word(n: u8) -> String {
    if n == 1 {
        "one star".into()
    } else {
        format!("{n} stars")
    }
}

fn judgement_error(
    table: &Table,
    row: &crate::data::table::Row,
    ci: usize,
    cell: &str,
    allowed: &str,
) -> crate::diag::Diagnostic {
    let msg = if cell.trim().is_empty() {
        format!("no judgement; expected one of {allowed}")
    } else {
        format!(
            "unknown judgement \"{}\"; expected one of {allowed} (read by the first letter)",
            cell.trim()
        )
    };
    table.error(row, Some(ci), msg)
}

/// The appraisal that applies to an outcome: its own `risk_of_bias:` or the review's. Checks
/// that every study of its data is appraised, and groups the studies by judgement when
/// `subgroups: {risk_of_bias: …}` asks for it.
#[allow(clippy::too_many_arguments)]
pub(super) fn outcome(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    raw: &RawSpec,
    review: Option<&RiskOfBias>,
    d: &OutcomeData,
    studies: &mut Vec<StudyInput>,
    lines: &mut Vec<usize>,
) -> Option<RiskOfBias> {
    let own = o
        .risk_of_bias
        .as_ref()
        .and_then(|rb| appraisal(r, &format!("{path}.risk_of_bias"), rb, Some(&o.id), raw));
    let rob = own.or_else(|| review.cloned());
    if let Some(rob) = &rob {
        let study_col = d.table.column(bind::column_for("study", &d.map));
        let names: Vec<&str> = rob.studies.iter().map(|a| a.study.as_str()).collect();
        let mut missing_so_far = 0;
        for (s, line) in studies.iter().zip(lines.iter()) {
            if rob.of(&s.name).is_none() {
                let mut diag = crate::diag::Diagnostic::file(
                    &d.table.source,
                    format!(
                        "study \"{}\" has no risk-of-bias appraisal in {}",
                        s.name, rob.data_file
                    ),
                )
                .field(format!("outcome `{}`", o.id));
                diag.line = Some(*line);
                diag.column = study_col.map(|c| c + 1);
                let guess = if missing_so_far < MAX_NOTES {
                    did_you_mean(&s.name, names.iter().copied())
                } else {
                    None
                };
                missing_so_far += 1;
                diag.hint = Some(match guess {
                    Some(m) => format!("the table has \"{m}\"; the names must be the same"),
                    None => "add a row for it to the risk-of-bias table".into(),
                });
                r.diags.push(diag);
            }
        }
    }
    let sg = o.subgroups.as_ref();
    match sg.map(|s| (s.column.is_some(), s.risk_of_bias.as_deref())) {
        Some((true, Some(_))) => r.error(
            &format!("{path}.subgroups"),
            "give either `column:` or `risk_of_bias:`, not both",
            None,
        ),
        Some((false, None)) => r.error(
            &format!("{path}.subgroups"),
            "name the subgroups' `column:` (or `risk_of_bias: overall`)",
            None,
        ),
        Some((false, Some(which))) => match &rob {
            None => r.error(
                &format!("{path}.subgroups.risk_of_bias"),
                "subgroups by risk of bias need a `risk_of_bias:` table (the review's or the outcome's)",
                None,
            ),
            Some(rob) => {
                if let Some(column) = judged_column(r, &format!("{path}.subgroups.risk_of_bias"), rob, which) {
                    for s in studies.iter_mut() {
                        let l = rob.of(&s.name).map(|a| rob.row(a)[column]);
                        s.subgroup = l.map(|l| l.legend().to_string());
                    }
                    // Least severe first; the subgroup machinery keeps first appearances.
                    let rank = |s: &StudyInput| {
                        rob.of(&s.name).map_or(u8::MAX, |a| {
                            rob.row(a)[column].severity().map_or(200, |v| v)
                        })
                    };
                    let mut pairs: Vec<(StudyInput, usize)> = std::mem::take(studies)
                        .into_iter()
                        .zip(std::mem::take(lines))
                        .collect();
                    pairs.sort_by_key(|(s, _)| rank(s));
                    (*studies, *lines) = pairs.into_iter().unzip();
                }
            }
        },
        _ => {}
    }
    if o.forest.as_ref().and_then(|f| f.risk_of_bias) == Some(true) {
        match &rob {
            None => r.error(
                &format!("{path}.forest.risk_of_bias"),
                "risk-of-bias columns need a `risk_of_bias:` table (the review's or the outcome's)",
                None,
            ),
            Some(x) if x.is_stars() => r.error(
                &format!("{path}.forest.risk_of_bias"),
                "the Newcastle–Ottawa Scale gives stars, not risk-of-bias judgements to draw beside a forest plot",
                None,
            ),
            Some(_) => {}
        }
    }
    rob
}

/// The column of [`RiskOfBias::columns`] named by `which` ("overall" or a domain's code).
fn judged_column(r: &mut Resolver<'_>, path: &str, rob: &RiskOfBias, which: &str) -> Option<usize> {
    let cols = rob.columns();
    if rob.is_stars() && !rob.has_overall {
        r.error(
            path,
            "the Newcastle–Ottawa Scale gives stars, not judgements: set `ahrq: true` to rate each study good, fair or poor",
            None,
        );
        return None;
    }
    let n = norm(which);
    match cols
        .iter()
        .position(|(code, name)| norm(code) == n || norm(name) == n)
    {
        Some(i) if !rob.is_stars() || cols[i].0 == "Overall" => Some(i),
        _ => {
            let options: Vec<&str> = if rob.is_stars() {
                vec!["overall"]
            } else {
                std::iter::once("overall")
                    .chain(rob.domains.iter().map(|d| d.code.as_str()))
                    .collect()
            };
            let hint = did_you_mean(which, options.iter().copied())
                .map(|m| format!("did you mean `{m}`?"));
            r.error(
                path,
                format!(
                    "no judged column `{which}` (expected {})",
                    options.join(", ")
                ),
                hint,
            );
            None
        }
    }
}

/// `sensitivity: {risk_of_bias: {exclude: [high]}}`: an exclusion set of the studies with
/// those judgements.
pub(super) fn sensitivity(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    rob: Option<&RiskOfBias>,
    studies: &[StudyInput],
    options: &mut SensitivityOptions,
) {
    let Some(rs) = o.sensitivity.as_ref().and_then(|s| s.risk_of_bias.as_ref()) else {
        return;
    };
    let here = format!("{path}.sensitivity.risk_of_bias");
    let Some(rob) = rob else {
        r.error(
            &here,
            "a sensitivity analysis by risk of bias needs a `risk_of_bias:` table (the review's or the outcome's)",
            None,
        );
        return;
    };
    let which = rs.domain.clone().unwrap_or_else(|| "overall".into());
    let Some(column) = judged_column(r, &format!("{here}.domain"), rob, &which) else {
        return;
    };
    let is_overall = rob.columns()[column].0 == "Overall";
    let allowed: Vec<Level> = if is_overall {
        rob.overall_levels.clone()
    } else {
        rob.levels.clone()
    };
    let mut leave: Vec<Level> = Vec::new();
    for (i, e) in rs.exclude.iter().enumerate() {
        match rob::read_judgement(e, &allowed) {
            Some(l) => leave.push(l),
            None => r.error(
                &format!("{here}.exclude[{i}]"),
                format!(
                    "unknown judgement \"{e}\"; expected one of {}",
                    allowed
                        .iter()
                        .map(|l| format!("\"{}\"", l.label()))
                        .chain(["\"No information\"".into()])
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None,
            ),
        }
    }
    if rs.exclude.is_empty() {
        r.error(
            &format!("{here}.exclude"),
            "name at least one judgement to leave out",
            None,
        );
    }
    let excluded: Vec<String> = studies
        .iter()
        .filter(|s| {
            rob.of(&s.name)
                .is_some_and(|a| leave.contains(&rob.row(a)[column]))
        })
        .map(|s| s.name.clone())
        .collect();
    if !studies.is_empty() && excluded.len() == studies.len() {
        r.error(
            &format!("{here}.exclude"),
            "every study of this outcome has these judgements: nothing would be left to pool",
            None,
        );
        return;
    }
    // "at serious or critical risk of bias" rather than "at serious risk of bias or at critical
    // risk of bias".
    let phrases: Vec<&str> = leave.iter().map(|l| l.phrase()).collect();
    let words: Vec<String> = if phrases.len() > 1
        && phrases
            .iter()
            .all(|p| p.starts_with("at ") && p.ends_with(" risk of bias"))
    {
        let inner: Vec<String> = phrases
            .iter()
            .map(|p| p["at ".len()..p.len() - " risk of bias".len()].to_string())
            .collect();
        vec![format!("at {} risk of bias", or_list(&inner))]
    } else {
        phrases.iter().map(|p| p.to_string()).collect()
    };
    let domain = if is_overall {
        String::new()
    } else {
        format!(
            " in {} ({})",
            rob.columns()[column].0,
            rob.domains[column].short
        )
    };
    let label = rs
        .label
        .clone()
        .unwrap_or_else(|| format!("excluding the {} {}{domain}", rob.units.1, or_list(&words)));
    options.exclusions.push(ExclusionSet {
        label,
        studies: excluded,
    });
}

/// "a, b or c".
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// After the outcomes: each study of Table 1 must be appraised by the review's table, and each
/// appraised study should be somewhere in the data (a note otherwise).
pub(super) fn check_coverage(
    r: &mut Resolver<'_>,
    review: Option<&mut RiskOfBias>,
    outcomes: &mut [Outcome],
    studies: Option<&StudyTable>,
) {
    if let Some(rob) = review {
        if let Some(t) = studies {
            let names: Vec<&str> = rob.studies.iter().map(|a| a.study.as_str()).collect();
            let mut missing_so_far = 0;
            for (id, line) in t.ids.iter().zip(&t.id_lines) {
                if rob.of(id).is_none() {
                    let mut d = crate::diag::Diagnostic::file(
                        &t.source,
                        format!(
                            "study \"{id}\" of the study table has no risk-of-bias appraisal in {}",
                            rob.data_file
                        ),
                    );
                    d.line = Some(*line);
                    let guess = if missing_so_far < MAX_NOTES {
                        did_you_mean(id, names.iter().copied())
                    } else {
                        None
                    };
                    missing_so_far += 1;
                    d.hint = Some(match guess {
                        Some(m) => format!("the table has \"{m}\"; the names must be the same"),
                        None => "add a row for it to the risk-of-bias table".into(),
                    });
                    r.diags.push(d);
                }
            }
        }
        let mut found: Vec<&str> = Vec::new();
        for o in outcomes.iter() {
            if o.risk_of_bias.as_ref().is_some_and(|x| x.outcome.is_none()) {
                found.extend(o.studies.iter().map(|s| s.name.as_str()));
            }
        }
        if let Some(t) = studies {
            found.extend(t.ids.iter().map(String::as_str));
        }
        let notes = unmatched(rob, &found, "no outcome's data or the study table");
        rob.warnings.extend(notes);
        // The outcomes' copies carry the review's notes too; say them once, on the review.
    }
    for o in outcomes.iter_mut() {
        if let Some(rob) = o.risk_of_bias.as_mut()
            && rob.outcome.is_some()
        {
            let names: Vec<String> = o.studies.iter().map(|s| s.name.clone()).collect();
            let found: Vec<&str> = names.iter().map(String::as_str).collect();
            let notes = unmatched(rob, &found, &format!("outcome `{}`'s data", o.id));
            rob.warnings.extend(notes);
        }
    }
}

fn unmatched(rob: &RiskOfBias, found: &[&str], where_: &str) -> Vec<String> {
    let set: std::collections::BTreeSet<&str> = found.iter().copied().collect();
    let missing: Vec<&rob::Assessment> = rob
        .studies
        .iter()
        .filter(|a| !set.contains(a.study.as_str()))
        .collect();
    let mut notes: Vec<String> = missing
        .iter()
        .take(MAX_NOTES)
        .map(|a| {
            let hint = did_you_mean(&a.study, found.iter().copied())
                .map(|m| format!(" (did you mean \"{m}\"?)"))
                .unwrap_or_default();
            format!(
                "{}:{}: study \"{}\" is appraised but is in {where_}; it is shown in the risk-of-bias figures only{hint}",
                rob.data_file, a.line, a.study
            )
        })
        .collect();
    if missing.len() > MAX_NOTES {
        notes.push(format!(
            "{}: {} more appraised studies are in {where_}",
            rob.data_file,
            missing.len() - MAX_NOTES
        ));
    }
    notes
}

/// Notes of one kind said one by one (with a "did you mean", which compares names); the rest
/// are counted, so that a hostile table cannot make the check quadratic.
const MAX_NOTES: usize = 20;

/// Checks a risk-of-bias figure of `manuscript.figures`: the review's appraisal (no outcome
/// named) or one outcome's, with judgements to draw.
pub(super) fn check_figure(
    r: &mut Resolver<'_>,
    path: &str,
    outs: &[String],
    review: Option<&RiskOfBias>,
    outcomes: &[Outcome],
) {
    let rob = match outs {
        [] => review,
        [one] => outcomes
            .iter()
            .find(|o| &o.id == one)
            .and_then(|o| o.risk_of_bias.as_ref()),
        _ => {
            r.error(
                &format!("{path}.outcomes"),
                "a risk-of-bias figure shows one table: the review's (no outcome) or one outcome's",
                None,
            );
            return;
        }
    };
    match (rob, outs.is_empty()) {
        (None, true) => r.error(path, "a risk-of-bias figure needs the `risk_of_bias:` table", None),
        (None, false) if outcomes.iter().any(|o| o.id == outs[0]) => r.error(
            &format!("{path}.outcomes"),
            format!(
                "outcome `{}` has no risk-of-bias table (its own or the review's)",
                outs[0]
            ),
            None,
        ),
        (Some(x), _) if x.is_stars() => r.error(
            &format!("{path}.kind"),
            "the Newcastle–Ottawa Scale is shown as a table of stars (`tables: [{kind: risk-of-bias}]`), not as a risk-of-bias figure",
            None,
        ),
        _ => {}
    }
}

/// The figures an appraisal adds by default: the traffic-light and the summary plot (none for
/// the Newcastle–Ottawa Scale, shown as a table).
pub(super) fn default_figures(
    rob: Option<&RiskOfBias>,
    outcome: Option<&str>,
) -> Vec<crate::spec::Figure> {
    let Some(rob) = rob.filter(|x| !x.is_stars()) else {
        return Vec::new();
    };
    let outcomes: Vec<String> = outcome.map(str::to_string).into_iter().collect();
    vec![
        crate::spec::Figure {
            kind: crate::spec::FigureKind::RiskOfBias,
            outcomes: outcomes.clone(),
            subgroup_panels: false,
            caption: rob.captions.traffic_light.clone(),
        },
        crate::spec::Figure {
            kind: crate::spec::FigureKind::RiskOfBiasSummary,
            outcomes,
            subgroup_panels: false,
            caption: rob.captions.summary.clone(),
        },
    ]
}
