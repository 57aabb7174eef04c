//! The analysis: study rows and options in, one complete [`Analysis`] out.
//!
//! `analyse` validates every study, computes the effect sizes, applies the model choice,
//! pools overall and per subgroup, and runs the requested small-study tests and sensitivity
//! analyses. It reads no file, clock or environment; caveats are returned as [`Warning`]s.//!
//! The steps live beside this file: `pool.rs` (one set of studies pooled: Q, the model
//! decision, the estimate, heterogeneity, prediction), `subgroups.rs` (per-subgroup pools,
//! common τ², the test for differences), `small_study.rs` (Egger, Begg, trim-and-fill) and
//! `sensitivity.rs` (leave-one-out, cumulative, exclusion sets).

mod explore;
mod missing;
mod pool;
mod sensitivity;
mod small_study;
mod subgroups;

use serde::{Deserialize, Serialize};

pub use explore::{Exploration, ExploreOptions, STUDIES_PER_MODERATOR};
pub use missing::MissingStudy;

use super::bias::{Begg, Egger, EggerMetaRegression};
use super::computed::Computed;
use super::effect::{self, CiRule, Continuity, Effect};
use super::fit::{CiMethod, Effects};
use super::mantel_haenszel::CmhTest;
use super::measure::{Measure, Scale, StudyData, StudyInput};
use super::model_rule::{ModelChoice, ModelDecision};
use super::prediction::{PredictionInterval, PredictionKind};
use super::qprofile::{self, HeterogeneityCi};
use super::subgroup::SubgroupDifference;
use super::tau2::{Control, Tau2Method};
use super::trimfill::TrimFill;

/// How studies are weighted when pooling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Pooling {
    /// Inverse-variance weights.
    InverseVariance,
    /// Mantel–Haenszel (binary data; OR, RR, RD).
    MantelHaenszel,
    /// Peto's one-step method (binary data; Peto OR).
    Peto,
}

impl Pooling {
    /// RevMan's abbreviation ("IV", "M-H", "Peto").
    pub fn abbreviation(self) -> &'static str {
        match self {
            Pooling::InverseVariance => "IV",
            Pooling::MantelHaenszel => "M-H",
            Pooling::Peto => "Peto",
        }
    }

    /// The method's name in prose ("Mantel–Haenszel").
    pub fn name(self) -> &'static str {
        match self {
            Pooling::InverseVariance => "inverse-variance",
            Pooling::MantelHaenszel => "Mantel–Haenszel",
            Pooling::Peto => "Peto",
        }
    }
}

/// Which small-study tests to run.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct BiasOptions {
    /// Egger's regression test (classic, and metafor's meta-regression form).
    pub egger: bool,
    /// Begg's rank correlation test.
    pub begg: bool,
    /// Trim-and-fill.
    pub trim_and_fill: bool,
    /// The fewest studies with which the tests above are run; with fewer, each is absent with
    /// the reason. 0 (the default here) runs them whenever they can be computed; a spec's
    /// default is 10, as the Cochrane Handbook (chapter 13) and Sterne et al. (2011) advise.
    pub min_studies: usize,
    /// Convergence of trim-and-fill's refits (default: the analysis's own).
    /// [`Control::metafor_default`] reproduces metafor 3.8-1, whose `trimfill()` refits with its
    /// default control whatever the model's was.
    pub trimfill_control: Option<Control>,
}

/// A named set of studies to leave out in a sensitivity analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExclusionSet {
    /// How the report names it ("excluding Kim 2016").
    pub label: String,
    /// The studies to leave out.
    pub studies: Vec<String>,
}

/// Which sensitivity analyses to run.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SensitivityOptions {
    /// Leave each study out in turn.
    pub leave_one_out: bool,
    /// Add studies one at a time in this order (study names).
    pub cumulative: Option<Vec<String>>,
    /// Pool after leaving out named sets of studies.
    pub exclusions: Vec<ExclusionSet>,
}

