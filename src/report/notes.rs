//! `out/<review>/notes.txt`: the notes for a review's authors — the analyses' caveats
//! (continuity corrections, τ² truncated at 0, a study not estimable, a test run with few
//! studies …) and text the fonts cannot print. They are not printed in the manuscript, which
//! states in its methods what a reader must know; `build` prints them, a build with nothing
//! to do prints them again from this file, and `check` prints them too.
//!
//! The file: comment lines starting with `#`, then one note per line.

/// The text of a notes file for the review in `spec_file`.
pub fn file_text(spec_file: &str, notes: &[String]) -> String {
    let mut s = format!(
        "# Notes for the authors of {spec_file}, written by metareport {}.\n\
         # They are not printed in the manuscript, whose methods state what a reader must know.\n",
        crate::results::VERSION
    );
    if notes.is_empty() {
        s.push_str("# No notes.\n");
    }
    for n in notes {
        // One note per line, whatever the note's text.
        s.push_str(&n.replace(['\n', '\r'], " "));
        s.push('\n');
    }
    s
}

/// The notes of a notes file (its lines that are not comments).
pub fn read(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_read_back_as_written() {
        let notes = vec!["a.yaml: outcome `m`: one\ntwo".to_string(), "b".to_string()];
        let text = file_text("a.yaml", &notes);
        assert_eq!(read(&text), ["a.yaml: outcome `m`: one two", "b"]);
        assert!(read(&file_text("a.yaml", &[])).is_empty());
    }
}
