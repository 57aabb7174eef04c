//! The validated Summary of Findings (`summary_of_findings:`): the table's outcomes, how each
//! assumed control risk is chosen, and the authors' GRADE judgements. The certainty is the
//! authors' (GRADE, Guyatt et al. 2008; Cochrane Handbook chapter 14): metareport adds up their
//! judgements and never makes one up.

use serde::Serialize;

/// The Summary of Findings table of a review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryOfFindings {
    pub intervention: String,
    pub comparator: String,
    pub population: Option<String>,
    pub setting: Option<String>,
    pub caption: Option<String>,
    pub rows: Vec<SofRow>,
}

/// One outcome of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SofRow {
    /// The outcome's id and its position among the spec's outcomes.
    pub outcome: String,
    pub index: usize,
    pub follow_up: Option<String>,
    /// Absent for continuous outcomes.
    pub assumed_risk: Option<AssumedRisk>,
    /// The smallest effect that matters (per 1,000, or in the measure's units).
    pub threshold: f64,
    /// SMD outcomes: (name, SD, units) of the scale to re-express the SMD in.
    pub scale: Option<(String, f64, String)>,
    pub comment: Option<String>,
    pub certainty: Option<Certainty>,
}

/// How the assumed control risk is chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssumedRisk {
    MedianControl,
    PooledControl,
    /// Given in the spec: (population name, risk), one table line each.
    Given(Vec<(Option<String>, f64)>),
}

/// A GRADE domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    RiskOfBias,
    Inconsistency,
    Indirectness,
    Imprecision,
    PublicationBias,
    LargeEffect,
    DoseResponse,
    PlausibleConfounding,
}

impl Domain {
    /// The five domains that can lower the certainty, in GRADE's order.
    pub const DOWNGRADING: [Domain; 5] = [
        Domain::RiskOfBias,
        Domain::Inconsistency,
        Domain::Indirectness,
        Domain::Imprecision,
        Domain::PublicationBias,
    ];

    /// The spec key.
    pub fn key(self) -> &'static str {
        match self {
            Domain::RiskOfBias => "risk_of_bias",
            Domain::Inconsistency => "inconsistency",
            Domain::Indirectness => "indirectness",
            Domain::Imprecision => "imprecision",
            Domain::PublicationBias => "publication_bias",
            Domain::LargeEffect => "large_effect",
            Domain::DoseResponse => "dose_response",
            Domain::PlausibleConfounding => "plausible_confounding",
        }
    }

    /// The name in a footnote ("Risk of bias").
    pub fn name(self) -> &'static str {
        match self {
            Domain::RiskOfBias => "risk of bias",
            Domain::Inconsistency => "inconsistency",
            Domain::Indirectness => "indirectness",
            Domain::Imprecision => "imprecision",
            Domain::PublicationBias => "publication bias",
            Domain::LargeEffect => "large effect",
            Domain::DoseResponse => "dose-response gradient",
            Domain::PlausibleConfounding => "plausible confounding",
        }
    }
}

/// One judgement that moved the certainty: its domain, by how many levels (−2 … +2), why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub domain: Domain,
    pub levels: i8,
    pub reason: Option<String>,
}

/// A GRADE certainty level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    VeryLow = 1,
    Low = 2,
    Moderate = 3,
    High = 4,
}

impl Level {
    /// From GRADE's four points, bounded to 1 … 4.
    pub fn from_points(p: i8) -> Level {
        match p {
            i8::MIN..=1 => Level::VeryLow,
            2 => Level::Low,
            3 => Level::Moderate,
            _ => Level::High,
        }
    }

    /// "High", "Moderate", "Low", "Very low".
    pub fn label(self) -> &'static str {
        match self {
            Level::High => "High",
            Level::Moderate => "Moderate",
            Level::Low => "Low",
            Level::VeryLow => "Very low",
        }
    }

    /// GRADE's symbols as GRADEpro prints them: ⨁⨁⨁⨁ for high … ⨁◯◯◯ for very low
    /// (U+2A01 N-ary circled plus, U+25EF large circle: the same size, unlike U+2295).
    pub fn symbols(self) -> String {
        let n = self as usize;
        let mut s = "\u{2A01}".repeat(n);
        s.push_str(&"\u{25EF}".repeat(4 - n));
        s
    }
}

/// The authors' judgements of one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Certainty {
    /// Where the evidence starts: high (randomised trials) or low (observational).
    pub start: Level,
    /// Every judgement given, downgrading domains first, in GRADE's order (those rated "no"
    /// with 0 levels).
    pub judgements: Vec<Judgement>,
}

impl Certainty {
    /// The certainty: the start, lowered and raised by the judgements (bounded to very low …
    /// high).
    pub fn level(&self) -> Level {
        let p = self.start as i8 + self.judgements.iter().map(|j| j.levels).sum::<i8>();
        Level::from_points(p)
    }
}
