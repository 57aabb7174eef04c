//! Journal figure rules as data: one row per journal (or publisher), each value with the page
//! it was read from. Nothing else in metareport knows a journal's name: `submission:` in a
//! spec picks a row, and the export code only reads its fields.
//!
//! A value the publisher's guide does not state is `None` and falls back to [`GENERIC`]'s,
//! which is metareport's own choice and says so. Sources were read on 2026-12-01 (stored
//! copies of the publishers' pages); check the journal's current guide before submitting.

use super::Format;

/// What one journal asks of figure files.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Journal {
    /// The name used in `submission: {journal: …}`.
    pub name: &'static str,
    /// The publisher or journal, as printed in messages.
    pub title: &'static str,
    /// Single-column width in mm, if the guide gives one.
    pub single_mm: Option<f64>,
    /// Double-column (full page) width in mm, if the guide gives one.
    pub double_mm: Option<f64>,
    /// Smallest and largest accepted widths in mm, if stated.
    pub min_width_mm: Option<f64>,
    pub max_width_mm: Option<f64>,
    /// Smallest text size at the printed width, in points.
    pub min_text_pt: Option<f64>,
    /// Resolution of raster files (dpi) metareport writes by default; the guide's minimum.
    pub dpi: Option<u32>,
    pub min_dpi: Option<u32>,
    /// File formats written when `formats:` is not given.
    pub formats: &'static [Format],
    /// File formats the guide accepts for figures.
    pub accepts: &'static [Format],
    /// Where each value was read.
    pub sources: &'static [&'static str],
    /// What the guide says that metareport cannot check or does not do.
    pub notes: &'static str,
}

/// metareport's own defaults, used for `journal: generic` and for any value a journal's guide
/// leaves open.
pub const GENERIC: Journal = Journal {
    name: "generic",
    title: "generic (metareport's defaults)",
    single_mm: Some(85.0),
    double_mm: Some(176.0),
    min_width_mm: None,
    max_width_mm: None,
    min_text_pt: Some(6.0),
    dpi: Some(300),
    min_dpi: Some(300),
    formats: &[Format::Tiff, Format::Pdf],
    accepts: &[
        Format::Svg,
        Format::Png,
        Format::Tiff,
        Format::Pdf,
        Format::Eps,
    ],
    sources: &["metareport's choice: the BMC column widths, 300 dpi, text no smaller than 6 pt"],
    notes: "",
};

