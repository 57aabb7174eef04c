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
    /// Single-group proportion, pooled as it is (metafor `PR`).
    PR,
    /// Single-group proportion, pooled as a logit (metafor `PLO`; back-transformed with the
    /// inverse logit).
    PLO,
    /// Single-group proportion, pooled as the arcsine square root (metafor `PAS`;
    /// back-transformed with sin²).
    PAS,
    /// Single-group proportion, pooled as Freeman–Tukey's double arcsine (metafor `PFT`;
    /// back-transformed with Miller's (1978) inverse at the harmonic-mean sample size, as
    /// metafor's `transf.ipft.hm`).
    PFT,
    /// Single-group incidence rate (events per unit of person-time; metafor `IR`).
    IR,
    /// Single-group incidence rate pooled on the log scale (metafor `IRLN`).
    IRLN,
    /// Incidence rate ratio (log scale; metafor `IRR`).
    IRR,
    /// Incidence rate difference (metafor `IRD`).
    IRD,
    /// Ratio of means (log scale; metafor `ROM`).
    ROM,
    /// Single-group mean (metafor `MN`).
    MN,
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
    /// Logit: back-transform with the inverse logit 1/(1 + e^−x).
    Logit,
    /// Arcsine square root: back-transform with sin²(x) (x clamped to [0, π/2]).
    Arcsine,
    /// Freeman–Tukey double arcsine: back-transform with Miller's inverse at a sample size
    /// (the harmonic mean of the studies' sizes, [`Measure::back_transform_at`]).
    FreemanTukey,
}

impl Measure {
    /// The scale on which this measure is pooled.
    pub fn scale(self) -> Scale {
        match self {
            Measure::OR | Measure::RR | Measure::PetoOR | Measure::HR => Scale::Log,
            Measure::IRLN | Measure::IRR | Measure::ROM => Scale::Log,
            Measure::ZCOR => Scale::FisherZ,
            Measure::PLO => Scale::Logit,
            Measure::PAS => Scale::Arcsine,
            Measure::PFT => Scale::FreemanTukey,
            Measure::RD | Measure::MD | Measure::SMD | Measure::GEN => Scale::Identity,
            Measure::PR | Measure::IR | Measure::IRD | Measure::MN => Scale::Identity,
        }
    }

    /// The value of no effect on the presentation scale (1 for ratios, 0 otherwise).
    /// Single-group measures have no value of no effect ([`Measure::single_group`]); theirs
    /// is 0 here only so that tests of "zero" have a number.
    pub fn null_value(self) -> f64 {
        if self.single_group() && self.is_ratio() {
            return 0.0;
        }
        match self.scale() {
            Scale::Log => 1.0,
            _ => 0.0,
        }
    }

    /// True for measures of one group (proportions, incidence rates, means): there is no
    /// comparison, no line of no effect and no "favours" label.
    pub fn single_group(self) -> bool {
        matches!(
            self,
            Measure::PR
                | Measure::PLO
                | Measure::PAS
                | Measure::PFT
                | Measure::IR
                | Measure::IRLN
                | Measure::MN
        )
    }

    /// True for the single-group proportion measures (PR, PLO, PAS, PFT).
    pub fn is_proportion(self) -> bool {
        matches!(
            self,
            Measure::PR | Measure::PLO | Measure::PAS | Measure::PFT
        )
    }

    /// The transformation a measure is pooled on, as the methods name it, with its citation
    /// key in `references.yml` (`None` for measures pooled as they are or on the log scale).
    pub fn transformation(self) -> Option<(&'static str, Option<&'static str>)> {
        match self {
            Measure::PLO => Some(("the logit transformation", None)),
            Measure::PAS => Some(("the arcsine square-root transformation", None)),
            Measure::PFT => Some((
                "the Freeman–Tukey double arcsine transformation",
                Some("freeman1950"),
            )),
            Measure::IRLN => Some(("the log transformation", None)),
            _ => None,
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
            Measure::PR => "PR",
            Measure::PLO => "PLO",
            Measure::PAS => "PAS",
            Measure::PFT => "PFT",
            Measure::IR => "IR",
            Measure::IRLN => "IRLN",
            Measure::IRR => "IRR",
            Measure::IRD => "IRD",
            Measure::ROM => "ROM",
            Measure::MN => "MN",
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
            Measure::PR | Measure::PLO | Measure::PAS | Measure::PFT => "Proportion",
            Measure::IR | Measure::IRLN => "Incidence Rate",
            Measure::IRR => "Rate Ratio",
            Measure::IRD => "Rate Difference",
            Measure::ROM => "Ratio of Means",
            Measure::MN => "Mean",
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
            Measure::PR | Measure::PLO | Measure::PAS | Measure::PFT => "proportion",
            Measure::IR | Measure::IRLN => "incidence rate",
            Measure::IRR => "incidence rate ratio",
            Measure::IRD => "incidence rate difference",
            Measure::ROM => "ratio of means",
            Measure::MN => "mean",
        }
    }

