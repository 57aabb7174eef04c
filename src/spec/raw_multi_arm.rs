//! The outcome's `multi_arm:` section, as written (serde mirror, with its schema): how the
//! rows of a multi-arm trial (one study label, one row per experimental arm, the same control
//! group on each) are analysed (`data/multi_arm.rs`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Multi-arm trials: rows sharing a study label are the comparisons of one trial with its
/// shared control group, told apart by their arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMultiArm {
    /// `split` (the shared control group's participants, and events, divided evenly among
    /// the comparisons; Cochrane Handbook 23.3.4) or `combine` (the experimental arms merged
    /// into one group: events and participants summed, or means and SDs combined with the
    /// Handbook's formula, 6.5.2.10).
    pub method: crate::data::multi_arm::Method,
    /// The column naming each row's experimental arm, shown in the forest plot as
    /// "Smith 2010 (low dose)" (default: `arm`).
    pub arm: Option<String>,
}
