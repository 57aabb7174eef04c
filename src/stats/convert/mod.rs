//! Conversions of data as papers report them into the data the effect sizes need, before
//! pooling. One file per conversion:
//!
//! | file | conversion |
//! |---|---|
//! | `fivenum.rs` | median with IQR and/or range → mean and SD (metafor's `conv.fivenum`: Luo 2018, Wan 2014, Shi 2020, Shi 2023's skewness test; Hozo 2005, Bland 2015) |
//! | `combine.rs` | two subgroups → one arm (Cochrane Handbook 6.5.2.10) |
//! | `sd.rs` | SD from a standard error, from a 95% CI of a mean, from a t or p value of a two-group comparison (Cochrane Handbook 6.5.2.2–6.5.2.3) |
//! | `hazard.rs` | log hazard ratio and its SE from O − E and V, or from a log-rank p-value with the events (Tierney 2007) |
//!
//! Every function is pure and returns `None` (or an error string) when its inputs do not
//! allow the conversion; the caller reports it at the study's cells.

pub mod combine;
pub mod fivenum;
pub mod hazard;
pub mod sd;

use serde::Serialize;

/// Which conversion made a study's value, for results.json, the forest plot and the methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Mean and SD from the median with the IQR and/or the range.
    Fivenum,
    /// Two subgroups combined into one arm.
    CombinedSubgroups,
    /// SD from the standard error of the mean.
    SdFromSe,
    /// SD from a 95% confidence interval of the mean.
    SdFromCi,
    /// SD from the t statistic of a two-group comparison.
    SdFromT,
    /// SD from the p-value of a two-group comparison (through its t statistic).
    SdFromP,
    /// Log hazard ratio and SE from O − E and its variance V.
    HrFromOMinusE,
    /// Log hazard ratio and SE from a log-rank p-value and the events.
    HrFromLogrankP,
}

impl Method {
    /// Every method, in the order the methods text names them.
    pub const ALL: [Method; 8] = [
        Method::Fivenum,
        Method::CombinedSubgroups,
        Method::SdFromSe,
        Method::SdFromCi,
        Method::SdFromT,
        Method::SdFromP,
        Method::HrFromOMinusE,
        Method::HrFromLogrankP,
    ];

    /// What it did, as a forest plot's footnote and the methods text say it.
    pub fn describe(self) -> &'static str {
        match self {
            Method::Fivenum => {
                "mean and/or SD estimated from the median with the IQR and/or the range"
            }
            Method::CombinedSubgroups => "two subgroups combined into one arm",
            Method::SdFromSe => "SD from the standard error of the mean (SD = SE × √n)",
            Method::SdFromCi => "SD from the 95% CI of the mean (t distribution with n − 1 df)",
            Method::SdFromT => {
                "SD from the t statistic of the two-group comparison (pooled SD for both arms)"
            }
            Method::SdFromP => {
                "SD from the p-value of the two-group comparison (pooled SD for both arms)"
            }
            Method::HrFromOMinusE => "log hazard ratio and SE from O − E and its variance V",
            Method::HrFromLogrankP => {
                "log hazard ratio and SE from the log-rank p-value and the numbers of events"
            }
        }
    }

    /// The code used in results.json ("fivenum", "sd_from_se", ...).
    pub fn code(self) -> &'static str {
        match self {
            Method::Fivenum => "fivenum",
            Method::CombinedSubgroups => "combined_subgroups",
            Method::SdFromSe => "sd_from_se",
            Method::SdFromCi => "sd_from_ci",
            Method::SdFromT => "sd_from_t",
            Method::SdFromP => "sd_from_p",
            Method::HrFromOMinusE => "hr_from_o_minus_e",
            Method::HrFromLogrankP => "hr_from_logrank_p",
        }
    }
}

/// One converted value of a study: what was converted, for which arm, and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversion {
    pub method: Method,
    /// `"t"` or `"c"` for a per-arm conversion, `None` for the study's effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arm: Option<&'static str>,
    /// The standard names of the values it produced (`mean_t`, `sd_t`, `yi`, `se`, ...).
    pub fields: Vec<&'static str>,
    /// The options in force, as a short description ("luo/wan/shi, normal, skewness test").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
