//! Raster figures drawn and compressed band by band: the SVG is parsed once, then each band of
//! rows is drawn into a small pixmap reused from band to band and compressed at once — a
//! TIFF's strips (a band is a whole number of them), on more threads when the build has cores
//! to spare ([`threads`]), or a PNG's rows, streamed into its deflate stream ([`png`]). No
//! pixmap of the whole figure is made (at 500 dpi one is 30–60 MB, whose fresh pages the
//! kernel zeroes and maps one by one), and the pixels are compressed while they are still in
//! the cache.
//!
//! Each band is drawn with the figure's transform moved up by the band's first row (a whole
//! number of pixels); the pixels are those of one drawing of the whole figure up to the
//! rounding of edge coverage in the last bit of a few anti-aliased pixels. Each strip is its
//! own LZW stream, so the file's bytes do not depend on the number of threads or their order.

use std::sync::atomic::{AtomicUsize, Ordering};

use resvg::tiny_skia::Transform;

use super::tiff::{StripCoder, assemble, rows_per_strip};

/// Rows of pixels drawn at a time (rounded to whole strips): about 2 MB of pixels at 500 dpi
/// and 190 mm, small enough to stay in the cache while its strips are compressed.
const BAND_ROWS: usize = 128;

/// Build workers that have run out of jobs (the build counts them, `build/produce.rs`): a
/// figure drawn then takes them as extra threads. While every worker has jobs, a figure is
/// drawn on one thread: the jobs already use every core asked for, and more threads than
/// that only contend for the cache (measured: 0.3–0.7 s more CPU time on the default
/// project's cold build at 2 jobs).
static SPARE: AtomicUsize = AtomicUsize::new(0);

/// A build starts with `n` spare workers (the jobs asked for beyond the outputs to make).
pub fn set_spare_workers(n: usize) {
    SPARE.store(n, Ordering::Relaxed);
}

/// A build worker has run out of jobs.
pub fn worker_spare() {
    SPARE.fetch_add(1, Ordering::Relaxed);
}

/// How many threads one raster export may use now: its own and the spare workers', at most
/// as many as the machine has cores (builds in parallel threads, as tests run them, share
/// the count).
pub fn threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (1 + SPARE.load(Ordering::Relaxed)).min(cores)
}

/// Draws a band of a figure: the tree scaled by `scale`, from pixel row `first` down, into
/// `pixmap` (already white) — as `resvg::render` draws it, the same calls in the same order,
/// but for a plain figure ([`Plan`]) only the paths and texts that reach the band, found in
/// the plan's index of rows: drawn whole, every band would cost as much as the figure's every
/// path (a forest plot's thousands of glyphs and lines, 25–50 bands at 500 dpi), and looked
/// for node by node, as much as the figure's every node.
fn render_band(
    tree: &resvg::usvg::Tree,
    plan: Option<&Plan>,
    scale: f32,
    first: u32,
    pixmap: &mut resvg::tiny_skia::Pixmap,
    found: &mut Vec<u32>,
) {
    let base = Transform::from_row(scale, 0.0, 0.0, scale, 0.0, -(first as f32));
    let Some(plan) = plan else {
        resvg::render(tree, base, &mut pixmap.as_mut());
        return;
    };
    let band = Band {
        base,
        scale,
        first,
        db: tree.fontdb(),
    };
    plan.reaching(first, pixmap.height(), found);
    for &i in found.iter() {
        let (node, canvas) = plan.leaves[i as usize];
        draw_node(node, &band, canvas, &mut pixmap.as_mut());
    }
}

/// Rows of pixels per cell of a [`Plan`]'s index.
const CELL_ROWS: f32 = 64.0;

/// What a plain figure ([`is_plain`]) draws, for drawing it band by band: its paths and texts
/// in drawing order, each with the transform of the groups around it, and for each cell of
/// [`CELL_ROWS`] rows of the figure's pixels the ones that reach it (within two pixels,
/// anti-aliasing; a leaf reaches every cell its box, stroke included, spans). Made once per
/// figure and size, so finding a band's nodes costs what they are, not the figure's size.
struct Plan<'a> {
    leaves: Vec<(&'a resvg::usvg::Node, Transform)>,
    /// Each leaf's top and bottom in the figure's pixels, widened by two pixels.
    spans: Vec<(f32, f32)>,
    cells: Vec<Vec<u32>>,
}

