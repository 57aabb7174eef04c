//! The targets of a project and their cache keys.
//!
//! A key is the blake3 hash of a JSON value holding everything that determines the output:
//! the tool version, the part of the spec it uses (which includes the bound study data), the
//! hashes of the data files it reads, and — for figures and documents — the fonts and
//! templates. Keys never involve modification times.

use serde::Serialize;
use serde_json::{Value, json};

use crate::report::render::Templates;
use crate::results::tool_id;
use crate::spec::{FigureKind, Spec};

/// What a target is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Product {
    Results {
        spec: usize,
    },
    /// The notes for the review's authors (`notes.txt`).
    Notes {
        spec: usize,
    },
    FigureSvg {
        spec: usize,
        figure: usize,
    },
    FigurePng {
        spec: usize,
        figure: usize,
    },
    Bibliography {
        spec: Option<usize>,
    },
    Typst {
        spec: usize,
    },
    Pdf {
        spec: usize,
    },
    ReportTypst,
    ReportPdf,
    /// The manuscript as a Word file (always built).
    Docx {
        spec: usize,
    },
    /// The combined report as a Word file.
    ReportDocx,
    /// `out/<review>/submission/`: only with `submission:` in the spec.
    SubmissionManuscript {
        spec: usize,
    },
    SubmissionFigure {
        spec: usize,
        figure: usize,
        format: crate::plot::export::Format,
    },
    SubmissionChecklistDocx {
        spec: usize,
    },
    SubmissionChecklistPdf {
        spec: usize,
    },
    SubmissionSupplementary {
        spec: usize,
    },
    SubmissionReadme {
        spec: usize,
    },
}

/// One output file.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// Path relative to the project root ("out/bcg/results.json").
    pub path: String,
    pub product: Product,
    /// The cache key.
    pub key: String,
    /// What the key is made of, in words (`metareport explain`).
    pub depends_on: Vec<String>,
}

/// The blake3 hash of a value's JSON, streamed into the hasher (the value may hold the data of
/// a million studies: it is never copied into a JSON tree or a buffer).
pub(crate) fn key(v: &impl Serialize) -> String {
    let mut h = blake3::Hasher::new();
    serde_json::to_writer(&mut h, v).expect("keys serialise");
    h.finalize().to_hex().to_string()
}

fn data_hashes(spec: &Spec, files: &[&str]) -> Vec<Value> {
    spec.inputs
        .iter()
        .filter(|i| files.contains(&i.path.as_str()))
        .map(|i| json!(i))
        .collect()
}

