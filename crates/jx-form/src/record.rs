//! Reading a field out of a cell leaves a trace: where it was read
//! (`provenance`), the glyphs drawn twice that were counted once, and OCR
//! text too uncertain to trust without a look.

use crate::grid::GridCell;
use jx_model::Code;
use jx_model::record::Provenance;
use jx_model::{Diagnostic, Diagnostics, LookalikeProfile};
use std::collections::BTreeMap;

/// Diagnostics and provenance of one form, filled while its fields are read.
#[derive(Debug, Default)]
pub struct Recorder {
    pub diagnostics: Diagnostics,
    pub provenance: BTreeMap<String, Provenance>,
    /// OCR confidence under which a field is flagged.
    pub low_confidence: f32,
    /// The look-alike habits of each OCR engine.
    pub lookalikes: Vec<LookalikeProfile>,
}

impl Recorder {
    pub fn new(low_confidence: f32) -> Self {
        Recorder {
            low_confidence,
            ..Default::default()
        }
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
    pub fn read(&mut self, path: &str, cell: &GridCell) -> String {
        let first = cell.pieces[0];
        let bbox = first.bbox.rounded();
        self.provenance.insert(
            path.to_string(),
            Provenance {
                page: first.page,
                bbox,
                confidence: cell
                    .confidence
                    .map(|c| (f64::from(c) * 1000.0).round() / 1000.0),
            },
        );
        if cell.overdrawn > 0 {
            self.diagnostics.repair(
                Diagnostic::new(
                    Code::DuplicateGlyphs,
                    path,
                    format!(
                        "{} glyph(s) drawn again at the same place (fake bold or shadow) counted once",
                        cell.overdrawn
                    ),
                )
                .at(first.page, bbox),
            );
        }
        for w in &cell.rewrites {
            let d = Diagnostic::new(
                if w.doubtful {
                    Code::LowOcrConfidence
                } else {
                    Code::OcrRewritten
                },
                path,
                w.why.clone(),
            )
            .change(w.raw.clone(), w.rewritten.clone())
            .at(first.page, bbox);
            if w.doubtful {
                self.diagnostics.warn(d);
            } else {
                self.diagnostics.repair(d);
            }
        }
        if let Some(c) = cell.confidence
            && c < self.low_confidence
            && !cell.text.is_empty()
        {
            self.diagnostics.warn(
                Diagnostic::new(
                    Code::LowOcrConfidence,
                    path,
                    format!(
                        "OCR confidence {:.2} for {:?}: check against the page",
                        c, cell.text
                    ),
                )
                .at(first.page, bbox),
            );
        }
        let text = cell.text.trim().to_string();
        match cell
            .confidence
            .and_then(|_| crate::normalize::mend_ocr_brackets(&text))
        {
            Some(mended) => {
                self.diagnostics.repair(
                    Diagnostic::new(Code::BracketRepaired, path, "OCR read an opening bracket as an angle-bracket look-alike; the closing bracket is round")
                        .change(text, mended.clone())
                        .at(first.page, bbox),
                );
                mended
            }
            None => text,
        }
    }

    pub fn warn(&mut self, kind: Code, path: &str, detail: impl Into<String>) {
        self.diagnostics.warn(Diagnostic::new(kind, path, detail));
    }

    pub fn warn_with(&mut self, d: Diagnostic) {
        self.diagnostics.warn(d);
    }

    pub fn repair(&mut self, d: Diagnostic) {
        self.diagnostics.repair(d);
    }
}
