//! The inputs that changed between two versions of a review: spec keys (compared as parsed
//! YAML trees, so a comment or a layout change is no change), the study rows of each outcome
//! (as bound for the analysis, by study label), the rows of Table 1, the files read (by the
//! hashes the build's keys use) and the templates.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::report::render::Templates;
use crate::spec::Spec;

/// A value in each version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change<T> {
    pub old: T,
    pub new: T,
}

/// A spec key whose value changed (none: not in that version).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyChange {
    /// "outcomes[mortality].model.tau2".
    pub path: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// A field of a row that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// A row in one version only, with its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub study: String,
    /// "events_t 3, total_t 100, …".
    pub values: String,
}

/// A row edited in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowEdit {
    pub study: String,
    pub fields: Vec<FieldChange>,
}

/// The rows of a table (an outcome's studies, or Table 1) that changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rows {
    pub added: Vec<Row>,
    pub removed: Vec<Row>,
    pub edited: Vec<RowEdit>,
    /// The same rows in another order.
    pub reordered: bool,
}

impl Rows {
    fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.edited.is_empty()
            && !self.reordered
    }
}

/// The study rows of one outcome that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeRows {
    pub outcome: String,
    /// The data file (in the new version), if not inline.
    pub data_file: Option<String>,
    #[serde(flatten)]
    pub rows: Rows,
}

/// A file read by the build whose bytes differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    pub path: String,
    /// "changed", "added" or "removed".
    pub change: &'static str,
}

/// A template that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateChange {
    /// "templates/results.typ.j2" for a project's override.
    pub name: String,
    /// "changed", "added" (a new override) or "removed".
    pub change: &'static str,
}

/// The inputs of one review that changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Inputs {
    pub spec: Vec<KeyChange>,
    pub data: Vec<OutcomeRows>,
    /// Rows of Table 1 (the studies table), keyed by their first cell.
    pub studies_table: Option<Rows>,
    /// Files whose bytes differ, as the build's keys see them (for information: a comment in
    /// the spec changes its file but nothing in the paper).
    pub files: Vec<FileChange>,
}

impl Inputs {
    /// True when an input that can change the paper changed.
    pub fn changed(&self) -> bool {
        !self.spec.is_empty() || !self.data.is_empty() || self.studies_table.is_some()
    }
}

/// The inputs of a review in two versions (`*_tree`: the spec's YAML as JSON).
pub fn inputs(old: &Spec, old_tree: &Value, new: &Spec, new_tree: &Value) -> Inputs {
    let mut spec = Vec::new();
    tree_diff(Some(old_tree), Some(new_tree), "", &mut spec);
    let mut data = Vec::new();
    for o in &new.outcomes {
        let Some(p) = old.outcomes.iter().find(|p| p.id == o.id) else {
            continue;
        };
        let rows = rows(
            &p.studies.iter().map(study_row).collect::<Vec<_>>(),
            &o.studies.iter().map(study_row).collect::<Vec<_>>(),
        );
        if !rows.is_empty() {
            data.push(OutcomeRows {
                outcome: o.id.clone(),
                data_file: o.data_file.clone(),
                rows,
            });
        }
    }
    let table = |s: &Spec| -> Vec<(String, Vec<(String, String)>)> {
        s.studies.as_ref().map_or_else(Vec::new, |t| {
            t.rows
                .iter()
                .map(|r| {
                    let name = r.first().cloned().unwrap_or_default();
                    let fields = t
                        .headers
                        .iter()
                        .zip(r)
                        .skip(1)
                        .map(|(h, c)| (h.clone(), c.clone()))
                        .collect();
                    (name, fields)
                })
                .collect()
        })
    };
    let studies_table = Some(rows(&table(old), &table(new))).filter(|r| !r.is_empty());
    let mut files = Vec::new();
    for i in &new.inputs {
        match old.inputs.iter().find(|o| o.path == i.path) {
            Some(o) if o.blake3 != i.blake3 => files.push(FileChange {
                path: i.path.clone(),
                change: "changed",
            }),
            Some(_) => {}
            None => files.push(FileChange {
                path: i.path.clone(),
                change: "added",
            }),
        }
    }
    for o in &old.inputs {
        if !new.inputs.iter().any(|i| i.path == o.path) {
            files.push(FileChange {
                path: o.path.clone(),
                change: "removed",
            });
        }
    }
    Inputs {
        spec,
        data,
        studies_table,
        files,
    }
}

