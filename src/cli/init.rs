//! `metareport init [DIR]`: a new review project with an example spec and data that build.

use std::path::Path;

use crate::project::Failure;

/// The `.gitignore` that `init` and `import` write. It does not ignore `out/`: in a paper's
/// repository the outputs are committed with their inputs (they are what the paper cites, and
/// `metareport build --check` in CI compares them with the inputs; the guide's chapter on
/// reproducible builds says why). The comment keeps the file from looking like an oversight.
pub const GITIGNORE: &str = "# out/ is committed with the inputs: it holds the paper's outputs, and\n\
# `metareport build --check` (e.g. in CI) checks them against analyses/.\n\
# See the user guide, \"Reproducible builds in a paper's repository\".\n";

const SPEC: &str = r#"# A review spec: the studies, how they are pooled and what the report shows.
# `metareport schema` prints every key; `metareport build` turns this into out/example/.
title: Example review — BCG vaccine and tuberculosis
source: "Colditz GA, et al. JAMA 1994;271:698-702 (metadat dat.bcg)"
preset: metafor            # or revman5

outcomes:
  - id: tuberculosis
    title: Tuberculosis
    data: data/example.csv   # one row per study: study, events_t, total_t, events_c, total_c
    measure: RR              # OR, RR, RD, PETO_OR, HR, MD, SMD, ZCOR, GEN
    model:
      effects: random        # fixed, random, or rule (the heterogeneity rule)
      tau2: REML             # DL, REML, PM, ML, HS, SJ, HE, EB
    subgroups:
      column: allocation
    small_study:
      egger: true
    sensitivity:
      leave_one_out: true
      risk_of_bias: {exclude: [high]}   # pool again without the trials at high risk of bias
    forest:
      arms: [Vaccine, Control]
      favours: [Favours vaccine, Favours control]
      risk_of_bias: true     # a judgement per domain beside each study

# Risk of bias: one row per study (Study, D1-D5, Overall), as robvis reads it.
# ILLUSTRATIVE ONLY: these RoB 2 judgements were made up to show the feature; they are not an
# appraisal of these trials. Replace them with your own.
risk_of_bias:
  tool: rob2                 # rob2 rob2-cluster robins-i robins-i-v2 robins-e quadas-2 nos-cohort nos-case-control generic
  data: data/rob-illustrative.csv
  weights: tuberculosis      # the summary plot weights studies as this outcome's pooled estimate does
"#;

const ROB: &str = "Study,D1,D2,D3,D4,D5,Overall
Aronson 1948,Some concerns,Low,Low,Low,Low,Some concerns
Ferguson & Simes 1949,Some concerns,Low,Some concerns,Low,Low,Some concerns
Rosenthal et al 1960,Low,Low,Low,Low,Low,Low
Hart & Sutherland 1977,Low,Low,Low,Low,Low,Low
Frimodt-Moller et al 1973,High,Low,Low,Some concerns,Low,High
Stein & Aronson 1953,High,Some concerns,Low,Low,Low,High
Vandiviere et al 1973,Low,Low,High,Low,Low,High
TPT Madras 1980,Low,Low,Low,Low,Some concerns,Some concerns
Coetzee & Berjak 1968,Low,Low,Low,Low,Low,Low
Rosenthal et al 1961,High,Low,Low,Low,Low,High
Comstock et al 1974,Some concerns,Low,Low,Low,Low,Some concerns
Comstock & Webster 1969,Some concerns,Low,No information,Low,Low,Some concerns
Comstock et al 1976,Some concerns,Low,Low,Low,Low,Some concerns
";

const DATA: &str = "study,year,events_t,total_t,events_c,total_c,allocation
Aronson 1948,1948,4,123,11,139,random
Ferguson & Simes 1949,1949,6,306,29,303,random
Rosenthal et al 1960,1960,3,231,11,220,random
Hart & Sutherland 1977,1977,62,13598,248,12867,random
Frimodt-Moller et al 1973,1973,33,5069,47,5808,alternate
Stein & Aronson 1953,1953,180,1541,372,1451,alternate
Vandiviere et al 1973,1973,8,2545,10,629,random
TPT Madras 1980,1980,505,88391,499,88391,random
Coetzee & Berjak 1968,1968,29,7499,45,7277,random
Rosenthal et al 1961,1961,17,1716,65,1665,systematic
Comstock et al 1974,1974,186,50634,141,27338,systematic
Comstock & Webster 1969,1969,5,2498,3,2341,systematic
Comstock et al 1976,1976,27,16913,29,17854,systematic
";

pub fn run(dir: &Path, quiet: bool) -> Result<(), Failure> {
    let analyses = dir.join("analyses");
    if analyses.join("example.yaml").exists()
        || (analyses.is_dir()
            && std::fs::read_dir(&analyses)
                .map(|mut d| d.next().is_some())
                .unwrap_or(false))
    {
        return Err(Failure::Input(
            crate::diag::Diagnostic::file(
                analyses.display().to_string(),
                "this directory already has analyses/; init writes only into a new project",
            )
            .into(),
        ));
    }
    let write = |rel: &str, text: &str| -> Result<(), Failure> {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Failure::Io(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&p, text)
            .map_err(|e| Failure::Io(format!("cannot write {}: {e}", p.display())))
    };
    write("analyses/example.yaml", SPEC)?;
    write("analyses/data/example.csv", DATA)?;
    write("analyses/data/rob-illustrative.csv", ROB)?;
    if !dir.join(".gitignore").exists() {
        write(".gitignore", GITIGNORE)?;
    }
    if !quiet {
        super::say(format!(
            "created {}: analyses/example.yaml and analyses/data/example.csv",
            dir.display()
        ))?;
        super::say(format!(
            "next: metareport build {}   (outputs in {}/out/example/)",
            dir.display(),
            dir.display()
        ))?;
    }
    Ok(())
}
