//! The spec's `summary_of_findings:` section, as written (serde mirror, with its schema): the
//! GRADE Summary of Findings table (Cochrane Handbook chapter 14) and the authors' certainty
//! judgements.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A GRADE Summary of Findings table: one row per outcome (at most seven), the absolute
/// effects computed from the pooled relative effects, the certainty as the authors judged it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSummaryOfFindings {
    /// The intervention, as the table and the prose name it (default: the first outcome's
    /// experimental arm, `forest.arms`).
    pub intervention: Option<String>,
    /// The comparison (default: the first outcome's control arm).
    pub comparator: Option<String>,
    /// "Patient or population".
    pub population: Option<String>,
    /// "Setting".
    pub setting: Option<String>,
    /// The table's caption.
    pub caption: Option<String>,
    /// The outcomes, in the table's order (at most seven).
    pub outcomes: Vec<RawSofOutcome>,
}

/// One row of the Summary of Findings table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSofOutcome {
    /// The outcome's `id`.
    pub outcome: String,
    /// Follow-up, printed under the outcome ("follow-up: 28 days").
    pub follow_up: Option<String>,
    /// The assumed control risk (binary outcomes): `median-control` (the median control-group
    /// risk of the studies, the default), `pooled-control` (their events over their
    /// participants), a proportion (`0.3`), several (`[0.05, 0.3]`), or named populations
    /// (`{low: 0.05, high: 0.3}`).
    pub assumed_risk: Option<RawAssumedRisk>,
    /// The smallest effect that matters, for the prose's statements: per 1,000 people for
    /// binary outcomes, in the measure's units for continuous ones (default 0).
    pub threshold: Option<f64>,
    /// SMD outcomes: re-express the SMD in the units of a named scale with this SD.
    pub scale: Option<RawSofScale>,
    /// The "Comments" cell.
    pub comment: Option<String>,
    /// The authors' GRADE judgements (without them the table has no certainty column).
    pub certainty: Option<RawCertainty>,
}

/// The assumed control risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawAssumedRisk {
    /// `median-control` or `pooled-control`.
    From(RawRiskSource),
    /// One proportion.
    One(f64),
    /// Several proportions (one row each).
    Several(Vec<f64>),
    /// Named populations, e.g. `{low: 0.05, high: 0.3}`.
    Named(BTreeMap<String, f64>),
}

/// Where the assumed control risk comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawRiskSource {
    /// The median of the studies' control-group risks.
    MedianControl,
    /// Control events over control participants, summed over the studies.
    PooledControl,
}

/// A scale to re-express an SMD in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSofScale {
    /// Its name ("the Hamilton Depression Rating Scale").
    pub name: String,
    /// Its standard deviation in a representative population (> 0).
    pub sd: f64,
    /// Its units ("points", the default).
    pub units: Option<String>,
}

/// The GRADE judgements of one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCertainty {
    /// Where the evidence starts: `high` (randomised trials, or ROBINS-I) or `low`
    /// (observational studies).
    pub start: RawStart,
    pub risk_of_bias: Option<RawDowngrade>,
    pub inconsistency: Option<RawDowngrade>,
    pub indirectness: Option<RawDowngrade>,
    pub imprecision: Option<RawDowngrade>,
    pub publication_bias: Option<RawDowngrade>,
    /// Upgrade (evidence that starts low): a large (+1) or very large (+2) effect.
    pub large_effect: Option<RawUpgrade>,
    /// Upgrade: a dose-response gradient (+1).
    pub dose_response: Option<RawUpgrade>,
    /// Upgrade: all plausible confounding would reduce the effect (+1).
    pub plausible_confounding: Option<RawUpgrade>,
}

/// Where the certainty starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawStart {
    High,
    Low,
}

/// A judgement on a downgrading domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDowngrade {
    /// `no` (not serious), `serious` (−1) or `very-serious` (−2).
    pub rating: RawConcern,
    /// Why (required for `serious` and `very-serious`; printed as the table's footnote).
    pub reason: Option<String>,
}

/// A downgrading domain's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawConcern {
    No,
    Serious,
    VerySerious,
}

/// A judgement on an upgrading domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUpgrade {
    /// `no`, `yes` (+1), or for a large effect `very-large` (+2).
    pub rating: RawUpgradeRating,
    /// Why (required when it upgrades; printed as the table's footnote).
    pub reason: Option<String>,
}

/// An upgrading domain's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawUpgradeRating {
    No,
    Yes,
    VeryLarge,
}
