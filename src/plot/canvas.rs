//! Drawing in points on plotters' SVG backend.
//!
//! plotters draws in integer backend units; figures are laid out in points (1/72 in) and drawn
//! at [`UNITS_PER_PT`] units per point, so positions are exact to 1/4 pt. The finished SVG
//! states its physical size in points (`width="432pt"`), keeping the unit viewBox, so typst and
//! resvg place it at the intended size. Text is set in the embedded Liberation Sans, measured
//! with its own metrics ([`crate::fonts::text_width`]).

use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::fonts::{SVG_FAMILIES, text_width};

/// Backend units per point.
pub const UNITS_PER_PT: f64 = 4.0;

/// Horizontal text alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

pub const INK: Rgb = Rgb(0, 0, 0);
pub const LIGHT: Rgb = Rgb(200, 200, 200);
pub const WHITE_: Rgb = Rgb(255, 255, 255);
/// Study squares (RevMan blue).
pub const SQUARE: Rgb = Rgb(33, 82, 154);
/// Diamonds.
pub const DIAMOND: Rgb = Rgb(0, 0, 0);
/// Accent for prediction intervals and filled studies.
pub const ACCENT: Rgb = Rgb(192, 57, 43);

impl Rgb {
    fn color(self) -> RGBColor {
        RGBColor(self.0, self.1, self.2)
    }
}

/// Text style.
#[derive(Debug, Clone, Copy)]
pub struct Font {
    pub size: f64,
    pub bold: bool,
    pub italic: bool,
    pub color: Rgb,
}

impl Font {
    pub fn regular(size: f64) -> Font {
        Font {
            size,
            bold: false,
            italic: false,
            color: INK,
        }
    }
    pub fn bold(size: f64) -> Font {
        Font {
            size,
            bold: true,
            italic: false,
            color: INK,
        }
    }
    pub fn italic(size: f64) -> Font {
        Font {
            size,
            bold: false,
            italic: true,
            color: INK,
        }
    }
    pub fn color(mut self, c: Rgb) -> Font {
        self.color = c;
        self
    }
    /// Width of text in this font.
    pub fn width(&self, s: &str) -> f64 {
        text_width(s, self.size, self.bold)
    }
}

/// Something drawn on a figure, in points.
#[derive(Debug, Clone)]
pub enum Mark {
    Text {
        x: f64,
        baseline: f64,
        text: String,
        font: Font,
        align: Align,
    },
    /// Text reading bottom to top, centred on (x, y).
    VerticalText {
        x: f64,
        y: f64,
        text: String,
        font: Font,
    },
    Line {
        points: Vec<(f64, f64)>,
        width: f64,
        color: Rgb,
        dash: Option<f64>,
    },
    Rect {
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f64)>,
    },
    Polygon {
        points: Vec<(f64, f64)>,
        fill: Rgb,
    },
    Circle {
        x: f64,
        y: f64,
        r: f64,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f64)>,
    },
}

/// A figure under construction: a size and its marks.
#[derive(Debug, Clone, Default)]
pub struct Figure {
    pub width: f64,
    pub height: f64,
    pub marks: Vec<Mark>,
    /// For a figure made of a header, equal rows and an axis (a forest plot): where those lie,
    /// so that a document can set it over several pages.
    pub bands: Option<Bands>,
}

/// The horizontal bands of a row-based figure, in points from its top.
#[derive(Debug, Clone, PartialEq)]
pub struct Bands {
    /// The header ends (and the first row starts) here.
    pub header_end: f64,
    /// Height of one row.
    pub row: f64,
    /// For each row, how well a page starts with it: 2 a subgroup's header, 1 a study, 0 never
    /// (a subtotal and its text lines stay with their studies).
    pub may_start: Vec<u8>,
    /// The part below the rows (axis, "Favours" labels) starts here.
    pub footer_start: f64,
}

