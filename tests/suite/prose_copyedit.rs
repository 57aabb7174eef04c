//! The copy-editor's pass over the example manuscripts: what a journal's copy-editor would
//! mark in the text of the PDF and the Word file — thousands separators, typographic
//! apostrophes, degenerate intervals, counts that name their unit, undefined abbreviations —
//! read from the manuscripts every review of the default project and the test projects
//! builds (built once).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use metareport::report::docx::zip::unpack;
use serde_json::Value;

use super::common::{build_quiet, copy_dir, repo};
use super::prose_audit::{numbers, ungrouped};

/// The default project's reviews, the multi-arm review and the single-group reviews, built
/// once into one project.
static BUILT: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("analyses");
    copy_dir(&repo().join("analyses"), &a);
    for p in ["multi-arm", "single-group"] {
        let src = repo()
            .join("tests/fixtures/projects")
            .join(p)
            .join("analyses");
        copy_dir(&src.join("data"), &a.join("data"));
        for e in std::fs::read_dir(&src).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                std::fs::copy(&p, a.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    build_quiet(dir.path()).unwrap_or_else(|f| panic!("build failed: {f}"));
    dir
});

fn out(p: &str) -> PathBuf {
    BUILT.path().join("out").join(p)
}

/// The reviews built.
fn reviews() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(BUILT.path().join("out"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            p.join("manuscript.typ")
                .exists()
                .then(|| p.file_name().unwrap().to_string_lossy().to_string())
        })
        .collect();
    v.sort();
    v
}

fn results(review: &str) -> Value {
    serde_json::from_slice(&std::fs::read(out(&format!("{review}/results.json"))).unwrap()).unwrap()
}

/// The typst source of a review's manuscript with typst's escapes removed.
fn typ(review: &str) -> String {
    std::fs::read_to_string(out(&format!("{review}/manuscript.typ")))
        .unwrap()
        .replace('\\', "")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The paragraphs (table cells included) of a Word file's document.xml, as text.
pub fn docx_paragraphs(docx: &Path) -> Vec<String> {
    let parts = unpack(&std::fs::read(docx).unwrap()).unwrap();
    let xml = parts
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .unwrap();
    xml.split("<w:p>")
        .skip(1)
        .map(|p| {
            let p = p.split("</w:p>").next().unwrap_or("");
            let mut text = String::new();
            for t in p.split("<w:t").skip(1) {
                let t = t.split_once('>').map_or("", |x| x.1);
                text.push_str(&unescape(t.split("</w:t>").next().unwrap_or("")));
            }
            text
        })
        .collect()
}

/// The Word manuscript's paragraphs up to its reference list (the text a copy-editor edits).
fn word_text(review: &str) -> Vec<String> {
    docx_paragraphs(&out(&format!("{review}/manuscript.docx")))
        .into_iter()
        .take_while(|p| p != "References" && p != "Appendix: reproducibility")
        .collect()
}

/// Statistics of 1,000 or more are printed with thousands separators, as counts are, in the
/// PDF's source and the Word file alike; the forest plot keeps RevMan's "Tau² = 1964.26".
#[test]
fn statistics_of_1000_or_more_have_thousands_separators_in_pdf_and_word() {
    let mut large = 0;
    for r in reviews() {
        for p in word_text(&r) {
            for tok in numbers(&p) {
                assert!(ungrouped(&tok).is_none(), "{r}: {tok} in Word: {p}");
            }
        }
        let res = results(&r);
        for o in res["outcomes"].as_array().unwrap() {
            let Some(t2) = o["overall"]["heterogeneity"]["tau2"].as_f64() else {
                continue;
            };
            if t2 < 1000.0 {
                continue;
            }
            large += 1;
            let printed = metareport::report::format::tau2(t2);
            assert!(printed.contains(','), "{printed}");
            assert!(
                typ(&r).contains(&format!("τ² = {printed}")),
                "{r}: τ² {printed}"
            );
            assert!(
                word_text(&r)
                    .iter()
                    .any(|p| p.contains(&format!("τ² = {printed}"))),
                "{r}: Word τ² {printed}"
            );
            let svg = std::fs::read_to_string(out(&format!(
                "{r}/figures/forest-{}.svg",
                o["id"].as_str().unwrap()
            )))
            .unwrap();
            assert!(
                svg.contains(&format!(
                    "Tau² = {}",
                    metareport::report::format::tau2_revman(t2)
                )),
                "{r}: the forest plot prints τ² as RevMan does"
            );
        }
    }
    assert!(large > 0, "no review has τ² of 1,000 or more to check");
}

/// The words of a text with a straight apostrophe in them ("study's", "trials'").
fn straight_apostrophes(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';' | '.' | ':'))
        .filter(|w| w.contains('\'') && w.chars().any(char::is_alphabetic))
        .map(str::to_string)
        .collect()
}

