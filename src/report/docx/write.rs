//! [`Document`] → the parts of a Word file (WordprocessingML), written as XML text.
//!
//! Plain OOXML that Word and LibreOffice open without questions: named paragraph styles
//! (Title, Heading 1–3 with outline levels, Caption, Table Text, Bibliography, Note), real
//! tables (a repeated header row, three rules as in the PDF), figures as PNG pictures at
//! 300 dpi of their printed size, A4 pages with the PDF's margins and the page number in the
//! footer (a PAGE field, which Word fills in itself). No other fields (the contents list is
//! text), no macros, no timestamps, ids counted from 1.

use std::fmt::Write as _;

use super::doc::*;
use super::figures::{Draw, Picture};

/// Text width of the page (A4 less 2.3 cm margins), in points; as the PDF's.
pub const TEXT_WIDTH_PT: f64 = 464.88;
/// Text width of a landscape page (A4 turned, same margins), in points.
pub const TEXT_WIDTH_LANDSCAPE_PT: f64 = 711.5;
/// Height a figure may take (the PDF's `fitted`), in points.
pub const FIGURE_MAX_HEIGHT_PT: f64 = 595.28;
/// Resolution of the embedded figures.
pub const FIGURE_DPI: u32 = 300;

/// How to write.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Embed the figures' images (else only their captions are written, as journals want
    /// when figures are uploaded as separate files).
    pub embed_figures: bool,
}

/// Writes the parts of the Word file, in package order.
pub fn parts(
    doc: &Document,
    files: &[(String, Vec<u8>)],
    opts: Options,
) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
    let headings = heading_numbers(doc);
    let walk = |plan: Option<Vec<Picture>>| {
        let mut w = Writer {
            text_width: TEXT_WIDTH_PT,
            landscape: false,
            margins: doc.margins,
            files,
            opts,
            body: String::new(),
            media: Vec::new(),
            next_id: 1,
            warnings: Vec::new(),
            plan,
        };
        w.orient(doc.landscape);
        let mut heading_index = 0;
        for b in &doc.blocks {
            if let Block::Heading { .. } = b {
                let number = headings.get(heading_index).cloned().flatten();
                heading_index += 1;
                w.block(b, number.as_deref(), doc, &headings);
            } else {
                w.block(b, None, doc, &headings);
            }
        }
        w
    };
    if opts.embed_figures {
        // The pictures first, drawn by this job and any build worker free to help
        // (`figures.rs`); the file is then written with them.
        super::figures::draw_ahead(walk(Some(Vec::new())).plan.unwrap_or_default());
    }
    let w = walk(None);
    let mut out = Vec::new();
    let mut content_types = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
        r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
        r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    ));
    if !w.media.is_empty() {
        content_types.push_str(r#"<Default Extension="png" ContentType="image/png"/>"#);
    }
    content_types.push_str(concat!(
        r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#,
        r#"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>"#,
        r#"<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>"#,
        r#"<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>"#,
        r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
        r#"<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#,
        "</Types>"
    ));
    out.push((
        "[Content_Types].xml".to_string(),
        content_types.into_bytes(),
    ));
    out.push((
        "_rels/.rels".to_string(),
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
            r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>"#,
            r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#,
            r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>"#,
            "</Relationships>"
        )
        .as_bytes()
        .to_vec(),
    ));
    out.push((
        "docProps/core.xml".to_string(),
        format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
                "\n",
                r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
                "<dc:title>{}</dc:title><dc:creator>metareport</dc:creator></cp:coreProperties>"
            ),
            esc(&doc.title)
        )
        .into_bytes(),
    ));
    out.push((
        "docProps/app.xml".to_string(),
        format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
                "\n",
                r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>metareport {}</Application></Properties>"#
            ),
            esc(crate::results::VERSION)
        )
        .into_bytes(),
    ));
    let mut rels = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
        r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
        r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>"#,
        r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>"#,
    ));
    for (i, _) in w.media.iter().enumerate() {
        let _ = write!(
            rels,
            r#"<Relationship Id="rIdImg{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image{n}.png"/>"#,
            n = i + 1
        );
    }
    rels.push_str("</Relationships>");
    let document = format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">"#,
            "<w:body>{}",
            "{}",
            "</w:body></w:document>"
        ),
        w.body,
        section_properties(w.landscape, w.margins)
    );
    out.push(("word/document.xml".to_string(), document.into_bytes()));
    out.push((
        "word/_rels/document.xml.rels".to_string(),
        rels.into_bytes(),
    ));
    out.push((
        "word/styles.xml".to_string(),
        styles(doc.text_size).into_bytes(),
    ));
    out.push((
        "word/settings.xml".to_string(),
        SETTINGS.as_bytes().to_vec(),
    ));
    out.push(("word/footer1.xml".to_string(), FOOTER.as_bytes().to_vec()));
    for (i, png) in w.media.into_iter().enumerate() {
        out.push((format!("word/media/image{}.png", i + 1), png));
    }
    (out, w.warnings)
}

