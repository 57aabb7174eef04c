//! The review spec as written: a serde mirror of the YAML, with its JSON Schema.
//!
//! Nothing here is interpreted; `resolve.rs` turns a [`RawSpec`] into a validated
//! [`super::Spec`]. Doc comments become the schema's descriptions (`metareport schema`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::raw_conversions::*;
pub use super::raw_defaults::*;
pub use super::raw_multi_arm::*;
pub use super::raw_rob::*;
pub use super::raw_sof::*;
use crate::stats::{Measure, Tau2Method};

pub use super::raw_heterogeneity::*;
pub use super::submission::{RawColumnWidth, RawPrismaChecklist, RawSubmission, RawWidth};

/// A systematic review: its studies, PRISMA flow, outcomes and manuscript.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    /// The review's title.
    pub title: String,
    /// A short title for running heads and the combined report.
    pub short_title: Option<String>,
    /// Authors, as they should be printed.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Where the data come from (citation of the published data set).
    pub source: Option<String>,
    /// Statements printed in the report as they are (e.g. what data are not public).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Named set of defaults to start from: `metafor` (REML, Wald z) or `revman5` (DL,
    /// Mantel–Haenszel for binary data, SE from CI with 3.92).
    pub preset: Option<RawPreset>,
    /// Review-wide model settings; each outcome may override them.
    pub defaults: Option<RawDefaults>,
    /// The included studies' characteristics (Table 1).
    pub studies: Option<RawStudies>,
    /// Counts for the PRISMA 2020 flow diagram.
    pub prisma: Option<RawPrisma>,
    /// The outcomes to meta-analyse.
    #[serde(default)]
    pub outcomes: Vec<RawOutcome>,
    /// Baseline characteristics pooled across studies (a supplementary table).
    pub baseline: Option<RawBaseline>,
    /// What the manuscript shows and how.
    pub manuscript: Option<RawManuscript>,
    /// The journal submission package: Word manuscript, figures to a journal's rules, PRISMA
    /// checklist (written to `out/<review>/submission/` only when this is given).
    pub submission: Option<RawSubmission>,
    /// Locations of PRISMA 2020 checklist items in the authors' own text, by item number.
    pub prisma_checklist: Option<RawPrismaChecklist>,
    /// The appraisal of the included studies' risk of bias or quality.
    pub risk_of_bias: Option<RawRiskOfBias>,
    /// The GRADE Summary of Findings table: absolute effects and the certainty of the evidence.
    pub summary_of_findings: Option<RawSummaryOfFindings>,
}

/// A preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawPreset {
    /// R metafor's defaults: inverse variance, REML, Wald z, metafor's prediction interval.
    Metafor,
    /// RevMan 5: Mantel–Haenszel for binary data, DerSimonian–Laird, I² from Q, SE from CI
    /// with 3.92, no prediction interval.
    Revman5,
}