/// The text the review's authors wrote: its spec and data files, printed verbatim.
fn user_text(review: &str) -> String {
    let mut s =
        std::fs::read_to_string(BUILT.path().join(format!("analyses/{review}.yaml"))).unwrap();
    for e in std::fs::read_dir(BUILT.path().join("analyses/data")).unwrap() {
        s.push_str(&String::from_utf8_lossy(
            &std::fs::read(e.unwrap().path()).unwrap(),
        ));
    }
    s
}

/// The English metareport writes — methods, results, notes, table captions, the built-in
/// bibliography's titles and authors, the figures' legends — uses the typographic apostrophe
/// (’) in the PDF and the Word file alike; a straight one is printed only where the authors
/// wrote it (study names are printed verbatim).
#[test]
fn generated_english_uses_typographic_apostrophes() {
    let mut read = 0;
    for r in reviews() {
        let user = user_text(&r);
        let word = docx_paragraphs(&out(&format!("{r}/manuscript.docx"))).join("\n");
        for w in straight_apostrophes(&word) {
            assert!(user.contains(&w), "{r}: Word prints {w:?}");
        }
        // The PDF is compiled from the typst source: the strings metareport inserts are
        // escaped there (typst's smart quotes make the template's own apostrophes ’).
        for w in straight_apostrophes(
            &std::fs::read_to_string(out(&format!("{r}/manuscript.typ"))).unwrap(),
        ) {
            if w.contains("\\'") {
                let plain = w.replace("\\'", "'").replace('\\', "");
                assert!(user.contains(&plain), "{r}: the PDF prints {plain:?}");
            }
        }
        for e in std::fs::read_dir(out(&format!("{r}/figures"))).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "svg") {
                let svg = std::fs::read_to_string(&p).unwrap().replace("&apos;", "'");
                assert!(!svg.contains("Egger's"), "{}", p.display());
                read += 1;
            }
        }
        read += word.len();
    }
    assert!(read > 10_000, "too little read");
    // The phrases of the single-group and Summary of Findings prose that had straight ones.
    let means = typ("means");
    assert!(means.contains("each study’s mean"), "{means}");
}

/// A CI of I² never prints two equal limits ("0% to 0%", "100% to 100%"): an interval
/// narrower than a percent prints with the decimals that tell its limits apart, as metafor's
/// `confint` does, and the estimate with them; an interval of one value is said once. The
/// Word file says the same as the PDF.
#[test]
fn an_i2_interval_never_prints_two_equal_limits() {
    let (mut narrow, mut single) = (0, 0);
    for r in reviews() {
        let t = typ(&r);
        let word = word_text(&r).join("\n");
        for text in [&t, &word] {
            for (i, _) in text.match_indices("CI of I² was ") {
                let rest = &text[i + "CI of I² was ".len()..];
                // (not the methods' "was derived from the Q-profile CI")
                if !rest.starts_with(|c: char| c.is_ascii_digit()) {
                    continue;
                }
                let end = [",", ";", ". ", ".\n", ")"]
                    .iter()
                    .filter_map(|s| rest.find(s))
                    .min()
                    .unwrap_or(rest.len());
                let ci = &rest[..end];
                let (lo, hi) = ci.split_once(" to ").unwrap_or_else(|| panic!("{r}: {ci}"));
                assert_ne!(lo, hi, "{r}: the CI of I² is {ci}");
            }
        }
        let res = results(&r);
        for o in res["outcomes"].as_array().unwrap() {
            let h = &o["overall"]["heterogeneity"];
            let (Some(lo), Some(hi)) = (
                h["ci"]["i2"]["lower"].as_f64(),
                h["ci"]["i2"]["upper"].as_f64(),
            ) else {
                continue;
            };
            if format!("{lo:.0}") != format!("{hi:.0}") {
                continue;
            }
            if format!("{lo:.2}") == format!("{hi:.2}") {
                single += 1;
                let said = format!("both limits of the 95% CI of I² were {lo:.0}%");
                assert!(t.contains(&said) && word.contains(&said), "{r}: {said}");
            } else {
                narrow += 1;
                let i2 = h["i2"].as_f64().unwrap();
                let said = format!("I² = {i2:.2}%");
                assert!(t.contains(&said) && word.contains(&said), "{r}: {said}");
                let said = format!("CI of I² was {lo:.2}% to {hi:.2}%");
                assert!(t.contains(&said) && word.contains(&said), "{r}: {said}");
            }
        }
    }
    assert!(
        narrow > 0 && single > 0,
        "{narrow} narrow, {single} single-valued intervals"
    );
}

