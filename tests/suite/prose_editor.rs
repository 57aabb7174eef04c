//! What a journal's editor would mark as untrue in the text: a confidence level said for
//! numbers computed at another, an effect called important that prints as 0 per 1,000, a
//! threshold of "0 per 1,000" — read from the manuscripts of small test projects built from
//! `tests/fixtures/grade` with one setting changed.

use std::path::Path;

use super::common::{built, copy_dir, repo};
use super::prose_copyedit::docx_paragraphs;

/// The grade fixture with `edit` applied to its spec, built; the manuscript's typst source
/// (escapes removed) and the Word manuscript's paragraphs joined.
fn grade(edit: &dyn Fn(String) -> String) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/grade/analyses"),
        &dir.path().join("analyses"),
    );
    let spec = dir.path().join("analyses/grade.yaml");
    let text = edit(std::fs::read_to_string(&spec).unwrap());
    std::fs::write(&spec, text).unwrap();
    built(dir.path());
    let out = dir.path().join("out/grade");
    let typ = std::fs::read_to_string(out.join("manuscript.typ"))
        .unwrap()
        .replace('\\', "");
    let word = docx_paragraphs(Path::new(&out.join("manuscript.docx"))).join("\n");
    (typ, word)
}

/// The results paragraph of one outcome: from its heading to the next.
fn section<'a>(typ: &'a str, title: &str) -> &'a str {
    let start = typ
        .find(&format!("== {title}\n"))
        .or_else(|| typ.find(&format!("= {title}\n")))
        .unwrap_or_else(|| panic!("no section {title}: {typ}"));
    let rest = &typ[start + title.len() + 3..];
    &rest[..rest.find("\n=").unwrap_or(rest.len())]
}

/// Outcomes at different confidence levels: every statement names the level of the numbers
/// it reports — the CI of I² of each outcome at that outcome's level, the methods' sentences
/// that cover all outcomes say which outcome is at which level, the summary table's header
/// says "CI" and each cell its level. One level for all: said once, as before, at that level.
#[test]
fn each_statement_names_the_level_of_its_intervals() {
    let (typ, word) = grade(&|s| {
        s.replacen(
            "    measure: MD\n",
            "    measure: MD\n    model: {level: 0.9}\n",
            1,
        )
    });
    assert!(
        section(&typ, "Pain").contains("the 90% CI of I² was"),
        "{}",
        section(&typ, "Pain")
    );
    for t in ["Deaths", "Low mood", "Relapse"] {
        assert!(section(&typ, t).contains("the 95% CI of I² was"), "{t}");
    }
    for text in [&typ, &word] {
        assert!(
            text.contains("Confidence intervals and prediction intervals are 95% intervals for deaths, low mood and relapse, and 90% intervals for pain."),
            "{text}"
        );
        assert!(
            text.contains("The CI of I² was derived from the Q-profile CI"),
            "{text}"
        );
        assert!(text.contains("OR) with its CI was computed"), "{text}");
        assert!(text.contains("c the two-sided critical value"), "{text}");
        assert!(!text.contains("The 95% CI of I²"), "{text}");
        assert!(!text.contains("Effect (95% CI)"), "{text}");
    }
    assert!(typ.contains("[*Effect (CI)*]"), "{typ}");
    assert!(typ.contains("[MD −0.81 (90% CI −1.25 to −0.38)]"), "{typ}");
    assert!(typ.contains("(95% CI 0.62–1.07)]"), "{typ}");

    // One level for every outcome: named in each sentence and the header.
    let (typ, word) = grade(&|s| {
        s.replacen(
            "preset: metafor\n",
            "preset: metafor\ndefaults: {level: 0.9}\n",
            1,
        )
    });
    for text in [&typ, &word] {
        assert!(text.contains("The 90% CI of I² was derived"), "{text}");
        assert!(text.contains("OR) with its 90% CI was computed"), "{text}");
        assert!(text.contains("Prediction intervals (90%)"), "{text}");
        assert!(
            !text.contains("Confidence intervals and prediction intervals are"),
            "{text}"
        );
        assert!(!text.contains("95% CI of I²"), "{text}");
    }
    assert!(typ.contains("[*Effect (90% CI)*]"), "{typ}");
    assert!(typ.contains("The 90% prediction interval was"), "{typ}");
}

