//! The prose audit: the manuscript's text checked against its results.json, as a journal
//! editor would check it, sentence by sentence.
//!
//! For a built review (`out/<review>/`), the manuscript is laid out again from its typst
//! source and its text read line by line. Then:
//! - **numbers**: every number in the methods, the results and the tables is a number of
//!   results.json at the printed rounding (on the analysis or the presentation scale, in
//!   percent where the text shows a percentage), a number written in the spec (years, study
//!   names, PRISMA counts, Table 1's cells), or one of the constants of the methods (95%,
//!   0.05, 10 studies, 1.96, k − 1 …);
//! - **counts**: the studies and participants the text and the summary table print for each
//!   outcome and subgroup are results.json's counts (a study reported the outcome when it has
//!   data for it), and equal the forest plot's: one row per study, its totals summing to the
//!   participants;
//! - **citations**: every key cited is in references.yml; the bibliography lists exactly the
//!   works cited, each with its authors, year and title;
//! - **settings**: the methods name what results.json records and nothing it does not — the
//!   model, the τ² estimators, the definition of I², the CI method, the prediction interval,
//!   the Egger form, the continuity correction, the studies without events.
//!
//! Run on every review of the default project, the single-group review (proportions per 100,
//! rates per 1,000 person-years, means) and the test reviews of
//! `tests/fixtures/audit/`, in the plain and the journal style; a test plants errors and
//! checks that the audit finds each. `METAREPORT_AUDIT_DEBUG=1` prints every line read with
//! the numbers taken from it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use metareport::report::{compile, format};
use serde_json::Value;
use typst::layout::{Frame, FrameItem, Point};

use super::common::{built, project, repo};

/// What the audit of one review found, and how much it read.
#[derive(Debug, Default)]
pub struct Audit {
    /// Numbers read in the methods, results and tables.
    pub numbers: usize,
    /// Sentences of the methods and results.
    pub sentences: usize,
    /// Citation keys and bibliography entries checked.
    pub references: usize,
    /// Counts (studies, participants) compared with results.json and the forest plot.
    pub counts: usize,
    /// Settings compared with the methods.
    pub settings: usize,
    pub problems: Vec<String>,
}

/// One line of the laid-out document: its text and where it starts.
struct Line {
    x: f64,
    y: f64,
    text: String,
}

/// The text items of a frame with their absolute positions, in reading order.
fn items(frame: &Frame, offset: Point, out: &mut Vec<(f64, f64, f64, String)>) {
    for (pos, item) in frame.items() {
        let p = offset + *pos;
        match item {
            FrameItem::Text(t) => out.push((
                p.x.to_pt(),
                p.y.to_pt(),
                t.width().to_pt(),
                t.text.to_string(),
            )),
            FrameItem::Group(g) => items(&g.frame, p, out),
            _ => {}
        }
    }
}

/// The lines of the laid-out document: items on one baseline joined (with a space where there
/// is a gap between them, as between table cells), in page order.
fn lines(doc: &typst_layout::PagedDocument) -> Vec<Line> {
    let mut out = Vec::new();
    for p in doc.pages() {
        let mut it = Vec::new();
        items(&p.frame, Point::zero(), &mut it);
        it.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
        let mut cur: Option<(Line, f64)> = None;
        for (x, y, w, text) in it {
            match &mut cur {
                Some((line, end)) if (line.y - y).abs() < 0.5 => {
                    if x > *end + 1.0 && !line.text.ends_with(' ') && !text.starts_with(' ') {
                        line.text.push(' ');
                    }
                    line.text.push_str(&text);
                    *end = x + w;
                }
                _ => {
                    if let Some((line, _)) = cur.take() {
                        out.push(line);
                    }
                    cur = Some((Line { x, y, text }, x + w));
                }
            }
        }
        if let Some((line, _)) = cur {
            out.push(line);
        }
    }
    out
}

/// Text without spaces, hyphens and soft hyphens, for phrase searches across line breaks.
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}' | '\u{00AD}'))
        .map(|c| if c == '\u{2019}' { '\'' } else { c })
        .collect()
}

/// Letters and digits only, lower case: titles compared whatever the style's casing.
fn alnum(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn has(text: &str, phrase: &str) -> bool {
    squash(text).contains(&squash(phrase))
}

/// The numbers of a line of prose or table, leaving out figure and table numbers, citation
/// numbers, heading numbers and the like.
pub fn numbers(line: &str) -> Vec<String> {
    let s: String = line.replace('\u{2212}', "-");
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    // Heading numbers ("2.1. Results") at the start of a line.
    let mut start = 0;
    while start < chars.len() && (chars[start].is_ascii_digit() || chars[start] == '.') {
        start += 1;
    }
    if start > 0
        && chars[start - 1] == '.'
        && chars.get(start) == Some(&' ')
        && chars.get(start + 1).is_some_and(|c| c.is_uppercase())
    {
        i = start;
    }
    while i < chars.len() {
        let c = chars[i];
        // Figure and table numbers: "Figure 2", "Fig. 2", "Table 1".
        let before: String = chars[..i].iter().collect();
        if c.is_ascii_digit()
            && [
                "Figure ",
                "Fig. ",
                "Table ",
                "Figure\u{a0}",
                "Table\u{a0}",
                "Fig.\u{a0}",
            ]
            .iter()
            .any(|w| before.ends_with(w))
        {
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            continue;
        }
        // Vancouver citations: "(1)", "(2,3)", "(4–6)".
        if c == '(' {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].is_ascii_digit() || matches!(chars[j], ',' | '–' | '-'))
            {
                j += 1;
            }
            if j > i + 1 && chars.get(j) == Some(&')') && chars[i + 1].is_ascii_digit() {
                i = j + 1;
                continue;
            }
        }
        if c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_alphabetic()) {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || (matches!(chars[j], '.' | ',')
                        && chars.get(j + 1).is_some_and(|d| d.is_ascii_digit())))
            {
                j += 1;
            }
            let tok: String = chars[i..j].iter().collect();
            out.push(tok);
            i = j;
            continue;
        }
        if c.is_alphabetic() {
            // Skip a word with digits in it ("ISIS-4" is read as text, its number below).
            while i < chars.len() && (chars[i].is_alphanumeric()) {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    out
}

/// A number of 1,000 or more printed without the thousands separators counts have
/// ("1964.26" where journals print "1,964.26"): one with decimals and four digits or more
/// before the point, or a whole number of five digits or more (four-digit whole numbers may
/// be years).
pub fn ungrouped(tok: &str) -> Option<String> {
    if tok.contains(',') {
        return None;
    }
    let int = tok.split('.').next().unwrap_or("");
    let bad = (tok.contains('.') && int.len() >= 4) || int.len() >= 5;
    bad.then(|| format!("{tok} is printed without thousands separators"))
}

/// The normal form of a printed number: thousands separators dropped ("8,466" → "8466"); a
/// list such as "3,4" is two numbers.
fn normal(tok: &str) -> Vec<String> {
    let groups: Vec<&str> = tok.split(',').collect();
    let thousands = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..]
            .iter()
            .all(|g| g.split('.').next().is_some_and(|h| h.len() == 3));
    if thousands {
        vec![tok.replace(',', "")]
    } else {
        groups.iter().map(|g| g.to_string()).collect()
    }
}

/// Every way a number of results.json may be printed: at 0–5 decimals, on the analysis scale,
/// back-transformed (exp, tanh) and in percent.
fn printed_forms(x: f64, out: &mut BTreeSet<String>) {
    if !x.is_finite() {
        return;
    }
    for v in [x, x.exp(), x.tanh(), x * 100.0] {
        let v = v.abs();
        if !v.is_finite() || v > 1e12 {
            continue;
        }
        for d in 0..=5 {
            out.insert(format!("{v:.d$}"));
        }
        // Percentages shown as lower bounds ("> 99%").
        out.insert(format!("{:.0}", v.floor()));
    }
}

fn leaves(v: &Value, numbers: &mut BTreeSet<String>, strings: &mut Vec<String>) {
    match v {
        Value::Number(n) => printed_forms(n.as_f64().unwrap_or(f64::NAN), numbers),
        Value::String(s) => strings.push(s.clone()),
        Value::Array(a) => {
            printed_forms(a.len() as f64, numbers);
            a.iter().for_each(|x| leaves(x, numbers, strings));
        }
        Value::Object(m) => m.values().for_each(|x| leaves(x, numbers, strings)),
        _ => {}
    }
}

