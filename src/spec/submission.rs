//! The serde mirror of `submission:` and `prisma_checklist:` (re-exported from `raw.rs`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::plot::export::Format;

/// The journal submission package (`out/<review>/submission/`): the Word manuscript, figure
/// files to a journal's rules, the PRISMA 2020 checklist, supplementary material.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSubmission {
    /// The journal whose figure rules apply: `plos`, `bmj`, `lancet`, `jama`, `bmc`,
    /// `elsevier`, `wiley` or `generic` (the guide's submission chapter (docs/src/spec/submission.md) lists each preset with its source).
    pub journal: Option<String>,
    /// Printed width of the figures: `single` or `double` (the journal's column widths), or
    /// a width in millimetres.
    pub width: Option<RawWidth>,
    /// Figure file formats: any of `svg`, `png`, `tiff`, `pdf`, `eps` (default: the journal's).
    pub formats: Option<Vec<Format>>,
    /// Resolution of PNG and TIFF figures in dots per inch (default: the journal's).
    #[schemars(range(min = 72, max = 2400))]
    pub dpi: Option<u32>,
}

/// A printed width.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawWidth {
    /// Millimetres.
    Mm(f64),
    /// A column width of the journal.
    Column(RawColumnWidth),
}

/// A journal column width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawColumnWidth {
    Single,
    Double,
}

/// Where the authors report PRISMA 2020 items metareport does not write, by item ("5",
/// "10a", "24b"; "A1"–"A12" for the PRISMA 2020 for Abstracts checklist), e.g.
/// `{"5": "Methods, Eligibility criteria"}`. A value given here replaces metareport's.
pub type RawPrismaChecklist = BTreeMap<String, String>;
