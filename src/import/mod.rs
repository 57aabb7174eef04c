//! `metareport import`: a RevMan review becomes a metareport project.
//!
//! RevMan 5 `.rm5` file (`rm5.rs`, on `xml.rs`) or RevMan Web data package, zip or folder
//! (`data_package.rs`) → [`Review`] (`model.rs`) → the project's files: spec YAML, CSVs,
//! README (`write.rs`).

pub mod data_package;
pub mod model;
pub mod rm5;
pub mod write;
mod xml;

pub use model::*;