/// The journal presets.
pub const JOURNALS: &[Journal] = &[
    Journal {
        name: "plos",
        title: "PLOS",
        single_mm: Some(83.0),
        double_mm: Some(173.5),
        min_width_mm: Some(66.8),
        max_width_mm: Some(190.5),
        min_text_pt: Some(8.0),
        dpi: Some(300),
        min_dpi: Some(300),
        formats: &[Format::Tiff],
        accepts: &[Format::Tiff, Format::Eps],
        sources: &[
            "https://journals.plos.org/plosmedicine/s/figures (TIFF or EPS only; width 6.68–19.05 cm; 300–600 dpi; text 8–12 pt; TIFF with LZW, RGB 8 bit, no alpha; files Fig1.tif, Fig2.eps…)",
            "http://www.plosone.org/static/figureSpecifications (1-column 8.30 cm, 2-column 17.35 cm)",
        ],
        notes: "Text must be Arial, Times or Symbol: metareport draws Liberation Sans, metrically identical to Arial. Captions go in the manuscript, not in the figure files. EPS text must be converted to outlines (metareport's EPS has outlines).",
    },
    Journal {
        name: "bmc",
        title: "BMC (Springer Nature)",
        single_mm: Some(85.0),
        double_mm: Some(176.0),
        min_width_mm: None,
        max_width_mm: None,
        min_text_pt: Some(8.0),
        dpi: Some(300),
        min_dpi: Some(300),
        formats: &[Format::Pdf],
        accepts: &[Format::Pdf, Format::Eps, Format::Tiff, Format::Png],
        sources: &[
            "http://www.biomedcentral.com/authors/figuretypes (single 85 mm, double 176 mm; lines ≥ 0.5 pt; text not smaller than 8 pt; images ≥ 300 dpi; PDF or EPS for charts)",
            "https://www.biomedcentral.com/getpublished/writing-resources/file-formats (PDF encouraged over EPS; fonts embedded)",
        ],
        notes: "Lines must be at least 0.5 pt at the printed width.",
    },
    Journal {
        name: "elsevier",
        title: "Elsevier",
        single_mm: None,
        double_mm: None,
        min_width_mm: None,
        max_width_mm: None,
        min_text_pt: Some(7.0),
        dpi: Some(500),
        min_dpi: Some(500),
        formats: &[Format::Pdf],
        accepts: &[Format::Eps, Format::Pdf, Format::Tiff],
        sources: &[
            "https://elsevier.com/about/policies-and-standards/author/artwork-and-media-instructions/artwork-sizing (lettering 7 pt, sub/superscripts no smaller than 6 pt)",
            "https://elsevier.com/about/policies-and-standards/author/artwork-and-media-instructions/artwork-types (EPS/PDF with fonts embedded; bitmap line art 1000 dpi)",
            "Elsevier guide for authors, artwork formats (combination line/half-tone in colour: at least 500 dpi; EPS or PDF for vector drawings)",
        ],
        notes: "Column widths are journal-specific and not stated on the general pages read: give `width:` in mm. Colour figures are 'combination' art (500 dpi); 1000 dpi applies to black-and-white bitmaps. EPS without a preview thumbnail.",
    },
    Journal {
        name: "wiley",
        title: "Wiley",
        single_mm: Some(80.0),
        double_mm: None,
        min_width_mm: Some(80.0),
        max_width_mm: None,
        min_text_pt: None,
        dpi: Some(600),
        min_dpi: Some(600),
        formats: &[Format::Pdf],
        accepts: &[Format::Eps, Format::Pdf, Format::Tiff, Format::Png],
        sources: &[
            "https://authorservices.wiley.com/author-resources/Journal-Authors/Prepare/manuscript-preparation-guidelines.html/figure-preparation.html (line art EPS or PDF, 600 dpi; at least 80 mm or 1800 pixels wide)",
        ],
        notes: "No double-column width and no minimum text size are stated: give `width:` in mm for wider figures; text is checked against metareport's 6 pt.",
    },
    Journal {
        name: "bmj",
        title: "BMJ",
        single_mm: None,
        double_mm: None,
        min_width_mm: None,
        max_width_mm: None,
        min_text_pt: None,
        dpi: None,
        min_dpi: None,
        formats: &[Format::Tiff, Format::Pdf],
        accepts: &[
            Format::Tiff,
            Format::Pdf,
            Format::Eps,
            Format::Png,
            Format::Svg,
        ],
        sources: &[
            "https://authors.bmj.com/writing-and-formatting/formatting-your-paper (the manuscript must be a Word document, PDF is not accepted)",
            "https://authors.bmj.com/writing-and-formatting/formatting-checklist/ (tables editable and embedded in the Word document; figures uploaded separately)",
        ],
        notes: "The BMJ pages read state no figure widths, resolution or text size: metareport's defaults apply; give `width:` in mm (or single/double for its 85/176 mm).",
    },
    Journal {
        name: "lancet",
        title: "The Lancet",
        single_mm: None,
        double_mm: None,
        min_width_mm: Some(107.0),
        max_width_mm: None,
        min_text_pt: None,
        dpi: Some(300),
        min_dpi: Some(300),
        formats: &[Format::Pdf, Format::Tiff],
        accepts: &[
            Format::Pdf,
            Format::Svg,
            Format::Tiff,
            Format::Png,
            Format::Eps,
        ],
        sources: &[
            "The Lancet, Information for Authors (editable artwork encouraged; images at least 300 dpi and at least 107 mm wide)",
        ],
        notes: "The Lancet redraws most figures in house; editable vector files (PDF, SVG) serve best.",
    },
    Journal {
        name: "jama",
        title: "JAMA Network",
        single_mm: None,
        double_mm: None,
        min_width_mm: Some(127.0),
        max_width_mm: None,
        min_text_pt: None,
        dpi: Some(350),
        min_dpi: Some(350),
        formats: &[Format::Pdf, Format::Tiff],
        accepts: &[Format::Eps, Format::Tiff, Format::Pdf, Format::Png],
        sources: &[
            "AMA Manual of Style, Guidelines for Preparing and Submitting Figures (JAMA and the Archives journals: canvas at least 5 in wide; at least 350 ppi; EPS, TIF among accepted formats)",
        ],
        notes: "JAMA asks for the vector source file on acceptance; the PDF serves.",
    },
];

/// The preset named `name` (`generic` included).
pub fn find(name: &str) -> Option<&'static Journal> {
    if name == GENERIC.name {
        return Some(&GENERIC);
    }
    JOURNALS.iter().find(|j| j.name == name)
}

/// Every preset name, for messages and the schema.
pub fn names() -> Vec<&'static str> {
    JOURNALS
        .iter()
        .map(|j| j.name)
        .chain(std::iter::once(GENERIC.name))
        .collect()
}