/// The number of each heading ("2.1."), in document order; `None` for unnumbered ones.
fn heading_numbers(doc: &Document) -> Vec<Option<String>> {
    let mut counters = [0usize; 9];
    let mut out = Vec::new();
    for b in &doc.blocks {
        if let Block::Heading {
            level, numbered, ..
        } = b
        {
            if !*numbered {
                out.push(None);
                continue;
            }
            let l = (*level as usize).clamp(1, 9);
            counters[l - 1] += 1;
            for c in counters.iter_mut().skip(l) {
                *c = 0;
            }
            let parts: Vec<String> = counters[..l].iter().map(|c| c.to_string()).collect();
            out.push(Some(format!("{}.", parts.join("."))));
        }
    }
    out
}

/// The properties of a section (page size and orientation, margins, the footer with the page
/// number).
/// `margins`: the source's (left and right, top and bottom, points), else the manuscript's.
fn section_properties(landscape: bool, margins: Option<(f64, f64)>) -> String {
    let size = if landscape {
        r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#
    } else {
        r#"<w:pgSz w:w="11906" w:h="16838"/>"#
    };
    let margin = match margins {
        // The footer (page number) sits half-way into the bottom margin.
        Some((x, y)) => {
            let (x, y) = ((x * 20.0).round() as i64, (y * 20.0).round() as i64);
            format!(
                r#"<w:pgMar w:top="{y}" w:right="{x}" w:bottom="{y}" w:left="{x}" w:header="{h}" w:footer="{h}" w:gutter="0"/>"#,
                h = y / 2
            )
        }
        None => r#"<w:pgMar w:top="1361" w:right="1304" w:bottom="1474" w:left="1304" w:header="709" w:footer="709" w:gutter="0"/>"#.to_string(),
    };
    format!(
        r#"<w:sectPr><w:footerReference w:type="default" r:id="rId3"/>{size}{margin}<w:cols w:space="708"/></w:sectPr>"#
    )
}

struct Writer<'a> {
    /// Text width of the current section's pages, in points.
    text_width: f64,
    /// The current section's pages are landscape.
    landscape: bool,
    /// The source's page margins (points), if it sets them.
    margins: Option<(f64, f64)>,
    files: &'a [(String, Vec<u8>)],
    opts: Options,
    body: String,
    media: Vec<Vec<u8>>,
    next_id: usize,
    warnings: Vec<String>,
    /// Listing the pictures to draw rather than writing (`figures.rs`).
    plan: Option<Vec<Picture>>,
}