/// GRADE statements judge the difference as printed: a relapse risk of 1 per 1,000 gives
/// 0.2 fewer per 1,000 (printed per 10,000), which is no reduction at the threshold of 1 per
/// 1,000 (main said "probably reduces relapse"); and a
/// threshold left at 0 is said as what it means ("at least 1 per 1,000"), not "exceeded 0 per
/// 1,000".
#[test]
fn an_effect_that_prints_as_zero_is_not_called_important() {
    let (typ, word) = grade(&|s| {
        s.replacen(
            "      assumed_risk: 0.2\n",
            "      assumed_risk: 0.001\n",
            1,
        )
    });
    // A rare event is given per 10,000, as the Cochrane Handbook allows, in the table and the
    // text alike: main printed "0 fewer per 1,000 (from 0 fewer to 0 more)", which says
    // nothing.
    assert!(
        typ.contains("[10 per 10,000], [8\u{a0}per 10,000 (6\u{a0}to\u{a0}11)")
            && typ.contains("[2 fewer per 10,000 (from 4 fewer to 1 more)]"),
        "{typ}"
    );
    for text in [&typ, &word] {
        assert!(
            text.contains("At an assumed risk of 10 per 10,000 with usual care (as set by the review’s authors), the pooled HR corresponds to 2 fewer per 10,000 (95% CI 4 fewer to 1 more;"),
            "{text}"
        );
        assert!(
            !text.contains("0 fewer per 1,000") && !text.contains("0 fewer to 0 more"),
            "{text}"
        );
        assert!(
            text.contains("Exercise probably results in little to no difference in relapse"),
            "{text}"
        );
        assert!(!text.contains("reduces relapse"), "{text}");
        assert!(
            !text.contains("exceeded 0 per 1,000") && !text.contains("and 0 per 1,000"),
            "{text}"
        );
        assert!(
            text.contains("an effect being called important when it exceeded 5 per 1,000 for deaths and 2.00 (MD) for pain, and when it was at least 1 per 1,000 for relapse."),
            "{text}"
        );
    }
}

/// Newcastle–Ottawa star counts are scores: digits in every sentence and note ("up to 9
/// stars: 4 for selection", "scored 9 of 9 stars", "9 stars at most"; main mixed "nine stars
/// at most" and "9 of 9 stars"); the count of cohorts stays a word ("All nine cohorts").
#[test]
fn star_scores_are_digits_everywhere() {
    let dir = super::common::project(&["iabp-ecpr"]);
    built(dir.path());
    let out = dir.path().join("out/iabp-ecpr");
    let typ = std::fs::read_to_string(out.join("manuscript.typ"))
        .unwrap()
        .replace('\\', "");
    let word = docx_paragraphs(&out.join("manuscript.docx")).join("\n");
    for text in [&typ, &word] {
        assert!(
            text.contains(
                "which awards up to 9 stars: 4 for selection, 2 for comparability and 3 for outcome"
            ),
            "{text}"
        );
        assert!(
            text.contains("All nine cohorts scored 9 of 9 stars."),
            "{text}"
        );
        assert!(
            text.contains("Each ★ is one star; 9 stars at most."),
            "{text}"
        );
        for words in [
            "nine stars",
            "four for selection",
            "two for comparability",
            "three for outcome",
        ] {
            assert!(!text.contains(words), "{words}: {text}");
        }
    }
}

