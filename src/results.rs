//! `results.json`: every number the core computed, at full precision, with the tool version,
//! the spec's and data files' hashes and every setting with its source — the file people diff.

use serde::Serialize;
use serde_json::{Value, json};

use crate::spec::{Outcome, Spec};
use crate::stats::analysis::Analysis;
use crate::stats::baseline::{self, CountRow, MeanRow};
use crate::stats::dist;

/// The tool version written into results and cache keys.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A fingerprint of the sources this binary was built from (code, templates, fonts,
/// dependencies): part of every cache key, and recorded in the results.
pub const FINGERPRINT: &str = env!("METAREPORT_FINGERPRINT");

/// Version and fingerprint: "0.1.0+1a2b3c4d5e6f7a8b".
pub fn tool_id() -> String {
    format!("{VERSION}+{FINGERPRINT}")
}

/// A continuity correction applied to a study.
#[derive(Serialize)]
struct Correction {
    treatment: f64,
    control: f64,
}

/// One row of the per-study table (the order of the fields is the order in the file).
#[derive(Serialize)]
struct StudyRow<'a> {
    study: &'a str,
    subgroup: &'a Option<String>,
    data: &'a crate::stats::StudyData,
    yi: f64,
    vi: f64,
    se: f64,
    ci_lower: f64,
    ci_upper: f64,
    weight_pct: Option<f64>,
    subgroup_weight_pct: Option<f64>,
    continuity_correction: Option<Correction>,
}

/// The per-study table of one analysis, serialised row by row as it is written (a table of a
/// million studies is never held as a JSON tree).
struct Studies<'a>(&'a Analysis);

impl Serialize for Studies<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let a = self.0;
        let z = dist::z_crit(a.options.level);
        // Each study's weight within its subgroup, by position (one pass, not a search per
        // study).
        let mut subgroup_weight: Vec<Option<f64>> = vec![None; a.studies.len()];
        if let Some(sg) = &a.subgroups {
            for g in &sg.groups {
                if let Some(w) = &g.pool.weights_pct {
                    for (p, &i) in g.studies.iter().enumerate() {
                        if let (Some(slot), Some(&w)) = (subgroup_weight.get_mut(i), w.get(p)) {
                            slot.get_or_insert(w);
                        }
                    }
                }
            }
        }
        let mut seq = ser.serialize_seq(Some(a.studies.len()))?;
        for (i, s) in a.studies.iter().enumerate() {
            let input = a.input(s);
            let se = s.vi.sqrt();
            seq.serialize_element(&StudyRow {
                study: &input.name,
                subgroup: &input.subgroup,
                data: &input.data,
                yi: s.yi,
                vi: s.vi,
                se,
                ci_lower: s.yi - z * se,
                ci_upper: s.yi + z * se,
                weight_pct: a.weight_pct(i),
                subgroup_weight_pct: subgroup_weight[i],
                continuity_correction: s
                    .increments
                    .map(|(treatment, control)| Correction { treatment, control }),
            })?;
        }
        seq.end()
    }
}

/// The pooled estimate on the presentation scale.
#[derive(Serialize)]
struct Presentation {
    estimate: f64,
    ci_lower: f64,
    ci_upper: f64,
    /// The sample size of the Freeman–Tukey inverse (PFT only): the harmonic mean of the
    /// studies' sizes, which every back-transformed number of the outcome uses (metafor's
    /// `transf.ipft.hm`); `metareport diff` prints old numbers with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    harmonic_mean_n: Option<f64>,
}

/// The pooled estimate as the manuscript prints it, per 100 or per 1,000 with its unit
/// (`per:`, `person_time:`): the presentation-scale values times `per`, and the shown
/// prediction interval on the same scale.
#[derive(Serialize)]
struct PerScaled {
    per: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_unit: Option<crate::stats::per_scale::TimeUnit>,
    /// "per 1,000 person-years", as the prose prints it.
    unit: String,
    estimate: f64,
    ci_lower: f64,
    ci_upper: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    prediction_lower: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prediction_upper: Option<f64>,
}

/// The tool that wrote a file.
#[derive(Serialize)]
pub struct Tool {
    version: &'static str,
    source_fingerprint: &'static str,
}

impl Tool {
    /// This metareport.
    pub fn this() -> Tool {
        Tool {
            version: VERSION,
            source_fingerprint: FINGERPRINT,
        }
    }
}

