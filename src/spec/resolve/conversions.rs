//! The outcome's `conversions:` section → `data::convert::Settings`.

use crate::data::convert::Settings;
use crate::spec::raw::{RawDist, RawFivenumMethod, RawMeanMethod, RawOutcome, RawSdMethod};
use crate::stats::convert::fivenum::{self, MeanMethod, SdMethod};

/// The conversion settings of an outcome (metafor's defaults where the spec says nothing).
pub(super) fn settings(o: &RawOutcome) -> Settings {
    let mut f = fivenum::Settings::default();
    if let Some(c) = o.conversions.as_ref().and_then(|c| c.fivenum.as_ref()) {
        if let Some(m) = c.method {
            (f.mean, f.sd) = match m {
                RawFivenumMethod::LuoWanShi => (MeanMethod::LuoWanShi, SdMethod::LuoWanShi),
                RawFivenumMethod::Wan2014 => (MeanMethod::Wan2014, SdMethod::Wan2014),
                RawFivenumMethod::Hozo2005 => (MeanMethod::Hozo2005, SdMethod::Hozo2005),
                RawFivenumMethod::Bland2015 => (MeanMethod::Bland2015, SdMethod::Bland2015),
            };
        }
        if let Some(m) = c.mean_method {
            f.mean = match m {
                RawMeanMethod::LuoWanShi | RawMeanMethod::Luo2016 => MeanMethod::LuoWanShi,
                RawMeanMethod::Wan2014 => MeanMethod::Wan2014,
                RawMeanMethod::Hozo2005 => MeanMethod::Hozo2005,
                RawMeanMethod::Bland2015 => MeanMethod::Bland2015,
            };
        }
        if let Some(m) = c.sd_method {
            f.sd = match m {
                RawSdMethod::LuoWanShi => SdMethod::LuoWanShi,
                RawSdMethod::Shi2020 => SdMethod::Shi2020,
                RawSdMethod::Wan2014 => SdMethod::Wan2014,
                RawSdMethod::Hozo2005 => SdMethod::Hozo2005,
                RawSdMethod::Bland2015 => SdMethod::Bland2015,
            };
        }
        f.lognormal = c.dist == Some(RawDist::Lnorm);
        f.transf = c.transf.unwrap_or(true);
        f.test = c.test.unwrap_or(true);
        if f.lognormal {
            // metafor forces luo/wan/shi with dist = "lnorm"; so does fivenum::convert.
            f.mean = MeanMethod::LuoWanShi;
            f.sd = SdMethod::LuoWanShi;
        }
    }
    Settings {
        fivenum: f,
        measure: o.measure,
    }
}
