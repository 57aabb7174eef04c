//! `metareport schema`: the JSON Schema of the spec, for editors.

use crate::project::Failure;

pub fn run() -> Result<(), Failure> {
    let s = serde_json::to_string_pretty(&crate::spec::schema_json())
        .map_err(|e| Failure::Io(e.to_string()))?;
    super::say(s)?;
    Ok(())
}
