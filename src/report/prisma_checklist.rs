//! The PRISMA 2020 checklist (27 items with their sub-items) and the PRISMA 2020 for
//! Abstracts checklist (12 items), with "Location where item is reported" filled in for what
//! metareport wrote, from the spec's `prisma_checklist:` for the rest, and blank otherwise
//! (listed in the notes).
//!
//! Item wording: Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an
//! updated guideline for reporting systematic reviews. BMJ 2021;372:n71, table 1 and table 2,
//! as distributed on https://www.prisma-statement.org/prisma-2020-checklist under the Creative
//! Commons Attribution 4.0 licence.
//!
//! The checklist is written as typst markup: typst compiles it to the PDF and the Word writer
//! reads the same markup, as for the manuscript.

use std::collections::BTreeMap;

use serde_json::Value;

use super::docx::Document;
use super::render::escape_markup;
use crate::spec::{FigureKind, Spec};

/// One checklist row: section, topic, item number, wording.
pub struct Item {
    pub section: &'static str,
    pub topic: &'static str,
    pub id: &'static str,
    pub text: &'static str,
}

const fn item(
    section: &'static str,
    topic: &'static str,
    id: &'static str,
    text: &'static str,
) -> Item {
    Item {
        section,
        topic,
        id,
        text,
    }
}

