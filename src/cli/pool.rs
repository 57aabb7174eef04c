//! `metareport pool`: one outcome from one CSV, no spec; the results JSON on stdout.
//!
//! The CSV uses the standard column names (`study`, `events_t`, `total_t`, …); the options
//! mirror the spec's model settings one for one and go through the same validation.

use std::path::Path;

use clap::{Args, ValueEnum};

use crate::project::Failure;
use crate::spec::raw::*;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Measure {
    #[value(name = "OR")]
    Or,
    #[value(name = "RR")]
    Rr,
    #[value(name = "RD")]
    Rd,
    #[value(name = "PETO_OR")]
    PetoOr,
    #[value(name = "HR")]
    Hr,
    #[value(name = "MD")]
    Md,
    #[value(name = "SMD")]
    Smd,
    #[value(name = "ZCOR")]
    Zcor,
    #[value(name = "GEN")]
    Gen,
    #[value(name = "PR")]
    Pr,
    #[value(name = "PLO")]
    Plo,
    #[value(name = "PAS")]
    Pas,
    #[value(name = "PFT")]
    Pft,
    #[value(name = "IR")]
    Ir,
    #[value(name = "IRLN")]
    Irln,
    #[value(name = "IRR")]
    Irr,
    #[value(name = "IRD")]
    Ird,
    #[value(name = "ROM")]
    Rom,
    #[value(name = "MN")]
    Mn,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Tau2 {
    #[value(name = "DL")]
    Dl,
    #[value(name = "REML")]
    Reml,
    #[value(name = "PM")]
    Pm,
    #[value(name = "ML")]
    Ml,
    #[value(name = "HS")]
    Hs,
    #[value(name = "SJ")]
    Sj,
    #[value(name = "HE")]
    He,
    #[value(name = "EB")]
    Eb,
}

macro_rules! mirror {
    ($name:ident { $($v:ident = $s:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, ValueEnum)]
        pub enum $name { $(#[value(name = $s)] $v),* }
    };
}
mirror!(Pooling { InverseVariance = "inverse-variance", MantelHaenszel = "mantel-haenszel", Peto = "peto" });
mirror!(EffectsArg { Fixed = "fixed", Random = "random", Rule = "rule" });
mirror!(Ci { Z = "z", Hksj = "hksj" });
mirror!(Prediction { Metafor = "metafor", HigginsT = "higgins-t", None = "none" });
mirror!(I2 { FromTau2 = "from-tau2", FromQ = "from-q" });
mirror!(I2Ci { QProfile = "q-profile", HigginsThompson = "higgins-thompson" });
mirror!(SeFromCi { Exact = "exact", Revman = "revman" });
mirror!(CorrectTo { OnlyZero = "only-zero", All = "all", AllIfAnyZero = "all-if-any-zero", None = "none" });
mirror!(CorrectionKind { Constant = "constant", TreatmentArm = "treatment-arm" });
mirror!(DoubleZero { Exclude = "exclude", Include = "include" });
mirror!(Input { Binary = "binary", Continuous = "continuous", EstimateCi = "estimate_ci", Correlation = "correlation", YiVi = "yi_vi", YiSe = "yi_se", Proportion = "proportion", Rate = "rate", Rates = "rates", Mean = "mean" });
mirror!(PersonTime { Days = "days", Weeks = "weeks", Months = "months", Years = "years" });
mirror!(SmdArg { Exact = "exact", Revman = "revman" });
mirror!(PresetArg { Metafor = "metafor", Revman5 = "revman5" });

/// Options of `metareport pool` (the spec's `model:` settings, one flag each).
#[derive(Debug, Args)]
pub struct PoolArgs {
    /// CSV (or XLSX) file with one row per study and the standard column names.
    #[arg(long)]
    pub data: std::path::PathBuf,
    /// Effect measure.
    #[arg(long, value_enum, ignore_case = true)]
    pub measure: Measure,
    /// Show single-group proportions per this many participants and incidence rates per this
    /// many units of person-time (100, 1000, …); the spec's `per`.
    #[arg(long, value_name = "N")]
    pub per: Option<f64>,
    /// The unit of the `time` columns of rates (IR, IRLN, IRR, IRD), printed as "per 1,000
    /// person-years"; the spec's `person_time`.
    #[arg(long, value_enum)]
    pub person_time: Option<PersonTime>,
    /// A standard column name mapped to another column of the file, e.g. `estimate=or`
    /// (repeatable).
    #[arg(long = "column", value_name = "NAME=COLUMN")]
    pub columns: Vec<String>,
    /// Study labels from columns, e.g. "{study} {year}" (default: the `study` column).
    #[arg(long, value_name = "TEMPLATE")]
    pub label: Option<String>,
    /// Kind of data (default: inferred from the columns).
    #[arg(long, value_enum)]
    pub input: Option<Input>,
    /// Preset for the settings not given (default metafor).
    #[arg(long, value_enum)]
    pub preset: Option<PresetArg>,
    /// Pooling method.
    #[arg(long, value_enum)]
    pub pooling: Option<Pooling>,
    /// Fixed, random, or the heterogeneity rule.
    #[arg(long, value_enum)]
    pub effects: Option<EffectsArg>,
    /// The rule: fixed effect when the heterogeneity p is at least this (0.5).
    #[arg(
        long,
        requires = "rule_no_pooling_below",
        allow_negative_numbers = true
    )]
    pub rule_fixed_at_least: Option<f64>,
    /// The rule: no pooled estimate when the heterogeneity p is below this (0.05).
    #[arg(long, requires = "rule_fixed_at_least", allow_negative_numbers = true)]
    pub rule_no_pooling_below: Option<f64>,
    /// τ² estimator (also --method).
    #[arg(long, alias = "method", value_enum, ignore_case = true)]
    pub tau2: Option<Tau2>,
    /// Test and interval of the pooled effect.
    #[arg(long, value_enum)]
    pub ci: Option<Ci>,
    /// Prediction interval.
    #[arg(long, value_enum)]
    pub prediction: Option<Prediction>,
    /// I² from τ² (metafor) or from Q (RevMan).
    #[arg(long, value_enum)]
    pub i2: Option<I2>,
    /// Confidence interval of I² and H².
    #[arg(long, value_enum)]
    pub i2_ci: Option<I2Ci>,
    /// Confidence level (between 0 and 1).
    #[arg(long, allow_negative_numbers = true)]
    pub level: Option<f64>,
    /// Continuity correction increment (between 0 and 1).
    #[arg(long, allow_negative_numbers = true)]
    pub continuity_add: Option<f64>,
    /// Studies that get the correction.
    #[arg(long, value_enum)]
    pub continuity_to: Option<CorrectTo>,
    /// How the increment is split between arms.
    #[arg(long, value_enum)]
    pub continuity_kind: Option<CorrectionKind>,
    /// Studies without events (or only events) in both arms.
    #[arg(long, value_enum)]
    pub double_zero: Option<DoubleZero>,
    /// SE from a reported 95% CI.
    #[arg(long, value_enum)]
    pub se_from_ci: Option<SeFromCi>,
    /// Standardised mean difference: metafor's exact form or RevMan 5's formulas.
    #[arg(long, value_enum)]
    pub smd: Option<SmdArg>,
    /// Column holding subgroups.
    #[arg(long)]
    pub subgroup: Option<String>,
    /// One τ² shared by all subgroups instead of one per subgroup.
    #[arg(long, requires = "subgroup")]
    pub common_tau2: bool,
    /// Egger's test.
    #[arg(long)]
    pub egger: bool,
    /// Begg's test.
    #[arg(long)]
    pub begg: bool,
    /// Trim-and-fill.
    #[arg(long)]
    pub trim_and_fill: bool,
    /// The fewest studies with which the small-study tests are run (10; at least 3).
    #[arg(long, value_name = "K")]
    pub min_studies: Option<u32>,
    /// Leave-one-out.
    #[arg(long)]
    pub leave_one_out: bool,
    /// Cumulative meta-analysis in the order of this column.
    #[arg(long, value_name = "COLUMN")]
    pub cumulative_by: Option<String>,
    /// Pool again without this study (repeatable; all named studies are left out together).
    #[arg(long = "exclude", value_name = "STUDY")]
    pub exclude: Vec<String>,
    /// Compact JSON on one line (pretty-printed otherwise, whether to a terminal, a pipe or a
    /// file).
    #[arg(long)]
    pub compact: bool,
    /// The pooled results without a row per study (no per-study table, weights, exclusion
    /// lists): a few kilobytes whatever the number of studies.
    #[arg(long, conflicts_with_all = ["leave_one_out", "cumulative_by"])]
    pub summary: bool,
}

fn word<T: ValueEnum>(v: T) -> serde_json::Value {
    serde_json::Value::String(
        v.to_possible_value()
            .expect("no skipped values")
            .get_name()
            .to_string(),
    )
}

fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("the flag values are the spec's values")
}

