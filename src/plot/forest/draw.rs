//! Marks on a forest plot's graph: whiskers (arrows where clipped), diamonds, the line of no
//! effect, the axis with its "Favours" labels, and panel titles.

use super::{ROW, SIZE, regular};
use crate::plot::axis::Axis;
use crate::plot::canvas::{Align, DIAMOND, Figure, Font, INK, Rgb};
use crate::stats::Measure;

/// A panel's letter and title, with its top at `y`.
pub(super) fn panel_title(f: &mut Figure, x: f64, y: f64, (letter, title): (char, &str)) {
    let big = Font::bold(SIZE * 1.5);
    f.text(x, y + SIZE * 1.3, letter.to_string(), big, Align::Left);
    f.text(
        x + big.width("W") + 4.0,
        y + SIZE * 1.3,
        super::rows::heading(title),
        Font::bold(SIZE * 1.15),
        Align::Left,
    );
}

/// Space between the null and each "Favours" label.
const FAVOURS_GAP: f64 = 8.0;

/// How far a "Favours" label may run past the end of the axis (with the null in the middle)
/// before it is set on two lines.
const FAVOURS_OVERHANG: f64 = 24.0;

/// The two "Favours" labels under the axis, as RevMan sets them: the left one ending a little
/// left of the null, the right one starting a little right of it, so they never overlap (the
/// null is taken at the nearer axis end when the axis leaves it out). A label wider than half
/// the axis (less the gap, plus a little overhang) is set on two lines, whichever the side and
/// wherever the null; the figure is made wide enough for the right one (see
/// [`Favours::right_end`]), and the left one never starts left of `min_x`.
pub(super) struct Favours {
    left: Vec<String>,
    right: Vec<String>,
    /// Where the left label ends and the right one starts.
    left_x: f64,
    right_x: f64,
}

impl Favours {
    pub fn new(ax: &Axis, measure: Measure, labels: &(String, String), min_x: f64) -> Favours {
        let null_x = ax.x(measure.null_value());
        let anchor = if null_x.is_finite() {
            null_x.clamp(ax.x0, ax.x1)
        } else {
            (ax.x0 + ax.x1) / 2.0
        };
        let font = regular();
        let (left_x, right_x) = (anchor - FAVOURS_GAP, anchor + FAVOURS_GAP);
        let lines = |text: &str, room: f64| {
            if font.width(text) > room {
                two_lines(text, font)
            } else {
                vec![text.to_string()]
            }
        };
        let room = (ax.x1 - ax.x0) / 2.0 - FAVOURS_GAP + FAVOURS_OVERHANG;
        let (left, right) = (lines(&labels.0, room), lines(&labels.1, room));
        let left_width = widest(&left, font);
        Favours {
            left,
            right,
            left_x: left_x.max(min_x + left_width),
            right_x,
        }
    }

    /// Lines under the first one (0 or 1).
    pub fn extra_lines(&self) -> usize {
        self.left.len().max(self.right.len()) - 1
    }

    /// Where the right label ends.
    pub fn right_end(&self) -> f64 {
        self.right_x + widest(&self.right, regular())
    }

    /// Draws the labels with the baseline of their first line at `y`.
    fn draw(&self, f: &mut Figure, y: f64) {
        for (i, line) in self.left.iter().enumerate() {
            f.text(
                self.left_x,
                y + i as f64 * ROW,
                line.clone(),
                regular(),
                Align::Right,
            );
        }
        for (i, line) in self.right.iter().enumerate() {
            f.text(
                self.right_x,
                y + i as f64 * ROW,
                line.clone(),
                regular(),
                Align::Left,
            );
        }
    }
}

fn widest(lines: &[String], font: Font) -> f64 {
    lines.iter().map(|l| font.width(l)).fold(0.0, f64::max)
}

/// `text` on two lines broken at the space that makes the longer line shortest (one line when
/// it has no space).
fn two_lines(text: &str, font: Font) -> Vec<String> {
    text.match_indices(' ')
        .map(|(i, _)| (text[..i].trim_end(), text[i..].trim_start()))
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .min_by(|x, y| {
            let w = |(a, b): &(&str, &str)| font.width(a).max(font.width(b));
            w(x).total_cmp(&w(y))
        })
        .map_or_else(
            || vec![text.to_string()],
            |(a, b)| vec![a.to_string(), b.to_string()],
        )
}