/// Everything that determines an analysis besides the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Options {
    pub measure: Measure,
    pub pooling: Pooling,
    pub model: ModelChoice,
    /// The τ² estimator for random effects.
    pub tau2_method: Tau2Method,
    pub ci: CiMethod,
    /// Which prediction interval the report shows (both are computed).
    pub prediction: PredictionKind,
    /// Confidence level (0.95).
    pub level: f64,
    pub continuity: Continuity,
    /// How SEs are derived from reported confidence intervals.
    pub ci_rule: CiRule,
    /// Estimate one τ² shared by all subgroups instead of one per subgroup.
    pub common_tau2: bool,
    /// I² (and H²) from Q, (Q − df)/Q, as RevMan, instead of from τ² (metafor).
    pub i2_from_q: bool,
    /// The interval of I² and H²: from the Q-profile interval of τ² (metafor) or the
    /// test-based interval of Higgins & Thompson (2002).
    pub i2_ci: qprofile::I2Interval,
    pub bias: BiasOptions,
    pub sensitivity: SensitivityOptions,
    pub control: Control,
    /// Meta-regression, influence diagnostics, GOSH.
    pub explore: ExploreOptions,
    /// How proportions and rates are shown: per 100, per 1,000, with the person-time unit
    /// (`per:`, `person_time:`); presentation only.
    #[serde(skip_serializing_if = "super::per_scale::PerScale::is_default")]
    pub per_scale: super::per_scale::PerScale,
    /// The formulas of the standardised mean difference (`smd_revman.rs`): metafor's exact
    /// form (default) or RevMan 5's.
    #[serde(skip_serializing_if = "super::smd_revman::SmdMethod::is_exact")]
    pub smd: super::smd_revman::SmdMethod,
}

impl Options {
    /// metafor's defaults for a measure: inverse variance, random effects with REML, Wald z.
    pub fn new(measure: Measure) -> Self {
        Options {
            measure,
            pooling: Pooling::InverseVariance,
            model: ModelChoice::Random,
            tau2_method: Tau2Method::REML,
            ci: CiMethod::Z,
            prediction: PredictionKind::Metafor,
            level: 0.95,
            continuity: Continuity::default(),
            ci_rule: CiRule::default(),
            common_tau2: false,
            i2_from_q: false,
            i2_ci: qprofile::I2Interval::QProfile,
            bias: BiasOptions::default(),
            sensitivity: SensitivityOptions::default(),
            control: Control::default(),
            explore: ExploreOptions::default(),
            per_scale: super::per_scale::PerScale::default(),
            smd: Default::default(),
        }
    }
}

/// A study whose data cannot be used as given: which study, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("study \"{study}\" (row {row}), {field}: {message}")]
pub struct StudyError {
    /// 1-based position among the input rows.
    pub row: usize,
    pub study: String,
    pub field: String,
    pub message: String,
}

/// Why an analysis could not be run at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error("there are no studies to analyse (k = 0)")]
    NoStudies,
    #[error("{} invalid value(s) in the study data:\n  {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    InvalidData(Vec<StudyError>),
    #[error("no study is left to pool: {}", .0.iter().map(|e| format!("{} ({})", e.study, e.reason)).collect::<Vec<_>>().join("; "))]
    NothingLeft(Vec<ExcludedStudy>),
    #[error("{context}: no study named {}", .names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", "))]
    UnknownStudies { context: String, names: Vec<String> },
    #[error("study name \"{0}\" appears more than once")]
    DuplicateStudy(String),
    #[error("study \"{0}\" has no subgroup while others have one")]
    MissingSubgroup(String),
    #[error("{0}")]
    Incompatible(String),
}

/// A study left out of the analysis, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExcludedStudy {
    /// Position of the study among the inputs.
    pub input: usize,
    pub study: String,
    pub reason: String,
}

/// A statistical caveat, stated in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// A stable identifier ("tau2_truncated", "egger_few_studies", ...).
    pub code: &'static str,
    /// The caveat in words.
    pub message: String,
}

