//! The sentences of the manuscript that changed, with a word-level diff.
//!
//! The manuscript's typst source is parsed with typst's own parser and reduced to its prose:
//! sections (by heading), paragraphs and sentences, as a reader sees them. Code is dropped
//! (set and show rules, figure bodies and tables — their numbers are compared as numbers —,
//! images, comments) but a figure's caption is a paragraph ("Figure 2. Forest plot: …"); the
//! content of text functions (`#text(..)[…]`, `#align(..)[…]`) is kept;
//! escapes are undone; a reference to a figure or table reads "Figure 2", as typeset, and a
//! citation is dropped. Sentences are compared with a longest common subsequence per section,
//! then the words of each changed sentence; both are bounded ([`MAX_CELLS`]), beyond which a
//! block is reported as replaced whole, so hostile input cannot blow up time or memory.

use serde::Serialize;
use typst::syntax::{SyntaxKind as K, SyntaxNode};

/// The largest LCS table (n × m) computed; beyond it the differing middle is replaced whole.
pub const MAX_CELLS: usize = 1 << 20;

/// A section of the manuscript: its heading path and its sentences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// "Results › Mortality"; "Front matter" before the first heading.
    pub title: String,
    pub sentences: Vec<String>,
}

/// The prose of a typst document, by section.
pub fn sections(source: &str) -> Vec<Section> {
    let root = typst::syntax::parse(source);
    let mut x = Extract {
        refs: Vec::new(),
        headings: Vec::new(),
        sections: Vec::new(),
        para: String::new(),
        counts: (0, 0),
        seen: (0, 0),
    };
    x.number_figures(&root);
    x.markup(&root);
    x.flush();
    x.sections.retain(|s| !s.sentences.is_empty());
    x.sections
}

struct Extract {
    /// Figure and table labels with what a reference to them prints ("Figure 2").
    refs: Vec<(String, String)>,
    /// The headings in force: (level, text).
    headings: Vec<(usize, String)>,
    sections: Vec<Section>,
    para: String,
    counts: (usize, usize),
    /// Figures and tables met so far by the prose pass.
    seen: (usize, usize),
}

/// Functions whose content is not running text.
const NOT_PROSE: &[&str] = &[
    "figure",
    "table",
    "grid",
    "image",
    "bibliography",
    "cite",
    "place",
    "fitted",
    "sliced",
    "raw",
    "math",
    "metadata",
];

/// Whether a `figure(..)` call holds a table (`kind: table`, or a table as its body).
fn is_table(figure: &SyntaxNode) -> bool {
    figure.children().any(|a| {
        a.kind() == K::Args
            && a.children().any(|arg| {
                (arg.kind() == K::Named
                    && arg.full_text().replace(" ", "").starts_with("kind:table"))
                    || (arg.kind() == K::FuncCall && callee(arg) == "table")
            })
    })
}

fn callee(call: &SyntaxNode) -> String {
    call.children()
        .next()
        .map(|c| c.full_text().to_string())
        .unwrap_or_default()
}

impl Extract {
    /// Numbers figures and tables in document order, as typst does, by their labels.
    fn number_figures(&mut self, node: &SyntaxNode) {
        let kids: Vec<&SyntaxNode> = node.children().collect();
        for (i, n) in kids.iter().enumerate() {
            if n.kind() == K::FuncCall && callee(n) == "figure" {
                let table = is_table(n);
                let label = kids[i + 1..]
                    .iter()
                    .find(|k| k.kind() != K::Space)
                    .filter(|k| k.kind() == K::Label);
                let text = if table {
                    self.counts.1 += 1;
                    format!("Table {}", self.counts.1)
                } else {
                    self.counts.0 += 1;
                    format!("Figure {}", self.counts.0)
                };
                if let Some(l) = label {
                    let name = l.full_text();
                    let name = name.trim_start_matches('<').trim_end_matches('>');
                    self.refs.push((name.to_string(), text));
                }
                continue;
            }
            self.number_figures(n);
        }
    }

