//! Repairs and warnings: what the program changed and what it doubts, so an
//! archivist can audit every document.
//!
//! Every diagnostic carries a [`Code`]: a closed list whose serde names are
//! the stable `kind` strings of the output contract. This file is the one
//! place that lists them, each with what it means; the README's tables are
//! written from these doc comments.

use crate::path::FieldPath;
use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantArray};

/// Whether a diagnostic records a change (a repair) or a doubt (a warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The program changed something to undo a defect of the layout or of
    /// the recognition; `before`/`after` say what.
    Repair,
    /// The program doubts something and changed nothing.
    Warning,
}

/// The stable code of a rule that fired. Serialized as the contract's
/// `kind` (snake_case); never renamed once published.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    VariantArray,
    IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Code {
    // ---------------------------------------------------------------- repairs
    /// Text drawn again at (nearly) the same place, for fake bold or a
    /// shadow, was counted once.
    DuplicateGlyphs,
    /// An indicator row's 一级指标 was lost or shifted by the layout (a merged
    /// cell cut by a page break, a level-2 label in the level-1 column); the
    /// national taxonomy (财预〔2020〕10号) gives it back.
    LevelRestored,
    /// OCR read a form label or a taxonomy label one or two characters off;
    /// it was snapped to the closed vocabulary.
    LabelSnapped,
    /// OCR text where an amount must stand was mended by its pattern
    /// (look-alike letters for digits, stray marks).
    AmountRepaired,
    /// OCR text where a date must stand was mended by its pattern.
    DateRepaired,
    /// A grouping comma was lost or moved (`1094,910,000.00`): the digits are
    /// kept, the commas ignored. A repair from OCR, a warning from a text
    /// layer.
    AmountGroupingIgnored,
    /// A target value read by OCR was mended by its pattern `op number
    /// (unit)`: a look-alike in the operator slot, stray marks around `%`.
    ValueRepaired,
    /// OCR read an opening bracket as `〈`/`《`/`〔` where the closing one is
    /// round; the pair is made round again.
    BracketRepaired,
    /// OCR read stray marks (`，` `”` `.` `-` `|` …) at the head or tail of
    /// a name or label, where the form prints none; they are removed.
    StrayMarksRemoved,
    /// The funds block is printed in 万元; amounts are written in yuan.
    UnitConverted,
    /// The OCR engine changed its own reading from the pixels (e.g. `>` read
    /// by the recogniser, `≥` settled by the second stroke under the
    /// chevron).
    OcrRewritten,
    /// A page image was turned 90°, 180° or 270° (a sheet fed the wrong way)
    /// and read upright.
    PageTurned,
    // --------------------------------------------------------------- warnings
    /// Annual total ≠ appropriation + carryover + other, or project total ≠
    /// fiscal + other.
    FundsDoNotAddUp,
    /// The form prints an indicator under another level than the taxonomy
    /// (older templates put 成本指标 under 产出指标); kept as printed.
    HierarchyAsPrinted,
    /// An indicator level label that is not in the national taxonomy.
    UnknownIndicatorLabel,
    /// An amount cell whose text is not an amount; the field is null.
    UnparsableAmount,
    /// A date cell whose text is not a date; the field is null.
    UnparsableDate,
    /// The form shows no such label, or its cell is blank; the field is null.
    MissingField,
    /// A whole part of the form (the indicator table) was not found.
    MissingSection,
    /// OCR was unsure of this field (confidence under the threshold, or the
    /// engines disagreed); nothing was changed.
    LowOcrConfidence,
    /// A value read by OCR that fits its field's pattern but cannot be what
    /// a form prints: a count (户, 人, 个 …) with a fraction, a percentage
    /// over 100, a number with three decimals (a grouping comma read as a
    /// point), a date outside the form's year or a start after the end, an
    /// amount in sums that do not add up. Nothing was changed.
    ImplausibleValue,
    /// The same field (主管部门, 实施单位) was read a character or two
    /// differently on other forms of the same file: one of the readings is
    /// likely wrong (the detail names the others). Nothing was changed.
    VolumeDisagreement,
    /// A page of this form could not be read (lost, skipped after it stopped
    /// the reader, or its OCR failed): the form may be incomplete.
    PageLost,
    /// A person's verdict on this field (kept in `verdicts.jsonl`) was made
    /// on another reading than this run's: it was not applied; look again.
    /// `before` is the reading the verdict was made on, `after` its value.
    VerdictStale,
}

