//! `prisma:` → [`Prisma`], with the flow's arithmetic checked.

use super::Resolver;
use crate::spec::Prisma;
use crate::spec::raw::RawPrisma;

pub(super) fn prisma(r: &mut Resolver<'_>, p: &RawPrisma) -> Prisma {
    let out = Prisma {
        databases: p.databases,
        database_names: p.database_names.clone().unwrap_or_default(),
        registers: p.registers,
        other_methods: p.other_methods,
        duplicates_removed: p.duplicates_removed,
        automation_removed: p.automation_removed,
        other_removed: p.other_removed,
        screened: p.screened,
        screened_excluded: p.screened_excluded,
        sought: p.sought,
        not_retrieved: p.not_retrieved,
        assessed: p.assessed,
        excluded: p
            .excluded
            .iter()
            .flatten()
            .map(|x| (x.reason.clone(), x.n))
            .collect(),
        included_studies: p.included_studies,
        included_reports: p.included_reports,
        caption: p.caption.clone(),
    };
    // Arithmetic that the diagram would otherwise show inconsistently.
    if let (Some(s), Some(db)) = (out.screened, out.databases) {
        let identified = db + out.registers.unwrap_or(0);
        let removed = out.duplicates_removed.unwrap_or(0)
            + out.automation_removed.unwrap_or(0)
            + out.other_removed.unwrap_or(0);
        let other = out.other_methods.unwrap_or(0);
        // Records found by other methods may or may not pass through screening.
        let fits = |n: u64| n >= removed && n - removed == s;
        if !fits(identified) && !fits(identified + other) {
            r.error(
                "prisma.screened",
                format!(
                    "{identified} records identified − {removed} removed before screening = {} but {s} records were screened",
                    identified as i64 - removed as i64
                ),
                None,
            );
        }
    }
    if let (Some(n), Some(nr), Some(a)) = (out.sought, out.not_retrieved, out.assessed)
        && (n < nr || n - nr != a)
    {
        r.error(
            "prisma.assessed",
            format!(
                "{n} reports sought − {nr} not retrieved = {} but {a} reports were assessed",
                n as i64 - nr as i64
            ),
            None,
        );
    }
    if let (Some(s), Some(e), Some(n)) = (out.screened, out.screened_excluded, out.sought)
        && (s < e || s - e != n)
    {
        r.error(
            "prisma.sought",
            format!(
                "{s} screened − {e} excluded = {} but {n} reports were sought",
                s as i64 - e as i64
            ),
            None,
        );
    }
    if let (Some(a), Some(inc)) = (out.assessed, out.included_studies.or(out.included_reports)) {
        let excl: u64 = out.excluded.iter().map(|x| x.1).sum();
        if !out.excluded.is_empty()
            && (a < excl || a - excl != out.included_reports.unwrap_or(inc))
            && out.included_reports.is_some()
        {
            r.error(
                "prisma.excluded",
                format!(
                    "{a} reports assessed − {excl} excluded ≠ {} reports included",
                    out.included_reports.unwrap_or(inc)
                ),
                None,
            );
        }
        if inc > a {
            r.error(
                "prisma.included_studies",
                format!("{inc} included is more than the {a} reports assessed"),
                None,
            );
        }
    }
    out
}