pub fn run(a: PoolArgs) -> Result<(), Failure> {
    let data = &a.data;
    let dir = data
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = data
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Failure::Io(format!("--data {}: not a file", data.display())))?;
    let continuity = (a.continuity_add.is_some()
        || a.continuity_to.is_some()
        || a.continuity_kind.is_some()
        || a.double_zero.is_some())
    .then(|| RawContinuity {
        add: a.continuity_add,
        to: a.continuity_to.map(|v| parse(word(v))),
        kind: a.continuity_kind.map(|v| parse(word(v))),
        double_zero: a.double_zero.map(|v| parse(word(v))),
    });
    let model = RawModel {
        pooling: a.pooling.map(|v| parse(word(v))),
        effects: a.effects.map(|v| parse(word(v))),
        rule: a
            .rule_fixed_at_least
            .zip(a.rule_no_pooling_below)
            .map(|(f, n)| RawRule {
                fixed_if_p_at_least: f,
                no_pooling_if_p_below: n,
            }),
        tau2: a.tau2.map(|v| parse(word(v))),
        ci: a.ci.map(|v| parse(word(v))),
        prediction: a.prediction.map(|v| parse(word(v))),
        i2: a.i2.map(|v| parse(word(v))),
        i2_ci: a.i2_ci.map(|v| parse(word(v))),
        level: a.level,
        continuity,
        se_from_ci: a.se_from_ci.map(|v| parse(word(v))),
        smd: a.smd.map(|v| parse(word(v))),
    };
    let outcome = RawOutcome {
        multi_arm: None,
        per: a.per,
        person_time: a.person_time.map(|v| parse(word(v))),
        risk_of_bias: None,
        missing: None,
        duplicate_labels: None,
        conversions: None,
        id: "pool".into(),
        title: name.clone(),
        data: Some(name.clone()),
        sheet: None,
        rows: None,
        input: a.input.map(|v| parse(word(v))),
        columns: (!a.columns.is_empty())
            .then(|| {
                a.columns
                    .iter()
                    .map(|c| match c.split_once('=') {
                        Some((k, v)) => Ok((k.trim().to_string(), v.trim().to_string())),
                        None => Err(Failure::Input(
                            crate::diag::Diagnostic::file(
                                "command line",
                                format!("--column {c}: expected NAME=COLUMN, e.g. estimate=or"),
                            )
                            .into(),
                        )),
                    })
                    .collect::<Result<_, _>>()
            })
            .transpose()?,
        label: a.label.clone(),
        measure: parse(word(a.measure)),
        model: Some(model),
        subgroups: a.subgroup.map(|c| RawSubgroups {
            column: Some(c),
            risk_of_bias: None,
            order: None,
            common_tau2: a.common_tau2.then_some(true),
            label: None,
        }),
        sensitivity: Some(RawSensitivity {
            risk_of_bias: None,
            leave_one_out: Some(a.leave_one_out),
            cumulative: a.cumulative_by.map(|by| RawCumulative {
                by: Some(by),
                descending: None,
            }),
            exclude: (!a.exclude.is_empty()).then(|| {
                vec![RawExclusion {
                    studies: a.exclude.clone(),
                    label: None,
                }]
            }),
        }),
        small_study: Some(RawSmallStudy {
            egger: Some(a.egger),
            begg: Some(a.begg),
            trim_and_fill: Some(a.trim_and_fill),
            min_studies: a.min_studies,
        }),
        forest: None,
        funnel: Some(RawFunnel {
            show: Some(false),
            ..Default::default()
        }),
        meta_regression: None,
        influence: None,
        gosh: None,
    };
    let raw = RawSpec {
        title: "metareport pool".into(),
        preset: a.preset.map(|v| parse(word(v))),
        outcomes: vec![outcome],
        ..Default::default()
    };
    let mut spec = crate::spec::resolve::resolve_raw(dir, &data.display().to_string(), raw)
        .map_err(Failure::Input)?;
    crate::build::produce::check_work(&spec.file, &spec.outcomes[0])?;
    // The studies are moved into the analysis, not copied (the messages need only the lines).
    let analysis = spec.outcomes[0].analyse_moving();
    let o = &spec.outcomes[0];
    let analysis = analysis.map_err(|e| match e {
        // Cells of the data file, named by the file's columns.
        e @ crate::stats::AnalysisError::InvalidData(_) => {
            crate::build::analysis_failure(&spec, o, e)
        }
        // The rest concern the data as a whole (no outcome is named on the command line).
        e => Failure::Input(
            crate::diag::Diagnostic::file(data.display().to_string(), e.to_string()).into(),
        ),
    })?;
    let mut json = crate::results::outcome_json(o, &analysis);
    if a.summary {
        json = json.summary();
    }
    json.metareport = Some(crate::results::Tool::this());
    // Written straight to stdout (no string of the whole file): pretty, or compact with
    // `--compact` — the same bytes whether it goes to a terminal, a pipe or a file; a closed
    // pipe ends quietly.
    use std::io::Write;
    let stdout = std::io::stdout();
    let pretty = !a.compact;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let written = if pretty {
        use serde::Serialize;
        let mut ser = serde_json::Serializer::with_formatter(&mut w, Pretty::default());
        json.serialize(&mut ser)
    } else {
        serde_json::to_writer(&mut w, &json)
    }
    .map_err(std::io::Error::from)
    .and_then(|_| writeln!(w))
    .and_then(|_| w.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(Failure::Io(format!("cannot write to standard output: {e}")));
        }
        _ => {}
    }
    // The command ends here: the rows of up to millions of studies (spec, analysis, results)
    // are left to the process's exit instead of being freed one allocation at a time.
    std::mem::forget(json);
    std::mem::forget(analysis);
    std::mem::forget(spec);
    Ok(())
}

/// serde_json's `PrettyFormatter` with two-space indents, byte for byte, writing each line
/// break and its indent in one call (serde_json's writes the indent once per level: at a
/// million studies' rows that is most of the calls).
#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// A line break and the indent of the current depth.
    fn newline<W: ?Sized + std::io::Write>(&self, w: &mut W, comma: bool) -> std::io::Result<()> {
        const SPACES: &[u8; 66] =
            b",\n                                                                ";
        let n = 2 * self.depth;
        let start = usize::from(!comma);
        if n + 2 <= SPACES.len() {
            w.write_all(&SPACES[start..n + 2])
        } else {
            w.write_all(&SPACES[start..2])?;
            for _ in 0..self.depth {
                w.write_all(b"  ")?;
            }
            Ok(())
        }
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.newline(w, !first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.newline(w, !first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}
