//! The numbers of `results.json` that moved between two versions, and the conclusions that
//! changed.
//!
//! The walk is generic over the JSON: objects are matched by key, arrays of objects by their
//! identifying field (`id`, `label`, `name`, `study`, `characteristic`), so it keeps working
//! when fields are added to results.json. Per-study detail (the `studies` table, weights,
//! imputed studies), settings and options are left out: study rows are reported as inputs,
//! settings as spec keys. Numbers are compared bitwise (builds are byte-identical) and printed
//! as the paper prints them (`report::format`); a number whose printed form did not change is
//! flagged `beyond_printed_precision` and shown in the JSON report only.
//!
//! The few fields that define conclusions — the pooled estimate with its CI and p, the model
//! decision, the number of studies, the analysis's level — are read in one place, the
//! "conclusion fields" section below.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::report::format;
use crate::stats::Measure;

/// One step of a path into results.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    /// An element of the array under `array`, named by its identifying field.
    Item {
        array: String,
        key: String,
    },
}

/// Subtrees that hold no pooled number (per-study detail, settings, provenance).
const SKIP: &[&str] = &[
    "metareport",
    "review",
    "studies",
    "settings",
    "options",
    "overall_presentation_scale",
    "overall_per_scale",
    "warnings",
    "omitted",
    "weights_pct",
    "filled_yi",
    "filled_vi",
    "inputs",
];

/// Fields that name an element of an array, in order of preference.
const ID_FIELDS: &[&str] = &["id", "label", "name", "study", "characteristic"];

/// Containers folded into the result they belong to ("overall" for overall.pooled.estimate).
const INNER: &[&str] = &[
    "pooled",
    "pool",
    "heterogeneity",
    "ci",
    "decision",
    "prediction",
    "tau2",
    "tau",
    "i2",
    "h2",
    "metafor",
    "higgins_t",
];

/// Numbers that move whenever a shown one does (SE with the CI, the rule's p with the
/// heterogeneity p): in the JSON report, not shown in text and Markdown.
const HIDDEN: &[&str] = &["se", "statistic", "bias_se", "rule_q_p", "search_limit"];

/// Statistics the paper does not print, derived from printed ones (τ from τ², H² from I²):
/// in the JSON report only.
const DERIVED: &[&str] = &["tau", "h2"];

/// A number that moved.
#[derive(Debug, Clone, Serialize)]
pub struct NumberChange {
    /// The outcome it belongs to (none for the baseline table).
    pub outcome: Option<String>,
    /// Its path in results.json ("outcomes[mortality].overall.pooled.estimate").
    pub path: String,
    /// The result it belongs to, in words ("overall", "leave-one-out without Morton 1984").
    pub unit: String,
    /// What it is, in words ("τ²", "p (heterogeneity)").
    pub quantity: String,
    /// The values at full precision (none: not in that version).
    pub old: Option<f64>,
    pub new: Option<f64>,
    /// As the paper prints them ("—" when absent).
    pub old_printed: String,
    pub new_printed: String,
    /// True when the printed forms are equal: the number moved beyond the printed precision.
    pub beyond_printed_precision: bool,
}

/// A result shown as it moved: one line of the text report.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub outcome: Option<String>,
    pub unit: String,
    /// (what, old, new) as printed.
    pub items: Vec<(String, String, String)>,
}

/// An entry of results.json in one version only: an outcome, a subgroup, a sensitivity row.
#[derive(Debug, Clone, Serialize)]
pub struct EntryChange {
    pub outcome: Option<String>,
    pub path: String,
    pub unit: String,
    /// "added" or "removed".
    pub change: &'static str,
    /// Its main result as printed ("k = 13; RR 0.49 (0.34–0.70), p < 0.001").
    pub headline: Option<String>,
}

/// What changed about a conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConclusionKind {
    /// p crossed the analysis's significance level.
    Significance,
    /// The CI now includes (or excludes) the null.
    NullInCi,
    /// The model (fixed, random, none) changed, by the model rule or a setting.
    Model,
    /// A pooled estimate is reported in one version only.
    Estimate,
    /// The number of studies of an outcome changed.
    Studies,
}

/// A conclusion that changed.
#[derive(Debug, Clone, Serialize)]
pub struct Conclusion {
    pub outcome: Option<String>,
    pub unit: String,
    pub kinds: Vec<ConclusionKind>,
    /// What the paper concluded in each version, in words.
    pub old: String,
    pub new: String,
    /// The change in one sentence.
    pub text: String,
}

/// Everything that moved between two results.json values.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Comparison {
    pub numbers: Vec<NumberChange>,
    pub moved: Vec<Moved>,
    pub entries: Vec<EntryChange>,
    pub conclusions: Vec<Conclusion>,
}

// ---------------------------------------------------------------------------------------------
// Conclusion fields: the only place that knows the names of results.json's fields.

