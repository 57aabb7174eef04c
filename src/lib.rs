//! metareport: meta-analysis reports from YAML specs and CSV data.
pub mod build;
pub mod cli;
pub mod data;
pub mod diag;
pub mod project;
pub mod spec;
pub mod stats;
pub mod fonts;
pub mod plot;
pub mod report;
pub mod results;
