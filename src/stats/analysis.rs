//! The analysis: study rows and options in, one complete [`Analysis`] out.
//!
//! `analyse` validates every study, computes the effect sizes, applies the model choice,
//! pools overall and per subgroup, and runs the requested small-study tests and sensitivity
//! analyses. It reads no file, clock or environment; caveats are returned as [`Warning`]s.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::bias::{self, Begg, Egger, EggerMetaRegression};
use super::computed::Computed;
use super::dist;
use super::effect::{self, CiRule, Continuity, Effect};
use super::fit::{self, CiMethod, Effects, ModelFit};
use super::i2_interval;
use super::mantel_haenszel::{self, CmhTest, Table};
use super::measure::{Measure, Scale, StudyData, StudyInput};
use super::model_rule::{self, DecisionReason, ModelChoice, ModelDecision};
use super::peto;
use super::prediction::{self, PredictionInterval, PredictionKind};
use super::qprofile::{self, Bound, HeterogeneityCi};
use super::regression::Design;
use super::subgroup::{self, SubgroupDifference};
use super::tau2::{Control, Tau2Method};
use super::trimfill::{self, TrimFill};

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
    /// True when a continuity correction was added to its cells
    /// ([`effect::increments`] gives the amounts).
    pub corrected: bool,
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
    /// The interval the report shows, if it exists.
    pub fn shown_interval(&self) -> Option<&PredictionInterval> {
        match self.shown {
            PredictionKind::Metafor => Some(&self.metafor),
            PredictionKind::HigginsT => self.higgins_t.value(),
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
    /// The studies left out.
    pub omitted: Vec<String>,
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
    /// All included studies pooled.
    pub overall: Pool,
    pub subgroups: Option<Subgroups>,
    pub bias: Option<BiasResults>,
    pub sensitivity: Sensitivity,
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

/// Runs the analysis.
pub fn analyse(inputs: Vec<StudyInput>, opts: &Options) -> Result<Analysis, AnalysisError> {
    if inputs.is_empty() {
        return Err(AnalysisError::NoStudies);
    }
    check_options(&inputs, opts)?;

    // Validate every study and report all problems at once.
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
    drop(by_name);
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
            &opts.continuity,
            &opts.ci_rule,
            any_zero,
        ) {
            Effect::Included(e) => studies.push(StudyResult {
                input: i,
                yi: e.yi,
                vi: e.vi,
                corrected: e.correction.is_some(),
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

    Ok(Analysis {
        measure: opts.measure,
        scale: opts.measure.scale(),
        options: opts.clone(),
        inputs,
        studies,
        excluded,
        overall,
        subgroups,
        bias,
        sensitivity,
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

fn pooled_of(c: &fit::Coefficient, df: Option<f64>) -> Pooled {
    Pooled {
        estimate: c.estimate,
        se: c.se,
        ci_lower: c.ci_lower,
        ci_upper: c.ci_upper,
        statistic: c.statistic,
        statistic_name: if df.is_some() { "t" } else { "z" },
        p: c.p,
        df,
    }
}

/// A pooled estimate from an estimate and its standard error with a Wald z test.
fn wald(estimate: f64, se: f64, level: f64) -> Pooled {
    let z = estimate / se;
    let crit = dist::z_crit(level);
    Pooled {
        estimate,
        se,
        ci_lower: estimate - crit * se,
        ci_upper: estimate + crit * se,
        statistic: z,
        statistic_name: "z",
        p: dist::p_two_sided_z(z),
        df: None,
    }
}

const ONE_STUDY: &str = "only one study: heterogeneity cannot be assessed";

impl Ctx<'_> {
    fn yv(&self, members: &[usize]) -> (Vec<f64>, Vec<f64>) {
        members
            .iter()
            .map(|&i| (self.inc[i].yi, self.inc[i].vi))
            .unzip()
    }

    fn name(&self, i: usize) -> &str {
        &self.inputs[self.inc[i].input].name
    }

    fn tables(&self, members: &[usize]) -> Vec<Table> {
        members
            .iter()
            .filter_map(|&i| match self.inputs[self.inc[i].input].data {
                StudyData::Binary {
                    events_t,
                    total_t,
                    events_c,
                    total_c,
                } => Some(Table {
                    a: events_t,
                    n1: total_t,
                    c: events_c,
                    n2: total_c,
                }),
                _ => None,
            })
            .collect()
    }

    /// Fits an inverse-variance model, falling back to DL when an iterative τ² estimator fails.
    fn fit_iv(
        &self,
        y: &[f64],
        v: &[f64],
        effects: Effects,
        warnings: &mut Vec<Warning>,
        context: &str,
    ) -> ModelFit {
        let o = self.opts;
        match fit::pool(y, v, effects, o.ci, o.level, &o.control) {
            Ok(f) => {
                if let Some(t) = f.tau2.filter(|t| t.bracketed) {
                    warnings.push(Warning {
                        code: "tau2_bracketed",
                        message: format!(
                            "{context}Fisher scoring for the {} estimator of τ² did not converge; \
                             its estimating equation was solved by bracketing the root instead",
                            t.method.name()
                        ),
                    });
                }
                f
            }
            Err(e) => {
                warnings.push(Warning {
                    code: "tau2_not_converged",
                    message: format!(
                        "{context}{e}; the DerSimonian–Laird estimator was used instead"
                    ),
                });
                fit::pool(
                    y,
                    v,
                    Effects::Random(Tau2Method::DL),
                    o.ci,
                    o.level,
                    &o.control,
                )
                .expect("the DL estimator is closed-form")
            }
        }
    }

    /// Pools one set of studies. `main` pools (overall, subgroups) get Q-profile intervals and
    /// weights; sensitivity refits do not.
    fn pool(
        &self,
        members: &[usize],
        main: bool,
        warnings: &mut Vec<Warning>,
        context: &str,
    ) -> Pool {
        let o = self.opts;
        let k = members.len();
        let (y, v) = self.yv(members);
        let tables = if o.pooling == Pooling::InverseVariance {
            Vec::new()
        } else {
            self.tables(members)
        };

        // The heterogeneity test that the model choice may depend on.
        let fixed_fit = self.fit_iv(&y, &v, Effects::Fixed, warnings, context);
        let mh = (o.pooling == Pooling::MantelHaenszel)
            .then(|| mantel_haenszel::mantel_haenszel(o.measure, &tables))
            .flatten();
        let pt = (o.pooling == Pooling::Peto)
            .then(|| peto::peto(&tables))
            .flatten();
        // Under Mantel–Haenszel, a study without events (or with only events) in both arms
        // counts in the MH risk difference but not in Q, nor in the τ² derived from Q: its
        // outcome is not computed (metafor's rma.mh, drop00 = TRUE). Elsewhere every study counts.
        let in_q: Vec<bool> = if mh.is_some() && o.continuity.exclude_double_zero {
            tables.iter().map(|t| !t.is_double_zero()).collect()
        } else {
            Vec::new() // every study counts
        };
        let (yq, vq): (Cow<[f64]>, Cow<[f64]>) = if in_q.iter().all(|keep| *keep) {
            (Cow::Borrowed(&y), Cow::Borrowed(&v))
        } else {
            let (a, b) = y
                .iter()
                .zip(&v)
                .zip(&in_q)
                .filter(|(_, keep)| **keep)
                .map(|((yi, vi), _)| (*yi, *vi))
                .unzip();
            (Cow::Owned(a), Cow::Owned(b))
        };
        let k_q = yq.len();
        let q = match (&mh, &pt) {
            (Some(m), _) => yq
                .iter()
                .zip(vq.iter())
                .map(|(yi, vi)| (yi - m.estimate).powi(2) / vi)
                .sum::<f64>(),
            (_, Some(p)) => p.q,
            _ => fixed_fit.q,
        };
        let q_df = k_q.saturating_sub(1);
        let q_p = (k_q >= 2).then(|| dist::chisq_sf(q, q_df as f64));
        let decision = model_rule::decide(o.model, o.tau2_method, q_p);

        let mut pooling = o.pooling;
        let mut cmh = None;
        let mut weights = None;
        let mut tau2_est = None;
        let mut random_fit = None;
        let pooled = match (decision.effects, o.pooling) {
            (None, _) => Computed::absent(
                "no pooled estimate: heterogeneity too high under the analysis's model rule",
            ),
            (Some(Effects::Fixed), Pooling::MantelHaenszel) => match &mh {
                Some(m) => {
                    weights = Some(m.weights_pct.clone());
                    if o.measure == Measure::OR {
                        cmh = mantel_haenszel::cmh_test(&tables);
                    }
                    Computed::Value(wald(m.estimate, m.se, o.level))
                }
                None => Computed::absent(
                    "the Mantel–Haenszel estimate does not exist: no events in one arm of every study",
                ),
            },
            (Some(Effects::Fixed), Pooling::Peto) => match &pt {
                Some(p) => {
                    weights = Some(p.weights_pct.clone());
                    Computed::Value(wald(p.estimate, p.se, o.level))
                }
                None => {
                    Computed::absent("Peto's method needs studies with both events and non-events")
                }
            },
            (Some(Effects::Fixed), Pooling::InverseVariance) => {
                weights = Some(fit::weights_pct(&v, 0.0));
                Computed::Value(pooled_of(fixed_fit.pooled(), fixed_fit.df))
            }
            (Some(effects @ Effects::Random(method)), _) => {
                let f = if o.pooling == Pooling::MantelHaenszel && k_q >= 2 {
                    // RevMan's "M-H, Random": DerSimonian–Laird τ² from the Q around the MH estimate.
                    if method != Tau2Method::DL && main && context.is_empty() {
                        warnings.push(Warning {
                            code: "mh_random_dl",
                            message: "Mantel–Haenszel random effects use the DerSimonian–Laird τ² from the Mantel–Haenszel Q (as RevMan)".into(),
                        });
                    }
                    let sw: f64 = vq.iter().map(|vi| 1.0 / vi).sum();
                    let sw2: f64 = vq.iter().map(|vi| 1.0 / (vi * vi)).sum();
                    let raw = (q - q_df as f64) / (sw - sw2 / sw);
                    if k_q == k {
                        mh_random_fit(&yq, &vq, raw, o, &fixed_fit)
                    } else {
                        let fixed_q = self.fit_iv(&yq, &vq, Effects::Fixed, warnings, context);
                        mh_random_fit(&yq, &vq, raw, o, &fixed_q)
                    }
                } else {
                    if o.pooling != Pooling::InverseVariance {
                        pooling = Pooling::InverseVariance;
                        if o.pooling == Pooling::Peto && main && context.is_empty() {
                            warnings.push(Warning {
                                code: "peto_random_iv",
                                message: "Peto's method is fixed-effect only (as in RevMan and metafor's rma.peto); under random effects the Peto log odds ratios were pooled by inverse variance".into(),
                            });
                        }
                    }
                    self.fit_iv(&y, &v, effects, warnings, context)
                };
                tau2_est = f.tau2;
                weights = Some(if pooling == Pooling::MantelHaenszel {
                    // Studies outside Q carry no weight in the MH random-effects pool.
                    let mut wq = fit::weights_pct(&vq, f.tau2_value()).into_iter();
                    (0..k)
                        .map(|i| {
                            if in_q.get(i).copied().unwrap_or(true) {
                                wq.next().unwrap_or(0.0)
                            } else {
                                0.0
                            }
                        })
                        .collect()
                } else {
                    fit::weights_pct(&v, f.tau2_value())
                });
                let p = pooled_of(f.pooled(), f.df);
                random_fit = Some(f);
                Computed::Value(p)
            }
        };
        if decision.effects.is_none() && k >= 2 {
            // Report τ² from the random-effects model the rule would otherwise use.
            let f = self.fit_iv(&y, &v, Effects::Random(o.tau2_method), warnings, context);
            tau2_est = f.tau2;
            random_fit = Some(f);
        }
        if o.ci == CiMethod::Hksj && k >= 2 && main && context.is_empty() {
            let applied = pooled.value().is_some_and(|p| p.df.is_some());
            let model = match decision.effects {
                Some(Effects::Fixed) => "fixed-effect",
                _ => "random-effects",
            };
            let message = match (decision.effects, applied) {
                (None, _) => None,
                (Some(Effects::Fixed), true) => Some("the Hartung–Knapp–Sidik–Jonkman interval is meant for random-effects models; it was applied to the fixed-effect model as asked (metafor warns likewise)".to_string()),
                (Some(_), true) => None,
                (Some(_), false) => Some(format!(
                    "the Hartung–Knapp–Sidik–Jonkman interval does not apply to {} {model} pooling; the Wald z interval is shown",
                    pooling.name()
                )),
            };
            if let Some(message) = message {
                warnings.push(Warning {
                    code: "hksj_not_random",
                    message,
                });
            }
        }
        if k == 1 && o.ci == CiMethod::Hksj && main && context.is_empty() {
            warnings.push(Warning {
                code: "hksj_single_study",
                message:
                    "one study: the Hartung–Knapp adjustment needs k ≥ 2; a z interval is shown"
                        .into(),
            });
        }

        let heterogeneity = if k < 2 {
            Computed::absent(ONE_STUDY)
        } else if k_q < 2 {
            Computed::absent(
                "fewer than two studies have events (and non-events) in some arm: heterogeneity around the Mantel–Haenszel estimate cannot be assessed",
            )
        } else {
            let tau2 = tau2_est.map_or(0.0, |t| t.tau2);
            let df = q_df as f64;
            let from_q = (
                if q > 0.0 {
                    (100.0 * (q - df) / q).max(0.0)
                } else {
                    0.0
                },
                q / df,
            );
            let (i2, h2) = match &random_fit {
                Some(f) if !o.i2_from_q => (f.i2, f.h2),
                _ => from_q,
            };
            let ci = match (&random_fit, main) {
                (Some(f), true) => {
                    match qprofile::q_profile(&y, &v, Design::Intercept, tau2, f.vt, o.level) {
                        Ok(mut ci) => {
                            if o.i2_ci == qprofile::I2Interval::HigginsThompson
                                && let Some((i2, h2)) =
                                    i2_interval::higgins_thompson(q, q_df, o.level)
                            {
                                ci.i2 = i2;
                                ci.h2 = h2;
                                ci.i2_method = qprofile::I2Interval::HigginsThompson;
                            }
                            if ci.upper_bound == Bound::SearchLimit && context.is_empty() {
                                warnings.push(Warning {
                                code: "qprofile_limit",
                                message: format!(
                                    "the upper Q-profile limit for τ² lies beyond the search interval (0 to {:.4}); as in metafor, the end of the interval is reported, as a lower bound for the limit",
                                    ci.search_limit
                                ),
                            });
                            }
                            Computed::Value(ci)
                        }
                        Err(e) => Computed::absent(format!(
                            "the Q-profile interval could not be computed: {e}"
                        )),
                    }
                }
                (Some(_), false) => Computed::absent("not computed for sensitivity refits"),
                (None, _) => Computed::absent("fixed-effect model: τ² is 0 by assumption"),
            };
            if let Some(t) = tau2_est
                && t.truncated
                && main
                && context.is_empty()
            {
                warnings.push(Warning {
                    code: "tau2_truncated",
                    message: format!(
                        "the {} estimate of τ² was negative or zero and was truncated at 0",
                        t.method.name()
                    ),
                });
            }
            Computed::Value(Heterogeneity {
                q,
                df: q_df,
                p: q_p.unwrap_or(1.0),
                tau2,
                tau: tau2.sqrt(),
                i2,
                h2,
                tau2_method: tau2_est.map(|t| t.method),
                tau2_truncated: tau2_est.is_some_and(|t| t.truncated),
                ci,
            })
        };

        let prediction = match (&random_fit, decision.effects) {
            (Some(f), Some(Effects::Random(_))) if k >= 2 => Computed::Value(Prediction {
                metafor: prediction::metafor(f, o.level),
                higgins_t: Computed::from_option(
                    prediction::higgins_t(f, o.level),
                    "the Higgins–Thompson–Spiegelhalter interval needs at least 3 studies",
                ),
                shown: o.prediction,
            }),
            (_, None) => Computed::absent("no pooled estimate"),
            (_, Some(Effects::Fixed)) => Computed::absent(
                "fixed-effect model: a prediction interval equals the confidence interval",
            ),
            _ => Computed::absent("a prediction interval needs at least 2 studies"),
        };

        Pool {
            k,
            pooling,
            decision,
            pooled,
            heterogeneity,
            prediction,
            cmh,
            weights_pct: if main { weights } else { None },
        }
    }

    fn subgroups(&self, warnings: &mut Vec<Warning>) -> Result<Subgroups, AnalysisError> {
        let group_of = |i: usize| {
            self.inputs[self.inc[i].input]
                .subgroup
                .as_deref()
                .unwrap_or_default()
        };
        let mut names: Vec<&str> = Vec::new();
        for i in 0..self.inc.len() {
            if !names.contains(&group_of(i)) {
                names.push(group_of(i));
            }
        }
        let members: Vec<Vec<usize>> = names
            .iter()
            .map(|g| (0..self.inc.len()).filter(|&i| group_of(i) == *g).collect())
            .collect();
        let common_tau2 = if self.opts.common_tau2 && names.len() >= 2 {
            Some(self.common_tau2(&members))
        } else {
            None
        };
        let mut groups = Vec::new();
        for (g, m) in names.iter().zip(&members) {
            let pool = match common_tau2 {
                Some(t2) => self.pool_with_tau2(m, t2),
                None => self.pool(m, true, warnings, &format!("subgroup {g}: ")),
            };
            groups.push(SubgroupResult {
                name: g.to_string(),
                studies: m.clone(),
                pool,
            });
        }
        let estimates: Vec<(f64, f64)> = groups
            .iter()
            .filter_map(|g| g.pool.pooled.value().map(|p| (p.estimate, p.se)))
            .collect();
        let difference = Computed::from_option(
            subgroup::difference(&estimates),
            "fewer than two subgroups have a pooled estimate",
        );
        Ok(Subgroups {
            groups,
            difference,
            common_tau2,
        })
    }

    /// τ² from the mixed-effects model with one coefficient per subgroup.
    fn common_tau2(&self, members: &[Vec<usize>]) -> f64 {
        let n = self.inc.len();
        let p = members.len();
        let mut x = vec![0.0; n * p];
        let mut order = Vec::with_capacity(n);
        for (g, m) in members.iter().enumerate() {
            for &i in m {
                x[order.len() * p + g] = 1.0;
                order.push(i);
            }
        }
        let (y, v) = self.yv(&order);
        super::tau2::estimate(
            self.opts.tau2_method,
            &y,
            &v,
            Design::Matrix { p, x: &x },
            &self.opts.control,
        )
        .map_or(0.0, |t| t.tau2)
    }

    /// A subgroup pooled with a given (common) τ².
    fn pool_with_tau2(&self, members: &[usize], tau2: f64) -> Pool {
        let o = self.opts;
        let (y, v) = self.yv(members);
        let k = members.len();
        let w: Vec<f64> = v.iter().map(|vi| 1.0 / (vi + tau2)).collect();
        let sw: f64 = w.iter().sum();
        let est = y.iter().zip(&w).map(|(yi, wi)| yi * wi).sum::<f64>() / sw;
        let fixed = fit::pool(&y, &v, Effects::Fixed, CiMethod::Z, o.level, &o.control)
            .expect("fixed-effect fits cannot fail");
        let heterogeneity = if k < 2 {
            Computed::absent(ONE_STUDY)
        } else {
            let vt = fixed.vt;
            Computed::Value(Heterogeneity {
                q: fixed.q,
                df: k - 1,
                p: fixed.q_p,
                tau2,
                tau: tau2.sqrt(),
                i2: 100.0 * tau2 / (vt + tau2),
                h2: tau2 / vt + 1.0,
                tau2_method: Some(o.tau2_method),
                tau2_truncated: tau2 == 0.0,
                ci: Computed::absent("τ² is shared by all subgroups"),
            })
        };
        Pool {
            k,
            pooling: Pooling::InverseVariance,
            decision: ModelDecision {
                effects: Some(Effects::Random(o.tau2_method)),
                reason: DecisionReason::AsSpecified,
                rule_q_p: None,
            },
            pooled: Computed::Value(wald(est, (1.0 / sw).sqrt(), o.level)),
            heterogeneity,
            prediction: Computed::absent("not computed with a common τ²"),
            cmh: None,
            weights_pct: Some(w.iter().map(|wi| 100.0 * wi / sw).collect()),
        }
    }

    fn bias(&self, overall: &Pool, warnings: &mut Vec<Warning>) -> Option<BiasResults> {
        let b = self.opts.bias;
        if !(b.egger || b.begg || b.trim_and_fill) {
            return None;
        }
        let o = self.opts;
        let k = self.inc.len();
        let (y, v) = self.yv(&(0..k).collect::<Vec<_>>());
        let effects = overall
            .decision
            .effects
            .unwrap_or(Effects::Random(o.tau2_method));
        let few = if k < 3 {
            "needs at least 3 studies"
        } else {
            "every study has the same effect: the test is undefined"
        };
        if b.egger && k < 10 {
            warnings.push(Warning {
                code: "egger_few_studies",
                message: format!("Egger's test with {k} studies (fewer than 10) has low power (Sterne et al. 2011)"),
            });
        }
        fn model_based<T, E: std::fmt::Display>(r: Result<Option<T>, E>) -> Computed<T> {
            match r {
                Ok(Some(x)) => Computed::Value(x),
                Ok(None) => Computed::absent("needs at least 3 studies"),
                Err(e) => Computed::absent(format!("could not be fitted: {e}")),
            }
        }
        Some(BiasResults {
            effects,
            egger: b
                .egger
                .then(|| Computed::from_option(bias::egger(&y, &v), few)),
            egger_meta_regression: b.egger.then(|| {
                model_based(bias::egger_meta_regression(
                    &y, &v, effects, o.ci, o.level, &o.control,
                ))
            }),
            begg: b
                .begg
                .then(|| Computed::from_option(bias::begg(&y, &v), few)),
            trim_and_fill: b.trim_and_fill.then(|| {
                model_based(trimfill::trim_and_fill(
                    &y,
                    &v,
                    effects,
                    o.ci,
                    o.level,
                    &o.control,
                    b.trimfill_control.as_ref().unwrap_or(&o.control),
                ))
            }),
        })
    }

    fn index_of(&self, names: &[String], context: &str) -> Result<Vec<usize>, AnalysisError> {
        let unknown: Vec<String> = names
            .iter()
            .filter(|n| !self.inputs.iter().any(|s| &s.name == *n))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(AnalysisError::UnknownStudies {
                context: context.to_string(),
                names: unknown,
            });
        }
        // Names of excluded studies (e.g. double zeros) are known but have no position.
        Ok(names
            .iter()
            .filter_map(|n| (0..self.inc.len()).find(|&i| self.name(i) == n))
            .collect())
    }

    fn sensitivity(&self, warnings: &mut Vec<Warning>) -> Result<Sensitivity, AnalysisError> {
        let s = &self.opts.sensitivity;
        let k = self.inc.len();
        let mut out = Sensitivity::default();
        if s.leave_one_out && k >= 2 {
            out.leave_one_out = Some(
                (0..k)
                    .map(|i| {
                        let members: Vec<usize> = (0..k).filter(|&j| j != i).collect();
                        let name = self.name(i).to_string();
                        let pool =
                            self.pool(&members, false, warnings, &format!("leaving out {name}: "));
                        SensitivityRow {
                            label: name.clone(),
                            omitted: vec![name],
                            pool,
                        }
                    })
                    .collect(),
            );
        }
        if let Some(order) = &s.cumulative {
            // Excluded studies (e.g. double zeros) are skipped; unknown names are errors.
            let idx = self.index_of(order, "cumulative order")?;
            let mut rows = Vec::new();
            for j in 1..=idx.len() {
                let members = &idx[..j];
                let last = self.name(idx[j - 1]).to_string();
                let pool = self.pool(members, false, warnings, &format!("cumulative to {last}: "));
                let omitted = idx[j..].iter().map(|&i| self.name(i).to_string()).collect();
                rows.push(SensitivityRow {
                    label: last,
                    omitted,
                    pool,
                });
            }
            out.cumulative = Some(rows);
        }
        for set in &s.exclusions {
            let leave = self.index_of(
                &set.studies,
                &format!("sensitivity analysis \"{}\"", set.label),
            )?;
            let members: Vec<usize> = (0..k).filter(|i| !leave.contains(i)).collect();
            if members.is_empty() {
                return Err(AnalysisError::Incompatible(format!(
                    "sensitivity analysis \"{}\" leaves no study",
                    set.label
                )));
            }
            let pool = self.pool(&members, false, warnings, &format!("{}: ", set.label));
            out.exclusions.push(SensitivityRow {
                label: set.label.clone(),
                omitted: set.studies.clone(),
                pool,
            });
        }
        Ok(out)
    }
}

/// Random-effects fit with a given raw DL τ² (RevMan's Mantel–Haenszel random effects).
fn mh_random_fit(y: &[f64], v: &[f64], raw_tau2: f64, o: &Options, fixed: &ModelFit) -> ModelFit {
    let tau2 = raw_tau2.max(0.0);
    let w: Vec<f64> = v.iter().map(|vi| 1.0 / (vi + tau2)).collect();
    let sw: f64 = w.iter().sum();
    let est = y.iter().zip(&w).map(|(yi, wi)| yi * wi).sum::<f64>() / sw;
    let p = wald(est, (1.0 / sw).sqrt(), o.level);
    ModelFit {
        k: y.len(),
        coefficients: vec![fit::Coefficient {
            estimate: p.estimate,
            se: p.se,
            statistic: p.statistic,
            p: p.p,
            ci_lower: p.ci_lower,
            ci_upper: p.ci_upper,
        }],
        df: None,
        tau2: Some(super::tau2::Tau2Estimate {
            tau2,
            method: Tau2Method::DL,
            iterations: None,
            bracketed: false,
            truncated: raw_tau2 <= 0.0,
        }),
        q: fixed.q,
        q_df: fixed.q_df,
        q_p: fixed.q_p,
        vt: fixed.vt,
        i2: 100.0 * tau2 / (fixed.vt + tau2),
        h2: tau2 / fixed.vt + 1.0,
        s2w: 1.0,
    }
}
