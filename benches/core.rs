//! Benchmarks of the pooling core (issue: "linear in the number of studies").
//!
//! - one REML analysis of the 13 BCG trials (target < 15 µs)
//! - 10,000 separate REML analyses of 10 studies
//! - one REML analysis of 1,000,000 synthetic studies (target < 0.5 s, peak memory < 200 MB)
//!
//! Peak heap is measured with a counting global allocator and printed once per run, both for
//! the whole analysis run (input rows included) and for the analysis alone.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use metareport::stats::analysis::Options;
use metareport::stats::{Measure, StudyData, StudyInput, analyse};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The BCG trials (Colditz et al. 1994): events/total per arm.
const BCG: [(f64, f64, f64, f64); 13] = [
    (4.0, 123.0, 11.0, 139.0),
    (6.0, 306.0, 29.0, 303.0),
    (3.0, 231.0, 11.0, 220.0),
    (62.0, 13598.0, 248.0, 12867.0),
    (33.0, 5069.0, 47.0, 5808.0),
    (180.0, 1541.0, 372.0, 1451.0),
    (8.0, 2545.0, 10.0, 629.0),
    (505.0, 88391.0, 499.0, 88391.0),
    (29.0, 7499.0, 45.0, 7277.0),
    (17.0, 1716.0, 65.0, 1665.0),
    (186.0, 50634.0, 141.0, 27338.0),
    (5.0, 2498.0, 3.0, 2341.0),
    (27.0, 16913.0, 29.0, 17854.0),
];

fn bcg() -> Vec<StudyInput> {
    BCG.iter()
        .enumerate()
        .map(|(i, &(a, n1, c, n2))| StudyInput {
            name: format!("Trial {}", i + 1),
            subgroup: None,
            data: StudyData::Binary {
                events_t: a,
                total_t: n1,
                events_c: c,
                total_c: n2,
            },
        })
        .collect()
}

/// A deterministic synthetic meta-analysis: effects around 0.3 with τ² ≈ 0.04.
fn synthetic(k: usize, seed: u64) -> Vec<StudyInput> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..k)
        .map(|i| {
            let vi = 0.01 + 0.2 * uniform();
            let yi = 0.3 + (uniform() - 0.5) * 0.7 + (uniform() - 0.5) * 2.0 * vi.sqrt();
            StudyInput {
                name: i.to_string(),
                subgroup: None,
                data: StudyData::YiVi { yi, vi },
            }
        })
        .collect()
}

fn report_million() {
    let opts = Options::new(Measure::GEN);
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let t = Instant::now();
    let inputs = synthetic(1_000_000, 7);
    let after_inputs = CURRENT.load(Ordering::Relaxed);
    PEAK.store(after_inputs, Ordering::Relaxed);
    let t_analysis = Instant::now();
    let a = analyse(inputs, &opts).unwrap();
    let secs = t_analysis.elapsed().as_secs_f64();
    let peak = PEAK.load(Ordering::Relaxed);
    eprintln!(
        "k = 1,000,000 REML: analysis {:.3} s (with generating the rows {:.3} s); peak heap {:.1} MB in all, {:.1} MB for the analysis beyond its {:.1} MB of input rows; tau2 = {:.6}",
        secs,
        t.elapsed().as_secs_f64(),
        (peak - base) as f64 / 1e6,
        (peak - after_inputs) as f64 / 1e6,
        (after_inputs - base) as f64 / 1e6,
        a.overall.heterogeneity.value().unwrap().tau2
    );
}

fn core(c: &mut Criterion) {
    let opts = Options::new(Measure::RR);
    c.bench_function("reml_k13_bcg", |b| {
        b.iter_batched(
            bcg,
            |rows| black_box(analyse(rows, &opts).unwrap()),
            criterion::BatchSize::SmallInput,
        )
    });

    let gen_opts = Options::new(Measure::GEN);
    let many: Vec<Vec<StudyInput>> = (0..10_000).map(|s| synthetic(10, s)).collect();
    let mut group = c.benchmark_group("reml_10000_analyses_k10");
    group.sample_size(10);
    group.bench_function("all", |b| {
        b.iter_batched(
            || many.clone(),
            |sets| {
                for rows in sets {
                    black_box(analyse(rows, &gen_opts).unwrap());
                }
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();

    report_million();
    let mut group = c.benchmark_group("reml_k1000000");
    group.sample_size(10);
    let rows = synthetic(1_000_000, 7);
    group.bench_function("analyse", |b| {
        b.iter_batched(
            || rows.clone(),
            |r| black_box(analyse(r, &gen_opts).unwrap()),
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, core);
criterion_main!(benches);
