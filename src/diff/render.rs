//! The report as terminal text (`[-removed-]{+added+}` word diffs, as wdiff prints them) or as
//! Markdown to paste into a response to reviewers (`~~removed~~ **added**`, tables of the
//! numbers). Numbers that moved only beyond the printed precision appear in neither (they
//! are in the JSON report). Both are deterministic: everything is in the report's order.

use std::fmt::Write;

use serde_json::Value;

use super::inputs::{Inputs, Rows};
use super::numbers::Moved;
use super::prose::{SectionDiff, SentenceChange, Words};
use super::{Report, ReviewReport, Status};

/// Result lines shown per outcome in the terminal before "… and N more".
const TEXT_MAX_RESULTS: usize = 30;
/// Conclusions shown per review in the terminal.
const TEXT_MAX_CONCLUSIONS: usize = 20;

/// A spec value as a short string: strings as written, anything else as JSON.
fn value(v: &Option<Value>) -> String {
    let s = match v {
        None => "(not set)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    if s.chars().count() > 100 {
        format!("{}…", s.chars().take(99).collect::<String>())
    } else {
        s
    }
}

/// (what happened, the row, its detail) for each row that changed.
/// A spec key's change: "old → new", or a word diff (long unchanged runs elided) when both are
/// long strings, as a caption is.
fn key_change(old: &Option<Value>, new: &Option<Value>, markdown: bool) -> String {
    if let (Some(Value::String(a)), Some(Value::String(b))) = (old, new)
        && a.chars().count().max(b.chars().count()) > 60
    {
        let words = elide(super::prose::word_diff(a, b));
        return if markdown {
            words_md(&words)
        } else {
            words_text(&words)
        };
    }
    let (a, b) = (value(old), value(new));
    if markdown {
        format!("{} → {}", md(&a), md(&b))
    } else {
        format!("{a} → {b}")
    }
}

/// Shortens the unchanged runs of a word diff to a few words of context.
fn elide(words: Vec<Words>) -> Vec<Words> {
    const KEEP: usize = 4;
    let n = words.len();
    words
        .into_iter()
        .enumerate()
        .map(|(i, mut w)| {
            if w.op == "same" {
                let ws: Vec<&str> = w.text.split(' ').collect();
                if ws.len() > 2 * KEEP {
                    let head = ws[..KEEP].join(" ");
                    let tail = ws[ws.len() - KEEP..].join(" ");
                    w.text = match (i == 0, i + 1 == n) {
                        (true, _) => format!("… {tail}"),
                        (_, true) => format!("{head} …"),
                        _ => format!("{head} … {tail}"),
                    };
                }
            }
            w
        })
        .collect()
}

fn row_edits(r: &Rows) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for e in &r.edited {
        let f: Vec<String> = e
            .fields
            .iter()
            .map(|f| format!("{} {} → {}", f.field, f.old, f.new))
            .collect();
        out.push(("edited", e.study.clone(), f.join(", ")));
    }
    for a in &r.added {
        out.push(("added", a.study.clone(), a.values.clone()));
    }
    for a in &r.removed {
        out.push(("removed", a.study.clone(), a.values.clone()));
    }
    if r.reordered {
        out.push((
            "reordered",
            String::new(),
            "the same studies in another order".into(),
        ));
    }
    out
}