impl Bands {
    /// Windows [top, bottom] of the figure for each page, when it is taller than `max_height`
    /// once scaled to `text_width`: every page repeats the header and the footer. `None` when
    /// the figure fits one page or too few rows would fit a page to be worth splitting.
    pub fn pages(
        &self,
        width: f64,
        height: f64,
        text_width: f64,
        max_height: f64,
    ) -> Option<Vec<Vec<[f64; 2]>>> {
        let scale = (text_width / width).min(1.0);
        if height * scale <= max_height {
            return None;
        }
        let fixed = self.header_end + (height - self.footer_start);
        let per_page = ((max_height / scale - fixed) / self.row).floor() as usize;
        let n = self.may_start.len();
        if per_page < 8 || n <= per_page {
            return None;
        }
        // As many rows on each page as the pages need, so the last page is not a lone row.
        let target = n.div_ceil(n.div_ceil(per_page));
        let mut pages = Vec::new();
        let mut start = 0;
        while start < n {
            let mut end = (start + target).min(n);
            if end < n {
                // Start the next page at a subgroup's header from the last quarter of the
                // target to as many rows as fit, else at the study nearest the target.
                let quarter = (start + target * 3 / 4)..=(start + per_page).min(n);
                if let Some(e) = quarter.rev().find(|&e| e < n && self.may_start[e] == 2) {
                    end = e;
                } else if let Some(e) = (start + target / 2..=end)
                    .rev()
                    .find(|&e| self.may_start[e] > 0)
                {
                    end = e;
                }
            }
            let top = self.header_end + start as f64 * self.row;
            let bottom = self.header_end + end as f64 * self.row;
            pages.push(vec![
                [0.0, self.header_end],
                [top, bottom],
                [self.footer_start, height],
            ]);
            start = end;
        }
        Some(pages)
    }
}

impl Figure {
    pub fn new(width: f64, height: f64) -> Figure {
        Figure {
            width,
            height,
            marks: Vec::new(),
            bands: None,
        }
    }

    pub fn text(
        &mut self,
        x: f64,
        baseline: f64,
        text: impl Into<String>,
        font: Font,
        align: Align,
    ) {
        let text = text.into();
        if !text.is_empty() {
            self.marks.push(Mark::Text {
                x,
                baseline,
                text,
                font,
                align,
            });
        }
    }

    pub fn vtext(&mut self, x: f64, y: f64, text: impl Into<String>, font: Font) {
        self.marks.push(Mark::VerticalText {
            x,
            y,
            text: text.into(),
            font,
        });
    }

    pub fn line(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, width: f64, color: Rgb) {
        self.marks.push(Mark::Line {
            points: vec![(x0, y0), (x1, y1)],
            width,
            color,
            dash: None,
        });
    }

    #[allow(clippy::too_many_arguments)]
    pub fn dashed(
        &mut self,
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        width: f64,
        color: Rgb,
        dash: f64,
    ) {
        self.marks.push(Mark::Line {
            points: vec![(x0, y0), (x1, y1)],
            width,
            color,
            dash: Some(dash),
        });
    }

    pub fn polyline(&mut self, points: Vec<(f64, f64)>, width: f64, color: Rgb) {
        self.marks.push(Mark::Line {
            points,
            width,
            color,
            dash: None,
        });
    }

