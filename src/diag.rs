//! Diagnostics: what is wrong, where (file, line, column, field), and what was expected.
//!
//! Every stage that reads user input reports problems as [`Diagnostic`]s, several at once;
//! nothing is printed from inside a stage.

use std::fmt;

/// One problem in the user's input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, relative to the project ("analyses/magnesium.yaml").
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The field path in the spec ("outcomes[0].measure") or the data column.
    pub field: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
    /// A suggestion ("did you mean `measure`?").
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic for a whole file.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Sets the position.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Sets the field path.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        let f = field.into();
        self.field = if f.is_empty() { None } else { Some(f) };
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// Several diagnostics, reported together.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// The closest candidate to a misspelt word, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // The distance costs O(len × len) time and memory: words and candidates of hostile length
    // are not compared (a suggestion is at most a third of its length away, so a length
    // difference beyond that cannot match anyway).
    const LONGEST: usize = 256;
    let lower = word.to_lowercase();
    let n = lower.chars().count();
    candidates
        .into_iter()
        .filter(|c| {
            let m = c.chars().count();
            n <= LONGEST && m <= LONGEST && n.abs_diff(m) <= 2.max(c.len() / 3)
        })
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// At most `max` characters of `text`, with "…" when it was cut, and control characters
/// written as `\u{1b}`: messages quote values from files that may be large or hostile, and
/// never quote more than this nor send a terminal escape sequence.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars().take(max) {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// The first character of `text` that no figure or document can hold — one XML 1.0 forbids:
/// the C0 control characters other than tab, line feed and carriage return, U+FFFE and U+FFFF
/// — with its 1-based position in characters.
pub fn forbidden_char(text: &str) -> Option<(usize, char)> {
    text.chars().enumerate().find_map(|(i, c)| {
        let bad = matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}')
            || c == '\u{FFFE}'
            || c == '\u{FFFF}';
        bad.then_some((i + 1, c))
    })
}

/// The message for a forbidden character (see [`forbidden_char`]).
pub fn forbidden_char_message(what: &str, (at, c): (usize, char)) -> String {
    format!(
        "{what} contains the control character U+{:04X} (character {at}), which cannot be printed in a figure or document; remove it",
        c as u32
    )
}

/// A number as a message shows it: as Rust prints it, but in scientific notation when that
/// would be long (`1e308`, not 309 digits).
pub fn number(x: f64) -> String {
    if x.is_finite() && x != 0.0 && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}
