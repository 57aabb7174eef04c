//! Properties the pooling core must have whatever the data (proptest).

use metareport::stats::analysis::Options;
use metareport::stats::{Measure, ModelChoice, StudyData, StudyInput, Tau2Method, analyse};
use proptest::prelude::*;

fn yivi(rows: &[(f64, f64)]) -> Vec<StudyInput> {
    rows.iter()
        .enumerate()
        .map(|(i, &(yi, vi))| StudyInput {
            name: format!("Study {i}"),
            subgroup: None,
            data: StudyData::YiVi { yi, vi },
        })
        .collect()
}

fn rel_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-6)
}

fn studies() -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((-2.0..2.0f64, 0.01..1.0f64), 2..25)
}

fn tau2_method() -> impl Strategy<Value = Tau2Method> {
    prop::sample::select(Tau2Method::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(64), ..ProptestConfig::default() })]

    #[test]
    fn the_order_of_studies_changes_nothing(rows in studies(), method in tau2_method(), seed in any::<u64>()) {
        let mut opts = Options::new(Measure::GEN);
        opts.tau2_method = method;
        let a = analyse(yivi(&rows), &opts).unwrap();
        let mut shuffled = rows.clone();
        // A deterministic permutation from the seed.
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let b = analyse(yivi(&shuffled), &opts).unwrap();
        let (pa, pb) = (a.overall.pooled.value().unwrap(), b.overall.pooled.value().unwrap());
        prop_assert!(rel_close(pa.estimate, pb.estimate), "{} vs {}", pa.estimate, pb.estimate);
        prop_assert!(rel_close(pa.se, pb.se));
        let (ha, hb) = (a.overall.heterogeneity.value().unwrap(), b.overall.heterogeneity.value().unwrap());
        prop_assert!((ha.tau2 - hb.tau2).abs() <= 1e-9 * ha.tau2.max(1e-3), "{} vs {}", ha.tau2, hb.tau2);
        prop_assert!(rel_close(ha.q, hb.q));
    }

    #[test]
    fn random_effects_equal_fixed_effect_when_tau2_is_zero(rows in studies(), method in tau2_method()) {
        let mut random = Options::new(Measure::GEN);
        random.tau2_method = method;
        let mut fixed = random.clone();
        fixed.model = ModelChoice::Fixed;
        let r = analyse(yivi(&rows), &random).unwrap();
        let f = analyse(yivi(&rows), &fixed).unwrap();
        if r.overall.heterogeneity.value().unwrap().tau2 == 0.0 {
            let (pr, pf) = (r.overall.pooled.value().unwrap(), f.overall.pooled.value().unwrap());
            prop_assert!(rel_close(pr.estimate, pf.estimate));
            prop_assert!(rel_close(pr.se, pf.se));
        }
    }

    #[test]
    fn i2_is_a_percentage_and_intervals_contain_their_estimates(rows in studies(), method in tau2_method(), fixed in any::<bool>()) {
        let mut opts = Options::new(Measure::GEN);
        opts.tau2_method = method;
        if fixed {
            opts.model = ModelChoice::Fixed;
        }
        let a = analyse(yivi(&rows), &opts).unwrap();
        let h = a.overall.heterogeneity.value().unwrap();
        prop_assert!((0.0..=100.0).contains(&h.i2), "I² = {}", h.i2);
        prop_assert!(h.tau2 >= 0.0);
        let p = a.overall.pooled.value().unwrap();
        prop_assert!(p.ci_lower <= p.estimate && p.estimate <= p.ci_upper);
        if let Some(ci) = h.ci.value() {
            prop_assert!(0.0 <= ci.tau2.lower && ci.tau2.lower <= ci.tau2.upper, "{:?}", ci.tau2);
            // The Q-profile interval inverts the generalised Q statistic, the estimating equation
            // of PM (and EB, the same without moderators); other estimators can fall outside it
            // (e.g. ML = 0 with a Q-profile lower bound above 0; metafor's confint behaves so).
            if matches!(method, Tau2Method::PM | Tau2Method::EB) {
                prop_assert!(ci.tau2.lower <= h.tau2 + 1e-9 && h.tau2 <= ci.tau2.upper + 1e-9, "{} not in {:?}", h.tau2, ci.tau2);
            }
            prop_assert!((0.0..=100.0).contains(&ci.i2.lower) && (0.0..=100.0).contains(&ci.i2.upper));
        }
        if let Some(pi) = a.overall.prediction.value() {
            prop_assert!(pi.metafor.lower <= p.ci_lower + 1e-12 && p.ci_upper <= pi.metafor.upper + 1e-12);
        }
    }

    #[test]
    fn rescaling_a_continuous_outcome_rescales_md_and_leaves_smd_alone(
        rows in prop::collection::vec((-50.0..50.0f64, 1.0..20.0f64, 5.0..200.0f64, -50.0..50.0f64, 1.0..20.0f64, 5.0..200.0f64), 2..12),
        scale in 0.01..100.0f64,
    ) {
        let make = |c: f64| -> Vec<StudyInput> {
            rows.iter().enumerate().map(|(i, r)| StudyInput {
                name: format!("S{i}"),
                subgroup: None,
                data: StudyData::Continuous { mean_t: c * r.0, sd_t: c * r.1, n_t: r.2.round(), mean_c: c * r.3, sd_c: c * r.4, n_c: r.5.round() },
            }).collect()
        };
        let md = Options::new(Measure::MD);
        let smd = Options::new(Measure::SMD);
        let (a, b) = (analyse(make(1.0), &md).unwrap(), analyse(make(scale), &md).unwrap());
        let (pa, pb) = (a.overall.pooled.value().unwrap(), b.overall.pooled.value().unwrap());
        prop_assert!((pb.estimate - scale * pa.estimate).abs() <= 1e-8 * (scale * pa.estimate).abs().max(1e-6), "{} vs {}", pb.estimate, scale * pa.estimate);
        prop_assert!(rel_close(pb.se, scale * pa.se) || (pb.se - scale * pa.se).abs() < 1e-8 * scale);
        let (c, d) = (analyse(make(1.0), &smd).unwrap(), analyse(make(scale), &smd).unwrap());
        let (pc, pd) = (c.overall.pooled.value().unwrap(), d.overall.pooled.value().unwrap());
        prop_assert!((pc.estimate - pd.estimate).abs() <= 1e-9 * pc.estimate.abs().max(1e-6));
    }
}

