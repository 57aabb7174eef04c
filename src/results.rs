//! `results.json`: every number the core computed, at full precision, with the tool version,
//! the spec's and data files' hashes and every setting with its source — the file people diff.

use serde_json::{Value, json};

use crate::spec::{Outcome, Spec};
use crate::stats::analysis::Analysis;
use crate::stats::baseline::{self, CountRow, MeanRow};
use crate::stats::{dist, effect};

/// The tool version written into results and cache keys.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A fingerprint of the sources this binary was built from (code, templates, fonts,
/// dependencies): part of every cache key, and recorded in the results.
pub const FINGERPRINT: &str = env!("METAREPORT_FINGERPRINT");

/// Version and fingerprint: "0.1.0+1a2b3c4d5e6f7a8b".
pub fn tool_id() -> String {
    format!("{VERSION}+{FINGERPRINT}")
}

/// The per-study table of one analysis.
fn studies(a: &Analysis) -> Value {
    let z = dist::z_crit(a.options.level);
    let any_zero = a.inputs.iter().any(|s| effect::has_zero_cell(&s.data));
    let subgroup_weight = |i: usize| {
        a.subgroups.as_ref().and_then(|sg| {
            sg.groups.iter().find_map(|g| {
                g.studies
                    .iter()
                    .position(|&s| s == i)
                    .and_then(|p| g.pool.weights_pct.as_ref().map(|w| w[p]))
            })
        })
    };
    a.studies
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let input = a.input(s);
            let se = s.vi.sqrt();
            let increments = match input.data {
                crate::stats::StudyData::Binary { total_t, total_c, .. } if s.corrected => effect::increments(&a.options.continuity, true, any_zero, total_t, total_c),
                _ => None,
            };
            json!({
                "study": input.name,
                "subgroup": input.subgroup,
                "data": input.data,
                "yi": s.yi,
                "vi": s.vi,
                "se": se,
                "ci_lower": s.yi - z * se,
                "ci_upper": s.yi + z * se,
                "weight_pct": a.weight_pct(i),
                "subgroup_weight_pct": subgroup_weight(i),
                "continuity_correction": increments.map(|(t, c)| json!({"treatment": t, "control": c})),
            })
        })
        .collect()
}

/// The counts the manuscript prints (`report::counts`: a study reported the outcome when it has
/// data for it, whether it contributed or was not estimable), overall and per subgroup.
fn counts_json(a: &Analysis) -> Value {
    let one = |c: crate::report::counts::Counts| json!({"reported": c.reported(), "contributed": c.contributed, "not_estimable": c.not_estimable.len(), "participants": c.participants});
    json!({
        "overall": one(crate::report::counts::Counts::overall(a)),
        "subgroups": a.subgroups.as_ref().map(|sg| sg.groups.iter().map(|g| json!({"name": g.name, "counts": one(crate::report::counts::Counts::subgroup(a, g))})).collect::<Vec<_>>()),
    })
}

/// The results of one outcome.
pub fn outcome_json(o: &Outcome, a: &Analysis) -> Value {
    let m = a.measure;
    let presentation = a.overall.pooled.value().map(|p| {
        json!({"estimate": m.back_transform(p.estimate), "ci_lower": m.back_transform(p.ci_lower), "ci_upper": m.back_transform(p.ci_upper)})
    });
    json!({
        "id": o.id,
        "title": o.title,
        "measure": m.code(),
        "scale": a.scale,
        "input": o.kind,
        "data_file": o.data_file,
        "settings": o.settings,
        "k": a.studies.len(),
        "counts": counts_json(a),
        "studies": studies(a),
        "excluded": a.excluded,
        "overall": a.overall,
        "overall_presentation_scale": presentation,
        "subgroups": a.subgroups,
        "bias": a.bias,
        "sensitivity": a.sensitivity,
        "warnings": a.warnings,
        "options": a.options,
    })
}

/// Pools the baseline characteristics of a spec.
pub fn baseline_json(spec: &Spec) -> Value {
    let Some(b) = &spec.baseline else {
        return Value::Null;
    };
    b.characteristics
        .iter()
        .map(|c| {
            if !c.counts.is_empty() {
                let rows: Vec<CountRow> = c.counts.iter().map(|r| CountRow { events_t: r[0], total_t: r[1], events_c: r[2], total_c: r[3] }).collect();
                json!({"characteristic": c.name, "kind": "proportion", "test": if b.yates { "chi-square with Yates' correction" } else { "Pearson chi-square" },
                       "pooled": baseline::pool_proportions(&rows, b.yates)})
            } else {
                let rows: Vec<MeanRow> = c.means.iter().map(|r| MeanRow { mean_t: r[0], sd_t: r[1], n_t: r[2], mean_c: r[3], sd_c: r[4], n_c: r[5] }).collect();
                json!({"characteristic": c.name, "kind": "mean", "test": "Welch t test", "pooled": baseline::pool_means(&rows)})
            }
        })
        .collect()
}

/// The whole results file of a review.
pub fn results_json(spec: &Spec, analyses: &[Analysis]) -> Value {
    json!({
        "metareport": {"version": VERSION, "source_fingerprint": FINGERPRINT},
        "review": {
            "id": spec.id,
            "title": spec.title,
            "spec": spec.file,
            "preset": spec.preset,
            "inputs": spec.inputs,
        },
        "outcomes": spec.outcomes.iter().zip(analyses).map(|(o, a)| outcome_json(o, a)).collect::<Vec<_>>(),
        "baseline": baseline_json(spec),
        "risk_of_bias": crate::rob::results_json(spec, analyses),
    })
}
