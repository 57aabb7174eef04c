//! The pictures of a Word file: how each figure is drawn (its PNG), and drawing them ahead of
//! writing, shared between the build's workers.
//!
//! A Word file of a large review embeds hundreds of PNGs (one per page of each tall forest
//! plot), and the manuscript's and the combined report's Word files embed the same ones
//! (drawn once: `plot::export`'s PNG cache). Written one after the other inside one job, they
//! made that job the build's longest by far (k = 3,000: 12.6 s of a 24 s build on one core).
//! So a Word file's pictures are listed first ([`Picture`]) and put in a queue ([`draw_ahead`]):
//! its own job draws them, and so do the Word file's twin and build workers with nothing else
//! left to do ([`help`]), each picture once; the file is then written from the cache. The bytes
//! do not depend on which thread drew what.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

/// How a figure's PNG is drawn: the same calls, hence the same cache entries, whoever draws it.
#[derive(Debug, Clone)]
pub(super) enum Draw {
    /// At its natural size (`plot::to_png`: the bytes of `figures/*.png`).
    Natural,
    /// `width_pt` wide at `dpi`.
    Printed { width_pt: f64, dpi: u32 },
    /// Windows of the figure (`[top, bottom]` in its points) stacked, `width_pt` wide at `dpi`.
    Windows {
        natural_width: f64,
        windows: Vec<[f64; 2]>,
        width_pt: f64,
        dpi: u32,
    },
}

/// One picture to draw: an SVG and how.
#[derive(Debug, Clone)]
pub(super) struct Picture {
    pub svg: Arc<str>,
    pub draw: Draw,
}

impl Picture {
    /// The PNG (from `plot::export`'s cache when drawn before in this build).
    pub fn png(&self) -> Result<Vec<u8>, String> {
        use crate::plot::export;
        match &self.draw {
            Draw::Natural => crate::plot::to_png(&self.svg),
            Draw::Printed { width_pt, dpi } => export::png(&self.svg, *width_pt, *dpi),
            Draw::Windows {
                natural_width,
                windows,
                width_pt,
                dpi,
            } => export::png_windows(&self.svg, *natural_width, windows, *width_pt, *dpi),
        }
    }

    /// What tells two pictures apart: the SVG's hash and how it is drawn.
    fn key(&self) -> String {
        format!(
            "{}/{:?}",
            blake3::hash(self.svg.as_bytes()).to_hex(),
            self.draw
        )
    }
}

/// Pictures waiting to be drawn, and the keys of those queued or being drawn (a picture asked
/// for again meanwhile is not queued twice).
#[derive(Default)]
struct Queue {
    waiting: VecDeque<(String, Picture)>,
    busy: BTreeSet<String>,
}

static QUEUE: Mutex<Queue> = Mutex::new(Queue {
    waiting: VecDeque::new(),
    busy: BTreeSet::new(),
});

fn queue() -> std::sync::MutexGuard<'static, Queue> {
    match QUEUE.lock() {
        Ok(q) => q,
        Err(p) => p.into_inner(),
    }
}

/// Queues a Word file's pictures (those not queued or being drawn already) and draws queued
/// pictures until none is left; pictures other threads are drawing are then waited for in
/// the PNG cache when the file is written.
pub(super) fn draw_ahead(pictures: Vec<Picture>) {
    {
        let mut q = queue();
        for p in pictures {
            let key = p.key();
            if q.busy.insert(key.clone()) {
                q.waiting.push_back((key, p));
            }
        }
    }
    while help() {}
}

/// Draws one queued picture, if any (a build worker with no job left calls it): `false` when
/// none was waiting.
pub fn help() -> bool {
    let Some((key, picture)) = queue().waiting.pop_front() else {
        return false;
    };
    // The result stays in the PNG cache, where the writer finds it (an error too).
    let _ = picture.png();
    queue().busy.remove(&key);
    true
}
