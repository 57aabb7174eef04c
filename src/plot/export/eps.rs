//! Encapsulated PostScript (EPS 3.0, PostScript level 2) from an SVG: every path of the
//! usvg tree — text included, as glyph outlines — written as PostScript paths with solid
//! fills and strokes. Text as outlines is what PLOS asks of EPS text; it needs no font on the
//! journal's side. No preview image (TIFF/WMF) is included; Elsevier asks for one, and EPS
//! readers show the bounding box instead.
//!
//! metareport's figures use only solid colours at full opacity, no gradients, patterns,
//! images, clips or masks; anything else is refused with a message rather than drawn wrongly.

use std::fmt::Write as _;

use resvg::tiny_skia::{PathSegment, Transform};
use resvg::usvg::{self, Node, Paint};

/// The EPS of an SVG printed `width_pt` points wide.
pub fn eps(svg: &str, width_pt: f64, title: &str) -> Result<Vec<u8>, String> {
    let tree = super::parsed(svg)?;
    let size = tree.size();
    let scale = width_pt / f64::from(size.width());
    let height_pt = f64::from(size.height()) * scale;
    let mut ps = String::new();
    let title: String = title
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control() && *c != '(' && *c != ')')
        .collect();
    let _ = write!(
        ps,
        "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 {} {}\n%%HiResBoundingBox: 0 0 {:.3} {:.3}\n%%Title: ({title})\n%%Creator: (metareport {})\n%%LanguageLevel: 2\n%%Pages: 1\n%%EndComments\n%%BeginProlog\n/m {{moveto}} bind def /l {{lineto}} bind def /c {{curveto}} bind def /h {{closepath}} bind def\n%%EndProlog\n%%Page: 1 1\ngsave\n1 setgray 0 0 {:.3} {:.3} rectfill\n",
        width_pt.ceil() as i64,
        height_pt.ceil() as i64,
        width_pt,
        height_pt,
        crate::results::VERSION,
        width_pt,
        height_pt,
    );
    // SVG's y axis points down; PostScript's up.
    let base = Transform::from_row(
        scale as f32,
        0.0,
        0.0,
        -(scale as f32),
        0.0,
        height_pt as f32,
    );
    group(tree.root(), base, &mut ps)?;
    ps.push_str("grestore\nshowpage\n%%EOF\n");
    Ok(ps.into_bytes())
}

fn group(g: &usvg::Group, t: Transform, ps: &mut String) -> Result<(), String> {
    let t = t.pre_concat(g.transform());
    if g.clip_path().is_some() || g.mask().is_some() || !g.filters().is_empty() {
        return Err(
            "the figure uses a clip, mask or filter, which EPS export does not draw".into(),
        );
    }
    if g.opacity().get() < 1.0 {
        return Err("the figure uses transparency, which EPS cannot express".into());
    }
    for node in g.children() {
        match node {
            Node::Group(sub) => group(sub, t, ps)?,
            Node::Text(text) => group(text.flattened(), t, ps)?,
            Node::Path(p) => path(p, t, ps)?,
            Node::Image(_) => {
                return Err("the figure holds an image, which EPS export does not draw".into());
            }
        }
    }
    Ok(())
}

fn colour(paint: &Paint, opacity: f32) -> Result<String, String> {
    match paint {
        Paint::Color(c) if opacity >= 1.0 => Ok(format!(
            "{:.4} {:.4} {:.4} setrgbcolor",
            f32::from(c.red) / 255.0,
            f32::from(c.green) / 255.0,
            f32::from(c.blue) / 255.0
        )),
        Paint::Color(_) => Err("the figure uses transparency, which EPS cannot express".into()),
        _ => Err("the figure uses a gradient or pattern, which EPS export does not draw".into()),
    }
}