/// The results of one outcome (serialised in the order of its fields).
#[derive(Serialize)]
pub struct OutcomeResults<'a> {
    id: &'a str,
    title: &'a str,
    measure: &'static str,
    scale: &'a crate::stats::Scale,
    input: &'a crate::data::InputKind,
    data_file: &'a Option<String>,
    settings: &'a [crate::spec::Setting],
    k: usize,
    counts: Value,
    /// `None` (not written) in a summary ([`OutcomeResults::summary`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    studies: Option<Studies<'a>>,
    #[serde(skip_serializing_if = "Value::is_null")]
    conversions: Value,
    /// Multi-arm trials split or combined (`data/multi_arm.rs`): method, arm column, and per
    /// trial its arms, lines and the rows analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    multi_arm: Option<&'a crate::data::multi_arm::Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    excluded: Option<&'a [crate::stats::analysis::ExcludedStudy]>,
    /// Studies that did not report the outcome (empty outcome cells): listed, not analysed.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    missing: &'a [crate::stats::analysis::MissingStudy],
    overall: std::borrow::Cow<'a, crate::stats::analysis::Pool>,
    overall_presentation_scale: Option<Presentation>,
    /// The same per 100 or per 1,000 with the unit (proportions and rates; see `per:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    overall_per_scale: Option<PerScaled>,
    subgroups: std::borrow::Cow<'a, Option<crate::stats::analysis::Subgroups>>,
    bias: &'a Option<crate::stats::analysis::BiasResults>,
    sensitivity: &'a crate::stats::analysis::Sensitivity,
    explore: &'a crate::stats::analysis::Exploration,
    warnings: &'a [crate::stats::analysis::Warning],
    options: &'a crate::stats::analysis::Options,
    /// The tool, when the outcome is printed on its own (`metareport pool`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metareport: Option<Tool>,
}

/// The counts the manuscript prints (`report::counts`: a study reported the outcome when it has
/// data for it, whether it contributed or was not estimable), overall and per subgroup.
fn counts_json(a: &Analysis) -> Value {
    let one = |c: crate::report::counts::Counts| json!({"reported": c.reported(), "contributed": c.contributed, "not_estimable": c.not_estimable.len(), "no_data": c.no_data.len(), "participants": c.participants});
    json!({
        "overall": one(crate::report::counts::Counts::overall(a)),
        "subgroups": a.subgroups.as_ref().map(|sg| sg.groups.iter().map(|g| json!({"name": g.name, "counts": one(crate::report::counts::Counts::subgroup(a, g))})).collect::<Vec<_>>()),
    })
}

/// Each value converted before pooling (`data/convert.rs`): study, method, arm, the fields it
/// gave, with the forest plot's footnote text; in the order of the outcome's studies.
fn conversions_json(o: &Outcome, a: &Analysis) -> Value {
    if o.conversions.is_empty() {
        return Value::Array(Vec::new());
    }
    // The analysis's inputs are the outcome's studies, in the same order (moved into the
    // analysis by `metareport pool`, cloned by a build).
    a.inputs
        .iter()
        .filter_map(|s| o.conversions.get(&s.name).map(|c| (s, c)))
        .flat_map(|(s, cs)| {
            cs.iter().map(move |c| {
                json!({"study": s.name, "method": c.method.code(), "arm": c.arm, "fields": c.fields, "detail": c.detail, "description": c.method.describe()})
            })
        })
        .collect()
}

