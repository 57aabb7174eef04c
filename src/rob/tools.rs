//! The appraisal tools as data: each tool's domains (code, name as its template prints it,
//! short name), its judgement vocabulary from the least to the most severe, whether its
//! template has an overall judgement, and the reference the manuscript cites.
//!
//! Sources, checked against each tool's template or publication:
//! - RoB 2: Sterne et al., BMJ 2019;366:l4898, and the RoB 2 template (riskofbias.info, version
//!   of 22 August 2019); the cluster-randomised variant adds domain 1b (RoB 2 CRT, 2021).
//! - ROBINS-I: Sterne et al., BMJ 2016;355:i4919 (seven domains; Low, Moderate, Serious,
//!   Critical, No information).
//! - ROBINS-I V2: the ROBINS-I V2 template (riskofbias.info; launch version of November 2024,
//!   revised November 2025): six domains — the V1 domain on deviations from intended
//!   interventions was dropped and selection of participants moved after classification of
//!   interventions — and the judgement "Low (except for concerns about uncontrolled
//!   confounding)" for confounding and overall.
//! - ROBINS-E: Higgins et al., Environ Int 2024;186:108602 (seven domains; Low, Low except for
//!   concerns about uncontrolled confounding, Some concerns, High, Very high).
//! - QUADAS-2: Whiting et al., Ann Intern Med 2011;155:529–536 (four risk-of-bias domains,
//!   Low / High / Unclear; three applicability domains, concerns Low / High / Unclear; no
//!   overall judgement in the tool itself).
//! - Newcastle–Ottawa Scale: Wells et al. (Ottawa Hospital Research Institute): cohort studies
//!   (Selection 4 items, Comparability 1 item of up to two stars, Outcome 3 items) and
//!   case–control studies (Selection 4, Comparability 1, Exposure 3); nine stars at most.
//! - robvis (McGuinness & Higgins, Res Synth Methods 2021;12:55–61) for the layout of the
//!   figures, the colours and the reading of judgements by their first letter.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Level;

/// An appraisal tool, as named in the spec (`risk_of_bias.tool`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ToolId {
    /// RoB 2, the revised Cochrane risk-of-bias tool for randomised trials (Sterne 2019).
    #[serde(rename = "rob2")]
    Rob2,
    /// RoB 2 for cluster-randomised trials: RoB 2 with domain 1b.
    #[serde(rename = "rob2-cluster")]
    Rob2Cluster,
    /// ROBINS-I for non-randomised studies of interventions (Sterne 2016).
    #[serde(rename = "robins-i")]
    RobinsI,
    /// ROBINS-I version 2 (2024): six domains.
    #[serde(rename = "robins-i-v2")]
    RobinsIV2,
    /// ROBINS-E for non-randomised studies of exposures (Higgins 2024).
    #[serde(rename = "robins-e")]
    RobinsE,
    /// QUADAS-2 for diagnostic accuracy studies (Whiting 2011).
    #[serde(rename = "quadas-2")]
    Quadas2,
    /// Newcastle–Ottawa Scale for cohort studies (stars per item).
    #[serde(rename = "nos-cohort")]
    NosCohort,
    /// Newcastle–Ottawa Scale for case–control studies (stars per item).
    #[serde(rename = "nos-case-control")]
    NosCaseControl,
    /// Domains named in the spec (or by the table's columns), judgements from a named scale.
    #[serde(rename = "generic")]
    Generic,
}

/// The judgement scale of the generic tool (`risk_of_bias.scale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Scale {
    /// Low / Unclear / High (the Cochrane risk-of-bias tool of 2011, RevMan 5's "Low risk",
    /// "Unclear risk", "High risk").
    #[default]
    LowUnclearHigh,
    /// Low / Some concerns / High (RoB 2's words).
    LowSomeConcernsHigh,
    /// Low / Moderate / Serious / Critical (ROBINS-I's words).
    LowModerateSeriousCritical,
    /// Low / Some concerns / High / Very high (ROBINS-E's words).
    LowSomeConcernsHighVeryHigh,
    /// Good / Fair / Poor (quality ratings).
    GoodFairPoor,
}

impl Scale {
    /// The judgements of the scale, least severe first.
    pub fn levels(self) -> &'static [Level] {
        use Level::*;
        match self {
            Scale::LowUnclearHigh => &[Low, Unclear, High],
            Scale::LowSomeConcernsHigh => &[Low, SomeConcerns, High],
            Scale::LowModerateSeriousCritical => &[Low, Moderate, Serious, Critical],
            Scale::LowSomeConcernsHighVeryHigh => &[Low, SomeConcerns, High, VeryHigh],
            Scale::GoodFairPoor => &[Good, Fair, Poor],
        }
    }
}