/// What an outcome's numbers are printed with, in one version of results.json.
#[derive(Debug, Clone, Copy)]
struct OutcomeFacts {
    measure: Option<Measure>,
    /// 1 − the CI level.
    alpha: f64,
    /// The outcome's `per` (proportions and rates shown per 100 or per 1,000; 1 otherwise).
    per: f64,
    /// The sample size of the Freeman–Tukey inverse (the harmonic mean of the studies' sizes,
    /// metafor's `transf.ipft.hm`), as the manuscript of this version used it.
    ft_n: Option<f64>,
}

impl OutcomeFacts {
    /// Nothing known: values on the analysis scale, 95% CIs.
    const UNKNOWN: OutcomeFacts = OutcomeFacts {
        measure: None,
        alpha: 0.05,
        per: 1.0,
        ft_n: None,
    };

    /// `x` (analysis scale) as the manuscript printed it: back-transformed (Freeman–Tukey at
    /// this version's harmonic-mean n) and multiplied by `per`, with the measure's digits.
    fn effect(&self, x: f64) -> String {
        match self.measure {
            Some(m) => {
                let v = match self.ft_n {
                    Some(n) if m == Measure::PFT => crate::stats::single_group::ipft(x, n),
                    _ => m.back_transform_unscaled(x),
                };
                let per = if crate::stats::per_scale::scalable(m) {
                    self.per
                } else {
                    1.0
                };
                format::effect(v * per, m)
            }
            None => format::fixed(x, 2),
        }
    }
}

fn outcome_facts(o: &Value) -> OutcomeFacts {
    let measure = o
        .get("measure")
        .and_then(|m| serde_json::from_value::<Measure>(m.clone()).ok());
    let level = o
        .pointer("/options/level")
        .and_then(Value::as_f64)
        .filter(|l| *l > 0.0 && *l < 1.0)
        .unwrap_or(0.95);
    let per = o
        .pointer("/options/per_scale/per")
        .and_then(Value::as_f64)
        .filter(|p| p.is_finite() && *p > 0.0)
        .unwrap_or(1.0);
    let ft_n = o
        .pointer("/overall_presentation_scale/harmonic_mean_n")
        .and_then(Value::as_f64)
        .filter(|n| n.is_finite() && *n > 0.0);
    OutcomeFacts {
        measure,
        alpha: 1.0 - level,
        per,
        ft_n,
    }
}

/// The number of studies of an outcome.
fn outcome_k(o: &Value) -> Option<f64> {
    o.get("k").and_then(Value::as_f64)
}

/// A pooled estimate on the analysis scale, where the null is 0.
#[derive(Debug, Clone, Copy)]
struct Estimate {
    estimate: f64,
    lower: f64,
    upper: f64,
    p: Option<f64>,
}

impl Estimate {
    fn includes_null(&self) -> bool {
        self.lower <= 0.0 && self.upper >= 0.0
    }
}

/// An object holding an estimate with its CI (a pooled result, trim-and-fill).
fn estimate(v: &Value) -> Option<Estimate> {
    let n = |k: &str| v.get(k).and_then(Value::as_f64);
    Some(Estimate {
        estimate: n("estimate")?,
        lower: n("ci_lower")?,
        upper: n("ci_upper")?,
        p: n("p"),
    })
}

/// A pool: an object with a `pooled` result and a model `decision`.
fn is_pool(v: &Value) -> bool {
    v.get("pooled").is_some()
}

/// The pooled estimate of a pool, or why there is none.
fn pooled(pool: &Value) -> Result<Estimate, String> {
    let p = pool.get("pooled").unwrap_or(&Value::Null);
    estimate(p).ok_or_else(|| {
        p.get("absent")
            .and_then(Value::as_str)
            .unwrap_or("not estimable")
            .to_string()
    })
}

/// The kind of model of a pool ("fixed", "random", "none"), in words, and whether the model
/// rule chose it.
fn model(pool: &Value) -> (String, String, bool) {
    let d = pool.get("decision").unwrap_or(&Value::Null);
    let by_rule = d
        .get("reason")
        .and_then(Value::as_str)
        .is_some_and(|r| r.starts_with("rule"));
    let e = d.get("effects").unwrap_or(&Value::Null);
    let words = match e.get("effects").and_then(Value::as_str) {
        Some("fixed") => "a fixed-effect model".to_string(),
        Some("random") => match e.get("tau2_method").and_then(Value::as_str) {
            Some(m) => format!("a random-effects model ({m})"),
            None => "a random-effects model".to_string(),
        },
        Some(other) => other.to_string(),
        None if e.is_null() => "no pooled estimate".to_string(),
        None => e.to_string(),
    };
    let kind = match e.get("effects").and_then(Value::as_str) {
        Some(k) => k.to_string(),
        None if e.is_null() => "none".to_string(),
        None => e.to_string(),
    };
    (kind, words, by_rule)
}

