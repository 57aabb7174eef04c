//! The prose audit of the analyses of heterogeneity (meta-regression, influence diagnostics,
//! GOSH): which numbers of results.json's `explore` the text may print, and the sentences that
//! must state them — each checked in place against results.json, and the methods against what
//! was computed (τ² estimator, Knapp–Hartung, permutations and their seed, the Cochrane caveat
//! on fewer than 10 studies per moderator, the GOSH subsets).

use metareport::report::context_heterogeneity::sig3;
use metareport::report::format;
use metareport::stats::Measure;
use serde_json::{Value, json};

/// results.json without the bulk of `explore` that the text never prints: the GOSH histogram,
/// the variance–covariance matrix, and the diagnostics of studies that are neither flagged nor
/// outlying (the text names the flagged ones, with their diagnostics, and the outliers, with
/// their studentised residuals). Its numbers are the ones the audit allows.
pub fn printable(results: &Value) -> Value {
    let mut r = results.clone();
    if let Some(outs) = r["outcomes"].as_array_mut() {
        for o in outs {
            let Some(e) = o.get_mut("explore") else {
                continue;
            };
            if let Some(g) = e.get_mut("gosh").and_then(Value::as_object_mut) {
                g.remove("density");
            }
            if let Some(m) = e.get_mut("meta_regression").and_then(Value::as_object_mut) {
                m.remove("vcov");
                m.remove("weights_pct");
                m.remove("column_means");
            }
            if let Some(s) = e
                .get_mut("influence")
                .and_then(|i| i.get_mut("studies"))
                .and_then(Value::as_array_mut)
            {
                for row in s.iter_mut() {
                    let rstudent = row["rstudent"].as_f64().unwrap_or(0.0);
                    if row["influential"] == true {
                        continue;
                    }
                    *row = if rstudent.abs() > 1.959_963_984_540_054 {
                        json!({"rstudent": rstudent})
                    } else {
                        json!({})
                    };
                }
            }
        }
    }
    r
}

/// Text without spaces and hyphens (phrases found across line breaks and hyphenation).
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}' | '\u{00AD}'))
        .collect()
}

fn words(n: usize) -> String {
    super::prose_audit::count_words(n).to_lowercase()
}

