//! Templates → typst source (minijinja).
//!
//! The built-in templates ship inside the binary; a project overrides any of them by placing a
//! file of the same name in its own `templates/`. Every value a template prints is escaped for
//! typst markup (a backslash before each markup character, newlines folded), so study names
//! and any user text are printed as text and can never become markup or code. Templates mark
//! their own markup-safe values with `|safe` and put text into code-mode strings with
//! `|typst_str`.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::value::Value;

use crate::diag::{Diagnostic, Diagnostics};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};

/// The built-in templates.
pub const BUILTIN: &[(&str, &str)] = &[
    ("setup.typ.j2", include_str!("../../templates/setup.typ.j2")),
    (
        "manuscript.typ.j2",
        include_str!("../../templates/manuscript.typ.j2"),
    ),
    (
        "report.typ.j2",
        include_str!("../../templates/report.typ.j2"),
    ),
    (
        "report_pdf.typ.j2",
        include_str!("../../templates/report_pdf.typ.j2"),
    ),
    (
        "review.typ.j2",
        include_str!("../../templates/review.typ.j2"),
    ),
    (
        "methods.typ.j2",
        include_str!("../../templates/methods.typ.j2"),
    ),
    (
        "results.typ.j2",
        include_str!("../../templates/results.typ.j2"),
    ),
    (
        "heterogeneity_methods.typ.j2",
        include_str!("../../templates/heterogeneity_methods.typ.j2"),
    ),
    (
        "heterogeneity_results.typ.j2",
        include_str!("../../templates/heterogeneity_results.typ.j2"),
    ),
    (
        "risk_of_bias.typ.j2",
        include_str!("../../templates/risk_of_bias.typ.j2"),
    ),
    (
        "reproducibility.typ.j2",
        include_str!("../../templates/reproducibility.typ.j2"),
    ),
    (
        "conversions.typ.j2",
        include_str!("../../templates/conversions.typ.j2"),
    ),
    (
        "multi_arm.typ.j2",
        include_str!("../../templates/multi_arm.typ.j2"),
    ),
    (
        "methods-small-study.typ.j2",
        include_str!("../../templates/methods-small-study.typ.j2"),
    ),
    (
        "summary_of_findings.typ.j2",
        include_str!("../../templates/summary_of_findings.typ.j2"),
    ),
    (
        "not-estimable.typ.j2",
        include_str!("../../templates/not-estimable.typ.j2"),
    ),
    (
        "no-data.typ.j2",
        include_str!("../../templates/no-data.typ.j2"),
    ),
    (
        "measures_methods.typ.j2",
        include_str!("../../templates/measures_methods.typ.j2"),
    ),
];

/// The built-in bibliography.
pub const REFERENCES: &str = include_str!("../../templates/references.yml");

/// The Vancouver citation style of `style: journal` (CSL), given to typst as the in-memory file
/// [`VANCOUVER_PATH`]: typst 0.15's built-in "vancouver" prints no authors (hayagriva issue 519).
pub const VANCOUVER_CSL: &str = include_str!("../../templates/vancouver.csl");

/// The path under which the templates refer to [`VANCOUVER_CSL`].
pub const VANCOUVER_PATH: &str = "vancouver.csl";

/// The templates in effect: built-ins, overridden by the project's `templates/`.
#[derive(Debug, Clone)]
pub struct Templates {
    pub sources: BTreeMap<String, String>,
    pub references: String,
    /// Files taken from the project (for messages and the cache key).
    pub overridden: Vec<String>,
}