/// PRISMA 2020 (Page et al. 2021, table 1).
pub const ITEMS: &[Item] = &[
    item(
        "TITLE",
        "Title",
        "1",
        "Identify the report as a systematic review.",
    ),
    item(
        "ABSTRACT",
        "Abstract",
        "2",
        "See the PRISMA 2020 for Abstracts checklist.",
    ),
    item(
        "INTRODUCTION",
        "Rationale",
        "3",
        "Describe the rationale for the review in the context of existing knowledge.",
    ),
    item(
        "INTRODUCTION",
        "Objectives",
        "4",
        "Provide an explicit statement of the objective(s) or question(s) the review addresses.",
    ),
    item(
        "METHODS",
        "Eligibility criteria",
        "5",
        "Specify the inclusion and exclusion criteria for the review and how studies were grouped for the syntheses.",
    ),
    item(
        "METHODS",
        "Information sources",
        "6",
        "Specify all databases, registers, websites, organisations, reference lists and other sources searched or consulted to identify studies. Specify the date when each source was last searched or consulted.",
    ),
    item(
        "METHODS",
        "Search strategy",
        "7",
        "Present the full search strategies for all databases, registers and websites, including any filters and limits used.",
    ),
    item(
        "METHODS",
        "Selection process",
        "8",
        "Specify the methods used to decide whether a study met the inclusion criteria of the review, including how many reviewers screened each record and each report retrieved, whether they worked independently, and if applicable, details of automation tools used in the process.",
    ),
    item(
        "METHODS",
        "Data collection process",
        "9",
        "Specify the methods used to collect data from reports, including how many reviewers collected data from each report, whether they worked independently, any processes for obtaining or confirming data from study investigators, and if applicable, details of automation tools used in the process.",
    ),
    item(
        "METHODS",
        "Data items",
        "10a",
        "List and define all outcomes for which data were sought. Specify whether all results that were compatible with each outcome domain in each study were sought (e.g. for all measures, time points, analyses), and if not, the methods used to decide which results to collect.",
    ),
    item(
        "METHODS",
        "Data items",
        "10b",
        "List and define all other variables for which data were sought (e.g. participant and intervention characteristics, funding sources). Describe any assumptions made about any missing or unclear information.",
    ),
    item(
        "METHODS",
        "Study risk of bias assessment",
        "11",
        "Specify the methods used to assess risk of bias in the included studies, including details of the tool(s) used, how many reviewers assessed each study and whether they worked independently, and if applicable, details of automation tools used in the process.",
    ),
    item(
        "METHODS",
        "Effect measures",
        "12",
        "Specify for each outcome the effect measure(s) (e.g. risk ratio, mean difference) used in the synthesis or presentation of results.",
    ),
    item(
        "METHODS",
        "Synthesis methods",
        "13a",
        "Describe the processes used to decide which studies were eligible for each synthesis (e.g. tabulating the study intervention characteristics and comparing against the planned groups for each synthesis (item #5)).",
    ),
    item(
        "METHODS",
        "Synthesis methods",
        "13b",
        "Describe any methods required to prepare the data for presentation or synthesis, such as handling of missing summary statistics, or data conversions.",
    ),
    item(
        "METHODS",
        "Synthesis methods",
        "13c",
        "Describe any methods used to tabulate or visually display results of individual studies and syntheses.",
    ),
    item(
        "METHODS",
        "Synthesis methods",
        "13d",
        "Describe any methods used to synthesize results and provide a rationale for the choice(s). If meta-analysis was performed, describe the model(s), method(s) to identify the presence and extent of statistical heterogeneity, and software package(s) used.",
    ),
    item(
        "METHODS",
        "Synthesis methods",
        "13e",
        "Describe any methods used to explore possible causes of heterogeneity among study results (e.g. subgroup analysis, meta-regression).",
    ),
    item(
        "METHODS",
        "Synthesis methods",
        "13f",
        "Describe any sensitivity analyses conducted to assess robustness of the synthesized results.",
    ),
    item(
        "METHODS",
        "Reporting bias assessment",
        "14",
        "Describe any methods used to assess risk of bias due to missing results in a synthesis (arising from reporting biases).",
    ),
    item(
        "METHODS",
        "Certainty assessment",
        "15",
        "Describe any methods used to assess certainty (or confidence) in the body of evidence for an outcome.",
    ),
    item(
        "RESULTS",
        "Study selection",
        "16a",
        "Describe the results of the search and selection process, from the number of records identified in the search to the number of studies included in the review, ideally using a flow diagram.",
    ),
    item(
        "RESULTS",
        "Study selection",
        "16b",
        "Cite studies that might appear to meet the inclusion criteria, but which were excluded, and explain why they were excluded.",
    ),
    item(
        "RESULTS",
        "Study characteristics",
        "17",
        "Cite each included study and present its characteristics.",
    ),
    item(
        "RESULTS",
        "Risk of bias in studies",
        "18",
        "Present assessments of risk of bias for each included study.",
    ),
    item(
        "RESULTS",
        "Results of individual studies",
        "19",
        "For all outcomes, present, for each study: (a) summary statistics for each group (where appropriate) and (b) an effect estimate and its precision (e.g. confidence/credible interval), ideally using structured tables or plots.",
    ),
    item(
        "RESULTS",
        "Results of syntheses",
        "20a",
        "For each synthesis, briefly summarise the characteristics and risk of bias among contributing studies.",
    ),
    item(
        "RESULTS",
        "Results of syntheses",
        "20b",
        "Present results of all statistical syntheses conducted. If meta-analysis was done, present for each the summary estimate and its precision (e.g. confidence/credible interval) and measures of statistical heterogeneity. If comparing groups, describe the direction of the effect.",
    ),
    item(
        "RESULTS",
        "Results of syntheses",
        "20c",
        "Present results of all investigations of possible causes of heterogeneity among study results.",
    ),
    item(
        "RESULTS",
        "Results of syntheses",
        "20d",
        "Present results of all sensitivity analyses conducted to assess the robustness of the synthesized results.",
    ),
    item(
        "RESULTS",
        "Reporting biases",
        "21",
        "Present assessments of risk of bias due to missing results (arising from reporting biases) for each synthesis assessed.",
    ),
    item(
        "RESULTS",
        "Certainty of evidence",
        "22",
        "Present assessments of certainty (or confidence) in the body of evidence for each outcome assessed.",
    ),
    item(
        "DISCUSSION",
        "Discussion",
        "23a",
        "Provide a general interpretation of the results in the context of other evidence.",
    ),
    item(
        "DISCUSSION",
        "Discussion",
        "23b",
        "Discuss any limitations of the evidence included in the review.",
    ),
    item(
        "DISCUSSION",
        "Discussion",
        "23c",
        "Discuss any limitations of the review processes used.",
    ),
    item(
        "DISCUSSION",
        "Discussion",
        "23d",
        "Discuss implications of the results for practice, policy, and future research.",
    ),
    item(
        "OTHER INFORMATION",
        "Registration and protocol",
        "24a",
        "Provide registration information for the review, including register name and registration number, or state that the review was not registered.",
    ),
    item(
        "OTHER INFORMATION",
        "Registration and protocol",
        "24b",
        "Indicate where the review protocol can be accessed, or state that a protocol was not prepared.",
    ),
    item(
        "OTHER INFORMATION",
        "Registration and protocol",
        "24c",
        "Describe and explain any amendments to information provided at registration or in the protocol.",
    ),
    item(
        "OTHER INFORMATION",
        "Support",
        "25",
        "Describe sources of financial or non-financial support for the review, and the role of the funders or sponsors in the review.",
    ),
    item(
        "OTHER INFORMATION",
        "Competing interests",
        "26",
        "Declare any competing interests of review authors.",
    ),
    item(
        "OTHER INFORMATION",
        "Availability of data, code and other materials",
        "27",
        "Report which of the following are publicly available and where they can be found: template data collection forms; data extracted from included studies; data used for all analyses; analytic code; any other materials used in the review.",
    ),
];

