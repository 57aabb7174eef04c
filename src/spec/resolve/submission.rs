//! `submission:` → [`Submission`] (the journal's figure rules, the width, formats and dpi,
//! checked against the journal preset) and `prisma_checklist:` (item numbers checked).

use super::Resolver;
use crate::diag::did_you_mean;
use crate::plot::export::journals::{self, GENERIC};
use crate::spec::Submission;
use crate::spec::raw::{RawColumnWidth, RawPrismaChecklist, RawSubmission, RawWidth};

pub(super) fn submission(r: &mut Resolver<'_>, s: &RawSubmission) -> Option<Submission> {
    let name = s
        .journal
        .clone()
        .unwrap_or_else(|| GENERIC.name.to_string());
    let Some(j) = journals::find(&name) else {
        let names = journals::names();
        let hint =
            did_you_mean(&name, names.iter().copied()).map(|m| format!("did you mean `{m}`?"));
        r.error(
            "submission.journal",
            format!("no journal preset `{name}` (presets: {})", names.join(", ")),
            hint,
        );
        return None;
    };
    let column = |c: RawColumnWidth| match c {
        RawColumnWidth::Single => j.single_mm.or(GENERIC.single_mm),
        RawColumnWidth::Double => j.double_mm.or(GENERIC.double_mm),
    };
    let width_mm = match s.width {
        Some(RawWidth::Mm(mm)) => mm,
        Some(RawWidth::Column(c)) => column(c).unwrap_or(176.0),
        None => column(RawColumnWidth::Double).unwrap_or(176.0),
    };
    let mut ok = true;
    if !(width_mm.is_finite() && (20.0..=500.0).contains(&width_mm)) {
        r.error(
            "submission.width",
            format!("{width_mm} mm is not a figure width"),
            Some("give `single`, `double` or millimetres between 20 and 500".into()),
        );
        ok = false;
    } else if let Some(min) = j.min_width_mm.filter(|m| width_mm + 1e-9 < *m) {
        r.error(
            "submission.width",
            format!(
                "{} asks for figures at least {min} mm wide, not {width_mm} mm",
                j.title
            ),
            None,
        );
        ok = false;
    } else if let Some(max) = j.max_width_mm.filter(|m| width_mm > *m + 1e-9) {
        r.error(
            "submission.width",
            format!(
                "{} takes figures at most {max} mm wide, not {width_mm} mm",
                j.title
            ),
            None,
        );
        ok = false;
    }
    let formats = s.formats.clone().unwrap_or_else(|| j.formats.to_vec());
    if formats.is_empty() {
        r.error(
            "submission.formats",
            "no figure format is asked for",
            Some("e.g. `formats: [tiff, pdf]`".into()),
        );
        ok = false;
    }
    for (i, f) in formats.iter().enumerate() {
        if !j.accepts.contains(f) {
            let accepted: Vec<&str> = j.accepts.iter().map(|f| f.name()).collect();
            r.error(
                &format!("submission.formats[{i}]"),
                format!(
                    "{} does not take {} figures (it takes {})",
                    j.title,
                    f.name(),
                    accepted.join(", ")
                ),
                Some("use `journal: generic` for other formats".into()),
            );
            ok = false;
        }
        if formats[..i].contains(f) {
            r.error(
                &format!("submission.formats[{i}]"),
                format!("{} is listed twice", f.name()),
                None,
            );
            ok = false;
        }
    }
    let dpi = s.dpi.or(j.dpi).or(GENERIC.dpi).unwrap_or(300);
    if let Some(min) = j.min_dpi.filter(|m| dpi < *m) {
        r.error(
            "submission.dpi",
            format!("{} asks for at least {min} dpi, not {dpi}", j.title),
            None,
        );
        ok = false;
    }
    let (min_text_pt, min_text_source) = match j.min_text_pt {
        Some(t) => (t, j.title.to_string()),
        None => (
            GENERIC.min_text_pt.unwrap_or(6.0),
            format!("metareport (no minimum stated by {})", j.title),
        ),
    };
    ok.then(|| Submission {
        journal: j.name.to_string(),
        width_mm,
        formats,
        dpi,
        min_text_pt,
        min_text_source,
    })
}

pub(super) fn prisma_checklist(
    r: &mut Resolver<'_>,
    c: &RawPrismaChecklist,
) -> std::collections::BTreeMap<String, String> {
    let ids = crate::report::prisma_checklist::item_ids();
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in c {
        if !ids.contains(&k.as_str()) {
            let hint =
                did_you_mean(k, ids.iter().copied()).map(|m| format!("did you mean \"{m}\"?"));
            r.error(
                &format!("prisma_checklist.{k}"),
                format!("`{k}` is not a PRISMA 2020 item (items 1–27 with their sub-items such as 10a, 24c; A1–A12 for the abstract checklist)"),
                hint,
            );
        } else if v.trim().is_empty() {
            r.error(
                &format!("prisma_checklist.{k}"),
                "the location is empty",
                None,
            );
        } else {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}