/// The line of no effect from `top` down to the axis at `axis_y`, the axis, and the
/// "Favours" labels on either side of the null.
pub(super) fn axis_with_favours(
    f: &mut Figure,
    ax: &Axis,
    measure: Measure,
    top: f64,
    axis_y: f64,
    favours: &Favours,
) {
    let null_x = ax.x(measure.null_value());
    if !measure.single_group() && null_x >= ax.x0 && null_x <= ax.x1 {
        f.line(null_x, top, null_x, axis_y, 0.6, INK);
    }
    axis_line(f, ax, axis_y);
    favours.draw(f, axis_y + ROW * 2.3);
}

/// The axis line, ticks and labels at `y`.
pub fn axis_line(f: &mut Figure, ax: &Axis, y: f64) {
    f.line(ax.x0, y, ax.x1, y, 0.6, INK);
    for &t in &ax.ticks {
        let x = ax.x(t);
        f.line(x, y, x, y + 3.0, 0.6, INK);
        f.text(x, y + 3.0 + SIZE, ax.label(t), regular(), Align::Center);
    }
}

/// A confidence-interval line with arrowheads where it leaves the axis.
pub(super) fn whisker(
    f: &mut Figure,
    ax: &Axis,
    measure: Measure,
    lo: f64,
    hi: f64,
    y: f64,
    color: Rgb,
) {
    let (xl, xh) = (ax.xa(measure, lo), ax.xa(measure, hi));
    if xh < ax.x0 || xl > ax.x1 {
        // Entirely off the axis: an arrow at the edge.
        let (x, dir) = if xh < ax.x0 {
            (ax.x0, -1.0)
        } else {
            (ax.x1, 1.0)
        };
        arrow(f, x, y, dir, color);
        return;
    }
    let (a, b) = (xl.max(ax.x0), xh.min(ax.x1));
    f.line(a, y, b, y, 0.7, color);
    if xl < ax.x0 {
        arrow(f, ax.x0, y, -1.0, color);
    }
    if xh > ax.x1 {
        arrow(f, ax.x1, y, 1.0, color);
    }
}

fn arrow(f: &mut Figure, x: f64, y: f64, dir: f64, color: Rgb) {
    f.polygon(
        vec![(x, y), (x - dir * 4.0, y - 2.2), (x - dir * 4.0, y + 2.2)],
        color,
    );
}

/// A pooled estimate's diamond. Where the interval runs past the axis the diamond is cut with a
/// vertical edge at the axis end, so a clipped interval never looks like a complete one.
pub(super) fn diamond(
    f: &mut Figure,
    ax: &Axis,
    measure: Measure,
    est: f64,
    lo: f64,
    hi: f64,
    y: f64,
) {
    let (xl, xm, xh) = (ax.xa(measure, lo), ax.xa(measure, est), ax.xa(measure, hi));
    if !(ax.x0..=ax.x1).contains(&xm) {
        return;
    }
    let h = ROW * 0.36;
    // Half-height of the diamond at horizontal position x on the side reaching out to `tip`.
    let at = |x: f64, tip: f64| {
        if (xm - tip).abs() < 1e-9 {
            h
        } else {
            h * (x - tip) / (xm - tip)
        }
    };
    let mut pts = Vec::with_capacity(6);
    if xl < ax.x0 {
        let hh = at(ax.x0, xl);
        pts.extend([(ax.x0, y + hh), (ax.x0, y - hh)]);
    } else {
        pts.push((xl, y));
    }
    pts.push((xm, y - h));
    if xh > ax.x1 {
        let hh = at(ax.x1, xh);
        pts.extend([(ax.x1, y - hh), (ax.x1, y + hh)]);
    } else {
        pts.push((xh, y));
    }
    pts.push((xm, y + h));
    f.polygon(pts, DIAMOND);
}
