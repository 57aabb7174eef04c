//! The note naming the characters of a spec's text (titles, study names, labels, captions,
//! table cells) that the shipped fonts cannot draw, with where each first occurs.
//!
//! Every string value of the validated [`Spec`] is looked at, as it is serialised: the JSON is
//! scanned as it is written and never held (a spec with a million studies would otherwise be
//! copied into a JSON tree of gigabytes just to be searched).

use std::io::Write;

use crate::spec::Spec;

/// How many characters are named, and how much of the text each occurs in is quoted.
const SHOWN: usize = 8;
const CONTEXT: usize = 60;

/// Scans serde_json's compact output for the string values (not the keys) and notes the
/// characters the figure font lacks.
#[derive(Default)]
struct Scan {
    /// Open containers: `true` for an object.
    stack: Vec<bool>,
    /// In an object, whether the next string is a key.
    expect_key: bool,
    /// Inside a string: its bytes so far, whether it is a key, and whether the last byte was
    /// an escaping backslash.
    string: Option<(Vec<u8>, bool)>,
    escaped: bool,
    /// Characters without a glyph, with (an excerpt of) the first text holding each.
    missing: Vec<(char, String)>,
}

impl Scan {
    fn byte(&mut self, b: u8) {
        if let Some((buf, is_key)) = &mut self.string {
            if self.escaped {
                self.escaped = false;
                buf.push(b);
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                let is_key = *is_key;
                let (buf, _) = self.string.take().unwrap_or_default();
                if !is_key {
                    self.text(&String::from_utf8_lossy(&buf));
                }
            } else {
                buf.push(b);
            }
            return;
        }
        match b {
            b'{' => {
                self.stack.push(true);
                self.expect_key = true;
            }
            b'[' => self.stack.push(false),
            b'}' | b']' => {
                self.stack.pop();
            }
            b':' => self.expect_key = false,
            b',' => self.expect_key = self.stack.last() == Some(&true),
            b'"' => {
                let is_key = self.stack.last() == Some(&true) && self.expect_key;
                self.string = Some((Vec::new(), is_key));
            }
            _ => {}
        }
    }

    fn text(&mut self, t: &str) {
        for c in crate::fonts::missing_glyphs(t) {
            if !self.missing.iter().any(|(m, _)| *m == c) {
                self.missing.push((c, crate::diag::excerpt(t, CONTEXT)));
            }
        }
    }
}

impl Write for Scan {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        buf.iter().for_each(|&b| self.byte(b));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The note for `spec`, or `None` when the fonts can draw all its text.
pub fn unprintable_text(spec: &Spec) -> Option<String> {
    let mut scan = Scan::default();
    serde_json::to_writer(&mut scan, spec).ok()?;
    let missing = scan.missing;
    if missing.is_empty() {
        return None;
    }
    let list: Vec<String> = missing
        .iter()
        .take(SHOWN)
        .map(|(c, t)| format!("{c} (in \"{t}\")"))
        .collect();
    let more = missing.len().saturating_sub(SHOWN);
    Some(format!(
        "{}: the shipped fonts have no glyph for {}{}; these characters may print as blank boxes",
        spec.file,
        list.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}