impl<'a> Plan<'a> {
    /// The plan of `tree` scaled by `scale`; `None` when the figure is not plain.
    fn new(tree: &'a resvg::usvg::Tree, scale: f32) -> Option<Plan<'a>> {
        if !is_plain(tree.root()) {
            return None;
        }
        fn walk<'a>(
            g: &'a resvg::usvg::Group,
            canvas: Transform,
            leaves: &mut Vec<(&'a resvg::usvg::Node, Transform)>,
        ) {
            for node in g.children() {
                match node {
                    resvg::usvg::Node::Group(g) => {
                        walk(g, canvas.pre_concat(g.transform()), leaves)
                    }
                    _ => leaves.push((node, canvas)),
                }
            }
        }
        let mut leaves = Vec::new();
        // resvg draws the root's children with the transform given (not the root's own).
        walk(tree.root(), Transform::default(), &mut leaves);
        let mut cells: Vec<Vec<u32>> = Vec::new();
        let mut spans = Vec::with_capacity(leaves.len());
        for (i, (node, _)) in leaves.iter().enumerate() {
            let b = node.abs_stroke_bounding_box();
            let (top, bottom) = (scale * b.top() - 2.0, scale * b.bottom() + 2.0);
            spans.push((top, bottom));
            if !(bottom >= 0.0 && top.is_finite() && bottom.is_finite()) {
                continue;
            }
            let c0 = (top.max(0.0) / CELL_ROWS) as usize;
            let c1 = (bottom / CELL_ROWS) as usize;
            if cells.len() <= c1 {
                cells.resize_with(c1 + 1, Vec::new);
            }
            for cell in &mut cells[c0..=c1] {
                cell.push(i as u32);
            }
        }
        Some(Plan {
            leaves,
            spans,
            cells,
        })
    }

    /// The leaves reaching the `rows` rows from the figure's pixel row `first`, in drawing
    /// order, into `found`.
    fn reaching(&self, first: u32, rows: u32, found: &mut Vec<u32>) {
        found.clear();
        let (top, bottom) = (first as f32, first as f32 + rows as f32);
        let c0 = ((top - 2.0).max(0.0) / CELL_ROWS) as usize;
        let c1 = (((bottom + 2.0) / CELL_ROWS) as usize).min(self.cells.len().saturating_sub(1));
        for cell in self.cells.get(c0..=c1).unwrap_or_default() {
            found.extend(cell.iter().copied().filter(|&i| {
                let (t, b) = self.spans[i as usize];
                b >= top && t <= bottom
            }));
        }
        found.sort_unstable();
        found.dedup();
    }
}

/// The band being drawn: `base` maps the figure's coordinates to the band's pixels (the
/// figure's pixels, `scale` per unit, moved up by the band's first row, `first`).
struct Band<'a> {
    base: Transform,
    scale: f32,
    first: u32,
    db: &'a resvg::usvg::fontdb::Database,
}

/// Whether a group holds only what [`draw_node`] draws as resvg does: groups that need no
/// layer of their own (no opacity, clip, mask or filter), text, and paths painted in solid
/// colours — all metareport's figures hold.
fn is_plain(g: &resvg::usvg::Group) -> bool {
    use resvg::usvg::{Node, Paint};
    let solid = |p: &Paint| matches!(p, Paint::Color(_));
    g.children().iter().all(|node| match node {
        Node::Group(g) => !g.should_isolate() && is_plain(g),
        Node::Text(t) => !t.flattened().should_isolate() && is_plain(t.flattened()),
        Node::Path(p) => {
            p.fill().is_none_or(|f| solid(f.paint())) && p.stroke().is_none_or(|s| solid(s.paint()))
        }
        Node::Image(_) => false,
    })
}

