//! The manuscript: numbers formatted as journals print them (`format.rs`), the counts of
//! studies and participants (`counts.rs`), the template context (`context.rs`;
//! `context_heterogeneity.rs` for meta-regression, influence and GOSH) with the facts
//! of the methods read from what was computed (`methods.rs`), typst source from minijinja
//! templates (`render.rs`), the PDF (`compile.rs`), and the notes for the authors that stay
//! out of the manuscript (`notes.rs`); the GRADE Summary of Findings table
//! (`summary_of_findings.rs`).
pub mod compile;
pub mod context;
pub mod context_heterogeneity;
pub mod conversions;
pub mod counts;
pub mod docx;
pub mod format;
pub mod measures;
pub mod methods;
pub mod multi_arm;
pub mod notes;
pub mod prisma_checklist;
pub mod render;
pub mod risk_of_bias;
pub mod summary_of_findings;
pub mod supplementary;