/// PRISMA 2020 for Abstracts (Page et al. 2021, table 2); numbered A1–A12 here.
pub const ABSTRACT_ITEMS: &[Item] = &[
    item(
        "TITLE",
        "Title",
        "A1",
        "Identify the report as a systematic review.",
    ),
    item(
        "BACKGROUND",
        "Objectives",
        "A2",
        "Provide an explicit statement of the main objective(s) or question(s) the review addresses.",
    ),
    item(
        "METHODS",
        "Eligibility criteria",
        "A3",
        "Specify the inclusion and exclusion criteria for the review.",
    ),
    item(
        "METHODS",
        "Information sources",
        "A4",
        "Specify the information sources (e.g. databases, registers) used to identify studies and the date when each was last searched.",
    ),
    item(
        "METHODS",
        "Risk of bias",
        "A5",
        "Specify the methods used to assess risk of bias in the included studies.",
    ),
    item(
        "METHODS",
        "Synthesis of results",
        "A6",
        "Specify the methods used to present and synthesise results.",
    ),
    item(
        "RESULTS",
        "Included studies",
        "A7",
        "Give the total number of included studies and participants and summarise relevant characteristics of studies.",
    ),
    item(
        "RESULTS",
        "Synthesis of results",
        "A8",
        "Present results for main outcomes, preferably indicating the number of included studies and participants for each. If meta-analysis was done, report the summary estimate and confidence/credible interval. If comparing groups, indicate the direction of the effect (i.e. which group is favoured).",
    ),
    item(
        "DISCUSSION",
        "Limitations of evidence",
        "A9",
        "Provide a brief summary of the limitations of the evidence included in the review (e.g. study risk of bias, inconsistency and imprecision).",
    ),
    item(
        "DISCUSSION",
        "Interpretation",
        "A10",
        "Provide a general interpretation of the results and important implications.",
    ),
    item(
        "OTHER",
        "Funding",
        "A11",
        "Specify the primary source of funding for the review.",
    ),
    item(
        "OTHER",
        "Registration",
        "A12",
        "Provide the register name and registration number.",
    ),
];

/// Every item number a spec may give a location for.
pub fn item_ids() -> Vec<&'static str> {
    ITEMS.iter().chain(ABSTRACT_ITEMS).map(|i| i.id).collect()
}

/// A filled location and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub text: String,
    /// `true` when written by metareport, `false` when given in the spec.
    pub by_metareport: bool,
}