/// Model settings (each optional; unset settings come from the review defaults, then the preset).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    /// `inverse-variance`, `mantel-haenszel` (binary OR/RR/RD) or `peto` (PETO_OR).
    pub pooling: Option<RawPooling>,
    /// `fixed`, `random`, or `rule`: decide from the heterogeneity test (see `rule`).
    pub effects: Option<RawEffects>,
    /// Thresholds of the heterogeneity rule.
    pub rule: Option<RawRule>,
    /// τ² estimator for random effects.
    pub tau2: Option<Tau2Method>,
    /// Test and interval of the pooled effect: `z` (Wald) or `hksj` (Hartung–Knapp–Sidik–Jonkman).
    pub ci: Option<RawCi>,
    /// Prediction interval to show: `metafor`, `higgins-t` or `none`.
    pub prediction: Option<RawPrediction>,
    /// I² from τ² (metafor) or from Q (RevMan, Higgins & Thompson 2002).
    pub i2: Option<RawI2>,
    /// Confidence interval of I² and H²: `q-profile` (from the Q-profile interval of τ²,
    /// metafor) or `higgins-thompson` (the test-based interval of Higgins & Thompson 2002, as
    /// R's meta).
    pub i2_ci: Option<crate::stats::qprofile::I2Interval>,
    /// Confidence level, e.g. 0.95.
    pub level: Option<f64>,
    /// Zero-cell correction for binary data.
    pub continuity: Option<RawContinuity>,
    /// Standard error from a reported 95% CI: `exact` (width / (2 × 1.959964)) or `revman`
    /// (width / 3.92).
    pub se_from_ci: Option<RawSeFromCi>,
    /// Standardised mean difference: `exact` (Hedges' g with the exact correction and
    /// metafor's variance) or `revman` (RevMan 5: J = 1 − 3/(4N − 9), SE² = N/(n₁n₂) +
    /// g²/(2(N − 3.94))). The revman5 preset sets `revman`.
    pub smd: Option<crate::stats::smd_revman::SmdMethod>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawPooling {
    InverseVariance,
    MantelHaenszel,
    Peto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawEffects {
    Fixed,
    Random,
    Rule,
}

/// The heterogeneity rule: fixed effect when p ≥ `fixed_if_p_at_least`, random effects
/// between the thresholds, no pooled estimate when p < `no_pooling_if_p_below`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// The fixed-effect model when the heterogeneity test's p is at least this (0.5).
    pub fixed_if_p_at_least: f64,
    /// No pooled estimate when the heterogeneity test's p is below this (0.05).
    pub no_pooling_if_p_below: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawCi {
    Z,
    Hksj,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawPrediction {
    Metafor,
    HigginsT,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawI2 {
    FromTau2,
    FromQ,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawSeFromCi {
    Exact,
    Revman,
}

/// Zero-cell (continuity) correction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawContinuity {
    /// Increment added to each cell (0.5).
    pub add: Option<f64>,
    /// Which studies: `only-zero` (default), `all`, `all-if-any-zero`, `none`.
    pub to: Option<RawCorrectTo>,
    /// `constant` (default) or `treatment-arm` (Sweeting et al. 2004).
    pub kind: Option<RawCorrectionKind>,
    /// Studies without events (or only events) in both arms: `exclude` (default) or `include`.
    pub double_zero: Option<RawDoubleZero>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawCorrectTo {
    OnlyZero,
    All,
    AllIfAnyZero,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawCorrectionKind {
    Constant,
    TreatmentArm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawDoubleZero {
    Exclude,
    Include,
}

/// A table of rows: from a CSV/XLSX file (path relative to the spec) or written inline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStudies {
    /// CSV or XLSX file, relative to the spec.
    pub data: Option<String>,
    /// Worksheet, for XLSX files (default: the first).
    pub sheet: Option<String>,
    /// Rows written inline instead of a file.
    pub rows: Option<Vec<BTreeMap<String, serde_json::Value>>>,
    /// The column holding the study label (default `study`).
    pub id: Option<String>,
    /// The columns Table 1 shows, in order (default: all); the study label (`id`) is always
    /// the first column, headed "Study" unless listed here with a header.
    pub columns: Option<Vec<RawColumn>>,
    /// Table caption.
    pub caption: Option<String>,
    /// Footnote under the table (abbreviations).
    pub footnote: Option<String>,
}

/// A column of Table 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    /// Column name in the data.
    pub column: String,
    /// Header printed in the table (default: the column name).
    pub header: Option<String>,
}

/// PRISMA 2020 flow counts; boxes whose counts are not given are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPrisma {
    /// Records identified from databases.
    pub databases: Option<u64>,
    /// The databases searched, for the box text.
    pub database_names: Option<Vec<String>>,
    /// Records identified from registers.
    pub registers: Option<u64>,
    /// Records identified by other methods (hand search, citation search).
    pub other_methods: Option<u64>,
    /// Duplicate records removed before screening.
    pub duplicates_removed: Option<u64>,
    /// Records marked ineligible by automation tools.
    pub automation_removed: Option<u64>,
    /// Records removed for other reasons.
    pub other_removed: Option<u64>,
    /// Records screened (title/abstract).
    pub screened: Option<u64>,
    /// Records excluded at screening.
    pub screened_excluded: Option<u64>,
    /// Reports sought for retrieval.
    pub sought: Option<u64>,
    /// Reports not retrieved.
    pub not_retrieved: Option<u64>,
    /// Reports assessed for eligibility (full text).
    pub assessed: Option<u64>,
    /// Reports excluded at full text, with reasons.
    pub excluded: Option<Vec<RawReason>>,
    /// Studies included in the review.
    pub included_studies: Option<u64>,
    /// Reports of included studies.
    pub included_reports: Option<u64>,
    /// Figure caption.
    pub caption: Option<String>,
}

/// A reason for exclusion with its count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReason {
    /// The reason, as the box prints it.
    pub reason: String,
    /// The number of reports excluded for it.
    pub n: u64,
}

/// Kinds of study data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawInput {
    /// events_t, total_t, events_c, total_c
    Binary,
    /// mean_t, sd_t, n_t, mean_c, sd_c, n_c
    Continuous,
    /// estimate, lower, upper (ratio scale for ratio measures)
    EstimateCi,
    /// r, n
    Correlation,
    /// yi, vi (analysis scale)
    YiVi,
    /// yi, se (analysis scale)
    YiSe,
    /// events, total of one group (proportions: PR, PLO, PAS, PFT)
    Proportion,
    /// events, time of one group (incidence rates: IR, IRLN)
    Rate,
    /// events_t, time_t, events_c, time_c (IRR, IRD)
    Rates,
    /// mean, sd, n of one group (MN)
    Mean,
}

/// One outcome: its data, how it is pooled, and how it is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOutcome {
    /// Identifier used in file names and figure references (letters, digits, `-`, `_`).
    pub id: String,
    /// The outcome's name as printed ("In-hospital mortality").
    pub title: String,
    /// CSV or XLSX file with one row per study, relative to the spec.
    pub data: Option<String>,
    /// Worksheet, for XLSX files.
    pub sheet: Option<String>,
    /// Rows written inline instead of a file.
    pub rows: Option<Vec<BTreeMap<String, serde_json::Value>>>,
    /// The kind of data (default: inferred from the columns present).
    pub input: Option<RawInput>,
    /// Standard name → column in the data, where they differ (e.g. `estimate: or`).
    pub columns: Option<BTreeMap<String, String>>,
    /// Study label built from columns, e.g. `"{study} {year}"` (default: the `study` column).
    pub label: Option<String>,
    /// Two rows with the same label: `error` (default; the message proposes a label that
    /// tells them apart) or `suffix` (a letter in row order: "Breddin 1980a", "Breddin 1980b").
    pub duplicate_labels: Option<crate::data::studies::DuplicatePolicy>,
    /// A row whose outcome cells are all empty or `NA`: `exclude` (default; the study is
    /// listed as not reporting the outcome and left out of the pooling, as RevMan) or `error`.
    pub missing: Option<crate::data::studies::MissingPolicy>,
    /// Multi-arm trials (rows sharing a study label, one per experimental arm, with the same
    /// control group): `{method: split}` or `{method: combine}`, and the `arm` column.
    pub multi_arm: Option<RawMultiArm>,
    /// Effect measure.
    pub measure: Measure,
    /// Show single-group proportions per this many participants and incidence rates (and rate
    /// differences) per this many units of person-time: `100`, `1000`, … (metaprop's `pscale`,
    /// metarate's `irscale`). Forest plot, tables, prose; results.json keeps both.
    pub per: Option<f64>,
    /// The unit of the person-time column of rates (IR, IRLN, IRR, IRD): `days`, `weeks`,
    /// `months` or `years`, printed as "per 1,000 person-years".
    pub person_time: Option<crate::stats::per_scale::TimeUnit>,
    /// How values reported instead of mean/SD (medians, SEs, CIs, ...) are converted.
    pub conversions: Option<RawConversions>,
    /// Model settings for this outcome.
    pub model: Option<RawModel>,
    /// Subgroup analysis.
    pub subgroups: Option<RawSubgroups>,
    /// Sensitivity analyses.
    pub sensitivity: Option<RawSensitivity>,
    /// Small-study effects.
    pub small_study: Option<RawSmallStudy>,
    /// Forest plot options.
    pub forest: Option<RawForest>,
    /// Funnel plot options.
    pub funnel: Option<RawFunnel>,
    /// Meta-regression on study characteristics (moderators), with bubble plots.
    pub meta_regression: Option<RawMetaRegression>,
    /// Influence diagnostics of each study (metafor's `influence`), with a Baujat plot.
    pub influence: Option<bool>,
    /// GOSH plot: the model fitted to every subset of studies, or to a random sample of them.
    pub gosh: Option<RawGosh>,
    /// This outcome's own risk-of-bias table (RoB 2 judges each result), replacing the review's.
    pub risk_of_bias: Option<RawRiskOfBias>,
}

