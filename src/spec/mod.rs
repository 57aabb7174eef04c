//! Review specs: YAML → [`raw::RawSpec`] (checked against its JSON Schema) → [`Spec`].
//!
//! - `yaml.rs`: YAML → a tree with line/column of every node
//! - `check.rs`: the tree against the JSON Schema of `RawSpec`: all unknown keys, wrong types
//!   and values at once, with "did you mean"
//! - `raw.rs`: the serde mirror of the YAML and its schema (`metareport schema`)
//! - `preset.rs`: presets and the resolution of every setting with its source
//! - `resolve.rs`: `RawSpec` → `Spec`: files read (inside the project only), columns bound,
//!   names checked, options built for the core
//!
//! After `resolve`, nothing handles strings that should be enums.

pub mod check;
pub mod preset;
pub mod raw;
pub mod raw_conversions;
pub mod raw_defaults;
pub mod raw_heterogeneity;
pub mod raw_multi_arm;
pub mod raw_rob;
pub mod raw_sof;
pub mod resolve;
pub mod submission;
pub mod summary_of_findings;
pub mod yaml;

use serde::Serialize;

use crate::data::InputKind;
use crate::stats::{StudyInput, analysis::Options};
pub use preset::{Preset, Setting};
pub use resolve::{load, schema_json};

/// A file the review reads, with the blake3 hash of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputFile {
    /// Path relative to the project root.
    pub path: String,
    /// blake3 hash (hex) of the bytes; for the spec itself (the first input), of its resolved
    /// content (`resolve::spec_content_hash`), so comments and layout do not change it.
    pub blake3: String,
}

/// A validated review spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spec {
    /// Identifier: the spec's file stem ("magnesium").
    pub id: String,
    /// The spec file, relative to the project.
    pub file: String,
    pub title: String,
    pub short_title: String,
    pub authors: Vec<String>,
    pub source: Option<String>,
    pub notes: Vec<String>,
    pub preset: Preset,
    pub studies: Option<StudyTable>,
    pub prisma: Option<Prisma>,
    pub outcomes: Vec<Outcome>,
    pub baseline: Option<Baseline>,
    pub style: Style,
    /// Whether the manuscript ends with the reproducibility appendix.
    pub reproducibility: Reproducibility,
    pub figures: Vec<Figure>,
    /// The tables, in order: (kind, caption override).
    pub tables: Vec<(TableKind, Option<String>)>,
    /// Every file read (the spec first), with its hash.
    pub inputs: Vec<InputFile>,
    /// The review's risk-of-bias or quality appraisal.
    pub risk_of_bias: Option<crate::rob::RiskOfBias>,
    /// The GRADE Summary of Findings table, if the spec asks for one.
    pub summary_of_findings: Option<summary_of_findings::SummaryOfFindings>,
    /// The journal submission package, when asked for (not part of the manuscript's key:
    /// the submission's targets name it themselves).
    #[serde(skip)]
    pub submission: Option<Submission>,
    /// PRISMA 2020 checklist locations given by the authors (item → location).
    #[serde(skip)]
    pub prisma_checklist: std::collections::BTreeMap<String, String>,
}

/// The journal submission package, resolved (`submission:`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    /// The journal preset's name.
    pub journal: String,
    /// Printed width of the figures in mm.
    pub width_mm: f64,
    /// Figure file formats, in the order given.
    pub formats: Vec<crate::plot::export::Format>,
    /// Resolution of raster figures.
    pub dpi: u32,
    /// The smallest text allowed at the printed width (points) and who sets it.
    pub min_text_pt: f64,
    pub min_text_source: String,
}

/// Table 1: study characteristics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub caption: Option<String>,
    pub footnote: Option<String>,
    /// The study labels (the `id` column) with their lines, and the table's file, for
    /// checking other tables against it.
    #[serde(skip)]
    pub ids: Vec<String>,
    #[serde(skip)]
    pub id_lines: Vec<usize>,
    #[serde(skip)]
    pub source: String,
}

/// PRISMA 2020 counts.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Prisma {
    pub databases: Option<u64>,
    pub database_names: Vec<String>,
    pub registers: Option<u64>,
    pub other_methods: Option<u64>,
    pub duplicates_removed: Option<u64>,
    pub automation_removed: Option<u64>,
    pub other_removed: Option<u64>,
    pub screened: Option<u64>,
    pub screened_excluded: Option<u64>,
    pub sought: Option<u64>,
    pub not_retrieved: Option<u64>,
    pub assessed: Option<u64>,
    pub excluded: Vec<(String, u64)>,
    pub included_studies: Option<u64>,
    pub included_reports: Option<u64>,
    pub caption: Option<String>,
}