/// Split multi-arm trials: the text, the methods and the summary table count the same unit —
/// comparisons from studies, as the arms-combined outcome of the same trials counts studies —
/// and counts under ten are words, as everywhere else in the text.
#[test]
fn multi_arm_counts_say_which_unit_they_count_and_agree() {
    let t = typ("multi-arm");
    let word = word_text("multi-arm").join("\n");
    for text in [&t, &word] {
        assert!(
            text.contains("Eight comparisons from five studies (806 participants)"),
            "{text}"
        );
        assert!(text.contains("Five studies (806 participants)"), "{text}");
        assert!(
            text.contains("the eight comparisons analysed come from five studies"),
            "{text}"
        );
        assert!(
            !text.contains("five trials") && !text.contains("8 rows"),
            "{text}"
        );
    }
    // The summary table: five studies, eight comparisons; the combined outcome five studies.
    let cells = word_text("multi-arm")
        .iter()
        .filter(|p| p.replace(' ', "") == "5(8comparisons)")
        .count();
    assert_eq!(
        cells, 2,
        "the summary table counts 5 studies (8 comparisons) twice"
    );
    assert!(t.contains("[5  (8 comparisons)]"), "{t}");
    // The PRISMA counts and the studies table of iabp-ecpr: "nine studies", as "nine cohorts".
    for text in [typ("iabp-ecpr"), word_text("iabp-ecpr").join("\n")] {
        assert!(text.contains("nine studies were included"), "{text}");
        assert!(
            text.contains("The characteristics of the nine included studies"),
            "{text}"
        );
        assert!(text.contains("All nine cohorts"), "{text}");
    }
}

/// A single-group mean: the methods say how each study's mean entered the analysis (with the
/// variance SD²/n), define MN, and do not call anything statistically significant.
#[test]
fn a_single_group_mean_has_methods_that_say_what_was_pooled() {
    let t = typ("means");
    let word = word_text("means").join("\n");
    for text in [&t, &word] {
        assert!(
            text.contains("each study’s mean (MN) was taken with its sampling variance SD²/n"),
            "{text}"
        );
        assert!(
            !text.contains("the mean was computed from each study"),
            "{text}"
        );
        assert!(
            !text.contains("considered statistically significant"),
            "{text}"
        );
        assert!(
            text.contains("there is no null value to test them against"),
            "{text}"
        );
    }
    // Proportions and rates define their abbreviations too.
    assert!(typ("proportions").contains("the proportion of participants with the event (PR)"));
    assert!(typ("rates").contains("the incidence rate (IR; events per unit of person-time)"));
    // A review comparing groups keeps its significance level.
    assert!(typ("bcg").contains("Two-sided p < 0.05 was considered statistically significant"));
}

/// An outcome title with its own brackets or commas is quoted where a sentence names it,
/// so that "(Figure 1)" and the sentence's commas do not run into the title's.
#[test]
fn titles_with_brackets_or_commas_are_quoted_in_sentences() {
    let t = typ("means");
    assert!(
        t.contains("reported “Length of stay (days), routine care” (@means-fig-forest-stay)"),
        "{t}"
    );
    assert!(!t.contains("length of stay (days), routine care"), "{t}");
    let word = word_text("means").join("\n");
    assert!(
        word.contains("reported “Length of stay (days), routine care” (Figure 1)"),
        "{word}"
    );
    // A plain title stays lower case in the sentence.
    assert!(typ("bcg").contains("reported tuberculosis (@"));
}