/// Subgroups from a column of the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSubgroups {
    /// The column holding each study's subgroup.
    pub column: Option<String>,
    /// Subgroups by risk of bias instead of a column: `overall` or a domain's code (`D3`).
    pub risk_of_bias: Option<String>,
    /// Order of the subgroups (default: first appearance).
    pub order: Option<Vec<String>>,
    /// One τ² shared by all subgroups instead of one per subgroup.
    pub common_tau2: Option<bool>,
    /// What the subgroups are, for the text ("study design").
    pub label: Option<String>,
}

/// Sensitivity analyses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSensitivity {
    /// Leave each study out in turn (with its own forest plot).
    pub leave_one_out: Option<bool>,
    /// Cumulative meta-analysis, adding studies in the order of a column.
    pub cumulative: Option<RawCumulative>,
    /// Pool after excluding named studies.
    pub exclude: Option<Vec<RawExclusion>>,
    /// Pool without the studies of some risk-of-bias judgements.
    pub risk_of_bias: Option<RawRobSensitivity>,
}

/// Cumulative meta-analysis order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCumulative {
    /// Column to sort by (e.g. `year`); studies keep their data order when omitted.
    pub by: Option<String>,
    /// Sort in decreasing order.
    pub descending: Option<bool>,
}

/// A set of studies to exclude.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExclusion {
    /// The study labels to leave out.
    pub studies: Vec<String>,
    /// How the text names this analysis (default "excluding …").
    pub label: Option<String>,
}

