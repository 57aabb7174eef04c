//! An outcome's `meta_regression:`, `influence:` and `gosh:`: moderator columns read from the
//! outcome's data (one value per study, every problem located at its file, line and column),
//! levels and reference levels, centring, the permutation test and GOSH's subsets.

use std::collections::BTreeSet;

use super::Resolver;
use super::data::OutcomeData;
use crate::data::{Cell, Table};
use crate::diag::did_you_mean;
use crate::spec::preset::Setting;
use crate::spec::raw::{
    RawCentre, RawCentreValue, RawMetaRegression, RawOutcome, RawRegressionEffects,
    RawRegressionTest, RawSubsets,
};
use crate::spec::{Figure, FigureKind, Outcome};
use crate::stats::StudyInput;
use crate::stats::analysis::{ExploreOptions, Options};
use crate::stats::fit::{CiMethod, Effects};
use crate::stats::gosh::{GoshSubsets, MAX_SUBSETS, MAX_WORK as GOSH_MAX_WORK};
use crate::stats::meta_regression::{
    Centre, MetaRegressionOptions, Moderator, ModeratorValues, PermutationOptions,
};
use crate::stats::permutation::MAX_WORK as PERMUTATION_MAX_WORK;

/// The most coefficients a meta-regression may have (intercept, continuous moderators, one
/// dummy per level but the reference): a bound on the work a spec can ask for.
pub const MAX_COEFFICIENTS: usize = 50;

/// Seed of permutations and random subsets when the spec gives none.
pub const DEFAULT_SEED: u64 = 1;

/// What the resolution of an outcome's analyses of heterogeneity gives besides the options.
pub(super) struct Resolved {
    /// Bubble plots draw the prediction band.
    pub prediction_band: bool,
    /// The settings chosen, with their source.
    pub settings: Vec<Setting>,
}

/// Sets `options.explore` from the outcome's sections. `studies` are the outcome's studies in
/// their final order; `model_settings` the outcome's model settings (where τ² came from).
pub(super) fn heterogeneity(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    d: &OutcomeData,
    studies: &[StudyInput],
    options: &mut Options,
    model_settings: &[Setting],
) -> Resolved {
    let meta_regression = o.meta_regression.as_ref().and_then(|mr| {
        meta_regression(
            r,
            &format!("{path}.meta_regression"),
            mr,
            d,
            studies,
            options,
        )
    });
    let gosh = o.gosh.map(|g| {
        let seed = g.seed.unwrap_or(DEFAULT_SEED);
        match g.subsets {
            Some(RawSubsets::Count(n)) => {
                let k = studies.len() as u64;
                if n.saturating_mul(k) > GOSH_MAX_WORK {
                    r.error(
                        &format!("{path}.gosh.subsets"),
                        format!(
                            "{} subsets of {k} studies are more work than the limit of a billion study-fits",
                            crate::report::format::count(n as f64)
                        ),
                        Some(format!(
                            "ask for at most {} subsets",
                            crate::report::format::count((GOSH_MAX_WORK / k.max(1)) as f64)
                        )),
                    );
                }
                GoshSubsets::Random { n, seed }
            }
            _ => {
                let k = studies.len();
                if k >= 64 || (1u64 << k) - 1 > MAX_SUBSETS {
                    let at = if g.subsets.is_some() { ".subsets" } else { "" };
                    r.error(
                        &format!("{path}.gosh{at}"),
                        format!(
                            "all subsets of {k} studies are too many models (2^{k} − 1; the limit is {}, every subset of up to 22 studies)",
                            crate::report::format::count(MAX_SUBSETS as f64)
                        ),
                        Some("fit a random sample of subsets instead, e.g. `gosh: {subsets: 1000000, seed: 1}`".into()),
                    );
                }
                GoshSubsets::All
            }
        }
    });
    let prediction_band = o
        .meta_regression
        .as_ref()
        .and_then(|m| m.prediction_band)
        .unwrap_or(false);
    let mut settings = Vec::new();
    let set = |name: &'static str, value: String, given: bool, default_source: &str| Setting {
        name,
        value,
        source: if given {
            "outcome".into()
        } else {
            default_source.into()
        },
    };
    if let (Some(raw), Some(m)) = (&o.meta_regression, &meta_regression) {
        settings.push(set(
            "meta_regression.effects",
            match m.effects {
                Effects::Fixed => "fixed".into(),
                Effects::Random(_) => "random".into(),
            },
            raw.effects.is_some(),
            "built-in",
        ));
        if let Effects::Random(t) = m.effects {
            let model_source = model_settings
                .iter()
                .find(|s| s.name == "tau2")
                .map_or("built-in".to_string(), |s| format!("tau2 ({})", s.source));
            settings.push(set(
                "meta_regression.tau2",
                t.code().into(),
                raw.tau2.is_some(),
                &model_source,
            ));
        }
        settings.push(set(
            "meta_regression.test",
            match m.test {
                CiMethod::Hksj => "knha".into(),
                CiMethod::Z => "z".into(),
            },
            raw.test.is_some(),
            "built-in",
        ));
        if let (Some(rp), Some(p)) = (raw.permutation, m.permutation) {
            settings.push(set(
                "meta_regression.permutation.seed",
                p.seed.to_string(),
                rp.seed.is_some(),
                "built-in",
            ));
        }
    }
    if let (Some(raw), Some(GoshSubsets::Random { seed, .. })) = (o.gosh, gosh) {
        settings.push(set(
            "gosh.seed",
            seed.to_string(),
            raw.seed.is_some(),
            "built-in",
        ));
    }
    options.explore = ExploreOptions {
        meta_regression,
        influence: o.influence.unwrap_or(false),
        gosh,
    };
    Resolved {
        prediction_band,
        settings,
    }
}

