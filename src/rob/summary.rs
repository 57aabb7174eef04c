//! Per-domain counts of an appraisal (through `stats::risk_of_bias::tally`), the studies'
//! weights for a weighted summary, and the appraisal's part of `results.json`.

use serde_json::{Value, json};

use super::{Level, RiskOfBias, Weights};
use crate::spec::{Outcome, Spec};
use crate::stats::analysis::Analysis;
use crate::stats::risk_of_bias::{Tally, tally};

/// One column (a domain, or Overall) of the summary: each judgement's count and share.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSummary {
    pub code: String,
    pub name: String,
    /// Every category of [`RiskOfBias::categories`] with its tally.
    pub counts: Vec<(Level, Tally)>,
}

impl RiskOfBias {
    /// The judgements a summary counts: the tool's scale, its overall scale, No information,
    /// Not applicable (least severe first).
    pub fn categories(&self) -> Vec<Level> {
        let mut all: Vec<Level> = self.levels.clone();
        for l in &self.overall_levels {
            if !all.contains(l) {
                all.push(*l);
            }
        }
        all.push(Level::NoInformation);
        all.push(Level::NotApplicable);
        all
    }

    /// The counts per column of judgements (judged tools; for the Newcastle–Ottawa Scale,
    /// the AHRQ rating when there is one), weighted when `weights` are given (one per study,
    /// in table order).
    pub fn summary(&self, weights: Option<&[f64]>) -> Vec<ColumnSummary> {
        let cats = self.categories();
        let index = |l: Level| cats.iter().position(|c| *c == l).unwrap_or(cats.len());
        let rows: Vec<Vec<Level>> = if self.is_stars() {
            self.studies
                .iter()
                .filter_map(|a| a.overall.map(|o| vec![o]))
                .collect()
        } else {
            self.studies.iter().map(|a| self.row(a)).collect()
        };
        let columns: Vec<(String, String)> = if self.is_stars() {
            if self.has_overall {
                vec![("Overall".into(), "AHRQ quality rating".into())]
            } else {
                Vec::new()
            }
        } else {
            self.columns()
        };
        columns
            .into_iter()
            .enumerate()
            .map(|(ci, (code, name))| {
                let c: Vec<usize> = rows.iter().map(|r| index(r[ci])).collect();
                let t = tally(&c, cats.len(), weights);
                ColumnSummary {
                    code,
                    name,
                    counts: cats.iter().copied().zip(t).collect(),
                }
            })
            .collect()
    }

    /// The studies' weights for a weighted summary, in table order: the table's `Weight`
    /// column, or each study's weight (%) in an outcome's pooled estimate (0 for a study not
    /// pooled in it); `None` when unweighted or when that outcome has no weights.
    pub fn study_weights(&self, outcomes: &[Outcome], analyses: &[Analysis]) -> Option<Vec<f64>> {
        match &self.weights {
            Weights::None => None,
            Weights::Column => Some(
                self.studies
                    .iter()
                    .map(|a| a.weight.unwrap_or(0.0))
                    .collect(),
            ),
            Weights::Outcome(id) => {
                let k = outcomes.iter().position(|o| &o.id == id)?;
                let a = analyses.get(k)?;
                let w = a.overall.weights_pct.as_ref()?;
                let by_name: std::collections::BTreeMap<&str, f64> = a
                    .studies
                    .iter()
                    .zip(w)
                    .map(|(st, w)| (a.name(st), *w))
                    .collect();
                Some(
                    self.studies
                        .iter()
                        .map(|s| by_name.get(s.study.as_str()).copied().unwrap_or(0.0))
                        .collect(),
                )
            }
        }
    }

    /// The appraisal in `results.json`: tool, domains, every study's judgements (or stars),
    /// and the counts per column, unweighted and weighted.
    pub fn json(&self, outcomes: &[Outcome], analyses: &[Analysis]) -> Value {
        let weights = self.study_weights(outcomes, analyses);
        let studies: Vec<Value> = self
            .studies
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut m = serde_json::Map::new();
                m.insert("study".into(), json!(a.study));
                if self.is_stars() {
                    m.insert(
                        "stars".into(),
                        self.domains
                            .iter()
                            .zip(&a.stars)
                            .map(|(d, s)| (d.code.clone(), json!(s)))
                            .collect(),
                    );
                    m.insert("total".into(), json!(a.total()));
                } else {
                    m.insert(
                        "judgements".into(),
                        self.domains
                            .iter()
                            .zip(&a.judgements)
                            .map(|(d, l)| (d.code.clone(), json!(l)))
                            .collect(),
                    );
                }
                m.insert("overall".into(), json!(a.overall));
                m.insert("weight".into(), json!(weights.as_ref().map(|w| w[i])));
                Value::Object(m)
            })
            .collect();
        let summary: Vec<Value> = self
            .summary(weights.as_deref())
            .into_iter()
            .map(|c| {
                json!({
                    "column": c.code,
                    "name": c.name,
                    "counts": c.counts.iter().filter(|(_, t)| t.n > 0).map(|(l, t)| json!({
                        "judgement": l,
                        "n": t.n,
                        "share": t.share,
                        "weight": t.weight,
                        "weighted_share": t.weighted_share,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let star_counts: Value = if self.is_stars() {
            self.domains
                .iter()
                .enumerate()
                .map(|(di, d)| {
                    let c: Vec<usize> = self.studies.iter().map(|a| usize::from(a.stars[di])).collect();
                    let t = tally(&c, usize::from(d.max_stars) + 1, None);
                    json!({"item": d.code, "name": d.name, "studies_by_stars": t.iter().map(|x| x.n).collect::<Vec<_>>()})
                })
                .collect()
        } else {
            Value::Null
        };
        json!({
            "tool": super::tools::spec_name(self.tool),
            "tool_name": self.tool_name,
            "reference": self.reference,
            "data_file": self.data_file,
            "domains": self.domains.iter().map(|d| json!({"code": d.code, "name": d.name, "group": d.group, "max_stars": (d.max_stars > 0).then_some(d.max_stars)})).collect::<Vec<_>>(),
            "weights": self.weights,
            "studies": studies,
            "summary": summary,
            "stars_per_item": star_counts,
            "max_total": self.is_stars().then(|| self.max_total()),
            "ahrq": self.ahrq,
        })
    }
}

/// The appraisals of a review in `results.json`: the review's, and each outcome's own.
pub fn results_json(spec: &Spec, analyses: &[Analysis]) -> Value {
    let own: serde_json::Map<String, Value> = spec
        .outcomes
        .iter()
        .filter_map(|o| {
            o.risk_of_bias
                .as_ref()
                .filter(|r| r.outcome.is_some())
                .map(|r| (o.id.clone(), r.json(&spec.outcomes, analyses)))
        })
        .collect();
    if spec.risk_of_bias.is_none() && own.is_empty() {
        return Value::Null;
    }
    json!({
        "review": spec.risk_of_bias.as_ref().map(|r| r.json(&spec.outcomes, analyses)),
        "outcomes": own,
    })
}

/// Every note of a review's appraisals (file:line: message), once each.
pub fn warnings(spec: &Spec) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    let all = spec.risk_of_bias.iter().chain(
        spec.outcomes
            .iter()
            .filter_map(|o| o.risk_of_bias.as_ref().filter(|r| r.outcome.is_some())),
    );
    for r in all {
        for w in &r.warnings {
            if !v.contains(w) {
                v.push(w.clone());
            }
        }
    }
    v
}
