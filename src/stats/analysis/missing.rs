//! Studies without data for the outcome: listed with the analysis (RevMan lists them as "Not
//! estimable" with empty cells), never pooled, and counted apart from the studies that
//! reported the outcome (`report/counts.rs`).

use serde::Serialize;

use super::Analysis;

/// A study that did not report the outcome (its outcome cells were empty or `NA`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingStudy {
    /// The study label.
    pub study: String,
    /// Its subgroup, when the outcome has subgroups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subgroup: Option<String>,
    /// Why it is not in the analysis, in words.
    pub reason: String,
    /// Where it is listed: after this input (the last study of its subgroup that precedes it
    /// in the data), or before every study of its subgroup when `None`.
    #[serde(skip)]
    pub after: Option<usize>,
}

impl MissingStudy {
    /// Sort key among the study rows of a listing: a study at input `i` is `(i, 1)`; a
    /// missing study comes right after the study it follows, or first.
    pub fn sort_key(&self) -> (usize, u8) {
        match self.after {
            Some(i) => (i, 2),
            None => (0, 0),
        }
    }
}

impl Analysis {
    /// The analysis with the studies that did not report the outcome listed beside it.
    pub fn with_missing(mut self, missing: Vec<MissingStudy>) -> Self {
        self.missing = missing;
        self
    }

    /// The studies without data of one subgroup (or all of them).
    pub fn missing_in<'a>(
        &'a self,
        subgroup: Option<&'a str>,
    ) -> impl Iterator<Item = (usize, &'a MissingStudy)> + 'a {
        self.missing
            .iter()
            .enumerate()
            .filter(move |(_, m)| subgroup.is_none() || m.subgroup.as_deref() == subgroup)
    }
}
