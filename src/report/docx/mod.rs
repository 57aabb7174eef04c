//! The manuscript as a Word file, from the same typst markup the PDF is compiled from.
//!
//! One source of content, two outputs: the minijinja templates render the review into typst
//! markup; typst compiles it to the PDF, and this module reads the same markup with typst's
//! parser into a small document tree and writes WordprocessingML. The Word file cannot drift
//! from the PDF, because no second set of templates exists.
//!
//! - `doc.rs`: the document tree (blocks of inline runs) — the writer's input, which other
//!   producers (the PRISMA checklist) build directly
//! - `markup.rs`: typst markup → document, for the subset the templates emit; anything else is
//!   a warning naming it
//! - `cite.rs`: figure and table references, and citations and the reference list formatted by
//!   hayagriva with the PDF's CSL style
//! - `write.rs`: document → the XML parts; `zip.rs`: the parts → a deterministic zip
//! - `figures.rs`: how each figure's PNG is drawn, and drawing a file's pictures ahead of
//!   writing it, shared with the build's other workers
//!
//! The DOCX is written by hand (XML strings and the `zip` crate) rather than with docx-rs:
//! every byte is under control (fixed zip dates and entry order, ids counted from 1), no
//! crate is added, and the subset of WordprocessingML needed is small.

pub mod cite;
pub mod doc;
pub mod figures;
pub mod markup;
pub mod write;
pub mod zip;

pub use doc::Document;
pub use write::Options;

/// A Word file and what was made of the markup.
#[derive(Debug, Clone)]
pub struct Docx {
    pub bytes: Vec<u8>,
    /// The document as written (references and citations resolved).
    pub document: Document,
    /// Constructs left out or not found, each naming what and where.
    pub warnings: Vec<String>,
}

/// Reads typst markup with its in-memory files (figures' SVGs, the bibliography, a CSL
/// style) into a resolved document.
pub fn document(source: &str, files: &[(String, Vec<u8>)], title: &str) -> Document {
    let mut doc = markup::read(source);
    doc.title = title.to_string();
    cite::resolve(&mut doc, files);
    doc
}

/// The Word file of typst markup.
pub fn from_typst(
    source: &str,
    files: &[(String, Vec<u8>)],
    title: &str,
    opts: Options,
) -> Result<Docx, String> {
    let doc = document(source, files, title);
    write_docx(doc, files, opts)
}

/// The Word file of a document.
pub fn write_docx(
    document: Document,
    files: &[(String, Vec<u8>)],
    opts: Options,
) -> Result<Docx, String> {
    let (parts, mut warnings) = write::parts(&document, files, opts);
    let bytes = zip::package(&parts)?;
    let mut all = document.warnings.clone();
    all.append(&mut warnings);
    Ok(Docx {
        bytes,
        document,
        warnings: all,
    })
}
