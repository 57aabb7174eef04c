//! `manuscript:` → the tables and figures of the manuscript, in order.

use super::{Resolver, risk_of_bias};
use crate::diag::did_you_mean;
use crate::spec::raw::*;
use crate::spec::{Figure, FigureKind, Outcome, TableKind};

pub(super) fn tables(
    r: &mut Resolver<'_>,
    raw: &RawSpec,
    studies: bool,
    summary: bool,
    baseline: bool,
    rob: Option<&crate::rob::RiskOfBias>,
) -> Vec<(TableKind, Option<String>)> {
    let has = |k: TableKind| match k {
        TableKind::Studies => studies,
        TableKind::Summary => summary,
        TableKind::Baseline => baseline,
        TableKind::RiskOfBias => rob.is_some(),
    };
    match raw.manuscript.as_ref().and_then(|m| m.tables.as_ref()) {
        Some(list) => {
            let mut out = Vec::new();
            for (i, t) in list.iter().enumerate() {
                let kind = match t.kind {
                    RawTableKind::Studies => TableKind::Studies,
                    RawTableKind::Summary => TableKind::Summary,
                    RawTableKind::Baseline => TableKind::Baseline,
                    RawTableKind::RiskOfBias => TableKind::RiskOfBias,
                };
                if !has(kind) {
                    let need = match kind {
                        TableKind::Studies => "`studies:`",
                        TableKind::Summary => "`outcomes:`",
                        TableKind::Baseline => "`baseline:`",
                        TableKind::RiskOfBias => "`risk_of_bias:`",
                    };
                    r.error(
                        &format!("manuscript.tables[{i}].kind"),
                        format!("this table needs {need} in the spec"),
                        None,
                    );
                } else if out.iter().any(|(k, _)| *k == kind) {
                    r.error(
                        &format!("manuscript.tables[{i}].kind"),
                        "each table can appear once",
                        None,
                    );
                } else {
                    out.push((kind, t.caption.clone()));
                }
            }
            out
        }
        None => [
            TableKind::Studies,
            TableKind::Summary,
            TableKind::Baseline,
            TableKind::RiskOfBias,
        ]
        .into_iter()
        .filter(|k| has(*k) && (*k != TableKind::RiskOfBias || rob.is_some_and(|x| x.is_stars())))
        .map(|k| (k, None))
        .collect(),
    }
}

