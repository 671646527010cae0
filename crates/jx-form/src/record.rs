//! Reading a field out of a cell leaves a trace: where it was read
//! (`provenance`), the glyphs drawn twice that were counted once, and OCR
//! text too uncertain to trust without a look.

use crate::grid::GridCell;
use jx_model::Code;
use jx_model::record::Provenance;
use jx_model::{Diagnostic, Diagnostics, FieldPath, LookalikeProfile};
use std::collections::BTreeMap;

/// Diagnostics and provenance of one form, filled while its fields are read.
#[derive(Debug, Default)]
pub struct Recorder {
    pub diagnostics: Diagnostics,
    pub provenance: BTreeMap<FieldPath, Provenance>,
    /// OCR confidence under which a field is flagged.
    pub low_confidence: f32,
    /// The look-alike habits of each OCR engine.
    pub lookalikes: Vec<LookalikeProfile>,
    /// Margin over the runner-up under which a character is a doubt.
    pub min_char_margin: f32,
}

/// Default of [`crate::FormOptions::min_char_margin`], chosen on the tuning
/// scans (`scripts/ocr-compare both@margin=M`, README "OCR engine"): there
/// every field read wrong is flagged without it, and each step up costs
/// right fields flagged (off 5.4 %, 0.1 6.6 %, 0.3 9.0 %), so the lowest
/// value tried. It is the one evidence that names a rare character read as
/// its common look-alike where both engines agree.
pub const MIN_CHAR_MARGIN: f32 = 0.1;

impl Recorder {
    pub fn new(low_confidence: f32) -> Self {
        Recorder {
            low_confidence,
            min_char_margin: MIN_CHAR_MARGIN,
            ..Default::default()
        }
    }

    /// With another margin under which a character is a doubt.
    pub fn with_min_char_margin(mut self, margin: f32) -> Self {
        self.min_char_margin = margin;
        self
    }

    /// With the engines' look-alike profiles.
    pub fn with_lookalikes(mut self, profiles: &[LookalikeProfile]) -> Self {
        self.lookalikes = profiles.to_vec();
        self
    }

    /// The look-alike profile of the engine that read `cell`, `None` for
    /// text-layer cells or an engine without one.
    pub fn lookalikes_of(&self, cell: &GridCell) -> Option<&LookalikeProfile> {
        let engine = cell.engine?;
        self.lookalikes.iter().find(|p| p.engine == engine)
    }

    /// The text of `cell` as the value of the field at `path`.
    pub fn read(&mut self, path: &FieldPath, cell: &GridCell) -> String {
        let first = cell.pieces[0];
        let bbox = first.bbox.rounded();
        self.provenance.insert(
            path.clone(),
            Provenance {
                page: first.page,
                bbox,
                confidence: cell
                    .confidence
                    .map(|c| (f64::from(c) * 1000.0).round() / 1000.0),
            },
        );
        self.note_reading(path, cell, first.page, bbox);
        let text = cell.text.trim().to_string();
        if !cell.read_by_ocr() {
            return text;
        }
        let text = self.settle_operator(path, text, cell.head, first.page, bbox);
        self.mend_ocr_marks(path, text, first.page, bbox)
    }

    /// OCR text with the operator at its head settled by the pixels (a
    /// barred chevron is `≥` or `≤`: [`crate::grammar::settle_operator`]),
    /// logged as a repair.
    fn settle_operator(
        &mut self,
        path: &FieldPath,
        text: String,
        head: Option<jx_model::HeadChevron>,
        page: u32,
        bbox: [f64; 4],
    ) -> String {
        let Some(settled) = crate::grammar::settle_operator(&text, head) else {
            return text;
        };
        self.diagnostics.repair(
            Diagnostic::new(
                Code::OcrRewritten,
                path.clone(),
                crate::grammar::SETTLED_WHY,
            )
            .change(text, settled.clone())
            .at(page, bbox),
        );
        settled
    }

