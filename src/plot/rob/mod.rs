//! Risk-of-bias figures in robvis's layout: the traffic-light plot (`traffic_light.rs`: one
//! coloured circle with a symbol per study and domain) and the summary plot (`summary.rs`:
//! the share of each judgement per domain, unweighted or weighted), in the Cochrane colours or
//! a colour-blind-safe palette; and the judgement circles the forest plot's risk-of-bias
//! columns use ([`judgement_dot`]).

mod summary;
mod traffic_light;

pub use summary::summary;
pub use traffic_light::traffic_light;

use super::canvas::{Align, Figure, Font, INK, Rgb};
use crate::rob::{Class, Level, Palette};

/// The fill of a judgement in a palette (robvis's colours; a lighter green for ROBINS' "Low
/// except for concerns about uncontrolled confounding").
pub fn colour(palette: Palette, level: Level) -> Rgb {
    let c = level.class();
    match palette {
        Palette::Cochrane => match c {
            Class::Low => Rgb(0x02, 0xC1, 0x00),
            Class::LowExcept => Rgb(0x9A, 0xD0, 0x00),
            Class::Concerns => Rgb(0xE2, 0xDF, 0x07),
            Class::High => Rgb(0xBF, 0x00, 0x00),
            Class::Critical => Rgb(0x82, 0x00, 0x00),
            Class::NoInformation => Rgb(0x4E, 0xA1, 0xF7),
            Class::NotApplicable => Rgb(0xCC, 0xCC, 0xCC),
        },
        Palette::Colourblind => match c {
            Class::Low => Rgb(0xFE, 0xD9, 0x8E),
            Class::LowExcept => Rgb(0xFE, 0xC4, 0x4F),
            Class::Concerns => Rgb(0xFE, 0x99, 0x29),
            Class::High => Rgb(0xD9, 0x5F, 0x0E),
            Class::Critical => Rgb(0x99, 0x34, 0x04),
            Class::NoInformation => Rgb(0xFF, 0xFF, 0xFF),
            Class::NotApplicable => Rgb(0xCC, 0xCC, 0xCC),
        },
    }
}

/// A judgement's circle of radius `r` centred on (x, y): its colour, a black outline (none for
/// Not applicable, as robvis) and its symbol in black.
pub fn judgement_dot(f: &mut Figure, x: f64, y: f64, r: f64, palette: Palette, level: Level) {
    let outline = (level != Level::NotApplicable).then_some((INK, (r * 0.09).max(0.5)));
    f.circle(x, y, r, Some(colour(palette, level)), outline);
    let symbol = level.symbol();
    if !symbol.is_empty() {
        let size = r * 1.45;
        // Centre the glyph on the circle: symbols sit about a third of the size above the
        // baseline (the question mark and the exclamation mark a little higher).
        let lift = match symbol {
            "?" | "!" => 0.36,
            _ => 0.30,
        };
        f.text(x, y + lift * size, symbol, Font::bold(size), Align::Center);
    }
}
