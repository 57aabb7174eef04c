//! RevMan Web data packages → [`Review`].
//!
//! A data package is a zip file (or the folder it unpacks to) of CSV files, each starting
//! with a UTF-8 byte-order mark, named after the review's identifier:
//! `*-analysis-data/` holds `*-overall-estimates-and-settings.csv` (one row per analysis: its
//! settings and pooled results), `*-data-rows.csv` (one row per study and analysis) and
//! `*-subgroup-estimates.csv`; `*-study-data/` holds `*-study-information.csv`,
//! `*-risk-of-bias.csv` and the references (`*-included.ris`). The Cochrane Library's download
//! wraps the same files in a `*-data.zip` inside the zip; that is read too.
//!
//! Two versions of the settings file exist: version 1 has the columns `Study CI` and
//! `Estimate CI`; version 2 replaces them with `CI/PI level` and adds `Heterogeneity
//! estimator`, `CI method`, `Prediction interval`, `Graph label (left)`/`(right)` and
//! `Graph scale`. Numbers are rounded (about six significant digits); the comparison of
//! results respects the precision written.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use super::model::*;
use super::rm5::judgement;
use crate::data::{Table, table};
use crate::diag::{Diagnostic, Diagnostics};

/// Bytes read from one archive at most (a data package is kilobytes to a few megabytes).
const MAX_PACKAGE_BYTES: u64 = 64 * 1024 * 1024;
/// Entries looked at in one archive at most.
const MAX_ENTRIES: usize = 10_000;

const SETTINGS: &str = "-overall-estimates-and-settings.csv";
const DATA_ROWS: &str = "-data-rows.csv";
const SUBGROUPS: &str = "-subgroup-estimates.csv";
const STUDIES: &str = "-study-information.csv";
const ROB: &str = "-risk-of-bias.csv";

/// The files of a package that matter: (path shown in messages, bytes).
#[derive(Default)]
struct Files {
    found: BTreeMap<&'static str, (String, Vec<u8>)>,
    duplicates: Vec<String>,
    references: bool,
    dta: bool,
}

impl Files {
    fn add(&mut self, shown: String, name: &str, bytes: Vec<u8>) {
        let lower = name.to_lowercase();
        for key in [SETTINGS, DATA_ROWS, SUBGROUPS, STUDIES, ROB] {
            if lower.ends_with(key) {
                if self.found.contains_key(key) {
                    self.duplicates.push(shown);
                } else {
                    self.found.insert(key, (shown, bytes));
                }
                return;
            }
        }
        if lower.ends_with("-parameters.csv") {
            self.dta = true;
        }
        if lower.ends_with(".ris") {
            self.references = true;
        }
    }

    fn wanted(name: &str) -> bool {
        let l = name.to_lowercase();
        l.ends_with(".csv") || l.ends_with(".ris") || l.ends_with("-data.zip")
    }
}

/// Reads a data package zip file's bytes.
pub fn read_zip(source: &str, bytes: &[u8]) -> Result<Review, Diagnostics> {
    let mut files = Files::default();
    let mut budget = MAX_PACKAGE_BYTES;
    unzip(source, bytes, &mut files, &mut budget, true)?;
    review(source, files)
}

fn unzip(
    source: &str,
    bytes: &[u8],
    files: &mut Files,
    budget: &mut u64,
    nested_ok: bool,
) -> Result<(), Diagnostic> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Diagnostic::file(source, format!("cannot read the zip archive: {e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(Diagnostic::file(
            source,
            format!(
                "the archive holds {} entries; a RevMan Web data package holds a handful",
                archive.len()
            ),
        ));
    }
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| {
            Diagnostic::file(
                source,
                format!("cannot read entry {} of the zip archive: {e}", i + 1),
            )
        })?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(entry.name_raw()).into_owned());
        if !Files::wanted(&name) {
            continue;
        }
        let shown = format!("{source}/{name}");
        let mut data = Vec::new();
        let limit = *budget + 1;
        (&mut entry)
            .take(limit)
            .read_to_end(&mut data)
            .map_err(|e| Diagnostic::file(&shown, format!("cannot unpack: {e}")))?;
        if data.len() as u64 >= limit {
            return Err(Diagnostic::file(
                source,
                format!(
                    "the archive unpacks to more than {} MB; a RevMan Web data package is far smaller",
                    MAX_PACKAGE_BYTES / (1024 * 1024)
                ),
            ));
        }
        *budget = budget.saturating_sub(data.len() as u64);
        if name.to_lowercase().ends_with("-data.zip") {
            if nested_ok {
                unzip(&shown, &data, files, budget, false)?;
            }
            continue;
        }
        files.add(shown, &name, data);
    }
    Ok(())
}

