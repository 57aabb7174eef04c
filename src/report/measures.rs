//! How the methods describe the measures of `stats/single_group.rs` (single-group
//! proportions, incidence rates and means, incidence rate ratios and differences, the ratio
//! of means): what was computed from which data, on which scale it was pooled, how it was
//! back-transformed, with citations (template `measures_methods.typ.j2`).

use serde_json::{Value, json};

use crate::stats::Measure;

/// The methods' facts for `m`: `what` (the sentence's subject and data), `scale` (how it
/// was pooled and back-transformed) and `refs` (citation keys of `references.yml`); `null`
/// for the measures `methods.typ.j2` describes itself.
pub fn measure_context(m: Measure) -> Value {
    let (what, scale, refs): (&str, &str, &[&str]) = match m {
        Measure::PR => (
            "the proportion of participants with the event (PR) was computed from the number of events and participants of each study",
            "and pooled as it is (untransformed)",
            &[],
        ),
        Measure::PLO => (
            "the proportion of participants with the event (PR) was computed from the number of events and participants of each study",
            "and pooled on the logit scale; pooled logits were back-transformed to proportions with the inverse logit",
            &[],
        ),
        Measure::PAS => (
            "the proportion of participants with the event (PR) was computed from the number of events and participants of each study",
            "and pooled after the arcsine square-root transformation; pooled values were back-transformed to proportions as sin²",
            &[],
        ),
        Measure::PFT => (
            "the proportion of participants with the event (PR) was computed from the number of events and participants of each study",
            "and pooled after the Freeman–Tukey double arcsine transformation; pooled values were back-transformed to proportions with Miller’s inverse at the harmonic mean of the studies’ sample sizes",
            &["freeman1950", "miller1978"],
        ),
        Measure::IR => (
            "the incidence rate (IR; events per unit of person-time) was computed from the number of events and the person-time of each study",
            "and pooled as it is (untransformed)",
            &[],
        ),
        Measure::IRLN => (
            "the incidence rate (IR; events per unit of person-time) was computed from the number of events and the person-time of each study",
            "and pooled on the log scale; pooled values were back-transformed with the exponential",
            &[],
        ),
        Measure::IRR => (
            "the incidence rate ratio (IRR) was computed from the number of events and the person-time in each group",
            "and analysed on the log scale",
            &[],
        ),
        Measure::IRD => (
            "the incidence rate difference (IRD) was computed from the number of events and the person-time in each group",
            "and pooled as it is",
            &[],
        ),
        Measure::ROM => (
            "the ratio of means (ROM) was computed from the means, standard deviations and group sizes",
            "and analysed on the log scale",
            &[],
        ),
        Measure::MN => (
            "each study’s mean (MN) was taken with its sampling variance SD²/n, from the study’s standard deviation (SD) and sample size (n),",
            "and the means were pooled as they are (untransformed)",
            &[],
        ),
        _ => return Value::Null,
    };
    let zero = match m {
        Measure::PR | Measure::PLO => Some("groups with no events, or only events"),
        Measure::IR | Measure::IRLN => Some("groups with no events"),
        Measure::IRR | Measure::IRD => Some("studies with no events in a group"),
        _ => None,
    };
    json!({"what": what, "scale": scale, "refs": refs, "zero": zero})
}
