//! Mean and SD from the median with the IQR and/or the range, as metafor's `conv.fivenum()`
//! (metafor 5.1-12) computes them.
//!
//! Three cases by what is reported (n ≥ 5 always; with n < 5 metafor does not convert):
//! S1 = {min, median, max, n}, S2 = {q1, median, q3, n}, S3 = {all five, n}.
//!
//! Defaults (`luo/wan/shi`): means of Luo et al. (Stat Methods Med Res 2018;27:1785),
//! SDs of Wan et al. (BMC Med Res Methodol 2014;14:135) for S1 and S2, with
//! ξ = 2Φ⁻¹((n − 0.375)/(n + 0.25)) and η = 2Φ⁻¹((0.75n − 0.125)/(n + 0.25)), and of Shi et al.
//! (Res Synth Methods 2020;11:641) for S3. Alternatives: `wan2014` (mean and SD),
//! `hozo2005` (Hozo et al., BMC Med Res Methodol 2005;5:13; S1 only), `bland2015` (Bland,
//! Int J Stat Med Res 2015;4:57; S3 only).
//!
//! The skewness test (Shi et al., Stat Methods Med Res 2023;32:1338): with `test`, a case
//! whose statistic reaches its critical value is not converted (metafor leaves mean and SD
//! missing). `dist = lnorm` converts on the log scale and, with `transf`, back-transforms with
//! Shi et al. 2020's bias-corrected formulas.

use crate::stats::dist::norm_quantile;

/// How the mean is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum MeanMethod {
    /// Luo et al. 2018 (metafor's default, also `luo2016`).
    LuoWanShi,
    Wan2014,
    Hozo2005,
    Bland2015,
}

/// How the SD is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SdMethod {
    /// Wan et al. 2014 for S1/S2, Shi et al. 2020 for S3 (metafor's default).
    LuoWanShi,
    Wan2014,
    Hozo2005,
    Bland2015,
    /// Shi et al. 2020: all five values only.
    Shi2020,
}

/// Options of the conversion (metafor's `method`, `dist`, `transf`, `test`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Settings {
    pub mean: MeanMethod,
    pub sd: SdMethod,
    /// The data are log-normal: convert on the log scale.
    pub lognormal: bool,
    /// With `lognormal`, back-transform to the raw scale.
    pub transf: bool,
    /// Apply the skewness test and do not convert a skewed case.
    pub test: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mean: MeanMethod::LuoWanShi,
            sd: SdMethod::LuoWanShi,
            lognormal: false,
            transf: true,
            test: true,
        }
    }
}

/// The five-number summary as reported: `None` for what the paper did not give.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Summary {
    pub min: Option<f64>,
    pub q1: Option<f64>,
    pub median: f64,
    pub q3: Option<f64>,
    pub max: Option<f64>,
    pub n: f64,
}

/// Which values were reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Case {
    /// Median, minimum and maximum.
    Range,
    /// Median and quartiles.
    Iqr,
    /// All five.
    Both,
}

/// The skewness test's statistic and critical value (Shi et al. 2023).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Skewness {
    pub statistic: f64,
    pub critical: f64,
}

impl Skewness {
    /// True when the data look skewed (statistic ≥ critical value).
    pub fn significant(&self) -> bool {
        self.statistic >= self.critical
    }
}

/// Why a summary was not converted.
#[derive(Debug, Clone, PartialEq)]
pub enum NotConverted {
    /// Neither {min, max} nor {q1, q3} (metafor needs one of the three cases).
    Incomplete,
    /// n < 5 (metafor does not convert).
    TooSmall,
    /// The values are not in order min ≤ q1 ≤ median ≤ q3 ≤ max.
    Unsorted,
    /// With `lognormal`, a value ≤ 0.
    NotPositive,
    /// The skewness test is significant.
    Skewed(Skewness),
    /// The chosen method does not apply to this case (Hozo: range only; Bland: all five).
    MethodNotForCase,
}

/// The converted mean and SD, with the case and the skewness test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Converted {
    pub mean: f64,
    pub sd: f64,
    pub case: Case,
    pub skewness: Skewness,
}

fn xi(n: f64) -> f64 {
    2.0 * norm_quantile((n - 0.375) / (n + 0.25))
}

fn eta(n: f64) -> f64 {
    2.0 * norm_quantile((0.75 * n - 0.125) / (n + 0.25))
}

