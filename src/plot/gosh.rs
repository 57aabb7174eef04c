//! GOSH plots (Olkin et al. 2012; metafor's `plot.gosh.rma`): the pooled estimate (horizontal)
//! against I² (vertical) of the model fitted to subsets of the studies. Millions of subsets are
//! drawn as a two-dimensional histogram — one rectangle per occupied cell, shaded by the
//! logarithm of its count — never one element per subset, with the marginal histograms of the
//! estimate (above) and of I² (right), and a cross at the model of all studies.

use super::canvas::{ACCENT, Align, Figure, Font, INK, Rgb};
use super::scale::Scale;
use crate::report::format;
use crate::stats::Computed;
use crate::stats::analysis::Analysis;
use crate::stats::gosh;

const SIZE: f64 = 8.0;
const LIGHTEST: Rgb = Rgb(222, 232, 246);
const DARKEST: Rgb = Rgb(8, 40, 100);
const BAR: Rgb = Rgb(120, 120, 120);

fn shade(t: f64) -> Rgb {
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    Rgb(
        mix(LIGHTEST.0, DARKEST.0),
        mix(LIGHTEST.1, DARKEST.1),
        mix(LIGHTEST.2, DARKEST.2),
    )
}

/// Builds the GOSH plot of an outcome.
pub fn gosh(a: &Analysis) -> Figure {
    let (w, h) = (380.0, 340.0);
    let (left, bottom) = (46.0, 52.0);
    let (top_hist, right_hist) = (56.0, 60.0);
    let mut f = Figure::new(w, h);
    let Some(Computed::Value(g)) = a.explore.gosh.as_ref() else {
        f.height = 40.0;
        f.text(
            10.0,
            20.0,
            "No GOSH analysis could be run.",
            Font::regular(SIZE),
            Align::Left,
        );
        return f;
    };
    let d = &g.density;
    let (x0, x1) = (left, w - right_hist - 8.0);
    let (y0, y1) = (8.0 + top_hist + 6.0, h - bottom);
    let xs = Scale::effect(a.measure, d.x_range.0, d.x_range.1, x0, x1);
    let ys = Scale::linear(d.y_range.0, d.y_range.1, y1, y0, 5, true);
    let bx =
        |i: usize| xs.at(d.x_range.0 + (d.x_range.1 - d.x_range.0) * i as f64 / d.x_bins as f64);
    let by =
        |i: usize| ys.at(d.y_range.0 + (d.y_range.1 - d.y_range.0) * i as f64 / d.y_bins as f64);

    // The 2-D histogram.
    let max = d.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    for iy in 0..d.y_bins {
        for ix in 0..d.x_bins {
            let c = d.counts[iy * d.x_bins + ix];
            if c > 0 {
                let t = if max > 1.0 {
                    (c as f64).ln() / max.ln()
                } else {
                    1.0
                };
                // A quarter point of overlap hides anti-aliasing seams between cells.
                f.fill_rect(
                    bx(ix),
                    by(iy + 1) - 0.25,
                    bx(ix + 1) + 0.25,
                    by(iy),
                    shade(0.15 + 0.85 * t),
                );
            }
        }
    }
    // The model of all studies.
    let (y, v): (Vec<f64>, Vec<f64>) = a.studies.iter().map(|s| (s.yi, s.vi)).unzip();
    if let Some((e, i2)) = gosh::fit_subset(&y, &v, g.effects, g.i2_from_q, &a.options.control) {
        let (px, py) = (xs.at(e), ys.at(i2));
        f.line(px - 4.0, py, px + 4.0, py, 1.2, ACCENT);
        f.line(px, py - 4.0, px, py + 4.0, 1.2, ACCENT);
    }
    // Marginal histograms.
    let xmax = d.x_counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    for (i, &c) in d.x_counts.iter().enumerate() {
        if c > 0 {
            let hgt = c as f64 / xmax * top_hist;
            f.fill_rect(bx(i), y0 - 6.0 - hgt, bx(i + 1) + 0.25, y0 - 6.0, BAR);
        }
    }
    let ymax = d.y_counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    for (i, &c) in d.y_counts.iter().enumerate() {
        if c > 0 {
            let wd = c as f64 / ymax * right_hist;
            f.fill_rect(x1 + 6.0, by(i + 1) - 0.25, x1 + 6.0 + wd, by(i), BAR);
        }
    }
    f.line(x0, y0 - 6.0, x1, y0 - 6.0, 0.5, INK);
    f.line(x1 + 6.0, y0, x1 + 6.0, y1, 0.5, INK);

    // Axes.
    super::scale::draw_frame(&mut f, &xs, &ys, SIZE);
    f.text(
        (x0 + x1) / 2.0,
        y1 + 3.0 + SIZE * 2.5,
        match a.measure {
            crate::stats::Measure::ZCOR => "Pooled Fisher’s z".to_string(),
            m if m.is_ratio() => format!("Pooled {} (log scale)", m.name()),
            m => format!("Pooled {}", m.name()),
        },
        Font::regular(SIZE),
        Align::Center,
    );
    f.vtext(12.0, (y0 + y1) / 2.0, "I² (%)", Font::regular(SIZE));

    // Legend: the shades, and the cross.
    let ly = h - 6.0;
    let small = Font::regular(SIZE - 1.0);
    let mut lx = x0;
    let t = "subsets per cell: 1";
    f.text(lx, ly, t, small, Align::Left);
    lx += small.width(t) + 3.0;
    for i in 0..6 {
        f.fill_rect(
            lx,
            ly - 6.0,
            lx + 6.0,
            ly,
            shade(0.15 + 0.85 * i as f64 / 5.0),
        );
        lx += 6.0;
    }
    lx += 3.0;
    let t = format::count(max);
    f.text(lx, ly, &t, small, Align::Left);
    lx += small.width(&t) + 12.0;
    f.line(lx, ly - 3.0, lx + 8.0, ly - 3.0, 1.2, ACCENT);
    f.line(lx + 4.0, ly - 7.0, lx + 4.0, ly + 1.0, 1.2, ACCENT);
    lx += 11.0;
    let t = "all studies";
    f.text(lx, ly, t, small, Align::Left);
    lx += small.width(t) + 6.0;
    if lx > f.width {
        f.width = lx + 6.0;
    }
    f
}