/// One included study's effect. Its name, subgroup and data are in
/// `Analysis::inputs[input]`; its weights are in the pools it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StudyResult {
    /// Position of the study among the inputs.
    pub input: usize,
    /// Effect on the analysis scale.
    pub yi: f64,
    /// Sampling variance.
    pub vi: f64,
    /// True when a continuity correction was added to its cells.
    pub corrected: bool,
    /// The amounts added to the treatment (or single group's) and control cells when
    /// `corrected` ([`effect::increments`] for two arms, `single_group` for one).
    #[serde(skip)]
    pub increments: Option<(f64, f64)>,
}

/// A pooled estimate (analysis scale).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pooled {
    pub estimate: f64,
    pub se: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
    /// z, or t under HKSJ.
    pub statistic: f64,
    /// "z" or "t".
    pub statistic_name: &'static str,
    pub p: f64,
    /// Degrees of freedom of the t test.
    pub df: Option<f64>,
}

/// Heterogeneity statistics of one pooled set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heterogeneity {
    /// Cochran's Q (Peto's Q under Peto pooling; around the MH estimate under MH).
    pub q: f64,
    pub df: usize,
    pub p: f64,
    pub tau2: f64,
    pub tau: f64,
    /// I² in percent.
    pub i2: f64,
    pub h2: f64,
    /// The τ² estimator, for random effects.
    pub tau2_method: Option<Tau2Method>,
    /// True when the τ² estimate was negative and set to 0.
    pub tau2_truncated: bool,
    /// Q-profile intervals for τ², I², H².
    pub ci: Computed<HeterogeneityCi>,
}

/// Prediction intervals (analysis scale).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// metafor's interval.
    pub metafor: PredictionInterval,
    /// Higgins, Thompson & Spiegelhalter (2009), k ≥ 3.
    pub higgins_t: Computed<PredictionInterval>,
    /// The one the report shows.
    pub shown: PredictionKind,
}

impl Prediction {
    /// The interval the report shows, if it exists (none under `PredictionKind::None`).
    pub fn shown_interval(&self) -> Option<&PredictionInterval> {
        match self.shown {
            PredictionKind::Metafor => Some(&self.metafor),
            PredictionKind::HigginsT => self.higgins_t.value(),
            PredictionKind::None => None,
        }
    }
}

/// The pooled result for one set of studies (all studies, a subgroup, or a sensitivity set).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pool {
    /// Studies in the set.
    pub k: usize,
    /// The pooling method actually used.
    pub pooling: Pooling,
    /// Which model was used and why.
    pub decision: ModelDecision,
    pub pooled: Computed<Pooled>,
    pub heterogeneity: Computed<Heterogeneity>,
    pub prediction: Computed<Prediction>,
    /// The Cochran–Mantel–Haenszel test (MH pooling of odds ratios).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmh: Option<CmhTest>,
    /// Each member's weight in percent, in member order (overall and subgroup pools only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weights_pct: Option<Vec<f64>>,
}

/// One subgroup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubgroupResult {
    pub name: String,
    /// Positions of its studies in [`Analysis::studies`] (the pool's member order).
    pub studies: Vec<usize>,
    pub pool: Pool,
}

/// Subgroup analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subgroups {
    /// In order of first appearance.
    pub groups: Vec<SubgroupResult>,
    /// Test for subgroup differences.
    pub difference: Computed<SubgroupDifference>,
    /// The shared τ², when a common τ² was estimated.
    pub common_tau2: Option<f64>,
}

/// Small-study tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BiasResults {
    /// The model the model-based tests used.
    pub effects: Effects,
    pub egger: Option<Computed<Egger>>,
    pub egger_meta_regression: Option<Computed<EggerMetaRegression>>,
    pub begg: Option<Computed<Begg>>,
    pub trim_and_fill: Option<Computed<TrimFill>>,
}

