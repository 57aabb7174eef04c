//! Risk of bias and study quality: the appraisal tools (`tools.rs`, as data), judgements and
//! how they are read from a table, and a review's validated appraisal ([`RiskOfBias`]).
//!
//! Pure: the table is read and checked in `spec/resolve/risk_of_bias.rs`; the per-domain
//! counts are computed by `stats/risk_of_bias.rs`; figures are drawn by `plot/rob/`.

mod summary;
pub mod tools;

pub use summary::{ColumnSummary, results_json, warnings};

use serde::{Deserialize, Serialize};

pub use tools::{Domain, Overall, Scale, Tool, ToolId, tool};

/// A judgement of any tool (or an AHRQ quality rating of a Newcastle–Ottawa score).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Low,
    /// ROBINS-I V2 and ROBINS-E: "Low (except for concerns about uncontrolled confounding)".
    LowExceptConfounding,
    SomeConcerns,
    Moderate,
    Unclear,
    High,
    Serious,
    Critical,
    VeryHigh,
    Good,
    Fair,
    Poor,
    NoInformation,
    NotApplicable,
}

/// The colour class of a judgement (robvis's): what the palettes colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Low,
    LowExcept,
    Concerns,
    High,
    Critical,
    NoInformation,
    NotApplicable,
}

impl Level {
    /// The judgement as the tool's template writes it.
    pub fn label(self) -> &'static str {
        match self {
            Level::Low => "Low",
            Level::LowExceptConfounding => {
                "Low (except for concerns about uncontrolled confounding)"
            }
            Level::SomeConcerns => "Some concerns",
            Level::Moderate => "Moderate",
            Level::Unclear => "Unclear",
            Level::High => "High",
            Level::Serious => "Serious",
            Level::Critical => "Critical",
            Level::VeryHigh => "Very high",
            Level::Good => "Good",
            Level::Fair => "Fair",
            Level::Poor => "Poor",
            Level::NoInformation => "No information",
            Level::NotApplicable => "Not applicable",
        }
    }

    /// The judgement in a legend ("Low risk of bias", "Some concerns").
    pub fn legend(self) -> &'static str {
        match self {
            Level::Low => "Low risk of bias",
            Level::LowExceptConfounding => "Low (except uncontrolled confounding)",
            Level::SomeConcerns => "Some concerns",
            Level::Moderate => "Moderate risk of bias",
            Level::Unclear => "Unclear risk of bias",
            Level::High => "High risk of bias",
            Level::Serious => "Serious risk of bias",
            Level::Critical => "Critical risk of bias",
            Level::VeryHigh => "Very high risk of bias",
            Level::Good => "Good quality",
            Level::Fair => "Fair quality",
            Level::Poor => "Poor quality",
            Level::NoInformation => "No information",
            Level::NotApplicable => "Not applicable",
        }
    }

    /// How running text says a study has this judgement: "at high risk of bias",
    /// "with some concerns", "of good quality".
    pub fn phrase(self) -> &'static str {
        match self {
            Level::Low => "at low risk of bias",
            Level::LowExceptConfounding => {
                "at low risk of bias except for concerns about uncontrolled confounding"
            }
            Level::SomeConcerns => "with some concerns",
            Level::Moderate => "at moderate risk of bias",
            Level::Unclear => "at unclear risk of bias",
            Level::High => "at high risk of bias",
            Level::Serious => "at serious risk of bias",
            Level::Critical => "at critical risk of bias",
            Level::VeryHigh => "at very high risk of bias",
            Level::Good => "of good quality",
            Level::Fair => "of fair quality",
            Level::Poor => "of poor quality",
            Level::NoInformation => "without information to judge",
            Level::NotApplicable => "not applicable",
        }
    }

    /// Severity, 0 (low) to 4 (critical); `None` for No information and Not applicable.
    pub fn severity(self) -> Option<u8> {
        Some(match self {
            Level::Low | Level::Good => 0,
            Level::LowExceptConfounding => 1,
            Level::SomeConcerns | Level::Moderate | Level::Unclear | Level::Fair => 2,
            Level::High | Level::Serious | Level::Poor => 3,
            Level::Critical | Level::VeryHigh => 4,
            Level::NoInformation | Level::NotApplicable => return None,
        })
    }

    /// The colour class.
    pub fn class(self) -> Class {
        match self {
            Level::Low | Level::Good => Class::Low,
            Level::LowExceptConfounding => Class::LowExcept,
            Level::SomeConcerns | Level::Moderate | Level::Unclear | Level::Fair => Class::Concerns,
            Level::High | Level::Serious | Level::Poor => Class::High,
            Level::Critical | Level::VeryHigh => Class::Critical,
            Level::NoInformation => Class::NoInformation,
            Level::NotApplicable => Class::NotApplicable,
        }
    }

    /// The symbol inside its circle (robvis): + low, − concerns, × high, ! critical,
    /// ? no information or unclear, nothing for not applicable.
    pub fn symbol(self) -> &'static str {
        match self {
            Level::Unclear => "?",
            _ => match self.class() {
                Class::Low | Class::LowExcept => "+",
                Class::Concerns => "\u{2212}",
                Class::High => "\u{00d7}",
                Class::Critical => "!",
                Class::NoInformation => "?",
                Class::NotApplicable => "",
            },
        }
    }
}

