//! Figures as journals want them: one drawn SVG exported at a physical width, in the formats
//! asked for, with its text checked against the journal's minimum size.
//!
//! - [`journals`]: the journal presets (data, with sources)
//! - [`tiff`]: baseline TIFF writer (LZW, 8-bit RGB, no alpha, dpi in the file)
//! - [`eps`]: Encapsulated PostScript from the SVG's outlines (text as outlines)
//! - [`pdf`]: a one-page vector PDF through typst, fonts embedded as subsets
//!
//! Figures are laid out in points ([`crate::plot::canvas`]); exported at `width` points, every
//! length scales by `width / natural width`, text included, so the smallest text at the
//! printed size is `smallest text × width / natural width`.

pub mod banded;
pub mod eps;
mod glyphs;
pub mod journals;
pub mod lzw;
pub mod pdf;
pub mod tiff;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::canvas::{Figure, Mark};

/// A figure file format.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// SVG at the physical size asked for (text as text, Liberation Sans).
    Svg,
    /// PNG at the resolution asked for.
    Png,
    /// TIFF: LZW, 8-bit RGB, no alpha, the resolution written in the file.
    Tiff,
    /// PDF: vector, fonts embedded as subsets.
    Pdf,
    /// EPS: vector, text converted to outlines (no preview image).
    Eps,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Tiff => "tif",
            Format::Pdf => "pdf",
            Format::Eps => "eps",
        }
    }
    /// The name as written in specs.
    pub fn name(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Tiff => "tiff",
            Format::Pdf => "pdf",
            Format::Eps => "eps",
        }
    }
    /// Whether the format is made of pixels.
    pub fn is_raster(self) -> bool {
        matches!(self, Format::Png | Format::Tiff)
    }
}

/// Points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// The most pixels one raster export may have (about 400 MB of memory while drawing).
pub const MAX_PIXELS: u64 = 100_000_000;

/// The smallest text size in a figure, in points (`None` when it has no text).
pub fn smallest_text(fig: &Figure) -> Option<f64> {
    fig.marks
        .iter()
        .filter_map(|m| match m {
            Mark::Text { font, text, .. } | Mark::VerticalText { font, text, .. }
                if !text.trim().is_empty() =>
            {
                Some(font.size)
            }
            _ => None,
        })
        .reduce(f64::min)
}

/// The thinnest line in a figure, in points (`None` when it has no lines).
pub fn thinnest_line(fig: &Figure) -> Option<f64> {
    fig.marks
        .iter()
        .filter_map(|m| match m {
            Mark::Line { width, .. } => Some(*width),
            Mark::Rect {
                stroke: Some((_, w)),
                ..
            }
            | Mark::Circle {
                stroke: Some((_, w)),
                ..
            } => Some(*w),
            _ => None,
        })
        .reduce(f64::min)
}

/// Where a figure is going: its physical width and the journal's minimum text size.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// The printed width in mm.
    pub width_mm: f64,
    /// The smallest text allowed at that width, in points.
    pub min_text_pt: f64,
    /// Who sets the minimum ("PLOS").
    pub journal: String,
}

/// Checks that the smallest text of a figure `natural_width` points wide prints at least at the
/// journal's minimum once scaled to `placement.width_mm`; the error names the figure and what
/// would make it fit.
pub fn check_text(name: &str, fig: &Figure, placement: &Placement) -> Result<(), String> {
    let Some(text) = smallest_text(fig) else {
        return Ok(());
    };
    let width_pt = placement.width_mm * PT_PER_MM;
    let printed = text * width_pt / fig.width;
    // A hundredth of a point of tolerance for the decimal widths of presets.
    if printed + 0.005 >= placement.min_text_pt {
        return Ok(());
    }
    let needed_mm = placement.min_text_pt / text * fig.width / PT_PER_MM;
    Err(format!(
        "{name}: its smallest text ({text} pt in a figure {:.0} mm wide) would print at {printed:.1} pt at {:.1} mm, below {}'s minimum of {} pt; give `submission: {{width: {}}}` (mm) or wider, or shorten the figure's longest labels (study names, captions of columns) so that it is drawn narrower",
        fig.width / PT_PER_MM,
        placement.width_mm,
        placement.journal,
        placement.min_text_pt,
        (needed_mm * 10.0).ceil() / 10.0,
    ))
}