/// Why there is no pooled estimate, without a leading "no pooled estimate:".
fn reason(why: &str) -> &str {
    why.strip_prefix("no pooled estimate: ").unwrap_or(why)
}

/// A test's p-value (Egger, Begg, subgroup differences): an object with `p` and no estimate,
/// other than a heterogeneity statistic.
fn test_p(v: &Value, key: &str) -> Option<f64> {
    if key == "heterogeneity" || v.get("estimate").is_some() {
        return None;
    }
    v.get("p").and_then(Value::as_f64)
}

// ---------------------------------------------------------------------------------------------

/// Compares two results.json values.
pub fn compare(old: &Value, new: &Value) -> Comparison {
    let of = |root: &Value| {
        root.get("outcomes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|o| Some((o.get("id")?.as_str()?.to_string(), outcome_facts(o))))
            .collect::<BTreeMap<_, _>>()
    };
    let (old_facts, mut facts) = (of(old), of(new));
    for (id, f) in &old_facts {
        facts.entry(id.clone()).or_insert(*f);
    }
    let mut w = Walker {
        facts,
        old_facts,
        composites: BTreeMap::new(),
        leaves: Vec::new(),
        entries: Vec::new(),
        conclusions: Vec::new(),
    };
    w.visit(Some(old), Some(new), &mut Vec::new());
    let leaves = std::mem::take(&mut w.leaves);
    let numbers = leaves.iter().map(|l| w.number(l)).collect::<Vec<_>>();
    let moved = w.moved(&leaves);
    Comparison {
        numbers,
        moved,
        entries: w.entries,
        conclusions: w.conclusions,
    }
}

/// A number that differs: its path and values.
struct Leaf {
    path: Vec<Seg>,
    old: Option<f64>,
    new: Option<f64>,
}

struct Walker {
    /// Each outcome's measure, level and presentation scale, by id: the new version's (the
    /// old one's for an outcome only the old version has) ...
    facts: BTreeMap<String, OutcomeFacts>,
    /// ... and the old version's, which its numbers are printed with.
    old_facts: BTreeMap<String, OutcomeFacts>,
    /// Estimates with their CI and intervals as printed in each version, by the path of the
    /// object holding them.
    composites: BTreeMap<String, (String, String)>,
    leaves: Vec<Leaf>,
    entries: Vec<EntryChange>,
    conclusions: Vec<Conclusion>,
}

/// The elements of an array with their names; `None` when the array holds no object.
fn keyed(items: &[Value]) -> Option<Vec<(String, &Value)>> {
    if !items.iter().any(Value::is_object) {
        return None;
    }
    let mut out: Vec<(String, &Value)> = Vec::with_capacity(items.len());
    let mut seen = std::collections::BTreeSet::new();
    for (i, v) in items.iter().enumerate() {
        let name = ID_FIELDS
            .iter()
            .find_map(|f| v.get(*f).and_then(Value::as_str))
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{}", i + 1));
        let mut key = name.clone();
        let mut n = 1;
        while seen.contains(&key) {
            n += 1;
            key = format!("{name} ({n})");
        }
        seen.insert(key.clone());
        out.push((key, v));
    }
    Some(out)
}

/// "outcomes[mortality].overall.pooled.estimate".
pub fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Item { array, key } => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(&format!("{array}[{key}]"));
            }
        }
    }
    s
}

/// The outcome a path belongs to.
fn outcome_of(path: &[Seg]) -> Option<&str> {
    match path.first() {
        Some(Seg::Item { array, key }) if array == "outcomes" => Some(key),
        _ => None,
    }
}

/// The result a number belongs to (its path less the containers folded into it) and the rest.
fn split_unit(path: &[Seg]) -> (&[Seg], Vec<String>) {
    // The leaf itself is always part of the quantity.
    let mut cut = path.len().saturating_sub(1);
    while cut > 0 {
        match &path[cut - 1] {
            Seg::Key(k) if INNER.contains(&k.as_str()) => cut -= 1,
            _ => break,
        }
    }
    let quantity = path[cut..]
        .iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Item { key, .. } => key.clone(),
        })
        .collect();
    (&path[..cut], quantity)
}

