//! typst source → PDF, inside the process: embedded fonts only, figures and the bibliography
//! as in-memory files, no clock (fixed document identity, no timestamp).

use typst::diag::Severity;
use typst::foundations::Smart;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use crate::results::VERSION;

/// Compiles typst source with its in-memory files (figures, bibliography) to PDF bytes.
/// `ident` names the document stably across builds.
pub fn pdf(source: &str, files: Vec<(String, Vec<u8>)>, ident: &str) -> Result<Vec<u8>, String> {
    let doc = document(source, files)?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(format!("metareport/{ident}")),
        creator: Smart::Custom(Some(format!("metareport {VERSION}"))),
        timestamp: None,
        ..Default::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|errors| {
        errors
            .iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// Lays out the document (for tests that inspect the text).
pub fn document(source: &str, files: Vec<(String, Vec<u8>)>) -> Result<PagedDocument, String> {
    // The citation style ships with the binary, beside the figures and the bibliography.
    let csl = (
        super::render::VANCOUVER_PATH,
        super::render::VANCOUVER_CSL.as_bytes().to_vec(),
    );
    let engine = TypstEngine::builder()
        .fonts(crate::fonts::all())
        .with_static_source_file_resolver([("main.typ", source.to_string())])
        .with_static_file_resolver(
            files
                .iter()
                .map(|(p, b)| (p.as_str(), b.clone()))
                .chain(std::iter::once((csl.0, csl.1)))
                .collect::<Vec<_>>(),
        )
        .build();
    let warned = engine.compile::<_, PagedDocument>("main.typ");
    warned.output.map_err(|e| describe(source, e))
}

fn describe(_source: &str, e: typst_as_lib::TypstAsLibError) -> String {
    match e {
        typst_as_lib::TypstAsLibError::TypstSource(diags) => diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                let mut s = d.message.to_string();
                for h in &d.hints {
                    s.push_str(&format!(" (hint: {})", h.v));
                }
                s
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