/// Reads an unpacked data package folder (its files up to three levels down).
pub fn read_dir(source: &str, dir: &Path) -> Result<Review, Diagnostics> {
    let mut files = Files::default();
    let mut budget = MAX_PACKAGE_BYTES;
    let mut stack = vec![(dir.to_path_buf(), String::new(), 0usize)];
    let mut seen = 0usize;
    while let Some((path, rel, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&path).map_err(|e| {
            Diagnostic::file(source, format!("cannot list {}: {e}", path.display()))
        })?;
        let mut list: Vec<_> = entries.filter_map(Result::ok).collect();
        list.sort_by_key(|e| e.file_name());
        for e in list {
            seen += 1;
            if seen > MAX_ENTRIES {
                return Err(Diagnostic::file(
                    source,
                    "the folder holds too many files to be a RevMan Web data package",
                )
                .into());
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let rel_name = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            // Symbolic links are not followed: nothing outside the folder is read.
            let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            if meta.is_dir() {
                if depth < 3 {
                    stack.push((e.path(), rel_name, depth + 1));
                }
            } else if meta.is_file() && Files::wanted(&name) {
                if meta.len() > budget {
                    return Err(Diagnostic::file(
                        source,
                        "the folder holds more data than a RevMan Web data package",
                    )
                    .into());
                }
                let bytes = std::fs::read(e.path()).map_err(|err| {
                    Diagnostic::file(
                        format!("{source}/{rel_name}"),
                        format!("cannot read: {err}"),
                    )
                })?;
                budget = budget.saturating_sub(bytes.len() as u64);
                let shown = format!("{source}/{rel_name}");
                if name.to_lowercase().ends_with("-data.zip") {
                    unzip(&shown, &bytes, &mut files, &mut budget, false)?;
                } else {
                    files.add(shown, &name, bytes);
                }
            }
        }
    }
    review(source, files)
}

/// A CSV of the package with columns looked up by name.
struct Csv {
    t: Table,
}

impl Csv {
    fn parse(shown: &str, bytes: &[u8]) -> Result<Csv, Diagnostic> {
        Ok(Csv {
            t: table::parse(shown, bytes, None)?,
        })
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.t.column(name).or_else(|| {
            self.t
                .headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
        })
    }

    fn require(&self, names: &[&str], what: &str) -> Result<(), Diagnostics> {
        let missing: Vec<Diagnostic> = names
            .iter()
            .filter(|n| self.col(n).is_none())
            .map(|n| {
                Diagnostic::file(
                    &self.t.source,
                    format!(
                        "no column `{n}` ({what}); the columns are: {}",
                        self.t.column_list()
                    ),
                )
                .at(1, 1)
            })
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics(missing))
        }
    }

    /// A cell's text, trimmed; `None` when the column is absent or the cell empty.
    fn get(&self, row: usize, name: &str) -> Option<String> {
        let c = self.col(name)?;
        let cell = self.t.rows[row].cells.get(c)?.display();
        let t = cell.trim();
        (!t.is_empty() && t != "#N/A").then(|| t.to_string())
    }

    fn num(&self, row: usize, name: &str) -> Option<f64> {
        self.get(row, name)
            .and_then(|t| Num::parse(&t, true))
            .map(|n| n.value)
    }

    fn stored(&self, row: usize, name: &str) -> Option<Num> {
        self.get(row, name).and_then(|t| Num::parse(&t, true))
    }

    fn flag(&self, row: usize, name: &str) -> Option<bool> {
        self.get(row, name).map(|t| {
            let l = t.to_lowercase();
            l == "true" || l == "yes" || l == "1"
        })
    }

    /// A number that must be one, with its cell's position when it is not.
    fn checked(&self, row: usize, name: &str, errors: &mut Vec<Diagnostic>) -> Option<f64> {
        let text = self.get(row, name)?;
        match Num::parse(&text, true) {
            Some(n) => Some(n.value),
            None => {
                let c = self.col(name).unwrap_or(0);
                errors.push(self.t.error(
                    &self.t.rows[row],
                    Some(c),
                    format!("expected a number, found \"{text}\""),
                ));
                None
            }
        }
    }

    fn line(&self, row: usize) -> usize {
        self.t.rows[row].line
    }

    fn rows(&self) -> std::ops::Range<usize> {
        0..self.t.rows.len()
    }
}

