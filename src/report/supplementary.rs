//! `supplementary.pdf` of the submission package: every sensitivity analysis as a table
//! (leave-one-out, cumulative, exclusion sets) with its figures, and the reproducibility record
//! (metareport's version, the preset, every input file with its BLAKE3 hash). Written as typst
//! markup from the analyses; numbers go through `format.rs` like the manuscript's.

use super::format;
use super::render::{escape_markup, typst_string};
use crate::results::VERSION;
use crate::spec::{FigureKind, Spec};
use crate::stats::analysis::{Analysis, SensitivityRow};

/// The typst source; figures are named by their paths among the document's files.
pub fn typst(spec: &Spec, analyses: &[Analysis]) -> String {
    let mut s = String::new();
    s.push_str("#set document(title: [Supplementary material], date: none)\n");
    s.push_str("#set page(paper: \"a4\", margin: (x: 2.3cm, top: 2.4cm, bottom: 2.6cm), numbering: \"1\")\n");
    s.push_str("#set text(font: \"Libertinus Serif\", size: 10pt, lang: \"en\", region: \"GB\")\n");
    s.push_str("#set table(stroke: none, inset: (x: 4pt, y: 2.6pt))\n");
    s.push_str("#show table: set text(size: 8.4pt)\n");
    s.push_str("#set heading(numbering: \"S1.\")\n\n");
    s.push_str(&format!(
        "= Supplementary material: {}\n\n",
        escape_markup(&spec.title)
    ));
    let mut any = false;
    for (o, a) in spec.outcomes.iter().zip(analyses) {
        let sens = &a.sensitivity;
        if sens.leave_one_out.is_none() && sens.cumulative.is_none() && sens.exclusions.is_empty() {
            continue;
        }
        any = true;
        s.push_str(&format!(
            "== Sensitivity analyses: {}\n\n",
            escape_markup(&o.title)
        ));
        let m = a.measure;
        let _presented = crate::stats::per_scale::Presented::of(a);
        let effect_head = match a.options.per_scale.unit(m) {
            Some(u) => format!("{} {u}", m.abbreviation()),
            None => m.abbreviation().to_string(),
        };
        let level = a.options.level;
        let table = |s: &mut String, caption: &str, first: &str, rows: &[SensitivityRow]| {
            s.push_str(&format!(
                "#figure(\n  table(\n    columns: 5,\n    align: (left, left, right, right, right),\n    table.hline(stroke: 0.8pt),\n    table.header([*{}*], [*{} ({:.0}% CI)*], [*p*], [*I²*], [*Studies*]),\n    table.hline(stroke: 0.5pt),\n",
                escape_markup(first),
                escape_markup(&effect_head),
                level * 100.0
            ));
            for r in rows {
                let (est, p) = match r.pool.pooled.value() {
                    Some(p) => (
                        format!(
                            "{} ({})",
                            format::effect(m.back_transform(p.estimate), m),
                            format::interval(
                                m.back_transform(p.ci_lower),
                                m.back_transform(p.ci_upper),
                                m
                            )
                        ),
                        format::p_value(p.p).trim_start_matches("= ").to_string(),
                    ),
                    None => ("not pooled".to_string(), "–".to_string()),
                };
                let i2 = r
                    .pool
                    .heterogeneity
                    .value()
                    .map_or("–".to_string(), format::i2_estimate);
                s.push_str(&format!(
                    "    [{}], [{}], [{}], [{}], [{}],\n",
                    escape_markup(&r.label),
                    escape_markup(&est),
                    escape_markup(&p),
                    escape_markup(&i2),
                    r.pool.k
                ));
            }
            s.push_str(&format!(
                "    table.hline(stroke: 0.8pt),\n  ),\n  caption: [{}],\n  kind: table,\n)\n\n",
                escape_markup(caption)
            ));
        };
        if let Some(rows) = &sens.leave_one_out {
            table(
                &mut s,
                &format!(
                    "{}: leave-one-out analysis (each row omits one study).",
                    o.title
                ),
                "Study omitted",
                rows,
            );
        }
        if let Some(rows) = &sens.cumulative {
            table(
                &mut s,
                &format!(
                    "{}: cumulative meta-analysis (each row adds one study).",
                    o.title
                ),
                "Study added",
                rows,
            );
        }
        if !sens.exclusions.is_empty() {
            table(
                &mut s,
                &format!("{}: analyses excluding sets of studies.", o.title),
                "Analysis",
                &sens.exclusions,
            );
        }
        for f in spec.figures.iter().filter(|f| {
            matches!(f.kind, FigureKind::LeaveOneOut | FigureKind::Cumulative)
                && f.outcomes.contains(&o.id)
        }) {
            let r = super::context::figure_ref(spec, f);
            s.push_str(&format!(
                "#figure(\n  image({}, width: 100%),\n  caption: [{}],\n)\n\n",
                typst_string(&r.path),
                escape_markup(&r.caption)
            ));
        }
    }
    if !any {
        s.push_str("No sensitivity analyses were specified for this review.\n\n");
    }
    s.push_str("== Reproducibility\n\n");
    s.push_str(&format!(
        "These results were generated by metareport {} with the {} preset from the files below; their BLAKE3 hashes identify exactly the analysis shown.\n\n",
        escape_markup(VERSION),
        escape_markup(spec.preset.name())
    ));
    s.push_str("#table(\n  columns: 2,\n  table.hline(stroke: 0.5pt),\n  table.header([*File*], [*BLAKE3*]),\n  table.hline(stroke: 0.3pt),\n");
    for i in &spec.inputs {
        s.push_str(&format!(
            "  [{}], text(font: \"DejaVu Sans Mono\", size: 6.5pt)[{}],\n",
            escape_markup(&i.path),
            escape_markup(&i.blake3)
        ));
    }
    s.push_str("  table.hline(stroke: 0.5pt),\n)\n");
    s
}
