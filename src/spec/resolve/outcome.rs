//! One outcome: its data, model, subgroups, sensitivity analyses and plot settings.

use super::data::{self, OutcomeData};
use super::{
    Resolver, decimals, display, heterogeneity, model, risk_of_bias, sensitivity, subgroups,
};
use crate::data::bind;
use crate::spec::Outcome;
use crate::spec::preset::{Preset, Setting};
use crate::spec::raw::{RawOutcome, RawSpec};

pub(super) fn outcome(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    raw: &RawSpec,
    review_rob: Option<&crate::rob::RiskOfBias>,
    preset: Preset,
) -> Option<Outcome> {
    let errors_before = r.diags.len();
    let mut d = data::outcome_data(r, path, o, raw.defaults.as_ref())?;
    let defaults = raw.defaults.as_ref().map(|d| d.model());
    let model::Model {
        mut options,
        settings,
        uses_rule,
    } = model::model(r, path, o, d.kind, defaults.as_ref(), preset);
    // Moved out, not copied: a million rows stay a million rows.
    let (mut studies, mut lines) = (std::mem::take(&mut d.studies), std::mem::take(&mut d.lines));
    let rob = risk_of_bias::outcome(r, path, o, raw, review_rob, &d, &mut studies, &mut lines);
    let subgroup_label = subgroups::subgroups(r, path, o, &mut options, &mut studies, &mut lines);
    let (sens, cumulative_order) = sensitivity::sensitivity(r, path, o, &d, &studies);
    let cumulative_by = match &cumulative_order {
        Some(crate::spec::CumulativeOrder::Column { column, .. }) => Some(column.clone()),
        _ => None,
    };
    options.sensitivity = sens;
    risk_of_bias::sensitivity(r, path, o, rob.as_ref(), &studies, &mut options.sensitivity);
    options.bias = display::bias_options(r, path, o);
    options.per_scale = super::per_scale::per_scale(r, path, o);
    let mut forest = display::forest(r, path, o);
    forest.decimals = decimals::decimals(r, path, o, &d);
    if forest.prediction_bar && options.prediction == crate::stats::PredictionKind::None {
        r.error(
            &format!("{path}.forest.prediction_bar"),
            "a prediction interval bar needs a prediction interval, and this outcome's is `none`",
            Some("set `prediction: metafor` or `prediction: higgins-t` under `model:` (the revman5 preset has none), or drop `prediction_bar`".into()),
        );
    }
    let explore = heterogeneity::heterogeneity(r, path, o, &d, &studies, &mut options, &settings);
    let funnel = display::funnel(o, &mut options.bias);
    if r.diags.len() > errors_before {
        return None;
    }
    let missing = super::missing::place(std::mem::take(&mut d.missing), &studies, &lines);
    let OutcomeData {
        table,
        map,
        kind,
        conversions,
        multi_arm,
        ..
    } = d;
    Some(Outcome {
        id: o.id.clone(),
        title: o.title.clone(),
        data_file: o.data.as_ref().map(|_| table.source.clone()),
        kind,
        studies,
        lines,
        missing,
        conversions,
        conversion_settings: super::conversions::settings(o),
        multi_arm,
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
        cumulative_order,
        forest,
        funnel,
        bubble_prediction_band: explore.prediction_band,
        risk_of_bias: rob,
    })
}
