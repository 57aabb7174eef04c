//! Filling a study row's missing values from what the paper reported instead, per row and per
//! arm, chosen by the cells present (the statistics are in `crate::stats::convert`).
//!
//! For continuous data (arm `x` = `t` or `c`), when `mean_x` or `sd_x` is empty or absent:
//! the arm from two subgroups (`n_x1, mean_x1, sd_x1, n_x2, mean_x2, sd_x2`); the SD from
//! `se_x`, from `ci_lower_x, ci_upper_x` (a 95% CI of the mean), or from the study's
//! `t_value` / `p_value` of the two-group comparison; the mean and/or SD from `median_x` with
//! `q1_x, q3_x` and/or `min_x, max_x`. For an estimate with its CI (hazard ratios), when
//! `estimate, lower, upper` are empty or absent: `o_minus_e, v`, or `logrank_p, events, n_t,
//! n_c, direction`. A two-sided p-value has no sign; Tierney et al. (2007) take it from which
//! arm had more events than expected: `direction` is the sign of O − E in the experimental
//! arm, `O<E` (fewer events than expected there: HR < 1) or `O>E` (HR > 1); `<1` and `>1`
//! (the side of 1 the hazard ratio lies on) say the same. An empty `direction` is an error.

use std::collections::BTreeMap;

use super::bind::{InputKind, column_for};
use super::table::{Cell, Row, Table};
use crate::stats::convert::{Conversion, Method, combine, fivenum, hazard, sd};
use crate::stats::{Measure, StudyData};

/// The standard names of the columns conversions read.
pub const COLUMNS: [&str; 35] = [
    "median_t",
    "q1_t",
    "q3_t",
    "min_t",
    "max_t",
    "median_c",
    "q1_c",
    "q3_c",
    "min_c",
    "max_c",
    "se_t",
    "se_c",
    "ci_lower_t",
    "ci_upper_t",
    "ci_lower_c",
    "ci_upper_c",
    "n_t1",
    "mean_t1",
    "sd_t1",
    "n_t2",
    "mean_t2",
    "sd_t2",
    "n_c1",
    "mean_c1",
    "sd_c1",
    "n_c2",
    "mean_c2",
    "sd_c2",
    "t_value",
    "p_value",
    "o_minus_e",
    "v",
    "logrank_p",
    "events",
    "direction",
];

/// How conversions are done for an outcome.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Settings {
    pub fivenum: fivenum::Settings,
    /// The outcome's measure (O − E and log-rank conversions give log hazard ratios).
    pub measure: Measure,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            fivenum: fivenum::Settings::default(),
            measure: Measure::HR,
        }
    }
}

/// Does the table have columns from which `kind`'s missing values could be converted (for
/// continuous data: for at least one arm)?
pub fn has_sources(table: &Table, kind: InputKind, map: &BTreeMap<String, String>) -> bool {
    let has = |c: &str| table.column(column_for(c, map)).is_some();
    match kind {
        InputKind::Continuous => ["t", "c"].iter().any(|x| {
            has(&format!("n_{x}"))
                && (has(&format!("median_{x}"))
                    || has(&format!("se_{x}"))
                    || has(&format!("ci_lower_{x}"))
                    || has("t_value")
                    || has("p_value"))
                || has(&format!("n_{x}1"))
        }),
        InputKind::EstimateCi => has("o_minus_e") || has("logrank_p"),
        _ => false,
    }
}

/// A problem with one row's conversion: the column at fault (if any) and the message.
pub type RowError = (Option<usize>, String);

/// One row's cells by standard name.
struct Cells<'a> {
    table: &'a Table,
    row: &'a Row,
    map: &'a BTreeMap<String, String>,
    errors: Vec<RowError>,
}