/// XML text: the five entities, and no characters XML 1.0 forbids.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn run_props(f: &Fmt) -> String {
    let mut p = String::new();
    if f.mono {
        p.push_str(r#"<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>"#);
    }
    if f.bold {
        p.push_str("<w:b/><w:bCs/>");
    }
    if f.italic {
        p.push_str("<w:i/><w:iCs/>");
    }
    if f.small_caps {
        p.push_str("<w:smallCaps/>");
    }
    if f.grey {
        p.push_str(r#"<w:color w:val="5A5A5A"/>"#);
    }
    if let Some(s) = f.size {
        let hp = (s * 2.0).round() as i64;
        let _ = write!(p, r#"<w:sz w:val="{hp}"/><w:szCs w:val="{hp}"/>"#);
    }
    if f.underline {
        p.push_str(r#"<w:u w:val="single"/>"#);
    }
    if f.superscript {
        p.push_str(r#"<w:vertAlign w:val="superscript"/>"#);
    } else if f.subscript {
        p.push_str(r#"<w:vertAlign w:val="subscript"/>"#);
    }
    if p.is_empty() {
        p
    } else {
        format!("<w:rPr>{p}</w:rPr>")
    }
}

/// The font named for symbols the text fonts lack: GRADE's certainty marks (⨁ U+2A01, ◯ U+25EF,
/// ⊕ U+2295, ⊖ U+2296, ⊝ U+229D) and the other geometric shapes and circled operators. Times New
/// Roman and Liberation Serif have none of them, and a word processor's own fallback may pick a
/// font whose ◯ is filled (LibreOffice chose DejaVu Math TeX Gyre: ⨁⨁●●). "Segoe UI Symbol"
/// ships with Windows and has them; where it is missing (LibreOffice on Linux, Word on macOS)
/// the substitute is a general symbol font (DejaVu Sans under LibreOffice, checked), not a math one.
pub const SYMBOL_FONT: &str = "Segoe UI Symbol";

/// Whether `c` is set in [`SYMBOL_FONT`].
fn is_symbol(c: char) -> bool {
    matches!(c, '\u{2295}'..='\u{22A1}' | '\u{25A0}'..='\u{25FF}' | '\u{2A00}'..='\u{2AFF}')
}

/// `s` cut into runs of symbols (true) and of other text (false), in order; no empty pieces.
fn symbol_spans(s: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut kind = None;
    for (i, c) in s.char_indices() {
        let k = is_symbol(c);
        if kind.is_some_and(|p| p != k) {
            out.push((!k, &s[start..i]));
            start = i;
        }
        kind = Some(k);
    }
    if let Some(k) = kind {
        out.push((k, &s[start..]));
    }
    out
}

/// Run properties `props` (`<w:rPr>…</w:rPr>` or empty) with [`SYMBOL_FONT`] named first, as
/// the schema orders `w:rFonts`.
fn symbol_props(props: &str) -> String {
    let f = SYMBOL_FONT;
    let fonts = format!(r#"<w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/>"#);
    match props.strip_prefix("<w:rPr>") {
        Some(rest) => format!("<w:rPr>{fonts}{rest}"),
        None => format!("<w:rPr>{fonts}</w:rPr>"),
    }
}

/// Runs as WordprocessingML (`<w:r>…</w:r>`); references and citations must be resolved.
fn runs(content: &[Inline], base: Fmt) -> String {
    let mut out = String::new();
    for i in content {
        match i {
            Inline::Text(t, f) => {
                let mut f = *f;
                f.bold |= base.bold;
                f.italic |= base.italic;
                if f.size.is_none() {
                    f.size = base.size;
                }
                let props = run_props(&f);
                for (k, piece) in t.split('\t').enumerate() {
                    if k > 0 {
                        let _ = write!(out, "<w:r>{props}<w:tab/></w:r>");
                    }
                    for (symbols, part) in symbol_spans(piece) {
                        let props = if symbols && !f.mono {
                            symbol_props(&props)
                        } else {
                            props.clone()
                        };
                        let _ = write!(
                            out,
                            r#"<w:r>{props}<w:t xml:space="preserve">{}</w:t></w:r>"#,
                            esc(part)
                        );
                    }
                }
            }
            Inline::LineBreak => out.push_str("<w:r><w:br/></w:r>"),
            Inline::Ref(l, f) => {
                let _ = write!(
                    out,
                    r#"<w:r>{}<w:t xml:space="preserve">@{}</w:t></w:r>"#,
                    run_props(f),
                    esc(l)
                );
            }
            Inline::Cite(keys, f) => {
                let _ = write!(
                    out,
                    r#"<w:r>{}<w:t xml:space="preserve">[{}]</w:t></w:r>"#,
                    run_props(f),
                    esc(&keys.join(", "))
                );
            }
        }
    }
    out
}

fn jc(a: Align) -> &'static str {
    match a {
        Align::Left => r#"<w:jc w:val="left"/>"#,
        Align::Center => r#"<w:jc w:val="center"/>"#,
        Align::Right => r#"<w:jc w:val="right"/>"#,
        Align::Justify => r#"<w:jc w:val="both"/>"#,
    }
}

impl Writer<'_> {
    /// Sets the orientation of the pages that follow.
    fn orient(&mut self, landscape: bool) {
        self.landscape = landscape;
        self.text_width = match self.margins {
            // A4: 595.28 × 841.89 pt.
            Some((x, _)) => (if landscape { 841.89 } else { 595.28 }) - 2.0 * x,
            None if landscape => TEXT_WIDTH_LANDSCAPE_PT,
            None => TEXT_WIDTH_PT,
        };
    }

    fn para(&mut self, style: &str, extra_ppr: &str, content: &str) {
        let _ = write!(
            self.body,
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/>{extra_ppr}</w:pPr>{content}</w:p>"#
        );
    }

    fn block(
        &mut self,
        b: &Block,
        number: Option<&str>,
        doc: &Document,
        headings: &[Option<String>],
    ) {
        match b {
            Block::Title(content) => self.para("Title", "", &runs(content, Fmt::default())),
            Block::Heading { level, content, .. } => {
                let style = format!("Heading{}", (*level).clamp(1, 3));
                let mut r = String::new();
                if let Some(n) = number {
                    r.push_str(&runs(
                        &[Inline::Text(format!("{n} "), Fmt::default())],
                        Fmt::default(),
                    ));
                }
                r.push_str(&runs(content, Fmt::default()));
                self.para(&style, "", &r);
            }
            Block::Paragraph {
                content,
                align,
                size,
                shaded,
            } => {
                let mut ppr = String::new();
                if *shaded {
                    ppr.push_str(r#"<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>"#);
                }
                if *align != Align::Left {
                    ppr.push_str(jc(*align));
                }
                let base = Fmt {
                    size: *size,
                    ..Fmt::default()
                };
                let style = if *shaded { "Note" } else { "BodyText" };
                self.para(style, &ppr, &runs(content, base));
            }
            Block::Section { landscape } => {
                if *landscape != self.landscape {
                    // A section ends with a paragraph that holds its properties; an empty
                    // document has no section to end yet.
                    if !self.body.is_empty() {
                        let _ = write!(
                            self.body,
                            "<w:p><w:pPr>{}</w:pPr></w:p>",
                            section_properties(self.landscape, self.margins)
                        );
                    }
                    self.orient(*landscape);
                }
            }
            Block::PageBreak => {
                self.body
                    .push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#);
            }
            Block::Outline { title } => {
                self.para("TOCHeading", "", &runs(title, Fmt::default()));
                let mut k = 0;
                for hb in &doc.blocks {
                    if let Block::Heading {
                        level,
                        outlined,
                        content,
                        ..
                    } = hb
                    {
                        let n = headings.get(k).cloned().flatten();
                        k += 1;
                        if *level == 1 && *outlined {
                            let mut r = String::new();
                            if let Some(n) = n {
                                r.push_str(&runs(
                                    &[Inline::Text(format!("{n} "), Fmt::default())],
                                    Fmt::default(),
                                ));
                            }
                            r.push_str(&runs(content, Fmt::default()));
                            self.para("Contents", "", &r);
                        }
                    }
                    // The reference list is a level-1 heading of the PDF's outline too.
                    if let Block::Bibliography { title: Some(t), .. } = hb {
                        self.para("Contents", "", &runs(t, Fmt::default()));
                    }
                }
            }
            Block::Bibliography { title, entries, .. } => {
                if let Some(t) = title {
                    self.para("Heading1", "", &runs(t, Fmt::default()));
                }
                for e in entries {
                    self.para("Bibliography", "", &runs(e, Fmt::default()));
                }
            }
            Block::Table(t) => self.table(t),
            Block::Image(img) => {
                if self.opts.embed_figures {
                    self.image(img);
                }
            }
            Block::Figure {
                kind,
                body,
                caption,
                number,
                ..
            } => {
                let supplement = match kind {
                    FigureKind::Image => doc.figure_supplement.as_str(),
                    FigureKind::Table => "Table",
                };
                let mut cap = runs(
                    &[Inline::Text(
                        format!("{supplement} {number}. "),
                        Fmt {
                            bold: true,
                            ..Fmt::default()
                        },
                    )],
                    Fmt::default(),
                );
                cap.push_str(&runs(caption, Fmt::default()));
                match body {
                    FigureBody::Table(t) => {
                        self.para("Caption", "<w:keepNext/>", &cap);
                        self.table(t);
                    }
                    FigureBody::Image(img) => {
                        if self.opts.embed_figures {
                            self.image(img);
                        }
                        self.para("Caption", "", &cap);
                    }
                }
            }
        }
    }

    fn table(&mut self, t: &Table) {
        let ncols = t
            .header
            .iter()
            .chain(&t.rows)
            .map(|r| r.iter().map(Cell::columns).sum::<usize>())
            .max()
            .unwrap_or(0)
            .max(1);
        // Column widths in twentieths of a point: at least the longest word of the column (no
        // word broken inside), the rest shared in proportion to the longest text (bounded).
        let total = self.text_width * 20.0;
        // About half an em of 9 pt text a character (a "%" is wider), and Word's cell margins
        // (108 twips each side) with room to spare.
        let per_char = 100.0;
        let margin = 300.0;
        let mut min = vec![0.0f64; ncols];
        let mut want = vec![0.0f64; ncols];
        for row in t.header.iter().chain(&t.rows) {
            let mut i = 0;
            for c in row {
                let at = i;
                i += c.columns();
                // A cell over several columns does not set one column's width.
                if c.columns() > 1 || at >= ncols {
                    continue;
                }
                let text = plain(&c.content);
                let word = text
                    .split_whitespace()
                    .map(|w| w.chars().count())
                    .max()
                    .unwrap_or(0);
                let len = text.chars().count().min(60);
                min[at] = min[at].max(word as f64 * per_char + margin);
                want[at] = want[at].max(len as f64 * per_char + margin);
            }
        }
        let min_sum: f64 = min.iter().sum();
        let want_sum: f64 = want.iter().sum();
        // Columns in `fr` (typst's fractions) take the width the others leave, as in the PDF:
        // the others as wide as their text, the fractions sharing the rest; the table then
        // spans the text width at fixed column widths.
        let fr_sum: f64 = t.fractions.iter().flatten().sum();
        let fr_widths: Option<Vec<usize>> = (t.fractions.len() == ncols && fr_sum > 0.0)
            .then(|| {
                let fixed: f64 = (0..ncols)
                    .filter(|&i| t.fractions[i].is_none())
                    .map(|i| want[i].max(min[i]))
                    .sum();
                let rest = total - fixed;
                let w: Vec<f64> = (0..ncols)
                    .map(|i| match t.fractions[i] {
                        Some(f) => rest * f / fr_sum,
                        None => want[i].max(min[i]),
                    })
                    .collect();
                (rest > 0.0 && w.iter().zip(&min).all(|(w, m)| w >= m))
                    .then(|| w.iter().map(|w| *w as usize).collect())
            })
            .flatten();
        let widths: Vec<usize> = if let Some(w) = &fr_widths {
            w.clone()
        } else if want_sum <= total {
            want.iter().map(|w| *w as usize).collect()
        } else if min_sum >= total {
            min.iter().map(|m| (m * total / min_sum) as usize).collect()
        } else {
            let extra = total - min_sum;
            let spread: f64 = want.iter().zip(&min).map(|(w, m)| w - m).sum();
            min.iter()
                .zip(&want)
                .map(|(m, w)| (m + extra * (w - m) / spread.max(1.0)) as usize)
                .collect()
        };
        if fr_widths.is_some() {
            let _ = write!(
                self.body,
                r#"<w:tbl><w:tblPr><w:tblStyle w:val="MetaTable"/><w:tblW w:w="{}" w:type="dxa"/><w:jc w:val="center"/>"#,
                widths.iter().sum::<usize>()
            );
        } else {
            self.body.push_str(
                r#"<w:tbl><w:tblPr><w:tblStyle w:val="MetaTable"/><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/>"#,
            );
        }
        if t.grid {
            // Every cell boxed in grey hairlines, as the PDF's `stroke: 0.4pt + luma(…)`.
            self.body.push_str("<w:tblBorders>");
            for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
                let _ = write!(
                    self.body,
                    r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="8C8C8C"/>"#
                );
            }
            self.body.push_str("</w:tblBorders>");
        } else {
            self.body.push_str(r#"<w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/></w:tblBorders>"#);
        }
        self.body.push_str(if fr_widths.is_some() {
            r#"<w:tblLayout w:type="fixed"/>"#
        } else {
            r#"<w:tblLayout w:type="autofit"/>"#
        });
        self.body.push_str(
            r#"<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0020" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>"#
        );
        for w in &widths {
            let _ = write!(self.body, r#"<w:gridCol w:w="{w}"/>"#);
        }
        self.body.push_str("</w:tblGrid>");
        let base = Fmt {
            size: t.size,
            ..Fmt::default()
        };
        // Header rows in bold.
        let head = Fmt { bold: true, ..base };
        // `rule`: a header row with the rule under it (every header row repeats on each page).
        let header_rows = t.header.len();
        let mut written = 0;
        let mut row = |s: &mut String, cells: &[Cell], rule: bool| {
            let header = written < header_rows;
            written += 1;
            s.push_str("<w:tr><w:trPr><w:cantSplit/>");
            if header {
                s.push_str("<w:tblHeader/>");
            }
            s.push_str("</w:trPr>");
            // The row's cells, then empty ones to its last column.
            let empty = Cell::default();
            let mut i = 0;
            let mut next = cells.iter();
            while i < ncols {
                let cell = next.next().unwrap_or(&empty);
                let n = cell.columns().min(ncols - i);
                let content = cell.content.as_slice();
                let _ = write!(
                    s,
                    r#"<w:tc><w:tcPr><w:tcW w:w="{}" w:type="dxa"/>"#,
                    widths[i..i + n].iter().sum::<usize>()
                );
                if n > 1 {
                    let _ = write!(s, r#"<w:gridSpan w:val="{n}"/>"#);
                }
                if cell.merged {
                    s.push_str("<w:vMerge/>");
                } else if cell.rowspan > 1 {
                    s.push_str(r#"<w:vMerge w:val="restart"/>"#);
                }
                if rule && !t.grid {
                    s.push_str(r#"<w:tcBorders><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tcBorders>"#);
                }
                if header {
                    // Header cells shaded light grey, as journals set a table's head.
                    s.push_str(r#"<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>"#);
                }
                s.push_str("</w:tcPr>");
                let align = t.align.get(i).copied().unwrap_or_default();
                let _ = write!(
                    s,
                    r#"<w:p><w:pPr><w:pStyle w:val="TableText"/>{}</w:pPr>{}</w:p></w:tc>"#,
                    jc(align),
                    runs(content, if header { head } else { base })
                );
                i += n;
            }
            s.push_str("</w:tr>");
        };
        let mut s = String::new();
        for (k, h) in t.header.iter().enumerate() {
            // The rule under the header: under its last row only.
            row(&mut s, h, k + 1 == t.header.len());
        }
        for r in &t.rows {
            row(&mut s, r, false);
        }
        self.body.push_str(&s);
        self.body.push_str("</w:tbl>");
        // Word needs a paragraph between two tables; one after each keeps them apart.
        self.para("TableAfter", "", "");
    }

    fn image(&mut self, img: &Image) {
        let Some((_, svg)) = self.files.iter().find(|(p, _)| *p == img.path) else {
            self.warnings.push(format!(
                "the figure {} is not among the document's files",
                img.path
            ));
            return;
        };
        let svg = String::from_utf8_lossy(svg);
        let Some(size) = crate::plot::export::svg_size(&svg) else {
            self.warnings
                .push(format!("the figure {} cannot be read", img.path));
            return;
        };
        // Natural size in points (usvg measures in CSS pixels, 96 per inch).
        let w = f64::from(size.width()) * 0.75;
        let h_full = f64::from(size.height()) * 0.75;
        let h = match &img.windows {
            Some(ws) => ws.iter().map(|x| (x[1] - x[0]).max(0.0)).sum(),
            None => h_full,
        };
        let max_h = img.max_height.unwrap_or(FIGURE_MAX_HEIGHT_PT);
        let scale = if img.windows.is_some() {
            (self.text_width / w).min(1.0)
        } else {
            (self.text_width / w).min(max_h / h).min(1.0)
        };
        let (dw, dh) = (w * scale, h * scale);
        // Printed at half its size or more, a figure embeds its own PNG (the bytes of
        // `figures/*.png`, drawn once per build at 300 dpi of its natural size: 300–600 dpi as
        // printed); smaller, it is drawn at FIGURE_DPI at the printed size.
        let picture = Picture {
            svg: svg.into(),
            draw: match &img.windows {
                Some(ws) => Draw::Windows {
                    natural_width: w,
                    windows: ws.clone(),
                    width_pt: dw,
                    dpi: FIGURE_DPI,
                },
                None if scale >= 0.5 => Draw::Natural,
                None => Draw::Printed {
                    width_pt: dw,
                    dpi: FIGURE_DPI,
                },
            },
        };
        if let Some(plan) = &mut self.plan {
            plan.push(picture);
            return;
        }
        let png = match picture.png() {
            Ok(p) => p,
            Err(e) => {
                self.warnings.push(format!("the figure {}: {e}", img.path));
                return;
            }
        };
        self.media.push(png);
        let n = self.media.len();
        let id = self.next_id;
        self.next_id += 1;
        let (cx, cy) = ((dw * 12700.0).round() as i64, (dh * 12700.0).round() as i64);
        let name = esc(img.path.rsplit('/').next().unwrap_or("figure"));
        let _ = write!(
            self.body,
            concat!(
                r#"<w:p><w:pPr><w:pStyle w:val="FigureImage"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>"#,
                r#"<wp:docPr id="{id}" name="Picture {id}" descr="{name}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>"#,
                r#"<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{id}" name="image{n}.png"/><pic:cNvPicPr/></pic:nvPicPr>"#,
                r#"<pic:blipFill><a:blip r:embed="rIdImg{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"#,
                r#"<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
            ),
            cx = cx,
            cy = cy,
            id = id,
            n = n,
            name = name
        );
    }
}

const SETTINGS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="709"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"#
);

const FOOTER: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>"#
);

/// The styles part, with the body text at `text_size` points (in half points, rounded) when
/// the source sets it: the PDF's 9 pt checklist is 9 pt in Word, not Word's 11 pt.
fn styles(text_size: Option<f64>) -> String {
    match text_size {
        Some(pt) => {
            let hp = (pt * 2.0).round() as u32;
            STYLES.replacen(
                r#"<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang"#,
                &format!(r#"<w:sz w:val="{hp}"/><w:szCs w:val="{hp}"/><w:lang"#),
                1,
            )
        }
        None => STYLES.to_string(),
    }
}

const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>"#,
    r#"<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="BodyText"><w:name w:val="Body Text"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="both"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:qFormat/><w:pPr><w:spacing w:after="240"/><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="30"/><w:szCs w:val="30"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="280" w:after="140"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:b/><w:bCs/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:b/><w:bCs/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="100"/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:b/><w:bCs/><w:i/><w:iCs/><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="TOCHeading"><w:name w:val="TOC Heading"/><w:basedOn w:val="Normal"/><w:next w:val="Contents"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/></w:pPr><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:b/><w:bCs/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Contents"><w:name w:val="Contents"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="60"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:qFormat/><w:pPr><w:spacing w:before="60" w:after="200"/><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="FigureImage"><w:name w:val="Figure"/><w:basedOn w:val="Normal"/><w:next w:val="Caption"/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/><w:jc w:val="center"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="TableAfter"><w:name w:val="Table After"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="120" w:lineRule="exact"/></w:pPr><w:rPr><w:sz w:val="8"/><w:szCs w:val="8"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:left="113" w:right="113"/></w:pPr><w:rPr><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Bibliography"><w:name w:val="Bibliography"/><w:basedOn w:val="Normal"/><w:pPr><w:tabs><w:tab w:val="left" w:pos="454"/></w:tabs><w:spacing w:after="80"/><w:ind w:left="454" w:hanging="454"/></w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/></w:style>"#,
    r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#,
    r#"<w:style w:type="table" w:styleId="MetaTable"><w:name w:val="metareport table"/><w:basedOn w:val="TableNormal"/><w:tblPr/></w:style>"#,
    "</w:styles>"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn document_xml(source: &str) -> String {
        let doc = super::super::document(source, &[], "t");
        let (parts, _) = parts(
            &doc,
            &[],
            Options {
                embed_figures: false,
            },
        );
        let (_, xml) = parts
            .into_iter()
            .find(|(n, _)| n == "word/document.xml")
            .unwrap();
        String::from_utf8(xml).unwrap()
    }

    #[test]
    fn a_flipped_page_is_a_landscape_section_between_portrait_ones() {
        let xml = document_xml("Before.\n\n#page(flipped: true)[Wide.]\n\nAfter.\n");
        let sections: Vec<&str> = xml
            .split("<w:sectPr>")
            .skip(1)
            .map(|s| s.split("</w:sectPr>").next().unwrap())
            .collect();
        assert_eq!(sections.len(), 3, "{xml}");
        assert!(!sections[0].contains("landscape"));
        assert!(sections[1].contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#));
        assert!(!sections[2].contains("landscape"));
        // The landscape section ends after its own text.
        let wide = xml.find("Wide.").unwrap();
        let end = xml.find("landscape").unwrap();
        let after = xml.find("After.").unwrap();
        assert!(wide < end && end < after);
        // A document set flipped throughout is one landscape section.
        let xml = document_xml("#set page(flipped: true)\nAll.\n");
        assert_eq!(xml.matches("<w:sectPr>").count(), 1);
        assert!(xml.contains(r#"w:orient="landscape""#));
    }

    #[test]
    fn a_header_cell_over_several_columns_spans_them() {
        let xml = document_xml(
            "#table(columns: 4, table.header([], table.cell(colspan: 2)[*Group*], [], [*A*], [*B*], [*C*], [*D*]), [1], [2], [3], [4])\n",
        );
        let rows: Vec<&str> = xml.split("<w:tr>").skip(1).collect();
        assert_eq!(rows.len(), 3, "two header rows and one of data");
        assert_eq!(rows[0].matches("<w:tc>").count(), 3);
        assert!(rows[0].contains(r#"<w:gridSpan w:val="2"/>"#));
        assert!(rows[0].contains("<w:tblHeader/>") && rows[1].contains("<w:tblHeader/>"));
        assert!(!rows[2].contains("<w:tblHeader/>"));
        // The rule under the header is under its last row.
        assert!(!rows[0].contains("<w:tcBorders>") && rows[1].contains("<w:tcBorders>"));
        assert_eq!(rows[2].matches("<w:tc>").count(), 4);
    }

    #[test]
    fn header_rows_are_bold_and_shaded_and_repeat_data_rows_are_plain() {
        let xml = document_xml(
            "#table(columns: 2, table.header([Study], [Weight]), [Aronson], [5%], [Ferguson], [6%])\n",
        );
        let rows: Vec<&str> = xml.split("<w:tr>").skip(1).collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[0].contains("<w:tblHeader/>"));
        assert_eq!(
            rows[0]
                .matches(r#"<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>"#)
                .count(),
            2
        );
        // Each header cell's run is bold.
        for cell in rows[0].split("<w:tc>").skip(1) {
            assert!(cell.contains("<w:b/>"), "{cell}");
        }
        for row in &rows[1..] {
            assert!(
                !row.contains("<w:shd")
                    && !row.contains("<w:b/>")
                    && !row.contains("<w:tblHeader/>"),
                "{row}"
            );
        }
    }

    #[test]
    fn vertical_space_separates_a_title_from_its_subtitle() {
        let xml = document_xml(
            "#align(center)[\n  #v(4cm)\n  #text(size: 20pt)[Meta-analysis report]\n  #v(1em)\n  #text(size: 11pt)[4 reviews]\n]\n",
        );
        let paras: Vec<&str> = xml.split("<w:p>").skip(1).collect();
        let title = paras
            .iter()
            .position(|p| p.contains("Meta-analysis report"))
            .unwrap();
        let sub = paras.iter().position(|p| p.contains("4 reviews")).unwrap();
        assert_ne!(title, sub, "{xml}");
        assert!(
            paras[title].contains(r#"<w:jc w:val="center"/>"#)
                && paras[sub].contains(r#"<w:jc w:val="center"/>"#)
        );
    }
}