fn row_text((what, row, detail): &(&'static str, String, String)) -> String {
    if row.is_empty() {
        format!("{what:<8} {detail}")
    } else {
        format!("{what:<8} {row}: {detail}")
    }
}

fn row_md((what, row, detail): &(&'static str, String, String)) -> String {
    if row.is_empty() {
        format!("{what}: {}", md(detail))
    } else {
        format!("{} {what}: {}", md(row), md(detail))
    }
}

fn words_text(words: &[Words]) -> String {
    words
        .iter()
        .map(|w| match w.op {
            "removed" => format!("[-{}-]", w.text),
            "added" => format!("{{+{}+}}", w.text),
            _ => w.text.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn moved_line(m: &Moved) -> String {
    let items: Vec<String> = m
        .items
        .iter()
        .map(|(what, a, b)| format!("{what} {a} → {b}"))
        .collect();
    format!("{}: {}", m.unit, items.join("; "))
}

fn outcome_prefix(o: &Option<String>, many: bool) -> String {
    match o {
        Some(o) if many => format!("{o}, "),
        _ => String::new(),
    }
}

/// "mortality, overall" ("mortality" alone when the unit is the outcome itself).
fn where_in(outcome: &Option<String>, unit: &str, many: bool) -> String {
    match outcome {
        Some(o) if o == unit => o.clone(),
        _ => format!("{}{unit}", outcome_prefix(outcome, many)),
    }
}

fn many_outcomes(r: &ReviewReport) -> bool {
    let mut ids: Vec<&str> = r
        .numbers
        .iter()
        .filter_map(|n| n.outcome.as_deref())
        .chain(r.conclusions.iter().filter_map(|c| c.outcome.as_deref()))
        .chain(r.entries.iter().filter_map(|e| e.outcome.as_deref()))
        .collect();
    ids.sort();
    ids.dedup();
    ids.len() > 1
}

fn side(s: &super::SideInfo) -> String {
    s.label.clone()
}

/// Input files that changed without changing the paper (a comment in a spec).
fn silent_files(r: &Report) -> Vec<String> {
    r.reviews
        .iter()
        .filter(|v| v.status == Status::Unchanged)
        .flat_map(|v| v.inputs.files.iter().map(|f| f.path.clone()))
        .collect()
}

/// The report as terminal text.
pub fn text(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "metareport diff: {} → {}", side(&r.old), side(&r.new));
    if !r.changed {
        let _ = writeln!(s, "No change in the paper.");
        let files = silent_files(r);
        if !files.is_empty() {
            let _ = writeln!(
                s,
                "(Changed without effect on the paper, e.g. comments or layout: {}.)",
                files.join(", ")
            );
        }
        return s;
    }
    if let Some(v) = &r.version {
        let _ = writeln!(
            s,
            "metareport version recorded in out/: {} → {} (both versions rebuilt here with {})",
            v.old, v.new, r.built_with
        );
    }
    for t in &r.templates {
        let _ = writeln!(s, "template {}: {}", t.name, t.change);
    }
    let unchanged: Vec<&str> = r
        .reviews
        .iter()
        .filter(|v| v.status == Status::Unchanged)
        .map(|v| v.id.as_str())
        .collect();
    for v in r.reviews.iter().filter(|v| v.status != Status::Unchanged) {
        review_text(&mut s, v);
    }
    if !unchanged.is_empty() {
        let _ = writeln!(s, "\nUnchanged: {}.", unchanged.join(", "));
    }
    s
}

fn inputs_text(s: &mut String, i: &Inputs) {
    if !i.changed() {
        return;
    }
    let _ = writeln!(s, "  Inputs");
    for k in &i.spec {
        let _ = writeln!(
            s,
            "    spec {}: {}",
            k.path,
            key_change(&k.old, &k.new, false)
        );
    }
    for d in &i.data {
        let _ = writeln!(
            s,
            "    data of {}{}:",
            d.outcome,
            d.data_file
                .as_deref()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default()
        );
        for l in row_edits(&d.rows) {
            let _ = writeln!(s, "      {}", row_text(&l));
        }
    }
    if let Some(t) = &i.studies_table {
        let _ = writeln!(s, "    Table 1 (studies):");
        for l in row_edits(t) {
            let _ = writeln!(s, "      {}", row_text(&l));
        }
    }
}

fn review_text(s: &mut String, v: &ReviewReport) {
    let status = match v.status {
        Status::Added => "added",
        Status::Removed => "removed",
        _ => "changed",
    };
    let _ = writeln!(s, "\n{} ({}): {status}", v.id, v.file);
    let many = many_outcomes(v);
    inputs_text(s, &v.inputs);
    if !v.entries.is_empty() {
        let _ = writeln!(s, "  Results added or removed");
        for e in &v.entries {
            let sign = if e.change == "added" { '+' } else { '-' };
            let _ = writeln!(
                s,
                "    {sign} {}{}{}",
                outcome_prefix(
                    &e.outcome,
                    many && e.unit != format!("outcome {}", e.outcome.as_deref().unwrap_or(""))
                ),
                e.unit,
                e.headline
                    .as_deref()
                    .map(|h| format!(": {h}"))
                    .unwrap_or_default()
            );
        }
    }
    if !v.conclusions.is_empty() {
        let _ = writeln!(s, "  Conclusions that changed");
        for c in v.conclusions.iter().take(TEXT_MAX_CONCLUSIONS) {
            let _ = writeln!(
                s,
                "    ! {}: {}",
                where_in(&c.outcome, &c.unit, many),
                c.text
            );
        }
        if v.conclusions.len() > TEXT_MAX_CONCLUSIONS {
            let _ = writeln!(
                s,
                "    … and {} more (--format json lists them)",
                v.conclusions.len() - TEXT_MAX_CONCLUSIONS
            );
        }
    }
    let moved: Vec<&Moved> = v.moved.iter().collect();
    if !moved.is_empty() {
        let _ = writeln!(s, "  Numbers that moved (old → new, as printed)");
        let mut outcome: Option<&Option<String>> = None;
        let mut shown = 0;
        let mut hidden = 0;
        for m in moved {
            if outcome != Some(&m.outcome) {
                if hidden > 0 {
                    let _ = writeln!(s, "      … and {hidden} more (--format json lists them)");
                }
                outcome = Some(&m.outcome);
                shown = 0;
                hidden = 0;
                if let Some(o) = &m.outcome {
                    let _ = writeln!(s, "    {o}");
                }
            }
            if shown < TEXT_MAX_RESULTS {
                let _ = writeln!(s, "      {}", moved_line(m));
                shown += 1;
            } else {
                hidden += 1;
            }
        }
        if hidden > 0 {
            let _ = writeln!(s, "      … and {hidden} more (--format json lists them)");
        }
    }
    let beyond = v
        .numbers
        .iter()
        .filter(|n| n.beyond_printed_precision)
        .count();
    if beyond > 0 {
        let _ = writeln!(
            s,
            "  ({beyond} number(s) moved beyond the printed precision: see --format json)"
        );
    }
    if !v.prose.is_empty() {
        let _ = writeln!(s, "  Text that changed");
        for d in &v.prose {
            prose_text(s, d);
        }
    }
    if !v.figures.is_empty() {
        let _ = writeln!(s, "  Figures");
        for f in &v.figures {
            let _ = writeln!(s, "    {:<8} {}", f.change, f.path);
        }
    }
}

fn prose_text(s: &mut String, d: &SectionDiff) {
    let _ = writeln!(s, "    {}", d.section);
    for c in &d.changes {
        let _ = match c {
            SentenceChange::Added { new } => writeln!(s, "      + {new}"),
            SentenceChange::Removed { old } => writeln!(s, "      - {old}"),
            SentenceChange::Changed { words, .. } => writeln!(s, "      ~ {}", words_text(words)),
        };
    }
}

/// Escapes text for Markdown (and for a table cell).
fn md(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '~' | '|' | '[' | ']' | '<' | '>' | '#' | '{' | '}'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn words_md(words: &[Words]) -> String {
    words
        .iter()
        .map(|w| match w.op {
            "removed" => format!("~~{}~~", md(&w.text)),
            "added" => format!("**{}**", md(&w.text)),
            _ => md(&w.text),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The report as Markdown, for a response to reviewers.
pub fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Changes from {} to {}\n",
        md(&side(&r.old)),
        md(&side(&r.new))
    );
    if !r.changed {
        let _ = writeln!(s, "No change in the paper.");
        return s;
    }
    if let Some(v) = &r.version {
        let _ = writeln!(
            s,
            "- metareport version recorded in the outputs: {} → {}",
            md(&v.old),
            md(&v.new)
        );
    }
    for t in &r.templates {
        let _ = writeln!(s, "- Template {}: {}", md(&t.name), t.change);
    }
    if r.version.is_some() || !r.templates.is_empty() {
        s.push('\n');
    }
    for v in r.reviews.iter().filter(|v| v.status != Status::Unchanged) {
        review_md(&mut s, v);
    }
    let unchanged: Vec<String> = r
        .reviews
        .iter()
        .filter(|v| v.status == Status::Unchanged)
        .map(|v| md(&v.id))
        .collect();
    if !unchanged.is_empty() {
        let _ = writeln!(s, "Unchanged: {}.", unchanged.join(", "));
    }
    s
}

fn review_md(s: &mut String, v: &ReviewReport) {
    let status = match v.status {
        Status::Added => " (added)",
        Status::Removed => " (removed)",
        _ => "",
    };
    let _ = writeln!(s, "### {} ({}){status}\n", md(&v.title), md(&v.id));
    let many = many_outcomes(v);
    let i = &v.inputs;
    if i.changed() {
        let _ = writeln!(s, "**Inputs that changed**\n");
        for k in &i.spec {
            let _ = writeln!(
                s,
                "- `{}`: {}",
                k.path.replace('`', "'"),
                key_change(&k.old, &k.new, true)
            );
        }
        for d in &i.data {
            for l in row_edits(&d.rows) {
                let _ = writeln!(s, "- Data of {}: {}", md(&d.outcome), row_md(&l));
            }
        }
        if let Some(t) = &i.studies_table {
            for l in row_edits(t) {
                let _ = writeln!(s, "- Table 1: {}", row_md(&l));
            }
        }
        s.push('\n');
    }
    if !v.entries.is_empty() {
        let _ = writeln!(s, "**Results added or removed**\n");
        for e in &v.entries {
            let _ = writeln!(
                s,
                "- {} {}{}",
                if e.change == "added" {
                    "Added:"
                } else {
                    "Removed:"
                },
                md(&e.unit),
                e.headline
                    .as_deref()
                    .map(|h| format!(": {}", md(h)))
                    .unwrap_or_default()
            );
        }
        s.push('\n');
    }
    if !v.conclusions.is_empty() {
        let _ = writeln!(s, "**Conclusions that changed**\n");
        for c in &v.conclusions {
            let _ = writeln!(
                s,
                "- {}: {}",
                md(&where_in(&c.outcome, &c.unit, many)),
                md(&c.text)
            );
        }
        s.push('\n');
    }
    if !v.moved.is_empty() {
        let _ = writeln!(s, "**Results that changed**\n");
        if many {
            let _ = writeln!(s, "| Outcome | Result | Quantity | Before | After |");
            let _ = writeln!(s, "|---|---|---|---|---|");
        } else {
            let _ = writeln!(s, "| Result | Quantity | Before | After |");
            let _ = writeln!(s, "|---|---|---|---|");
        }
        for m in &v.moved {
            for (what, a, b) in &m.items {
                let o = if many {
                    format!("| {} ", md(m.outcome.as_deref().unwrap_or("")))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    s,
                    "{o}| {} | {} | {} | {} |",
                    md(&m.unit),
                    md(what),
                    md(a),
                    md(b)
                );
            }
        }
        s.push('\n');
    }
    if !v.prose.is_empty() {
        let _ = writeln!(s, "**Text that changed**\n");
        for d in &v.prose {
            let _ = writeln!(s, "*{}*\n", md(&d.section));
            for c in &d.changes {
                let _ = match c {
                    SentenceChange::Added { new } => writeln!(s, "- Added: {}", md(new)),
                    SentenceChange::Removed { old } => {
                        writeln!(s, "- Removed: ~~{}~~", md(old))
                    }
                    SentenceChange::Changed { words, .. } => {
                        writeln!(s, "- {}", words_md(words))
                    }
                };
            }
            s.push('\n');
        }
    }
    if !v.figures.is_empty() {
        let _ = writeln!(s, "**Figures that changed**\n");
        for f in &v.figures {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            let _ = writeln!(s, "- `{name}`: {}", f.change);
        }
        s.push('\n');
    }
}
