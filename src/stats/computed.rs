//! `Computed<T>`: a statistic, or the stated reason it is absent — never NaN.

use serde::Serialize;

/// A value, or why it could not be computed (too few studies, no pooled estimate, ...).
///
/// Serialises as the value itself, or as `{"absent": "reason"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Computed<T> {
    /// The statistic.
    Value(T),
    /// Why it is absent.
    Absent {
        /// The reason, in words a reader of the report understands.
        absent: String,
    },
}

impl<T> Computed<T> {
    /// An absent value with its reason.
    pub fn absent(reason: impl Into<String>) -> Self {
        Computed::Absent {
            absent: reason.into(),
        }
    }

    /// The value, if present.
    pub fn value(&self) -> Option<&T> {
        match self {
            Computed::Value(v) => Some(v),
            Computed::Absent { .. } => None,
        }
    }

    /// The reason, if absent.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Computed::Value(_) => None,
            Computed::Absent { absent } => Some(absent),
        }
    }

    /// A value from an option, with the reason used when it is `None`.
    pub fn from_option(v: Option<T>, reason: impl Into<String>) -> Self {
        match v {
            Some(v) => Computed::Value(v),
            None => Computed::absent(reason),
        }
    }
}
