//! metareport: meta-analysis reports from YAML specs and CSV data.
pub mod stats;