/// Every number of a JSON value.
fn collect_numbers(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Number(n) => out.extend(n.as_f64()),
        Value::Array(a) => a.iter().for_each(|x| collect_numbers(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_numbers(x, out)),
        _ => {}
    }
}

/// The hayagriva entries of a references.yml: key → (first author's family name, year, title).
fn bibliography(yml: &str) -> BTreeMap<String, (String, String, String)> {
    let v: Value = serde_saphyr::from_str(yml).expect("references.yml is YAML");
    let mut out = BTreeMap::new();
    for (k, e) in v.as_object().expect("a map of entries") {
        let author = match &e["author"] {
            Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        let family = match &author {
            Value::String(s) => s.split(',').next().unwrap_or("").trim().to_string(),
            Value::Object(m) => m
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            _ => String::new(),
        };
        let year = match &e["date"] {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.chars().take(4).collect(),
            _ => String::new(),
        };
        let title = match &e["title"] {
            Value::String(s) => s.clone(),
            Value::Object(m) => m
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            _ => String::new(),
        };
        out.insert(k.clone(), (family, year, title));
    }
    out
}

/// The keys cited in typst source (`@key`, not the labels of the review's figures and tables,
/// not an escaped `\@`).
fn cited_keys(source: &str, review: &str) -> BTreeSet<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = BTreeSet::new();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' || (i > 0 && (chars[i - 1] == '\\' || chars[i - 1].is_alphanumeric())) {
            continue;
        }
        let key: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
            .collect();
        let key = key.trim_end_matches('-').to_string();
        if !key.is_empty() && !key.starts_with(&format!("{review}-")) {
            out.insert(key);
        }
    }
    out
}

