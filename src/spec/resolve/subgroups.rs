//! An outcome's `subgroups:`: the subgroups checked and the studies ordered by them.

use super::Resolver;
use crate::diag::did_you_mean;
use crate::spec::raw::RawOutcome;
use crate::stats::StudyInput;
use crate::stats::analysis::Options;

/// Sets the subgroup options and orders the studies (and their lines) by subgroup; returns
/// what the subgroups are called in the text.
pub(super) fn subgroups(
    r: &mut Resolver<'_>,
    path: &str,
    o: &RawOutcome,
    options: &mut Options,
    studies: &mut Vec<StudyInput>,
    lines: &mut Vec<usize>,
) -> Option<String> {
    let mut subgroup_label = None;
    if let Some(sg) = &o.subgroups {
        options.common_tau2 = sg.common_tau2.unwrap_or(false);
        subgroup_label = sg.label.clone().or_else(|| {
            Some(
                sg.column
                    .as_deref()
                    .map_or("risk of bias".into(), |c| c.replace('_', " ")),
            )
        });
        let present: Vec<String> = {
            let mut v: Vec<String> = Vec::new();
            for s in studies.iter() {
                let g = s.subgroup.clone().unwrap_or_default();
                if !v.contains(&g) {
                    v.push(g);
                }
            }
            v
        };
        if let Some(order) = &sg.order {
            for (i, g) in order.iter().enumerate() {
                if !present.contains(g) {
                    let hint = did_you_mean(g, present.iter().map(String::as_str))
                        .map(|m| format!("did you mean `{m}`?"));
                    r.error(
                        &format!("{path}.subgroups.order[{i}]"),
                        format!(
                            "no study is in subgroup \"{g}\" (subgroups: {})",
                            present.join(", ")
                        ),
                        hint,
                    );
                }
            }
            let rank = |g: &str| {
                order
                    .iter()
                    .position(|x| x == g)
                    .unwrap_or(order.len() + present.iter().position(|x| x == g).unwrap_or(0))
            };
            sort_with_lines(studies, lines, rank);
        } else {
            let rank = |g: &str| present.iter().position(|x| x == g).unwrap_or(0);
            sort_with_lines(studies, lines, rank);
        }
    }
    subgroup_label
}

/// Sorts studies stably by subgroup rank, keeping their source lines alongside.
fn sort_with_lines(
    studies: &mut Vec<StudyInput>,
    lines: &mut Vec<usize>,
    rank: impl Fn(&str) -> usize,
) {
    let mut pairs: Vec<(StudyInput, usize)> = std::mem::take(studies)
        .into_iter()
        .zip(std::mem::take(lines))
        .collect();
    pairs.sort_by_key(|(s, _)| rank(s.subgroup.as_deref().unwrap_or_default()));
    (*studies, *lines) = pairs.into_iter().unzip();
}
