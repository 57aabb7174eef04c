//! Text drawn from a glyph cache, as text renderers draw it: each glyph's coverage is made
//! once per size and quarter-pixel position ([`Mask`]) and then blended into every band that
//! shows it, instead of filling the glyph's outline again at each use. A forest plot is
//! mostly text (a 300-dpi figure's glyphs were about a quarter of a cold build's time), and
//! the digits, letters and signs of its columns repeat row after row.
//!
//! A glyph is placed at its position rounded to a quarter of a pixel across and half a pixel
//! down (text renderers place glyphs so), at most a quarter of a pixel from where its outline
//! would be filled, and its scale is rounded to 1/1024 ([`SCALE_BITS`]). The position is taken
//! in the whole figure's pixels, before a band's offset, so a glyph cut by a band's edge is
//! drawn the same way in both bands. A mask depends only on its key, so the pixels do not
//! depend on threads, bands or the order figures are drawn in.
//!
//! Only text painted in a solid colour with no stroke, decoration or font variations, in
//! outline fonts, at an axis-aligned transform is drawn so; [`draw`] says when it cannot, and
//! the caller fills the text's outlines as resvg does.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use resvg::tiny_skia::{FillRule, Mask, PixmapMut, Transform};
use resvg::usvg;

/// Positions per pixel a glyph may take across (a quarter of a pixel apart) and down (half a
/// pixel apart: rows of text share their baselines).
const STEPS_X: f64 = 4.0;
const STEPS_Y: f64 = 2.0;

/// A glyph's scale is rounded to this many significant bits (a relative step of 1/1024:
/// a 40-pixel glyph's far edge moves by at most 0.02 pixels), so figures drawn at scales that
/// differ only by the rounding of their widths to whole pixels share their glyphs' masks.
const SCALE_BITS: u32 = 10;

/// `v` rounded to [`SCALE_BITS`] significant bits.
fn rounded_scale(v: f32) -> f32 {
    let drop = 23 - SCALE_BITS;
    let bits = v.to_bits();
    let half = 1u32 << (drop - 1);
    f32::from_bits((bits.wrapping_add(half) >> drop) << drop)
}

/// The most outlines the cache keeps, and the most bytes of masks; past either it starts
/// again. (The default project's figures make about 3,300 masks, 2.4 MB; k = 1,000, 900.)
const MAX_ENTRIES: usize = 50_000;
const MAX_MASK_BYTES: usize = 16 << 20;

/// A glyph of one font at one size and sub-pixel position.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    /// The font database the font id belongs to (ids are only unique within one).
    db: usize,
    font: usvg::fontdb::ID,
    glyph: u16,
    /// The transform's scale (font units → pixels, y mirrored), bit for bit.
    sx: u32,
    sy: u32,
    /// Steps ([`STEPS_X`], [`STEPS_Y`]) right of and below the whole pixel the glyph's
    /// origin is put at.
    qx: u8,
    qy: u8,
}

/// A glyph's coverage, `left`/`top` pixels from its whole-pixel origin.
struct Coverage {
    left: i32,
    top: i32,
    width: usize,
    height: usize,
    data: Vec<u8>,
}

#[derive(Default)]
struct Cache {
    masks: HashMap<Key, Option<Arc<Coverage>>>,
    mask_bytes: usize,
    outlines: HashMap<(usize, usvg::fontdb::ID, u16), Option<Arc<resvg::tiny_skia::Path>>>,
    /// Whether a font's glyphs are all outlines (no colour, bitmap or SVG glyphs).
    plain_fonts: HashMap<(usize, usvg::fontdb::ID), bool>,
}

/// One cache for the process, shared by every thread drawing figures (the TIFFs' band
/// threads live for one figure).
static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Default::default);

fn cache() -> MutexGuard<'static, Cache> {
    match CACHE.lock() {
        Ok(c) => c,
        Err(p) => p.into_inner(),
    }
}

