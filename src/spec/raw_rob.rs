//! The spec's `risk_of_bias:` sections, as written (serde mirror, with their schema).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::rob::{Palette, Scale, ToolId};

/// The appraisal of the included studies' risk of bias or quality: the tool and a table with
/// one row per study (robvis's layout: `Study`, `D1` … `Dn`, `Overall`, optionally `Weight`;
/// or the domains' names as headers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRiskOfBias {
    /// `rob2`, `rob2-cluster`, `robins-i`, `robins-i-v2`, `robins-e`, `quadas-2`,
    /// `nos-cohort`, `nos-case-control` or `generic`.
    pub tool: ToolId,
    /// CSV or XLSX file, relative to the spec.
    pub data: Option<String>,
    /// Worksheet, for XLSX files.
    pub sheet: Option<String>,
    /// Rows written inline instead of a file.
    pub rows: Option<Vec<BTreeMap<String, serde_json::Value>>>,
    /// Generic tool: its name, as the methods sentence gives it.
    pub name: Option<String>,
    /// Generic tool: the domains, in order (default: the table's columns besides `Study`,
    /// `Overall` and `Weight`).
    pub domains: Option<Vec<String>>,
    /// Generic tool: the judgement scale (default `low-unclear-high`, RevMan's "Low risk",
    /// "Unclear risk", "High risk").
    pub scale: Option<Scale>,
    /// Colours: `cochrane` (default) or `colourblind`.
    pub palette: Option<Palette>,
    /// Weight the summary figure by the studies' weights in this outcome's pooled estimate
    /// (default: the table's `Weight` column if it has one, else unweighted).
    pub weights: Option<String>,
    /// Newcastle–Ottawa Scale: rate each study good, fair or poor by the AHRQ standards.
    pub ahrq: Option<bool>,
    /// Captions of the figures and the table.
    pub captions: Option<RawRobCaptions>,
}

/// Captions of the risk-of-bias figures and table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRobCaptions {
    /// Caption of the traffic-light plot (`kind: risk-of-bias`).
    pub traffic_light: Option<String>,
    /// Caption of the summary plot (`kind: risk-of-bias-summary`).
    pub summary: Option<String>,
    /// Caption of the table (`tables: [{kind: risk-of-bias}]`).
    pub table: Option<String>,
}

/// A sensitivity analysis without the studies of some judgements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRobSensitivity {
    /// The judgements to leave out, e.g. `[high]` or `[high, some concerns]`.
    pub exclude: Vec<String>,
    /// The domain judged (its code, e.g. `D3`), default the overall judgement.
    pub domain: Option<String>,
    /// How the text names this analysis (default "excluding studies at high risk of bias").
    pub label: Option<String>,
}