/// The Word file's Summary of Findings table takes the PDF's text size (`#set text(size:
/// 7.5pt)` before the table: 15 half-points, not the Table Text style's 8.5 pt), and no table
/// row of the Word file breaks across pages (the PDF never splits a row).
#[test]
fn word_tables_keep_the_pdfs_text_size_and_whole_rows() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/grade/analyses"),
        &dir.path().join("analyses"),
    );
    built(dir.path());
    let parts = metareport::report::docx::zip::unpack(
        &std::fs::read(dir.path().join("out/grade/manuscript.docx")).unwrap(),
    )
    .unwrap();
    let xml = parts
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .unwrap();
    let tables: Vec<&str> = xml
        .split("<w:tbl>")
        .skip(1)
        .map(|t| t.split("</w:tbl>").next().unwrap())
        .collect();
    let sof = tables
        .iter()
        .find(|t| t.contains("Patient or population"))
        .expect("the Summary of Findings table");
    // Every run of the table's cells is 7.5 pt, except the footnotes (7 pt) and the
    // certainty marks (9 pt), as in the PDF.
    let cell = sof
        .split("<w:r>")
        .find(|r| r.contains(">Outcomes<"))
        .unwrap();
    assert!(cell.contains(r#"<w:sz w:val="15"/>"#), "{cell}");
    assert!(!sof.contains(r#"<w:sz w:val="17"/>"#));
    for t in &tables {
        assert_eq!(
            t.matches("<w:tr>").count(),
            t.matches("<w:trPr><w:cantSplit/>").count(),
            "{t}"
        );
    }
}

/// Two measures from the same kind of data are not both "for dichotomous outcomes" (the
/// multi-arm review said so of its RR and of its OR): each sentence names its outcomes; a
/// review with one measure per kind keeps "for dichotomous outcomes".
#[test]
fn measures_of_one_kind_of_data_name_their_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/projects/multi-arm"),
        dir.path(),
    );
    built(dir.path());
    let typ = std::fs::read_to_string(dir.path().join("out/multi-arm/manuscript.typ"))
        .unwrap()
        .replace('\\', "");
    for said in [
        "For “Adverse events (shared control split)”, the risk ratio (RR) with its 95% CI was computed",
        "For “Adverse events (arms combined)”, the odds ratio (OR) with its 95% CI was computed",
        "For “Pain score (shared control split)”, the standardised mean difference (SMD)",
        "For “Pain score (arms combined)”, the mean difference (MD) was computed",
    ] {
        assert!(typ.contains(said), "{said}: {typ}");
    }
    assert!(!typ.contains("For dichotomous outcomes") && !typ.contains("For continuous outcomes"));
    let (typ, _) = grade(&|s| s);
    // With the comma of "For pain, the" beside it (main: "For dichotomous outcomes the").
    assert!(
        typ.contains("For dichotomous outcomes, the odds ratio (OR) with its 95% CI was computed")
    );
    assert!(typ.contains("For pain, the mean difference (MD) was computed"));
}

/// Trim-and-fill of an outcome the model rule did not pool: the text names the model
/// trim-and-fill fitted and does not say that an estimate "became" another (magnesium: no
/// pooled estimate of the observed studies, so none could change).
#[test]
fn trim_and_fill_without_a_pooled_estimate_names_its_model() {
    let dir = super::common::project(&["magnesium"]);
    built(dir.path());
    let typ = std::fs::read_to_string(dir.path().join("out/magnesium/manuscript.typ"))
        .unwrap()
        .replace('\\', "");
    assert!(
        typ.contains("Trim-and-fill imputed seven missing studies on the right of the funnel; with them a random-effects model (DerSimonian–Laird τ²) gave OR 0.69, 95% CI 0.49–0.98, where no pooled estimate is reported for the studies as observed."),
        "{typ}"
    );
    assert!(!typ.contains("the estimate became"), "{typ}");
    // A pooled outcome keeps "the estimate became" (bcg).
    let dir = super::common::project(&["bcg"]);
    built(dir.path());
    let typ = std::fs::read_to_string(dir.path().join("out/bcg/manuscript.typ")).unwrap();
    assert!(typ.contains("with it the estimate became RR 0.52"), "{typ}");
}

/// The methods give the formula of the absolute effect for each measure the Summary of
/// Findings table uses and no other (a table of risk ratios was said to use
/// "risk × RR, OR × risk / (1 − risk + OR × risk) or 1 − (1 − risk)^HR").
#[test]
fn absolute_effects_name_only_the_measures_used() {
    // Odds ratio and hazard ratio: both formulas, no risk ratio.
    let (typ, word) = grade(&|s| s);
    for text in [&typ, &word] {
        assert!(
            text.contains("as OR × risk / (1 − risk + OR × risk) or 1 − (1 − risk)"),
            "{text}"
        );
        assert!(!text.contains("risk × RR"), "{text}");
        assert!(
            text.contains("from the pooled relative effect and"),
            "{text}"
        );
    }
    // Risk ratios only: one formula.
    let (typ, word) = grade(&|s| {
        let s = s.replacen("measure: OR", "measure: RR", 1);
        s[..s.find("    - outcome: relapse").unwrap()].to_string()
    });
    for text in [&typ, &word] {
        assert!(
            text.contains("as risk × RR, with the confidence limits of the relative effect"),
            "{text}"
        );
        assert!(
            !text.contains("OR × risk") && !text.contains("(1 − risk)"),
            "{text}"
        );
    }
    // A risk difference is not a relative effect.
    let (typ, _) = grade(&|s| {
        let s = s.replacen("measure: OR", "measure: RD", 1);
        s[..s.find("    - outcome: relapse").unwrap()].to_string()
    });
    assert!(
        typ.contains("from the pooled risk difference and an assumed risk"),
        "{typ}"
    );
    assert!(typ.contains("as risk + RD, with the confidence limits of the risk difference"));
}

/// The BCG review with its meta-regression's moderators set to `moderators`, built; the
/// manuscript's typst source (escapes removed) and the Word manuscript's paragraphs joined.
fn bcg_with_moderators(moderators: &str) -> (String, String) {
    let dir = super::common::project(&["bcg"]);
    let spec = dir.path().join("analyses/bcg.yaml");
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("moderators: [latitude]", moderators);
    std::fs::write(&spec, text).unwrap();
    built(dir.path());
    let out = dir.path().join("out/bcg");
    let typ = std::fs::read_to_string(out.join("manuscript.typ"))
        .unwrap()
        .replace('\\', "");
    let word = docx_paragraphs(Path::new(&out.join("manuscript.docx"))).join("\n");
    (typ, word)
}

/// A meta-regression on one moderator speaks of "the moderator" in the methods, the results
/// and the bubble plot's caption (the methods said "the moderators with the omnibus QM test"
/// and "accounted for by the moderators" of a model with one); on two, of "the moderators".
#[test]
fn one_moderator_is_the_moderator() {
    let (typ, word) = bcg_with_moderators("moderators: [latitude]");
    for text in [&typ, &word] {
        assert!(
            text.contains("and the moderator with the omnibus QM test"),
            "{text}"
        );
        assert!(text.contains("accounted for by the moderator was estimated"));
        assert!(
            text.contains("from the same model without the moderator "),
            "{text}"
        );
        assert!(text.contains("without the moderator; QE"), "{text}");
        assert!(!text.contains("the moderators"), "{text}");
        assert!(!text.contains("other moderator"), "{text}");
    }
    let (typ, word) = bcg_with_moderators("moderators: [latitude, year]");
    for text in [&typ, &word] {
        assert!(
            text.contains("and the moderators together with the omnibus QM test"),
            "{text}"
        );
        assert!(text.contains("accounted for by the moderators was estimated"));
        assert!(text.contains("without the moderators; QE"), "{text}");
        assert!(
            text.contains("the other moderator held at its mean"),
            "{text}"
        );
    }
}

/// A project of `spec` (as analyses/r.yaml) and data files, built; its manuscript's typst
/// source with escapes removed.
fn built_typ(spec: &str, files: &[(&str, &str)]) -> String {
    built_typ_notes(spec, files).0
}

/// [`built_typ`] and the review's notes.txt.
fn built_typ_notes(spec: &str, files: &[(&str, &str)]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("analyses");
    std::fs::create_dir_all(a.join("data")).unwrap();
    std::fs::write(a.join("r.yaml"), spec).unwrap();
    for (name, text) in files {
        std::fs::write(a.join("data").join(name), text).unwrap();
    }
    built(dir.path());
    let typ = std::fs::read_to_string(dir.path().join("out/r/manuscript.typ"))
        .unwrap()
        .replace('\\', "");
    let notes = std::fs::read_to_string(dir.path().join("out/r/notes.txt")).unwrap_or_default();
    (typ, notes)
}

/// Counts of one take the singular: one multi-arm trial is "one study", a cumulative step of
/// one study is "(1 study)", one full-text report "was assessed", one included study is "the
/// included study" (each printed as a plural of one before).
#[test]
fn counts_of_one_take_the_singular() {
    let typ = built_typ(
        "title: One trial\npreset: metafor\noutcomes:\n  - id: ae\n    title: Adverse events\n    data: data/ae.csv\n    measure: RR\n    multi_arm: {method: split}\n",
        &[(
            "ae.csv",
            "study,arm,events_t,total_t,events_c,total_c\nBaker 2007,low dose,8,40,15,81\nBaker 2007,high dose,5,42,15,81\n",
        )],
    );
    assert!(
        typ.contains("the two comparisons analysed come from one study."),
        "{typ}"
    );
    assert!(
        typ.contains("Two comparisons from one study (163 participants) reported"),
        "{typ}"
    );

    let typ = built_typ(
        "title: Two trials\npreset: metafor\noutcomes:\n  - id: d\n    title: Deaths\n    data: data/d.csv\n    measure: OR\n    model: {effects: rule, tau2: DL}\n    sensitivity: {cumulative: {by: study}}\n",
        &[(
            "d.csv",
            "study,events_t,total_t,events_c,total_c\nAlpha 2001,2,200,40,200\nBeta 2003,60,200,20,200\n",
        )],
    );
    assert!(typ.contains("was added (1 study):"), "{typ}");

    let (typ, notes) = built_typ_notes(
        "title: One study\npreset: metafor\nstudies:\n  rows:\n    - {study: Adams 1998, design: RCT}\nprisma: {databases: 3, assessed: 1, included_studies: 1}\noutcomes:\n  - id: d\n    title: Deaths\n    measure: RR\n    rows:\n      - {study: Adams 1998, events_t: 4, total_t: 120, events_c: 9, total_c: 118}\nsummary_of_findings:\n  intervention: Drug\n  comparator: Placebo\n  outcomes:\n    - {outcome: d, assumed_risk: 0.1}\n",
        &[],
    );
    assert!(
        notes.contains("publication bias: 1 study, fewer than the 10"),
        "{notes}"
    );
    assert!(
        typ.contains("A total of 3 records were identified; 1 full-text report was assessed for eligibility, and one study was included"),
        "{typ}"
    );
    assert!(
        typ.contains("The characteristics of the included study are given in"),
        "{typ}"
    );
}