fn no_column(r: &mut Resolver<'_>, field: &str, col: &str, table: &Table) {
    let hint = did_you_mean(col, table.headers.iter().map(String::as_str))
        .map(|m| format!("did you mean `{m}`?"));
    r.error(
        field,
        format!(
            "no column `{col}` in {} (columns: {})",
            table.source,
            table.column_list()
        ),
        hint,
    );
}

fn meta_regression(
    r: &mut Resolver<'_>,
    path: &str,
    mr: &RawMetaRegression,
    d: &OutcomeData,
    studies: &[StudyInput],
    options: &Options,
) -> Option<MetaRegressionOptions> {
    let table = &d.table;
    let errors_before = r.diags.len();
    if mr.moderators.is_empty() {
        r.error(
            &format!("{path}.moderators"),
            "name at least one moderator (a column of the outcome's data)",
            None,
        );
    }
    let effects = match mr.effects {
        Some(RawRegressionEffects::Fixed) => Effects::Fixed,
        _ => Effects::Random(mr.tau2.unwrap_or(options.tau2_method)),
    };
    if matches!(effects, Effects::Fixed) && mr.tau2.is_some() {
        r.error(
            &format!("{path}.tau2"),
            "a fixed-effect meta-regression has no τ² to estimate",
            Some("remove `tau2:` or set `effects: random`".into()),
        );
    }
    let mut named: Vec<&str> = Vec::new();
    for m in &mr.moderators {
        if !named.contains(&m.as_str()) {
            named.push(m);
        }
    }
    // Every key that names a moderator must name one of the list.
    let check_keys = |r: &mut Resolver<'_>, field: &str, keys: Vec<&String>| {
        for k in keys {
            if !named.contains(&k.as_str()) {
                let hint =
                    did_you_mean(k, named.iter().copied()).map(|m| format!("did you mean `{m}`?"));
                r.error(
                    &format!("{path}.{field}.{k}"),
                    format!("`{k}` is not one of the moderators ({})", named.join(", ")),
                    hint,
                );
            }
        }
    };
    check_keys(
        r,
        "reference",
        mr.reference.iter().flat_map(|m| m.keys()).collect(),
    );
    check_keys(
        r,
        "labels",
        mr.labels.iter().flat_map(|m| m.keys()).collect(),
    );
    if let Some(RawCentre::PerColumn(m)) = &mr.centre {
        check_keys(r, "centre", m.keys().collect());
    }
    for (i, c) in mr.categorical.iter().flatten().enumerate() {
        if !named.contains(&c.as_str()) {
            r.error(
                &format!("{path}.categorical[{i}]"),
                format!("`{c}` is not one of the moderators ({})", named.join(", ")),
                None,
            );
        }
    }

    // Each study's table row, by name (studies may have been reordered by subgroup).
    let rows: Vec<usize> = studies
        .iter()
        .filter_map(|s| d.row_of.get(s.name.as_str()).copied())
        .collect();
    if rows.len() != studies.len() {
        return None;
    }

    let mut seen = BTreeSet::new();
    let mut moderators = Vec::new();
    let mut coefficients = 1;
    for (i, col) in mr.moderators.iter().enumerate() {
        let field = format!("{path}.moderators[{i}]");
        if !seen.insert(col.as_str()) {
            r.error(&field, format!("`{col}` is listed twice"), None);
            continue;
        }
        let Some(ci) = table.column(col) else {
            no_column(r, &field, col, table);
            continue;
        };
        let cells: Vec<(&crate::data::Row, Cell)> = rows
            .iter()
            .map(|&ri| {
                let row = &table.rows[ri];
                (row, row.cells.get(ci).cloned().unwrap_or(Cell::Empty))
            })
            .collect();
        let mut bad = false;
        for (n, (row, cell)) in cells.iter().enumerate() {
            if matches!(cell, Cell::Empty) || cell.display().trim().is_empty() {
                r.diags.push(table.error(
                    row,
                    Some(ci),
                    format!(
                        "study \"{}\": the moderator `{col}` is empty; every study in a meta-regression needs a value",
                        studies[n].name
                    ),
                ));
                bad = true;
            }
        }
        if bad {
            continue;
        }
        let forced = mr.categorical.iter().flatten().any(|c| c == col)
            || mr.reference.as_ref().is_some_and(|m| m.contains_key(col));
        let numeric = cells.iter().filter(|(_, c)| c.number().is_ok()).count();
        let label = mr
            .labels
            .as_ref()
            .and_then(|m| m.get(col).cloned())
            .unwrap_or_else(|| col.replace('_', " "));
        if !forced && numeric > 0 {
            // Continuous: every cell a number.
            let mut values = Vec::with_capacity(cells.len());
            for (n, (row, cell)) in cells.iter().enumerate() {
                match cell.number() {
                    Ok(x) if x.is_finite() => values.push(x),
                    _ => {
                        r.diags.push(table.error(
                            row,
                            Some(ci),
                            format!(
                                "study \"{}\": the moderator `{col}` has numbers in other rows, so a number is expected here, found \"{}\"",
                                studies[n].name,
                                cell.display().trim()
                            ),
                        ).hint(format!("to treat `{col}` as categories, list it under `categorical:`")));
                        bad = true;
                    }
                }
            }
            if bad {
                continue;
            }
            if values.iter().all(|x| *x == values[0]) {
                r.error(
                    &field,
                    format!(
                        "the moderator `{col}` has the same value ({}) in every study: it cannot explain differences between them",
                        values[0]
                    ),
                    None,
                );
                continue;
            }
            let centre = match &mr.centre {
                Some(RawCentre::All(_)) => Centre::Mean,
                Some(RawCentre::PerColumn(m)) => match m.get(col) {
                    Some(RawCentreValue::Mean(_)) => Centre::Mean,
                    Some(RawCentreValue::Value(v)) if v.is_finite() => Centre::Value(*v),
                    Some(RawCentreValue::Value(_)) => {
                        r.error(
                            &format!("{path}.centre.{col}"),
                            "expected a finite number or `mean`",
                            None,
                        );
                        Centre::None
                    }
                    None => Centre::None,
                },
                None => Centre::None,
            };
            coefficients += 1;
            moderators.push(Moderator {
                column: col.clone(),
                label,
                values: ModeratorValues::Continuous { values, centre },
            });
        } else {
            if let Some(RawCentre::PerColumn(m)) = &mr.centre
                && m.contains_key(col)
            {
                r.error(
                    &format!("{path}.centre.{col}"),
                    format!("`{col}` is categorical: only continuous moderators can be centred"),
                    None,
                );
            }
            let values: Vec<String> = cells
                .iter()
                .map(|(_, c)| c.display().trim().to_string())
                .collect();
            let mut levels: Vec<String> = values
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if levels.len() < 2 {
                r.error(
                    &field,
                    format!(
                        "every study has the same `{col}` (\"{}\"): a categorical moderator needs at least two levels",
                        levels.first().map_or("", String::as_str)
                    ),
                    None,
                );
                continue;
            }
            if let Some(reference) = mr.reference.as_ref().and_then(|m| m.get(col)) {
                match levels.iter().position(|l| l == reference) {
                    Some(p) => {
                        let l = levels.remove(p);
                        levels.insert(0, l);
                    }
                    None => {
                        let hint = did_you_mean(reference, levels.iter().map(String::as_str))
                            .map(|m| format!("did you mean \"{m}\"?"));
                        r.error(
                            &format!("{path}.reference.{col}"),
                            format!(
                                "no study has the level \"{reference}\" of `{col}` (levels: {})",
                                levels.join(", ")
                            ),
                            hint,
                        );
                        continue;
                    }
                }
            }
            coefficients += levels.len() - 1;
            moderators.push(Moderator {
                column: col.clone(),
                label,
                values: ModeratorValues::Categorical { values, levels },
            });
        }
    }
    if coefficients > MAX_COEFFICIENTS {
        r.error(
            &format!("{path}.moderators"),
            format!(
                "the model would have {coefficients} coefficients (an intercept, one per continuous moderator, one per level but the reference of each categorical one); at most {MAX_COEFFICIENTS} are allowed"
            ),
            None,
        );
    }
    if r.diags.len() > errors_before {
        return None;
    }
    // Moderator values are indexed like the studies the analysis receives.
    Some(MetaRegressionOptions {
        moderators,
        effects,
        test: match mr.test {
            Some(RawRegressionTest::Knha) => CiMethod::Hksj,
            _ => CiMethod::Z,
        },
        permutation: mr.permutation.map(|p| {
            let k = studies.len() as u64;
            if p.iterations.saturating_mul(k) > PERMUTATION_MAX_WORK {
                r.error(
                    &format!("{path}.permutation.iterations"),
                    format!(
                        "{} permutations of {k} studies are more work than the limit of {} study-fits",
                        crate::report::format::count(p.iterations as f64),
                        crate::report::format::count(PERMUTATION_MAX_WORK as f64)
                    ),
                    Some(format!(
                        "ask for at most {} permutations",
                        crate::report::format::count((PERMUTATION_MAX_WORK / k.max(1)) as f64)
                    )),
                );
            }
            PermutationOptions {
                iterations: p.iterations as usize,
                seed: p.seed.unwrap_or(DEFAULT_SEED),
            }
        }),
    })
}