/// The SVG of a figure restated at `width_pt` points wide (the height in proportion); the
/// drawing itself is unchanged, its viewBox scales it.
pub fn svg_at_width(svg: &str, natural: (f64, f64), width_pt: f64) -> String {
    let height_pt = natural.1 * width_pt / natural.0;
    let old = format!(
        "width=\"{}pt\" height=\"{}pt\"",
        fmt_num(natural.0),
        fmt_num(natural.1)
    );
    svg.replacen(
        &old,
        &format!(
            "width=\"{}pt\" height=\"{}pt\"",
            fmt_num(width_pt),
            fmt_num(height_pt)
        ),
        1,
    )
}

fn fmt_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An SVG drawn into RGB pixels `width_pt` points wide at `dpi`: (width, height, RGB bytes),
/// on white.
pub fn rasterise(svg: &str, width_pt: f64, dpi: u32) -> Result<(u32, u32, Vec<u8>), String> {
    let pixmap = pixmap(svg, width_pt, dpi)?;
    Ok((pixmap.width(), pixmap.height(), rgb(&pixmap)))
}

/// The size of an SVG as usvg computes it (CSS pixels), read from its root element alone: the
/// same numbers as parsing the whole file, without converting its text to outlines (the Word
/// writer needs only the size of each figure). `None` when the SVG cannot be read.
pub fn svg_size(svg: &str) -> Option<resvg::usvg::Size> {
    // The opening `<svg …>` tag closed at once; a tag with `>` inside a value (or none found)
    // falls back to parsing the whole SVG.
    let root = svg.find("<svg").and_then(|at| {
        let end = at + svg[at..].find('>')?;
        let tag = svg[at..end].trim_end_matches('/');
        Some(format!("{tag}></svg>"))
    });
    if let Some(Ok(tree)) = root.map(|r| resvg::usvg::Tree::from_str(&r, &super::SVG_OPTIONS)) {
        return Some(tree.size());
    }
    resvg::usvg::Tree::from_str(svg, &super::SVG_OPTIONS)
        .ok()
        .map(|t| t.size())
}

/// The RGB bytes of a pixmap drawn on white (every pixel opaque, so premultiplied RGBA is
/// plain RGBA): a plain loop, several times faster than an iterator chain on 10⁷ pixels.
pub(crate) fn rgb(pixmap: &resvg::tiny_skia::Pixmap) -> Vec<u8> {
    rgba_to_rgb(pixmap.data())
}

/// A figure's pixels drawn once and shared by the exports that need the same pixels (a
/// submission's PNG and TIFF of one figure at one width and resolution).
#[derive(Debug)]
pub struct Raster {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 8-bit RGBA, row by row, every pixel opaque (drawn on white): the TIFF writer takes
    /// RGB from it strip by strip, so no RGB copy of the whole image is made.
    pub rgba: Vec<u8>,
}

impl Raster {
    /// The pixels as 8-bit RGB, row by row.
    pub fn rgb(&self) -> Vec<u8> {
        rgba_to_rgb(&self.rgba)
    }
}

/// RGB bytes of opaque RGBA bytes.
fn rgba_to_rgb(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    rgb_into(data, &mut out);
    out
}

/// The RGB bytes of opaque RGBA bytes into `out`, a buffer reused from call to call (resized,
/// not cleared: every byte is written, so none is zeroed first).
pub(crate) fn rgb_into(rgba: &[u8], out: &mut Vec<u8>) {
    out.resize(rgba.len() / 4 * 3, 0);
    for (o, p) in out.chunks_exact_mut(3).zip(rgba.chunks_exact(4)) {
        o.copy_from_slice(&p[..3]);
    }
}

type RasterSlot = std::sync::Arc<std::sync::OnceLock<Result<std::sync::Arc<Raster>, String>>>;