/// Figures and tables as an editor checks them: every one is cited in the text, and each kind
/// is numbered in the order of its first citation (typst numbers by placement, so the first
/// citations must come in the order the figures are placed). Labels are the review's
/// `<review>-fig-…` and `<review>-tab-…`; a "(continued)" line cites a figure already placed.
fn figure_citations(source: &str, review: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for kind in ["fig", "tab"] {
        let prefix = format!("{review}-{kind}-");
        let name = |l: &str| l.trim_start_matches(&prefix).to_string();
        let mut defined: Vec<String> = Vec::new();
        let mut cited: Vec<String> = Vec::new();
        for (i, _) in source.match_indices(&prefix) {
            let label: String = source[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
                .collect();
            let label = label.trim_end_matches('-').to_string();
            match source[..i].chars().last() {
                Some('<') if !defined.contains(&label) => defined.push(label),
                Some('@') if !cited.contains(&label) => cited.push(label),
                _ => {}
            }
        }
        for d in &defined {
            if !cited.contains(d) {
                problems.push(format!("{review}: {} is never cited in the text", name(d)));
            }
        }
        let placed: Vec<&String> = defined.iter().filter(|d| cited.contains(d)).collect();
        let first: Vec<&String> = cited.iter().filter(|c| defined.contains(c)).collect();
        if placed != first {
            problems.push(format!(
                "{review}: {kind}s are first cited in the order {:?} but numbered {:?}",
                first.iter().map(|l| name(l)).collect::<Vec<_>>(),
                placed.iter().map(|l| name(l)).collect::<Vec<_>>()
            ));
        }
    }
    problems
}

/// The text of the SVG's `<text>` elements, with their y.
fn svg_texts(svg: &str) -> Vec<(f64, String)> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        rest = &rest[i..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[..close];
        let y = tag
            .split(" y=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN);
        let Some(end) = rest.find("</text>") else {
            break;
        };
        let text = rest[close + 1..end]
            .trim()
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&apos;", "'")
            .replace("&quot;", "\"");
        out.push((y, text));
        rest = &rest[end..];
    }
    out
}

/// Counts words back: "Thirty-three" → 33 (what `format::count_at_sentence_start` writes).
pub fn count_words(n: usize) -> String {
    format::count_at_sentence_start(n)
}

/// Audits one built review of the project in `dir`.
pub fn audit(dir: &Path, review: &str) -> Audit {
    let mut a = Audit::default();
    let out = dir.join("out").join(review);
    let source = std::fs::read_to_string(out.join("manuscript.typ")).unwrap();
    let yml = std::fs::read_to_string(out.join("references.yml")).unwrap();
    let results: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let mut files = vec![("references.yml".to_string(), yml.clone().into_bytes())];
    let mut svgs = BTreeMap::new();
    for e in std::fs::read_dir(out.join("figures")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "svg") {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(&p).unwrap();
            svgs.insert(name.clone(), String::from_utf8(bytes.clone()).unwrap());
            files.push((format!("figures/{name}"), bytes));
        }
    }
    // A forest plot taller than a page is set from one SVG per page, made in memory.
    let specs = metareport::project::Project::open(dir)
        .unwrap()
        .load_all()
        .unwrap();
    let spec = specs.iter().find(|s| s.id == review).unwrap();
    let analyses = metareport::build::produce::analyse_spec(spec).unwrap();
    for f in metareport::build::produce::document_figures(spec, &analyses, "").unwrap() {
        if !files.iter().any(|g| g.0 == f.0) {
            files.push(f);
        }
    }

    a.problems.extend(figure_citations(&source, review));
    // Citations: every key in the bibliography.
    let bib = bibliography(&yml);
    let cited = cited_keys(&source, review);
    for k in &cited {
        a.references += 1;
        if !bib.contains_key(k) {
            a.problems.push(format!(
                "{review}: cites `{k}`, which references.yml does not have"
            ));
        }
    }
    let doc = match compile::document(&source, files) {
        Ok(d) => d,
        Err(e) => {
            a.problems
                .push(format!("{review}: the manuscript does not compile: {e}"));
            return a;
        }
    };
    let lines = lines(&doc);
    let is_heading = |l: &Line, word: &str| {
        let t = l.text.trim();
        t == word
            || t.split_once(". ").is_some_and(|(n, w)| {
                w == word && n.chars().all(|c| c.is_ascii_digit() || c == '.')
            })
    };
    let find = |word: &str| lines.iter().position(|l| is_heading(l, word));
    let methods_at = find("Statistical analysis");
    let results_at = find("Results");
    let refs_at = find("References");
    let appendix_at = lines
        .iter()
        .position(|l| l.text.trim() == "Appendix: reproducibility");
    let end_main = refs_at.or(appendix_at).unwrap_or(lines.len());
    let region = |from: Option<usize>, to: usize| -> Vec<&Line> {
        from.map_or(Vec::new(), |f| {
            lines[f + 1..to]
                .iter()
                .filter(|l| !l.text.trim().chars().all(|c| c.is_ascii_digit()))
                .collect()
        })
    };
    let methods = region(methods_at, results_at.unwrap_or(end_main));
    let results_lines = region(results_at, end_main);
    let join = |ls: &[&Line]| {
        let mut s = String::new();
        for l in ls {
            if !s.is_empty() && !s.ends_with('-') {
                s.push(' ');
            }
            s.push_str(&l.text);
        }
        s
    };
    if std::env::var("METAREPORT_AUDIT_DEBUG").is_ok() {
        for l in methods.iter().chain(&results_lines) {
            eprintln!("{review} | {:?}", numbers(&l.text));
            eprintln!("{review} > {}", l.text);
        }
    }
    let methods_text = join(&methods);
    let results_text = join(&results_lines);
    for t in [&methods_text, &results_text] {
        a.sentences += t
            .split(". ")
            .filter(|s| s.chars().any(char::is_alphabetic))
            .count();
    }
    for bad in ["Caveats", "NaN", "{{", "{%"] {
        if methods_text.contains(bad) || results_text.contains(bad) {
            a.problems
                .push(format!("{review}: `{bad}` is printed in the manuscript"));
        }
    }

    // The numbers that may be printed.
    let mut allowed = BTreeSet::new();
    let mut strings = Vec::new();
    // (explore's bulk — the GOSH histogram, unflagged studies' diagnostics — is not printable)
    leaves(
        &super::prose_audit_explore::printable(&results),
        &mut allowed,
        &mut strings,
    );
    // Proportions and rates are printed back-transformed by their own inverse (inverse logit,
    // sin², Miller's inverse at the harmonic-mean n) and per 100 or 1,000: the pooled values of
    // such an outcome in those forms (the generic forms above are exp, tanh and percent).
    for o in results["outcomes"].as_array().unwrap() {
        let m: metareport::stats::Measure = serde_json::from_value(o["measure"].clone()).unwrap();
        if !metareport::stats::per_scale::scalable(m) {
            continue;
        }
        let (t, _) = presentation(o, m);
        let mut values = Vec::new();
        for part in ["overall", "subgroups", "sensitivity", "bias"] {
            collect_numbers(&o[part], &mut values);
        }
        for x in values {
            let v = t(x);
            if v.is_finite() {
                for d in 0..=5 {
                    allowed.insert(format!("{:.d$}", v.abs()));
                }
            }
        }
    }
    let spec_file = results["review"]["spec"].as_str().unwrap().to_string();
    let spec_text = std::fs::read_to_string(dir.join(&spec_file)).unwrap();
    strings.push(spec_text.clone());
    let spec: Value = serde_saphyr::from_str(&spec_text).unwrap();
    if let Some(data) = spec["studies"]["data"].as_str() {
        let p = dir.join(&spec_file).parent().unwrap().join(data);
        strings.push(std::fs::read_to_string(p).unwrap_or_default());
    }
    for s in &strings {
        for t in numbers(s) {
            allowed.extend(normal(&t));
        }
    }
    // Constants of the methods: significance, the level, 100%, k − 1, k − 2 and k ≥ 3, the SE
    // from a CI (2 × 1.96, 3.92), the ten studies small-study tests need, p thresholds, the
    // version.
    for c in [
        "0.05", "95", "100", "1", "2", "3", "10", "1.96", "3.92", "0.001", "0.99", "0.0001",
        "0.00001", // absolute effects are per 1,000 (the Summary of Findings table)
        "1000",    // A rare event's absolute effects per 10,000 or more.
        "10000", "100000", "1000000",
        // The thresholds of I² that name the amount of heterogeneity (Higgins et al. 2003).
        "25", "50", "75",
        // RevMan 5's SMD formulas (`model: smd: revman`): 1 − 3/(4N − 9), N − 3.94
        "4", "9", "3.94",
    ] {
        allowed.insert(c.to_string());
    }
    allowed.insert(metareport::results::VERSION.to_string());
    for (_, year, _) in bib.values() {
        allowed.insert(year.clone());
    }
    for l in methods.iter().chain(&results_lines) {
        for tok in numbers(&l.text) {
            if let Some(problem) = ungrouped(&tok) {
                a.problems
                    .push(format!("{review}: {problem}: \"{}\"", l.text.trim()));
            }
            for n in normal(&tok) {
                a.numbers += 1;
                if !allowed.contains(&n) {
                    a.problems.push(format!(
                        "{review}: {n} is printed but is not a number of results.json at its rounding, nor of the spec: \"{}\"",
                        l.text.trim()
                    ));
                }
            }
        }
    }

    // The key statistics, each in its own sentence: every pooled estimate with its CI and p,
    // and the heterogeneity statistics, as results.json gives them for that pool.
    for o in results["outcomes"].as_array().unwrap() {
        let id = o["id"].as_str().unwrap();
        let m: metareport::stats::Measure = serde_json::from_value(o["measure"].clone()).unwrap();
        let mut pools = vec![("overall".to_string(), &o["overall"])];
        if let Some(g) = o["subgroups"]["groups"].as_array() {
            pools.extend(
                g.iter()
                    .map(|g| (g["name"].as_str().unwrap().to_string(), &g["pool"])),
            );
        }
        let (t, unit) = presentation(o, m);
        for (name, p) in pools {
            let pooled = &p["pooled"];
            if let (Some(e), Some(lo), Some(hi), Some(pv)) = (
                pooled["estimate"].as_f64(),
                pooled["ci_lower"].as_f64(),
                pooled["ci_upper"].as_f64(),
                pooled["p"].as_f64(),
            ) {
                // A single group has no null to test: no p, and the sentence ends there.
                let phrase = format!(
                    "{} {}{unit}, 95% CI {}{}",
                    m.abbreviation(),
                    format::effect(t(e), m),
                    format::interval(t(lo), t(hi), m),
                    if m.single_group() {
                        ".".to_string()
                    } else {
                        format!("; {}", format::p_text(pv))
                    }
                );
                a.counts += 1;
                if !has(&results_text, &phrase) {
                    a.problems.push(format!(
                        "{review}/{id} ({name}): the pooled estimate \"{phrase}\" of results.json is not in the text"
                    ));
                }
            }
            let h = &p["heterogeneity"];
            if let (Some(q), Some(df), Some(i2)) =
                (h["q"].as_f64(), h["df"].as_u64(), h["i2"].as_f64())
            {
                let q_phrase = format!("Q = {}, df = {df}", format::stat(q));
                let i2_phrase = format!("I² = {}", format::percent0(i2));
                // I² beside a CI narrower than a percent has the CI's decimals ("99.88%").
                let i2_said = (0..=2)
                    .any(|d| has(&results_text, &format!("I² = {}", format::percent(i2, d))));
                a.counts += 1;
                if name == "overall" && !(has(&results_text, &q_phrase) && i2_said) {
                    a.problems.push(format!(
                        "{review}/{id}: \"{i2_phrase}\" and \"{q_phrase}\" of results.json are not in the text"
                    ));
                }
                if name != "overall" && !has(&results_text, &i2_phrase) {
                    a.problems.push(format!(
                        "{review}/{id} ({name}): \"{i2_phrase}\" of results.json is not in the text"
                    ));
                }
            }
        }
    }

    sof_audit(&mut a, review, &results, &results_text, &source);

    conversions_audit(&mut a, review, &results, &methods_text);
    multi_arm_audit(&mut a, review, &results, &methods_text);

    // Counts: the text, the summary table, results.json's data and the forest plot agree.
    for o in results["outcomes"].as_array().unwrap() {
        let title = o["title"].as_str().unwrap();
        let id = o["id"].as_str().unwrap();
        let c = &o["counts"]["overall"];
        let reported = c["reported"].as_u64().unwrap() as usize;
        let not_estimable = c["not_estimable"].as_u64().unwrap() as usize;
        let participants = c["participants"].as_f64();
        let studies = o["studies"].as_array().unwrap();
        let excluded = o["excluded"].as_array().unwrap();
        a.counts += 1;
        if reported != studies.len() + excluded.len() || not_estimable != excluded.len() {
            a.problems.push(format!(
                "{review}/{id}: results.json counts {reported} studies reporting, {not_estimable} not estimable, but lists {} included and {} excluded",
                studies.len(),
                excluded.len()
            ));
        }
        let n_sum: Option<f64> = studies
            .iter()
            .map(|s| &s["data"])
            .chain(excluded.iter().map(|e| &e["data"]))
            .map(|d| {
                match (
                    d["total_t"].as_f64(),
                    d["total_c"].as_f64(),
                    d["n_t"].as_f64(),
                    d["n_c"].as_f64(),
                ) {
                    (Some(t), Some(c), _, _) | (_, _, Some(t), Some(c)) => Some(t + c),
                    // One group: a proportion's `total`, a mean's `n`.
                    _ => d["total"].as_f64().or(d["n"].as_f64()),
                }
            })
            .sum();
        if excluded.is_empty() && n_sum != participants {
            a.problems.push(format!(
                "{review}/{id}: results.json counts {participants:?} participants, its studies {n_sum:?}"
            ));
        }
        // Split multi-arm trials: the rows counted are comparisons, from fewer studies.
        let unit = match &o["multi_arm"] {
            m if m["method"] == "split" && !m["trials"].as_array().unwrap().is_empty() => {
                format!(
                    "comparisons from {} studies",
                    format::count_in_text(m["trials_analysed"].as_u64().unwrap() as usize)
                )
            }
            _ => "studies".to_string(),
        };
        let phrase = if reported == 1 {
            "One study".to_string()
        } else {
            match participants {
                Some(n) => format!(
                    "{} {unit} ({} participants) reported {}",
                    count_words(reported),
                    format::count(n),
                    format::title_in_text(title)
                ),
                None => format!(
                    "{} {unit} reported {}",
                    count_words(reported),
                    format::title_in_text(title)
                ),
            }
        };
        a.counts += 1;
        if !has(&results_text, &phrase) {
            a.problems.push(format!(
                "{review}/{id}: the results do not say \"{phrase}\""
            ));
        }
        if not_estimable > 0 {
            a.counts += 1;
            let all_zero = excluded.iter().all(|e| {
                e["reason"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("no events in either arm"))
            });
            let phrase = if all_zero {
                format!(
                    "{} had no events in either group and did not contribute",
                    format::count_in_text(not_estimable)
                )
            } else {
                "did not contribute".to_string()
            };
            // Up to three such studies are named: "one (Eady 2010) had no events …".
            let names: Vec<&str> = excluded
                .iter()
                .filter_map(|e| e["study"].as_str())
                .collect();
            let named = format!(
                "{} ({}) had no events in either group and did not contribute",
                format::count_in_text(not_estimable),
                names.join(", ")
            );
            if !(has(&results_text, &phrase) || (all_zero && has(&results_text, &named))) {
                a.problems.push(format!(
                    "{review}/{id}: the results do not say \"{phrase}\""
                ));
            }
        }
        // Studies without data for the outcome: counted apart, said, listed in the forest.
        let missing: Vec<&str> = o["missing"]
            .as_array()
            .map(|m| m.iter().filter_map(|s| s["study"].as_str()).collect())
            .unwrap_or_default();
        let no_data = c["no_data"].as_u64().unwrap_or(0) as usize;
        a.counts += 1;
        if no_data != missing.len() {
            a.problems.push(format!(
                "{review}/{id}: results.json counts {no_data} studies without data but lists {}",
                missing.len()
            ));
        }
        if !missing.is_empty() {
            a.counts += 1;
            let phrase = format!(
                "{} further {} did not report {} and {} not included in the analysis",
                count_words(missing.len()),
                if missing.len() == 1 {
                    "study".to_string()
                } else {
                    format!(
                        "studies{}",
                        if missing.len() <= 3 {
                            format!(" ({})", missing.join(", "))
                        } else {
                            String::new()
                        }
                    )
                },
                format::title_in_text(title),
                if missing.len() == 1 { "was" } else { "were" }
            );
            let phrase = if missing.len() == 1 {
                phrase.replace(" study did", &format!(" study ({}) did", missing[0]))
            } else {
                phrase
            };
            if !has(&results_text, &phrase) {
                a.problems.push(format!(
                    "{review}/{id}: the results do not say \"{phrase}\""
                ));
            }
            if let Some(svg) = svgs.get(&format!("forest-{id}.svg")) {
                let texts = svg_texts(svg);
                for m in &missing {
                    a.counts += 1;
                    let rows: Vec<f64> = texts
                        .iter()
                        .filter(|(_, t)| t == m)
                        .map(|(y, _)| *y)
                        .collect();
                    let listed = rows.len() == 1
                        && texts
                            .iter()
                            .any(|(y, t)| (y - rows[0]).abs() < 0.5 && t == "Not estimable");
                    if !listed {
                        a.problems.push(format!(
                            "{review}/{id}: the forest plot does not list {m} once as \"Not estimable\""
                        ));
                    }
                }
            }
        }
        if let Some(groups) = o["counts"]["subgroups"].as_array() {
            for g in groups {
                let name = g["name"].as_str().unwrap();
                let k = g["counts"]["reported"].as_u64().unwrap();
                a.counts += 1;
                let phrase = format!("{name} ({k} stud");
                if !has(&results_text, &phrase) {
                    a.problems.push(format!(
                        "{review}/{id}: the subgroup count is not \"{phrase}…\""
                    ));
                }
            }
        }
        // The summary table's row: studies, then participants.
        if let Some(row) = results_lines
            .iter()
            .map(|l| l.text.trim_start())
            .find(|t| t.starts_with(title) && t.contains('%'))
        {
            a.counts += 1;
            let nums: Vec<String> = numbers(&row[title.len()..])
                .iter()
                .flat_map(|t| normal(t))
                .collect();
            let want_n = participants.map(|n| format!("{n:.0}"));
            // Split multi-arm trials: the studies, "(8 comparisons)" on the next line.
            let studies = match &o["multi_arm"] {
                m if m["method"] == "split" && !m["trials"].as_array().unwrap().is_empty() => {
                    let said = format!("({reported} comparisons)");
                    if !has(&results_text, &said) {
                        a.problems.push(format!(
                            "{review}/{id}: the summary table does not say \"{said}\": \"{row}\""
                        ));
                    }
                    m["trials_analysed"].as_u64().unwrap()
                }
                _ => reported as u64,
            };
            if nums.first() != Some(&studies.to_string())
                || (want_n.is_some() && nums.get(1) != want_n.as_ref())
            {
                a.problems.push(format!(
                    "{review}/{id}: the summary table says {:?}, results.json {reported} studies and {want_n:?} participants: \"{}\"",
                    nums.iter().take(2).collect::<Vec<_>>(),
                    row
                ));
            }
        }
        // The forest plot: one row per study that reported the outcome; its totals.
        if let Some(svg) = svgs.get(&format!("forest-{id}.svg")) {
            let texts = svg_texts(svg);
            let names: BTreeSet<&str> = studies
                .iter()
                .map(|s| s["study"].as_str().unwrap())
                .chain(excluded.iter().map(|e| e["study"].as_str().unwrap()))
                .collect();
            let rows = texts
                .iter()
                .filter(|(_, t)| names.contains(t.as_str()))
                .count();
            a.counts += 1;
            if rows != reported {
                a.problems.push(format!(
                    "{review}/{id}: the forest plot has {rows} study rows, the text counts {reported} studies"
                ));
            }
            if let (Some(n), Some((y, _))) = (
                participants,
                texts.iter().find(|(_, t)| t.starts_with("Total (")),
            ) {
                let totals: Vec<f64> = texts
                    .iter()
                    .filter(|(ty, _)| (ty - y).abs() < 0.5)
                    .filter_map(|(_, t)| t.replace(',', "").parse::<f64>().ok())
                    .collect();
                a.counts += 1;
                // Two arms: the participants of each; a single group's proportion prints its
                // events and participants, a mean its participants (then the weight).
                let sum = match o["input"].as_str() {
                    Some("proportion") => totals.get(1).copied(),
                    Some("mean") => totals.first().copied(),
                    _ if totals.len() >= 2 => Some(totals[0] + totals[1]),
                    _ => None,
                };
                if sum != Some(n) {
                    a.problems.push(format!(
                        "{review}/{id}: the forest plot's totals {totals:?} do not sum to the {n} participants of the text"
                    ));
                }
            }
        }
    }

    // Settings: the methods name what was computed.
    let outs = results["outcomes"].as_array().unwrap();
    let pools = |o: &Value| -> Vec<Value> {
        let mut v = vec![o["overall"].clone()];
        if let Some(g) = o["subgroups"]["groups"].as_array() {
            v.extend(g.iter().map(|g| g["pool"].clone()));
        }
        v
    };
    let mut check = |ok: bool, what: String| {
        a.settings += 1;
        if !ok {
            a.problems.push(format!("{review}: {what}"));
        }
    };
    if !outs.is_empty() {
        let tau2_names = [
            ("DL", "DerSimonian–Laird"),
            ("REML", "restricted maximum-likelihood"),
            ("PM", "Paule–Mandel"),
            ("ML", "maximum-likelihood method"),
            ("HS", "Hunter–Schmidt"),
            ("SJ", "Sidik–Jonkman"),
            ("HE", "Hedges method"),
            ("EB", "empirical Bayes"),
        ];
        let mut used = BTreeSet::new();
        let (mut from_tau2, mut from_q) = (false, false);
        for o in outs {
            let i2_from_q = o["options"]["i2_from_q"].as_bool().unwrap();
            for p in pools(o) {
                let h = &p["heterogeneity"];
                if h.get("q").is_none() {
                    continue;
                }
                if let Some(m) = h["tau2_method"].as_str() {
                    used.insert(m.to_string());
                }
                if h["tau2_method"].is_string() && !i2_from_q {
                    from_tau2 = true;
                } else {
                    from_q = true;
                    // I² from Q must be (Q − df)/Q.
                    let (q, df, i2) = (
                        h["q"].as_f64().unwrap(),
                        h["df"].as_f64().unwrap(),
                        h["i2"].as_f64().unwrap(),
                    );
                    let want = if q > 0.0 {
                        (100.0 * (q - df) / q).max(0.0)
                    } else {
                        0.0
                    };
                    check(
                        (want - i2).abs() < 1e-9,
                        format!("I² {i2} is not (Q − df)/Q = {want}"),
                    );
                }
            }
            let model = o["options"]["model"]["choice"].as_str().unwrap();
            check(
                match model {
                    "random" => has(&methods_text, "random-effects model"),
                    "fixed" => has(&methods_text, "fixed-effect model"),
                    _ => has(
                        &methods_text,
                        "The model was chosen from the heterogeneity p-value",
                    ),
                },
                format!("the methods do not name the model `{model}`"),
            );
            let hksj = o["options"]["ci"].as_str() == Some("hksj");
            check(
                hksj == has(&methods_text, "Hartung–Knapp"),
                format!(
                    "the CI method is {:?}, the methods say otherwise",
                    o["options"]["ci"]
                ),
            );
            if o["options"]["pooling"] == "mantel-haenszel" {
                check(
                    has(&methods_text, "Mantel–Haenszel"),
                    "Mantel–Haenszel pooling is not named".into(),
                );
            }
            // Prediction interval.
            let shown = o["overall"]["prediction"]["shown"]
                .as_str()
                .unwrap_or("none");
            let printed = results_text.contains("prediction interval");
            check(
                (shown != "none") == printed
                    || o["overall"]["prediction"].get("absent").is_some() && !printed,
                format!(
                    "the prediction interval is `{shown}`, but the results {} one",
                    if printed { "print" } else { "do not print" }
                ),
            );
            // Which interval: the distribution of its critical value.
            if shown != "none" && o["overall"]["prediction"].get("absent").is_none() {
                let hksj = !o["overall"]["pooled"]["df"].is_null();
                let phrase = match shown {
                    "higgins_t" => "the t distribution on k − 2 degrees of freedom",
                    _ if hksj => "the t distribution on k − 1 degrees of freedom",
                    _ => "the normal distribution",
                };
                check(
                    has(&methods_text, phrase),
                    format!(
                        "the prediction interval is `{shown}`, the methods do not say \"{phrase}\""
                    ),
                );
            }
            // Egger's test: which form, and whether it ran.
            if let Some(e) = o["bias"]["egger"].as_object() {
                if e.contains_key("absent") {
                    check(
                        results_text.contains("not performed"),
                        "Egger's test did not run, but the results do not say so".into(),
                    );
                } else {
                    check(
                        has(
                            &methods_text,
                            "Egger's regression test in its original form",
                        ),
                        "the methods do not name the form of Egger's test that ran".into(),
                    );
                }
            }
            // Continuity corrections.
            let corrected = o["studies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| !s["continuity_correction"].is_null())
                .count();
            let add = o["options"]["continuity"]["add"].as_f64().unwrap_or(0.5);
            if corrected > 0 {
                let kind = o["options"]["continuity"]["kind"].as_str().unwrap_or("");
                check(
                    if kind == "treatment-arm" || kind == "treatment_arm" {
                        has(&methods_text, "treatment-arm continuity correction")
                    } else {
                        has(
                            &methods_text,
                            &format!("continuity correction of {add} was added"),
                        )
                    },
                    format!(
                        "{corrected} studies had a continuity correction, the methods do not say which"
                    ),
                );
            }
        }
        let corrected_any = outs.iter().any(|o| {
            o["studies"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| !s["continuity_correction"].is_null())
        });
        check(
            corrected_any == has(&methods_text, "continuity correction"),
            format!(
                "continuity corrections: {corrected_any} in results.json, the methods say otherwise"
            ),
        );
        // The estimators the methods name: in "τ² estimated by the … method", and DL as the
        // τ² of Mantel–Haenszel random effects.
        let clause = squash(&methods_text)
            .split_once("estimatedbythe")
            .and_then(|(_, rest)| rest.split_once('.'))
            .map_or(String::new(), |(c, _)| {
                c.replace("restrictedmaximumlikelihood", "REML")
            });
        for (code, name) in tau2_names {
            let name = if code == "REML" {
                "REML".to_string()
            } else {
                squash(name.trim_end_matches(" method"))
            };
            let named = clause.contains(&name)
                || (code == "DL"
                    && has(&methods_text, "uses the DerSimonian–Laird estimate of τ²"));
            check(
                used.contains(code) == named,
                format!(
                    "τ² estimator {code}: used {}, named in the methods {named}",
                    used.contains(code)
                ),
            );
        }
        check(
            from_tau2 == has(&methods_text, "I² was computed from the estimate of τ²"),
            format!("I² from τ²: {from_tau2} in results.json"),
        );
        check(
            from_q == (has(&methods_text, "(Q − df)/Q")),
            format!("I² from Q: {from_q} in results.json"),
        );
        let any_prediction = outs.iter().any(|o| {
            o["overall"]["prediction"]["shown"]
                .as_str()
                .is_some_and(|k| k != "none")
        });
        check(
            any_prediction == has(&methods_text, "Prediction intervals"),
            format!(
                "prediction intervals: {any_prediction} in results.json, the methods say otherwise"
            ),
        );
        let dz = outs
            .iter()
            .any(|o| !o["excluded"].as_array().unwrap().is_empty());
        check(
            dz == has(&methods_text, "did not contribute to its pooled estimate"),
            format!("studies without events: {dz} in results.json"),
        );
        check(
            !has(&methods_text, "reproduce those of the R package metafor"),
            "the methods say metafor was used".into(),
        );
        check(
            has(
                &methods_text,
                &format!("metareport {}", metareport::results::VERSION),
            ),
            "the methods do not name metareport and its version".into(),
        );
    }

    // Meta-regression, influence and GOSH sentences (`prose_audit_explore.rs`).
    super::prose_audit_explore::audit(
        review,
        &results,
        &methods_text,
        &results_text,
        &has,
        &mut a.problems,
        &mut a.settings,
    );

    // The bibliography: exactly the works cited, each with authors, year and title.
    if let Some(r) = refs_at {
        let end = appendix_at.filter(|&e| e > r).unwrap_or(lines.len());
        let entries: Vec<&Line> = lines[r + 1..end]
            .iter()
            .filter(|l| !l.text.trim().chars().all(|c| c.is_ascii_digit()))
            .collect();
        let left = entries.iter().map(|l| l.x).fold(f64::INFINITY, f64::min);
        let starts = entries.iter().filter(|l| (l.x - left).abs() < 1.0).count();
        let text = join(&entries);
        a.references += 1;
        if starts != cited.len() {
            a.problems.push(format!(
                "{review}: the bibliography lists {starts} works, the text cites {}",
                cited.len()
            ));
        }
        for k in &cited {
            let Some((family, year, title)) = bib.get(k) else {
                continue;
            };
            a.references += 1;
            let (t, f) = (alnum(&text), alnum(family));
            if family.is_empty() || !t.contains(&f) {
                a.problems.push(format!(
                    "{review}: reference `{k}` is printed without its author {family:?}"
                ));
            }
            if year.is_empty() || !text.contains(year.as_str()) {
                a.problems.push(format!(
                    "{review}: reference `{k}` is printed without its year"
                ));
            }
            if title.is_empty() || !t.contains(&alnum(title)) {
                a.problems.push(format!(
                    "{review}: reference `{k}` is printed without its title"
                ));
            }
        }
    } else if !cited.is_empty() {
        a.problems.push(format!(
            "{review}: works are cited but there is no bibliography"
        ));
    }
    a
}

/// The default project's reviews and the test reviews, in one project, in `style`.
/// "62 fewer" / "15 more", as a Summary of Findings table prints a difference per 1,000.
/// The methods' conversion sentence: each conversion named with exactly the studies
/// results.json lists for it (per outcome when the review has several), and no conversion
/// named that results.json does not list.
fn conversions_audit(a: &mut Audit, review: &str, results: &Value, methods_text: &str) {
    use metareport::stats::convert::Method;
    let outs = results["outcomes"].as_array().unwrap();
    let several = outs.len() > 1;
    let and_list = |items: &[String]| -> String {
        match items {
            [] => String::new(),
            [a] => a.clone(),
            [a, b] => format!("{a} and {b}"),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    };
    for m in Method::ALL {
        let mut parts = Vec::new();
        let mut converted = 0;
        for o in outs {
            let mut names: Vec<String> = Vec::new();
            for c in o["conversions"].as_array().into_iter().flatten() {
                if c["method"] == m.code() {
                    let s = c["study"].as_str().unwrap().to_string();
                    if !names.contains(&s) {
                        names.push(s);
                    }
                }
            }
            if names.is_empty() {
                continue;
            }
            converted += names.len();
            let list = and_list(&names);
            parts.push(if several {
                format!(
                    "{list} in {}",
                    format::title_in_text(o["title"].as_str().unwrap())
                )
            } else {
                list
            });
        }
        a.settings += 1;
        let named = has(methods_text, m.describe());
        if converted == 0 {
            if named {
                a.problems.push(format!(
                    "{review}: the methods name the conversion \"{}\", which results.json does not list",
                    m.describe()
                ));
            }
            continue;
        }
        a.counts += 1;
        let phrase = format!("{} for {}", m.describe(), and_list(&parts));
        if !has(methods_text, &phrase) {
            a.problems.push(format!(
                "{review}: the methods do not say \"{phrase}\" ({converted} studies converted)"
            ));
        }
    }
}

/// Multi-arm trials (`multi_arm:`): the methods name each outcome's trials with their arms as
/// results.json lists them, the method (split, with the Handbook's chapter, or combined), and
/// for a split the rows analysed and the trials they come from, which must be results.json's
/// rows and its rows less each split trial's extra comparisons.
fn multi_arm_audit(a: &mut Audit, review: &str, results: &Value, methods_text: &str) {
    let outs = results["outcomes"].as_array().unwrap();
    let several = outs.len() > 1;
    let and_list = |items: &[String]| -> String {
        match items {
            [] => String::new(),
            [a] => a.clone(),
            [a, b] => format!("{a} and {b}"),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    };
    for o in outs {
        let m = &o["multi_arm"];
        let Some(trials) = m["trials"].as_array() else {
            continue;
        };
        if trials.is_empty() {
            continue;
        }
        let id = o["id"].as_str().unwrap();
        a.settings += 1;
        let names: Vec<String> = trials
            .iter()
            .map(|t| {
                let arms: Vec<String> = t["arms"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect();
                let list = if arms.iter().any(|x| x.contains(" and ") || x.contains(',')) {
                    arms.join("; ")
                } else {
                    and_list(&arms)
                };
                format!("{} ({list})", t["trial"].as_str().unwrap())
            })
            .collect();
        let lead = if several {
            format!(
                "For {}, the",
                format::title_in_text(o["title"].as_str().unwrap())
            )
        } else {
            "The".into()
        };
        let phrase = format!(
            "{lead} multi-arm {} {} compared several experimental arms with one control group",
            if trials.len() == 1 { "trial" } else { "trials" },
            and_list(&names)
        );
        if !has(methods_text, &phrase) {
            a.problems.push(format!(
                "{review}/{id}: the methods do not say \"{phrase}\""
            ));
        }
        let rows = o["studies"].as_array().unwrap().len() + o["excluded"].as_array().unwrap().len();
        let extra: usize = trials
            .iter()
            .map(|t| t["studies"].as_array().unwrap().len() - 1)
            .sum();
        a.counts += 1;
        if m["rows_analysed"].as_u64() != Some(rows as u64)
            || m["trials_analysed"].as_u64() != Some((rows - extra) as u64)
        {
            a.problems.push(format!(
                "{review}/{id}: results.json's multi_arm counts {} rows from {} trials, its studies {rows} rows from {} trials",
                m["rows_analysed"], m["trials_analysed"], rows - extra
            ));
        }
        let what = if m["method"] == "split" {
            format!(
                "the shared control group was split evenly among the trial's comparisons; the {} comparisons analysed come from {} studies",
                format::count_in_text(rows),
                format::count_in_text(rows - extra)
            )
        } else {
            "the experimental arms were combined into one group and compared with the shared control group".to_string()
        };
        a.counts += 1;
        for part in what.split("; ") {
            if !has(methods_text, part) {
                a.problems
                    .push(format!("{review}/{id}: the methods do not say \"{part}\""));
            }
        }
    }
}

fn fewer_more(x: f64) -> String {
    format!(
        "{} {}",
        format::count(x.abs().round()),
        if x < 0.0 { "fewer" } else { "more" }
    )
}

/// The Summary of Findings table against results.json: each row's relative effect, its
/// participants (studies) as the counts of the outcome, each absolute effect per 1,000 (the
/// corresponding risk with its CI, and the difference), the certainty's symbols and level, and
/// GRADE's statement of that level in the results. A table's cells wrap over lines that the
/// laid-out text interleaves across columns, so the cells are read in the typst source (their
/// numbers are also checked, in the laid-out text, with every other number); the statement is
/// read in the text.
fn sof_audit(a: &mut Audit, review: &str, results: &Value, text: &str, source: &str) {
    let Some(rows) = results["summary_of_findings"]["rows"].as_array() else {
        return;
    };
    for row in rows {
        let id = row["outcome"].as_str().unwrap();
        let o = super::common::outcome(results, id);
        let m: metareport::stats::Measure = serde_json::from_value(row["measure"].clone()).unwrap();
        let mut phrases = Vec::new();
        let re = &row["relative_effect"];
        if let (Some(e), Some(lo), Some(hi)) = (
            re["estimate"].as_f64(),
            re["ci_lower"].as_f64(),
            re["ci_upper"].as_f64(),
        ) {
            // The relative effect is the outcome's pooled estimate.
            let pooled = &o["overall_presentation_scale"];
            if pooled["estimate"].as_f64() != Some(e) {
                a.problems.push(format!(
                    "{review}/{id}: the Summary of Findings' relative effect {e} is not the pooled estimate {pooled}"
                ));
            }
            // The relative effect of a ratio measure (a mean difference is in the absolute
            // column, the relative effect "–", as GRADE's tables print it).
            phrases.push(if !m.is_ratio() {
                format!("{} {}", m.abbreviation(), format::effect(e.abs(), m))
            } else {
                format!(
                    "{} {} ({} to {})",
                    m.abbreviation(),
                    format::effect(e, m),
                    format::effect(lo, m),
                    format::effect(hi, m)
                )
            });
        }
        let c = &o["counts"]["overall"];
        let k = c["reported"].as_u64().unwrap();
        let studies = format!("({k} {})", if k == 1 { "study" } else { "studies" });
        phrases.push(match c["participants"].as_f64() {
            Some(n) => format!("{} {studies}", format::count(n)),
            None => studies,
        });
        for abs in row["absolute"].as_array().unwrap() {
            let k = &abs["per_1000"];
            if k.is_null() {
                continue;
            }
            // Per 1,000, or per 10,000 or more for a rare event (`printed_per`).
            let per = abs["printed_per"].as_f64().unwrap();
            let n = format::count(per);
            let f = |key: &str| k[key].as_f64().unwrap() * per / 1000.0;
            phrases.push(format!(
                "{} per {n}",
                format::count(abs["assumed_risk"].as_f64().unwrap() * per)
            ));
            phrases.push(format!(
                "{} per {n} ({} to {})",
                format::count(f("risk")),
                format::count(f("risk_lower")),
                format::count(f("risk_upper"))
            ));
            phrases.push(format!(
                "{} per {n} (from {} to {})",
                fewer_more(f("difference")),
                fewer_more(f("difference_lower")),
                fewer_more(f("difference_upper"))
            ));
        }
        if let Some(level) = row["certainty"]["level"].as_str() {
            let (n, label) = match level {
                "high" => (4, "High"),
                "moderate" => (3, "Moderate"),
                "low" => (2, "Low"),
                _ => (1, "Very low"),
            };
            phrases.push(format!(
                "{}{}] \\ {label}",
                "\u{2A01}".repeat(n),
                "\u{25EF}".repeat(4 - n)
            ));
            let statement = format!("({}-certainty evidence)", label.to_lowercase());
            a.counts += 1;
            if !row["relative_effect"].is_null() && !has(text, &statement) {
                a.problems.push(format!(
                    "{review}/{id}: the results do not state \"{statement}\" (results.json)"
                ));
            }
        }
        for p in phrases {
            a.counts += 1;
            if !has(source, &p) {
                a.problems.push(format!(
                    "{review}/{id}: the Summary of Findings does not say \"{p}\" (results.json)"
                ));
            }
        }
    }
}

/// How an outcome's pooled values are printed: the back-transformation from the analysis
/// scale (a Freeman–Tukey value at the harmonic mean of the studies' sizes, as metafor's
/// `transf.ipft.hm`), times `per` when results are shown per 100 or 1,000, and the unit the
/// text prints after the estimate (" per 1,000 person-years").
fn presentation(o: &Value, m: metareport::stats::Measure) -> (impl Fn(f64) -> f64, String) {
    let sizes: Vec<f64> = o["studies"]
        .as_array()
        .into_iter()
        .chain(o["excluded"].as_array())
        .flatten()
        .filter_map(|s| s["data"]["total"].as_f64())
        .collect();
    let hm = if sizes.is_empty() {
        f64::INFINITY
    } else {
        sizes.len() as f64 / sizes.iter().map(|n| 1.0 / n).sum::<f64>()
    };
    let ps = &o["overall_per_scale"];
    let per = ps["per"].as_f64().unwrap_or(1.0);
    let unit = ps["unit"]
        .as_str()
        .map_or_else(String::new, |u| format!(" {u}"));
    (move |x: f64| m.back_transform_at(x, hm) * per, unit)
}

fn audit_project(style: &str) -> tempfile::TempDir {
    let dir = project(&["bcg", "iabp-ecpr", "magnesium", "passive-smoking"]);
    let data = dir.path().join("analyses/data");
    std::fs::copy(
        repo().join("tests/fixtures/axfors2021/axfors2021.csv"),
        data.join("axfors2021.csv"),
    )
    .unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/audit/stroke-los.csv"),
        data.join("stroke-los.csv"),
    )
    .unwrap();
    // The conversions review (medians, SEs, CIs, t and p values, O − E, log-rank p-values).
    let conv = repo().join("tests/fixtures/projects/conversions/analyses");
    for f in ["stay.csv", "survival.csv"] {
        std::fs::copy(conv.join("data").join(f), data.join(f)).unwrap();
    }
    std::fs::copy(
        conv.join("conversions.yaml"),
        dir.path().join("analyses/conversions.yaml"),
    )
    .unwrap();
    // The multi-arm trials review (shared control split, arms combined).
    let arms = repo().join("tests/fixtures/projects/multi-arm/analyses");
    for f in ["arms-adverse.csv", "arms-pain.csv"] {
        std::fs::copy(arms.join("data").join(f), data.join(f)).unwrap();
    }
    std::fs::copy(
        arms.join("multi-arm.yaml"),
        dir.path().join("analyses/multi-arm.yaml"),
    )
    .unwrap();
    // The single-group review (proportions per 100, rates per 1,000 person-years, means).
    let single = repo().join("tests/fixtures/projects/single-group/analyses");
    for e in std::fs::read_dir(single.join("data")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, data.join(p.file_name().unwrap())).unwrap();
    }
    for f in ["proportions.yaml", "rates.yaml", "means.yaml"] {
        std::fs::copy(single.join(f), dir.path().join("analyses").join(f)).unwrap();
    }
    // The Summary of Findings test review (tests/fixtures/grade/).
    let grade = repo().join("tests/fixtures/grade/analyses");
    for e in std::fs::read_dir(grade.join("data")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, data.join(p.file_name().unwrap())).unwrap();
    }
    std::fs::copy(
        grade.join("grade.yaml"),
        dir.path().join("analyses/grade.yaml"),
    )
    .unwrap();
    for e in std::fs::read_dir(repo().join("tests/fixtures/audit")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            std::fs::copy(&p, dir.path().join("analyses").join(p.file_name().unwrap())).unwrap();
        }
    }
    // Every review in the one style.
    for e in std::fs::read_dir(dir.path().join("analyses")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let text: String = std::fs::read_to_string(&p)
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("style:"))
                .map(|l| format!("{l}\n"))
                .collect();
            let text = if text.contains("\nmanuscript:\n") {
                text.replace(
                    "\nmanuscript:\n",
                    &format!("\nmanuscript:\n  style: {style}\n"),
                )
            } else {
                format!("{text}manuscript:\n  style: {style}\n")
            };
            std::fs::write(&p, text).unwrap();
        }
    }
    built(dir.path());
    dir
}

