//! Reference distributions: normal, Student's t and chi-squared quantiles and tail areas.
//!
//! Thin wrappers over `statrs` so that every statistic asks for the same thing in the same
//! words (upper tails through `sf`, never `1 - cdf`, so that small p-values keep their
//! relative precision).

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

/// Standard normal quantile Φ⁻¹(p).
pub fn norm_quantile(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Two-sided critical value of the standard normal for a confidence level (0.95 → 1.959964).
pub fn z_crit(level: f64) -> f64 {
    norm_quantile(1.0 - (1.0 - level) / 2.0)
}

/// Two-sided p-value of a z statistic: 2·(1 − Φ(|z|)).
pub fn p_two_sided_z(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    (2.0 * Normal::standard().sf(z.abs())).min(1.0)
}

fn student(df: f64) -> StudentsT {
    StudentsT::new(0.0, 1.0, df).expect("degrees of freedom are positive")
}

/// Above this many degrees of freedom a t quantile is the normal quantile with its
/// Cornish–Fisher corrections in 1/df and 1/df² (Abramowitz & Stegun 26.7.5; the omitted terms
/// are below 1e-20 here). statrs' inverse beta takes minutes at df ≈ 10¹⁶ (a fuzzed count).
const T_AS_NORMAL_DF: f64 = 1e7;

/// Lower-tail quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df > T_AS_NORMAL_DF {
        let z = norm_quantile(p);
        let (z3, z5) = (z.powi(3), z.powi(5));
        return z + (z3 + z) / (4.0 * df) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df);
    }
    student(df).inverse_cdf(p)
}

/// Two-sided critical value of Student's t with `df` degrees of freedom.
pub fn t_crit(level: f64, df: f64) -> f64 {
    t_quantile(1.0 - (1.0 - level) / 2.0, df)
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn p_two_sided_t(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    (2.0 * student(df).sf(t.abs())).min(1.0)
}

/// Upper tail P(χ²_df > x).
pub fn chisq_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    ChiSquared::new(df)
        .expect("degrees of freedom are positive")
        .sf(x)
}

/// Upper tail P(F_{df1, df2} > x) of Fisher's F distribution.
pub fn f_sf(x: f64, df1: f64, df2: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    statrs::distribution::FisherSnedecor::new(df1, df2)
        .expect("degrees of freedom are positive")
        .sf(x)
}

/// Lower-tail quantile of χ²_df.
pub fn chisq_quantile(p: f64, df: f64) -> f64 {
    ChiSquared::new(df)
        .expect("degrees of freedom are positive")
        .inverse_cdf(p)
}