    fn title(&self) -> String {
        if self.headings.is_empty() {
            "Front matter".into()
        } else {
            self.headings
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join(" › ")
        }
    }

    /// Ends a paragraph: its sentences go to the current section.
    fn flush(&mut self) {
        let text = tidy(&std::mem::take(&mut self.para));
        if text.is_empty() {
            return;
        }
        self.push(split_sentences(&text));
    }

    /// Adds sentences to the current section.
    fn push(&mut self, sentences: Vec<String>) {
        let title = self.title();
        match self.sections.last_mut() {
            Some(s) if s.title == title => s.sentences.extend(sentences),
            _ => self.sections.push(Section { title, sentences }),
        }
    }

    fn markup(&mut self, node: &SyntaxNode) {
        for n in node.children() {
            match n.kind() {
                K::Text | K::SmartQuote => self.para.push_str(n.leaf_text()),
                K::Space | K::Linebreak => self.para.push(' '),
                K::Parbreak => self.flush(),
                K::Escape => self.para.push_str(&unescape(n.leaf_text())),
                K::Shorthand => self.para.push_str(match n.leaf_text().as_str() {
                    "--" => "–",
                    "---" => "—",
                    "~" => " ",
                    "-?" => "",
                    "..." => "…",
                    "-" => "−",
                    other => other,
                }),
                K::Strong | K::Emph | K::Markup | K::ContentBlock => self.markup(n),
                K::Heading => {
                    self.flush();
                    let level = n
                        .children()
                        .find(|c| c.kind() == K::HeadingMarker)
                        .map_or(1, |m| m.leaf_text().len());
                    let mut inner = Extract {
                        refs: self.refs.clone(),
                        headings: Vec::new(),
                        sections: Vec::new(),
                        para: String::new(),
                        counts: (0, 0),
                        seen: (0, 0),
                    };
                    for c in n.children().filter(|c| c.kind() == K::Markup) {
                        inner.markup(c);
                    }
                    self.headings.retain(|(l, _)| *l < level);
                    self.headings.push((level, tidy(&inner.para)));
                }
                K::Ref => {
                    let target = n
                        .children()
                        .find(|c| c.kind() == K::RefMarker)
                        .map(|m| m.leaf_text().trim_start_matches('@').to_string())
                        .unwrap_or_default();
                    if let Some((_, text)) = self.refs.iter().find(|(l, _)| *l == target) {
                        let text = text.clone();
                        self.para.push_str(&text);
                    }
                }
                K::ListItem | K::EnumItem | K::TermItem => {
                    self.flush();
                    self.markup(n);
                    self.flush();
                }
                K::Link => self.para.push_str(&n.full_text()),
                K::Equation => self.para.push_str(n.full_text().trim_matches('$').trim()),
                // A figure's caption is a paragraph of its own: "Figure 2. Forest plot: …".
                K::FuncCall if callee(n) == "figure" => {
                    let name = if is_table(n) {
                        self.seen.1 += 1;
                        format!("Table {}.", self.seen.1)
                    } else {
                        self.seen.0 += 1;
                        format!("Figure {}.", self.seen.0)
                    };
                    let caption = n
                        .children()
                        .filter(|c| c.kind() == K::Args)
                        .flat_map(|a| a.children())
                        .filter(|c| c.kind() == K::Named)
                        .filter(|c| {
                            c.children()
                                .next()
                                .is_some_and(|i| i.leaf_text() == "caption")
                        })
                        .flat_map(|c| c.children())
                        .find(|c| c.kind() == K::ContentBlock);
                    if let Some(c) = caption {
                        // One unit, not split into sentences.
                        self.flush();
                        self.markup(c);
                        let text = tidy(&std::mem::take(&mut self.para));
                        self.push(vec![format!("{name} {text}")]);
                    }
                }
                K::FuncCall if !NOT_PROSE.contains(&callee(n).as_str()) => {
                    for args in n.children().filter(|c| c.kind() == K::Args) {
                        for c in args.children().filter(|c| c.kind() == K::ContentBlock) {
                            self.markup(c);
                        }
                    }
                }
                // Code, comments, labels, raw text, rules: not prose.
                _ => {}
            }
        }
    }
}