/// Whether `text` can be drawn by [`draw`]: every visible span painted in a solid colour with
/// no stroke, decoration or variations, anti-aliased, in outline fonts.
fn drawable(text: &usvg::Text, db: &usvg::fontdb::Database) -> bool {
    if !matches!(
        text.rendering_mode(),
        usvg::TextRendering::OptimizeLegibility | usvg::TextRendering::GeometricPrecision
    ) {
        return false;
    }
    text.layouted().iter().all(|span| {
        !span.visible
            || (span.stroke.is_none()
                && span.underline.is_none()
                && span.overline.is_none()
                && span.line_through.is_none()
                && span.variations.is_empty()
                && span
                    .fill
                    .as_ref()
                    .is_some_and(|f| matches!(f.paint(), usvg::Paint::Color(_)))
                && fonts_plain(db, span))
    })
}

/// Whether every font of a span's glyphs is plain ([`plain_font`]), each run of glyphs in
/// one font asked once.
fn fonts_plain(db: &usvg::fontdb::Database, span: &usvg::layout::Span) -> bool {
    let mut last = None;
    span.positioned_glyphs.iter().all(|g| {
        let same = last == Some(g.font);
        last = Some(g.font);
        same || plain_font(db, g.font)
    })
}

fn db_key(db: &usvg::fontdb::Database) -> usize {
    std::ptr::from_ref(db) as usize
}

/// Whether a font has only outline glyphs (as usvg's flattening then uses outlines alone) and
/// is not variable (whose outlines usvg takes at the axes' defaults or the font size).
fn plain_font(db: &usvg::fontdb::Database, font: usvg::fontdb::ID) -> bool {
    let key = (db_key(db), font);
    if let Some(&p) = cache().plain_fonts.get(&key) {
        return p;
    }
    let plain = db
        .with_face_data(font, |data, index| {
            ttf_parser::Face::parse(data, index).is_ok_and(|f| {
                let t = f.tables();
                !f.is_variable()
                    && t.colr.is_none()
                    && t.svg.is_none()
                    && t.cbdt.is_none()
                    && t.sbix.is_none()
            })
        })
        .unwrap_or(false);
    cache().plain_fonts.insert(key, plain);
    plain
}

/// A glyph's outline in font units (y up), `None` for a glyph with none (a space).
fn outline(
    db: &usvg::fontdb::Database,
    font: usvg::fontdb::ID,
    glyph: u16,
) -> Option<Arc<resvg::tiny_skia::Path>> {
    let key = (db_key(db), font, glyph);
    if let Some(o) = cache().outlines.get(&key).cloned() {
        return o;
    }
    struct Builder(resvg::tiny_skia::PathBuilder);
    impl ttf_parser::OutlineBuilder for Builder {
        fn move_to(&mut self, x: f32, y: f32) {
            self.0.move_to(x, y);
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.0.line_to(x, y);
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            self.0.quad_to(x1, y1, x, y);
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            self.0.cubic_to(x1, y1, x2, y2, x, y);
        }
        fn close(&mut self) {
            self.0.close();
        }
    }
    let path = db
        .with_face_data(font, |data, index| {
            let face = ttf_parser::Face::parse(data, index).ok()?;
            let mut b = Builder(resvg::tiny_skia::PathBuilder::new());
            face.outline_glyph(ttf_parser::GlyphId(glyph), &mut b)?;
            b.0.finish().map(Arc::new)
        })
        .flatten();
    let mut c = cache();
    if c.outlines.len() >= MAX_ENTRIES {
        c.outlines.clear();
    }
    c.outlines.insert(key, path.clone());
    drop(c);
    path
}

/// The coverage of a glyph's `path` scaled by (`sx`, `sy`) with its origin `qx`, `qy` steps
/// into a pixel.
fn coverage(path: &resvg::tiny_skia::Path, rule: FillRule, key: &Key) -> Option<Coverage> {
    let (sx, sy) = (f32::from_bits(key.sx), f32::from_bits(key.sy));
    let (fx, fy) = (
        f32::from(key.qx) / STEPS_X as f32,
        f32::from(key.qy) / STEPS_Y as f32,
    );
    let b = path.bounds();
    let (x0, x1) = (sx * b.left() + fx, sx * b.right() + fx);
    let (y0, y1) = (sy * b.top() + fy, sy * b.bottom() + fy);
    let left = x0.min(x1).floor() as i32 - 1;
    let top = y0.min(y1).floor() as i32 - 1;
    let width = (x0.max(x1).ceil() as i32 + 1 - left).max(1) as u32;
    let height = (y0.max(y1).ceil() as i32 + 1 - top).max(1) as u32;
    let mut mask = Mask::new(width, height)?;
    let ts = Transform::from_row(sx, 0.0, 0.0, sy, fx - left as f32, fy - top as f32);
    mask.fill_path(path, rule, true, ts);
    Some(Coverage {
        left,
        top,
        width: width as usize,
        height: height as usize,
        data: mask.data().to_vec(),
    })
}