/// The Summary of Findings table keeps an estimate with its CI and a count with its unit on
/// one line (no-break spaces, in the PDF and Word alike), and one source of the assumed risks
/// shared by every outcome is said once.
#[test]
fn summary_of_findings_cells_keep_an_estimate_with_its_interval() {
    let t = typ("bcg");
    assert!(t.contains("RR\u{a0}0.49 (0.34\u{a0}to\u{a0}0.70)"), "{t}");
    assert!(t.contains("(13\u{a0}studies)"), "{t}");
    assert!(t.contains("8\u{a0}per 1,000 (5\u{a0}to\u{a0}11)"), "{t}");
    let word = word_text("bcg");
    assert!(
        word.iter()
            .any(|p| p == "RR\u{a0}0.49 (0.34\u{a0}to\u{a0}0.70)"),
        "{word:?}"
    );
    // The comment of the template says where the table is placed: after the study and
    // risk-of-bias tables, as review.typ.j2 places it.
    let tpl = std::fs::read_to_string(repo().join("templates/summary_of_findings.typ.j2")).unwrap();
    assert!(!tpl.contains("before the other tables"));
    let review = std::fs::read_to_string(repo().join("templates/review.typ.j2")).unwrap();
    let sof = review
        .find("{% include \"summary_of_findings.typ.j2\" %}")
        .unwrap();
    let studies = review.find("-tab-studies>").unwrap();
    let rob = review
        .find("{% include \"risk_of_bias.typ.j2\" %}")
        .unwrap();
    assert!(
        studies < sof
            && rob < sof
            && tpl.contains("after the study characteristics and risk-of-bias tables")
    );
}

