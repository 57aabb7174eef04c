//! Figures: pure functions from an analysis (and the spec's figure options) to SVG text, and
//! SVG to PNG.
//!
//! - `forest.rs`: RevMan-style forest plots, subgroup panels, leave-one-out and cumulative forests
//! - `funnel.rs`: funnel plots with contours, trim-and-fill and Egger's line
//! - `prisma.rs`: the PRISMA 2020 flow diagram
//! - `rob/`: risk-of-bias traffic-light and summary plots
//! - `axis.rs`: effect axes and ticks; `canvas.rs`: layout in points over plotters' SVG backend
//! - [`to_png`]: resvg at 300 dpi with the embedded fonts

pub mod axis;
pub mod canvas;
pub mod export;
pub mod forest;
pub mod funnel;
pub mod prisma;
pub mod rob;

use std::sync::LazyLock;

/// Resolution of PNG exports.
pub const PNG_DPI: f32 = 300.0;

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

/// Renders SVG text to PNG bytes at [`PNG_DPI`], with the embedded fonts only.
pub fn to_png(svg: &str) -> Result<Vec<u8>, String> {
    let tree = resvg::usvg::Tree::from_str(svg, &SVG_OPTIONS)
        .map_err(|e| format!("cannot read the SVG: {e}"))?;
    let scale = PNG_DPI / 96.0;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or("the figure is empty")?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or("the figure is too large")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    encode_png(&pixmap)
}

/// PNG with a physical resolution chunk (pHYs), so journals read 300 dpi.
fn encode_png(pixmap: &resvg::tiny_skia::Pixmap) -> Result<Vec<u8>, String> {
    let png = pixmap
        .encode_png()
        .map_err(|e| format!("cannot encode the PNG: {e}"))?;
    // Insert a pHYs chunk after IHDR (8-byte signature + 25-byte IHDR chunk).
    let ppm = (PNG_DPI as f64 / 0.0254).round() as u32;
    let mut data = Vec::with_capacity(9);
    data.extend_from_slice(&ppm.to_be_bytes());
    data.extend_from_slice(&ppm.to_be_bytes());
    data.push(1);
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut typed = b"pHYs".to_vec();
    typed.extend_from_slice(&data);
    chunk.extend_from_slice(&typed);
    chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
    let mut out = png[..33].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[33..]);
    Ok(out)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