/// Converts one arm's five-number summary as `conv.fivenum()` does.
/// With `lognormal`, metafor forces the `luo/wan/shi` methods; so does this.
pub fn convert(s: &Summary, set: &Settings) -> Result<Converted, NotConverted> {
    let forced;
    let set = if set.lognormal {
        forced = Settings {
            mean: MeanMethod::LuoWanShi,
            sd: SdMethod::LuoWanShi,
            ..*set
        };
        &forced
    } else {
        set
    };
    let n = s.n;
    let case = match (s.min, s.q1, s.q3, s.max) {
        (Some(_), None, None, Some(_)) => Case::Range,
        (None, Some(_), Some(_), None) => Case::Iqr,
        (Some(_), Some(_), Some(_), Some(_)) => Case::Both,
        _ => return Err(NotConverted::Incomplete),
    };
    if n.is_nan() || n < 5.0 {
        return Err(NotConverted::TooSmall);
    }
    let given: Vec<f64> = [s.min, s.q1, Some(s.median), s.q3, s.max]
        .into_iter()
        .flatten()
        .collect();
    if given.windows(2).any(|w| w[0] > w[1]) {
        return Err(NotConverted::Unsorted);
    }
    if set.lognormal && given.iter().any(|&x| x <= 0.0) {
        return Err(NotConverted::NotPositive);
    }
    let tr = |x: f64| if set.lognormal { x.ln() } else { x };
    let (a, q1, m, q3, b) = (
        tr(s.min.unwrap_or(f64::NAN)),
        tr(s.q1.unwrap_or(f64::NAN)),
        tr(s.median),
        tr(s.q3.unwrap_or(f64::NAN)),
        tr(s.max.unwrap_or(f64::NAN)),
    );
    let skew = match case {
        Case::Range => Skewness {
            statistic: ((a + b - 2.0 * m) / (b - a)).abs(),
            critical: 1.0 / (n + 9.0).ln() + 2.5 / (n + 1.0),
        },
        Case::Iqr => Skewness {
            statistic: ((q1 + q3 - 2.0 * m) / (q3 - q1)).abs(),
            critical: 2.65 / n.sqrt() - 6.0 / (n * n),
        },
        Case::Both => Skewness {
            statistic: (2.65 * (0.6 * n).ln() / n.sqrt() * ((a + b - 2.0 * m) / (b - a)).abs())
                .max(((q1 + q3 - 2.0 * m) / (q3 - q1)).abs()),
            critical: 3.0 / n.sqrt() - 40.0 / n.powi(3),
        },
    };
    // metafor: sig <- isTRUE(tval >= crit); a NaN statistic (zero spread) is not significant.
    if set.test && skew.significant() {
        return Err(NotConverted::Skewed(skew));
    }
    let (mean, sd) = match case {
        Case::Range => {
            let mean = match set.mean {
                MeanMethod::LuoWanShi => {
                    let w = 4.0 / (4.0 + n.powf(0.75));
                    w * (a + b) / 2.0 + (1.0 - w) * m
                }
                MeanMethod::Hozo2005 if n <= 25.0 => (a + 2.0 * m + b) / 4.0,
                MeanMethod::Hozo2005 => m,
                MeanMethod::Wan2014 => (a + 2.0 * m + b) / 4.0,
                MeanMethod::Bland2015 => return Err(NotConverted::MethodNotForCase),
            };
            let z1 = if set.lognormal {
                1.01 + 0.25 / n.ln().powi(2)
            } else {
                1.0
            };
            let sd = match set.sd {
                SdMethod::LuoWanShi | SdMethod::Wan2014 => (b - a) / xi(n) / z1.sqrt(),
                SdMethod::Hozo2005 if n <= 15.0 => {
                    (((a - 2.0 * m + b).powi(2) / 4.0 + (b - a).powi(2)) / 12.0).sqrt()
                }
                SdMethod::Hozo2005 if n <= 70.0 => (b - a) / 4.0,
                SdMethod::Hozo2005 => (b - a) / 6.0,
                SdMethod::Bland2015 | SdMethod::Shi2020 => {
                    return Err(NotConverted::MethodNotForCase);
                }
            };
            (mean, sd)
        }
        Case::Iqr => {
            let mean = match set.mean {
                MeanMethod::LuoWanShi => {
                    let w = 0.7 + 0.39 / n;
                    w * (q1 + q3) / 2.0 + (1.0 - w) * m
                }
                MeanMethod::Wan2014 => (q1 + m + q3) / 3.0,
                MeanMethod::Hozo2005 | MeanMethod::Bland2015 => {
                    return Err(NotConverted::MethodNotForCase);
                }
            };
            let z2 = if set.lognormal { 1.0 + 1.58 / n } else { 1.0 };
            let sd = match set.sd {
                SdMethod::LuoWanShi | SdMethod::Wan2014 => (q3 - q1) / eta(n) / z2.sqrt(),
                SdMethod::Hozo2005 | SdMethod::Bland2015 | SdMethod::Shi2020 => {
                    return Err(NotConverted::MethodNotForCase);
                }
            };
            (mean, sd)
        }
        Case::Both => {
            let mean = match set.mean {
                MeanMethod::LuoWanShi => {
                    let w1 = 2.2 / (2.2 + n.powf(0.75));
                    let w2 = 0.7 - 0.72 / n.powf(0.55);
                    w1 * (a + b) / 2.0 + w2 * (q1 + q3) / 2.0 + (1.0 - w1 - w2) * m
                }
                MeanMethod::Wan2014 | MeanMethod::Bland2015 => {
                    (a + 2.0 * q1 + 2.0 * m + 2.0 * q3 + b) / 8.0
                }
                MeanMethod::Hozo2005 => return Err(NotConverted::MethodNotForCase),
            };
            let z3 = if set.lognormal {
                1.0 + 0.28 / n.ln().powi(2)
            } else {
                1.0
            };
            let sd = match set.sd {
                SdMethod::LuoWanShi | SdMethod::Shi2020 => {
                    let w = 1.0 / (1.0 + 0.07 * n.powf(0.6));
                    (w * (b - a) / xi(n) + (1.0 - w) * (q3 - q1) / eta(n)) / z3.sqrt()
                }
                SdMethod::Wan2014 => 0.5 * ((b - a) / xi(n) + (q3 - q1) / eta(n)),
                SdMethod::Bland2015 => {
                    ((a * a + 2.0 * q1 * q1 + 2.0 * m * m + 2.0 * q3 * q3 + b * b) / 16.0
                        + (a * q1 + q1 * m + m * q3 + q3 * b) / 8.0
                        - (a + 2.0 * q1 + 2.0 * m + 2.0 * q3 + b).powi(2) / 64.0)
                        .sqrt()
                }
                SdMethod::Hozo2005 => return Err(NotConverted::MethodNotForCase),
            };
            (mean, sd)
        }
    };
    let (mean, sd) = if set.lognormal && set.transf {
        back_transform(case, mean, sd, a, q1, q3, b, n)
    } else {
        (mean, sd)
    };
    Ok(Converted {
        mean,
        sd,
        case,
        skewness: skew,
    })
}

