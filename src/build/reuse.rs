//! Early cutoff: an output whose key changed is remade only when what it is made from changed.
//!
//! A key (`plan.rs`) is computed before anything is analysed, from the spec sections an output
//! may depend on, so an edit (a τ² estimator, a caption, a title) makes stale every output
//! that might change. Many of them then turn out the same: a funnel plot's SVG does not move
//! when the forest plot's options change, a submission TIFF is the same pixels when its SVG is
//! the same bytes. For the outputs that are costly to make (rasters, PDFs, Word files) the
//! build first makes the cheap thing they are made from (the SVG, the typst source and the
//! files it reads), hashes it into a *content key*, and when the manifest recorded that
//! content key for the file and the file in `out/` still has the recorded hash, keeps the file
//! as it is ([`Made::kept`]) instead of rasterising or compiling again. An output made anew
//! whose bytes equal the file's is not written either (`mod.rs`): its time stamp stays, and
//! the build reports it as unchanged, not built.
//!
//! The content key holds the tool's identity (version and source fingerprint, which cover the
//! built-in templates, fonts and the code) and the embedded fonts' hash, so a file made by
//! another metareport is never kept; `build --force` remakes and rewrites everything.

use std::path::Path;

use super::manifest::Manifest;

/// What a document is made from: its typst source and the in-memory files it reads.
pub type Inputs = (String, Vec<(String, Vec<u8>)>);

/// What a job made for a stale target.
#[derive(Debug, Clone)]
pub struct Made {
    /// The output's bytes; `None` when the file in `out/` already holds them (kept).
    pub bytes: Option<Vec<u8>>,
    /// The content key the output was made from, recorded in the manifest.
    pub content: Option<String>,
}

impl Made {
    /// Bytes made with no content key (outputs cheap to make: written when they differ).
    pub fn bytes(bytes: Vec<u8>) -> Made {
        Made {
            bytes: Some(bytes),
            content: None,
        }
    }

    /// Bytes made from the content with key `content`.
    pub fn with(bytes: Vec<u8>, content: String) -> Made {
        Made {
            bytes: Some(bytes),
            content: Some(content),
        }
    }

    /// The file in `out/` is what the content with key `content` makes: nothing is made.
    pub fn kept(content: String) -> Made {
        Made {
            bytes: None,
            content: Some(content),
        }
    }
}

/// A content key under construction: blake3 over length-prefixed parts (bytes are hashed as
/// they are, never formatted), starting with the tool's identity, the fonts and what is made.
pub struct Content(blake3::Hasher);

impl Content {
    /// A content key for an output of kind `what` ("png", "pdf", …).
    pub fn new(what: &str) -> Content {
        Content(blake3::Hasher::new())
            .part(crate::results::tool_id().as_bytes())
            .part(crate::fonts::HASH.as_bytes())
            .part(what.as_bytes())
    }

    /// Adds one part.
    pub fn part(mut self, bytes: &[u8]) -> Content {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Adds in-memory files (name and bytes of each, in order).
    pub fn files(self, files: &[(String, Vec<u8>)]) -> Content {
        let mut c = self.part(&(files.len() as u64).to_le_bytes());
        for (name, bytes) in files {
            c = c.part(name.as_bytes()).part(bytes);
        }
        c
    }

    /// The key.
    pub fn finish(self) -> String {
        self.0.finalize().to_hex().to_string()
    }
}

/// Decides whether a stale output's file can be kept.
pub struct Reuse<'a> {
    root: &'a Path,
    manifest: &'a Manifest,
    /// Off for `build --force`.
    enabled: bool,
}

impl<'a> Reuse<'a> {
    /// Reuse of the outputs recorded in `manifest` (never with `force`).
    pub fn new(root: &'a Path, manifest: &'a Manifest, force: bool) -> Reuse<'a> {
        Reuse {
            root,
            manifest,
            enabled: !force && manifest.version == crate::results::tool_id(),
        }
    }

    /// Whether the file at `path` was made from the content with key `content` and is still
    /// as written (its blake3 is the one recorded; read without following links).
    pub fn kept(&self, path: &str, content: &str) -> bool {
        self.manifest.outputs.get(path).is_some_and(|e| {
            self.enabled
                && e.content.as_deref() == Some(content)
                && super::outdir::same_file(self.root, path, &e.blake3, e.len) == Some(true)
        })
    }

    /// The bytes of the file at `path` when it was made from the content with key `content`
    /// and is still as written (`kept`): what was checked is what is returned.
    pub fn kept_bytes(&self, path: &str, content: &str) -> Option<Vec<u8>> {
        let e = self.manifest.outputs.get(path)?;
        if !self.enabled || e.content.as_deref() != Some(content) {
            return None;
        }
        self.recorded(path)
    }

    /// The bytes of the file at `path` when its blake3 is the one the manifest recorded (read
    /// without following links; `None` with reuse off): an up-to-date output another output
    /// is made from (the manuscripts `report.pdf` embeds).
    pub fn recorded(&self, path: &str) -> Option<Vec<u8>> {
        let e = self.manifest.outputs.get(path).filter(|_| self.enabled)?;
        let max = e.len.map_or(super::outdir::MAX_READ_BACK, |n| {
            n.min(super::outdir::MAX_READ_BACK)
        });
        super::outdir::read(self.root, path, max)
            .filter(|b| blake3::hash(b).to_hex().as_str() == e.blake3)
    }

    /// `kept` as a result: the kept marker, or `None` when the output must be made.
    pub fn check(&self, path: &str, content: String) -> Result<Made, String> {
        if self.kept(path, &content) {
            Ok(Made::kept(content))
        } else {
            Err(content)
        }
    }

    /// The output at `path` kept when its content key is `content`, else made by `make`.
    pub fn or_make<E>(
        &self,
        path: &str,
        content: String,
        make: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Made, E> {
        match self.check(path, content) {
            Ok(kept) => Ok(kept),
            Err(c) => Ok(Made::with(make()?, c)),
        }
    }

    /// Whether the file at `path` already holds bytes with this blake3 (an output made anew
    /// that need not be written).
    pub fn same_bytes(&self, path: &str, blake3: &str, len: u64) -> bool {
        self.manifest
            .outputs
            .get(path)
            .is_some_and(|e| e.blake3 == blake3)
            && super::outdir::same_file(self.root, path, blake3, Some(len)) == Some(true)
    }

    /// Whether reuse is on.
    pub fn enabled(&self) -> bool {
        self.enabled
    }
}
