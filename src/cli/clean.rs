//! `metareport clean [DIR]`: remove what metareport built in `out/` (and nothing else).

use std::path::Path;

use crate::build::manifest::{Lock, Manifest, STATE_DIR};
use crate::project::Failure;

pub fn run(dir: &Path, quiet: bool) -> Result<(), Failure> {
    let out = dir.join("out");
    if !out.is_dir() {
        if !quiet {
            println!("nothing to clean");
        }
        return Ok(());
    }
    let lock = Lock::acquire(dir)?;
    let manifest = Manifest::read(dir);
    let mut removed = 0;
    for path in manifest.outputs.keys() {
        let p = dir.join(path);
        if p.is_file() {
            std::fs::remove_file(&p)
                .map_err(|e| Failure::Io(format!("cannot remove {path}: {e}")))?;
            removed += 1;
        }
        // Remove directories left empty, up to out/.
        let mut d = p.parent();
        while let Some(x) = d {
            if x == out || std::fs::remove_dir(x).is_err() {
                break;
            }
            d = x.parent();
        }
    }
    drop(lock);
    let _ = std::fs::remove_dir_all(dir.join(STATE_DIR));
    let _ = std::fs::remove_dir(&out);
    if !quiet {
        println!("removed {removed} output(s)");
    }
    Ok(())
}
