//! The Word manuscript and the journal submission package (issue 13), read back from the
//! files: document.xml's headings, numbers, tables, images and references; TIFF tags; the PDF
//! figure's page size; the PRISMA checklist's locations; byte-identical outputs across builds;
//! figures too narrow for a journal's minimum text size refused with a message naming them.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use metareport::plot::export::{PT_PER_MM, pdf::media_box, tiff::read_info};
use metareport::report::docx::zip::unpack;

use super::common::{build_quiet, copy_dir, project, repo};

/// The default project's three reviews with figures and a PRISMA flow, built once.
static BUILT: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = project(&["bcg", "magnesium", "iabp-ecpr"]);
    build_quiet(dir.path()).unwrap_or_else(|f| panic!("build failed: {f}"));
    dir
});

fn out(p: &str) -> PathBuf {
    BUILT.path().join("out").join(p)
}

/// A part of a zip, as text.
fn part(docx: &Path, name: &str) -> String {
    let parts = unpack(&std::fs::read(docx).unwrap()).unwrap();
    let (_, b) = parts
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} not in {}", docx.display()));
    String::from_utf8(b.clone()).unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The paragraphs of document.xml: (style, text). Table cells are paragraphs too.
fn paragraphs(xml: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in xml.split("<w:p>").skip(1) {
        let p = chunk.split("</w:p>").next().unwrap_or("");
        let style = p
            .split("<w:pStyle w:val=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("")
            .to_string();
        let mut text = String::new();
        for t in p.split("<w:t xml:space=\"preserve\">").skip(1) {
            text.push_str(&unescape(t.split("</w:t>").next().unwrap_or("")));
        }
        out.push((style, text));
    }
    out
}

/// Tables of document.xml as rows of cell texts.
fn tables(xml: &str) -> Vec<Vec<Vec<String>>> {
    xml.split("<w:tbl>")
        .skip(1)
        .map(|t| {
            let t = t.split("</w:tbl>").next().unwrap_or("");
            t.split("<w:tr>")
                .skip(1)
                .map(|r| {
                    r.split("<w:tc>")
                        .skip(1)
                        .map(|c| {
                            paragraphs(c)
                                .into_iter()
                                .map(|(_, t)| t)
                                .collect::<String>()
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The numbers written in a piece of text ("0.49", "357,347", "92%" → "92").
fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let inner_sep = (c == '.' || c == ',')
            && !cur.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_digit() || inner_sep {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn the_word_manuscript_has_the_pdfs_headings_numbers_tables_images_and_references() {
    let xml = part(&out("bcg/manuscript.docx"), "word/document.xml");
    let paras = paragraphs(&xml);
    let headings: Vec<&str> = paras
        .iter()
        .filter(|(s, _)| s.starts_with("Heading"))
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(
        headings,
        [
            "Statistical analysis",
            "Results",
            "Tuberculosis",
            "References",
            "Appendix: reproducibility"
        ]
    );
    let text: String = paras.iter().map(|(_, t)| format!("{t}\n")).collect();
    // Every number of the typst source's sentences (the lines of prose under the headings)
    // appears in the Word file.
    let typ = std::fs::read_to_string(out("bcg/manuscript.typ")).unwrap();
    let prose: Vec<&str> = typ
        .lines()
        .skip_while(|l| !l.starts_with("= Statistical analysis"))
        // Prose lines start with a space or a capital letter; code lines with `#`, `[` or
        // indentation.
        .filter(|l| {
            (l.starts_with(' ') && !l.starts_with("  "))
                || l.chars().next().is_some_and(char::is_uppercase)
        })
        .collect();
    assert!(prose.len() > 10, "{prose:?}");
    let mut missing = Vec::new();
    for l in &prose {
        for n in numbers(&l.replace('\\', "")) {
            if !text.contains(&n) {
                missing.push(format!("{n} (from: {l})"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "numbers missing from the Word file: {missing:#?}"
    );
    // Figure and table references are numbers, citations are formatted by the PDF's style.
    assert!(text.contains("reported tuberculosis (Figure 1)"), "{text}");
    assert!(text.contains("summarised in Table 3"), "{text}");
    assert!(text.contains("(Higgins & Thompson, 2002)"), "{text}");
    assert!(!text.contains('@'), "an unresolved reference: {text}");
    // The summary table: a header and one row of seven columns.
    // (Table 1 is the Summary of Findings, placed first as Cochrane does and cited first,
    // Table 2 the meta-regression's coefficients.)
    let all = tables(&xml);
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(
        all[0][0][0].starts_with("BCG vaccine compared with no vaccination"),
        "{all:?}"
    );
    let t = &all[2..];
    assert_eq!(t[0].len(), 2);
    assert!(t[0].iter().all(|r| r.len() == 7));
    assert_eq!(t[0][1][0], "Tuberculosis");
    assert_eq!(t[0][1][4], "RR 0.49 (0.34–0.70)");
    assert!(xml.contains("<w:tblHeader/>"));
    // GRADE's certainty marks are set in a font that has both ⨁ and ◯ (the default serif has
    // neither, and LibreOffice's own fallback drew ◯ filled).
    let grade = xml
        .split("<w:r>")
        .find(|r| r.contains("⨁⨁◯◯"))
        .expect("the GRADE marks of the BCG review (low certainty)");
    assert!(
        grade.contains(&format!(
            r#"<w:rFonts w:ascii="{0}" w:hAnsi="{0}""#,
            metareport::report::docx::write::SYMBOL_FONT
        )),
        "{grade}"
    );
    assert!(
        grade.contains("<w:t xml:space=\"preserve\">⨁⨁◯◯</w:t>"),
        "{grade}"
    );
    // Figures embedded, with captions numbered.
    let parts = unpack(&std::fs::read(out("bcg/manuscript.docx")).unwrap()).unwrap();
    let images: Vec<_> = parts
        .iter()
        .filter(|(n, _)| n.starts_with("word/media/"))
        .collect();
    assert_eq!(images.len(), 5);
    assert!(images.iter().all(|(_, b)| b.starts_with(b"\x89PNG")));
    let captions: Vec<&str> = paras
        .iter()
        .filter(|(s, _)| s == "Caption")
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(
        captions,
        [
            "Table 1. Summary of findings: absolute effects and the certainty of the evidence.",
            "Table 2. Meta-regression of log risk ratios: Tuberculosis (13 studies). Coefficients on the scale of the analysis; QM = 16.36, df = 1, p < 0.001; QE = 30.73, df = 11, p = 0.001; pseudo-R² 76%.",
            "Table 3. Summary of the pooled results.",
            "Figure 1. Forest plot: Tuberculosis.",
            "Figure 2. Funnel plot: Tuberculosis.",
            "Figure 3. Meta-regression of the log risk ratios on absolute latitude (degrees): Tuberculosis. Each circle is a study, its area proportional to its weight in the model; the line is the fitted effect with its confidence band.",
            "Figure 4. Baujat plot: Tuberculosis. Each study’s contribution to the heterogeneity against its influence on the pooled estimate.",
            "Figure 5. GOSH plot: Tuberculosis. The pooled estimate and I² of the model fitted to subsets of the studies, as a two-dimensional histogram with the distribution of each above and to the right; the cross marks all studies."
        ]
    );
    // The reference list: one entry per work cited, in the PDF's style.
    let refs: Vec<&str> = paras
        .iter()
        .filter(|(s, _)| s == "Bibliography")
        .map(|(_, t)| t.as_str())
        .collect();
    // The works the typst source cites: its `@key`s that are not figure or table labels.
    let mut cited: Vec<&str> = typ
        .split('@')
        .skip(1)
        .map(|r| {
            r.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .next()
                .unwrap_or("")
        })
        .filter(|k| !k.is_empty() && !k.starts_with("bcg-"))
        .collect();
    cited.sort_unstable();
    cited.dedup();
    assert!(cited.len() >= 8, "{cited:?}");
    assert_eq!(refs.len(), cited.len(), "{refs:#?} for {cited:?}");
    assert!(
        refs.iter()
            .any(|r| r.starts_with("Higgins, J. P. T., & Thompson, S. G. (2002)."))
    );
    // No field but the page number, no macros.
    assert!(!xml.contains("fldChar") && !xml.contains("fldSimple"));
    let footer = part(&out("bcg/manuscript.docx"), "word/footer1.xml");
    assert!(footer.contains(r#"w:instr=" PAGE ""#));
    assert!(
        !parts
            .iter()
            .any(|(n, _)| n.ends_with(".bin") || n.contains("vba"))
    );
}

#[test]
fn table_1_is_an_editable_table_with_every_study_and_column() {
    let xml = part(&out("iabp-ecpr/manuscript.docx"), "word/document.xml");
    let t = tables(&xml);
    let spec = std::fs::read_to_string(repo().join("analyses/data/iabp-ecpr-studies.csv")).unwrap();
    let studies = spec.lines().filter(|l| !l.trim().is_empty()).count() - 1;
    assert_eq!(t[0].len(), studies + 1, "header + one row per study");
    assert_eq!(
        t[0][0],
        [
            "Study",
            "Design",
            "Region",
            "Study duration",
            "Centres",
            "Centre(s) or registry",
            "PSM ratio",
            "Outcomes"
        ]
    );
    assert!(t[0].iter().all(|r| r.len() == 8));
}

#[test]
fn the_quality_appraisal_and_the_appendix_are_in_the_word_manuscript() {
    let xml = part(&out("iabp-ecpr/manuscript.docx"), "word/document.xml");
    let paras = paragraphs(&xml);
    let headings: Vec<&str> = paras
        .iter()
        .filter(|(s, _)| s.starts_with("Heading"))
        .map(|(_, t)| t.as_str())
        .collect();
    // Numbered as in the PDF ("1. Quality assessment", "2.2. Study quality").
    for h in [
        "Quality assessment",
        "Study quality",
        "Appendix: reproducibility",
    ] {
        assert!(
            headings.iter().any(|x| x.ends_with(h)),
            "{h} not in {headings:?}"
        );
    }
    // The Newcastle–Ottawa table: a header row of domain groups over their items, the row of
    // item names, one row of stars per study.
    let t = tables(&xml);
    let nos = t
        .iter()
        .find(|t| {
            t.get(1).is_some_and(|r| {
                r.first().is_some_and(|c| c == "Study") && r.len() == 10 && r[1] == "S1"
            })
        })
        .unwrap_or_else(|| panic!("no NOS table in {t:#?}"));
    assert_eq!(nos[0], ["", "Selection", "Comparability", "Outcome", ""]);
    assert_eq!(nos.len(), 2 + 9, "two header rows and nine cohorts");
    assert!(nos[2..].iter().all(|r| r.len() == 10 && r[9] == "9/9"));
    assert!(xml.contains(r#"<w:gridSpan w:val="4"/>"#));
    let text: String = paras.iter().map(|(_, t)| format!("{t}\n")).collect();
    assert!(text.contains("given in Table 2"), "{text}");
    // The appendix's table names every input file with its hash.
    let appendix = t
        .iter()
        .find(|t| t[0] == ["File", "BLAKE3"])
        .expect("the appendix's table");
    assert!(
        appendix
            .iter()
            .any(|r| r[0] == "analyses/iabp-ecpr.yaml" && r[1].len() == 64)
    );
}

#[test]
fn tiff_figures_are_lzw_rgb_without_alpha_at_the_asked_width_and_dpi() {
    // magnesium: PLOS, 190.5 mm, 300 dpi.
    for n in 1..=4 {
        let b = std::fs::read(out(&format!("magnesium/submission/Fig{n}.tif"))).unwrap();
        let info = read_info(&b).unwrap();
        assert_eq!(info.compression, 5, "LZW");
        assert_eq!(info.bits_per_sample, vec![8, 8, 8]);
        assert_eq!(info.samples_per_pixel, 3);
        assert_eq!(info.photometric, 2, "RGB");
        assert!(!info.extra_samples, "no alpha");
        assert_eq!(info.x_resolution, Some((300, 1)));
        assert_eq!(info.y_resolution, Some((300, 1)));
        assert_eq!(info.resolution_unit, 2, "inch");
        let want = 190.5 * 300.0 / 25.4;
        assert!(
            (f64::from(info.width) - want).abs() <= 1.0,
            "{} px for {want}",
            info.width
        );
    }
    // bcg: Elsevier, 190 mm at its 500 dpi.
    let info = read_info(&std::fs::read(out("bcg/submission/Fig1.tif")).unwrap()).unwrap();
    assert!((f64::from(info.width) - 190.0 * 500.0 / 25.4).abs() <= 1.0);
}

#[test]
fn pdf_and_eps_figures_have_the_asked_width() {
    let pdf = std::fs::read(out("bcg/submission/Fig1.pdf")).unwrap();
    let mb = media_box(&pdf).unwrap();
    assert!((mb[2] - mb[0] - 190.0 * PT_PER_MM).abs() < 0.01, "{mb:?}");
    assert!(
        pdf.windows(9).any(|w| w == b"/FontFile"),
        "the figure font is embedded"
    );
    let eps =
        String::from_utf8(std::fs::read(out("magnesium/submission/Fig1.eps")).unwrap()).unwrap();
    assert!(eps.starts_with("%!PS-Adobe-3.0 EPSF-3.0\n"));
    let hires = eps
        .lines()
        .find_map(|l| l.strip_prefix("%%HiResBoundingBox: 0 0 "))
        .unwrap();
    let w: f64 = hires.split(' ').next().unwrap().parse().unwrap();
    assert!((w - 190.5 * PT_PER_MM).abs() < 0.01);
    assert!(!eps.contains("findfont"), "text is outlined");
}

#[test]
fn the_prisma_checklist_names_where_metareport_reported_each_item() {
    let xml = part(
        &out("iabp-ecpr/submission/prisma-checklist.docx"),
        "word/document.xml",
    );
    let t = tables(&xml);
    assert_eq!(t.len(), 2, "the checklist and the abstract checklist");
    let item = |table: &Vec<Vec<String>>, id: &str| -> String {
        table
            .iter()
            .find(|r| r.get(1).is_some_and(|c| c == id))
            .unwrap_or_else(|| panic!("no item {id}"))[3]
            .clone()
    };
    // 27 items with their sub-items: 42 rows, 7 section rows, a header.
    let items = t[0]
        .iter()
        .filter(|r| !r[1].is_empty() && r[1] != "Item #")
        .count();
    assert_eq!(items, 42);
    assert_eq!(t[1].iter().filter(|r| r[1].starts_with('A')).count(), 12);
    // The journal style names figures "Fig.", as the manuscript does.
    assert_eq!(item(&t[0], "16a"), "Results: Study selection; Fig. 1 †");
    assert_eq!(item(&t[0], "17"), "Table 1 †");
    assert_eq!(item(&t[0], "5"), "");
    // The review's quality appraisal (Newcastle–Ottawa Scale): its methods and its table.
    assert_eq!(item(&t[0], "11"), "Quality assessment †");
    assert_eq!(item(&t[0], "18"), "Results: Study quality; Table 2 †");
    let bcg = part(
        &out("bcg/submission/prisma-checklist.docx"),
        "word/document.xml",
    );
    let t = tables(&bcg);
    assert_eq!(item(&t[0], "12"), "Statistical analysis †");
    assert_eq!(item(&t[0], "13e"), "Statistical analysis †");
    assert_eq!(item(&t[0], "19"), "Figure 1 †");
    assert_eq!(item(&t[0], "21"), "Results: Tuberculosis; Figure 2 †");
    // Meta-regression and GOSH (causes of heterogeneity), influence diagnostics (robustness),
    // GRADE (certainty) — each where the manuscript has it.
    assert_eq!(
        item(&t[0], "20c"),
        "Results: Tuberculosis; Table 2; Figure 3; Figure 5 †"
    );
    assert_eq!(item(&t[0], "13f"), "Statistical analysis †");
    assert_eq!(item(&t[0], "20d"), "Results: Tuberculosis; Figure 4 †");
    assert_eq!(item(&t[0], "15"), "Statistical analysis †");
    assert_eq!(item(&t[0], "22"), "Results: Tuberculosis; Table 1 †");
    // The checklist's grid, as the PDF draws it.
    assert!(bcg.contains(r#"<w:insideH w:val="single""#));
    // No appraisal in this review: left for the authors.
    assert_eq!(item(&t[0], "11"), "");
    assert_eq!(item(&t[0], "18"), "");
    // From the spec's prisma_checklist.
    assert_eq!(
        item(&t[0], "5"),
        "Not reported: the data set of Colditz et al. 1994 is re-analysed"
    );
    let text: String = paragraphs(&bcg).into_iter().map(|(_, t)| t).collect();
    assert!(text.contains("Left blank for the authors"));
}

#[test]
fn every_new_output_is_byte_identical_in_a_second_build() {
    let second = project(&["bcg", "magnesium", "iabp-ecpr"]);
    build_quiet(second.path()).unwrap();
    let mut compared = 0;
    for review in ["bcg", "magnesium", "iabp-ecpr"] {
        let mut files = vec![format!("{review}/manuscript.docx")];
        for e in std::fs::read_dir(out(&format!("{review}/submission"))).unwrap() {
            files.push(format!(
                "{review}/submission/{}",
                e.unwrap().file_name().to_string_lossy()
            ));
        }
        for f in files {
            let a = std::fs::read(out(&f)).unwrap();
            let b = std::fs::read(second.path().join("out").join(&f)).unwrap();
            assert!(a == b, "{f} differs between two builds");
            compared += 1;
        }
    }
    assert_eq!(
        std::fs::read(out("report.docx")).unwrap(),
        std::fs::read(second.path().join("out/report.docx")).unwrap()
    );
    assert!(compared >= 25, "{compared}");
}

#[test]
fn a_figure_whose_text_would_print_below_the_journals_minimum_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("analyses/data"),
        &dir.path().join("analyses/data"),
    );
    let spec = std::fs::read_to_string(repo().join("analyses/bcg.yaml")).unwrap();
    let spec = spec.replace(
        "submission: {journal: elsevier, width: 190, formats: [pdf, tiff]}",
        "submission: {journal: bmc, width: single, formats: [pdf]}",
    );
    std::fs::write(dir.path().join("analyses/bcg.yaml"), spec).unwrap();
    let e = build_quiet(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("figure 1 (figures/forest-tuberculosis.svg)"),
        "{e}"
    );
    assert!(
        e.contains("below BMC (Springer Nature)'s minimum of 8 pt"),
        "{e}"
    );
    assert!(e.contains("width: 197.5"), "{e}");
    assert!(!dir.path().join("out/bcg/submission").exists());
}

#[test]
fn the_combined_reports_title_page_and_contents_are_as_in_the_pdf() {
    let xml = part(&out("report.docx"), "word/document.xml");
    let paras = paragraphs(&xml);
    // The title and the line under it are two paragraphs (the PDF's `#v` between them), not one.
    let title = paras
        .iter()
        .find(|(_, t)| t.contains("Meta-analysis report"))
        .expect("the title");
    assert_eq!(title.1, "Meta-analysis report");
    assert!(
        paras
            .iter()
            .any(|(_, t)| t.starts_with("3 reviews, built by metareport"))
    );
    // The contents list every level-1 heading of the PDF's outline, the references included.
    let contents: Vec<&str> = paras
        .iter()
        .filter(|(s, _)| s == "Contents")
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(contents.len(), 3 + 2, "{contents:?}");
    assert_eq!(contents[3..], ["References", "Appendix: reproducibility"]);
    // A references heading follows, as in the PDF.
    assert!(
        paras
            .iter()
            .any(|(s, t)| s == "Heading1" && t == "References")
    );
}

#[test]
fn word_tables_have_a_bold_shaded_header_repeated_on_each_page() {
    let xml = part(&out("bcg/manuscript.docx"), "word/document.xml");
    let tables: Vec<&str> = xml
        .split("<w:tbl>")
        .skip(1)
        .map(|t| t.split("</w:tbl>").next().unwrap_or(""))
        .collect();
    assert!(tables.len() >= 3, "{} tables", tables.len());
    for t in &tables {
        let rows: Vec<&str> = t.split("<w:tr>").skip(1).collect();
        let head: Vec<&&str> = rows
            .iter()
            .filter(|r| r.contains("<w:tblHeader/>"))
            .collect();
        assert!(!head.is_empty(), "a table without a header row: {t}");
        // The header rows come first, every cell shaded, its text bold.
        assert!(
            rows[..head.len()]
                .iter()
                .all(|r| r.contains("<w:tblHeader/>"))
        );
        for r in &head {
            for c in r.split("<w:tc>").skip(1) {
                assert!(c.contains(r#"w:fill="E7E6E6""#), "{c}");
                if c.contains("<w:t ") {
                    assert!(c.contains("<w:b/>"), "{c}");
                }
            }
        }
        assert!(rows[head.len()..].iter().all(|r| !r.contains("E7E6E6")));
    }
}

/// The Word checklist is laid out as its PDF (issue 13: it ran to 6 pages against the PDF's 4):
/// the source's 1.6 cm landscape margins, and the columns the PDF gives in `fr` (the item
/// text 1fr, the location 0.8fr) sharing what the topic and number columns leave, at fixed
/// widths spanning the text width.
#[test]
fn the_word_checklist_has_the_pdfs_margins_and_column_shares() {
    let xml = part(
        &out("bcg/submission/prisma-checklist.docx"),
        "word/document.xml",
    );
    // 1.6 cm = 45.35 pt = 907 twips.
    assert!(
        xml.contains(r#"<w:pgMar w:top="907" w:right="907" w:bottom="907" w:left="907""#),
        "{}",
        &xml[xml.find("<w:pgMar").unwrap_or(0)..][..120]
    );
    assert!(xml.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#));
    let grid = &xml[xml.find("<w:tblGrid>").unwrap()..xml.find("</w:tblGrid>").unwrap()];
    let cols: Vec<f64> = grid
        .split(r#"w:w=""#)
        .skip(1)
        .map(|c| c[..c.find('"').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(cols.len(), 4, "{grid}");
    // The text width: 841.89 − 2 × 45.35 pt, in twips.
    let total: f64 = cols.iter().sum();
    assert!(
        (total - (841.89 - 2.0 * 45.354) * 20.0).abs() < 5.0,
        "{cols:?}"
    );
    assert!((cols[2] / cols[3] - 1.0 / 0.8).abs() < 0.01, "{cols:?}");
    assert!(cols[2] > cols[0] && cols[0] > cols[1], "{cols:?}");
    assert!(xml.contains(r#"<w:tblLayout w:type="fixed"/>"#));
}

/// The checklist PDF is compiled from a main file and the module of what every review's
/// checklist shares (so typst lays the common rows out once per build); it is the same PDF,
/// byte for byte, as the one-file markup the Word writer reads — here with a title, locations
/// and notes that need escaping, and with every item given a location and none.
#[test]
fn the_checklist_pdf_from_its_module_is_the_markups_pdf() {
    use metareport::report::compile::pdf;
    use metareport::report::prisma_checklist::{
        Location, MODULE, MODULE_PATH, item_ids, pdf_main, typst,
    };
    let dir = project(&["bcg"]);
    let mut spec = metareport::spec::load(dir.path(), "analyses/bcg.yaml").unwrap();
    spec.title = "BCG [vaccine] & *tuberculosis* #1: a \"review\" — 100% @ $5".to_string();
    let some = item_ids()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(i, id)| {
            let loc = Location {
                text: format!("Results: [Table {i}]; *p* < 0.05 \\ #x"),
                by_metareport: i % 2 == 0,
            };
            (id.to_string(), loc)
        })
        .collect();
    let every = item_ids()
        .into_iter()
        .map(|id| {
            let loc = Location {
                text: "Methods".to_string(),
                by_metareport: false,
            };
            (id.to_string(), loc)
        })
        .collect();
    let titles = [
        spec.title.clone(),
        "1. A title that reads as a numbered list".to_string(),
    ];
    for (title, locations) in titles.iter().cycle().zip([some, every, Default::default()]) {
        spec.title = title.clone();
        let one = pdf(&typst(&spec, &locations), Vec::new(), "t").unwrap();
        let module = vec![(MODULE_PATH.to_string(), MODULE.as_bytes().to_vec())];
        let two = pdf(&pdf_main(&spec, &locations), module, "t").unwrap();
        assert!(one == two, "the two checklist PDFs differ ({title})");
    }
}

/// The build's warm-up document (typst's fonts and CSL locales made ahead) compiles.
#[test]
fn typsts_warm_up_document_compiles() {
    metareport::report::compile::warm_up().unwrap();
}