pub(super) fn figures(
    r: &mut Resolver<'_>,
    raw: &RawSpec,
    outcomes: &[Outcome],
    has_prisma: bool,
    rob: Option<&crate::rob::RiskOfBias>,
) -> Vec<Figure> {
    let ids: Vec<&str> = raw.outcomes.iter().map(|o| o.id.as_str()).collect();
    match raw.manuscript.as_ref().and_then(|m| m.figures.as_ref()) {
        Some(figs) => {
            let mut out = Vec::new();
            for (i, f) in figs.iter().enumerate() {
                let path = format!("manuscript.figures[{i}]");
                let kind = match f.kind {
                    RawFigureKind::Prisma => FigureKind::Prisma,
                    RawFigureKind::Forest => FigureKind::Forest,
                    RawFigureKind::Funnel => FigureKind::Funnel,
                    RawFigureKind::LeaveOneOut => FigureKind::LeaveOneOut,
                    RawFigureKind::Cumulative => FigureKind::Cumulative,
                    RawFigureKind::RiskOfBias => FigureKind::RiskOfBias,
                    RawFigureKind::RiskOfBiasSummary => FigureKind::RiskOfBiasSummary,
                };
                let outs = f.outcomes.clone().unwrap_or_default();
                match kind {
                    FigureKind::Prisma if !outs.is_empty() => r.error(
                        &format!("{path}.outcomes"),
                        "a PRISMA diagram shows no outcome",
                        None,
                    ),
                    FigureKind::Prisma if !has_prisma => {
                        r.error(&path, "a PRISMA figure needs the `prisma:` counts", None)
                    }
                    FigureKind::Prisma => {}
                    FigureKind::RiskOfBias | FigureKind::RiskOfBiasSummary => {
                        risk_of_bias::check_figure(r, &path, &outs, rob, outcomes)
                    }
                    _ if outs.is_empty() => r.error(
                        &format!("{path}.outcomes"),
                        "name the outcome(s) this figure shows",
                        None,
                    ),
                    FigureKind::Forest => {}
                    _ if outs.len() > 1 => r.error(
                        &format!("{path}.outcomes"),
                        "only forest plots can stack several outcomes",
                        None,
                    ),
                    _ => {}
                }
                for (j, o) in outs.iter().enumerate() {
                    if !ids.contains(&o.as_str()) {
                        let hint = did_you_mean(o, ids.iter().copied())
                            .map(|m| format!("did you mean `{m}`?"));
                        r.error(
                            &format!("{path}.outcomes[{j}]"),
                            format!("no outcome `{o}` (outcomes: {})", ids.join(", ")),
                            hint,
                        );
                    } else if let Some(oc) = outcomes.iter().find(|x| &x.id == o) {
                        let ok = match kind {
                            FigureKind::LeaveOneOut => oc.options.sensitivity.leave_one_out,
                            FigureKind::Cumulative => oc.options.sensitivity.cumulative.is_some(),
                            _ => true,
                        };
                        if !ok {
                            r.error(&format!("{path}.kind"), format!("outcome `{o}` has no {} analysis: enable it under `sensitivity`", kind.slug()), None);
                        }
                    }
                }
                let subgroup_panels = f.panels == Some(RawPanels::Subgroups);
                if subgroup_panels {
                    if kind != FigureKind::Forest {
                        r.error(
                            &format!("{path}.panels"),
                            "only forest plots can be split into subgroup panels",
                            None,
                        );
                    }
                    for o in &outs {
                        if outcomes
                            .iter()
                            .any(|x| &x.id == o && x.subgroup_label.is_none())
                        {
                            r.error(
                                &format!("{path}.panels"),
                                format!("outcome `{o}` has no subgroups to split into panels"),
                                None,
                            );
                        }
                    }
                }
                out.push(Figure {
                    kind,
                    outcomes: outs,
                    subgroup_panels,
                    caption: f.caption.clone(),
                });
            }
            out
        }
        None => {
            let mut out = Vec::new();
            if has_prisma {
                out.push(Figure {
                    kind: FigureKind::Prisma,
                    outcomes: vec![],
                    subgroup_panels: false,
                    caption: raw.prisma.as_ref().and_then(|p| p.caption.clone()),
                });
            }
            out.extend(risk_of_bias::default_figures(rob, None));
            for o in outcomes {
                out.push(Figure {
                    kind: FigureKind::Forest,
                    outcomes: vec![o.id.clone()],
                    subgroup_panels: false,
                    caption: o.forest.caption.clone(),
                });
                out.extend(risk_of_bias::default_figures(
                    o.risk_of_bias.as_ref().filter(|x| x.outcome.is_some()),
                    Some(&o.id),
                ));
                if o.funnel.show {
                    out.push(Figure {
                        kind: FigureKind::Funnel,
                        outcomes: vec![o.id.clone()],
                        subgroup_panels: false,
                        caption: o.funnel.caption.clone(),
                    });
                }
                if o.options.sensitivity.leave_one_out {
                    out.push(Figure {
                        kind: FigureKind::LeaveOneOut,
                        outcomes: vec![o.id.clone()],
                        subgroup_panels: false,
                        caption: None,
                    });
                }
                if o.options.sensitivity.cumulative.is_some() {
                    out.push(Figure {
                        kind: FigureKind::Cumulative,
                        outcomes: vec![o.id.clone()],
                        subgroup_panels: false,
                        caption: None,
                    });
                }
            }
            out
        }
    }
}
