//! Baujat plots (Baujat et al. 2002; metafor's `baujat`): each study's contribution to the
//! heterogeneity (its squared Pearson residual) against its influence on the pooled estimate
//! (the squared change when it is left out, over the variance of the estimate without it),
//! labelled with the study names. Studies metafor's rule flags as influential are drawn in
//! the accent colour.

use super::canvas::{ACCENT, Align, Figure, Font, INK, Rgb, SQUARE};
use super::scale::Scale;
use crate::stats::Computed;
use crate::stats::analysis::Analysis;
use crate::stats::fit::Effects;

const SIZE: f64 = 8.0;

/// A study's point: its coordinates, its name, whether it is flagged influential.
type Point<'a> = (f64, f64, &'a str, bool);
const GRID: Rgb = Rgb(230, 230, 230);
const LEADER: Rgb = Rgb(140, 140, 140);

/// Builds the Baujat plot of an outcome's influence diagnostics.
pub fn baujat(a: &Analysis) -> Figure {
    let Some(Computed::Value(inf)) = a.explore.influence.as_ref() else {
        let mut f = Figure::new(340.0, 40.0);
        f.text(
            10.0,
            20.0,
            "No influence diagnostics could be computed.",
            Font::regular(SIZE),
            Align::Left,
        );
        return f;
    };
    let pts: Vec<Point<'_>> = inf
        .studies
        .iter()
        .filter_map(|s| {
            s.baujat_y
                .map(|y| (s.baujat_x, y, a.name(&a.studies[s.study]), s.influential))
        })
        .collect();
    // The bottom margin keeps a line for the legend (flagged, unfitted, unlabelled studies).
    let (w, h) = (340.0, 270.0);
    let (left, right, top, bottom) = (46.0, 14.0, 10.0, 50.0);
    let mut f = Figure::new(w, h);
    let max = |f: fn(&Point<'_>) -> f64| pts.iter().map(f).fold(0.0f64, f64::max);
    // Ranges from a little below 0, so that no point sits on the frame.
    let (mx, my) = (max(|p| p.0).max(1e-9), max(|p| p.1).max(1e-9));
    let xs = Scale::linear(-0.04 * mx, mx * 1.06, left, w - right, 5, false);
    let ys = Scale::linear(-0.05 * my, my * 1.06, h - bottom, top, 5, false);
    let (x0, x1, y0, y1) = (xs.p0, xs.p1, ys.p1, ys.p0);
    for (v, _) in &xs.ticks {
        f.line(xs.at(*v), y0, xs.at(*v), y1, 0.4, GRID);
    }
    for (v, _) in &ys.ticks {
        f.line(x0, ys.at(*v), x1, ys.at(*v), 0.4, GRID);
    }
    // Labels: right of the point, else left, above or below, avoiding labels already placed.
    let font = Font::regular(SIZE - 1.5);
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut leaders: Vec<(f64, f64)> = Vec::new();
    let mut unlabelled: Vec<&str> = Vec::new();
    let mut order: Vec<usize> = (0..pts.len()).collect();
    // The most extreme studies (those a reader looks for) are labelled first.
    order.sort_by(|&p, &q| {
        (pts[q].0 / xs.hi + pts[q].1 / ys.hi)
            .total_cmp(&(pts[p].0 / xs.hi + pts[p].1 / ys.hi))
            .then(p.cmp(&q))
    });
    let dots: Vec<(f64, f64)> = pts.iter().map(|p| (xs.at(p.0), ys.at(p.1))).collect();
    for (i, p) in pts.iter().enumerate() {
        f.circle(
            dots[i].0,
            dots[i].1,
            2.4,
            Some(if p.3 { ACCENT } else { SQUARE }),
            None,
        );
    }
    for i in order {
        let (_, _, name, flagged) = pts[i];
        let (px, py) = dots[i];
        let tw = font.width(name);
        let th = font.size;
        // Beside the point, then shifted up or down by up to two lines, then above or below.
        let mut candidates = Vec::new();
        for dy in [0.0, -1.0, 1.0, -2.0, 2.0, -3.0, 3.0] {
            candidates.push((px + 4.0, py + th * (0.35 + dy), Align::Left));
            candidates.push((px - 4.0, py + th * (0.35 + dy), Align::Right));
        }
        candidates.push((px, py - 4.0, Align::Center));
        candidates.push((px, py + 4.0 + th * 0.75, Align::Center));
        // Then further out, on rings around the point (a crowd of points fans its labels out).
        for r in [16.0, 26.0, 38.0, 52.0, 68.0] {
            for deg in [
                60.0f64, 120.0, 30.0, 150.0, 90.0, 0.0, 180.0, -30.0, -150.0, -90.0,
            ] {
                let (c, s_) = (deg.to_radians().cos(), deg.to_radians().sin());
                let (x, y) = (px + r * c, py - r * s_);
                let align = if c > 0.3 {
                    Align::Left
                } else if c < -0.3 {
                    Align::Right
                } else {
                    Align::Center
                };
                candidates.push((x, y + th * 0.35, align));
            }
        }
        let bbox = |(cx, base, al): (f64, f64, Align)| {
            let l = match al {
                Align::Left => cx,
                Align::Right => cx - tw,
                Align::Center => cx - tw / 2.0,
            };
            (l, base - th * 0.75, l + tw, base + th * 0.25)
        };
        let fits = |b: (f64, f64, f64, f64)| {
            b.0 >= x0 + 1.0 && b.2 <= x1 - 1.0 && b.1 >= y0 + 1.0 && b.3 <= y1 - 1.0
        };
        // Where a leader from the point to a label would start and end (none when the label
        // sits beside the point).
        let leader = |b: (f64, f64, f64, f64)| {
            let (lx, ly) = (px.clamp(b.0, b.2), py.clamp(b.1, b.3));
            let (dx, dy) = (lx - px, ly - py);
            let d = (dx * dx + dy * dy).sqrt();
            (d > 5.0).then(|| ((px + dx / d * 2.6, py + dy / d * 2.6), (lx, ly)))
        };
        // Points every point or so along a leader.
        let samples = |(a, b): ((f64, f64), (f64, f64))| {
            let n = ((b.0 - a.0).hypot(b.1 - a.1).ceil() as usize).max(4);
            (1..n).map(move |i| {
                let t = i as f64 / n as f64;
                (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
            })
        };
        let inside = |q: (f64, f64), b: &(f64, f64, f64, f64)| {
            q.0 > b.0 && q.0 < b.2 && q.1 > b.1 && q.1 < b.3
        };
        // The cost of a place: overlap with the labels and points already placed, and leaders
        // crossing labels.
        let cost = |b: (f64, f64, f64, f64)| {
            let area = |p: &(f64, f64, f64, f64)| {
                (b.2.min(p.2) - b.0.max(p.0)).max(0.0) * (b.3.min(p.3) - b.1.max(p.1)).max(0.0)
            };
            let own = leader(b).map_or(0, |l| {
                samples(l)
                    .filter(|q| {
                        placed.iter().any(|p| inside(*q, p))
                            || dots
                                .iter()
                                .enumerate()
                                .any(|(j, d)| j != i && (d.0 - q.0).hypot(d.1 - q.1) < 4.5)
                    })
                    .count()
            });
            let crossed = leaders.iter().filter(|q| inside(**q, &b)).count();
            placed.iter().map(area).sum::<f64>()
                + dots
                    .iter()
                    .map(|&(x, y)| 8.0 * area(&(x - 2.6, y - 2.6, x + 2.6, y + 2.6)))
                    .sum::<f64>()
                + 30.0 * (own + crossed) as f64
        };
        let free = candidates
            .iter()
            .copied()
            .find(|c| fits(bbox(*c)) && cost(bbox(*c)) == 0.0);
        // A crowded study is left unlabelled, unless it is one the reader must find.
        let choice = match free {
            Some(c) => c,
            None if !flagged => {
                unlabelled.push(name);
                continue;
            }
            None => candidates
                .iter()
                .copied()
                .filter(|c| fits(bbox(*c)))
                .min_by(|a, b| cost(bbox(*a)).total_cmp(&cost(bbox(*b))))
                .unwrap_or(candidates[0]),
        };
        let b = bbox(choice);
        placed.push(b);
        if let Some(l) = leader(b) {
            leaders.extend(samples(l));
            f.line(l.0.0, l.0.1, l.1.0, l.1.1, 0.4, LEADER);
        }
        f.text(
            choice.0,
            choice.1,
            name,
            font.color(if flagged { ACCENT } else { INK }),
            choice.2,
        );
    }
    super::scale::draw_frame(&mut f, &xs, &ys, SIZE);
    let xlabel = match inf.effects {
        Effects::Fixed => "Contribution to heterogeneity (Q)",
        Effects::Random(_) => "Contribution to heterogeneity (squared Pearson residual)",
    };
    f.text(
        (x0 + x1) / 2.0,
        y1 + 3.0 + SIZE * 2.5,
        xlabel,
        Font::regular(SIZE),
        Align::Center,
    );
    f.vtext(
        12.0,
        (y0 + y1) / 2.0,
        "Influence on the pooled estimate",
        Font::regular(SIZE),
    );
    let ly = h - 6.0;
    let small = Font::regular(SIZE - 1.0);
    let mut lx = x0;
    if inf.influential().next().is_some() {
        f.circle(lx + 3.0, ly - 3.0, 2.4, Some(ACCENT), None);
        lx += 9.0;
        let t = "influential by metafor’s criteria";
        f.text(lx, ly, t, small, Align::Left);
        lx += small.width(t) + 10.0;
    }
    if !unlabelled.is_empty() {
        // Named when the names fit under the plot, else counted.
        let n = unlabelled.len();
        let named = format!("Not labelled (crowded): {}", unlabelled.join(", "));
        let t = if lx + small.width(&named) <= x1 {
            named
        } else {
            format!(
                "{n} crowded stud{} not labelled",
                if n == 1 { "y" } else { "ies" }
            )
        };
        f.text(lx, ly, &t, small, Align::Left);
        lx += small.width(&t) + 10.0;
    }
    let missing = inf.studies.len() - pts.len();
    if missing > 0 {
        let t = format!(
            "{missing} stud{} not shown: the model without {} could not be fitted",
            if missing == 1 { "y" } else { "ies" },
            if missing == 1 { "it" } else { "them" }
        );
        f.text(lx, ly, &t, small, Align::Left);
        lx += small.width(&t) + 10.0;
    }
    if lx > f.width {
        f.width = lx + 6.0;
    }
    f
}