/// Rasters waiting for their other users: (slot, users still to come). An entry leaves the map
/// when its last user takes it, so a build holds at most the rasters still to be encoded.
static RASTERS: std::sync::LazyLock<
    std::sync::Mutex<std::collections::BTreeMap<String, (RasterSlot, usize)>>,
> = std::sync::LazyLock::new(Default::default);

/// [`rasterise`], drawn once for `users` callers asking for the same SVG, width and dpi (the
/// others wait for the first, from parallel jobs too, and share its pixels).
pub fn shared_raster(
    svg: &str,
    width_pt: f64,
    dpi: u32,
    users: usize,
) -> Result<std::sync::Arc<Raster>, String> {
    let draw = || {
        pixmap(svg, width_pt, dpi).map(|p| {
            std::sync::Arc::new(Raster {
                width: p.width(),
                height: p.height(),
                rgba: p.take(),
            })
        })
    };
    if users <= 1 {
        return draw();
    }
    let key = format!(
        "{}/{}/{dpi}",
        blake3::hash(svg.as_bytes()).to_hex(),
        width_pt.to_bits()
    );
    let slot = {
        let mut map = match RASTERS.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        // Bounded: a user that never comes (its output was up to date) leaves its entry; a
        // long-running `watch` should not accumulate them.
        if map.len() > 16 {
            map.clear();
        }
        let entry = map
            .entry(key.clone())
            .or_insert_with(|| (RasterSlot::default(), users));
        entry.1 = entry.1.saturating_sub(1);
        let slot = entry.0.clone();
        if entry.1 == 0 {
            map.remove(&key);
        }
        slot
    };
    slot.get_or_init(draw).clone()
}

type TreeSlot =
    std::sync::Arc<std::sync::OnceLock<Result<std::sync::Arc<resvg::usvg::Tree>, String>>>;

/// The SVGs parsed most recently, by their blake3, oldest first: a figure's PNG, TIFF and EPS
/// are drawn from one parse (usvg lays out every glyph of the text as a path, ~5% of a
/// build's time when each export parsed again). Parallel jobs asking for the same SVG wait
/// for the first one's parse.
static TREES: std::sync::LazyLock<std::sync::Mutex<Trees>> =
    std::sync::LazyLock::new(Default::default);
type Trees = Vec<([u8; 32], usize, TreeSlot)>;

/// How many parsed SVGs [`TREES`] keeps (a build's Word files draw every figure's PNG before
/// the submission's TIFFs and EPS of the same figures are made: the default project has 14
/// figures), the most SVG text they may come from together, and the largest SVG it keeps (a
/// larger one, a forest plot of thousands of rows, is parsed by each export: its tree is
/// large and its exports few).
const TREES_KEPT: usize = 32;
const TREES_MAX_SVG_TOTAL: usize = 8 << 20;
const TREE_MAX_SVG: usize = 2 << 20;

/// An SVG parsed with the figure fonts, shared by the exports of one figure ([`TREES`]).
pub(crate) fn parsed(svg: &str) -> Result<std::sync::Arc<resvg::usvg::Tree>, String> {
    let parse = || {
        resvg::usvg::Tree::from_str(svg, &super::SVG_OPTIONS)
            .map(std::sync::Arc::new)
            .map_err(|e| format!("cannot read the SVG: {e}"))
    };
    if svg.len() > TREE_MAX_SVG {
        return parse();
    }
    let key = *blake3::hash(svg.as_bytes()).as_bytes();
    let slot = {
        let mut trees = match TREES.lock() {
            Ok(t) => t,
            Err(p) => p.into_inner(),
        };
        match trees.iter().position(|(k, _, _)| *k == key) {
            Some(i) => {
                // Now the most recently used.
                let entry = trees.remove(i);
                let slot = entry.2.clone();
                trees.push(entry);
                slot
            }
            None => {
                while !trees.is_empty()
                    && (trees.len() >= TREES_KEPT
                        || trees.iter().map(|t| t.1).sum::<usize>() + svg.len()
                            > TREES_MAX_SVG_TOTAL)
                {
                    trees.remove(0);
                }
                let slot = TreeSlot::default();
                trees.push((key, svg.len(), slot.clone()));
                slot
            }
        }
    };
    slot.get_or_init(parse).clone()
}