/// Small-study tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSmallStudy {
    /// Egger's regression test.
    pub egger: Option<bool>,
    /// Begg's rank correlation test.
    pub begg: Option<bool>,
    /// Trim-and-fill.
    pub trim_and_fill: Option<bool>,
    /// The fewest studies with which the tests above are run (default 10, as the Cochrane
    /// Handbook, chapter 13, and Sterne et al. 2011 advise: with fewer the tests have too
    /// little power). With fewer studies the text says why they were not run; set a lower
    /// number (at least 3) to run them anyway, with the caveat in the sentence.
    pub min_studies: Option<u32>,
}

/// Forest plot options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawForest {
    /// Labels under the axis: [left, right], e.g. ["Favours IABP", "Favours control"].
    pub favours: Option<Vec<String>>,
    /// Names of the two arms: [experimental, control].
    pub arms: Option<Vec<String>>,
    /// Axis limits on the presentation scale, e.g. [0.01, 100].
    pub limits: Option<Vec<f64>>,
    /// Axis ticks on the presentation scale.
    pub ticks: Option<Vec<f64>>,
    /// Draw the prediction interval under the total.
    pub prediction_bar: Option<bool>,
    /// Risk-of-bias columns at the right: one judgement per domain and study.
    pub risk_of_bias: Option<bool>,
    /// Figure caption.
    pub caption: Option<String>,
    /// Decimals of the data columns, e.g. `{mean: 1, sd: 2}` (keys: `events`, `total`, `mean`,
    /// `sd`, `n`, `r`, `yi`, `se`; both arms alike). Default: as entered, the most decimals any
    /// value of the column has (at most 4).
    pub decimals: Option<BTreeMap<String, u8>>,
}