fn unescape(e: &str) -> String {
    let body = e.strip_prefix('\\').unwrap_or(e);
    if let Some(hex) = body.strip_prefix("u{").and_then(|h| h.strip_suffix('}')) {
        return u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default();
    }
    body.to_string()
}

/// Collapses whitespace and the gaps left by dropped citations.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    for (from, to) in [
        (" .", "."),
        (" ,", ","),
        (" ;", ";"),
        (" :", ":"),
        (" )", ")"),
        ("( ", "("),
        ("()", ""),
        ("  ", " "),
    ] {
        while out.contains(from) {
            out = out.replace(from, to);
        }
    }
    out.trim().to_string()
}

/// Splits a paragraph after `.`, `?` or `!` (and closing brackets or quotes) followed by a
/// space and a capital letter, a digit or an opening bracket.
pub fn split_sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i], '.' | '?' | '!') {
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j], ')' | ']' | '"' | '\'' | '’' | '”') {
                j += 1;
            }
            if j + 1 < chars.len()
                && chars[j] == ' '
                && (chars[j + 1].is_uppercase()
                    || chars[j + 1].is_ascii_digit()
                    || matches!(chars[j + 1], '(' | '['))
            {
                out.push(chars[start..j].iter().collect::<String>());
                start = j + 1;
                i = j;
            }
        }
        i += 1;
    }
    if start < chars.len() {
        out.push(chars[start..].iter().collect::<String>());
    }
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// An edit of one list into another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Del(usize),
    Ins(usize),
}

/// The edit script of `a` into `b`: common prefix and suffix, then a longest common
/// subsequence of the middle when its table has at most `MAX_CELLS` cells, else the middle
/// deleted and inserted whole.
fn edit_script<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Op> {
    let mut pre = 0;
    while pre < a.len() && pre < b.len() && a[pre] == b[pre] {
        pre += 1;
    }
    let mut suf = 0;
    while suf < a.len() - pre && suf < b.len() - pre && a[a.len() - 1 - suf] == b[b.len() - 1 - suf]
    {
        suf += 1;
    }
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let mut ops: Vec<Op> = (0..pre).map(|i| Op::Same(i, i)).collect();
    let (n, m) = (am.len(), bm.len());
    if n.saturating_mul(m) > MAX_CELLS {
        ops.extend((0..n).map(|i| Op::Del(pre + i)));
        ops.extend((0..m).map(|j| Op::Ins(pre + j)));
    } else {
        // lcs[i][j]: length of the LCS of am[i..] and bm[j..].
        let w = m + 1;
        let mut lcs = vec![0u32; (n + 1) * w];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * w + j] = if am[i] == bm[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                ops.push(Op::Same(pre + i, pre + j));
                i += 1;
                j += 1;
            } else if j < m && (i == n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j]) {
                ops.push(Op::Ins(pre + j));
                j += 1;
            } else {
                ops.push(Op::Del(pre + i));
                i += 1;
            }
        }
    }
    ops.extend((0..suf).map(|k| Op::Same(a.len() - suf + k, b.len() - suf + k)));
    ops
}

/// A run of words in a word-level diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Words {
    /// "same", "removed" or "added".
    pub op: &'static str,
    pub text: String,
}

/// A sentence that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SentenceChange {
    Added {
        new: String,
    },
    Removed {
        old: String,
    },
    /// Edited in place, with the words that changed.
    Changed {
        old: String,
        new: String,
        words: Vec<Words>,
    },
}

/// The changed sentences of one section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionDiff {
    pub section: String,
    pub changes: Vec<SentenceChange>,
}