/// One row of a sensitivity analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityRow {
    /// "Kim 2016" (the omitted or added study) or the exclusion set's label.
    pub label: String,
    /// The studies left out (leave-one-out and exclusion sets; empty, and not written, for a
    /// cumulative step, which names its studies by `added`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub omitted: Vec<String>,
    /// A cumulative step: the position in [`Analysis::studies`] of the study it adds. The
    /// step pools that study and every one added before it (`pool.k` of them), so the steps
    /// together are O(k) in results.json, not O(k²) lists of the studies still left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added: Option<usize>,
    pub pool: Pool,
}

/// Sensitivity analyses.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Sensitivity {
    pub leave_one_out: Option<Vec<SensitivityRow>>,
    pub cumulative: Option<Vec<SensitivityRow>>,
    pub exclusions: Vec<SensitivityRow>,
}

/// The complete analysis of one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub measure: Measure,
    pub scale: Scale,
    pub options: Options,
    /// The studies as given (moved in, not copied: a million rows stay a million rows).
    pub inputs: Vec<StudyInput>,
    /// Included studies, in input order.
    pub studies: Vec<StudyResult>,
    /// Studies left out, with the reason.
    pub excluded: Vec<ExcludedStudy>,
    /// Studies without data for the outcome, listed but not analysed ([`Analysis::with_missing`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingStudy>,
    /// All included studies pooled.
    pub overall: Pool,
    pub subgroups: Option<Subgroups>,
    pub bias: Option<BiasResults>,
    pub sensitivity: Sensitivity,
    /// Meta-regression, influence diagnostics, GOSH (those asked for).
    pub explore: Exploration,
    pub warnings: Vec<Warning>,
}

impl Analysis {
    /// The input row of an included study.
    pub fn input(&self, s: &StudyResult) -> &StudyInput {
        &self.inputs[s.input]
    }

    /// The name of an included study.
    pub fn name(&self, s: &StudyResult) -> &str {
        &self.inputs[s.input].name
    }

    /// Weight (percent) of the i-th included study in the overall pooled estimate.
    pub fn weight_pct(&self, i: usize) -> Option<f64> {
        self.overall.weights_pct.as_ref().map(|w| w[i])
    }
}

struct Ctx<'a> {
    opts: &'a Options,
    inputs: &'a [StudyInput],
    inc: &'a [StudyResult],
}

/// From this many studies on, the labels' uniqueness is checked beside the validation.
const PARALLEL_CHECKS: usize = 20_000;

