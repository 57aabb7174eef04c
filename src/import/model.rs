//! A RevMan review as the importer reads it, whichever file it came from: its studies, its
//! analyses (one per RevMan outcome) with their settings, data rows and the results RevMan
//! stored, and its risk-of-bias judgements. `rm5.rs` and `data_package.rs` fill it in;
//! `write.rs` turns it into a project and `compare.rs` checks the results against it.

/// The file format a review came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    /// A RevMan 5 `.rm5` file: its RevMan version ("5.0.23") and text encoding.
    Rm5 {
        version: String,
        encoding: &'static str,
    },
    /// A RevMan Web data package (zip or folder), version 1 or 2 of its format.
    DataPackage { version: u8 },
}

impl Format {
    /// The format in a few words, for the spec's `source:` ("RevMan 5.0.23 file").
    pub fn label(&self) -> String {
        match self {
            Format::Rm5 { version, .. } => format!("RevMan {version} file"),
            Format::DataPackage { .. } => "RevMan Web data package".into(),
        }
    }

    /// How the format is named in messages and the generated README.
    pub fn describe(&self) -> String {
        match self {
            Format::Rm5 { version, encoding } => {
                format!("RevMan {version} file, {encoding}")
            }
            Format::DataPackage { version } => {
                format!("RevMan Web data package, format version {version}")
            }
        }
    }
}

/// A review read from a RevMan file.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// The review's title (the data package has none).
    pub title: Option<String>,
    /// The file read, as given on the command line.
    pub source: String,
    pub format: Format,
    /// The included studies, in the file's order.
    pub studies: Vec<Study>,
    /// The analyses (RevMan's "outcomes"), in comparison and outcome order.
    pub analyses: Vec<RevAnalysis>,
    pub risk_of_bias: Option<RiskOfBias>,
    /// What the file holds that the project cannot carry, in words.
    pub not_carried: Vec<String>,
    /// Repairs made to read the file (encoding, unescaped characters).
    pub repairs: Vec<String>,
}

/// An included study.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// RevMan's identifier ("STD-ISIS-2", unescaped), or the name in a data package.
    pub id: String,
    /// The name RevMan shows ("ISIS-2").
    pub name: String,
    pub year: Option<String>,
    /// Characteristics of the study (methods, participants, …) as text, where given.
    pub characteristics: Vec<(String, String)>,
}

/// RevMan's data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    Dichotomous,
    Continuous,
    /// Generic inverse variance (RevMan Web: "contrast level"): an estimate and its SE.
    GenericInverseVariance,
    /// O − E and variance (RevMan 5's `IPD_OUTCOME`).
    OeVariance,
}

impl DataType {
    /// RevMan's name of the data type.
    pub fn name(self) -> &'static str {
        match self {
            DataType::Dichotomous => "dichotomous",
            DataType::Continuous => "continuous",
            DataType::GenericInverseVariance => "generic inverse variance",
            DataType::OeVariance => "O − E and variance",
        }
    }
}

/// A number RevMan stored, with the precision it was stored with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num {
    pub value: f64,
    /// Decimals written (data packages round); `None` for full double precision (`.rm5`).
    pub decimals: Option<usize>,
}

impl Num {
    /// Parses a stored number; empty text is `None`, as is text that is not a number.
    pub fn parse(text: &str, rounded: bool) -> Option<Num> {
        let t = text.trim();
        let value: f64 = t.parse().ok().filter(|v: &f64| v.is_finite())?;
        let decimals = rounded.then(|| t.split_once('.').map_or(0, |(_, d)| d.len()));
        Some(Num { value, decimals })
    }
}

/// Pooled results RevMan stored for an analysis or one of its subgroups. Ratios are on the
/// ratio scale; Z is |z|; I² in percent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stored {
    pub effect: Option<Num>,
    pub ci_start: Option<Num>,
    pub ci_end: Option<Num>,
    pub z: Option<Num>,
    pub p_z: Option<Num>,
    pub chi2: Option<Num>,
    pub df: Option<Num>,
    pub p_chi2: Option<Num>,
    pub i2: Option<Num>,
    pub tau2: Option<Num>,
}

impl Stored {
    /// True when nothing was stored, or RevMan stored zeros for the estimate and its interval
    /// (RevMan Web does so for analyses it did not compute).
    pub fn is_empty(&self) -> bool {
        let zero = |n: &Option<Num>| n.is_none_or(|n| n.value == 0.0);
        self.effect.is_none() || (zero(&self.effect) && zero(&self.ci_start) && zero(&self.ci_end))
    }
}

