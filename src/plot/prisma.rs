//! The PRISMA 2020 flow diagram (Page et al. 2021) for new systematic reviews: identification,
//! screening and inclusion, with the records removed or excluded at each step beside them.
//! Boxes whose counts are not given are left out, and the arrows join the boxes that remain.

use super::canvas::{Align, Figure, Font, INK, Rgb, wrap};
use crate::report::format;
use crate::spec::Prisma;

const SIZE: f64 = 8.0;
const LINE: f64 = 10.5;
const MAIN_W: f64 = 190.0;
const SIDE_W: f64 = 190.0;
const BAND_W: f64 = 18.0;
const GAP_X: f64 = 34.0;
const GAP_Y: f64 = 20.0;
const MARGIN: f64 = 8.0;
const BAND: Rgb = Rgb(200, 220, 240);
const HEAD: Rgb = Rgb(255, 236, 179);

fn n(x: u64) -> String {
    format!("(n = {})", format::count(x as f64))
}

/// A box: lines of text; the first may be bold.
struct Box_ {
    lines: Vec<(String, bool)>,
}

impl Box_ {
    fn height(&self, width: f64) -> f64 {
        let rows: usize = self
            .lines
            .iter()
            .map(|(t, b)| {
                wrap(
                    t,
                    if *b {
                        Font::bold(SIZE)
                    } else {
                        Font::regular(SIZE)
                    },
                    width - 10.0,
                )
                .len()
            })
            .sum();
        rows as f64 * LINE + 10.0
    }
}