/// resvg's drawing of one node of a plain figure (`resvg::render`'s `render_node` and
/// `path::render` for solid paints); text is drawn from the glyph cache ([`super::glyphs`])
/// when it can be. `canvas` maps the node's coordinates to the figure's (the transforms of
/// the groups around it).
fn draw_node(
    node: &resvg::usvg::Node,
    band: &Band,
    canvas: Transform,
    pixmap: &mut resvg::tiny_skia::PixmapMut,
) {
    use resvg::tiny_skia::{FillRule, Paint};
    use resvg::usvg::{self, Node};
    let ts = band.base.pre_concat(canvas);
    let group = |g: &usvg::Group, pixmap: &mut resvg::tiny_skia::PixmapMut| {
        let canvas = canvas.pre_concat(g.transform());
        for child in g.children() {
            draw_node(child, band, canvas, pixmap);
        }
    };
    match node {
        Node::Group(g) => group(g, pixmap),
        Node::Text(t) => {
            if !super::glyphs::draw(t, band.db, canvas, band.scale, band.first, pixmap) {
                group(t.flattened(), pixmap)
            }
        }
        Node::Path(path) => {
            if !path.is_visible() {
                return;
            }
            let colour = |c: &usvg::Paint, opacity: usvg::Opacity| {
                let mut paint = Paint::default();
                if let usvg::Paint::Color(c) = c {
                    paint.set_color_rgba8(c.red, c.green, c.blue, opacity.to_u8());
                }
                paint.anti_alias = path.rendering_mode().use_shape_antialiasing();
                paint
            };
            let fill = |pixmap: &mut resvg::tiny_skia::PixmapMut| {
                let Some(fill) = path.fill() else { return };
                // resvg leaves out fills of horizontal and vertical lines.
                let b = path.data().bounds();
                if b.width() == 0.0 || b.height() == 0.0 {
                    return;
                }
                let rule = match fill.rule() {
                    usvg::FillRule::NonZero => FillRule::Winding,
                    usvg::FillRule::EvenOdd => FillRule::EvenOdd,
                };
                let paint = colour(fill.paint(), fill.opacity());
                pixmap.fill_path(path.data(), &paint, rule, ts, None);
            };
            let stroke = |pixmap: &mut resvg::tiny_skia::PixmapMut| {
                let Some(stroke) = path.stroke() else { return };
                let paint = colour(stroke.paint(), stroke.opacity());
                pixmap.stroke_path(path.data(), &paint, &stroke.to_tiny_skia(), ts, None);
            };
            if path.paint_order() == usvg::PaintOrder::FillAndStroke {
                fill(pixmap);
                stroke(pixmap);
            } else {
                stroke(pixmap);
                fill(pixmap);
            }
        }
        // Not in a plain figure.
        Node::Image(_) => {}
    }
}

/// Draws the pixel rows `windows` (first, end) of a parsed figure (`width` pixels wide, the
/// tree scaled by `scale`) on white, [`BAND_ROWS`] at a time into one reused pixmap, and hands
/// each band's opaque RGBA rows to `sink` in order.
pub(crate) fn draw_rows(
    tree: &resvg::usvg::Tree,
    width: u32,
    scale: f32,
    windows: &[(u32, u32)],
    mut sink: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    let Some(tallest) = windows.iter().map(|&(a, b)| b.saturating_sub(a)).max() else {
        return Ok(());
    };
    if tallest == 0 {
        return Ok(());
    }
    let band_rows = (BAND_ROWS as u32).min(tallest);
    let mut pixmap = super::white_pixmap(width, band_rows).ok_or("the figure is too large")?;
    let plan = Plan::new(tree, scale);
    let mut found = Vec::new();
    let row = width as usize * 4;
    for &(start, end) in windows {
        let mut first = start;
        while first < end {
            let n = band_rows.min(end - first) as usize;
            pixmap.data_mut().fill(255);
            render_band(tree, plan.as_ref(), scale, first, &mut pixmap, &mut found);
            sink(&pixmap.data()[..n * row])?;
            first += n as u32;
        }
    }
    Ok(())
}

/// The PNG (8-bit RGB, zlib level 2 after the Up filter, `dpi` in a pHYs chunk, as
/// [`super::encode_rgb_png`]) of the pixel rows `windows` (first, end) of a parsed figure
/// `width` pixels wide, the tree scaled by `scale`, stacked in order: the whole figure is one
/// window.
pub(crate) fn png(
    tree: &resvg::usvg::Tree,
    width: u32,
    scale: f32,
    windows: &[(u32, u32)],
    dpi: u32,
) -> Result<Vec<u8>, String> {
    let height: u32 = windows.iter().map(|&(a, b)| b.saturating_sub(a)).sum();
    if width == 0 || height == 0 {
        return Err("the figure is empty".into());
    }
    let fail = |e: &dyn std::fmt::Display| format!("cannot encode the PNG: {e}");
    let mut out = Vec::new();
    {
        let mut w = super::png_encoder(&mut out, width, height, dpi)
            .write_header()
            .map_err(|e| fail(&e))?;
        // IDAT chunks of up to 1 MiB.
        let mut stream = w.stream_writer_with_size(1 << 20).map_err(|e| fail(&e))?;
        let mut rgb = Vec::new();
        draw_rows(tree, width, scale, windows, |rgba| {
            super::rgb_into(rgba, &mut rgb);
            std::io::Write::write_all(&mut stream, &rgb).map_err(|e| fail(&e))
        })?;
        stream.finish().map_err(|e| fail(&e))?;
    }
    Ok(out)
}