/// RevMan's test for subgroup differences, as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredDifference {
    pub chi2: Option<Num>,
    pub df: Option<Num>,
    pub p: Option<Num>,
    pub i2: Option<Num>,
}

/// A subgroup of an analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Subgroup {
    pub name: String,
    pub stored: Stored,
}

/// One study's data in an analysis (numbers as RevMan holds them; missing ones are `None`).
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Dichotomous {
        events_1: Option<f64>,
        total_1: Option<f64>,
        events_2: Option<f64>,
        total_2: Option<f64>,
    },
    Continuous {
        mean_1: Option<f64>,
        sd_1: Option<f64>,
        total_1: Option<f64>,
        mean_2: Option<f64>,
        sd_2: Option<f64>,
        total_2: Option<f64>,
    },
    /// Estimate on the analysis scale (log for ratios) and its standard error.
    Generic {
        estimate: Option<f64>,
        se: Option<f64>,
        total_1: Option<f64>,
        total_2: Option<f64>,
    },
    OeVariance {
        o_e: Option<f64>,
        variance: Option<f64>,
        total_1: Option<f64>,
        total_2: Option<f64>,
    },
}

/// One study's row in an analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct DataRow {
    /// The study's identifier (links to [`Review::studies`]).
    pub study_id: String,
    /// The name shown.
    pub study: String,
    pub year: Option<String>,
    /// Index into [`RevAnalysis::subgroups`].
    pub subgroup: Option<usize>,
    pub values: Values,
    pub footnotes: Vec<String>,
    /// RevMan's user-defined order.
    pub order: Option<f64>,
    /// The weight (percent) and effect RevMan stored for it.
    pub weight: Option<Num>,
    pub effect: Option<Num>,
    /// Where it was read ("file:line").
    pub location: String,
}

/// One RevMan analysis: an outcome of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct RevAnalysis {
    pub comparison_no: String,
    pub comparison_name: String,
    pub outcome_no: String,
    pub name: String,
    pub data_type: DataType,
    /// The effect measure as RevMan names it ("OR", "Odds Ratio", "Hazard Ratio", …).
    pub effect_measure: String,
    /// The statistical method as RevMan names it ("MH", "IV", "PETO", "EXP_O_E_VAR"), if given.
    pub method: Option<String>,
    pub random: bool,
    /// Data on the log scale (generic inverse variance; ratio measures).
    pub log_scale: Option<bool>,
    /// Confidence levels of the studies and of the totals, in percent.
    pub ci_study: Option<f64>,
    pub ci_total: Option<f64>,
    pub swap_events: bool,
    /// RevMan's sort order ("STUDY", "USER", "YEAR", "EFFECT_SIZE", "WEIGHT", …).
    pub sort_by: Option<String>,
    /// "YES" (totals), "SUB" (subtotals only), "NO".
    pub totals: Option<String>,
    pub subgroup_test: Option<bool>,
    /// Group labels: [experimental, control].
    pub arms: Option<(String, String)>,
    /// Graph labels: [left, right].
    pub favours: Option<(String, String)>,
    /// The axis scale (100 → 0.01 to 100, or −100 to 100).
    pub scale: Option<f64>,
    /// What the subgroups are ("Subgroup by", RevMan Web).
    pub subgroup_by: Option<String>,
    /// The unit of the effect measure ("points"), where given.
    pub units: Option<String>,
    /// RevMan Web (format 2): the τ² estimator, the CI method, the prediction interval.
    pub tau2_estimator: Option<String>,
    pub ci_method: Option<String>,
    pub prediction: Option<bool>,
    pub subgroups: Vec<Subgroup>,
    pub rows: Vec<DataRow>,
    pub stored: Stored,
    pub stored_difference: StoredDifference,
    /// Footnotes to the analysis itself.
    pub footnotes: Vec<String>,
    /// Studies counted in their subgroup only, not in the total (RevMan Web).
    pub subgroup_only: Vec<String>,
    /// Where it was read ("file:line").
    pub location: String,
}

impl RevAnalysis {
    /// RevMan's number of the analysis ("1.2").
    pub fn number(&self) -> String {
        format!("{}.{}", self.comparison_no, self.outcome_no)
    }

    /// The outcome id in the spec ("1-2").
    pub fn id(&self) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect()
        };
        format!("{}-{}", clean(&self.comparison_no), clean(&self.outcome_no))
    }
}

/// Risk-of-bias judgements: one row per study, one column per domain as RevMan names it.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskOfBias {
    pub domains: Vec<String>,
    /// (study name, judgement per domain; empty where none was given).
    pub rows: Vec<(String, Vec<String>)>,
}
