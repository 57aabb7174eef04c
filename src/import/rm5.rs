//! RevMan 5 `.rm5` files → [`Review`].
//!
//! The file is XML (`<COCHRANE_REVIEW REVMAN_VERSION="5" …>`). The parts read:
//! `COVER_SHEET/TITLE`; the studies (`STUDY` with `ID`, `NAME`, `YEAR`; IDs escape characters
//! as `_x002d_`); `CHARACTERISTICS_OF_INCLUDED_STUDIES`; `QUALITY_ITEMS` (risk of bias); and
//! `ANALYSES_AND_DATA/COMPARISON/{DICH,CONT,IV,IPD}_OUTCOME`, each with its settings and
//! RevMan's results as attributes, optional `*_SUBGROUP`s, and one `*_DATA` per study, which
//! may hold `FOOTNOTE`s. `IPD_OUTCOME` is RevMan 5's "O − E and variance" data type;
//! `OTHER_OUTCOME` ("other data", text only) cannot be pooled and is listed as not carried.

use std::collections::BTreeMap;

use super::model::*;
use super::xml::{self, Document, Element};
use crate::diag::Diagnostic;

/// Reads a `.rm5` file's bytes. `source` names it in messages.
pub fn read(source: &str, bytes: &[u8]) -> Result<Review, Diagnostic> {
    let doc = xml::parse(source, bytes)?;
    let root = &doc.root;
    if root.name != "COCHRANE_REVIEW" {
        return Err(Diagnostic::file(
            source,
            format!(
                "not a RevMan 5 file: its root element is <{}>, not <COCHRANE_REVIEW>",
                root.name
            ),
        )
        .at(1, 1));
    }
    let version = root.attr("REVMAN_VERSION").unwrap_or("");
    if !version.starts_with('5') {
        let (l, c) = doc.line_col(root.offset);
        return Err(Diagnostic::file(
            source,
            format!(
                "this review was written by RevMan {}; only RevMan 5 files are read",
                if version.is_empty() {
                    "(no version given)"
                } else {
                    version
                }
            ),
        )
        .at(l, c)
        .hint("open it in RevMan 5 and save it, or export a data package from RevMan Web"));
    }
    if root.attr("TYPE") == Some("DIAGNOSTIC") {
        return Err(Diagnostic::file(
            source,
            "this is a diagnostic test accuracy review; only intervention reviews can be imported",
        )
        .at(1, 1));
    }
    let sub_version = root
        .attr("REVMAN_SUB_VERSION")
        .filter(|v| !v.is_empty())
        .unwrap_or(version)
        .to_string();
    let reader = Reader {
        doc: &doc,
        source,
        studies: study_index(root),
    };
    let mut not_carried = Vec::new();
    let title = root
        .child("COVER_SHEET")
        .and_then(|c| c.child_text("TITLE"));
    let studies = reader.included_studies();
    let mut analyses = Vec::new();
    if let Some(data) = root.child("ANALYSES_AND_DATA") {
        for cmp in data.children_named("COMPARISON") {
            let cmp_no = cmp.attr("NO").unwrap_or("?").to_string();
            let cmp_name = cmp.child_text("NAME").unwrap_or_default();
            for el in cmp.elements() {
                let dt = match el.name.as_str() {
                    "DICH_OUTCOME" => DataType::Dichotomous,
                    "CONT_OUTCOME" => DataType::Continuous,
                    "IV_OUTCOME" => DataType::GenericInverseVariance,
                    "IPD_OUTCOME" => DataType::OeVariance,
                    "OTHER_OUTCOME" => {
                        not_carried.push(format!(
                            "analysis {cmp_no}.{} \"{}\": RevMan's \"other data\" (text in a table) cannot be pooled",
                            el.attr("NO").unwrap_or("?"),
                            el.child_text("NAME").unwrap_or_default()
                        ));
                        continue;
                    }
                    _ => continue,
                };
                analyses.push(reader.analysis(&cmp_no, &cmp_name, el, dt));
            }
        }
    }
    not_carried.extend(reader.text_sections());
    let risk_of_bias = reader.risk_of_bias(&studies);
    Ok(Review {
        title,
        source: source.to_string(),
        format: Format::Rm5 {
            version: sub_version,
            encoding: doc.encoding,
        },
        studies,
        analyses,
        risk_of_bias,
        not_carried,
        repairs: doc.repairs.clone(),
    })
}

