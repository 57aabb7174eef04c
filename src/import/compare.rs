//! RevMan's stored results beside metareport's: every pooled number RevMan wrote into the file
//! (estimate and CI, Z and its p-value, χ², df, its p-value, I², τ², each study's weight; per
//! subgroup and for the test of subgroup differences) against the same number from
//! metareport's analysis of the imported project.
//!
//! Tolerances: numbers stored at full precision (`.rm5`) agree when they differ by at most
//! 1e-9 × max(1, |RevMan's value|); numbers a data package rounds agree when they differ by at
//! most half a unit in the last decimal written. RevMan's χ² p-values are not exact: for
//! Fleiss 1993 its P_CHI2 0.1269422521561745 differs from the χ² tail (R's `pchisq`, 0.1269421779062949)
//! by 7.4e-8. A p-value within 1e-6 of the exact tail, whose test statistic agrees, is reported as
//! "RevMan's p-value approximation", counted apart from agreements and from differences.

use std::fmt::Write as _;

use super::model::*;
use super::write::Generated;
use crate::spec::Spec;
use crate::stats::analysis::{Analysis, Pool};
use crate::stats::{Computed, Measure};

/// How a number compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Agrees,
    /// A p-value off by more than the tolerance but less than 1e-6: RevMan's approximation.
    PValueApproximation,
    Differs,
}

impl Verdict {
    fn word(self) -> &'static str {
        match self {
            Verdict::Agrees => "agrees",
            Verdict::PValueApproximation => "RevMan's p-value approximation",
            Verdict::Differs => "**differs**",
        }
    }
}

/// One number compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// What it is ("OR", "CI start", "P (χ²)", "weight of ISIS-2", "subgroup A: I²").
    pub what: String,
    pub revman: f64,
    pub metareport: f64,
    pub verdict: Verdict,
}

impl Line {
    pub fn difference(&self) -> f64 {
        (self.metareport - self.revman).abs()
    }
}

/// The comparison of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisCheck {
    /// RevMan's number ("1.1").
    pub number: String,
    pub title: String,
    pub outcome: String,
    pub lines: Vec<Line>,
    /// Why numbers are missing or expected to differ.
    pub notes: Vec<String>,
}

impl AnalysisCheck {
    pub fn count(&self, v: Verdict) -> usize {
        self.lines.iter().filter(|l| l.verdict == v).count()
    }
}

/// The comparison of every imported analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub source: String,
    pub format: String,
    pub analyses: Vec<AnalysisCheck>,
}

impl Check {
    /// Numbers compared in all.
    pub fn total(&self) -> usize {
        self.analyses.iter().map(|a| a.lines.len()).sum()
    }

    pub fn count(&self, v: Verdict) -> usize {
        self.analyses.iter().map(|a| a.count(v)).sum()
    }
}

/// Compares the stored results of every imported analysis with metareport's.
pub fn compare(
    review: &Review,
    generated: &Generated,
    spec: &Spec,
    analyses: &[Analysis],
) -> Check {
    let mut out = Vec::new();
    for g in &generated.outcomes {
        let a = &review.analyses[g.analysis];
        let Some(pos) = spec.outcomes.iter().position(|o| o.id == g.id) else {
            continue;
        };
        let Some(an) = analyses.get(pos) else {
            continue;
        };
        out.push(compare_one(a, g, an));
    }
    Check {
        source: review.source.clone(),
        format: review.format.describe(),
        analyses: out,
    }
}

struct Ctx<'a> {
    a: &'a RevAnalysis,
    measure: Measure,
    lines: Vec<Line>,
}