/// A study as (label, [(field, value)]): its subgroup and its data, as bound.
fn study_row(s: &crate::stats::StudyInput) -> (String, Vec<(String, String)>) {
    let mut fields = Vec::new();
    if let Some(g) = &s.subgroup {
        fields.push(("subgroup".to_string(), g.clone()));
    }
    if let Ok(Value::Object(m)) = serde_json::to_value(s.data) {
        for (k, v) in m {
            fields.push((k, scalar(&v)));
        }
    }
    (s.name.clone(), fields)
}

/// A number as written in a data file ("12", "0.5").
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
            Some(x) => format!("{x}"),
            None => n.to_string(),
        },
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

type Table = [(String, Vec<(String, String)>)];

/// Rows matched by name (a repeated name by its occurrence).
fn rows(old: &Table, new: &Table) -> Rows {
    let named = |t: &Table| -> Vec<String> {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut taken = std::collections::BTreeSet::new();
        let mut out: Vec<String> = Vec::with_capacity(t.len());
        for (name, _) in t {
            let n = seen.entry(name.as_str()).or_insert(0);
            let mut key = name.clone();
            while !taken.insert(key.clone()) {
                *n += 1;
                key = format!("{name} ({})", *n + 1);
            }
            out.push(key);
        }
        out
    };
    let (on, nn) = (named(old), named(new));
    let (oi, ni): (BTreeMap<&str, usize>, BTreeMap<&str, usize>) = (
        on.iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect(),
        nn.iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect(),
    );
    let values = |f: &[(String, String)]| {
        f.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut r = Rows::default();
    for (i, k) in nn.iter().enumerate() {
        match oi.get(k.as_str()).copied() {
            None => r.added.push(Row {
                study: k.clone(),
                values: values(&new[i].1),
            }),
            Some(j) => {
                let (a, b) = (&old[j].1, &new[i].1);
                let mut fields = Vec::new();
                for (f, v) in b {
                    let was = a.iter().find(|(g, _)| g == f).map(|(_, w)| w.as_str());
                    if was != Some(v.as_str()) {
                        fields.push(FieldChange {
                            field: f.clone(),
                            old: was.unwrap_or("—").to_string(),
                            new: v.clone(),
                        });
                    }
                }
                for (f, w) in a {
                    if !b.iter().any(|(g, _)| g == f) {
                        fields.push(FieldChange {
                            field: f.clone(),
                            old: w.clone(),
                            new: "—".into(),
                        });
                    }
                }
                if !fields.is_empty() {
                    r.edited.push(RowEdit {
                        study: k.clone(),
                        fields,
                    });
                }
            }
        }
    }
    for (j, k) in on.iter().enumerate() {
        if !ni.contains_key(k.as_str()) {
            r.removed.push(Row {
                study: k.clone(),
                values: values(&old[j].1),
            });
        }
    }
    // The same studies in another order (a cumulative analysis depends on it).
    let common_old: Vec<&String> = on.iter().filter(|k| ni.contains_key(k.as_str())).collect();
    let common_new: Vec<&String> = nn.iter().filter(|k| oi.contains_key(k.as_str())).collect();
    r.reordered = common_old != common_new;
    r
}

/// Two YAML trees (as JSON): the keys whose values differ. Mappings by key; lists of mappings
/// with an `id` by id; other lists of mappings of the same length item by item; any other
/// list as a whole. Numbers compare by value (`1` equals `1.0`).
fn tree_diff(old: Option<&Value>, new: Option<&Value>, path: &str, out: &mut Vec<KeyChange>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            for (k, v) in a {
                tree_diff(Some(v), b.get(k), &join(k), out);
            }
            for (k, v) in b {
                if !a.contains_key(k) {
                    tree_diff(None, Some(v), &join(k), out);
                }
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b)))
            if a.iter()
                .chain(b)
                .all(|v| v.get("id").is_some_and(Value::is_string)) =>
        {
            let id = |v: &Value| {
                v.get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            for x in a {
                let y = b.iter().find(|y| id(y) == id(x));
                tree_diff(Some(x), y, &format!("{path}[{}]", id(x)), out);
            }
            for y in b {
                if !a.iter().any(|x| id(x) == id(y)) {
                    tree_diff(None, Some(y), &format!("{path}[{}]", id(y)), out);
                }
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b)))
            if a.len() == b.len() && a.iter().chain(b).all(Value::is_object) =>
        {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                tree_diff(Some(x), Some(y), &format!("{path}[{i}]"), out);
            }
        }
        (a, b) => {
            if !same(a, b) {
                out.push(KeyChange {
                    path: path.to_string(),
                    old: a.cloned(),
                    new: b.cloned(),
                });
            }
        }
    }
}

fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(Some(p), Some(q)))
        }
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            x.len() == y.len() && x.iter().all(|(k, v)| same(Some(v), y.get(k)))
        }
        _ => a == b,
    }
}

/// The templates that differ between two versions (only a project's own can).
pub fn templates(old: &Templates, new: &Templates) -> Vec<TemplateChange> {
    let label = |n: &str, t: &Templates| {
        let own = format!("templates/{n}");
        if t.overridden.contains(&own) {
            own
        } else {
            format!("built-in {n}")
        }
    };
    let mut out = Vec::new();
    let mut names: Vec<&String> = old.sources.keys().chain(new.sources.keys()).collect();
    names.sort();
    names.dedup();
    for n in names {
        let own = format!("templates/{n}");
        let (was, is) = (old.overridden.contains(&own), new.overridden.contains(&own));
        let change = match (old.sources.get(n), new.sources.get(n)) {
            (Some(a), Some(b)) if a == b => continue,
            // A project's override of a built-in template appeared or went.
            (Some(_), Some(_)) if is && !was => "added",
            (Some(_), Some(_)) if was && !is => "removed",
            (Some(_), Some(_)) => "changed",
            (None, _) => "added",
            (_, None) => "removed",
        };
        let name = if old.overridden.contains(&own) || new.overridden.contains(&own) {
            own
        } else {
            label(n, new)
        };
        out.push(TemplateChange { name, change });
    }
    if old.references != new.references {
        let own = "templates/references.yml".to_string();
        let (was, is) = (old.overridden.contains(&own), new.overridden.contains(&own));
        out.push(TemplateChange {
            name: own,
            change: match (was, is) {
                (false, true) => "added",
                (true, false) => "removed",
                _ => "changed",
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spec_keys_by_path_outcomes_by_id() {
        let a = json!({"title": "T", "outcomes": [{"id": "m", "model": {"tau2": "DL", "rule": {"fixed_if_p_at_least": 0.5}}}, {"id": "x"}]});
        let b = json!({"title": "T", "outcomes": [{"id": "m", "model": {"tau2": "REML", "rule": {"fixed_if_p_at_least": 0.50}}}, {"id": "y"}]});
        let mut out = Vec::new();
        tree_diff(Some(&a), Some(&b), "", &mut out);
        let paths: Vec<&str> = out.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            ["outcomes[m].model.tau2", "outcomes[x]", "outcomes[y]"]
        );
        assert_eq!(out[0].new, Some(json!("REML")));
        assert_eq!(out[1].new, None);
    }

    #[test]
    fn rows_added_removed_edited_by_name() {
        let t = |rows: &[(&str, &str)]| -> Vec<(String, Vec<(String, String)>)> {
            rows.iter()
                .map(|(n, v)| (n.to_string(), vec![("events_t".to_string(), v.to_string())]))
                .collect()
        };
        let r = rows(
            &t(&[("A", "1"), ("B", "2"), ("C", "3")]),
            &t(&[("A", "1"), ("B", "5"), ("D", "4")]),
        );
        assert_eq!(r.added[0].study, "D");
        assert_eq!(r.added[0].values, "events_t 4");
        assert_eq!(r.removed[0].study, "C");
        assert_eq!(
            r.edited,
            [RowEdit {
                study: "B".into(),
                fields: vec![FieldChange {
                    field: "events_t".into(),
                    old: "2".into(),
                    new: "5".into()
                }]
            }]
        );
        assert!(!r.reordered);
        let r = rows(&t(&[("A", "1"), ("B", "2")]), &t(&[("B", "2"), ("A", "1")]));
        assert!(r.reordered && r.edited.is_empty());
    }
}
