//! The manuscript: numbers formatted as journals print them (`format.rs`), the template
//! context (`context.rs`), typst source from minijinja templates (`render.rs`), and the PDF
//! (`compile.rs`).
pub mod compile;
pub mod context;
pub mod docx;
pub mod format;
pub mod prisma_checklist;
pub mod render;
pub mod supplementary;
