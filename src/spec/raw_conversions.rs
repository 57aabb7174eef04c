//! The outcome's `conversions:` section, as written (serde mirror, with its schema): how
//! values papers report instead of mean/SD are converted (`data/convert.rs`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of the conversions before pooling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConversions {
    /// Median with IQR and/or range → mean and SD (metafor's `conv.fivenum`).
    pub fivenum: Option<RawFivenum>,
}

/// metafor's `conv.fivenum()` options; defaults are metafor's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFivenum {
    /// Method for mean and SD (default `luo/wan/shi`: Luo 2018 means, Wan 2014 / Shi 2020 SDs).
    pub method: Option<RawFivenumMethod>,
    /// Overrides the mean's method (`luo2016` is Luo's, as in the default).
    pub mean_method: Option<RawMeanMethod>,
    /// Overrides the SD's method (`shi2020`: all five values only).
    pub sd_method: Option<RawSdMethod>,
    /// `norm` (default) or `lnorm` (convert on the log scale; forces `luo/wan/shi`).
    pub dist: Option<RawDist>,
    /// With `lnorm`, back-transform to the raw scale (default true).
    pub transf: Option<bool>,
    /// Shi et al. 2023's skewness test: a skewed arm is not converted (default true).
    pub test: Option<bool>,
}

/// A `conv.fivenum` method for both mean and SD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RawFivenumMethod {
    #[serde(rename = "luo/wan/shi")]
    LuoWanShi,
    #[serde(rename = "wan2014")]
    Wan2014,
    #[serde(rename = "hozo2005")]
    Hozo2005,
    #[serde(rename = "bland2015")]
    Bland2015,
}

/// A `conv.fivenum` method for the mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RawMeanMethod {
    #[serde(rename = "luo/wan/shi")]
    LuoWanShi,
    #[serde(rename = "luo2016")]
    Luo2016,
    #[serde(rename = "wan2014")]
    Wan2014,
    #[serde(rename = "hozo2005")]
    Hozo2005,
    #[serde(rename = "bland2015")]
    Bland2015,
}

/// A `conv.fivenum` method for the SD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RawSdMethod {
    #[serde(rename = "luo/wan/shi")]
    LuoWanShi,
    #[serde(rename = "shi2020")]
    Shi2020,
    #[serde(rename = "wan2014")]
    Wan2014,
    #[serde(rename = "hozo2005")]
    Hozo2005,
    #[serde(rename = "bland2015")]
    Bland2015,
}

/// The assumed distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RawDist {
    Norm,
    Lnorm,
}