fn reviews(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("analyses"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension().is_some_and(|x| x == "yaml"))
                .then(|| p.file_stem().unwrap().to_string_lossy().to_string())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_manuscript_agrees_with_its_results_in_both_styles() {
    let mut problems = Vec::new();
    let (mut numbers, mut sentences, mut refs, mut counts, mut settings, mut n) =
        (0, 0, 0, 0, 0, 0);
    for style in ["plain", "journal"] {
        let dir = audit_project(style);
        for r in reviews(dir.path()) {
            let a = audit(dir.path(), &r);
            numbers += a.numbers;
            sentences += a.sentences;
            refs += a.references;
            counts += a.counts;
            settings += a.settings;
            n += 1;
            problems.extend(a.problems.iter().map(|p| format!("[{style}] {p}")));
        }
    }
    eprintln!(
        "prose audit: {n} manuscripts, {sentences} sentences, {numbers} numbers, {counts} counts, {settings} settings, {refs} citations and references checked"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        n >= 18 && numbers > 800 && sentences > 350 && counts > 80,
        "the audit read too little"
    );
}

#[test]
fn the_audit_catches_a_wrong_number_a_missing_citation_a_wrong_count_and_a_contradicted_setting() {
    let dir = project(&["bcg"]);
    built(dir.path());
    assert!(audit(dir.path(), "bcg").problems.is_empty());
    let typ = dir.path().join("out/bcg/manuscript.typ");
    let original = std::fs::read_to_string(&typ).unwrap();
    let yml = dir.path().join("out/bcg/references.yml");
    let original_yml = std::fs::read_to_string(&yml).unwrap();
    let planted = |typ_text: String, yml_text: String| {
        std::fs::write(&typ, typ_text).unwrap();
        std::fs::write(&yml, yml_text).unwrap();
        audit(dir.path(), "bcg").problems
    };
    // A pooled estimate off by 0.01.
    let p = planted(
        original.replacen("RR 0.49", "RR 0.48", 1),
        original_yml.clone(),
    );
    assert!(p.iter().any(|x| x.contains("0.48 is printed")), "{p:?}");
    // A number of results.json in the wrong place: a subgroup's estimate as the pooled one.
    let p = planted(
        original.replacen("RR 0.49, 95% CI", "RR 0.38, 95% CI", 1),
        original_yml.clone(),
    );
    assert!(
        p.iter()
            .any(|x| x.contains("the pooled estimate \"RR 0.49, 95% CI 0.34–0.70; p < 0.001\"")),
        "{p:?}"
    );
    assert!(
        !p.iter().any(|x| x.contains("0.38 is printed")),
        "0.38 is a number of results.json"
    );
    // A count off by one.
    let p = planted(
        original.replacen("Thirteen studies", "Twelve studies", 1),
        original_yml.clone(),
    );
    assert!(
        p.iter()
            .any(|x| x.contains("do not say \"Thirteen studies")),
        "{p:?}"
    );
    // A citation of a work the bibliography does not have.
    let p = planted(
        original.replacen("@egger1997", "@egger1998", 1),
        original_yml.clone(),
    );
    assert!(p.iter().any(|x| x.contains("cites `egger1998`")), "{p:?}");
    // A reference printed without its authors.
    let no_author = original_yml.replacen(
        "  author: [\"Egger, Matthias\", \"Davey Smith, George\", \"Schneider, Martin\", \"Minder, Christoph\"]\n",
        "",
        1,
    );
    assert_ne!(no_author, original_yml);
    let p = planted(original.clone(), no_author);
    assert!(
        p.iter()
            .any(|x| x.contains("`egger1997` is printed without its author")),
        "{p:?}"
    );
    // A setting the results contradict.
    let p = planted(
        original.replacen("random-effects model", "fixed-effect model", 1),
        original_yml.clone(),
    );
    assert!(
        p.iter()
            .any(|x| x.contains("do not name the model `random`")),
        "{p:?}"
    );
    // A Summary of Findings row whose difference per 1,000 is off by one, and a certainty
    // level the judgements do not give.
    let p = planted(
        original.replacen(
            "8 fewer per 1,000 (from 10 fewer",
            "9 fewer per 1,000 (from 10 fewer",
            1,
        ),
        original_yml.clone(),
    );
    assert!(
        p.iter()
            .any(|x| x.contains("does not say \"8 fewer per 1,000 (from 10 fewer to 5 fewer)\"")),
        "{p:?}"
    );
    let p = planted(
        original.replacen(
            "(low\\-certainty evidence)",
            "(moderate\\-certainty evidence)",
            1,
        ),
        original_yml.clone(),
    );
    assert!(
        p.iter()
            .any(|x| x.contains("do not state \"(low-certainty evidence)\"")),
        "{p:?}"
    );
    // A figure never cited, and tables cited out of their order.
    let p = planted(
        original.replacen("(@bcg-fig-funnel-tuberculosis)", "", 1),
        original_yml.clone(),
    );
    assert!(
        p.iter()
            .any(|x| x.contains("funnel-tuberculosis is never cited")),
        "{p:?}"
    );
    let p = planted(
        original.replacen("Thirteen studies", "Thirteen studies (@bcg-tab-summary)", 1),
        original_yml.clone(),
    );
    assert!(
        p.iter().any(|x| x.contains("tabs are first cited")),
        "{p:?}"
    );
    // A prediction interval left out of the results while results.json shows one.
    let p = planted(
        original.replacen("The 95% prediction interval was 0.15–1.55.", "", 1),
        original_yml,
    );
    assert!(
        p.iter()
            .any(|x| x.contains("the prediction interval is `metafor`")),
        "{p:?}"
    );
}

#[test]
fn studies_without_events_count_as_reporting_the_outcome_as_in_revman() {
    // 33 trials of hydroxychloroquine or chloroquine, 15 without a death in either group:
    // RevMan counts 33 studies and 8,466 participants and lists the 15 as "Not estimable".
    let dir = project(&[]);
    std::fs::copy(
        repo().join("tests/fixtures/axfors2021/axfors2021.csv"),
        dir.path().join("analyses/data/axfors2021.csv"),
    )
    .unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/audit/axfors.yaml"),
        dir.path().join("analyses/axfors.yaml"),
    )
    .unwrap();
    built(dir.path());
    let expected: Value = serde_json::from_slice(
        &std::fs::read(repo().join("tests/fixtures/axfors2021/expected-counts.json")).unwrap(),
    )
    .unwrap();
    let results: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/axfors/results.json")).unwrap())
            .unwrap();
    let counts = &results["outcomes"][0]["counts"];
    let e = &expected["overall"];
    assert_eq!(counts["overall"]["reported"], e["studies"]);
    assert_eq!(
        counts["overall"]["participants"].as_f64(),
        e["participants"].as_f64()
    );
    assert_eq!(counts["overall"]["not_estimable"], e["not_estimable"]);
    for g in counts["subgroups"].as_array().unwrap() {
        let e = &expected[g["name"].as_str().unwrap()];
        assert_eq!(g["counts"]["reported"], e["studies"], "{g}");
        assert_eq!(
            g["counts"]["participants"].as_f64(),
            e["participants"].as_f64(),
            "{g}"
        );
        assert_eq!(g["counts"]["not_estimable"], e["not_estimable"], "{g}");
    }
    let typ = std::fs::read_to_string(dir.path().join("out/axfors/manuscript.typ")).unwrap();
    let flat = squash(&typ.replace('\\', ""));
    assert!(
        flat.contains(&squash(
            "Thirty-three studies (8,466 participants) reported all-cause mortality"
        )),
        "{typ}"
    );
    assert!(
        flat.contains(&squash(
            "15 had no events in either group and did not contribute to the pooled odds ratio"
        )),
        "{typ}"
    );
    // The count of contributing studies in digits as the count beside it (main: "5 studies,
    // two contributing").
    assert!(
        flat.contains(&squash("chloroquine (5 studies, 2 contributing")),
        "{typ}"
    );
    assert!(
        audit(dir.path(), "axfors").problems.is_empty(),
        "{:?}",
        audit(dir.path(), "axfors").problems
    );
}