/// The results of one outcome.
pub fn outcome_json<'a>(o: &'a Outcome, a: &'a Analysis) -> OutcomeResults<'a> {
    let _ft = crate::stats::single_group::FtScope::of(a.measure, &a.inputs);
    let m = a.measure;
    let presentation = a.overall.pooled.value().map(|p| Presentation {
        estimate: m.back_transform(p.estimate),
        ci_lower: m.back_transform(p.ci_lower),
        ci_upper: m.back_transform(p.ci_upper),
        harmonic_mean_n: (m == crate::stats::Measure::PFT)
            .then(|| crate::stats::single_group::harmonic_mean_n(a.inputs.iter().map(|s| &s.data)))
            .flatten(),
    });
    let ps = &a.options.per_scale;
    let per_scaled = ps.unit(m).and_then(|unit| {
        let per = ps.factor(m);
        let pi = a
            .overall
            .prediction
            .value()
            .and_then(|p| p.shown_interval());
        presentation.as_ref().map(|p| PerScaled {
            per,
            time_unit: ps.time_unit,
            unit,
            estimate: p.estimate * per,
            ci_lower: p.ci_lower * per,
            ci_upper: p.ci_upper * per,
            prediction_lower: pi.map(|i| m.back_transform(i.lower) * per),
            prediction_upper: pi.map(|i| m.back_transform(i.upper) * per),
        })
    });
    OutcomeResults {
        id: &o.id,
        title: &o.title,
        measure: m.code(),
        scale: &a.scale,
        input: &o.kind,
        data_file: &o.data_file,
        settings: &o.settings,
        k: a.studies.len(),
        counts: counts_json(a),
        studies: Some(Studies(a)),
        conversions: conversions_json(o, a),
        multi_arm: o.multi_arm.as_ref(),
        excluded: Some(&a.excluded),
        missing: &a.missing,
        overall: std::borrow::Cow::Borrowed(&a.overall),
        overall_presentation_scale: presentation,
        overall_per_scale: per_scaled,
        subgroups: std::borrow::Cow::Borrowed(&a.subgroups),
        bias: &a.bias,
        sensitivity: &a.sensitivity,
        explore: &a.explore,
        warnings: &a.warnings,
        options: &a.options,
        metareport: None,
    }
}

impl OutcomeResults<'_> {
    /// The same results without a row or value per study (`metareport pool --summary`): no
    /// `studies`, `excluded`, `missing` or `conversions` lists, no `weights_pct` in the overall
    /// and subgroup pools, no subgroup member lists. The counts (`counts`, `k`) stay; so do
    /// the sensitivity analyses, which the caller leaves out when they have a row per study.
    pub fn summary(mut self) -> Self {
        self.studies = None;
        self.conversions = Value::Null;
        self.excluded = None;
        self.multi_arm = None;
        self.missing = &[];
        if self.overall.weights_pct.is_some() {
            self.overall.to_mut().weights_pct = None;
        }
        if let Some(sg) = self.subgroups.to_mut() {
            for g in &mut sg.groups {
                g.studies = Vec::new();
                g.pool.weights_pct = None;
            }
        }
        self
    }
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
                json!({"characteristic": c.name, "kind": "proportion", "test": if b.yates { "chi-square with Yates’ correction" } else { "Pearson chi-square" },
                       "pooled": baseline::pool_proportions(&rows, b.yates)})
            } else {
                let rows: Vec<MeanRow> = c.means.iter().map(|r| MeanRow { mean_t: r[0], sd_t: r[1], n_t: r[2], mean_c: r[3], sd_c: r[4], n_c: r[5] }).collect();
                json!({"characteristic": c.name, "kind": "mean", "test": "Welch t test", "pooled": baseline::pool_means(&rows)})
            }
        })
        .collect()
}

/// The review a results file is about.
#[derive(Serialize)]
struct Review<'a> {
    id: &'a str,
    title: &'a str,
    spec: &'a str,
    preset: &'a crate::spec::Preset,
    inputs: &'a [crate::spec::InputFile],
}

/// The whole results file of a review (serialised in the order of its fields).
#[derive(Serialize)]
pub struct ResultsFile<'a> {
    metareport: Tool,
    review: Review<'a>,
    outcomes: Vec<OutcomeResults<'a>>,
    baseline: Value,
    risk_of_bias: Value,
    summary_of_findings: Value,
}

/// The whole results file of a review.
pub fn results_json<'a>(spec: &'a Spec, analyses: &'a [Analysis]) -> ResultsFile<'a> {
    ResultsFile {
        metareport: Tool::this(),
        review: Review {
            id: &spec.id,
            title: &spec.title,
            spec: &spec.file,
            preset: &spec.preset,
            inputs: &spec.inputs,
        },
        outcomes: spec
            .outcomes
            .iter()
            .zip(analyses)
            .map(|(o, a)| outcome_json(o, a))
            .collect(),
        baseline: baseline_json(spec),
        risk_of_bias: crate::rob::results_json(spec, analyses),
        summary_of_findings: crate::report::summary_of_findings::results_json(spec, analyses),
    }
}