impl Cells<'_> {
    fn col(&self, name: &str) -> Option<usize> {
        self.table.column(column_for(name, self.map))
    }

    /// The number in a cell; `None` when the column is absent or the cell empty (a text that
    /// is not a number is an error).
    fn get(&mut self, name: &str) -> Option<f64> {
        let c = self.col(name)?;
        match self.row.cells.get(c).unwrap_or(&Cell::Empty) {
            Cell::Empty => None,
            Cell::Text(t) if t.trim().is_empty() || t.trim().eq_ignore_ascii_case("NA") => None,
            cell => match cell.number() {
                Ok(x) => Some(x),
                Err(m) => {
                    self.errors.push((Some(c), m));
                    None
                }
            },
        }
    }

    fn text(&self, name: &str) -> Option<String> {
        let c = self.col(name)?;
        let t = self.row.cells.get(c).map(Cell::display).unwrap_or_default();
        let t = t.trim().to_string();
        (!t.is_empty()).then_some(t)
    }

    fn err(&mut self, name: &str, msg: String) {
        let c = self.col(name);
        self.errors.push((c, msg));
    }
}

/// Fills a row's values (`values[i]` for `kind.columns()[i]`, NaN where missing) by the
/// conversions its cells allow. Returns the study data and what was converted.
pub fn fill(
    table: &Table,
    row: &Row,
    map: &BTreeMap<String, String>,
    kind: InputKind,
    values: &[Option<f64>],
    set: &Settings,
) -> Result<(StudyData, Vec<Conversion>), Vec<RowError>> {
    let mut cells = Cells {
        table,
        row,
        map,
        errors: Vec::new(),
    };
    let mut done = Vec::new();
    let data = match kind {
        InputKind::Continuous => continuous(&mut cells, values, set, &mut done),
        InputKind::EstimateCi => hazard_ratio(&mut cells, set, &mut done),
        _ => None,
    };
    match data {
        Some(d) if cells.errors.is_empty() => Ok((d, done)),
        _ => {
            if cells.errors.is_empty() {
                cells.errors.push((None, "the values are missing".into()));
            }
            Err(cells.errors)
        }
    }
}

const ARMS: [&str; 2] = ["t", "c"];

