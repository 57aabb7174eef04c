//! How many studies and participants an outcome (or one of its subgroups) has: the one rule
//! every count in the manuscript follows — the results prose, the summary table, the subgroup
//! counts — so that the text, the tables and the forest plot cannot disagree.
//!
//! The rule (RevMan's, and the Cochrane Handbook's): a study *reported the outcome* when it
//! has data for it. It either *contributed* to the pooled estimate, or it was *not estimable*
//! — a study without events in either group (or with events in every participant of both
//! groups) carries no information on a ratio scale, and a zero cell without continuity
//! correction gives no estimate; RevMan lists such a study as "Not estimable" and counts it
//! and its participants in the totals. Participants are counted over every study that
//! reported the outcome. So: reported = contributed + not estimable.
//!
//! A third category, studies that *did not report the outcome* (their outcome cells are
//! empty or `NA`), is counted apart, in `no_data`: they are listed in the forest plot but are
//! not among the studies that reported the outcome, and their participants are not counted.

use serde::Serialize;

use crate::stats::analysis::{Analysis, SubgroupResult};
use crate::stats::{StudyData, effect};

/// Why a study that reported the outcome gave no estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotEstimableWhy {
    /// No events in either group.
    NoEvents,
    /// Events in every participant of both groups.
    AllEvents,
    /// Anything else the analysis gave as the reason (a zero cell without continuity
    /// correction, a zero variance).
    Other,
}

/// A study that reported the outcome but did not contribute to the pooled estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotEstimable {
    /// Position among the analysis's inputs.
    pub input: usize,
    pub study: String,
    pub why: NotEstimableWhy,
    /// The analysis's own words.
    pub reason: String,
}

/// The counts of one set of studies (an outcome, or a subgroup of it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counts {
    /// Studies that contributed to the pooled estimate.
    pub contributed: usize,
    /// Studies that reported the outcome but gave no estimate, in input order.
    pub not_estimable: Vec<NotEstimable>,
    /// Participants of every study that reported the outcome; `None` when the data do not
    /// give group sizes (estimates with CIs, yi/vi).
    pub participants: Option<f64>,
    /// Studies that did not report the outcome (no data): listed, not counted in
    /// `reported()`, in input order.
    pub no_data: Vec<String>,
}

impl Counts {
    /// Studies that reported the outcome: contributed + not estimable.
    pub fn reported(&self) -> usize {
        self.contributed + self.not_estimable.len()
    }

    /// The counts of a whole outcome.
    pub fn overall(a: &Analysis) -> Counts {
        Counts::of(a, a.studies.iter().map(|s| s.input).collect(), None)
    }

    /// The counts of one subgroup: its included studies and its studies not estimable.
    pub fn subgroup(a: &Analysis, g: &SubgroupResult) -> Counts {
        let inputs = g.studies.iter().map(|&i| a.studies[i].input).collect();
        Counts::of(a, inputs, Some(g.name.as_str()))
    }

    fn of(a: &Analysis, contributing: Vec<usize>, subgroup: Option<&str>) -> Counts {
        let not_estimable: Vec<NotEstimable> = a
            .excluded
            .iter()
            .filter(|e| subgroup.is_none() || a.inputs[e.input].subgroup.as_deref() == subgroup)
            .map(|e| {
                let data = &a.inputs[e.input].data;
                let why = match *data {
                    StudyData::Binary {
                        events_t, events_c, ..
                    } if effect::is_double_zero(data) => {
                        if events_t == 0.0 && events_c == 0.0 {
                            NotEstimableWhy::NoEvents
                        } else {
                            NotEstimableWhy::AllEvents
                        }
                    }
                    _ => NotEstimableWhy::Other,
                };
                NotEstimable {
                    input: e.input,
                    study: e.study.clone(),
                    why,
                    reason: e.reason.clone(),
                }
            })
            .collect();
        let mut participants = Some(0.0);
        for i in contributing
            .iter()
            .copied()
            .chain(not_estimable.iter().map(|n| n.input))
        {
            participants = match (participants, a.inputs[i].data.participants()) {
                (Some(n), Some((t, c))) => Some(n + t + c),
                _ => None,
            };
        }
        Counts {
            contributed: contributing.len(),
            not_estimable,
            participants,
            no_data: a
                .missing_in(subgroup)
                .map(|(_, m)| m.study.clone())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Measure, Options, StudyInput, analyse};

    fn study(name: &str, group: &str, e1: f64, n1: f64, e2: f64, n2: f64) -> StudyInput {
        StudyInput {
            name: name.into(),
            subgroup: Some(group.into()),
            data: StudyData::Binary {
                events_t: e1,
                total_t: n1,
                events_c: e2,
                total_c: n2,
            },
        }
    }

    #[test]
    fn studies_without_events_in_either_group_reported_the_outcome_but_did_not_contribute() {
        let a = analyse(
            vec![
                study("A", "x", 3.0, 50.0, 9.0, 51.0),
                study("B", "x", 0.0, 20.0, 0.0, 22.0),
                study("C", "y", 7.0, 80.0, 12.0, 77.0),
                study("D", "y", 10.0, 10.0, 12.0, 12.0),
                study("E", "y", 5.0, 60.0, 6.0, 64.0),
            ],
            &Options::new(Measure::OR),
        )
        .unwrap();
        let c = Counts::overall(&a);
        assert_eq!((c.reported(), c.contributed), (5, 3));
        assert_eq!(c.participants, Some(446.0));
        let why: Vec<_> = c
            .not_estimable
            .iter()
            .map(|n| (n.study.as_str(), n.why.clone()))
            .collect();
        assert_eq!(
            why,
            [
                ("B", NotEstimableWhy::NoEvents),
                ("D", NotEstimableWhy::AllEvents)
            ]
        );
        let sg = a.subgroups.as_ref().unwrap();
        let x = Counts::subgroup(&a, &sg.groups[0]);
        let y = Counts::subgroup(&a, &sg.groups[1]);
        assert_eq!(
            (x.reported(), x.contributed, x.participants),
            (2, 1, Some(143.0))
        );
        assert_eq!((y.reported(), y.contributed), (3, 2));
        assert_eq!(x.reported() + y.reported(), c.reported());
    }
}