/// An SVG parsed for drawing `width_pt` points wide at `dpi`: the tree, its size in pixels
/// and the scale from the tree's CSS pixels (96 per inch) to them; an empty figure or one of
/// more than [`MAX_PIXELS`] is an error.
pub(crate) struct Sized {
    pub tree: std::sync::Arc<resvg::usvg::Tree>,
    pub width: u32,
    pub height: u32,
    pub scale: f32,
}

pub(crate) fn sized(svg: &str, width_pt: f64, dpi: u32) -> Result<Sized, String> {
    let tree = parsed(svg)?;
    let size = tree.size();
    // Pixels = inches × dpi; the tree's size is in CSS pixels (96 per inch).
    let w_px = (width_pt / 72.0 * f64::from(dpi)).round();
    let scale = w_px / f64::from(size.width());
    let h_px = (f64::from(size.height()) * scale).round();
    if w_px < 1.0 || h_px < 1.0 {
        return Err("the figure is empty".into());
    }
    if (w_px as u64).saturating_mul(h_px as u64) > MAX_PIXELS {
        return Err(format!(
            "{w_px:.0} × {h_px:.0} pixels at {dpi} dpi is more than metareport draws ({} million pixels): lower `dpi` or the width",
            MAX_PIXELS / 1_000_000
        ));
    }
    Ok(Sized {
        tree,
        width: w_px as u32,
        height: h_px as u32,
        scale: scale as f32,
    })
}

fn pixmap(svg: &str, width_pt: f64, dpi: u32) -> Result<resvg::tiny_skia::Pixmap, String> {
    let Sized {
        tree,
        width,
        height,
        scale: s,
    } = sized(svg, width_pt, dpi)?;
    let mut pixmap = white_pixmap(width, height).ok_or("the figure is too large")?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(s, s),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}

/// A pixmap of opaque white, written once (not zeroed, then filled: half the passes over
/// memory of `Pixmap::new` + `fill`, the same pixels).
pub(crate) fn white_pixmap(width: u32, height: u32) -> Option<resvg::tiny_skia::Pixmap> {
    let size = resvg::tiny_skia::IntSize::from_wh(width, height)?;
    let len = (width as usize)
        .checked_mul(height as usize)?
        .checked_mul(4)?;
    resvg::tiny_skia::Pixmap::from_vec(vec![255u8; len], size)
}

/// PNG `width_pt` points wide at `dpi`, the resolution stated in a pHYs chunk (8-bit RGB,
/// on white).
pub fn png(svg: &str, width_pt: f64, dpi: u32) -> Result<Vec<u8>, String> {
    shared_png(svg, width_pt, dpi, 1)
}

/// [`png`] from a raster shared with `users` − 1 other exports ([`shared_raster`]).
pub fn shared_png(svg: &str, width_pt: f64, dpi: u32, users: usize) -> Result<Vec<u8>, String> {
    cached(svg, width_pt, dpi, None, || {
        let r = shared_raster(svg, width_pt, dpi, users)?;
        encode_rgb_png(r.width, r.height, &r.rgb(), dpi)
    })
}

/// The PNG of an SVG at its natural size (the figure files, `plot::to_png`, whose resolution
/// follows from the SVG), drawn once per build: the Word files embed the same bytes. A PNG
/// written by an earlier build for the same SVG ([`register_png_file`]) is read, not drawn.
pub(crate) fn natural_png(
    svg: &str,
    make: impl FnOnce() -> Result<Vec<u8>, String>,
) -> Result<Vec<u8>, String> {
    cached(svg, -1.0, 0, None, || {
        let hash = blake3::hash(svg.as_bytes()).to_hex().to_string();
        let loader = match PNG_FILES.lock() {
            Ok(m) => m.get(&hash).cloned(),
            Err(p) => p.into_inner().get(&hash).cloned(),
        };
        match loader.and_then(|load| load()) {
            Some(bytes) => Ok(bytes),
            None => make(),
        }
    })
}

