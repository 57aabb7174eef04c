//! The manuscript: numbers formatted as journals print them (`format.rs`), the template
//! context (`context.rs`; `context_heterogeneity.rs` for meta-regression, influence and GOSH), typst source from minijinja templates (`render.rs`), and the PDF
//! (`compile.rs`).
pub mod compile;
pub mod context;
pub mod context_heterogeneity;
pub mod format;
pub mod render;