/// Draws a plain text node's glyphs into a band: `canvas` maps the text's coordinates to the
/// figure's (the transforms of the groups around it), `scale` the figure's to its pixels, and
/// the band is the pixmap's rows from the figure's pixel row `first` down. `false` (nothing
/// drawn) when the text is not one [`draw`] can draw (see the module's notes).
pub(super) fn draw(
    text: &usvg::Text,
    db: &usvg::fontdb::Database,
    canvas: Transform,
    scale: f32,
    first: u32,
    pixmap: &mut PixmapMut,
) -> bool {
    if !drawable(text, db) {
        return false;
    }
    let canvas = canvas.pre_concat(text.flattened().transform());
    let (width, rows) = (pixmap.width() as i64, pixmap.height() as i64);
    let first = i64::from(first);
    for span in text.layouted().iter().filter(|s| s.visible) {
        let Some(fill) = &span.fill else { continue };
        let usvg::Paint::Color(c) = fill.paint() else {
            continue;
        };
        let rule = match fill.rule() {
            usvg::FillRule::NonZero => FillRule::Winding,
            usvg::FillRule::EvenOdd => FillRule::EvenOdd,
        };
        let colour = [c.red, c.green, c.blue];
        let alpha = fill.opacity().to_u8();
        for glyph in &span.positioned_glyphs {
            let g = canvas.pre_concat(glyph.outline_transform());
            if g.kx != 0.0 || g.ky != 0.0 {
                // Slanted or turned: filled as resvg would.
                let ts =
                    Transform::from_row(scale, 0.0, 0.0, scale, 0.0, -(first as f32)).pre_concat(g);
                let mut paint = resvg::tiny_skia::Paint::default();
                paint.set_color_rgba8(colour[0], colour[1], colour[2], alpha);
                if let Some(path) = outline(db, glyph.font, glyph.id.0) {
                    pixmap.fill_path(&path, &paint, rule, ts, None);
                }
                continue;
            }
            let (sx, sy) = (rounded_scale(scale * g.sx), rounded_scale(scale * g.sy));
            let xq = (f64::from(scale) * f64::from(g.tx) * STEPS_X).round() as i64;
            let yq = (f64::from(scale) * f64::from(g.ty) * STEPS_Y).round() as i64;
            let (steps_x, steps_y) = (STEPS_X as i64, STEPS_Y as i64);
            let key = Key {
                db: db_key(db),
                font: glyph.font,
                glyph: glyph.id.0,
                sx: sx.to_bits(),
                sy: sy.to_bits(),
                qx: xq.rem_euclid(steps_x) as u8,
                qy: yq.rem_euclid(steps_y) as u8,
            };
            let (ox, oy) = (xq.div_euclid(steps_x), yq.div_euclid(steps_y));
            // The outline is read only for a mask not made yet (a glyph without one, a space,
            // has no mask either).
            let cached = cache().masks.get(&key).cloned();
            let mask = match cached {
                Some(m) => m,
                None => {
                    let m = outline(db, glyph.font, glyph.id.0)
                        .and_then(|path| coverage(&path, rule, &key))
                        .map(Arc::new);
                    let mut c = cache();
                    let bytes = 64 + m.as_ref().map_or(0, |m| m.data.len());
                    if c.mask_bytes + bytes > MAX_MASK_BYTES {
                        c.masks.clear();
                        c.mask_bytes = 0;
                    }
                    c.mask_bytes += bytes;
                    c.masks.insert(key, m.clone());
                    m
                }
            };
            let Some(mask) = mask else { continue };
            blend(&mask, ox, oy - first, colour, alpha, width, rows, pixmap);
        }
    }
    true
}