/// Reads an up-to-date PNG file of an earlier build (its bytes checked), or `None`.
pub type PngLoader = std::sync::Arc<dyn Fn() -> Option<Vec<u8>> + Send + Sync>;

/// PNG files of earlier builds by the blake3 of their SVG: the combined report's Word file
/// embeds the figures of reviews that did not change without drawing them again.
static PNG_FILES: std::sync::LazyLock<
    std::sync::Mutex<std::collections::BTreeMap<String, PngLoader>>,
> = std::sync::LazyLock::new(Default::default);

/// Registers where the PNG of the SVG whose blake3 is `svg_blake3` can be read (the build
/// registers its up-to-date figure files).
pub fn register_png_file(svg_blake3: &str, load: PngLoader) {
    let mut map = match PNG_FILES.lock() {
        Ok(m) => m,
        Err(p) => p.into_inner(),
    };
    if map.len() > 1024 {
        map.clear();
    }
    map.insert(svg_blake3.to_string(), load);
}

/// PNG of 8-bit RGB pixels with a pHYs chunk: zlib level 2 after the Up filter. Measured on
/// the default project's 14 figures at 300 dpi (38 Mpx; `examples/png_levels.rs`): 191 ms
/// and 2,626 KB, against 930 ms and 2,364 KB for resvg's own encoder (RGBA, zlib level 6,
/// adaptive filters), 501 ms / 2,372 KB at level 6, 243 ms / 2,498 KB at level 3 and
/// 81 ms / 7,475 KB with fdeflate — whose files were three times larger for line art. Level
/// 2 rather than 3 since the build's time is what issue 13 asks to keep down (measured again
/// 2026-12-03 on a loaded machine: 403 ms against 473 ms, 5% larger files).
pub fn encode_rgb_png(w: u32, h: u32, rgb: &[u8], dpi: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut wr = png_encoder(&mut out, w, h, dpi)
            .write_header()
            .map_err(|e| format!("cannot encode the PNG: {e}"))?;
        wr.write_image_data(rgb)
            .map_err(|e| format!("cannot encode the PNG: {e}"))?;
    }
    Ok(out)
}

/// The PNG encoder of [`encode_rgb_png`] (and of PNGs drawn band by band, `banded::png`).
pub(crate) fn png_encoder<W: std::io::Write>(
    out: W,
    w: u32,
    h: u32,
    dpi: u32,
) -> png::Encoder<'static, W> {
    let mut e = png::Encoder::new(out, w, h);
    e.set_color(png::ColorType::Rgb);
    e.set_depth(png::BitDepth::Eight);
    e.set_deflate_compression(png::DeflateCompression::Level(2));
    e.set_filter(png::Filter::Up);
    let ppm = (f64::from(dpi) / 0.0254).round() as u32;
    e.set_pixel_dims(Some(png::PixelDimensions {
        xppu: ppm,
        yppu: ppm,
        unit: png::Unit::Meter,
    }));
    e
}

type Slot = std::sync::Arc<std::sync::OnceLock<Result<Vec<u8>, String>>>;

/// Rendered PNGs by (SVG hash, width, dpi, windows): the manuscript's Word file, the combined
/// report's and the figure files draw the same picture once per build, even from parallel
/// jobs (a second caller waits for the first). Entries live for one build ([`new_build`]): a
/// forest plot of thousands of rows has hundreds of page PNGs, all kept until the Word files
/// that embed them are written.
static PNG_CACHE: std::sync::LazyLock<std::sync::Mutex<std::collections::BTreeMap<String, Slot>>> =
    std::sync::LazyLock::new(Default::default);

/// A build starts: the PNGs and parsed SVGs of the one before are forgotten, so a
/// long-running `watch` holds no more than one build's. (Builds running at once in one
/// process, as tests run them, only draw again what the other forgot.)
pub fn new_build() {
    match PNG_CACHE.lock() {
        Ok(mut m) => m.clear(),
        Err(p) => p.into_inner().clear(),
    }
    match TREES.lock() {
        Ok(mut t) => t.clear(),
        Err(p) => p.into_inner().clear(),
    }
}

