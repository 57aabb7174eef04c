//! The fonts that ship inside metareport. Figures and documents never use system fonts, so
//! the same input gives the same output on every machine.
//!
//! - Liberation Sans (SIL OFL 1.1; metric-compatible with Arial, as RevMan's figures): figure
//!   text and sans-serif headings;
//! - typst-assets: Libertinus Serif (body text), New Computer Modern (+ Math), DejaVu Sans Mono.

use std::sync::LazyLock;

/// Liberation Sans Regular.
pub static SANS_REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
/// Liberation Sans Bold.
pub static SANS_BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");
/// Liberation Sans Italic.
pub static SANS_ITALIC: &[u8] = include_bytes!("../fonts/LiberationSans-Italic.ttf");

/// The family name figures use.
pub const FIGURE_FAMILY: &str = "Liberation Sans";

/// The font-family list written into SVG figures: the embedded font first, then the fonts it
/// is metric-compatible with, so that an SVG opened elsewhere keeps its layout.
pub const SVG_FAMILIES: &str = "Liberation Sans, Arial, Helvetica, sans-serif";

/// Every embedded font, figure fonts first.
pub fn all() -> Vec<&'static [u8]> {
    let mut v = vec![SANS_REGULAR, SANS_BOLD, SANS_ITALIC];
    v.extend(typst_assets::fonts());
    v
}

/// The embedded fonts' identity (part of every output's cache key): blake3 of each font's
/// length and its first and last 4 KiB. The fonts are compiled into the binary, so their
/// bytes cannot change without the build's source fingerprint changing too (`build.rs`: our
/// `fonts/` and `Cargo.lock`, which pins `typst-assets`); hashing all of them (~10 MB) cost
/// every build, a no-op one included, about 8 ms of its ~20 ms.
pub static HASH: LazyLock<String> = LazyLock::new(|| {
    const EDGE: usize = 4096;
    let mut h = blake3::Hasher::new();
    for f in all() {
        h.update(&(f.len() as u64).to_le_bytes());
        h.update(&f[..f.len().min(EDGE)]);
        h.update(&f[f.len().saturating_sub(EDGE)..]);
    }
    h.finalize().to_hex().to_string()
});

struct Metrics {
    units_per_em: f64,
    /// Advance widths by char for the characters seen (lazily filled is overkill: fonts are parsed once).
    face: ttf_parser::Face<'static>,
}

static REGULAR: LazyLock<Metrics> = LazyLock::new(|| load(SANS_REGULAR));
static BOLD: LazyLock<Metrics> = LazyLock::new(|| load(SANS_BOLD));

fn load(bytes: &'static [u8]) -> Metrics {
    let face = ttf_parser::Face::parse(bytes, 0).expect("the embedded font parses");
    Metrics {
        units_per_em: f64::from(face.units_per_em()),
        face,
    }
}

/// The characters of `text` that the figure font cannot draw (whitespace and controls aside):
/// they would print as blank boxes.
pub fn missing_glyphs(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .filter(|&c| REGULAR.face.glyph_index(c).is_none())
}

/// Width in points of `text` set in Liberation Sans at `size` points.
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let m = if bold { &*BOLD } else { &*REGULAR };
    let units: f64 = text
        .chars()
        .map(|c| {
            let g = m.face.glyph_index(c).or_else(|| m.face.glyph_index('?'));
            g.and_then(|g| m.face.glyph_hor_advance(g))
                .map_or(m.units_per_em * 0.5, f64::from)
        })
        .sum();
    units / m.units_per_em * size
}