/// The TIFF of an SVG `width_pt` points wide at `dpi` (LZW, 8-bit RGB, no alpha, dpi in the
/// file), drawn band by band.
pub fn tiff(svg: &str, width_pt: f64, dpi: u32) -> Result<Vec<u8>, String> {
    tiff_on(svg, width_pt, dpi, threads())
}

/// [`tiff`] on up to `threads` threads (the bytes do not depend on them).
fn tiff_on(svg: &str, width_pt: f64, dpi: u32, threads: usize) -> Result<Vec<u8>, String> {
    let super::Sized {
        tree,
        width,
        height,
        scale: s,
    } = super::sized(svg, width_pt, dpi)?;
    let strip_rows = rows_per_strip(width, height);
    let band_rows = BAND_ROWS.div_ceil(strip_rows) * strip_rows;
    let plan = Plan::new(&tree, s);
    let bands = (height as usize).div_ceil(band_rows);
    // One band: its strips, compressed.
    let draw = |band: usize,
                pixmap: &mut resvg::tiny_skia::Pixmap,
                coder: &mut StripCoder|
     -> Vec<Vec<u8>> {
        let first = band * band_rows;
        let rows = band_rows.min(height as usize - first);
        pixmap.data_mut().fill(255);
        render_band(
            &tree,
            plan.as_ref(),
            s,
            first as u32,
            pixmap,
            &mut Vec::new(),
        );
        let row = width as usize * 4;
        pixmap.data()[..rows * row]
            .chunks(strip_rows * row)
            .map(|strip| coder.strip_from_rgba(strip))
            .collect()
    };
    let new_band = || {
        super::white_pixmap(width, band_rows.min(height as usize) as u32)
            .ok_or("the figure is too large")
    };
    let workers = threads.min(bands);
    let mut strips: Vec<Vec<u8>> = Vec::new();
    if workers <= 1 {
        let mut pixmap = new_band()?;
        let mut coder = StripCoder::new();
        for band in 0..bands {
            strips.extend(draw(band, &mut pixmap, &mut coder));
        }
    } else {
        let next = AtomicUsize::new(0);
        let done: std::sync::Mutex<Vec<Option<Vec<Vec<u8>>>>> =
            std::sync::Mutex::new(vec![None; bands]);
        let failed = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| -> Result<(), &'static str> {
                        let mut pixmap = new_band()?;
                        let mut coder = StripCoder::new();
                        loop {
                            let band = next.fetch_add(1, Ordering::Relaxed);
                            if band >= bands {
                                return Ok(());
                            }
                            let made = draw(band, &mut pixmap, &mut coder);
                            match done.lock() {
                                Ok(mut d) => d[band] = Some(made),
                                Err(p) => p.into_inner()[band] = Some(made),
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or(Err("a drawing thread failed")))
                .find_map(Result::err)
        });
        if let Some(e) = failed {
            return Err(e.into());
        }
        let done = match done.into_inner() {
            Ok(d) => d,
            Err(p) => p.into_inner(),
        };
        for band in done {
            strips.extend(band.ok_or("a band of the figure was not drawn")?);
        }
    }
    Ok(assemble(width, height, dpi, &strips))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A figure with text, lines, circles and slanted edges over many bands.
    fn svg() -> String {
        let mut body = String::new();
        for i in 0..40 {
            let y = 12.0 + 14.3 * f64::from(i);
            body.push_str(&format!(
                "<text x=\"4\" y=\"{y}\" font-family=\"Liberation Sans\" font-size=\"9\">Study {i} et al. 19{i:02}</text>\
                 <line x1=\"120\" y1=\"{y}\" x2=\"{}\" y2=\"{}\" stroke=\"black\" stroke-width=\"0.7\"/>\
                 <circle cx=\"{}\" cy=\"{}\" r=\"3.3\" fill=\"#1f4e9c\"/>",
                180.0 + 3.1 * f64::from(i),
                y - 2.5,
                150.0 + 2.7 * f64::from(i),
                y - 3.0,
            ));
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"300pt\" height=\"590pt\" viewBox=\"0 0 300 590\">\
             <polygon points=\"200,560 240,575 200,588 160,575\"/>{body}</svg>"
        )
    }

    /// The figure drawn by [`render_band`] as one band of its full height, RGB.
    fn one_band(svg: &str, width_pt: f64, dpi: u32) -> Vec<u8> {
        let s = crate::plot::export::sized(svg, width_pt, dpi).unwrap();
        let mut pixmap = crate::plot::export::white_pixmap(s.width, s.height).unwrap();
        let plan = Plan::new(&s.tree, s.scale);
        render_band(
            &s.tree,
            plan.as_ref(),
            s.scale,
            0,
            &mut pixmap,
            &mut Vec::new(),
        );
        crate::plot::export::rgb(&pixmap)
    }

    /// How far two drawings of one size are apart: the bytes that differ, the largest
    /// difference and the mean difference over all bytes.
    fn apart(a: &[u8], b: &[u8]) -> (usize, u8, f64) {
        assert_eq!(a.len(), b.len());
        let differ = a.iter().zip(b).filter(|(x, y)| x != y).count();
        let most = a
            .iter()
            .zip(b)
            .map(|(x, y)| x.abs_diff(*y))
            .max()
            .unwrap_or(0);
        let sum: u64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| u64::from(x.abs_diff(*y)))
            .sum();
        (differ, most, sum as f64 / a.len() as f64)
    }

    #[test]
    fn bands_are_the_pixels_of_one_drawing() {
        let svg = svg();
        let (w, h, rgb) = crate::plot::export::rasterise(&svg, 300.0, 600).unwrap();
        let one = tiff(&svg, 300.0, 600).unwrap();
        let info = super::super::tiff::read_info(&one).unwrap();
        assert_eq!((info.width, info.height), (w, h));
        assert_eq!(info.x_resolution, Some((600, 1)));
        let px = super::super::tiff::tests::decode(&one);
        // The same picture as one band of the figure's height: glyphs are placed in the whole
        // figure's pixels, so a glyph cut by a band's edge is drawn as in one band; lines and
        // shapes are anti-aliased as one drawing's up to one step of coverage in a few pixels.
        let (differ, most, _) = apart(&px, &one_band(&svg, 300.0, 600));
        assert!(differ * 1000 < rgb.len(), "{differ} of {} bytes", rgb.len());
        assert!(most <= 64, "{most}");
        // And resvg's drawing, its text filled glyph by glyph from its outlines: the glyphs
        // are placed within a quarter of a pixel (their edges' coverage differs), nothing
        // more.
        let (_, _, mean) = apart(&px, &rgb);
        assert!(mean < 1.5, "{mean}");
        // The bytes do not depend on the threads drawing the bands.
        assert_eq!(tiff_on(&svg, 300.0, 600, 1).unwrap(), one);
        assert_eq!(tiff_on(&svg, 300.0, 600, 3).unwrap(), one);
    }

    fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut r = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut px = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut px).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        px.truncate(info.buffer_size());
        (info.width, info.height, px)
    }

    #[test]
    fn a_png_drawn_in_bands_is_the_pixels_of_one_drawing() {
        let svg = svg();
        let (w, h, rgb) = crate::plot::export::rasterise(&svg, 300.0, 300).unwrap();
        let s = crate::plot::export::sized(&svg, 300.0, 300).unwrap();
        let whole = png(&s.tree, s.width, s.scale, &[(0, s.height)], 300).unwrap();
        let (pw, ph, px) = decode_png(&whole);
        assert_eq!((pw, ph), (w, h));
        let one = one_band(&svg, 300.0, 300);
        let (differ, most, _) = apart(&px, &one);
        assert!(differ * 1000 < one.len(), "{differ} of {} bytes", one.len());
        assert!(most <= 64, "{most}");
        let (_, _, mean) = apart(&px, &rgb);
        assert!(mean < 1.5, "{mean}");
        // Windows: only their rows, stacked in order.
        let row = w as usize * 3;
        let windows = png(&s.tree, s.width, s.scale, &[(700, 900), (10, 20)], 300).unwrap();
        let (pw, ph, px) = decode_png(&windows);
        assert_eq!((pw, ph), (w, 210));
        let want: Vec<u8> = [&one[700 * row..900 * row], &one[10 * row..20 * row]].concat();
        let differ = px.iter().zip(&want).filter(|(a, b)| a != b).count();
        assert!(
            differ * 100 < want.len(),
            "{differ} of {} bytes",
            want.len()
        );
        assert!(png(&s.tree, s.width, s.scale, &[(5, 5)], 300).is_err());
    }
}
