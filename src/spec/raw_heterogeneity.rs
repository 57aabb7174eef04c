//! The spec's sections for explaining heterogeneity, as written: `meta_regression:`,
//! `influence:` and `gosh:` of an outcome (re-exported from `raw.rs`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::stats::Tau2Method;

/// Meta-regression of the outcome's effects on study characteristics (moderators), as R
/// metafor's `rma(yi, vi, mods = ~ …)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMetaRegression {
    /// Columns of the outcome's data. Numeric columns enter as they are (continuous), text
    /// columns as categories: one dummy variable for each level but the reference level.
    pub moderators: Vec<String>,
    /// Numeric columns to treat as categories (e.g. a design coded 1, 2, 3).
    pub categorical: Option<Vec<String>>,
    /// The reference level of each categorical moderator, e.g. `{allocation: random}`
    /// (default: the first level in alphabetical order, as R's `factor`).
    pub reference: Option<BTreeMap<String, String>>,
    /// Centre continuous moderators: `mean` (every one at its mean over the studies), or per
    /// column a value or `mean`, e.g. `{year: 1970, latitude: mean}`. Changes the intercept only.
    pub centre: Option<RawCentre>,
    /// How the text and the figures name each moderator, e.g. `{latitude: absolute latitude}`
    /// (default: the column name).
    pub labels: Option<BTreeMap<String, String>>,
    /// `random` (mixed-effects meta-regression; default) or `fixed`.
    pub effects: Option<RawRegressionEffects>,
    /// τ² estimator of the residual heterogeneity (default: the outcome's).
    pub tau2: Option<Tau2Method>,
    /// Tests of the coefficients: `z` (Wald; default) or `knha` (Knapp & Hartung: t and F tests).
    pub test: Option<RawRegressionTest>,
    /// A permutation test of the moderators (metafor's `permutest`).
    pub permutation: Option<RawPermutation>,
    /// Bubble plots: draw the 95% prediction band as well as the confidence band.
    pub prediction_band: Option<bool>,
}

/// `mean`, or a centre per column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawCentre {
    /// Every continuous moderator at its mean.
    All(RawMean),
    /// Per column: a value or `mean`.
    PerColumn(BTreeMap<String, RawCentreValue>),
}

/// A centre: a value, or `mean`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawCentreValue {
    /// At the mean over the studies.
    Mean(RawMean),
    /// At this value.
    Value(f64),
}

/// The word `mean`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawMean {
    Mean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawRegressionEffects {
    Random,
    Fixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawRegressionTest {
    /// Wald z tests, χ² test of the moderators.
    Z,
    /// Knapp–Hartung: t tests with k − p degrees of freedom, F test of the moderators.
    Knha,
}

/// A permutation test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPermutation {
    /// Number of permutations (the observed data count as one); when all distinct permutations
    /// are fewer, all are used (an exact test).
    #[schemars(range(min = 2, max = 100000))]
    pub iterations: u64,
    /// Seed of the random permutations (default 1); recorded in the results.
    pub seed: Option<u64>,
}

/// GOSH: the model fitted to subsets of the studies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGosh {
    /// `all` (every non-empty subset; at most 22 studies) or a number of random subsets
    /// (default `all`).
    pub subsets: Option<RawSubsets>,
    /// Seed of the random subsets (default 1); recorded in the results.
    pub seed: Option<u64>,
}

/// `all`, or a number of subsets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawSubsets {
    /// Every subset.
    All(RawAll),
    /// A random sample of this many subsets.
    Count(#[schemars(range(min = 2, max = 4194304))] u64),
}

/// The word `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawAll {
    All,
}
