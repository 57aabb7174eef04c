//! The size of an SVG read from its root element, without parsing the drawing.
//!
//! usvg's `Tree::from_str` lays out every text node (a rustybuzz face per node), which for a
//! page of a 1,000-row forest plot costs as much as drawing it; the Word writer needs only the
//! size. Every SVG metareport draws opens with `<svg width="…pt" height="…pt" …`.

/// Width and height in points of an SVG whose root element states both in `pt`, computed as
/// usvg would (the length in CSS pixels as `f32` at [`super::SVG_OPTIONS`]' dpi, times 0.75),
/// so the result equals `tree.size() * 0.75` to the bit. `None` for any other SVG (no root
/// element first, other units, a percentage, a missing or non-positive value): measure it with
/// usvg then.
pub fn size_pt(svg: &str) -> Option<(f64, f64)> {
    let rest = svg.trim_start().strip_prefix("<svg")?;
    if !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let head = &rest[..rest.find('>')?];
    let dpi = super::SVG_OPTIONS.dpi;
    let length = |name: &str| -> Option<f64> {
        let at = head.find(&format!(" {name}=\""))? + name.len() + 3;
        let value = &head[at..at + head[at..].find('"')?];
        let n: f64 = value.strip_suffix("pt")?.parse().ok()?;
        let px = (n as f32) * dpi / 72.0;
        (px.is_finite() && px > 0.0).then(|| f64::from(px) * 0.75)
    };
    Some((length("width")?, length("height")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usvg_size(svg: &str) -> (f64, f64) {
        let t = resvg::usvg::Tree::from_str(svg, &super::super::SVG_OPTIONS).expect("an SVG");
        (
            f64::from(t.size().width()) * 0.75,
            f64::from(t.size().height()) * 0.75,
        )
    }

    #[test]
    fn equals_usvg_to_the_bit() {
        for (w, h) in [("537.11", "11130.4"), ("453.5", "680.3"), ("12", "7.25")] {
            let svg = format!(
                "<svg width=\"{w}pt\" height=\"{h}pt\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\"/></svg>"
            );
            assert_eq!(size_pt(&svg), Some(usvg_size(&svg)), "{w} × {h}");
        }
    }

    #[test]
    fn other_svgs_are_left_to_usvg() {
        for svg in [
            "<svg width=\"10\" height=\"10pt\">",
            "<svg width=\"10pt\" height=\"50%\">",
            "<svg width=\"0pt\" height=\"10pt\">",
            "<svgx width=\"10pt\" height=\"10pt\">",
            "<?xml version=\"1.0\"?><svg width=\"10pt\" height=\"10pt\">",
            "<svg height=\"10pt\">",
            "<svg width=\"10pt\" height=\"NaNpt\">",
            "<svg width=\"10pt\" height=\"1e40pt\">",
        ] {
            assert_eq!(size_pt(svg), None, "{svg}");
        }
    }
}