/// A result's path in words, without its outcome: "overall", "subgroup cohort",
/// "leave-one-out without Morton 1984", "Egger's test".
pub fn unit_words(unit: &[Seg]) -> String {
    let rest = if outcome_of(unit).is_some() {
        &unit[1..]
    } else {
        unit
    };
    let mut words: Vec<String> = Vec::new();
    for (i, s) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        match s {
            // Containers named by what follows them.
            Seg::Key(k) if !last && matches!(k.as_str(), "bias" | "sensitivity" | "subgroups") => {}
            Seg::Key(k) => words.push(
                match k.as_str() {
                    "egger" => "Egger's test",
                    "egger_meta_regression" => "Egger's test (meta-regression form)",
                    "begg" => "Begg's test",
                    "trim_and_fill" => "trim-and-fill",
                    "difference" => "test for subgroup differences",
                    "subgroups" => "subgroups",
                    other => other,
                }
                .to_string(),
            ),
            Seg::Item { array, key } => words.push(match array.as_str() {
                "groups" => format!("subgroup {key}"),
                "leave_one_out" => format!("leave-one-out without {key}"),
                "cumulative" => format!("cumulative up to {key}"),
                "exclusions" => format!("sensitivity {key}"),
                "baseline" => format!("baseline {key}"),
                "outcomes" => format!("outcome {key}"),
                other => format!("{} {key}", other.replace('_', " ")),
            }),
        }
    }
    if words.is_empty() {
        outcome_of(unit).unwrap_or("results").to_string()
    } else {
        words.join(", ")
    }
}

/// How a number is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fmt {
    Effect,
    P,
    Percent,
    Tau2,
    Stat,
    Count,
    General,
}

fn fmt_of(q: &[String]) -> Fmt {
    let last = q.last().map(String::as_str).unwrap_or("");
    let parent = if q.len() >= 2 {
        q[q.len() - 2].as_str()
    } else {
        ""
    };
    match last {
        "estimate" | "ci_lower" | "ci_upper" | "limit_estimate" => Fmt::Effect,
        "lower" | "upper" => match parent {
            "tau2" | "tau" => Fmt::Tau2,
            "i2" => Fmt::Percent,
            "h2" => Fmt::Stat,
            _ if q.iter().any(|s| s == "prediction") => Fmt::Effect,
            _ => Fmt::General,
        },
        "p" | "rule_q_p" => Fmt::P,
        "i2" => Fmt::Percent,
        "tau2" | "tau" => Fmt::Tau2,
        "q" | "h2" | "t" | "z" | "statistic" | "bias" | "kendall_tau" | "slope" => Fmt::Stat,
        "k" | "k0" | "df" | "reported" | "contributed" | "not_estimable" | "no_data"
        | "participants" => Fmt::Count,
        _ => Fmt::General,
    }
}

/// Four significant digits.
fn general(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&mag) {
        return format!("{x:.3e}");
    }
    format::fixed(x, (3 - mag).max(0) as usize)
}

fn print(fmt: Fmt, x: Option<f64>, facts: OutcomeFacts) -> String {
    let Some(x) = x else {
        return "—".into();
    };
    if !x.is_finite() {
        return format!("{x}");
    }
    match fmt {
        Fmt::Effect => facts.effect(x),
        Fmt::P => {
            let v = format::p_value(x);
            v.strip_prefix("= ").map(str::to_string).unwrap_or(v)
        }
        Fmt::Percent => format::i2(x),
        Fmt::Tau2 => format::tau2(x),
        Fmt::Stat => format::stat(x),
        Fmt::Count if x.fract() == 0.0 => format!("{x:.0}"),
        Fmt::Count => format::stat(x),
        Fmt::General => general(x),
    }
}

fn name(k: &str) -> String {
    match k {
        "tau2" => "τ²",
        "tau" => "τ",
        "i2" => "I²",
        "h2" => "H²",
        "q" => "Q",
        "k0" => "imputed studies",
        "kendall_tau" => "Kendall's τ",
        "bias" => "bias coefficient",
        "bias_se" => "SE of the bias coefficient",
        "se" => "SE",
        "limit_estimate" => "limit estimate",
        "rule_q_p" => "p (model rule)",
        other => return other.replace('_', " "),
    }
    .to_string()
}

/// What a number is, in words.
fn quantity_words(q: &[String], m: Option<Measure>) -> String {
    let q: Vec<&str> = q
        .iter()
        .map(String::as_str)
        .filter(|s| !matches!(*s, "pool" | "pooled" | "decision"))
        .collect();
    let abbr = m.map_or("estimate", |m| m.abbreviation());
    match q.as_slice() {
        [.., "estimate"] => abbr.to_string(),
        [.., "ci_lower"] | [.., "ci_upper"] => format!("{abbr} CI"),
        ["heterogeneity", "p"] => "p (heterogeneity)".into(),
        ["heterogeneity", "df"] => "df (heterogeneity)".into(),
        ["heterogeneity", "ci", x, "lower" | "upper"] => format!("{} CI", name(x)),
        ["prediction", kind, "lower" | "upper"] => {
            if *kind == "higgins_t" {
                "prediction interval (Higgins–Thompson)".into()
            } else {
                "prediction interval".into()
            }
        }
        [.., x] if *x != "heterogeneity" => name(x),
        _ => q.join(" "),
    }
}