impl Templates {
    /// Loads the templates for a project: each built-in one, or the project's override of it
    /// in `templates/`, read like every file of the project (inside the project, a regular
    /// file, within the size limit; see [`crate::spec::resolve::read_project_file`]).
    pub fn load(root: &Path) -> Result<Templates, Diagnostics> {
        use crate::spec::resolve::{FileKind, files, read_project_file};
        let mut sources: BTreeMap<String, String> = BUILTIN
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        let mut references = REFERENCES.to_string();
        let mut overridden = Vec::new();
        let mut errors = Vec::new();
        for name in BUILTIN
            .iter()
            .map(|(n, _)| *n)
            .chain(std::iter::once("references.yml"))
        {
            let rel = format!("templates/{name}");
            if !files::exists(root, &rel) {
                continue;
            }
            let kind = if name == "references.yml" {
                FileKind::References
            } else {
                FileKind::Template
            };
            let bytes = match read_project_file(root, Path::new(""), &rel, kind) {
                Ok((_, b)) => b,
                Err(e) => {
                    errors.push(Diagnostic::file(&rel, e));
                    continue;
                }
            };
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    let (line, column, byte) =
                        files::first_bad_byte(e.as_bytes(), e.utf8_error().valid_up_to());
                    errors.push(
                        Diagnostic::file(
                            &rel,
                            format!("the file is not UTF-8 text: byte 0x{byte:02X} cannot start or continue a character"),
                        )
                        .at(line, column),
                    );
                    continue;
                }
            };
            if name == "references.yml" {
                references = text;
            } else {
                sources.insert(name.to_string(), text);
            }
            overridden.push(rel);
        }
        if !errors.is_empty() {
            return Err(Diagnostics(errors));
        }
        // metareport cites itself as the software used, with this binary's version.
        if !references.lines().any(|l| l.starts_with("metareport:")) {
            if !references.ends_with('\n') {
                references.push('\n');
            }
            references.push_str(&super::methods::software_reference());
        }
        Ok(Templates {
            sources,
            references,
            overridden,
        })
    }

    /// blake3 of every template in effect (part of the manuscript's cache key).
    pub fn hash(&self) -> String {
        let mut h = blake3::Hasher::new();
        for (n, s) in &self.sources {
            h.update(n.as_bytes());
            h.update(&[0]);
            h.update(s.as_bytes());
            h.update(&[0]);
        }
        h.update(self.references.as_bytes());
        h.finalize().to_hex().to_string()
    }

    fn environment(&self) -> Environment<'_> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Custom("typst".into()));
        env.set_formatter(typst_formatter);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        env.add_filter("typst_str", |s: String| {
            Value::from_safe_string(typst_string(&s))
        });
        // A count in running text, in the house style: one to nine in words, 10 and above in
        // digits ("nine included studies", "13 included studies").
        env.add_filter("count_words", |n: usize| {
            crate::report::format::count_in_text(n)
        });
        for (name, src) in &self.sources {
            env.add_template(name.as_str(), src.as_str()).ok();
        }
        env
    }

    /// Renders a template with a context; errors name the template and line.
    pub fn render(&self, name: &str, context: &serde_json::Value) -> Result<String, String> {
        let mut env = self.environment();
        // Syntax errors were swallowed by `add_template`; report them now with their line.
        for (n, src) in &self.sources {
            if let Err(e) = env.add_template(n.as_str(), src.as_str()) {
                return Err(describe(&e));
            }
        }
        let t = env.get_template(name).map_err(|e| describe(&e))?;
        t.render(Value::from(minijinja::value::Serde(context)))
            .map_err(|e| describe(&e))
    }
}

fn describe(e: &Error) -> String {
    // The innermost error names the template and line where it happened.
    let mut inner: &dyn std::error::Error = e;
    let mut located = e;
    while let Some(src) = inner.source() {
        if let Some(me) = src.downcast_ref::<Error>() {
            located = me;
        }
        inner = src;
    }
    let place = match (located.name(), located.line()) {
        (Some(n), Some(l)) => format!("templates/{n}:{l}: "),
        (Some(n), None) => format!("templates/{n}: "),
        _ => String::new(),
    };
    let what = located
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| located.kind().to_string());
    let hint = if located.kind() == ErrorKind::UndefinedError {
        " (the template uses a value the context does not have)"
    } else {
        ""
    };
    format!("{place}{what}{hint}")
}

/// Whether typst reads `c` as a line break: LF, CR, VT, FF, NEL, and the Unicode line and
/// paragraph separators (U+2028, U+2029).
pub fn is_typst_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Escapes text for typst markup: a backslash before every character typst could read as
/// markup; line breaks (every character typst takes for one, see [`is_typst_line_break`]),
/// tabs and other control characters folded into spaces, so that user text can never end a
/// `//` comment line or a markup construct early.
pub fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '#' | '$' | '*' | '_' | '`' | '<' | '>' | '@' | '[' | ']' | '~' | '/' | '='
            | '-' | '+' | '"' | '\'' | '{' | '}' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || is_typst_line_break(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A typst string literal ("…" with `\\` and `\"` escaped, line breaks and control characters
/// as `\u{…}` escapes).
pub fn typst_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() || is_typst_line_break(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn typst_formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "typst")
        && !value.is_safe()
    {
        let s = if value.is_none() || value.is_undefined() {
            String::new()
        } else {
            value.to_string()
        };
        return out.write_str(&escape_markup(&s)).map_err(Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}