    /// Logs how `cell` was read: glyphs drawn twice, the OCR layer's
    /// rewrites (a doubtful one as a warning), and the doubts its
    /// characters' margins and confidence raise.
    fn note_reading(&mut self, path: &FieldPath, cell: &GridCell, page: u32, bbox: [f64; 4]) {
        if cell.overdrawn > 0 {
            self.diagnostics.repair(
                Diagnostic::new(
                    Code::DuplicateGlyphs,
                    path.clone(),
                    format!(
                        "{} glyph(s) drawn again at the same place (fake bold or shadow) counted once",
                        cell.overdrawn
                    ),
                )
                .at(page, bbox),
            );
        }
        for w in &cell.rewrites {
            let d = Diagnostic::new(
                if w.doubtful {
                    Code::LowOcrConfidence
                } else {
                    Code::OcrRewritten
                },
                path.clone(),
                w.why.clone(),
            )
            .change(w.raw.clone(), w.rewritten.clone())
            .at(page, bbox);
            if w.doubtful {
                self.diagnostics.warn(d);
            } else {
                self.diagnostics.repair(d);
            }
        }
        if let Some(why) = unsure_doubt(cell, self.min_char_margin) {
            self.diagnostics
                .warn(Diagnostic::new(Code::LowOcrConfidence, path.clone(), why).at(page, bbox));
        }
        for why in ocr_doubts(&cell.text, cell.confidence, self.low_confidence) {
            self.diagnostics
                .warn(Diagnostic::new(Code::LowOcrConfidence, path.clone(), why).at(page, bbox));
        }
        for p in &cell.pieces {
            if let Some(u) = p.unread {
                self.diagnostics.warn(
                    Diagnostic::new(Code::LowOcrConfidence, path.clone(), u.why())
                        .at(p.page, p.bbox.rounded()),
                );
            }
        }
    }

    /// OCR text with the look-alikes of brackets and dashes mended, each
    /// mending logged (text-layer text never goes through this).
    fn mend_ocr_marks(
        &mut self,
        path: &FieldPath,
        text: String,
        page: u32,
        bbox: [f64; 4],
    ) -> String {
        let text = match crate::normalize::mend_ocr_brackets(&text) {
            Some(mended) => {
                self.diagnostics.repair(
                    Diagnostic::new(Code::BracketRepaired, path.clone(), "OCR read an opening bracket as an angle-bracket look-alike; the closing bracket is round")
                        .change(text, mended.clone())
                        .at(page, bbox),
                );
                mended
            }
            None => text,
        };
        match crate::normalize::mend_ocr_dashes(&text) {
            Some(mended) => {
                self.diagnostics.repair(
                    Diagnostic::new(
                        Code::OcrRewritten,
                        path.clone(),
                        "OCR read a range dash between two digits as the ideograph 一",
                    )
                    .change(text, mended.clone())
                    .at(page, bbox),
                );
                mended
            }
            None => text,
        }
    }

    /// [`Recorder::read`] for a name, a label's value or a target value
    /// (project name, departments, an indicator's name and value): marks OCR
    /// read at its head or tail (`”项目名称`, `鉴定、认定费，，`, `.及时`) are
    /// removed, logged.
    pub fn read_name(&mut self, path: &FieldPath, cell: &GridCell) -> String {
        let text = self.read(path, cell);
        if !cell.read_by_ocr() {
            return text;
        }
        match crate::normalize::strip_stray_marks(&text) {
            Some(clean) => {
                let first = cell.pieces[0];
                self.diagnostics.repair(
                    Diagnostic::new(
                        Code::StrayMarksRemoved,
                        path.clone(),
                        "OCR read marks at the head or tail of the text that the form does not print there",
                    )
                    .change(text, clean.clone())
                    .at(first.page, first.bbox.rounded()),
                );
                clean
            }
            None => text,
        }
    }

    pub fn warn(&mut self, kind: Code, path: &FieldPath, detail: impl Into<String>) {
        self.diagnostics
            .warn(Diagnostic::new(kind, path.clone(), detail));
    }

    pub fn warn_with(&mut self, d: Diagnostic) {
        self.diagnostics.warn(d);
    }

    pub fn repair(&mut self, d: Diagnostic) {
        self.diagnostics.repair(d);
    }
}

/// Why a cell is in doubt for its characters read with a margin under
/// `min_margin` over their runner-up (`壁` with `璧` close behind), or
/// `None`.
fn unsure_doubt(cell: &GridCell, min_margin: f32) -> Option<String> {
    let close: Vec<String> = cell
        .unsure
        .iter()
        .filter(|u| u.margin < min_margin)
        .map(|u| match u.runner_up.as_str() {
            "" => format!("{:?} (or nothing, margin {:.2})", u.read, u.margin),
            r => format!("{:?} (or {r:?}, margin {:.2})", u.read, u.margin),
        })
        .collect();
    (!close.is_empty()).then(|| {
        format!(
            "OCR read {} with little margin over the next reading: check against the page",
            close.join(", ")
        )
    })
}