/// Builds the diagram.
pub fn prisma(p: &Prisma) -> Figure {
    // (phase, main box, side box)
    let mut rows: Vec<(&str, Option<Box_>, Option<Box_>)> = Vec::new();
    let mut ident = Vec::new();
    if p.databases.is_some() || p.registers.is_some() || p.other_methods.is_some() {
        ident.push(("Records identified from:".to_string(), true));
        if let Some(d) = p.databases {
            ident.push((format!("Databases {}", n(d)), false));
            if !p.database_names.is_empty() {
                ident.push((p.database_names.join(", "), false));
            }
        }
        if let Some(r) = p.registers {
            ident.push((format!("Registers {}", n(r)), false));
        }
        if let Some(o) = p.other_methods {
            ident.push((format!("Other methods {}", n(o)), false));
        }
    }
    let mut removed = Vec::new();
    for (label, v) in [
        ("Duplicate records removed", p.duplicates_removed),
        (
            "Records marked as ineligible by automation tools",
            p.automation_removed,
        ),
        ("Records removed for other reasons", p.other_removed),
    ] {
        if let Some(v) = v {
            removed.push((format!("{label} {}", n(v)), false));
        }
    }
    if !removed.is_empty() {
        removed.insert(0, ("Records removed before screening:".into(), true));
    }
    let some = |v: Vec<(String, bool)>| (!v.is_empty()).then_some(Box_ { lines: v });
    let pair = |label: &str, v: Option<u64>| {
        v.map(|v| Box_ {
            lines: vec![(label.to_string(), false), (n(v), false)],
        })
    };
    rows.push(("Identification", some(ident), some(removed)));
    rows.push((
        "Screening",
        pair("Records screened", p.screened),
        pair("Records excluded", p.screened_excluded),
    ));
    rows.push((
        "Screening",
        pair("Reports sought for retrieval", p.sought),
        pair("Reports not retrieved", p.not_retrieved),
    ));
    let mut excluded = Vec::new();
    if !p.excluded.is_empty() {
        let total: u64 = p.excluded.iter().map(|x| x.1).sum();
        excluded.push((format!("Reports excluded {}:", n(total)), true));
        for (reason, k) in &p.excluded {
            excluded.push((format!("{reason} {}", n(*k)), false));
        }
    }
    rows.push((
        "Screening",
        pair("Reports assessed for eligibility", p.assessed),
        some(excluded),
    ));
    let mut included = Vec::new();
    if let Some(s) = p.included_studies {
        included.push(("Studies included in review".to_string(), false));
        included.push((n(s), false));
    }
    if let Some(r) = p.included_reports {
        included.push(("Reports of included studies".to_string(), false));
        included.push((n(r), false));
    }
    rows.push(("Included", some(included), None));
    rows.retain(|r| r.1.is_some() || r.2.is_some());

    // Layout: the side column only when a side box exists.
    let has_side = rows.iter().any(|r| r.2.is_some());
    let main_x = MARGIN + BAND_W + 10.0;
    let side_x = main_x + MAIN_W + GAP_X;
    let right = if has_side {
        side_x + SIDE_W
    } else {
        main_x + MAIN_W
    };
    let width = right + MARGIN;
    let head_font = Font::bold(SIZE + 0.5);
    let head_lines = wrap(
        "Identification of studies via databases and registers",
        head_font,
        right - main_x - 12.0,
    );
    let header_h = head_lines.len() as f64 * LINE + 11.0;
    let mut y = MARGIN + header_h + 8.0;
    let mut placed = Vec::new();
    for (i, (phase, main, side)) in rows.iter().enumerate() {
        let mh = main.as_ref().map_or(0.0, |b| b.height(MAIN_W));
        let sh = side.as_ref().map_or(0.0, |b| b.height(SIDE_W));
        // A phase of one row must still be tall enough for its vertical label.
        let alone = rows.iter().filter(|r| r.0 == *phase).count() == 1;
        let label_h = if alone && i < rows.len() {
            Font::bold(SIZE).width(phase) + 14.0
        } else {
            0.0
        };
        let h = mh.max(sh).max(label_h);
        placed.push((*phase, y, h, mh, sh));
        y += h + GAP_Y;
    }
    let height = y - GAP_Y + MARGIN;
    let mut f = Figure::new(width, height);
    f.box_(
        main_x,
        MARGIN,
        right,
        MARGIN + header_h,
        Some(HEAD),
        INK,
        0.6,
    );
    for (k, line) in head_lines.iter().enumerate() {
        f.text(
            (main_x + right) / 2.0,
            MARGIN + 5.5 + SIZE + k as f64 * LINE,
            line.clone(),
            head_font,
            Align::Center,
        );
    }

    // Phase bands.
    let mut i = 0;
    while i < placed.len() {
        let phase = placed[i].0;
        let mut j = i;
        while j + 1 < placed.len() && placed[j + 1].0 == phase {
            j += 1;
        }
        let (top, bottom) = (placed[i].1, placed[j].1 + placed[j].2);
        f.box_(MARGIN, top, MARGIN + BAND_W, bottom, Some(BAND), INK, 0.5);
        f.vtext(
            MARGIN + BAND_W / 2.0,
            (top + bottom) / 2.0,
            phase,
            Font::bold(SIZE),
        );
        i = j + 1;
    }

    // Boxes and arrows.
    let mut prev_bottom: Option<f64> = None;
    for ((_, main, side), (_, top, h, mh, sh)) in rows.iter().zip(&placed) {
        let mid = top + h / 2.0;
        if let Some(b) = main {
            let y0 = mid - mh / 2.0;
            draw_box(&mut f, main_x, y0, MAIN_W, *mh, b);
            if let Some(pb) = prev_bottom {
                arrow_down(&mut f, main_x + MAIN_W / 2.0, pb, y0);
            }
            prev_bottom = Some(y0 + mh);
            if side.is_some() {
                arrow_right(&mut f, main_x + MAIN_W, side_x, mid);
            }
        }
        if let Some(b) = side {
            draw_box(&mut f, side_x, mid - sh / 2.0, SIDE_W, *sh, b);
        }
    }
    f
}

fn draw_box(f: &mut Figure, x: f64, y: f64, w: f64, h: f64, b: &Box_) {
    f.box_(x, y, x + w, y + h, Some(Rgb(255, 255, 255)), INK, 0.7);
    let mut base = y + 5.0 + SIZE;
    for (t, bold) in &b.lines {
        let font = if *bold {
            Font::bold(SIZE)
        } else {
            Font::regular(SIZE)
        };
        for line in wrap(t, font, w - 10.0) {
            f.text(x + w / 2.0, base, line, font, Align::Center);
            base += LINE;
        }
    }
}

fn arrow_down(f: &mut Figure, x: f64, y0: f64, y1: f64) {
    f.line(x, y0, x, y1 - 4.0, 0.8, INK);
    f.polygon(vec![(x, y1), (x - 3.0, y1 - 5.0), (x + 3.0, y1 - 5.0)], INK);
}

fn arrow_right(f: &mut Figure, x0: f64, x1: f64, y: f64) {
    f.line(x0, y, x1 - 4.0, y, 0.8, INK);
    f.polygon(vec![(x1, y), (x1 - 5.0, y - 3.0), (x1 - 5.0, y + 3.0)], INK);
}