fn continuous(
    c: &mut Cells<'_>,
    values: &[Option<f64>],
    set: &Settings,
    done: &mut Vec<Conversion>,
) -> Option<StudyData> {
    // values: mean_t, sd_t, n_t, mean_c, sd_c, n_c
    let mut arm = [
        [values[0], values[1], values[2]],
        [values[3], values[4], values[5]],
    ];
    for (a, x) in ARMS.iter().enumerate() {
        let [mean, sdv, n] = &mut arm[a];
        if mean.is_some() && sdv.is_some() && n.is_some() {
            continue;
        }
        // Two subgroups reported instead of the arm.
        let sub: Vec<Option<f64>> = ["n_{}1", "mean_{}1", "sd_{}1", "n_{}2", "mean_{}2", "sd_{}2"]
            .iter()
            .map(|p| c.get(&p.replace("{}", x)))
            .collect();
        if sub.iter().all(Option::is_some) && mean.is_none() && sdv.is_none() {
            let v: Vec<f64> = sub.iter().flatten().copied().collect();
            match combine::combine_groups(v[0], v[1], v[2], v[3], v[4], v[5]) {
                Some((nn, m, s)) => {
                    *n = Some(nn);
                    *mean = Some(m);
                    *sdv = Some(s);
                    done.push(conv(Method::CombinedSubgroups, Some(x), vec![arm_field("n", a), arm_field("mean", a), arm_field("sd", a)], None));
                }
                None => c.err(&format!("n_{x}1"), format!("arm {x}'s two subgroups cannot be combined: sizes must be at least 1 and SDs non-negative")),
            }
            continue;
        }
    }
    let mut arm_sd_from_study = false;
    for (a, x) in ARMS.iter().enumerate() {
        let [mean, sdv, n] = arm[a];
        let Some(nv) = n else {
            c.err(
                &format!("n_{x}"),
                format!(
                    "no `n_{x}` (the arm's size); it is needed for the arm and for any conversion"
                ),
            );
            continue;
        };
        let (mut mean, mut sdv) = (mean, sdv);
        if sdv.is_none() {
            if let Some(se) = c.get(&format!("se_{x}")) {
                match sd::sd_from_se(se, nv) {
                    Some(s) => {
                        sdv = Some(s);
                        done.push(conv(
                            Method::SdFromSe,
                            Some(x),
                            vec![arm_field("sd", a)],
                            None,
                        ));
                    }
                    None => c.err(
                        &format!("se_{x}"),
                        format!("`se_{x}` must be a non-negative number with `n_{x}` ≥ 1"),
                    ),
                }
            } else if let (Some(lo), Some(hi)) = (
                c.get(&format!("ci_lower_{x}")),
                c.get(&format!("ci_upper_{x}")),
            ) {
                match sd::sd_from_ci(lo, hi, nv) {
                    Some(s) => {
                        sdv = Some(s);
                        done.push(conv(
                            Method::SdFromCi,
                            Some(x),
                            vec![arm_field("sd", a)],
                            Some("95% CI, t with n − 1 df".into()),
                        ));
                    }
                    None => c.err(
                        &format!("ci_lower_{x}"),
                        format!(
                            "the 95% CI of arm {x}'s mean must have lower ≤ upper and `n_{x}` ≥ 2"
                        ),
                    ),
                }
            } else if c.col("t_value").is_some() || c.col("p_value").is_some() {
                arm_sd_from_study = true;
            }
        }
        if (mean.is_none() || sdv.is_none())
            && let Some(median) = c.get(&format!("median_{x}"))
        {
            {
                let s = fivenum::Summary {
                    min: c.get(&format!("min_{x}")),
                    q1: c.get(&format!("q1_{x}")),
                    median,
                    q3: c.get(&format!("q3_{x}")),
                    max: c.get(&format!("max_{x}")),
                    n: nv,
                };
                match fivenum::convert(&s, &set.fivenum) {
                    Ok(r) => {
                        let mut fields = Vec::new();
                        if mean.is_none() {
                            mean = Some(r.mean);
                            fields.push(arm_field("mean", a));
                        }
                        if sdv.is_none() {
                            sdv = Some(r.sd);
                            fields.push(arm_field("sd", a));
                        }
                        done.push(conv(
                            Method::Fivenum,
                            Some(x),
                            fields,
                            Some(fivenum_detail(&set.fivenum, r.case)),
                        ));
                    }
                    Err(e) => c.err(&format!("median_{x}"), fivenum_error(x, &e)),
                }
            }
        }
        arm[a] = [mean, sdv, Some(nv)];
    }
    if arm_sd_from_study && (arm[0][1].is_none() || arm[1][1].is_none()) {
        let (m1, m2, n1, n2) = (arm[0][0], arm[1][0], arm[0][2], arm[1][2]);
        if let (Some(m1), Some(m2), Some(n1), Some(n2)) = (m1, m2, n1, n2) {
            let (s, method, col) = if let Some(t) = c.get("t_value") {
                (sd::sd_from_t(m1, m2, t, n1, n2), Method::SdFromT, "t_value")
            } else if let Some(p) = c.get("p_value") {
                (sd::sd_from_p(m1, m2, p, n1, n2), Method::SdFromP, "p_value")
            } else {
                (None, Method::SdFromT, "")
            };
            match s {
                Some(s) => {
                    for (a, x) in ARMS.iter().enumerate() {
                        if arm[a][1].is_none() {
                            arm[a][1] = Some(s);
                            done.push(conv(method, Some(x), vec![arm_field("sd", a)], Some("pooled SD of the two groups".into())));
                        }
                    }
                }
                None if !col.is_empty() => c.err(col, format!("`{col}` cannot give an SD: it needs means that differ, a t ≠ 0 or 0 < p < 1, and arm sizes")),
                None => {}
            }
        }
    }
    for (a, x) in ARMS.iter().enumerate() {
        if arm[a][0].is_none() {
            c.err(&format!("mean_{x}"), format!("no mean for arm {x}: give `mean_{x}`, or `median_{x}` with `q1_{x}`/`q3_{x}` and/or `min_{x}`/`max_{x}`, or the two subgroups `n_{x}1, mean_{x}1, sd_{x}1, n_{x}2, mean_{x}2, sd_{x}2`"));
        } else if arm[a][1].is_none() {
            c.err(&format!("sd_{x}"), format!("no SD for arm {x}: give `sd_{x}`, or `se_{x}`, or `ci_lower_{x}` and `ci_upper_{x}` (95% CI of the mean), or `t_value`/`p_value` of the comparison, or the median with `q1_{x}`/`q3_{x}` and/or `min_{x}`/`max_{x}`"));
        }
    }
    let v: Vec<f64> = arm
        .iter()
        .flatten()
        .map(|x| x.unwrap_or(f64::NAN))
        .collect();
    if v.iter().any(|x| x.is_nan()) {
        return None;
    }
    Some(StudyData::Continuous {
        mean_t: v[0],
        sd_t: v[1],
        n_t: v[2],
        mean_c: v[3],
        sd_c: v[4],
        n_c: v[5],
    })
}