impl Walker {
    fn facts(&self, path: &[Seg]) -> OutcomeFacts {
        outcome_of(path)
            .and_then(|o| self.facts.get(o).copied())
            .unwrap_or(OutcomeFacts::UNKNOWN)
    }

    /// The facts of the old version, which its numbers are printed with.
    fn old_facts(&self, path: &[Seg]) -> OutcomeFacts {
        outcome_of(path)
            .and_then(|o| self.old_facts.get(o).copied())
            .unwrap_or_else(|| self.facts(path))
    }

    /// Prints the estimates and intervals an object holds, in both versions, for `moved`.
    fn composite(&mut self, a: Option<&Value>, b: Option<&Value>, path: &[Seg]) {
        let has = |v: Option<&Value>, k: &str| v.is_some_and(|v| v.get(k).is_some());
        let last = if has(a, "estimate") || has(b, "estimate") {
            "estimate"
        } else if has(a, "lower") || has(b, "lower") {
            "lower"
        } else {
            return;
        };
        let (_, mut q) = split_unit(path);
        q.push(last.to_string());
        let f = fmt_of(&q);
        let print = |v: Option<&Value>, facts| {
            v.map_or_else(|| "—".to_string(), |c| interval_text(c, f, facts, last))
        };
        let (old, new) = (print(a, self.old_facts(path)), print(b, self.facts(path)));
        self.composites.insert(path_string(path), (old, new));
    }