    pub fn fill_rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, color: Rgb) {
        self.marks.push(Mark::Rect {
            x0,
            y0,
            x1,
            y1,
            fill: Some(color),
            stroke: None,
        });
    }

    #[allow(clippy::too_many_arguments)]
    pub fn box_(
        &mut self,
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        fill: Option<Rgb>,
        stroke: Rgb,
        width: f64,
    ) {
        self.marks.push(Mark::Rect {
            x0,
            y0,
            x1,
            y1,
            fill,
            stroke: Some((stroke, width)),
        });
    }

    pub fn polygon(&mut self, points: Vec<(f64, f64)>, fill: Rgb) {
        self.marks.push(Mark::Polygon { points, fill });
    }

    pub fn circle(
        &mut self,
        x: f64,
        y: f64,
        r: f64,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f64)>,
    ) {
        self.marks.push(Mark::Circle {
            x,
            y,
            r,
            fill,
            stroke,
        });
    }

    /// Shifts every mark down by `dy` (for stacking panels).
    pub fn append(&mut self, other: Figure, dx: f64, dy: f64) {
        for m in other.marks {
            self.marks.push(match m {
                Mark::Text {
                    x,
                    baseline,
                    text,
                    font,
                    align,
                } => Mark::Text {
                    x: x + dx,
                    baseline: baseline + dy,
                    text,
                    font,
                    align,
                },
                Mark::VerticalText { x, y, text, font } => Mark::VerticalText {
                    x: x + dx,
                    y: y + dy,
                    text,
                    font,
                },
                Mark::Line {
                    points,
                    width,
                    color,
                    dash,
                } => Mark::Line {
                    points: points.into_iter().map(|(x, y)| (x + dx, y + dy)).collect(),
                    width,
                    color,
                    dash,
                },
                Mark::Rect {
                    x0,
                    y0,
                    x1,
                    y1,
                    fill,
                    stroke,
                } => Mark::Rect {
                    x0: x0 + dx,
                    y0: y0 + dy,
                    x1: x1 + dx,
                    y1: y1 + dy,
                    fill,
                    stroke,
                },
                Mark::Polygon { points, fill } => Mark::Polygon {
                    points: points.into_iter().map(|(x, y)| (x + dx, y + dy)).collect(),
                    fill,
                },
                Mark::Circle {
                    x,
                    y,
                    r,
                    fill,
                    stroke,
                } => Mark::Circle {
                    x: x + dx,
                    y: y + dy,
                    r,
                    fill,
                    stroke,
                },
            });
        }
    }

    /// Renders the figure to SVG text with plotters.
    pub fn to_svg(&self) -> String {
        let u = |v: f64| (v * UNITS_PER_PT).round() as i32;
        let size = (u(self.width).max(1) as u32, u(self.height).max(1) as u32);
        let mut buf = String::new();
        {
            let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
            root.fill(&WHITE)
                .expect("drawing into a string cannot fail");
            for m in &self.marks {
                let r = match m {
                    Mark::Text {
                        x,
                        baseline,
                        text,
                        font,
                        align,
                    } => {
                        let style = FontStyle::from(if font.bold {
                            "bold"
                        } else if font.italic {
                            "italic"
                        } else {
                            "normal"
                        });
                        // plotters writes font-size = size / 1.24 and anchors the top at 0.76em.
                        let desc = FontDesc::new(
                            FontFamily::Name(SVG_FAMILIES),
                            font.size * UNITS_PER_PT * 1.24,
                            style,
                        );
                        let h = match align {
                            Align::Left => HPos::Left,
                            Align::Center => HPos::Center,
                            Align::Right => HPos::Right,
                        };
                        let color = font.color.color();
                        let ts = TextStyle::from(desc)
                            .color(&color)
                            .pos(Pos::new(h, VPos::Top));
                        let top = baseline - 0.76 * font.size;
                        root.draw(&Text::new(text.as_str(), (u(*x), u(top)), ts))
                    }
                    Mark::VerticalText { x, y, text, font } => {
                        let style = FontStyle::from(if font.bold { "bold" } else { "normal" });
                        let desc = FontDesc::new(
                            FontFamily::Name(SVG_FAMILIES),
                            font.size * UNITS_PER_PT * 1.24,
                            style,
                        );
                        // Rotated about its anchor; the baseline sits 0.35em right of the centre line.
                        let color = font.color.color();
                        let ts = TextStyle::from(desc)
                            .color(&color)
                            .pos(Pos::new(HPos::Center, VPos::Top))
                            .transform(FontTransform::Rotate270);
                        root.draw(&Text::new(
                            text.as_str(),
                            (u(*x - 0.41 * font.size), u(*y)),
                            ts,
                        ))
                    }
                    Mark::Line {
                        points,
                        width,
                        color,
                        dash,
                    } => {
                        let style = ShapeStyle {
                            color: color.color().to_rgba(),
                            filled: false,
                            stroke_width: u(*width).max(1) as u32,
                        };
                        let pts: Vec<(i32, i32)> =
                            points.iter().map(|(x, y)| (u(*x), u(*y))).collect();
                        match dash {
                            Some(d) => root.draw(&plotters::element::DashedPathElement::new(
                                pts,
                                u(*d),
                                u(*d),
                                style,
                            )),
                            None => root.draw(&PathElement::new(pts, style)),
                        }
                    }
                    Mark::Rect {
                        x0,
                        y0,
                        x1,
                        y1,
                        fill,
                        stroke,
                    } => {
                        let mut r = Ok(());
                        if let Some(f) = fill {
                            r = root.draw(&Rectangle::new(
                                [(u(*x0), u(*y0)), (u(*x1), u(*y1))],
                                f.color().filled(),
                            ));
                        }
                        if let Some((c, w)) = stroke {
                            let style = ShapeStyle {
                                color: c.color().to_rgba(),
                                filled: false,
                                stroke_width: u(*w).max(1) as u32,
                            };
                            let pts = vec![
                                (u(*x0), u(*y0)),
                                (u(*x1), u(*y0)),
                                (u(*x1), u(*y1)),
                                (u(*x0), u(*y1)),
                                (u(*x0), u(*y0)),
                            ];
                            r = r.and(root.draw(&PathElement::new(pts, style)));
                        }
                        r
                    }
                    Mark::Polygon { points, fill } => root.draw(&Polygon::new(
                        points
                            .iter()
                            .map(|(x, y)| (u(*x), u(*y)))
                            .collect::<Vec<_>>(),
                        fill.color().filled(),
                    )),
                    Mark::Circle {
                        x,
                        y,
                        r,
                        fill,
                        stroke,
                    } => {
                        let mut res = Ok(());
                        let rad = u(*r).max(1);
                        if let Some(f) = fill {
                            res = root.draw(&Circle::new((u(*x), u(*y)), rad, f.color().filled()));
                        }
                        if let Some((c, w)) = stroke {
                            res = res.and(root.draw(&Circle::new(
                                (u(*x), u(*y)),
                                rad,
                                ShapeStyle {
                                    color: c.color().to_rgba(),
                                    filled: false,
                                    stroke_width: u(*w).max(1) as u32,
                                },
                            )));
                        }
                        res
                    }
                };
                r.expect("drawing into a string cannot fail");
            }
            root.present().expect("drawing into a string cannot fail");
        }
        // State the physical size; keep the unit viewBox.
        let head = format!("width=\"{}\" height=\"{}\"", size.0, size.1);
        buf.replacen(
            &head,
            &format!(
                "width=\"{}pt\" height=\"{}pt\"",
                fmt_pt(self.width),
                fmt_pt(self.height)
            ),
            1,
        )
    }
}