/// True when the outcome's meta-regression has a continuous moderator to draw a bubble plot of.
pub fn has_bubble(o: &Outcome) -> bool {
    o.options.explore.meta_regression.as_ref().is_some_and(|m| {
        m.moderators
            .iter()
            .any(|x| matches!(x.values, ModeratorValues::Continuous { .. }))
    })
}

/// What an outcome lacks for a figure of this kind ("has no meta-regression …"), if anything.
pub(super) fn figure_needs(kind: FigureKind, o: &Outcome) -> Option<&'static str> {
    let e = &o.options.explore;
    match kind {
        FigureKind::Bubble if !has_bubble(o) => Some(
            "has no meta-regression on a continuous moderator to draw: add `meta_regression:` with a numeric column",
        ),
        FigureKind::Baujat if !e.influence => {
            Some("has no influence diagnostics: add `influence: true` to the outcome")
        }
        FigureKind::Gosh if e.gosh.is_none() => {
            Some("has no GOSH analysis: add `gosh: {subsets: all}` to the outcome")
        }
        _ => None,
    }
}

/// The figures an outcome's analyses of heterogeneity add by default: a bubble plot (one
/// panel per continuous moderator), a Baujat plot, a GOSH plot.
pub(super) fn default_figures(o: &Outcome) -> Vec<Figure> {
    [FigureKind::Bubble, FigureKind::Baujat, FigureKind::Gosh]
        .into_iter()
        .filter(|k| figure_needs(*k, o).is_none())
        .map(|kind| Figure {
            kind,
            outcomes: vec![o.id.clone()],
            subgroup_panels: false,
            caption: None,
        })
        .collect()
}