/// The targets of every spec, plus the combined report.
pub fn plan(specs: &[Spec], templates: &Templates) -> Vec<Target> {
    let fonts = crate::fonts::HASH.as_str();
    let tool = tool_id();
    let tpl = templates.hash();
    let mut out = Vec::new();
    let mut typst_keys = Vec::new();
    let mut all_figure_keys = Vec::new();
    for (si, spec) in specs.iter().enumerate() {
        let dir = format!("out/{}", spec.id);
        let data_files: Vec<&str> = spec
            .inputs
            .iter()
            .skip(1)
            .map(|i| i.path.as_str())
            .collect();
        {
            let k = key(&(
                "results",
                &tool,
                &spec.id,
                &spec.title,
                &spec.file,
                &spec.preset,
                &spec.inputs,
                &spec.outcomes,
                &spec.baseline,
                &spec.risk_of_bias,
            ));
            out.push(Target {
                path: format!("{dir}/results.json"),
                product: Product::Results { spec: si },
                key: k,
                depends_on: vec![
                    format!("metareport {tool}"),
                    format!("{}: outcomes and baseline", spec.file),
                    format!("data: {}", data_files.join(", ")),
                ],
            });
        }
        // The whole spec, serialised and hashed once for the keys that depend on all of it.
        let spec_hash = key(spec);
        // The notes speak of the analyses and of all the spec's text.
        out.push(Target {
            path: format!("{dir}/notes.txt"),
            product: Product::Notes { spec: si },
            // Streamed, not a `json!` tree: the spec may hold a million studies.
            key: key(&("notes", &tool, &spec_hash)),
            depends_on: vec![
                format!("metareport {tool}"),
                format!("{} (all of it)", spec.file),
                format!("data: {}", data_files.join(", ")),
            ],
        });
        let mut figure_keys = Vec::new();
        for (fi, f) in spec.figures.iter().enumerate() {
            let outcomes: Vec<&crate::spec::Outcome> = spec
                .outcomes
                .iter()
                .filter(|o| f.outcomes.contains(&o.id))
                .collect();
            let files: Vec<&str> = outcomes
                .iter()
                .filter_map(|o| o.data_file.as_deref())
                .collect();
            let prisma = if f.kind == FigureKind::Prisma {
                spec.prisma.as_ref()
            } else {
                None
            };
            let rob = if matches!(
                f.kind,
                FigureKind::RiskOfBias | FigureKind::RiskOfBiasSummary
            ) {
                Some((&spec.risk_of_bias, &spec.outcomes))
            } else {
                None
            };
            let base = key(&(
                "figure",
                &tool,
                fonts,
                f,
                &outcomes,
                data_hashes(spec, &files),
                prisma,
                rob,
            ));
            let mut deps = vec![format!("metareport {tool}"), "embedded fonts".to_string()];
            deps.push(if f.kind == FigureKind::Prisma {
                format!("{}: prisma", spec.file)
            } else {
                format!("{}: outcome(s) {}", spec.file, f.outcomes.join(", "))
            });
            if !files.is_empty() {
                deps.push(format!("data: {}", files.join(", ")));
            }
            let svg_key = key(&json!({"svg": base}));
            figure_keys.push(svg_key.clone());
            out.push(Target {
                path: format!("{dir}/figures/{}.svg", f.stem()),
                product: Product::FigureSvg {
                    spec: si,
                    figure: fi,
                },
                key: svg_key,
                depends_on: deps.clone(),
            });
            out.push(Target {
                path: format!("{dir}/figures/{}.png", f.stem()),
                product: Product::FigurePng {
                    spec: si,
                    figure: fi,
                },
                key: key(&json!({"png": base})),
                depends_on: deps,
            });
        }
        out.push(Target {
            path: format!("{dir}/references.yml"),
            product: Product::Bibliography { spec: Some(si) },
            key: key(&json!({"tool": tool, "bib": templates.references})),
            depends_on: vec!["templates/references.yml".into()],
        });
        let typ_key = key(&("manuscript", &tool, &spec_hash, &tpl));
        let mut deps = vec![
            format!("metareport {tool}"),
            format!("{} (all of it)", spec.file),
            format!("data: {}", data_files.join(", ")),
            "templates".into(),
        ];
        deps.extend(templates.overridden.iter().cloned());
        out.push(Target {
            path: format!("{dir}/manuscript.typ"),
            product: Product::Typst { spec: si },
            key: typ_key.clone(),
            depends_on: deps.clone(),
        });
        let mut pdf_deps = deps;
        pdf_deps.push("embedded fonts".into());
        pdf_deps.push("the review's figures".into());
        out.push(Target {
            path: format!("{dir}/manuscript.pdf"),
            product: Product::Pdf { spec: si },
            key: key(&json!({"tool": tool, "product": "pdf", "typst": typ_key, "fonts": fonts, "figures": figure_keys})),
            depends_on: pdf_deps,
        });
        super::submission_plan::review_targets(
            &mut out,
            spec,
            si,
            &dir,
            &tool,
            fonts,
            &tpl,
            &typ_key,
            &figure_keys,
        );
        typst_keys.push(typ_key);
        all_figure_keys.extend(figure_keys);
    }
    if !specs.is_empty() {
        let report_key = key(
            &json!({"tool": tool, "product": "report", "reviews": typst_keys, "templates": tpl}),
        );
        let deps = vec![
            format!("metareport {tool}"),
            "every review's manuscript".into(),
            "templates".into(),
        ];
        out.push(Target {
            path: "out/references.yml".into(),
            product: Product::Bibliography { spec: None },
            key: key(&json!({"tool": tool, "bib": templates.references})),
            depends_on: vec!["templates/references.yml".into()],
        });
        out.push(Target {
            path: "out/report.typ".into(),
            product: Product::ReportTypst,
            key: report_key.clone(),
            depends_on: deps.clone(),
        });
        let mut pdf_deps = deps;
        pdf_deps.push("embedded fonts".into());
        pdf_deps.push("every review's figures".into());
        out.push(Target {
            path: "out/report.pdf".into(),
            product: Product::ReportPdf,
            key: key(&json!({"tool": tool, "product": "report-pdf", "typst": report_key, "fonts": fonts, "figures": all_figure_keys})),
            depends_on: pdf_deps.clone(),
        });
        out.push(Target {
            path: "out/report.docx".into(),
            product: Product::ReportDocx,
            key: key(&json!({"tool": tool, "product": "report-docx", "typst": report_key, "fonts": fonts, "figures": all_figure_keys, "bib": templates.references})),
            depends_on: pdf_deps,
        });
    }
    out
}
