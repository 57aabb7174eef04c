//! The methods' sentence on conversions before pooling: which conversion was used for which
//! studies, with its citations, read from what was converted (`Outcome::conversions`).

use crate::report::format::and_list;

use serde_json::{Value, json};

use crate::spec::Spec;
use crate::stats::convert::Method;
use crate::stats::convert::fivenum::{MeanMethod, SdMethod};

/// One entry per conversion method used: its description, the studies (with their outcome
/// when the review has several) and the citation keys (all in `templates/references.yml`).
pub fn context(spec: &Spec) -> Value {
    let several = spec.outcomes.len() > 1;
    Method::ALL
        .iter()
        .filter_map(|&m| {
            let mut studies = Vec::new();
            let mut refs: Vec<&str> = Vec::new();
            for o in &spec.outcomes {
                let names: Vec<String> = o
                    .studies
                    .iter()
                    .filter(|s| {
                        o.conversions
                            .get(&s.name)
                            .is_some_and(|c| c.iter().any(|c| c.method == m))
                    })
                    .map(|s| s.name.clone())
                    .collect();
                if names.is_empty() {
                    continue;
                }
                let list = and_list(&names);
                studies.push(if several {
                    format!("{list} in {}", crate::report::format::title_in_text(&o.title))
                } else {
                    list
                });
                for r in citations(m, o) {
                    if !refs.contains(&r) {
                        refs.push(r);
                    }
                }
            }
            (!studies.is_empty()).then(|| {
                json!({"method": m.code(), "text": m.describe(), "studies": and_list(&studies), "refs": refs})
            })
        })
        .collect()
}

/// The works a conversion follows, as the outcome's settings chose them.
fn citations(m: Method, o: &crate::spec::Outcome) -> Vec<&'static str> {
    match m {
        Method::Fivenum => {
            let f = o.conversion_settings.fivenum;
            let mut r = vec![match f.mean {
                MeanMethod::LuoWanShi => "luo2018",
                MeanMethod::Wan2014 => "wan2014",
                MeanMethod::Hozo2005 => "hozo2005",
                MeanMethod::Bland2015 => "bland2015",
            }];
            match f.sd {
                SdMethod::LuoWanShi => r.extend(["wan2014", "shi2020"]),
                SdMethod::Shi2020 => r.push("shi2020"),
                SdMethod::Wan2014 => r.push("wan2014"),
                SdMethod::Hozo2005 => r.push("hozo2005"),
                SdMethod::Bland2015 => r.push("bland2015"),
            }
            if f.test {
                r.push("shi2023");
            }
            r.dedup();
            r
        }
        Method::HrFromOMinusE | Method::HrFromLogrankP => vec!["tierney2007"],
        _ => vec!["cochrane6"],
    }
}
