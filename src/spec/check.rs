//! Checks a YAML tree against the spec's JSON Schema, reporting every problem at once (unknown
//! keys with a "did you mean", wrong types, unknown values, missing keys), and converts it to
//! JSON for typed deserialisation.
//!
//! Supports the subset of JSON Schema that `schemars` generates for the spec types: `$ref`,
//! `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
//! `oneOf`/`anyOf`, `minimum`/`maximum`.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::yaml::{Node, Value};
use crate::diag::{Diagnostic, did_you_mean, excerpt};

/// Checks `node` against `schema`; returns the JSON value and the positions of every path.
pub struct Checker<'a> {
    root: &'a Json,
    file: &'a str,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// Position of every field path that was converted.
    pub positions: BTreeMap<String, (usize, usize)>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a> Checker<'a> {
    pub fn new(root: &'a Json, file: &'a str) -> Self {
        Checker {
            root,
            file,
            diagnostics: Vec::new(),
            positions: BTreeMap::new(),
        }
    }

    fn resolve(&self, schema: &'a Json) -> &'a Json {
        match schema.get("$ref").and_then(Json::as_str) {
            Some(r) => {
                let name = r.trim_start_matches("#/$defs/");
                self.resolve(&self.root["$defs"][name])
            }
            None => schema,
        }
    }

    fn error(
        &mut self,
        node_pos: (usize, usize),
        path: &str,
        message: String,
        hint: Option<String>,
    ) {
        let mut d = Diagnostic::file(self.file, message)
            .at(node_pos.0, node_pos.1)
            .field(excerpt(path, 2 * QUOTED));
        d.hint = hint;
        self.diagnostics.push(d);
    }

    /// Checks and converts a node.
    pub fn convert(&mut self, node: &Node, schema: &'a Json, path: &str) -> Json {
        let schema = self.resolve(schema);
        self.positions
            .insert(path.to_string(), (node.line, node.column));
        if schema == &Json::Bool(true)
            || schema
                .as_object()
                .is_some_and(|o| o.keys().all(|k| k == "description" || k == "default"))
        {
            return plain(node);
        }
        if let Some(branches) = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Json::as_array)
        {
            return self.alternatives(node, schema, branches, path);
        }
        if let Some(values) = schema.get("enum").and_then(Json::as_array) {
            return self.one_of_values(node, values, path);
        }
        if let Some(c) = schema.get("const") {
            return self.one_of_values(node, std::slice::from_ref(c), path);
        }
        let types = types_of(schema);
        let pos = (node.line, node.column);
        match &node.value {
            Value::Map(entries) if types.contains(&"object") => {
                self.object(node, entries, schema, path)
            }
            Value::Seq(items) if types.contains(&"array") => {
                let item_schema = schema.get("items").unwrap_or(&Json::Bool(true));
                Json::Array(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, n)| self.convert(n, item_schema, &format!("{path}[{i}]")))
                        .collect(),
                )
            }
            Value::Null if types.contains(&"null") => Json::Null,
            Value::Bool(b) if types.contains(&"boolean") => Json::Bool(*b),
            Value::Int(i) if types.contains(&"integer") || types.contains(&"number") => {
                if i.unsigned_abs() > MAX_EXACT_INTEGER {
                    self.error(pos, path, too_large(&i.to_string()), None);
                    return Json::Null;
                }
                self.range(schema, *i as f64, pos, path);
                Json::from(*i)
            }
            // `.inf` and `.nan` are YAML numbers, but no setting can use them.
            Value::Float(f)
                if !f.is_finite() && (types.contains(&"number") || types.contains(&"integer")) =>
            {
                self.error(
                    pos,
                    path,
                    format!("expected a finite number, found {f}"),
                    None,
                );
                Json::Null
            }
            Value::Float(f) if types.contains(&"number") => {
                self.range(schema, *f, pos, path);
                serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number)
            }
            Value::Float(f) if types.contains(&"integer") && f.fract() == 0.0 => {
                if f.abs() > MAX_EXACT_INTEGER as f64 {
                    self.error(pos, path, too_large(&crate::diag::number(*f)), None);
                    return Json::Null;
                }
                self.range(schema, *f, pos, path);
                Json::from(*f as i64)
            }
            Value::Str(s) if types.contains(&"string") => {
                if let Some(bad) = crate::diag::forbidden_char(s) {
                    self.error(
                        pos,
                        path,
                        crate::diag::forbidden_char_message("the text", bad),
                        None,
                    );
                }
                Json::String(s.clone())
            }
            // A scalar where text is expected is taken as text (`title: 2024`).
            Value::Int(i) if types.contains(&"string") => Json::String(i.to_string()),
            Value::Float(f) if types.contains(&"string") => Json::String(f.to_string()),
            Value::Bool(b) if types.contains(&"string") => Json::String(b.to_string()),
            v => {
                let expected = types
                    .iter()
                    .filter(|t| **t != "null")
                    .map(|t| describe_type(t))
                    .collect::<Vec<_>>()
                    .join(" or ");
                self.error(
                    pos,
                    path,
                    format!("expected {expected}, found {}", found(v)),
                    None,
                );
                Json::Null
            }
        }
    }

    fn range(&mut self, schema: &Json, x: f64, pos: (usize, usize), path: &str) {
        if let Some(min) = schema.get("minimum").and_then(Json::as_f64)
            && x < min
        {
            self.error(
                pos,
                path,
                format!(
                    "must be at least {}, found {}",
                    crate::diag::number(min),
                    crate::diag::number(x)
                ),
                None,
            );
        }
        if let Some(max) = schema.get("maximum").and_then(Json::as_f64)
            && x > max
        {
            self.error(
                pos,
                path,
                format!(
                    "must be at most {}, found {}",
                    crate::diag::number(max),
                    crate::diag::number(x)
                ),
                None,
            );
        }
    }

    fn object(
        &mut self,
        node: &Node,
        entries: &[(String, (usize, usize), Node)],
        schema: &'a Json,
        path: &str,
    ) -> Json {
        static EMPTY: std::sync::LazyLock<serde_json::Map<String, Json>> =
            std::sync::LazyLock::new(serde_json::Map::new);
        let props: &'a serde_json::Map<String, Json> = schema
            .get("properties")
            .and_then(Json::as_object)
            .unwrap_or(&EMPTY);
        let additional = schema.get("additionalProperties");
        let mut out = serde_json::Map::new();
        for (key, kpos, value) in entries {
            let p = join(path, key);
            match props.get(key) {
                Some(s) => {
                    let v = self.convert(value, s, &p);
                    out.insert(key.clone(), v);
                }
                None => match additional {
                    Some(Json::Bool(false)) => {
                        let known: Vec<&str> = props.keys().map(String::as_str).collect();
                        let hint = match did_you_mean(key, known.iter().copied()) {
                            Some(m) => format!("did you mean `{m}`?"),
                            None => format!("expected one of: {}", known.join(", ")),
                        };
                        self.error(
                            *kpos,
                            &p,
                            format!("unknown key `{}`", excerpt(key, QUOTED)),
                            Some(hint),
                        );
                    }
                    Some(s) => {
                        let v = self.convert(value, s, &p);
                        out.insert(key.clone(), v);
                    }
                    None => {
                        out.insert(key.clone(), plain(value));
                    }
                },
            }
        }
        if let Some(req) = schema.get("required").and_then(Json::as_array) {
            for r in req.iter().filter_map(Json::as_str) {
                if !entries.iter().any(|(k, _, _)| k == r) {
                    let what = props
                        .get(r)
                        .and_then(|s| s.get("description"))
                        .and_then(Json::as_str)
                        .map(|d| format!(" ({})", d.trim_end_matches('.')));
                    self.error(
                        (node.line, node.column),
                        path,
                        format!("missing required key `{r}`{}", what.unwrap_or_default()),
                        None,
                    );
                }
            }
        }
        Json::Object(out)
    }

    fn one_of_values(&mut self, node: &Node, values: &[Json], path: &str) -> Json {
        let given = plain(node);
        // Accept the value itself, or a scalar whose text is one of the values (`measure: OR`).
        let text = match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        if let Some(v) = values
            .iter()
            .find(|v| **v == given || (text.is_some() && v.as_str() == text.as_deref()))
        {
            return v.clone();
        }
        // YAML 1.1 reads `no` and `yes` as booleans: a value named `no` or `yes` is meant.
        if let Value::Bool(b) = node.value {
            let word = if b { "yes" } else { "no" };
            if let Some(v) = values.iter().find(|v| v.as_str() == Some(word)) {
                return v.clone();
            }
        }
        let names: Vec<&str> = values.iter().filter_map(Json::as_str).collect();
        let shown = match &node.value {
            Value::Str(s) => format!("`{}`", excerpt(s, QUOTED)),
            v => found(v),
        };
        let hint = text
            .as_deref()
            .and_then(|t| did_you_mean(t, names.iter().copied()))
            .map(|m| format!("did you mean `{m}`?"));
        self.error(
            (node.line, node.column),
            path,
            format!(
                "unknown value {shown}; expected one of: {}",
                names.join(", ")
            ),
            hint,
        );
        Json::Null
    }

    fn alternatives(
        &mut self,
        node: &Node,
        schema: &'a Json,
        branches: &'a [Json],
        path: &str,
    ) -> Json {
        // All-constant alternatives are an enumeration.
        let consts: Vec<Json> = branches
            .iter()
            .filter_map(|b| self.resolve(b).get("const").cloned())
            .collect();
        let nulls = branches
            .iter()
            .filter(|b| types_of(self.resolve(b)) == ["null"])
            .count();
        if !consts.is_empty()
            && consts.len() + nulls == branches.len()
            && !matches!(node.value, Value::Null)
        {
            return self.one_of_values(node, &consts, path);
        }
        let _ = schema;
        // Otherwise take the first branch that accepts the node without errors...
        for b in branches {
            let mut trial = Checker::new(self.root, self.file);
            let v = trial.convert(node, b, path);
            if trial.diagnostics.is_empty() {
                self.positions.extend(trial.positions);
                return v;
            }
        }
        // ...or report the errors of the branch that is not `null`.
        let best = branches
            .iter()
            .find(|b| types_of(self.resolve(b)) != ["null"])
            .unwrap_or(&branches[0]);
        self.convert(node, best, path)
    }
}

/// Whole numbers beyond 2^53 are refused (no count in a review is near it, and beyond it a
/// number is not exact).
const MAX_EXACT_INTEGER: u64 = 1 << 53;

fn too_large(x: &str) -> String {
    format!("the number {x} is too large (at most {MAX_EXACT_INTEGER})")
}

/// How many characters of a value a message quotes.
const QUOTED: usize = 60;

fn types_of(schema: &Json) -> Vec<&str> {
    match schema.get("type") {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
        _ if schema.get("$ref").is_some() || schema.get("properties").is_some() => vec!["object"],
        _ => vec![],
    }
}

fn describe_type(t: &str) -> &'static str {
    match t {
        "object" => "a mapping (key: value)",
        "array" => "a list",
        "string" => "text",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        _ => "a value",
    }
}

fn found(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("text \"{}\"", excerpt(s, QUOTED)),
        Value::Int(i) => format!("the number {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Bool(b) => format!("{b}"),
        other => other.kind().to_string(),
    }
}

/// Converts a node without a schema.
fn plain(node: &Node) -> Json {
    let mut ignored = BTreeMap::new();
    super::yaml::to_json(node, "", &mut ignored)
}
