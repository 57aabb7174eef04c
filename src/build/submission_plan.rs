//! The targets of the Word manuscript and of the submission package (`submission:`), with
//! their keys; called from `plan.rs` for each review.

use serde_json::json;

use super::plan::{Product, Target, key};
use crate::spec::Spec;

/// Adds `manuscript.docx` and, with `submission:`, the files of `submission/`.
#[allow(clippy::too_many_arguments)]
pub fn review_targets(
    out: &mut Vec<Target>,
    spec: &Spec,
    si: usize,
    dir: &str,
    tool: &str,
    fonts: &str,
    templates: &str,
    typst_key: &str,
    figure_keys: &[String],
) {
    let deps = vec![
        format!("metareport {tool}"),
        format!("{} (all of it)", spec.file),
        "templates".into(),
        "embedded fonts".into(),
        "the review's figures".into(),
    ];
    let docx_key = key(
        &json!({"tool": tool, "product": "docx", "typst": typst_key, "fonts": fonts, "figures": figure_keys}),
    );
    out.push(Target {
        path: format!("{dir}/manuscript.docx"),
        product: Product::Docx { spec: si },
        key: docx_key.clone(),
        depends_on: deps.clone(),
    });
    let Some(sub) = &spec.submission else {
        return;
    };
    // The whole spec, serialised and hashed once for the two keys that depend on all of it.
    let spec_hash = key(spec);
    let sdir = format!("{dir}/submission");
    let mut sub_deps = deps.clone();
    sub_deps.push(format!("{}: submission", spec.file));
    out.push(Target {
        path: format!("{sdir}/manuscript.docx"),
        product: Product::SubmissionManuscript { spec: si },
        key: key(&json!({"product": "submission-docx", "docx": docx_key})),
        depends_on: deps.clone(),
    });
    for (fi, fk) in figure_keys.iter().enumerate() {
        for &format in &sub.formats {
            out.push(Target {
                path: format!(
                    "{sdir}/{}",
                    super::submission::figure_file_name(fi + 1, format)
                ),
                product: Product::SubmissionFigure {
                    spec: si,
                    figure: fi,
                    format,
                },
                key: key(&json!({"tool": tool, "product": "submission-figure", "svg": fk, "fonts": fonts, "submission": sub, "format": format, "number": fi + 1})),
                depends_on: sub_deps.clone(),
            });
        }
    }
    let mut checklist_deps = deps.clone();
    checklist_deps.push(format!("{}: prisma_checklist", spec.file));
    let checklist_key = json!({"tool": tool, "typst": typst_key, "fonts": fonts, "prisma_checklist": spec.prisma_checklist});
    out.push(Target {
        path: format!("{sdir}/prisma-checklist.docx"),
        product: Product::SubmissionChecklistDocx { spec: si },
        key: key(&json!({"product": "checklist-docx", "base": checklist_key})),
        depends_on: checklist_deps.clone(),
    });
    out.push(Target {
        path: format!("{sdir}/prisma-checklist.pdf"),
        product: Product::SubmissionChecklistPdf { spec: si },
        key: key(&json!({"product": "checklist-pdf", "base": checklist_key})),
        depends_on: checklist_deps,
    });
    out.push(Target {
        path: format!("{sdir}/supplementary.pdf"),
        product: Product::SubmissionSupplementary { spec: si },
        key: key(&(
            "supplementary",
            tool,
            &spec_hash,
            fonts,
            figure_keys,
            templates,
        )),
        depends_on: deps.clone(),
    });
    out.push(Target {
        path: format!("{sdir}/README.txt"),
        product: Product::SubmissionReadme { spec: si },
        key: key(&("submission-readme", tool, &spec_hash, sub)),
        depends_on: sub_deps,
    });
}