fn fmt_pt(v: f64) -> String {
    let s = format!("{:.2}", v);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Breaks text into lines no wider than `width` in the given font.
pub fn wrap(text: &str, font: Font, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if font.width(&candidate) <= width || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::Bands;

    fn bands(may_start: Vec<u8>) -> Bands {
        Bands {
            header_end: 30.0,
            row: 10.0,
            footer_start: 30.0 + 10.0 * may_start.len() as f64,
            may_start,
        }
    }

    #[test]
    fn a_figure_that_fits_is_not_split() {
        let b = bands(vec![1; 20]);
        assert_eq!(b.pages(400.0, 280.0, 400.0, 600.0), None);
    }

    #[test]
    fn pages_cover_every_row_once_and_start_at_subgroup_headers() {
        // 100 rows: a subgroup header at 0 and 60, its subtotal lines (0) at 57-59.
        let mut m = vec![1; 100];
        m[0] = 2;
        m[60] = 2;
        m[57] = 0;
        m[58] = 0;
        m[59] = 0;
        let b = bands(m);
        let height = b.footer_start + 40.0;
        // 70 rows fit a page: 30 + 700 + 40 = 770.
        let pages = b.pages(400.0, height, 400.0, 770.0).unwrap();
        assert_eq!(pages.len(), 2);
        for p in &pages {
            assert_eq!(p[0], [0.0, 30.0]);
            assert_eq!(p[2], [b.footer_start, height]);
        }
        // The first page ends where the second subgroup begins, not at the 70th row.
        assert_eq!(pages[0][1], [30.0, 30.0 + 600.0]);
        assert_eq!(pages[1][1], [30.0 + 600.0, b.footer_start]);
    }

    #[test]
    fn the_last_page_is_not_a_lone_row() {
        // 101 rows, 50 fit a page: three pages of about 34, not 50, 50 and 1.
        let b = bands(vec![1; 101]);
        let height = b.footer_start + 40.0;
        let pages = b.pages(400.0, height, 400.0, 30.0 + 500.0 + 40.0).unwrap();
        let rows: Vec<f64> = pages.iter().map(|p| (p[1][1] - p[1][0]) / 10.0).collect();
        assert_eq!(rows, [34.0, 34.0, 33.0]);
    }
}
