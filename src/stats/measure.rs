//! Effect measures, the scale they are pooled on, and the study data they are computed from.

use serde::{Deserialize, Serialize};

/// An effect measure. Ratio measures are pooled on the log scale, correlations on Fisher's z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Measure {
    /// Odds ratio (log scale).
    OR,
    /// Risk ratio (log scale).
    RR,
    /// Risk difference.
    RD,
    /// Peto's one-step odds ratio (log scale).
    #[serde(rename = "PETO_OR")]
    PetoOR,
    /// Hazard ratio, from an estimate with its confidence interval (log scale).
    HR,
    /// Mean difference.
    MD,
    /// Standardised mean difference (Hedges' g).
    SMD,
    /// Correlation, pooled as Fisher's z.
    ZCOR,
    /// A generic effect on its own (identity) scale.
    GEN,
}

/// The scale on which a measure is pooled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Natural logarithm: back-transform with `exp`.
    Log,
    /// Pooled as given.
    Identity,
    /// Fisher's z: back-transform with `tanh`.
    FisherZ,
}

impl Measure {
    /// The scale on which this measure is pooled.
    pub fn scale(self) -> Scale {
        match self {
            Measure::OR | Measure::RR | Measure::PetoOR | Measure::HR => Scale::Log,
            Measure::ZCOR => Scale::FisherZ,
            Measure::RD | Measure::MD | Measure::SMD | Measure::GEN => Scale::Identity,
        }
    }

    /// The value of no effect on the presentation scale (1 for ratios, 0 otherwise).
    pub fn null_value(self) -> f64 {
        match self.scale() {
            Scale::Log => 1.0,
            _ => 0.0,
        }
    }

    /// The short code used in specs and results ("OR", "PETO_OR", ...).
    pub fn code(self) -> &'static str {
        match self {
            Measure::OR => "OR",
            Measure::RR => "RR",
            Measure::RD => "RD",
            Measure::PetoOR => "PETO_OR",
            Measure::HR => "HR",
            Measure::MD => "MD",
            Measure::SMD => "SMD",
            Measure::ZCOR => "ZCOR",
            Measure::GEN => "GEN",
        }
    }

    /// The name as a journal prints it ("Odds Ratio", "Std. Mean Difference", ...).
    pub fn label(self) -> &'static str {
        match self {
            Measure::OR => "Odds Ratio",
            Measure::RR => "Risk Ratio",
            Measure::RD => "Risk Difference",
            Measure::PetoOR => "Peto Odds Ratio",
            Measure::HR => "Hazard Ratio",
            Measure::MD => "Mean Difference",
            Measure::SMD => "Std. Mean Difference",
            Measure::ZCOR => "Correlation",
            Measure::GEN => "Effect",
        }
    }

    /// The name in running text ("odds ratio", "standardised mean difference").
    pub fn name(self) -> &'static str {
        match self {
            Measure::OR => "odds ratio",
            Measure::RR => "risk ratio",
            Measure::RD => "risk difference",
            Measure::PetoOR => "Peto odds ratio",
            Measure::HR => "hazard ratio",
            Measure::MD => "mean difference",
            Measure::SMD => "standardised mean difference",
            Measure::ZCOR => "correlation coefficient",
            Measure::GEN => "effect",
        }
    }

    /// The abbreviation used in running text ("OR", "RR", "MD", "r", ...).
    pub fn abbreviation(self) -> &'static str {
        match self {
            Measure::PetoOR => "OR",
            Measure::ZCOR => "r",
            Measure::GEN => "effect",
            m => m.code(),
        }
    }

    /// Transforms a value from the analysis scale to the presentation scale.
    pub fn back_transform(self, x: f64) -> f64 {
        match self.scale() {
            Scale::Log => x.exp(),
            Scale::FisherZ => x.tanh(),
            Scale::Identity => x,
        }
    }

    /// True when the measure is displayed on a ratio (log) axis.
    pub fn is_ratio(self) -> bool {
        self.scale() == Scale::Log
    }
}

/// One study's data, as reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StudyData {
    /// Events and participants per arm (t = treatment/experimental, c = control).
    Binary {
        events_t: f64,
        total_t: f64,
        events_c: f64,
        total_c: f64,
    },
    /// Mean, SD and size per arm.
    Continuous {
        mean_t: f64,
        sd_t: f64,
        n_t: f64,
        mean_c: f64,
        sd_c: f64,
        n_c: f64,
    },
    /// An estimate with its confidence interval, as read off a paper (ratio scale for ratio
    /// measures, raw scale otherwise).
    EstimateCi {
        estimate: f64,
        lower: f64,
        upper: f64,
    },
    /// A correlation coefficient and the sample size.
    Correlation { r: f64, n: f64 },
    /// The effect on the analysis scale with its sampling variance.
    YiVi { yi: f64, vi: f64 },
    /// The effect on the analysis scale with its standard error.
    YiSe { yi: f64, se: f64 },
}

impl StudyData {
    /// A short name for the kind of data ("binary", "continuous", ...), as used in errors.
    pub fn kind(&self) -> &'static str {
        match self {
            StudyData::Binary { .. } => "binary",
            StudyData::Continuous { .. } => "continuous",
            StudyData::EstimateCi { .. } => "estimate_ci",
            StudyData::Correlation { .. } => "correlation",
            StudyData::YiVi { .. } => "yi_vi",
            StudyData::YiSe { .. } => "yi_se",
        }
    }

    /// The number of participants, when the data say.
    pub fn participants(&self) -> Option<(f64, f64)> {
        match *self {
            StudyData::Binary {
                total_t, total_c, ..
            } => Some((total_t, total_c)),
            StudyData::Continuous { n_t, n_c, .. } => Some((n_t, n_c)),
            _ => None,
        }
    }
}

/// One study as given to the core: its label, an optional subgroup and its data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyInput {
    /// The study label ("Kim 2016").
    pub name: String,
    /// The subgroup it belongs to, if the analysis has subgroups.
    pub subgroup: Option<String>,
    /// What the study reports.
    pub data: StudyData,
}
