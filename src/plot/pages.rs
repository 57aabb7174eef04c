//! A row-based figure taller than a page, cut into one figure per page.
//!
//! [`Bands::pages`](super::canvas::Bands::pages) chooses, for each page, the windows of the
//! figure it shows (the header, a run of rows, the axis). [`page`] makes a figure of those
//! windows alone: the marks that lie in a window, moved up to where the window is stacked,
//! lines and rectangles that run across a window's edge cut at that edge. A page's SVG (and so
//! the PDF page and PNG made from it) holds only its own rows, so the pages of a forest plot of
//! k studies are O(k) together, where windows of the whole SVG on every page were O(k²).

use super::canvas::{Figure, Mark};

/// A little slack (points) so that marks drawn exactly on a window's edge (the rule under the
/// header, the axis line) are kept.
const EDGE: f64 = 0.01;

/// The figure made of `windows` ([top, bottom] in `fig`'s points) stacked from the top, at
/// `fig`'s width.
pub fn page(fig: &Figure, windows: &[[f64; 2]]) -> Figure {
    let height: f64 = windows.iter().map(|w| w[1] - w[0]).sum();
    let mut out = Figure::new(fig.width, height);
    let mut at = 0.0;
    for &[top, bottom] in windows {
        let dy = at - top;
        for m in &fig.marks {
            if let Some(m) = clip(m, top, bottom) {
                let mut one = Figure::new(0.0, 0.0);
                one.marks.push(m);
                out.append(one, 0.0, dy);
            }
        }
        at += bottom - top;
    }
    out
}

/// The pages of `fig` for the windows of each page.
pub fn pages(fig: &Figure, windows: &[Vec<[f64; 2]>]) -> Vec<Figure> {
    windows.iter().map(|w| page(fig, w)).collect()
}

/// The part of a mark that lies between `top` and `bottom`: texts, polygons and circles by
/// their vertical centre (a row's marks all lie inside the row), lines and rectangles cut.
fn clip(m: &Mark, top: f64, bottom: f64) -> Option<Mark> {
    let inside = |y: f64| y >= top - EDGE && y < bottom + EDGE;
    match m {
        Mark::Text { baseline, font, .. } => inside(baseline - 0.35 * font.size).then(|| m.clone()),
        Mark::VerticalText { y, .. } | Mark::Circle { y, .. } => inside(*y).then(|| m.clone()),
        Mark::Polygon { points, .. } => {
            let (lo, hi) = points
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                    (a.min(p.1), b.max(p.1))
                });
            inside((lo + hi) / 2.0).then(|| m.clone())
        }
        Mark::Rect {
            x0,
            y0,
            x1,
            y1,
            fill,
            stroke,
        } => {
            let (a, b) = (y0.min(*y1).max(top), y0.max(*y1).min(bottom));
            (b > a || (b >= a - EDGE && inside(a))).then_some(Mark::Rect {
                x0: *x0,
                y0: a,
                x1: *x1,
                y1: b,
                fill: *fill,
                stroke: *stroke,
            })
        }
        Mark::Line {
            points,
            width,
            color,
            dash,
        } => {
            // Each segment cut to the band; consecutive kept pieces stay one polyline.
            let mut kept: Vec<(f64, f64)> = Vec::new();
            for s in points.windows(2) {
                let Some((p, q)) = clip_segment(s[0], s[1], top - EDGE, bottom + EDGE) else {
                    continue;
                };
                if kept.last() != Some(&p) {
                    if !kept.is_empty() {
                        // A gap: only the first piece is kept in this mark (forest plots have
                        // no line that leaves a band and comes back).
                        break;
                    }
                    kept.push(p);
                }
                kept.push(q);
            }
            (kept.len() >= 2).then_some(Mark::Line {
                points: kept,
                width: *width,
                color: *color,
                dash: *dash,
            })
        }
    }
}

/// The segment p–q cut to `top ≤ y ≤ bottom`, if any of it lies there.
fn clip_segment(
    p: (f64, f64),
    q: (f64, f64),
    top: f64,
    bottom: f64,
) -> Option<((f64, f64), (f64, f64))> {
    let dy = q.1 - p.1;
    if dy.abs() < 1e-12 {
        return (p.1 >= top && p.1 <= bottom).then_some((p, q));
    }
    let (mut t0, mut t1) = ((top - p.1) / dy, (bottom - p.1) / dy);
    if t0 > t1 {
        std::mem::swap(&mut t0, &mut t1);
    }
    let (t0, t1) = (t0.max(0.0), t1.min(1.0));
    // Nothing, or only the slack at a window's edge of a line that crosses it.
    if t0 > t1 || (t1 - t0) * dy.abs() <= 2.0 * EDGE + 1e-9 {
        return None;
    }
    let at = |t: f64| (p.0 + (q.0 - p.0) * t, p.1 + dy * t);
    Some((at(t0), at(t1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::canvas::{Align, Font, INK};

    #[test]
    fn a_page_keeps_the_marks_of_its_windows_moved_up_and_cuts_long_lines() {
        let mut f = Figure::new(100.0, 300.0);
        f.text(10.0, 15.0, "header", Font::regular(8.0), Align::Left);
        for i in 0..25 {
            let y = 20.0 + 10.0 * i as f64;
            f.text(
                10.0,
                y + 8.0,
                format!("row {i}"),
                Font::regular(8.0),
                Align::Left,
            );
        }
        f.text(10.0, 290.0, "axis", Font::regular(8.0), Align::Left);
        f.line(50.0, 20.0, 50.0, 275.0, 0.5, INK);
        let p = page(&f, &[[0.0, 20.0], [120.0, 170.0], [270.0, 300.0]]);
        assert_eq!(p.height, 100.0);
        let texts: Vec<(String, f64)> = p
            .marks
            .iter()
            .filter_map(|m| match m {
                Mark::Text { text, baseline, .. } => Some((text.clone(), *baseline)),
                _ => None,
            })
            .collect();
        let names: Vec<&str> = texts.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "header", "row 10", "row 11", "row 12", "row 13", "row 14", "axis"
            ]
        );
        assert_eq!(texts[1].1, 28.0, "the first row right under the header");
        assert_eq!(texts[6].1, 90.0, "the axis under the rows");
        let lines: Vec<&Vec<(f64, f64)>> = p
            .marks
            .iter()
            .filter_map(|m| match m {
                Mark::Line { points, .. } => Some(points),
                _ => None,
            })
            .collect();
        // The vertical line: its piece in the rows window and its piece in the footer window.
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!((lines[0][0].1 - 20.0).abs() < 0.02 && (lines[0][1].1 - 70.0).abs() < 0.02);
        assert!((lines[1][0].1 - 70.0).abs() < 0.02 && (lines[1][1].1 - 75.0).abs() < 0.02);
    }
}