/// Blends `colour` at `alpha` into the band through a glyph's coverage put at (`ox`, `oy`) in
/// the band's pixels (premultiplied RGBA over opaque pixels: each channel moves toward the
/// colour by coverage × alpha).
#[allow(clippy::too_many_arguments)]
fn blend(
    mask: &Coverage,
    ox: i64,
    oy: i64,
    colour: [u8; 3],
    alpha: u8,
    width: i64,
    rows: i64,
    pixmap: &mut PixmapMut,
) {
    let (x0, y0) = (ox + i64::from(mask.left), oy + i64::from(mask.top));
    let (mw, mh) = (mask.width as i64, mask.height as i64);
    let (cx0, cx1) = (x0.max(0), (x0 + mw).min(width));
    let (cy0, cy1) = (y0.max(0), (y0 + mh).min(rows));
    if cx0 >= cx1 || cy0 >= cy1 {
        return;
    }
    let data = pixmap.data_mut();
    let stride = width as usize * 4;
    let a = u32::from(alpha);
    for y in cy0..cy1 {
        let m = &mask.data[((y - y0) * mw + (cx0 - x0)) as usize..][..(cx1 - cx0) as usize];
        let row = &mut data[y as usize * stride + cx0 as usize * 4..][..m.len() * 4];
        for (px, &cov) in row.chunks_exact_mut(4).zip(m) {
            if cov == 0 {
                continue;
            }
            let k = if a == 255 {
                u32::from(cov)
            } else {
                (u32::from(cov) * a + 127) / 255
            };
            if k == 255 {
                px[..3].copy_from_slice(&colour);
                px[3] = 255;
                continue;
            }
            let inv = 255 - k;
            for (d, &s) in px[..3].iter_mut().zip(&colour) {
                *d = ((u32::from(s) * k + u32::from(*d) * inv + 127) / 255) as u8;
            }
            px[3] = ((255 * k + u32::from(px[3]) * inv + 127) / 255) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(svg: &str) -> (Arc<usvg::Tree>, usvg::Text) {
        let tree = crate::plot::export::parsed(svg).unwrap();
        let usvg::Node::Text(t) = &tree.root().children()[0] else {
            panic!("no text");
        };
        let t = (**t).clone();
        (tree, t)
    }

    fn svg(attrs: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"30\"><text x=\"3.3\" y=\"20.6\" font-family=\"Liberation Sans\" font-size=\"12\" {attrs}>Study 1987</text></svg>"
        )
    }

    #[test]
    fn plain_text_is_drawn_from_masks_like_its_outlines() {
        let (tree, text) = text_of(&svg(""));
        let draw_at = |first: u32, rows: u32| {
            let mut pixmap = crate::plot::export::white_pixmap(313, rows).unwrap();
            let drawn = draw(
                &text,
                tree.fontdb(),
                Transform::default(),
                3.125,
                first,
                &mut pixmap.as_mut(),
            );
            assert!(drawn);
            pixmap.data().to_vec()
        };
        let whole = draw_at(0, 94);
        assert!(whole.iter().any(|&b| b < 128), "nothing drawn");
        // Two bands give the rows of one drawing, byte for byte.
        let top = draw_at(0, 50);
        let bottom = draw_at(50, 44);
        assert_eq!([top, bottom].concat(), whole);
        // resvg's drawing of the outlines: the same glyphs up to their placement.
        let mut reference = crate::plot::export::white_pixmap(313, 94).unwrap();
        resvg::render(
            &tree,
            Transform::from_scale(3.125, 3.125),
            &mut reference.as_mut(),
        );
        let dark = |d: &[u8]| d.chunks(4).filter(|p| p[0] < 128).count() as f64;
        let (a, b) = (dark(&whole), dark(reference.data()));
        assert!((a - b).abs() < 0.03 * b, "{a} dark pixels, resvg {b}");
    }

    #[test]
    fn other_text_is_left_to_the_outlines() {
        for attrs in [
            "stroke=\"red\"",
            "text-decoration=\"underline\"",
            "text-rendering=\"optimizeSpeed\"",
        ] {
            let (tree, text) = text_of(&svg(attrs));
            let mut pixmap = crate::plot::export::white_pixmap(100, 30).unwrap();
            let drawn = draw(
                &text,
                tree.fontdb(),
                Transform::default(),
                1.0,
                0,
                &mut pixmap.as_mut(),
            );
            assert!(!drawn, "{attrs}");
            assert!(pixmap.data().iter().all(|&b| b == 255), "{attrs}");
        }
    }
}