/// Shi et al. 2020's back-transformation of log-scale estimates (as in `conv.fivenum`).
#[allow(clippy::too_many_arguments)]
fn back_transform(
    case: Case,
    mu: f64,
    s: f64,
    a: f64,
    q1: f64,
    q3: f64,
    b: f64,
    n: f64,
) -> (f64, f64) {
    let (s4, c) = match case {
        Case::Range => (
            ((b - a) / xi(n)).powi(4) / (1.0 + 2.23 / n.ln().powi(2)),
            [0.565, 0.37, 2.26, 5.92, 1.48],
        ),
        Case::Iqr => (
            ((q3 - q1) / eta(n)).powi(4) / (1.0 + 19.2 / n.powf(1.2)),
            [0.57, 0.75, 2.28, 12.0, 3.0],
        ),
        Case::Both => {
            let w = 1.0 / (1.0 + 0.07 * n.powf(0.6));
            (
                (w * (b - a) / xi(n) + (1.0 - w) * (q3 - q1) / eta(n)).powi(4) / (1.0 + 3.93 / n),
                [0.405, 0.315, 1.62, 5.04, 1.26],
            )
        }
    };
    let s2 = s * s;
    let phi = 1.0 + c[0] * s2 / n + c[1] * s4 / n;
    let mean = (mu + s2 / 2.0).exp() / phi;
    let phi1 = 1.0 + c[2] * s2 / n + c[3] * s4 / n;
    let phi2 = 1.0 + c[2] * s2 / n + c[4] * s4 / n;
    let sd = ((2.0 * mu + 2.0 * s2).exp() / phi1 - (2.0 * mu + s2).exp() / phi2).sqrt();
    (mean, sd)
}