fn hazard_ratio(
    c: &mut Cells<'_>,
    set: &Settings,
    done: &mut Vec<Conversion>,
) -> Option<StudyData> {
    let oe = c.get("o_minus_e");
    let v = c.get("v");
    let p = c.get("logrank_p");
    let uses = if oe.is_some() || v.is_some() {
        "`o_minus_e` and `v`"
    } else {
        "`logrank_p`"
    };
    if (oe.is_some() || v.is_some() || p.is_some()) && set.measure != Measure::HR {
        c.err(
            if p.is_some() {
                "logrank_p"
            } else {
                "o_minus_e"
            },
            format!(
                "{uses} give a log hazard ratio, but the outcome's measure is {}",
                set.measure.code()
            ),
        );
        return None;
    }
    if oe.is_some() || v.is_some() {
        let (Some(oe), Some(v)) = (oe, v) else {
            c.err(
                if oe.is_none() { "o_minus_e" } else { "v" },
                "`o_minus_e` and `v` go together: one of them is empty".into(),
            );
            return None;
        };
        return match hazard::from_o_minus_e(oe, v) {
            Some((yi, se)) => {
                done.push(conv(Method::HrFromOMinusE, None, vec!["yi", "se"], None));
                Some(StudyData::YiSe { yi, se })
            }
            None => {
                c.err("v", format!("`v` must be a positive number, found {v}"));
                None
            }
        };
    }
    if let Some(p) = p {
        let events = c.get("events");
        let (n1, n2) = (c.get("n_t"), c.get("n_c"));
        let dir = c.text("direction");
        let below = match dir.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("o<e" | "o < e" | "<1" | "< 1") => Some(true),
            Some("o>e" | "o > e" | ">1" | "> 1") => Some(false),
            Some(other) => {
                c.err("direction", format!("`direction` is the sign of O − E in the experimental arm: `O<E` (fewer events than expected, HR < 1) or `O>E` (HR > 1); found \"{other}\""));
                return None;
            }
            None => {
                c.err("direction", "a log-rank p-value has no sign: give `direction`, the sign of O − E in the experimental arm (Tierney 2007): `O<E` (fewer events than expected, HR < 1) or `O>E` (HR > 1)".into());
                return None;
            }
        }?;
        let (Some(e), Some(n1), Some(n2)) = (events, n1, n2) else {
            c.err(if events.is_none() { "events" } else { "n_t" }, "a log-rank p-value needs `events` (both arms) and `n_t`, `n_c` (the numbers randomised)".into());
            return None;
        };
        return match hazard::from_logrank_p(p, e, n1, n2, below) {
            Some((yi, se)) => {
                done.push(conv(Method::HrFromLogrankP, None, vec!["yi", "se"], None));
                Some(StudyData::YiSe { yi, se })
            }
            None => {
                c.err("logrank_p", format!("`logrank_p` must be in (0, 1] with positive `events`, `n_t`, `n_c`; found p = {p}"));
                None
            }
        };
    }
    c.err("estimate", "no estimate: give `estimate, lower, upper`, or `o_minus_e` and `v`, or `logrank_p` with `events`, `n_t`, `n_c`, `direction`".into());
    None
}

