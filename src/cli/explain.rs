//! `metareport explain <output>`: what an output depends on, and whether it is stale and why.

use std::path::Path;

use crate::build::manifest::Manifest;
use crate::build::plan;
use crate::diag::{Diagnostic, did_you_mean};
use crate::project::{Failure, Project};
use crate::report::render::Templates;

pub fn run(dir: &Path, output: &str) -> Result<(), Failure> {
    let project = Project::open(dir)?;
    let specs = project.load_all()?;
    let templates = Templates::load(dir)?;
    let targets = plan(&specs, &templates);
    let want = output.trim_start_matches("./").replace('\\', "/");
    let want = if want.starts_with("out/") {
        want
    } else {
        format!("out/{want}")
    };
    let Some(t) = targets.iter().find(|t| t.path == want) else {
        let mut d = Diagnostic::file(output, "not an output of this project");
        d.hint = Some(
            match did_you_mean(&want, targets.iter().map(|t| t.path.as_str())) {
                Some(m) => format!("did you mean {m}?"),
                None => format!(
                    "outputs: {}",
                    targets
                        .iter()
                        .map(|t| t.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        );
        return Err(Failure::Input(d.into()));
    };
    let manifest = Manifest::read(dir);
    let version_ok = manifest.version == crate::results::tool_id();
    super::say(&t.path)?;
    super::say("  depends on:")?;
    for d in &t.depends_on {
        super::say(format!("    - {d}"))?;
    }
    super::say(format!("  key: {}", t.key))?;
    let state = if !version_ok && manifest.outputs.contains_key(&t.path) {
        format!("stale: built by metareport {}", manifest.version)
    } else {
        match manifest.staleness(dir, t) {
            Some(why) => format!("stale: {why}"),
            None => "up to date".into(),
        }
    };
    super::say(format!("  status: {state}"))?;
    Ok(())
}
