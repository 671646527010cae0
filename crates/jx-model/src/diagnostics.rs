//! Repairs and warnings: what the program changed and what it doubts, so an
//! archivist can audit every document.

use serde::{Deserialize, Serialize};

/// One repair or warning, as the contract's `repairs[]` / `warnings[]` objects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code of the rule that fired, e.g. `duplicate_glyphs`.
    pub kind: String,
    /// JSON path of the field concerned, e.g. `indicators[3].level1`.
    pub path: String,
    /// One sentence for a person.
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f64; 4]>,
}

impl Diagnostic {
    pub fn new(kind: &str, path: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            kind: kind.to_string(),
            path: path.into(),
            detail: detail.into(),
            before: None,
            after: None,
            page: None,
            bbox: None,
        }
    }

    /// Records the text before and after a repair.
    pub fn change(mut self, before: impl Into<String>, after: impl Into<String>) -> Self {
        self.before = Some(before.into());
        self.after = Some(after.into());
        self
    }

    /// Records where on which page the field was read.
    pub fn at(mut self, page: u32, bbox: [f64; 4]) -> Self {
        self.page = Some(page);
        self.bbox = Some(bbox);
        self
    }
}

/// Repairs and warnings collected beside a value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    pub repairs: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn repair(&mut self, d: Diagnostic) {
        self.repairs.push(d);
    }

    pub fn warn(&mut self, d: Diagnostic) {
        self.warnings.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.repairs.extend(other.repairs);
        self.warnings.extend(other.warnings);
    }
}
