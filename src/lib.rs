//! metareport: meta-analysis reports from YAML specs and CSV data.
//!
//! The pipeline (see ARCHITECTURE.md): [`spec::load`] → [`spec::Spec`] →
//! [`stats::analyse`] → [`stats::Analysis`] → [`results`], [`plot`] and [`report`]; [`build`]
//! decides what is stale and writes `out/`; [`cli`] is the command line.

// Diagnostics are larger than clippy likes in a `Result`; they are built on cold paths only.
#![allow(clippy::result_large_err)]
pub mod build;
pub mod cli;
pub mod data;
pub mod diag;
pub mod diff;
pub mod fonts;
pub mod import;
pub mod plot;
pub mod project;
pub mod report;
pub mod results;
pub mod rob;
pub mod spec;
pub mod stats;