/// A domain (or, for the Newcastle–Ottawa Scale, an item) of a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain {
    /// The short code robvis and the figures use ("D1", "D1b", "S1").
    pub code: &'static str,
    /// The domain as the tool's template names it.
    pub name: &'static str,
    /// A short name for running text ("missing outcome data").
    pub short: &'static str,
    /// The part of the tool it belongs to ("Risk of bias", "Applicability", "Selection"...).
    pub group: &'static str,
    /// Stars the item can earn (Newcastle–Ottawa Scale); 0 for judged domains.
    pub max_stars: u8,
}

/// Whether a tool's table must carry an overall judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overall {
    /// The tool defines one (RoB 2, ROBINS-I, ROBINS-E).
    Required,
    /// The tool does not define one, but a table may give it (QUADAS-2, generic).
    Optional,
    /// Stars are summed instead (Newcastle–Ottawa Scale).
    Total,
}

/// A tool: its name, reference, domains and vocabulary.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub id: ToolId,
    /// Its short name ("RoB 2").
    pub name: &'static str,
    /// What it is, for the methods sentence.
    pub description: &'static str,
    /// Key of its reference in `templates/references.yml`.
    pub reference: Option<&'static str>,
    pub domains: &'static [Domain],
    /// Domains a table may leave out as a group (QUADAS-2's applicability domains).
    pub optional_group: Option<&'static str>,
    /// The domain judgements, least severe first (No information and Not applicable are
    /// accepted by every judged tool besides these).
    pub levels: &'static [Level],
    /// The overall judgements, least severe first.
    pub overall_levels: &'static [Level],
    pub overall: Overall,
    /// What the assessed units are called: ("trial", "trials").
    pub units: (&'static str, &'static str),
}

const fn d(
    code: &'static str,
    name: &'static str,
    short: &'static str,
    group: &'static str,
) -> Domain {
    Domain {
        code,
        name,
        short,
        group,
        max_stars: 0,
    }
}

const fn item(
    code: &'static str,
    name: &'static str,
    short: &'static str,
    group: &'static str,
    max_stars: u8,
) -> Domain {
    Domain {
        code,
        name,
        short,
        group,
        max_stars,
    }
}

const ROB: &str = "Risk of bias";

const ROB2_DOMAINS: [Domain; 5] = [
    d(
        "D1",
        "Bias arising from the randomization process",
        "the randomisation process",
        ROB,
    ),
    d(
        "D2",
        "Bias due to deviations from intended interventions",
        "deviations from intended interventions",
        ROB,
    ),
    d(
        "D3",
        "Bias due to missing outcome data",
        "missing outcome data",
        ROB,
    ),
    d(
        "D4",
        "Bias in measurement of the outcome",
        "measurement of the outcome",
        ROB,
    ),
    d(
        "D5",
        "Bias in selection of the reported result",
        "selection of the reported result",
        ROB,
    ),
];

const ROB2_CLUSTER_DOMAINS: [Domain; 6] = [
    ROB2_DOMAINS[0],
    d(
        "D1b",
        "Bias arising from the timing of identification and recruitment of participants",
        "the timing of identification and recruitment of participants",
        ROB,
    ),
    ROB2_DOMAINS[1],
    ROB2_DOMAINS[2],
    ROB2_DOMAINS[3],
    ROB2_DOMAINS[4],
];

const ROBINS_I_DOMAINS: [Domain; 7] = [
    d("D1", "Bias due to confounding", "confounding", ROB),
    d(
        "D2",
        "Bias in selection of participants into the study",
        "selection of participants",
        ROB,
    ),
    d(
        "D3",
        "Bias in classification of interventions",
        "classification of interventions",
        ROB,
    ),
    d(
        "D4",
        "Bias due to deviations from intended interventions",
        "deviations from intended interventions",
        ROB,
    ),
    d("D5", "Bias due to missing data", "missing data", ROB),
    d(
        "D6",
        "Bias in measurement of outcomes",
        "measurement of outcomes",
        ROB,
    ),
    d(
        "D7",
        "Bias in selection of the reported result",
        "selection of the reported result",
        ROB,
    ),
];