fn arm_field(what: &str, arm: usize) -> &'static str {
    match (what, arm) {
        ("mean", 0) => "mean_t",
        ("sd", 0) => "sd_t",
        ("n", 0) => "n_t",
        ("mean", _) => "mean_c",
        ("sd", _) => "sd_c",
        _ => "n_c",
    }
}

fn conv(
    method: Method,
    arm: Option<&str>,
    fields: Vec<&'static str>,
    detail: Option<String>,
) -> Conversion {
    Conversion {
        method,
        arm: arm.map(|a| if a == "t" { "t" } else { "c" }),
        fields,
        detail,
    }
}

fn fivenum_detail(s: &fivenum::Settings, case: fivenum::Case) -> String {
    let from = match case {
        fivenum::Case::Range => "median and range",
        fivenum::Case::Iqr => "median and IQR",
        fivenum::Case::Both => "median, IQR and range",
    };
    format!(
        "{from}; mean {}, SD {}{}",
        mean_name(s.mean),
        sd_name(s.sd),
        if s.lognormal { ", log-normal" } else { "" }
    )
}

/// The spec name of a mean method (metafor's).
pub fn mean_name(m: fivenum::MeanMethod) -> &'static str {
    match m {
        fivenum::MeanMethod::LuoWanShi => "luo/wan/shi",
        fivenum::MeanMethod::Wan2014 => "wan2014",
        fivenum::MeanMethod::Hozo2005 => "hozo2005",
        fivenum::MeanMethod::Bland2015 => "bland2015",
    }
}

/// The spec name of an SD method (metafor's).
pub fn sd_name(m: fivenum::SdMethod) -> &'static str {
    match m {
        fivenum::SdMethod::LuoWanShi => "luo/wan/shi",
        fivenum::SdMethod::Wan2014 => "wan2014",
        fivenum::SdMethod::Hozo2005 => "hozo2005",
        fivenum::SdMethod::Bland2015 => "bland2015",
        fivenum::SdMethod::Shi2020 => "shi2020",
    }
}

fn fivenum_error(x: &str, e: &fivenum::NotConverted) -> String {
    use fivenum::NotConverted::*;
    match e {
        Incomplete => format!(
            "`median_{x}` needs `q1_{x}` and `q3_{x}`, or `min_{x}` and `max_{x}`, or all four"
        ),
        TooSmall => format!(
            "arm {x} has fewer than 5 participants: metafor's conv.fivenum does not convert a median then"
        ),
        Unsorted => format!("arm {x}'s values are not in order min ≤ q1 ≤ median ≤ q3 ≤ max"),
        NotPositive => format!(
            "arm {x} has a value ≤ 0, which a log-normal conversion (`dist: lnorm`) cannot take"
        ),
        Skewed(s) => format!(
            "arm {x}'s median and quartiles/range look skewed (Shi et al. 2023's test: {:.3} ≥ critical value {:.3}), so the median is not converted to a mean, as metafor's conv.fivenum does with test = TRUE; hint: set `conversions.fivenum.dist: lnorm`, or `test: false` to convert anyway, or leave the study out",
            s.statistic, s.critical
        ),
        MethodNotForCase => format!(
            "the chosen conv.fivenum method does not apply to what arm {x} reports (hozo2005: median with range only; bland2015 and shi2020: all five values)"
        ),
    }
}