/// Reads a judgement as robvis does: case-insensitively, by its first letter ("some concerns",
/// "S", "Some Concerns" and "Some concerns." alike); "NI"/"No information" and "NA"/"N/A"/
/// "Not applicable" are recognised whole, and "Low (except ... uncontrolled confounding)" by
/// its words. Unlike robvis, a word that names another tool's judgement is not read by its
/// first letter ("Serious" is not RoB 2's "Some concerns"), and "NI" is No information (robvis
/// reads a lone "NI" as not applicable). `allowed` are the tool's judgements; the result is one
/// of them, No information or Not applicable.
pub fn read_judgement(text: &str, allowed: &[Level]) -> Option<Level> {
    let t = text.trim().to_lowercase();
    let t: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return None;
    }
    if t == "ni" || t.starts_with("no info") {
        return Some(Level::NoInformation);
    }
    if t == "na" || t == "n/a" || t.starts_with("not app") {
        return Some(Level::NotApplicable);
    }
    let first = t.chars().next()?;
    if first == 'l' && (t.contains("except") || t.contains("uncontrolled")) {
        return allowed
            .contains(&Level::LowExceptConfounding)
            .then_some(Level::LowExceptConfounding);
    }
    // A word that names another judgement ("serious" under RoB 2, whose "some concerns" also
    // starts with an s) is not read by its first letter: it is the wrong tool's word.
    let word: String = t.chars().take_while(|c| c.is_alphabetic()).collect();
    let words_of = |l: Level| {
        l.label()
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_lowercase()
    };
    let known = ALL_LEVELS.iter().any(|l| words_of(*l) == word);
    allowed
        .iter()
        .copied()
        .filter(|l| *l != Level::LowExceptConfounding)
        .find(|l| {
            l.label()
                .chars()
                .next()
                .is_some_and(|c| c.to_ascii_lowercase() == first)
                && (!known || words_of(*l) == word)
        })
}

/// Every judgement, for telling a judgement word of another tool apart.
const ALL_LEVELS: [Level; 14] = [
    Level::Low,
    Level::LowExceptConfounding,
    Level::SomeConcerns,
    Level::Moderate,
    Level::Unclear,
    Level::High,
    Level::Serious,
    Level::Critical,
    Level::VeryHigh,
    Level::Good,
    Level::Fair,
    Level::Poor,
    Level::NoInformation,
    Level::NotApplicable,
];

/// Reads a number of stars: "0"–"2", or the stars themselves ("**", "★★"); an empty cell or
/// "-" is no star.
pub fn read_stars(text: &str) -> Option<u8> {
    let t = text.trim();
    if t.is_empty() || t == "-" || t == "\u{2013}" || t == "\u{2212}" {
        return Some(0);
    }
    if let Ok(n) = t.parse::<f64>() {
        return (n.fract() == 0.0 && (0.0..=255.0).contains(&n)).then_some(n as u8);
    }
    let stars = t.chars().filter(|c| !c.is_whitespace()).collect::<Vec<_>>();
    stars
        .iter()
        .all(|c| matches!(c, '*' | '★' | '☆' | '✩' | '✭'))
        .then_some(stars.len().min(255) as u8)
}

/// The AHRQ standards for a Newcastle–Ottawa score: good (3–4 stars in Selection, 1–2 in
/// Comparability and 2–3 in Outcome/Exposure), fair (2 in Selection, 1–2 and 2–3 in the
/// others), poor (0–1 in Selection, or 0 in Comparability, or 0–1 in Outcome/Exposure).
pub fn ahrq(selection: u8, comparability: u8, outcome: u8) -> Level {
    if selection <= 1 || comparability == 0 || outcome <= 1 {
        Level::Poor
    } else if selection >= 3 {
        Level::Good
    } else {
        Level::Fair
    }
}

/// Colours of the figures.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum Palette {
    /// The Cochrane colours (green, yellow, red, dark red, blue), as robvis and RevMan.
    #[default]
    #[serde(rename = "cochrane")]
    Cochrane,
    /// robvis's colour-blind-safe palette (shades of orange and brown).
    #[serde(rename = "colourblind")]
    Colourblind,
}

/// A domain of an appraisal, as resolved for its table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainDef {
    pub code: String,
    pub name: String,
    /// The domain in running text ("missing outcome data").
    pub short: String,
    pub group: String,
    /// Stars the item can earn (Newcastle–Ottawa Scale); 0 for judged domains.
    pub max_stars: u8,
}

