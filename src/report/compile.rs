//! typst source → PDF, inside the process: embedded fonts only, figures and the bibliography
//! as in-memory files, no clock (fixed document identity, no timestamp).

use typst::diag::Severity;
use typst::foundations::Smart;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use crate::results::VERSION;

/// The embedded fonts, read once per process: every compilation shares them (typst's `Font`
/// is a reference-counted view of the static bytes) instead of copying ~10 MB of font files
/// and parsing them again.
static FONTS: std::sync::LazyLock<Vec<typst::text::Font>> = std::sync::LazyLock::new(|| {
    crate::fonts::all()
        .into_iter()
        .flat_map(|b| typst::text::Font::iter(typst::foundations::Bytes::new(b)))
        .collect()
});

/// How many compilations typst's memo cache keeps an unused entry for. typst-as-lib empties it
/// after every compilation by default; kept, a build's later documents reuse what earlier ones
/// laid out and decoded (the figures' SVGs in the figure PDFs and the supplementary, fonts'
/// shaping) — typst's own `watch` keeps 10 compilations the same way. (The combined report no
/// longer lays its reviews out: it embeds their compiled pages, `build/report_pages.rs`.)
const MEMO_AGE: usize = 40;

/// typst's one-time work — the embedded fonts parsed, and the 63 CSL locales typst-library
/// decodes on a document's first citation (~80 ms of CPU, by far the largest part, in a static
/// of its own that no caller can fill) — done by compiling a one-citation document. The build
/// calls it on a thread of its own while it analyses the reviews, with one core otherwise
/// idle, when it is to compile a manuscript: the first manuscript's compilation no longer
/// waits for it.
pub fn warm_up() -> Result<(), String> {
    let source = format!(
        "#set text(lang: \"en\")\n@w\n#bibliography(\"w.yml\", style: \"{}\")\n",
        super::render::VANCOUVER_PATH
    );
    let bib = b"w:\n  type: misc\n  title: W\n".to_vec();
    document(&source, vec![("w.yml".to_string(), bib)]).map(|_| ())
}

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
    // Files of typst markup (modules the main file imports) are sources; the rest are read as
    // bytes. A module shared by several documents (`prisma_checklist::MODULE`) lets typst
    // reuse what it laid out from it for one document in the next.
    let (modules, binaries): (Vec<_>, Vec<_>) =
        files.iter().partition(|(p, _)| p.ends_with(".typ"));
    let sources = modules
        .iter()
        .map(|(p, b)| (p.as_str(), String::from_utf8_lossy(b).into_owned()))
        .chain(std::iter::once(("main.typ", source.to_string())))
        .collect::<Vec<_>>();
    let engine = TypstEngine::builder()
        .fonts(FONTS.iter().cloned())
        .comemo_evict_max_age(Some(MEMO_AGE))
        .with_static_source_file_resolver(sources)
        .with_static_file_resolver(
            binaries
                .iter()
                .map(|(p, b)| (p.as_str(), b.clone()))
                .chain(std::iter::once((csl.0, csl.1)))
                .collect::<Vec<_>>(),
        )
        .build();
    let warned = engine.compile::<_, PagedDocument>("main.typ");
    warned.output.map_err(|e| describe(source, e))
}

fn describe(source: &str, e: typst_as_lib::TypstAsLibError) -> String {
    match e {
        typst_as_lib::TypstAsLibError::TypstSource(diags) => diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                let mut s = String::new();
                if let Some((line, column, text)) = locate(source, d.span) {
                    s.push_str(&format!("line {line}, column {column}: "));
                    s.push_str(&crate::diag::excerpt(&d.message, 200));
                    s.push_str(&format!(
                        " (near `{}`)",
                        crate::diag::excerpt(text.trim(), 80)
                    ));
                } else {
                    s.push_str(&crate::diag::excerpt(&d.message, 200));
                }
                for h in &d.hints {
                    s.push_str(&format!(" (hint: {})", crate::diag::excerpt(&h.v, 200)));
                }
                s
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => crate::diag::excerpt(&other.to_string(), 300),
    }
}

/// Where a span of the main source lies: 1-based line and column, and the text of that line.
fn locate(source: &str, span: typst::syntax::DiagSpan) -> Option<(usize, usize, String)> {
    use typst::syntax::DiagSpanKind;
    let (id, start) = match span.get() {
        DiagSpanKind::Detached => return None,
        DiagSpanKind::Range { id, range } => (id, Some(range.start)),
        DiagSpanKind::Number { id, .. } => (id, None),
    };
    if id.vpath().get_with_slash() != "/main.typ" {
        return None;
    }
    let parsed = typst::syntax::Source::new(id, source.to_string());
    let start = match (start, span.get()) {
        (Some(s), _) => s,
        (None, DiagSpanKind::Number { num, .. }) => parsed.range(num, None)?.start,
        _ => return None,
    };
    let (line, column) = parsed.lines().byte_to_line_column(start)?;
    let text = parsed
        .lines()
        .line_to_range(line)
        .and_then(|r| source.get(r))
        .unwrap_or_default()
        .to_string();
    Some((line + 1, column + 1, text))
}