/// The locations metareport can vouch for: what its manuscript (`doc`, the review's Word
/// document with figure and table numbers) and supplementary file contain, from the review's
/// template context (`ctx`, [`super::context::review_context`]), then the spec's
/// `prisma_checklist:` over them.
pub fn locations(spec: &Spec, ctx: &Value, doc: &Document) -> BTreeMap<String, Location> {
    let mut out: BTreeMap<String, Location> = BTreeMap::new();
    let mut put = |id: &str, text: String| {
        out.insert(
            id.to_string(),
            Location {
                text,
                by_metareport: true,
            },
        );
    };
    let m = &ctx["methods"];
    let truthy = |v: &Value| match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Array(a) => !a.is_empty(),
        Value::String(s) => !s.is_empty(),
        _ => true,
    };
    let figs = |kind: FigureKind| -> Vec<String> {
        spec.figures
            .iter()
            .filter(|f| f.kind == kind)
            .filter_map(|f| doc.reference(&super::context::figure_ref(spec, f).label))
            .collect()
    };
    let table = |kind: &str| doc.reference(&format!("{}-tab-{kind}", spec.id));
    let join = |parts: Vec<String>| {
        parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let outcomes: Vec<String> = spec.outcomes.iter().map(|o| o.title.clone()).collect();
    let results = if outcomes.is_empty() {
        String::new()
    } else {
        format!("Results: {}", outcomes.join(", "))
    };
    let has_outcomes = !spec.outcomes.is_empty();
    if has_outcomes {
        put("12", "Statistical analysis".into());
        put("13d", "Statistical analysis".into());
        let prepares = m["measures"]
            .as_array()
            .is_some_and(|ms| ms.iter().any(|x| x["kind"] == "estimate_ci"))
            || (truthy(&m["binary"]) && truthy(&m["continuity"]));
        if prepares {
            put("13b", "Statistical analysis".into());
        }
        if truthy(&m["subgroups"]) {
            put("13e", "Statistical analysis".into());
            put("20c", results.clone());
        }
        let sensitivity =
            truthy(&m["leave_one_out"]) || truthy(&m["exclusions"]) || truthy(&m["cumulative"]);
        if sensitivity {
            put("13f", "Statistical analysis".into());
            let mut parts = vec![results.clone()];
            parts.extend(figs(FigureKind::LeaveOneOut));
            parts.extend(figs(FigureKind::Cumulative));
            parts.push("Supplementary material (supplementary.pdf)".into());
            put("20d", join(parts));
        }
        if truthy(&m["funnel"])
            || truthy(&m["egger"])
            || truthy(&m["begg"])
            || truthy(&m["trim_and_fill"])
        {
            put("14", "Statistical analysis".into());
            let mut parts = vec![results.clone()];
            parts.extend(figs(FigureKind::Funnel));
            put("21", join(parts));
        }
        // Meta-regression and GOSH explore the causes of heterogeneity (13e, 20c); influence
        // diagnostics test the results' robustness to single studies (13f, 20d): their
        // sentences are in the statistical analysis and the outcome's results.
        let x = &m["explore"];
        let outcome_tables = |kind: &str| -> Vec<String> {
            spec.outcomes
                .iter()
                .filter_map(|o| doc.reference(&format!("{}-tab-{kind}-{}", spec.id, o.id)))
                .collect()
        };
        if truthy(&x["meta_regressions"]) || truthy(&x["gosh"]) {
            put("13e", "Statistical analysis".into());
            let mut parts = vec![results.clone()];
            parts.extend(outcome_tables("mr"));
            parts.extend(figs(FigureKind::Bubble));
            parts.extend(figs(FigureKind::Gosh));
            put("20c", join(parts));
        }
        if truthy(&x["influence"]) {
            put("13f", "Statistical analysis".into());
            let mut parts = vec![results.clone()];
            parts.extend(outcome_tables("influence"));
            parts.extend(figs(FigureKind::Baujat));
            if sensitivity {
                parts.extend(figs(FigureKind::LeaveOneOut));
                parts.extend(figs(FigureKind::Cumulative));
                parts.push("Supplementary material (supplementary.pdf)".into());
            }
            put("20d", join(parts));
        }
        // GRADE (templates/summary_of_findings.typ.j2): the method in the statistical
        // analysis, the certainty per outcome in the results and the Summary of Findings table.
        let sof = &ctx["sof"];
        if sof["certainty_column"] == Value::Bool(true) {
            put("15", "Statistical analysis".into());
            let mut parts = vec![results.clone()];
            parts.extend(sof["label"].as_str().and_then(|l| doc.reference(l)));
            put("22", join(parts));
        }
        let forests = figs(FigureKind::Forest);
        if !forests.is_empty() {
            put("19", join(forests.clone()));
        }
        let mut parts = vec![results.clone()];
        parts.extend(table("summary"));
        parts.extend(forests);
        put("20b", join(parts));
    }
    // Risk of bias (templates/risk_of_bias.typ.j2): the methods section named after the tool,
    // the results paragraph of the review's appraisal with its figures and table, or the
    // outcomes' own appraisals in their results.
    let rob = &ctx["risk_of_bias"];
    let refs = |labels: &Value| -> Vec<String> {
        labels
            .as_array()
            .map(|ls| {
                ls.iter()
                    .filter_map(|l| l.as_str().and_then(|l| doc.reference(l)))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(review) = rob["review"].as_object() {
        if let Some(h) = review["methods_heading"].as_str() {
            put("11", h.to_string());
        }
        let mut parts = vec![format!(
            "Results: {}",
            review["heading"].as_str().unwrap_or("Risk of bias")
        )];
        parts.extend(refs(&review["figures"]));
        parts.extend(
            review["table_label"]
                .as_str()
                .and_then(|l| doc.reference(l)),
        );
        put("18", join(parts));
    } else if let Some(own) = rob["outcomes"].as_object()
        && let Some(first) = own.values().next()
    {
        if let Some(h) = first["methods_heading"].as_str() {
            put("11", h.to_string());
        }
        let titles: Vec<String> = spec
            .outcomes
            .iter()
            .filter(|o| own.contains_key(&o.id))
            .map(|o| o.title.clone())
            .collect();
        let mut parts = vec![format!("Results: {}", titles.join(", "))];
        for ob in own.values() {
            parts.extend(refs(&ob["figures"]));
            parts.extend(ob["table_label"].as_str().and_then(|l| doc.reference(l)));
        }
        put("18", join(parts));
    }
    if spec.prisma.is_some() {
        let mut parts = vec!["Results: Study selection".to_string()];
        parts.extend(figs(FigureKind::Prisma));
        put("16a", join(parts));
    }
    if let Some(t) = table("studies") {
        put("17", t);
    }
    for (k, v) in &spec.prisma_checklist {
        out.insert(
            k.clone(),
            Location {
                text: v.clone(),
                by_metareport: false,
            },
        );
    }
    out
}

/// The checklist as typst markup, in one file: read by the Word writer for the DOCX. The PDF
/// is compiled from the same document in two files ([`pdf_main`] and [`MODULE`]).
pub fn typst(spec: &Spec, locations: &BTreeMap<String, Location>) -> String {
    let locs = location_cells(locations);
    let mut s = String::new();
    write(
        &mut s,
        &heading(spec),
        &|i| format!("[{}]", locs[i]),
        &notes(locations),
    );
    s
}

/// The checklist's typst source: one file of markup (read by the Word writer) and the PDF's
/// main file, which imports [`MODULE`] — the same document.
pub struct Sources {
    /// [`typst`]: the whole checklist as markup.
    pub markup: String,
    /// [`pdf_main`]: the review's parts, given to [`MODULE`]'s `checklist`.
    pub pdf_main: String,
}

/// Both of the checklist's sources.
pub fn sources(spec: &Spec, locations: &BTreeMap<String, Location>) -> Sources {
    Sources {
        markup: typst(spec, locations),
        pdf_main: pdf_main(spec, locations),
    }
}

/// Where the PDF's main file finds [`MODULE`].
pub const MODULE_PATH: &str = "prisma-checklist.typ";

/// The checklist's text that is the same for every review, as a typst module: `checklist(title,
/// locs, notes)` is the document of [`typst`] with the review's heading, its locations (one per
/// item, in order) and its notes filled in. typst keys what it lays out by the source it came
/// from, so a build's checklists share the layout of their common rows when that text is in a
/// file of its own (each checklist laid out from scratch took 30–50 ms of CPU, the later ones
/// now about half that); the PDF is the same, byte for byte.
pub static MODULE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut s = String::from("#let checklist(title, locs, notes) = [\n");
    write(&mut s, "#title", &|i| format!("locs.at({i})"), "#notes");
    s.push_str("]\n");
    s
});

/// The PDF's main file: [`MODULE`]'s checklist with the review's heading, locations and notes.
/// (The heading is given whole: a title alone at the start of a content block could read as
/// markup that it is not in the heading's line, e.g. "1. " as a numbered list.)
pub fn pdf_main(spec: &Spec, locations: &BTreeMap<String, Location>) -> String {
    let locs = location_cells(locations);
    let mut s = format!(
        "#import \"/{MODULE_PATH}\": checklist\n#checklist([{}], (",
        heading(spec)
    );
    for l in &locs {
        s.push_str(&format!("[{l}], "));
    }
    s.push_str(&format!("), [{}])\n", notes(locations)));
    s
}

/// The first heading's text, as markup.
fn heading(spec: &Spec) -> String {
    format!("PRISMA 2020 checklist: {}", escape_markup(&spec.title))
}

/// Every item's location as markup (empty when blank), the checklist's items first, then the
/// abstract's.
fn location_cells(locations: &BTreeMap<String, Location>) -> Vec<String> {
    ITEMS
        .iter()
        .chain(ABSTRACT_ITEMS)
        .map(|it| {
            locations.get(it.id).map_or(String::new(), |l| {
                format!(
                    "{}{}",
                    escape_markup(&l.text),
                    if l.by_metareport { " †" } else { "" }
                )
            })
        })
        .collect()
}

/// The notes' paragraph: the items left blank.
fn notes(locations: &BTreeMap<String, Location>) -> String {
    let blank: Vec<&str> = ITEMS
        .iter()
        .chain(ABSTRACT_ITEMS)
        .filter(|i| !locations.contains_key(i.id))
        .map(|i| i.id)
        .collect();
    if blank.is_empty() {
        "Every item has a location.".to_string()
    } else {
        format!(
            "Left blank for the authors ({} items): {}. Give their locations in the spec as `prisma_checklist: {{\"5\": \"Methods, Eligibility criteria\"}}`; metareport writes no abstract, introduction or discussion.",
            blank.len(),
            blank.join(", ")
        )
    }
}

/// The checklist's markup with its review's parts given as markup: the heading, the location
/// cell of the `i`th item (counting the abstract's after the checklist's) and the notes.
fn write(s: &mut String, heading: &str, loc: &dyn Fn(usize) -> String, notes: &str) {
    s.push_str("#set document(title: [PRISMA 2020 checklist], date: none)\n");
    s.push_str(
        "#set page(paper: \"a4\", flipped: true, margin: (x: 1.6cm, y: 1.6cm), numbering: \"1\")\n",
    );
    s.push_str("#set text(font: \"Libertinus Serif\", size: 9pt, lang: \"en\", region: \"GB\")\n");
    s.push_str("#set par(justify: false)\n");
    s.push_str("#set table(stroke: 0.4pt + luma(160), inset: 4pt)\n\n");
    s.push_str(&format!("= {heading}\n\n"));
    s.push_str("Locations marked † were filled in by metareport from what it wrote (the manuscript and supplementary.pdf); the others come from the review’s `prisma_checklist:`. Blank locations are for the authors to complete; they are listed in the notes below.\n\n");
    let mut i = 0;
    let mut table = |s: &mut String, items: &[Item]| {
        s.push_str("#table(\n  columns: (auto, auto, 1fr, 0.8fr),\n  table.header([*Section and topic*], [*Item \\#*], [*Checklist item*], [*Location where item is reported*]),\n");
        let mut section = "";
        for it in items {
            if it.section != section {
                section = it.section;
                s.push_str(&format!("  [*{}*], [], [], [],\n", escape_markup(section)));
            }
            s.push_str(&format!(
                "  [{}], [{}], [{}], {},\n",
                escape_markup(it.topic),
                escape_markup(it.id),
                escape_markup(it.text),
                loc(i)
            ));
            i += 1;
        }
        s.push_str(")\n\n");
    };
    table(s, ITEMS);
    s.push_str("#pagebreak()\n= PRISMA 2020 for Abstracts checklist\n\n");
    table(s, ABSTRACT_ITEMS);
    s.push_str("== Notes\n\n");
    s.push_str(notes);
    s.push_str("\n\n");
    s.push_str("Checklist items: Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an updated guideline for reporting systematic reviews. BMJ 2021;372:n71 (tables 1 and 2), distributed under the Creative Commons Attribution 4.0 licence (prisma-statement.org). Abstract items are numbered A1–A12 here.\n");
}