/// Undoes RevMan's escaping of characters in IDs: `STD-ISIS_x002d_2` → `STD-ISIS-2`.
pub fn unescape_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    let mut rest = id;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let decoded = after
            .get(..5)
            .filter(|s| s.ends_with('_'))
            .and_then(|s| u32::from_str_radix(&s[..4], 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[5..];
            }
            None => {
                out.push_str("_x");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every study of the file by its (unescaped) ID: (name, year).
fn study_index(root: &Element) -> BTreeMap<String, (String, Option<String>)> {
    let mut out = BTreeMap::new();
    if let Some(sr) = root.child("STUDIES_AND_REFERENCES") {
        for s in sr.descendants("STUDY") {
            if let Some(id) = s.attr("ID") {
                let id = unescape_id(id);
                let name = s
                    .attr("NAME")
                    .filter(|n| !n.trim().is_empty())
                    .map(|n| n.trim().to_string())
                    .unwrap_or_else(|| id.trim_start_matches("STD-").to_string());
                let year = s
                    .attr("YEAR")
                    .map(str::trim)
                    .filter(|y| !y.is_empty())
                    .map(String::from);
                out.insert(id, (name, year));
            }
        }
    }
    out
}

fn num(el: &Element, name: &str) -> Option<f64> {
    el.attr(name)
        .and_then(|t| Num::parse(t, false))
        .map(|n| n.value)
}

fn stored_num(el: &Element, name: &str) -> Option<Num> {
    el.attr(name).and_then(|t| Num::parse(t, false))
}

fn stored(el: &Element) -> Stored {
    Stored {
        effect: stored_num(el, "EFFECT_SIZE"),
        ci_start: stored_num(el, "CI_START"),
        ci_end: stored_num(el, "CI_END"),
        z: stored_num(el, "Z"),
        p_z: stored_num(el, "P_Z"),
        chi2: stored_num(el, "CHI2"),
        df: stored_num(el, "DF"),
        p_chi2: stored_num(el, "P_CHI2"),
        i2: stored_num(el, "I2"),
        tau2: stored_num(el, "TAU2"),
    }
}

struct Reader<'a> {
    doc: &'a Document,
    source: &'a str,
    studies: BTreeMap<String, (String, Option<String>)>,
}

impl Reader<'_> {
    fn location(&self, el: &Element) -> String {
        let (l, _) = self.doc.line_col(el.offset);
        format!("{}:{l}", self.source)
    }

    fn included_studies(&self) -> Vec<Study> {
        let root = &self.doc.root;
        let mut chars: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        if let Some(c) = root
            .child("CHARACTERISTICS_OF_STUDIES")
            .and_then(|c| c.child("CHARACTERISTICS_OF_INCLUDED_STUDIES"))
        {
            for ic in c.children_named("INCLUDED_CHAR") {
                let Some(id) = ic.attr("STUDY_ID") else {
                    continue;
                };
                let mut items = Vec::new();
                for (tag, label) in [
                    ("CHAR_METHODS", "methods"),
                    ("CHAR_PARTICIPANTS", "participants"),
                    ("CHAR_INTERVENTIONS", "interventions"),
                    ("CHAR_OUTCOMES", "outcomes"),
                    ("CHAR_NOTES", "notes"),
                ] {
                    if let Some(t) = ic.child_text(tag) {
                        items.push((label.to_string(), t));
                    }
                }
                chars.insert(unescape_id(id), items);
            }
        }
        let mut out = Vec::new();
        let included = root
            .child("STUDIES_AND_REFERENCES")
            .and_then(|s| s.child("STUDIES"))
            .and_then(|s| s.child("INCLUDED_STUDIES"));
        for s in included.into_iter().flat_map(|i| i.children_named("STUDY")) {
            let Some(id) = s.attr("ID").map(unescape_id) else {
                continue;
            };
            let (name, year) = self.studies.get(&id).cloned().unwrap_or_default();
            out.push(Study {
                characteristics: chars.remove(&id).unwrap_or_default(),
                id,
                name,
                year,
            });
        }
        out
    }

    fn analysis(&self, cmp_no: &str, cmp_name: &str, el: &Element, dt: DataType) -> RevAnalysis {
        let prefix = el.name.trim_end_matches("_OUTCOME");
        let data_tag = format!("{prefix}_DATA");
        let sub_tag = format!("{prefix}_SUBGROUP");
        let pair = |a: &str, b: &str| match (el.child_text(a), el.child_text(b)) {
            (None, None) => None,
            (x, y) => Some((x.unwrap_or_default(), y.unwrap_or_default())),
        };
        let effect_measure = el
            .attr("EFFECT_MEASURE")
            .map(String::from)
            .filter(|s| !s.is_empty())
            .or_else(|| el.child_text("EFFECT_MEASURE"))
            .unwrap_or_default();
        let log_scale = el.attr("LOG_DATA").map(|v| v == "YES");
        let mut a = RevAnalysis {
            comparison_no: cmp_no.to_string(),
            comparison_name: cmp_name.to_string(),
            outcome_no: el.attr("NO").unwrap_or("?").to_string(),
            name: el.child_text("NAME").unwrap_or_default(),
            data_type: dt,
            effect_measure,
            method: el
                .attr("METHOD")
                .map(String::from)
                .filter(|s| !s.is_empty()),
            random: el.attr("RANDOM") == Some("YES"),
            log_scale,
            ci_study: num(el, "CI_STUDY"),
            ci_total: num(el, "CI_TOTAL"),
            swap_events: el.attr("SWAP_EVENTS") == Some("YES"),
            sort_by: el.attr("SORT_BY").map(String::from),
            totals: el.attr("TOTALS").map(String::from),
            subgroup_test: el.attr("SUBGROUP_TEST").map(|v| v == "YES"),
            arms: pair("GROUP_LABEL_1", "GROUP_LABEL_2"),
            favours: pair("GRAPH_LABEL_1", "GRAPH_LABEL_2"),
            scale: num(el, "SCALE"),
            subgroup_by: None,
            units: el
                .attr("UNITS")
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(String::from),
            tau2_estimator: None,
            ci_method: None,
            prediction: None,
            subgroups: Vec::new(),
            rows: Vec::new(),
            stored: stored(el),
            stored_difference: StoredDifference {
                chi2: stored_num(el, "Q"),
                df: None,
                p: stored_num(el, "P_Q"),
                i2: stored_num(el, "I2_Q"),
            },
            footnotes: el
                .children_named("FOOTNOTE")
                .map(Element::text)
                .filter(|t| !t.is_empty())
                .collect(),
            subgroup_only: Vec::new(),
            location: self.location(el),
        };
        for child in el.elements() {
            if child.name == data_tag {
                a.rows.push(self.row(child, dt, log_scale, None));
            } else if child.name == sub_tag {
                let g = a.subgroups.len();
                a.subgroups.push(Subgroup {
                    name: child
                        .child_text("NAME")
                        .unwrap_or_else(|| format!("Subgroup {}", child.attr("NO").unwrap_or("?"))),
                    stored: stored(child),
                });
                a.footnotes.extend(
                    child
                        .children_named("FOOTNOTE")
                        .map(Element::text)
                        .filter(|t| !t.is_empty()),
                );
                for d in child.children_named(&data_tag) {
                    a.rows.push(self.row(d, dt, log_scale, Some(g)));
                }
            }
        }
        a
    }

    fn row(
        &self,
        d: &Element,
        dt: DataType,
        log: Option<bool>,
        subgroup: Option<usize>,
    ) -> DataRow {
        let id = unescape_id(d.attr("STUDY_ID").unwrap_or(""));
        let (study, year) = self
            .studies
            .get(&id)
            .cloned()
            .unwrap_or_else(|| (id.trim_start_matches("STD-").to_string(), None));
        let values = match dt {
            DataType::Dichotomous => Values::Dichotomous {
                events_1: num(d, "EVENTS_1"),
                total_1: num(d, "TOTAL_1"),
                events_2: num(d, "EVENTS_2"),
                total_2: num(d, "TOTAL_2"),
            },
            DataType::Continuous => Values::Continuous {
                mean_1: num(d, "MEAN_1"),
                sd_1: num(d, "SD_1"),
                total_1: num(d, "TOTAL_1"),
                mean_2: num(d, "MEAN_2"),
                sd_2: num(d, "SD_2"),
                total_2: num(d, "TOTAL_2"),
            },
            DataType::GenericInverseVariance => Values::Generic {
                // The estimate as entered (log scale for ratios); files without it give the
                // effect RevMan computed, whose base-10 log is stored for ratios.
                estimate: num(d, "ESTIMATE").or_else(|| {
                    if log == Some(true) {
                        num(d, "LOG_EFFECT_SIZE").map(|l| l * std::f64::consts::LN_10)
                    } else {
                        num(d, "EFFECT_SIZE")
                    }
                }),
                se: num(d, "SE"),
                total_1: num(d, "TOTAL_1"),
                total_2: num(d, "TOTAL_2"),
            },
            DataType::OeVariance => Values::OeVariance {
                o_e: num(d, "O_E"),
                variance: num(d, "VAR"),
                total_1: num(d, "TOTAL_1"),
                total_2: num(d, "TOTAL_2"),
            },
        };
        DataRow {
            study_id: id,
            study,
            year,
            subgroup,
            values,
            footnotes: d
                .descendants("FOOTNOTE")
                .into_iter()
                .map(Element::text)
                .filter(|t| !t.is_empty())
                .collect(),
            order: num(d, "ORDER"),
            weight: stored_num(d, "WEIGHT"),
            effect: stored_num(d, "EFFECT_SIZE"),
            location: self.location(d),
        }
    }

    /// The parts of the review a project cannot hold, when they have content.
    fn text_sections(&self) -> Vec<String> {
        let root = &self.doc.root;
        let mut out = Vec::new();
        let words = |e: &Element| e.text().split_whitespace().count();
        if let Some(m) = root.child("MAIN_TEXT") {
            let n = words(m);
            // An empty RevMan template still holds placeholder headings.
            let placeholder = m
                .descendants("P")
                .iter()
                .all(|p| p.text().starts_with('[') || p.text().is_empty());
            if n > 0 && !placeholder {
                out.push(format!(
                    "the review's text (abstract, background, methods, results, discussion; {n} words)"
                ));
            }
        }
        for (tag, what) in [
            ("SOF_TABLES", "summary of findings tables"),
            ("ADDITIONAL_TABLES", "additional tables"),
            ("FIGURES", "figures"),
            ("FEEDBACK", "feedback"),
            ("APPENDICES", "appendices"),
        ] {
            if let Some(e) = root.child(tag)
                && words(e) > 0
            {
                out.push(format!("{what} ({} words)", words(e)));
            }
        }
        if let Some(s) = root
            .child("STUDIES_AND_REFERENCES")
            .and_then(|s| s.child("STUDIES"))
        {
            for (tag, what) in [
                ("EXCLUDED_STUDIES", "excluded studies"),
                ("AWAITING_STUDIES", "studies awaiting classification"),
                ("ONGOING_STUDIES", "ongoing studies"),
            ] {
                let n = s
                    .child(tag)
                    .map_or(0, |e| e.children_named("STUDY").count());
                if n > 0 {
                    out.push(format!(
                        "{n} {what} (a list only; the PRISMA counts are not in the file)"
                    ));
                }
            }
        }
        if let Some(sr) = root.child("STUDIES_AND_REFERENCES") {
            let refs = sr
                .descendants("REFERENCE")
                .into_iter()
                .filter(|r| words(r) > 0)
                .count();
            if refs > 0 {
                out.push(format!("{refs} bibliographic reference(s) of studies"));
            }
        }
        out
    }

    /// RevMan 5's quality items (risk of bias): one column per item (per item and outcome
    /// group for items judged per outcome), judgements Low / High / Unclear.
    fn risk_of_bias(&self, studies: &[Study]) -> Option<RiskOfBias> {
        let items = self.doc.root.child("QUALITY_ITEMS")?;
        let mut domains: Vec<String> = Vec::new();
        let mut judgements: BTreeMap<(usize, String), String> = BTreeMap::new();
        for item in items.children_named("QUALITY_ITEM") {
            let name = item
                .child_text("NAME")
                .unwrap_or_else(|| item.attr("ID").unwrap_or("item").to_string());
            let groups: BTreeMap<String, String> = item
                .descendants("QUALITY_ITEM_DATA_ENTRY_GROUP")
                .into_iter()
                .chain(item.descendants("QUALITY_ITEM_GROUP"))
                .filter_map(|g| Some((g.attr("ID")?.to_string(), g.child_text("NAME")?)))
                .collect();
            for entry in item.descendants("QUALITY_ITEM_DATA_ENTRY") {
                let Some(study) = entry.attr("STUDY_ID").map(unescape_id) else {
                    continue;
                };
                let column = match entry.attr("GROUP_ID").filter(|g| !g.is_empty()) {
                    Some(g) => format!(
                        "{name}: {}",
                        groups.get(g).cloned().unwrap_or_else(|| g.to_string())
                    ),
                    None => name.clone(),
                };
                let d = match domains.iter().position(|x| *x == column) {
                    Some(d) => d,
                    None => {
                        domains.push(column);
                        domains.len() - 1
                    }
                };
                judgements.insert((d, study), judgement(entry.attr("RESULT").unwrap_or("")));
            }
        }
        if domains.is_empty() {
            return None;
        }
        let rows = studies
            .iter()
            .map(|s| {
                let j = (0..domains.len())
                    .map(|d| {
                        judgements
                            .get(&(d, s.id.clone()))
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect();
                (s.name.clone(), j)
            })
            .collect();
        Some(RiskOfBias { domains, rows })
    }
}

/// A RevMan judgement in robvis's words: RevMan 5 answers its questions ("Adequate sequence
/// generation?") YES (low risk), NO (high risk) or UNKNOWN (unclear).
pub fn judgement(raw: &str) -> String {
    let t = raw.trim();
    let up = t.to_uppercase().replace(['_', '-'], " ");
    if up.is_empty() {
        String::new()
    } else if up == "YES" || up.starts_with("LOW") {
        "Low".into()
    } else if up == "NO" || up.starts_with("HIGH") {
        "High".into()
    } else if up == "UNKNOWN" || up.starts_with("UNCLEAR") {
        "Unclear".into()
    } else if up.starts_with("SOME CONCERNS") {
        "Some concerns".into()
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revman_ids_are_unescaped() {
        assert_eq!(unescape_id("STD-ISIS_x002d_2"), "STD-ISIS-2");
        assert_eq!(
            unescape_id("STD-M_x00fc_ller_x0020_1999"),
            "STD-Müller 1999"
        );
        assert_eq!(unescape_id("STD-a_xzz_b"), "STD-a_xzz_b");
    }

    #[test]
    fn judgements_use_robvis_words() {
        assert_eq!(judgement("YES"), "Low");
        assert_eq!(judgement("NO"), "High");
        assert_eq!(judgement("UNKNOWN"), "Unclear");
        assert_eq!(judgement("Low risk"), "Low");
        assert_eq!(judgement("Not applicable"), "Not applicable");
    }
}