fn path(p: &usvg::Path, t: Transform, ps: &mut String) -> Result<(), String> {
    if !p.is_visible() {
        return Ok(());
    }
    let mut d = String::new();
    // The current point and the start of the subpath (for quadratic curves), in page units.
    let (mut cur, mut start) = ((0.0f32, 0.0f32), (0.0f32, 0.0f32));
    let pt = |x: f32, y: f32| {
        let mut q = resvg::tiny_skia::Point::from_xy(x, y);
        t.map_point(&mut q);
        (q.x, q.y)
    };
    for seg in p.data().segments() {
        match seg {
            PathSegment::MoveTo(a) => {
                let (x, y) = pt(a.x, a.y);
                let _ = write!(d, "{x:.3} {y:.3} m ");
                (cur, start) = ((x, y), (x, y));
            }
            PathSegment::LineTo(a) => {
                let (x, y) = pt(a.x, a.y);
                let _ = write!(d, "{x:.3} {y:.3} l ");
                cur = (x, y);
            }
            PathSegment::QuadTo(c1, a) => {
                // A quadratic Bézier as a cubic: control points at 2/3 towards the control.
                let (x0, y0) = cur;
                let (cx, cy) = pt(c1.x, c1.y);
                let (x, y) = pt(a.x, a.y);
                let _ = write!(
                    d,
                    "{:.3} {:.3} {:.3} {:.3} {x:.3} {y:.3} c ",
                    x0 + 2.0 / 3.0 * (cx - x0),
                    y0 + 2.0 / 3.0 * (cy - y0),
                    x + 2.0 / 3.0 * (cx - x),
                    y + 2.0 / 3.0 * (cy - y)
                );
                cur = (x, y);
            }
            PathSegment::CubicTo(c1, c2, a) => {
                let (ax, ay) = pt(c1.x, c1.y);
                let (bx, by) = pt(c2.x, c2.y);
                let (x, y) = pt(a.x, a.y);
                let _ = write!(d, "{ax:.3} {ay:.3} {bx:.3} {by:.3} {x:.3} {y:.3} c ");
                cur = (x, y);
            }
            PathSegment::Close => {
                d.push_str("h ");
                cur = start;
            }
        }
    }
    if d.is_empty() {
        return Ok(());
    }
    let fill = |ps: &mut String| -> Result<(), String> {
        if let Some(f) = p.fill() {
            let rule = match f.rule() {
                usvg::FillRule::EvenOdd => "eofill",
                usvg::FillRule::NonZero => "fill",
            };
            let _ = writeln!(
                ps,
                "newpath {d}{} {rule}",
                colour(f.paint(), f.opacity().get())?
            );
        }
        Ok(())
    };
    let stroke = |ps: &mut String| -> Result<(), String> {
        if let Some(s) = p.stroke() {
            // The stroke width scales with the transform (uniform in these figures).
            let k = (t.sx * t.sy - t.kx * t.ky).abs().sqrt();
            let cap = match s.linecap() {
                usvg::LineCap::Butt => 0,
                usvg::LineCap::Round => 1,
                usvg::LineCap::Square => 2,
            };
            let join = match s.linejoin() {
                usvg::LineJoin::Miter | usvg::LineJoin::MiterClip => 0,
                usvg::LineJoin::Round => 1,
                usvg::LineJoin::Bevel => 2,
            };
            let dash = match s.dasharray() {
                Some(a) => format!(
                    "[{}] {:.3} setdash",
                    a.iter()
                        .map(|v| format!("{:.3}", v * k))
                        .collect::<Vec<_>>()
                        .join(" "),
                    s.dashoffset() * k
                ),
                None => "[] 0 setdash".into(),
            };
            let _ = writeln!(
                ps,
                "newpath {d}{} {:.3} setlinewidth {cap} setlinecap {join} setlinejoin {:.3} setmiterlimit {dash} stroke",
                colour(s.paint(), s.opacity().get())?,
                s.width().get() * k,
                s.miterlimit().get().max(1.0),
            );
        }
        Ok(())
    };
    match p.paint_order() {
        usvg::PaintOrder::FillAndStroke => {
            fill(ps)?;
            stroke(ps)?;
        }
        usvg::PaintOrder::StrokeAndFill => {
            stroke(ps)?;
            fill(ps)?;
        }
    }
    Ok(())
}