/// The Word file follows the typst source's body text size: the PRISMA checklist, set in
/// 9 pt in the PDF, is 9 pt in Word (18 half points), not Word's 11 pt.
#[test]
fn the_word_checklist_has_the_pdfs_text_size() {
    let parts =
        unpack(&std::fs::read(out("bcg/submission/prisma-checklist.docx")).unwrap()).unwrap();
    let styles = parts
        .iter()
        .find(|(n, _)| n == "word/styles.xml")
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .unwrap();
    let defaults = styles.split("</w:rPrDefault>").next().unwrap();
    assert!(defaults.contains(r#"<w:sz w:val="18"/>"#), "{defaults}");
}

/// The summary table prints I² as the text does: "99.88%" in both for the single-group means
/// (the table printed "100%" beside the text's "99.88%"), and no I² below 100% anywhere is
/// printed as "100%".
#[test]
fn the_summary_table_prints_i2_as_the_text_does() {
    let mut seen = 0;
    for r in reviews() {
        let t = typ(&r);
        let res = results(&r);
        for o in res["outcomes"].as_array().unwrap() {
            let Some(i2) = o["overall"]["heterogeneity"]["i2"].as_f64() else {
                continue;
            };
            let title = o["title"].as_str().unwrap_or_default();
            let Some(row) = t
                .find(&format!("([{title}], ["))
                .map(|i| &t[i..i + t[i..].find("]),").unwrap_or(t.len() - i)])
            else {
                continue;
            };
            let cell = row.rsplit("], [").next().unwrap();
            assert!(
                t.contains(&format!("I² = {cell}")),
                "{r}/{title}: the table says I² {cell}, the text does not"
            );
            if i2 < 100.0 {
                assert_ne!(cell, "100%", "{r}/{title}: I² {i2}");
            }
            seen += 1;
        }
    }
    assert!(seen >= 8, "{seen} summary rows checked");
    assert!(typ("means").contains("], [99.88%])"));
}

/// Forest plots print I² as the text does: every heterogeneity line of a forest plot
/// ("…; I² = 99.88%") says the I² the manuscript says for that pool (the forest printed
/// "I² = 100%" beside the text's "99.88%"), and no figure prints an I² below 100% as "100%".
#[test]
fn forest_plots_print_i2_as_the_text_does() {
    let mut seen = 0;
    for r in reviews() {
        let t = typ(&r);
        let below_100 = results(&r)["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|o| o["overall"]["heterogeneity"]["i2"].as_f64())
            .all(|i2| i2 < 100.0);
        let Ok(dir) = std::fs::read_dir(out(&format!("{r}/figures"))) else {
            continue;
        };
        for e in dir {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "svg") {
                continue;
            }
            let svg = std::fs::read_to_string(&p).unwrap();
            for line in svg.split("; I² = ").skip(1) {
                let value = line[..line.find('<').unwrap()].trim();
                assert!(
                    t.contains(&format!("I² = {value}")),
                    "{}: the figure says I² = {value}, the text does not",
                    p.display()
                );
                if below_100
                    && p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("forest-")
                {
                    assert_ne!(value, "100%", "{}", p.display());
                }
                seen += 1;
            }
        }
    }
    assert!(seen >= 8, "{seen} heterogeneity lines checked");
    let means = std::fs::read_to_string(out("means/figures/forest-stay.svg")).unwrap();
    assert!(means.contains("; I² = 99.88%\n<"), "{means}");
}

/// The words for the amount of heterogeneity are defined in the methods, with their source,
/// and each use agrees with the I² printed beside it by those thresholds (the text said
/// "considerable" with no definition; a 24.6% printed as "25%" would have been "low").
#[test]
fn heterogeneity_words_are_defined_and_agree_with_the_printed_i2() {
    let mut seen = 0;
    for r in reviews() {
        let t = typ(&r);
        if !t.contains("Heterogeneity was ") {
            continue;
        }
        assert!(
            t.contains("The amount of heterogeneity was named by thresholds of I² @higgins2003: low (below 25%), moderate (25% to below 50%), substantial (50% to below 75%) or considerable (75% or more)."),
            "{r}"
        );
        for part in t.split("Heterogeneity was ").skip(1) {
            let Some(word) = ["low", "moderate", "substantial", "considerable"]
                .into_iter()
                .find(|w| part.starts_with(&format!("{w} (I² = ")))
            else {
                continue;
            };
            let rest = &part[format!("{word} (I² = ").len()..];
            let i2: f64 = rest[..rest.find('%').unwrap()].parse().unwrap();
            let want = match i2 {
                x if x < 25.0 => "low",
                x if x < 50.0 => "moderate",
                x if x < 75.0 => "substantial",
                _ => "considerable",
            };
            assert_eq!(word, want, "{r}: heterogeneity called {word} at I² = {i2}%");
            seen += 1;
        }
    }
    assert!(seen >= 8, "{seen} heterogeneity statements checked");
    let docx = docx_paragraphs(&out("bcg/manuscript.docx")).join("\n");
    assert!(
        docx.contains("Measuring inconsistency in meta-analyses"),
        "{docx}"
    );
}

/// A reference whose title ends in "?" takes no full stop after it (hayagriva printed
/// "interpreted?."), in the Word file's references (APA and Vancouver); the PDF does the same
/// with a show rule in setup.typ.j2 (the rule is checked here, the PDF with pdftotext by hand).
#[test]
fn a_title_ending_in_a_question_mark_takes_no_full_stop() {
    let mut checked = 0;
    for doc in ["bcg/manuscript.docx", "report.docx"] {
        let refs = docx_paragraphs(&out(doc));
        let thompson = refs
            .iter()
            .find(|p| p.contains("How should meta-regression analyses be undertaken"))
            .unwrap_or_else(|| panic!("{doc}: no Thompson & Higgins 2002"));
        assert!(
            thompson.contains("interpreted? Statistics in Medicine"),
            "{doc}: {thompson}"
        );
        for p in &refs {
            assert!(!p.contains("?.") && !p.contains("!."), "{doc}: {p}");
        }
        checked += 1;
    }
    assert_eq!(checked, 2);
    assert!(
        std::fs::read_to_string(repo().join("templates/setup.typ.j2"))
            .unwrap()
            .contains("#show bibliography: it => { show regex(\"[?!]\\.\"): m => m.text.slice(0, -1); it }")
    );
}