/// The word-level diff of two sentences (`None` when too long to compare word by word).
pub fn word_diff(old: &str, new: &str) -> Vec<Words> {
    let a: Vec<&str> = old.split(' ').collect();
    let b: Vec<&str> = new.split(' ').collect();
    let mut out: Vec<Words> = Vec::new();
    let mut push = |op: &'static str, w: &str| match out.last_mut() {
        Some(last) if last.op == op => {
            last.text.push(' ');
            last.text.push_str(w);
        }
        _ => out.push(Words {
            op,
            text: w.to_string(),
        }),
    };
    // Removed words of a run before the added ones, as a reader expects.
    let ops = edit_script(&a, &b);
    let mut k = 0;
    while k < ops.len() {
        match ops[k] {
            Op::Same(i, _) => {
                push("same", a[i]);
                k += 1;
            }
            _ => {
                let end = ops[k..]
                    .iter()
                    .position(|o| matches!(o, Op::Same(..)))
                    .map_or(ops.len(), |p| k + p);
                for o in &ops[k..end] {
                    if let Op::Del(i) = o {
                        push("removed", a[*i]);
                    }
                }
                for o in &ops[k..end] {
                    if let Op::Ins(j) = o {
                        push("added", b[*j]);
                    }
                }
                k = end;
            }
        }
    }
    out
}

/// The sentences that changed between two versions, section by section (sections matched by
/// title; a section in one version only has all its sentences added or removed).
pub fn diff_sections(old: &[Section], new: &[Section]) -> Vec<SectionDiff> {
    let mut out = Vec::new();
    let nth = |list: &[Section], k: usize| {
        let t = &list[k].title;
        list[..k].iter().filter(|s| &s.title == t).count()
    };
    let find = |list: &[Section], title: &str, n: usize| {
        list.iter()
            .enumerate()
            .filter(|(_, s)| s.title == title)
            .nth(n)
            .map(|(i, _)| i)
    };
    let empty: Vec<String> = Vec::new();
    for (k, s) in new.iter().enumerate() {
        let o = find(old, &s.title, nth(new, k)).map_or(&empty, |i| &old[i].sentences);
        let changes = diff_sentences(o, &s.sentences);
        if !changes.is_empty() {
            out.push(SectionDiff {
                section: s.title.clone(),
                changes,
            });
        }
    }
    for (k, s) in old.iter().enumerate() {
        if find(new, &s.title, nth(old, k)).is_none() {
            out.push(SectionDiff {
                section: s.title.clone(),
                changes: diff_sentences(&s.sentences, &empty),
            });
        }
    }
    out
}

/// Words in a sentence beyond which it is replaced whole rather than diffed word by word.
const MAX_WORDS: usize = 600;