impl Ctx<'_> {
    /// Presentation scale as RevMan shows it.
    fn present(&self, x: f64) -> f64 {
        if self.measure.is_ratio()
            || (self.measure == Measure::GEN && self.a.log_scale == Some(true))
        {
            x.exp()
        } else {
            x
        }
    }

    /// Compares one number. `p_of` is, for a p-value, the verdict on its test statistic: a
    /// p-value is put down to RevMan's approximation only when the statistic agrees.
    fn push(
        &mut self,
        what: String,
        stored: Option<Num>,
        ours: Option<f64>,
        p_of: Option<Option<Verdict>>,
    ) -> Option<Verdict> {
        let (Some(s), Some(m)) = (stored, ours) else {
            return None;
        };
        let d = (m - s.value).abs();
        let tol = match s.decimals {
            Some(dec) => 0.5 * 10f64.powi(-(dec as i32)) * (1.0 + 1e-9) + 1e-12,
            None => 1e-9 * s.value.abs().max(1.0),
        };
        let statistic_agrees = p_of == Some(Some(Verdict::Agrees));
        let verdict = if d <= tol {
            Verdict::Agrees
        } else if statistic_agrees && s.decimals.is_none() && d <= 1e-6 {
            Verdict::PValueApproximation
        } else {
            Verdict::Differs
        };
        self.lines.push(Line {
            what,
            revman: s.value,
            metareport: m,
            verdict,
        });
        Some(verdict)
    }

    fn pool(&mut self, prefix: &str, stored: &Stored, pool: &Pool) {
        let label = self.measure.abbreviation();
        if let Computed::Value(p) = &pool.pooled {
            let (e, lo, hi) = (
                self.present(p.estimate),
                self.present(p.ci_lower),
                self.present(p.ci_upper),
            );
            self.push(format!("{prefix}{label}"), stored.effect, Some(e), None);
            self.push(format!("{prefix}CI start"), stored.ci_start, Some(lo), None);
            self.push(format!("{prefix}CI end"), stored.ci_end, Some(hi), None);
            let z = self.push(
                format!("{prefix}Z"),
                stored.z,
                Some(p.statistic.abs()),
                None,
            );
            self.push(format!("{prefix}P (Z)"), stored.p_z, Some(p.p), Some(z));
        }
        if let Computed::Value(h) = &pool.heterogeneity {
            let q = self.push(format!("{prefix}χ²"), stored.chi2, Some(h.q), None);
            self.push(format!("{prefix}df"), stored.df, Some(h.df as f64), None);
            self.push(format!("{prefix}P (χ²)"), stored.p_chi2, Some(h.p), Some(q));
            self.push(format!("{prefix}I²"), stored.i2, Some(h.i2), None);
            self.push(format!("{prefix}τ²"), stored.tau2, Some(h.tau2), None);
        }
    }
}