fn cached(
    svg: &str,
    width_pt: f64,
    dpi: u32,
    windows: Option<&[[f64; 2]]>,
    make: impl FnOnce() -> Result<Vec<u8>, String>,
) -> Result<Vec<u8>, String> {
    let key = format!(
        "{}/{}/{dpi}/{:?}",
        blake3::hash(svg.as_bytes()).to_hex(),
        width_pt.to_bits(),
        windows
    );
    let slot = {
        let mut map = match PNG_CACHE.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        map.entry(key).or_default().clone()
    };
    slot.get_or_init(make).clone()
}

/// TIFF `width_pt` points wide at `dpi` (LZW, 8-bit RGB, no alpha, dpi in the file).
pub fn tiff(svg: &str, width_pt: f64, dpi: u32) -> Result<Vec<u8>, String> {
    shared_tiff(svg, width_pt, dpi, 1)
}

/// [`tiff`] from a raster shared with `users` − 1 other exports ([`shared_raster`]).
pub fn shared_tiff(svg: &str, width_pt: f64, dpi: u32, users: usize) -> Result<Vec<u8>, String> {
    if users <= 1 {
        // Its pixels are not shared: drawn and compressed band by band (`banded.rs`).
        return banded::tiff(svg, width_pt, dpi);
    }
    let r = shared_raster(svg, width_pt, dpi, users)?;
    tiff::encode_rgba(r.width, r.height, &r.rgba, dpi)
}

/// PNG of horizontal windows [top, bottom] (in the figure's points) of an SVG stacked on one
/// another, `width_pt` wide at `dpi`: one page of a forest plot too tall for a page.
pub fn png_windows(
    svg: &str,
    natural_width: f64,
    windows: &[[f64; 2]],
    width_pt: f64,
    dpi: u32,
) -> Result<Vec<u8>, String> {
    cached(svg, width_pt, dpi, Some(windows), || {
        png_windows_uncached(svg, natural_width, windows, width_pt, dpi)
    })
}

fn png_windows_uncached(
    svg: &str,
    natural_width: f64,
    windows: &[[f64; 2]],
    width_pt: f64,
    dpi: u32,
) -> Result<Vec<u8>, String> {
    let Sized {
        tree,
        width,
        height,
        scale,
    } = sized(svg, width_pt, dpi)?;
    let px_per_pt = f64::from(width) / natural_width;
    let rows: Vec<(u32, u32)> = windows
        .iter()
        .map(|w| {
            let a = ((w[0] * px_per_pt).round() as u32).min(height);
            let b = ((w[1] * px_per_pt).round() as u32).clamp(a, height);
            (a, b)
        })
        .collect();
    // Only the windows' rows are drawn, band by band.
    banded::png(&tree, width, scale, &rows, dpi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::canvas::{Align, Font};

    fn fig(width: f64, size: f64) -> Figure {
        Figure {
            width,
            height: 100.0,
            marks: vec![Mark::Text {
                x: 1.0,
                baseline: 10.0,
                text: "Study".into(),
                font: Font::regular(size),
                align: Align::Left,
            }],
            bands: None,
        }
    }

    #[test]
    fn text_scales_with_the_width() {
        let p = Placement {
            width_mm: 176.0,
            min_text_pt: 8.0,
            journal: "BMC".into(),
        };
        // 176 mm = 498.9 pt: an 8 pt figure 498.9 pt wide passes, 560 pt wide fails.
        assert!(check_text("Fig. 1", &fig(498.0, 8.0), &p).is_ok());
        let e = check_text("Fig. 1", &fig(560.0, 8.0), &p).unwrap_err();
        assert!(e.contains("7.1 pt"), "{e}");
        assert!(e.contains("width: 197.6"), "{e}");
    }

    #[test]
    fn svg_size_is_restated() {
        let svg = "<svg width=\"400pt\" height=\"200pt\" viewBox=\"0 0 1600 800\"></svg>";
        assert_eq!(
            svg_at_width(svg, (400.0, 200.0), 250.0),
            "<svg width=\"250pt\" height=\"125pt\" viewBox=\"0 0 1600 800\"></svg>"
        );
    }
}