/// One outcome, ready for the core.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub id: String,
    pub title: String,
    /// The data file, if not inline.
    pub data_file: Option<String>,
    pub kind: InputKind,
    /// The study rows, in the order the analysis uses (subgroups in their order).
    pub studies: Vec<StudyInput>,
    /// The line of the data (or spec, for inline rows) each study came from.
    #[serde(skip)]
    pub lines: Vec<usize>,
    /// Studies whose outcome cells are empty: listed, not analysed (`Outcome::analyse`).
    pub missing: Vec<crate::stats::analysis::MissingStudy>,
    /// What was converted before pooling, by study label (`data/convert.rs`).
    pub conversions: std::collections::BTreeMap<String, Vec<crate::stats::convert::Conversion>>,
    /// The conversion settings in force (`conversions:`; metafor's defaults).
    pub conversion_settings: crate::data::convert::Settings,
    /// What `multi_arm:` did to the multi-arm trials (`data/multi_arm.rs`).
    pub multi_arm: Option<crate::data::multi_arm::Report>,
    /// Standard column name → column in the data, where they differ.
    pub columns: std::collections::BTreeMap<String, String>,
    /// Standard column name → 1-based position of its column in the data file (for messages).
    #[serde(skip)]
    pub column_numbers: std::collections::BTreeMap<String, usize>,
    /// Options for the core, fully resolved.
    pub options: Options,
    /// Every setting with its source.
    pub settings: Vec<Setting>,
    /// True when `effects: rule` is in force.
    pub uses_rule: bool,
    /// What the subgroups are ("study design").
    pub subgroup_label: Option<String>,
    /// The column ordering a cumulative analysis, if any.
    pub cumulative_by: Option<String>,
    /// How a cumulative analysis orders the studies, if one is asked for.
    pub cumulative_order: Option<CumulativeOrder>,
    pub forest: Forest,
    pub funnel: Funnel,
    /// Bubble plots draw the prediction band of the meta-regression.
    pub bubble_prediction_band: bool,
    /// The appraisal that applies to this outcome: its own table, else the review's.
    pub risk_of_bias: Option<crate::rob::RiskOfBias>,
}

/// The order in which a cumulative analysis adds the studies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CumulativeOrder {
    /// The order of the data.
    Data,
    /// By a column: numbers as numbers; text alphabetically, ignoring case, with the numbers
    /// in it compared as numbers ("Study 2" before "Study 10").
    Column {
        column: String,
        numeric: bool,
        descending: bool,
    },
}

/// Forest plot settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forest {
    pub favours: (String, String),
    pub arms: (String, String),
    pub limits: Option<(f64, f64)>,
    pub ticks: Option<Vec<f64>>,
    pub prediction_bar: bool,
    pub caption: Option<String>,
    /// Risk-of-bias columns at the right of the graph.
    pub risk_of_bias: bool,
    /// Decimals of each data column the forest plot shows, by standard column name
    /// (`mean_t`, `sd_c`, ..., `yi`, `se`): as entered or as set in the spec.
    pub decimals: std::collections::BTreeMap<String, usize>,
}

/// Funnel plot settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    pub show: bool,
    pub contours: bool,
    pub trim_and_fill: bool,
    pub egger_line: bool,
    pub caption: Option<String>,
}

/// One baseline characteristic's rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineCharacteristic {
    pub name: String,
    pub counts: Vec<[f64; 4]>,
    pub means: Vec<[f64; 6]>,
}

/// Baseline characteristics table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    pub characteristics: Vec<BaselineCharacteristic>,
    pub yates: bool,
    pub caption: Option<String>,
}

/// Manuscript style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Style {
    Plain,
    Journal,
}

/// Where the reproducibility record (version, preset, input hashes) goes in the manuscript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reproducibility {
    /// An appendix after the references.
    Appendix,
    /// Left out of the manuscript (the combined report keeps it).
    None,
}

/// Kinds of table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableKind {
    Studies,
    Summary,
    Baseline,
    RiskOfBias,
}

/// Kinds of figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FigureKind {
    Prisma,
    Forest,
    Funnel,
    LeaveOneOut,
    Cumulative,
    Bubble,
    Baujat,
    Gosh,
    RiskOfBias,
    RiskOfBiasSummary,
}

impl FigureKind {
    pub fn slug(self) -> &'static str {
        match self {
            FigureKind::Prisma => "prisma",
            FigureKind::Forest => "forest",
            FigureKind::Funnel => "funnel",
            FigureKind::LeaveOneOut => "leave-one-out",
            FigureKind::Cumulative => "cumulative",
            FigureKind::Bubble => "bubble",
            FigureKind::Baujat => "baujat",
            FigureKind::Gosh => "gosh",
            FigureKind::RiskOfBias => "risk-of-bias",
            FigureKind::RiskOfBiasSummary => "risk-of-bias-summary",
        }
    }
}

/// A figure of the manuscript.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub kind: FigureKind,
    /// Outcome ids (several: stacked panels).
    pub outcomes: Vec<String>,
    /// Forest plots: one panel per subgroup.
    pub subgroup_panels: bool,
    pub caption: Option<String>,
}

impl Figure {
    /// The file stem of the figure ("forest-mortality", "prisma", "forest-panels-mortality").
    pub fn stem(&self) -> String {
        let kind = if self.subgroup_panels {
            "forest-panels"
        } else {
            self.kind.slug()
        };
        if self.outcomes.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}-{}", self.outcomes.join("+"))
        }
    }
}