/// Every work of the built-in bibliography, cited once, prints with its authors, year and title
/// in both styles; Vancouver has no stray space before the volume ("2002;21(11)"), and a
/// capital protected in references.yml stays capital ("Series A").
#[test]
fn every_reference_prints_its_authors_year_and_title_in_both_styles() {
    let templates = metareport::report::render::Templates::load(Path::new("/nonexistent")).unwrap();
    let yml = templates.references.clone();
    let bib = bibliography(&yml);
    assert!(bib.len() >= 25 && bib.contains_key("metareport") && bib.contains_key("sterne2011"));
    for style in ["american-psychological-association", "vancouver.csl"] {
        let cites: String = bib.keys().map(|k| format!("@{k} ")).collect();
        let source = format!(
            "#set page(paper: \"a4\")\n{cites}\n#bibliography(\"references.yml\", title: [References], style: \"{style}\")\n"
        );
        let doc = compile::document(
            &source,
            vec![("references.yml".into(), yml.clone().into_bytes())],
        )
        .unwrap();
        let lines = lines(&doc);
        let at = lines
            .iter()
            .position(|l| l.text.trim() == "References")
            .unwrap();
        let entries: Vec<&Line> = lines[at + 1..]
            .iter()
            .filter(|l| !l.text.trim().chars().all(|c| c.is_ascii_digit()))
            .collect();
        let left = entries.iter().map(|l| l.x).fold(f64::INFINITY, f64::min);
        // One entry per work: split the text where a line starts at the left margin.
        let mut texts: Vec<String> = Vec::new();
        for l in &entries {
            if (l.x - left).abs() < 1.0 || texts.is_empty() {
                texts.push(l.text.clone());
            } else {
                let t = texts.last_mut().unwrap();
                if !t.ends_with('-') {
                    t.push(' ');
                }
                t.push_str(&l.text);
            }
        }
        assert_eq!(texts.len(), bib.len(), "{style}: {texts:#?}");
        for (k, (family, year, title)) in &bib {
            let entry = texts
                .iter()
                .find(|t| alnum(t).contains(&alnum(title)))
                .unwrap_or_else(|| panic!("{style}: `{k}` is printed without its title {title:?}"));
            assert!(
                alnum(entry).contains(&alnum(family)),
                "{style}: `{k}` has no author: {entry}"
            );
            assert!(
                entry.contains(year.as_str()),
                "{style}: `{k}` has no year: {entry}"
            );
        }
        let all = texts.join("\n");
        assert!(
            !all.contains(" ;"),
            "{style}: a space before a semicolon: {all}"
        );
        assert!(
            all.contains("Series A") && all.contains("Series C"),
            "{style}: {all}"
        );
    }
}

