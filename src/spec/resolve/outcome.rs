//! One outcome: its data, model, subgroups, sensitivity analyses and plot settings.

use super::data::{self, OutcomeData};
use super::{Resolver, display, model, sensitivity, subgroups};
use crate::data::bind;
use crate::spec::Outcome;
use crate::spec::preset::{Preset, Setting};
use crate::spec::raw::{RawModel, RawOutcome};

pub(super) fn outcome(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    defaults: Option<&RawModel>,
    preset: Preset,
) -> Option<Outcome> {
    let errors_before = r.diags.len();
    let mut d = data::outcome_data(r, path, o)?;
    let model::Model {
        mut options,
        settings,
        uses_rule,
    } = model::model(r, path, o, d.kind, defaults, preset);
    // Moved out, not copied: a million rows stay a million rows.
    let (mut studies, mut lines) = (std::mem::take(&mut d.studies), std::mem::take(&mut d.lines));
    let subgroup_label = subgroups::subgroups(r, path, o, &mut options, &mut studies, &mut lines);
    let (sens, cumulative_by) = sensitivity::sensitivity(r, path, o, &d, &studies);
    options.sensitivity = sens;
    options.bias = display::bias_options(r, path, o);
    let forest = display::forest(r, path, o);
    if forest.prediction_bar && options.prediction == crate::stats::PredictionKind::None {
        r.error(
            &format!("{path}.forest.prediction_bar"),
            "a prediction interval bar needs a prediction interval, and this outcome's is `none`",
            Some("set `prediction: metafor` or `prediction: higgins-t` under `model:` (the revman5 preset has none), or drop `prediction_bar`".into()),
        );
    }
    let funnel = display::funnel(o, &mut options.bias);
    if r.diags.len() > errors_before {
        return None;
    }
    let OutcomeData {
        table, map, kind, ..
    } = d;
    Some(Outcome {
        id: o.id.clone(),
        title: o.title.clone(),
        data_file: o.data.as_ref().map(|_| table.source.clone()),
        kind,
        studies,
        lines,
        column_numbers: std::iter::once("study")
            .chain(kind.columns().iter().copied())
            .filter_map(|c| {
                table
                    .column(bind::column_for(c, &map))
                    .map(|i| (c.to_string(), i + 1))
            })
            .collect(),
        columns: map,
        options,
        settings: settings
            .into_iter()
            .filter(|s: &Setting| !s.name.is_empty())
            .collect(),
        uses_rule,
        subgroup_label,
        cumulative_by,
        forest,
        funnel,
    })
}