const ROBINS_I_V2_DOMAINS: [Domain; 6] = [
    d("D1", "Bias due to confounding", "confounding", ROB),
    d(
        "D2",
        "Bias in classification of interventions",
        "classification of interventions",
        ROB,
    ),
    d(
        "D3",
        "Bias in selection of participants into the study (or into the analysis)",
        "selection of participants",
        ROB,
    ),
    d("D4", "Bias due to missing data", "missing data", ROB),
    d(
        "D5",
        "Bias arising from measurement of the outcome",
        "measurement of the outcome",
        ROB,
    ),
    d(
        "D6",
        "Bias in selection of the reported result",
        "selection of the reported result",
        ROB,
    ),
];

const ROBINS_E_DOMAINS: [Domain; 7] = [
    d("D1", "Bias due to confounding", "confounding", ROB),
    d(
        "D2",
        "Bias arising from measurement of the exposure",
        "measurement of the exposure",
        ROB,
    ),
    d(
        "D3",
        "Bias in selection of participants into the study (or into the analysis)",
        "selection of participants",
        ROB,
    ),
    d(
        "D4",
        "Bias due to post-exposure interventions",
        "post-exposure interventions",
        ROB,
    ),
    d("D5", "Bias due to missing data", "missing data", ROB),
    d(
        "D6",
        "Bias arising from measurement of the outcome",
        "measurement of the outcome",
        ROB,
    ),
    d(
        "D7",
        "Bias in selection of the reported result",
        "selection of the reported result",
        ROB,
    ),
];

const APPLICABILITY: &str = "Applicability";

const QUADAS2_DOMAINS: [Domain; 7] = [
    d("D1", "Patient selection", "patient selection", ROB),
    d("D2", "Index test", "the index test", ROB),
    d("D3", "Reference standard", "the reference standard", ROB),
    d("D4", "Flow and timing", "flow and timing", ROB),
    d(
        "A1",
        "Applicability: patient selection",
        "applicability of patient selection",
        APPLICABILITY,
    ),
    d(
        "A2",
        "Applicability: index test",
        "applicability of the index test",
        APPLICABILITY,
    ),
    d(
        "A3",
        "Applicability: reference standard",
        "applicability of the reference standard",
        APPLICABILITY,
    ),
];

const NOS_COHORT_ITEMS: [Domain; 8] = [
    item(
        "S1",
        "Representativeness of the exposed cohort",
        "representativeness of the exposed cohort",
        "Selection",
        1,
    ),
    item(
        "S2",
        "Selection of the non-exposed cohort",
        "selection of the non-exposed cohort",
        "Selection",
        1,
    ),
    item(
        "S3",
        "Ascertainment of exposure",
        "ascertainment of exposure",
        "Selection",
        1,
    ),
    item(
        "S4",
        "Demonstration that outcome of interest was not present at start of study",
        "absence of the outcome at the start",
        "Selection",
        1,
    ),
    item(
        "C1",
        "Comparability of cohorts on the basis of the design or analysis",
        "comparability",
        "Comparability",
        2,
    ),
    item(
        "O1",
        "Assessment of outcome",
        "assessment of outcome",
        "Outcome",
        1,
    ),
    item(
        "O2",
        "Was follow-up long enough for outcomes to occur",
        "length of follow-up",
        "Outcome",
        1,
    ),
    item(
        "O3",
        "Adequacy of follow up of cohorts",
        "adequacy of follow-up",
        "Outcome",
        1,
    ),
];

const NOS_CASE_CONTROL_ITEMS: [Domain; 8] = [
    item(
        "S1",
        "Is the case definition adequate?",
        "case definition",
        "Selection",
        1,
    ),
    item(
        "S2",
        "Representativeness of the cases",
        "representativeness of the cases",
        "Selection",
        1,
    ),
    item(
        "S3",
        "Selection of Controls",
        "selection of controls",
        "Selection",
        1,
    ),
    item(
        "S4",
        "Definition of Controls",
        "definition of controls",
        "Selection",
        1,
    ),
    item(
        "C1",
        "Comparability of cases and controls on the basis of the design or analysis",
        "comparability",
        "Comparability",
        2,
    ),
    item(
        "E1",
        "Ascertainment of exposure",
        "ascertainment of exposure",
        "Exposure",
        1,
    ),
    item(
        "E2",
        "Same method of ascertainment for cases and controls",
        "same method of ascertainment",
        "Exposure",
        1,
    ),
    item(
        "E3",
        "Non-Response rate",
        "non-response rate",
        "Exposure",
        1,
    ),
];

use Level::*;

