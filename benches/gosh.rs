//! GOSH speed (issue 16): the model fitted to all 1,048,575 subsets of k = 20 studies under
//! DerSimonian–Laird (target < 5 s on a 2-core machine), and under REML for comparison.
//!
//! The studies are the first 20 of the passive-smoking review (`analyses/data/passive-smoking.csv`,
//! log odds ratios with SEs from the 95% CIs); `benches/compare/gosh_metafor.R` times metafor's
//! `gosh()` on the same studies and subsets.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use metareport::stats::analysis::{ExploreOptions, Options};
use metareport::stats::gosh::GoshSubsets;
use metareport::stats::{Computed, Measure, StudyData, StudyInput, Tau2Method, analyse};

fn passive_smoking(k: usize) -> Vec<StudyInput> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/analyses/data/passive-smoking.csv"
    );
    let text = std::fs::read_to_string(path).expect("the default project's data");
    text.lines()
        .skip(1)
        .take(k)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').map(|c| c.trim_matches('"')).collect();
            let n = |i: usize| cells[i].parse::<f64>().expect("a number");
            StudyInput {
                name: cells[0].to_string(),
                subgroup: None,
                data: StudyData::EstimateCi {
                    estimate: n(5),
                    lower: n(6),
                    upper: n(7),
                },
            }
        })
        .collect()
}

fn options(method: Tau2Method) -> Options {
    let mut o = Options::new(Measure::OR);
    o.tau2_method = method;
    o.explore = ExploreOptions {
        gosh: Some(GoshSubsets::All),
        ..ExploreOptions::default()
    };
    o
}

fn report(k: usize, method: Tau2Method) {
    let rows = passive_smoking(k);
    let t = Instant::now();
    let a = analyse(rows, &options(method)).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let Some(Computed::Value(g)) = &a.explore.gosh else {
        panic!("no GOSH result")
    };
    eprintln!(
        "GOSH k = {k} {}: {} subsets in {:.3} s (whole analysis); mean estimate {:.6}, mean I2 {:.4}",
        method.code(),
        g.subsets,
        secs,
        g.estimate.mean,
        g.i2.mean
    );
}

fn gosh(c: &mut Criterion) {
    // The same studies and subsets as benches/compare/gosh_metafor.R.
    for k in [13, 16, 20] {
        report(k, Tau2Method::DL);
        report(k, Tau2Method::REML);
    }
    let mut group = c.benchmark_group("gosh_k20_all_subsets");
    group.sample_size(10);
    for method in [Tau2Method::DL, Tau2Method::REML] {
        let opts = options(method);
        let rows = passive_smoking(20);
        group.bench_function(method.code(), |b| {
            b.iter_batched(
                || rows.clone(),
                |r| black_box(analyse(r, &opts).unwrap()),
                criterion::BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, gosh);
criterion_main!(benches);