/// The single-group review: a Freeman–Tukey proportion back-transformed with sin² (not at the
/// harmonic-mean n), a pooled proportion or rate printed without its unit, and a participant
/// count off by one are each caught.
#[test]
fn the_audit_reads_single_group_proportions_and_rates_with_their_back_transform_and_unit() {
    let src = repo().join("tests/fixtures/projects/single-group");
    let dir = tempfile::tempdir().unwrap();
    super::common::copy_dir(&src.join("analyses"), &dir.path().join("analyses"));
    built(dir.path());
    for r in ["proportions", "rates", "means"] {
        let a = audit(dir.path(), r);
        assert!(a.problems.is_empty(), "{r}: {:?}", a.problems);
    }
    let typ = dir.path().join("out/proportions/manuscript.typ");
    let original = std::fs::read_to_string(&typ).unwrap();
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/proportions/results.json")).unwrap(),
    )
    .unwrap();
    let est = results["outcomes"][0]["overall"]["pooled"]["estimate"]
        .as_f64()
        .unwrap();
    let hm = format!(
        "{:.2}",
        results["outcomes"][0]["overall_per_scale"]["estimate"]
            .as_f64()
            .unwrap()
    );
    let sin2 = format!("{:.2}", est.sin().powi(2) * 100.0);
    assert_ne!(hm, sin2, "the two back-transforms differ at two decimals");
    let planted = |text: String| {
        std::fs::write(&typ, text).unwrap();
        audit(dir.path(), "proportions").problems
    };
    let p = planted(original.replacen(&format!("PR {hm}"), &format!("PR {sin2}"), 1));
    assert!(
        p.iter().any(|x| x.contains("the pooled estimate \"PR")),
        "{p:?}"
    );
    let p = planted(original.replacen(" per 100 participants, 95% CI", ", 95% CI", 1));
    assert!(
        p.iter().any(|x| x.contains("per 100 participants")),
        "{p:?}"
    );
    let p = planted(original.replacen("(326 participants)", "(325 participants)", 1));
    assert!(p.iter().any(|x| x.contains("325")), "{p:?}");
    std::fs::write(&typ, original).unwrap();
    let typ = dir.path().join("out/rates/manuscript.typ");
    let original = std::fs::read_to_string(&typ).unwrap();
    std::fs::write(
        &typ,
        original.replacen(" per 1,000 person\\-years, 95% CI", ", 95% CI", 1),
    )
    .unwrap();
    let p = audit(dir.path(), "rates").problems;
    assert!(
        p.iter().any(|x| x.contains("per 1,000 person-years")),
        "{p:?}"
    );
}
