//! Data files: reading CSV/XLSX tables (the only data I/O) and binding their columns to study
//! rows for the core.
//!
//! - `table.rs`: a [`Table`] of text/number cells with the line of every row, from a CSV or
//!   XLSX file or from rows written inline in the spec;
//! - `bind.rs`: columns → [`crate::stats::StudyInput`], with file:line errors for every bad cell;
//! - `studies.rs`: rows without outcome data, repeated study labels;
//! - `multi_arm.rs`: multi-arm trials (a shared control group split, or arms combined).

pub mod bind;
pub mod convert;
pub mod multi_arm;
pub mod sheet_limits;
pub mod studies;
pub mod table;

pub use bind::{InputKind, bind_studies};
pub use table::{Cell, Cells, Row, Table};
