//! The traffic-light plot (robvis's `rob_traffic_light`): a grid of studies (rows, named in
//! grey strips at the left) by domains (columns, coded in grey strips at the top, "Overall" on
//! a darker ground), one coloured circle with a symbol per judgement; below, the domains
//! spelled out at the left and the judgements' key at the right.

use super::judgement_dot;
use crate::plot::canvas::{Align, Figure, Font, INK, Rgb};
use crate::rob::RiskOfBias;

const MARGIN: f64 = 10.0;
const MIN_CELL: f64 = 26.0;
const RADIUS: f64 = 9.5;
const STRIP: f64 = 18.0;
const TEXT: f64 = 10.0;
const LINE: f64 = 13.0;
const STRIP_GREY: Rgb = Rgb(0xA9, 0xA9, 0xA9);
const OVERALL_GREY: Rgb = Rgb(0xD3, 0xD3, 0xD3);
const BORDER: Rgb = Rgb(0x99, 0x99, 0x99);

/// Draws the traffic-light plot of an appraisal.
pub fn traffic_light(rob: &RiskOfBias) -> Figure {
    let cols = rob.columns();
    let font = Font::regular(TEXT);
    // Equal columns, each wide enough for the widest code ("Overall").
    let cell = cols
        .iter()
        .map(|(c, _)| Font::regular(9.5).width(c) + 8.0)
        .fold(MIN_CELL, f64::max);
    let name_w = rob
        .studies
        .iter()
        .map(|a| font.width(&a.study))
        .fold(font.width("Study"), f64::max);
    let strip_w = name_w + 12.0;
    let axis_w = 16.0;
    let grid_x0 = MARGIN + axis_w + strip_w;
    let grid_w = cols.len() as f64 * cell;
    // The key below: the domains spelled out (left) and the judgements (right).
    let captions: Vec<String> = std::iter::once("Domains:".to_string())
        .chain(
            rob.domains
                .iter()
                .map(|d| format!("{}: {}.", d.code, d.name)),
        )
        .collect();
    let caption_w = captions
        .iter()
        .map(|c| Font::regular(9.5).width(c))
        .fold(0.0, f64::max);
    let levels = rob.levels_used();
    let legend_w = levels
        .iter()
        .map(|l| Font::regular(9.0).width(l.label()) + 20.0)
        .fold(Font::bold(9.5).width("Judgement"), f64::max);
    let width = (grid_x0 + grid_w + MARGIN).max(MARGIN + caption_w + 24.0 + legend_w + MARGIN);
    let top = MARGIN + 16.0;
    let grid_y0 = top + STRIP;
    let grid_h = rob.studies.len() as f64 * MIN_CELL;
    let key_y0 = grid_y0 + grid_h + 14.0;
    let key_lines = captions.len().max(levels.len() + 1);
    let height = key_y0 + key_lines as f64 * LINE + MARGIN;
    let mut f = Figure::new(width, height);

    // Titles: the domains' over the grid, "Study" up the left side.
    f.text(
        grid_x0 + grid_w / 2.0,
        MARGIN + 10.0,
        "Risk of bias domains",
        Font::regular(11.0),
        Align::Center,
    );
    f.vtext(
        MARGIN + axis_w / 2.0,
        grid_y0 + grid_h / 2.0,
        "Study",
        Font::regular(11.0),
    );
    // Column strips.
    for (i, (code, _)) in cols.iter().enumerate() {
        let x0 = grid_x0 + i as f64 * cell;
        f.box_(x0, top, x0 + cell, grid_y0, Some(STRIP_GREY), BORDER, 0.5);
        f.text(
            x0 + cell / 2.0,
            top + 12.5,
            code.clone(),
            Font::regular(9.5),
            Align::Center,
        );
    }
    // Rows: the study's strip, then its cells.
    for (si, a) in rob.studies.iter().enumerate() {
        let y0 = grid_y0 + si as f64 * MIN_CELL;
        f.box_(
            MARGIN + axis_w,
            y0,
            grid_x0,
            y0 + MIN_CELL,
            Some(STRIP_GREY),
            BORDER,
            0.5,
        );
        f.text(
            MARGIN + axis_w + strip_w / 2.0,
            y0 + MIN_CELL / 2.0 + 3.5,
            a.study.clone(),
            font,
            Align::Center,
        );
        for (ci, level) in rob.row(a).into_iter().enumerate() {
            let x0 = grid_x0 + ci as f64 * cell;
            let ground = if cols[ci].0 == "Overall" {
                OVERALL_GREY
            } else {
                Rgb(255, 255, 255)
            };
            f.box_(x0, y0, x0 + cell, y0 + MIN_CELL, Some(ground), BORDER, 0.5);
            judgement_dot(
                &mut f,
                x0 + cell / 2.0,
                y0 + MIN_CELL / 2.0,
                RADIUS,
                rob.palette,
                level,
            );
        }
    }
    // The key.
    for (i, c) in captions.iter().enumerate() {
        f.text(
            MARGIN,
            key_y0 + 9.0 + i as f64 * LINE,
            c.clone(),
            Font::regular(9.5),
            Align::Left,
        );
    }
    let lx = width - MARGIN - legend_w;
    f.text(lx, key_y0 + 9.0, "Judgement", Font::bold(9.5), Align::Left);
    for (i, l) in levels.iter().enumerate() {
        let y = key_y0 + 9.0 + (i + 1) as f64 * LINE;
        judgement_dot(&mut f, lx + 6.0, y - 3.2, 5.5, rob.palette, *l);
        f.text(
            lx + 16.0,
            y,
            l.label(),
            Font::regular(9.0).color(INK),
            Align::Left,
        );
    }
    f
}