const ROB2_LEVELS: [Level; 3] = [Low, SomeConcerns, High];
const ROBINS_I_LEVELS: [Level; 4] = [Low, Moderate, Serious, Critical];
const ROBINS_V2_LEVELS: [Level; 5] = [Low, LowExceptConfounding, Moderate, Serious, Critical];
const ROBINS_E_LEVELS: [Level; 5] = [Low, LowExceptConfounding, SomeConcerns, High, VeryHigh];
const QUADAS_LEVELS: [Level; 3] = [Low, Unclear, High];
const AHRQ_LEVELS: [Level; 3] = [Good, Fair, Poor];

/// Every tool but the generic one, whose domains and scale come from the spec.
pub const TOOLS: [Tool; 8] = [
    Tool {
        id: ToolId::Rob2,
        name: "RoB 2",
        description: "the revised Cochrane risk-of-bias tool for randomised trials (RoB 2)",
        reference: Some("sterne2019"),
        domains: &ROB2_DOMAINS,
        optional_group: None,
        levels: &ROB2_LEVELS,
        overall_levels: &ROB2_LEVELS,
        overall: Overall::Required,
        units: ("trial", "trials"),
    },
    Tool {
        id: ToolId::Rob2Cluster,
        name: "RoB 2 for cluster-randomised trials",
        description: "the revised Cochrane risk-of-bias tool for cluster-randomised trials (RoB 2, with its domain 1b)",
        reference: Some("sterne2019"),
        domains: &ROB2_CLUSTER_DOMAINS,
        optional_group: None,
        levels: &ROB2_LEVELS,
        overall_levels: &ROB2_LEVELS,
        overall: Overall::Required,
        units: ("trial", "trials"),
    },
    Tool {
        id: ToolId::RobinsI,
        name: "ROBINS-I",
        description: "the ROBINS-I tool (Risk Of Bias In Non-randomised Studies – of Interventions)",
        reference: Some("sterne2016"),
        domains: &ROBINS_I_DOMAINS,
        optional_group: None,
        levels: &ROBINS_I_LEVELS,
        overall_levels: &ROBINS_I_LEVELS,
        overall: Overall::Required,
        units: ("study", "studies"),
    },
    Tool {
        id: ToolId::RobinsIV2,
        name: "ROBINS-I V2",
        description: "version 2 of the ROBINS-I tool (Risk Of Bias In Non-randomised Studies – of Interventions)",
        reference: Some("robinsi2"),
        domains: &ROBINS_I_V2_DOMAINS,
        optional_group: None,
        levels: &ROBINS_V2_LEVELS,
        overall_levels: &ROBINS_V2_LEVELS,
        overall: Overall::Required,
        units: ("study", "studies"),
    },
    Tool {
        id: ToolId::RobinsE,
        name: "ROBINS-E",
        description: "the ROBINS-E tool (Risk Of Bias In Non-randomised Studies – of Exposures)",
        reference: Some("higgins2024"),
        domains: &ROBINS_E_DOMAINS,
        optional_group: None,
        levels: &ROBINS_E_LEVELS,
        overall_levels: &ROBINS_E_LEVELS,
        overall: Overall::Required,
        units: ("study", "studies"),
    },
    Tool {
        id: ToolId::Quadas2,
        name: "QUADAS-2",
        description: "the QUADAS-2 tool for diagnostic accuracy studies",
        reference: Some("whiting2011"),
        domains: &QUADAS2_DOMAINS,
        optional_group: Some(APPLICABILITY),
        levels: &QUADAS_LEVELS,
        overall_levels: &QUADAS_LEVELS,
        overall: Overall::Optional,
        units: ("study", "studies"),
    },
    Tool {
        id: ToolId::NosCohort,
        name: "Newcastle–Ottawa Scale",
        description: "the Newcastle–Ottawa Scale for cohort studies",
        reference: Some("wells2000"),
        domains: &NOS_COHORT_ITEMS,
        optional_group: None,
        levels: &[],
        overall_levels: &AHRQ_LEVELS,
        overall: Overall::Total,
        units: ("cohort", "cohorts"),
    },
    Tool {
        id: ToolId::NosCaseControl,
        name: "Newcastle–Ottawa Scale",
        description: "the Newcastle–Ottawa Scale for case–control studies",
        reference: Some("wells2000"),
        domains: &NOS_CASE_CONTROL_ITEMS,
        optional_group: None,
        levels: &[],
        overall_levels: &AHRQ_LEVELS,
        overall: Overall::Total,
        units: ("study", "studies"),
    },
];

/// The definition of a tool (`None` for the generic tool, defined by its spec).
pub fn tool(id: ToolId) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.id == id)
}

/// The spec's name of a tool ("rob2").
pub fn spec_name(id: ToolId) -> String {
    match serde_json::to_value(id) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