/// One study's appraisal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub study: String,
    /// One judgement per domain (judged tools).
    pub judgements: Vec<Level>,
    /// Stars per item (Newcastle–Ottawa Scale).
    pub stars: Vec<u8>,
    /// The overall judgement (for the Newcastle–Ottawa Scale, the AHRQ rating when asked for).
    pub overall: Option<Level>,
    /// The study's weight from the table's `Weight` column.
    pub weight: Option<f64>,
    /// The table's line, for messages.
    #[serde(skip)]
    pub line: usize,
}

impl Assessment {
    /// The total of stars.
    pub fn total(&self) -> u32 {
        self.stars.iter().map(|&s| u32::from(s)).sum()
    }
}

/// Where the studies' weights of a weighted summary come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weights {
    /// Unweighted: every study counts once.
    None,
    /// The table's `Weight` column.
    Column,
    /// The studies' weights (%) in an outcome's pooled estimate.
    Outcome(String),
}

/// A validated appraisal: the tool, its domains, one assessment per study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskOfBias {
    pub tool: ToolId,
    /// The tool's name ("RoB 2"; a generic tool's `name:`).
    pub tool_name: String,
    /// The methods sentence's description of the tool.
    pub description: String,
    /// Key of its reference in `references.yml`.
    pub reference: Option<String>,
    pub domains: Vec<DomainDef>,
    /// The judgements the domains may take, least severe first.
    pub levels: Vec<Level>,
    /// The judgements the overall column may take, least severe first.
    pub overall_levels: Vec<Level>,
    /// Whether the table gives (or, for the AHRQ rating, metareport derives) an overall
    /// judgement.
    pub has_overall: bool,
    /// Newcastle–Ottawa Scale: the AHRQ good/fair/poor rating is derived.
    pub ahrq: bool,
    pub studies: Vec<Assessment>,
    pub palette: Palette,
    pub weights: Weights,
    /// The table, relative to the project.
    pub data_file: String,
    /// The outcome whose own table this is (RoB 2 judges results); `None` for the review's.
    pub outcome: Option<String>,
    /// What the units are called: ("trial", "trials").
    pub units: (String, String),
    /// Captions given in the spec.
    pub captions: Captions,
    /// Notes for the user (file:line: message): a study of the table not in the data, an
    /// overall judgement less severe than the worst domain.
    pub warnings: Vec<String>,
    /// Position of each study in `studies`, by name (see [`RiskOfBias::index_studies`]).
    #[serde(skip)]
    pub index: std::collections::BTreeMap<String, usize>,
}

/// Captions of the appraisal's figures and table.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Captions {
    pub traffic_light: Option<String>,
    pub summary: Option<String>,
    pub table: Option<String>,
}

impl RiskOfBias {
    /// True for the Newcastle–Ottawa Scale (stars rather than judgements).
    pub fn is_stars(&self) -> bool {
        matches!(self.tool, ToolId::NosCohort | ToolId::NosCaseControl)
    }

    /// The most stars a study can earn (9 for the Newcastle–Ottawa Scale).
    pub fn max_total(&self) -> u32 {
        self.domains.iter().map(|d| u32::from(d.max_stars)).sum()
    }

    /// The assessment of a study, by name (O(log k)).
    pub fn of(&self, study: &str) -> Option<&Assessment> {
        self.index.get(study).map(|&i| &self.studies[i])
    }

    /// Builds the index [`RiskOfBias::of`] looks studies up in.
    pub fn index_studies(&mut self) {
        self.index = self
            .studies
            .iter()
            .enumerate()
            .map(|(i, a)| (a.study.clone(), i))
            .collect();
    }

    /// The columns of a traffic-light display: the domains, then Overall when there is one
    /// (code, name).
    pub fn columns(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .domains
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect();
        if self.has_overall {
            v.push(("Overall".into(), "Overall risk of bias".into()));
        }
        v
    }

    /// A study's judgements in the order of [`RiskOfBias::columns`].
    pub fn row(&self, a: &Assessment) -> Vec<Level> {
        let mut v = a.judgements.clone();
        if self.has_overall {
            v.push(a.overall.unwrap_or(Level::NoInformation));
        }
        v
    }

    /// Every judgement that occurs in the table, in the order of the tool's scale (then No
    /// information, Not applicable): the legend.
    pub fn levels_used(&self) -> Vec<Level> {
        let mut all: Vec<Level> = self.levels.clone();
        for l in &self.overall_levels {
            if !all.contains(l) {
                all.push(*l);
            }
        }
        all.push(Level::NoInformation);
        all.push(Level::NotApplicable);
        all.into_iter()
            .filter(|l| {
                self.studies
                    .iter()
                    .any(|a| self.row(a).contains(l) || (self.is_stars() && a.overall == Some(*l)))
            })
            .collect()
    }
}