    fn visit(&mut self, old: Option<&Value>, new: Option<&Value>, path: &mut Vec<Seg>) {
        if let (Some(a), Some(b)) = (old, new)
            && a.is_object()
            && b.is_object()
        {
            self.conclude(a, b, path);
        }
        match (old, new) {
            (Some(Value::Number(a)), Some(Value::Number(b))) => {
                let (a, b) = (a.as_f64(), b.as_f64());
                if a.map(f64::to_bits) != b.map(f64::to_bits) {
                    self.leaves.push(Leaf {
                        path: path.clone(),
                        old: a,
                        new: b,
                    });
                }
            }
            (Some(Value::Number(a)), _) => self.leaves.push(Leaf {
                path: path.clone(),
                old: a.as_f64(),
                new: None,
            }),
            (_, Some(Value::Number(b))) => self.leaves.push(Leaf {
                path: path.clone(),
                old: None,
                new: b.as_f64(),
            }),
            (a, b) if a.is_some_and(Value::is_object) || b.is_some_and(Value::is_object) => {
                self.composite(
                    a.filter(|v| v.is_object()),
                    b.filter(|v| v.is_object()),
                    path,
                );
                let empty = serde_json::Map::new();
                let ao = a.and_then(Value::as_object).unwrap_or(&empty);
                let bo = b.and_then(Value::as_object).unwrap_or(&empty);
                let keys: Vec<&String> = ao
                    .keys()
                    .chain(bo.keys().filter(|k| !ao.contains_key(*k)))
                    .collect();
                for k in keys {
                    if SKIP.contains(&k.as_str()) {
                        continue;
                    }
                    let (x, y) = (ao.get(k), bo.get(k));
                    if matches!(x, Some(Value::Array(_))) || matches!(y, Some(Value::Array(_))) {
                        self.array(k, x, y, path);
                    } else {
                        path.push(Seg::Key(k.clone()));
                        self.visit(x, y, path);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    /// Matches the elements of two arrays by name; elements in one version only are entries.
    fn array(&mut self, key: &str, a: Option<&Value>, b: Option<&Value>, path: &mut Vec<Seg>) {
        let empty = Vec::new();
        let ai = a.and_then(Value::as_array).unwrap_or(&empty);
        let bi = b.and_then(Value::as_array).unwrap_or(&empty);
        let (Some(ak), Some(bk)) = (
            keyed(ai).or_else(|| ai.is_empty().then(Vec::new)),
            keyed(bi).or_else(|| bi.is_empty().then(Vec::new)),
        ) else {
            return; // arrays of plain values: per-study detail
        };
        let (am, bm): (BTreeMap<&str, &Value>, BTreeMap<&str, &Value>) = (
            ak.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
            bk.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
        );
        for (k, x) in &ak {
            path.push(Seg::Item {
                array: key.to_string(),
                key: k.clone(),
            });
            match bm.get(k.as_str()) {
                Some(y) => self.visit(Some(x), Some(y), path),
                None => self.entry(path, x, "removed"),
            }
            path.pop();
        }
        for (k, y) in &bk {
            if !am.contains_key(k.as_str()) {
                path.push(Seg::Item {
                    array: key.to_string(),
                    key: k.clone(),
                });
                self.entry(path, y, "added");
                path.pop();
            }
        }
    }

    fn entry(&mut self, path: &[Seg], v: &Value, change: &'static str) {
        let facts = if outcome_of(path).is_some() && path.len() == 1 {
            outcome_facts(v)
        } else if change == "removed" {
            self.old_facts(path)
        } else {
            self.facts(path)
        };
        self.entries.push(EntryChange {
            outcome: outcome_of(path).map(str::to_string),
            path: path_string(path),
            unit: unit_words(path),
            change,
            headline: headline(v, facts),
        });
    }

    /// Conclusions at a pair of objects at the same path.
    fn conclude(&mut self, a: &Value, b: &Value, path: &[Seg]) {
        let (facts_a, facts) = (self.old_facts(path), self.facts(path));
        let mut cut = path.len();
        while cut > 0 && matches!(&path[cut - 1], Seg::Key(k) if INNER.contains(&k.as_str())) {
            cut -= 1;
        }
        let unit_text = unit_words(&path[..cut]);
        let outcome = outcome_of(path).map(str::to_string);
        let mut push = |kinds: Vec<ConclusionKind>, old: String, new: String, text: String| {
            self.conclusions.push(Conclusion {
                outcome: outcome.clone(),
                unit: unit_text.clone(),
                kinds,
                old,
                new,
                text,
            })
        };
        if path.len() == 1
            && outcome_of(path).is_some()
            && let (Some(ka), Some(kb)) = (outcome_k(a), outcome_k(b))
            && ka != kb
        {
            push(
                vec![ConclusionKind::Studies],
                format!("k = {ka}"),
                format!("k = {kb}"),
                format!("the number of studies changed from {ka} to {kb}"),
            );
        }
        if is_pool(a) && is_pool(b) {
            let ((ka, ma, _), (kb, mb, rule_b)) = (model(a), model(b));
            let mut kinds = Vec::new();
            let mut parts = Vec::new();
            let (mut old, mut new) = (ma.clone(), mb.clone());
            let chooses = if rule_b {
                "the model rule now chooses"
            } else {
                "the model is now"
            };
            if ka != kb {
                kinds.push(ConclusionKind::Model);
            }
            match (pooled(a), pooled(b)) {
                (Ok(e), Err(why)) => {
                    kinds.push(ConclusionKind::Estimate);
                    old = effect_text(&e, facts_a);
                    new = format!("no pooled estimate ({})", reason(&why));
                    parts.push(format!(
                        "no pooled estimate any more: {} (was {old})",
                        reason(&why)
                    ));
                }
                (Err(why), Ok(e)) => {
                    kinds.push(ConclusionKind::Estimate);
                    old = format!("no pooled estimate ({})", reason(&why));
                    new = effect_text(&e, facts);
                    parts.push(if ka != kb {
                        format!("{chooses} {mb}, and a pooled estimate is reported: {new}")
                    } else {
                        format!("a pooled estimate is now reported: {new}")
                    });
                }
                _ if ka != kb => parts.push(if rule_b {
                    format!("{chooses} {mb} (was {ma})")
                } else {
                    format!("the model changed from {ma} to {mb}")
                }),
                _ => {}
            }
            if !kinds.is_empty() {
                push(kinds, old, new, parts.join("; "));
            }
        }
        if let (Some(ea), Some(eb)) = (estimate(a), estimate(b)) {
            let mut kinds = Vec::new();
            let sig = |e: &Estimate| e.p.map(|p| p < facts.alpha);
            let (sa, sb) = (sig(&ea), sig(&eb));
            if sa.is_some() && sb.is_some() && sa != sb {
                kinds.push(ConclusionKind::Significance);
            }
            if ea.includes_null() != eb.includes_null() {
                kinds.push(ConclusionKind::NullInCi);
            }
            if !kinds.is_empty() {
                let level = format!("{:.0}%", (1.0 - facts.alpha) * 100.0);
                let mut parts = Vec::new();
                if kinds.contains(&ConclusionKind::Significance) {
                    parts.push(if sb == Some(true) {
                        format!(
                            "now statistically significant at the {}% level",
                            fmt_pct(facts.alpha)
                        )
                    } else {
                        format!(
                            "no longer statistically significant at the {}% level",
                            fmt_pct(facts.alpha)
                        )
                    });
                }
                if kinds.contains(&ConclusionKind::NullInCi) {
                    parts.push(if eb.includes_null() {
                        format!("the {level} CI now includes the null")
                    } else {
                        format!("the {level} CI now excludes the null")
                    });
                }
                let (oa, ob) = (effect_text(&ea, facts_a), effect_text(&eb, facts));
                let text = format!("{} ({oa} → {ob})", parts.join("; "));
                push(kinds, oa, ob, text);
            }
        }
        let key = match path.last() {
            Some(Seg::Key(k)) => k.as_str(),
            _ => "",
        };
        if let (Some(pa), Some(pb)) = (test_p(a, key), test_p(b, key))
            && (pa < facts.alpha) != (pb < facts.alpha)
        {
            let (oa, ob) = (p_words(pa), p_words(pb));
            let text = if pb < facts.alpha {
                format!(
                    "now statistically significant at the {}% level ({oa} → {ob})",
                    fmt_pct(facts.alpha)
                )
            } else {
                format!(
                    "no longer statistically significant at the {}% level ({oa} → {ob})",
                    fmt_pct(facts.alpha)
                )
            };
            push(vec![ConclusionKind::Significance], oa, ob, text);
        }
    }

    fn number(&self, l: &Leaf) -> NumberChange {
        let facts = self.facts(&l.path);
        let (unit, q) = split_unit(&l.path);
        let f = fmt_of(&q);
        let (po, pn) = (
            print(f, l.old, self.old_facts(&l.path)),
            print(f, l.new, facts),
        );
        NumberChange {
            outcome: outcome_of(&l.path).map(str::to_string),
            path: path_string(&l.path),
            unit: unit_words(unit),
            quantity: quantity_words(&q, facts.measure),
            old: l.old,
            new: l.new,
            beyond_printed_precision: po == pn,
            old_printed: po,
            new_printed: pn,
        }
    }

    /// The numbers that moved at printed precision, one line per result, an estimate printed
    /// with its CI and an interval as one item.
    fn moved(&self, leaves: &[Leaf]) -> Vec<Moved> {
        let mut out: Vec<Moved> = Vec::new();
        let mut units: BTreeMap<String, usize> = BTreeMap::new();
        let mut done = std::collections::BTreeSet::new();
        for l in leaves {
            let (unit, q) = split_unit(&l.path);
            let last = q.last().map(String::as_str).unwrap_or("");
            if HIDDEN.contains(&last) || q.iter().any(|k| DERIVED.contains(&k.as_str())) {
                continue;
            }
            // An outcome's k is its overall pool's k (and a conclusion of its own).
            if l.path.len() == 2 && last == "k" {
                continue;
            }
            let (old_facts, facts) = (self.old_facts(&l.path), self.facts(&l.path));
            let m = facts.measure;
            let container = &l.path[..l.path.len() - 1];
            let item = match last {
                "estimate" | "ci_lower" | "ci_upper" | "lower" | "upper" => {
                    let key = path_string(container);
                    if !done.insert(key.clone()) {
                        continue;
                    }
                    let (a, b) = self
                        .composites
                        .get(&key)
                        .cloned()
                        .map_or((None, None), |(a, b)| (Some(a), Some(b)));
                    let what = quantity_words(&q, m);
                    (
                        if matches!(last, "estimate" | "ci_lower" | "ci_upper") {
                            what.replace(" CI", "")
                        } else {
                            what
                        },
                        a.unwrap_or_else(|| "—".into()),
                        b.unwrap_or_else(|| "—".into()),
                    )
                }
                _ => {
                    let f = fmt_of(&q);
                    (
                        quantity_words(&q, m),
                        print(f, l.old, old_facts),
                        print(f, l.new, facts),
                    )
                }
            };
            if item.1 == item.2 {
                continue;
            }
            let key = path_string(unit);
            match units.get(&key) {
                Some(&i) => out[i].items.push(item),
                None => {
                    units.insert(key, out.len());
                    out.push(Moved {
                        outcome: outcome_of(&l.path).map(str::to_string),
                        unit: unit_words(unit),
                        items: vec![item],
                    });
                }
            }
        }
        out
    }
}

/// An estimate with its CI ("0.44 (0.30–0.63)") or an interval ("23% to 89%") as printed.
fn interval_text(c: &Value, f: Fmt, m: OutcomeFacts, last: &str) -> String {
    let n = |k: &str| c.get(k).and_then(Value::as_f64);
    let p = |x: Option<f64>| print(f, x, m);
    match last {
        "estimate" | "ci_lower" | "ci_upper" => {
            let f = Fmt::Effect;
            format!(
                "{} ({})",
                print(f, n("estimate"), m),
                range(print(f, n("ci_lower"), m), print(f, n("ci_upper"), m))
            )
        }
        _ => range(p(n("lower")), p(n("upper"))),
    }
}

fn range(a: String, b: String) -> String {
    if a.starts_with(format::MINUS) || b.starts_with(format::MINUS) || a.contains('%') {
        format!("{a} to {b}")
    } else {
        format!("{a}–{b}")
    }
}

fn fmt_pct(alpha: f64) -> String {
    general(alpha * 100.0)
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

fn p_words(p: f64) -> String {
    format!("p {}", format::p_value(p))
}

/// "OR 0.44 (0.30–0.63), p < 0.001".
fn effect_text(e: &Estimate, m: OutcomeFacts) -> String {
    let f = Fmt::Effect;
    let abbr = m.measure.map_or("estimate", |m| m.abbreviation());
    let mut s = format!(
        "{abbr} {} ({})",
        print(f, Some(e.estimate), m),
        range(print(f, Some(e.lower), m), print(f, Some(e.upper), m))
    );
    if let Some(p) = e.p {
        s.push_str(&format!(", {}", p_words(p)));
    }
    s
}

/// The main result of an outcome, subgroup or sensitivity row.
fn headline(v: &Value, m: OutcomeFacts) -> Option<String> {
    let pool = ["overall", "pool"]
        .iter()
        .find_map(|k| v.get(*k).filter(|p| is_pool(p)))
        .or_else(|| is_pool(v).then_some(v))?;
    let k = outcome_k(v).or_else(|| outcome_k(pool));
    let result = match pooled(pool) {
        Ok(e) => effect_text(&e, m),
        Err(why) => format!("no pooled estimate ({})", reason(&why)),
    };
    Some(match k {
        Some(k) => format!("k = {k}; {result}"),
        None => result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outcome(tau2: f64, est: f64, lo: f64, hi: f64, p: f64, effects: Value) -> Value {
        json!({"outcomes": [{
            "id": "m", "measure": "OR", "k": 3, "options": {"level": 0.95},
            "studies": [{"study": "A", "yi": est}],
            "overall": {"k": 3, "decision": {"effects": effects, "reason": "rule_random"},
                        "pooled": {"estimate": est, "ci_lower": lo, "ci_upper": hi, "p": p, "se": 0.1},
                        "heterogeneity": {"tau2": tau2, "p": 0.2, "ci": {"i2": {"lower": 0.0, "upper": 50.0}}}},
            "sensitivity": {"leave_one_out": [{"label": "A", "pool": {"k": 2, "pooled": {"absent": "too few"}}}]}
        }]})
    }

    #[test]
    fn identical_results_have_no_change() {
        let a = outcome(0.1, -0.5, -0.9, -0.1, 0.01, json!({"effects": "fixed"}));
        let c = compare(&a, &a.clone());
        assert!(c.numbers.is_empty() && c.conclusions.is_empty() && c.entries.is_empty());
    }

    #[test]
    fn moved_numbers_are_printed_as_the_paper_prints_them() {
        let a = outcome(0.1, -0.5, -0.9, -0.1, 0.01, json!({"effects": "fixed"}));
        let b = outcome(0.1000001, -0.2, -0.6, 0.2, 0.3, json!({"effects": "fixed"}));
        let c = compare(&a, &b);
        let tau2 = c.numbers.iter().find(|n| n.quantity == "τ²").unwrap();
        assert!(tau2.beyond_printed_precision, "{tau2:?}");
        assert_eq!(tau2.unit, "overall");
        let est = c
            .numbers
            .iter()
            .find(|n| n.path.ends_with("pooled.estimate"));
        assert_eq!(est.unwrap().old_printed, "0.61");
        assert_eq!(c.moved.len(), 1);
        let items = &c.moved[0].items;
        assert_eq!(
            items[0],
            (
                "OR".into(),
                "0.61 (0.41–0.90)".into(),
                "0.82 (0.55–1.22)".into()
            )
        );
        assert!(items.iter().all(|i| i.0 != "τ²" && i.0 != "SE"));
        assert_eq!(c.conclusions.len(), 1);
        let k = &c.conclusions[0].kinds;
        assert_eq!(
            k,
            &vec![ConclusionKind::Significance, ConclusionKind::NullInCi]
        );
        assert!(c.conclusions[0].text.starts_with("no longer statistically significant at the 5% level; the 95% CI now includes the null"), "{}", c.conclusions[0].text);
    }

    #[test]
    fn model_changes_and_entries() {
        let a = outcome(0.1, -0.5, -0.9, -0.1, 0.01, json!({"effects": "fixed"}));
        let mut b = outcome(
            0.1,
            -0.5,
            -0.9,
            -0.1,
            0.01,
            json!({"effects": "random", "tau2_method": "DL"}),
        );
        b["outcomes"][0]["sensitivity"]["leave_one_out"][0]["label"] = json!("B");
        let c = compare(&a, &b);
        assert_eq!(c.conclusions.len(), 1, "{:?}", c.conclusions);
        assert_eq!(
            c.conclusions[0].text,
            "the model rule now chooses a random-effects model (DL) (was a fixed-effect model)"
        );
        let e: Vec<(&str, &str)> = c
            .entries
            .iter()
            .map(|e| (e.unit.as_str(), e.change))
            .collect();
        assert_eq!(
            e,
            vec![
                ("leave-one-out without A", "removed"),
                ("leave-one-out without B", "added")
            ]
        );
        assert!(c.numbers.is_empty());
    }
}