fn level(text: Option<String>) -> Option<f64> {
    text.and_then(|t| t.trim_end_matches('%').trim().parse().ok())
}

fn review(source: &str, files: Files) -> Result<Review, Diagnostics> {
    if files.dta {
        return Err(Diagnostic::file(
            source,
            "this data package is from a diagnostic test accuracy review; only intervention reviews can be imported",
        )
        .into());
    }
    if let Some(d) = files.duplicates.first() {
        return Err(Diagnostic::file(
            source,
            format!("the package holds more than one review ({d} repeats a file already read); import one review at a time"),
        )
        .into());
    }
    let Some((settings_name, settings_bytes)) = files.found.get(SETTINGS) else {
        return Err(Diagnostic::file(
            source,
            format!(
                "not a RevMan Web data package: no *{SETTINGS} in it{}",
                if files.found.is_empty() { "" } else { " (it has some of the other files of a package)" }
            ),
        )
        .hint("give a RevMan 5 .rm5 file, or the data package RevMan Web exports (a zip, or the folder it unpacks to)")
        .into());
    };
    let Some((rows_name, rows_bytes)) = files.found.get(DATA_ROWS) else {
        return Err(Diagnostic::file(
            source,
            format!("the data package has no *{DATA_ROWS}: it holds no study data"),
        )
        .into());
    };
    let settings = Csv::parse(settings_name, settings_bytes)?;
    let version = if settings.col("Study CI").is_some() {
        1
    } else if settings.col("CI/PI level").is_some() {
        2
    } else {
        return Err(Diagnostic::file(
            settings_name,
            format!(
                "an unsupported version of the data package: neither `Study CI` (version 1) nor `CI/PI level` (version 2) among its columns ({})",
                settings.t.column_list()
            ),
        )
        .at(1, 1)
        .into());
    };
    let key_cols = ["Analysis group", "Analysis number"];
    settings.require(
        &[
            "Analysis group",
            "Analysis number",
            "Analysis name",
            "Data type",
            "Statistical method",
            "Effect measure",
            "Analysis model",
        ],
        "the analyses' settings",
    )?;
    let rows = Csv::parse(rows_name, rows_bytes)?;
    rows.require(&[key_cols[0], key_cols[1], "Study"], "the study data")?;
    let subgroup_csv = match files.found.get(SUBGROUPS) {
        Some((n, b)) => Some(Csv::parse(n, b)?),
        None => None,
    };
    let mut errors = Vec::new();
    let mut not_carried = Vec::new();
    let mut analyses = Vec::new();
    let key = |c: &Csv, r: usize| {
        (
            c.get(r, key_cols[0]).unwrap_or_default(),
            c.get(r, key_cols[1]).unwrap_or_default(),
        )
    };
    for r in settings.rows() {
        let (g, no) = key(&settings, r);
        let name = settings.get(r, "Analysis name").unwrap_or_default();
        let dt_text = settings.get(r, "Data type").unwrap_or_default();
        let dt = match dt_text.to_lowercase().as_str() {
            "dichotomous" => DataType::Dichotomous,
            "continuous" => DataType::Continuous,
            "o-e and variance" | "o − e and variance" => DataType::OeVariance,
            t if t.starts_with("contrast") || t.starts_with("generic") => {
                DataType::GenericInverseVariance
            }
            _ => {
                not_carried.push(format!(
                    "analysis {g}.{no} \"{name}\": data of type \"{dt_text}\" cannot be pooled"
                ));
                continue;
            }
        };
        let ci_study = level(settings.get(
            r,
            if version == 1 {
                "Study CI"
            } else {
                "CI/PI level"
            },
        ));
        let ci_total = level(settings.get(
            r,
            if version == 1 {
                "Estimate CI"
            } else {
                "CI/PI level"
            },
        ));
        let overall = settings.flag(r, "Overall estimates");
        let subgroup_estimates = settings.flag(r, "Subgroup estimates");
        let pair = |a: &str, b: &str| match (settings.get(r, a), settings.get(r, b)) {
            (None, None) => None,
            (x, y) => Some((x.unwrap_or_default(), y.unwrap_or_default())),
        };
        let model = settings.get(r, "Analysis model").unwrap_or_default();
        let mut a = RevAnalysis {
            comparison_no: g.clone(),
            comparison_name: settings.get(r, "Analysis group name").unwrap_or_default(),
            outcome_no: no.clone(),
            name,
            data_type: dt,
            effect_measure: settings.get(r, "Effect measure").unwrap_or_default(),
            method: settings.get(r, "Statistical method"),
            random: model.to_lowercase().contains("random"),
            log_scale: settings.flag(r, "Log-scale data"),
            ci_study,
            ci_total,
            swap_events: settings.flag(r, "Swap event and non-event") == Some(true),
            sort_by: None,
            totals: match (overall, subgroup_estimates) {
                (Some(false), Some(true)) => Some("SUB".into()),
                (Some(false), _) => Some("NO".into()),
                _ => Some("YES".into()),
            },
            subgroup_test: settings.flag(r, "Test for subgroup differences"),
            arms: pair("Experimental group label", "Control group label"),
            favours: pair("Graph label (left)", "Graph label (right)"),
            scale: settings.num(r, "Graph scale"),
            subgroup_by: settings.get(r, "Subgroup by"),
            units: settings.get(r, "Unit of effect measure"),
            tau2_estimator: settings.get(r, "Heterogeneity estimator"),
            ci_method: settings.get(r, "CI method"),
            prediction: settings.flag(r, "Prediction interval"),
            subgroups: Vec::new(),
            rows: Vec::new(),
            stored: Stored {
                effect: settings.stored(r, "Mean"),
                ci_start: settings.stored(r, "CI start"),
                ci_end: settings.stored(r, "CI end"),
                z: settings.stored(r, "Effect Z"),
                p_z: settings.stored(r, "Effect P"),
                chi2: settings.stored(r, "Heterogeneity Chi²"),
                df: settings.stored(r, "Heterogeneity df"),
                p_chi2: settings.stored(r, "Heterogeneity P"),
                i2: settings.stored(r, "Heterogeneity I²"),
                tau2: settings.stored(r, "Heterogeneity Tau²"),
            },
            stored_difference: StoredDifference {
                chi2: settings.stored(r, "Subgroup Chi²"),
                df: settings.stored(r, "Subgroup df"),
                p: settings.stored(r, "Subgroup P"),
                i2: settings.stored(r, "Subgroup I²"),
            },
            footnotes: Vec::new(),
            subgroup_only: Vec::new(),
            location: format!("{}:{}", settings.t.source, settings.line(r)),
        };
        // Subgroups in RevMan's order.
        if let Some(sc) = &subgroup_csv {
            let mut listed: Vec<(f64, String, Stored)> = sc
                .rows()
                .filter(|&s| key(sc, s) == (g.clone(), no.clone()))
                .filter_map(|s| {
                    let name = sc.get(s, "Subgroup")?;
                    Some((
                        sc.num(s, "Subgroup number").unwrap_or(f64::INFINITY),
                        name,
                        Stored {
                            effect: sc.stored(s, "Mean"),
                            ci_start: sc.stored(s, "CI start"),
                            ci_end: sc.stored(s, "CI end"),
                            z: sc.stored(s, "Effect Z"),
                            p_z: sc.stored(s, "Effect P"),
                            chi2: sc.stored(s, "Heterogeneity Chi²"),
                            df: sc.stored(s, "Heterogeneity df"),
                            p_chi2: sc.stored(s, "Heterogeneity P"),
                            i2: sc.stored(s, "Heterogeneity I²"),
                            tau2: sc.stored(s, "Heterogeneity Tau²"),
                        },
                    ))
                })
                .collect();
            listed.sort_by(|x, y| x.0.total_cmp(&y.0));
            for (_, name, stored) in listed {
                if !a.subgroups.iter().any(|s| s.name == name) {
                    a.subgroups.push(Subgroup { name, stored });
                }
            }
        }
        for s in rows.rows() {
            if key(&rows, s) != (g.clone(), no.clone()) {
                continue;
            }
            let study = rows.get(s, "Study").unwrap_or_default();
            let subgroup = rows.get(s, "Subgroup").map(|name| {
                match a.subgroups.iter().position(|x| x.name == name) {
                    Some(i) => i,
                    None => {
                        a.subgroups.push(Subgroup {
                            name,
                            stored: Stored::default(),
                        });
                        a.subgroups.len() - 1
                    }
                }
            });
            if let Some(app) = rows.get(s, "Applicability")
                && !app.eq_ignore_ascii_case("SUBGROUP_AND_OVERALL")
                && app.to_uppercase().contains("SUBGROUP")
            {
                a.subgroup_only.push(study.clone());
            }
            let mut c = |name: &str| rows.checked(s, name, &mut errors);
            let values = match dt {
                DataType::Dichotomous => Values::Dichotomous {
                    events_1: c("Experimental cases"),
                    total_1: c("Experimental N"),
                    events_2: c("Control cases"),
                    total_2: c("Control N"),
                },
                DataType::Continuous => Values::Continuous {
                    mean_1: c("Experimental mean"),
                    sd_1: c("Experimental SD"),
                    total_1: c("Experimental N"),
                    mean_2: c("Control mean"),
                    sd_2: c("Control SD"),
                    total_2: c("Control N"),
                },
                DataType::GenericInverseVariance => Values::Generic {
                    estimate: c("GIV Mean"),
                    se: c("GIV SE"),
                    total_1: c("Experimental N"),
                    total_2: c("Control N"),
                },
                DataType::OeVariance => Values::OeVariance {
                    o_e: c("O-E"),
                    variance: c("Variance"),
                    total_1: c("Experimental N"),
                    total_2: c("Control N"),
                },
            };
            a.rows.push(DataRow {
                study_id: study.clone(),
                year: rows.get(s, "Study year"),
                study,
                subgroup,
                values,
                footnotes: rows.get(s, "Footnotes").into_iter().collect(),
                order: None,
                weight: rows.stored(s, "Weight"),
                effect: rows.stored(s, "Mean"),
                location: format!("{}:{}", rows.t.source, rows.line(s)),
            });
        }
        if a.subgroups.len() == 1 && a.rows.iter().all(|r| r.subgroup == Some(0)) {
            // One subgroup holding every study is RevMan Web's way of having none.
            let only = a.subgroups.remove(0);
            if !only.name.trim().is_empty() {
                a.footnotes.push(format!(
                    "All studies are in the subgroup \"{}\".",
                    only.name
                ));
            }
            for r in &mut a.rows {
                r.subgroup = None;
            }
        }
        analyses.push(a);
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let studies = match files.found.get(STUDIES) {
        Some((n, b)) => {
            let c = Csv::parse(n, b)?;
            c.require(&["Study"], "the studies")?;
            let char_cols: Vec<(String, String)> =
                c.t.headers
                    .iter()
                    .filter_map(|h| {
                        h.strip_prefix("Char:")
                            .map(|k| (h.clone(), k.trim().to_lowercase()))
                    })
                    .collect();
            c.rows()
                .filter_map(|r| {
                    let name = c.get(r, "Study")?;
                    Some(Study {
                        id: name.clone(),
                        name,
                        year: c.get(r, "Year"),
                        characteristics: char_cols
                            .iter()
                            .filter_map(|(h, k)| Some((k.clone(), c.get(r, h)?)))
                            .collect(),
                    })
                })
                .collect()
        }
        None => Vec::new(),
    };
    let risk_of_bias = match files.found.get(ROB) {
        Some((n, b)) => {
            let c = Csv::parse(n, b)?;
            c.require(&["Study"], "the risk-of-bias judgements")?;
            let cols: Vec<(usize, String)> =
                c.t.headers
                    .iter()
                    .enumerate()
                    .filter_map(|(i, h)| {
                        if let Some(d) = h.strip_prefix("Domain (judgement):") {
                            Some((i, d.trim().to_string()))
                        } else if h.to_lowercase().starts_with("overall")
                            && h.to_lowercase().contains("judgement")
                        {
                            Some((i, "Overall".to_string()))
                        } else {
                            None
                        }
                    })
                    .collect();
            (!cols.is_empty()).then(|| RiskOfBias {
                domains: cols.iter().map(|(_, d)| d.clone()).collect(),
                rows: c
                    .rows()
                    .filter_map(|r| {
                        let s = c.get(r, "Study")?;
                        let j = cols
                            .iter()
                            .map(|(i, _)| {
                                judgement(
                                    &c.t.rows[r]
                                        .cells
                                        .get(*i)
                                        .map(|x| x.display())
                                        .unwrap_or_default(),
                                )
                            })
                            .collect();
                        Some((s, j))
                    })
                    .collect(),
            })
        }
        None => None,
    };
    if files.references {
        not_carried.push("the references of the included studies (the package's .ris file)".into());
    }
    not_carried
        .push("the review's text and its PRISMA counts (a data package holds neither)".into());
    Ok(Review {
        title: None,
        source: source.to_string(),
        format: Format::DataPackage { version },
        studies,
        analyses,
        risk_of_bias,
        not_carried,
        repairs: Vec::new(),
    })
}