fn finite_everywhere(v: &serde_json::Value, path: &str) -> Result<(), String> {
    match v {
        serde_json::Value::Number(n) if !n.as_f64().is_some_and(f64::is_finite) => {
            Err(format!("{path} = {n}"))
        }
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| finite_everywhere(x, &format!("{path}[{i}]"))),
        serde_json::Value::Object(m) => m
            .iter()
            .try_for_each(|(k, x)| finite_everywhere(x, &format!("{path}.{k}"))),
        _ => Ok(()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Any binary data and any options: a result or a typed error, never a panic, and never a
    /// NaN or infinity in the results (serde would write NaN as null).
    #[test]
    fn any_binary_data_and_options_give_finite_results_or_an_error(
        rows in prop::collection::vec((0u32..30, 1u32..30, 0u32..30, 1u32..30), 1..12),
        measure in prop::sample::select(vec![Measure::OR, Measure::RR, Measure::RD, Measure::PetoOR]),
        method in tau2_method(),
        pooling in 0u8..3,
        model in 0u8..3,
        hksj in any::<bool>(),
        extras in any::<bool>(),
    ) {
        let inputs: Vec<StudyInput> = rows.iter().enumerate().map(|(i, &(a, extra_t, c, extra_c))| StudyInput {
            name: format!("S{i}"),
            subgroup: Some(if i % 3 == 0 { "x".into() } else { "y".into() }),
            data: StudyData::Binary { events_t: f64::from(a), total_t: f64::from(a + extra_t), events_c: f64::from(c), total_c: f64::from(c + extra_c) },
        }).collect();
        let mut opts = Options::new(measure);
        opts.tau2_method = method;
        opts.pooling = match (pooling, measure) {
            (1, Measure::OR | Measure::RR | Measure::RD) => metareport::stats::Pooling::MantelHaenszel,
            (2, Measure::PetoOR) => metareport::stats::Pooling::Peto,
            _ => metareport::stats::Pooling::InverseVariance,
        };
        opts.model = [ModelChoice::Fixed, ModelChoice::Random, ModelChoice::SEED_RULE][model as usize];
        opts.ci = if hksj { metareport::stats::CiMethod::Hksj } else { metareport::stats::CiMethod::Z };
        if extras {
            opts.bias.egger = true;
            opts.bias.begg = true;
            opts.bias.trim_and_fill = true;
            opts.sensitivity.leave_one_out = true;
            opts.sensitivity.cumulative = Some(inputs.iter().map(|s| s.name.clone()).collect());
        }
        if let Ok(a) = analyse(inputs, &opts) {
            let json = serde_json::to_value(&a).unwrap();
            prop_assert!(finite_everywhere(&json, "").is_ok(), "{:?}", finite_everywhere(&json, ""));
        }
    }
}

/// Leave-one-out and cumulative rows of many studies are refit on several threads
/// (`stats/analysis/sensitivity.rs`): each row is still the pool of its own studies, in order.
#[test]
fn sensitivity_rows_of_many_studies_are_the_pools_of_their_studies_in_order() {
    let k = 400; // 160,000 study-fits: more than one thread's share
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let rows: Vec<(f64, f64)> = (0..k)
        .map(|_| {
            let vi = 0.01 + 0.2 * uniform();
            (0.3 + (uniform() - 0.5) * 1.5, vi)
        })
        .collect();
    let mut opts = Options::new(Measure::GEN);
    opts.sensitivity.leave_one_out = true;
    let order: Vec<String> = (0..k).rev().map(|i| format!("Study {i}")).collect();
    opts.sensitivity.cumulative = Some(order.clone());
    let a = analyse(yivi(&rows), &opts).unwrap();
    let loo = a.sensitivity.leave_one_out.as_ref().unwrap();
    let cum = a.sensitivity.cumulative.as_ref().unwrap();
    assert_eq!(loo.len(), k);
    assert_eq!(cum.len(), k);
    let mut plain = Options::new(Measure::GEN);
    plain.tau2_method = opts.tau2_method;
    let pooled = |subset: Vec<(f64, f64)>| {
        let s = analyse(yivi(&subset), &plain).unwrap();
        let h = s.overall.heterogeneity.value().unwrap().tau2;
        (s.overall.pooled.value().unwrap().estimate, h)
    };
    // Step 0 pools one study (no heterogeneity); the others are compared with fresh analyses.
    assert_eq!(cum[0].label, order[0]);
    for i in [1, 2, 199, 200, 201, 398, 399] {
        assert_eq!(loo[i].label, format!("Study {i}"));
        let mut left = rows.clone();
        left.remove(i);
        let (est, tau2) = pooled(left);
        let row = &loo[i].pool;
        assert!(rel_close(row.pooled.value().unwrap().estimate, est), "{i}");
        assert!(
            rel_close(row.heterogeneity.value().unwrap().tau2, tau2),
            "{i}"
        );
        // Step j adds `order[j]`: studies k-1 down to k-1-j.
        assert_eq!(cum[i].label, order[i]);
        assert_eq!(cum[i].pool.k, i + 1);
        let (est, tau2) = pooled(rows[k - 1 - i..].iter().rev().copied().collect());
        let row = &cum[i].pool;
        assert!(
            rel_close(row.pooled.value().unwrap().estimate, est),
            "step {i}"
        );
        assert!(
            rel_close(row.heterogeneity.value().unwrap().tau2, tau2),
            "step {i}"
        );
    }
}