/// The heterogeneity sentences of every outcome against results.json; problems are pushed.
pub fn audit(
    review: &str,
    results: &Value,
    methods: &str,
    text: &str,
    has: &dyn Fn(&str, &str) -> bool,
    problems: &mut Vec<String>,
    checked: &mut usize,
) {
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut want = |ok: bool, what: String| {
        *checked += 1;
        if !ok {
            problems.push(format!("{review}: {what}"));
        }
    };
    let outs = results["outcomes"].as_array().cloned().unwrap_or_default();
    let mut few = false;
    let mut knha = false;
    let mut z_tests = false;
    for o in &outs {
        let id = o["id"].as_str().unwrap_or("");
        let m: Measure = serde_json::from_value(o["measure"].clone()).unwrap();
        let names: Vec<&str> = o["studies"]
            .as_array()
            .map(|s| {
                s.iter()
                    .map(|s| s["study"].as_str().unwrap_or(""))
                    .collect()
            })
            .unwrap_or_default();
        let e = &o["explore"];
        // Meta-regression.
        let mr = &e["meta_regression"];
        if mr.is_object() && mr.get("absent").is_none() {
            let k = mr["k"].as_u64().unwrap_or(0);
            want(
                has(text, &format!("included {k} studies (")),
                format!("{id}: the meta-regression's {k} studies are not stated"),
            );
            // A moderator's label may end in its unit in parentheses ("absolute latitude
            // (degrees)"): the sentence must not put a second parenthesis right after it
            // (it said "absolute latitude (degrees) (13 studies; …").
            let squashed = super::prose_audit::squash(text);
            let opening = squashed
                .find("metaregressionof")
                .map(|at| {
                    let rest = &squashed[at..];
                    let end = rest
                        .find(&format!("included{k}studies("))
                        .unwrap_or(rest.len());
                    rest[..end].to_string()
                })
                .unwrap_or_default();
            want(
                !opening.contains(")("),
                format!(
                    "{id}: two parentheses in a row in the meta-regression sentence: {opening}"
                ),
            );
            let qm = &mr["qm"];
            let qm_phrase = match qm["df2"].as_f64() {
                Some(df2) => {
                    knha = true;
                    format!(
                        "F = {}, df = {} and {df2:.0}, {}",
                        format::stat(f(&qm["statistic"])),
                        qm["df1"],
                        format::p_text(f(&qm["p"]))
                    )
                }
                None => {
                    z_tests = true;
                    format!(
                        "QM = {}, df = {}, {}",
                        format::stat(f(&qm["statistic"])),
                        qm["df1"],
                        format::p_text(f(&qm["p"]))
                    )
                }
            };
            want(
                has(text, &qm_phrase),
                format!("{id}: the test of the moderators \"{qm_phrase}\" is not in the text"),
            );
            let significant = f(&qm["p"]) < 0.05;
            want(
                has(text, "did not explain a statistically significant part") != significant,
                format!("{id}: QM p = {}, the text says otherwise", f(&qm["p"])),
            );
            let res = &mr["residual"];
            let qe_phrase = format!(
                "QE = {}, df = {}, {}",
                format::stat(f(&res["q"])),
                res["df"],
                format::p_text(f(&res["p"]))
            );
            want(
                has(text, &qe_phrase),
                format!("{id}: the residual heterogeneity \"{qe_phrase}\" is not in the text"),
            );
            if mr["effects"]["effects"] == "random" {
                let phrase = format!(
                    "Residual heterogeneity was τ² = {} (I² = {}",
                    format::tau2(f(&res["tau2"])),
                    format::percent0(f(&res["i2"]))
                );
                want(
                    has(text, &phrase),
                    format!("{id}: \"{phrase}\" of results.json is not in the text"),
                );
                let method = mr["effects"]["tau2_method"].as_str().unwrap_or("");
                let name = match method {
                    "DL" => "DerSimonian–Laird",
                    "REML" => "restricted maximum-likelihood",
                    "ML" => "maximum-likelihood",
                    "PM" => "Paule–Mandel",
                    "HS" => "Hunter–Schmidt",
                    "SJ" => "Sidik–Jonkman",
                    "HE" => "Hedges",
                    _ => "empirical Bayes",
                };
                let clause = squash(methods)
                    .split("metaregression")
                    .skip(1)
                    .flat_map(|s| {
                        s.split_once("residualbetweenstudyvariance")
                            .map(|x| x.1.to_string())
                    })
                    .map(|s| s.split('.').next().unwrap_or("").to_string())
                    .collect::<Vec<_>>()
                    .join(" ");
                want(
                    clause.contains(&squash(name)),
                    format!("{id}: the meta-regression's τ² estimator {method} is not named"),
                );
            }
            if let Some(r2) = mr["r2"].as_f64() {
                let phrase = format!("accounted for {r2:.0}% of the between-study variance");
                want(
                    has(text, &phrase),
                    format!("{id}: the pseudo-R² \"{phrase}\" is not in the text"),
                );
            }
            // Each moderator's coefficient in words, on the presentation scale.
            for c in mr["coefficients"].as_array().into_iter().flatten().skip(1) {
                let (est, lo, hi) = (f(&c["estimate"]), f(&c["ci_lower"]), f(&c["ci_upper"]));
                let t = |x: f64| if m.is_ratio() { x.exp() } else { x };
                // An en dash between the limits, or "to" when one is negative (as the pooled
                // estimates' intervals, `format::interval`).
                let (a, b) = (sig3(t(lo)), sig3(t(hi)));
                let dash = if a.starts_with(format::MINUS) || b.starts_with(format::MINUS) {
                    " to "
                } else {
                    "–"
                };
                let phrase = format!("(95% CI {a}{dash}{b}; {})", format::p_text(f(&c["p"])));
                let e = sig3(t(est));
                want(
                    (has(text, &format!("{e} {phrase}")) || has(text, &format!("{e} relative")))
                        && has(text, &phrase),
                    format!(
                        "{id}: the coefficient of {} \"{phrase}\" is not in the text",
                        c["name"]
                    ),
                );
            }
            if mr["studies_per_moderator"].as_f64().unwrap_or(99.0) < 10.0 {
                few = true;
            }
            // The permutation test: its p in the results, its iterations and seed in the methods.
            let p = &mr["permutation"];
            if p.is_object() && p.get("absent").is_none() {
                let phrase = format!("permutation test {}", format::p_text(f(&p["qm_p"])));
                want(
                    has(text, &phrase),
                    format!("{id}: \"{phrase}\" of results.json is not in the text"),
                );
                let n = format::count(f(&p["iterations"]));
                let phrase = if p["exact"] == true {
                    format!("all {n} distinct permutations")
                } else {
                    format!(
                        "{n} random permutations of the moderator values among the studies (seed {})",
                        p["seed"]
                    )
                };
                want(
                    has(methods, &phrase),
                    format!("{id}: the methods do not say \"{phrase}\""),
                );
            }
        }
        // Influence diagnostics.
        let inf = &e["influence"];
        if inf.is_object() && inf.get("absent").is_none() {
            let rows = inf["studies"].as_array().cloned().unwrap_or_default();
            let flagged: Vec<&str> = rows
                .iter()
                .filter(|s| s["influential"] == true)
                .map(|s| names[s["study"].as_u64().unwrap_or(0) as usize])
                .collect();
            let phrase = match flagged.len() {
                0 => "No study was influential by metafor’s criteria".to_string(),
                1 => "By metafor’s criteria, one study was influential".to_string(),
                n => format!(
                    "By metafor’s criteria, {} studies were influential",
                    words(n)
                ),
            };
            want(
                has(text, &phrase),
                format!(
                    "{id}: {} flagged in results.json, the text does not say \"{phrase}\"",
                    flagged.len()
                ),
            );
            for s in &flagged {
                want(
                    has(text, s),
                    format!("{id}: influential study {s} is not named"),
                );
            }
            for s in &rows {
                if let Some(r) = s["rstudent"]
                    .as_f64()
                    .filter(|r| r.abs() > 1.959_963_984_540_054)
                {
                    let phrase = format!(
                        "{} ({})",
                        names[s["study"].as_u64().unwrap_or(0) as usize],
                        format::stat(r)
                    );
                    want(
                        has(text, &phrase),
                        format!("{id}: the outlier \"{phrase}\" is not in the text"),
                    );
                }
            }
            let top = |key: &str| {
                rows.iter()
                    .filter(|s| s[key].is_number())
                    .max_by(|a, b| f(&a[key]).total_cmp(&f(&b[key])))
                    .map(|s| names[s["study"].as_u64().unwrap_or(0) as usize])
            };
            if let (Some(x), Some(y)) = (top("baujat_x"), top("baujat_y")) {
                let phrase = if x == y {
                    format!("{x} both contributed most to the heterogeneity")
                } else {
                    format!(
                        "{x} contributed most to the heterogeneity and {y} had the largest influence"
                    )
                };
                want(
                    has(text, &phrase),
                    format!("{id}: the Baujat plot's extremes: the text does not say \"{phrase}\""),
                );
            }
        }
        // GOSH.
        let g = &e["gosh"];
        if g.is_object() && g.get("absent").is_none() {
            let n = format::count(f(&g["subsets"]));
            let k = g["k"].as_u64().unwrap_or(0);
            let phrase = if g["all"] == true {
                format!("every one of the {n} non-empty subsets of the {k} studies")
            } else {
                format!("{n} random subsets of the {k} studies (seed {})", g["seed"])
            };
            want(
                has(methods, &phrase),
                format!("{id}: the methods do not say \"{phrase}\""),
            );
            let phrase = format!(
                "the pooled {} had a median of {}",
                m.abbreviation(),
                format::effect(m.back_transform(f(&g["estimate"]["median"])), m)
            );
            want(
                has(text, &phrase),
                format!("{id}: GOSH: \"{phrase}\" is not in the text"),
            );
            let phrase = format!("I² a median of {}", format::percent0(f(&g["i2"]["median"])));
            want(
                has(text, &phrase),
                format!("{id}: GOSH: \"{phrase}\" is not in the text"),
            );
        }
    }
    want(
        few == has(
            methods,
            "fewer than the 10 per moderator the Cochrane Handbook advises",
        ),
        format!(
            "fewer than 10 studies per moderator: {few} in results.json, the methods say otherwise"
        ),
    );
    want(
        knha == has(methods, "Knapp–Hartung method"),
        format!(
            "Knapp–Hartung tests of a meta-regression: {knha} in results.json, the methods say otherwise"
        ),
    );
    want(
        z_tests == has(methods, "omnibus QM test"),
        format!(
            "Wald tests of a meta-regression: {z_tests} in results.json, the methods say otherwise"
        ),
    );
}

