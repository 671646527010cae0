//! What a person decided about a form: the contract's `verdicts[]` and
//! `verification`, and the line of `OUT/verdicts.jsonl` that keeps each
//! decision across runs.
//!
//! Machine changes are `repairs`, machine doubts `warnings`, human
//! decisions verdicts. A verdict names the field, the machine's reading it
//! was made on (`before`) and the settled value (`after`); an acceptance
//! has `after == before`. Values are JSON as the field holds them (a text,
//! an amount's decimal string, a year number, `null`), except a target
//! value, which is its printed text, and an indicator row, which is
//! `{level1, level2, name, value}` with the value's text.

use crate::path::FieldPath;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One decision on one field of one form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub path: FieldPath,
    /// The reading the person saw (`null` for an indicator row added).
    pub before: Value,
    /// The settled value (`null` for an indicator row removed).
    pub after: Value,
    /// Who decided.
    pub by: String,
    /// When, RFC 3339 in UTC.
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Verdict {
    /// Whether the verdict accepts the reading as it is.
    pub fn is_acceptance(&self) -> bool {
        self.before == self.after
    }
}

/// `verification`: how far a person has settled the form's doubts.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Verification {
    /// No verdict yet.
    Unverified,
    /// Some doubts settled, some not.
    Partly,
    /// Every doubt of the form settled by a person.
    Verified,
}

impl Verification {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Which form of which file a verdict belongs to: the file by its content
/// (a verdict follows the bytes, not the file's name) and the form's order
/// in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FormKey {
    /// SHA-256 of the input file, lower-case hex.
    pub sha256: String,
    /// 1-based order of the form in its file.
    pub form_index: u32,
}

/// One line of `OUT/verdicts.jsonl`: a verdict and the form it is on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedVerdict {
    #[serde(flatten)]
    pub form: FormKey,
    /// The input's path relative to the input root when the verdict was
    /// made (for a person reading the log; the key is the SHA-256).
    pub source: String,
    #[serde(flatten)]
    pub verdict: Verdict,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_logged_verdict_is_one_flat_json_object() {
        let line = LoggedVerdict {
            form: FormKey {
                sha256: "ab".into(),
                form_index: 2,
            },
            source: "a/b.pdf".into(),
            verdict: Verdict {
                path: "project.department".parse().unwrap(),
                before: json!("壁山区"),
                after: json!("璧山区"),
                by: "archivist".into(),
                at: "2026-12-06T14:00:00Z".into(),
                note: None,
            },
        };
        let value = serde_json::to_value(&line).unwrap();
        assert_eq!(value["path"], "project.department");
        assert_eq!(value["form_index"], 2);
        assert_eq!(value["after"], "璧山区");
        let back: LoggedVerdict = serde_json::from_value(value).unwrap();
        assert_eq!(back, line);
        assert!(!line.verdict.is_acceptance());
        for &v in <Verification as strum::VariantArray>::VARIANTS {
            assert_eq!(
                serde_json::to_value(v).unwrap(),
                Value::String(v.as_str().into())
            );
        }
    }
}