fn compare_one(
    a: &RevAnalysis,
    g: &super::write::GeneratedOutcome,
    an: &Analysis,
) -> AnalysisCheck {
    let mut notes = Vec::new();
    let mut c = Ctx {
        a,
        measure: an.measure,
        lines: Vec::new(),
    };
    if a.stored.is_empty() {
        notes.push(if a.stored.effect.is_some() {
            "RevMan stored zeros for the pooled result (it did not compute it): nothing to compare"
                .to_string()
        } else {
            "RevMan stored no pooled result for this analysis: nothing to compare".to_string()
        });
    } else {
        c.pool("", &a.stored, &an.overall);
    }
    // Study weights: RevMan's are percentages of the total (of the subtotal when it shows
    // subtotals only).
    let subtotals_only = a.totals.as_deref() == Some("SUB");
    let weight_of = |input: usize| -> Option<f64> {
        let pos = an.studies.iter().position(|s| s.input == input)?;
        if subtotals_only && let Some(sg) = &an.subgroups {
            for group in &sg.groups {
                if let Some(k) = group.studies.iter().position(|&s| s == pos) {
                    return group.pool.weights_pct.as_ref().map(|w| w[k]);
                }
            }
        }
        an.weight_pct(pos)
    };
    if !a.stored.is_empty() {
        for (row, label) in &g.labels {
            let Some(input) = an.inputs.iter().position(|s| &s.name == label) else {
                continue;
            };
            let stored = a.rows[*row].weight;
            if stored.is_some_and(|w| w.value == 0.0) && an.studies.iter().all(|s| s.input != input)
            {
                continue; // not estimable in RevMan, excluded in metareport
            }
            c.push(format!("weight of {label}"), stored, weight_of(input), None);
        }
    }
    if let Some(sg) = &an.subgroups {
        for s in &a.subgroups {
            let Some(group) = sg.groups.iter().find(|x| x.name == s.name) else {
                continue;
            };
            if s.stored.is_empty() {
                continue;
            }
            c.pool(&format!("{}: ", s.name), &s.stored, &group.pool);
        }
        if let Computed::Value(d) = &sg.difference {
            let i2 = if d.q > 0.0 {
                (100.0 * (d.q - d.df as f64) / d.q).max(0.0)
            } else {
                0.0
            };
            let sd = &a.stored_difference;
            let all_zero = [sd.chi2, sd.p, sd.i2]
                .iter()
                .all(|x| x.is_none_or(|n| n.value == 0.0));
            if !all_zero {
                let q = c.push("subgroup differences: χ²".into(), sd.chi2, Some(d.q), None);
                let df = Some(d.df as f64);
                c.push("subgroup differences: df".into(), sd.df, df, None);
                c.push("subgroup differences: P".into(), sd.p, Some(d.p), Some(q));
                c.push("subgroup differences: I²".into(), sd.i2, Some(i2), None);
            }
        }
    }
    if an.measure == Measure::SMD && c.lines.iter().any(|l| l.verdict == Verdict::Differs) {
        notes.push("RevMan 5 computes Hedges' g with the approximate correction 1 − 3/(4N − 9) and the variance N/(n₁n₂) + g²/(2(N − 3.94)); with `model: smd: exact` metareport uses the exact correction and metafor's variance 1/n₁ + 1/n₂ + g²/(2N) (`preset: revman5` sets `smd: revman`, RevMan's formulas). Differences of this kind are expected for SMD under `smd: exact`.".into());
    }
    if !an.excluded.is_empty() {
        notes.push(format!(
            "metareport left out {}",
            an.excluded
                .iter()
                .map(|e| format!("{} ({})", e.study, e.reason))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    AnalysisCheck {
        number: a.number(),
        title: a.name.clone(),
        outcome: g.id.clone(),
        lines: c.lines,
        notes,
    }
}

fn num(x: f64) -> String {
    format!("{x}")
}

/// The check as Markdown (`import-check.md`).
pub fn markdown(check: &Check) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Import check: RevMan's stored results beside metareport's\n"
    );
    let _ = writeln!(s, "Source: `{}` ({}).\n", check.source, check.format);
    let _ = writeln!(
        s,
        "Numbers RevMan stored at full precision agree when they differ by at most 1e-9 × max(1, |value|); \
         numbers a data package rounds agree when they differ by at most half a unit in the last decimal written. \
         RevMan's χ² p-values are not the exact χ² tail (Fleiss 1993: RevMan 0.1269422521561745 for χ² = 9.946055983220074 \
         on 6 df, the χ² distribution 0.1269421779062949, 7.4e-8 apart); a p-value within 1e-6 of metareport's whose \
         test statistic agrees is marked \"RevMan's p-value approximation\". Z is |z|; I² is in percent; \
         ratios are on the ratio scale.\n"
    );
    let _ = writeln!(
        s,
        "In all: {} numbers compared, {} agree, {} differ by RevMan's p-value approximation, {} differ.\n",
        check.total(),
        check.count(Verdict::Agrees),
        check.count(Verdict::PValueApproximation),
        check.count(Verdict::Differs)
    );
    for a in &check.analyses {
        let _ = writeln!(
            s,
            "## Analysis {}: {} (outcome `{}`)\n",
            a.number,
            a.title.replace('\n', " "),
            a.outcome
        );
        for n in &a.notes {
            let _ = writeln!(s, "- {n}");
        }
        if !a.notes.is_empty() {
            let _ = writeln!(s);
        }
        if a.lines.is_empty() {
            continue;
        }
        let _ = writeln!(s, "| | RevMan | metareport | difference | |");
        let _ = writeln!(s, "|---|---:|---:|---:|---|");
        for l in &a.lines {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:.1e} | {} |",
                l.what.replace('|', "\\|"),
                num(l.revman),
                num(l.metareport),
                l.difference(),
                l.verdict.word()
            );
        }
        let _ = writeln!(s);
    }
    s
}

/// A few lines for the console: per analysis, the counts and every number that does not agree.
pub fn summary(check: &Check) -> String {
    let mut s = String::new();
    for a in &check.analyses {
        let _ = write!(s, "  {} {}: ", a.number, a.title);
        if a.lines.is_empty() {
            let _ = writeln!(
                s,
                "{}",
                a.notes.first().map_or("nothing to compare", String::as_str)
            );
            continue;
        }
        let _ = write!(
            s,
            "{} of {} numbers agree",
            a.count(Verdict::Agrees),
            a.lines.len()
        );
        let approx = a.count(Verdict::PValueApproximation);
        if approx > 0 {
            let _ = write!(s, ", {approx} p-value(s) off by RevMan's approximation");
        }
        let differ = a.count(Verdict::Differs);
        if differ > 0 {
            let _ = write!(s, ", {differ} DIFFER");
        }
        let _ = writeln!(s);
        for l in a.lines.iter().filter(|l| l.verdict != Verdict::Agrees) {
            let _ = writeln!(
                s,
                "      {}: RevMan {}, metareport {} (difference {:.1e}; {})",
                l.what,
                num(l.revman),
                num(l.metareport),
                l.difference(),
                l.verdict.word().trim_matches('*')
            );
        }
    }
    s
}
