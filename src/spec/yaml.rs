//! YAML parsed into a tree that remembers where every node came from.
//!
//! serde-saphyr parses (YAML 1.2, duplicate keys rejected); `Spanned` gives each node its line
//! and column. The tree is then checked against the spec's JSON Schema and converted to JSON
//! for typed deserialisation, keeping a map from field path to position for later messages.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A YAML node with its position (1-based line and column).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
    pub column: usize,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in document order: (key, its position, value).
    Map(Vec<(String, (usize, usize), Node)>),
}

impl Value {
    /// A word for the kind of value, for messages ("a string", "a list").
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "true/false",
            Value::Int(_) => "a whole number",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

struct ValueVisitor;

fn spanned_node(s: Spanned<Value>) -> Node {
    Node {
        value: s.value,
        line: s.referenced.line() as usize,
        column: s.referenced.column() as usize,
    }
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .or(Ok(Value::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(x) = seq.next_element::<Spanned<Value>>()? {
            items.push(spanned_node(x));
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<Spanned<String>>()? {
            let v = map.next_value::<Spanned<Value>>()?;
            entries.push((
                k.value,
                (k.referenced.line() as usize, k.referenced.column() as usize),
                spanned_node(v),
            ));
        }
        Ok(Value::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

/// A YAML syntax error with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// What to do about it, when known.
    pub hint: Option<String>,
}

/// The longest mapping key YAML allows (YAML 1.2, 7.4.2: an implicit key is at most 1024
/// characters).
pub const MAX_KEY_CHARS: usize = 1024;

/// A plain mapping key longer than [`MAX_KEY_CHARS`] on line `line` (1-based) or the line
/// before it: its line, 1-based column and length in characters. The YAML parser reports such a
/// key only as "simple key expected ':'" or "mapping values are not allowed".
fn long_key(text: &str, line: usize) -> Option<(usize, usize, usize)> {
    let lines: Vec<&str> = text.lines().take(line).collect();
    let from = line.saturating_sub(2);
    for (i, l) in lines.iter().enumerate().skip(from) {
        let mut rest = l.trim_start_matches(' ');
        while let Some(r) = rest.strip_prefix("- ") {
            rest = r.trim_start_matches(' ');
        }
        let start = l.len() - rest.len();
        let Some(end) = rest
            .find(": ")
            .or_else(|| rest.strip_suffix(':').map(str::len))
            .or_else(|| (!rest.contains(':')).then_some(rest.len()))
        else {
            continue;
        };
        let key = &rest[..end];
        let n = key.chars().count();
        if n > MAX_KEY_CHARS && !key.starts_with('#') {
            return Some((i + 1, l[..start].chars().count() + 1, n));
        }
    }
    None
}

/// Parses YAML text into a spanned tree.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    match serde_saphyr::from_str::<Spanned<Value>>(text) {
        Ok(s) => Ok(spanned_node(s)),
        Err(e) => {
            let loc = e.location();
            let message = e.to_string();
            // The first line of serde-saphyr's message is the description; the rest is a snippet.
            let mut first = message.lines().next().unwrap_or("invalid YAML").trim();
            first = first.strip_prefix("error: ").unwrap_or(first);
            // Drop its own "line N column M: " (the position is reported separately).
            if let Some(rest) = first
                .strip_prefix("line ")
                .and_then(|r| r.split_once(": "))
                .map(|(_, r)| r)
            {
                first = rest;
            }
            let first = if let Some(k) = first.strip_prefix("duplicate mapping key: ") {
                format!(
                    "the key `{}` appears twice in the same mapping",
                    crate::diag::excerpt(k.split(',').next().unwrap_or(k).trim(), 60)
                )
            } else if let Some(breach) = first.strip_prefix("budget breached: ") {
                budget_message(breach)
            } else if let Some(rest) = first.strip_prefix("non-finite float ") {
                format!(
                    "{} is not a finite number; every number in a spec must be finite",
                    crate::diag::excerpt(rest.split(' ').next().unwrap_or(rest), 40)
                )
            } else if first == "recursion limit exceeded" {
                budget_message("Depth")
            } else if first.starts_with("recursive references require") {
                "an alias (`*name`) refers to the anchor that contains it; a spec cannot refer to itself".to_string()
            } else if first.starts_with("multiple YAML documents detected") {
                "the file holds more than one YAML document (a line `---` starts another); a spec is one document".to_string()
            } else {
                crate::diag::excerpt(first, 300)
            };
            let line = loc.map(|l| l.line() as usize).filter(|&l| l > 0);
            if let Some((line, column, n)) = line.and_then(|l| long_key(text, l)) {
                return Err(SyntaxError {
                    line: Some(line),
                    column: Some(column),
                    message: format!(
                        "a mapping key of {n} characters; YAML allows keys of at most {MAX_KEY_CHARS} characters"
                    ),
                    hint: Some(
                        "spec keys are short names (`metareport schema` lists them); a long text is a value, as in `title: …`".into(),
                    ),
                });
            }
            Err(SyntaxError {
                line,
                column: loc.map(|l| l.column() as usize).filter(|&c| c > 0),
                message: first,
                hint: None,
            })
        }
    }
}

/// What a breach of serde-saphyr's resource budget means for a spec (`breach` is its
/// description, e.g. "Nodes { nodes: 250001 }").
fn budget_message(breach: &str) -> String {
    let b = serde_saphyr::Budget::default();
    let kind = breach.split_whitespace().next().unwrap_or_default();
    match kind {
        "Nodes" => format!(
            "the spec expands to more than {} nodes (YAML aliases?); keep large tables in a data file",
            b.max_nodes
        ),
        "Aliases" => format!(
            "the spec uses more than {} aliases (`*name`); a review spec needs few",
            b.max_aliases
        ),
        "Anchors" => format!(
            "the spec defines more than {} anchors (`&name`); a review spec needs few",
            b.max_anchors
        ),
        "Depth" => format!(
            "the spec is nested more than {} levels deep; a review spec is a few levels deep",
            b.max_depth
        ),
        "Events" => format!(
            "the spec has more than {} YAML elements; keep large tables in a data file",
            b.max_events
        ),
        "Documents" => "the file holds more than one YAML document (a line `---` starts another); a spec is one document".to_string(),
        _ => format!(
            "the spec is too large or too deeply nested to read (YAML limit: {})",
            crate::diag::excerpt(breach, 80)
        ),
    }
}

/// Converts the tree to JSON, recording the position of every field path.
pub fn to_json(
    node: &Node,
    path: &str,
    positions: &mut BTreeMap<String, (usize, usize)>,
) -> serde_json::Value {
    positions.insert(path.to_string(), (node.line, node.column));
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        // JSON has no infinity or NaN: kept as text ("inf"), which a number cell then refuses
        // as not finite, rather than as an empty cell.
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or_else(
            || serde_json::Value::String(f.to_string()),
            serde_json::Value::Number,
        ),
        Value::Str(s) => serde_json::Value::String(s.clone()),
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| to_json(n, &format!("{path}[{i}]"), positions))
            .collect(),
        Value::Map(entries) => {
            let mut m = serde_json::Map::new();
            for (k, _, v) in entries {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                m.insert(k.clone(), to_json(v, &p, positions));
            }
            serde_json::Value::Object(m)
        }
    }
}
