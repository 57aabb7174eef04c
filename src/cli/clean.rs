//! `metareport clean [DIR]`: remove what metareport built in `out/` (and nothing else).
//!
//! The manifest is untrusted: only its plain paths under `out/` are removed, never through a
//! symbolic link, and only directories under `out/` that are left empty; temporaries of a killed
//! build (`.NAME.tmp-PID`) go too.

use std::path::Path;

use crate::build::manifest::{Lock, Manifest, STATE_DIR};
use crate::build::{outdir, remove_legacy_state};
use crate::project::Failure;

pub fn run(dir: &Path, quiet: bool) -> Result<(), Failure> {
    let out = dir.join(outdir::OUT);
    if std::fs::symlink_metadata(&out).is_err() {
        if !quiet {
            super::say("nothing to clean")?;
        }
        return Ok(());
    }
    outdir::check_out_dir(dir).map_err(|r| Failure::Io(r.to_string()))?;
    let lock = Lock::acquire(dir)?;
    let manifest = Manifest::read(dir);
    for w in &manifest.ignored {
        if !quiet {
            eprintln!("warning: {w}");
        }
    }
    outdir::sweep_temporaries(dir);
    let mut removed = 0;
    for path in manifest.outputs.keys() {
        match outdir::remove(dir, path) {
            Ok(true) => removed += 1,
            Ok(false) => {}
            Err(e) => {
                if !quiet {
                    eprintln!("warning: {e}; it was not removed");
                }
            }
        }
        outdir::remove_empty_parents(dir, path);
    }
    remove_legacy_state(dir);
    let state = dir.join(STATE_DIR);
    crate::build::stat_cache::StatCache::remove(dir);
    let _ = std::fs::remove_file(state.join("manifest.json"));
    let _ = std::fs::remove_dir(&state);
    drop(lock);
    let _ = std::fs::remove_dir(&out);
    if !quiet {
        super::say(format!("removed {removed} output(s)"))?;
    }
    Ok(())
}