impl Code {
    /// Every code, in the order of this file (strum's `VARIANTS`, here so
    /// callers need not import strum's trait).
    pub const ALL: &'static [Code] = <Code as VariantArray>::VARIANTS;

    /// The stable name, as serialized (`duplicate_glyphs`): strum's
    /// snake_case name, which the test below holds equal to serde's.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Where a diagnostic of this code is listed when it is not told
    /// otherwise (`amount_grouping_ignored` is a repair from OCR and a
    /// warning from a text layer, so its caller chooses).
    pub fn default_severity(self) -> Severity {
        match self {
            Code::DuplicateGlyphs
            | Code::LevelRestored
            | Code::LabelSnapped
            | Code::AmountRepaired
            | Code::DateRepaired
            | Code::AmountGroupingIgnored
            | Code::ValueRepaired
            | Code::BracketRepaired
            | Code::StrayMarksRemoved
            | Code::UnitConverted
            | Code::OcrRewritten
            | Code::PageTurned => Severity::Repair,
            _ => Severity::Warning,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with the serialized name, so `d.kind == "level_restored"` reads
/// as the JSON does.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One repair or warning, as the contract's `repairs[]` / `warnings[]` objects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code of the rule that fired, e.g. `duplicate_glyphs`.
    pub kind: Code,
    /// JSON path of the field concerned, e.g. `indicators[3].level1`; the
    /// root for the whole form (a page lost or turned), written `""`.
    #[serde(with = "whole_form_empty")]
    pub path: FieldPath,
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
    pub fn new(kind: Code, path: FieldPath, detail: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            path,
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

    /// The path as the contract writes it (`""` for the whole form), for
    /// outputs that are not serde's: the database, the review pages.
    pub fn path_text(&self) -> String {
        whole_form_empty::text(&self.path)
    }
}

/// A diagnostic's path as the contract has written it from the start: the
/// whole form is `""`, not the `$` of [`FieldPath`]'s own text (which
/// verdicts use); either reads back as the root.
mod whole_form_empty {
    use crate::path::FieldPath;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn text(path: &FieldPath) -> String {
        if path.is_root() {
            String::new()
        } else {
            path.to_string()
        }
    }

    pub fn serialize<S: Serializer>(path: &FieldPath, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&text(path))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FieldPath, D::Error> {
        FieldPath::deserialize(d)
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

    /// Files `d` by its code's default severity.
    pub fn push(&mut self, d: Diagnostic) {
        match d.kind.default_severity() {
            Severity::Repair => self.repair(d),
            Severity::Warning => self.warn(d),
        }
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.repairs.extend(other.repairs);
        self.warnings.extend(other.warnings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_serializes_as_its_stable_name() {
        for &c in Code::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            let back: Code = serde_json::from_str(&json).unwrap();
            assert_eq!(back, c);
        }
        let names: std::collections::HashSet<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), Code::ALL.len());
    }

    #[test]
    fn push_files_by_default_severity() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::new(
            Code::LevelRestored,
            FieldPath::indicator(0).key("level1"),
            "x",
        ));
        d.push(Diagnostic::new(
            Code::MissingField,
            FieldPath::of(&["project", "name"]),
            "y",
        ));
        assert_eq!(d.repairs.len(), 1);
        assert_eq!(d.warnings.len(), 1);
        assert!(d.warnings[0].kind == "missing_field");
    }

    #[test]
    fn a_whole_form_path_is_written_empty_and_a_field_path_as_text() {
        let whole = Diagnostic::new(Code::PageLost, FieldPath::root(), "p");
        let json = serde_json::to_string(&whole).unwrap();
        assert_eq!(json, r#"{"kind":"page_lost","path":"","detail":"p"}"#);
        assert_eq!(whole.path_text(), "");
        let back: Diagnostic = serde_json::from_str(&json).unwrap();
        assert_eq!(back, whole);
        let dollar = json.replace(r#""path":"""#, r#""path":"$""#);
        assert_eq!(serde_json::from_str::<Diagnostic>(&dollar).unwrap(), whole);

        let row = Diagnostic::new(
            Code::ValueRepaired,
            FieldPath::indicator(12).key("value"),
            "v",
        );
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"value_repaired","path":"indicators[12].value","detail":"v"}"#
        );
        assert_eq!(serde_json::from_str::<Diagnostic>(&json).unwrap(), row);
    }
}