    /// The abbreviation used in running text ("OR", "RR", "MD", "r", ...).
    pub fn abbreviation(self) -> &'static str {
        match self {
            Measure::PetoOR => "OR",
            Measure::ZCOR => "r",
            Measure::GEN => "effect",
            Measure::PLO | Measure::PAS | Measure::PFT => "PR",
            Measure::IRLN => "IR",
            m => m.code(),
        }
    }

    /// Transforms a value from the analysis scale to the presentation scale. Freeman–Tukey
    /// values need a sample size: the one of the thread's
    /// [`FtScope`](super::single_group::FtScope) (the harmonic mean of the analysis's sample
    /// sizes), else Miller's inverse as n → ∞, sin²(x); [`Measure::back_transform_at`] takes
    /// it explicitly.
    /// Inside a [`PerScope`](super::per_scale::PerScope), proportions, rates and rate
    /// differences are multiplied by the outcome's `per`.
    pub fn back_transform(self, x: f64) -> f64 {
        let v = self.back_transform_unscaled(x);
        if super::per_scale::scalable(self) {
            v * super::per_scale::factor()
        } else {
            v
        }
    }

    /// [`Measure::back_transform`] without the multiplier of a
    /// [`PerScope`](super::per_scale::PerScope).
    pub fn back_transform_unscaled(self, x: f64) -> f64 {
        match self.scale() {
            Scale::Log => x.exp(),
            Scale::FisherZ => x.tanh(),
            Scale::Identity => x,
            Scale::Logit => 1.0 / (1.0 + (-x).exp()),
            Scale::Arcsine => x.clamp(0.0, std::f64::consts::FRAC_PI_2).sin().powi(2),
            Scale::FreemanTukey => super::single_group::ipft(x, super::single_group::ft_n()),
        }
    }

    /// [`Measure::back_transform`] with the Freeman–Tukey inverse at sample size `n` (the
    /// harmonic mean of the studies' sizes, as metafor's `transf.ipft.hm`).
    pub fn back_transform_at(self, x: f64, n: f64) -> f64 {
        match self.scale() {
            Scale::FreemanTukey => {
                let v = super::single_group::ipft(x, n);
                v * super::per_scale::factor()
            }
            _ => self.back_transform(x),
        }
    }

    /// True when the measure is displayed on a ratio (log) axis: comparative ratio
    /// measures. IRLN is pooled on the log scale but shown as a rate on a linear axis.
    pub fn is_ratio(self) -> bool {
        self.scale() == Scale::Log && self != Measure::IRLN
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
    /// Events among participants of one group (proportions: PR, PLO, PAS, PFT).
    Proportion { events: f64, total: f64 },
    /// Events over person-time in one group (incidence rates: IR, IRLN).
    Rate { events: f64, time: f64 },
    /// Events and person-time per arm (IRR, IRD).
    Rates {
        events_t: f64,
        time_t: f64,
        events_c: f64,
        time_c: f64,
    },
    /// Mean, SD and size of one group (MN).
    Mean { mean: f64, sd: f64, n: f64 },
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
            StudyData::Proportion { .. } => "proportion",
            StudyData::Rate { .. } => "rate",
            StudyData::Rates { .. } => "rates",
            StudyData::Mean { .. } => "mean",
        }
    }

    /// The number of participants, when the data say.
    pub fn participants(&self) -> Option<(f64, f64)> {
        match *self {
            StudyData::Binary {
                total_t, total_c, ..
            } => Some((total_t, total_c)),
            StudyData::Continuous { n_t, n_c, .. } => Some((n_t, n_c)),
            StudyData::Proportion { total, .. } => Some((total, 0.0)),
            StudyData::Mean { n, .. } => Some((n, 0.0)),
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