fn diff_sentences(old: &[String], new: &[String]) -> Vec<SentenceChange> {
    let ops = edit_script(old, new);
    let mut out = Vec::new();
    let mut k = 0;
    while k < ops.len() {
        if let Op::Same(..) = ops[k] {
            k += 1;
            continue;
        }
        let end = ops[k..]
            .iter()
            .position(|o| matches!(o, Op::Same(..)))
            .map_or(ops.len(), |p| k + p);
        let dels: Vec<usize> = ops[k..end]
            .iter()
            .filter_map(|o| if let Op::Del(i) = o { Some(*i) } else { None })
            .collect();
        let ins: Vec<usize> = ops[k..end]
            .iter()
            .filter_map(|o| if let Op::Ins(j) = o { Some(*j) } else { None })
            .collect();
        // Pair removed and added sentences in order: an edit in place.
        let pairs = dels.len().min(ins.len());
        for p in 0..pairs {
            let (a, b) = (&old[dels[p]], &new[ins[p]]);
            let short = a.split(' ').count() <= MAX_WORDS && b.split(' ').count() <= MAX_WORDS;
            out.push(SentenceChange::Changed {
                old: a.clone(),
                new: b.clone(),
                words: if short {
                    word_diff(a, b)
                } else {
                    vec![
                        Words {
                            op: "removed",
                            text: a.clone(),
                        },
                        Words {
                            op: "added",
                            text: b.clone(),
                        },
                    ]
                },
            });
        }
        for &i in &dels[pairs..] {
            out.push(SentenceChange::Removed {
                old: old[i].clone(),
            });
        }
        for &j in &ins[pairs..] {
            out.push(SentenceChange::Added {
                new: new[j].clone(),
            });
        }
        k = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"// a comment
#set text(size: 10pt)
#align(center)[#text(size: 15pt)[A title]]

= Statistical analysis
 Heterogeneity was assessed with Q @higgins2002 and τ².
 Two-sided p \< 0.05 was considered significant. Analyses used metareport.

= Results

== Mortality
Sixteen studies reported mortality (@x-fig-forest).
 The pooled estimate was OR 0.44, 95% CI 0.30–0.63; p \< 0.001.

#text(size: 9pt)[_Caveats:_ A correction of 0.5 was added.]

#figure(
  fitted("figures/forest.svg"),
  caption: [Forest plot\: Mortality.],
) <x-fig-forest>
#figure(table(columns: 2, [a], [b]), caption: [T.], kind: table) <x-tab>
"#;

    #[test]
    fn prose_by_section() {
        let s = sections(DOC);
        let titles: Vec<&str> = s.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Front matter",
                "Statistical analysis",
                "Results › Mortality"
            ]
        );
        assert_eq!(s[0].sentences, ["A title"]);
        assert_eq!(
            s[1].sentences,
            [
                "Heterogeneity was assessed with Q and τ².",
                "Two-sided p < 0.05 was considered significant.",
                "Analyses used metareport."
            ]
        );
        assert_eq!(
            s[2].sentences,
            [
                "Sixteen studies reported mortality (Figure 1).",
                "The pooled estimate was OR 0.44, 95% CI 0.30–0.63; p < 0.001.",
                "Caveats: A correction of 0.5 was added.",
                "Figure 1. Forest plot: Mortality.",
                "Table 1. T."
            ]
        );
    }

    #[test]
    fn changed_sentences_with_their_words() {
        let a = sections(DOC);
        let b = sections(
            &DOC.replace("0.44, 95% CI 0.30–0.63", "0.47, 95% CI 0.32–0.68")
                .replace(" Analyses used metareport.", "")
                .replace("Sixteen", "Seventeen"),
        );
        let d = diff_sections(&a, &b);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].section, "Statistical analysis");
        assert_eq!(
            d[0].changes,
            [SentenceChange::Removed {
                old: "Analyses used metareport.".into()
            }]
        );
        assert_eq!(d[1].changes.len(), 2);
        let SentenceChange::Changed { words, .. } = &d[1].changes[1] else {
            panic!("{:?}", d[1].changes)
        };
        let w: Vec<(&str, &str)> = words.iter().map(|w| (w.op, w.text.as_str())).collect();
        assert_eq!(
            w,
            [
                ("same", "The pooled estimate was OR"),
                ("removed", "0.44,"),
                ("added", "0.47,"),
                ("same", "95% CI"),
                ("removed", "0.30–0.63;"),
                ("added", "0.32–0.68;"),
                ("same", "p < 0.001.")
            ]
        );
        assert!(diff_sections(&a, &a).is_empty());
    }

    #[test]
    fn long_input_is_bounded() {
        let a: Vec<String> = (0..3000).map(|i| format!("s{i}")).collect();
        let b: Vec<String> = (0..3000).map(|i| format!("t{i}")).collect();
        let ops = edit_script(&a, &b);
        assert_eq!(ops.len(), 6000);
        let long_a = vec!["w"; 5000].join(" ");
        let long_b = format!("{long_a} x");
        let d = diff_sentences(std::slice::from_ref(&long_a), std::slice::from_ref(&long_b));
        let SentenceChange::Changed { words, .. } = &d[0] else {
            panic!()
        };
        assert_eq!(words.len(), 2);
    }

    #[test]
    fn sentences_split_at_full_stops_only() {
        assert_eq!(
            split_sentences("p = 0.45 (n = 3). Trim-and-fill gave 0.69. 16 studies. e.g. this"),
            [
                "p = 0.45 (n = 3).",
                "Trim-and-fill gave 0.69.",
                "16 studies. e.g. this"
            ]
        );
    }
}