/// Funnel plot options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFunnel {
    /// Draw a funnel plot (default: when small-study tests are requested, or contours,
    /// trim-and-fill or Egger's line are asked for here).
    pub show: Option<bool>,
    /// Shade contours of significance (p < 0.01, 0.05, 0.10).
    pub contours: Option<bool>,
    /// Show trim-and-fill's filled studies as open circles.
    pub trim_and_fill: Option<bool>,
    /// Draw Egger's regression line.
    pub egger_line: Option<bool>,
    /// Figure caption.
    pub caption: Option<String>,
}

/// Baseline characteristics: one row per study and characteristic, with counts
/// (events_t, total_t, events_c, total_c) or means (mean_t, sd_t, n_t, mean_c, sd_c, n_c).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBaseline {
    /// CSV or XLSX file, relative to the spec.
    pub data: Option<String>,
    /// Worksheet, for XLSX files.
    pub sheet: Option<String>,
    /// Rows written inline instead of a file.
    pub rows: Option<Vec<BTreeMap<String, serde_json::Value>>>,
    /// Column naming the characteristic (default `characteristic`).
    pub characteristic: Option<String>,
    /// Yates' continuity correction in the χ² test (default false).
    pub yates: Option<bool>,
    /// Table caption.
    pub caption: Option<String>,
}

/// Manuscript layout.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawManuscript {
    /// `plain` (default) or `journal` (numbered headings, Vancouver references, two-level captions).
    pub style: Option<RawStyle>,
    /// The figures, in order (default: PRISMA, then each outcome's forest and funnel plots).
    pub figures: Option<Vec<RawFigure>>,
    /// The tables, in order (default: studies, summary, baseline — those that exist).
    pub tables: Option<Vec<RawTable>>,
    /// The reproducibility record (metareport's version, preset, and the BLAKE3 hash of every
    /// input file): `appendix` (default; after the references) or `none` (left out of the
    /// manuscript; `report.pdf` keeps it in its appendix).
    pub reproducibility: Option<RawReproducibility>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawReproducibility {
    Appendix,
    None,
}

/// A table of the manuscript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    /// `studies` (study characteristics), `summary` (pooled results), `baseline`,
    /// `risk-of-bias` (judgements or stars per study).
    pub kind: RawTableKind,
    /// Caption (default: the one given with the data, or a generated one).
    pub caption: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawTableKind {
    Studies,
    Summary,
    Baseline,
    RiskOfBias,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawStyle {
    Plain,
    Journal,
}

/// A figure of the manuscript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFigure {
    /// `prisma`, `forest`, `funnel`, `leave-one-out`, `cumulative`, `bubble` (meta-regression),
    /// `baujat` (influence), `gosh`.
    pub kind: RawFigureKind,
    /// The outcome(s) shown; several outcomes make stacked panels A, B, … (forest only).
    pub outcomes: Option<Vec<String>>,
    /// Forest plots: `subgroups` draws each subgroup as its own panel with its own total (as
    /// the unmatched and matched cohorts of a review); default: one plot with subtotals.
    pub panels: Option<RawPanels>,
    /// Caption (default: generated).
    pub caption: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawPanels {
    Outcomes,
    Subgroups,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawFigureKind {
    Prisma,
    Forest,
    Funnel,
    LeaveOneOut,
    Cumulative,
    Bubble,
    Baujat,
    Gosh,
    /// The risk-of-bias traffic-light plot (study × domain).
    RiskOfBias,
    /// The risk-of-bias summary plot (share of judgements per domain).
    RiskOfBiasSummary,
}
