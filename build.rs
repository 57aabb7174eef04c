//! Build script: a fingerprint of the sources that determine metareport's outputs (code,
//! templates, fonts, locked dependencies). It is part of every cache key, so a rebuilt
//! metareport never trusts outputs made by different code.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let mut paths = Vec::new();
    for d in ["src", "templates", "fonts"] {
        println!("cargo:rerun-if-changed={d}");
        files(Path::new(d), &mut paths);
    }
    paths.push(PathBuf::from("Cargo.lock"));
    println!("cargo:rerun-if-changed=Cargo.lock");
    paths.sort();
    // SipHash with fixed keys: the same sources give the same fingerprint everywhere.
    let mut h = DefaultHasher::new();
    for p in &paths {
        h.write(p.to_string_lossy().replace('\\', "/").as_bytes());
        h.write(&std::fs::read(p).unwrap_or_default());
    }
    println!("cargo:rustc-env=METAREPORT_FINGERPRINT={:016x}", h.finish());
}
