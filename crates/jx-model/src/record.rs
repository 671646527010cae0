//! The form record: the output contract (`schema/project.v1.schema.json`) as
//! serde types. Field order here is the key order of every JSON written, so a
//! change to this file shows up as a golden-test diff.

use crate::diagnostics::Diagnostic;
use crate::money::Money;
use crate::page::Extraction;
use crate::path::FieldPath;
use crate::verdict::{Verdict, Verification};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The contract's version, written as `schema_version`.
pub const SCHEMA_VERSION: u32 = 1;

/// One 财政项目支出绩效目标申报表, ready to be written as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormRecord {
    pub schema_version: u32,
    pub source: Source,
    pub document_title: Option<String>,
    /// As printed; null where no title is printed above the form (with a
    /// `missing_field` warning), never a title the file does not hold.
    pub form_title: Option<String>,
    pub year: Option<i32>,
    pub project: Project,
    pub funds: Funds,
    pub goals: Goals,
    pub indicators: Vec<Indicator>,
    pub repairs: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// What a person decided, in order (absent until someone decides).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verdicts: Vec<Verdict>,
    /// How far a person settled the doubts; absent until someone decides
    /// (the database says `unverified` then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
    /// Where each field was read: JSON path → page and box, in the paths'
    /// text order ([`FieldPath`]'s `Ord`), as the contract writes them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub provenance: BTreeMap<FieldPath, Provenance>,
}

/// Which file, which form in it, which pages, and how it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Input path relative to the input root, `/`-separated.
    pub path: String,
    /// Lower-case hex SHA-256 of the input file.
    pub sha256: String,
    /// 1-based order of this form in its file.
    pub form_index: u32,
    /// 1-based pages the form's table occupies, ascending.
    pub pages: Vec<u32>,
    /// Whether the form came from the text layer, OCR, or both (`mixed`).
    pub extraction: Extraction,
}

/// 项目名称 … 计划完成日期.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// 项目名称; null where the form shows no such label or its cell is
    /// blank (with a `missing_field` warning), never `""`. The same for the
    /// four fields below.
    pub name: Option<String>,
    pub nature: Option<String>,
    pub category: Option<String>,
    pub department: Option<String>,
    pub implementer: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// 项目资金: both column groups, in yuan, written as the contract's decimal
/// strings ([`Money`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Funds {
    pub project_total: ProjectTotal,
    pub annual: Annual,
}

/// The left column group: 项目资金总额, 其中：财政资金, 其他资金.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectTotal {
    pub total: Option<Money>,
    pub fiscal: Option<Money>,
    pub other: Option<Money>,
}

/// The right column group: 年度资金申请总额, 当年财政拨款, 上年结转资金, 其他资金.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Annual {
    pub total: Option<Money>,
    pub appropriation: Option<Money>,
    pub carryover: Option<Money>,
    pub other: Option<Money>,
}

/// 项目总目标 and 年度总体目标.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Goals {
    pub overall: Option<String>,
    pub annual: Option<String>,
}

/// One row of the 绩效指标 table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub value: IndicatorValue,
}

/// A target value as printed and parsed: `≥85.00(%)` → `≥`, `85.00`, `%`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    pub text: String,
    pub op: Option<String>,
    pub number: Option<String>,
    pub unit: Option<String>,
}

/// Where a field was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// 1-based page.
    pub page: u32,
    /// `[x0, y0, x1, y1]` in points from the page's top-left.
    pub bbox: [f64; 4],
    /// OCR confidence 0..1; absent for text-layer fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

impl Provenance {
    /// Whether OCR read the field (it has a confidence), not the text layer.
    pub fn read_by_ocr(&self) -> bool {
        self.confidence.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_is_written_in_the_text_order_of_its_paths() {
        let at = |page| Provenance {
            page,
            bbox: [1.0, 2.0, 3.0, 4.0],
            confidence: None,
        };
        let provenance: BTreeMap<FieldPath, Provenance> = [
            (FieldPath::indicator(2).key("value"), at(1)),
            (FieldPath::indicator(10).key("value"), at(2)),
            (FieldPath::of(&["project", "name"]), at(3)),
        ]
        .into_iter()
        .collect();
        let json = serde_json::to_string(&provenance).unwrap();
        let keys = [
            "indicators[10].value",
            "indicators[2].value",
            "project.name",
        ];
        let at_of = |k: &str| json.find(&format!("\"{k}\"")).unwrap();
        assert!(keys.windows(2).all(|w| at_of(w[0]) < at_of(w[1])), "{json}");
        let back: BTreeMap<FieldPath, Provenance> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, provenance);
    }
}
