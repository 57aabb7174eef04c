//! The summary plot (robvis's `rob_summary`): one horizontal bar per domain (the overall
//! judgement last, in bold), split into the share of studies with each judgement —
//! unweighted, or weighted by the studies' weights — on a 0–100% axis, with the judgements'
//! key under it.

use super::colour;
use crate::plot::canvas::{Align, Figure, Font, INK};
use crate::rob::RiskOfBias;

const MARGIN: f64 = 10.0;
const ROW: f64 = 22.0;
const BAR: f64 = ROW * 0.7;
const AXIS: f64 = 300.0;

/// Draws the summary plot of an appraisal; `weights` (one per study, in table order) weight
/// the shares.
pub fn summary(rob: &RiskOfBias, weights: Option<&[f64]>) -> Figure {
    let cols = rob.summary(weights);
    let label = |i: usize, name: &str| -> (String, Font) {
        if cols[i].code == "Overall" {
            ("Overall risk of bias".into(), Font::bold(10.0))
        } else {
            (name.to_string(), Font::regular(10.0))
        }
    };
    let label_w = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (t, f) = label(i, &c.name);
            f.width(&t)
        })
        .fold(0.0, f64::max);
    let x0 = MARGIN + label_w + 8.0;
    let x1 = x0 + AXIS;
    let used: Vec<crate::rob::Level> = rob
        .categories()
        .into_iter()
        .filter(|l| {
            cols.iter()
                .any(|c| c.counts.iter().any(|(x, t)| x == l && t.n > 0))
        })
        .collect();
    let key_font = Font::regular(8.5);
    let key_w: f64 = used
        .iter()
        .map(|l| key_font.width(l.legend()) + 22.0)
        .sum::<f64>()
        + 8.0;
    let width = (x1 + MARGIN + 12.0).max(MARGIN * 2.0 + key_w);
    let top = MARGIN;
    let axis_y = top + cols.len() as f64 * ROW + 4.0;
    let key_y = axis_y + 30.0;
    let height = key_y + 22.0 + MARGIN;
    let mut f = Figure::new(width, height);

    for (i, c) in cols.iter().enumerate() {
        let y_mid = top + (i as f64 + 0.5) * ROW;
        let (t, font) = label(i, &c.name);
        f.text(x0 - 6.0, y_mid + 3.5, t, font, Align::Right);
        let mut x = x0;
        for (level, tally) in &c.counts {
            let share = match weights {
                Some(_) => tally.weighted_share.unwrap_or(0.0),
                None => tally.share,
            };
            if share <= 0.0 {
                continue;
            }
            let w = share * AXIS;
            f.box_(
                x,
                y_mid - BAR / 2.0,
                x + w,
                y_mid + BAR / 2.0,
                Some(colour(rob.palette, *level)),
                INK,
                0.6,
            );
            x += w;
        }
    }
    // The axis: 0%–100% below the bars.
    f.line(x0, axis_y, x1, axis_y, 0.6, INK);
    for q in 0..=4 {
        let x = x0 + AXIS * q as f64 / 4.0;
        f.line(x, axis_y, x, axis_y + 3.0, 0.6, INK);
        f.text(
            x,
            axis_y + 12.0,
            format!("{}%", q * 25),
            Font::regular(9.0),
            Align::Center,
        );
    }
    // The key, boxed, centred under the plot.
    let kx0 = (width - key_w) / 2.0;
    f.box_(kx0, key_y, kx0 + key_w, key_y + 20.0, None, INK, 0.6);
    let mut x = kx0 + 8.0;
    for l in &used {
        f.box_(
            x,
            key_y + 5.0,
            x + 10.0,
            key_y + 15.0,
            Some(colour(rob.palette, *l)),
            INK,
            0.5,
        );
        f.text(x + 14.0, key_y + 13.5, l.legend(), key_font, Align::Left);
        x += key_font.width(l.legend()) + 22.0;
    }
    f
}
