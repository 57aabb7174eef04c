//! Figures: pure functions from an analysis (and the spec's figure options) to SVG text, and
//! SVG to PNG.
//!
//! - `forest.rs`: RevMan-style forest plots, subgroup panels, leave-one-out and cumulative forests
//! - `funnel.rs`: funnel plots with contours, trim-and-fill and Egger's line
//! - `prisma.rs`: the PRISMA 2020 flow diagram
//! - `bubble.rs`, `baujat.rs`, `gosh.rs`: meta-regression bubble plots, Baujat plots, GOSH plots
//!   (`scale.rs`: their value axes)
//! - `rob/`: risk-of-bias traffic-light and summary plots
//! - `axis.rs`: effect axes and ticks; `canvas.rs`: layout in points over plotters' SVG backend
//! - [`to_png`]: resvg at 300 dpi with the embedded fonts

pub mod axis;
pub mod baujat;
pub mod bubble;
pub mod canvas;
pub mod export;
pub mod forest;
pub mod funnel;
pub mod gosh;
pub mod pages;
pub mod prisma;
pub mod rob;
pub mod scale;

use std::sync::LazyLock;

/// Resolution of PNG exports.
pub const PNG_DPI: f32 = 300.0;

/// The most rows a row-based figure (forest plot, leave-one-out or cumulative forest) is drawn
/// with: its size (SVG, PNG, PDF pages) grows with every row — linearly, one page of rows at a
/// time (`pages.rs`) — so a bound keeps time and memory bounded; 5,000 as for leave-one-out and
/// cumulative analyses (`build::produce::MAX_SENSITIVITY_STUDIES`), above the several thousand
/// effect sizes of large psychology and education reviews (issue 17 measures k = 3,000). A
/// larger one is refused with a message saying how to leave it out.
pub const MAX_FIGURE_ROWS: usize = 5_000;

/// The most studies a funnel plot is drawn with (one mark each).
pub const MAX_FUNNEL_POINTS: usize = 20_000;

/// The most pixels a PNG export has (40 megapixels: 160 MB while it is drawn). A figure that
/// would be larger at [`PNG_DPI`] is drawn at the highest resolution that keeps within it (a
/// forest plot of thousands of studies), and its PNG states that resolution.
pub const MAX_PNG_PIXELS: f64 = 40e6;

/// usvg options with the embedded figure fonts only (no system fonts).
pub(crate) static SVG_OPTIONS: LazyLock<resvg::usvg::Options<'static>> = LazyLock::new(|| {
    let mut opt = resvg::usvg::Options::default();
    let db = opt.fontdb_mut();
    for f in [
        crate::fonts::SANS_REGULAR,
        crate::fonts::SANS_BOLD,
        crate::fonts::SANS_ITALIC,
    ] {
        db.load_font_data(f.to_vec());
    }
    db.set_sans_serif_family(crate::fonts::FIGURE_FAMILY);
    opt.font_family = crate::fonts::FIGURE_FAMILY.to_string();
    opt
});

/// The resolution a figure of `width` × `height` CSS pixels (1/96 in) is exported at:
/// [`PNG_DPI`], or less when that would exceed [`MAX_PNG_PIXELS`] (whole dots per inch).
pub fn png_dpi(width: f64, height: f64) -> f32 {
    let at_full = width * height * f64::from(PNG_DPI / 96.0).powi(2);
    if at_full <= MAX_PNG_PIXELS {
        PNG_DPI
    } else {
        ((f64::from(PNG_DPI) * (MAX_PNG_PIXELS / at_full).sqrt()).floor() as f32).max(1.0)
    }
}

/// For a figure of `width` × `height` points whose PNG is exported below [`PNG_DPI`]: a note
/// for the authors saying so.
pub fn png_note(path: &str, width: f64, height: f64) -> Option<String> {
    let dpi = png_dpi(width / 0.75, height / 0.75);
    (dpi < PNG_DPI).then(|| {
        format!(
            "{path}: the figure is {:.0} cm tall, so its PNG is exported at {dpi:.0} dpi (at most \
             {:.0} megapixels), not {PNG_DPI:.0}; the SVG and the manuscript's pages (one per \
             page) have it at full resolution",
            height / 72.0 * 2.54,
            MAX_PNG_PIXELS / 1e6
        )
    })
}

/// Renders SVG text to PNG bytes at [`PNG_DPI`] (see [`png_dpi`] for very large figures), with
/// the embedded fonts only: 8-bit RGB (`export::encode_rgb_png`), the resolution in a pHYs
/// chunk so journals read it. Drawn once per build for each SVG: the Word files embed the same
/// bytes.
pub fn to_png(svg: &str) -> Result<Vec<u8>, String> {
    export::natural_png(svg, || {
        let tree = export::parsed(svg)?;
        let dpi = png_dpi(
            f64::from(tree.size().width()),
            f64::from(tree.size().height()),
        );
        let scale = dpi / 96.0;
        let size = tree
            .size()
            .to_int_size()
            .scale_by(scale)
            .ok_or("the figure is empty")?;
        if f64::from(size.width()) * f64::from(size.height()) > MAX_PNG_PIXELS * 1.01 {
            return Err(format!(
                "the figure is too large to draw as a PNG ({} × {} pixels; at most {} megapixels)",
                size.width(),
                size.height(),
                MAX_PNG_PIXELS / 1e6
            ));
        }
        // Drawn and compressed band by band: no pixmap of the whole figure.
        export::banded::png(
            &tree,
            size.width(),
            scale,
            &[(0, size.height())],
            dpi as u32,
        )
    })
}
