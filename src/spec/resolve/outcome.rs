//! One outcome: its data, model, subgroups, sensitivity analyses and plot settings.

use super::data::{self, OutcomeData};
use super::{Resolver, display, heterogeneity, model, sensitivity, subgroups};
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
    let explore = heterogeneity::heterogeneity(r, path, o, &d, &studies, &mut options, &settings);
    options.bias = display::bias_options(o);
    let forest = display::forest(r, path, o);
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
            .chain(explore.settings)
            .collect(),
        uses_rule,
        subgroup_label,
        cumulative_by,
        forest,
        funnel,
        bubble_prediction_band: explore.prediction_band,
    })
}