/// Runs the analysis.
pub fn analyse(inputs: Vec<StudyInput>, opts: &Options) -> Result<Analysis, AnalysisError> {
    if inputs.is_empty() {
        return Err(AnalysisError::NoStudies);
    }
    check_options(&inputs, opts)?;

    // Validate every study and report all problems at once.
    // Labels are unique: checked by sorting their hashes (`distinct.rs`); only when one
    // repeats are they sorted, to name the first repeated label in label order. With many
    // studies the labels are checked on a second thread while the values are validated.
    let validate = || {
        let mut errors = Vec::new();
        for (i, s) in inputs.iter().enumerate() {
            for e in effect::validate(&s.data, opts.measure) {
                errors.push(StudyError {
                    row: i + 1,
                    study: s.name.clone(),
                    field: e.field.to_string(),
                    message: e.message,
                });
            }
        }
        errors
    };
    let distinct = || super::distinct::all_distinct(inputs.iter().map(|s| s.name.as_str()));
    let (distinct, errors) = if inputs.len() >= PARALLEL_CHECKS {
        std::thread::scope(|s| {
            let distinct = s.spawn(distinct);
            let errors = validate();
            (
                distinct.join().expect("hashing labels does not panic"),
                errors,
            )
        })
    } else {
        (distinct(), validate())
    };
    if !distinct {
        let mut by_name: Vec<u32> = (0..inputs.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| inputs[a as usize].name.cmp(&inputs[b as usize].name));
        if let Some(w) = by_name
            .windows(2)
            .find(|w| inputs[w[0] as usize].name == inputs[w[1] as usize].name)
        {
            return Err(AnalysisError::DuplicateStudy(
                inputs[w[0] as usize].name.clone(),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AnalysisError::InvalidData(errors));
    }
    let has_subgroups = inputs.iter().any(|s| s.subgroup.is_some());
    if has_subgroups && let Some(s) = inputs.iter().find(|s| s.subgroup.is_none()) {
        return Err(AnalysisError::MissingSubgroup(s.name.clone()));
    }

    // Effect sizes.
    let mut warnings = Vec::new();
    let any_zero = inputs.iter().any(|s| effect::has_zero_cell(&s.data));
    let mut studies = Vec::with_capacity(inputs.len());
    let mut excluded = Vec::new();
    for (i, s) in inputs.iter().enumerate() {
        match effect::effect_size(
            &s.data,
            opts.measure,
            opts.smd,
            &opts.continuity,
            &opts.ci_rule,
            any_zero,
        ) {
            Effect::Included(e) => studies.push(StudyResult {
                input: i,
                yi: e.yi,
                vi: e.vi,
                corrected: e.correction.is_some(),
                increments: e.correction,
            }),
            Effect::Excluded(reason) => {
                warnings.push(Warning {
                    code: "study_excluded",
                    message: format!("{} was excluded: {reason}", s.name),
                });
                excluded.push(ExcludedStudy {
                    input: i,
                    study: s.name.clone(),
                    reason,
                });
            }
        }
    }
    if studies.is_empty() {
        return Err(AnalysisError::NothingLeft(excluded));
    }
    let corrected: Vec<&str> = studies
        .iter()
        .filter(|s| s.corrected)
        .map(|s| inputs[s.input].name.as_str())
        .collect();
    if !corrected.is_empty() {
        warnings.push(Warning {
            code: "continuity_correction",
            message: format!(
                "a continuity correction of {} was added to the cells of {}",
                opts.continuity.add,
                corrected.join(", ")
            ),
        });
    }

    let ctx = Ctx {
        opts,
        inputs: &inputs,
        inc: &studies,
    };
    let all: Vec<usize> = (0..studies.len()).collect();
    let overall = ctx.pool(&all, true, &mut warnings, "");
    let subgroups = if has_subgroups {
        Some(ctx.subgroups(&mut warnings)?)
    } else {
        None
    };
    let bias = ctx.bias(&overall, &mut warnings);
    let sensitivity = ctx.sensitivity(&mut warnings)?;
    let explore = ctx.explore(&overall, &mut warnings)?;

    Ok(Analysis {
        measure: opts.measure,
        scale: opts.measure.scale(),
        options: opts.clone(),
        inputs,
        studies,
        excluded,
        missing: Vec::new(),
        overall,
        subgroups,
        bias,
        sensitivity,
        explore,
        warnings,
    })
}

fn check_options(inputs: &[StudyInput], opts: &Options) -> Result<(), AnalysisError> {
    if let Some(s) = inputs
        .iter()
        .find(|s| !effect::supports(&s.data, opts.measure))
    {
        return Err(AnalysisError::Incompatible(format!(
            "study \"{}\": {} data cannot give the measure {}",
            s.name,
            s.data.kind(),
            opts.measure.code()
        )));
    }
    let binary = inputs
        .iter()
        .all(|s| matches!(s.data, StudyData::Binary { .. }));
    match opts.pooling {
        Pooling::MantelHaenszel if !(binary && matches!(opts.measure, Measure::OR | Measure::RR | Measure::RD)) => Err(AnalysisError::Incompatible(
            "Mantel–Haenszel pooling needs binary data (events and totals per arm) and the measure OR, RR or RD".into(),
        )),
        Pooling::Peto if !(binary && opts.measure == Measure::PetoOR) => {
            Err(AnalysisError::Incompatible("Peto pooling needs binary data and the measure PETO_OR".into()))
        }
        _ if !(opts.level > 0.0 && opts.level < 1.0) => Err(AnalysisError::Incompatible(format!("the confidence level must lie between 0 and 1, found {}", opts.level))),
        _ => Ok(()),
    }
}
