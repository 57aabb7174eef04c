//! Each context names settings in its own words: a spec's messages name spec keys
//! (`outcomes[0].model.tau2`, `columns:`), `metareport pool`'s name its flags (`--tau2`,
//! `--column NAME=COLUMN`); cells of a data file are named by the file's own columns in both.

/// Where the settings a message names were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    /// A review spec (YAML).
    Spec,
    /// The flags of `metareport pool`.
    CommandLine,
}

impl Vocabulary {
    /// How to name a spec key in a message's text (`columns` → "`columns:`" in a spec,
    /// "--column NAME=COLUMN" on the command line).
    pub fn key(self, key: &str) -> String {
        match self {
            Vocabulary::Spec => format!("`{key}:`"),
            Vocabulary::CommandLine => match key {
                "columns" => "--column NAME=COLUMN".into(),
                other => format!("--{}", other.replace('_', "-")),
            },
        }
    }

    /// How to name a message's field: unchanged in a spec; on the command line, the flag that
    /// sets a spec field (`outcomes[0].model.tau2` → `--tau2`, `outcomes[0].columns.yi` →
    /// `--column yi=…`). A field that is not a spec key (a data file's `column `events_t``)
    /// is left as it is; `None` for a field no flag sets (the outcome as a whole).
    pub fn field(self, field: &str) -> Option<String> {
        if self == Vocabulary::Spec {
            return Some(field.to_string());
        }
        let spec_key = field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c));
        if !spec_key {
            return Some(field.to_string());
        }
        if let Some((_, column)) = field.split_once(".columns.") {
            return Some(format!("--column {column}=…"));
        }
        let last = field.rsplit('.').next().unwrap_or(field);
        if last.starts_with("outcomes[") {
            return None;
        }
        let last = last.split('[').next().unwrap_or(last);
        let flag = match last {
            "studies" => "exclude",
            "by" => "cumulative-by",
            "column" => "subgroup",
            "add" => "continuity-add",
            "to" => "continuity-to",
            "kind" => "continuity-kind",
            "rule" => "rule-fixed-at-least",
            other => other,
        };
        Some(format!("--{}", flag.replace('_', "-")))
    }
}

#[cfg(test)]
mod tests {
    use super::Vocabulary::{CommandLine, Spec};

    #[test]
    fn each_context_names_its_own_settings() {
        assert_eq!(Spec.key("columns"), "`columns:`");
        assert_eq!(CommandLine.key("columns"), "--column NAME=COLUMN");
        assert_eq!(CommandLine.key("input"), "--input");
        assert_eq!(
            CommandLine.field("outcomes[0].model.tau2").unwrap(),
            "--tau2"
        );
        assert_eq!(
            CommandLine
                .field("outcomes[0].sensitivity.exclude[0].studies[1]")
                .unwrap(),
            "--exclude"
        );
        assert_eq!(
            CommandLine.field("outcomes[0].columns.events_t").unwrap(),
            "--column events_t=…"
        );
        assert_eq!(CommandLine.field("outcomes[0]"), None);
        // A data file's column is named as the file names it, in both contexts.
        for v in [Spec, CommandLine] {
            assert_eq!(v.field("column `events_c`").unwrap(), "column `events_c`");
        }
        assert_eq!(
            Spec.field("outcomes[0].model.tau2").unwrap(),
            "outcomes[0].model.tau2"
        );
    }
}