/// Why a text read by OCR (`confidence` is `Some`) is in doubt: a
/// confidence under `low`, a character no form prints. Nothing for a text
/// layer or an empty text.
pub(crate) fn ocr_doubts(text: &str, confidence: Option<f32>, low: f32) -> Vec<String> {
    let Some(c) = confidence.filter(|_| !text.is_empty()) else {
        return Vec::new();
    };
    let mut why = Vec::new();
    if c < low {
        why.push(format!(
            "OCR confidence {c:.2} for {text:?}: check against the page"
        ));
    }
    if let Some(ch) = crate::normalize::implausible_char(text) {
        why.push(format!(
            "OCR read {ch:?}, a character no form prints, in {text:?}: check against the page"
        ));
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Piece;
    use jx_model::{Extraction, OcrEngineId, OcrRewrite, Rect};

    fn ocr_cell(text: &str, rewrites: Vec<OcrRewrite>) -> GridCell {
        GridCell {
            row: 0,
            row_end: 0,
            x0: 0.0,
            x1: 10.0,
            text: text.into(),
            pieces: vec![Piece {
                page: 1,
                bbox: Rect::new(0.0, 0.0, 10.0, 10.0),
                unread: None,
            }],
            overdrawn: 0,
            confidence: Some(0.9),
            engine: Some(OcrEngineId::Tesseract),
            rewrites,
            unsure: Vec::new(),
            head: None,
            label: None,
            label_read_as: None,
            extraction: Extraction::Ocr,
        }
    }

    #[test]
    fn ocr_rewrites_are_repairs_of_the_field_and_doubts_are_warnings() {
        let mut rec = Recorder::new(0.6);
        let settled = OcrRewrite {
            raw: ">90".into(),
            rewritten: "≥90".into(),
            why: "pixels".into(),
            doubtful: false,
        };
        assert_eq!(
            rec.read(
                &FieldPath::indicator(0).key("value"),
                &ocr_cell("≥90", vec![settled])
            ),
            "≥90"
        );
        let r = &rec.diagnostics.repairs[0];
        assert_eq!(r.kind, Code::OcrRewritten);
        assert_eq!(r.path, "indicators[0].value");
        assert_eq!(
            (r.before.as_deref(), r.after.as_deref()),
            (Some(">90"), Some("≥90"))
        );
        rec.read(
            &FieldPath::of(&["project", "name"]),
            &ocr_cell("璧山", vec![rec_doubt()]),
        );
        assert_eq!(rec.diagnostics.warnings[0].kind, Code::LowOcrConfidence);
        assert_eq!(rec.diagnostics.repairs.len(), 1);
    }

    #[test]
    fn a_barred_chevron_at_the_head_settles_the_operator_as_a_repair() {
        let value_path = FieldPath::indicator(2).key("value");
        let mut rec = Recorder::new(0.6);
        let mut cell = ocr_cell("之85.00(%)", vec![]);
        cell.head = Some(jx_model::HeadChevron {
            pointing: jx_model::Pointing::Right,
            unread: false,
        });
        assert_eq!(rec.read(&value_path, &cell), "≥85.00(%)");
        let r = &rec.diagnostics.repairs[0];
        assert_eq!(
            (r.kind, r.path.to_string().as_str()),
            (Code::OcrRewritten, "indicators[2].value")
        );
        assert_eq!(
            (r.before.as_deref(), r.after.as_deref()),
            (Some("之85.00(%)"), Some("≥85.00(%)"))
        );
        // The same reading without the pixels' evidence stays as read.
        let mut rec = Recorder::new(0.6);
        let cell = ocr_cell("之85.00(%)", vec![]);
        assert_eq!(rec.read(&value_path, &cell), "之85.00(%)");
        assert!(rec.diagnostics.repairs.is_empty());
    }

    fn rec_doubt() -> OcrRewrite {
        OcrRewrite {
            raw: "壁山".into(),
            rewritten: "璧山".into(),
            why: "engines disagree".into(),
            doubtful: true,
        }
    }

    #[test]
    fn lookalikes_follow_the_cells_engine() {
        let rec = Recorder::new(0.6).with_lookalikes(&[jx_model::LookalikeProfile {
            engine: OcrEngineId::Tesseract,
            ge_operator: vec!["之".into()],
            percent_unit: Vec::new(),
        }]);
        assert!(rec.lookalikes_of(&ocr_cell("之90", vec![])).is_some());
        let mut pp = ocr_cell("之90", vec![]);
        pp.engine = Some(OcrEngineId::PpOcr);
        assert!(rec.lookalikes_of(&pp).is_none());
    }

    #[test]
    fn a_character_read_with_little_margin_makes_its_field_a_doubt() {
        let mut cell = ocr_cell("重庆市壁山区", Vec::new());
        cell.unsure = vec![
            jx_model::UnsureChar {
                read: "壁".into(),
                runner_up: "璧".into(),
                margin: 0.05,
            },
            jx_model::UnsureChar {
                read: "区".into(),
                runner_up: "".into(),
                margin: 0.8,
            },
        ];
        let mut rec = Recorder::new(0.6);
        rec.read(&FieldPath::of(&["project", "department"]), &cell);
        let w = &rec.diagnostics.warnings;
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].path, "project.department");
        assert!(
            w[0].detail.contains("\"壁\" (or \"璧\", margin 0.05)"),
            "{}",
            w[0].detail
        );
    }
}