/// Errors planted in the heterogeneity sentences of the BCG example are each found.
#[test]
fn the_audit_catches_wrong_heterogeneity_sentences() {
    use super::common::{built, project};
    let dir = project(&["bcg"]);
    built(dir.path());
    let audit = |dir: &std::path::Path| super::prose_audit::audit(dir, "bcg").problems;
    assert_eq!(audit(dir.path()), Vec::<String>::new());
    let typ = dir.path().join("out/bcg/manuscript.typ");
    let original = std::fs::read_to_string(&typ).unwrap();
    let planted = |from: &str, to: &str| {
        assert!(original.contains(from), "{from}");
        std::fs::write(&typ, original.replacen(from, to, 1)).unwrap();
        audit(dir.path())
    };
    for (from, to, found) in [
        ("accounted for 76% of", "accounted for 74% of", "pseudo-R²"),
        ("(seed 1)", "(seed 2)", "1,000 random permutations"),
        (
            "8,191 non-empty",
            "8,190 non-empty",
            "every one of the 8,191",
        ),
        (
            "No study was influential",
            "One study was influential",
            "0 flagged",
        ),
        (
            "TPT Madras 1980 contributed",
            "Aronson 1948 contributed",
            "Baujat plot's extremes",
        ),
        (
            "with Wald z tests",
            "with the Knapp–Hartung method",
            "Knapp–Hartung",
        ),
        // The sentence as it was (issue 16): the label's unit, then the count in parentheses.
        (
            "on absolute latitude (degrees) included 13 studies (",
            "on absolute latitude (degrees) (13 studies; ",
            "two parentheses in a row",
        ),
    ] {
        let p = planted(from, to);
        assert!(p.iter().any(|x| x.contains(found)), "{from} → {to}: {p:?}");
    }
    let qm = original
        .split("QM \\= ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap()
        .to_string();
    // The statistic is in the paragraph and in the table's caption: both changed.
    std::fs::write(
        &typ,
        original.replace(&format!("QM \\= {qm}"), "QM \\= 1.00"),
    )
    .unwrap();
    let p = audit(dir.path());
    assert!(
        p.iter().any(|x| x.contains("test of the moderators")),
        "{p:?}"
    );
}
